"""CSV cells that a spreadsheet shows as text, never runs as a formula.

A cell copied from an export (an id, an input cell, a header name, a message quoting one) may
begin with `=`, `+`, `-`, `@`, a tab or a carriage return, which Excel, LibreOffice and Google
Sheets read as the start of a formula (`=HYPERLINK(...)`, `@SUM(...)`, `-2+3`). Such a cell is
written with a single quote in front (`'=1+2`), the form spreadsheets read as "this is text".
Every such cell is prefixed, negative numbers (`-5`) included: telling a harmless number from
a formula is what the attacks exploit, and a quote in front of `-5` loses nothing a reader
needs. The quote is part of the cell's text: a program reading the CSV sees `'-5`.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SPECIAL = re.compile(r'^[=+\-@\t\r]|[",\r\n]')
# In cells joined by NUL: any that needs quoting, or a prefix (a NUL, then a formula start).
_QUOTED = ('"', ",", "\r", "\n")
_STARTS = tuple("\x00" + start for start in FORMULA_START)


def spreadsheet_safe(text: str) -> str:
    """`text` with a single quote in front when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_field(text: str) -> str:
    """One CSV field, spreadsheet-safe, quoted only when it must be (as csv.writer's
    QUOTE_MINIMAL)."""
    if _SPECIAL.search(text) is None:
        return text
    text = spreadsheet_safe(text)
    if '"' in text or "," in text or "\r" in text or "\n" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


# In a record joined by commas: a cell that needs quoting or a prefix (a cell holding a comma
# is found by counting the commas).
_SPECIAL_ROW = re.compile(r'["\r\n]|(?:^|,)[=+\-@\t]')


def csv_record(cells: list[str]) -> str:
    """One CSV record (no line end) of spreadsheet-safe fields; fast for the usual record,
    whose cells need neither quotes nor a prefix."""
    line = ",".join(cells)
    if line.count(",") == len(cells) - 1 and _SPECIAL_ROW.search(line) is None:
        return line
    return ",".join(map(csv_field, cells))


def csv_fields(texts: list[str]) -> list[str]:
    """Many fields at once; fast when none needs quoting or a prefix (the usual case)."""
    joined = "\x00" + "\x00".join(texts)
    # Substring tests (each one fast scan) are several times quicker than one regex here.
    if not any(mark in joined for mark in _QUOTED) and not any(s in joined for s in _STARTS):
        return texts
    return list(map(csv_field, texts))
