"""Type-check a parsed condition against the questions it reads, before anything runs."""

from __future__ import annotations

from collections.abc import Mapping

from screener.core.conditions.syntax import (
    And,
    Compare,
    ConditionSyntaxError,
    Known,
    ListLiteral,
    Literal,
    Membership,
    Node,
    Not,
    Or,
    QuestionRef,
)
from screener.core.model import NONE_CHOICE, Question, QuestionType
from screener.core.suggest import suggest

# Static types of expressions.
BOOL, NUMBER, STRING, SET, LIST = "yes/no", "number", "text", "multi-choice", "list"

_QUESTION_TYPES = {
    QuestionType.YES_NO: BOOL,
    QuestionType.INTEGER: NUMBER,
    QuestionType.CHOICE: STRING,
    QuestionType.TEXT: STRING,
    QuestionType.MULTI_CHOICE: SET,
}


_YES_NO_WORDS = frozenset({"yes", "no", "true", "false"})


def _literal_type(value: object) -> str:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, (int, float)):
        return NUMBER
    return STRING


class _Checker:
    def __init__(self, questions: Mapping[str, Question]) -> None:
        self.questions = questions

    def question(self, name: str, offset: int, context: Question | None = None) -> Question:
        found = self.questions.get(name)
        if found is not None:
            return found
        if context is not None and name in context.choice_values:
            raise ConditionSyntaxError(
                offset,
                f'unknown question {name!r} (to compare with the choice value, quote it: "{name}")',
            )
        raise ConditionSyntaxError(
            offset, f"unknown question {name!r}{suggest(name, list(self.questions))}"
        )

    def type_of(self, node: Node, context: Question | None = None) -> str:
        if isinstance(node, Literal):
            return _literal_type(node.value)
        if isinstance(node, ListLiteral):
            return LIST
        if isinstance(node, QuestionRef):
            return _QUESTION_TYPES[self.question(node.name, node.offset, context).type]
        if isinstance(node, Known):
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
        self.membership(node)
        return BOOL

    def expect_bool(self, node: Node, where: str) -> None:
        found = self.type_of(node)
        if found != BOOL:
            raise ConditionSyntaxError(
                node.offset, f"{where} needs a yes/no condition, but this is a {found} value"
            )

    def _ref_question(self, node: Node) -> Question | None:
        if isinstance(node, QuestionRef):
            return self.questions.get(node.name)
        return None

    def check_choice_literal(self, question: Question, literal: Literal) -> None:
        if question.type not in (QuestionType.CHOICE, QuestionType.MULTI_CHOICE):
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

    def check_range(self, question: Question, literal: Literal, op: str) -> None:
        value = literal.value
        if question.type is not QuestionType.INTEGER or isinstance(value, (bool, str)):
            return
        low, high = question.min, question.max
        if (low is not None and value < low - 1) or (high is not None and value > high + 1):
            raise ConditionSyntaxError(
                literal.offset,
                f"{value} is outside the range of {question.id!r} ({low}-{high}),"
                f" so '{op}' with it can never change",
            )

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


def check_condition(node: Node, questions: Mapping[str, Question]) -> None:
    """Raise ConditionSyntaxError (with an offset) unless the condition is a sound yes/no test."""
    checker = _Checker(questions)
    found = checker.type_of(node)
    if found != BOOL:
        raise ConditionSyntaxError(
            node.offset, f"a condition must be yes/no, but this is a {found} value"
        )
