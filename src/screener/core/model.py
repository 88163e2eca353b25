"""The compiled rule set: questions (their types and accepted values) and rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from screener.core.conditions.syntax import Node
from screener.core.tristate import Tri

# A coerced answer: yes/no -> bool, integer -> int, choice/text -> str,
# multi_choice -> frozenset of choice values (empty = "none of these"), None = unknown.
Value = bool | int | str | frozenset[str] | None
Answers = Mapping[str, Value]
Condition = Callable[[Answers], Tri]

NONE_CHOICE = "none"


class QuestionType(StrEnum):
    YES_NO = "yes_no"
    INTEGER = "integer"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    TEXT = "text"


class Action(StrEnum):
    """What a rule does when it fires. Ordered from most to least severe."""

    URGENT = "urgent"  # fires when true: urgent outcome, crisis text first
    EXCLUDE = "exclude"  # fires when true: not eligible
    REQUIRE = "require"  # fires when false: not eligible (the condition is what is required)
    REVIEW = "review"  # fires when true: needs clinician review
    FLAG = "flag"  # fires when true: informational, never changes the outcome


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


@dataclass(frozen=True)
class Rule:
    id: str
    action: Action
    label: str
    when_text: str
    when: Condition
    tree: Node
    reason: str
    reason_clear: str | None
    source: str
    reads: tuple[str, ...]  # question ids the condition reads


@dataclass(frozen=True)
class RuleSet:
    name: str
    version: str
    sha256: str
    source_name: str
    clinic_name: str
    clinic_phone: str | None
    disclaimer: str
    crisis_text: str
    next_steps: Mapping[str, tuple[str, ...]]  # by outcome value
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]

    @cached_property
    def question_map(self) -> Mapping[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def rule_map(self) -> Mapping[str, Rule]:
        return {r.id: r for r in self.rules}
