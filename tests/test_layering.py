"""The layers hold: import-linter's contracts (pyproject.toml) pass, and running the core, the
rule file loader and the one-person formats loads no UI, array or dataframe library.

`.ci/run` also runs `lint-imports`; this test keeps a broken contract from passing `pytest` alone.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY_LIBRARIES = (
    "typer",
    "click",
    "questionary",
    "rich",
    "prompt_toolkit",
    "numpy",
    "pyarrow",
    "pandas",
    "polars",
)


def test_the_import_contracts_hold() -> None:
    lint = shutil.which("lint-imports")
    if lint is None:
        pytest.fail("lint-imports is not installed: install the test extra (.[test])")
    out = subprocess.run(
        [lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "BROKEN" not in out.stdout


def test_scoring_and_rendering_one_person_loads_no_ui_or_array_library() -> None:
    code = (
        "import pkgutil, sys\n"
        "import screener.core\n"
        "for m in pkgutil.walk_packages(screener.core.__path__, 'screener.core.'):\n"
        "    __import__(m.name)\n"
        "from screener.rulefile.load import load_ruleset\n"
        "from screener.core.scoring import score_raw\n"
        "from screener.formats.screening_json import screening_to_json\n"
        "from screener.formats.markdown import render_markdown\n"
        "rules = load_ruleset()\n"
        "s = score_raw(rules, {'age': 40}, 'x')\n"
        "screening_to_json(rules, s); render_markdown(rules, s)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY_LIBRARIES!r}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
