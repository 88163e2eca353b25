"""Batch output: one CSV row or JSON line per input record, streamed (through
files.write.AtomicFile) to a file or stdout.

CSV cells copied from the export (ids, input cells and header names, messages quoting them)
are spreadsheet-safe: one that starts like a formula gets a `'` in front (formats.csv_cells).
`safety_unreadable` is yes (true) for an invalid record with an unreadable cell of a question
an urgent rule reads (or a record whose fields cannot be matched to the header at all).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Collection
from json.encoder import encode_basestring

from screener.columnar.coding import Block
from screener.columnar.header import header_key
from screener.columnar.scorer import BlockResult, ColumnarScorer, Key
from screener.core.verdict import INVALID
from screener.formats.csv_cells import csv_field, csv_fields, csv_record

RESULT_FIELDS = (
    "row",
    "outcome",
    "deciding",
    "undecided",
    "flags",
    "missing",
    "errors",
    "safety_unreadable",
)
ERROR_SEPARATOR = " | "
TEXT_CACHE_LIMIT = 20_000


class _Texts(dict[Key, str]):
    """Text per key, made on first use; cleared if a file has very many distinct keys."""

    def __init__(self, make: Callable[[Key], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: Key) -> str:
        if len(self) >= TEXT_CACHE_LIMIT:
            self.clear()
        text = self[key] = self.make(key)
        return text


class RecordWriter:
    """Turns scored blocks into output text. Each record's text is three parts (outcome and
    deciding rules, flags, missing and errors), each made once per distinct key."""

    def __init__(
        self,
        scorer: ColumnarScorer,
        id_name: str,
        has_ids: bool,
        header: tuple[str, ...],
        include_input: bool,
    ) -> None:
        self.id_name = id_name
        self.has_ids = has_ids
        self.input_header = header
        self.include_input = include_input
        groups = scorer.decision_groups
        self._decisions = [
            _Texts(self._decision_maker(scorer, group, group == groups - 1))
            for group in range(groups)
        ]
        self._undecided = _Texts(lambda key: self._undecided_text(scorer.undecided(key)))
        self._flags = _Texts(lambda key: self._flags_text(scorer.flags(key)))
        self._missing = _Texts(lambda key: self._missing_text(scorer.missing(key)))

    def _decision_maker(
        self, scorer: ColumnarScorer, group: int, last: bool
    ) -> Callable[[Key], str]:
        def make(key: Key) -> str:
            return self._decision_text(*scorer.decision(group, key), last=last)

        return make

    def header(self) -> str:
        raise NotImplementedError

    def encode_inputs(self, rows: list[list[str]]) -> list[str]:
        raise NotImplementedError

    def _decision_text(
        self, outcome: str | None, earlier: bool, deciding: tuple[str, ...], last: bool
    ) -> str:
        """One group's part of the outcome and deciding rules (outcome: first group only)."""
        raise NotImplementedError

    def _undecided_text(self, rules: tuple[str, ...]) -> str:
        raise NotImplementedError

    def _flags_text(self, flags: tuple[str, ...]) -> str:
        raise NotImplementedError

    def _missing_text(self, missing: tuple[str, ...]) -> str:
        raise NotImplementedError

    def _invalid_texts(
        self, problems: list[str], safety: bool, outcome: str = INVALID
    ) -> tuple[str, str, str]:
        raise NotImplementedError

    def _ids(self, ids: list[str]) -> list[str]:
        raise NotImplementedError

    def _lines(
        self, rows: range, ids: list[str], parts: list[list[str]], inputs: list[str] | None
    ) -> str:
        raise NotImplementedError

    def block(self, block: Block, result: BlockResult, safety: Collection[int] = ()) -> str:
        """The block's records; `safety`: offsets of invalid records with an unreadable
        safety answer."""
        decisions = list(map(self._decisions[0].__getitem__, result.decisions[0]))
        for texts, keys in zip(self._decisions[1:], result.decisions[1:], strict=True):
            decisions = list(map(operator.add, decisions, map(texts.__getitem__, keys)))
        undecided = self._undecided.__getitem__
        flags = list(
            map(
                operator.add,
                map(undecided, result.undecided),
                map(self._flags.__getitem__, result.flags),
            )
        )
        missing = list(map(self._missing.__getitem__, result.missing))
        for offset, problems in result.problems.items():
            decisions[offset], flags[offset], missing[offset] = self._invalid_texts(
                problems, offset in safety
            )
        for offset, reasons in result.not_scored.items():
            marked = self._invalid_texts(reasons, False, "not_scored")
            decisions[offset], flags[offset], missing[offset] = marked
        rows = range(block.start, block.start + block.size)
        return self._lines(rows, self._ids(block.ids), [decisions, flags, missing], block.inputs)


class CsvRecordWriter(RecordWriter):
    """row, <id>, outcome, deciding, undecided, flags, missing, errors, safety_unreadable[, input
    columns]: LF, UTF-8."""

    def header(self) -> str:
        names = ["row", self.id_name, *RESULT_FIELDS[1:]]
        if self.include_input:
            taken = {header_key(n) for n in names}
            for cell in self.input_header:
                name = cell.strip()
                names.append(f"input_{name}" if header_key(name) in taken else name)
        return ",".join(map(csv_field, names)) + "\n"

    def encode_inputs(self, rows: list[list[str]]) -> list[str]:
        width = len(self.input_header)
        padding = [""] * width
        return [csv_record(row if len(row) == width else (row + padding)[:width]) for row in rows]

    def _decision_text(
        self, outcome: str | None, earlier: bool, deciding: tuple[str, ...], last: bool
    ) -> str:
        text = "" if outcome is None else f"{outcome},"
        if deciding:
            text += (";" if earlier else "") + ";".join(deciding)
        return text

    def _undecided_text(self, rules: tuple[str, ...]) -> str:
        return ";".join(rules) + ","  # undecided, then the flags

    def _flags_text(self, flags: tuple[str, ...]) -> str:
        return ";".join(flags)

    def _missing_text(self, missing: tuple[str, ...]) -> str:
        return ";".join(missing) + ",,no"  # missing, errors (none), safety_unreadable

    def _invalid_texts(
        self, problems: list[str], safety: bool, outcome: str = INVALID
    ) -> tuple[str, str, str]:
        errors = csv_field(ERROR_SEPARATOR.join(problems))
        return f"{outcome},", ",", f",{errors},{'yes' if safety else 'no'}"

    def _ids(self, ids: list[str]) -> list[str]:
        return csv_fields(ids)

    def _lines(
        self, rows: range, ids: list[str], parts: list[list[str]], inputs: list[str] | None
    ) -> str:
        d, f, m = parts
        if inputs is None:
            return "".join(
                [f"{r},{i},{a},{b},{c}\n" for r, i, a, b, c in zip(rows, ids, d, f, m, strict=True)]
            )
        return "".join(
            [
                f"{r},{i},{a},{b},{c},{x}\n"
                for r, i, a, b, c, x in zip(rows, ids, d, f, m, inputs, strict=True)
            ]
        )


class JsonlRecordWriter(RecordWriter):
    """One JSON object per line: row, <id>, outcome, deciding, undecided, flags, missing, errors,
    safety_unreadable[, input]."""

    def header(self) -> str:
        return ""

    def encode_inputs(self, rows: list[list[str]]) -> list[str]:
        header = [cell.strip() for cell in self.input_header]
        return [
            json.dumps(dict(zip(header, row, strict=False)), ensure_ascii=False) for row in rows
        ]

    def _decision_text(
        self, outcome: str | None, earlier: bool, deciding: tuple[str, ...], last: bool
    ) -> str:
        text = "" if outcome is None else f'"outcome": "{outcome}", "deciding": ['
        if deciding:
            text += (", " if earlier else "") + ", ".join(map(json.dumps, deciding))
        return text + ("]" if last else "")

    def _undecided_text(self, rules: tuple[str, ...]) -> str:
        return f'"undecided": {json.dumps(list(rules))}, '

    def _flags_text(self, flags: tuple[str, ...]) -> str:
        return f'"flags": {json.dumps(list(flags))}'

    def _missing_text(self, missing: tuple[str, ...]) -> str:
        return f'"missing": {json.dumps(list(missing))}, "errors": [], "safety_unreadable": false'

    def _invalid_texts(
        self, problems: list[str], safety: bool, outcome: str = INVALID
    ) -> tuple[str, str, str]:
        errors = json.dumps(problems, ensure_ascii=False)
        return (
            f'"outcome": {json.dumps(outcome)}, "deciding": []',
            '"undecided": [], "flags": []',
            f'"missing": [], "errors": {errors}, "safety_unreadable": {json.dumps(safety)}',
        )

    def _ids(self, ids: list[str]) -> list[str]:
        if not self.has_ids:
            return ["null"] * len(ids)
        return list(map(encode_basestring, ids))

    def _lines(
        self, rows: range, ids: list[str], parts: list[list[str]], inputs: list[str] | None
    ) -> str:
        key = encode_basestring(self.id_name)
        d, f, m = parts
        if inputs is None:
            return "".join(
                [
                    f'{{"row": {r}, {key}: {i}, {a}, {b}, {c}}}\n'
                    for r, i, a, b, c in zip(rows, ids, d, f, m, strict=True)
                ]
            )
        return "".join(
            [
                f'{{"row": {r}, {key}: {i}, {a}, {b}, {c}, "input": {x}}}\n'
                for r, i, a, b, c, x in zip(rows, ids, d, f, m, inputs, strict=True)
            ]
        )
