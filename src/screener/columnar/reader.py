"""Read a CSV export with Arrow's CSV parser, with one clear error for a broken file.

The file is read once, front to back (a pipe or a FIFO works like a file): `TextFeed` decodes
and checks the text on its way; the header is read with the csv module (one record); Arrow
parses each piece of whole records single-threaded, in a reading thread that keeps one piece
ahead of the scoring (on a second core), question columns as `dictionary<int32, string>`, so
each distinct text of a block is coded once (`columnar.coding.code_table`). Arrow skips a
record whose field count differs from the header's and hands it to `invalid_row_handler` with
its number in the piece (records, blank lines not counted, which single-threaded Arrow knows);
it is put back at its place as an invalid record (the csv module splits its text into cells,
for its id and the message).

- A byte that is not valid in the encoding stops the run with its byte offset and line.
- A physical line longer than MAX_CSV_FIELD_CHARS makes its record invalid and the run goes on;
  a cell longer than that stops the run, naming its record (a quote missing or left over can
  join many lines into one cell).
- A quote that opens a cell and is never closed stops the run, naming the line it opens on.
- Blank lines are not records; they are counted.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from screener.columnar import arrow_runtime
from screener.columnar.coding import (
    ABSENT,
    BadRecord,
    Block,
    Codes,
    ColumnCoder,
    InputEncoder,
    code_table,
    shape_message,
)
from screener.columnar.read_ahead import ReadAhead
from screener.columnar.text_feed import MARK, MARKED_LINE, TextFeed
from screener.core.frozen import field, record_class
from screener.core.limits import MAX_CSV_COLUMNS, MAX_CSV_FIELD_CHARS
from screener.core.problems import InputFileError, UsageError
from screener.files.read import open_binary

Mask = npt.NDArray[np.bool_]

DEFAULT_ID_COLUMN = "intake_id"
# Rows handed to the REDCap reader at a time, and records scored per block: large enough for
# numpy to pay off, small enough to stay in the CPU cache (and memory low: 4,096 records a
# block peak at about 141 MB on 1M records, 8,192 at about 166 MB, for 5-10% more time).
READ_ROWS = 512
BLOCK_ROWS = 4096

# Codecs that decode bytes but are not how a spreadsheet saves text: UTF-7 turns `+ADw-` into
# `<`, the escape codecs turn `\x41` into `A`; base64, hex, rot13, zlib... are not text at all.
_NOT_FOR_FILES = frozenset(
    {"utf-7", "idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined"}
)


def resolve_encoding(name: str) -> str:
    """The codec to read with: UTF-8 (the default) drops a byte order mark. Another encoding
    keeps the name as given (`latin-1`, not the codec's `iso8859-1`), for the messages."""
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
    return "utf-8-sig" if codec.name == "utf-8" else name.strip()


def _long_line_message(text: str) -> str | None:
    """The reason for a record holding a marker of an over-long line, if it holds one."""
    found = MARKED_LINE.search(text)
    if found is None:
        return None
    if found.group(0) == text:
        return f"line {found.group(1)} is longer than {MAX_CSV_FIELD_CHARS:,} characters"
    return f"a cell holds line {found.group(1)}, longer than {MAX_CSV_FIELD_CHARS:,} characters"


def _split(text: str) -> list[str]:
    """The cells of one record's text (a record Arrow could not fit to the header)."""
    return next(csv.reader(io.StringIO(text, newline="")), [])


@record_class(frozen=False)
class _Parsed:
    """A piece of whole records as Arrow parsed it, and the records it skipped (of the wrong
    width: their numbers in the file, and their text)."""

    table: pa.Table
    skipped: list[tuple[int, str]]


@record_class(frozen=False)
class _Segment:
    """Consecutive records: one Arrow batch with the skipped records put back at their place."""

    size: int
    valid: Mask | None  # per record, False where a skipped record was put back (None: all)
    columns: dict[int, pa.Array]  # column index -> the batch's column (valid records only)
    skipped: dict[int, list[str]]  # offset -> cells of a record of the wrong width
    errors: dict[int, str]  # offset -> why the record is invalid
    texts: dict[int, list[str]] = field(default_factory=dict)  # column -> cells, when asked
    tables: dict[tuple[int, int, int], Codes] = field(default_factory=dict)  # by distinct text
    coded: dict[tuple[int, int, int], Codes] = field(default_factory=dict)  # by record
    indices: dict[int, npt.NDArray[np.int32]] = field(default_factory=dict)  # column -> codes


class RecordSource:
    """The header and then the records of a CSV export; blank lines are counted, not kept."""

    def __init__(self, path: Path, encoding: str) -> None:
        self.path = path
        self.encoding = encoding
        self._closed = False
        self._reading: ReadAhead[_Parsed] | None = None
        arrow_runtime.enter()
        try:
            binary = open_binary(path)
        except BaseException:
            self._closed = True
            arrow_runtime.leave()
            raise
        try:
            self.size = path.stat().st_size
        except OSError:
            self.size = 0
        self._feed = TextFeed(binary, path, encoding)
        if csv.field_size_limit() < MAX_CSV_FIELD_CHARS:
            csv.field_size_limit(MAX_CSV_FIELD_CHARS)
        self._skipped: deque[tuple[int, str]] = deque()
        self._next = 1  # number of the next record
        self._base = 0  # records before the piece Arrow is parsing (the reading thread's)
        self._piece_skipped: list[tuple[int, str]] = []  # the reading thread's
        try:
            self.header = self._read_header()
        except BaseException:
            self.close()
            raise

    @property
    def blank_lines(self) -> int:
        return self._feed.blank_lines

    def _read_header(self) -> list[str]:
        feed = self._feed
        data = b""
        while True:
            piece = feed.next_piece()
            data += piece
            body = data.lstrip(b"\r\n")
            if not piece and not body:
                raise InputFileError(f"{self.path}: the file is empty; expected a header record")
            end = self._record_end(body)
            if end is not None or not piece:
                break
        header, rest = (body, b"") if end is None else (body[:end], body[end:])
        text = header.decode("utf-8")
        message = _long_line_message(text)
        if message is not None:
            raise InputFileError(f"{self.path}: the header: {message}")
        feed.push_back(rest)
        names = _split(text)
        if len(names) > MAX_CSV_COLUMNS:
            raise InputFileError(
                f"{self.path}: the header has {len(names):,} columns, more than the"
                f" {MAX_CSV_COLUMNS:,} a CSV export may have; export only the screening's columns"
            )
        return names

    @staticmethod
    def _record_end(data: bytes) -> int | None:
        """Where the first record ends (after its line end), if it does."""
        at = 0
        while True:
            lf, cr = data.find(b"\n", at), data.find(b"\r", at)
            ends = [i for i in (lf, cr) if i >= 0]
            if not ends:
                return None
            end = min(ends)
            if not data.count(b'"', 0, end) % 2:
                if data.startswith(b"\r\n", end):
                    end += 1
                return end + 1
            at = end + 1

    # -- Arrow -----------------------------------------------------------------------------

    def _options(
        self, dictionary: Sequence[int], text: Sequence[int]
    ) -> tuple[pacsv.ParseOptions, pacsv.ConvertOptions, list[str]]:
        width = len(self.header)
        names = [str(i) for i in range(width)]
        if not dictionary and not text:
            text = [0]
        types: dict[str, pa.DataType] = {names[i]: pa.string() for i in text}
        types.update({names[i]: pa.dictionary(pa.int32(), pa.string()) for i in dictionary})
        parse = pacsv.ParseOptions(
            newlines_in_values=True, ignore_empty_lines=True, invalid_row_handler=self._skip
        )
        convert = pacsv.ConvertOptions(
            column_types=types,
            include_columns=[names[i] for i in sorted({*dictionary, *text})],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=False,  # the feed hands on valid UTF-8 only
        )
        return parse, convert, names

    def _skip(self, row: pacsv.InvalidRow) -> str:
        # Numbered from 1 in the piece being parsed (blank lines not counted).
        self._piece_skipped.append((self._base + int(row.number or 0), row.text))
        return "skip"

    def _parse_next(
        self, parse: pacsv.ParseOptions, convert: pacsv.ConvertOptions, names: list[str]
    ) -> _Parsed | None:
        """The next piece of whole records, parsed; None at the end of the file. Runs in the
        reading thread, one piece at a time."""
        while True:
            data = self._feed.next_records()
            if not data:
                return None
            self._piece_skipped = []
            read = pacsv.ReadOptions(
                use_threads=False, block_size=len(data) + 1, column_names=names
            )
            try:
                table = pacsv.read_csv(
                    pa.py_buffer(data),
                    read_options=read,
                    parse_options=parse,
                    convert_options=convert,
                )
            except pa.ArrowInvalid as exc:
                if str(exc) == "Empty CSV file":  # blank lines only
                    continue
                raise InputFileError(self._arrow_message(exc)) from None
            for column in table.columns:
                position = 0
                for chunk in column.chunks:
                    self._check_cell_length(chunk, position)
                    position += len(chunk)
            parsed = _Parsed(table, self._piece_skipped)
            # Every record of the piece counts, the skipped ones too (they may be its last).
            self._base += table.num_rows + len(parsed.skipped)
            return parsed

    def _segments(self, dictionary: Sequence[int], text: Sequence[int]) -> Iterator[_Segment]:
        """Each piece of whole records the feed hands on, parsed by Arrow on its own. A reading
        thread parses the next piece while the records of this one are scored (one piece
        ahead: memory stays flat)."""
        parse, convert, names = self._options(dictionary, text)
        ahead = ReadAhead(lambda: self._parse_next(parse, convert, names))
        self._reading = ahead
        ahead.want()
        try:
            while True:
                parsed = ahead.get()
                if parsed is None:
                    break
                ahead.want()
                self._skipped.extend(parsed.skipped)
                for batch in parsed.table.to_batches() or [None]:
                    yield self._segment(batch)
        finally:
            if ahead.stop():
                self._reading = None
        if self._skipped:
            yield self._segment(None)
        self._check_unclosed()

    def _check_unclosed(self) -> None:
        if self._feed.unclosed_line is not None:
            raise InputFileError(
                f"{self.path}: line {self._feed.unclosed_line}: a quote that opens a cell here is"
                " never closed, so it swallows every line after it"
            )

    def _arrow_message(self, exc: pa.ArrowInvalid) -> str:
        return f"{self.path}: line {self._feed.lines}: cannot be read as CSV ({exc})"

    def _long_cell(self, record: int) -> str:
        return (
            f"{self.path}: record {record}: a cell is longer than {MAX_CSV_FIELD_CHARS:,}"
            " characters, the most one may hold; a quote missing or left over can join many"
            " lines into one cell"
        )

    def _record_number(self, position: int) -> int:
        """The number in the file of the record at `position` of the table Arrow is making
        (the records it skipped, of the wrong width, are not in the table)."""
        number = self._base + position + 1
        for skipped, _ in self._piece_skipped:  # in file order
            if skipped <= number:
                number += 1
        return number

    def _segment(self, batch: pa.RecordBatch | None) -> _Segment:
        rows = 0 if batch is None else batch.num_rows
        start = self._next
        skipped: dict[int, list[str]] = {}
        errors: dict[int, str] = {}
        while self._skipped and (
            batch is None or self._skipped[0][0] < start + rows + len(skipped)
        ):
            number, text = self._skipped.popleft()
            self._check_unclosed()
            offset = number - start
            try:
                cells = _split(text)
            except csv.Error:  # a cell past csv.field_size_limit, set to the limit
                raise InputFileError(self._long_cell(number)) from None
            message = _long_line_message(text) if self._feed.marked else None
            skipped[offset] = [] if message is not None and MARKED_LINE.fullmatch(text) else cells
            if message is not None:
                errors[offset] = message
        size = rows + len(skipped)
        valid = None
        if skipped:
            valid = np.ones(size, dtype=np.bool_)
            valid[list(skipped)] = False
        columns: dict[int, pa.Array] = {}
        if batch is not None:
            for name, column in zip(batch.schema.names, batch.columns, strict=True):
                columns[int(name)] = column
                if self._feed.marked:
                    self._marked_cells(column, valid, errors)
        self._check_unclosed()
        self._next += size
        return _Segment(size, valid, columns, skipped, errors)

    def _check_cell_length(self, column: pa.Array, position: int) -> None:
        """A cell longer than the limit stops the run, naming its record (`position`: where
        the column's chunk starts in the table)."""
        values = column.dictionary if isinstance(column, pa.DictionaryArray) else column
        if values.nbytes <= MAX_CSV_FIELD_CHARS:  # no cell can be that long
            return
        if not len(values) or pc.max(pc.binary_length(values)).as_py() <= MAX_CSV_FIELD_CHARS:
            return
        too_long = pc.greater(pc.utf8_length(values), MAX_CSV_FIELD_CHARS)
        if not pc.any(too_long).as_py():
            return
        if isinstance(column, pa.DictionaryArray):
            too_long = pc.is_in(column.indices, value_set=pa.array(np.flatnonzero(too_long)))
        row = pc.index(too_long, True).as_py()
        raise InputFileError(self._long_cell(self._record_number(position + row)))

    @staticmethod
    def _marked_cells(column: pa.Array, valid: Mask | None, errors: dict[int, str]) -> None:
        values = column.dictionary if isinstance(column, pa.DictionaryArray) else column
        hits = pc.match_substring(values, MARK)
        if not pc.any(hits).as_py():
            return
        offsets = np.flatnonzero(valid) if valid is not None else None
        texts = values.to_pylist()
        indices = (
            column.indices.to_numpy(zero_copy_only=False)
            if isinstance(column, pa.DictionaryArray)
            else np.arange(len(column))
        )
        for code in np.flatnonzero(hits.to_numpy(zero_copy_only=False)).tolist():
            message = _long_line_message(texts[code])
            assert message is not None
            for row in np.flatnonzero(indices == code).tolist():
                at = int(offsets[row]) if offsets is not None else row
                errors.setdefault(at, message)

    # -- what the commands read ------------------------------------------------------------

    def blocks(
        self,
        id_index: int | None,
        codings: Sequence[tuple[Mapping[str, int], Mapping[str, ColumnCoder]]],
        block_rows: int,
        encode_inputs: InputEncoder | None = None,
        max_distinct: int = 4_096,
    ) -> Iterator[list[Block]]:
        """Blocks of `block_rows` records (the last may be smaller), coded once per coding
        (question id -> column, and the code tables): one Block per coding, same records."""
        width = len(self.header)
        dictionary = sorted({i for columns, _ in codings for i in columns.values()})
        # Every column is read: a cell no rule reads can still hold an over-long line.
        text = [i for i in range(width) if i not in dictionary]
        pending: list[tuple[_Segment, int, int]] = []  # segment, first offset, count
        filled = 0
        start = 1
        for segment in self._segments(dictionary, text):
            taken = 0
            while taken < segment.size:
                count = min(segment.size - taken, block_rows - filled)
                pending.append((segment, taken, count))
                taken += count
                filled += count
                if filled == block_rows:
                    block = self._block(
                        start, pending, id_index, codings, encode_inputs, max_distinct
                    )
                    # The parts are let go before the block is scored: what they hold (Arrow's
                    # columns, code tables) is not kept alongside the block's own codes.
                    start += filled
                    pending, filled = [], 0
                    yield block
                    del block
        if filled:
            yield self._block(start, pending, id_index, codings, encode_inputs, max_distinct)

    def _block(
        self,
        start: int,
        parts: list[tuple[_Segment, int, int]],
        id_index: int | None,
        codings: Sequence[tuple[Mapping[str, int], Mapping[str, ColumnCoder]]],
        encode_inputs: InputEncoder | None,
        max_distinct: int,
    ) -> list[Block]:
        width = len(self.header)
        size = sum(count for _, _, count in parts)
        ids: list[str] = []
        shape_errors: dict[int, str] = {}
        inputs: list[str] | None = [] if encode_inputs is not None else None
        at = 0
        for segment, first, count in parts:
            for offset, cells in segment.skipped.items():
                if first <= offset < first + count:
                    shape_errors[at + offset - first] = segment.errors.get(offset) or shape_message(
                        len(cells), width, cells
                    )
            for offset, message in segment.errors.items():
                if first <= offset < first + count:
                    shape_errors.setdefault(at + offset - first, message)
            if id_index is not None:
                ids.extend(self._texts(segment, id_index, first, count))
            if inputs is not None and encode_inputs is not None:
                inputs.extend(encode_inputs(self._rows(segment, first, count)))
            at += count
        if id_index is None:
            ids = [""] * size
        blocks = []
        for columns, coders in codings:
            for question in columns:
                if len(coders[question]) > max_distinct:
                    coders[question].reset()
            codes = {
                question: self._codes(parts, index, coders[question], size)
                for question, index in columns.items()
            }
            blocks.append(Block(start, size, ids, codes, shape_errors, inputs))
        return blocks

    @staticmethod
    def _codes(
        parts: list[tuple[_Segment, int, int]], index: int, coder: ColumnCoder, size: int
    ) -> Codes:
        pieces = []
        for segment, first, count in parts:
            column = segment.columns.get(index)
            if column is None:  # only records of the wrong width
                pieces.append(np.full(count, ABSENT, dtype=np.int32))
                continue
            assert isinstance(column, pa.DictionaryArray)
            key = (index, id(coder), coder.generation)
            table = segment.tables.get(key)
            if table is None:  # the code of each distinct text, kept while the segment is
                table = segment.tables[key] = code_table(coder, column.dictionary.to_pylist())
            indices = segment.indices.get(index)
            if indices is None:  # a view of Arrow's buffer, not a copy
                indices = segment.indices[index] = column.indices.to_numpy(zero_copy_only=False)
            if segment.valid is None:  # only the records asked for are coded
                pieces.append(table[indices[first : first + count]])
                continue
            full = segment.coded.get(key)  # records of the wrong width in between (rare)
            if full is None:
                full = np.full(segment.size, ABSENT, dtype=np.int32)
                full[segment.valid] = table[indices]
                segment.coded[key] = full
            pieces.append(full[first : first + count])
        return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)

    @staticmethod
    def _texts(segment: _Segment, index: int, first: int, count: int) -> list[str]:
        known = segment.texts.get(index)
        if known is not None:
            return known[first : first + count]
        column = segment.columns.get(index)
        values: list[str] = [] if column is None else column.to_pylist()
        if segment.valid is None:
            segment.texts[index] = values
            return values[first : first + count]
        out = []
        found = iter(values)
        for offset in range(segment.size):
            if offset in segment.skipped:
                cells = segment.skipped[offset]
                out.append(cells[index] if index < len(cells) else "")
            else:
                out.append(next(found))
        segment.texts[index] = out
        return out[first : first + count]

    def _rows(self, segment: _Segment, first: int, count: int) -> list[list[str]]:
        """The records as lists of cells; a record of the wrong width as it was read."""
        width = len(self.header)
        columns = [
            self._texts(segment, i, first, count) if i in segment.columns else None
            for i in range(width)
        ]
        rows: list[list[str]] = []
        for n in range(count):
            offset = first + n
            if offset in segment.skipped:
                cells = segment.skipped[offset]
                if offset in segment.errors:
                    rows.append(BadRecord(segment.errors[offset], cells))
                else:
                    rows.append(list(cells))
                continue
            row = [c[n] if c is not None else "" for c in columns]
            if offset in segment.errors:
                rows.append(BadRecord(segment.errors[offset], row))
            else:
                rows.append(row)
        return rows

    def chunks(self, size: int) -> Iterator[list[list[str]]]:
        """Lists of up to `size` records (lists of cells), in file order (for REDCap's reader,
        which folds rows into records)."""
        width = len(self.header)
        for segment in self._segments([], list(range(width))):
            for first in range(0, segment.size, size):
                yield self._rows(segment, first, min(size, segment.size - first))

    def bytes_read(self) -> int:
        return self._feed.consumed

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            # A reading thread still in a read (a pipe that sends nothing more, after a
            # signal) holds the file: it is left open, to the end of the process.
            if self._reading is None or self._reading.stop():
                self._feed.close()
        finally:
            arrow_runtime.leave()

    def __enter__(self) -> RecordSource:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
