"""Test helper: evaluate REDCap branching logic (the subset the dictionary writes) on stored
values, as REDCap does: two-valued, a blank is `''`, numbers compare as numbers when both sides
are numbers. How REDCap orders a blank against a number is not something the translation may
rely on, so the evaluator takes it as a parameter and tests try both."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<field>\[[a-z][a-z0-9_]*(?:\([^)]*\))?\])|(?P<str>'[^']*')"
    r"|(?P<num>-?\d+(?:\.\d+)?)|(?P<op><>|<=|>=|=|<|>)|(?P<word>and|or)|(?P<paren>[()]))"
)
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        assert match is not None and match.end() > pos, f"cannot read {text[pos:]!r}"
        kind = match.lastgroup
        assert kind is not None
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


class Evaluator:
    def __init__(self, values: Mapping[str, str], blank_before_numbers: bool) -> None:
        self.values = values  # "[age]" or "[meds(1)]" -> stored text
        self.blank_before_numbers = blank_before_numbers

    def value(self, kind: str, text: str) -> str:
        if kind == "field":
            assert text in self.values, f"unknown field {text}"
            return self.values[text]
        if kind == "str":
            return text[1:-1]
        return text

    def compare(self, left: str, op: str, right: str) -> bool:
        a, b = _number(left), _number(right)
        if a is not None and b is not None:
            return _OPS[op](a, b)
        if op in ("=", "<>"):
            return _OPS[op](left, right)
        if "" in (left, right):
            # A blank against a number: either order, as the test chooses.
            blank_first = left == ""
            return _OPS[op](0, 1) if blank_first == self.blank_before_numbers else _OPS[op](1, 0)
        return _OPS[op](left, right)

    def run(self, text: str) -> bool:
        if not text.strip():
            return True
        self.tokens = tokens(text)
        self.index = 0
        result = self.disjunction()
        assert self.index == len(self.tokens), f"trailing text in {text!r}"
        return result

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def disjunction(self) -> bool:
        results = [self.conjunction()]
        while self._peek() == ("word", "or"):
            self.index += 1
            results.append(self.conjunction())
        return any(results)

    def conjunction(self) -> bool:
        results = [self.atom()]
        while self._peek() == ("word", "and"):
            self.index += 1
            results.append(self.atom())
        return all(results)

    def atom(self) -> bool:
        token = self._peek()
        assert token is not None
        if token == ("paren", "("):
            self.index += 1
            result = self.disjunction()
            assert self._peek() == ("paren", ")")
            self.index += 1
            return result
        left = self.value(*self.tokens[self.index])
        kind, op = self.tokens[self.index + 1]
        assert kind == "op", f"expected a comparison, found {op!r}"
        right = self.value(*self.tokens[self.index + 2])
        self.index += 3
        return self.compare(left, op, right)


def shows(logic: str, values: Mapping[str, str], blank_before_numbers: bool) -> bool:
    """Whether REDCap shows a field with this branching logic."""
    return Evaluator(values, blank_before_numbers).run(logic)
