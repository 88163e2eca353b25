"""The bytes of a CSV export on their way to Arrow's CSV parser: decoded, checked, counted,
and cut into pieces of whole records.

Arrow parses the records; what it cannot tell, this feed works out as the bytes stream past,
a mebibyte at a time, with vector operations (numpy) over the positions of the line ends:

- The file is decoded in its `--encoding` (UTF-8 drops a byte order mark) and handed on as
  UTF-8. A byte that is not valid stops the run with its byte offset and line.
- Physical lines are counted, for messages. A file's line ends are LF (or CRLF), or, in a file
  without any LF, a lone CR.
- A physical line longer than MAX_CSV_FIELD_CHARS is dropped and a marker line takes its place
  (`MARK` + its line number + `MARK`), so that Arrow puts the marker where the line was: its
  record becomes invalid and the run goes on. A line past MAX_CSV_SKIP_CHARS stops the run.
- Blank lines outside quoted cells are counted (Arrow drops them without a trace). Whether a
  line end lies inside a quoted cell is told by the parity of the quotes before it, as in a
  well-formed file (a doubled quote counts twice).
- At the end, an odd number of quotes whose last opening quote starts a cell means a quote that
  is never closed: the line it opens on is kept for the error.
"""

from __future__ import annotations

import codecs
import re
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from screener.core.limits import MAX_CSV_FIELD_CHARS, MAX_CSV_RECORD_BYTES, MAX_CSV_SKIP_CHARS
from screener.core.problems import InputFileError

READ_BYTES = MAX_CSV_FIELD_CHARS
# U+FDD0 is a Unicode noncharacter, never part of interchanged text.
MARK = "\ufdd0"
MARKED_LINE = re.compile(f"{MARK}(\\d+){MARK}")
LF, CR, QUOTE = 10, 13, 34
Bytes = npt.NDArray[np.uint8]
Positions = npt.NDArray[np.int64]
_UTF8 = frozenset({"utf-8", "utf-8-sig"})


def encoding_label(encoding: str) -> str:
    return "UTF-8" if encoding in _UTF8 else encoding


def _chars(line: bytes) -> int:
    """Characters of a line's text, without its line end."""
    return len(line.decode("utf-8").rstrip("\r\n"))


class TextFeed:
    """The export's text as checked UTF-8, read once, in pieces of whole records."""

    def __init__(self, raw: BinaryIO, path: object, encoding: str) -> None:
        self.path = path
        self.encoding = encoding
        self._raw = raw
        # What has arrived (a pipe is not kept waiting for a whole mebibyte).
        self._read = getattr(raw, "read1", raw.read)
        self._decoder = codecs.getincrementaldecoder(encoding)()
        self._utf8 = encoding in _UTF8
        self.consumed = 0  # bytes read from the file
        self._decoded_lines = 0  # LFs in the bytes decoded so far (for a decoding error)
        self.lines = 0  # line ends handed on
        self.blank_lines = 0
        self.marked = 0  # over-long lines replaced by a marker
        self.unclosed_line: int | None = None  # line of a quote never closed, at the end
        self._end_byte: int | None = None  # LF, or CR in a file without LF
        self._quotes = 0  # quotes handed on
        self._open_quote_line = 0  # line of the latest quote that left the parity odd
        self._open_quote_starts_cell = False
        self._pending = b""  # the start of a line whose end has not been read
        self._previous = LF  # the last byte handed on (a line end before the file)
        self._carry = b""  # the start of a record whose end has not been read
        self._at_end = False

    # -- whole records --------------------------------------------------------------------

    def close(self) -> None:
        self._raw.close()

    def push_back(self, data: bytes) -> None:
        """Bytes taken by next_piece() and not used (after the header), to be read first."""
        self._carry = data + self._carry

    def next_records(self) -> bytes:
        """The next bytes holding whole records (ending at a line end outside quotes), or the
        rest of the file at its end; b"" after that."""
        while True:
            piece = self.next_piece()
            data = self._carry + piece
            if not piece:
                self._carry = b""
                return data
            cut = self._record_cut(data, piece)
            self._carry = data[cut:]
            if cut:
                return data[:cut]
            if len(self._carry) > MAX_CSV_RECORD_BYTES:
                start = self.lines - self._line_ends(self._carry) + 1  # where the record began
                raise InputFileError(
                    f"{self.path}: line {start}: the record that starts here is longer than"
                    f" {MAX_CSV_RECORD_BYTES:,} bytes by line {self.lines}; a quote that opens a"
                    " cell and is never closed swallows the lines after it"
                )

    def _record_cut(self, data: bytes, piece: bytes) -> int:
        """Where the last whole record of `data` ends (it starts at a record's start and ends
        after a line end): after the last line end with an even number of quotes before it."""
        if not self._quotes % 2 and b'"' not in piece:
            return len(data)  # quotes balanced, and the piece ends at a line end
        array = np.frombuffer(data, dtype=np.uint8)
        ends = np.flatnonzero(array == (self._end_byte or LF))
        if not len(ends):
            return 0
        quotes = np.searchsorted(_quote_marks(array, LF), ends)
        even = np.flatnonzero(quotes % 2 == 0)
        return int(ends[even[-1]]) + 1 if len(even) else 0

    # -- the bytes -------------------------------------------------------------------------

    def _next_data(self) -> tuple[bytes, bool]:
        """The next bytes of the file as UTF-8, and whether the file has ended."""
        data = self._read(READ_BYTES)
        final = not data
        if not self.consumed and not self._utf8 and data.startswith(codecs.BOM_UTF8):
            raise InputFileError(
                f"{self.path}: the file starts with a UTF-8 byte order mark, so it is UTF-8"
                f" text, not {self.encoding}; run without --encoding"
            )
        self.consumed += len(data)
        try:
            text = self._decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            raise InputFileError(self._decode_message(exc)) from None
        except UnicodeError as exc:  # UTF-16 without a byte order mark, say
            raise InputFileError(
                f"{self.path}: cannot be read as {self.encoding} text ({exc}); give the file's"
                " real encoding with --encoding"
            ) from None
        # The decoder has checked the bytes; ASCII is handed on as read.
        out = data if self._utf8 and len(text) == len(data) else text.encode("utf-8")
        self._decoded_lines += data.count(b"\n")
        return out, final

    def next_piece(self) -> bytes:
        """The next bytes, ending after a line end (or at the end of the file); b"" at the
        end."""
        while not self._at_end:
            data, final = self._next_data()
            if final:
                self._at_end = True
                piece, self._pending = self._pending, b""
                if piece:
                    return self._hand_on(piece)
                break
            piece = self._pending + data
            if self._end_byte is None:
                if LF in piece:
                    self._end_byte = LF
                elif CR in piece[:-1]:
                    self._end_byte = CR
            end = self._end_byte if self._end_byte is not None else LF
            cut = piece.rfind(end) + 1
            if len(piece) - cut > MAX_CSV_FIELD_CHARS and _chars(piece[cut:]) > MAX_CSV_FIELD_CHARS:
                self._pending = b""
                return self._hand_on(self._drop_long_line(len(piece) - cut, piece[:cut]))
            if not cut:
                self._pending = piece
                continue
            self._pending = piece[cut:]
            return self._hand_on(piece[:cut])
        self._finish()
        return b""

    def _decode_message(self, exc: UnicodeDecodeError) -> str:
        start = self.consumed - len(exc.object) + exc.start
        start = max(0, min(start, self.consumed - 1))
        line = self._decoded_lines + exc.object.count(b"\n", 0, exc.start) + 1
        label = encoding_label(self.encoding)
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

    def _line_ends(self, piece: bytes) -> int:
        return piece.count(self._end_byte or LF)

    def _drop_long_line(self, skipped: int, before: bytes) -> bytes:
        """`before` and a marker for the over-long line that follows it, whose start has been
        read (`skipped` bytes); the rest of the line is read and dropped."""
        line = self.lines + self._line_ends(before) + 1
        end = self._end_byte if self._end_byte is not None else LF
        while True:
            data, final = self._next_data()
            if final:
                self._at_end = True
                rest = b""
                break
            at = data.find(end)
            if at >= 0:
                rest = data[at:]
                break
            skipped += len(data)
            if skipped > MAX_CSV_SKIP_CHARS:
                raise InputFileError(
                    f"{self.path}: line {line} is longer than {MAX_CSV_SKIP_CHARS:,} characters;"
                    " is this a CSV export?"
                )
        self.marked += 1
        cut = rest.rfind(end) + 1 if not self._at_end else len(rest)
        self._pending = rest[cut:]
        marker = f"{MARK}{line}{MARK}".encode()
        return before + marker + (rest[:cut] or b"\n")

    def _lines(self, piece: bytes) -> tuple[Bytes, Positions, Positions, Positions]:
        """The piece as an array; where its line ends are, where its lines start (and where
        the next would), and the lengths of its complete lines in bytes, line end included."""
        array = np.frombuffer(piece, dtype=np.uint8)
        ends = np.flatnonzero(array == (self._end_byte or LF))
        starts = np.empty(len(ends) + 1, dtype=np.int64)
        starts[0] = 0
        starts[1:] = ends + 1
        return array, ends, starts, starts[1:] - starts[:-1]

    def _hand_on(self, piece: bytes) -> bytes:
        end = self._end_byte or LF
        array, ends, starts, lengths = self._lines(piece)
        if len(lengths) and int(lengths.max()) > MAX_CSV_FIELD_CHARS:
            marked = self._mark_long_lines(piece, starts, lengths)
            if marked is not piece:
                piece = marked
                array, ends, starts, lengths = self._lines(piece)
        blank = lengths == 1
        if end == LF and len(lengths):
            blank |= (lengths == 2) & (array[starts[:-1]] == CR)
        if self._previous != end and len(lengths):
            blank[0] = False  # the line began in the previous piece
        marks = _quote_marks(array, self._previous) if b'"' in piece else None
        quotes = 0 if marks is None else len(marks)
        if blank.any():
            self._count_blank_lines(marks, starts[:-1][blank])
        if (self._quotes + quotes) % 2 and marks is not None:
            self._note_open_quote(piece, marks)
        self._quotes += quotes
        self.lines += len(ends)
        self._previous = piece[-1]
        if self._at_end:
            self._finish()
        return piece

    def _mark_long_lines(self, piece: bytes, starts: Positions, lengths: Positions) -> bytes:
        """The piece with each line longer than the limit (in characters) put as a marker;
        the piece itself when none is."""
        out: list[bytes] = []
        at = 0
        for index in np.flatnonzero(lengths > MAX_CSV_FIELD_CHARS).tolist():
            begin, stop = int(starts[index]), int(starts[index + 1])
            line = piece[begin:stop]
            if _chars(line) <= MAX_CSV_FIELD_CHARS:
                continue
            self.marked += 1
            number = self.lines + self._line_ends(piece[:begin]) + 1
            ending = b"\r\n" if line.endswith(b"\r\n") else line[-1:]
            out += [piece[at:begin], f"{MARK}{number}{MARK}".encode(), ending]
            at = stop
        if not out:
            return piece
        out.append(piece[at:])
        return b"".join(out)

    def _count_blank_lines(self, marks: Positions | None, starts: Positions) -> None:
        if marks is None:
            before = np.zeros(len(starts), dtype=np.int64)
        else:
            before = np.searchsorted(marks, starts)
        self.blank_lines += int(np.count_nonzero((before + self._quotes) % 2 == 0))

    def _note_open_quote(self, piece: bytes, marks: Positions) -> None:
        """The parity is odd after `piece`: remember where the quote left open is (the last
        one at an even count before it)."""
        first_odd = self._quotes % 2
        openings = marks[first_odd::2]  # quotes with an even count before them
        if len(openings):
            opening = int(openings[-1])
            self._open_quote_line = self.lines + self._line_ends(piece[:opening]) + 1
            before = piece[opening - 1] if opening else self._previous
            self._open_quote_starts_cell = before in (44, LF, CR)  # a comma or a line end

    def _finish(self) -> None:
        if self._quotes % 2 and self._open_quote_starts_cell:
            self.unclosed_line = self._open_quote_line


_DELIMITING = np.zeros(256, dtype=np.bool_)
_DELIMITING[[44, LF, CR, QUOTE]] = True


def _quote_marks(array: Bytes, previous: int) -> Positions:
    """Positions of the quotes that open or close a cell, or are doubled inside one: every
    quote but one between two other characters (`5'10"x`), which CSV readers take as text."""
    at = np.flatnonzero(array == QUOTE)
    before = np.where(at > 0, array[np.maximum(at - 1, 0)], previous)
    after_at = np.minimum(at + 1, len(array) - 1)
    after = np.where(at + 1 < len(array), array[after_at], LF)
    stray = ~_DELIMITING[before] & ~_DELIMITING[after]
    marks: Positions = at[~stray].astype(np.int64)
    return marks
