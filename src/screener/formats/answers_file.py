"""Read an answers file for `screener score`: a flat mapping, or a saved interview record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from screener.core.problems import InputFileError, RuleFileError
from screener.files.yaml_source import parse_yaml_text
from screener.formats.record import DRAFT_SCHEMA


@dataclass(frozen=True)
class AnswersDocument:
    raw: Mapping[str, object]
    intake_id: str | None
    recorded_under: Mapping[str, object] | None = None  # a saved record's rule set (name, ...)
    recorded_outcome: str | None = None  # a saved record's outcome when it was saved


def parse_answers_text(text: str, name: str) -> AnswersDocument:
    """Parse JSON or YAML answers. A record with an `answers` mapping is read as a record."""
    if not text.strip():
        raise InputFileError(f"{name}: the file is empty")
    if name.lower().endswith((".csv", ".tsv")):
        raise InputFileError(
            f"{name}: a CSV export holds many people; score it with `screener batch`"
        )
    try:
        data = parse_yaml_text(text, name).data
    except RuleFileError as exc:
        raise InputFileError("\n".join(exc.lines())) from None
    if not isinstance(data, dict):
        raise InputFileError(f"{name}: expected a mapping of question ids to answers")
    if data.get("schema") == DRAFT_SCHEMA:
        # A draft is half an interview: scoring it would give a confident outcome too early.
        raise InputFileError(
            f"{name}: this is the draft of an unfinished interview;"
            f" finish it with `screener screen --resume {name}`"
        )
    if isinstance(data.get("answers"), dict):
        intake = data.get("intake_id")
        ruleset = data.get("ruleset")
        screening = data.get("screening")
        outcome = screening.get("outcome") if isinstance(screening, dict) else None
        return AnswersDocument(
            data["answers"],
            None if intake is None else str(intake),
            ruleset if isinstance(ruleset, dict) else None,
            outcome if isinstance(outcome, str) else None,
        )
    intake = data.pop("intake_id", None)
    return AnswersDocument(data, None if intake is None else str(intake))
