"""prompt_toolkit loads only for `screener screen` (and questionary never): other commands
start fast."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from .conftest import EXAMPLES

PROMPT_LIBRARIES = ("questionary", "prompt_toolkit")


def modules_loaded_by(args: list[str]) -> list[str]:
    """Run the CLI in a fresh interpreter; the prompt libraries it loaded."""
    code = (
        "import sys\n"
        "from screener.cli import app\n"
        "try:\n"
        f"    app({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(PROMPT_LIBRARIES)!r}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return list(ast.literal_eval(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["score", str(EXAMPLES / "needs_review.yaml")],
        ["score", str(EXAMPLES / "urgent.yaml"), "--format", "json"],
        ["validate"],
    ],
)
def test_commands_other_than_screen_do_not_import_questionary(args: list[str]) -> None:
    assert modules_loaded_by(args) == []


def test_screen_does_import_it() -> None:
    # The control: the check above would notice the import if it happened.
    assert modules_loaded_by(["screen"]) == ["prompt_toolkit"]
