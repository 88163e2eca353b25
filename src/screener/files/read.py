"""Opening the files a user names, with one clear message when that is impossible."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from screener.core.problems import InputFileError


@contextlib.contextmanager
def _plain_errors(name: str) -> Iterator[None]:
    try:
        yield
    except FileNotFoundError:
        raise InputFileError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputFileError(f"{name}: is a directory, not a file") from None
    except OSError as exc:
        raise InputFileError(f"{name}: cannot be read ({exc.strerror})") from None


def open_binary(path: Path) -> BinaryIO:
    """The file opened for reading bytes."""
    with _plain_errors(str(path)):
        return path.open("rb")


def read_text(path: Path, label: str | None = None) -> tuple[bytes, str]:
    """A UTF-8 file's bytes and text (a byte order mark is dropped)."""
    name = label or str(path)
    with _plain_errors(name):
        data = path.read_bytes()
    return data, decode_utf8(data, name)


def decode_utf8(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{name}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
