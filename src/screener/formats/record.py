"""The record `screener screen --save` writes; `screener score RECORD` scores it again."""

from __future__ import annotations

from typing import Literal

from screener.core.coercion import answers_to_json
from screener.core.model import RuleSet
from screener.core.screening import Screening
from screener.formats.json_text import json_document
from screener.formats.occasion import Occasion
from screener.formats.screening_json import ruleset_dict, screening_dict

RECORD_SCHEMA: Literal["screener.record/1"] = "screener.record/1"
# A draft (an interview saved after Ctrl-C) is written by `screen`; others must recognise it.
DRAFT_SCHEMA: Literal["screener.draft/1"] = "screener.draft/1"
# The keys of a saved record, in the order it is written.
RECORD_KEYS = (
    "schema",
    "intake_id",
    "recorded_at",
    "recorded_by",
    "ruleset",
    "answers",
    "screening",
)


def record_json(ruleset: RuleSet, screening: Screening, occasion: Occasion) -> str:
    """A saved interview: every question's answer (null = unknown; hidden answers kept), and
    the screening. `screener score` reads its `answers` and `intake_id` again."""
    assert occasion.intake_id is not None and occasion.at is not None
    values = (
        RECORD_SCHEMA,
        occasion.intake_id,
        occasion.at.isoformat(timespec="seconds"),
        occasion.by,
        ruleset_dict(ruleset),
        answers_to_json(ruleset.questions, screening.answers),
        screening_dict(ruleset, screening, occasion),
    )
    return json_document(dict(zip(RECORD_KEYS, values, strict=True)))
