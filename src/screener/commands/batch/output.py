"""Batch output: one CSV row or JSON line per input record, streamed (through
files.write.AtomicFile) to a file or stdout.

CSV cells copied from the export (ids, input cells and header names, messages quoting them)
are spreadsheet-safe: one that starts like a formula gets a `'` in front (formats.csv_cells).
`safety_unreadable` is yes (true) for an invalid or not_scored record with an unreadable cell
of a question an urgent rule reads (or a record whose fields cannot be matched to the header).
`urgent_answer` is yes (true) for every record whose answers make an urgent rule hold, each
unreadable cell taken as unknown: the urgent records, and the invalid or not_scored records
that are urgent all the same.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Collection
from json.encoder import encode_basestring
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from screener.columnar.coding import Block
from screener.columnar.distinct import Inverse, distinct_rows
from screener.columnar.header import header_key
from screener.columnar.scorer import BlockResult, ColumnarScorer, Key, Words, distinct_keys
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
    "urgent_answer",
)
ERROR_SEPARATOR = " | "
# Texts kept per part before the cache starts again (the decision, undecided and flags parts;
# the missing part, with about 90,000 distinct lists in 1,000,000 records, is put together by
# Arrow a block at a time instead). 5,000 was both faster and smaller than 20,000 when the
# missing lists were cached too: 14.8-15.1 s and 128-129 MB against 16.0-16.4 s and 141-151 MB.
TEXT_CACHE_LIMIT = 5_000


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


class _Part:
    """One part of every record's text: a key per record, its text made once per key."""

    def __init__(self, inverse: Inverse, keyed: pa.Array) -> None:
        self.inverse = inverse
        self.keyed = keyed  # the text of each distinct key
        self.extra: list[str] = []

    @classmethod
    def of(cls, texts: _Texts, words: Words) -> _Part:
        keys, inverse = distinct_keys(words)
        return cls(inverse, pa.array([texts[key] for key in keys], type=pa.string()))

    def put(self, offset: int, text: str) -> None:
        """This record's part is `text` instead."""
        self.inverse[offset] = len(self.keyed) + len(self.extra)
        self.extra.append(text)

    def column(self) -> pa.Array:
        texts = self.keyed
        if self.extra:
            texts = pa.concat_arrays([texts, pa.array(self.extra, type=pa.string())])
        return texts.take(pa.array(self.inverse))


class _MissingForm(NamedTuple):
    """How a format writes the missing part of a valid record: each question's name, what
    is between two, what comes before the list and after it (no errors, safety_unreadable)."""

    name: Callable[[str], str]
    separator: str
    before: str
    after: str


def _distinct_names(names: list[str]) -> list[str]:
    """The names with each repeat made its own (`foo`, `foo (2)`), so that no column of the
    output shares a name and no JSON key hides another's cell."""
    taken = set(names)
    seen: set[str] = set()
    out = []
    for name in names:
        if name in seen:
            number = 2
            while f"{name} ({number})" in taken:
                number += 1
            name = f"{name} ({number})"
            taken.add(name)
        seen.add(name)
        out.append(name)
    return out


def _piece(piece: pa.Array | str) -> pa.Array | pa.Scalar:
    """A column of the lines, or a text that every line holds at that place."""
    return pa.scalar(piece, type=pa.string()) if isinstance(piece, str) else piece


def _data(lines: pa.Array) -> bytes:
    """The lines (each with its line end) as one UTF-8 text: the string array's data buffer."""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
    start, end = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
    data = lines.buffers()[2]
    if data is None:
        return b""
    text: bytes = data[start:end].to_pybytes()  # a slice of a buffer is a view: one copy
    return text


class _Columns(NamedTuple):
    """A block's columns of output text, as the writers put them together."""

    rows: pa.Array
    ids: pa.Array
    decisions: list[pa.Array]  # the outcome and the deciding rules, a column per group
    flagged: list[pa.Array]  # the undecided rules (a column per group), then the flags
    missing: pa.Array  # missing, errors and safety_unreadable
    urgent: pa.Array  # urgent_answer
    inputs: pa.Array | None  # the input record, when asked for


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
        self._undecided = [
            _Texts(self._undecided_maker(scorer, group, group == groups - 1))
            for group in range(groups)
        ]
        self._flags = _Texts(lambda key: self._flags_text(scorer.flags(key)))
        self._scorer = scorer
        self._missing_form = form = self._missing()
        self._missing_names = pa.array(list(map(form.name, scorer.place_names)), pa.string())
        self._no_yes = pa.array(self._no_yes_texts(), pa.string())

    def _decision_maker(
        self, scorer: ColumnarScorer, group: int, last: bool
    ) -> Callable[[Key], str]:
        def make(key: Key) -> str:
            return self._decision_text(*scorer.decision(group, key), last=last)

        return make

    def _undecided_maker(
        self, scorer: ColumnarScorer, group: int, last: bool
    ) -> Callable[[Key], str]:
        def make(key: Key) -> str:
            earlier, rules = scorer.undecided(group, key)
            return self._undecided_text(group == 0, earlier, rules, last)

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

    def _undecided_text(
        self, first: bool, earlier: bool, rules: tuple[str, ...], last: bool
    ) -> str:
        """One group's part of the undecided rules."""
        raise NotImplementedError

    def _flags_text(self, flags: tuple[str, ...]) -> str:
        raise NotImplementedError

    def _missing(self) -> _MissingForm:
        raise NotImplementedError

    def _missing_part(self, words: Words) -> _Part:
        """The missing part: the text of each distinct key put together by Arrow, in one pass
        for the block (as verdict.missing orders the questions: scorer.missing_places)."""
        keys, inverse = distinct_rows(words)
        places, starts = self._scorer.missing_places(keys)
        names = self._missing_names.take(pa.array(places))
        lists = pa.ListArray.from_arrays(pa.array(starts), names)
        form = self._missing_form
        joined = pc.binary_join(lists, form.separator)
        text = pc.binary_join_element_wise(_piece(form.before), joined, _piece(form.after), "")
        return _Part(inverse, text)

    def _invalid_texts(
        self, problems: list[str], safety: bool, outcome: str = INVALID
    ) -> tuple[str, str, str]:
        raise NotImplementedError

    def _ids(self, ids: list[str]) -> list[str]:
        raise NotImplementedError

    def _no_yes_texts(self) -> tuple[str, str]:
        """How a yes/no column reads: (no, yes)."""
        raise NotImplementedError

    def _pieces(self, c: _Columns) -> list[pa.Array | str]:
        """What each line is made of, in order: columns, and texts that every line holds
        (separators, the line end)."""
        raise NotImplementedError

    def block(self, block: Block, result: BlockResult, safety: Collection[int] = ()) -> bytes:
        """The block's records; `safety`: offsets of invalid records with an unreadable
        safety answer. Each part's text is made once per distinct key; Arrow assembles the
        lines column by column."""
        groups = [
            _Part.of(texts, words)
            for texts, words in zip(self._decisions, result.decisions, strict=True)
        ]
        undecided = [
            _Part.of(texts, words)
            for texts, words in zip(self._undecided, result.undecided, strict=True)
        ]
        flags = _Part.of(self._flags, result.flags)
        missing = self._missing_part(result.missing)
        overrides = [
            (offset, self._invalid_texts(problems, offset in safety))
            for offset, problems in result.problems.items()
        ]
        overrides += [
            (offset, self._invalid_texts(reasons, offset in safety, "not_scored"))
            for offset, reasons in result.not_scored.items()
        ]
        for offset, (decision, flag, miss) in overrides:
            groups[0].put(offset, decision)
            for group in groups[1:]:
                group.put(offset, "")
            for part in undecided:
                part.put(offset, "")
            flags.put(offset, flag)
            missing.put(offset, miss)
        rows = pa.array(np.arange(block.start, block.start + block.size)).cast(pa.string())
        ids = pa.array(self._ids(block.ids), type=pa.string())
        inputs = None if block.inputs is None else pa.array(block.inputs, type=pa.string())
        columns = _Columns(
            rows,
            ids,
            [g.column() for g in groups],
            [*(u.column() for u in undecided), flags.column()],
            missing.column(),
            self._no_yes.take(pa.array(result.urgent.view(np.int8))),
            inputs,
        )
        pieces = self._pieces(columns)
        # One join: every line is made in one pass, with no column of partial lines between.
        return _data(pc.binary_join_element_wise(*(_piece(p) for p in pieces), ""))


class CsvRecordWriter(RecordWriter):
    """row, <id>, outcome, deciding, undecided, flags, missing, errors, safety_unreadable,
    urgent_answer[, input columns]: LF, UTF-8."""

    def header(self) -> str:
        names = ["row", self.id_name, *RESULT_FIELDS[1:]]
        if self.include_input:
            taken = {header_key(n) for n in names}
            for cell in self.input_header:
                name = cell.strip()
                names.append(f"input_{name}" if header_key(name) in taken else name)
        return ",".join(map(csv_field, _distinct_names(names))) + "\n"

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

    def _undecided_text(
        self, first: bool, earlier: bool, rules: tuple[str, ...], last: bool
    ) -> str:
        text = (";" if earlier and rules else "") + ";".join(rules)
        return text + ("," if last else "")  # then the flags

    def _flags_text(self, flags: tuple[str, ...]) -> str:
        return ";".join(flags)

    def _missing(self) -> _MissingForm:
        no = self._no_yes_texts()[0]
        return _MissingForm(str, ";", "", f",,{no}")  # missing, errors (none), safety_unreadable

    def _invalid_texts(
        self, problems: list[str], safety: bool, outcome: str = INVALID
    ) -> tuple[str, str, str]:
        errors = csv_field(ERROR_SEPARATOR.join(problems))
        return f"{outcome},", ",", f",{errors},{self._no_yes_texts()[safety]}"

    def _ids(self, ids: list[str]) -> list[str]:
        return csv_fields(ids)

    def _no_yes_texts(self) -> tuple[str, str]:
        return "no", "yes"

    def _pieces(self, c: _Columns) -> list[pa.Array | str]:
        pieces: list[pa.Array | str] = [c.rows, ",", c.ids, ",", *c.decisions, ",", *c.flagged]
        pieces += [",", c.missing, ",", c.urgent]
        if c.inputs is not None:
            pieces += [",", c.inputs]
        return [*pieces, "\n"]


class JsonlRecordWriter(RecordWriter):
    """One JSON object per line: row, <id>, outcome, deciding, undecided, flags, missing, errors,
    safety_unreadable, urgent_answer[, input]."""

    def header(self) -> str:
        return ""

    @functools.cached_property
    def _input_keys(self) -> list[str]:
        """The input object's keys, one per header cell (made once, not once a block)."""
        return _distinct_names([cell.strip() for cell in self.input_header])

    def encode_inputs(self, rows: list[list[str]]) -> list[str]:
        keys = self._input_keys
        return [json.dumps(dict(zip(keys, row, strict=False)), ensure_ascii=False) for row in rows]

    def _decision_text(
        self, outcome: str | None, earlier: bool, deciding: tuple[str, ...], last: bool
    ) -> str:
        text = "" if outcome is None else f'"outcome": "{outcome}", "deciding": ['
        if deciding:
            text += (", " if earlier else "") + ", ".join(map(json.dumps, deciding))
        return text + ("]" if last else "")

    def _undecided_text(
        self, first: bool, earlier: bool, rules: tuple[str, ...], last: bool
    ) -> str:
        text = '"undecided": [' if first else ""
        if rules:
            text += (", " if earlier else "") + ", ".join(map(json.dumps, rules))
        return text + ("], " if last else "")

    def _flags_text(self, flags: tuple[str, ...]) -> str:
        return f'"flags": {json.dumps(list(flags))}'

    def _missing(self) -> _MissingForm:
        after = f'], "errors": [], "safety_unreadable": {self._no_yes_texts()[0]}'
        return _MissingForm(json.dumps, ", ", '"missing": [', after)

    def _invalid_texts(
        self, problems: list[str], safety: bool, outcome: str = INVALID
    ) -> tuple[str, str, str]:
        errors = json.dumps(problems, ensure_ascii=False)
        unreadable = self._no_yes_texts()[safety]
        return (
            f'"outcome": {json.dumps(outcome)}, "deciding": []',
            '"undecided": [], "flags": []',
            f'"missing": [], "errors": {errors}, "safety_unreadable": {unreadable}',
        )

    def _ids(self, ids: list[str]) -> list[str]:
        if not self.has_ids:
            return ["null"] * len(ids)
        return list(map(encode_basestring, ids))

    def _no_yes_texts(self) -> tuple[str, str]:
        return "false", "true"

    def _pieces(self, c: _Columns) -> list[pa.Array | str]:
        key = encode_basestring(self.id_name)
        pieces: list[pa.Array | str] = ['{"row": ', c.rows, f", {key}: ", c.ids, ", "]
        pieces += [*c.decisions, ", ", *c.flagged, ", ", c.missing, ', "urgent_answer": ', c.urgent]
        if c.inputs is not None:
            pieces += [', "input": ', c.inputs]
        return [*pieces, "}\n"]
