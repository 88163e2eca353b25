"""SIGTERM and SIGHUP take the Ctrl-C path: each raises an exception (a KeyboardInterrupt) where
the program is, so every `finally` and `except KeyboardInterrupt` runs: temp files are removed
and the interview offers a draft. `screener.cli.main` installs the handlers, once.

Exit codes (screener.errors): 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP (128 + signal).

A few steps must not be cut in two (a temp file made but not yet known, a rename done but not
yet recorded); inside `held()` a signal waits until the step is over, then is raised.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from screener.core.problems import HungUp, Interrupted, Terminated

_held = 0
_pending: list[BaseException] = []


def _exception_for(signum: int) -> BaseException:
    if signum == signal.SIGTERM:
        return Terminated()
    if signum == signal.SIGHUP:
        return HungUp()
    return KeyboardInterrupt()


def _handler(signum: int, frame: FrameType | None) -> None:
    exc = _exception_for(signum)
    if _held:
        _pending.append(exc)
        return
    raise exc


def install_handlers() -> None:
    """SIGINT, SIGTERM and SIGHUP raise in the main thread (SIGINT as KeyboardInterrupt, the
    others as `Terminated` and `HungUp`). Only from the main thread; elsewhere a no-op."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _handler)


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Run a short step whole: a signal that arrives meanwhile is raised when it ends."""
    global _held
    _held += 1
    try:
        yield
    finally:
        _held -= 1
        if not _held and _pending:
            exc = _pending[0]
            _pending.clear()
            raise exc


__all__ = ["HungUp", "Interrupted", "Terminated", "held", "install_handlers"]
