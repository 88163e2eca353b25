"""The terminal during the interview: keys typed between two prompts wait, unchanged and
unechoed, for the next prompt.

Each prompt switches the terminal to raw mode while it runs and back afterwards. In between
(while an answer is recorded and the next question drawn) a normal terminal echoes what is
typed, which left stray characters between the prompts; it also holds the keys until a line
ends and turns the Enter key's carriage return into a line feed, so a coordinator typing
`78` Enter fast saw `78` reach the next prompt and the Enter lost. For the whole interview
the terminal keeps echo and line editing off and carriage returns as they are; Ctrl-C still
interrupts.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def quiet_terminal(fd: int | None = None) -> Iterator[None]:
    """Keys unechoed and unchanged on stdin's terminal (or `fd`'s) until the block ends;
    nothing when it is not a terminal."""
    try:
        import termios
    except ImportError:  # not a POSIX system
        yield
        return
    try:
        fd = sys.stdin.fileno() if fd is None else fd
        before = termios.tcgetattr(fd)
    except (termios.error, OSError, ValueError, AttributeError):  # not a terminal
        yield
        return
    with contextlib.suppress(termios.error, OSError):
        termios.tcsetattr(fd, termios.TCSANOW, _quiet(before))
    try:
        yield
    finally:
        with contextlib.suppress(
            termios.error, OSError
        ):  # after a hang-up the terminal may be gone
            termios.tcsetattr(fd, termios.TCSANOW, before)


def _quiet(before: list[Any]) -> list[Any]:
    """Terminal attributes with echo and line editing off and Enter left as typed."""
    import termios

    quiet = list(before)
    quiet[0] &= ~(termios.ICRNL | termios.INLCR | termios.IGNCR)  # Enter stays Enter
    quiet[3] &= ~(termios.ECHO | termios.ICANON)  # keys unechoed, readable at once
    quiet[6] = list(quiet[6])
    quiet[6][termios.VMIN] = 1
    quiet[6][termios.VTIME] = 0
    return quiet


def quiet_until_exit() -> None:
    """From the program's first line (`screener screen` only, see startup.py): keys typed
    while the program loads wait unechoed for the first prompt, instead of being echoed over
    the banner; the terminal is put back as it was when the process exits."""
    try:
        import termios
    except ImportError:  # not a POSIX system
        return
    import atexit

    try:
        fd = sys.stdin.fileno()
        before = termios.tcgetattr(fd)
        termios.tcsetattr(fd, termios.TCSANOW, _quiet(before))
    except (termios.error, OSError, ValueError, AttributeError):  # not a terminal
        return

    def put_back() -> None:
        with contextlib.suppress(termios.error, OSError):
            termios.tcsetattr(fd, termios.TCSANOW, before)

    atexit.register(put_back)
