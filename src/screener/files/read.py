"""Opening the files a user names, with one clear message when that is impossible.

Files read whole (rule files, answers, maps, cases) are read with a cap: a file, a pipe or
`/dev/zero` larger than its limit is refused after reading at most the limit and one byte.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from screener.core.limits import size_text
from screener.core.problems import InputFileError

READ_BLOCK = 1 << 16


@contextlib.contextmanager
def _plain_errors(name: str) -> Iterator[None]:
    try:
        yield
    except FileNotFoundError:
        raise InputFileError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputFileError(f"{name}: is a directory, not a file") from None
    except OSError as exc:
        raise InputFileError(f"{name}: cannot be read ({exc.strerror or exc})") from None


def open_binary(path: Path) -> BinaryIO:
    """The file opened for reading bytes."""
    with _plain_errors(str(path)):
        return path.open("rb")


def too_large(name: str, limit: int, what: str) -> InputFileError:
    return InputFileError(
        f"{name}: larger than {size_text(limit)}, the most {what} may hold; is this the right file?"
    )


def read_capped(stream: BinaryIO, name: str, limit: int, what: str) -> bytes:
    """Every byte of a stream (a file, a pipe, stdin), refusing one longer than `limit`."""
    parts: list[bytes] = []
    total = 0
    with _plain_errors(name):
        while total <= limit:
            block = stream.read(min(READ_BLOCK, limit + 1 - total))
            if not block:
                break
            parts.append(block)
            total += len(block)
    if total > limit:
        raise too_large(name, limit, what)
    return b"".join(parts)


def read_text(path: Path, *, limit: int, what: str, label: str | None = None) -> tuple[bytes, str]:
    """A UTF-8 file's bytes and text (a byte order mark is dropped), at most `limit` bytes;
    `what` names the kind of file in the message ("a rule file")."""
    name = label or str(path)
    with _plain_errors(name), path.open("rb") as handle:
        info = os.fstat(handle.fileno())
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise too_large(name, limit, what)
        data = read_capped(handle, name, limit, what)
    return data, decode_utf8(data, name)


def line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset into UTF-8 text."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    if line == 1 and data.startswith(b"\xef\xbb\xbf"):
        column -= 1  # the byte order mark is not a character of the text
    return line, column


def decode_utf8(data: bytes, name: str) -> str:
    """The text; a byte that is not UTF-8 is named as `FILE:LINE:COL: ...`."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # utf-8-sig reports offsets after the byte order mark it dropped.
        start = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line, column = line_and_column(data, start)
        raise InputFileError(
            f"{name}:{line}:{column}: not valid UTF-8 text (byte 0x{data[start]:02x} at byte"
            f" offset {start}); save the file as UTF-8"
        ) from None


_OTHERS_WRITE = stat.S_IWGRP | stat.S_IWOTH
_OTHERS_ANY = stat.S_IRWXG | stat.S_IRWXO


def _mine(info: os.stat_result, others: int) -> bool:
    return info.st_uid == os.geteuid() and not info.st_mode & others


def is_private_folder(folder: Path) -> bool:
    """Owned by this user, and no one else can write to it (raises OSError if not there)."""
    return _mine(os.stat(folder), _OTHERS_WRITE)


def read_private(path: Path, limit: int) -> bytes | None:
    """A file of this user's own (a cache entry): its bytes, or None unless it is a regular
    file, not a link, owned by this user, readable by no one else, in a folder no one else can
    write to, and at most `limit` bytes. Never raises for a file that is not there or not fit."""
    try:
        if not is_private_folder(path.parent):
            return None
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not (stat.S_ISREG(info.st_mode) and _mine(info, _OTHERS_ANY)):
                return None
            if info.st_size > limit:
                return None
            return handle.read(limit + 1)
    except OSError:
        return None
