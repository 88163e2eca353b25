"""Type-check a parsed condition against the questions it reads, before anything runs."""

from __future__ import annotations

from collections.abc import Mapping

from screener.core.conditions.syntax import (
    Aggregate,
    And,
    Arithmetic,
    Compare,
    ConditionSyntaxError,
    FactRef,
    Known,
    ListLiteral,
    Literal,
    Membership,
    Negate,
    Node,
    Not,
    Or,
    QuestionRef,
)
from screener.core.model import CHOICE_TYPES, NONE_CHOICE, Fact, Question, QuestionType
from screener.core.suggest import suggest

# Static types of expressions.
BOOL, NUMBER, STRING, SET, LIST = "yes/no", "number", "text", "multi-choice", "list"

_QUESTION_TYPES = {
    QuestionType.YES_NO: BOOL,
    QuestionType.INTEGER: NUMBER,
    QuestionType.CHOICE: STRING,
    QuestionType.TEXT: STRING,
    QuestionType.MULTI_CHOICE: SET,
    QuestionType.NUMBER: NUMBER,
}
NUMERIC_TYPES = (QuestionType.INTEGER, QuestionType.NUMBER)


_YES_NO_WORDS = frozenset({"yes", "no", "true", "false"})


def fact_values(question: Question, name: str) -> list[Fact]:
    """The values a named fact takes over a question's choices."""
    return [c.facts[name] for c in question.choices if name in c.facts]


def _literal_type(value: object) -> str:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, (int, float)):
        return NUMBER
    return STRING


def range_problem(
    question: str, low: float | None, high: float | None, value: float, op: str
) -> str | None:
    """Why comparing a number question answered within low-high with `value` by `op` is a
    mistake (its value could never change), or None. A value one past a bound is allowed
    (`age < 18`, `x > max - 1`). A range whose min is above its max is its own problem, and
    says nothing of comparisons with it."""
    if low is not None and high is not None and low > high:
        return None
    if (low is not None and value < low - 1) or (high is not None and value > high + 1):
        return (
            f"{value} is outside the range of {question!r} ({low}-{high}),"
            f" so '{op}' with it can never change"
        )
    return None


class _Checker:
    def __init__(
        self,
        questions: Mapping[str, Question],
        derived: frozenset[str] = frozenset(),
        scope: Question | None = None,
    ) -> None:
        self.questions = questions
        self.derived = derived
        self.scope = scope  # a list question: inside its `where`, names are its item's fields

    def _known_names(self) -> list[str]:
        names = [q for q in self.questions if self.questions[q].list_id is None]
        if self.scope is not None:
            names += [f.id for f in self.scope.fields]
        return [*names, *self.derived]

    def question(self, name: str, offset: int, context: Question | None = None) -> Question:
        if self.scope is not None:
            for item_field in self.scope.fields:
                if item_field.id == name:
                    return item_field
        found = self.questions.get(name)
        if found is not None:
            return found
        if context is not None and name in context.choice_values:
            raise ConditionSyntaxError(
                offset,
                f'unknown question {name!r} (to compare with the choice value, quote it: "{name}")',
            )
        raise ConditionSyntaxError(
            offset, f"unknown question {name!r}{suggest(name, self._known_names())}"
        )

    def type_of(self, node: Node, context: Question | None = None) -> str:
        if isinstance(node, Literal):
            return _literal_type(node.value)
        if isinstance(node, ListLiteral):
            return LIST
        if isinstance(node, QuestionRef):
            if node.name in self.derived and not self._is_field(node.name):
                return NUMBER
            question = self.question(node.name, node.offset, context)
            if question.is_list:
                raise ConditionSyntaxError(
                    node.offset,
                    f"{node.name!r} is a list: use count({node.name}), any({node.name} where ...),"
                    f" all({node.name} where ...) or distinct({node.name}.field)",
                )
            return _QUESTION_TYPES[question.type]
        if isinstance(node, Known):
            if node.name not in self.derived or self._is_field(node.name):
                self.question(node.name, node.offset)
            return BOOL
        if isinstance(node, Not):
            self.expect_bool(node.operand, "'not'")
            return BOOL
        if isinstance(node, (And, Or)):
            word = "'and'" if isinstance(node, And) else "'or'"
            for operand in node.operands:
                self.expect_bool(operand, word)
            return BOOL
        if isinstance(node, Compare):
            self.compare(node)
            return BOOL
        if isinstance(node, Arithmetic):
            for side in (node.left, node.right):
                self.expect_number(side, f"'{node.op}'")
            return NUMBER
        if isinstance(node, Negate):
            self.expect_number(node.operand, "'-'")
            return NUMBER
        if isinstance(node, FactRef):
            return self.fact(node)
        if isinstance(node, Aggregate):
            return self.aggregate(node)
        if isinstance(node, Membership):
            self.membership(node)
            return BOOL
        raise ConditionSyntaxError(node.offset, "this form is not allowed here")

    def _is_field(self, name: str) -> bool:
        return self.scope is not None and any(f.id == name for f in self.scope.fields)

    def expect_number(self, node: Node, where: str) -> None:
        found = self.type_of(node)
        if found != NUMBER:
            raise ConditionSyntaxError(
                node.offset, f"{where} needs numbers, but this is a {found} value"
            )

    def fact(self, node: FactRef) -> str:
        if not isinstance(node.subject, QuestionRef):
            raise ConditionSyntaxError(node.offset, "a fact is read from a choice question")
        question = self.question(node.subject.name, node.subject.offset)
        if question.type is not QuestionType.CHOICE:
            raise ConditionSyntaxError(
                node.offset,
                f"{question.id!r} is a {question.type.value} question; facts belong to choices",
            )
        values = fact_values(question, node.name)
        if not values:
            named = sorted({n for c in question.choices for n in c.facts})
            known = f"; its choices have: {', '.join(named)}" if named else "; it has none"
            raise ConditionSyntaxError(
                node.offset,
                f"no choice of {question.id!r} has a fact {node.name!r}"
                f"{suggest(node.name, named)}{known}",
            )
        types = {_literal_type(v) for v in values}
        if len(types) > 1:
            raise ConditionSyntaxError(
                node.offset, f"fact {node.name!r} of {question.id!r} mixes {' and '.join(types)}"
            )
        return types.pop()

    def aggregate(self, node: Aggregate) -> str:
        found = self.questions.get(node.list_name)
        if found is None or not found.is_list:
            lists = [q.id for q in self.questions.values() if q.is_list]
            raise ConditionSyntaxError(
                node.offset,
                f"{node.kind}() needs a list question, and {node.list_name!r} is not one"
                f"{suggest(node.list_name, lists)}",
            )
        if self.scope is not None:
            raise ConditionSyntaxError(node.offset, "an aggregate cannot be nested in another")
        if node.field is not None and not any(f.id == node.field for f in found.fields):
            fields = [f.id for f in found.fields]
            raise ConditionSyntaxError(
                node.offset,
                f"{node.list_name!r} has no field {node.field!r}{suggest(node.field, fields)}",
            )
        if node.where is not None:
            inner = _Checker(self.questions, self.derived, found)
            inner.expect_bool(node.where, "'where'")
        return NUMBER if node.kind in ("count", "distinct") else BOOL

    def expect_bool(self, node: Node, where: str) -> None:
        found = self.type_of(node)
        if found != BOOL:
            raise ConditionSyntaxError(
                node.offset, f"{where} needs a yes/no condition, but this is a {found} value"
            )

    def _ref_question(self, node: Node) -> Question | None:
        if isinstance(node, QuestionRef):
            if self._is_field(node.name):
                return self.question(node.name, node.offset)
            return self.questions.get(node.name)
        return None

    def _fact_of(self, node: Node) -> tuple[Question, str] | None:
        if isinstance(node, FactRef) and isinstance(node.subject, QuestionRef):
            return self.question(node.subject.name, node.subject.offset), node.name
        return None

    def check_fact_literal(self, node: Node, literal: Literal) -> None:
        fact = self._fact_of(node)
        if fact is None or not isinstance(literal.value, str):
            return
        question, name = fact
        allowed = sorted({str(v) for v in fact_values(question, name)})
        if literal.value not in allowed:
            raise ConditionSyntaxError(
                literal.offset,
                f"no choice of {question.id!r} has {name} {literal.value!r}"
                f"{suggest(literal.value, allowed)}; its values are {', '.join(allowed)}",
            )

    def check_choice_literal(self, question: Question, literal: Literal) -> None:
        if question.type not in CHOICE_TYPES:
            return
        allowed = list(question.choice_values)
        if question.type is QuestionType.MULTI_CHOICE:
            allowed.append(NONE_CHOICE)
        if not isinstance(literal.value, str) or literal.value not in allowed:
            raise ConditionSyntaxError(
                literal.offset,
                f"{question.id!r} has no choice {literal.value!r}"
                f"{suggest(str(literal.value), allowed)}; its choices are {', '.join(allowed)}",
            )

    def compare(self, node: Compare) -> None:
        left_q, right_q = self._ref_question(node.left), self._ref_question(node.right)
        left = self.type_of(node.left, right_q)
        right = self.type_of(node.right, left_q)
        if left in (SET, LIST) or right in (SET, LIST):
            raise ConditionSyntaxError(
                node.offset,
                f"'{node.op}' cannot compare a {left if left in (SET, LIST) else right} value;"
                " use 'in' for membership",
            )
        if left != right:
            hint = ""
            words = [
                n.value.lower()
                for n in (node.left, node.right)
                if isinstance(n, Literal) and isinstance(n.value, str)
            ]
            if BOOL in (left, right) and words and words[0] in _YES_NO_WORDS:
                hint = "; write yes/no without quotes, or the yes/no question on its own"
            raise ConditionSyntaxError(
                node.offset, f"'{node.op}' compares a {left} value with a {right} value{hint}"
            )
        if node.op not in ("==", "!=") and left != NUMBER:
            raise ConditionSyntaxError(
                node.offset, f"'{node.op}' needs numbers, but these are {left} values"
            )
        for question, other in ((left_q, node.right), (right_q, node.left)):
            if question is not None and isinstance(other, Literal):
                self.check_choice_literal(question, other)
                self.check_range(question, other, node.op)
        for one, other in ((node.left, node.right), (node.right, node.left)):
            if isinstance(other, Literal):
                self.check_fact_literal(one, other)

    def check_range(self, question: Question, literal: Literal, op: str) -> None:
        value = literal.value
        if question.type not in NUMERIC_TYPES or isinstance(value, (bool, str)):
            return
        problem = range_problem(question.id, question.min, question.max, value, op)
        if problem is not None:
            raise ConditionSyntaxError(literal.offset, problem)

    def membership(self, node: Membership) -> None:
        element_q = self._ref_question(node.element)
        element = self.type_of(node.element)
        container = self.type_of(node.container, element_q)
        word = "'not in'" if node.negated else "'in'"
        if container == LIST:
            assert isinstance(node.container, ListLiteral)
            if element not in (NUMBER, STRING):
                raise ConditionSyntaxError(
                    node.offset, f"{word} a list needs a number or text value, not {element}"
                )
            for item in node.container.items:
                item_type = _literal_type(item.value)
                if item_type != element:
                    raise ConditionSyntaxError(
                        item.offset, f"the list mixes {item_type} with a {element} value"
                    )
                if element_q is not None:
                    self.check_choice_literal(element_q, item)
            return
        if container == SET:
            container_q = self._ref_question(node.container)
            if not isinstance(node.element, Literal) or element != STRING:
                raise ConditionSyntaxError(
                    node.element.offset,
                    f"{word} a multi-choice answer needs a quoted choice value on the left",
                )
            if container_q is not None:
                self.check_choice_literal(container_q, node.element)
            return
        raise ConditionSyntaxError(
            node.container.offset,
            f'{word} needs a list like ["a", "b"] or a multi-choice question on the right,'
            f" not a {container} value",
        )


def check_condition(
    node: Node, questions: Mapping[str, Question], derived: frozenset[str] = frozenset()
) -> None:
    """Raise ConditionSyntaxError (with an offset) unless the condition is a sound yes/no test.

    `derived`: the names of derived values, which read as numbers."""
    checker = _Checker(questions, derived)
    found = checker.type_of(node)
    if found != BOOL:
        raise ConditionSyntaxError(
            node.offset, f"a condition must be yes/no, but this is a {found} value"
        )


def check_expression(
    node: Node, questions: Mapping[str, Question], derived: frozenset[str] = frozenset()
) -> None:
    """Raise ConditionSyntaxError unless the expression is a number (a derived value)."""
    _Checker(questions, derived).expect_number(node, "a derived value")


def check_item_condition(
    node: Node, questions: Mapping[str, Question], list_question: Question
) -> None:
    """A yes/no condition on one item of a list (a field's ask_if): names are the item's
    fields first, then questions."""
    _Checker(questions, frozenset(), list_question).expect_bool(node, "ask_if")
