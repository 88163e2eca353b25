"""Every file screener writes goes through here: one check of a command's output paths, and
one atomic writer.

`check_paths` is called once by each command, before any work, with all its inputs and all
its outputs. `AtomicFile` writes a file whole or not at all: a temporary file beside the
target (mode 0600 when it holds people's answers; it is made 0600 in any case until done),
flushed to disk (fsync) and renamed over the target only when everything is written. On any
failure, Ctrl-C, SIGTERM or SIGHUP (which raise, see `files.interrupts`) the temporary file is
removed and the target is left as it was. A target that is not a regular file (`/dev/null`,
`/dev/stdout`, a FIFO) is written through: opened and written, never replaced.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, TextIO

from screener.core.problems import OutputExists, OutputFileError, UsageError
from screener.files.interrupts import held

STDOUT = "<stdout>"
BUFFER = 1 << 20
# Paths that name a stream rather than a file, even when they lead to one (/dev/stdout is a
# link to whatever stdout is, which may be a regular file the shell opened).
_STREAM_FOLDERS = ("/dev/", "/proc/")

NamedPath = tuple[str, Path | None]  # (the option or argument that named it, the path)


# ---- what a path is -------------------------------------------------------------------------


def same_file(a: Path, b: Path) -> bool:
    """True when two paths name one file (also through links), whether or not it exists yet."""
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _not_a_file(mode: int) -> str | None:
    """What an existing target is when it can be neither replaced nor written through."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISREG(mode) or stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return None
    return "not a regular file"


def writes_through(path: Path) -> bool:
    """True when `path` exists and is a stream (a character device, a FIFO, or a name under
    /dev or /proc): it is opened and written, never replaced by a new file."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return True
    return stat.S_ISREG(mode) and os.path.abspath(path).startswith(_STREAM_FOLDERS)


def _check_writable(option: str, path: Path) -> None:
    try:
        mode: int | None = os.stat(path).st_mode
    except OSError:
        mode = None
    if mode is not None:
        what = _not_a_file(mode)
        if what == "a directory":
            raise UsageError(f"{option} {path} is a directory; name the file to write")
        if what is not None:
            raise UsageError(f"{option} {path} is {what}; name a file to write")
        return
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{option} {path}: no such directory {str(parent)!r}")


def check_paths(inputs: Sequence[NamedPath], outputs: Sequence[NamedPath]) -> None:
    """The one check of a command's outputs, before any work is done: each can be written
    (not a directory or a device, in a folder that exists), none is one of the inputs (through
    any link), and no two name the same file. Streams written through (`/dev/null`,
    `/dev/stdout`, a FIFO) are never replaced, so they may be named more than once."""
    sources = [(option, path) for option, path in inputs if path is not None]
    targets = [(option, path) for option, path in outputs if path is not None]
    for option, path in targets:
        _check_writable(option, path)
        if writes_through(path):
            continue
        for source_option, source in sources:
            if same_file(path, source):
                raise UsageError(
                    f"{option} {path} is an input file ({source_option} {source});"
                    " it is never overwritten"
                )
    for (first, a), (second, b) in itertools.combinations(targets, 2):
        if not writes_through(a) and same_file(a, b):
            raise UsageError(f"{first} and {second} name the same file ({a}); give each its own")


# ---- stdout ---------------------------------------------------------------------------------


def silence(stream: TextIO) -> None:
    """After a standard stream failed (a full disk, a closed pipe, a terminal gone), point it
    at /dev/null, so the text still buffered does not fail again when Python exits (which
    would print a traceback and change the exit code to 120)."""
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, stream.fileno())
        finally:
            os.close(devnull)


def stdout_failure(exc: OSError) -> OutputFileError:
    """The error for a failed write to stdout; stdout is silenced from here on."""
    silence(sys.stdout)
    if isinstance(exc, BrokenPipeError):
        return OutputFileError(f"{STDOUT}: closed by the reader before everything was written")
    return OutputFileError(f"{STDOUT}: cannot write ({exc.strerror or exc})")


def write_stdout(text: str) -> None:
    """Write and flush; a full disk or a closed pipe is one clear error."""
    try:
        if text:  # even an empty write fails on /dev/full
            sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as exc:
        raise stdout_failure(exc) from None


# ---- the one atomic writer ------------------------------------------------------------------


class AtomicFile:
    """A file written whole or not at all (see the module's docstring); stdout for None.

    `exclusive`: the target must not exist when the file is complete (a record or a draft,
    one per person): it is linked into place, never renamed over another file, and
    `OutputExists` says so when someone created it meanwhile.
    """

    def __init__(self, path: Path | None, *, private: bool = True, exclusive: bool = False):
        self.path = path
        self.name = STDOUT if path is None else str(path)
        self.private = private
        self.exclusive = exclusive
        self._temp: str | None = None
        self._target: Path | None = None
        self._owned = False  # the handle is ours to close (not sys.stdout)
        self._handle: BinaryIO
        if path is None:
            try:
                sys.stdout.flush()
            except OSError as exc:
                raise stdout_failure(exc) from None
            self._handle = sys.stdout.buffer
            return
        if writes_through(path):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NOCTTY)
            except OSError as exc:
                raise OutputFileError(f"{path}: cannot write ({exc.strerror})") from None
            self._handle = os.fdopen(fd, "wb", buffering=BUFFER)
            self._owned = True
            return
        # A link is followed: the file it leads to is replaced, the link stays a link.
        self._target = Path(os.path.realpath(path))
        directory = self._target.parent
        import tempfile  # here: a command that writes only to stdout never loads it

        try:
            with held():  # a signal now would leave a temp file no one knows of
                fd, self._temp = tempfile.mkstemp(
                    prefix=f".{self._target.name}.", suffix=".tmp", dir=directory
                )
                self._handle = os.fdopen(fd, "wb", buffering=BUFFER)
                self._owned = True
                if not private:
                    os.fchmod(fd, 0o644)
        except OSError as exc:
            self.discard()
            raise OutputFileError(f"{path}: cannot write here ({exc.strerror})") from None
        except BaseException:  # a signal held until the temp file was known
            self.discard()
            raise

    def write(self, text: str | bytes) -> None:
        """Text, or bytes that are UTF-8 already."""
        if not text:
            return
        try:
            self._handle.write(text.encode("utf-8") if isinstance(text, str) else text)
        except OSError as exc:
            raise self._error(exc) from None

    def _error(self, exc: OSError) -> OutputFileError:
        if self.path is None:
            return stdout_failure(exc)
        if isinstance(exc, BrokenPipeError):
            return OutputFileError(
                f"{self.name}: closed by the reader before everything was written"
            )
        return OutputFileError(f"{self.name}: cannot write ({exc.strerror or exc})")

    def commit(self) -> None:
        """Make the file complete: flush, fsync and rename (or link) it into place."""
        target = self._target
        try:
            self._handle.flush()
            if self._temp is None or target is None:
                if self._owned:
                    self._handle.close()
                return
            os.fsync(self._handle.fileno())
            self._handle.close()
            with held():
                if self.exclusive:
                    self._link_into_place(self._temp, target)
                else:
                    os.replace(self._temp, target)
                self._temp = None
        except OSError as exc:
            self.discard()
            raise self._error(exc) from None
        except BaseException:
            self.discard()
            raise
        _sync_folder(target.parent)

    def _link_into_place(self, temp: str, target: Path) -> None:
        try:
            os.link(temp, target)
        except FileExistsError:
            raise OutputExists(
                f"{self.name}: already exists (created while this ran); it was not replaced"
            ) from None
        except OSError:
            # No hard links on this file system: create the target exclusively and copy.
            self._copy_exclusive(temp, target)
        os.unlink(temp)

    def _copy_exclusive(self, temp: str, target: Path) -> None:
        mode = 0o600 if self.private else 0o644
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        except FileExistsError:
            raise OutputExists(
                f"{self.name}: already exists (created while this ran); it was not replaced"
            ) from None
        try:
            with os.fdopen(fd, "wb") as handle, open(temp, "rb") as source:
                while chunk := source.read(BUFFER):
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(target)  # ours, half written
            raise

    def discard(self) -> None:
        """Drop a half-written file; the target is left as it was."""
        if self._owned:
            with contextlib.suppress(OSError):
                self._handle.close()
        if self._temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._temp)
            self._temp = None

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.commit()
        else:
            self.discard()


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every system can open a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: Path, text: str, private: bool = True, exclusive: bool = False) -> None:
    """Replace `path` with `text` in one step (see AtomicFile); mode 0600 when `private`."""
    with AtomicFile(path, private=private, exclusive=exclusive) as output:
        output.write(text)
