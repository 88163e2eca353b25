"""JSON documents as screener writes them: indented by two spaces, UTF-8 as it is (no `\\u`
escapes), one newline at the end; a number that is not finite is written `null`, as JSON has
no word for it."""

from __future__ import annotations

import json
import math


def _finite(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def json_document(data: object) -> str:
    """`data` (dicts, lists, text, numbers, booleans, None) as a JSON document."""
    return json.dumps(_finite(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


__all__ = ["json_document"]
