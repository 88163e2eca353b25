"""`screener validate`: every problem in a rule file, located as FILE:LINE:COL, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from screener.cli import app

from .conftest import FIXTURES, FROZEN_RULES

runner = CliRunner()
BUNDLED = FROZEN_RULES.read_text()
DEFAULT_V2 = (FIXTURES / "rules_default_v2.yaml").read_text()  # with derived values


def validate(tmp_path: Path, text: str) -> tuple[int, list[str]]:
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    result = runner.invoke(app, ["validate", str(path)])
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr.strip().splitlines()


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def test_misspelled_question_in_a_rule_gives_one_located_line_with_a_suggestion(
    tmp_path: Path,
) -> None:
    text = BUNDLED.replace("    when: hypertension\n", "    when: hypertenson\n")
    code, lines = validate(tmp_path, text)
    line = line_of(text, "when: hypertenson")
    assert code == 1
    assert lines == [
        f"{tmp_path / 'rules.yaml'}:{line}:11: rules[10] (hypertension_review).when:"
        " unknown question 'hypertenson' (did you mean 'hypertension'?)"
    ]


def test_yaml_syntax_error_is_located(tmp_path: Path) -> None:
    text = BUNDLED.replace("    label: Pregnancy\n", "    label: [Pregnancy\n", 1)
    code, lines = validate(tmp_path, text)
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith(f"{tmp_path / 'rules.yaml'}:")
    assert int(lines[0].split(":")[1]) >= line_of(text, "label: [Pregnancy")


def test_unknown_key_is_located_with_a_suggestion(tmp_path: Path) -> None:
    text = BUNDLED.replace("    label: Pregnancy\n", "    label: Pregnancy\n    lable: x\n")
    code, lines = validate(tmp_path, text)
    assert code == 1
    assert lines == [
        f"{tmp_path / 'rules.yaml'}:{line_of(text, 'lable: x')}:12: rules[7] (pregnancy).lable:"
        " unknown key 'lable' (did you mean 'label'?)"
    ]


def test_type_mismatch_is_located_at_the_operator(tmp_path: Path) -> None:
    text = BUNDLED.replace("when: age < 18", 'when: age < "18"')
    code, lines = validate(tmp_path, text)
    assert code == 1
    # "    when: " is 10 characters; the operator is 4 characters into the condition.
    line = line_of(text, 'when: age < "18"')
    assert lines == [
        f"{tmp_path / 'rules.yaml'}:{line}:15: rules[1] (under_18).when:"
        " '<' compares a number value with a text value"
    ]


def test_duplicate_key_is_an_error_not_a_silent_overwrite(tmp_path: Path) -> None:
    text = BUNDLED.replace("    label: Pregnancy\n", "    label: Pregnancy\n    label: Again\n")
    code, lines = validate(tmp_path, text)
    assert code == 1
    assert len(lines) == 1
    assert f":{line_of(text, 'label: Again')}:" in lines[0]
    assert 'duplicate key "label"' in lines[0]


def test_every_problem_is_reported_at_once_in_file_order(tmp_path: Path) -> None:
    text = (
        BUNDLED.replace("    when: hypertension\n", "    when: hypertenson\n")
        .replace("    label: Pregnancy\n", "    label: Pregnancy\n    lable: x\n")
        .replace("when: age < 18", 'when: age < "18"')
    )
    code, lines = validate(tmp_path, text)
    assert code == 1
    assert [line.split(": ", 2)[1] for line in lines] == [
        "rules[1] (under_18).when",
        "rules[7] (pregnancy).lable",
        "rules[10] (hypertension_review).when",
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'when: prior_ketamine in ["helped", "did_not_help"]',
            'when: prior_ketamine in ["helped", "did_not_hlp"]',
            "'prior_ketamine' has no choice 'did_not_hlp' (did you mean 'did_not_help'?)",
        ),
        (
            "    type: yes_no\n",
            "    type: yesno\n",
            "questions[4] (ketamine_allergy).type: must be one of",
        ),
        ("action: flag", "action: flagg", "action: must be one of"),
        (
            "{age}; the clinic",
            "{agee}; the clinic",
            "placeholder {agee} names no question (did you mean 'age'?)",
        ),
        (
            "ask_if: primary_condition in",
            "ask_if: has_ride_home and primary_condition in",
            "reads 'has_ride_home', which is not asked before this question",
        ),
        (
            "  - id: seizures\n",
            "  - id: liver_disease\n",
            "question id 'liver_disease' is used twice",
        ),
        ("min: 60\n", "min: 300\n", "'min' is greater than 'max'"),
    ],
)
def test_semantic_problems_are_located(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in BUNDLED
    code, lines = validate(tmp_path, BUNDLED.replace(old, new, 1))
    assert code == 1
    assert any(message in line for line in lines), lines
    assert all(line.startswith(str(tmp_path / "rules.yaml") + ":") for line in lines)


def test_a_rule_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    code, lines = validate(tmp_path, "- just\n- a list\n")
    assert code == 1
    assert lines == [
        f"{tmp_path / 'rules.yaml'}:1:1: a rule file must be a mapping of keys to values"
    ]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_an_empty_rule_file_is_called_empty(tmp_path: Path, text: str) -> None:
    code, lines = validate(tmp_path, text)
    assert code == 1
    assert lines == [
        f"{tmp_path / 'rules.yaml'}:1:1: the file is empty: a rule file is a mapping of keys to"
        " values"
    ]


def test_a_file_that_is_not_utf8_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"{path}:1:10: not valid UTF-8 text (byte 0xe9 at byte offset 9); save the file as UTF-8"
    )


def test_yaml_1_2_keeps_no_as_a_string(tmp_path: Path) -> None:
    """The choice value `no` (unquoted) must stay the string "no", not become false."""
    text = BUNDLED.replace('{value: "no", label: "No, never"}', "{value: no, label: No never}")
    code, lines = validate(tmp_path, text)
    assert code == 0, lines


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    label: Pregnancy\n",
            "\tlabel: Pregnancy\n",
            "a tab character: indent YAML with spaces",
        ),
        (
            "    action: exclude\n    label: Pregnancy\n",
            "    action: exclude\n   label: Pregnancy\n",
            "check this line's indentation",
        ),
    ],
)
def test_common_yaml_slips_get_a_plain_hint(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in BUNDLED
    code, lines = validate(tmp_path, BUNDLED.replace(old, new, 1))
    assert code == 1
    assert len(lines) == 1 and message in lines[0]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    max: 260\n",
            "    max: lots\n",
            "questions[10] (bp_systolic).max: must be a whole number (digits 0-9, at most 18),"
            " not the text 'lots'",
        ),
        ("    max: 260\n", "    max: 50\n", "questions[10] (bp_systolic).min: 'min' is greater"),
        (
            "    type: integer\n    min: 60\n    max: 260\n",
            "    type: integr\n    min: 60\n    max: 260\n",
            "questions[10] (bp_systolic).type: must be one of",
        ),
    ],
)
def test_a_question_with_a_wrong_field_is_one_problem_not_one_per_rule_reading_it(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    """The rules that read bp_systolic are not reported as naming an unknown question, nor
    as comparing outside a range that is itself wrong: the clinical lead sees the one line
    to fix."""
    text = BUNDLED.replace(old, new, 1)
    assert text != BUNDLED and "bp_systolic >= 180" in text
    code, lines = validate(tmp_path, text)
    assert code == 1
    assert len(lines) == 1, lines
    assert message in lines[0]


def test_a_wrong_field_of_a_question_does_not_hide_a_real_mistake_in_a_rule_reading_it(
    tmp_path: Path,
) -> None:
    """The question is checked without its wrong field: a rule's real mistake still shows."""
    text = BUNDLED.replace("    max: 260\n", "    max: lots\n", 1).replace(
        "when: bp_systolic >= 180 or", 'when: bp_systolic == "high" or', 1
    )
    code, lines = validate(tmp_path, text)
    assert code == 1
    assert len(lines) == 2, lines
    assert "'==' compares a number value with a text value" in lines[1]


def test_a_wrong_choice_of_a_question_does_not_make_every_rule_comparing_it_a_problem(
    tmp_path: Path,
) -> None:
    """Checked without its wrong choices, the question would make every comparison name no
    choice: the lines are about the wrong choice only."""
    text = BUNDLED.replace("{value: ocd, label: OCD}", "{value: ocd, lable: OCD}", 1)
    assert text != BUNDLED
    code, lines = validate(tmp_path, text)
    assert code == 1
    assert lines and all("questions[1] (primary_condition).choices[3]" in line for line in lines)


@pytest.mark.parametrize(
    ("old", "new", "about"),
    [
        ("\nquestions:\n", "\nquestionz:\n", "questions"),
        ("\nderived:\n", "\nderived: none\nderived_before:\n", "derived"),
    ],
)
def test_a_questions_or_derived_section_that_is_not_a_list_is_not_followed_by_every_reference(
    tmp_path: Path, old: str, new: str, about: str
) -> None:
    """With no question (or derived value) known, every rule would name an unknown one: the
    lines are about the section only."""
    source = DEFAULT_V2
    text = source.replace(old, new, 1)
    assert text != source
    code, lines = validate(tmp_path, text)
    assert code == 1
    assert 1 <= len(lines) <= 2, lines
    assert all(about in line and "unknown question" not in line for line in lines), lines


def test_a_choice_question_without_choices_is_one_line_not_one_per_rule_comparing_it(
    tmp_path: Path,
) -> None:
    """Without its choices, every comparison with the question would name no choice."""
    source = DEFAULT_V2
    start = source.index("    choices:\n", source.index("- id: current_medications"))
    text = source[:start] + source[source.index("\n\n", start) + 1 :]
    code, lines = validate(tmp_path, text)
    assert code == 1
    assert lines == [
        f"{tmp_path / 'rules.yaml'}:{line_of(text, '- id: current_medications')}:5:"
        " questions[40] (current_medications): a multi_choice question needs 'choices'"
    ]


@pytest.mark.parametrize(
    ("question", "key"), [("current_medications", "choices"), ("depression_treatments", "fields")]
)
def test_a_misspelt_choices_or_fields_key_is_one_line(
    tmp_path: Path, question: str, key: str
) -> None:
    """What reads the question is not told it names no choice or field."""
    source = DEFAULT_V2
    start = source.index(f"    {key}:\n", source.index(f"- id: {question}"))
    text = f"{source[:start]}    {key[:-1]}z:\n{source[start + len(key) + 6 :]}"
    code, lines = validate(tmp_path, text)
    assert code == 1
    assert len(lines) == 1, lines
    assert f"unknown key '{key[:-1]}z' (did you mean '{key}'?)" in lines[0]


def test_a_choice_question_without_choices_is_not_also_told_it_has_none_to_translate(
    tmp_path: Path,
) -> None:
    source = (FIXTURES / "rules_es.yaml").read_text()
    own = "    choices:\n      - {value: depression, label: Depression}\n"
    own += "      - {value: ptsd, label: PTSD}\n      - other\n"
    assert own in source
    code, lines = validate(tmp_path, source.replace(own, "", 1))
    assert code == 1
    assert len(lines) == 1, lines
    assert "a choice question needs 'choices'" in lines[0]


def test_a_derived_value_with_a_mistake_is_one_line_not_one_per_rule_reading_it(
    tmp_path: Path,
) -> None:
    source = DEFAULT_V2
    text = source.replace("value: benzodiazepine_mg_day *", "value: benzodiazepine_mg_dy *", 1)
    assert text != source
    code, lines = validate(tmp_path, text)
    assert code == 1
    assert len(lines) == 1, lines
    assert "derived[0] (benzodiazepine_diazepam_mg).value: unknown question" in lines[0]


def test_a_wrong_choice_of_a_question_does_not_hide_a_rule_comparing_it_with_a_number(
    tmp_path: Path,
) -> None:
    text = BUNDLED.replace("{value: ocd, label: OCD}", "{value: ocd, lable: OCD}", 1)
    text = text.replace(
        'when: primary_condition == "bipolar_depression"', "when: primary_condition == 2"
    )
    code, lines = validate(tmp_path, text)
    assert code == 1
    *about_the_choice, about_the_rule = lines
    assert about_the_choice and all("choices[3]" in line for line in about_the_choice), lines
    assert "rules[16] (bipolar_review).when: '==' compares a text value" in about_the_rule
