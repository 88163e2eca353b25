"""Outcomes for many answer sets: the core evaluator, remembered by the rules' condition values.

`evaluate()` builds a full screening (reasons in words, missing answers) at a few thousand
answer sets a second. Replaying an export or checking invariants needs only each rule's value
and the outcome, and the outcome (with its deciding rules) is a function of the values of the
rules that are not flags (flags never change the outcome). So each answer set's rule values
are computed with the rule set's own compiled conditions on the answers that count, and
`evaluate()` runs once per distinct set of non-flag values; every later answer set with the
same values reuses its outcome.
"""

from __future__ import annotations

from collections.abc import Mapping

from screener.core.evaluate import evaluate, visible_answers
from screener.core.frozen import record_class
from screener.core.model import Action, RuleSet, Value
from screener.core.screening import Outcome
from screener.core.tristate import Tri


@record_class
class Verdict:
    scored: dict[str, Value]  # the answers that count (hidden questions unknown)
    values: tuple[Tri, ...]  # each rule's condition value, in rule order
    outcome: Outcome
    deciding: tuple[str, ...]


class OutcomeMemo:
    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self._conditions = tuple(rule.when for rule in ruleset.rules)
        self._deciders = tuple(
            i for i, r in enumerate(ruleset.rules) if r.action is not Action.FLAG
        )
        self._known: dict[tuple[Tri, ...], tuple[Outcome, tuple[str, ...]]] = {}

    def verdict(self, answers: Mapping[str, Value]) -> Verdict:
        scored, _ = visible_answers(self.ruleset, answers)
        values = tuple(condition(scored) for condition in self._conditions)
        key = tuple(values[i] for i in self._deciders)
        known = self._known.get(key)
        if known is None:
            screening = evaluate(self.ruleset, answers)
            if tuple(r.value for r in screening.results) != values:  # pragma: no cover
                raise AssertionError("rule values differ from the evaluator's")
            known = self._known[key] = (screening.outcome, screening.deciding)
        return Verdict(scored, values, known[0], known[1])
