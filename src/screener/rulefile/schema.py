"""The rule file's shape, as pydantic models. Unknown keys are rejected everywhere.

These models check the shape of each entry; `ruleset.py` checks how entries fit together
(ids, conditions, placeholders) and compiles them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
)

from screener.core.model import Action, QuestionType

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChoiceSpec(Strict):
    value: Identifier
    label: NonEmpty


class QuestionSpec(Strict):
    id: Identifier
    text: NonEmpty
    type: QuestionType
    help: str | None = None
    # Strict: `min: true` is not 1, `required: "no"` is not false.
    required: StrictBool = False
    ask_if: NonEmpty | None = None
    min: StrictInt | None = None
    max: StrictInt | None = None
    unit: str | None = None
    choices: list[ChoiceSpec | Identifier] | None = None
    aliases: list[NonEmpty] = Field(default_factory=list)

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


class ClinicSpec(Strict):
    name: NonEmpty
    phone: str | None = None


class NextStepsSpec(Strict):
    """What the coordinator does next, for each outcome (printed on the summary)."""

    urgent: list[NonEmpty] = Field(min_length=1)
    not_eligible: list[NonEmpty] = Field(min_length=1)
    needs_review: list[NonEmpty] = Field(min_length=1)
    likely_eligible: list[NonEmpty] = Field(min_length=1)


class RuleFileSpec(Strict):
    name: NonEmpty
    version: NonEmpty
    clinic: ClinicSpec
    disclaimer: NonEmpty
    crisis_text: NonEmpty
    next_steps: NextStepsSpec
    questions: list[QuestionSpec] = Field(min_length=1)
    rules: list[RuleSpec] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: object) -> object:
        if isinstance(value, float):
            # YAML reads a bare 2026.10 as the number 2026.1: the recorded version would be wrong.
            raise ValueError(
                f"write the version in quotes; without them it was read as the number {value}"
            )
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value
