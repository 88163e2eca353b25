"""What every prompt of the interview is built from: what a prompt is asked (`Ask`) and gives
back (an answer, `Given`, or a place to go, `Nav`), word-wrapping to the terminal, option
numbers typed digit by digit, and `KeyPrompt`, one small prompt_toolkit Application whose keys
its subclass handles (Ctrl-C raises KeyboardInterrupt and Ctrl-D EOFError in every one).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from prompt_toolkit.application import Application
from prompt_toolkit.application.current import get_app_session
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import Layout, Window
from prompt_toolkit.layout.controls import FormattedTextControl
from prompt_toolkit.styles import Style

from screener.core.frozen import record_class
from screener.core.model import Question, Value
from screener.formats.terminal import fit
from screener.formats.terminal import wrap as wrap_cells

NO_ENTER = "Enter alone does not answer"

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


@record_class
class Given:
    """An answer; `second`: a reading such as 135/85 also gave the next question's answer."""

    value: Value
    second: Value = None
    has_second: bool = False


Reply = Given | Nav


@record_class
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
    """Word-wrapped lines (in terminal cells, as the summary's), each after `indent`, leaving
    the last column free: never a break inside a word, unless one is longer than the line."""
    room = max(width - 1, 10) - len(indent)
    return [indent + line for line in wrap_cells(text, room)]


def clip(text: str, width: int) -> str:
    return fit(text, max(width, 2))


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


class KeyPrompt:
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
        return without_last_newline(out)

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
            # A line feed is Enter too: keys typed before the terminal was set up for the
            # interview (while the program starts) arrive with Enter turned into one.
            (Keys.ControlJ, "enter"),
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
        add_interrupts(bindings)
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


def without_last_newline(out: StyleAndTextTuples) -> StyleAndTextTuples:
    """The last line ends the prompt: a newline there would draw an empty line below."""
    if out:
        out[-1] = (out[-1][0], out[-1][1].rstrip("\n"))
    return out


def add_interrupts(bindings: KeyBindings) -> None:
    @bindings.add(Keys.ControlC, eager=True)
    def _interrupt(event: KeyPressEvent) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    @bindings.add(Keys.ControlD, eager=True)
    def _end_of_input(event: KeyPressEvent) -> None:
        event.app.exit(exception=EOFError, style="class:aborting")
