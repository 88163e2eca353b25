"""Cells copied from an export into batch's CSV output and diff's changes.csv (ids, input cells
with --include-input, header names) never start a spreadsheet formula: a cell that starts
with `=`, `+`, `-`, `@`, a tab or a carriage return gets a single quote in front. Negative
numbers too (`-5` is written `'-5`): telling a harmless number from a formula is exactly what
formula injection exploits, and the quote loses nothing a reader needs."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from screener.cli import app
from screener.formats.csv_cells import FORMULA_START, csv_field, csv_record, spreadsheet_safe

from ..conftest import CLEAR_ANSWERS, FROZEN_RULES

runner = CliRunner()
DANGEROUS = ["=1+2", "+1", "-5", "@SUM(A1:A9)", "\tx", "\rx", '=HYPERLINK("http://e.x","y")']


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


@pytest.mark.parametrize("start", FORMULA_START)
def test_a_cell_that_starts_like_a_formula_gets_a_quote_in_front(start: str) -> None:
    assert spreadsheet_safe(start + "x") == "'" + start + "x"
    assert next(csv.reader([csv_field(start + "x,y")])) == ["'" + start + "x,y"]
    assert spreadsheet_safe("x" + start) == "x" + start  # only at the start


@settings(max_examples=300)
@given(st.lists(st.text(st.characters(exclude_characters="\x00"), max_size=8), min_size=1))
def test_a_record_reads_back_as_its_spreadsheet_safe_cells(row: list[str]) -> None:
    line = "x," + csv_record(row)  # after the result columns, as in batch's output
    assert next(csv.reader(io.StringIO(line, newline="")))[1:] == [spreadsheet_safe(c) for c in row]


def test_negative_numbers_are_quoted_too() -> None:
    assert spreadsheet_safe("-5") == "'-5"
    assert spreadsheet_safe("5") == "5"


def test_batch_output_quotes_ids_input_cells_and_header_names(tmp_path: Path) -> None:
    header = ["intake_id", *CLEAR_ANSWERS, "=notes"]
    rows = [[bad, *CLEAR_ANSWERS.values(), bad] for bad in DANGEROUS]
    data = write(tmp_path / "in.csv", header, rows)
    result = runner.invoke(app, ["batch", str(data), "--include-input"])
    assert result.exit_code == 0, result.output
    out = read(result.stdout)
    assert [r["intake_id"] for r in out] == ["'" + bad for bad in DANGEROUS]
    assert [r["'=notes"] for r in out] == ["'" + bad for bad in DANGEROUS]
    assert out[0]["age"] == "42"  # ordinary cells as they were
    assert not [c for c in cells(result.stdout) if c.startswith(FORMULA_START)]


@settings(max_examples=40)
@given(
    record_id=st.text(min_size=1, max_size=12).filter(lambda t: t.strip()),
    note=st.text(max_size=12),
)
def test_no_cell_of_batch_csv_output_starts_a_formula(record_id: str, note: str) -> None:
    with tempfile.TemporaryDirectory() as name:
        # Only what the csv module can write back: it cannot hold a NUL.
        record_id, note = record_id.replace("\x00", ""), note.replace("\x00", "")
        header = ["intake_id", *CLEAR_ANSWERS, "notes"]
        data = write(Path(name) / "in.csv", header, [[record_id, *CLEAR_ANSWERS.values(), note]])
        result = runner.invoke(app, ["batch", str(data), "--include-input"])
    assert result.exit_code == 0, result.output
    out = read(result.stdout)
    assert not [c for c in cells(result.stdout) if c.startswith(FORMULA_START)]
    assert out[0]["intake_id"] == spreadsheet_safe(record_id)
    assert out[0]["notes"] == spreadsheet_safe(note)


def test_diff_changes_csv_quotes_ids_that_start_like_a_formula(tmp_path: Path) -> None:
    header = ["intake_id", *CLEAR_ANSWERS]
    rows = [[bad, *{**CLEAR_ANSWERS, "bp_systolic": "185"}.values()] for bad in DANGEROUS[:4]]
    data = write(tmp_path / "in.csv", header, rows)
    new = tmp_path / "new.yaml"
    new.write_text(
        FROZEN_RULES.read_text().replace(
            "when: bp_systolic >= 180 or", "when: bp_systolic >= 200 or"
        )
    )
    output = tmp_path / "changes.csv"
    result = runner.invoke(
        app, ["diff", str(FROZEN_RULES), str(new), "--data", str(data), "-o", str(output)]
    )
    assert result.exit_code == 0, result.output
    text = output.read_text()
    assert [r["intake_id"] for r in read(text)] == ["'" + bad for bad in DANGEROUS[:4]]
    assert not [c for c in cells(text) if c.startswith(FORMULA_START)]
