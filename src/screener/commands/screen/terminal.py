"""The terminal during the interview: keys typed between two prompts are not echoed.

Each prompt switches the terminal to raw mode while it runs and back afterwards; in between
(while an answer is recorded and the next question drawn) a normal terminal echoes what is
typed, which left stray characters between the prompts. With echo off for the whole
interview, typed keys wait unechoed and the next prompt reads them.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def quiet_terminal() -> Iterator[None]:
    """Echo off on stdin's terminal until the block ends (nothing when it is not one)."""
    try:
        import termios
    except ImportError:  # not a POSIX system
        yield
        return
    try:
        fd = sys.stdin.fileno()
        before = termios.tcgetattr(fd)
    except (termios.error, OSError, ValueError, AttributeError):  # not a terminal
        yield
        return
    quiet = list(before)
    quiet[3] &= ~termios.ECHO
    with contextlib.suppress(termios.error, OSError):
        termios.tcsetattr(fd, termios.TCSANOW, quiet)
    try:
        yield
    finally:
        with contextlib.suppress(
            termios.error, OSError
        ):  # after a hang-up the terminal may be gone
            termios.tcsetattr(fd, termios.TCSANOW, before)
