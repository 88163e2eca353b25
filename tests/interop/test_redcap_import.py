"""`screener redcap import`: a REDCap data dictionary as the questions of a rule file that
`screener validate` accepts once rules are added; untrusted labels stay text; branching logic
becomes `ask_if` where it translates; the rule file's own dictionary comes back unchanged."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screener.cli import app
from screener.core.conditions.syntax import parse_condition, referenced_questions
from screener.core.evaluate import visible_answers
from screener.core.model import NONE_CHOICE, QuestionType, RuleSet, Value
from screener.interop.redcap.codes import coding_for
from screener.interop.redcap.columns import UPLOAD_HEADER
from screener.interop.redcap.dictionary import build_dictionary
from screener.interop.redcap.dictionary_read import parse_dictionary
from screener.interop.redcap.questions_import import import_questions
from screener.rulefile.load import load_ruleset_bytes

from ..conftest import FIXTURES
from .redcap_rules import answers, rule_files

runner = CliRunner()
HEAD = """\
name: "imported"
version: "1"
clinic: {name: "Test clinic"}
disclaimer: "A test."
crisis_text: "Call 988."
next_steps: {urgent: ["x"], not_eligible: ["x"], needs_review: ["x"], likely_eligible: ["x"]}
rules:
  - {id: r0, action: review, label: "Rule", when: "known(%s)", reason: "because", source: "t"}
"""


def with_rules(questions_yaml: str, first: str) -> RuleSet:
    """The imported questions with the rest of a rule file and one trivial rule."""
    return load_ruleset_bytes((HEAD % first + questions_yaml).encode(), "imported.yaml")


def dictionary_text(rows: list[dict[str, str]]) -> str:
    keys = list(UPLOAD_HEADER)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=keys, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in keys})
    return buffer.getvalue()


def field(
    name: str,
    kind: str,
    label: str,
    *,
    choices: str = "",
    logic: str = "",
    validation: str = "",
    note: str = "",
) -> dict[str, str]:
    return {
        "Variable / Field Name": name,
        "Form Name": "intake",
        "Field Type": kind,
        "Field Label": label,
        "Choices, Calculations, OR Slider Labels": choices,
        "Branching Logic (Show field only if...)": logic,
        "Text Validation Type OR Show Slider Number": validation,
        "Field Note": note,
    }


def test_imported_questions_pass_validate_once_a_rule_is_added(tmp_path: Path) -> None:
    out = tmp_path / "questions.yaml"
    result = runner.invoke(
        app, ["redcap", "import", str(FIXTURES / "redcap" / "dictionary.csv"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("screener redcap import: 30 questions from")
    assert "note: row 19 (bp_mean): a calculated field; skipped" in result.stderr
    rules = tmp_path / "rules.yaml"
    rules.write_text(HEAD % "age" + out.read_text())
    validated = runner.invoke(app, ["validate", str(rules)])
    assert validated.exit_code == 0, validated.output
    assert "30 questions, 1 rules" in validated.stdout
    ruleset = with_rules(out.read_text(), "age")
    condition = ruleset.question_map["primary_condition"]
    assert [(c.code, c.label) for c in condition.choices][:2] == [
        ("1", "Depression"),
        ("2", "Bipolar disorder, depressive phase"),
    ]
    assert ruleset.question_map["age"].required and ruleset.question_map["age"].unit == "years"
    assert not ruleset.question_map["ketamine_allergy"].required  # it offers "don't know"
    meds = ruleset.question_map["current_medications"].choice_values
    benzo, maoi = meds[2], meds[0]
    for ticked, asked in ((frozenset({benzo}), True), (frozenset({maoi}), False), (None, True)):
        _, hidden = visible_answers(ruleset, {"current_medications": ticked})
        assert ("benzodiazepine_dose_mg" not in hidden) is asked


def test_untrusted_labels_stay_one_string_and_never_become_yaml_structure() -> None:
    labels = [
        "Age: in years # not a comment",
        "{flow: mapping} [and, a, list]",
        "First line\nsecond: line",
        "!!python/object/apply:os.system ['echo hi']",
        "&anchor *alias | > ' \" \\ end",
    ]
    rows = [field("record_id", "text", "ID")]
    rows += [field(f"q{i}", "text", label, note=label) for i, label in enumerate(labels)]
    rows.append(field("pick", "radio", "Pick: one", choices="1, a: b | 2, #c | 3, {d}"))
    imported = import_questions(parse_dictionary(dictionary_text(rows), "d.csv"))
    text = imported.yaml()
    assert "!!python" not in text.replace('"!!python', "")  # only inside a quoted string
    ruleset = with_rules(text, "q0")
    for i, label in enumerate(labels):
        question = ruleset.question_map[f"q{i}"]
        assert question.text == " ".join(label.split())  # REDCap labels: white space collapsed
        assert question.help == " ".join(label.split())
    assert [c.label for c in ruleset.question_map["pick"].choices] == ["a: b", "#c", "{d}"]


def test_branching_logic_that_does_not_translate_is_a_note_with_its_row_and_field() -> None:
    rows = [
        field("record_id", "text", "ID"),
        field("smoker", "radio", "Smokes?", choices="1, Yes | 0, No | 9, Unknown"),
        field("packs", "text", "Packs", validation="integer", logic="[smoker] = '1'"),
        field("why", "text", "Why unknown?", logic="[smoker] = '9'"),
        field("when", "text", "Since when?", logic="datediff([dob], 'today', 'y') > 18"),
        field("later", "text", "Later", logic="[packs] > 2 or [smoker] <> '0'"),
    ]  # fmt: skip
    imported = import_questions(parse_dictionary(dictionary_text(rows), "d.csv"))
    by_id = {q["id"]: q for q in imported.questions}
    assert by_id["smoker"]["type"] == "yes_no"
    assert by_id["packs"]["ask_if"] == "smoker"
    assert by_id["later"]["ask_if"] == "packs > 2 or smoker"
    assert "ask_if" not in by_id["why"] and "ask_if" not in by_id["when"]
    notes = [str(n) for n in imported.notes]
    assert any(
        n.startswith("row 5 (why): branching logic not translated") and '"don\'t know" code' in n
        for n in notes
    )
    assert any(n.startswith("row 6 (when): branching logic not translated") for n in notes)
    text = imported.yaml()
    assert "# row 6: branching logic not translated" in text
    with_rules(text, "smoker")


def test_a_clinics_own_codes_and_none_option_are_kept_and_named() -> None:
    imported = import_questions(
        parse_dictionary((FIXTURES / "redcap" / "clinic_dictionary.csv").read_text(), "c.csv")
    )
    ruleset = with_rules(imported.yaml(), "pt_age")
    diagnosis = ruleset.question_map["dx_main"]
    assert diagnosis.type is QuestionType.CHOICE and not diagnosis.required
    assert [c.code for c in diagnosis.choices] == ["10", "20", "30", "40", "50", "60", "88"]
    meds = ruleset.question_map["meds"]
    assert "none" not in meds.choice_values and len(meds.choices) == 8
    assert ruleset.question_map["benzo_mg"].ask_if_text == '"benzodiazepines" in meds'
    assert coding_for(meds).code(NONE_CHOICE) == "0"
    notes = [str(n) for n in imported.notes]
    assert any(n.startswith("row 12 (meds): option 98 (None of the above)") for n in notes)
    assert "row 11 (bmi): a calculated field; skipped" in notes
    assert "row 3 (intro): a descriptive text, not a question; skipped" in notes
    assert ruleset.question_map["pt_age"].text == "Age (years)"  # HTML read
    allergy = ruleset.question_map["allergy_ket"]  # 1 Yes, 2 No, 9 Not sure
    assert allergy.type is QuestionType.CHOICE and allergy.choice_values == (
        "yes",
        "no",
        "not_sure",
    )
    assert any(n.startswith("row 6 (allergy_ket): a yes/no field with codes other") for n in notes)


def stored_as(original: RuleSet, imported: RuleSet, typed: dict[str, Value]) -> dict[str, Value]:
    """The same stored answers, as the imported rule set's values (by REDCap code)."""
    out: dict[str, Value] = {}
    for question in original.questions:
        value, other = typed[question.id], imported.question_map[question.id]
        if question.type in (QuestionType.CHOICE, QuestionType.MULTI_CHOICE):
            by_code = {c.code: c.value for c in other.choices}
            codes = coding_for(question).codes
            assert codes is not None
            if isinstance(value, str):
                value = by_code[codes[value]]
            elif isinstance(value, frozenset):
                value = frozenset(by_code[codes[v]] for v in value)
        out[question.id] = value
    return out


@pytest.mark.timeout(600)  # 120 generated rule files, each loaded twice; slow on a busy machine
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_dictionary_imported_back_gives_the_same_questions(data: st.DataObject) -> None:
    original = load_ruleset_bytes(data.draw(rule_files()).encode(), "generated.yaml")
    text = build_dictionary(original).csv_text()
    imported_questions = import_questions(parse_dictionary(text, "dict.csv"))
    imported = with_rules(imported_questions.yaml(), original.questions[0].id)
    assert [q.id for q in imported.questions] == [q.id for q in original.questions]
    for question in original.questions:
        other = imported.question_map[question.id]
        assert (other.text, other.type, other.required) == (
            question.text,
            question.type,
            question.required,
        )
        assert (other.min, other.max, other.help, other.unit) == (
            question.min,
            question.max,
            question.help,
            question.unit,
        )
        assert [c.label for c in other.choices] == [c.label for c in question.choices]
        # Pinned to the codes the dictionary gave them: exporting again changes nothing.
        assert coding_for(other).choices == coding_for(question).choices

    def fields(ruleset: RuleSet) -> list[dict[str, str]]:
        rows = build_dictionary(ruleset).rows[1:-1]
        return [{k: v for k, v in row.items() if k != "branching_logic"} for row in rows]

    assert fields(imported) == fields(original)
    # Skip logic: the imported question is asked wherever the original is; with every
    # answer known, exactly where it is, unless its branching logic did not translate in full:
    # then it is asked more often, never less.
    typed = data.draw(answers(original))
    hidden = set(visible_answers(original, typed)[1])
    hidden_imported = set(visible_answers(imported, stored_as(original, imported, typed))[1])
    assert hidden_imported <= hidden
    # Tests on text answers are not written as branching logic (docs/redcap.md), and the
    # importer notes what it could not read back.
    text_ids = {q.id for q in original.questions if q.type is QuestionType.TEXT}
    untranslated = {note.field for note in imported_questions.notes} | {
        q.id
        for q in original.questions
        if q.ask_if_text is not None
        and text_ids & set(referenced_questions(parse_condition(q.ask_if_text)))
    }
    if all(v is not None for v in typed.values()):
        assert hidden_imported - untranslated == hidden - untranslated


_HEADER = (
    "field_name,form_name,section_header,field_type,field_label,"
    "select_choices_or_calculations,field_note,text_validation_type_or_show_slider_number,"
    "text_validation_min,text_validation_max,identifier,branching_logic,required_field"
)


def _import(tmp_path: Path, rows: list[str]) -> tuple[Path, Result]:
    """`screener redcap import` of a dictionary of these rows, which succeeds."""
    dictionary = tmp_path / "dict.csv"
    dictionary.write_text("\n".join([_HEADER, *rows]) + "\n")
    out = tmp_path / "questions.yaml"
    result = CliRunner().invoke(app, ["redcap", "import", str(dictionary), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out, result


def test_a_dictionary_cell_past_the_csv_cell_limit_is_one_message_naming_its_line(
    tmp_path: Path,
) -> None:
    # Python's CSV limit is the process's own: the batch reader raises it for exports.
    logic = "[x] = 1 or " * (csv.field_size_limit() // 11 + 10)
    dictionary = tmp_path / "dict.csv"
    dictionary.write_text(
        f'{_HEADER}\nrecord_id,f,,text,ID,,,,,,,,\nage,f,,text,Age,,,integer,,,,"{logic}",\n'
    )
    result = CliRunner().invoke(app, ["redcap", "import", str(dictionary)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {dictionary}: line 3: a cell is longer than {csv.field_size_limit():,}"
        " characters, the most one may hold\n"
    )


def test_branching_logic_the_rule_file_could_not_hold_is_left_untranslated_with_a_note(
    tmp_path: Path,
) -> None:
    """What import writes, validate accepts: a number of more than 18 digits in a branching
    logic is noted, and the question is always asked, rather than written as an ask_if that
    the rule file's reader refuses."""
    rows = [
        "record_id,f,,text,ID,,,,,,,,",
        "n,f,,text,How many?,,,integer,,,,,",
        "m,f,,text,And then?,,,integer,0,10,,[n] > 99999999999999999999999,",
    ]
    out, result = _import(tmp_path, rows)
    assert "ask_if" not in out.read_text()
    assert (
        "note: row 4 (m): branching logic not translated (a number has more than 18 digits"
        " (before or after the point)), so the question is always asked:"
    ) in result.stderr


def test_branching_logic_comparing_outside_a_fields_range_is_left_untranslated_with_a_note(
    tmp_path: Path,
) -> None:
    """validate refuses a comparison with a number outside a question's range (it can never
    change), so import does not write one: the question is always asked, with the reason.
    One past a bound is a comparison validate accepts, and it is translated."""
    rows = [
        "record_id,f,,text,ID,,,,,,,,",
        "sys,f,,text,Top number?,,,integer,60,260,,,",
        "when,f,,text,How long ago?,,,integer,0,10,,[sys] > 900,",
        "edge,f,,text,And?,,,integer,0,10,,[sys] > 261,",
    ]
    out, result = _import(tmp_path, rows)
    written = out.read_text()
    assert "sys > 900" not in written
    assert 'ask_if: "sys > 261"' in written
    assert (
        "note: row 4 (when): branching logic not translated (900 is outside the range of 'sys'"
        " (60-260), so '>' with it can never change), so the question is always asked:"
    ) in result.stderr
