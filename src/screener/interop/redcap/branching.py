"""`ask_if` conditions as REDCap branching logic.

screener's logic has three values and REDCap's two: a blank field in REDCap compares as `''`,
so `[x] <> '0'` is true for a blank x, and there is no "unknown". A question is asked unless
its `ask_if` is definitely false (an unknown answer keeps it asked), so the branching logic
written for it is "the condition is not definitely false".

Each condition node is translated into two REDCap expressions: *definitely true* and
*definitely false*, each built only from comparisons that are exact for every stored value
(`=`, `<>`, and number comparisons guarded by `<> ''`), so a blank or "don't know" never
reads as a clear yes or no. `not` swaps the two, `and` and `or` combine them as Kleene logic
does, and the branching logic is the negation of *definitely false* (negation moves down to
the comparisons: `=` and `<>` swap, `<` and `>=` swap, and so on; REDCap has no `not`).

An answer to a question that its own skip logic hides counts as unknown in screener, so
every comparison on a question that has an `ask_if` is also guarded by that question being
shown (the same translation, applied to its `ask_if`).

Where REDCap cannot express a test exactly (text answers: "dk" or "?" typed into a text
field mean "don't know" to screener, and REDCap compares text its own way), each expression
is kept as a pair: one that claims a value only where screener surely has it (used for the
logic written), and one that claims it wherever screener might (used only to tell whether the
translation is exact). So an approximation always errs towards showing the question.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from screener.core.conditions.compile import compile_condition
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
    referenced_questions,
)
from screener.core.frozen import record_class
from screener.core.model import NONE_CHOICE
from screener.interop.redcap.codes import FieldCoding

# ---- REDCap expressions ----------------------------------------------------------------------

_NEGATED_OP = {"=": "<>", "<>": "=", "<": ">=", ">=": "<", "<=": ">", ">": "<="}
_REDCAP_OP = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_MIRRORED_OP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@record_class
class Atom:
    left: str
    op: str
    right: str


@record_class
class AllOf:
    parts: tuple[Expr, ...]


@record_class
class AnyOf:
    parts: tuple[Expr, ...]


Expr = Atom | AllOf | AnyOf
TRUE: Expr = AllOf(())
FALSE: Expr = AnyOf(())


def _flatten(kind: type[AllOf] | type[AnyOf], parts: Iterable[Expr]) -> tuple[Expr, ...]:
    seen: dict[Expr, None] = {}
    for part in parts:
        for sub in part.parts if isinstance(part, kind) else (part,):
            seen.setdefault(sub, None)
    return tuple(seen)


def all_of(*parts: Expr) -> Expr:
    flat = _flatten(AllOf, parts)
    if FALSE in flat:
        return FALSE
    return flat[0] if len(flat) == 1 else AllOf(flat)


def any_of(*parts: Expr) -> Expr:
    flat = _flatten(AnyOf, parts)
    if TRUE in flat:
        return TRUE
    return flat[0] if len(flat) == 1 else AnyOf(flat)


def negate(expr: Expr) -> Expr:
    if isinstance(expr, Atom):
        return Atom(expr.left, _NEGATED_OP[expr.op], expr.right)
    if isinstance(expr, AllOf):
        return any_of(*(negate(p) for p in expr.parts))
    return all_of(*(negate(p) for p in expr.parts))


def render(expr: Expr, nested: bool = False) -> str:
    """REDCap syntax, single quotes only; every compound inside another is parenthesised."""
    if isinstance(expr, Atom):
        return f"{expr.left} {expr.op} {expr.right}"
    word = " and " if isinstance(expr, AllOf) else " or "
    text = word.join(render(p, nested=True) for p in expr.parts)
    return f"({text})" if nested and len(expr.parts) > 1 else text


def _field(name: str, code: str | None = None) -> str:
    return f"[{name}]" if code is None else f"[{name}({code})]"


def _quoted(text: str) -> str:
    return f"'{text}'"


def _number(value: object) -> str:
    assert isinstance(value, (int, float)) and not isinstance(value, bool)
    return str(value) if isinstance(value, int) else repr(float(value))


# ---- translation -----------------------------------------------------------------------------

Bounds = tuple[Expr, Expr]  # (claims the value only where surely so, wherever possibly so)


def _exact(expr: Expr) -> Bounds:
    return (expr, expr)


UNTRANSLATED: Bounds = (FALSE, TRUE)


@record_class
class Value3:
    """A condition as two-valued REDCap tests: where it is definitely true, definitely false."""

    true: Bounds
    false: Bounds

    def swapped(self) -> Value3:
        return Value3(self.false, self.true)


def _both(function: type[AllOf] | type[AnyOf], bounds: Iterable[Bounds]) -> Bounds:
    combine = all_of if function is AllOf else any_of
    listed = list(bounds)
    return (combine(*(b[0] for b in listed)), combine(*(b[1] for b in listed)))


def _negated(bounds: Bounds) -> Bounds:
    """Not(surely X) is 'possibly not X', so the pair swaps as it is negated."""
    return (negate(bounds[1]), negate(bounds[0]))


class Translator:
    """Translates the conditions of one rule set, given how each question is coded."""

    def __init__(self, codings: Mapping[str, FieldCoding], record_id: str = "record_id") -> None:
        self.codings = codings
        self.record_id = record_id
        self._shown: dict[str, Bounds] = {}

    # -- public --

    def branching(self, node: Node) -> tuple[str, bool]:
        """The branching logic for a question with this `ask_if` ('' for always shown), and
        whether it is exact (False: it shows the question in some cases screener skips it)."""
        shown = _negated(self.value(node).false)
        if shown[1] == FALSE:
            # Never asked (an ask_if that is false whatever the answers). REDCap has no constant
            # false; a test no record passes stands for it.
            blank = Atom(_field(self.record_id), "=", "''")
            return render(AllOf((blank, negate(blank)))), shown[0] == shown[1]
        return render(shown[1]), shown[0] == shown[1]

    def shown(self, question: str) -> Bounds:
        """Where the question is shown: its `ask_if` is not definitely false."""
        if question not in self._shown:
            tree = self.codings[question].question.ask_if_tree
            self._shown[question] = (
                _exact(TRUE) if tree is None else _negated(self.value(tree).false)
            )
        return self._shown[question]

    # -- nodes --

    def value(self, node: Node) -> Value3:
        if isinstance(node, Literal):
            return self._constant(node)
        if isinstance(node, Not):
            return self.value(node.operand).swapped()
        if isinstance(node, And):
            parts = [self.value(op) for op in node.operands]
            return Value3(
                _both(AllOf, (p.true for p in parts)), _both(AnyOf, (p.false for p in parts))
            )
        if isinstance(node, Or):
            parts = [self.value(op) for op in node.operands]
            return Value3(
                _both(AnyOf, (p.true for p in parts)), _both(AllOf, (p.false for p in parts))
            )
        if isinstance(node, Known):
            return self._known(node.name)
        if isinstance(node, QuestionRef):  # a yes/no question on its own
            return self._visible(
                (node.name,), self._equals(node.name, True) or (UNTRANSLATED, UNTRANSLATED)
            )
        if isinstance(node, Compare):
            return self._compare(node)
        if isinstance(node, Membership):
            return self._membership(node)
        raise TypeError(f"not a condition node: {node!r}")  # pragma: no cover

    def _constant(self, node: Node) -> Value3:
        value = compile_condition(node)({})
        if value is None:  # pragma: no cover - a condition without questions is decided
            return Value3(UNTRANSLATED, UNTRANSLATED)
        return Value3(_exact(TRUE if value else FALSE), _exact(FALSE if value else TRUE))

    def _visible(self, questions: tuple[str, ...], raw: tuple[Bounds, Bounds]) -> Value3:
        """A test of stored values, true or false only where every question it reads is shown
        (the answer to a hidden question is unknown)."""
        shown = [self.shown(q) for q in questions]
        true, false = raw
        return Value3(_both(AllOf, [*shown, true]), _both(AllOf, [*shown, false]))

    def _answered(self, name: str) -> Bounds:
        """Stored values that are a known answer."""
        coding = self.codings[name]
        if coding.field_type == "checkbox":
            return _exact(any_of(*(Atom(_field(name, c), "=", "'1'") for c in coding.answer_codes)))
        if coding.coded:
            return _exact(
                any_of(*(Atom(_field(name), "=", _quoted(c)) for c in coding.answer_codes))
            )
        blank_is_unknown = Atom(_field(name), "<>", "''")
        if not coding.numeric:
            return (FALSE, blank_is_unknown)  # "dk" typed as text is unknown to screener
        return _exact(blank_is_unknown)

    def _known(self, name: str) -> Value3:
        shown, answered = self.shown(name), self._answered(name)
        true = _both(AllOf, [shown, answered])
        return Value3(true, _negated(true))

    def _equals(self, name: str, answer: bool | str) -> tuple[Bounds, Bounds] | None:
        """The stored value is this answer / is another known answer (coded fields only)."""
        coding = self.codings[name]
        if coding.codes is None or coding.field_type == "checkbox" or answer not in coding.codes:
            return None
        code = coding.code(answer)
        others = [c for c in coding.answer_codes if c != code]
        return (
            _exact(Atom(_field(name), "=", _quoted(code))),
            _exact(any_of(*(Atom(_field(name), "=", _quoted(c)) for c in others))),
        )

    def _is_bool(self, node: Node) -> bool:
        if isinstance(node, Literal):
            return isinstance(node.value, bool)
        if isinstance(node, QuestionRef):
            return self.codings[node.name].yes_no
        return not isinstance(node, ListLiteral)

    def _compare(self, node: Compare) -> Value3:
        left, right, op = node.left, node.right, node.op
        if not referenced_questions(node):
            return self._constant(node)
        if self._is_bool(left) and self._is_bool(right):
            # Two yes/no values: equal when both true or both false.
            a, b = self.value(left), self.value(right)
            same = Value3(
                _both(AnyOf, [_both(AllOf, [a.true, b.true]), _both(AllOf, [a.false, b.false])]),
                _both(AnyOf, [_both(AllOf, [a.true, b.false]), _both(AllOf, [a.false, b.true])]),
            )
            return same if op == "==" else same.swapped()
        if isinstance(left, Literal):
            left, right, op = right, left, _MIRRORED_OP[op]
        if not isinstance(left, QuestionRef):  # pragma: no cover - the checker allows no other
            return Value3(UNTRANSLATED, UNTRANSLATED)
        name = left.name
        coding = self.codings[name]
        if isinstance(right, Literal):
            if coding.numeric:
                answered = self._answered(name)
                number = _number(right.value)
                test = Atom(_field(name), _REDCAP_OP[op], number)
                return self._visible(
                    (name,),
                    (_both(AllOf, [answered, _exact(test)]),
                     _both(AllOf, [answered, _exact(negate(test))])),
                )  # fmt: skip
            assert isinstance(right.value, str)
            equals = self._equals(name, right.value)
            if equals is None:
                return Value3(UNTRANSLATED, UNTRANSLATED)
            value = self._visible((name,), equals)
            return value if op == "==" else value.swapped()
        assert isinstance(right, QuestionRef)
        other = right.name
        if coding.numeric:
            answered = _both(AllOf, [self._answered(name), self._answered(other)])
            test = Atom(_field(name), _REDCAP_OP[op], _field(other))
            return self._visible(
                (name, other),
                (_both(AllOf, [answered, _exact(test)]),
                 _both(AllOf, [answered, _exact(negate(test))])),
            )  # fmt: skip
        return self._same_choice(name, other, op)

    def _same_choice(self, name: str, other: str, op: str) -> Value3:
        """Two choice questions: the same value, or two different known values."""
        first, second = self.codings[name], self.codings[other]
        if not (first.coded and second.coded and first.codes and second.codes):
            return Value3(UNTRANSLATED, UNTRANSLATED)
        pairs = [
            all_of(
                Atom(_field(name), "=", _quoted(first.code(v))),
                Atom(_field(other), "=", _quoted(second.code(v))),
            )
            for v in first.codes
            if v in second.codes
        ]
        same = any_of(*pairs)
        answered = all_of(self._answered(name)[0], self._answered(other)[0])
        value = self._visible((name, other), (_exact(same), _exact(all_of(answered, negate(same)))))
        return value if op == "==" else value.swapped()

    def _membership(self, node: Membership) -> Value3:
        if not referenced_questions(node):
            return self._constant(node)
        element, container = node.element, node.container
        value: Value3
        if isinstance(container, ListLiteral):
            if not isinstance(element, QuestionRef):  # pragma: no cover - checked
                return Value3(UNTRANSLATED, UNTRANSLATED)
            value = self._in_list(element.name, [item.value for item in container.items])
        elif isinstance(container, QuestionRef) and isinstance(element, Literal):
            value = self._ticked(container.name, str(element.value))
        else:  # pragma: no cover - the checker allows no other
            value = Value3(UNTRANSLATED, UNTRANSLATED)
        return value.swapped() if node.negated else value

    def _in_list(self, name: str, items: list[object]) -> Value3:
        coding = self.codings[name]
        if coding.numeric:
            answered = self._answered(name)
            hits = any_of(*(Atom(_field(name), "=", _number(v)) for v in items))
            return self._visible(
                (name,),
                (_exact(hits), _both(AllOf, [answered, _exact(negate(hits))])),
            )
        tests = [self._equals(name, v) for v in items if isinstance(v, str)]
        if not tests or any(t is None for t in tests) or coding.codes is None:
            return Value3(UNTRANSLATED, UNTRANSLATED)
        wanted = {coding.code(v) for v in items if isinstance(v, str)}
        hits = any_of(
            *(Atom(_field(name), "=", _quoted(c)) for c in coding.answer_codes if c in wanted)
        )
        misses = any_of(
            *(Atom(_field(name), "=", _quoted(c)) for c in coding.answer_codes if c not in wanted)
        )
        return self._visible((name,), (_exact(hits), _exact(misses)))

    def _ticked(self, name: str, value: str) -> Value3:
        """`"x" in multi`: the option's box is ticked / the answer is known and it is not."""
        coding = self.codings[name]
        if coding.codes is None or value not in coding.codes:
            return Value3(UNTRANSLATED, UNTRANSLATED)
        code = coding.code(NONE_CHOICE if value == NONE_CHOICE else value)
        box = Atom(_field(name, code), "=", "'1'")
        return self._visible(
            (name,),
            (_exact(box), _both(AllOf, [self._answered(name), _exact(negate(box))])),
        )
