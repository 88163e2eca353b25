"""`screener screen`: the interview at a terminal, from the first question to the summary.

Flow: questions in file order (skip logic on the answers so far; crisis text the moment an
urgent rule holds) -> review table, where any answer can be changed (newly relevant questions
are then asked) -> referral summary -> the record and the note, only when asked for.
Ctrl-C / Ctrl-D at any prompt offers to save a draft, then ends with exit code 130.
"""

from __future__ import annotations

import re
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.text import Text

from screener.commands.screen.draft import read_draft, write_draft
from screener.commands.screen.flow import (
    InterviewState,
    Step,
    check_crisis,
    finish,
    next_question,
    record_answer,
    review_rows,
)
from screener.commands.screen.prompts import ask_path, ask_question, ask_review_pick, confirm
from screener.core.model import RuleSet
from screener.core.problems import OutputFileError, UsageError
from screener.core.screening import Screening
from screener.files.write import check_output_path, write_atomic
from screener.formats.markdown import render_markdown
from screener.formats.record import record_json
from screener.formats.text import answers_table, crisis_panel, summary_renderable
from screener.rulefile.load import load_ruleset

INTAKE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class NoTerminalError(UsageError):
    def __init__(self) -> None:
        super().__init__(
            "screener screen needs a terminal to ask its questions (stdin and stdout must be"
            " interactive); to score answers kept in a file, use: screener score ANSWERS"
        )


@dataclass(frozen=True)
class ScreenOptions:
    rules: Path | None = None
    resume: Path | None = None
    save: Path | None = None
    markdown: Path | None = None
    intake_id: str | None = None


def local_now() -> datetime:
    return datetime.now().astimezone()


def new_intake_id(now: datetime) -> str:
    return f"{now:%Y%m%d-%H%M}-{secrets.token_hex(2)}"


def _check_output(option: str, path: Path | None) -> None:
    """Refuse an output path that cannot work before the interview, not after it."""
    if path is None:
        return
    check_output_path(path, option)
    if path.exists():
        # One file per person: replacing it would silently lose an earlier caller's record.
        raise UsageError(f"{option} {path}: already exists; choose another file name")


def _check_options(options: ScreenOptions) -> None:
    if options.intake_id is not None and not INTAKE_ID.fullmatch(options.intake_id):
        raise UsageError(
            f"--intake-id {options.intake_id!r}: use up to 64 letters, digits, '.', '_' or '-'"
        )
    _check_output("--save", options.save)
    _check_output("--markdown", options.markdown)
    if options.save and options.markdown and options.save.resolve() == options.markdown.resolve():
        raise UsageError("--save and --markdown name the same file")


URGENT_REMINDER = "URGENT: safety concern - follow the crisis steps (shown in red) before going on."


class Interview:
    """The interview's terminal side; `state` is always the answers given so far."""

    def __init__(self, ruleset: RuleSet, console: Console, state: InterviewState) -> None:
        self.ruleset = ruleset
        self.console = console
        self.state = state

    def apply(self, step: Step) -> None:
        self.state = step.state
        if step.show_crisis:
            self.console.print(crisis_panel(self.ruleset.crisis_text))

    def ask_remaining(self) -> None:
        """Ask every question skip logic asks that has no answer yet, in file order."""
        while (question := next_question(self.ruleset, self.state)) is not None:
            if self.state.crisis_shown:
                # The panel scrolls away on a small screen; keep the urgency in view.
                self.console.print(Text(URGENT_REMINDER, style="bold red"))
            value = ask_question(question, self.console)
            self.apply(record_answer(self.ruleset, self.state, question.id, value))

    def review(self) -> None:
        """Show every answer; re-ask any the coordinator picks, until they say it looks right."""
        while True:
            rows = review_rows(self.ruleset, self.state)
            self.console.print()
            self.console.print(Text("Review the answers before scoring", style="bold"))
            table = answers_table([(r.question.id, r.question.text, r.answer) for r in rows])
            self.console.print(table)
            if self.state.crisis_shown:
                # The long table pushed the crisis panel off the screen: show it again here.
                self.console.print(crisis_panel(self.ruleset.crisis_text))
            pick = ask_review_pick([r.asked for r in rows])
            if pick is None:
                return
            question = rows[pick - 1].question
            value = ask_question(
                question, self.console, self.state.answers.get(question.id), has_current=True
            )
            self.apply(record_answer(self.ruleset, self.state, question.id, value))
            self.ask_remaining()

    def ask_record_path(self, intake_id: str) -> Path | None:
        """When no output was asked for on the command line, offer to save the record."""
        if not confirm("Save the record (answers and screening) to a file?", default=False):
            self.console.print("Nothing was saved.")
            return None
        while True:
            path = Path(ask_path("Record file", f"screener-record-{intake_id}.json"))
            try:
                _check_output("record", path)
            except UsageError as exc:
                self.console.print(Text(str(exc), style="red"))
                continue
            return path

    def offer_draft(self, path: Path, intake_id: str, resume_hint: str) -> None:
        """After Ctrl-C / Ctrl-D: offer to save the answers so far. A second interrupt, or
        "no", saves nothing."""
        self.console.print()
        if not self.state.answers:
            self.console.print("Interrupted before the first answer: nothing to save.")
            return
        count = len(self.state.answers)
        try:
            wanted = confirm(
                f"Interrupted. Save a draft of the {count} answer(s) so far to {path}?",
                default=True,
            )
        except (KeyboardInterrupt, EOFError):
            wanted = False
        if not wanted:
            self.console.print("No draft saved.")
            return
        try:
            write_draft(path, self.ruleset, self.state, intake_id, local_now())
        except OutputFileError as exc:
            self.console.print(Text(f"Could not save the draft: {exc}", style="bold red"))
            return
        self.console.print(
            f"Draft saved to {path} (readable by you only). Continue with:\n  {resume_hint}"
        )


def _start(
    ruleset: RuleSet, options: ScreenOptions, console: Console, now: datetime
) -> tuple[InterviewState, str]:
    if options.resume is None:
        return InterviewState(), options.intake_id or new_intake_id(now)
    draft = read_draft(options.resume, ruleset)
    if options.intake_id is not None and options.intake_id != draft.intake_id:
        raise UsageError(
            f"--intake-id {options.intake_id!r} differs from the draft's intake id"
            f" {draft.intake_id!r}; leave --intake-id out to continue the draft"
        )
    for warning in draft.warnings:
        console.print(Text(f"warning: {warning}", style="yellow"))
    console.print(
        f"Resuming intake {draft.intake_id} from {options.resume}:"
        f" {len(draft.state.answers)} answer(s) so far."
    )
    return draft.state, draft.intake_id


def _resume_hint(options: ScreenOptions, draft_path: Path) -> str:
    words = ["screener", "screen", "--resume", str(draft_path)]
    if options.rules is not None:
        words += ["--rules", str(options.rules)]
    return " ".join(words)


def run_screen(
    options: ScreenOptions,
    console: Console | None = None,
    require_terminal: bool = True,
    clock: Callable[[], datetime] = local_now,
) -> Screening:
    """Run the interview; print the summary; write the record/note when asked.

    `require_terminal=False` lets tests drive the prompts through a pipe.
    """
    _check_options(options)
    if require_terminal and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise NoTerminalError()
    ruleset = load_ruleset(options.rules)
    console = console or Console(highlight=False)
    state, intake_id = _start(ruleset, options, console, clock())
    draft_path = options.resume or Path(f"screener-draft-{intake_id}.json")
    interview = Interview(ruleset, console, state)
    console.print(
        Text(
            f"Intake {intake_id} - {ruleset.name} {ruleset.version}. You can review and change"
            " every answer before scoring; Ctrl-C offers to save a draft.",
            style="bold",
        )
    )
    save, markdown = options.save, options.markdown
    try:
        interview.apply(check_crisis(ruleset, interview.state))
        interview.ask_remaining()
        interview.review()
        screening = finish(ruleset, interview.state)
        console.print()
        console.print(summary_renderable(ruleset, screening, intake_id))
        if save is None and markdown is None:
            save = interview.ask_record_path(intake_id)
    except (KeyboardInterrupt, EOFError):
        interview.offer_draft(draft_path, intake_id, _resume_hint(options, draft_path))
        raise
    if save is not None:
        write_atomic(save, record_json(ruleset, screening, intake_id, clock()), private=True)
        console.print(f"Record saved to {save} (readable by you only).")
    if markdown is not None:
        write_atomic(markdown, render_markdown(ruleset, screening, intake_id), private=True)
        console.print(f"Referral note saved to {markdown} (readable by you only).")
    if options.resume is not None:
        _retire_draft(options.resume, record_saved=save is not None, console=console)
    return screening


def _retire_draft(draft: Path, record_saved: bool, console: Console) -> None:
    """A finished draft only duplicates a person's answers: remove it once the record holds
    them; otherwise leave it, and say so."""
    if record_saved:
        draft.unlink(missing_ok=True)
        console.print(f"Draft {draft} removed: the record holds its answers.")
    else:
        console.print(f"The draft {draft} still holds this person's answers; delete it when done.")
