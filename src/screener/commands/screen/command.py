"""`screener screen`: the interview at a terminal, from the first question to the summary.

Flow: questions in file order (skip logic on the answers so far; lists item by item with
"add another?"; crisis text the moment an urgent rule holds) -> the review, a page at a time,
where any answer can be changed (newly relevant questions are then asked) -> referral summary
-> the record and the note, only when asked for. At any question the back key asks the one
before again, and the safety key opens the safety questions and then returns to the same
question. Ctrl-C / Ctrl-D at any prompt, SIGTERM, or any error before the record is saved
offers to save a draft (which remembers the options, for --resume), then ends (130 for
Ctrl-C, 143 for SIGTERM, 1 for an error). After SIGHUP (the terminal went away) there is no
one to ask: the draft is written owner-only, and the console says where. A record, note or
draft never replaces a file, even one created during the call.

Everything shown on the console goes through `console_text.plain`: answers, ids, paths and
the rule file's texts are never read as rich markup.
"""

from __future__ import annotations

import contextlib
import errno
import re
import secrets
import shlex
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from rich.console import Console, RenderableType

from screener.commands.screen.console_text import crisis_panel, plain, summary
from screener.commands.screen.flow import (
    InterviewState,
    Step,
    answer_words,
    check_crisis,
    finish,
    hidden_questions,
    items_entered,
    list_step,
    next_question,
    paired_question,
    progress,
    record_answer,
    review_rows,
    safety_questions,
)
from screener.commands.screen.pages import Row, ask_page_pick
from screener.commands.screen.prompt_base import Ask, Given, Nav
from screener.commands.screen.prompts import ask_keys, ask_question, confirm
from screener.commands.screen.terminal import quiet_terminal
from screener.commands.screen.text_prompt import ask_path
from screener.core.frozen import record_class, replace
from screener.core.model import Question, RuleSet, Value
from screener.core.problems import (
    HungUp,
    InputFileError,
    Interrupted,
    OutputExists,
    ScreenerError,
    UsageError,
)
from screener.core.screening import Screening
from screener.core.translation import in_language, missing_translations
from screener.files.interrupts import held
from screener.files.write import NamedPath, check_paths, write_atomic, writes_through
from screener.formats.occasion import Occasion, login_name
from screener.rulefile.load import load_ruleset, rules_input

INTAKE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class NoTerminalError(UsageError):
    def __init__(self) -> None:
        super().__init__(
            "screener screen needs a terminal to ask its questions (stdin and stdout must be"
            " interactive); to score answers kept in a file, use: screener score ANSWERS"
        )


@record_class
class ScreenOptions:
    rules: Path | None = None
    resume: Path | None = None
    save: Path | None = None
    markdown: Path | None = None
    intake_id: str | None = None
    by: str | None = None  # who screens (default: the login name)
    language: str | None = None  # the interview's language (kept in the draft)


REMEMBERED = ("rules", "save", "markdown", "language", "by")  # kept in a draft for --resume


def local_now() -> datetime:
    return datetime.now().astimezone()


def new_intake_id(now: datetime) -> str:
    return f"{now:%Y%m%d-%H%M}-{secrets.token_hex(2)}"


def _refuse_existing(option: str, path: Path | None) -> None:
    """One file per person: replacing one would silently lose an earlier caller's record.
    (A stream such as /dev/stdout is written through, never replaced.)"""
    if path is not None and path.exists() and not writes_through(path):
        raise UsageError(f"{option} {path}: already exists; choose another file name")


def _inputs(options: ScreenOptions) -> list[NamedPath]:
    return [rules_input(options.rules), ("--resume", options.resume)]


def _check_options(options: ScreenOptions) -> None:
    """Refuse outputs that cannot work before the interview, not after it."""
    if options.intake_id is not None and not INTAKE_ID.fullmatch(options.intake_id):
        raise UsageError(
            f"--intake-id {options.intake_id!r}: use up to 64 letters, digits, '.', '_' or '-'"
        )
    check_paths(_inputs(options), [("--save", options.save), ("--markdown", options.markdown)])
    _refuse_existing("--save", options.save)
    _refuse_existing("--markdown", options.markdown)
    if options.resume is None and options.intake_id is not None:
        _new_draft_path(options.intake_id)


def _new_draft_path(intake_id: str) -> Path:
    """Where a new interview's draft would go; another person's draft there is never replaced
    (a reused intake id): continue it, or choose another id."""
    path = Path(f"screener-draft-{intake_id}.json")
    if path.exists():
        raise UsageError(
            f"{path}: a draft for intake {intake_id} exists; continue it with"
            f" `screener screen --resume {path}`, or choose another --intake-id"
        )
    return path


def _say(console: Console, *items: RenderableType, soft_wrap: bool = False) -> None:
    """Print; after SIGHUP the terminal may be gone, which is no reason to fail.
    `soft_wrap`: never break the line (a command to copy and paste)."""
    with contextlib.suppress(OSError, ValueError):
        console.print(*items, soft_wrap=soft_wrap)


URGENT_REMINDER = "URGENT: safety concern - follow the crisis steps (shown in red) before going on."


class Interview:
    """The interview's terminal side; `state` is always the answers given so far.

    `history` holds the questions answered, each once, in the order they were last answered
    (a resumed draft's in the file's order first), for the back key.
    """

    def __init__(
        self,
        ruleset: RuleSet,
        console: Console,
        state: InterviewState,
        inputs: Sequence[NamedPath] = (),
        spoken: RuleSet | None = None,
    ) -> None:
        self.ruleset = ruleset
        # The words read out to the caller (`--language`); ids, values and skip logic are the
        # rule set's, and the interface, summary and note stay in the clinic's language.
        self.spoken = spoken or ruleset
        self.console = console
        self.state = state
        self.inputs = inputs  # files a path asked for at the end must not name
        self.history: list[str] = []
        self.opened: dict[str, int] = {}  # lists: items the coordinator chose to add
        self.safety = safety_questions(ruleset)
        self.remembered: dict[str, str | None] = {}  # options a draft keeps for --resume

    def apply(self, step: Step) -> None:
        self.state = step.state
        if step.show_crisis:
            self.show_crisis()

    def show_crisis(self) -> None:
        """The crisis steps; with another language, its words to read aloud below them."""
        self.console.print(crisis_panel(self.console, self.ruleset.crisis_text))
        if self.spoken.crisis_text != self.ruleset.crisis_text:
            title = f"URGENT: SAFETY - to read aloud ({self.spoken.language})"
            self.console.print(crisis_panel(self.console, self.spoken.crisis_text, title=title))

    def shown(self, question: Question) -> Question:
        """The question as it is read out: in the interview's language."""
        return self.spoken.question_map.get(question.id, question)

    def progress_words(self, question: Question) -> str:
        number, total = progress(self.ruleset, self.state.answers, question.id)
        words = f"Question {number} of {total}"
        if question.list_id is not None:
            words += f" · {question.text.split(':', 1)[0]}"
        return words

    def ask_remaining(self) -> None:
        """Ask every question skip logic asks that has no answer yet, in file order."""
        while (question := next_question(self.ruleset, self.state)) is not None:
            if question.is_list:
                self.ask_list(question)
            else:
                self.ask_slot(question)

    def remind(self) -> None:
        if self.state.crisis_shown:
            # The panel scrolls away on a small screen; keep the urgency in view.
            self.console.print(plain(URGENT_REMINDER, style="bold red"))

    def ask_slot(self, question: Question, editing: bool = False, safety: bool = True) -> bool:
        """Ask one question (again, when `editing`: Enter keeps the answer); True when the
        back key was pressed instead. The safety key opens the safety screen and then asks
        the same question again."""
        while True:
            self.remind()
            shown = self.shown(question)
            if shown.help:
                self.console.print(plain(shown.help, style="dim italic"))
            has_current = question.id in self.state.answers
            pair = paired_question(self.ruleset, self.state, question, changing=editing)
            reply = ask_question(
                Ask(
                    shown,
                    current=self.state.answers.get(question.id),
                    has_current=has_current,
                    progress=self.progress_words(question),
                    can_back=editing or bool(self.history),
                    safety=safety,
                    pair=None if pair is None else self.shown(pair),
                )
            )
            if reply is Nav.SAFETY:
                self.safety_screen(question)
                if not editing and question.id in self.state.answers:
                    return False  # answered on the safety screen: the call goes on from there
                continue
            if reply is Nav.BACK:
                if not editing:
                    self.go_back(question)
                return True
            assert isinstance(reply, Given)
            self.record(question, reply.value, remember=not editing)
            if reply.has_second and pair is not None:
                # Checked against the pair's range by the prompt; recorded only while the first
                # answer leaves it the very next question.
                if paired_question(self.ruleset, self.state, question, changing=editing) == pair:
                    self.record(
                        pair,
                        reply.second,
                        note=" (from the reading typed above)",
                        remember=not editing,
                    )
                else:
                    self.console.print(
                        plain(f"  (the second number is not asked after that: {pair.short})")
                    )
            return False

    def record(
        self, question: Question, value: Value, note: str = "", remember: bool = True
    ) -> None:
        """Record an answer; `remember`: the back key can return to it (in the order the
        questions were answered, each once)."""
        self.console.print(plain(self.shown(question).text, style="bold"))
        self.console.print(plain(f"  → {answer_words(question, value)}{note}"))
        if remember:
            if question.id in self.history:
                self.history.remove(question.id)
            self.history.append(question.id)
        self.apply(record_answer(self.ruleset, self.state, question.id, value))

    def go_back(self, here: Question | None = None) -> None:
        """The back key at `here`: the answers given before are asked again one at a time,
        the last first, as long as back is pressed (it stops at the first); each answered
        (Enter keeps it) steps forward again, until the call is back where the key was
        pressed. A question the changed answers now skip is passed over. At the first field
        of a list item just added, back is the "add?" step itself: the item is not added."""
        if here is not None and here.list_id is not None:
            question = self.ruleset.question_map[here.list_id]
            opened = self.opened.get(question.id, 0)
            if opened > items_entered(question, self.state.answers):
                self.opened[question.id] = opened - 1
                self.console.print(plain("Back one question.", style="dim"))
                return
        at = len(self.history) - 1
        back = True
        while 0 <= at < len(self.history):
            target = self.ruleset.question_map[self.history[at]]
            if target.id in hidden_questions(self.ruleset, self.state.answers):
                at += -1 if back else 1
                continue
            if back:
                self.console.print(plain("Back one question.", style="dim"))
            if target.is_list:
                self.opened.pop(target.id, None)
            back = self.ask_slot(target, editing=True)
            at = max(at - 1, 0) if back else at + 1

    def ask_list(self, question: Question) -> None:
        """One step of a list entered item by item: a field, or "add another?"."""
        step = list_step(self.ruleset, self.state, question, self.opened.get(question.id, 0))
        if isinstance(step, Question):
            self.ask_slot(step)
            return
        name = question.item_name
        if step > question.max_items:
            self.console.print(plain(f"{question.max_items} is the most this list takes."))
            self.record(question, question.max_items)
            return
        first = step == 1
        shown = self.shown(question)
        if first:
            text = shown.text
        elif shown.more_text:  # the file's words, in the caller's language, to read out
            text = f"{shown.more_text} ({question.short}, {name.lower()} {step})"
        else:
            text = f"{question.short}: add {name.lower()} {step}?"
        keys = {
            "y": f"add {name.lower()} {step}",
            "n": "none" if first else "no more",
            "d": "don't know " + ("how many" if first else "if there are more"),
        }
        self.remind()
        help_text = shown.help
        if first and help_text:
            self.console.print(plain(help_text, style="dim italic"))
        reply = ask_keys(
            Ask(
                question,
                progress=self.progress_words(question),
                can_back=bool(self.history),
                text=text,
            ),
            keys,
        )
        if reply is Nav.SAFETY:
            self.safety_screen(question)
        elif reply is Nav.BACK:
            self.go_back()
        elif reply == "y":
            self.opened[question.id] = step
        else:
            self.record(question, step - 1 if reply == "n" else None)

    def safety_screen(self, at: Question) -> None:
        """The safety questions, from anywhere in the call: those not answered yet are asked,
        any can be changed; then the call goes on where it was."""
        if any(self.asks(q) and q.id not in self.state.answers for q in self.safety):
            # Questions come before the page (whose title says it again): head them.
            self.console.print(plain("Safety questions", style="bold red"))
        while True:
            for question in self.safety:
                if self.asks(question) and question.id not in self.state.answers:
                    self.ask_slot(question, editing=True, safety=False)
            shown = [q for q in self.safety if self.asks(q) and q.id in self.state.answers]
            rows = [
                Row(n, q.short, answer_words(q, self.state.answers[q.id]))
                for n, q in enumerate(shown, start=1)
            ]
            back = f"back to the call ({self.progress_words(at).lower()})"
            pick, _ = ask_page_pick(
                "Safety questions",
                rows,
                {"enter": back, "b": "", "escape": ""},
                urgent=URGENT_REMINDER if self.state.crisis_shown else "",
            )
            if pick is None:
                break
            self.ask_slot(shown[pick - 1], editing=True, safety=False)
        self.console.print(plain("Back to the call.", style="dim"))

    def asks(self, question: Question) -> bool:
        return question.id not in hidden_questions(self.ruleset, self.state.answers)

    def review(self) -> None:
        """Every answer, a page at a time; any can be changed (the page is drawn again in
        place), until the coordinator scores it."""
        page = 0
        self.console.print()
        if self.state.crisis_shown:  # the heading, then the crisis steps, then the page
            self.console.print(plain("Review the answers before scoring", style="bold"))
            self.show_crisis()
        while True:
            rows = review_rows(self.ruleset, self.state)
            pick, page = ask_page_pick(
                "Review the answers before scoring",
                [Row(n, r.question.short, r.answer, r.asked) for n, r in enumerate(rows, start=1)],
                {"s": "score it"},
                page,
                urgent=URGENT_REMINDER if self.state.crisis_shown else "",
            )
            if pick is None:
                return
            self.ask_slot(rows[pick - 1].question, editing=True)
            self.ask_remaining()

    def ask_record_path(self, intake_id: str) -> Path | None:
        """When no output was asked for on the command line, offer to save the record."""
        if not confirm("Save the record (answers and screening) to a file?", default=False):
            self.console.print(plain("Nothing was saved."))
            return None
        return self.ask_new_path("Record file", f"screener-record-{intake_id}.json")

    def ask_new_path(self, message: str, default: str) -> Path:
        """A path for a new file: one that can be written and is not there yet."""
        while True:
            path = Path(ask_path(message, default))
            try:
                check_paths(self.inputs, [("record", path)])
                _refuse_existing("record", path)
            except UsageError as exc:
                self.console.print(plain(str(exc), style="red"))
                continue
            return path

    def write_new(self, path: Path, text: str, what: str) -> Path:
        """Write a record or note that must not replace anything; if its file appeared
        during the interview, say so and ask for another name."""
        while True:
            try:
                write_atomic(path, text, private=True, exclusive=True)
            except OutputExists as exc:
                self.console.print(plain(str(exc), style="bold red"))
                path = self.ask_new_path(f"{what} file", _free_name(path))
                continue
            self.console.print(plain(f"{what} saved to {path} (readable by you only)."))
            return path

    def offer_draft(
        self, path: Path, intake_id: str, resume_hint: str, cause: BaseException, resuming: bool
    ) -> None:
        """The interview stopped before its record was saved: offer to save the answers so
        far. "no" or a second Ctrl-C saves nothing; after SIGHUP (or when the terminal is
        gone) there is no one to ask, so the draft is written."""
        _say(self.console)
        if not self.state.answers:
            _say(self.console, plain("Stopped before the first answer: nothing to save."))
            return
        count = len(self.state.answers)
        wanted = True
        if not isinstance(cause, HungUp):
            try:
                wanted = confirm(
                    f"{_why(cause)} Save a draft of the {count} answer(s) so far to {path}?",
                    default=True,
                )
            except HungUp:
                wanted = True
            except (KeyboardInterrupt, EOFError):
                wanted = False
            except OSError:  # the terminal is gone: no one to ask
                wanted = True
        if not wanted:
            if resuming:  # the draft resumed is still there, holding the earlier answers
                _say(
                    self.console,
                    plain(
                        f"No draft saved. The draft {path} still holds this person's answers"
                        " as they were before this call; resume it again, or delete it when"
                        " done."
                    ),
                )
            else:
                _say(self.console, plain("No draft saved."))
            return
        from screener.commands.screen.draft import write_draft

        saved: Path | None = None
        try:
            with held():  # a second signal (a hang-up often comes twice) waits for the draft
                saved = write_draft(
                    path,
                    self.ruleset,
                    self.state,
                    intake_id,
                    local_now(),
                    replace=resuming,
                    options=self.remembered,
                )
        except ScreenerError as exc:
            _say(self.console, plain(f"Could not save the draft: {exc}", style="bold red"))
            return
        except KeyboardInterrupt:
            if saved is None:
                _say(self.console, plain("No draft saved."))
                return
        if saved != path:
            resume_hint = resume_hint.replace(str(path), str(saved))
        _say(
            self.console,
            plain(f"Draft saved to {saved} (readable by you only). Continue with:"),
        )
        _say(self.console, plain(f"  {resume_hint}"), soft_wrap=True)


def _why(cause: BaseException) -> str:
    if isinstance(cause, Interrupted):
        return f"Stopped ({cause.signal_name})."
    if isinstance(cause, (KeyboardInterrupt, EOFError)):
        return "Interrupted."
    if isinstance(cause, ScreenerError):
        return f"Could not finish: {cause}."
    return f"Something went wrong ({type(cause).__name__})."


def _free_name(path: Path) -> str:
    """The first `name-2.ext`, `name-3.ext`, ... that does not exist."""
    number = 2
    while (candidate := path.with_name(f"{path.stem}-{number}{path.suffix}")).exists():
        number += 1
    return str(candidate)


def _start(
    ruleset: RuleSet, options: ScreenOptions, console: Console, now: datetime
) -> tuple[InterviewState, str]:
    if options.resume is None:
        return InterviewState(), options.intake_id or new_intake_id(now)
    from screener.commands.screen.draft import read_draft

    draft = read_draft(options.resume, ruleset)
    if not INTAKE_ID.fullmatch(draft.intake_id):
        # It names files (the record's default name): no slashes, no markup, no surprises.
        raise InputFileError(f"{options.resume}: not a screener draft (a bad intake_id)")
    if options.intake_id is not None and options.intake_id != draft.intake_id:
        raise UsageError(
            f"--intake-id {options.intake_id!r} differs from the draft's intake id"
            f" {draft.intake_id!r}; leave --intake-id out to continue the draft"
        )
    for warning in draft.warnings:
        console.print(plain(f"warning: {warning}", style="yellow"))
    console.print(
        plain(
            f"Resuming intake {draft.intake_id} from {options.resume}:"
            f" {len(draft.state.answers)} answer(s) so far."
        )
    )
    return draft.state, draft.intake_id


def _resume_hint(options: ScreenOptions, draft_path: Path) -> str:
    """One line to paste: the draft and every option that shapes the rest of the call."""
    words = ["screener", "screen", "--resume", str(draft_path)]
    for option, value in (
        ("--rules", options.rules),
        ("--save", options.save),
        ("--markdown", options.markdown),
        ("--language", options.language),
        ("--by", options.by),
    ):
        if value is not None:
            words += [option, str(value)]
    return " ".join(shlex.quote(word) for word in words)


def run_screen(
    options: ScreenOptions,
    console: Console | None = None,
    require_terminal: bool = True,
    clock: Callable[[], datetime] = local_now,
) -> Screening:
    """Run the interview; print the summary; write the record/note when asked.

    `require_terminal=False` lets tests drive the prompts through a pipe.
    """
    if options.resume is not None:
        options = with_remembered(options)
    _check_options(options)
    if require_terminal and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise NoTerminalError()
    # From here to the end keys typed ahead wait unechoed and whole for the prompt that
    # reads them (see terminal.py), also while the rules load and the banner is drawn.
    with quiet_terminal():
        return _interview(options, console, clock)


def _interview(
    options: ScreenOptions, console: Console | None, clock: Callable[[], datetime]
) -> Screening:
    ruleset = load_ruleset(options.rules)
    spoken = ruleset if options.language is None else in_language(ruleset, options.language)
    console = console or Console(highlight=False)
    state, intake_id = _start(ruleset, options, console, clock())
    draft_path = options.resume or _new_draft_path(intake_id)
    interview = Interview(ruleset, console, state, _inputs(options), spoken)
    if options.resume is not None:  # the back key reaches the draft's answers too
        interview.history = [q.id for q in ruleset.slots if q.id in state.answers]
    interview.remembered = {name: _text(getattr(options, name)) for name in REMEMBERED}
    language = f" (questions in {spoken.language})" if spoken is not ruleset else ""
    console.print(
        plain(
            f"Intake {intake_id} - {ruleset.name} {ruleset.version}{language}. Keys: y/n/d"
            " answer at once; ← or b back one question; ! (F2 at text prompts) the safety"
            " questions; every answer can be changed on review; Ctrl-C offers a draft.",
            style="bold",
        )
    )
    if spoken is not ruleset and (gaps := missing_translations(ruleset, spoken.language)):
        console.print(
            plain(
                f"{len(gaps)} text(s) of the rule file have no {spoken.language} wording:"
                " the clinic's own words are shown for them (screener validate lists them).",
                style="yellow",
            )
        )
    save, markdown = options.save, options.markdown
    record_saved = False
    try:
        interview.apply(check_crisis(ruleset, interview.state))
        interview.ask_remaining()
        interview.review()
        screening = finish(ruleset, interview.state)
        console.print()
        occasion = Occasion(intake_id, clock(), options.by or login_name())
        console.print(summary(console, ruleset, screening, occasion))
        if save is None and markdown is None:
            save = interview.ask_record_path(intake_id)
        if save is not None:
            from screener.formats.record import record_json

            record = record_json(ruleset, screening, occasion)
            save = interview.write_new(save, record, "Record")
            record_saved = True
        if markdown is not None:
            from screener.formats.markdown import render_markdown

            note = render_markdown(ruleset, screening, occasion)
            markdown = interview.write_new(markdown, note, "Referral note")
    except BaseException as exc:
        if not record_saved:
            # Whatever stopped it (Ctrl-C, a signal, a full disk, a bug): the answers so far
            # are offered as a draft before the error ends the command.
            interview.offer_draft(
                draft_path,
                intake_id,
                _resume_hint(options, draft_path),
                exc,
                resuming=options.resume is not None,
            )
        if isinstance(exc, OSError) and exc.errno == errno.EIO:
            # The terminal went away before its hang-up signal arrived: the same stop.
            raise HungUp() from None
        raise
    if options.resume is not None:
        _retire_draft(options.resume, record_saved=record_saved, console=console)
    return screening


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def with_remembered(options: ScreenOptions) -> ScreenOptions:
    """Options kept in the draft being resumed fill in those not given again (the command
    line wins)."""
    from screener.commands.screen.draft import draft_options

    assert options.resume is not None
    kept = draft_options(options.resume)
    paths = {"rules", "save", "markdown"}
    changes: dict[str, object] = {}
    for name in REMEMBERED:
        value = kept.get(name)
        if getattr(options, name) is None and value is not None:
            changes[name] = Path(value) if name in paths else value
    return replace(options, **changes) if changes else options


def _retire_draft(draft: Path, record_saved: bool, console: Console) -> None:
    """A finished draft only duplicates a person's answers: remove it once the record holds
    them; otherwise leave it, and say so."""
    if record_saved:
        draft.unlink(missing_ok=True)
        console.print(plain(f"Draft {draft} removed: the record holds its answers."))
    else:
        console.print(
            plain(f"The draft {draft} still holds this person's answers; delete it when done.")
        )
