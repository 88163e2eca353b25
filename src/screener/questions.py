"""Compiled questions: what can be asked, its type, and the values it accepts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from screener.condition_syntax import Node
from screener.schema import QuestionType
from screener.tristate import Tri

# A coerced answer: yes/no -> bool, integer -> int, choice/text -> str,
# multi_choice -> frozenset of choice values (empty = "none of these"), None = unknown.
Value = bool | int | str | frozenset[str] | None
Answers = Mapping[str, Value]
Condition = Callable[[Answers], Tri]

NONE_CHOICE = "none"


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    type: QuestionType
    help: str | None = None
    required: bool = False
    ask_if_text: str | None = None
    ask_if: Condition | None = None
    ask_if_tree: Node | None = None
    min: int | None = None
    max: int | None = None
    unit: str | None = None
    choices: tuple[Choice, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)

    def label_of(self, value: str) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return value


def format_value(question: Question, value: Value) -> str:
    """A person's answer in plain words, as it appears in reasons and summaries."""
    if value is None:
        return "not known"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value} {question.unit}" if question.unit else str(value)
    if isinstance(value, frozenset):
        if not value:
            return "none"
        ordered = [c.label for c in question.choices if c.value in value]
        return ", ".join(ordered)
    if question.type is QuestionType.CHOICE:
        return question.label_of(value)
    return value
