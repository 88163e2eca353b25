"""Batch output: one CSV row or JSON line per input record, streamed to a file or stdout.

A file is written to a temporary file beside it, readable by the owner only (it holds
people's screenings), and renamed over the target only when every record is written.
"""

from __future__ import annotations

import contextlib
import json
import operator
import os
import re
import sys
import tempfile
from collections.abc import Callable
from json.encoder import encode_basestring
from pathlib import Path
from typing import BinaryIO

from screener.columnar.coding import Block
from screener.columnar.header import header_key
from screener.columnar.scorer import BlockResult, ColumnarScorer, Key
from screener.core.problems import InputFileError

RESULT_FIELDS = ("row", "outcome", "deciding", "flags", "missing", "errors")
ERROR_SEPARATOR = " | "
_CSV_SPECIAL = re.compile(r'[",\r\n]')
TEXT_CACHE_LIMIT = 20_000


def csv_field(text: str) -> str:
    """One CSV field, quoted only when it must be (as csv.writer's QUOTE_MINIMAL)."""
    if _CSV_SPECIAL.search(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


class OutputFile:
    """A file written atomically (temporary file + rename), or stdout when `path` is None."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._temp: str | None = None
        self._handle: BinaryIO
        if path is None:
            self._handle = sys.stdout.buffer
            return
        directory = path.parent if str(path.parent) else Path(".")
        try:
            fd, self._temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        except OSError as exc:
            raise InputFileError(f"{path}: cannot write here ({exc.strerror})") from None
        os.chmod(self._temp, 0o600)
        self._handle = os.fdopen(fd, "wb", buffering=1 << 20)

    def write(self, text: str) -> None:
        try:
            self._handle.write(text.encode("utf-8"))
        except BrokenPipeError:
            raise InputFileError("the output was closed before every record was written") from None
        except OSError as exc:
            raise InputFileError(
                f"{self.path or '<stdout>'}: cannot write ({exc.strerror})"
            ) from None

    def commit(self) -> None:
        if self._temp is None or self.path is None:
            try:
                self._handle.flush()
            except BrokenPipeError:
                raise InputFileError(
                    "the output was closed before every record was written"
                ) from None
            return
        try:
            self._handle.close()
            os.replace(self._temp, self.path)
        except OSError as exc:
            self.discard()
            raise InputFileError(f"{self.path}: cannot write ({exc.strerror})") from None
        self._temp = None

    def discard(self) -> None:
        """Drop a half-written file; the target is left as it was."""
        if self._temp is None:
            return
        with contextlib.suppress(OSError):
            self._handle.close()
        with contextlib.suppress(OSError):
            os.unlink(self._temp)
        self._temp = None


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

    def _flags_text(self, flags: tuple[str, ...]) -> str:
        raise NotImplementedError

    def _missing_text(self, missing: tuple[str, ...]) -> str:
        raise NotImplementedError

    def _invalid_texts(self, problems: list[str], outcome: str = "invalid") -> tuple[str, str, str]:
        raise NotImplementedError

    def _ids(self, ids: list[str]) -> list[str]:
        raise NotImplementedError

    def _lines(
        self, rows: range, ids: list[str], parts: list[list[str]], inputs: list[str] | None
    ) -> str:
        raise NotImplementedError

    def block(self, block: Block, result: BlockResult) -> str:
        decisions = list(map(self._decisions[0].__getitem__, result.decisions[0]))
        for texts, keys in zip(self._decisions[1:], result.decisions[1:], strict=True):
            decisions = list(map(operator.add, decisions, map(texts.__getitem__, keys)))
        flags = list(map(self._flags.__getitem__, result.flags))
        missing = list(map(self._missing.__getitem__, result.missing))
        for offset, problems in result.problems.items():
            decisions[offset], flags[offset], missing[offset] = self._invalid_texts(problems)
        for offset, reasons in result.not_scored.items():
            marked = self._invalid_texts(reasons, "not_scored")
            decisions[offset], flags[offset], missing[offset] = marked
        rows = range(block.start, block.start + block.size)
        return self._lines(rows, self._ids(block.ids), [decisions, flags, missing], block.inputs)


class CsvRecordWriter(RecordWriter):
    """row, <id>, outcome, deciding, flags, missing, errors[, input columns]: LF, UTF-8."""

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
        return [
            ",".join(map(csv_field, row if len(row) == width else (row + padding)[:width]))
            for row in rows
        ]

    def _decision_text(
        self, outcome: str | None, earlier: bool, deciding: tuple[str, ...], last: bool
    ) -> str:
        text = "" if outcome is None else f"{outcome},"
        if deciding:
            text += (";" if earlier else "") + ";".join(deciding)
        return text

    def _flags_text(self, flags: tuple[str, ...]) -> str:
        return ";".join(flags)

    def _missing_text(self, missing: tuple[str, ...]) -> str:
        return ";".join(missing) + ","

    def _invalid_texts(self, problems: list[str], outcome: str = "invalid") -> tuple[str, str, str]:
        return f"{outcome},", "", "," + csv_field(ERROR_SEPARATOR.join(problems))

    def _ids(self, ids: list[str]) -> list[str]:
        joined = "\x00".join(ids)
        if any(c in joined for c in ',"\r\n'):
            return list(map(csv_field, ids))
        return ids

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
    """One JSON object per line: row, <id>, outcome, deciding, flags, missing, errors[, input]."""

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

    def _flags_text(self, flags: tuple[str, ...]) -> str:
        return f'"flags": {json.dumps(list(flags))}'

    def _missing_text(self, missing: tuple[str, ...]) -> str:
        return f'"missing": {json.dumps(list(missing))}, "errors": []'

    def _invalid_texts(self, problems: list[str], outcome: str = "invalid") -> tuple[str, str, str]:
        errors = json.dumps(problems, ensure_ascii=False)
        return (
            f'"outcome": "{outcome}", "deciding": []',
            '"flags": []',
            f'"missing": [], "errors": {errors}',
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
