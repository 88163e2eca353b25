"""The one place where an error becomes an exit code (documented in docs/commands.md).

0   the command did its job (a completed screening exits 0 whatever the outcome)
1   bad input: a rule file, answers file or data file that cannot be used; an output that
    cannot be written; failing rule tests
2   bad usage: unknown option, bad option value, no terminal for `screen`
3   `batch` finished, but some records were invalid (each is in the output)
4   `diff --fail-on` found records whose outcome moved the forbidden way
130 interrupted (Ctrl-C, Ctrl-D)
"""

from __future__ import annotations

from screener.core.problems import ForbiddenChange, ScreenerError, UsageError

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2
EXIT_SOME_INVALID = 3
EXIT_FORBIDDEN_CHANGE = 4
EXIT_INTERRUPTED = 130


def exit_code_for(error: ScreenerError) -> int:
    if isinstance(error, UsageError):
        return EXIT_USAGE
    if isinstance(error, ForbiddenChange):
        return EXIT_FORBIDDEN_CHANGE
    return EXIT_BAD_INPUT
