"""Records to replay in `screener diff`: rows of a CSV export, or the cases of a cases file.

A record is its raw cells keyed by normalised column name (case and surrounding spaces never
matter); which column is which question is decided per rule set (ids and `aliases`), since the
two rule sets of a diff may name their questions differently. A row that cannot be read at
all (wrong number of cells, bytes that are not UTF-8) is kept with its error, so it shows as
`invalid` under both rule sets instead of stopping the run.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from screener.errors import InputFileError
from screener.ruleset import RuleSet

ID_COLUMN = "intake_id"
CASES_SUFFIXES = frozenset({".yaml", ".yml", ".json"})
_NOT_UTF8 = re.compile("[\udc80-\udcff]")


def column_key(name: str) -> str:
    """How column names are compared: no BOM, no surrounding spaces, any case."""
    return " ".join(name.replace("\ufeff", "").split()).casefold()


@dataclass(frozen=True)
class DataRecord:
    number: int  # 1-based, counting records (not lines)
    intake_id: str | None
    case: str | None  # the case's name, when the data is a cases file
    cells: Mapping[str, object]  # column key -> raw value
    error: str | None = None  # why the record cannot be read at all

    @property
    def key(self) -> str:
        """How the details file names the record: the case name or the row number."""
        return self.case if self.case is not None else str(self.number)

    @property
    def label(self) -> str:
        """ "row 12 (intake A-17)", "row 12", or "case 'name'"."""
        if self.case is not None:
            return f"case {self.case!r}"
        return f"row {self.number}" + (f" (intake {self.intake_id})" if self.intake_id else "")


@dataclass(frozen=True)
class DataSource:
    name: str
    columns: tuple[str, ...]  # column keys (for a cases file: every answer key used)
    records: Iterator[DataRecord]


def question_columns(ruleset: RuleSet, columns: tuple[str, ...]) -> dict[str, str]:
    """Column key -> question id, for the columns this rule set knows (by id or alias)."""
    names: dict[str, str] = {}
    for question in ruleset.questions:
        for name in (question.id, *question.aliases):
            names.setdefault(column_key(name), question.id)
    return {column: names[column] for column in columns if column in names}


def _csv_records(header: list[str], reader: Iterator[list[str]]) -> Iterator[DataRecord]:
    keys = [column_key(h) for h in header]
    id_index = keys.index(ID_COLUMN) if ID_COLUMN in keys else None
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            yield DataRecord(number, None, None, {}, f"cannot be read as CSV: {exc}")
            continue
        if not row:
            continue
        number += 1
        intake = None
        if id_index is not None and id_index < len(row) and row[id_index].strip():
            intake = row[id_index].strip()
        error = None
        if len(row) != len(keys):
            error = f"has {len(row)} cells; the header has {len(keys)}"
        elif any(_NOT_UTF8.search(cell) for cell in row):
            error = "not valid UTF-8"
        cells = {} if error else dict(zip(keys, row, strict=True))
        yield DataRecord(number, intake, None, cells, error)


def read_csv_records(path: Path) -> DataSource:
    try:
        handle = path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputFileError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror})") from None
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        handle.close()
        raise InputFileError(f"{path}: empty file; expected a header row of question ids") from None
    except csv.Error as exc:
        handle.close()
        raise InputFileError(f"{path}: the header row cannot be read as CSV ({exc})") from None
    keys = [column_key(h) for h in header]
    twice = sorted({k for k in keys if keys.count(k) > 1 and k})
    if twice:
        handle.close()
        raise InputFileError(f"{path}: column {twice[0]!r} appears more than once in the header")

    def records() -> Iterator[DataRecord]:
        with handle:
            yield from _csv_records(header, reader)

    return DataSource(str(path), tuple(keys), records())


def read_case_records(path: Path) -> DataSource:
    """Each case of a cases file (its `base` with its own answers on top) as one record."""
    from screener.cases_file import load_cases

    cases, _ = load_cases(path)
    rows = [{column_key(k): v for k, v in cases.answers_for(case).items()} for case in cases.cases]
    columns = tuple(dict.fromkeys(k for row in rows for k in row))
    records = (
        DataRecord(number, None, case.name, row)
        for number, (case, row) in enumerate(zip(cases.cases, rows, strict=True), start=1)
    )
    return DataSource(str(path), columns, records)


def read_records(path: Path) -> DataSource:
    """A CSV export, or a cases file (.yaml, .yml, .json) whose cases are the records."""
    if path.suffix.lower() in CASES_SUFFIXES:
        return read_case_records(path)
    return read_csv_records(path)
