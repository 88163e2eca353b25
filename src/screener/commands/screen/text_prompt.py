"""Prompts where text is typed: a free-text question and a file path. Letters are typed
here, so the back key is Esc and the safety key F2; Enter on an empty line answers a question
that is not required only when pressed twice (then it is not known)."""

from __future__ import annotations

from collections.abc import Callable

from prompt_toolkit.application import Application
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent, merge_key_bindings
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import HSplit, Layout, Window
from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl

from screener.commands.screen.prompt_base import (
    NO_ENTER,
    STYLE,
    Ask,
    Given,
    Nav,
    Reply,
    add_interrupts,
    screen_size,
    wrap,
)
from screener.core.coercion import CoercionError, coerce_value
from screener.core.model import Question, QuestionType


def ask_text(ask: Ask) -> Reply:
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
    @bindings.add(Keys.ControlJ)  # Enter typed before the interview set the terminal up
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

    add_interrupts(bindings)
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
