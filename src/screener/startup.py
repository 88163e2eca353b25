"""Ctrl-C while `screener` is still loading its modules: exit 130, never a traceback.

Imported first by `screener.cli` (the console script's module): in the screener program,
SIGINT raises SystemExit(130), which ends the import, and the interpreter, silently, until
`cli.main` installs the program's handlers (the console script's own lines between the import
and `main()` included). A process that only imports screener (a test run) keeps its handler.
(A Ctrl-C in the first few tens of milliseconds, while the interpreter itself starts, before
any of screener's code runs, is Python's to report.)

For `screener screen` at a terminal it also turns echo off at once, so that keys typed while
the program loads wait for the first prompt instead of landing on the banner; SIGTERM and
SIGHUP then exit quietly too (143, 129), and the terminal is put back at exit.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType

# screener.errors holds the exit codes, but importing it (and the core it reads) takes time
# this module must not spend; tests/test_screen_pty.py checks that the two agree.
EXIT_INTERRUPTED = 130
_EXIT_CODES: dict[int, int] = {signal.SIGTERM: 143, signal.SIGHUP: 129}  # 128 + the signal


def _stop_quietly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(_EXIT_CODES.get(signum, EXIT_INTERRUPTED))


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
if _before is not None and sys.argv[1:2] == ["screen"] and sys.stdin.isatty():
    # The interview: keys typed while it loads are kept for its first prompt, unechoed (see
    # commands/screen/terminal.py). A hang-up or SIGTERM before `cli.main` installs the
    # program's handlers ends the same quiet way, so the terminal is put back at exit.
    from screener.commands.screen.terminal import quiet_until_exit

    signal.signal(signal.SIGTERM, _stop_quietly)
    signal.signal(signal.SIGHUP, _stop_quietly)
    quiet_until_exit()
