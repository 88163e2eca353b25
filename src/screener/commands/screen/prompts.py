"""The questionary prompts of `screener screen`, one per question type.

Typed text and picked choices go through core.coercion.coerce_value, so the interview reads
answers exactly as answers files and CSV cells are read. Ctrl-C raises KeyboardInterrupt and
Ctrl-D raises EOFError at every prompt (`unsafe_ask`); the command handles both.

Question texts, choice labels and messages go to prompt_toolkit as plain strings, which it
shows as they are (never as HTML or ANSI: those need `HTML(...)`/`ANSI(...)`, never used here).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import questionary
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent, merge_key_bindings
from questionary import Choice, Separator
from rich.console import Console

from screener.core.coercion import CoercionError, coerce_value
from screener.core.model import NONE_CHOICE, Question, QuestionType, Value, format_number
from screener.formats.text import plain

DONT_KNOW = "don't know"  # read as unknown by coerce_value
DONT_KNOW_LABEL = "Don't know"
NONE_LABEL = "None of these"

_ctrl_d = KeyBindings()


@_ctrl_d.add("c-d", eager=True)
def _end_of_input(event: KeyPressEvent) -> None:
    event.app.exit(exception=EOFError, style="class:aborting")


def _ask(prompt: questionary.Question) -> Any:
    """Ask, with Ctrl-D ending input at every kind of prompt (questionary's select, checkbox
    and confirm ignore it otherwise)."""
    app = prompt.application
    app.key_bindings = merge_key_bindings([b for b in (app.key_bindings, _ctrl_d) if b])
    return prompt.unsafe_ask()


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


def _typed_validator(question: Question) -> Callable[[str], bool | str]:
    def validate(text: str) -> bool | str:
        try:
            value = coerce_value(question, text)
        except CoercionError as exc:
            return str(exc)
        if value is None and question.required:
            return "An answer is required"
        return True

    return validate


def _ask_typed(question: Question, current: Value, has_current: bool) -> Value:
    parts = []
    if question.type in (QuestionType.INTEGER, QuestionType.NUMBER, QuestionType.LIST):
        parts.append(_range_words(question))
    if not question.required:
        parts.append("blank = don't know")
    default = "" if not has_current or current is None else str(current)
    text = _ask(
        questionary.text(
            question.text,
            default=default,
            validate=_typed_validator(question),
            instruction=f"({'; '.join(parts)})" if parts else None,
        )
    )
    return coerce_value(question, text)


def _yes_no_key(value: Value) -> str:
    if value is None:
        return DONT_KNOW
    return "yes" if value else "no"


def _ask_select(question: Question, current: Value, has_current: bool) -> Value:
    choices: list[Choice]
    # Yes/no answers take the keys y, n and d, so a coordinator never has to count rows.
    yes_no = question.type is QuestionType.YES_NO
    if yes_no:
        choices = [Choice("Yes", "yes", shortcut_key="y"), Choice("No", "no", shortcut_key="n")]
        key = _yes_no_key(current)
    else:
        choices = [Choice(c.label, c.value) for c in question.choices]
        key = DONT_KNOW if current is None else str(current)
    if not question.required:
        choices.append(Choice(DONT_KNOW_LABEL, DONT_KNOW, shortcut_key="d" if yes_no else True))
    default = key if has_current and any(c.value == key for c in choices) else None
    picked = _ask(
        questionary.select(
            question.text,
            choices=choices,
            default=default,
            use_shortcuts=len(choices) <= 9,
            use_jk_keys=False,
        )
    )
    return coerce_value(question, picked)


def _multi_validator(question: Question) -> Callable[[list[str]], bool | str]:
    def validate(picked: list[str]) -> bool | str:
        if not picked:
            return f"Tick at least one box ('{NONE_LABEL}' if none apply)"
        if DONT_KNOW in picked:
            return True if len(picked) == 1 else f"'{DONT_KNOW_LABEL}' goes on its own"
        try:
            coerce_value(question, picked)
        except CoercionError as exc:
            return f"'{NONE_LABEL}' goes on its own" if NONE_CHOICE in picked else str(exc)
        return True

    return validate


def _ask_multi(question: Question, current: Value, has_current: bool) -> Value:
    chosen = current if isinstance(current, frozenset) else frozenset()
    checked = has_current and current is not None

    choices: list[Choice | Separator] = [
        Choice(c.label, c.value, checked=checked and c.value in chosen) for c in question.choices
    ]
    choices.append(Separator())
    choices.append(Choice(NONE_LABEL, NONE_CHOICE, checked=checked and not chosen))
    if not question.required:
        choices.append(Choice(DONT_KNOW_LABEL, DONT_KNOW, checked=has_current and current is None))
    picked: list[str] = _ask(
        questionary.checkbox(
            question.text,
            choices=choices,
            validate=_multi_validator(question),
            use_jk_keys=False,
            instruction="(space to tick, Enter when done)",
        )
    )
    return None if picked == [DONT_KNOW] else coerce_value(question, picked)


def ask_question(
    question: Question, console: Console, current: Value = None, has_current: bool = False
) -> Value:
    """Ask one question (its help text first); with `has_current`, offer `current` as the
    default, for edits on the review screen."""
    if question.help:
        console.print(plain(question.help, style="dim italic"))
    kind = question.type
    if kind in (QuestionType.INTEGER, QuestionType.NUMBER, QuestionType.LIST, QuestionType.TEXT):
        return _ask_typed(question, current, has_current)
    if kind is QuestionType.MULTI_CHOICE:
        return _ask_multi(question, current, has_current)
    return _ask_select(question, current, has_current)


def ask_review_pick(editable: Sequence[bool]) -> int | None:
    """The row number (1-based) of the answer to change, or None when the answers look right.

    `editable[i]` is False for rows whose question skip logic no longer asks.
    """

    def validate(text: str) -> bool | str:
        text = text.strip()
        if not text:
            return True
        # A few ASCII digits: str.isdigit() takes "²", and int() refuses it (and 5,000 digits).
        number = int(text) if text.isascii() and text.isdigit() and len(text) < 7 else 0
        if not 1 <= number <= len(editable):
            return f"Type a number from 1 to {len(editable)}, or leave blank to score"
        if not editable[int(text) - 1]:
            return "Not asked with the current answers: kept, but not scored; nothing to change"
        return True

    answer: str = _ask(
        questionary.text(
            "Number of an answer to change",
            validate=validate,
            instruction="(Enter alone: all correct, score it)",
        )
    )
    return int(answer) if answer.strip() else None


def confirm(message: str, default: bool) -> bool:
    return bool(_ask(questionary.confirm(message, default=default)))


def ask_path(message: str, default: str) -> str:
    answer: str = _ask(
        questionary.text(message, default=default, validate=lambda t: bool(t.strip()) or "A path")
    )
    return answer.strip()
