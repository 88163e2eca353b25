"""Turn CSV cells into small integer codes, column by column, coercing each distinct text once.

An export has few distinct values per column ("yes", "No", "42", ...), so each is read by the
core's `coerce_value` once and every cell becomes the code of its text. Records arrive in small
lists (a few hundred) so that the cells being coded stay in the CPU cache; codes are collected
into blocks of tens of thousands of records for the column-wise evaluation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from screener.core.coercion import TOO_LONG, TOO_LONG_SHOWN, CoercionError, coerce_value
from screener.core.frozen import field, record_class
from screener.core.limits import MAX_ANSWER_CHARS
from screener.core.model import Question, Value

Codes = npt.NDArray[np.int32]

# Code 0 is "no answer": the question has no column, or skip logic hid it.
ABSENT = 0
# A column with more distinct texts than this (free text) starts a new code table at the next
# block, so memory stays flat however long the file is.
MAX_DISTINCT = 4_096


class BadRecord(list[str]):
    """A record that could not be read as it was written; it is empty (so it never has the
    header's width) and carries the reason and whatever cells were read."""

    def __init__(self, message: str, cells: Sequence[str] = ()) -> None:
        super().__init__()
        self.message = message
        self.cells = list(cells)

    def __bool__(self) -> bool:
        return True  # not a blank line


class ColumnCoder(dict[str, int]):
    """Raw cell text -> code for one question; `answers`, `texts`, `problems` are by code."""

    def __init__(self, question: Question) -> None:
        super().__init__()
        self.question = question
        self.generation = 0
        self.answers: list[Value] = [None]
        self.texts: list[str] = [""]
        self.problems: list[str | None] = [None]
        self._error_mask = np.zeros(1, dtype=np.bool_)
        self._none_mask = np.ones(1, dtype=np.bool_)
        self._too_long: int | None = None
        # A --map value map: a clinic's code -> the canonical text (columnar.value_map).
        self.translate: Callable[[str], str] | None = None

    def __missing__(self, raw: str) -> int:
        if len(raw) > MAX_ANSWER_CHARS:
            return self._too_long_code()
        code = len(self.answers)
        try:
            text = raw if self.translate is None else self.translate(raw)
            value: Value = coerce_value(self.question, text)
            error = None
        except CoercionError as exc:
            value, error = None, str(exc)
        self.answers.append(value)
        self.texts.append(raw)
        self.problems.append(error)
        self[raw] = code
        return code

    def _too_long_code(self) -> int:
        """One code for every cell too long to be an answer; such texts are not kept (4,096
        distinct cells of a megabyte each would be 4 GB)."""
        if self._too_long is None:
            self._too_long = len(self.answers)
            self.answers.append(None)
            self.texts.append(TOO_LONG_SHOWN)
            self.problems.append(TOO_LONG)
        return self._too_long

    def reset(self) -> None:
        self.clear()
        self._too_long = None
        self.generation += 1
        del self.answers[1:], self.texts[1:], self.problems[1:]
        self._error_mask = np.zeros(0, dtype=np.bool_)
        self._none_mask = np.zeros(0, dtype=np.bool_)

    def error_mask(self) -> npt.NDArray[np.bool_]:
        """By code: the text could not be read as an answer."""
        if len(self._error_mask) != len(self.problems):
            self._error_mask = np.array([e is not None for e in self.problems], dtype=np.bool_)
        return self._error_mask

    def none_mask(self) -> npt.NDArray[np.bool_]:
        """By code: no known answer (blank, "don't know", unreadable, absent)."""
        if len(self._none_mask) != len(self.answers):
            self._none_mask = np.array([v is None for v in self.answers], dtype=np.bool_)
        return self._none_mask


@record_class(frozen=False)
class Block:
    """Consecutive records, as codes per question column."""

    start: int  # 1-based number of the first record
    size: int
    ids: list[str]
    codes: dict[str, Codes]  # question id -> code per record (questions with a column)
    shape_errors: dict[int, str]  # offset in block -> "too many/too few fields" message
    inputs: list[str] | None  # each record's own cells, already encoded by the output writer
    # Set by the reader of a REDCap export: records not to be scored (a form that is not
    # complete), offset -> why; problems of a record as a whole (rows that disagree), and the
    # questions whose answers that leaves unread.
    not_scored: dict[int, str] = field(default_factory=dict)
    record_problems: dict[int, list[str]] = field(default_factory=dict)
    unread: dict[int, tuple[str, ...]] = field(default_factory=dict)


InputEncoder = Callable[[list[list[str]]], list[str]]


def code_table(coder: ColumnCoder, texts: list[str]) -> Codes:
    """The code of each distinct text (an Arrow dictionary), each coerced once."""
    return np.fromiter(map(coder.__getitem__, texts), dtype=np.int32, count=len(texts))


def shape_message(found: int, width: int, row: list[str]) -> str:
    if found < width:
        return f"too few fields: {found}, the header has {width}"
    extra = ", ".join(repr(cell[:40]) for cell in row[width : width + 5])
    more = ", ..." if found - width > 5 else ""
    return f"too many fields: {found}, the header has {width} (extra: {extra}{more})"


def code_blocks(
    chunks: Iterable[list[list[str]]],
    width: int,
    id_index: int | None,
    columns: Mapping[str, int],
    coders: Mapping[str, ColumnCoder],
    block_rows: int,
    encode_inputs: InputEncoder | None = None,
    max_distinct: int = MAX_DISTINCT,
) -> Iterator[Block]:
    """Blocks of about `block_rows` records from lists of records (each at most block_rows)."""
    chunk_iter = iter(chunks)
    start = 1
    pending: list[list[str]] | None = None
    while True:
        for coder in coders.values():
            if len(coder) > max_distinct:
                coder.reset()
        arrays: dict[str, list[Codes]] = {q: [] for q in columns}
        ids: list[str] = []
        shape_errors: dict[int, str] = {}
        inputs: list[str] | None = [] if encode_inputs is not None else None
        filled = 0
        while filled < block_rows:
            rows = pending if pending is not None else next(chunk_iter, None)
            pending = None
            if rows is None:
                break
            if filled and filled + len(rows) > block_rows:
                pending = rows
                break
            count = len(rows)
            if inputs is not None and encode_inputs is not None:
                inputs.extend(encode_inputs(rows))
            if min(map(len, rows)) != width or max(map(len, rows)) != width:
                rows = list(rows)
                for i, row in enumerate(rows):
                    if len(row) != width:
                        if isinstance(row, BadRecord):
                            shape_errors[filled + i] = row.message
                            row = row.cells
                        else:
                            shape_errors[filled + i] = shape_message(len(row), width, row)
                        blank = [""] * width
                        if id_index is not None and id_index < len(row):
                            blank[id_index] = row[id_index]
                        rows[i] = blank
            cells = list(zip(*rows, strict=True))
            ids.extend(cells[id_index] if id_index is not None else [""] * count)
            for question, index in columns.items():
                lookup = coders[question].__getitem__
                arrays[question].append(
                    np.fromiter(map(lookup, cells[index]), dtype=np.int32, count=count)
                )
            filled += count
        if not filled:
            return
        yield Block(
            start=start,
            size=filled,
            ids=ids,
            codes={q: np.concatenate(parts) for q, parts in arrays.items()},
            shape_errors=shape_errors,
            inputs=inputs,
        )
        start += filled
