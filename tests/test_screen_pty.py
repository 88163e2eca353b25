"""The installed `screener screen` in a pseudo-terminal, as a coordinator would use it."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from screener.core.model import RuleSet

from .interview_keys import BACKSPACE, CLEAR_LINE, CTRL_C, ENTER, interview, keys_for

pytestmark = pytest.mark.timeout(90)
EXPECT_TIMEOUT = 15


def installed_screener() -> str:
    """The console script installed next to this Python (pip install -e . / pip install .)."""
    beside = Path(sys.executable).parent / "screener"
    found = str(beside) if beside.exists() else shutil.which("screener")
    assert found, "the screener command is not installed: python -m pip install -e '.[test]'"
    return found


def spawn(args: list[str], cwd: Path) -> pexpect.spawn[str]:
    env = dict(os.environ, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm", COLUMNS="120", LINES="40")
    child = pexpect.spawn(
        installed_screener(),
        ["screen", *args],
        cwd=str(cwd),
        env=env,
        dimensions=(40, 120),
        timeout=EXPECT_TIMEOUT,
        encoding="utf-8",
    )
    return child


def answer(
    child: pexpect.spawn[str], rules: RuleSet, question_id: str, value: str | list[str]
) -> None:
    question = rules.question_map[question_id]
    child.expect_exact(question.text[:24])
    child.send(keys_for(question, value))


def finish(child: pexpect.spawn[str]) -> int:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus is not None
    return int(child.exitstatus)


def test_a_coordinator_completes_corrects_and_saves_a_screening(
    tmp_path: Path, default_rules: RuleSet
) -> None:
    record = tmp_path / "record.json"
    child = spawn(["--save", str(record), "--intake-id", "P-1"], tmp_path)
    try:
        child.expect_exact("How old is the person")
        child.send("150")
        child.expect_exact("150 is above the maximum 120")  # checked while typing
        child.send(BACKSPACE * 3 + "14" + ENTER)  # a typo: the caller is 41
        for question_id, value in interview()[1:]:
            answer(child, default_rules, question_id, value)
        child.expect_exact("Review the answers before scoring")
        child.expect_exact("Number of an answer to change")
        child.send("1" + ENTER)
        child.expect_exact("How old is the person")
        child.send(CLEAR_LINE + "41" + ENTER)
        child.expect_exact("Review the answers before scoring")
        child.expect_exact("Number of an answer to change")
        child.send(ENTER)
        child.expect_exact("LIKELY ELIGIBLE")
        child.expect_exact("Record saved to")
        status = finish(child)
    finally:
        child.close(force=True)
    assert status == 0
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    saved = json.loads(record.read_text())
    assert saved["answers"]["age"] == 41
    scored = subprocess.run(
        [installed_screener(), "score", str(record), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert json.loads(scored.stdout)["outcome"] == saved["screening"]["outcome"]
    assert saved["screening"]["outcome"] == "likely_eligible"


def test_ctrl_c_saves_a_draft_exits_130_and_resume_finishes(
    tmp_path: Path, default_rules: RuleSet
) -> None:
    answers = interview(self_harm_thoughts="yes")
    child = spawn(["--intake-id", "P-2"], tmp_path)
    try:
        for question_id, value in answers[:4]:
            answer(child, default_rules, question_id, value)
        child.expect_exact(default_rules.question_map[answers[4][0]].text[:24])
        child.send(CTRL_C)
        child.expect_exact("Save a draft")
        child.send("y")
        child.expect_exact("screener screen --resume screener-draft-P-2.json")
        status = finish(child)
    finally:
        child.close(force=True)
    assert status == 130
    draft = tmp_path / "screener-draft-P-2.json"
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600

    child = spawn(["--resume", draft.name], tmp_path)
    try:
        child.expect_exact("Resuming intake P-2")
        for question_id, value in answers[4:]:
            answer(child, default_rules, question_id, value)
            if question_id == "self_harm_thoughts":
                child.expect_exact("URGENT: SAFETY")  # at once, before the next question
        child.expect_exact("Number of an answer to change")
        child.send(ENTER)
        child.expect_exact("URGENT")
        child.expect_exact("Save the record")
        child.send("n")
        child.expect_exact("Nothing was saved.")
        status = finish(child)
    finally:
        child.close(force=True)
    assert status == 0
