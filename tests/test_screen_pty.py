"""The installed `screener screen` in a pseudo-terminal at 80x24, as a coordinator would use it."""

from __future__ import annotations

import io
import json
import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

from screener import startup
from screener.core.model import RuleSet
from screener.errors import EXIT_INTERRUPTED

from .conftest import FIXTURES
from .interview_calls import CALLER_A, Player, spawn_screen
from .interview_calls import installed_screener as installed_screener
from .interview_keys import (
    BACKSPACE,
    CLEAR_LINE,
    CTRL_C,
    ENTER,
    LEFT,
    Answer,
    interview,
    keys_for,
)

pytestmark = pytest.mark.timeout(90)
EXPECT_TIMEOUT = 15


def spawn(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> pexpect.spawn[str]:
    return spawn_screen(args, cwd, env)


def answer(
    child: pexpect.spawn[str], rules: RuleSet, question_id: str, value: str | list[str]
) -> None:
    question = rules.question_map[question_id]
    child.expect_exact(question.text[:24])
    child.send(keys_for(question, value))


def stop_after_four_with_a_draft(
    child: pexpect.spawn[str], rules: RuleSet, answers: list[tuple[str, str | list[str]]]
) -> None:
    """Answer four questions, press Ctrl-C at the fifth, and say yes to the draft."""
    for question_id, value in answers[:4]:
        answer(child, rules, question_id, value)
    child.expect_exact(rules.question_map[answers[4][0]].text[:24])
    child.send(CTRL_C)
    child.expect_exact("Save a draft")
    child.send("y")


def answer_all_and_score(
    child: pexpect.spawn[str], rules: RuleSet, answers: list[tuple[str, Answer]], then: str
) -> None:
    """Answer the rest, score it on the review page, see `then`; the command exits 0."""
    for question_id, value in answers:
        answer(child, rules, question_id, value)
    child.expect_exact(": change that answer")
    child.send("s")
    child.expect_exact(then)
    assert finish(child) == 0


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
        child.expect_exact(": change that answer")
        child.send("1" + ENTER)
        child.expect_exact("How old is the person")
        child.send(CLEAR_LINE + "41" + ENTER)
        child.expect_exact("Review the answers before scoring")
        child.expect_exact(": change that answer")
        child.send("s")
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
        stop_after_four_with_a_draft(child, default_rules, answers)
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
        child.expect_exact(": change that answer")
        child.send("s")
        child.expect_exact("URGENT")
        child.expect_exact("Save the record")
        child.send("n")
        child.expect_exact("Nothing was saved.")
        status = finish(child)
    finally:
        child.close(force=True)
    assert status == 0


V2_RULES = FIXTURES / "rules_default_v2.yaml"
V2 = {"SCREENER_RULES": str(V2_RULES)}
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r")


def test_enter_alone_does_not_answer_and_one_key_does(
    tmp_path: Path, default_rules: RuleSet
) -> None:
    child = spawn(["--intake-id", "K-1"], tmp_path)
    try:
        for question_id, value in interview()[:3]:
            answer(child, default_rules, question_id, value)
        child.expect_exact(default_rules.question_map["prior_ketamine"].text[:24])
        child.send(ENTER)
        child.expect_exact("Enter alone does not answer")
        child.send("1")  # one key: "no, never"
        child.expect_exact("  → ")
        child.expect_exact(default_rules.question_map["ketamine_allergy"].text[:24])
        child.send(ENTER)
        child.expect_exact("Enter alone does not answer: press y or n")
        child.send("n")  # one key, no Enter
        child.expect_exact("  → no")
        child.expect_exact(default_rules.question_map["aneurysm_or_avm"].text[:24])
    finally:
        child.close(force=True)


def test_the_back_key_goes_back_one_question(tmp_path: Path, default_rules: RuleSet) -> None:
    record = tmp_path / "r.json"
    child = spawn(["--intake-id", "K-2", "--save", str(record)], tmp_path)
    try:
        answers = interview()
        for question_id, value in answers[:5]:
            answer(child, default_rules, question_id, value)
        child.expect_exact(default_rules.question_map[answers[5][0]].text[:24])
        child.send(LEFT)  # back to ketamine_allergy, answered "no": change it to yes
        child.expect_exact("Back one question.")
        child.expect_exact("Enter keeps no")
        child.send("y")
        child.expect_exact("  → yes")
        answer_all_and_score(child, default_rules, answers[5:], "NOT ELIGIBLE")
    finally:
        child.close(force=True)
    assert json.loads(record.read_text())["answers"]["ketamine_allergy"] is True


def _safety_round_trip(child: pexpect.spawn[str], at_text: str, number: str) -> None:
    child.send("!")
    child.expect_exact("Safety questions")
    child.expect_exact("Enter: back to the call (question " + number)
    child.send(ENTER)
    child.expect_exact("Back to the call.")
    child.expect_exact(f"Question {number} of")
    child.expect_exact(at_text[:30])


def test_the_safety_key_from_question_3_and_from_question_30_returns_to_the_same_question(
    tmp_path: Path,
) -> None:
    from screener.rulefile.load import load_ruleset

    rules = load_ruleset(V2_RULES)
    child = spawn(["--intake-id", "K-3"], tmp_path, V2)
    try:
        child.expect_exact(rules.question_map["caller"].text[:30])
        child.send("1")
        child.expect_exact(rules.question_map["age"].text[:10])
        child.send("45" + ENTER)
        condition = rules.question_map["primary_condition"].text
        child.expect_exact("Question 3 of")
        child.expect_exact(condition[:30])
        # The safety questions not answered yet are asked at once, then the page of them.
        child.send("!")
        child.expect_exact("Safety questions")
        child.expect_exact(rules.question_map["suicidal_thoughts_month"].text[:30])
        child.send("n")
        child.expect_exact(rules.question_map["suicide_behavior_3mo"].text[:30])
        child.send("n")
        child.expect_exact("Enter: back to the call (question 3")
        child.send(ENTER)
        child.expect_exact("Back to the call.")
        child.expect_exact("Question 3 of")
        child.expect_exact(condition[:30])
        child.send("1")
        # Safety questions answered on the safety screen are not asked again.
        child.expect_exact(rules.question_map["wish_dead_month"].text[:30])
        child.send("n")
        child.expect_exact("  → no")
        player = Player(child, CALLER_A, rules)
        player.answered |= {"caller", "age", "primary_condition", "wish_dead_month"}
        player.answered |= {"suicidal_thoughts_month", "suicide_behavior_3mo"}
        player.run(until="psychotic_disorder")
        _safety_round_trip(child, rules.question_map["psychotic_disorder"].text, "30")
        child.send("n")
        child.expect_exact("  → no")
        child.expect_exact("Question 31 of")
    finally:
        child.close(force=True)


def test_the_review_fits_80x24_with_its_first_row_on_screen(
    tmp_path: Path, default_rules: RuleSet
) -> None:
    child = spawn(["--intake-id", "K-4"], tmp_path)
    seen: list[str] = []
    try:
        for question_id, value in interview():
            answer(child, default_rules, question_id, value)
        child.expect_exact("Review the answers before scoring (page 1 of")
        child.expect_exact(": change that answer")
        seen.append(str(child.before))
        child.send("1" + ENTER + CLEAR_LINE + "41" + ENTER)  # change row 1, the age
        child.expect_exact("  → 41 years")
        child.expect_exact("Review the answers before scoring (page 1 of")  # drawn again
        child.expect_exact(": change that answer")
        seen.append(str(child.before))
    finally:
        child.close(force=True)
    first_row = re.escape(" 1  " + default_rules.question_map["age"].short[:20])
    for drawn in seen:
        page = ANSI.sub("", drawn)
        lines = page.split("\n")
        # The whole page (title, rows and keys) fits the 24 rows, first row included.
        assert len(lines) <= 22
        assert re.search("^" + first_row, page, re.MULTILINE)
        assert all(len(line) <= 80 for line in lines)
    assert "41 years" in ANSI.sub("", seen[1])


def test_resume_keeps_the_options_and_writes_the_markdown_note(
    tmp_path: Path, default_rules: RuleSet
) -> None:
    answers = interview()
    child = spawn(
        ["--intake-id", "K-5", "--markdown", "note.md", "--by", "Ana Ruiz"],
        tmp_path,
    )
    try:
        stop_after_four_with_a_draft(child, default_rules, answers)
        child.expect_exact("--markdown note.md --by 'Ana Ruiz'")
        assert finish(child) == 130
    finally:
        child.close(force=True)
    draft = tmp_path / "screener-draft-K-5.json"
    assert json.loads(draft.read_text())["options"]["markdown"] == "note.md"

    child = spawn(["--resume", draft.name], tmp_path)  # no options repeated
    try:
        child.expect_exact("Resuming intake K-5")
        answer_all_and_score(child, default_rules, answers[4:], "Referral note saved to note.md")
    finally:
        child.close(force=True)
    note = (tmp_path / "note.md").read_text()
    assert "Intake id: `K-5`" in note
    assert "Ana Ruiz" in note


def test_language_es_shows_the_spanish_text_of_the_first_question(tmp_path: Path) -> None:
    rules = Path(__file__).parent / "fixtures" / "rules_es.yaml"
    child = spawn(["--rules", str(rules), "--language", "es"], tmp_path)
    try:
        child.expect_exact("(questions in es)")
        child.expect_exact("En años cumplidos.")  # the help comes before its question
        child.expect_exact("¿Cuántos años tiene?")
        child.send(CTRL_C)
        child.expect_exact("nothing to save")
        assert finish(child) == 130
    finally:
        child.close(force=True)


def test_start_up_exits_with_the_documented_interrupt_code() -> None:
    import signal

    from screener.core.problems import HungUp, Terminated

    assert startup.EXIT_INTERRUPTED == EXIT_INTERRUPTED == 130
    assert {
        signal.SIGTERM: Terminated.exit_code,
        signal.SIGHUP: HungUp.exit_code,
    } == startup._EXIT_CODES


def in_a_pty(code: str) -> str:
    """What a Python snippet prints, run with a pseudo-terminal at 80x24 as its stdin."""
    child = pexpect.spawn(sys.executable, ["-c", code], dimensions=(24, 80), encoding="utf-8")
    child.expect(pexpect.EOF, timeout=30)
    return str(child.before)


def test_keys_typed_while_screen_starts_are_not_echoed_and_the_terminal_is_back_after() -> None:
    # From screener's first module `screen` keeps typed keys unechoed for its first prompt
    # (they were echoed over the banner while the program loaded); the terminal is put back
    # as it was when the process ends, here by the usage error of an unknown option.
    code = (
        "import sys, termios, subprocess\n"
        "echo = lambda: bool(termios.tcgetattr(0)[3] & termios.ECHO)\n"
        "sys.argv = ['screener', 'screen', '--no-such-option']\n"
        "before = echo()\n"
        "import screener.startup\n"
        "during = echo()\n"
        "print('echo', before, during, flush=True)\n"
    )
    assert "echo True False" in in_a_pty(code)
    # The installed command, stopped by a usage error: echo is on again afterwards.
    check = (
        "import subprocess, sys, termios\n"
        f"subprocess.run([{installed_screener()!r}, 'screen', '--no-such-option'])\n"
        "print('after', bool(termios.tcgetattr(0)[3] & termios.ECHO))\n"
    )
    assert "after True" in in_a_pty(check)


# From the moment screener's first module has run (Python's own start, before it, is the
# interpreter's), then while the other modules load, the rules are read, and the first
# question is drawn. PYTHONPROFILEIMPORTTIME makes the child say when a module has loaded.
@pytest.mark.parametrize("delay", [0.0, 0.03, 0.08, 0.15, 0.25, None])
def test_ctrl_c_during_start_up_exits_130_without_a_traceback(
    tmp_path: Path, delay: float | None, default_rules: RuleSet
) -> None:
    child = spawn([], tmp_path, {"PYTHONPROFILEIMPORTTIME": "1"})
    try:
        child.expect(r"\| +screener\.startup\r?\n")
        if delay is None:  # at the first question
            child.expect_exact(default_rules.question_map["age"].text[:24])
        else:
            time.sleep(delay)
        child.sendintr()
        child.expect(pexpect.EOF)
        output = str(child.before)
        child.close()
    finally:
        child.close(force=True)
    assert "Traceback" not in output
    assert "KeyboardInterrupt" not in output
    assert child.exitstatus == 130, (child.exitstatus, child.signalstatus, output[-300:])


def test_keys_typed_ahead_answer_the_next_prompts_and_are_not_echoed(
    tmp_path: Path, default_rules: RuleSet
) -> None:
    child = spawn(["--intake-id", "K-6"], tmp_path)
    seen = io.StringIO()
    child.logfile_read = seen
    try:
        for question_id, value in interview()[:5]:
            answer(child, default_rules, question_id, value)
        child.expect_exact(default_rules.question_map["aneurysm_or_avm"].text[:24])
        # Typed ahead: "zzz" lands on the next prompts (where z means nothing), then "n".
        child.send("n" + "zzz" + "n")
        child.expect_exact(default_rules.question_map["stroke_or_tia"].text[:24])
    finally:
        child.close(force=True)
    assert "zzz" not in seen.getvalue()
    assert "z" not in ANSI.sub("", seen.getvalue()).split()  # not even one of them


def test_the_terminal_does_not_echo_during_the_interview_and_echoes_again_after() -> None:
    # The interview runs inside quiet_terminal(): between two prompts a key typed is kept
    # for the next prompt, not echoed (the stray characters). In a real pty:
    code = (
        "import sys, termios\n"
        "from screener.commands.screen.terminal import quiet_terminal\n"
        "echo = lambda: bool(termios.tcgetattr(0)[3] & termios.ECHO)\n"
        "before = echo()\n"
        "with quiet_terminal():\n"
        "    during = echo()\n"
        "print('echo', before, during, echo())\n"
    )
    assert "echo True False True" in in_a_pty(code)


def test_a_number_and_enter_typed_between_two_prompts_reach_the_next_prompt_whole() -> None:
    # A fast coordinator types "78" Enter while the last answer is still being recorded.
    # A normal terminal would hold the keys until a line ends and turn Enter into a line
    # feed, which the prompt does not take: "78" reached the next prompt and Enter was lost.
    # In a real pty, keys written between two prompts are read as typed, Enter included:
    from screener.commands.screen.terminal import quiet_terminal

    leader, follower = os.openpty()
    try:
        with quiet_terminal(follower):
            os.write(leader, b"78\r")
            time.sleep(0.2)
            typed = os.read(follower, 16)
        assert typed == b"78\r"
        os.write(leader, b"\r")  # afterwards the terminal is as it was: Enter ends a line
        time.sleep(0.2)
        assert os.read(follower, 16) == b"\n"
    finally:
        os.close(leader)
        os.close(follower)


def test_a_bug_in_the_middle_of_a_call_keeps_the_answers_in_a_draft_and_ends_in_one_line(
    tmp_path: Path, default_rules: RuleSet
) -> None:
    # A bug (here: recording the third answer raises) must not lose the call: the draft is
    # offered, saved, and the command ends with one line and exit 70, never a traceback that
    # could quote the person's answers.
    script = tmp_path / "buggy_screener.py"
    script.write_text(
        "import sys\n"
        "import screener.commands.screen.flow as flow\n"
        "real, calls = flow.record_answer, [0]\n"
        "def failing(*args, **kwargs):\n"
        "    calls[0] += 1\n"
        "    if calls[0] >= 3:\n"
        "        raise RuntimeError('a bug while recording an answer')\n"
        "    return real(*args, **kwargs)\n"
        "flow.record_answer = failing\n"
        "sys.argv = ['screener', 'screen', '--intake-id', 'P-9']\n"
        "from screener.cli import main\n"
        "main()\n",
        encoding="utf-8",
    )
    env = dict(os.environ, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm", COLUMNS="80", LINES="24")
    child = pexpect.spawn(
        sys.executable,
        [str(script)],
        cwd=str(tmp_path),
        env=env,
        dimensions=(24, 80),
        timeout=EXPECT_TIMEOUT,
        encoding="utf-8",
    )
    try:
        for question_id, value in interview()[:3]:
            answer(child, default_rules, question_id, value)
        child.expect_exact("Save a draft")
        child.send("y")
        child.expect_exact("Draft saved to")
        child.expect(pexpect.EOF)
        shown = child.before or ""
    finally:
        child.close(force=True)
    assert child.exitstatus == 70
    assert "internal error (RuntimeError): a bug in screener" in shown
    assert "Traceback" not in shown and "a bug while recording" not in shown
    saved = json.loads((tmp_path / "screener-draft-P-9.json").read_text(encoding="utf-8"))
    first, second = (question_id for question_id, _ in interview()[:2])
    assert {first, second} <= set(json.dumps(saved).replace('"', " ").split())
