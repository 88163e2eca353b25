"""A clinic edits the live rules.yaml; the code's tests do not notice (they read the frozen
copy in tests/fixtures/). Only the rule cases in tests/cases/ follow the live file."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FROZEN_RULES, LIVE_RULES, ROOT

THIS_TEST = "tests/test_frozen_rules.py"


def _copy_project(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source, dest = ROOT / name, target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            dest.symlink_to(os.readlink(source))
        elif source.is_file():
            shutil.copy2(source, dest)


def test_the_frozen_rules_are_a_valid_rule_file_apart_from_the_live_one() -> None:
    assert FROZEN_RULES.read_text().startswith("# FROZEN")
    assert FROZEN_RULES.resolve() != LIVE_RULES.resolve()


@pytest.mark.timeout(1200)  # runs the whole suite once more, in the copy
def test_changing_the_live_rules_version_and_clinic_name_leaves_the_tests_green(
    tmp_path: Path,
) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.fail("this test copies the project with git ls-files: run it in a git checkout")
    copy = tmp_path / "project"
    _copy_project(copy)
    live = copy / "src" / "screener" / "data" / "rules.yaml"
    text = live.read_text(encoding="utf-8")
    edited = re.sub(r'(?m)^version: ".*"$', 'version: "2099.1.1"', text, count=1)
    edited = re.sub(r"(?m)^(  name: ).*$", r"\1Another Clinic Name", edited, count=1)
    assert edited != text and "2099.1.1" in edited and "Another Clinic Name" in edited
    live.write_text(edited, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(copy / "src"))
    env.pop("SCREENER_RULES", None)  # the copy's conftest sets its own
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-p", "no:cacheprovider", "--deselect", THIS_TEST],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
