"""The reference evaluator: a pure function from (rule set, answers) to a screening.

What each rule's value means (fires, outcome, missing) is `core.verdict`'s."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from screener.core import verdict
from screener.core.model import Action, Rule, RuleSet, Value, format_value
from screener.core.reasons import render
from screener.core.screening import RuleResult, RulesetRef, Screening
from screener.core.tristate import Tri


def visible_answers(
    ruleset: RuleSet, answers: Mapping[str, Value]
) -> tuple[dict[str, Value], list[str]]:
    """The answers that count (hidden questions read as unknown) and the hidden question ids.

    A question is hidden only when its ask_if is definitely false: when skip logic cannot be
    decided, the question is asked and its answer counts.
    """
    scored: dict[str, Value] = {}
    hidden: list[str] = []
    for question in ruleset.slots:
        if question.ask_if is not None and question.ask_if(scored) is False:
            scored[question.id] = None
            hidden.append(question.id)
        else:
            scored[question.id] = answers.get(question.id)
    return scored, hidden


def derived_values(ruleset: RuleSet, scored: Mapping[str, Value]) -> dict[str, float | None]:
    """Each derived value of the scored answers (None when an input is unknown)."""
    return {d.id: d.value(scored) for d in ruleset.derived}


def _describe_values(ruleset: RuleSet, rule: Rule, scored: Mapping[str, Value]) -> str:
    parts = [
        f"{qid}: {format_value(ruleset.question_map[qid], scored.get(qid))}" for qid in rule.reads
    ]
    return "; ".join(parts)


def _explain(
    ruleset: RuleSet,
    rule: Rule,
    scored: Mapping[str, Value],
    derived: Mapping[str, float | None],
    value: Tri,
    fired: bool,
    needs: tuple[str, ...],
) -> str:
    if value is None:
        questions = ruleset.question_map
        asked = (
            "; ".join(f"{_short(questions[q].text)} ({q})" for q in needs)
            if needs
            else "answers skipped by the questionnaire"
        )
        return f"{rule.label}: cannot be decided; not answered: {asked}"
    questions, named = ruleset.question_map, ruleset.derived_map
    if fired:
        return render(rule.reason, questions, scored, named, derived)
    if rule.reason_clear is not None:
        return render(rule.reason_clear, questions, scored, named, derived)
    met = "met" if rule.action is Action.REQUIRE else "does not apply"
    return f"{rule.label}: {met} ({_describe_values(ruleset, rule, scored)})"


def _result(
    ruleset: RuleSet,
    rule: Rule,
    scored: Mapping[str, Value],
    derived: Mapping[str, float | None],
    hidden: set[str],
) -> RuleResult:
    value = rule.when(scored)
    fired = verdict.fires(rule.action, value)
    needs = tuple(q for q in rule.reads if scored.get(q) is None and q not in hidden)
    return RuleResult(
        rule=rule.id,
        action=rule.action,
        label=rule.label,
        value=value,
        fired=fired,
        explain=partial(_explain, ruleset, rule, scored, derived, value, fired, needs),
        source=rule.source,
        needs=needs,
    )


def _item_asked(ruleset: RuleSet, slot: str, scored: Mapping[str, Value]) -> bool:
    """A list item's slot counts as asked only for an item the list is known to have."""
    question = ruleset.question_map[slot]
    if question.list_id is None or question.item is None:
        return True
    count = scored.get(question.list_id)
    return isinstance(count, int) and question.item <= count


def _short(text: str) -> str:
    """A question's text without its trailing question mark, for use inside a sentence."""
    return text.rstrip(" ?")


def evaluate(ruleset: RuleSet, answers: Mapping[str, Value]) -> Screening:
    """Score one person's typed answers (slot by slot) against the rule set."""
    scored, hidden = visible_answers(ruleset, answers)
    hidden_set = set(hidden)
    derived = derived_values(ruleset, scored)
    results = tuple(_result(ruleset, rule, scored, derived, hidden_set) for rule in ruleset.rules)
    outcome, deciding = verdict.decide(results)
    return Screening(
        outcome=outcome,
        ruleset=RulesetRef(ruleset.name, ruleset.version, ruleset.sha256),
        results=results,
        deciding=deciding,
        flags=tuple(r for r in results if r.action is Action.FLAG and r.fired),
        missing=verdict.missing(results, outcome),
        unanswered=tuple(
            q
            for q, v in scored.items()
            if v is None and q not in hidden_set and _item_asked(ruleset, q, scored)
        ),
        hidden=tuple(hidden),
        ignored=tuple(q for q in hidden if answers.get(q) is not None),
        answers={q.id: answers.get(q.id) for q in ruleset.slots},
        derived=derived,
        priority=verdict.priority(ruleset.rules, results),
        rule_next_steps=tuple(
            (rule.id, rule.next_step)
            for rule, result in zip(ruleset.rules, results, strict=True)
            if rule.next_step is not None and result.fired
        ),
    )
