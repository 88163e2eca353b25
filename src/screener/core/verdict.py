"""The one home of what a rule's value means for a person.

- whether a rule fires (`fires`),
- the outcome one rule leads to on its own (`rule_outcome`) and so outcome precedence
  (`decide`: the most severe outcome any rule leads to; urgent > not_eligible > needs_review >
  likely_eligible),
- which unanswered questions could still change the outcome (`missing`),
- whether a rule that only one of two rule sets has matters to a record (`matters`),
- how soon a clinician should look (`priority`).

The row evaluator (`core.evaluate`) calls these functions. The column-wise scorer
(`columnar.scorer`) and the column-wise diff build their lookup tables from them
(`by_tri`), and property tests hold both to the row evaluator record by record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from screener.core.model import Action, Priority, Rule
from screener.core.screening import ACTION_OUTCOME, Outcome, RuleResult
from screener.core.tristate import Tri

# An outcome for a record that cannot be scored (an unreadable cell, a ragged row).
INVALID = "invalid"
# An outcome for a record that is deliberately not scored (a REDCap form not marked complete).
NOT_SCORED = "not_scored"

# The three values in the order the column-wise engines code them (false 0, unknown 1, true 2).
TRI_ORDER: tuple[Tri, Tri, Tri] = (False, None, True)


def fires(action: Action, value: Tri) -> bool:
    """A rule's action applies: a `require` rule when its condition is false, any other when
    its condition is true. An undecided rule never fires."""
    if value is None:
        return False
    return value is (action is not Action.REQUIRE)


def rule_outcome(action: Action, value: Tri) -> Outcome | None:
    """The outcome this rule alone leads to: its action's outcome when it fires; needs_review
    when a non-flag rule cannot be decided (an unknown never leads to likely_eligible); none
    otherwise. Flags never change the outcome."""
    if action is Action.FLAG:
        return None
    if value is None:
        return Outcome.NEEDS_REVIEW
    return ACTION_OUTCOME[action] if fires(action, value) else None


def severity_of(action: Action, value: Tri) -> int:
    """`rule_outcome` as a severity, 0 (likely_eligible) when it leads to none."""
    outcome = rule_outcome(action, value)
    return 0 if outcome is None else outcome.severity


def by_tri(function: Callable[[Action, Tri], object], action: Action) -> list[object]:
    """`function` for one action at each value in TRI_ORDER: a column-wise lookup table."""
    return [function(action, value) for value in TRI_ORDER]


def decide(results: Sequence[RuleResult]) -> tuple[Outcome, tuple[str, ...]]:
    """The outcome by precedence, and the rules that lead to it."""
    return decide_values([(r.rule, r.action) for r in results], [r.value for r in results])


def decide_values(
    rules: Sequence[tuple[str, Action]], values: Sequence[Tri]
) -> tuple[Outcome, tuple[str, ...]]:
    """`decide` from each rule's (id, action) and value alone, with no reasons built (a
    column-wise engine has the values already)."""
    levels = [
        (rule, rule_outcome(action, value))
        for (rule, action), value in zip(rules, values, strict=True)
    ]
    outcome = max(
        (level for _, level in levels if level is not None),
        key=lambda o: o.severity,
        default=Outcome.LIKELY_ELIGIBLE,
    )
    if outcome is Outcome.LIKELY_ELIGIBLE:
        return outcome, ()
    return outcome, tuple(rule for rule, level in levels if level is outcome)


def holding_severity(action: Action, value: Tri) -> int:
    """The severity of the outcome a rule holds at: its action's when it fires (never a
    flag's), -1 otherwise (an undecided rule holds at no level)."""
    if action is Action.FLAG or not fires(action, value):
        return -1
    return ACTION_OUTCOME[action].severity


def undecided(action: Action, value: Tri) -> bool:
    """A rule that could change the outcome (not a flag) and could not be decided."""
    return value is None and action is not Action.FLAG


def holding(results: Sequence[RuleResult], outcome: Outcome) -> tuple[str, ...]:
    """The rules that hold at the outcome's level: fired, with the outcome's severity. Unlike
    `decide`'s deciding rules, never a rule that could not be decided (`undecided_rules`)."""
    return tuple(r.rule for r in results if holding_severity(r.action, r.value) == outcome.severity)


def undecided_rules(results: Sequence[RuleResult]) -> tuple[str, ...]:
    """The rules (not flags) that could not be decided, in rule order."""
    return tuple(r.rule for r in results if undecided(r.action, r.value))


def missing(results: Sequence[RuleResult], outcome: Outcome) -> tuple[str, ...]:
    """Unanswered questions whose answers could still change the outcome.

    - an undecided rule that would lead to a more restrictive outcome;
    - at needs_review, an undecided rule, unless a rule that holds regardless already keeps
      the outcome there;
    - a rule that fired at the outcome's level while reading an unanswered question (through
      known()), when every such rule does: answering could lift the outcome.
    "Holds regardless" is a fired rule at the outcome's level that reads no unanswered question.
    """
    holders = [r for r in results if r.fired and ACTION_OUTCOME.get(r.action) is outcome]
    movable = all(r.needs for r in holders)
    seen: dict[str, None] = {}
    for r in results:
        if r.action is Action.FLAG or not r.needs:
            continue
        level = ACTION_OUTCOME[r.action]
        if r.undecided:
            counts = level.severity > outcome.severity or (
                outcome is Outcome.NEEDS_REVIEW and movable
            )
        else:
            counts = movable and r.fired and level is outcome
        if counts:
            for question in r.needs:
                seen.setdefault(question, None)
    return tuple(seen)


def matters(action: Action, value: Tri) -> bool:
    """A rule that only one of two rule sets has matters to a record when it fires there or
    (unless it is a flag) cannot be decided there."""
    return fires(action, value) or (value is None and action is not Action.FLAG)


def priority(rules: Sequence[Rule], results: Sequence[RuleResult]) -> Priority | None:
    """The most urgent priority among review rules that hold or cannot be decided."""
    found = [
        rule.priority
        for rule, result in zip(rules, results, strict=True)
        if rule.action is Action.REVIEW
        and rule.priority is not None
        and (result.fired or result.undecided)
    ]
    return max(found, key=lambda p: p.rank, default=None)
