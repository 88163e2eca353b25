"""Resolve a checked tree into the form both engines evaluate: every name a slot.

- a derived value's name becomes its expression (`DerivedRef`), `known()` of it `KnownValue`;
- `question.fact` gets the table of the question's choices (`FactRef.table`);
- an aggregate over a list becomes item-by-item terms over the item slots
  (`<list>_<n>_<field>`): `any` an `or`, `all` an `and`, `count` and `distinct` an `ItemCount`.

Item n exists when the list's count is known and at least n, or, when the count is not known,
when item n or a later one has a known answer; otherwise it may or may not exist (unknown).
So an unknown count widens every aggregate's interval and never narrows it.
"""

from __future__ import annotations

from collections.abc import Mapping

from screener.core.conditions.syntax import (
    Aggregate,
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
)
from screener.core.model import Question


def _rebuild(node: Node, change: Mapping[str, str], resolve: bool, ctx: _Context) -> Node:
    def again(child: Node) -> Node:
        return _rebuild(child, change, resolve, ctx)

    if isinstance(node, QuestionRef):
        name = change.get(node.name, node.name)
        if resolve and name in ctx.derived:
            return DerivedRef(name, ctx.derived[name], node.offset)
        return QuestionRef(name, node.offset)
    if isinstance(node, Known):
        name = change.get(node.name, node.name)
        if resolve and name in ctx.derived:
            return KnownValue(DerivedRef(name, ctx.derived[name], node.offset), node.offset)
        return Known(name, node.offset)
    if isinstance(node, (Literal, ListLiteral, ItemCount, DerivedRef, KnownValue)):
        return node
    if isinstance(node, Not):
        return Not(again(node.operand), node.offset)
    if isinstance(node, And):
        return And(tuple(map(again, node.operands)), node.offset)
    if isinstance(node, Or):
        return Or(tuple(map(again, node.operands)), node.offset)
    if isinstance(node, Compare):
        return Compare(node.op, again(node.left), again(node.right), node.offset)
    if isinstance(node, Membership):
        return Membership(again(node.element), again(node.container), node.negated, node.offset)
    if isinstance(node, Arithmetic):
        return Arithmetic(node.op, again(node.left), again(node.right), node.offset)
    if isinstance(node, Negate):
        return Negate(again(node.operand), node.offset)
    if isinstance(node, FactRef):
        subject = again(node.subject)
        table: tuple[tuple[str, object], ...] = ()
        if resolve and isinstance(subject, QuestionRef):
            question = ctx.questions[subject.name]
            table = tuple(
                (c.value, c.facts[node.name]) for c in question.choices if node.name in c.facts
            )
        return FactRef(subject, node.name, node.offset, table)
    if isinstance(node, Aggregate):
        if not resolve:
            return node  # fields of an inner list are substituted when it is resolved
        return _aggregate(node, ctx)
    raise TypeError(f"not a condition node: {node!r}")


class _Context:
    def __init__(self, questions: Mapping[str, Question], derived: Mapping[str, Node]) -> None:
        self.questions = questions
        self.derived = derived


def item_exists(question: Question, item: int) -> Node:
    """Whether item `item` (1-based) of a list exists, as a condition over its slots."""
    offset = 0
    later = [Known(cell.id, offset) for cells in question.item_cells[item - 1 :] for cell in cells]
    by_count = Compare(">=", QuestionRef(question.id, offset), Literal(item, offset), offset)
    if not later:
        return by_count
    by_answers = And((Not(Known(question.id, offset), offset), Or(tuple(later), offset)), offset)
    return Or((by_count, by_answers), offset)


def _aggregate(node: Aggregate, ctx: _Context) -> Node:
    question = ctx.questions[node.list_name]
    terms: list[Node] = []
    wheres: list[Node | None] = []
    values: list[str] = []
    for item, cells in enumerate(question.item_cells, start=1):
        rename = {f.id: cell.id for f, cell in zip(question.fields, cells, strict=True)}
        where = None
        if node.where is not None:
            where = _rebuild(_rebuild(node.where, rename, False, ctx), {}, True, ctx)
        exists = item_exists(question, item)
        wheres.append(where)
        terms.append(exists if where is None else And((exists, where), node.offset))
        if node.field is not None:
            values.append(rename[node.field])
    if node.kind == "any":
        return Or(tuple(terms), node.offset) if terms else Literal(False, node.offset)
    if node.kind == "all":
        parts: list[Node] = []
        for item, where in enumerate(wheres, start=1):
            assert where is not None
            parts.append(Or((Not(item_exists(question, item), node.offset), where), node.offset))
        return And(tuple(parts), node.offset) if parts else Literal(True, node.offset)
    catch_all: frozenset[str] = frozenset()
    if node.field is not None:
        field = next(f for f in question.fields if f.id == node.field)
        catch_all = frozenset(c.value for c in field.choices if c.catch_all)
    return ItemCount(tuple(terms), node.offset, tuple(values), catch_all)


def resolve(
    node: Node, questions: Mapping[str, Question], derived: Mapping[str, Node] | None = None
) -> Node:
    """The checked tree with every name a slot. `derived`: resolved expressions by name."""
    return _rebuild(node, {}, True, _Context(questions, derived or {}))


def substitute(node: Node, names: Mapping[str, str]) -> Node:
    """The tree with question names replaced (an item's fields by its slots); nothing else."""
    return _rebuild(node, names, False, _Context({}, {}))
