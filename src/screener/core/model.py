"""The compiled rule set: questions (their types and accepted values) and rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from functools import cached_property

from screener.core.conditions.syntax import Node
from screener.core.frozen import field, record_class
from screener.core.tristate import Tri

# A coerced answer: yes/no -> bool, integer -> int, number -> float, choice/text -> str,
# multi_choice -> frozenset of choice values (empty = "none of these"), None = unknown.
# A list question is answered through slots (see RuleSet.slots): its own id holds how many
# items it has (int, None when not known) and each item's field `<list>_<n>_<field>` its value.
Value = bool | int | float | str | frozenset[str] | None
Answers = Mapping[str, Value]
Condition = Callable[[Answers], Tri]

NONE_CHOICE = "none"


class QuestionType(StrEnum):
    YES_NO = "yes_no"
    INTEGER = "integer"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    TEXT = "text"
    NUMBER = "number"  # decimals allowed
    LIST = "list"  # a repeating group of fields


# The types whose answers are one or more of the question's choices.
CHOICE_TYPES = frozenset({QuestionType.CHOICE, QuestionType.MULTI_CHOICE})


class Priority(StrEnum):
    """How soon a clinician should look at a review, most urgent first."""

    SAME_DAY = "same_day"
    ROUTINE = "routine"

    @property
    def rank(self) -> int:
        return 2 if self is Priority.SAME_DAY else 1


class Action(StrEnum):
    """What a rule does when it fires. Ordered from most to least severe."""

    URGENT = "urgent"  # fires when true: urgent outcome, crisis text first
    EXCLUDE = "exclude"  # fires when true: not eligible
    REQUIRE = "require"  # fires when false: not eligible (the condition is what is required)
    REVIEW = "review"  # fires when true: needs clinician review
    FLAG = "flag"  # fires when true: informational, never changes the outcome


Fact = bool | int | float | str  # a named fact about a choice (a medicine's class, a factor)


@record_class
class Choice:
    value: str
    label: str
    facts: Mapping[str, Fact] = field(default_factory=dict, hash=False, compare=False)
    # A catch-all ("other"): two answers of it may or may not name the same thing.
    catch_all: bool = False
    # Its stored code in a REDCap project, when the rule file pins one (else derived).
    code: str | None = field(default=None, compare=False)


@record_class
class Wording:
    """A question's words in one more language than the clinic's own: what the coordinator
    reads out. None (or a choice left out) where the file gives no translation."""

    text: str | None = None
    help: str | None = None
    unit: str | None = None
    item_name: str | None = None  # a list question's name for one item
    more_text: str | None = None  # a list question's question before each further item
    choices: Mapping[str, str] = field(default_factory=dict)  # choice value -> label


@record_class
class Question:
    id: str
    text: str
    type: QuestionType
    help: str | None = None
    required: bool = False
    label: str | None = None  # a short name for summaries; the text when not given
    ask_if_text: str | None = None
    ask_if: Condition | None = None
    ask_if_tree: Node | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    choices: tuple[Choice, ...] = ()
    aliases: tuple[str, ...] = ()
    # A list question: its fields (as written, ids relative to the item) and how many items.
    fields: tuple[Question, ...] = ()
    max_items: int = 0
    item_name: str = "Item"
    # What is asked before each item after the first; None: the interview says it itself.
    more_text: str | None = None
    # The slots of every item (item 1 first), each field with its cell id and skip logic.
    item_cells: tuple[tuple[Question, ...], ...] = ()
    # A slot of a list item: the list's id, the item's number (1-based) and the field's id.
    list_id: str | None = None
    item: int | None = None
    field_id: str | None = None
    # Its words in other languages, by language code (see core/translation.py).
    translations: Mapping[str, Wording] = field(default_factory=dict, hash=False, compare=False)

    @property
    def short(self) -> str:
        """How summaries name the question: its label, else its text."""
        return self.label or self.text

    @property
    def is_list(self) -> bool:
        return self.type is QuestionType.LIST

    def cell_text(self, item: int, text: str, item_name: str | None = None) -> str:
        """How a field of one item of this list is asked: `Treatment 2: Which medicine?`."""
        return f"{item_name or self.item_name} {item}: {text}"

    def cell_id(self, item: int, field_id: str) -> str:
        """The slot (and CSV column) of one field of one item of this list."""
        return f"{self.id}_{item}_{field_id}"

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
    if isinstance(value, (int, float)):
        if question.is_list:
            return f"{value} item{'s' if value != 1 else ''}"
        number = format_number(value)
        return f"{number} {question.unit}" if question.unit else number
    if isinstance(value, frozenset):
        if not value:
            return "none"
        ordered = [c.label for c in question.choices if c.value in value]
        return ", ".join(ordered)
    if question.type is QuestionType.CHOICE:
        return question.label_of(value)
    return value


def format_number(value: float) -> str:
    """A number as a person writes it: 2 not 2.0, 0.5, 2.33 (at most two decimals)."""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


@record_class
class Derived:
    """A named value computed from answers and facts (e.g. a dose converted to diazepam)."""

    id: str
    label: str
    unit: str | None
    text: str  # the expression as written
    tree: Node  # the checked expression, derived values it names already substituted
    value: Callable[[Answers], float | None]
    reads: tuple[str, ...]  # the slots it reads


@record_class
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
    reads: tuple[str, ...]  # slots the condition reads
    next_step: str | None = None  # shown when the rule fires
    priority: Priority | None = None  # review rules: how soon a clinician should look


@record_class
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
    questions: tuple[Question, ...]  # as asked, lists as one question each
    rules: tuple[Rule, ...]
    derived: tuple[Derived, ...] = ()
    key_answers: tuple[str, ...] = ()  # questions and derived values the summary shows first
    language: str = "en"  # the language of the file's own texts (a code: en, es, es-MX)
    # The crisis text in other languages, by language code; a language the file has with no
    # crisis text of its own maps to None.
    crisis_translations: Mapping[str, str | None] = field(default_factory=dict)

    @cached_property
    def slots(self) -> tuple[Question, ...]:
        """Every answer the engines read, in questionnaire order: each question, and for a list
        its count followed by each item's fields (`<list>_<n>_<field>`)."""
        out: list[Question] = []
        for question in self.questions:
            out.append(question)
            if question.is_list:
                out.extend(list_cells(question))
        return tuple(out)

    @cached_property
    def question_map(self) -> Mapping[str, Question]:
        """Every slot by id: questions, list counts and list item fields."""
        return {q.id: q for q in self.slots}

    @cached_property
    def derived_map(self) -> Mapping[str, Derived]:
        return {d.id: d for d in self.derived}

    @cached_property
    def rule_map(self) -> Mapping[str, Rule]:
        return {r.id: r for r in self.rules}


def list_cells(question: Question) -> tuple[Question, ...]:
    """The slots of a list question's items, item by item, each a copy of its field with the
    cell's id and the item's skip logic (filled in by the rule file loader)."""
    return tuple(cell for item in question.item_cells for cell in item)
