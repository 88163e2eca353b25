"""Reading answers the way people and CSV exports write them; unknown is never false or 0."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screener.core.coercion import CoercionError, coerce_answers, coerce_value
from screener.core.frozen import replace
from screener.core.model import QuestionType, RuleSet
from screener.formats.answers_file import parse_answers_text


def q(rules: RuleSet, qid: str):  # type: ignore[no-untyped-def]
    return rules.question_map[qid]


@pytest.mark.parametrize("raw", ["yes", "Y", "true", "TRUE", "1", " yes ", True, 1])
def test_yes_in_its_many_spellings(default_rules: RuleSet, raw: object) -> None:
    assert coerce_value(q(default_rules, "hypertension"), raw) is True


@pytest.mark.parametrize("raw", ["no", "No", "N", "false", "0", False, 0])
def test_no_in_its_many_spellings(default_rules: RuleSet, raw: object) -> None:
    assert coerce_value(q(default_rules, "hypertension"), raw) is False


@pytest.mark.parametrize(
    "raw", ["", "  ", None, "don't know", "Don\u2019t know", "unknown", "?", "DK"]
)
def test_blank_and_dont_know_are_unknown_for_every_type(
    default_rules: RuleSet, raw: object
) -> None:
    for qid in ("hypertension", "age", "primary_condition", "current_medications"):
        assert coerce_value(q(default_rules, qid), raw) is None


def test_numbers_written_as_text(default_rules: RuleSet) -> None:
    age = q(default_rules, "age")
    assert coerce_value(age, " 42 ") == 42
    assert coerce_value(age, "42.0") == 42
    assert coerce_value(age, 42.0) == 42
    for bad, message in [
        ("42.5", "whole number"),
        ("abc", "whole number"),
        (True, "whole number"),
        ("121", "above the maximum 120"),
        ("-1", "below the minimum 0"),
    ]:
        with pytest.raises(CoercionError, match=message):
            coerce_value(age, bad)


def test_choices_by_value_or_label_in_any_case(default_rules: RuleSet) -> None:
    condition = q(default_rules, "primary_condition")
    assert coerce_value(condition, "PTSD") == "ptsd"
    assert coerce_value(condition, "Bipolar disorder, depressive phase") == "bipolar_depression"
    assert coerce_value(condition, "chronic pain") == "chronic_pain"
    with pytest.raises(CoercionError, match="did you mean 'depression'"):
        coerce_value(condition, "depresion")


def test_multi_choice_joined_with_semicolons_or_as_a_list(default_rules: RuleSet) -> None:
    meds = q(default_rules, "current_medications")
    assert coerce_value(meds, "maoi;opioid") == frozenset({"maoi", "opioid"})
    assert coerce_value(meds, " maoi ; opioid ") == frozenset({"maoi", "opioid"})
    assert coerce_value(meds, ["Naltrexone"]) == frozenset({"naltrexone"})
    assert coerce_value(meds, "none") == frozenset()
    with pytest.raises(CoercionError, match="'none' cannot be combined"):
        coerce_value(meds, "none;maoi")
    with pytest.raises(CoercionError, match="'foo' is not one of"):
        coerce_value(meds, "maoi;foo")


def test_dont_know_beside_other_choices_is_one_clear_problem(default_rules: RuleSet) -> None:
    meds = q(default_rules, "current_medications")
    for raw in ("maoi;dk", "don't know; opioid", ["?", "maoi"]):
        with pytest.raises(CoercionError, match="'don't know' cannot be combined"):
            coerce_value(meds, raw)
    assert coerce_value(meds, "dk") is None  # alone, it is an answer: not known


def test_each_bad_answer_is_one_problem_naming_question_and_value(default_rules: RuleSet) -> None:
    answers, problems = coerce_answers(
        default_rules.question_map,
        {"age": "abc", "hypertenson": "yes", "pregnant": "maybe", "hypertension": "yes"},
    )
    assert [(p.question, p.value) for p in problems] == [
        ("age", "abc"),
        ("hypertenson", "yes"),
        ("pregnant", "maybe"),
    ]
    assert "did you mean 'hypertension'" in problems[1].message
    assert answers["hypertension"] is True
    assert answers["age"] is None and answers["pregnant"] is None
    assert set(answers) == set(default_rules.question_map)


@given(st.integers(0, 120), st.sampled_from(["", " ", "  "]), st.sampled_from(["", " ", "\t"]))
def test_any_in_range_integer_survives_padding(
    default_rules: RuleSet, number: int, left: str, right: str
) -> None:
    assert coerce_value(q(default_rules, "age"), f"{left}{number}{right}") == number


@given(
    st.lists(
        st.sampled_from(
            [
                "maoi",
                "stimulant",
                "benzodiazepine",
                "opioid",
                "naltrexone",
                "lamotrigine",
                "theophylline",
                "thyroid_hormone",
            ]
        ),
        min_size=1,
        unique=True,
    )
)
def test_multi_choice_round_trips_through_csv_text(
    default_rules: RuleSet, chosen: list[str]
) -> None:
    meds = q(default_rules, "current_medications")
    assert coerce_value(meds, ";".join(chosen)) == frozenset(chosen)


@given(st.text(max_size=12))
def test_any_text_is_either_read_or_refused_with_a_message(
    default_rules: RuleSet, raw: str
) -> None:
    for qid in ("hypertension", "age", "primary_condition", "current_medications"):
        try:
            value = coerce_value(q(default_rules, qid), raw)
        except CoercionError as exc:
            assert str(exc)
        else:
            if value is False:
                assert raw.strip().lower() in {"no", "n", "false", "f", "0"}


def test_numbers_in_other_notations_are_refused_not_guessed(default_rules: RuleSet) -> None:
    age = q(default_rules, "age")
    for raw in ("1e1", "1,000", "4 2", "0x10", "forty"):
        with pytest.raises(CoercionError, match="whole number"):
            coerce_value(age, raw)


def test_an_empty_list_is_unknown_and_none_is_written_out(default_rules: RuleSet) -> None:
    from screener.core.coercion import answer_to_json

    meds = q(default_rules, "current_medications")
    assert coerce_value(meds, []) is None
    assert answer_to_json(frozenset()) == ["none"]
    for value in (frozenset(), frozenset({"maoi", "opioid"}), None):
        assert coerce_value(meds, answer_to_json(value)) == value


def test_the_interviews_none_label_is_read_as_none(default_rules: RuleSet) -> None:
    meds = q(default_rules, "current_medications")
    assert coerce_value(meds, "None of these") == frozenset()
    assert coerce_value(meds, ["none of these"]) == frozenset()


@pytest.mark.parametrize("digits", ["1" * 19, "9" * 25, "1" * 19 + ".5"])
def test_a_number_past_18_digits_is_refused_alike_in_an_answers_file_and_a_csv_cell(
    default_rules: RuleSet, digits: str
) -> None:
    weight = replace(q(default_rules, "age"), type=QuestionType.NUMBER, min=None, max=None)
    from_file = parse_answers_text(f"age: {digits}\n", "answers.yaml").raw["age"]
    refused = []
    for raw in (from_file, digits):
        with pytest.raises(CoercionError) as error:
            coerce_value(weight, raw)
        refused.append(str(error.value))
    assert refused == ["a number has at most 18 digits"] * 2
    # 18 digits are read both ways (as numbers near 1e18).
    assert [coerce_value(weight, raw) for raw in ("9" * 18, int("9" * 18))] == pytest.approx(
        [1e18, 1e18]
    )


def test_an_infinite_or_not_a_number_value_is_not_a_number(default_rules: RuleSet) -> None:
    weight = replace(q(default_rules, "age"), type=QuestionType.NUMBER, min=None, max=None)
    for raw in (float("inf"), float("-inf"), float("nan")):
        with pytest.raises(CoercionError, match=r"^expected a number$"):
            coerce_value(weight, raw)
