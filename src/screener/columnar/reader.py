"""Read a CSV export record by record, in small lists, with one clear error for a broken file.

The file is decoded as a stream (`newline=""`, so CRLF and line breaks inside quoted cells
are the csv module's business). A byte that is not valid in the encoding stops the run with
its byte offset and line; a byte order mark is dropped.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from types import TracebackType

from screener.core.problems import InputFileError, UsageError
from screener.files.read import open_binary

LOCATE_BLOCK = 1 << 20
DEFAULT_ID_COLUMN = "intake_id"
# Records are read a few hundred at a time so the cells being coded stay in the CPU cache
# (10x faster than large lists here), and scored in blocks large enough for numpy to pay off.
READ_ROWS = 512
BLOCK_ROWS = 16_384


def resolve_encoding(name: str) -> str:
    """The codec to read with: UTF-8 (the default) drops a byte order mark."""
    try:
        codec = codecs.lookup(name)
    except LookupError:
        raise UsageError(
            f"--encoding {name!r}: unknown encoding (try utf-8, cp1252 or latin-1)"
        ) from None
    return "utf-8-sig" if codec.name == "utf-8" else codec.name


def _encoding_label(encoding: str) -> str:
    return "UTF-8" if encoding in ("utf-8", "utf-8-sig") else encoding


def locate_decode_error(path: Path, encoding: str) -> str:
    """Where a file stops being valid in `encoding`: byte, offset, line, and what to try."""
    # Plain UTF-8 reads a BOM as a character, so offsets count every byte of the file.
    decoder = codecs.getincrementaldecoder("utf-8" if encoding == "utf-8-sig" else encoding)()
    offset = 0
    found: tuple[int, int] | None = None  # (absolute offset, the byte)
    with path.open("rb") as handle:
        while found is None:
            block = handle.read(LOCATE_BLOCK)
            held = decoder.getstate()[0]
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                start = offset - len(held) + exc.start
                found = (start, exc.object[exc.start])
            if not block:
                break
            offset += len(block)
    label = _encoding_label(encoding)
    hint = (
        "; if it was saved by Excel or another Windows program, try --encoding cp1252"
        if label == "UTF-8"
        else "; give the file's real encoding with --encoding"
    )
    if found is None:  # pragma: no cover - only reached if the file changed under us
        return f"{path}: not valid {label} text{hint}"
    start, byte = found
    with path.open("rb") as handle:
        line = 1
        remaining = start
        while remaining > 0:
            block = handle.read(min(remaining, LOCATE_BLOCK))
            if not block:
                break
            line += block.count(b"\n")
            remaining -= len(block)
    return (
        f"{path}: not valid {label} text: byte 0x{byte:02x} at byte offset {start}"
        f" (line {line}){hint}"
    )


class RecordSource:
    """The header and then the data records of a CSV file; blank lines are counted, not kept."""

    def __init__(self, path: Path, encoding: str) -> None:
        self.path = path
        self.encoding = encoding
        self.blank_lines = 0
        self._binary = open_binary(path)
        self.size = path.stat().st_size
        self._text = io.TextIOWrapper(self._binary, encoding=encoding, newline="")
        self._reader = csv.reader(self._text)
        header: list[str] = []
        while not header:
            batch = self._read(1)
            if not batch:
                raise InputFileError(f"{path}: the file is empty; expected a header record")
            header = batch[0]
            if not header:
                self.blank_lines += 1
        self.header = header

    def _read(self, count: int) -> list[list[str]]:
        try:
            return list(islice(self._reader, count))
        except UnicodeDecodeError:
            raise InputFileError(locate_decode_error(self.path, self.encoding)) from None
        except csv.Error as exc:
            hint = (
                "; a quote that opens a cell and is never closed swallows the lines after it"
                if "field limit" in str(exc)
                else ""
            )
            raise InputFileError(
                f"{self.path}: line {self._reader.line_num}: cannot be read as CSV ({exc}){hint}"
            ) from None

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
        return self._binary.tell()

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
