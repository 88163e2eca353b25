"""REDCap record exports as canonical records: codes and labels, tick boxes folded, form
status, events, repeat rows folded into their record, and nothing unreadable dropped."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pytest

from screener.core.coercion import coerce_answers
from screener.core.problems import InputFileError, UsageError
from screener.interop.redcap.dictionary import build_dictionary
from screener.interop.redcap.dictionary_read import RedcapDictionary, parse_dictionary
from screener.interop.redcap.export_rows import CanonicalRecord, RedcapExport, canonical_records
from screener.rulefile.load import load_ruleset

from ..conftest import CLEAR_ANSWERS, FROZEN_RULES
from .redcap_exports import Exporter, ExportStyle

RULES = load_ruleset(FROZEN_RULES)
DICTIONARY_CSV = build_dictionary(RULES).csv_text()
DICTIONARY = parse_dictionary(DICTIONARY_CSV, "dict.csv")
EXPORTER = Exporter(DICTIONARY_CSV, RULES)
QUESTIONS = [q.id for q in RULES.questions]
RAW = ExportStyle()


@dataclass
class Rows:
    """An export already split into cells (what columnar.reader.RecordSource gives)."""

    header: Sequence[str]
    rows: list[list[str]]
    blank_lines: int = 0
    size: int = 0
    read: list[int] = field(default_factory=list)

    def chunks(self, size: int) -> Iterator[list[list[str]]]:
        for start in range(0, len(self.rows), size):
            yield self.rows[start : start + size]

    def bytes_read(self) -> int:
        return 0


def records(
    header: Sequence[str],
    rows: list[list[str]],
    include_incomplete: bool = False,
    dictionary: RedcapDictionary = DICTIONARY,
) -> tuple[list[str], list[CanonicalRecord]]:
    return canonical_records(Rows(header, rows), dictionary, RULES, include_incomplete)


def answers_of(header: list[str], record: CanonicalRecord) -> dict[str, str]:
    return dict(zip(header[1:], record.cells[1:], strict=True))


def export(
    *people: tuple[str, dict[str, str], str], style: ExportStyle = RAW
) -> tuple[list[str], list[list[str]]]:
    rows = [
        EXPORTER.row(rid, {**CLEAR_ANSWERS, **changes}, style, status)
        for rid, changes, status in people
    ]
    return EXPORTER.header(style), rows


STYLES = [
    RAW,
    ExportStyle(label_headers=True),
    ExportStyle(label_values=True),
    ExportStyle(label_headers=True, label_values=True),
    ExportStyle(label_headers=True, label_values=True, checkbox_label_when_ticked=True),
]


@pytest.mark.parametrize("style", STYLES, ids=lambda s: repr(s)[12:-1])
def test_codes_and_labels_become_the_canonical_answers(style: ExportStyle) -> None:
    changes = {
        "primary_condition": "bipolar_depression",
        "prior_ketamine": "did_not_help",
        "hypertension": "yes",
        "current_medications": "benzodiazepine;thyroid_hormone",
        "benzodiazepine_dose_mg": "12",
        "self_harm_thoughts": "dk",
        "bp_systolic": "",
    }
    header, rows = export(
        ("A1", changes, "2"), ("A2", {"current_medications": "none"}, "2"), style=style
    )
    canonical, found = records(header, rows)
    assert canonical == ["record_id", *QUESTIONS]
    first = answers_of(canonical, found[0])
    expected = {
        **CLEAR_ANSWERS,
        **changes,
        "self_harm_thoughts": "",
        "benzodiazepine_dose_mg": "12",
    }
    assert first == {q: expected[q] for q in QUESTIONS}
    assert answers_of(canonical, found[1])["current_medications"] == "none"
    assert [r.cells[0] for r in found] == ["A1", "A2"]
    assert all(r.not_scored is None and r.problems == [] for r in found)


def test_no_ticks_or_only_dont_know_is_unknown_and_dont_know_with_others_is_refused() -> None:
    header, rows = export(
        ("A1", {"current_medications": ""}, "2"), ("A2", {"current_medications": "dk"}, "2")
    )
    index = header.index("current_medications___99")
    third = list(rows[0])
    third[index] = "1"
    third[header.index("current_medications___1")] = "1"
    canonical, found = records(header, [*rows, third])
    column = canonical.index("current_medications")
    assert [r.cells[column] for r in found] == ["", "", "don't know;maoi"]
    _, problems = coerce_answers(
        RULES.question_map, {"current_medications": found[2].cells[column]}
    )
    # The core refuses it, so the record is invalid, never "none", with the ticks in the message.
    assert [str(p) for p in problems] == [
        "current_medications: 'don't know' cannot be combined with other choices"
        ' (got "don\'t know;maoi")'
    ]


def test_a_value_that_is_no_code_of_its_field_is_kept_for_the_core_to_refuse() -> None:
    header, rows = export(("A1", {}, "2"))
    rows[0][header.index("ketamine_allergy")] = "7"
    rows[0][header.index("primary_condition")] = "Migraine, chronic"
    rows[0][header.index("current_medications___2")] = "maybe"
    canonical, found = records(header, rows)
    cells = answers_of(canonical, found[0])
    assert cells["ketamine_allergy"] == "7 (not a choice of REDCap field ketamine_allergy)"
    assert (
        cells["primary_condition"]
        == "Migraine chronic (not a choice of REDCap field primary_condition)"
    )
    # "none" is ticked too (the clear answers): the core refuses the whole cell either way.
    assert cells["current_medications"] == (
        "current_medications___2=maybe (not ticked or unticked);none"
    )
    _, problems = coerce_answers(RULES.question_map, cells)
    assert {p.question for p in problems} == {
        "ketamine_allergy",
        "primary_condition",
        "current_medications",
    }


def test_dont_know_words_in_coded_cells_are_unknown() -> None:
    header, rows = export(("A1", {}, "2"))
    rows[0][header.index("pregnant")] = "NA"  # what R writes for a blank
    rows[0][header.index("seizures")] = "99"
    canonical, found = records(header, rows)
    cells = answers_of(canonical, found[0])
    assert (cells["pregnant"], cells["seizures"]) == ("", "")


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("0", "REDCap form prescreen is Incomplete (prescreen_complete = 0)"),
        ("1", "REDCap form prescreen is Unverified (prescreen_complete = 1)"),
        ("Incomplete", "REDCap form prescreen is Incomplete (prescreen_complete = 0)"),
        ("", "REDCap form prescreen has no status (prescreen_complete is blank)"),
        ("3", "prescreen_complete is '3', not a form status (0, 1 or 2)"),
    ],
)
def test_a_form_that_is_not_complete_is_not_scored_unless_asked(status: str, reason: str) -> None:
    header, rows = export(("A1", {}, "2"), ("A2", {}, "2"))
    rows[1][header.index("prescreen_complete")] = status
    _, found = records(header, rows)
    assert found[0].not_scored is None
    assert found[1].not_scored == f"{reason}: not scored (--include-incomplete scores it)"
    _, found = records(header, rows, include_incomplete=True)
    assert found[1].not_scored is None


def test_an_export_without_the_form_status_needs_include_incomplete() -> None:
    header, rows = export(("A1", {}, "2"))
    keep = [i for i, name in enumerate(header) if name != "prescreen_complete"]
    header = [header[i] for i in keep]
    rows = [[row[i] for i in keep] for row in rows]
    with pytest.raises(UsageError, match=r"no prescreen_complete column .* --include-incomplete"):
        records(header, rows)
    _, found = records(header, rows, include_incomplete=True)
    assert found[0].not_scored is None


def test_one_record_per_record_and_event_with_the_event_in_its_id() -> None:
    header, rows = export(("A1", {}, "2"), ("A1", {"hypertension": "yes"}, "2"), ("A2", {}, "2"))
    header = [header[0], "redcap_event_name", *header[1:]]
    events = ["screening_arm_1", "followup_arm_1", "screening_arm_1"]
    rows = [[row[0], event, *row[1:]] for row, event in zip(rows, events, strict=True)]
    canonical, found = records(header, rows)
    assert [r.cells[0] for r in found] == [
        "A1/screening_arm_1",
        "A1/followup_arm_1",
        "A2/screening_arm_1",
    ]
    assert answers_of(canonical, found[1])["hypertension"] == "yes"


def test_repeat_rows_are_folded_into_their_record() -> None:
    header, rows = export(("A1", {}, "2"), ("A2", {}, "2"))
    header = [header[0], "redcap_repeat_instrument", "redcap_repeat_instance", *header[1:], "note"]
    blank = ["" for _ in header]
    base = [[row[0], "", "", *row[1:], ""] for row in rows]
    repeat = [list(blank) for _ in range(2)]
    for n, extra in enumerate(repeat, start=1):
        extra[0], extra[1], extra[2], extra[-1] = "A1", "contact_log", str(n), f"call {n}"
    canonical, found = records(header, [base[0], *repeat, base[1]])
    assert [r.cells[0] for r in found] == ["A1", "A2"]
    assert all(r.problems == [] and r.not_scored is None for r in found)
    assert answers_of(canonical, found[0]) == answers_of(canonical, found[1])


def test_rows_of_one_record_that_disagree_or_lie_apart_make_it_invalid() -> None:
    header, rows = export(
        ("A1", {}, "2"), ("A1", {"hypertension": "yes"}, "2"), ("A2", {}, "2"), ("A1", {}, "2")
    )
    header = [header[0], "redcap_repeat_instrument", "redcap_repeat_instance", *header[1:]]
    rows = [[row[0], "survey", str(n), *row[1:]] for n, row in enumerate(rows, start=1)]
    _, found = records(header, rows)
    assert [r.cells[0] for r in found] == ["A1", "A2", "A1"]
    assert found[0].problems == [
        "hypertension: the record's rows hold different answers (export rows 1, 2)"
    ]
    assert found[2].problems == [
        "export row 4: more rows of A1, apart from its rows from export row 1 on;"
        " sort the export by record"
    ]


def test_ragged_rows_and_rows_without_an_id_are_records_with_a_problem() -> None:
    header, rows = export(("A1", {}, "2"), ("", {}, "2"))
    canonical, found = records(header, [rows[0][:5], rows[1]])
    assert found[0].cells[0] == "A1"
    assert found[0].problems == [f"export row 1: too few fields: 5, the header has {len(header)}"]
    assert found[1].problems == ["export row 2: no record id"]
    assert len(found[0].cells) == len(canonical)


def test_label_headers_shared_by_several_fields_are_not_read() -> None:
    """A report may order its columns as it likes: which of two "Yes or no?" columns is
    which cannot be told, so neither is read (their questions are unknown)."""
    text = (
        "field_name,form_name,field_type,field_label,select_choices_or_calculations\n"
        "record_id,f,text,Record ID,\n"
        "hypertension,f,yesno,Yes or no?,\n"
        "pregnant,f,yesno,Yes or no?,\n"
        "seizures,f,yesno,Seizures?,\n"
    )
    dictionary = parse_dictionary(text, "d.csv")
    header = ["Record ID", "Yes or no?", "Yes or no?", "Seizures?", "Complete?"]
    export = RedcapExport(Rows(header, [["1", "Yes", "No", "No", "Complete"]]), dictionary, RULES)
    cells = next(iter(export.records())).cells
    assert dict(zip(export.header, cells, strict=True)) == {"record_id": "1", "seizures": "no"}
    assert export.warnings == [
        "label headers shared by several fields, so not read (export with field names as"
        " headers to read them): Yes or no?"
    ]


def test_a_code_that_is_another_choices_label_is_read_as_the_file_reads() -> None:
    text = (
        "field_name,form_name,field_type,field_label,select_choices_or_calculations\n"
        "record_id,f,text,Record ID,\n"
        'failed_antidepressants,f,dropdown,How many?,"1, 0 | 2, 1 | 3, 2 | 4, 3"\n'
    )
    dictionary = parse_dictionary(text, "d.csv")
    header = ["record_id", "failed_antidepressants", "f_complete"]
    raw = records(header, [["1", "2", "2"], ["2", "4", "2"]], dictionary=dictionary)[1]
    assert [r.cells[1] for r in raw] == ["1", "3"]
    labels = records(
        header, [["1", "2", "Complete"], ["2", "3", "Complete"]], dictionary=dictionary
    )[1]
    assert [r.cells[1] for r in labels] == ["2", "3"]
    unclear = records(header, [["1", "2", ""]], dictionary=dictionary, include_incomplete=True)[1]
    assert "and the label of another" in unclear[0].cells[1]


def test_what_the_export_cannot_give_is_said_once_and_its_questions_are_unknown() -> None:
    header, rows = export(("A1", {}, "2"))
    keep = [i for i, name in enumerate(header) if name != "current_medications___4"]
    export_rows = RedcapExport(
        Rows([*(header[i] for i in keep), "site"], [[*(rows[0][i] for i in keep), "north"]]),
        DICTIONARY,
        RULES,
    )
    assert "current_medications" not in export_rows.header
    assert export_rows.warnings == [
        "question current_medications: dict.csv row 26: the export has only some of the tick-box"
        " columns of current_medications; its answers are unknown",
        "export columns that dict.csv does not describe (ignored): site",
    ]


def test_an_export_of_another_project_is_one_clear_error() -> None:
    with pytest.raises(InputFileError, match="the export has no record id column"):
        records(["id", "age"], [["1", "42"]])
    with pytest.raises(InputFileError, match="no column of the export holds a question"):
        records(["record_id", "colour"], [["1", "red"]])


def test_an_exclusive_option_is_not_none_unless_its_label_says_so() -> None:
    """A "Not sure" box made exclusive must not read as "none of these": that would clear
    every rule about the medicines the person takes."""
    text = DICTIONARY_CSV.replace(
        "| 0, None of these | 99, Don't know", "| 0, None of the above | 98, Not sure"
    ).replace("@NONEOFTHEABOVE='0,99'", "@NONEOFTHEABOVE='0,98'")
    dictionary = parse_dictionary(text, "d.csv")
    header, rows = export(("A1", {}, "2"))
    header = [h.replace("current_medications___99", "current_medications___98") for h in header]
    rows[0][header.index("current_medications___0")] = "0"
    rows[0][header.index("current_medications___98")] = "1"
    second = ["A2", *rows[0][1:]]
    second[header.index("current_medications___98")] = "0"
    second[header.index("current_medications___0")] = "1"
    third = ["A3", *second[1:]]
    third[header.index("current_medications___0")] = "?"
    canonical, found = records(header, [rows[0], second, third], dictionary=dictionary)
    column = canonical.index("current_medications")
    assert [r.cells[column] for r in found] == [
        "current_medications___98 (not a choice of the question)",
        "none",
        "",  # "?" in a box: not known
    ]
