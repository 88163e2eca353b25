"""Each question type, asked with the real prompts (prompt_toolkit) through a pipe."""

from __future__ import annotations

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.data_structures import Size
from prompt_toolkit.output import DummyOutput

from screener.commands.screen.pages import Pages, Row, ask_page_pick
from screener.commands.screen.prompt_base import (
    Ask,
    Given,
    KeyPrompt,
    Nav,
    Reply,
    number_state,
    wrap,
)
from screener.commands.screen.prompts import _Multi, ask_question
from screener.core.model import Choice, Question, QuestionType, RuleSet, Value

from .interview_keys import (
    BACKSPACE,
    CLEAR_LINE,
    CTRL_C,
    CTRL_D,
    ENTER,
    LEFT,
    Keys,
    Run,
    drive,
)

pytestmark = pytest.mark.timeout(20)


def ask(
    question: Question,
    keys: Keys,
    current: Value = None,
    has_current: bool = False,
    pair: Question | None = None,
) -> Run[Reply]:
    return drive(
        keys,
        lambda _: ask_question(Ask(question, current, has_current, "Question 3 of 9", pair=pair)),
    )


def given(run: Run[Reply]) -> Value:
    assert run.error is None, run.screen
    assert isinstance(run.value, Given), run.value
    return run.value.value


@pytest.mark.parametrize(("key", "expected"), [("y", True), ("n", False), ("d", None)])
def test_yes_no_takes_one_key_y_n_or_d_for_dont_know(
    default_rules: RuleSet, key: str, expected: bool | None
) -> None:
    # Nothing after the key: a prompt that waited for Enter would end in EOFError.
    run = ask(default_rules.question_map["hypertension"], key)
    assert given(run) is expected
    assert "d don't know" in run.screen


def test_enter_alone_does_not_answer_a_yes_no_question(default_rules: RuleSet) -> None:
    question = default_rules.question_map["hypertension"]
    run = ask(question, [(ENTER, "Enter alone does not answer"), "n"])
    assert given(run) is False
    assert "Enter alone does not answer: press y or n" in run.screen
    # Enter alone, and nothing else: no answer at all (the pipe ends).
    assert isinstance(ask(question, ENTER + ENTER).error, EOFError)


def test_a_required_question_offers_no_dont_know() -> None:
    question = Question("consent", "Did they agree?", QuestionType.YES_NO, required=True)
    run = ask(question, [("d", "required"), "y"])
    assert given(run) is True
    assert "d don't know" not in run.screen
    assert "An answer is required here" in run.screen


def test_the_question_shows_where_the_call_is(default_rules: RuleSet) -> None:
    run = ask(default_rules.question_map["pregnant"], "n")
    assert "Question 3 of 9" in run.screen


# Esc alone, once the prompt is drawn (the key line offers "back"): prompt_toolkit waits a
# moment for a longer key sequence before it reads a lone Esc, and on a busy machine the
# prompt may start later than the keys arrive.
ESC: Keys = [("", "back"), "\x1b", 0.5]


@pytest.mark.parametrize("key", [LEFT, "b", ESC])
def test_left_b_or_esc_goes_back_one_question(default_rules: RuleSet, key: Keys) -> None:
    assert ask(default_rules.question_map["pregnant"], key).value is Nav.BACK
    assert ask(default_rules.question_map["age"], key).value is Nav.BACK


@pytest.mark.parametrize(
    "question_id", ["pregnant", "age", "primary_condition", "current_medications"]
)
def test_the_safety_key_works_at_every_key_prompt(default_rules: RuleSet, question_id: str) -> None:
    assert ask(default_rules.question_map[question_id], "!").value is Nav.SAFETY
    assert ask(default_rules.question_map[question_id], "\x1bOQ").value is Nav.SAFETY  # F2


def test_f2_opens_the_safety_questions_and_esc_goes_back_at_a_text_prompt() -> None:
    question = Question("notes", "Anything else the clinician should know?", QuestionType.TEXT)
    assert ask(question, "It's fine!\x1bOQ").value is Nav.SAFETY  # "!" is typed here
    assert ask(question, ESC).value is Nav.BACK


def test_integer_range_is_checked_as_the_person_types(default_rules: RuleSet) -> None:
    age = default_rules.question_map["age"]
    run = ask(age, [("150", "maximum"), BACKSPACE * 3 + "42" + ENTER])
    assert given(run) == 42
    assert "150 is above the maximum 120" in run.screen
    assert "0-120 years" in run.screen


def test_integer_rejects_a_fraction_and_accepts_a_fixed_entry(default_rules: RuleSet) -> None:
    systolic = default_rules.question_map["bp_systolic"]
    run = ask(systolic, [("12.5" + ENTER, "whole number"), BACKSPACE * 2 + "4" + ENTER])
    assert given(run) == 124
    assert "expected a whole number" in run.screen


def test_d_at_a_number_prompt_is_dont_know_and_enter_alone_is_refused(
    default_rules: RuleSet,
) -> None:
    run = ask(default_rules.question_map["bp_systolic"], [(ENTER, "type a number"), "d"])
    assert given(run) is None
    assert "Enter alone does not answer: type a number, or d for don't know" in run.screen


def test_required_integer_has_no_dont_know(default_rules: RuleSet) -> None:
    age = default_rules.question_map["age"]
    run = ask(age, ["d", (ENTER, "type a number"), "42" + ENTER])
    assert given(run) == 42
    assert "d don't know" not in run.screen


def test_a_blood_pressure_reading_answers_both_numbers(default_rules: RuleSet) -> None:
    """135/85 at the top number: the top number is recorded, and the bottom one too."""
    systolic = default_rules.question_map["bp_systolic"]
    diastolic = default_rules.question_map["bp_diastolic"]
    run = ask(systolic, "135/85" + ENTER, pair=diastolic)
    assert run.value == Given(135, 85, has_second=True)
    assert "a reading like 135/85 also answers" in run.screen


def test_a_reading_is_checked_against_both_ranges_or_explained(default_rules: RuleSet) -> None:
    systolic = default_rules.question_map["bp_systolic"]
    diastolic = default_rules.question_map["bp_diastolic"]
    run = ask(systolic, [("135/850" + ENTER, "After the '/'"), BACKSPACE + ENTER], pair=diastolic)
    assert run.value == Given(135, 85, has_second=True)
    assert "850 is above the maximum 160" in run.screen
    # Where the next question asks no second number, the slash is refused with a reason.
    age = default_rules.question_map["age"]
    alone = ask(age, [("42/" + ENTER, "One number here"), BACKSPACE + ENTER])
    assert given(alone) == 42
    # The slash stays typed, so 1/2 is never read as 12: Enter is refused until it is fixed.
    joined = ask(age, [("1/2" + ENTER, "One number here"), CLEAR_LINE + "50" + ENTER])
    assert given(joined) == 50
    assert "1/2_" in joined.screen


def test_help_is_not_the_prompts_job_but_long_texts_wrap_at_word_boundaries() -> None:
    text = "Have you been told you have an aneurysm (a bulging blood vessel in the brain)?"
    lines = wrap(text, 30)
    assert all(len(line) < 30 for line in lines)
    assert " ".join(lines) == text  # no word cut in two


def test_a_long_question_is_wrapped_to_the_terminal_on_screen(default_rules: RuleSet) -> None:
    question = Question("q", "word " * 150, QuestionType.YES_NO)
    run = ask(question, "n")
    assert "word word" in run.screen
    assert given(run) is False


def test_choice_takes_its_number_in_one_key(default_rules: RuleSet) -> None:
    question = default_rules.question_map["primary_condition"]
    assert given(ask(question, "3")) == "ptsd"
    run = ask(question, "d")
    assert given(run) is None
    assert "PTSD" in run.screen


def test_with_more_than_nine_options_a_number_ends_with_enter_only_when_it_must() -> None:
    assert number_state("1", 12) == "pending"  # 10, 11 and 12 start with 1
    assert number_state("3", 12) == "pick"
    assert number_state("12", 12) == "pick"
    assert number_state("13", 12) == "bad"
    assert number_state("0", 12) == "bad"
    assert number_state("²", 12) == "bad"
    choices = tuple(Choice(f"c{n}", f"Option {n}") for n in range(1, 13))
    question = Question("many", "Which one?", QuestionType.CHOICE, choices=choices)
    assert given(ask(question, "1" + ENTER)) == "c1"
    assert given(ask(question, "11")) == "c11"
    assert given(ask(question, "4")) == "c4"


def test_enter_alone_does_not_pick_a_choice(default_rules: RuleSet) -> None:
    question = default_rules.question_map["primary_condition"]
    run = ask(question, [(ENTER, "type the number"), "1"])
    assert given(run) == "depression"


def drawn(prompt: KeyPrompt, *keys: str) -> str:
    """What the prompt draws after these keys (each key as the prompt's key handler gets it),
    on an 80x24 terminal."""
    with create_app_session(output=_Terminal80()):
        for key in keys:
            prompt.hint = ""
            assert prompt.press(key) is None
        return "".join(fragment[1] for fragment in prompt.render())


class _Terminal80(DummyOutput):
    def get_size(self) -> Size:
        return Size(rows=24, columns=80)


def test_tick_boxes_show_what_is_ticked_and_enter_ends(default_rules: RuleSet) -> None:
    question = default_rules.question_map["current_medications"]
    run = ask(question, "3" + "1" + "3" + "3" + ENTER)  # benzo, MAOI, benzo off, benzo on
    assert given(run) == frozenset({"maoi", "benzodiazepine"})
    assert "Ticked: nothing yet" in run.screen
    assert "None of these" in run.screen


def test_the_ticked_line_names_the_ticked_labels(default_rules: RuleSet) -> None:
    question = default_rules.question_map["current_medications"]
    screen = drawn(_Multi(Ask(question)), "3", "1")
    labels = [question.label_of(v) for v in ("maoi", "benzodiazepine")]
    assert f"Ticked: {labels[0]}; {labels[1]}".replace(" ", "") in screen.replace(" ", "").replace(
        "\n", ""
    )
    assert screen.count("[x]") == 2
    assert all(len(line) < 80 for line in screen.splitlines())


def test_tick_boxes_none_and_dont_know_answer_at_once(default_rules: RuleSet) -> None:
    question = default_rules.question_map["current_medications"]
    assert given(ask(question, "0")) == frozenset()
    assert given(ask(question, "d")) is None


def test_tick_boxes_refuse_enter_with_nothing_ticked(default_rules: RuleSet) -> None:
    question = default_rules.question_map["current_medications"]
    run = ask(question, [(ENTER, "Tick at least one"), "0"])
    assert given(run) == frozenset()


def test_free_text_and_blank_text_that_takes_enter_twice() -> None:
    question = Question("notes", "Anything else the clinician should know?", QuestionType.TEXT)
    assert given(ask(question, "  Prefers mornings " + ENTER)) == "Prefers mornings"
    run = ask(question, [(ENTER, "Enter again"), ENTER])
    assert given(run) is None
    assert isinstance(ask(question, ENTER).error, EOFError)  # one Enter alone is not an answer


def test_an_edit_starts_from_the_current_answer(default_rules: RuleSet) -> None:
    questions = default_rules.question_map
    assert given(ask(questions["age"], ENTER, current=42, has_current=True)) == 42
    assert given(ask(questions["age"], CLEAR_LINE + "24" + ENTER, 42, True)) == 24
    assert given(ask(questions["age"], "24" + ENTER, 42, True)) == 24  # typing replaces it
    assert given(ask(questions["hypertension"], ENTER, current=False, has_current=True)) is False
    assert given(ask(questions["hypertension"], ENTER, current=None, has_current=True)) is None
    meds = questions["current_medications"]
    assert given(ask(meds, ENTER, frozenset({"opioid"}), True)) == frozenset({"opioid"})
    assert given(ask(meds, "4" + "3" + ENTER, frozenset({"opioid"}), True)) == frozenset(
        {"benzodiazepine"}
    )


@pytest.mark.parametrize(("key", "error"), [(CTRL_C, KeyboardInterrupt), (CTRL_D, EOFError)])
@pytest.mark.parametrize("question_id", ["age", "hypertension", "current_medications"])
def test_ctrl_c_and_ctrl_d_end_every_kind_of_prompt(
    default_rules: RuleSet, key: str, error: type[BaseException], question_id: str
) -> None:
    # Keys after the interrupt would answer the question if it were ignored.
    run = ask(default_rules.question_map[question_id], key + "1" + ENTER + "y0")
    assert isinstance(run.error, error)


def rows(count: int, hidden: int = 0) -> list[Row]:
    return [Row(n, f"Question {n}", "yes", n != hidden) for n in range(1, count + 1)]


def test_review_pages_take_a_row_number_or_s_to_score() -> None:
    pick = drive("2", lambda _: ask_page_pick("Review", rows(5), {"s": "score it"}))
    assert pick.value == (2, 0)
    done = drive("s", lambda _: ask_page_pick("Review", rows(5), {"s": "score it"}))
    assert done.value == (None, 0)
    run = drive(
        [("9", "Type a number"), "1"], lambda _: ask_page_pick("Review", rows(5), {"s": "score"})
    )
    assert run.value == (1, 0)
    assert "Type a number from 1 to 5" in run.screen


def test_a_long_review_is_paged_to_fit_80x24_and_enter_alone_does_not_score() -> None:
    def pages() -> Pages:
        return Pages("Review", rows(40), {"s": "score it"}, 0, "", "")

    first = drawn(pages())
    assert "(page 1 of 3)" in first
    assert "Question 1 " in first
    assert len(first.splitlines()) <= 22  # the page and its keys fit 24 rows
    assert all(len(line) < 80 for line in first.splitlines())
    assert "Question 19" not in first
    second = drawn(pages(), "space")
    assert "(page 2 of 3)" in second
    assert "Question 19" in second
    last = drawn(pages(), "enter", "enter", "enter")
    assert "(page 3 of 3)" in last
    assert "Last page: press s" in last
    run = drive(" " + ENTER + ENTER + "s", lambda _: ask_page_pick("R", rows(40), {"s": "score"}))
    assert run.value == (None, 2)


def test_review_refuses_a_row_that_skip_logic_hides() -> None:
    run = drive(
        [("2", "Not asked"), "1"], lambda _: ask_page_pick("Review", rows(3, hidden=2), {"s": "s"})
    )
    assert run.value == (1, 0)
    assert "Not asked with the current answers" in run.screen


def test_with_ten_rows_or_more_a_row_number_ends_with_enter_and_a_missing_row_is_refused() -> None:
    # `99` on a review of 59 rows opened row 9 at its first digit and typed the second 9 into
    # that answer. Now nothing is picked before Enter, and a row that is not there is named.
    long = rows(59)
    run = drive([("99", "No row 99"), "9" + ENTER], lambda _: ask_page_pick("Review", long, {}))
    assert run.value == (9, 0)
    assert "No row 99: type a number from 1 to 59, then Enter" in run.screen
    assert "number, Enter: change that answer" in run.screen
    assert drive("42" + ENTER, lambda _: ask_page_pick("Review", long, {})).value == (42, 0)


def test_b_goes_back_from_a_number_prompt_that_shows_the_answer_being_changed(
    default_rules: RuleSet,
) -> None:
    age = default_rules.question_map["age"]
    assert ask(age, "b", current=42, has_current=True).value is Nav.BACK
    # Once a digit replaces the answer shown, b is not "back" (it is not a digit either).
    assert given(ask(age, "5b1" + ENTER, current=42, has_current=True)) == 51
    kept = ask(age, ENTER, current=42, has_current=True)
    assert given(kept) == 42
    assert "Enter keeps 42" in kept.screen  # said, as the other kinds of prompt say it


def test_a_line_feed_is_enter_so_keys_typed_during_start_up_lose_nothing(
    default_rules: RuleSet,
) -> None:
    # Typed before the interview set the terminal up, Enter reaches the prompt as a line feed.
    assert given(ask(default_rules.question_map["age"], "42\n")) == 42
    assert given(ask(Question("note", "Anything else?", QuestionType.TEXT), "none\n")) == "none"


def test_a_number_at_an_add_an_item_prompt_is_explained() -> None:
    from screener.commands.screen.prompts import ask_keys

    question = Question("treatments", "How many medicines have they tried?", QuestionType.LIST)
    keys = {"y": "add treatment 1", "n": "none", "d": "don't know how many"}
    run = drive([("3", "A number does not answer"), "y"], lambda _: ask_keys(Ask(question), keys))
    assert run.value == "y"
    assert "A number does not answer here: press y or n or d" in run.screen
