"""What the evaluator decides on the default rules, and what it records."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from screener.core.coercion import coerce_answers
from screener.core.evaluate import evaluate
from screener.core.model import Action, RuleSet, Value
from screener.core.screening import Outcome, Screening


def screen(rules: RuleSet, raw: dict[str, object]) -> Screening:
    answers, problems = coerce_answers(rules.question_map, raw)
    assert not problems
    return evaluate(rules, answers)


def test_clear_answers_are_likely_eligible(
    default_rules: RuleSet, clear_answers: dict[str, object]
) -> None:
    screening = screen(default_rules, clear_answers)
    assert screening.outcome is Outcome.LIKELY_ELIGIBLE
    assert screening.deciding == ()
    assert screening.missing == ()
    assert [f.rule for f in screening.flags] == ["phq9_moderately_severe"]


def test_reasons_quote_the_persons_own_answers(
    default_rules: RuleSet, clear_answers: dict[str, object]
) -> None:
    clear_answers["failed_antidepressants"] = 1
    screening = screen(default_rules, clear_answers)
    assert screening.outcome is Outcome.NOT_ELIGIBLE
    assert screening.deciding == ("two_failed_antidepressants",)
    reason = screening.result("two_failed_antidepressants").reason
    assert reason.startswith(
        "Antidepressants tried without enough improvement in this episode: 1; at least 2"
    )
    clear_answers.update(failed_antidepressants=3, bp_systolic=150, bp_diastolic=85)
    reason = screen(default_rules, clear_answers).result("bp_elevated").reason
    assert "150 mmHg / 85 mmHg at age 42 years" in reason


def test_answers_hidden_by_skip_logic_are_kept_but_never_scored(
    default_rules: RuleSet, clear_answers: dict[str, object]
) -> None:
    clear_answers.update(primary_condition="chronic_pain", failed_antidepressants=0)
    screening = screen(default_rules, clear_answers)
    assert "failed_antidepressants" in screening.hidden
    assert screening.ignored == ("failed_antidepressants",)
    assert screening.answers["failed_antidepressants"] == 0
    assert screening.result("two_failed_antidepressants").value is True
    assert screening.deciding == ("off_label_condition",)


def test_a_hidden_question_is_not_named_as_missing(
    default_rules: RuleSet, clear_answers: dict[str, object]
) -> None:
    clear_answers.update(current_medications="none", benzodiazepine_dose_mg=None)
    screening = screen(default_rules, clear_answers)
    assert "benzodiazepine_dose_mg" in screening.hidden
    assert "benzodiazepine_dose_mg" not in screening.unanswered
    clear_answers["current_medications"] = "benzodiazepine"
    screening = screen(default_rules, clear_answers)
    assert screening.outcome is Outcome.NEEDS_REVIEW
    assert screening.deciding == ("benzodiazepine_high",)
    assert "benzodiazepine_dose_mg" in screening.unanswered


def test_unknown_skip_logic_asks_the_question(
    default_rules: RuleSet, clear_answers: dict[str, object]
) -> None:
    clear_answers["primary_condition"] = None
    screening = screen(default_rules, clear_answers)
    assert "failed_antidepressants" not in screening.hidden
    assert screening.outcome is Outcome.NEEDS_REVIEW
    assert "primary_condition" in screening.missing


def test_missing_lists_only_what_could_change_the_outcome(
    default_rules: RuleSet, clear_answers: dict[str, object]
) -> None:
    clear_answers.update(pregnant="yes", phq9_total=None, self_harm_thoughts=None)
    screening = screen(default_rules, clear_answers)
    assert screening.outcome is Outcome.NOT_ELIGIBLE
    # Only the safety question could still change "not eligible" (to urgent); PHQ-9 is a flag.
    assert screening.missing == ("self_harm_thoughts",)
    assert "phq9_total" in screening.unanswered


QUESTION_VALUES = {
    "age": st.one_of(st.none(), st.sampled_from([16, 17, 18, 42, 64, 65, 80])),
    "primary_condition": st.one_of(
        st.none(), st.sampled_from(["depression", "bipolar_depression", "ptsd", "other"])
    ),
    "failed_antidepressants": st.one_of(st.none(), st.integers(0, 4)),
    "bp_systolic": st.one_of(st.none(), st.sampled_from([120, 139, 140, 149, 150, 179, 180])),
    "bp_diastolic": st.one_of(st.none(), st.sampled_from([80, 89, 90, 99, 100])),
    "hypertension": st.sampled_from([None, True, False]),
    "self_harm_thoughts": st.sampled_from([None, True, False]),
    "current_medications": st.one_of(
        st.none(),
        st.sets(st.sampled_from(["benzodiazepine", "maoi", "lamotrigine"])).map(frozenset),
    ),
    "benzodiazepine_dose_mg": st.one_of(st.none(), st.sampled_from([0, 8, 9])),
}


@settings(max_examples=200)
@given(st.fixed_dictionaries(QUESTION_VALUES), st.sampled_from(sorted(QUESTION_VALUES)))
def test_forgetting_an_answer_never_makes_anyone_likely_eligible(
    default_rules: RuleSet, changes: dict[str, Value], forgotten: str
) -> None:
    """Fail closed: turning any known answer into unknown can only keep or tighten the outcome
    away from likely_eligible."""
    base: dict[str, Value] = {q.id: None for q in default_rules.questions}
    clear, _ = coerce_answers(
        default_rules.question_map,
        {
            "prior_ketamine": "no",
            "phq9_total": 12,
            "has_ride_home": "yes",
            **{
                q.id: "no"
                for q in default_rules.questions
                if q.type.value == "yes_no" and q.id != "has_ride_home"
            },
        },
    )
    base.update(clear)
    base.update(changes)
    before = evaluate(default_rules, base)
    after = evaluate(default_rules, {**base, forgotten: None})
    if before.outcome is not Outcome.LIKELY_ELIGIBLE:
        assert after.outcome is not Outcome.LIKELY_ELIGIBLE
    undecided = [r for r in after.results if r.value is None and r.action is not Action.FLAG]
    if undecided:
        assert after.outcome is not Outcome.LIKELY_ELIGIBLE
        if after.outcome is Outcome.NEEDS_REVIEW and not after.missing:
            # Nothing is named only when a review rule holds whatever the missing answers are.
            assert any(r.fired and r.action is Action.REVIEW and not r.needs for r in after.results)


def test_the_screening_records_the_rule_set(default_rules: RuleSet) -> None:
    screening = evaluate(default_rules, {})
    assert screening.ruleset.name == default_rules.name
    assert screening.ruleset.version == "2026.11.1"
    assert len(screening.ruleset.sha256) == 64
    assert len(screening.results) == len(default_rules.rules)
    assert screening.outcome is Outcome.NEEDS_REVIEW


def test_an_unknown_dose_that_alone_keeps_the_review_is_named_as_missing(
    default_rules: RuleSet, clear_answers: dict[str, object]
) -> None:
    """The benzodiazepine rule fires on an unknown dose (through known()); a dose of 5 mg would
    make this person likely eligible, so the dose is an answer that settles the review."""
    clear_answers.update(current_medications="benzodiazepine", benzodiazepine_dose_mg=None)
    screening = screen(default_rules, clear_answers)
    assert screening.outcome is Outcome.NEEDS_REVIEW
    assert screening.missing == ("benzodiazepine_dose_mg",)
    clear_answers["benzodiazepine_dose_mg"] = 5
    assert screen(default_rules, clear_answers).outcome is Outcome.LIKELY_ELIGIBLE


def test_an_answer_that_cannot_change_a_review_is_not_named_as_missing(
    default_rules: RuleSet, clear_answers: dict[str, object]
) -> None:
    """Diagnosed hypertension keeps the review whatever the psychosis history is."""
    clear_answers.update(hypertension="yes", psychosis_history=None)
    screening = screen(default_rules, clear_answers)
    assert screening.outcome is Outcome.NEEDS_REVIEW
    assert screening.missing == ()
    assert "psychosis_history" in screening.unanswered
    # An unknown that could still make it not eligible is named even so.
    clear_answers["pregnant"] = None
    assert screen(default_rules, clear_answers).missing == ("pregnant",)
