"""Reading REDCap data dictionaries: both header forms, NA cells, HTML and line breaks,
choices written either way, fields that hold no answer named with their row and skipped, and
one clear error (never a traceback) for a file that is not a dictionary."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener.core.problems import InputFileError
from screener.interop.redcap.dictionary import build_dictionary
from screener.interop.redcap.dictionary_read import parse_choices, parse_dictionary
from screener.rulefile.load import load_ruleset

from ..conftest import FIXTURES, FROZEN_RULES

FIXTURE = FIXTURES / "redcap" / "dictionary.csv"
RULES = load_ruleset(FROZEN_RULES)


def test_an_api_dictionary_with_na_cells_reads_every_answer_field() -> None:
    read = parse_dictionary(FIXTURE.read_text(), "dictionary.csv")
    assert read.record_id == "record_id"
    assert read.record_id_label == "Record ID"
    names = [f.name for f in read.fields]
    assert names[:3] == ["caller_name", "phone", "age"]
    assert {q.id for q in RULES.questions} <= set(names)
    assert "intake_notes" in names and "screener_rules_version" in names
    assert read.all_forms == ("contact_details", "prescreen", "contact_log")
    caller = read.field("caller_name")
    assert caller is not None and caller.identifier and caller.note == ""
    age = read.field("age")
    assert age is not None
    assert age.label == "How old is the person, in years?"  # HTML and the line break gone
    assert (age.validation, age.minimum, age.maximum, age.required) == ("integer", "0", "120", True)
    assert age.branching == "" and age.annotation == ""
    breastfeeding = read.field("breastfeeding")
    assert breastfeeding is not None
    assert breastfeeding.label == "Are they breastfeeding? (ask everyone who could be)"


def test_fields_that_hold_no_answer_are_named_with_their_row_and_skipped() -> None:
    # Rows as a spreadsheet counts them: a label with a line break is still one row.
    read = parse_dictionary(FIXTURE.read_text(), "dictionary.csv")
    assert [str(s) for s in read.skipped] == [
        "row 3 'intro': a descriptive text, not a question; skipped",
        "row 5 'dob': a date or time (validation date_ymd); skipped",
        "row 19 'bp_mean': a calculated field; skipped",
        "row 38 'referral_letter': a file upload; skipped",
        "row 39 'contact_date': a date or time (validation date_ymd); skipped",
    ]


def test_choices_are_read_with_or_without_spaces_and_split_at_the_first_comma() -> None:
    read = parse_dictionary(FIXTURE.read_text(), "dictionary.csv")
    pregnant, prior, condition = (
        read.field(n) for n in ("pregnant", "prior_ketamine", "primary_condition")
    )
    assert pregnant is not None and pregnant.choices == (
        ("1", "Yes"),
        ("0", "No"),
        ("99", "Don't know"),
    )
    assert prior is not None and prior.choices[1] == ("2", "Yes, and it helped")
    assert condition is not None and condition.choices[1] == (
        "2",
        "Bipolar disorder, depressive phase",
    )
    meds = read.field("current_medications")
    assert meds is not None and meds.exclusive_codes == ("0", "99")
    assert parse_choices("1,A| 2 ,B,with comma |3, <b>C</b> &amp; D|") == (
        (("1", "A"), ("2", "B,with comma"), ("3", "C & D")),
        None,
    )


@pytest.mark.parametrize(
    ("choices", "problem"),
    [
        ("1, A | 1, B", "choice code '1' is used twice"),
        ("1, A | B", "choice 'B' is not written as 'code, label'"),
        ("1 2, A", "choice code '1 2' holds a space or a quote"),
        ("NA", "the field has no choices"),
    ],
)
def test_a_broken_choices_cell_skips_its_field_with_the_reason(choices: str, problem: str) -> None:
    text = (
        "field_name,form_name,field_type,field_label,select_choices_or_calculations\n"
        "record_id,f,text,Record ID,\n"
        f'pick,f,radio,Pick one,"{choices}"\n'
    )
    read = parse_dictionary(text, "d.csv")
    assert read.fields == ()
    assert [str(s) for s in read.skipped] == [f"row 3 'pick': {problem}; skipped"]


def test_the_upload_form_written_by_screener_reads_back() -> None:
    read = parse_dictionary(build_dictionary(RULES).csv_text(), "dict.csv")
    assert [f.name for f in read.fields] == [
        *(q.id for q in RULES.questions),
        "screener_rules_version",
    ]
    meds = read.field("current_medications")
    assert meds is not None and meds.field_type == "checkbox" and len(meds.choices) == 10
    allergy = read.field("ketamine_allergy")
    assert allergy is not None and allergy.required and allergy.field_type == "radio"
    dose = read.field("benzodiazepine_dose_mg")
    assert dose is not None and "[current_medications(3)] = '1'" in dose.branching


def test_headers_in_any_case_and_order_and_odd_rows_are_read() -> None:
    text = (
        "\ufeffField Type,VARIABLE / FIELD NAME,Field Label,Form Name\n"
        "\n"
        "text,study_id,Study ID,screen\n"
        "yesno,Bad-Name,Odd,screen\n"
        "yesno,smoker,Smokes?,screen\n"
        "radio,smoker,Again,screen\n"
        "widget,gadget,Gadget,screen\n"
        ",,,\n"
    )
    read = parse_dictionary(text, "d.csv")
    assert read.record_id == "study_id"
    assert [(f.name, f.choices) for f in read.fields] == [("smoker", (("1", "Yes"), ("0", "No")))]
    assert [str(s) for s in read.skipped] == [
        "row 4 'Bad-Name': not a REDCap field name; skipped",
        "row 6 'smoker': a second field of this name; skipped",
        "row 7 'gadget': field type 'widget' is not one screener reads; skipped",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("\n\n", "the file is empty"),
        (
            "a,b,c\n1,2,3\n",
            "not a REDCap data dictionary: the header has no 'Variable / Field Name'",
        ),
        ("field_name,form_name,field_type,field_label\n", "the data dictionary has no fields"),
        ("field_name,form_name,field_type,field_label\n2x,f,text,X\n", "row 2: the first field"),
        ('field_name,form_name\n"never closed\n', "not a REDCap data dictionary"),
    ],
)
def test_a_file_that_is_not_a_dictionary_is_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(InputFileError, match=message):
        parse_dictionary(text, "d.csv")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(
                ["field_name", "form_name", "field_type", "field_label", "radio", "checkbox",
                 "yesno", "text", "NA", "", "1, A | 2, B", "1 | x", "x", "a,b", "\"", "\n", "é"]
            ),
            max_size=6,
        ),
        max_size=6,
    )
)  # fmt: skip
def test_any_text_gives_a_dictionary_or_one_input_error(rows: list[list[str]]) -> None:
    text = "\n".join(",".join(row) for row in rows)
    try:
        parse_dictionary(text, "d.csv")
    except InputFileError as exc:
        assert str(exc).startswith("d.csv: ")
