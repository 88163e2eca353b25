"""Interview drafts: the answers so far, saved after Ctrl-C, read by `screener screen --resume`.

A draft holds a person's answers: it is written atomically and readable by the owner only.
A new draft never replaces a file: when its name is taken (another person's draft under a
reused intake id), the next free name (`-2`, `-3`, ...) is used.
It names the rule set (with its sha256) it was started with, so resuming under a changed rule
file says so and re-checks every answer against the rules now in use.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from screener.commands.screen.flow import InterviewState
from screener.core.coercion import CoercionError, answer_to_json, coerce_value
from screener.core.frozen import record_class
from screener.core.limits import MAX_ANSWERS_BYTES
from screener.core.model import RuleSet, Value
from screener.core.problems import InputFileError, OutputExists, shown
from screener.files.read import read_text
from screener.files.write import write_atomic
from screener.formats.record import DRAFT_SCHEMA, RECORD_SCHEMA


class RulesetOut(BaseModel):
    """Which rules the draft was taken with (as a record names them)."""

    name: str
    version: str
    sha256: str


class DraftOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: str | None = None
    save: str | None = None
    markdown: str | None = None
    language: str | None = None
    by: str | None = None


class DraftOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    schema_: Literal["screener.draft/1"] = Field(alias="schema")
    intake_id: str
    saved_at: str
    ruleset: RulesetOut
    # Answered questions only, in the order asked; null = "don't know".
    answers: dict[str, object]
    # The options the interview was started with, for `--resume` without repeating them.
    options: DraftOptions | None = None


@record_class
class LoadedDraft:
    intake_id: str
    state: InterviewState
    warnings: list[str]


def draft_text(
    ruleset: RuleSet,
    state: InterviewState,
    intake_id: str,
    saved_at: datetime,
    options: Mapping[str, str | None] | None = None,
) -> str:
    model = DraftOut(
        schema=DRAFT_SCHEMA,
        intake_id=intake_id,
        saved_at=saved_at.isoformat(timespec="seconds"),
        ruleset=RulesetOut(name=ruleset.name, version=ruleset.version, sha256=ruleset.sha256),
        answers={q: answer_to_json(v) for q, v in state.answers.items()},
        options=DraftOptions(**options) if options else None,
    )
    return model.model_dump_json(indent=2, by_alias=True) + "\n"


NEW_NAMES = 100  # a draft tries its own name and then up to this many numbered ones


def write_draft(
    path: Path,
    ruleset: RuleSet,
    state: InterviewState,
    intake_id: str,
    saved_at: datetime,
    replace: bool = False,
    options: Mapping[str, str | None] | None = None,
) -> Path:
    """Write the draft; where it went. `replace`: the draft being resumed is replaced; any
    other file never is, a new draft takes the next free name instead. `options`: the
    command-line options to remember (rules, save, markdown, language, by)."""
    text = draft_text(ruleset, state, intake_id, saved_at, options)
    if replace:
        write_atomic(path, text, private=True)
        return path
    for number in range(1, NEW_NAMES + 1):
        target = path if number == 1 else path.with_name(f"{path.stem}-{number}{path.suffix}")
        try:
            write_atomic(target, text, private=True, exclusive=True)
        except OutputExists:
            continue
        return target
    raise OutputExists(f"{path}: it and {NEW_NAMES - 1} numbered names are all taken")


def _draft_model(text: str, name: str) -> DraftOut:
    if not text.strip():
        raise InputFileError(f"{name}: the file is empty (not a screener draft)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{name}: not a screener draft (not JSON: {exc.msg})") from None
    if isinstance(data, dict) and data.get("schema") == RECORD_SCHEMA:
        raise InputFileError(
            f"{name}: a saved record of a finished interview, not a draft;"
            f" score it again with `screener score {name}`"
        )
    try:
        return DraftOut.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        raise InputFileError(f"{name}: not a screener draft ({where}: {first['msg']})") from None


def parse_draft(text: str, name: str, ruleset: RuleSet) -> LoadedDraft:
    """The interview state in a draft, re-read against `ruleset`; warnings when it differs."""
    model = _draft_model(text, name)
    warnings = []
    if model.ruleset.sha256 != ruleset.sha256:
        warnings.append(
            f"{name} was started with rule set {model.ruleset.name!r} {model.ruleset.version}"
            f" (sha256 {model.ruleset.sha256[:12]}), not the one in use now:"
            f" {ruleset.name!r} {ruleset.version} (sha256 {ruleset.sha256[:12]})."
            " Every answer is checked against the rules in use; any that no longer fit are"
            " asked again."
        )
    answers: dict[str, Value] = {}
    for question_id, raw in model.answers.items():
        question = ruleset.question_map.get(question_id)
        if question is None:
            warnings.append(
                f"{name}: answer to {shown(question_id)} ({shown(raw)}) dropped: no such"
                " question now"
            )
            continue
        try:
            answers[question_id] = coerce_value(question, raw)
        except CoercionError as exc:
            warnings.append(
                f"{name}: {question_id}: {exc} (got {shown(raw)}); it will be asked again"
            )
    return LoadedDraft(model.intake_id, InterviewState(answers), warnings)


def _read(path: Path) -> str:
    if not path.exists():
        raise InputFileError(f"{path}: no such draft file")
    _, text = read_text(path, limit=MAX_ANSWERS_BYTES, what="a draft")
    return text


def read_draft(path: Path, ruleset: RuleSet) -> LoadedDraft:
    return parse_draft(_read(path), str(path), ruleset)


def draft_options(path: Path) -> dict[str, str | None]:
    """The options a draft remembers (none for a draft written before drafts kept them)."""
    model = _draft_model(_read(path), str(path))
    return model.options.model_dump() if model.options is not None else {}
