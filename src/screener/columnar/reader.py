"""Read a CSV export record by record, in small lists, with one clear error for a broken file.

The file is decoded as a stream (`newline=""`, so CRLF and line breaks inside quoted cells
are the csv module's business) and read once, front to back: a pipe or a FIFO works like a
file, and nothing is read again to explain an error.

- A byte that is not valid in the encoding stops the run with its byte offset and line.
- A physical line longer than MAX_CSV_FIELD_CHARS makes its record invalid (a `BadRecord`)
  and the run goes on; a cell can never be longer than that either.
- A quote that opens a cell and is never closed stops the run, naming the line it opens on,
  whether it runs into the cell limit or into the end of the file (where the csv module would
  quietly return every line after the quote as one cell).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import deque
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from screener.core.limits import MAX_CSV_FIELD_CHARS, MAX_CSV_SKIP_CHARS
from screener.core.problems import InputFileError, UsageError
from screener.files.read import open_binary

DEFAULT_ID_COLUMN = "intake_id"
# Records are read a few hundred at a time so the cells being coded stay in the CPU cache
# (10x faster than large lists here), and scored in blocks large enough for numpy to pay off.
READ_ROWS = 512
BLOCK_ROWS = 16_384

# Codecs that decode bytes but are not how a spreadsheet saves text: UTF-7 turns `+ADw-` into
# `<`, the escape codecs turn `\x41` into `A`; base64, hex, rot13, zlib... are not text at all.
_NOT_FOR_FILES = frozenset(
    {"utf-7", "idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined"}
)
# Lines put in place of what cannot be handed to the csv module. U+FDD0 and U+FDD1 are
# Unicode noncharacters, never part of interchanged text; they are looked for only when one
# was put in (an over-long line, the end of the file).
_DROPPED = "\ufdd0"
_END = "\ufdd1"


def resolve_encoding(name: str) -> str:
    """The codec to read with: UTF-8 (the default) drops a byte order mark."""
    try:
        codec = codecs.lookup(name)
    except LookupError:
        raise UsageError(
            f"--encoding {name!r}: unknown encoding (try utf-8, cp1252 or latin-1)"
        ) from None
    if not getattr(codec, "_is_text_encoding", True) or codec.name in _NOT_FOR_FILES:
        raise UsageError(
            f"--encoding {name!r}: not an encoding a CSV export is saved in"
            " (try utf-8, cp1252 or latin-1)"
        )
    return "utf-8-sig" if codec.name == "utf-8" else codec.name


def _encoding_label(encoding: str) -> str:
    return "UTF-8" if encoding in ("utf-8", "utf-8-sig") else encoding


class BadRecord(list[str]):
    """A record that could not be read as it was written; it is empty (so it never has the
    header's width) and carries the reason and whatever cells were read."""

    def __init__(self, message: str, cells: Sequence[str] = ()) -> None:
        super().__init__()
        self.message = message
        self.cells = list(cells)

    def __bool__(self) -> bool:
        return True  # not a blank line


class _CountedInput(io.BufferedIOBase):
    """The file's bytes on their way to the decoder, counted (bytes, and lines before the
    latest block), so a decoding error is located without reading the file again."""

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__()
        self._raw = raw
        self.consumed = 0
        self.latest = b""
        self.lines_before_latest = 0

    @property
    def name(self) -> object:
        return getattr(self._raw, "name", None)

    def readable(self) -> bool:
        return True

    def _passing(self, data: bytes) -> bytes:
        self.lines_before_latest += self.latest.count(b"\n")
        self.latest = data
        self.consumed += len(data)
        return data

    def read(self, size: int | None = -1, /) -> bytes:
        return self._passing(self._raw.read(-1 if size is None else size))

    def read1(self, size: int = -1, /) -> bytes:
        read1 = getattr(self._raw, "read1", self._raw.read)
        data: bytes = read1(size)
        return self._passing(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


class RecordSource:
    """The header and then the data records of a CSV file; blank lines are counted, not kept."""

    def __init__(self, path: Path, encoding: str) -> None:
        self.path = path
        self.encoding = encoding
        self.blank_lines = 0
        binary = open_binary(path)
        try:
            self.size = path.stat().st_size
        except OSError:
            self.size = 0
        self._input = _CountedInput(binary)
        self._text = io.TextIOWrapper(self._input, encoding=encoding, newline="")
        if csv.field_size_limit() < MAX_CSV_FIELD_CHARS:
            csv.field_size_limit(MAX_CSV_FIELD_CHARS)
        self._reader = csv.reader(self._lines())
        self._dropped: deque[int] = deque()  # over-long lines put in place as _DROPPED
        self._at_end = False
        self._last_line_open = False  # the file's last line has no line break
        header: list[str] = []
        while not header:
            batch = self._read(1)
            if not batch:
                raise InputFileError(f"{path}: the file is empty; expected a header record")
            header = batch[0]
            if isinstance(header, BadRecord):
                raise InputFileError(f"{path}: the header: {header.message}")
            if not header:
                self.blank_lines += 1
        self.header = header

    def _lines(self) -> Iterator[str]:
        """The file's physical lines, none longer than the cell limit; an over-long line is
        skipped and a _DROPPED line takes its place; a last _END line marks the end."""
        readline = self._text.readline
        cap = MAX_CSV_FIELD_CHARS
        last = ""
        while True:
            line = readline(cap + 2)
            if len(line) <= cap:
                if not line:
                    break
                yield line
            elif len(line.rstrip("\r\n")) <= cap:
                yield line
            else:
                self._skip_rest_of_line(line, cap)
                self._dropped.append(self._reader.line_num + 1)
                line = _DROPPED + "\n"
                yield line
            last = line
        self._last_line_open = bool(last) and not last.endswith(("\n", "\r"))
        self._at_end = True
        yield _END + "\n"

    def _skip_rest_of_line(self, line: str, cap: int) -> None:
        skipped = len(line)
        while not line.endswith(("\n", "\r")):
            line = self._text.readline(cap)
            if not line:
                return
            skipped += len(line)
            if skipped > MAX_CSV_SKIP_CHARS:
                raise InputFileError(
                    f"{self.path}: line {self._reader.line_num + 1} is longer than"
                    f" {MAX_CSV_SKIP_CHARS:,} characters; is this a CSV export?"
                )

    def _read(self, count: int) -> list[list[str]]:
        try:
            rows = list(islice(self._reader, count))
        except UnicodeDecodeError as exc:
            raise InputFileError(self._decode_message(exc)) from None
        except csv.Error as exc:
            raise InputFileError(self._csv_message(exc)) from None
        if self._dropped or self._at_end:
            return self._with_markers(rows)
        return rows

    def _with_markers(self, rows: list[list[str]]) -> list[list[str]]:
        """Rows with the lines put in by `_lines` found: an over-long line's record becomes a
        BadRecord; the end marker is dropped, or, inside a cell, names an unclosed quote."""
        kept: list[list[str]] = []
        for index, row in enumerate(rows):
            if self._at_end and row == [_END] and index == len(rows) - 1:
                continue
            if self._at_end and index == len(rows) - 1 and any(_END in cell for cell in row):
                # The csv module was inside a quoted cell when the file ended.
                raise InputFileError(
                    f"{self.path}: line {self._opening_line(row)}: a quote that opens a cell"
                    " here is never closed, so it swallows every line after it"
                )
            if self._dropped and (row == [_DROPPED] or any(_DROPPED in cell for cell in row)):
                lines = [self._dropped.popleft() for _ in range(self._marks(row))]
                whole = row == [_DROPPED]
                message = (
                    f"line {lines[0]} is longer than {MAX_CSV_FIELD_CHARS:,} characters"
                    if whole
                    else f"a cell holds line {lines[0]}, longer than"
                    f" {MAX_CSV_FIELD_CHARS:,} characters"
                )
                kept.append(BadRecord(message, [] if whole else row))
                continue
            kept.append(row)
        return kept

    def _opening_line(self, row: list[str]) -> int:
        """The line of the quote that opened the cell the end of the file ran into: that cell
        holds a line break for each line from there on (but the last, if it has none)."""
        cell = next(cell for cell in row if _END in cell)
        breaks = cell.count("\n") + cell.count("\r") - cell.count("\r\n")
        return self._reader.line_num + 1 - breaks - self._last_line_open

    def _marks(self, row: list[str]) -> int:
        return max(1, min(len(self._dropped), sum(cell.count(_DROPPED) for cell in row)))

    def _csv_message(self, exc: csv.Error) -> str:
        if "field limit" in str(exc):
            return (
                f"{self.path}: line {self._reader.line_num}: a cell that began on an earlier line"
                f" is longer than {MAX_CSV_FIELD_CHARS:,} characters by here; a quote that opens"
                " a cell and is never closed swallows the lines after it"
            )
        return f"{self.path}: line {self._reader.line_num}: cannot be read as CSV ({exc})"

    def _decode_message(self, exc: UnicodeDecodeError) -> str:
        """Where the file stops being valid text: byte, offset, line, and what to try.

        The decoder failed on its latest input, which ends where the bytes read so far end."""
        counted = self._input
        start = counted.consumed - len(exc.object) + exc.start
        start = max(0, min(start, counted.consumed - 1))
        into_latest = max(0, start - (counted.consumed - len(counted.latest)))
        line = counted.lines_before_latest + counted.latest.count(b"\n", 0, into_latest) + 1
        label = _encoding_label(self.encoding)
        hint = (
            "; if it was saved by Excel or another Windows program, try --encoding cp1252"
            if label == "UTF-8"
            else "; give the file's real encoding with --encoding"
        )
        byte = exc.object[exc.start] if exc.start < len(exc.object) else 0
        return (
            f"{self.path}: not valid {label} text: byte 0x{byte:02x} at byte offset {start}"
            f" (line {line}){hint}"
        )

    def chunks(self, size: int) -> Iterator[list[list[str]]]:
        """Lists of up to `size` records (lists of cells), in file order, blank lines left out."""
        while True:
            rows = self._read(size)
            if not rows:
                return
            if not all(rows):
                kept = [row for row in rows if row]
                self.blank_lines += len(rows) - len(kept)
                rows = kept
                if not rows:
                    continue
            yield rows

    def bytes_read(self) -> int:
        return self._input.consumed

    def close(self) -> None:
        self._text.close()

    def __enter__(self) -> RecordSource:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
