"""Each question type, asked with the real questionary prompts through a pipe."""

from __future__ import annotations

import pytest

from screener.commands.screen.prompts import ask_question, ask_review_pick
from screener.core.model import Question, QuestionType, RuleSet, Value

from .interview_keys import BACKSPACE, CLEAR_LINE, CTRL_C, CTRL_D, DOWN, ENTER, UP, Keys, Run, drive

pytestmark = pytest.mark.timeout(20)


def ask(
    question: Question, keys: str, current: Value = None, has_current: bool = False
) -> Run[Value]:
    return drive(keys, lambda console: ask_question(question, console, current, has_current))


@pytest.mark.parametrize(("keys", "expected"), [("y\r", True), ("n\r", False), ("d\r", None)])
def test_yes_no_takes_y_n_and_d_for_dont_know(
    default_rules: RuleSet, keys: str, expected: bool | None
) -> None:
    run = ask(default_rules.question_map["hypertension"], keys)
    assert run.error is None
    assert run.value is expected
    assert "Don't know" in run.screen


def test_arrow_keys_pick_too(default_rules: RuleSet) -> None:
    run = ask(default_rules.question_map["pregnant"], DOWN + ENTER)
    assert run.value is False


def test_a_required_question_offers_no_dont_know() -> None:
    question = Question("consent", "Did they agree?", QuestionType.YES_NO, required=True)
    run = ask(question, "d\r" + ENTER)  # no "don't know": "d" does nothing, Enter picks Yes
    assert run.value is True
    assert "Don't know" not in run.screen


def test_integer_range_is_checked_as_the_person_types(default_rules: RuleSet) -> None:
    age = default_rules.question_map["age"]
    run = drive(
        [("150", "maximum"), BACKSPACE * 3 + "42" + ENTER],
        lambda console: ask_question(age, console),
    )
    assert run.value == 42
    assert "150 is above the maximum 120" in run.screen
    assert "0-120 years" in run.screen


def test_integer_rejects_words_and_accepts_a_fixed_entry(default_rules: RuleSet) -> None:
    systolic = default_rules.question_map["bp_systolic"]
    run = drive(
        [("12x" + ENTER, "whole number"), BACKSPACE + "4" + ENTER],
        lambda c: ask_question(systolic, c),
    )
    assert run.value == 124
    assert "expected a whole number" in run.screen


def test_blank_integer_is_dont_know(default_rules: RuleSet) -> None:
    run = ask(default_rules.question_map["bp_systolic"], ENTER)
    assert run.error is None
    assert run.value is None
    assert "blank = don't know" in run.screen


def test_required_integer_cannot_be_left_blank(default_rules: RuleSet) -> None:
    age = default_rules.question_map["age"]
    run = drive([(ENTER, "required"), "42" + ENTER], lambda console: ask_question(age, console))
    assert run.value == 42
    assert "An answer is required" in run.screen
    assert "blank = don't know" not in run.screen


def test_help_text_is_shown_with_the_question(default_rules: RuleSet) -> None:
    question = default_rules.question_map["failed_antidepressants"]
    assert question.help
    run = ask(question, "2" + ENTER)
    assert run.value == 2
    assert question.help.split(".")[0] in run.screen
    assert run.screen.index(question.help.split(".")[0]) < run.screen.index(question.text)


def test_choice_gives_the_choice_value_or_dont_know(default_rules: RuleSet) -> None:
    question = default_rules.question_map["primary_condition"]
    assert ask(question, "3" + ENTER).value == "ptsd"
    run = ask(question, "8" + ENTER)
    assert run.value is None
    assert "PTSD" in run.screen


def test_multi_choice_ticks_several(default_rules: RuleSet) -> None:
    question = default_rules.question_map["current_medications"]
    run = ask(question, " " + DOWN * 2 + " " + ENTER)
    assert run.value == frozenset({"maoi", "benzodiazepine"})
    assert "None of these" in run.screen


def test_multi_choice_none_of_these_is_explicit(default_rules: RuleSet) -> None:
    question = default_rules.question_map["current_medications"]
    # Enter with nothing ticked is refused: "none" must be said, not implied.
    run = drive(
        [(ENTER, "Tick"), UP * 2 + " " + ENTER], lambda console: ask_question(question, console)
    )
    assert run.value == frozenset()
    assert "Tick at least one box" in run.screen


def test_multi_choice_none_cannot_be_combined(default_rules: RuleSet) -> None:
    question = default_rules.question_map["current_medications"]
    keys: Keys = [(" " + UP * 2 + " " + ENTER, "on its own"), DOWN * 2 + " " + ENTER]
    run = drive(keys, lambda console: ask_question(question, console))
    assert run.value == frozenset()
    assert "'None of these' goes on its own" in run.screen


def test_multi_choice_dont_know(default_rules: RuleSet) -> None:
    question = default_rules.question_map["current_medications"]
    run = ask(question, UP + " " + ENTER)
    assert run.error is None
    assert run.value is None


def test_free_text_and_blank_text() -> None:
    question = Question("notes", "Anything else the clinician should know?", QuestionType.TEXT)
    assert ask(question, "  Prefers mornings " + ENTER).value == "Prefers mornings"
    assert ask(question, ENTER).value is None


def test_an_edit_starts_from_the_current_answer(default_rules: RuleSet) -> None:
    questions = default_rules.question_map
    assert ask(questions["age"], ENTER, current=42, has_current=True).value == 42
    assert ask(questions["age"], CLEAR_LINE + "24" + ENTER, 42, True).value == 24
    assert ask(questions["hypertension"], ENTER, current=False, has_current=True).value is False
    assert ask(questions["hypertension"], ENTER, current=None, has_current=True).value is None
    meds = questions["current_medications"]
    run = ask(meds, ENTER, current=frozenset({"opioid"}), has_current=True)
    assert run.value == frozenset({"opioid"})


@pytest.mark.parametrize(("key", "error"), [(CTRL_C, KeyboardInterrupt), (CTRL_D, EOFError)])
@pytest.mark.parametrize("question_id", ["age", "hypertension", "current_medications"])
def test_ctrl_c_and_ctrl_d_end_every_kind_of_prompt(
    default_rules: RuleSet, key: str, error: type[BaseException], question_id: str
) -> None:
    # Keys after the interrupt would answer the question if it were ignored.
    run = ask(default_rules.question_map[question_id], key + "1" + ENTER + " " + ENTER)
    assert isinstance(run.error, error)


def test_review_pick_takes_a_row_number_or_blank() -> None:
    assert drive("2" + ENTER, lambda _: ask_review_pick([True, True])).value == 2
    assert drive(ENTER, lambda _: ask_review_pick([True, True])).value is None
    run = drive(
        [("9" + ENTER, "Type a number"), BACKSPACE + "1" + ENTER],
        lambda _: ask_review_pick([True, True]),
    )
    assert run.value == 1
    assert "Type a number from 1 to 2" in run.screen


def test_review_pick_refuses_a_row_that_skip_logic_hides() -> None:
    run = drive(
        [("2", "Not asked"), BACKSPACE + "1" + ENTER], lambda _: ask_review_pick([True, False])
    )
    assert run.value == 1
    assert "Not asked with the current answers" in run.screen
