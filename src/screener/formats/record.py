"""The record `screener screen --save` writes; `screener score RECORD` scores it again."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from screener.core.coercion import answers_to_json
from screener.core.model import RuleSet
from screener.core.screening import Screening
from screener.formats.occasion import Occasion
from screener.formats.screening_json import RulesetOut, ScreeningOut, screening_to_model

RECORD_SCHEMA: Literal["screener.record/1"] = "screener.record/1"
# A draft (an interview saved after Ctrl-C) is written by `screen`; others must recognise it.
DRAFT_SCHEMA: Literal["screener.draft/1"] = "screener.draft/1"


class RecordOut(BaseModel):
    """A saved interview; `screener score` reads its `answers` and `intake_id` again."""

    model_config = ConfigDict(populate_by_name=True)

    schema_: Literal["screener.record/1"] = Field(alias="schema")
    intake_id: str
    recorded_at: str
    recorded_by: str | None = None
    ruleset: RulesetOut
    answers: dict[str, object]
    screening: ScreeningOut


def record_json(ruleset: RuleSet, screening: Screening, occasion: Occasion) -> str:
    """Every question's answer (null = unknown; hidden answers kept), and the screening."""
    assert occasion.intake_id is not None and occasion.at is not None
    model = RecordOut(
        schema=RECORD_SCHEMA,
        intake_id=occasion.intake_id,
        recorded_at=occasion.at.isoformat(timespec="seconds"),
        recorded_by=occasion.by,
        ruleset=RulesetOut(name=ruleset.name, version=ruleset.version, sha256=ruleset.sha256),
        answers=answers_to_json(ruleset.questions, screening.answers),
        screening=screening_to_model(ruleset, screening, occasion),
    )
    return model.model_dump_json(indent=2, by_alias=True) + "\n"
