"""The cases of a cases file as records to replay (`screener diff --data cases.yaml`)."""

from __future__ import annotations

from pathlib import Path

from screener.commands.diff.replay import DataRecord
from screener.core.frozen import record_class
from screener.rulefile.cases_file import load_cases

CASES_SUFFIXES = frozenset({".yaml", ".yml", ".json"})


@record_class
class CaseRecords:
    columns: tuple[str, ...]  # every answer key any case uses, in order of first use
    records: list[DataRecord]  # cells by column; a key a case does not use is unknown (None)


def read_case_records(path: Path) -> CaseRecords:
    """Each case of a cases file (its `base` with its own answers on top) as one record."""
    cases, _ = load_cases(path)
    answers = [cases.answers_for(case) for case in cases.cases]
    columns = tuple(dict.fromkeys(key for case in answers for key in case))
    records = [
        DataRecord(number, None, case.name, tuple(given.get(c) for c in columns))
        for number, (case, given) in enumerate(zip(cases.cases, answers, strict=True), start=1)
    ]
    return CaseRecords(columns, records)
