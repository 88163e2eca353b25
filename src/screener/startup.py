"""Ctrl-C while `screener` is still loading its modules: exit 130, never a traceback.

Imported first by `screener.cli` (the console script's module): until `loaded()` is called,
SIGINT raises SystemExit(130), which ends the import, and the interpreter, silently. Then
Python's own handler is back, until `cli.main` installs the program's handlers. (A Ctrl-C in
the first few tens of milliseconds, while the interpreter itself starts, before any of
screener's code runs, is Python's to report.)
"""

from __future__ import annotations

import signal
from types import FrameType

# screener.errors holds the exit codes, but importing it (and the core it reads) takes time
# this module must not spend; tests/test_screen_pty.py checks that the two agree.
EXIT_INTERRUPTED = 130


def _stop_quietly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(EXIT_INTERRUPTED)


def _install() -> signal.Handlers | object | None:
    try:
        return signal.signal(signal.SIGINT, _stop_quietly)
    except ValueError:  # imported outside the main thread: nothing to install
        return None


_before = _install()


def loaded() -> None:
    """The modules are loaded: Ctrl-C is the handler from before again."""
    if _before is not None and signal.getsignal(signal.SIGINT) is _stop_quietly:
        signal.signal(signal.SIGINT, _before)  # type: ignore[arg-type]
