"""What both YAML readers share: a value's position, and what a plain scalar's text means.

A plain value is a number only when written with the ASCII digits 0-9 and at most
MAX_NUMBER_DIGITS of them (`0x2A`, `1e1`, `4_2`, `.inf` and 30-digit numbers stay text, for
the question or schema that reads them to accept or refuse); `null`, `~` and nothing are
null; `true` and `false` (in three spellings each) are true and false; all else is text
(YAML 1.2: `no` is text, not false).
"""

from __future__ import annotations

import re

from screener.core.frozen import record_class
from screener.core.limits import MAX_NUMBER_DIGITS

PathKey = tuple[str | int, ...]


@record_class
class Position:
    line: int  # 1-based
    column: int  # 1-based
    quoted: bool = False  # the value was written as a quoted one-line scalar
    comment_after: bool = False  # a plain value followed by a `#` comment on its last line


_NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE_WORDS = frozenset({"true", "True", "TRUE"})
_FALSE_WORDS = frozenset({"false", "False", "FALSE"})
# ASCII digits only: `[0-9]`, never `\d` (which takes Arabic-Indic and full-width digits).
_INTEGER = re.compile(rf"[-+]?[0-9]{{1,{MAX_NUMBER_DIGITS}}}")
_DECIMAL = re.compile(rf"[-+]?[0-9]{{1,{MAX_NUMBER_DIGITS}}}\.[0-9]{{1,{MAX_NUMBER_DIGITS}}}")


def plain_value(text: str) -> object:
    """A plain (unquoted, untagged) scalar: null, true/false, a plain number, or text."""
    if text in _NULL_WORDS:
        return None
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    if _INTEGER.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text) and sum(c.isdigit() for c in text) <= MAX_NUMBER_DIGITS:
        # The digits in all, as a CSV cell counts them: a longer decimal stays text, which the
        # answer's reading then refuses with the same message as in a CSV export.
        return float(text)
    return text
