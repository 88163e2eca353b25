"""Turn a checked condition tree into a function of the answers, with Kleene logic.

The functions close over the tree's values; nothing is generated as source text.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from screener.core.conditions.syntax import (
    And,
    Arithmetic,
    Compare,
    DerivedRef,
    FactRef,
    ItemCount,
    Known,
    KnownValue,
    ListLiteral,
    Literal,
    Membership,
    Negate,
    Node,
    Not,
    Or,
    QuestionRef,
    referenced_questions,
)
from screener.core.model import NONE_CHOICE, Answers, Condition, Value
from screener.core.tristate import Tri, tri_and, tri_not, tri_or

Getter = Callable[[Answers], object]

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class NotYetAsked(dict[str, Value]):
    """Answers so far, with the questions still to be asked: `known()` of one of them is
    unknown, so a condition that is decided on these answers stays decided however the rest
    of the interview goes (every other form is already sound for unknown answers)."""

    def __init__(self, answers: Answers, not_yet_asked: frozenset[str]) -> None:
        super().__init__(answers)
        self.not_yet_asked = not_yet_asked


class Span:
    """A whole number known only to lie in [lo, hi]: how many items match an aggregate."""

    __slots__ = ("hi", "lo")

    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi

    def __repr__(self) -> str:
        return f"Span({self.lo}, {self.hi})"


def _bounds(value: object) -> tuple[float, float]:
    if isinstance(value, Span):
        return value.lo, value.hi
    assert isinstance(value, (int, float))
    return value, value


def compare_values(op: str, a: object, b: object) -> Tri:
    """`a op b`, decided only when every value the unknowns allow agrees."""
    if a is None or b is None:
        return None
    if not isinstance(a, Span) and not isinstance(b, Span):
        return _OPERATORS[op](a, b)
    (alo, ahi), (blo, bhi) = _bounds(a), _bounds(b)
    if op in ("==", "!="):
        if alo == ahi == blo == bhi:
            equal: Tri = True
        elif ahi < blo or bhi < alo:
            equal = False
        else:
            equal = None
        return equal if op == "==" or equal is None else not equal
    # a < b, a <= b, a > b, a >= b: true when it holds at the worst pair, false when it
    # fails at the best one.
    less = {"<": operator.lt, "<=": operator.le}
    if op in less:
        holds = less[op]
        return True if holds(ahi, blo) else (False if not holds(alo, bhi) else None)
    flipped = {">": "<", ">=": "<="}[op]
    return compare_values(flipped, b, a)


def _arithmetic(op: str, a: object, b: object) -> float | None:
    """Arithmetic on known numbers; unknown when an operand is unknown or not exact."""
    if isinstance(a, Span):
        a = a.lo if a.lo == a.hi else None
    if isinstance(b, Span):
        b = b.lo if b.lo == b.hi else None
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return None
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return a / b if b != 0 else None


def _count(node: ItemCount) -> Getter:
    terms = tuple(compile_condition(term) for term in node.terms)
    if not node.values:

        def count(answers: Answers) -> Span:
            values = [term(answers) for term in terms]
            return Span(sum(v is True for v in values), sum(v is not False for v in values))

        return count
    slots, catch_all = node.values, node.catch_all

    def distinct(answers: Answers) -> Span:
        sure: set[object] = set()  # values of items that surely match
        maybe: set[object] = set()  # values of items that may match
        sure_other = unknown = 0  # catch-all values that surely match; unknown values
        for term, slot in zip(terms, slots, strict=True):
            matched = term(answers)
            if matched is False:
                continue
            value = answers.get(slot)
            if value is None or value in catch_all:
                unknown += 1
                if value is not None and matched is True:
                    sure_other = 1
                continue
            maybe.add(value)
            if matched is True:
                sure.add(value)
        # Catch-alls differ from every named value; two of them may or may not be the same.
        return Span(len(sure) + sure_other, len(maybe) + unknown)

    return distinct


def _value_getter(node: Node) -> Getter:
    if isinstance(node, ItemCount):
        return _count(node)
    if isinstance(node, DerivedRef):
        return _value_getter(node.expr)
    if isinstance(node, Arithmetic):
        left, right, op = _value_getter(node.left), _value_getter(node.right), node.op
        return lambda answers: _arithmetic(op, left(answers), right(answers))
    if isinstance(node, Negate):
        inner = _value_getter(node.operand)
        return lambda answers: _arithmetic("-", 0, inner(answers))
    if isinstance(node, FactRef):
        subject, table = _value_getter(node.subject), dict(node.table)
        return lambda answers: table.get(subject(answers))  # type: ignore[call-overload]
    if isinstance(node, Literal):
        constant = node.value
        return lambda answers: constant
    if isinstance(node, QuestionRef):
        name = node.name
        return lambda answers: answers.get(name)
    if isinstance(node, ListLiteral):
        items = frozenset(item.value for item in node.items)
        return lambda answers: items
    condition = compile_condition(node)
    return condition


def compile_condition(node: Node) -> Condition:
    """A function from answers to True / False / None (unknown). The tree must be checked."""
    if isinstance(node, QuestionRef):
        name = node.name

        def bare(answers: Answers) -> Tri:
            value: Value = answers.get(name)
            return value if isinstance(value, bool) else None

        return bare
    if isinstance(node, Literal):
        constant = bool(node.value)
        return lambda answers: constant
    if isinstance(node, Known):
        name = node.name

        def known(answers: Answers) -> Tri:
            if isinstance(answers, NotYetAsked) and name in answers.not_yet_asked:
                return None  # it may still be answered, or not
            return answers.get(name) is not None

        return known
    if isinstance(node, KnownValue):
        value = _value_getter(node.operand)
        reads = referenced_questions(node.operand)

        def known_value(answers: Answers) -> Tri:
            if isinstance(answers, NotYetAsked) and answers.not_yet_asked.intersection(reads):
                return None
            return value(answers) is not None

        return known_value
    if isinstance(node, DerivedRef):
        return compile_condition(node.expr)
    if isinstance(node, FactRef):
        fact = _value_getter(node)

        def bare_fact(answers: Answers) -> Tri:
            value = fact(answers)
            return value if isinstance(value, bool) else None

        return bare_fact
    if isinstance(node, Not):
        inner = compile_condition(node.operand)
        return lambda answers: tri_not(inner(answers))
    if isinstance(node, And):
        parts = tuple(compile_condition(op) for op in node.operands)
        return lambda answers: tri_and(part(answers) for part in parts)
    if isinstance(node, Or):
        parts = tuple(compile_condition(op) for op in node.operands)
        return lambda answers: tri_or(part(answers) for part in parts)
    if isinstance(node, Compare):
        left, right = _value_getter(node.left), _value_getter(node.right)
        op = node.op
        if not _may_be_span(node.left) and not _may_be_span(node.right):
            compare = _OPERATORS[op]

            def comparison(answers: Answers) -> Tri:
                a, b = left(answers), right(answers)
                if a is None or b is None:
                    return None
                return compare(a, b)

            return comparison
        return lambda answers: compare_values(op, left(answers), right(answers))
    if isinstance(node, Membership):
        return _membership(node)
    raise TypeError(f"not a condition node: {node!r}")


def _may_be_span(node: Node) -> bool:
    return isinstance(node, (ItemCount, Arithmetic, Negate, DerivedRef))


def value_getter(node: Node) -> Getter:
    """A function from answers to the value of a resolved expression (None when unknown)."""
    return _value_getter(node)


def _membership(node: Membership) -> Condition:
    element, container = _value_getter(node.element), _value_getter(node.container)
    negated = node.negated
    # "none" in a multi-choice answer means the person picked "none of these".
    asks_for_none = (
        isinstance(node.element, Literal)
        and node.element.value == NONE_CHOICE
        and isinstance(node.container, QuestionRef)
    )

    def membership(answers: Answers) -> Tri:
        item, group = element(answers), container(answers)
        if item is None or group is None:
            return None
        assert isinstance(group, frozenset)
        found = (not group) if asks_for_none else item in group
        return found != negated

    return membership
