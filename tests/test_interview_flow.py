"""The interview's logic, without prompts: order, skip logic, edits, urgency, review rows."""

from __future__ import annotations

from pathlib import Path

from screener.commands.screen.flow import (
    InterviewState,
    check_crisis,
    finish,
    list_step,
    next_question,
    paired_question,
    progress,
    record_answer,
    review_rows,
    safety_questions,
    urgent_rules,
)
from screener.core.evaluate import evaluate
from screener.core.model import Question, RuleSet, Value
from screener.rulefile.load import load_ruleset


def answer_all(ruleset: RuleSet, given: dict[str, Value]) -> tuple[InterviewState, list[str]]:
    """Answer whatever the interview asks next from `given` (unknown if absent)."""
    state, asked = InterviewState(), []
    while (question := next_question(ruleset, state)) is not None:
        asked.append(question.id)
        state = record_answer(ruleset, state, question.id, given.get(question.id)).state
    return state, asked


def test_questions_come_in_file_order(default_rules: RuleSet) -> None:
    given: dict[str, Value] = {
        "primary_condition": "depression",
        "current_medications": frozenset(),
    }
    _, asked = answer_all(default_rules, given)
    order = [q.id for q in default_rules.questions]
    assert asked == [q for q in order if q != "benzodiazepine_dose_mg"]


def test_skip_logic_hides_and_shows_follow_up_questions(default_rules: RuleSet) -> None:
    _, asked = answer_all(default_rules, {"primary_condition": "ptsd"})
    assert "failed_antidepressants" not in asked
    _, asked = answer_all(
        default_rules, {"current_medications": frozenset({"benzodiazepine", "opioid"})}
    )
    assert "benzodiazepine_dose_mg" in asked
    assert asked.index("benzodiazepine_dose_mg") == asked.index("current_medications") + 1


def test_an_unknown_condition_still_asks_its_follow_up(default_rules: RuleSet) -> None:
    # Skip logic hides a question only when its ask_if is definitely false.
    _, asked = answer_all(default_rules, {"primary_condition": None})
    assert "failed_antidepressants" in asked


def test_dont_know_counts_as_answered(default_rules: RuleSet) -> None:
    state = record_answer(default_rules, InterviewState(), "age", 40).state
    state = record_answer(default_rules, state, "primary_condition", None).state
    question = next_question(default_rules, state)
    assert question is not None
    assert question.id == "failed_antidepressants"


def test_urgent_rule_shows_the_crisis_once(default_rules: RuleSet) -> None:
    step = record_answer(default_rules, InterviewState(), "self_harm_thoughts", True)
    assert step.show_crisis
    step = record_answer(default_rules, step.state, "phq9_total", 22)
    assert not step.show_crisis
    # Corrected to "no", then back to "yes": the crisis text is due again.
    step = record_answer(default_rules, step.state, "self_harm_thoughts", False)
    assert not step.show_crisis
    assert not step.state.crisis_shown
    assert record_answer(default_rules, step.state, "self_harm_thoughts", True).show_crisis


def test_dont_know_to_self_harm_is_not_urgent_during_the_interview(
    default_rules: RuleSet,
) -> None:
    step = record_answer(default_rules, InterviewState(), "self_harm_thoughts", None)
    assert not step.show_crisis


def test_resumed_answers_that_are_urgent_show_the_crisis(default_rules: RuleSet) -> None:
    assert check_crisis(default_rules, InterviewState({"self_harm_thoughts": True})).show_crisis


def test_an_edit_that_reveals_a_question_makes_it_next(default_rules: RuleSet) -> None:
    state, _ = answer_all(default_rules, {"primary_condition": "ptsd"})
    assert next_question(default_rules, state) is None
    state = record_answer(default_rules, state, "primary_condition", "depression").state
    question = next_question(default_rules, state)
    assert question is not None
    assert question.id == "failed_antidepressants"


def test_an_edit_that_hides_a_question_keeps_its_answer_unscored(default_rules: RuleSet) -> None:
    state, _ = answer_all(
        default_rules, {"primary_condition": "depression", "failed_antidepressants": 1}
    )
    state = record_answer(default_rules, state, "primary_condition", "ptsd").state
    assert next_question(default_rules, state) is None
    assert state.answers["failed_antidepressants"] == 1
    rows = {row.question.id: row for row in review_rows(default_rules, state)}
    hidden = rows["failed_antidepressants"]
    assert not hidden.asked
    assert "kept, not scored" in hidden.answer
    screening = finish(default_rules, state)
    assert "failed_antidepressants" in screening.hidden
    assert screening.ignored == ("failed_antidepressants",)
    assert screening.answers["failed_antidepressants"] == 1


def test_review_rows_list_every_answer_in_words(default_rules: RuleSet) -> None:
    state, _ = answer_all(
        default_rules,
        {"age": 42, "hypertension": False, "bp_systolic": 124, "current_medications": frozenset()},
    )
    rows = {row.question.id: row.answer for row in review_rows(default_rules, state)}
    assert rows["age"] == "42 years"
    assert rows["hypertension"] == "no"
    assert rows["bp_systolic"] == "124 mmHg"
    assert rows["current_medications"] == "none"
    assert rows["pregnant"] == "don't know"
    assert "benzodiazepine_dose_mg" not in rows


def test_finish_is_the_evaluator_on_the_answers(default_rules: RuleSet) -> None:
    state, _ = answer_all(default_rules, {"age": 15, "primary_condition": "ptsd"})
    assert finish(default_rules, state) == evaluate(default_rules, state.answers)
    assert finish(default_rules, state).outcome.value == "not_eligible"


SAFETY_RULES = """
name: Safety follow-ups
version: "1"
clinic: {name: Test clinic}
disclaimer: A pre-screen.
crisis_text: Stay on the line.
next_steps:
  urgent: [Crisis steps.]
  not_eligible: [Another route.]
  needs_review: [Review.]
  likely_eligible: [Book.]
questions:
  - {id: thoughts, text: Thoughts of ending their life this month?, type: yes_no}
  - {id: intent, text: Any intent to act on them?, type: yes_no, ask_if: thoughts}
  - {id: age, text: Age?, type: integer, min: 0, max: 120}
rules:
  - id: intent_unknown
    action: urgent
    label: Thoughts with intent not known to be absent
    when: thoughts and not known(intent)
    reason: Thoughts, intent not known.
    source: "[R]"
  - id: intent_yes
    action: urgent
    label: Intent
    when: known(intent) and intent
    reason: Intent.
    source: "[R]"
"""


def test_the_crisis_text_waits_for_a_safety_follow_up_still_to_be_asked(tmp_path: Path) -> None:
    """Thoughts, with intent still to be asked: not yet urgent (the next question settles
    it). Intent answered "don't know" or yes: urgent at once."""
    path = tmp_path / "rules.yaml"
    path.write_text(SAFETY_RULES)
    rules = load_ruleset(path)
    assert urgent_rules(rules, {"thoughts": True}) == ()
    assert urgent_rules(rules, {"thoughts": True, "intent": None}) == ("intent_unknown",)
    assert urgent_rules(rules, {"thoughts": True, "intent": True}) == ("intent_yes",)
    assert urgent_rules(rules, {"thoughts": True, "intent": False}) == ()
    assert urgent_rules(rules, {"thoughts": False}) == ()
    # The screening at the end reads an unanswered follow-up as unknown: urgent.
    assert evaluate(rules, {"thoughts": True}).outcome.value == "urgent"


V2_RULES = Path(__file__).parent / "fixtures" / "rules_default_v2.yaml"


def v2() -> RuleSet:
    return load_ruleset(V2_RULES)


def test_question_n_of_m_counts_what_skip_logic_asks_now() -> None:
    rules = v2()
    assert progress(rules, {}, "caller") == (1, 47)
    # No thoughts: method, intent and plan are not asked, so there are three fewer.
    no_thoughts: dict[str, Value] = {"suicidal_thoughts_month": False}
    assert progress(rules, no_thoughts, "suicide_behavior_3mo") == (6, 44)
    # Not depression: the treatment list is not asked either; a list counts once, and its
    # fields stand where it stands.
    other = {**no_thoughts, "primary_condition": "ptsd"}
    assert progress(rules, other, "prior_ketamine") == (7, 43)
    depression = {**no_thoughts, "primary_condition": "depression"}
    assert progress(rules, depression, "depression_treatments_2_weeks") == (7, 44)
    assert progress(rules, depression, "prior_ketamine") == (8, 44)


def test_the_safety_questions_are_those_urgent_rules_read_and_their_follow_ups(
    default_rules: RuleSet,
) -> None:
    assert [q.id for q in safety_questions(v2())] == [
        "suicidal_thoughts_month",
        "suicide_method_month",  # asked only after thoughts: a follow-up
        "suicide_intent_month",
        "suicide_plan_month",
        "suicide_behavior_3mo",
    ]
    assert [q.id for q in safety_questions(default_rules)] == ["self_harm_thoughts"]


def test_a_list_is_entered_item_by_item() -> None:
    rules = v2()
    treatments = rules.question_map["depression_treatments"]
    state = InterviewState({"primary_condition": "depression"})
    assert list_step(rules, state, treatments) == 1  # offer the first item
    first = list_step(rules, state, treatments, opened=1)
    assert isinstance(first, Question)
    assert first.id == "depression_treatments_1_medicine"
    answers = {c.id: None for c in treatments.item_cells[0]}
    state = InterviewState({"primary_condition": "depression", **answers})
    assert list_step(rules, state, treatments, opened=1) == 2  # item 1 done: add another?
    # "No more": the count is the items entered, and nothing more of the list is asked.
    _, asked = answer_all(rules, {"primary_condition": "depression", "depression_treatments": 1})
    assert [q for q in asked if q.startswith("depression_treatments")] == [
        "depression_treatments",
        *(c.id for c in treatments.item_cells[0]),
    ]


def test_dont_know_how_many_asks_no_further_items_and_is_scored_as_maybe_more() -> None:
    rules = v2()
    cells = {c.id: None for c in rules.question_map["depression_treatments"].item_cells[0]}
    answers: dict[str, Value] = {"primary_condition": "depression", **cells}
    answers["depression_treatments"] = None
    state = InterviewState(answers)
    while (question := next_question(rules, state)) is not None:
        assert question.list_id is None, question.id  # no item 2, 3, ... asked
        state = record_answer(rules, state, question.id, None).state
    assert evaluate(rules, answers).result("two_failed_adequate_trials").value is None


def test_a_reading_pairs_only_the_next_number_question_in_the_same_unit() -> None:
    rules = v2()
    state = InterviewState({})
    pair = paired_question(rules, state, rules.question_map["bp_systolic"])
    assert pair is not None and pair.id == "bp_diastolic"
    assert paired_question(rules, state, rules.question_map["age"]) is None  # a choice next
    answered = InterviewState({"bp_diastolic": 80})
    assert paired_question(rules, answered, rules.question_map["bp_systolic"]) is None
    # A PHQ-9 total is no reading: 18/70 there put 70 into the last item (range 0-3), which
    # the hint had named as the weight (asked after it before the total was known).
    total, item9 = rules.question_map["phq9_total"], rules.question_map["phq9_item9"]
    assert paired_question(rules, state, total) is None
    assert paired_question(rules, InterviewState({"phq9_total": 18}), total) is None
    assert total.unit is None and item9.unit is None
