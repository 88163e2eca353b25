"""The one place where an error becomes an exit code (documented in the README's "Exit codes").

0   the command did its job (a completed screening exits 0 whatever the outcome)
1   bad input: a rule file, answers file or data file that cannot be used; an output that
    cannot be written (no permission, a full disk, a closed pipe); failing rule tests
2   bad usage: unknown option, bad option value, an output that names an input or another
    output, no terminal for `screen`
3   `batch` finished, but some records were invalid (each is in the output)
4   `diff --fail-on` found records whose outcome moved the forbidden way
70  an internal error: a bug in screener (one line names its kind, never its details, which
    could quote a person's answers; SCREENER_DEBUG=1 shows the traceback)
129 hung up (SIGHUP: the terminal went away), 128 + 1
130 interrupted (Ctrl-C, Ctrl-D)
143 terminated (SIGTERM), 128 + 15

A signal takes the Ctrl-C path (screener.files.interrupts): temp files are removed, and the
interview offers its draft (after SIGHUP, with no one to ask, writes it owner-only).
"""

from __future__ import annotations

from screener.core.problems import (
    ForbiddenChange,
    HungUp,
    Interrupted,
    ScreenerError,
    Terminated,
    UsageError,
)

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2
EXIT_SOME_INVALID = 3
EXIT_FORBIDDEN_CHANGE = 4
EXIT_INTERNAL = 70  # EX_SOFTWARE in BSD's sysexits.h
EXIT_HUNG_UP = HungUp.exit_code  # 129
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = Terminated.exit_code  # 143


def exit_code_for(error: ScreenerError) -> int:
    if isinstance(error, UsageError):
        return EXIT_USAGE
    if isinstance(error, ForbiddenChange):
        return EXIT_FORBIDDEN_CHANGE
    return EXIT_BAD_INPUT


def exit_code_for_interrupt(interrupt: BaseException) -> int:
    """Ctrl-C and Ctrl-D: 130; SIGTERM: 143; SIGHUP: 129."""
    if isinstance(interrupt, Interrupted):
        return interrupt.exit_code
    return EXIT_INTERRUPTED
