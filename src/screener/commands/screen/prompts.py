"""The prompts of `screener screen`, on prompt_toolkit directly: one small Application per
question, with its own keys.

Keys (docs/commands.md): yes/no takes one key (`y`, `n`, `d` = don't know, only where the
question is not required); a choice takes its number (one key up to 9 options; with more, a
number is taken as soon as no other option's number starts with it, else Enter ends it);
tick boxes toggle by number, `0` answers "none of these" and `d` "don't know" at once, Enter
ends; numbers are typed and end with Enter (a range of one digit, such as 0-3, takes the digit
alone; `d` alone = don't know; `135/85` where the next
question asks for the second number answers both). Enter alone never answers, except to keep
the answer already given when one is being changed. At every key prompt Left, `b` or Esc goes
back one question and `!` (or F2) opens the safety questions; at a text prompt, where letters
are typed, Esc goes back and F2 opens the safety questions. Ctrl-C raises KeyboardInterrupt
and Ctrl-D raises EOFError everywhere; the command handles both.

Typed text and picked choices go through core.coercion.coerce_value, so the interview reads
answers exactly as answers files and CSV cells are read. Question texts, labels and messages
are shown as plain strings (never HTML or ANSI), word-wrapped to the terminal's width.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from prompt_toolkit.application import Application
from prompt_toolkit.application.current import get_app_session
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent, merge_key_bindings
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import HSplit, Layout, Window
from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl
from prompt_toolkit.styles import Style

from screener.core.coercion import CoercionError, coerce_value
from screener.core.model import NONE_CHOICE, Question, QuestionType, Value, format_number

DONT_KNOW_LABEL = "Don't know"
NONE_LABEL = "None of these"
NO_ENTER = "Enter alone does not answer"
MAX_ROWS_PER_PAGE = 18  # review and safety pages: a page and its keys fit 80x24

STYLE = Style.from_dict(
    {
        "progress": "#888888",
        "question": "bold",
        "keys": "#888888",
        "hint": "#ff5f5f bold",
        "ticked": "bold",
        "urgent": "bold #ffffff bg:#aa0000",
        "typed": "bold",
    }
)


class Nav(Enum):
    """A key that answers nothing and goes somewhere else."""

    BACK = "back"
    SAFETY = "safety"


@dataclass(frozen=True)
class Given:
    """An answer; `second`: a reading such as 135/85 also gave the next question's answer."""

    value: Value
    second: Value = None
    has_second: bool = False


Reply = Given | Nav


@dataclass(frozen=True)
class Ask:
    """How to ask one question."""

    question: Question
    current: Value = None
    has_current: bool = False  # an answer is being changed: Enter keeps it
    progress: str = ""  # "Question 7 of 40"
    can_back: bool = True
    safety: bool = True  # the safety key works here
    pair: Question | None = None  # the next question, when "A/B" may answer both
    text: str | None = None  # shown instead of the question's text


def screen_size() -> tuple[int, int]:
    """(columns, rows) of the terminal the prompts draw on."""
    size = get_app_session().output.get_size()
    return max(size.columns, 20), max(size.rows, 8)


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """Word-wrapped lines: never a break inside a word (one longer than the line is cut)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines += textwrap.wrap(
            paragraph,
            width=max(width - 1, 10),
            initial_indent=indent,
            subsequent_indent=indent,
            break_long_words=True,
            break_on_hyphens=False,
        ) or [indent]
    return lines


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


def number_state(typed: str, count: int) -> str:
    """Typed digits picking one of `count` numbered options: "pick" (no other number starts
    with them), "pending" (another digit may follow; Enter ends it) or "bad"."""
    if not typed.isascii() or not typed.isdigit() or typed.startswith("0") or len(typed) > 4:
        return "bad"
    number = int(typed)
    longer = any(str(n).startswith(typed) and n != number for n in range(1, count + 1))
    if longer:
        return "pending"
    return "pick" if 1 <= number <= count else "bad"


class _KeyPrompt:
    """A prompt answered by keys; subclasses say what a key does and what is drawn."""

    keys_help = ""

    def __init__(self, ask: Ask) -> None:
        self.ask = ask
        self.hint = ""
        self.typed = ""  # digits typed towards an option's number, or a number typed
        self.result: Reply | None = None

    def digit(self, name: str, count: int, bad: str) -> int | None:
        """A digit typed towards one of `count` numbers: the number once no other starts
        with it (until then it waits for another digit, or Enter)."""
        typed = self.typed + name
        state = number_state(typed, count)
        self.typed = typed if state == "pending" else ""
        if state == "bad":
            self.hint = bad
        return int(typed) if state == "pick" else None

    # -- what subclasses fill in ---------------------------------------------------------
    def key(self, name: str) -> Reply | None:
        raise NotImplementedError

    def body(self, width: int, rows: int) -> StyleAndTextTuples:
        return []

    # -- shared --------------------------------------------------------------------------
    def nav(self, name: str) -> Reply | None:
        if name in ("left", "escape", "b") and self.ask.can_back:
            return Nav.BACK
        if name in ("!", "f2") and self.ask.safety:
            return Nav.SAFETY
        return None

    def nav_help(self) -> str:
        parts = []
        if self.ask.can_back:
            parts.append("← back")
        if self.ask.safety:
            parts.append("! safety")
        return " · ".join(parts)

    def render(self) -> StyleAndTextTuples:
        width, rows = screen_size()
        out: StyleAndTextTuples = []
        if self.ask.progress:
            out.append(("class:progress", self.ask.progress + "\n"))
        text = self.ask.text or self.ask.question.text
        out += [("class:question", line + "\n") for line in wrap(text, width)]
        out += self.body(width, rows)
        keys = " · ".join(p for p in (self.keys_help, self.nav_help()) if p)
        out += [("class:keys", line + "\n") for line in wrap(keys, width)]
        if self.hint:
            out += [("class:hint", line + "\n") for line in wrap(self.hint, width)]
        return _without_last_newline(out)

    def press(self, name: str) -> Reply | None:
        return self.nav(name) if name in ("left", "escape", "!", "f2") else self.key(name)

    def run(self) -> Reply:
        bindings = KeyBindings()

        def handler(name: str | None) -> Callable[[KeyPressEvent], None]:
            def handle(event: KeyPressEvent) -> None:
                key = name if name is not None else event.data
                self.hint = ""
                reply = self.press(key)
                if reply is not None:
                    self.result = reply
                    event.app.exit()

            return handle

        for key, name in (
            (Keys.Enter, "enter"),
            (Keys.Backspace, "backspace"),
            (Keys.ControlU, "clear"),
            (Keys.Left, "left"),
            (Keys.Right, "right"),
            (Keys.PageDown, "pagedown"),
            (Keys.PageUp, "pageup"),
            (Keys.F2, "f2"),
            (" ", "space"),
        ):
            bindings.add(key)(handler(name))
        bindings.add(Keys.Escape, eager=True)(handler("escape"))
        bindings.add(Keys.Any)(handler(None))
        _add_interrupts(bindings)
        control = FormattedTextControl(self.render, show_cursor=False)
        app: Application[None] = Application(
            layout=Layout(Window(control, wrap_lines=False, dont_extend_height=True)),
            key_bindings=bindings,
            style=STYLE,
            erase_when_done=True,
        )
        app.ttimeoutlen = 0.05  # a lone Esc is "back" at once
        app.run()
        assert self.result is not None
        return self.result


def _without_last_newline(out: StyleAndTextTuples) -> StyleAndTextTuples:
    """The last line ends the prompt: a newline there would draw an empty line below."""
    if out:
        out[-1] = (out[-1][0], out[-1][1].rstrip("\n"))
    return out


def _add_interrupts(bindings: KeyBindings) -> None:
    @bindings.add(Keys.ControlC, eager=True)
    def _interrupt(event: KeyPressEvent) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    @bindings.add(Keys.ControlD, eager=True)
    def _end_of_input(event: KeyPressEvent) -> None:
        event.app.exit(exception=EOFError, style="class:aborting")


def _options_lines(
    options: Sequence[tuple[str, str, bool | None]], width: int, rows: int
) -> StyleAndTextTuples:
    """Numbered options (key, label, ticked; None: no tick box), in columns when they would
    not fit the height;
    a label is wrapped when there is room, else clipped to its line."""
    room = max(rows - 8, 4)
    lines: list[tuple[str, str]] = []
    wrapped: list[tuple[str, str]] = []
    for key, label, ticked in options:
        mark = "" if ticked is None else ("[x] " if ticked else "[ ] ")
        head = f"{key:>3}  {mark}"
        style = "class:ticked" if ticked else ""
        body = wrap(label, width - len(head))
        wrapped.append((style, head + body[0]))
        wrapped += [(style, " " * len(head) + more) for more in body[1:]]
        lines.append((style, clip(head + label, width - 1)))
    if len(wrapped) <= room:
        return [(s, t + "\n") for s, t in wrapped]
    if len(lines) <= room:
        return [(s, t + "\n") for s, t in lines]
    columns = -(-len(lines) // room)
    per = -(-len(lines) // columns)
    cell = max((width - 1) // columns, 8)
    out: StyleAndTextTuples = []
    for row in range(per):
        for column in range(columns):
            at = column * per + row
            if at < len(lines):
                style, text = lines[at]
                out.append((style, clip(text, cell - 1).ljust(cell)))
        out.append(("", "\n"))
    return out


class _YesNo(_KeyPrompt):
    def __init__(self, ask: Ask) -> None:
        super().__init__(ask)
        self.keys_help = "y yes · n no" + ("" if ask.question.required else " · d don't know")
        if ask.has_current:
            self.keys_help += f" · Enter keeps {_current_words(ask)}"

    def key(self, name: str) -> Reply | None:
        if name == "y":
            return Given(True)
        if name == "n":
            return Given(False)
        if name == "d" and not self.ask.question.required:
            return Given(None)
        if name == "enter" and self.ask.has_current:
            return Given(self.ask.current)
        if name == "b":
            return self.nav(name)
        if name == "enter":
            self.hint = f"{NO_ENTER}: press y or n" + (
                "" if self.ask.question.required else " (d: don't know)"
            )
        elif name == "d":
            self.hint = "An answer is required here: y or n"
        return None


def _current_words(ask: Ask) -> str:
    if ask.current is None:
        return "don't know"
    if isinstance(ask.current, bool):
        return "yes" if ask.current else "no"
    if isinstance(ask.current, frozenset):
        return "the ticks"
    if isinstance(ask.current, (int, float)):
        return format_number(ask.current)
    return ask.question.label_of(ask.current)


class _Choice(_KeyPrompt):
    def __init__(self, ask: Ask) -> None:
        super().__init__(ask)
        self.options = list(ask.question.choices)
        self.typed = ""
        self.keys_help = "number: pick" + ("" if ask.question.required else " · d don't know")
        if ask.has_current:
            self.keys_help += f" · Enter keeps {_current_words(ask)}"

    def body(self, width: int, rows: int) -> StyleAndTextTuples:
        options: list[tuple[str, str, bool | None]] = [
            (str(n), c.label, None) for n, c in enumerate(self.options, start=1)
        ]
        if not self.ask.question.required:
            options.append(("d", DONT_KNOW_LABEL, None))
        out = _options_lines(options, width, rows)
        if self.typed:
            out.append(("class:typed", f"> {self.typed}_\n"))
        return out

    def key(self, name: str) -> Reply | None:
        if name.isdigit() and len(name) == 1:
            bad = f"Type a number from 1 to {len(self.options)}"
            number = self.digit(name, len(self.options), bad)
            return None if number is None else Given(self.options[number - 1].value)
        if name == "backspace":
            self.typed = self.typed[:-1]
            return None
        if name == "enter" and self.typed:
            if number_state(self.typed, len(self.options)) == "bad":
                self.hint = f"Type a number from 1 to {len(self.options)}"
                return None
            return Given(self.options[int(self.typed) - 1].value)
        if name == "enter" and self.ask.has_current:
            return Given(self.ask.current)
        if name == "d" and not self.ask.question.required:
            return Given(None)
        if name == "b":
            return self.nav(name)
        if name == "enter":
            self.hint = f"{NO_ENTER}: type the number of the answer"
        return None


class _Multi(_KeyPrompt):
    def __init__(self, ask: Ask) -> None:
        super().__init__(ask)
        self.options = [c for c in ask.question.choices if c.value != NONE_CHOICE]
        chosen = ask.current if ask.has_current and isinstance(ask.current, frozenset) else None
        self.ticked: set[str] = set(chosen or ())
        self.typed = ""
        dont_know = "" if ask.question.required else " · d don't know"
        self.keys_help = f"number: tick or untick · 0 none of these{dont_know} · Enter: done"

    def body(self, width: int, rows: int) -> StyleAndTextTuples:
        options: list[tuple[str, str, bool | None]] = [
            (str(n), c.label, c.value in self.ticked) for n, c in enumerate(self.options, start=1)
        ]
        lines: list[tuple[str, str, bool | None]] = [("0", NONE_LABEL, None)]
        if not self.ask.question.required:
            lines.append(("d", DONT_KNOW_LABEL, None))
        out = _options_lines(options, width, rows)
        out += _options_lines(lines, width, rows)
        ticked = [c.label for c in self.options if c.value in self.ticked]
        words = "; ".join(ticked) if ticked else "nothing yet"
        out += [("class:typed", line + "\n") for line in wrap(f"Ticked: {words}", width)]
        if self.typed:
            out.append(("class:typed", f"> {self.typed}_\n"))
        return out

    def toggle(self, typed: str) -> None:
        value = self.options[int(typed) - 1].value
        self.ticked ^= {value}
        self.typed = ""

    def key(self, name: str) -> Reply | None:
        count = len(self.options)
        if name == "0" and not self.typed:
            return Given(frozenset())
        if name.isdigit() and len(name) == 1:
            number = self.digit(name, count, f"Type a number from 1 to {count} (0: none)")
            if number is not None:
                self.toggle(str(number))
            return None
        if name in ("backspace", "clear"):
            self.typed = self.typed[:-1] if name == "backspace" else ""
            return None
        if name in ("enter", "space") and self.typed:
            if number_state(self.typed, count) == "bad":
                self.hint = f"Type a number from 1 to {count}"
                self.typed = ""
                return None
            self.toggle(self.typed)
            return None
        if name == "d" and not self.ask.question.required:
            return Given(None)
        if name == "enter" and self.ticked:
            return Given(frozenset(self.ticked))
        if name == "enter" and self.ask.has_current:
            return Given(self.ask.current)
        if name == "b":
            return self.nav(name)
        if name == "enter":
            self.hint = f"Tick at least one box ('0' for {NONE_LABEL.lower()})"
        return None


def _range_words(question: Question) -> str:
    if question.is_list:
        return f"0-{question.max_items}"
    unit = f" {question.unit}" if question.unit else ""
    low = None if question.min is None else format_number(question.min)
    high = None if question.max is None else format_number(question.max)
    if low is not None and high is not None:
        return f"{low}-{high}{unit}"
    if low is not None:
        return f"at least {low}{unit}"
    if high is not None:
        return f"at most {high}{unit}"
    return "a whole number" if question.type is QuestionType.INTEGER else "a number"


class _Number(_KeyPrompt):
    """A number typed and ended with Enter (no cursor: Backspace and Ctrl-U edit). When an
    answer is being changed it is shown typed, and the first key typed replaces it."""

    def __init__(self, ask: Ask) -> None:
        super().__init__(ask)
        question = ask.question
        self.typed = ""
        self.replace = False
        if ask.has_current and ask.current is not None and not isinstance(ask.current, bool):
            self.typed = format_number(ask.current) if isinstance(ask.current, int | float) else ""
            self.replace = bool(self.typed)
        parts = [_range_words(question), "one digit" if self.single_digit() else "Enter: done"]
        if not question.required:
            parts.append("d don't know")
        if ask.pair is not None:
            parts.append(f"a reading like 135/85 also answers \u201c{ask.pair.short}\u201d")
        if ask.has_current and ask.current is None:
            parts.append("Enter keeps don't know")
        self.keys_help = " · ".join(parts)

    def body(self, width: int, rows: int) -> StyleAndTextTuples:
        return [("class:typed", f"> {self.typed}_\n")]

    def check(self, text: str, question: Question) -> tuple[Value, str]:
        try:
            value = coerce_value(question, text)
        except CoercionError as exc:
            return None, str(exc)
        if value is None and question.required:
            return None, "An answer is required"
        return value, ""

    def key(self, name: str) -> Reply | None:
        question = self.ask.question
        if len(name) == 1 and (name.isdigit() or name in ".-/"):
            if name == "/" and self.ask.pair is None:
                self.hint = "One number here (the next question does not take a second one)"
                return None
            self.typed = name if self.replace else self.typed + name
            self.replace = False
            if self.single_digit() and self.typed.isdigit():
                return self.finish()  # a one-digit answer takes one key
            self.live_hint()
            return None
        self.replace = False
        if name == "backspace":
            self.typed = self.typed[:-1]
            self.live_hint()
            return None
        if name == "clear":
            self.typed = ""
            return None
        if name == "d" and not self.typed and not question.required:
            return Given(None)
        if name == "b" and not self.typed:
            return self.nav(name)
        if name == "enter":
            return self.finish()
        return None

    def single_digit(self) -> bool:
        """Whole numbers from 0 (or more) to at most 9: a digit typed is the whole answer."""
        question = self.ask.question
        high = question.max_items if question.is_list else question.max
        low = 0 if question.is_list else question.min
        whole = question.type in (QuestionType.INTEGER, QuestionType.LIST)
        return whole and high is not None and low is not None and low >= 0 and high <= 9

    def live_hint(self) -> None:
        first = self.typed.split("/")[0]
        if first and first not in ("-", "."):
            self.hint = self.check(first, self.ask.question)[1]

    def finish(self) -> Reply | None:
        question = self.ask.question
        if not self.typed:
            if self.ask.has_current and self.ask.current is None:
                return Given(None)
            self.hint = f"{NO_ENTER}: type a number" + (
                "" if question.required else ", or d for don't know"
            )
            return None
        first, slash, second = self.typed.partition("/")
        value, problem = self.check(first, question)
        if problem:
            self.hint = problem
            return None
        if not slash:
            return Given(value)
        assert self.ask.pair is not None
        other, problem = self.check(second, self.ask.pair)
        if problem or not second:
            self.hint = f"After the '/': {problem or 'the second number'} ({self.ask.pair.short})"
            return None
        return Given(value, other, has_second=True)


class _YesNoKeys(_KeyPrompt):
    """A yes/no question that is not an answer (add another item? save a file?)."""

    def __init__(self, ask: Ask, keys: dict[str, str], enter: str | None = None) -> None:
        super().__init__(ask)
        self.choices = keys
        self.enter = enter
        self.keys_help = " · ".join(f"{k} {words}" for k, words in keys.items())
        if enter is not None:
            self.keys_help += f" · Enter: {keys[enter]}"

    def key(self, name: str) -> Reply | None:
        if name in self.choices:
            return Given(name)
        if name == "enter" and self.enter is not None:
            return Given(self.enter)
        if name == "b":
            return self.nav(name)
        if name == "enter":
            self.hint = f"{NO_ENTER}: press " + " or ".join(self.choices)
        return None


def ask_question(ask: Ask) -> Reply:
    """Ask one question; the answer, or where the coordinator wants to go instead."""
    kind = ask.question.type
    if kind is QuestionType.TEXT:
        return _ask_text(ask)
    prompt: _KeyPrompt
    if kind is QuestionType.YES_NO:
        prompt = _YesNo(ask)
    elif kind is QuestionType.CHOICE:
        prompt = _Choice(ask)
    elif kind is QuestionType.MULTI_CHOICE:
        prompt = _Multi(ask)
    else:
        prompt = _Number(ask)
    return prompt.run()


def ask_keys(ask: Ask, keys: dict[str, str], enter: str | None = None) -> str | Nav:
    """One of `keys` (key -> what it means), or a navigation key."""
    reply = _YesNoKeys(ask, keys, enter).run()
    return reply if isinstance(reply, Nav) else str(reply.value)


def confirm(message: str, default: bool) -> bool:
    """y or n; Enter takes the default (a confirmation, never an answer about a person)."""
    question = Question("confirm", message, QuestionType.YES_NO)
    keys = {"y": "yes", "n": "no"}
    reply = ask_keys(Ask(question, can_back=False, safety=False), keys, "y" if default else "n")
    return reply == "y"


# -- text -------------------------------------------------------------------------------


def _ask_text(ask: Ask) -> Reply:
    question = ask.question
    blank = "" if question.required else "Enter on a blank line twice: not known"
    keys = " · ".join(p for p in (blank, "Esc back" if ask.can_back else "", "F2 safety") if p)
    default = "" if not ask.has_current or ask.current is None else str(ask.current)

    def validate(text: str) -> str:
        try:
            value = coerce_value(question, text)
        except CoercionError as exc:
            return str(exc)
        if value is None and question.required:
            return "An answer is required"
        return ""

    reply = _run_text(ask, keys, default, validate, blank_twice=not question.required)
    if isinstance(reply, Nav):
        return reply
    return Given(coerce_value(question, reply))


def ask_path(message: str, default: str) -> str:
    question = Question("path", message, QuestionType.TEXT)
    reply = _run_text(
        Ask(question, can_back=False, safety=False),
        "Enter: done",
        default,
        lambda text: "" if text.strip() else "A path",
        blank_twice=False,
    )
    assert isinstance(reply, str)
    return reply.strip()


def _run_text(
    ask: Ask, keys: str, default: str, validate: Callable[[str], str], blank_twice: bool
) -> str | Nav:
    # The editing keys (emacs style) load only for the first text prompt.
    from prompt_toolkit.key_binding.defaults import load_key_bindings

    buffer = Buffer(multiline=False)
    buffer.text = default
    buffer.cursor_position = len(default)
    state = {"hint": "", "blank": False}
    result: list[str | Nav] = []

    def header() -> StyleAndTextTuples:
        width, _ = screen_size()
        out: StyleAndTextTuples = []
        if ask.progress:
            out.append(("class:progress", ask.progress + "\n"))
        out += [
            ("class:question", line + "\n") for line in wrap(ask.text or ask.question.text, width)
        ]
        return out

    def footer() -> StyleAndTextTuples:
        width, _ = screen_size()
        out: StyleAndTextTuples = [("class:keys", line + "\n") for line in wrap(keys, width)]
        if state["hint"]:
            out += [("class:hint", line + "\n") for line in wrap(str(state["hint"]), width)]
        return out

    def changed(_: Buffer) -> None:
        state["blank"] = False
        state["hint"] = validate(buffer.text) if buffer.text.strip() else ""

    buffer.on_text_changed += changed
    bindings = KeyBindings()

    @bindings.add(Keys.Enter)
    def _enter(event: KeyPressEvent) -> None:
        text = buffer.text
        if not text.strip() and blank_twice and not state["blank"]:
            state["blank"] = True
            state["hint"] = f"{NO_ENTER}: type the answer, or Enter again to leave it not known"
            return
        problem = validate(text)
        if problem:
            state["hint"] = problem
            return
        result.append(text)
        event.app.exit()

    if ask.can_back:

        @bindings.add(Keys.Escape, eager=True)
        def _back(event: KeyPressEvent) -> None:
            result.append(Nav.BACK)
            event.app.exit()

    if ask.safety:

        @bindings.add(Keys.F2)
        def _safety(event: KeyPressEvent) -> None:
            result.append(Nav.SAFETY)
            event.app.exit()

    _add_interrupts(bindings)
    layout = HSplit(
        [
            Window(FormattedTextControl(header), dont_extend_height=True),
            Window(
                BufferControl(buffer),
                height=1,
                get_line_prefix=lambda *_: [("class:typed", "> ")],
                wrap_lines=True,
            ),
            Window(FormattedTextControl(footer), dont_extend_height=True),
        ]
    )
    app: Application[None] = Application(
        layout=Layout(layout, focused_element=buffer),
        key_bindings=merge_key_bindings([load_key_bindings(), bindings]),
        style=STYLE,
        erase_when_done=True,
    )
    app.ttimeoutlen = 0.05
    app.run()
    return result[0]


# -- pages of rows: review and safety ----------------------------------------------------


@dataclass(frozen=True)
class Row:
    number: int
    label: str
    answer: str
    editable: bool = True


def ask_page_pick(
    title: str,
    rows: Sequence[Row],
    done_keys: dict[str, str],
    page: int = 0,
    urgent: str = "",
    refuse: str = "Not asked with the current answers: kept, but not scored; nothing to change",
) -> tuple[int | None, int]:
    """Rows shown a page at a time (a page fits the terminal); (row number or None when a
    done key was pressed, the page shown last)."""
    return _Pages(title, rows, done_keys, page, urgent, refuse).pick()


_KEY_NAMES = {"enter": "Enter", "escape": "Esc"}


class _Pages(_KeyPrompt):
    def __init__(
        self,
        title: str,
        rows: Sequence[Row],
        done_keys: dict[str, str],
        page: int,
        urgent: str,
        refuse: str,
    ) -> None:
        super().__init__(
            Ask(Question("page", title, QuestionType.TEXT), can_back=False, safety=False)
        )
        self.rows = list(rows)
        self.done_keys = done_keys
        self.urgent = urgent
        self.refuse = refuse
        self.typed = ""
        _, screen_rows = screen_size()
        self.per_page = max(min(MAX_ROWS_PER_PAGE, screen_rows - 6 - (2 if urgent else 0)), 3)
        self.pages = max(-(-len(self.rows) // self.per_page), 1)
        self.page = min(max(page, 0), self.pages - 1)
        done = " · ".join(f"{_KEY_NAMES.get(k, k)}: {w}" for k, w in done_keys.items() if w)
        paging = " · Space/PgDn next page · PgUp previous" if self.pages > 1 else ""
        self.keys_help = f"number: change that answer{paging} · {done}"

    def render(self) -> StyleAndTextTuples:
        width, _ = screen_size()
        title = self.ask.question.text
        if self.pages > 1:
            title += f" (page {self.page + 1} of {self.pages})"
        out: StyleAndTextTuples = [("class:question", clip(title, width - 1) + "\n")]
        if self.urgent:
            out += [("class:urgent", line + "\n") for line in wrap(self.urgent, width)]
        digits = len(str(len(self.rows)))
        shown = self.rows[self.page * self.per_page : (self.page + 1) * self.per_page]
        longest = max((len(row.label) for row in shown), default=12)
        label_width = max(min(longest, (width - digits - 4) * 3 // 5), 12)
        for row in shown:
            label = clip(row.label, label_width).ljust(label_width)
            line = f"{row.number:>{digits}}  {label}  {row.answer}"
            out.append(("" if row.editable else "class:progress", clip(line, width - 1) + "\n"))
        if self.typed:
            out.append(("class:typed", f"> {self.typed}_\n"))
        out += [("class:keys", line + "\n") for line in wrap(self.keys_help, width)]
        if self.hint:
            out += [("class:hint", line + "\n") for line in wrap(self.hint, width)]
        return _without_last_newline(out)

    def chosen(self, typed: str) -> Reply | None:
        number = int(typed)
        self.typed = ""
        if not self.rows[number - 1].editable:
            self.hint = self.refuse
            return None
        return Given(number)

    def key(self, name: str) -> Reply | None:
        if name in self.done_keys:
            return Given(None)
        if name.isdigit() and len(name) == 1:
            number = self.digit(name, len(self.rows), f"Type a number from 1 to {len(self.rows)}")
            return None if number is None else self.chosen(str(number))
        if name == "backspace":
            self.typed = self.typed[:-1]
        elif name == "enter" and self.typed:
            return self.chosen(self.typed)
        elif name in ("space", "pagedown", "right", "enter"):
            if self.page + 1 < self.pages:
                self.page += 1
            elif name == "enter":
                done = " or ".join(self.done_keys)
                self.hint = f"Last page: press {done}, or a row's number to change it"
            else:
                self.page = 0
        elif name in ("pageup", "left"):
            self.page = max(self.page - 1, 0)
        return None

    def press(self, name: str) -> Reply | None:
        return self.key(name)

    def pick(self) -> tuple[int | None, int]:
        reply = self.run()
        assert isinstance(reply, Given)
        number = reply.value
        assert number is None or isinstance(number, int)
        return number, self.page
