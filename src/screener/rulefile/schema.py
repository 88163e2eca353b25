"""The rule file's shape, as pydantic models. Unknown keys are rejected everywhere.

These models check the shape of each entry; `load.py` checks how entries fit together
(ids, conditions, placeholders) and compiles them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StringConstraints,
    field_validator,
)

from screener.core.limits import MAX_LIST_ITEMS
from screener.core.model import Action, Priority, QuestionType

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
# A choice's stored code in another system (REDCap's raw value): a whole number or letters,
# digits and underscores, at most 32 characters.
ChoiceCode = (
    StrictInt
    | Annotated[str, StringConstraints(pattern=r"^(-?[0-9]+|[A-Za-z0-9_]+)$", max_length=32)]
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


FactValue = bool | int | float | NonEmpty


class QuestionTranslationSpec(Strict):
    """A question's words in one more language (under `translations: {es: ...}`)."""

    text: NonEmpty | None = None
    help: NonEmpty | None = None
    unit: NonEmpty | None = None
    item_name: NonEmpty | None = None  # list questions
    more_text: NonEmpty | None = None  # list questions that have one
    choices: dict[str, NonEmpty] = Field(default_factory=dict)  # choice value -> label


class FileTranslationSpec(Strict):
    """The file's own texts in one more language (the top-level `translations`)."""

    crisis_text: NonEmpty | None = None


class ChoiceSpec(Strict):
    value: Identifier
    label: NonEmpty
    # Named facts about this choice, usable in conditions as `question.fact`.
    facts: dict[Identifier, FactValue] = Field(default_factory=dict)
    # A catch-all ("another medicine"): two answers of it may or may not name the same thing.
    catch_all: bool = False
    # The choice's code in a REDCap project (`screener redcap dictionary`); derived when absent.
    code: ChoiceCode | None = None


class QuestionSpec(Strict):
    id: Identifier
    text: NonEmpty
    type: QuestionType
    label: NonEmpty | None = None  # a short name for summaries ("Blood pressure, top number")
    help: str | None = None
    # Strict: `min: true` is not 1, `required: "no"` is not false.
    required: StrictBool = False
    ask_if: NonEmpty | None = None
    min: StrictInt | StrictFloat | None = None
    max: StrictInt | StrictFloat | None = None
    unit: str | None = None
    choices: list[ChoiceSpec | Identifier] | None = None
    aliases: list[NonEmpty] = Field(default_factory=list)
    # A list question: the fields of each item, and at most how many items.
    fields: list[QuestionSpec] | None = None
    max_items: int | None = Field(default=None, ge=1, le=MAX_LIST_ITEMS)
    item_name: NonEmpty | None = None  # what one item is called when asked ("Treatment")
    # What is asked before each item after the first ("Have you tried another medicine?").
    more_text: NonEmpty | None = None
    # Its words in other languages, by language code (checked in rulefile/translations.py).
    translations: dict[str, QuestionTranslationSpec] = Field(default_factory=dict)

    @field_validator("choices")
    @classmethod
    def _choices_not_empty(
        cls, value: list[ChoiceSpec | str] | None
    ) -> list[ChoiceSpec | str] | None:
        if value is not None and not value:
            raise ValueError("a question with choices needs at least one")
        return value


class RuleSpec(Strict):
    id: Identifier
    action: Action
    label: NonEmpty
    when: NonEmpty
    reason: NonEmpty
    reason_clear: NonEmpty | None = None
    source: NonEmpty
    next_step: NonEmpty | None = None  # shown on the summary when the rule fires
    priority: Priority | None = None  # review rules: same_day or routine


class DerivedSpec(Strict):
    """A named value computed from answers and facts: `value` is an arithmetic expression."""

    id: Identifier
    label: NonEmpty
    value: NonEmpty
    unit: str | None = None


class ClinicSpec(Strict):
    name: NonEmpty
    phone: str | None = None


class NextStepsSpec(Strict):
    """What the coordinator does next, for each outcome (printed on the summary)."""

    urgent: list[NonEmpty] = Field(min_length=1)
    not_eligible: list[NonEmpty] = Field(min_length=1)
    needs_review: list[NonEmpty] = Field(min_length=1)
    likely_eligible: list[NonEmpty] = Field(min_length=1)


class SummarySpec(Strict):
    """What the referral summary shows first: the answers a clinician looks at first."""

    key_answers: list[Identifier] = Field(default_factory=list)


class RuleFileSpec(Strict):
    name: NonEmpty
    version: NonEmpty
    language: NonEmpty = "en"  # the language of the file's own texts
    clinic: ClinicSpec
    disclaimer: NonEmpty
    crisis_text: NonEmpty
    next_steps: NextStepsSpec
    questions: list[QuestionSpec] = Field(min_length=1)
    derived: list[DerivedSpec] = Field(default_factory=list)
    rules: list[RuleSpec] = Field(min_length=1)
    summary: SummarySpec = Field(default_factory=SummarySpec)
    translations: dict[str, FileTranslationSpec] = Field(default_factory=dict)

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: object) -> object:
        if isinstance(value, float):
            # YAML reads a bare 2026.10 as the number 2026.1: the recorded version would be wrong.
            raise ValueError(
                f"write the version in quotes; without them it was read as the number {value}"
            )
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value
