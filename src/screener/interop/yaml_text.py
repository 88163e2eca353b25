"""Plain data written as YAML text that no untrusted string can give structure to.

Every string is a double-quoted scalar (JSON's escapes, which YAML 1.2 reads the same, plus
`\\uXXXX` for every character that is not printable), so a label holding `: `, `#`, `{`, a
line break or `!!python/object` stays one string. Comments are one line each: their text has
its line breaks and other control characters folded into spaces. Keys are identifiers written
by the caller (never untrusted).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from screener.core.frozen import record_class

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

Scalar = str | int | float | bool | None


@record_class
class Commented:
    """A value with comment lines written just above its key (or list item)."""

    value: Data
    comments: tuple[str, ...] = ()


Data = Scalar | Commented | Mapping[str, "Data"] | Sequence["Data"]


def quoted(text: str) -> str:
    """A double-quoted YAML scalar for any text."""
    body = json.dumps(text, ensure_ascii=False)
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in body)


def comment_text(text: str) -> str:
    """Text safe for one comment line: white space (line breaks too) collapsed, other
    characters that are not printable dropped."""
    return "".join(c for c in " ".join(text.split()) if c.isprintable())


def scalar(value: Scalar) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return quoted(value)


def _comments(comments: Sequence[str], indent: str) -> list[str]:
    return [f"{indent}# {comment_text(c)}".rstrip() for c in comments]


def _lines(value: Data, indent: str) -> list[str]:
    """The lines of a mapping's or a list's entries (value is a mapping or a list)."""
    out: list[str] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not _KEY.fullmatch(key):
                raise ValueError(f"not a plain key: {key!r}")
            comments: tuple[str, ...] = ()
            if isinstance(item, Commented):
                comments, item = item.comments, item.value
            out += _comments(comments, indent)
            if isinstance(item, (Mapping, list, tuple)) and item:
                out.append(f"{indent}{key}:")
                out += _lines(item, indent + "  ")
            else:
                out.append(f"{indent}{key}: {_inline(item)}")
        return out
    assert isinstance(value, (list, tuple))
    for item in value:
        comments = ()
        if isinstance(item, Commented):
            comments, item = item.comments, item.value
        out += _comments(comments, indent)
        if isinstance(item, (Mapping, list, tuple)) and item:
            inner = _lines(item, indent + "  ")
            first = next(i for i, line in enumerate(inner) if not line.lstrip().startswith("#"))
            out += inner[:first]
            out.append(f"{indent}- {inner[first].lstrip()}")
            out += inner[first + 1 :]
        else:
            out.append(f"{indent}- {_inline(item)}")
    return out


def _inline(value: Data) -> str:
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, (list, tuple)):
        return "[]"
    assert isinstance(value, (str, int, float, bool)) or value is None
    return scalar(value)


def yaml_text(data: Mapping[str, Data], header: Sequence[str] = ()) -> str:
    """A YAML document for a mapping, with comment lines first."""
    return "\n".join([*_comments(header, ""), *_lines(data, "")]) + "\n"
