"""Commands load only what they need, so they start fast: prompt_toolkit only for
`screener screen` (and questionary never); `--help` only click (no rich, pydantic or YAML
parser, nothing of the commands); and `score` and `validate` of a rule file already in the
cache neither the rule file's schema (pydantic models) nor the saved record's."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import EXAMPLES

PROMPT_LIBRARIES = ("questionary", "prompt_toolkit")
# What reading and checking a rule file in full needs, and what only a saved record needs.
CHECKING_MODULES = (
    "screener.rulefile.schema",
    "screener.rulefile.schema_errors",
    "screener.formats.record",
)


def modules_loaded_by(
    args: list[str], watched: tuple[str, ...] = PROMPT_LIBRARIES, env: dict[str, str] | None = None
) -> list[str]:
    """Run the CLI in a fresh interpreter; the watched modules (or packages) it loaded."""
    code = (
        "import sys\n"
        "from screener.cli import app\n"
        "try:\n"
        f"    app({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"watched = {watched!r}\n"
        "print(sorted(w for w in watched for m in sys.modules"
        " if m == w or m.startswith(w + '.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return sorted(set(ast.literal_eval(done.stdout.strip().splitlines()[-1])))


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


def test_help_loads_no_rendering_validation_or_yaml_library() -> None:
    watched = ("rich", "pydantic", "ruamel", "screener.rulefile", "screener.commands")
    assert modules_loaded_by(["--help"], watched) == []


@pytest.fixture
def warm_cache(tmp_path: Path) -> dict[str, str]:
    """A cache folder that already holds the entry of the rule file in use."""
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "SCREENER_CACHE": ""}
    modules_loaded_by(["validate"], env=env)
    assert list((tmp_path / "cache" / "screener").iterdir())
    return env


@pytest.mark.parametrize(
    "args",
    [["score", str(EXAMPLES / "needs_review.yaml")], ["validate"]],
    ids=["score", "validate"],
)
def test_a_cached_rule_file_loads_without_its_schema_or_the_record_model(
    warm_cache: dict[str, str], args: list[str]
) -> None:
    assert modules_loaded_by(args, CHECKING_MODULES, warm_cache) == []
    # The control: without the cache, the rule file is checked with its schema.
    off = {**warm_cache, "SCREENER_CACHE": "off"}
    assert "screener.rulefile.schema" in modules_loaded_by(args, CHECKING_MODULES, off)


def test_score_as_json_builds_its_document_without_pydantic(warm_cache: dict[str, str]) -> None:
    args = ["score", str(EXAMPLES / "urgent.yaml"), "--format", "json"]
    assert modules_loaded_by(args, ("pydantic",), warm_cache) == []
    # The control: without the cache, the rule file's schema is pydantic's.
    off = {**warm_cache, "SCREENER_CACHE": "off"}
    assert modules_loaded_by(args, ("pydantic",), off) == ["pydantic"]


def test_score_reads_a_plain_answers_file_without_the_yaml_library(
    warm_cache: dict[str, str], tmp_path: Path
) -> None:
    args = ["score", str(EXAMPLES / "needs_review.yaml")]
    assert modules_loaded_by(args, ("ruamel",), warm_cache) == []
    # The control: answers written as multi-line JSON are outside the plain subset.
    as_json = tmp_path / "answers.json"
    as_json.write_text('{\n  "age": 42\n}\n', encoding="utf-8")
    assert modules_loaded_by(["score", str(as_json)], ("ruamel",), warm_cache) == ["ruamel"]


def test_score_hashes_the_rule_file_without_loading_openssl(warm_cache: dict[str, str]) -> None:
    args = ["score", str(EXAMPLES / "needs_review.yaml")]
    assert modules_loaded_by(args, ("_hashlib", "hashlib"), warm_cache) == []


def test_score_draws_its_summary_without_a_rendering_library(warm_cache: dict[str, str]) -> None:
    for answers in ("urgent.yaml", "needs_review.yaml"):
        assert modules_loaded_by(["score", str(EXAMPLES / answers)], ("rich",), warm_cache) == []
    # The control: the interview draws with rich.
    assert modules_loaded_by(["screen"], ("rich",), warm_cache) == ["rich"]
