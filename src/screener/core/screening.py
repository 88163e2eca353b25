"""The result of evaluating a rule set on one person's answers."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import cached_property

from screener.core.frozen import field, record_class
from screener.core.model import Action, Priority, Value
from screener.core.tristate import Tri


class Outcome(StrEnum):
    URGENT = "urgent"
    NOT_ELIGIBLE = "not_eligible"
    NEEDS_REVIEW = "needs_review"
    LIKELY_ELIGIBLE = "likely_eligible"

    @property
    def severity(self) -> int:
        """Higher is more restrictive: urgent 3 ... likely_eligible 0."""
        return _SEVERITY[self]

    @property
    def label(self) -> str:
        return _LABELS[self]


_SEVERITY = {
    Outcome.URGENT: 3,
    Outcome.NOT_ELIGIBLE: 2,
    Outcome.NEEDS_REVIEW: 1,
    Outcome.LIKELY_ELIGIBLE: 0,
}
_LABELS = {
    Outcome.URGENT: "URGENT: safety concern",
    Outcome.NOT_ELIGIBLE: "Not eligible on this pre-screen",
    Outcome.NEEDS_REVIEW: "Needs clinician review",
    Outcome.LIKELY_ELIGIBLE: "Likely eligible, pending consultation",
}

# The outcome a rule leads to when it fires (flags lead to none).
ACTION_OUTCOME = {
    Action.URGENT: Outcome.URGENT,
    Action.EXCLUDE: Outcome.NOT_ELIGIBLE,
    Action.REQUIRE: Outcome.NOT_ELIGIBLE,
    Action.REVIEW: Outcome.NEEDS_REVIEW,
}


@record_class
class RuleResult:
    rule: str
    action: Action
    label: str
    value: Tri  # the condition's value: True / False / None (unknown)
    fired: bool  # the rule's action applies (a require rule fires when its condition is false)
    explain: Callable[[], str] = field(repr=False, compare=False)  # builds `reason`
    source: str
    needs: tuple[str, ...]  # unanswered (asked) questions the condition reads

    @cached_property
    def reason(self) -> str:
        """The plain-language reason with the person's own values, built when first read:
        most rules of a screening are never shown, and their text is most of the work."""
        return self.explain()

    @property
    def undecided(self) -> bool:
        return self.value is None


@record_class
class RulesetRef:
    name: str
    version: str
    sha256: str


@record_class
class Screening:
    outcome: Outcome
    ruleset: RulesetRef
    results: tuple[RuleResult, ...]
    deciding: tuple[str, ...]  # ids of the rules that decided the outcome
    flags: tuple[RuleResult, ...]  # flag rules that fired
    missing: tuple[str, ...]  # unanswered questions that could change the outcome
    unanswered: tuple[str, ...]  # every asked question without a known answer
    hidden: tuple[str, ...]  # questions skip logic did not ask
    ignored: tuple[str, ...]  # hidden questions that have an answer: kept, never scored
    answers: dict[str, Value]  # the answers as given (hidden ones included), slot by slot
    derived: dict[str, float | None] = field(default_factory=dict)  # derived values, scored
    priority: Priority | None = None  # the most urgent review priority that applies
    rule_next_steps: tuple[tuple[str, str], ...] = ()  # (rule id, next step) of fired rules

    def result(self, rule_id: str) -> RuleResult:
        for result in self.results:
            if result.rule == rule_id:
                return result
        raise KeyError(rule_id)
