"""pydantic validation errors as located problems: `FILE:LINE:COL: where: what`."""

from __future__ import annotations

import re
from typing import get_args

from pydantic import BaseModel, ValidationError

from screener.core.frozen import replace
from screener.core.limits import MAX_NUMBER_DIGITS
from screener.core.problems import Problem
from screener.core.suggest import suggest
from screener.files.yaml_source import PathKey, SourceDocument

_CHOICE = re.compile(r"'([^']*)'")  # the quoted values of pydantic's `expected`


def where_label(doc: SourceDocument, loc: PathKey) -> str:
    """`rules[7] (htn_review).when` for a path into the document."""
    out = ""
    data: object = doc.data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            if isinstance(data, list) and part < len(data):
                data = data[part]
                if isinstance(data, dict) and isinstance(data.get("id"), str):
                    out += f" ({data['id']})"
            else:
                data = None
        else:
            out += f".{part}" if out else part
            data = data.get(part) if isinstance(data, dict) else None
    return out


def schema_problems(
    doc: SourceDocument, error: ValidationError, root: type[BaseModel]
) -> list[Problem]:
    """One located problem per pydantic error, in words a rule-file author understands; the
    branches of a union that all refuse one value are one problem, not one per branch."""
    problems: list[Problem] = []
    shown: dict[PathKey, int] = {}  # a document path -> its problem's index
    for item in error.errors():
        loc = _document_path(doc, item["loc"], keep_last=item["type"] == "missing")
        message = item["msg"].removeprefix("Value error, ")
        kind = item["type"]
        if loc in shown and kind not in ("missing", "extra_forbidden"):
            before = problems[shown[loc]]
            if kind in ("enum", "literal_error") and before.message.startswith("must be one of"):
                choices = _CHOICE.findall(before.message)
                choices += _CHOICE.findall(str(item.get("ctx", {}).get("expected", "")))
                listed = [repr(c) for c in dict.fromkeys(choices)]
                problems[shown[loc]] = replace(
                    before, message=f"must be one of {', '.join(listed[:-1])} or {listed[-1]}"
                )
            continue  # another branch of a union refusing the same value
        if item["type"] == "extra_forbidden":
            key = str(loc[-1])
            parent = loc[:-1]
            allowed = allowed_keys(root, parent)
            message = f"unknown key {key!r}{suggest(key, allowed)}"
        elif item["type"] == "missing":
            message = f"missing required key {str(loc[-1])!r}"
        elif item["type"] == "string_pattern_mismatch":
            message = "must be lower_snake_case (letters, digits, _; starting with a letter)"
        elif item["type"] == "int_type":
            message = (
                "must be a whole number (digits 0-9, at most"
                f" {MAX_NUMBER_DIGITS}), not {_kind(item.get('input'))}"
            )
        elif item["type"] == "bool_type":
            message = f"must be true or false, not {_kind(item.get('input'))}"
        elif item["type"] in ("enum", "literal_error"):
            expected = item.get("ctx", {}).get("expected", "")
            message = f"must be one of {expected}"
        elif item["type"] in ("model_type", "dict_type"):
            message = f"must be a mapping of keys to values, not {_kind(item.get('input'))}"
        elif item["type"] == "list_type":
            message = f"must be a list, not {_kind(item.get('input'))}"
        elif item["type"] == "string_type":
            message = f"must be a text, not {_kind(item.get('input'))}"
        elif item["type"] == "string_too_short":
            message = "must not be empty"
        if loc not in shown:
            shown[loc] = len(problems)
        problems.append(doc.problem(loc, where_label(doc, loc), message))
    return problems


def _kind(value: object) -> str:
    """What a wrong value was, in a rule-file author's words."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else type(value).__name__


def _document_path(doc: SourceDocument, loc: tuple[int | str, ...], keep_last: bool) -> PathKey:
    """pydantic's error location as a path into the document.

    pydantic adds parts for union members and constrained types; only parts that exist in
    the document are kept (and the last one for a missing key).
    """
    path: list[str | int] = []
    data: object = doc.data
    for index, part in enumerate(loc):
        if isinstance(data, dict) and isinstance(part, str) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        elif not (keep_last and index == len(loc) - 1):
            continue
        path.append(part)
    return tuple(path)


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in get_args(annotation):
        found.extend(_models_in(arg))
    return found


def allowed_keys(root: type[BaseModel], parent: PathKey) -> list[str]:
    """The keys the schema allows at `parent` (for "did you mean" on an unknown key)."""
    models = [root]
    for part in parent:
        if isinstance(part, int):
            continue
        following: list[type[BaseModel]] = []
        for model in models:
            field = model.model_fields.get(part)
            if field is not None:
                following.extend(_models_in(field.annotation))
        # A part no model names is a key of a mapping (the `es` of `translations.es`).
        models = following or models
    return sorted({key for model in models for key in model.model_fields})
