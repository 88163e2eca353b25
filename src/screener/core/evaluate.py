"""The one evaluator: a pure function from (rule set, answers) to a screening."""

from __future__ import annotations

from collections.abc import Mapping

from screener.core.model import Action, Rule, RuleSet, Value, format_value
from screener.core.reasons import render
from screener.core.screening import ACTION_OUTCOME, Outcome, RuleResult, RulesetRef, Screening


def visible_answers(
    ruleset: RuleSet, answers: Mapping[str, Value]
) -> tuple[dict[str, Value], list[str]]:
    """The answers that count (hidden questions read as unknown) and the hidden question ids.

    A question is hidden only when its ask_if is definitely false: when skip logic cannot be
    decided, the question is asked and its answer counts.
    """
    scored: dict[str, Value] = {}
    hidden: list[str] = []
    for question in ruleset.questions:
        if question.ask_if is not None and question.ask_if(scored) is False:
            scored[question.id] = None
            hidden.append(question.id)
        else:
            scored[question.id] = answers.get(question.id)
    return scored, hidden


def _describe_values(ruleset: RuleSet, rule: Rule, scored: Mapping[str, Value]) -> str:
    parts = [
        f"{qid}: {format_value(ruleset.question_map[qid], scored.get(qid))}" for qid in rule.reads
    ]
    return "; ".join(parts)


def _result(
    ruleset: RuleSet, rule: Rule, scored: Mapping[str, Value], hidden: set[str]
) -> RuleResult:
    value = rule.when(scored)
    fired = value is False if rule.action is Action.REQUIRE else value is True
    needs = tuple(q for q in rule.reads if scored.get(q) is None and q not in hidden)
    if value is None:
        questions = ruleset.question_map
        asked = (
            "; ".join(f"{_short(questions[q].text)} ({q})" for q in needs)
            if needs
            else "answers skipped by the questionnaire"
        )
        reason = f"{rule.label}: cannot be decided; not answered: {asked}"
    elif fired:
        reason = render(rule.reason, ruleset.question_map, scored)
    elif rule.reason_clear is not None:
        reason = render(rule.reason_clear, ruleset.question_map, scored)
    else:
        verdict = "met" if rule.action is Action.REQUIRE else "does not apply"
        reason = f"{rule.label}: {verdict} ({_describe_values(ruleset, rule, scored)})"
    return RuleResult(
        rule=rule.id,
        action=rule.action,
        label=rule.label,
        value=value,
        fired=fired,
        reason=reason,
        source=rule.source,
        needs=needs,
    )


def decide(results: tuple[RuleResult, ...]) -> tuple[Outcome, tuple[str, ...]]:
    """The outcome by precedence, and the rules that decided it.

    urgent > not_eligible > needs_review > likely_eligible. A non-flag rule that cannot be
    decided means needs_review at least: an unknown never leads to likely_eligible.
    """
    for outcome in (Outcome.URGENT, Outcome.NOT_ELIGIBLE):
        deciding = tuple(
            r.rule for r in results if r.fired and ACTION_OUTCOME.get(r.action) is outcome
        )
        if deciding:
            return outcome, deciding
    deciding = tuple(
        r.rule
        for r in results
        if r.action is not Action.FLAG and (r.undecided or (r.fired and r.action is Action.REVIEW))
    )
    if deciding:
        return Outcome.NEEDS_REVIEW, deciding
    return Outcome.LIKELY_ELIGIBLE, ()


def _short(text: str) -> str:
    """A question's text without its trailing question mark, for use inside a sentence."""
    return text.rstrip(" ?")


def _missing(results: tuple[RuleResult, ...], outcome: Outcome) -> tuple[str, ...]:
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


def evaluate(ruleset: RuleSet, answers: Mapping[str, Value]) -> Screening:
    """Score one person's typed answers against the rule set."""
    scored, hidden = visible_answers(ruleset, answers)
    hidden_set = set(hidden)
    results = tuple(_result(ruleset, rule, scored, hidden_set) for rule in ruleset.rules)
    outcome, deciding = decide(results)
    return Screening(
        outcome=outcome,
        ruleset=RulesetRef(ruleset.name, ruleset.version, ruleset.sha256),
        results=results,
        deciding=deciding,
        flags=tuple(r for r in results if r.action is Action.FLAG and r.fired),
        missing=_missing(results, outcome),
        unanswered=tuple(q for q, v in scored.items() if v is None and q not in hidden_set),
        hidden=tuple(hidden),
        ignored=tuple(q for q in hidden if answers.get(q) is not None),
        answers={q.id: answers.get(q.id) for q in ruleset.questions},
    )
