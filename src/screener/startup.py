"""Ctrl-C while `screener` is still loading its modules: exit 130, never a traceback.

Imported first by `screener.cli` (the console script's module): in the screener program,
SIGINT raises SystemExit(130), which ends the import, and the interpreter, silently, until
`cli.main` installs the program's handlers (the console script's own lines between the import
and `main()` included). A process that only imports screener (a test run) keeps its handler.
(A Ctrl-C in the first few tens of milliseconds, while the interpreter itself starts, before
any of screener's code runs, is Python's to report.)
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType

# screener.errors holds the exit codes, but importing it (and the core it reads) takes time
# this module must not spend; tests/test_screen_pty.py checks that the two agree.
EXIT_INTERRUPTED = 130


def _stop_quietly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(EXIT_INTERRUPTED)


def _launched() -> bool:
    """Whether this process is the screener program (the console script, or
    `python -m screener`), not a test run or another program that imports screener."""
    program = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    if program.name == "__main__.py":
        return program.parent.name == "screener"
    return program.stem == "screener"


def _install() -> signal.Handlers | object | None:
    if not _launched():
        return None
    try:
        return signal.signal(signal.SIGINT, _stop_quietly)
    except ValueError:  # imported outside the main thread: nothing to install
        return None


_before = _install()
