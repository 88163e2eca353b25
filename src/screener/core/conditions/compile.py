"""Turn a checked condition tree into a function of the answers, with Kleene logic.

The functions close over the tree's values; nothing is generated as source text.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from screener.core.conditions.syntax import (
    And,
    Compare,
    Known,
    ListLiteral,
    Literal,
    Membership,
    Node,
    Not,
    Or,
    QuestionRef,
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


def _value_getter(node: Node) -> Getter:
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
        return lambda answers: answers.get(name) is not None
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
        compare = _OPERATORS[node.op]

        def comparison(answers: Answers) -> Tri:
            a, b = left(answers), right(answers)
            if a is None or b is None:
                return None
            return compare(a, b)

        return comparison
    if isinstance(node, Membership):
        return _membership(node)
    raise TypeError(f"not a condition node: {node!r}")


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
