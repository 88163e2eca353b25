"""The rule set as a REDCap data dictionary: REDCap's columns, one well-formed field per
question, "don't know" coded, and branching logic that never hides a question screener asks."""

from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screener.core.evaluate import visible_answers
from screener.core.model import RuleSet
from screener.core.problems import InputFileError
from screener.interop.redcap.codes import coding_for
from screener.interop.redcap.columns import UPLOAD_HEADER, plain_label
from screener.interop.redcap.dictionary import build_dictionary
from screener.interop.redcap.dictionary_read import parse_dictionary
from screener.rulefile.load import load_ruleset, load_ruleset_bytes

from ..conftest import FROZEN_RULES
from .redcap_logic import shows
from .redcap_rules import answers, rule_files, stored_values

RULES = load_ruleset(FROZEN_RULES)


def rows_of(ruleset: RuleSet, form: str = "prescreen") -> list[dict[str, str]]:
    text = build_dictionary(ruleset, form).csv_text()
    return list(csv.DictReader(io.StringIO(text)))


def test_the_header_is_redcaps_upload_header_in_its_order() -> None:
    header = build_dictionary(RULES).csv_text().splitlines()[0]
    assert next(csv.reader([header])) == [
        "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
        "Choices, Calculations, OR Slider Labels", "Field Note",
        "Text Validation Type OR Show Slider Number", "Text Validation Min",
        "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
        "Required Field?", "Custom Alignment", "Question Number (surveys only)",
        "Matrix Group Name", "Matrix Ranking?", "Field Annotation",
    ]  # fmt: skip
    assert tuple(next(csv.reader([header]))) == UPLOAD_HEADER


def test_record_id_comes_first_then_one_field_per_question_then_the_version_field() -> None:
    rows = rows_of(RULES)
    names = [r["Variable / Field Name"] for r in rows]
    assert names == ["record_id", *(q.id for q in RULES.questions), "screener_rules_version"]
    assert {r["Form Name"] for r in rows} == {"prescreen"}
    version = rows[-1]
    assert version["Field Annotation"] == f"@HIDDEN @READONLY @DEFAULT='{RULES.version}'"


def test_each_type_has_its_field_type_codes_and_dont_know() -> None:
    rows = {r["Variable / Field Name"]: r for r in rows_of(RULES)}
    age = rows["age"]  # integer, required
    assert (age["Field Type"], age["Text Validation Type OR Show Slider Number"]) == (
        "text",
        "integer",
    )
    assert (age["Text Validation Min"], age["Text Validation Max"]) == ("0", "120")
    assert age["Required Field?"] == "y"
    assert "Unit: years." in age["Field Note"]
    systolic = rows["bp_systolic"]  # integer, not required: blank is don't know
    assert systolic["Required Field?"] == ""
    assert systolic["Field Note"].startswith("Leave blank if no reading")
    diastolic = rows["bp_diastolic"]
    assert diastolic["Field Note"] == "Unit: mmHg. Leave blank if not known."
    allergy = rows["ketamine_allergy"]  # yes/no, not required: radio with don't know
    assert allergy["Field Type"] == "radio"
    assert allergy["Choices, Calculations, OR Slider Labels"] == "1, Yes | 0, No | 99, Don't know"
    assert allergy["Required Field?"] == "y"
    condition = rows["primary_condition"]
    assert condition["Choices, Calculations, OR Slider Labels"] == (
        "1, Depression | 2, Bipolar disorder, depressive phase | 3, PTSD | 4, OCD"
        " | 5, An anxiety disorder | 6, Chronic pain | 7, Something else | 99, Don't know"
    )
    meds = rows["current_medications"]
    assert meds["Field Type"] == "checkbox"
    assert meds["Choices, Calculations, OR Slider Labels"].endswith(
        "| 8, Thyroid hormone (such as levothyroxine) | 0, None of these | 99, Don't know"
    )
    assert meds["Field Annotation"] == "@NONEOFTHEABOVE='0,99'"
    assert rows["self_harm_thoughts"]["Field Note"].startswith("Ask this plainly")


def test_a_required_yes_no_question_is_a_yesno_field_and_choices_have_no_dont_know() -> None:
    text = FROZEN_RULES.read_text().replace(
        "    type: yes_no\n", "    type: yes_no\n    required: true\n", 1
    )
    text = text.replace(
        "    type: choice\n    choices:", "    type: choice\n    required: true\n    choices:", 1
    )
    rows = {r["Variable / Field Name"]: r for r in rows_of(load_ruleset_bytes(text.encode(), "x"))}
    assert rows["ketamine_allergy"]["Field Type"] == "yesno"
    assert rows["ketamine_allergy"]["Choices, Calculations, OR Slider Labels"] == ""
    assert "99" not in rows["primary_condition"]["Choices, Calculations, OR Slider Labels"]
    assert rows["aneurysm_or_avm"]["Field Type"] == "radio"


def test_branching_logic_of_the_frozen_rules_guards_blanks_and_dont_know() -> None:
    rows = {r["Variable / Field Name"]: r for r in rows_of(RULES)}
    logic = "Branching Logic (Show field only if...)"
    # Asked unless the condition is surely something else than depression: blank, 99 and
    # codes 1 and 2 show it.
    assert rows["failed_antidepressants"][logic] == " and ".join(
        f"[primary_condition] <> '{code}'" for code in range(3, 8)
    )
    meds = rows["benzodiazepine_dose_mg"][logic]
    assert meds.endswith(" or [current_medications(3)] = '1'")
    assert "[current_medications(99)]" not in meds  # "don't know" ticked: no known answer
    assert all(rows[q.id][logic] == "" for q in RULES.questions if q.ask_if_tree is None)


def test_a_question_named_like_a_column_redcap_adds_is_refused() -> None:
    text = FROZEN_RULES.read_text().replace("  - id: pregnant\n", "  - id: record_id\n", 1)
    text = text.replace("when: pregnant", "when: record_id")
    with pytest.raises(InputFileError, match="'record_id': the name is taken by the record id"):
        build_dictionary(load_ruleset_bytes(text.encode(), "x.yaml"))
    with pytest.raises(InputFileError, match="--form 'Pre Screen'"):
        build_dictionary(RULES, "Pre Screen")
    text = FROZEN_RULES.read_text().replace("  - id: pregnant\n", "  - id: prescreen_complete\n")
    text = text.replace("when: pregnant", "when: prescreen_complete")
    with pytest.raises(InputFileError, match="taken by the form's status column"):
        build_dictionary(load_ruleset_bytes(text.encode(), "x.yaml"))


def test_a_label_starting_like_a_formula_is_named_not_changed() -> None:
    text = FROZEN_RULES.read_text().replace(
        "text: Are they breastfeeding?", "text: '=Are they breastfeeding?'"
    )
    built = build_dictionary(load_ruleset_bytes(text.encode(), "x.yaml"))
    assert any(n.startswith("breastfeeding: the field label starts with '='") for n in built.notes)
    assert "=Are they breastfeeding?" in built.csv_text()


FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_files())
def test_dictionary_rows_are_well_formed_and_read_back_as_written(text: str) -> None:
    ruleset = load_ruleset_bytes(text.encode(), "generated.yaml")
    built = build_dictionary(ruleset)
    rows = list(csv.DictReader(io.StringIO(built.csv_text())))
    names = [r["Variable / Field Name"] for r in rows]
    assert len(set(names)) == len(names)
    assert all(FIELD_NAME.fullmatch(n) for n in names)
    for row, question in zip(rows[1:], ruleset.questions, strict=False):
        cell = row["Choices, Calculations, OR Slider Labels"]
        if not cell:
            continue
        parts = cell.split(" | ")
        codes = [p.split(",", 1)[0] for p in parts]
        assert len(set(codes)) == len(codes)
        assert all(code and "," not in code and code.strip() == code for code in codes)
        labels = [plain_label(p.split(",", 1)[1]) for p in parts]
        assert (
            labels[: len(question.choices)] == [c.label for c in question.choices]
            or question.type.value == "yes_no"
        )
        logic = row["Branching Logic (Show field only if...)"]
        assert '"' not in logic
    read = parse_dictionary(built.csv_text(), "dict.csv")
    assert read.record_id == "record_id"
    names = [f.name for f in read.fields]
    assert names == [*(q.id for q in ruleset.questions), "screener_rules_version"]
    assert read.skipped == ()
    for field, question in zip(read.fields, ruleset.questions, strict=False):
        coding = coding_for(question)
        assert field.field_type == coding.field_type
        assert field.choices == coding.choices  # the plain labels, as in the rule file


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_branching_logic_never_hides_a_question_screener_asks(data: st.DataObject) -> None:
    ruleset = load_ruleset_bytes(data.draw(rule_files()).encode(), "generated.yaml")
    rows = {r["Variable / Field Name"]: r for r in rows_of(ruleset)}
    built = build_dictionary(ruleset)
    inexact = {note.split(":", 1)[0] for note in built.notes}
    codings = {q.id: coding_for(q) for q in ruleset.questions}
    typed = data.draw(answers(ruleset))
    _, hidden = visible_answers(ruleset, typed)
    for dont_know_coded in (False, True):
        stored = {"[record_id]": "1", **stored_values(codings, typed, dont_know_coded)}
        for question in ruleset.questions:
            logic = rows[question.id]["Branching Logic (Show field only if...)"]
            asked = question.id not in hidden
            for blank_before_numbers in (False, True):
                shown = shows(logic, stored, blank_before_numbers)
                assert shown or not asked, (question.id, question.ask_if_text, logic, stored)
                if question.id not in inexact:
                    assert shown == asked, (question.id, question.ask_if_text, logic, stored)
