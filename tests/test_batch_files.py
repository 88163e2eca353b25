"""`screener batch` on real files: odd exports, bad records, output shapes, exit codes."""

from __future__ import annotations

import csv
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner, Result

from screener.cli import app
from screener.core.limits import MAX_CSV_COLUMNS
from screener.rulefile.load import load_ruleset

from .conftest import CLEAR_ANSWERS

runner = CliRunner()
QUESTIONS = [q.id for q in load_ruleset().questions]
HEADER = ["intake_id", *QUESTIONS]


def record(intake_id: str, **changes: str) -> list[str]:
    answers = {**CLEAR_ANSWERS, **changes}
    return [intake_id, *(answers[q] for q in QUESTIONS)]


def write_export(
    path: Path,
    rows: list[list[str]],
    header: list[str] = HEADER,
    *,
    bom: bool = False,
    line_end: str = "\n",
    encoding: str = "utf-8",
) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig" if bom else encoding) as handle:
        csv.writer(handle, lineterminator=line_end).writerows([header, *rows])
    return path


def batch(*args: str | Path) -> Result:
    return runner.invoke(app, ["batch", *(str(a) for a in args)])


def output_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def stdout_rows(result: Result) -> list[dict[str, str]]:
    return list(csv.DictReader(result.stdout.splitlines()))


def test_every_record_gets_one_output_row_in_input_order_with_its_number_and_id(
    tmp_path: Path,
) -> None:
    export = write_export(
        tmp_path / "in.csv",
        [record("A1"), record("A2", self_harm_thoughts="yes"), record("A3", age="16")],
    )
    result = batch(export, "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    rows = output_rows(tmp_path / "out.csv")
    assert list(rows[0]) == [
        "row", "intake_id", "outcome", "deciding", "undecided", "flags", "missing", "errors",
        "safety_unreadable", "urgent_answer",
    ]  # fmt: skip
    assert [(r["row"], r["intake_id"], r["outcome"]) for r in rows] == [
        ("1", "A1", "likely_eligible"),
        ("2", "A2", "urgent"),
        ("3", "A3", "not_eligible"),
    ]
    assert rows[1]["deciding"] == "self_harm"
    assert rows[2]["deciding"] == "under_18"
    assert rows[0]["flags"] == "phq9_moderately_severe"


def test_bom_crlf_and_a_line_break_inside_quotes_are_read_as_the_export_means(
    tmp_path: Path,
) -> None:
    rows = [[*record("A1"), "called back,\r\nleft a message"], [*record("A2"), "-"]]
    export = write_export(tmp_path / "in.csv", rows, [*HEADER, "notes"], bom=True, line_end="\r\n")
    assert export.read_bytes().startswith(b"\xef\xbb\xbfintake_id,")
    result = batch(export)
    assert result.exit_code == 0, result.output
    out = stdout_rows(result)
    assert [(r["row"], r["intake_id"], r["outcome"]) for r in out] == [
        ("1", "A1", "likely_eligible"),
        ("2", "A2", "likely_eligible"),
    ]
    assert "(ignored): notes" in result.stderr


def test_records_with_too_many_or_too_few_fields_are_invalid_and_the_rest_are_scored(
    tmp_path: Path,
) -> None:
    rows = [record("A1"), [*record("A2"), "extra"], record("A3")[:-2], record("A4")]
    result = batch(write_export(tmp_path / "in.csv", rows), "-o", tmp_path / "out.csv")
    assert result.exit_code == 3
    out = output_rows(tmp_path / "out.csv")
    assert [r["outcome"] for r in out] == [
        "likely_eligible",
        "invalid",
        "invalid",
        "likely_eligible",
    ]
    assert [r["intake_id"] for r in out] == ["A1", "A2", "A3", "A4"]
    assert out[1]["errors"] == "too many fields: 30, the header has 29 (extra: 'extra')"
    assert out[2]["errors"] == "too few fields: 27, the header has 29"
    assert out[1]["deciding"] == out[1]["flags"] == out[1]["missing"] == ""


def test_each_unreadable_value_of_a_record_is_named_with_its_column_value_and_why(
    tmp_path: Path,
) -> None:
    rows = [record("A1", age="999", hypertension="maybe", current_medications="maoi;aspirin")]
    result = batch(write_export(tmp_path / "in.csv", rows))
    assert result.exit_code == 3
    (row,) = stdout_rows(result)
    assert row["outcome"] == "invalid"
    assert row["errors"].split(" | ") == [
        "age: 999 is above the maximum 120 (got '999')",
        "hypertension: expected yes or no (got 'maybe')",
        "current_medications: 'aspirin' is not one of: maoi, stimulant, benzodiazepine, opioid,"
        " naltrexone, lamotrigine, theophylline, thyroid_hormone, none (got 'maoi;aspirin')",
    ]


def test_an_unreadable_answer_is_never_scored_even_when_the_rest_looks_eligible(
    tmp_path: Path,
) -> None:
    rows = [record("A1", failed_antidepressants="three")]
    (row,) = stdout_rows(batch(write_export(tmp_path / "in.csv", rows)))
    assert row["outcome"] == "invalid"


def test_unknown_columns_and_missing_question_columns_are_reported_once(tmp_path: Path) -> None:
    header = [h for h in HEADER if h != "phq9_total"] + ["clinic_site"]
    rows = [[c for h, c in zip(HEADER, record(f"A{i}"), strict=True) if h != "phq9_total"] + ["x"]
            for i in range(200)]  # fmt: skip
    result = batch(write_export(tmp_path / "in.csv", rows, header), "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("clinic_site") == 1
    assert result.stderr.count("phq9_total") == 1
    assert "Questions with no column (answers unknown): phq9_total" in result.stderr
    out = output_rows(tmp_path / "out.csv")
    assert {r["outcome"] for r in out} == {"likely_eligible"}
    assert {r["flags"] for r in out} == {""}  # no PHQ-9 band without the column
    assert all("clinic_site" not in r["errors"] for r in out)


def test_header_names_match_questions_whatever_their_case_spaces_or_aliases(tmp_path: Path) -> None:
    header = [" Intake_ID ", *QUESTIONS]
    header[header.index("age")] = "Age_Years"  # an alias in the bundled rules.yaml
    header[header.index("primary_condition")] = "  PRIMARY_CONDITION "
    rows = [record("A1", age="16"), record("A2", primary_condition="ptsd")]
    result = batch(write_export(tmp_path / "in.csv", rows, header))
    assert result.exit_code == 0, result.output
    out = stdout_rows(result)
    assert [(r["intake_id"], r["deciding"]) for r in out] == [
        ("A1", "under_18"),
        ("A2", "off_label_condition"),
    ]
    assert "ignored" not in result.stderr


def test_two_columns_for_the_same_question_stop_the_run_with_a_clear_error(tmp_path: Path) -> None:
    header = [*HEADER, "AGE"]
    export = write_export(tmp_path / "in.csv", [[*record("A1"), "42"]], header)
    result = batch(export, "-o", tmp_path / "out.csv")
    assert result.exit_code == 1
    assert "columns 2 ('age') and 30 ('AGE') both hold question 'age'" in result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_two_id_columns_stop_the_run_instead_of_one_being_ignored(tmp_path: Path) -> None:
    header = [*HEADER, "Intake_ID"]
    export = write_export(tmp_path / "in.csv", [[*record("A1"), "B1"]], header)
    result = batch(export, "-o", tmp_path / "out.csv")
    assert result.exit_code == 1
    expected = f"columns 1 ('intake_id') and {len(header)} ('Intake_ID') both hold the record id"
    assert expected in result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_a_mapping_file_maps_the_clinics_own_headers_to_question_ids(tmp_path: Path) -> None:
    header = list(HEADER)
    header[header.index("self_harm_thoughts")] = "SI screen (2 wks)"
    header[header.index("bp_systolic")] = "Systolic"
    mapping = tmp_path / "columns.yaml"
    mapping.write_text('"si screen (2 wks)": self_harm_thoughts\nSYSTOLIC: bp_systolic\n')
    rows = [record("A1", self_harm_thoughts="yes"), record("A2", bp_systolic="185")]
    result = batch(write_export(tmp_path / "in.csv", rows, header), "--map", mapping)
    assert result.exit_code == 0, result.output
    assert [r["deciding"] for r in stdout_rows(result)] == ["self_harm", "bp_uncontrolled"]


def test_a_mapping_to_something_that_is_not_a_question_is_refused(tmp_path: Path) -> None:
    mapping = tmp_path / "columns.yaml"
    mapping.write_text("Systolic: bp_sytolic\n")
    result = batch(write_export(tmp_path / "in.csv", [record("A1")]), "--map", mapping)
    assert result.exit_code == 1
    assert "'Systolic' maps to 'bp_sytolic', not a question id (did you mean 'bp_systolic'?)" in (
        result.stderr
    )


def test_a_mapping_with_huge_names_is_refused_in_one_short_line_each(tmp_path: Path) -> None:
    mapping = tmp_path / "columns.yaml"
    long_header, long_target = "H" * 5_000, "q\\e[31m" + "x" * 5_000  # YAML's escape for ESC
    # Keys past 1,024 characters are written as YAML's explicit keys (`? key`, then `: value`).
    mapping.write_text(f'? {long_header}\n: "{long_target}"\n? {long_header}2\n: {{odd: 1}}\n')
    result = batch(write_export(tmp_path / "in.csv", [record("A1")]), "--map", mapping)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert all(len(line) < 300 for line in lines), result.stderr
    assert "\x1b" not in result.stderr  # escaped as text, never a terminal code
    assert "'" + "H" * 40 + "\u2026' maps to 'q\\x1b[31m" in lines[0]


def test_a_windows_export_read_as_utf8_fails_with_the_byte_offset_and_works_with_cp1252(
    tmp_path: Path,
) -> None:
    rows = [record("A1"), record("Zoë-2")]
    export = write_export(tmp_path / "in.csv", rows, encoding="cp1252")
    offset = export.read_bytes().index(b"\xeb")
    result = batch(export, "-o", tmp_path / "out.csv")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {export}: not valid UTF-8 text: byte 0xeb at byte offset {offset} (line 3);"
        " if it was saved by Excel or another Windows program, try --encoding cp1252\n"
    )
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.csv").exists()

    result = batch(export, "--encoding", "cp1252", "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    assert [r["intake_id"] for r in output_rows(tmp_path / "out.csv")] == ["A1", "Zoë-2"]


def test_a_utf8_file_with_a_byte_order_mark_read_as_cp1252_is_refused_not_misread(
    tmp_path: Path,
) -> None:
    export = write_export(tmp_path / "in.csv", [record("A1")])
    export.write_bytes(b"\xef\xbb\xbf" + export.read_bytes())  # Excel's "CSV UTF-8"
    for encoding in ("cp1252", "latin-1"):
        result = batch(export, "--encoding", encoding, "-o", tmp_path / "out.csv")
        assert result.exit_code == 1, result.output
        assert "starts with a UTF-8 byte order mark" in result.stderr
        assert f"not {encoding}; run without --encoding" in result.stderr  # as it was typed
        assert "Traceback" not in result.output
        assert not (tmp_path / "out.csv").exists()
    result = batch(export, "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    assert [r["intake_id"] for r in output_rows(tmp_path / "out.csv")] == ["A1"]


def test_utf16_named_for_a_file_without_its_byte_order_mark_is_one_clear_error(
    tmp_path: Path,
) -> None:
    export = write_export(tmp_path / "in.csv", [record("A1")])
    result = batch(export, "--encoding", "utf-16", "-o", tmp_path / "out.csv")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"error: {export}: cannot be read as utf-16 text")
    assert "internal error" not in result.stderr
    # The same file saved as UTF-16 with its byte order mark is read.
    export.write_text(export.read_text(encoding="utf-8"), encoding="utf-16")
    result = batch(export, "--encoding", "utf-16", "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    assert [r["intake_id"] for r in output_rows(tmp_path / "out.csv")] == ["A1"]


def test_a_lone_carriage_return_ends_a_record_as_in_any_csv_reader(tmp_path: Path) -> None:
    # As Python's csv module and pandas read it: an unquoted CR ends the record, so the record
    # counts match theirs, and a piece of the wrong width is invalid at its place.
    export = tmp_path / "in.csv"
    lines = [b"intake_id,age,self_harm_thoughts", b"A1,4\r0,no", b'"A\r2",42,no', b"A3,43,yes"]
    export.write_bytes(b"\n".join([*lines, b""]))
    result = batch(export, "-o", tmp_path / "out.csv")
    assert result.exit_code == 3, result.output
    with export.open(newline="", encoding="utf-8") as handle:
        assert len(list(csv.reader(handle))[1:]) == 4
    assert [
        (r["row"], r["intake_id"], r["outcome"]) for r in output_rows(tmp_path / "out.csv")
    ] == [
        ("1", "A1", "invalid"),  # A1,4
        ("2", "0", "invalid"),  # 0,no
        ("3", "A\r2", "needs_review"),  # a quoted CR stays in its cell
        ("4", "A3", "urgent"),
    ]


def test_a_header_of_more_columns_than_the_limit_is_refused_before_any_record(
    tmp_path: Path,
) -> None:
    export = tmp_path / "wide.csv"
    for extra, code in ((MAX_CSV_COLUMNS - 2, 0), (MAX_CSV_COLUMNS - 1, 1)):
        names = ",".join(f"x{i}" for i in range(extra))
        export.write_text(f"intake_id,age,{names}\nA1,40{',' * extra}\n", encoding="utf-8")
        result = batch(export, "-o", tmp_path / "out.csv")
        assert result.exit_code == code, result.output
    assert result.stderr == (
        f"error: {export}: the header has {MAX_CSV_COLUMNS + 1:,} columns, more than the"
        f" {MAX_CSV_COLUMNS:,} a CSV export may have; export only the screening's columns\n"
    )


@pytest.mark.parametrize(
    "command",
    [
        ["batch", "{export}", "-o", "{out}", "--summary-json", "-"],
        ["diff", "{rules}", "{rules}", "--data", "{export}", "-o", "-"],
        ["score", "{answers}", "-o", "-"],
    ],
)
def test_a_dash_for_an_option_that_writes_a_file_is_refused_not_made_into_a_file_named_dash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    export = write_export(tmp_path / "in.csv", [record("A1")])
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(CLEAR_ANSWERS), encoding="utf-8")
    rules = os.environ["SCREENER_RULES"]
    names = {"export": export, "out": tmp_path / "out.csv", "rules": rules, "answers": answers}
    result = runner.invoke(app, [part.format(**names) for part in command])
    assert result.exit_code == 2, result.output
    assert "'-' is not a file name here: this option writes a file" in result.stderr
    assert not (tmp_path / "-").exists()


def test_an_unknown_encoding_is_a_usage_error(tmp_path: Path) -> None:
    result = batch(write_export(tmp_path / "in.csv", [record("A1")]), "--encoding", "klingon")
    assert result.exit_code == 2
    assert "unknown encoding" in result.stderr


def test_the_input_file_is_never_overwritten(tmp_path: Path) -> None:
    export = write_export(tmp_path / "in.csv", [record("A1")])
    before = export.read_bytes()
    for target in (export, tmp_path / "." / "in.csv"):
        result = batch(export, "-o", target)
        assert result.exit_code == 2
        assert "is an input file" in result.stderr and "never overwritten" in result.stderr
    assert export.read_bytes() == before


def test_a_run_that_fails_midway_leaves_the_previous_output_and_no_temporary_file(
    tmp_path: Path,
) -> None:
    export = write_export(tmp_path / "in.csv", [record(f"A{i}") for i in range(20_000)])
    with export.open("ab") as handle:  # a bad byte after the first block was written
        handle.write(b"A20000,4\xff2\n")
    out = tmp_path / "out.csv"
    out.write_text("yesterday's results\n")
    result = batch(export, "-o", out)
    assert result.exit_code == 1
    assert "byte 0xff at byte offset" in result.stderr
    assert out.read_text() == "yesterday's results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_the_output_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    batch(write_export(tmp_path / "in.csv", [record("A1")]), "-o", out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_jsonl_output_has_one_object_per_record_with_lists(tmp_path: Path) -> None:
    rows = [
        record("A1", bp_systolic=""),
        record("A2", hypertension="maybe"),
        record("A3", current_medications="lamotrigine;thyroid_hormone"),
    ]
    result = batch(write_export(tmp_path / "in.csv", rows), "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 3
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    objects = [json.loads(line) for line in lines]
    assert objects[0] == {
        "row": 1,
        "intake_id": "A1",
        "outcome": "needs_review",
        # No reading: the BP rules could not be decided; none holds at needs_review.
        "deciding": [],
        "undecided": ["bp_uncontrolled", "bp_elevated"],
        "flags": ["phq9_moderately_severe", "no_bp_reading"],
        "missing": ["bp_systolic"],
        "errors": [],
        "safety_unreadable": False,
        "urgent_answer": False,
    }
    assert objects[1]["outcome"] == "invalid"
    assert objects[1]["errors"] == ["hypertension: expected yes or no (got 'maybe')"]
    assert objects[2]["flags"] == [
        "lamotrigine_flag",
        "thyroid_hormone_flag",
        "phq9_moderately_severe",
    ]


def test_summary_json_gives_counts_reasons_invalid_records_and_columns(tmp_path: Path) -> None:
    rows = [
        record("A1"),
        record("A2", hypertension="yes"),
        record("A3", hypertension="yes", age="16"),
        record("A4", age="old"),
        record("A5")[:5],
    ]
    summary = tmp_path / "summary.json"
    export = write_export(tmp_path / "in.csv", [[*r, "x"] for r in rows[:4]] + [rows[4]],
                          [*HEADER, "site"])  # fmt: skip
    result = batch(export, "-o", tmp_path / "out.csv", "--summary-json", summary)
    assert result.exit_code == 3
    data = json.loads(summary.read_text())
    assert data["schema"] == "screener.batch-summary/1"
    assert data["records"] == 5
    assert data["outcomes"] == {
        "likely_eligible": 1,
        "needs_review": 1,
        "not_eligible": 1,
        "urgent": 0,
        "invalid": 2,
    }
    assert data["top_reasons"][:2] == [
        {"rule": "under_18", "label": "Under 18", "records": 1},
        {"rule": "hypertension_review", "label": "High blood pressure diagnosis", "records": 1},
    ] or data["top_reasons"][:2] == [
        {"rule": "hypertension_review", "label": "High blood pressure diagnosis", "records": 1},
        {"rule": "under_18", "label": "Under 18", "records": 1},
    ]
    assert data["invalid"] == [
        {
            "row": 4,
            "id": "A4",
            "problem": "age: expected a whole number",  # no value without --show-values
            "problems": 1,
            "safety_unreadable": False,
            "urgent_answer": False,
        },
        # Too few fields: the safety answer cannot be read either.
        {
            "row": 5,
            "id": "A5",
            "problem": "too few fields: 5, the header has 30",
            "problems": 1,
            "safety_unreadable": True,
            "urgent_answer": False,
        },
    ]
    assert data["safety_unreadable"] == 1
    assert data["safety_unreadable_records"] == [{"row": 5, "id": "A5"}]
    assert data["unknown_columns"] == ["site"]
    assert data["missing_columns"] == []
    assert data["columns"]["age"] == "age"
    assert data["id_column"] == "intake_id"
    assert data["exit_code"] == 3
    assert data["ruleset"]["name"] == "Default ketamine infusion pre-screen"
    assert stat.S_IMODE(summary.stat().st_mode) == 0o600


def test_the_printed_summary_counts_outcomes_and_names_the_invalid_records(tmp_path: Path) -> None:
    rows = [record("A1"), record("A2", self_harm_thoughts="yes"), record("A3", pregnant="?!")]
    result = batch(write_export(tmp_path / "in.csv", rows), "-o", tmp_path / "out.csv")
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"screener batch: 3 records from {tmp_path / 'in.csv'} in ")
    assert any(line.split() == ["urgent", "1", "33.3%"] for line in lines)
    assert any(line.split() == ["invalid", "1", "33.3%"] for line in lines)
    assert any(line.split()[:2] == ["self_harm", "1"] for line in lines)
    assert "  row 3 A3: pregnant: expected yes or no" in lines  # the value only with --show-values


def test_exit_code_is_0_when_every_record_was_scored_and_3_when_some_were_invalid(
    tmp_path: Path,
) -> None:
    good = write_export(tmp_path / "good.csv", [record("A1"), record("A2", age="16")])
    bad = write_export(tmp_path / "bad.csv", [record("A1"), record("A2", age="-3")])
    assert batch(good).exit_code == 0
    assert batch(bad).exit_code == 3
    assert batch(tmp_path / "missing.csv").exit_code == 1
    assert batch(good, "--output", tmp_path / "out.xlsx").exit_code == 2


def test_an_empty_file_is_an_error_and_a_header_alone_gives_just_the_header(
    tmp_path: Path,
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = batch(empty)
    assert result.exit_code == 1
    assert "the file is empty; expected a header record" in result.stderr

    result = batch(write_export(tmp_path / "header.csv", []))
    assert result.exit_code == 0
    assert (
        result.stdout
        == "row,intake_id,outcome,deciding,undecided,flags,missing,errors,safety_unreadable,"
        "urgent_answer\n"
    )
    assert "0 records" in result.stderr


def test_blank_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    export = tmp_path / "in.csv"
    lines = [",".join(HEADER), ",".join(record("A1")), "", ",".join(record("A2")), "", ""]
    export.write_text("\n".join(lines))
    result = batch(export)
    assert result.exit_code == 0
    assert [(r["row"], r["intake_id"]) for r in stdout_rows(result)] == [("1", "A1"), ("2", "A2")]
    assert "Blank lines skipped: 2" in result.stderr


def test_multi_choice_answers_joined_by_semicolons_are_read(tmp_path: Path) -> None:
    rows = [
        record("A1", current_medications="opioid; Naltrexone"),
        record("A2", current_medications="benzodiazepine", benzodiazepine_dose_mg="5"),
    ]
    out = stdout_rows(batch(write_export(tmp_path / "in.csv", rows)))
    assert out[0]["deciding"] == "opioid_review;naltrexone_review"
    assert out[1]["outcome"] == "likely_eligible"
    assert out[1]["flags"] == "benzodiazepine_low;phq9_moderately_severe"


def test_include_input_copies_every_input_column_after_the_results(tmp_path: Path) -> None:
    rows = [[*record("A1"), "a, b"], record("A2")]
    export = write_export(tmp_path / "in.csv", rows, [*HEADER, "notes"])
    result = batch(export, "--include-input", "-o", tmp_path / "out.csv")
    assert result.exit_code == 3  # A2 has too few fields
    out = output_rows(tmp_path / "out.csv")
    assert list(out[0])[:11] == [
        "row", "intake_id", "outcome", "deciding", "undecided", "flags", "missing", "errors",
        "safety_unreadable", "urgent_answer", "input_intake_id"
    ]  # fmt: skip
    assert out[0]["notes"] == "a, b"
    assert out[0]["age"] == "42"
    assert out[1]["notes"] == ""

    result = batch(export, "--include-input", "-f", "jsonl")
    first = json.loads(result.stdout.splitlines()[0])
    assert first["input"]["notes"] == "a, b"
    assert first["input"]["intake_id"] == "A1"


def test_include_input_keeps_every_cell_of_repeated_header_names_in_csv_and_jsonl(
    tmp_path: Path,
) -> None:
    header = [*HEADER, "notes", "notes", "notes (2)", "input_intake_id"]
    export = write_export(tmp_path / "in.csv", [[*record("A1"), "x", "y", "z", "w"]], header)
    result = batch(export, "--include-input", "-f", "jsonl")
    assert result.exit_code == 0, result.output
    cells = json.loads(result.stdout.splitlines()[0])["input"]
    assert [cells[k] for k in ("notes", "notes (3)", "notes (2)", "input_intake_id")] == [
        "x", "y", "z", "w"
    ]  # fmt: skip
    assert len(cells) == len(header)

    result = batch(export, "--include-input", "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as handle:
        names = next(csv.reader(handle))
    assert len(set(names)) == len(names)
    assert names[10] == "input_intake_id"  # the id column, clashing with the results' own
    assert names[-4:] == ["notes", "notes (3)", "notes (2)", "input_intake_id (2)"]


def test_the_id_column_can_be_named_and_a_named_one_that_is_missing_is_a_usage_error(
    tmp_path: Path,
) -> None:
    header = ["MRN", *QUESTIONS]
    export = write_export(tmp_path / "in.csv", [record("M-1")], header)
    result = batch(export, "--id-column", "mrn")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("row,mrn,outcome")
    assert stdout_rows(result)[0]["mrn"] == "M-1"

    result = batch(export, "--id-column", "patient")
    assert result.exit_code == 2
    assert "--id-column 'patient': the header has no such column" in result.stderr


def test_without_an_id_column_records_are_named_by_their_row(tmp_path: Path) -> None:
    export = write_export(tmp_path / "in.csv", [record("x")[1:]], QUESTIONS)
    result = batch(export, "-f", "jsonl")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["intake_id"] is None
    assert "No id column" in result.stderr


def test_ids_that_need_quoting_are_quoted_in_the_csv_output(tmp_path: Path) -> None:
    rows = [record('Smith, "Jo"'), record("A2")]
    out = stdout_rows(batch(write_export(tmp_path / "in.csv", rows)))
    assert [r["intake_id"] for r in out] == ['Smith, "Jo"', "A2"]


def test_stdout_holds_only_the_records_and_the_summary_goes_to_stderr(tmp_path: Path) -> None:
    result = batch(write_export(tmp_path / "in.csv", [record("A1")]))
    assert result.stdout.splitlines() == [
        "row,intake_id,outcome,deciding,undecided,flags,missing,errors,safety_unreadable,"
        "urgent_answer",
        "1,A1,likely_eligible,,,phq9_moderately_severe,,,no,no",
    ]
    assert "screener batch: 1 record from" in result.stderr
    assert "━" not in result.stderr  # no progress bar when stderr is not a terminal


def test_a_terminal_sees_a_progress_bar_then_the_summary(tmp_path: Path) -> None:
    export = write_export(tmp_path / "in.csv", [record(f"A{i}") for i in range(60_000)])
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "100"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "screener", "batch", str(export), "-o", str(tmp_path / "out.csv")],
        encoding="utf-8",
        env=env,
        timeout=60,
        dimensions=(24, 100),
    )
    child.expect("scoring")
    child.expect("━")
    child.expect("records")
    child.expect("screener batch: 60,000 records")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert len(output_rows(tmp_path / "out.csv")) == 60_000


@pytest.mark.parametrize("name", ["out.csv", "out.jsonl"])
def test_output_format_follows_the_file_name(tmp_path: Path, name: str) -> None:
    export = write_export(tmp_path / "in.csv", [record("A1")])
    assert batch(export, "-o", tmp_path / name).exit_code == 0
    text = (tmp_path / name).read_text()
    assert text.startswith("{") == name.endswith(".jsonl")


def test_a_directory_as_output_is_a_usage_error(tmp_path: Path) -> None:
    result = batch(write_export(tmp_path / "in.csv", [record("A1")]), "-f", "csv", "-o", tmp_path)
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


@pytest.mark.parametrize("swallowed", ["x" * 140_000, "x\nA3,yes,no\nA4,no"])
def test_a_quote_that_is_never_closed_is_named_with_its_line(
    tmp_path: Path, swallowed: str
) -> None:
    # Short or long, the lines after an unclosed quote are never taken as one cell of A2.
    export = tmp_path / "in.csv"
    export.write_text(",".join(HEADER) + "\n" + ",".join(record("A1")) + '\nA2,"' + swallowed)
    result = batch(export, "-o", tmp_path / "out.csv")
    assert result.exit_code == 1
    assert f"{export}: line 3: a quote that opens a cell" in result.stderr
    assert "never closed" in result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_numpy_loads_only_for_batch() -> None:
    code = (
        "import sys\n"
        "from screener.cli import app\n"
        "try:\n"
        "    app(['score', {example!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('numpy' in sys.modules)\n"
    )
    example = str(Path(__file__).parent.parent / "examples" / "urgent.yaml")
    done = subprocess.run(
        [sys.executable, "-c", code.format(example=example)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize(
    ("header_line", "message"),
    [
        ("intake_id;age;primary_condition", "is the file delimited by ';' instead of ','?"),
        ("name,email", "check the header names, or map them with --map"),
    ],
)
def test_a_header_that_matches_no_question_stops_the_run(
    tmp_path: Path, header_line: str, message: str
) -> None:
    export = tmp_path / "in.csv"
    export.write_text(f"{header_line}\nA1;42;depression\n")
    result = batch(export, "-o", tmp_path / "out.csv")
    assert result.exit_code == 1
    assert "no column of the header matches a question of the rule set" in result.stderr
    assert message in result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_a_mapping_entry_that_names_no_column_stops_the_run(tmp_path: Path) -> None:
    header = list(HEADER)
    header[header.index("self_harm_thoughts")] = "SI screen (2 wks)"
    mapping = tmp_path / "columns.yaml"
    mapping.write_text('"SI screen": self_harm_thoughts\n')
    export = write_export(tmp_path / "in.csv", [record("A1", self_harm_thoughts="yes")], header)
    result = batch(export, "--map", mapping, "-o", tmp_path / "out.csv")
    assert result.exit_code == 1
    assert "names no column of the header (did you mean 'SI screen (2 wks)'?)" in result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_a_header_with_an_extra_column_is_named_as_the_likely_cause(tmp_path: Path) -> None:
    export = write_export(tmp_path / "in.csv", [record("A1"), record("A2")], [*HEADER, "notes"])
    result = batch(export, "-o", tmp_path / "out.csv")
    assert result.exit_code == 3
    assert "2 of 2 records have a different number of fields than the header" in result.stderr
    assert "check the header for a missing or extra column" in result.stderr


def test_rules_left_undecided_by_blank_medicines_are_not_listed_as_deciding(
    tmp_path: Path,
) -> None:
    # A record whose medicines were left blank: the medication rules cannot be decided. They
    # make the outcome needs_review, but they do not hold, so they are listed apart.
    rows = [record("A1", current_medications=""), record("A2", pregnant="yes")]
    summary = tmp_path / "summary.json"
    result = batch(write_export(tmp_path / "in.csv", rows), "--summary-json", summary)
    assert result.exit_code == 0
    blank, pregnant = stdout_rows(result)
    medication_rules = [
        r.id
        for r in load_ruleset().rules
        if "current_medications" in r.reads and r.action.value != "flag"
    ]
    assert blank["outcome"] == "needs_review"
    assert blank["deciding"] == ""
    assert set(medication_rules) <= set(blank["undecided"].split(";"))
    assert pregnant["outcome"] == "not_eligible"
    assert pregnant["deciding"] == "pregnancy"
    assert pregnant["undecided"] == ""
    assert "Most frequent undecided rules" in result.stderr
    counted = {r["rule"]: r["records"] for r in json.loads(summary.read_text())["top_undecided"]}
    assert counted and set(counted) <= set(medication_rules)
    assert set(counted.values()) == {1}  # counted for A1 only, apart from the deciding rules


def test_an_export_missing_most_question_columns_names_20_of_them_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    keep = HEADER[:2]  # the id and one question
    rows = [[c for h, c in zip(HEADER, record("A1"), strict=True) if h in keep]]
    result = batch(write_export(tmp_path / "in.csv", rows, keep), "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("Questions with no column")]
    names = line.split(": ", 1)[1]
    listed, more = names.rsplit(" and ", 1)
    assert len(listed.split(", ")) == 20
    assert more.endswith(" more") and int(more.split()[0]) > 0
