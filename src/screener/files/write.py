"""Write files atomically (temp file + rename), private to the owner when they hold answers."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from screener.core.problems import OutputFileError, UsageError


def same_file(a: Path, b: Path) -> bool:
    """True when two paths name one file (also through links), whether or not it exists yet."""
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def refuse_overwriting(output: Path, inputs: list[Path], option: str) -> None:
    """An output option may never name one of the command's input files."""
    for source in inputs:
        if same_file(output, source):
            raise UsageError(
                f"{option} {output} is an input file ({source}); it is never overwritten"
            )


def check_output_path(output: Path, option: str, inputs: list[Path] | None = None) -> None:
    """Refuse, before any work is done, an output path that cannot be written or would
    replace an input."""
    if output.is_dir():
        raise UsageError(f"{option} {output} is a directory; name the file to write")
    parent = output.parent if str(output.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{option} {output}: no such directory {str(parent)!r}")
    refuse_overwriting(output, inputs or [], option)


def write_atomic(path: Path, text: str, private: bool = True) -> None:
    """Replace `path` with `text` in one step; mode 0600 when `private`."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputFileError(f"{path}: cannot write here ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(temp_name, 0o600 if private else 0o644)
        os.replace(temp_name, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise OutputFileError(f"{path}: cannot write ({exc.strerror})") from None
