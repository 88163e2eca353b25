"""The condition language: tokens, the syntax tree, and a recursive-descent parser.

Grammar (lowest precedence first):

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") sum)?
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := "-" unary | operand
    operand    := NUMBER | STRING | "true" | "false" | "yes" | "no"
                | "known" "(" NAME ")" | NAME | NAME "." FACT
                | ("count" | "any" | "all") "(" LIST ("where" expr)? ")"
                | "distinct" "(" LIST "." FIELD ("where" expr)? ")"
                | "[" literal ("," literal)* "]" | "(" expr ")"

Inside `where`, a name is first a field of the list's item, then a question.

Text is parsed into a tree and never handed to Python's evaluator. Numbers are written with
the ASCII digits 0-9 (at most MAX_NUMBER_DIGITS on each side of the point), and brackets,
parentheses, `not` and a row of arithmetic operators nest at most MAX_CONDITION_DEPTH deep,
so no condition can reach Python's recursion limit here or in the checker, the compiler or
the evaluators.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import Any

from screener.core.frozen import FrozenRecordError
from screener.core.limits import MAX_CONDITION_DEPTH, MAX_NUMBER_DIGITS

AGGREGATES = ("count", "distinct", "any", "all")
KEYWORDS = frozenset(
    {"and", "or", "not", "in", "true", "false", "yes", "no", "known", "where", *AGGREGATES}
)
ARITHMETIC = ("+", "-", "*", "/")
COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")


class ConditionSyntaxError(Exception):
    """A problem in a condition, at a 0-based character offset in its text."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


class _Frozen:
    """A token or tree node: immutable, equal to a node of its own class with equal fields,
    hashed by its fields, shown as `Name(field=value, ...)`: what `dataclass(frozen=True)`
    gives, written out because these classes are made at every start of the program and
    `dataclass()` takes most of a millisecond for each (a cold `screener score` made 17)."""

    __slots__: tuple[str, ...] = ()

    def _fill(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenRecordError(f"{type(self).__name__} is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenRecordError(f"{type(self).__name__} is immutable: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _Frozen)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Token(_Frozen):
    __slots__ = ("kind", "offset", "text")
    kind: str  # "num", "str", "name", "op", "end"
    text: str
    offset: int

    def __init__(self, kind: str, text: str, offset: int) -> None:
        self._fill(kind=kind, text=text, offset=offset)


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<num>[0-9]+(?:\.[0-9]+)?)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,|\+|-|\*|/|\.)
    """,
    re.VERBOSE,
)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            char = text[pos]
            hint = ""
            if char == "=":
                hint = " (use '==' to compare)"
            elif char in "&|!":
                hint = " (use 'and', 'or', 'not')"
            elif char in "\"'":
                hint = " (unterminated string)"
            elif char.isdigit() or char.isnumeric():
                hint = " (write numbers with the digits 0-9)"
            raise ConditionSyntaxError(pos, f"unexpected character {char!r}{hint}")
        kind = match.lastgroup or ""
        if kind == "num" and any(
            len(part) > MAX_NUMBER_DIGITS for part in match.group().lstrip("-").split(".")
        ):
            raise ConditionSyntaxError(
                pos,
                f"a number has more than {MAX_NUMBER_DIGITS} digits (before or after the point)",
            )
        if kind != "space":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# ---- syntax tree -------------------------------------------------------------------------

Scalar = bool | int | float | str


class Literal(_Frozen):
    __slots__ = ("offset", "value")
    value: Scalar
    offset: int

    def __init__(self, value: Scalar, offset: int) -> None:
        self._fill(value=value, offset=offset)


class ListLiteral(_Frozen):
    __slots__ = ("items", "offset")
    items: tuple[Literal, ...]
    offset: int

    def __init__(self, items: tuple[Literal, ...], offset: int) -> None:
        self._fill(items=items, offset=offset)


class QuestionRef(_Frozen):
    __slots__ = ("name", "offset")
    name: str
    offset: int

    def __init__(self, name: str, offset: int) -> None:
        self._fill(name=name, offset=offset)


class Known(_Frozen):
    __slots__ = ("name", "offset")
    name: str
    offset: int

    def __init__(self, name: str, offset: int) -> None:
        self._fill(name=name, offset=offset)


class Not(_Frozen):
    __slots__ = ("offset", "operand")
    operand: Node
    offset: int

    def __init__(self, operand: Node, offset: int) -> None:
        self._fill(operand=operand, offset=offset)


class And(_Frozen):
    __slots__ = ("offset", "operands")
    operands: tuple[Node, ...]
    offset: int

    def __init__(self, operands: tuple[Node, ...], offset: int) -> None:
        self._fill(operands=operands, offset=offset)


class Or(_Frozen):
    __slots__ = ("offset", "operands")
    operands: tuple[Node, ...]
    offset: int

    def __init__(self, operands: tuple[Node, ...], offset: int) -> None:
        self._fill(operands=operands, offset=offset)


class Compare(_Frozen):
    __slots__ = ("left", "offset", "op", "right")
    op: str  # one of COMPARISONS
    left: Node
    right: Node
    offset: int

    def __init__(self, op: str, left: Node, right: Node, offset: int) -> None:
        self._fill(op=op, left=left, right=right, offset=offset)


class Membership(_Frozen):
    __slots__ = ("container", "element", "negated", "offset")
    element: Node
    container: Node
    negated: bool
    offset: int

    def __init__(self, element: Node, container: Node, negated: bool, offset: int) -> None:
        self._fill(element=element, container=container, negated=negated, offset=offset)


class Arithmetic(_Frozen):
    __slots__ = ("left", "offset", "op", "right")
    op: str  # one of ARITHMETIC
    left: Node
    right: Node
    offset: int

    def __init__(self, op: str, left: Node, right: Node, offset: int) -> None:
        self._fill(op=op, left=left, right=right, offset=offset)


class Negate(_Frozen):
    __slots__ = ("offset", "operand")
    operand: Node
    offset: int

    def __init__(self, operand: Node, offset: int) -> None:
        self._fill(operand=operand, offset=offset)


class FactRef(_Frozen):
    """`subject.fact`: a named fact of the choice answered (a medicine's class).

    `table` (choice value -> fact) is filled in when the condition is resolved."""

    __slots__ = ("name", "offset", "subject", "table")
    subject: Node
    name: str
    offset: int
    table: tuple[tuple[str, object], ...]

    def __init__(
        self, subject: Node, name: str, offset: int, table: tuple[tuple[str, object], ...] = ()
    ) -> None:
        self._fill(subject=subject, name=name, offset=offset, table=table)


class Aggregate(_Frozen):
    """`count(list where ...)`, `distinct(list.field where ...)`, `any(...)`, `all(...)` as
    written; resolution turns it into item-by-item terms (ItemCount, Or, And, ...)."""

    __slots__ = ("field", "kind", "list_name", "offset", "where")
    kind: str  # one of AGGREGATES
    list_name: str
    field: str | None  # distinct only
    where: Node | None
    offset: int

    def __init__(
        self, kind: str, list_name: str, field: str | None, where: Node | None, offset: int
    ) -> None:
        self._fill(kind=kind, list_name=list_name, field=field, where=where, offset=offset)


class ItemCount(_Frozen):
    """How many items match, as an interval: each term is one item's yes/no (it exists and
    matches). With `values`, the number of distinct values among matching items instead:
    `values[n]` is the slot of item n's field, `catch_all` its choices that may or may not
    name the same thing twice."""

    __slots__ = ("catch_all", "offset", "terms", "values")
    terms: tuple[Node, ...]
    offset: int
    values: tuple[str, ...]
    catch_all: frozenset[str]

    def __init__(
        self,
        terms: tuple[Node, ...],
        offset: int,
        values: tuple[str, ...] = (),
        catch_all: frozenset[str] = frozenset(),
    ) -> None:
        self._fill(terms=terms, offset=offset, values=values, catch_all=catch_all)


class DerivedRef(_Frozen):
    """A derived value by name, with its (resolved) expression."""

    __slots__ = ("expr", "name", "offset")
    name: str
    expr: Node
    offset: int

    def __init__(self, name: str, expr: Node, offset: int) -> None:
        self._fill(name=name, expr=expr, offset=offset)


class KnownValue(_Frozen):
    """known() of a derived value: whether the expression has a value."""

    __slots__ = ("offset", "operand")
    operand: Node
    offset: int

    def __init__(self, operand: Node, offset: int) -> None:
        self._fill(operand=operand, offset=offset)


Node = (
    Literal
    | ListLiteral
    | QuestionRef
    | Known
    | Not
    | And
    | Or
    | Compare
    | Membership
    | Arithmetic
    | Negate
    | FactRef
    | Aggregate
    | ItemCount
    | DerivedRef
    | KnownValue
)


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, ListLiteral):
        return node.items
    if isinstance(node, Not):
        return (node.operand,)
    if isinstance(node, (And, Or)):
        return node.operands
    if isinstance(node, Compare):
        return (node.left, node.right)
    if isinstance(node, Membership):
        return (node.element, node.container)
    if isinstance(node, Arithmetic):
        return (node.left, node.right)
    if isinstance(node, (Negate, KnownValue)):
        return (node.operand,)
    if isinstance(node, FactRef):
        return (node.subject,)
    if isinstance(node, Aggregate):
        return (node.where,) if node.where is not None else ()
    if isinstance(node, ItemCount):
        return node.terms + tuple(QuestionRef(v, node.offset) for v in node.values)
    if isinstance(node, DerivedRef):
        return (node.expr,)
    return ()


def walk(node: Node) -> list[Node]:
    """Every node of the tree, parents before children."""
    out = [node]
    for child in children(node):
        out.extend(walk(child))
    return out


def referenced_questions(node: Node) -> tuple[str, ...]:
    """Question ids (slots, once resolved) the condition reads, in order of first appearance."""
    seen: dict[str, None] = {}
    for sub in walk(node):
        if isinstance(sub, (QuestionRef, Known)):
            seen.setdefault(sub.name, None)
    return tuple(seen)


def meaning_key(node: Node) -> Hashable:
    """What a tree means, not where it was written: equal for two trees that differ only in
    their offsets. Each value is tagged by its type (`1`, `1.0` and `true` stay apart)."""

    def key(value: object) -> Hashable:
        if isinstance(value, _Frozen):
            fields = (key(getattr(value, name)) for name in value.__slots__ if name != "offset")
            return (type(value).__name__, *fields)
        if isinstance(value, tuple):
            return tuple(map(key, value))
        try:
            hash(value)
        except TypeError:  # a list, say: the same object only
            return ("object", id(value))
        return (type(value).__name__, value)

    return key(node)


# ---- parser ------------------------------------------------------------------------------


TOO_DEEP = (
    f"brackets, parentheses and 'not' nest more than {MAX_CONDITION_DEPTH} deep here;"
    " split the condition into simpler rules"
)
TOO_LONG_ROW = (
    f"operators in a row (+ - * /) and brackets nest more than {MAX_CONDITION_DEPTH} deep here;"
    " split the sum into derived values"
)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    def _nest(self, tok: Token, too_deep: str = TOO_DEEP) -> None:
        """One more level of brackets, parentheses or `not` (undone by `_unnest`); or, with
        `too_deep=TOO_LONG_ROW`, one more operator of a row of `+ - * /`, each of which makes
        the tree a level deeper (undone by the caller)."""
        self.depth += 1
        if self.depth > MAX_CONDITION_DEPTH:
            raise ConditionSyntaxError(tok.offset, too_deep)

    def _unnest(self) -> None:
        self.depth -= 1

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def _is(self, kind: str, text: str | None = None) -> bool:
        tok = self.current
        return tok.kind == kind and (text is None or tok.text == text)

    def _advance(self) -> Token:
        tok = self.current
        self.index += 1
        return tok

    def _expect(self, kind: str, text: str, what: str) -> Token:
        if not self._is(kind, text):
            raise ConditionSyntaxError(
                self.current.offset, f"expected {what}, found {_describe(self.current)}"
            )
        return self._advance()

    def parse(self) -> Node:
        if self._is("end"):
            raise ConditionSyntaxError(0, "the condition is empty")
        node = self.expr()
        if not self._is("end"):
            tok = self.current
            hint = ""
            if tok.kind == "name" and tok.text not in KEYWORDS:
                hint = " (missing 'and' or 'or'?)"
            raise ConditionSyntaxError(tok.offset, f"unexpected {_describe(tok)}{hint}")
        return node

    def expr(self) -> Node:
        start = self.current.offset
        operands = [self.and_expr()]
        while self._is("name", "or"):
            self._advance()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else Or(tuple(operands), start)

    def and_expr(self) -> Node:
        start = self.current.offset
        operands = [self.not_expr()]
        while self._is("name", "and"):
            self._advance()
            operands.append(self.not_expr())
        return operands[0] if len(operands) == 1 else And(tuple(operands), start)

    def not_expr(self) -> Node:
        if self._is("name", "not"):
            self._nest(self.current)
            start = self._advance().offset
            node = Not(self.not_expr(), start)
            self._unnest()
            return node
        return self.comparison()

    def comparison(self) -> Node:
        left = self.sum()
        tok = self.current
        if tok.kind == "op" and tok.text in COMPARISONS:
            self._advance()
            return Compare(tok.text, left, self.sum(), tok.offset)
        if self._is("name", "in"):
            self._advance()
            return Membership(left, self.sum(), False, tok.offset)
        if self._is("name", "not") and self.tokens[self.index + 1].text == "in":
            self._advance()
            self._advance()
            return Membership(left, self.sum(), True, tok.offset)
        return left

    def sum(self) -> Node:
        node = self.product()
        terms = 0
        while self.current.kind == "op" and self.current.text in ("+", "-"):
            tok = self._advance()
            self._nest(tok, TOO_LONG_ROW)
            terms += 1
            node = Arithmetic(tok.text, node, self.product(), tok.offset)
        self.depth -= terms
        return node

    def product(self) -> Node:
        node = self.unary()
        terms = 0
        while self.current.kind == "op" and self.current.text in ("*", "/"):
            tok = self._advance()
            self._nest(tok, TOO_LONG_ROW)
            terms += 1
            node = Arithmetic(tok.text, node, self.unary(), tok.offset)
        self.depth -= terms
        return node

    def unary(self) -> Node:
        if self._is("op", "-"):
            self._nest(self.current)
            tok = self._advance()
            inner = self.unary()
            self._unnest()
            if isinstance(inner, Literal):
                value = inner.value
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    return Literal(-value, tok.offset)
            return Negate(inner, tok.offset)
        return self.operand()

    def _name(self, what: str) -> Token:
        tok = self.current
        if tok.kind != "name" or tok.text in KEYWORDS:
            raise ConditionSyntaxError(tok.offset, f"expected {what}, found {_describe(tok)}")
        return self._advance()

    def aggregate(self) -> Aggregate:
        self._nest(self.current)
        kind = self._advance()
        self._expect("op", "(", f"'(' after {kind.text}")
        list_name = self._name("a list question id").text
        field = None
        if kind.text == "distinct":
            self._expect("op", ".", "'.' and the field to count, as in distinct(list.field)")
            field = self._name("a field of the list").text
        where = None
        if self._is("name", "where"):
            self._advance()
            where = self.expr()
        elif kind.text in ("any", "all"):
            raise ConditionSyntaxError(
                self.current.offset, f"{kind.text}() needs a condition: {kind.text}(list where ...)"
            )
        self._expect("op", ")", f"')' to close {kind.text}(")
        self._unnest()
        return Aggregate(kind.text, list_name, field, where, kind.offset)

    def operand(self) -> Node:
        tok = self.current
        if tok.kind == "num":
            self._advance()
            number = float(tok.text) if "." in tok.text else int(tok.text)
            return Literal(number, tok.offset)
        if tok.kind == "str":
            self._advance()
            return Literal(_unquote(tok.text), tok.offset)
        if tok.kind == "op" and tok.text == "(":
            self._nest(tok)
            self._advance()
            node = self.expr()
            self._expect("op", ")", "')'")
            self._unnest()
            return node
        if tok.kind == "op" and tok.text == "[":
            self._nest(tok)
            literal = self.list_literal()
            self._unnest()
            return literal
        if tok.kind == "name":
            if tok.text in ("true", "yes"):
                self._advance()
                return Literal(True, tok.offset)
            if tok.text in ("false", "no"):
                self._advance()
                return Literal(False, tok.offset)
            if tok.text == "known":
                self._advance()
                self._expect("op", "(", "'(' after known")
                name = self.current
                if name.kind != "name" or name.text in KEYWORDS:
                    raise ConditionSyntaxError(
                        name.offset, f"known() takes a question id, found {_describe(name)}"
                    )
                self._advance()
                self._expect("op", ")", "')' to close known(")
                return Known(name.text, tok.offset)
            if tok.text in AGGREGATES and self.tokens[self.index + 1].text == "(":
                return self.aggregate()
            if tok.text not in KEYWORDS:
                self._advance()
                ref = QuestionRef(tok.text, tok.offset)
                if self._is("op", "."):
                    dot = self._advance()
                    fact = self._name("the name of a fact after '.'")
                    return FactRef(ref, fact.text, dot.offset)
                return ref
        raise ConditionSyntaxError(
            tok.offset, f"expected a value or a question id, found {_describe(tok)}"
        )

    def list_literal(self) -> ListLiteral:
        start = self._advance().offset
        items: list[Literal] = []
        while True:
            node = self.operand()
            if not isinstance(node, Literal):
                raise ConditionSyntaxError(
                    _offset(node), "a list holds only literal values (quote choice values)"
                )
            items.append(node)
            if self._is("op", ","):
                self._advance()
                if self._is("op", "]"):
                    break
                continue
            break
        self._expect("op", "]", "',' or ']'")
        return ListLiteral(tuple(items), start)


def _offset(node: Node) -> int:
    return node.offset


def _describe(tok: Token) -> str:
    if tok.kind == "end":
        return "end of condition"
    return f"{tok.text!r}"


def _unquote(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


def parse_condition(text: str) -> Node:
    """Parse condition text into a tree; raises ConditionSyntaxError with an offset."""
    return _Parser(text).parse()
