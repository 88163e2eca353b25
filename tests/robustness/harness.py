"""Running screener as a user does, and checking that it failed closed.

Failing closed: no traceback (the CLI ends every run with SystemExit, or returns), an exit code
from `screener.errors`, and no input file changed.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable
from pathlib import Path

from click.testing import CliRunner, Result

from screener import errors
from screener.cli import app

from ..conftest import FROZEN_RULES

DOCUMENTED_EXIT_CODES = frozenset(
    {
        errors.EXIT_OK,
        errors.EXIT_BAD_INPUT,
        errors.EXIT_USAGE,
        errors.EXIT_SOME_INVALID,
        errors.EXIT_FORBIDDEN_CHANGE,
        errors.EXIT_INTERRUPTED,
    }
)
# 42 in digits that `\\d` and int() take, and a number must not be written with.
ARABIC_INDIC_42 = "\u0664\u0662"
FULL_WIDTH_42 = "\uff14\uff12"
FROZEN_TEXT = FROZEN_RULES.read_text(encoding="utf-8")
runner = CliRunner()


def assert_failed_closed(result: Result, allowed: Iterable[int] = DOCUMENTED_EXIT_CODES) -> None:
    """The run ended the way the CLI ends a run, with a documented exit code."""
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), (
            f"{type(result.exception).__name__}: {result.exception}\n{result.stderr[-2000:]}"
        )
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    assert result.exit_code in set(allowed), (result.exit_code, result.stderr[-2000:])


def run(
    *args: str | Path,
    stdin: bytes | str | None = None,
    allowed: Iterable[int] = DOCUMENTED_EXIT_CODES,
) -> Result:
    """`screener ARGS...` in this process, checked to have failed closed."""
    result = runner.invoke(app, [str(arg) for arg in args], input=stdin)
    assert_failed_closed(result, allowed)
    return result


def digests(*paths: Path) -> dict[Path, str]:
    """Each file's sha256, to check afterwards that no input was changed."""
    return {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}


def with_replaced(text: str, old: str, new: str) -> str:
    """`text` with the first `old` replaced; the test is wrong if `old` is not there."""
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def alias_bomb() -> str:
    """The "billion laughs" document (about 440 bytes): nine levels of nine aliases each, a
    billion strings once expanded."""
    lines = [f"a: &a [{', '.join(['lol'] * 9)}]"]
    names = "abcdefghi"
    for previous, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"
