"""The functional core never imports the shell's libraries (typer, questionary, rich)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import screener

PACKAGE = Path(screener.__file__).parent
SHELL_LIBRARIES = ("typer", "click", "questionary", "rich", "prompt_toolkit")
CORE_MODULES = (
    "answer_coercion",
    "answers_file",
    "cases_file",
    "condition_check",
    "condition_compile",
    "condition_syntax",
    "errors",
    "evaluate",
    "input_files",
    "questions",
    "reason_text",
    "render_markdown",
    "ruleset",
    "schema",
    "schema_errors",
    "scoring",
    "screening",
    "screening_json",
    "summary_text",
    "tristate",
    "validate_summary",
    "yaml_source",
)


def _imported_top_levels(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_modules_do_not_name_shell_libraries_anywhere_in_their_imports() -> None:
    for module in CORE_MODULES:
        assert not _imported_top_levels(module) & set(SHELL_LIBRARIES), module


def test_importing_and_running_the_core_loads_no_shell_library() -> None:
    code = (
        "import sys\n"
        + "".join(f"import screener.{m}\n" for m in CORE_MODULES)
        + "from screener.ruleset import load_ruleset\n"
        "from screener.scoring import score_raw\n"
        "from screener.screening_json import screening_to_json\n"
        "from screener.render_markdown import render_markdown\n"
        "rules = load_ruleset()\n"
        "s = score_raw(rules, {'age': 40}, 'x')\n"
        "screening_to_json(rules, s); render_markdown(rules, s)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {SHELL_LIBRARIES!r}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
