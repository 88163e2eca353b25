"""Read an answers file for `screener score`: a flat mapping, or a saved interview record.

A file is a saved record only by its schema marker (`"schema": "screener.record/1"`). Anything
else is a flat mapping of question ids to answers (and an optional `intake_id`); a flat file
whose `answers` key holds a mapping is refused, since it could be either, and reading it as
one would silently drop the other's answers (a self-harm answer beside it, say).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from screener.core.frozen import record_class
from screener.core.problems import InputFileError, RuleFileError, shown
from screener.files.yaml_source import parse_yaml_text


@record_class
class AnswersDocument:
    raw: Mapping[str, object]
    intake_id: str | None
    recorded_under: Mapping[str, object] | None = None  # a saved record's rule set (name, ...)
    recorded_outcome: str | None = None  # a saved record's outcome when it was saved
    recorded_at: datetime | None = None  # when a saved record was made
    recorded_by: str | None = None  # who made it


def _record(data: Mapping[str, object], name: str) -> AnswersDocument:
    from screener.formats.record import RECORD_KEYS as keys
    from screener.formats.record import RECORD_SCHEMA

    unknown = [key for key in data if key not in keys]
    if unknown:
        raise InputFileError(
            f"{name}: {unknown[0]!r} is not a key of a saved record ({RECORD_SCHEMA});"
            f" a record holds {', '.join(keys)}"
        )
    answers = data.get("answers")
    if not isinstance(answers, dict):
        raise InputFileError(f"{name}: a saved record needs an 'answers' mapping")
    intake = data.get("intake_id")
    ruleset = data.get("ruleset")
    screening = data.get("screening")
    by = data.get("recorded_by")
    for key, value, kind in (
        ("ruleset", ruleset, dict),
        ("screening", screening, dict),
        ("recorded_by", by, str),
    ):
        if value is not None and not isinstance(value, kind):
            what = "a mapping" if kind is dict else "a text"
            raise InputFileError(f"{name}: a saved record's {key!r} is {what}, not {shown(value)}")
    outcome = screening.get("outcome") if isinstance(screening, dict) else None
    return AnswersDocument(
        answers,
        None if intake is None else str(intake),
        ruleset if isinstance(ruleset, dict) else None,
        outcome if isinstance(outcome, str) else None,
        _timestamp(data.get("recorded_at"), name),
        by if isinstance(by, str) else None,
    )


def _timestamp(value: object, name: str) -> datetime | None:
    """A record's time as written (ISO 8601), or None when it has none. One that cannot be
    read is refused, not replaced by the time of scoring: a record keeps its own time."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise InputFileError(
        f"{name}: a saved record's 'recorded_at' is the date and time it was made"
        f" (ISO 8601, as screener writes it), not {shown(value)}"
    )


def _marked(data: Mapping[str, object], name: str) -> AnswersDocument:
    """A file with a schema marker: a saved record, else refused. (The record's pydantic model
    loads only here: a flat answers file does not need it.)"""
    from screener.formats.record import DRAFT_SCHEMA, RECORD_SCHEMA

    schema = data.get("schema")
    if schema == DRAFT_SCHEMA:
        # A draft is half an interview: scoring it would give a confident outcome too early.
        raise InputFileError(
            f"{name}: this is the draft of an unfinished interview;"
            f" finish it with `screener screen --resume {name}`"
        )
    if schema == RECORD_SCHEMA:
        return _record(data, name)
    raise InputFileError(
        f"{name}: unknown schema {schema!r}; a saved record has"
        f' "schema": "{RECORD_SCHEMA}", a flat answers file has no \'schema\' key'
    )


def parse_answers_text(text: str, name: str) -> AnswersDocument:
    """Parse JSON or YAML answers: a saved record (by its schema marker) or a flat mapping."""
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
    if "schema" in data:
        return _marked(data, name)
    if isinstance(data.get("answers"), dict):
        from screener.formats.record import RECORD_SCHEMA

        others = [key for key in data if key not in ("answers", "intake_id")]
        beside = f" (beside {', '.join(map(repr, others[:3]))})" if others else ""
        raise InputFileError(
            f"{name}: an 'answers' mapping{beside} without a saved record's"
            f' "schema": "{RECORD_SCHEMA}": it is unclear which answers count.'
            " Give the answers as one flat mapping of question ids, or score the record"
            " exactly as `screener screen --save` wrote it"
        )
    intake = data.pop("intake_id", None)
    return AnswersDocument(data, None if intake is None else str(intake))
