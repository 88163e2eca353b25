"""SIGTERM and SIGHUP take the Ctrl-C path, in the installed command with real signals: a batch
leaves no temp file of screenings behind, the interview offers its draft (or, after SIGHUP,
with no one left to ask, writes it owner-only and says where). Exit codes: 130 Ctrl-C,
143 SIGTERM, 129 SIGHUP."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pexpect
import pytest
from rich.console import Console

from screener.commands.screen.command import ScreenOptions, run_screen
from screener.core.model import RuleSet
from screener.core.problems import HungUp, Terminated
from screener.errors import EXIT_HUNG_UP, EXIT_INTERRUPTED, EXIT_TERMINATED
from screener.files.interrupts import held, install_handlers
from screener.files.write import AtomicFile

from ..conftest import CLEAR_ANSWERS
from ..interview_keys import drive, interview, interview_keys
from ..test_screen_pty import answer, finish, installed_screener, spawn

pytestmark = pytest.mark.timeout(90)

SIGNALS = [
    (signal.SIGTERM, EXIT_TERMINATED, "stopped by SIGTERM"),
    (signal.SIGHUP, EXIT_HUNG_UP, "stopped by SIGHUP"),
    (signal.SIGINT, EXIT_INTERRUPTED, "interrupted"),
]


def test_the_exit_codes_are_128_plus_the_signal() -> None:
    assert (EXIT_TERMINATED, EXIT_HUNG_UP, EXIT_INTERRUPTED) == (
        128 + signal.SIGTERM,
        128 + signal.SIGHUP,
        128 + signal.SIGINT,
    )


def _temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize(("signum", "code", "message"), SIGNALS)
def test_a_signal_during_a_batch_exits_with_its_code_and_leaves_no_temp_file(
    tmp_path: Path, signum: int, code: int, message: str
) -> None:
    # The export is a FIFO: batch has read a few records and waits for more, with its
    # temporary output file open, when the signal arrives.
    export = tmp_path / "export.csv"
    os.mkfifo(export)
    output = tmp_path / "scored.csv"
    child = subprocess.Popen(
        [installed_screener(), "batch", str(export), "-o", str(output)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with export.open("w", newline="") as feed:
            writer = csv.writer(feed)
            writer.writerow(["intake_id", *CLEAR_ANSWERS])
            writer.writerows([[f"A{i}", *CLEAR_ANSWERS.values()] for i in range(3)])
            feed.flush()
            deadline = time.monotonic() + 20
            while not _temp_files(tmp_path) and time.monotonic() < deadline:
                time.sleep(0.02)
            assert _temp_files(tmp_path), "batch never opened its temporary output"
            child.send_signal(signum)
            _, stderr = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == code
    assert stderr.strip() == message
    assert "Traceback" not in stderr
    assert _temp_files(tmp_path) == []
    assert not output.exists()


def _interrupted_interview(
    tmp_path: Path, rules: RuleSet, intake_id: str, signum: int
) -> pexpect.spawn[str]:
    child = spawn(["--intake-id", intake_id], tmp_path)
    child.logfile_read = io.StringIO()  # the whole transcript
    answers = interview()
    for question_id, value in answers[:4]:
        answer(child, rules, question_id, value)
    child.expect_exact(rules.question_map[answers[4][0]].text[:24])
    child.kill(signum)
    return child


def test_sigterm_in_the_interview_offers_the_draft_and_exits_143(
    tmp_path: Path, default_rules: RuleSet
) -> None:
    child = _interrupted_interview(tmp_path, default_rules, "T-1", signal.SIGTERM)
    try:
        child.expect_exact("Stopped (SIGTERM). Save a draft of the 4 answer(s)")
        child.send("y")
        child.expect_exact("screener screen --resume screener-draft-T-1.json")
        status = finish(child)
    finally:
        child.close(force=True)
    assert status == EXIT_TERMINATED
    draft = tmp_path / "screener-draft-T-1.json"
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    assert json.loads(draft.read_text())["answers"]["age"] == 42
    assert _temp_files(tmp_path) == []


def test_sighup_in_the_interview_writes_the_draft_without_asking_and_exits_129(
    tmp_path: Path, default_rules: RuleSet
) -> None:
    child = _interrupted_interview(tmp_path, default_rules, "H-1", signal.SIGHUP)
    try:
        # No one is left at the terminal to answer a question: it is written, and said where.
        child.expect_exact("Draft saved to screener-draft-H-1.json (readable by you only)")
        status = finish(child)
    finally:
        child.close(force=True)
    assert isinstance(child.logfile_read, io.StringIO)
    transcript = child.logfile_read.getvalue()
    assert "stopped by SIGHUP" in transcript
    assert "Save a draft" not in transcript
    assert status == EXIT_HUNG_UP
    draft = tmp_path / "screener-draft-H-1.json"
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    assert set(json.loads(draft.read_text())["answers"]) == {
        "age",
        "primary_condition",
        "failed_antidepressants",
        "prior_ketamine",
    }
    assert _temp_files(tmp_path) == []


def test_sighup_raised_at_a_prompt_writes_the_draft_in_the_owners_name_only(
    tmp_path: Path, default_rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same path, in process: HungUp raised by the prompt that would have asked next.
    import screener.commands.screen.command as command
    import screener.commands.screen.prompts as prompts

    monkeypatch.chdir(tmp_path)
    real: Callable[..., object] = prompts.ask_question
    asked = 0

    def hang_up_at_the_fourth(*args: object, **kwargs: object) -> object:
        nonlocal asked
        asked += 1
        if asked == 4:
            raise HungUp()
        return real(*args, **kwargs)

    monkeypatch.setattr(command, "ask_question", hang_up_at_the_fourth)
    run = drive(
        interview_keys(default_rules, interview()[:3]),
        lambda console: run_screen(ScreenOptions(intake_id="H-2"), console, require_terminal=False),
    )
    assert isinstance(run.error, HungUp)
    assert "Save a draft" not in run.screen
    assert "Draft saved to screener-draft-H-2.json" in run.screen
    draft = tmp_path / "screener-draft-H-2.json"
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600


def test_any_unexpected_error_in_the_interview_offers_the_draft(
    tmp_path: Path, default_rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    import screener.commands.screen.command as command

    monkeypatch.chdir(tmp_path)

    def broken(*args: object) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr(command, "finish", broken)
    errors: list[BaseException] = []

    def action(console: Console) -> None:
        try:
            run_screen(ScreenOptions(intake_id="E-1"), console, require_terminal=False)
        except RuntimeError as exc:
            errors.append(exc)

    run = drive(interview_keys(default_rules, interview()) + "s" + "y", action)  # s: score it
    assert [str(e) for e in errors] == ["a bug"]
    assert "Something went wrong (RuntimeError). Save a draft of the" in run.screen
    data = json.loads((tmp_path / "screener-draft-E-1.json").read_text())
    assert len(data["answers"]) == len(interview())


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, Terminated, HungUp])
def test_an_interrupted_write_removes_its_temp_file_and_keeps_the_target(
    tmp_path: Path, interrupt: type[BaseException]
) -> None:
    target = tmp_path / "record.json"
    target.write_text("before")
    with pytest.raises(interrupt), AtomicFile(target) as output:
        output.write("half of it")
        assert _temp_files(tmp_path)
        raise interrupt()
    assert target.read_text() == "before"
    assert _temp_files(tmp_path) == []


def test_a_terminal_that_goes_away_leaves_the_draft_and_exits_129(
    tmp_path: Path, default_rules: RuleSet
) -> None:
    # A dropped SSH session: the terminal closes; the kernel sends SIGHUP, and reads and
    # writes on the terminal fail from then on.
    child = spawn(["--intake-id", "R-1"], tmp_path)
    answers = interview()
    for question_id, value in answers[:4]:
        answer(child, default_rules, question_id, value)
    child.expect_exact(default_rules.question_map[answers[4][0]].text[:24])
    assert child.pid is not None
    os.close(child.child_fd)
    deadline = time.monotonic() + 30
    status = None
    while status is None and time.monotonic() < deadline:
        pid, raw = os.waitpid(child.pid, os.WNOHANG)
        status = os.waitstatus_to_exitcode(raw) if pid else None
        time.sleep(0.05)
    assert status == EXIT_HUNG_UP
    draft = tmp_path / "screener-draft-R-1.json"
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    assert len(json.loads(draft.read_text())["answers"]) == 4
    assert _temp_files(tmp_path) == []


@pytest.fixture
def handlers() -> Iterator[None]:
    """screener's handlers, as `main` installs them, for this test only."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    install_handlers()
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


@pytest.mark.usefixtures("handlers")
def test_a_signal_while_a_temp_file_is_being_made_still_removes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    real = tempfile.mkstemp

    def mkstemp_then_sigterm(**kwargs: Any) -> tuple[int, str]:
        made = real(**kwargs)
        os.kill(os.getpid(), signal.SIGTERM)  # arrives before the writer knows its temp file
        return made

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp_then_sigterm)
    with pytest.raises(Terminated):
        AtomicFile(tmp_path / "out.csv")
    assert _temp_files(tmp_path) == []


@pytest.mark.usefixtures("handlers")
def test_a_signal_inside_a_held_step_is_raised_when_it_ends() -> None:
    done = []
    with pytest.raises(HungUp), held():
        os.kill(os.getpid(), signal.SIGHUP)
        time.sleep(0.01)
        done.append("the step finished")
    assert done == ["the step finished"]


@pytest.mark.parametrize(
    ("interrupt", "code"),
    [(KeyboardInterrupt, EXIT_INTERRUPTED), (Terminated, EXIT_TERMINATED), (HungUp, EXIT_HUNG_UP)],
)
def test_a_signal_while_click_reads_the_options_exits_with_its_code_not_aborted(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    interrupt: type[BaseException],
    code: int,
) -> None:
    """The window between `main` installing the handlers and a command's own error handling:
    click, left to itself, would print "Aborted!" and exit 1 (a CI run caught it in the pty)."""
    from screener import cli
    from screener.files import interrupts

    def interrupted(*args: object, **kwargs: object) -> None:
        raise interrupt()

    monkeypatch.setattr(click.Command, "parse_args", interrupted)
    monkeypatch.setattr(interrupts, "install_handlers", lambda: None)  # keep pytest's handlers
    monkeypatch.setattr(sys, "argv", ["screener", "validate"])
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == code
    err = capsys.readouterr().err
    assert "Aborted" not in err and "Traceback" not in err
    assert err.strip() == (str(interrupt()) or "interrupted")


def _finished_batch_export(tmp_path: Path) -> Path:
    export = tmp_path / "export.csv"
    with export.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["intake_id", *CLEAR_ANSWERS])
        writer.writerows([[f"A{i}", *CLEAR_ANSWERS.values()] for i in range(3)])
    return export


@pytest.mark.usefixtures("handlers")
def test_a_signal_while_a_batch_puts_its_files_in_place_lets_both_land_and_keeps_the_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screener.commands.batch.command import BatchOptions, run_batch

    commit = AtomicFile.commit

    def signalled_commit(self: AtomicFile) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # waits until both files are in place
        time.sleep(0.01)
        commit(self)

    monkeypatch.setattr(AtomicFile, "commit", signalled_commit)
    output, summary = tmp_path / "scored.csv", tmp_path / "summary.json"
    options = BatchOptions(
        input=_finished_batch_export(tmp_path), output=str(output), summary_json=summary
    )
    assert run_batch(options) == 0
    assert len(output.read_text(encoding="utf-8").splitlines()) == 4
    assert json.loads(summary.read_text(encoding="utf-8"))["exit_code"] == 0
    assert _temp_files(tmp_path) == []


def test_a_signal_while_the_summary_is_printed_keeps_the_written_results_and_the_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screener.commands.batch.command import BatchOptions, run_batch

    class InterruptedStream(io.StringIO):
        def write(self, text: str) -> int:
            raise KeyboardInterrupt  # Ctrl-C just as the summary is printed

    monkeypatch.setattr(sys, "stderr", InterruptedStream())
    output = tmp_path / "scored.csv"
    options = BatchOptions(input=_finished_batch_export(tmp_path), output=str(output))
    assert run_batch(options) == 0
    assert len(output.read_text(encoding="utf-8").splitlines()) == 4


def test_a_signal_before_the_last_record_is_written_leaves_neither_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screener.commands.batch import command

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt  # as the files are about to be put in place

    monkeypatch.setattr(command, "_commit_results", interrupted)
    output, summary = tmp_path / "scored.csv", tmp_path / "summary.json"
    options = command.BatchOptions(
        input=_finished_batch_export(tmp_path), output=str(output), summary_json=summary
    )
    with pytest.raises(KeyboardInterrupt):
        command.run_batch(options)
    assert not output.exists() and not summary.exists()
    assert _temp_files(tmp_path) == []
