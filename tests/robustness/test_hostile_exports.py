"""Hostile CSV exports for `screener batch`: a bad cell or line is its record's error, every
record is in the output, and what cannot be read at all stops the run with one message.

One named test per class of the hardening issue; each would fail if its class came back.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener.core.limits import MAX_CSV_FIELD_CHARS, MAX_NUMBER_DIGITS
from screener.rulefile.load import load_ruleset

from ..conftest import CLEAR_ANSWERS, FROZEN_RULES
from .harness import ARABIC_INDIC_42, FULL_WIDTH_42, digests, run

QUESTIONS = [q.id for q in load_ruleset(FROZEN_RULES).questions]
HEADER = ["intake_id", *QUESTIONS, "notes"]


def record(intake_id: str, notes: str = "", **changes: str) -> list[str]:
    answers = {**CLEAR_ANSWERS, **changes}
    return [intake_id, *(answers[q] for q in QUESTIONS), notes]


def write_export(path: Path, rows: list[list[str]], line_end: str = "\n") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator=line_end).writerows([HEADER, *rows])
    return path


def batch(
    export: Path, *more: str | Path, allowed: tuple[int, ...] = (0, 3)
) -> list[dict[str, str]]:
    """Every output record of a run that must score the file (exit 0 or 3)."""
    out = export.parent / "out.csv"
    before = digests(export)
    run("batch", export, "-o", out, *more, allowed=allowed)
    assert digests(export) == before
    with out.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def outcomes(rows: list[dict[str, str]]) -> dict[str, str]:
    return {row["intake_id"] or f"row {row['row']}": row["outcome"] for row in rows}


# ---- 2. numbers --------------------------------------------------------------------------


def test_a_cell_with_4301_digits_makes_only_its_record_invalid(tmp_path: Path) -> None:
    export = write_export(
        tmp_path / "in.csv",
        [record("A1"), record("A2", age="9" * 4301), record("A3", phq9_total="1" * 5000)],
    )
    rows = batch(export)
    assert outcomes(rows) == {"A1": "likely_eligible", "A2": "invalid", "A3": "invalid"}
    assert f"at most {MAX_NUMBER_DIGITS} digits" in rows[1]["errors"]


@pytest.mark.parametrize(
    "written", ["1e1", "4.2e1", "0x2A", "0o52", "4_2", ARABIC_INDIC_42, FULL_WIDTH_42, "42e0"]
)
def test_a_number_in_another_notation_makes_its_record_invalid(
    tmp_path: Path, written: str
) -> None:
    export = write_export(tmp_path / "in.csv", [record("A1", age=written), record("A2")])
    rows = batch(export)
    assert outcomes(rows) == {"A1": "invalid", "A2": "likely_eligible"}
    assert rows[0]["errors"].startswith("age")
    assert "expected a whole number" in rows[0]["errors"]


# ---- 5. cells and lines that used to stop the run -----------------------------------------


def test_a_cell_longer_than_131072_characters_is_read_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    notes = "n" * 200_000
    export = write_export(tmp_path / "in.csv", [record("A1", notes), record("A2", '"\n' + notes)])
    assert outcomes(batch(export)) == {"A1": "likely_eligible", "A2": "likely_eligible"}


@pytest.mark.parametrize("quoted", [False, True])
def test_a_line_longer_than_the_cell_limit_is_its_records_error_and_the_run_goes_on(
    tmp_path: Path, quoted: bool
) -> None:
    # Quoted, the long line sits inside a cell that spans three lines.
    long = "x" * (MAX_CSV_FIELD_CHARS + 10)
    notes = f"first\n{long}\nlast" if quoted else long
    rows = [record("A1"), record("A2", notes), record("A3", self_harm_thoughts="yes")]
    export = write_export(tmp_path / "in.csv", rows)
    result = batch(export)
    assert [row["row"] for row in result] == ["1", "2", "3"]
    assert [row["outcome"] for row in result] == ["likely_eligible", "invalid", "urgent"]
    assert f"longer than {MAX_CSV_FIELD_CHARS:,} characters" in result[1]["errors"]
    assert ("a cell holds line 4" if quoted else "line 3 is longer") in result[1]["errors"]


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("last_break", [True, False])
def test_an_unclosed_quote_stops_the_run_naming_the_line_it_opens_on(
    tmp_path: Path, line_end: str, last_break: bool
) -> None:
    # Read leniently, the csv module returns every line after the quote as one cell of A3.
    lines = [",".join(HEADER), ",".join(record("A1")), ",".join(record("A2"))]
    lines += ['A3,"unclosed', ",".join(record("A4")), ",".join(record("A5"))]
    export = tmp_path / "in.csv"
    export.write_text(line_end.join(lines) + (line_end if last_break else ""), newline="")
    result = run("batch", export, "-o", tmp_path / "o.csv", allowed=[1])
    assert result.stderr == (
        f"error: {export}: line 4: a quote that opens a cell here is never closed, so it"
        " swallows every line after it\n"
    )
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("where", ["notes", "a question", "a short record"])
def test_a_quoted_cell_that_grows_past_the_limit_over_many_lines_stops_the_run_naming_its_record(
    tmp_path: Path, where: str
) -> None:
    export = tmp_path / "in.csv"
    body = ("y" * 1000 + "\n") * (MAX_CSV_FIELD_CHARS // 1000 + 5)
    cell = '"' + body + '"'
    cells = record("A3")
    if where == "notes":  # a text column, last of its record
        third = ",".join(cells) + cell
    elif where == "a question":  # a dictionary-encoded column: its distinct texts are checked
        third = ",".join([cells[0], cell, *cells[2:]])
    else:  # too few fields: Arrow leaves the record to the csv module
        third = "A3," + cell
    # A record of the wrong width before it (Arrow leaves it out of its table) still counts.
    lines = [",".join(HEADER), ",".join(record("A1")), "A2,short", third]
    export.write_text("\n".join(lines) + "\n")
    result = run("batch", export, "-o", tmp_path / "o.csv", allowed=[1])
    assert result.stderr == (
        f"error: {export}: record 3: a cell is longer than {MAX_CSV_FIELD_CHARS:,} characters,"
        " the most one may hold; a quote missing or left over can join many lines into one"
        " cell\n"
    )


def test_a_record_that_runs_past_4_mib_names_the_line_it_starts_on(tmp_path: Path) -> None:
    lines = [",".join(HEADER), ",".join(record("A1")), 'A2,"unclosed']
    lines += [",".join(record(f"B{i}")) for i in range(4 * 1024 * 1024 // 60)]
    export = tmp_path / "in.csv"
    export.write_text("\n".join(lines) + "\n")
    result = run("batch", export, "-o", tmp_path / "o.csv", allowed=[1])
    assert result.stderr.startswith(
        f"error: {export}: line 3: the record that starts here is longer than 4,194,304 bytes"
        " by line "
    )
    assert result.stderr.endswith(
        "; a quote that opens a cell and is never closed swallows the lines after it\n"
    )


def test_a_line_that_never_ends_stops_the_run_with_one_message() -> None:
    result = run("batch", "/dev/zero", allowed=[1])
    assert result.stderr == (
        "error: /dev/zero: line 1 is longer than 67,108,864 characters; is this a CSV export?\n"
    )


@pytest.mark.parametrize("encoding", ["hex", "base64", "rot13", "zlib", "utf-7", "unicode_escape"])
def test_an_encoding_that_is_not_file_text_is_a_usage_error(tmp_path: Path, encoding: str) -> None:
    export = write_export(tmp_path / "in.csv", [record("A1")])
    result = run("batch", export, "--encoding", encoding, "-o", tmp_path / "o.csv", allowed=[2])
    assert result.stderr == (
        f"error: --encoding {encoding!r}: not an encoding a CSV export is saved in"
        " (try utf-8, cp1252 or latin-1)\n"
    )
    assert not (tmp_path / "o.csv").exists()


def _feed(fifo: Path, data: bytes) -> threading.Thread:
    def write() -> None:
        with fifo.open("wb") as handle:
            handle.write(data)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def test_a_fifo_is_read_once_and_a_bad_byte_in_it_is_located(tmp_path: Path) -> None:
    good = write_export(tmp_path / "good.csv", [record("A1"), record("A2")]).read_bytes()
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    writer = _feed(fifo, good)
    run("batch", fifo, "-o", tmp_path / "out.csv", allowed=[0])
    writer.join(timeout=10)
    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert outcomes(rows) == {"A1": "likely_eligible", "A2": "likely_eligible"}

    bad = good + b"A3," + b"x" * 20_000 + b"\xff\n"
    writer = _feed(fifo, bad)
    result = run("batch", fifo, "-o", tmp_path / "o.csv", allowed=[1])
    writer.join(timeout=10)
    offset = bad.index(b"\xff")
    assert result.stderr == (
        f"error: {fifo}: not valid UTF-8 text: byte 0xff at byte offset {offset}"
        " (line 4); if it was saved by Excel or another Windows program, try --encoding cp1252\n"
    )


def test_an_export_on_a_pipe_is_scored_like_the_file(tmp_path: Path) -> None:
    export = write_export(tmp_path / "in.csv", [record("A1"), record("A2", pregnant="yes")])
    with export.open("rb") as data:
        done = subprocess.run(
            [sys.executable, "-m", "screener", "batch", "/dev/stdin"],
            stdin=data,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    scored = {row["intake_id"]: row["outcome"] for row in csv.DictReader(done.stdout.splitlines())}
    assert scored == {"A1": "likely_eligible", "A2": "not_eligible"}


# ---- property: any hostile cells ------------------------------------------------------------

HOSTILE_CELLS = [
    "9" * 5000, "1e1", "0x2A", "0o52", "4_2", ARABIC_INDIC_42, FULL_WIDTH_42, "\x00", "\ufdd0",
    "\ufdd1", '"', '""', "'", "\r", "\n", "\r\n", ",", ";", "=1+1", "@SUM(A1)", "\x1b[31m", "[/]",
    "\ufeff", "yes;no", "none;other", "don't know", "-", "+", "\t", "\u2028", "é" * 11_000,
]  # fmt: skip
cells = st.one_of(st.sampled_from(HOSTILE_CELLS), st.text(max_size=20))


@st.composite
def hostile_records(draw: st.DrawFn) -> list[list[str]]:
    rows = []
    for number in range(draw(st.integers(1, 6))):
        row = record(f"R{number}")
        for _ in range(draw(st.integers(0, 3))):
            row[draw(st.integers(0, len(row) - 1))] = draw(cells)
        if draw(st.integers(0, 9)) == 0:
            row = row[: draw(st.integers(1, len(row)))]  # a ragged record
        rows.append(row)
    return rows


@settings(max_examples=20)
@given(
    rows=hostile_records(),
    line_end=st.sampled_from(["\n", "\r\n"]),
    fmt=st.sampled_from(["csv", "jsonl"]),
    include_input=st.booleans(),
)
def test_any_hostile_cells_give_one_output_record_per_input_record(
    rows: list[list[str]], line_end: str, fmt: str, include_input: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        export = write_export(Path(folder) / "in.csv", rows, line_end)
        out = Path(folder) / f"out.{fmt}"
        before = digests(export)
        more = ["--include-input"] if include_input else []
        result = run("batch", export, "-o", out, *more, allowed=[0, 3])
        assert digests(export) == before
        text = out.read_text(encoding="utf-8")
        # The records the file holds as CSV: a lone "\r" in a cell is written unquoted when
        # lines end in "\n", and ends a record, in any CSV reader.
        with export.open(newline="", encoding="utf-8") as handle:
            records = [row for row in csv.reader(handle) if row][1:]
    if fmt == "csv":
        numbers = [row["row"] for row in csv.DictReader(io.StringIO(text, newline=""))]
    else:
        numbers = [str(json.loads(line)["row"]) for line in text.split("\n") if line]
    assert numbers == [str(n) for n in range(1, len(records) + 1)], result.stderr
    if line_end == "\r\n":
        assert len(records) == len(rows)


@settings(max_examples=20)
@given(tail=st.binary(max_size=300), encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_any_bytes_after_the_header_fail_closed(tail: bytes, encoding: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "in.csv"
        export.write_bytes(",".join(HEADER).encode(encoding) + b"\n" + tail)
        before = digests(export)
        run(
            "batch", export, "--encoding", encoding, "-o", Path(folder) / "o.csv", allowed=[0, 1, 3]
        )
        assert digests(export) == before


# ---- 8. the Arrow reader: records put back at their place, pieces, quotes -----------------


def test_ragged_records_and_blank_lines_keep_their_places_across_many_pieces(
    tmp_path: Path,
) -> None:
    # Over 2 MiB, so the reader hands Arrow several pieces; long quoted notes with line breaks
    # and blank lines inside them sit across piece boundaries.
    notes = 'a note\n\nwith a blank line, "quotes" and commas ' + "x" * 3000
    rows: list[list[str]] = []
    ragged = {57, 700, 701, 1203}
    for i in range(1, 1300):
        row = record(f"A{i}", notes if i % 3 else "")
        rows.append(row[:5] if i in ragged else row)
    export = tmp_path / "in.csv"
    with export.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADER)
        for i, row in enumerate(rows, start=1):
            writer.writerow(row)
            if i % 400 == 0:
                handle.write("\r\n")  # a blank line between records
    assert export.stat().st_size > 2 * MAX_CSV_FIELD_CHARS
    summary = tmp_path / "summary.json"
    result = batch(export, "--summary-json", summary)
    assert [row["row"] for row in result] == [str(n) for n in range(1, 1300)]
    assert [row["intake_id"] for row in result] == [f"A{i}" for i in range(1, 1300)]
    invalid = {int(row["row"]) for row in result if row["outcome"] == "invalid"}
    assert invalid == ragged
    assert result[56]["errors"].startswith("too few fields: 5")
    assert json.loads(summary.read_text())["blank_lines_skipped"] == 3


def test_ragged_records_on_both_sides_of_a_piece_boundary_all_keep_their_places(
    tmp_path: Path,
) -> None:
    # Every record within a few kilobytes of each mebibyte boundary is ragged, so a piece Arrow
    # parses ends with records it skips and the next begins with more (an earlier reader
    # numbered the second run from the wrong base and lost records).
    export = tmp_path / "in.csv"
    ragged: set[int] = set()
    with export.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        number = 0
        while handle.tell() < 3 * MAX_CSV_FIELD_CHARS:
            number += 1
            near = handle.tell() % MAX_CSV_FIELD_CHARS
            row = record(f"A{number}")
            if near < 4096 or near > MAX_CSV_FIELD_CHARS - 4096:
                ragged.add(number)
                row = row[:3]
            writer.writerow(row)
    assert len(ragged) > 40
    result = batch(export)
    assert [row["intake_id"] for row in result] == [f"A{i}" for i in range(1, number + 1)]
    assert [row["row"] for row in result] == [str(i) for i in range(1, number + 1)]
    assert {int(row["row"]) for row in result if row["outcome"] == "invalid"} == ragged


def test_a_quote_inside_a_word_is_text_and_the_records_after_it_are_read(tmp_path: Path) -> None:
    rows = [
        record("A1", "height 5'10\" and weight"),
        record("A2", pregnant="yes"),
        record("A3", '"quoted, with a comma"'),
    ]
    export = tmp_path / "in.csv"
    lines = [",".join(HEADER)] + [",".join(row) for row in rows[:2]]
    with export.open("w", newline="", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")  # A1's quote is written bare, as some tools do
        csv.writer(handle, lineterminator="\n").writerow(rows[2])
    result = batch(export, "--include-input")
    assert outcomes(result) == {
        "A1": "likely_eligible",
        "A2": "not_eligible",
        "A3": "likely_eligible",
    }
    assert result[0]["notes"] == "height 5'10\" and weight"
    assert result[2]["notes"] == '"quoted, with a comma"'


def test_header_names_in_messages_are_cut_and_never_terminal_codes(tmp_path: Path) -> None:
    # A column the rules do not know, named with a terminal code; a 5,000-character one; and
    # 30 more: the summary names each by at most 40 characters, escapes the code, and counts
    # what it does not list.
    extra = ["bad\x1b[2Jname", "X" * 5000, *(f"extra_{n}" for n in range(30))]
    export = tmp_path / "in.csv"
    with export.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*HEADER, *extra])
        writer.writerow([*record("A1"), *("" for _ in extra)])
    result = run("batch", export, "-o", tmp_path / "out.csv")
    line = next(x for x in result.stderr.splitlines() if x.startswith("Columns the rule set"))
    assert "\x1b" not in result.stderr
    assert "notes, bad\\x1b[2Jname, " + "X" * 40 + "\u2026, extra_0, " in line
    assert line.endswith(", extra_16 and 13 more")  # "notes" is unknown too
    assert len(line) < 600


def test_a_mapped_header_with_a_terminal_code_is_escaped_in_each_record_s_problem(
    tmp_path: Path,
) -> None:
    export = write_export(tmp_path / "in.csv", [record("A1", age="old")])
    text = export.read_text(encoding="utf-8").replace("age,", "Age\x1b[31m,", 1)
    export.write_text(text, encoding="utf-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text('"Age\\e[31m": age\n', encoding="utf-8")
    out = tmp_path / "out.csv"
    result = run("batch", export, "--map", mapping, "-o", out, allowed=[3])
    assert "\x1b" not in result.stderr
    assert "Age\\x1b[31m (age)" in result.stderr
    with out.open(newline="", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["outcome"] == "invalid" and row["errors"].startswith("Age\\x1b[31m (age): ")
