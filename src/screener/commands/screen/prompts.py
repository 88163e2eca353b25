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

from collections.abc import Sequence

from prompt_toolkit.formatted_text import StyleAndTextTuples

from screener.commands.screen.prompt_base import (
    NO_ENTER,
    Ask,
    Given,
    KeyPrompt,
    Nav,
    Reply,
    clip,
    number_state,
    wrap,
)
from screener.commands.screen.text_prompt import ask_text
from screener.core.coercion import CoercionError, coerce_value
from screener.core.model import NONE_CHOICE, Question, QuestionType, Value, format_number

DONT_KNOW_LABEL = "Don't know"
NONE_LABEL = "None of these"


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


class _YesNo(KeyPrompt):
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


class _Choice(KeyPrompt):
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


class _Multi(KeyPrompt):
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


class _Number(KeyPrompt):
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
        elif self.replace:
            parts.append(f"Enter keeps {self.typed}")
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
        shown_as_it_was = self.replace  # the current answer is shown, nothing typed yet
        if len(name) == 1 and (name.isdigit() or name in ".-/"):
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
        if name == "b" and (not self.typed or shown_as_it_was):
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
        if "/" in self.typed and self.ask.pair is None:
            self.hint = "One number here (the next question does not take a second one)"
            return
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
        if slash and self.ask.pair is None:
            # Kept as typed and refused: dropping the '/' made 1/2 the answer 12.
            self.hint = "One number here (the next question does not take a second one)"
            return None
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


class _YesNoKeys(KeyPrompt):
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
        elif name.isdigit():  # "how many?": the items are entered one at a time
            self.hint = "A number does not answer here: press " + " or ".join(self.choices)
        return None


def ask_question(ask: Ask) -> Reply:
    """Ask one question; the answer, or where the coordinator wants to go instead."""
    kind = ask.question.type
    if kind is QuestionType.TEXT:
        return ask_text(ask)
    prompt: KeyPrompt
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
