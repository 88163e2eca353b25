"""Properties of the three-valued logic, the compiled conditions and the outcome precedence."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from screener.core.conditions.check import check_condition
from screener.core.conditions.compile import compile_condition
from screener.core.conditions.syntax import (
    And,
    Compare,
    Known,
    Literal,
    Node,
    Not,
    Or,
    QuestionRef,
    parse_condition,
)
from screener.core.model import Action, Condition, Question, QuestionType, Value
from screener.core.screening import Outcome, RuleResult
from screener.core.tristate import Tri, tri_and, tri_not, tri_or
from screener.core.verdict import decide

TRI = (True, False, None)
tri_values = st.sampled_from(TRI)


def test_kleene_truth_tables() -> None:
    assert tri_and([False, None]) is False
    assert tri_and([True, None]) is None
    assert tri_and([True, True]) is True
    assert tri_or([True, None]) is True
    assert tri_or([False, None]) is None
    assert tri_or([False, False]) is False
    assert tri_not(None) is None


@given(st.lists(tri_values, min_size=1, max_size=6))
def test_and_or_are_dual_under_not(values: list[Tri]) -> None:
    assert tri_not(tri_and(values)) == tri_or(tri_not(v) for v in values)
    assert tri_not(tri_or(values)) == tri_and(tri_not(v) for v in values)


@given(st.lists(tri_values, min_size=1, max_size=6))
def test_order_of_operands_never_matters(values: list[Tri]) -> None:
    assert tri_and(values) == tri_and(reversed(values))
    assert tri_or(values) == tri_or(reversed(values))


# ---- compiled conditions over generated expressions ----------------------------------------

NAMES = ("a", "b", "c")
QUESTIONS = {
    **{n: Question(id=n, text=n, type=QuestionType.YES_NO) for n in NAMES},
    "n": Question(id="n", text="n", type=QuestionType.INTEGER, min=0, max=10),
}

leaves = st.sampled_from([*NAMES, "n >= 5", "n < 3", "known(a)", "not known(n)"])
expressions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(lambda x: f"not ({x})", inner),
        st.builds(lambda x, y: f"({x}) and ({y})", inner, inner),
        st.builds(lambda x, y: f"({x}) or ({y})", inner, inner),
    ),
    max_leaves=8,
)
answer_sets = st.fixed_dictionaries(
    {
        **{n: st.sampled_from(TRI) for n in NAMES},
        "n": st.one_of(st.none(), st.integers(0, 10)),
    }
)


def _compiled(text: str) -> Condition:
    tree = parse_condition(text)
    check_condition(tree, QUESTIONS)
    return compile_condition(tree)


@settings(max_examples=300)
@given(expressions, answer_sets, st.data())
def test_a_decided_condition_stays_decided_whatever_the_unknowns_turn_out_to_be(
    text: str, answers: dict[str, Value], data: st.DataObject
) -> None:
    condition = _compiled(text)
    value = condition(answers)
    if value is None:
        return
    filled = {
        k: (data.draw(st.booleans()) if k in NAMES else data.draw(st.integers(0, 10)))
        if v is None
        else v
        for k, v in answers.items()
    }
    # known() reads whether an answer exists, so it is the one form that may change.
    if "known(" not in text:
        assert condition(filled) == value


@settings(max_examples=300)
@given(expressions, answer_sets)
def test_compiled_condition_matches_a_reference_evaluation_of_the_tree(
    text: str, answers: dict[str, Value]
) -> None:
    assert _compiled(text)(answers) == _reference(parse_condition(text), answers)


def _reference(node: Node, answers: dict[str, Value]) -> Tri:
    """A second, deliberately plain evaluator of the tree, written from the Kleene tables."""
    if isinstance(node, QuestionRef):
        value = answers[node.name]
        assert value is None or isinstance(value, bool)
        return value
    if isinstance(node, Known):
        return answers[node.name] is not None
    if isinstance(node, Not):
        inner = _reference(node.operand, answers)
        return None if inner is None else not inner
    if isinstance(node, (And, Or)):
        values = [_reference(o, answers) for o in node.operands]
        decisive = isinstance(node, Or)
        if decisive in values:
            return decisive
        return None if None in values else not decisive
    assert isinstance(node, Compare) and isinstance(node.right, Literal)
    n = answers["n"]
    if n is None:
        return None
    assert isinstance(n, int) and isinstance(node.right.value, int)
    return n >= node.right.value if node.op == ">=" else n < node.right.value


# ---- outcome precedence -------------------------------------------------------------------

results_strategy = st.lists(
    st.tuples(st.sampled_from(list(Action)), tri_values), min_size=1, max_size=8
)


def _results(spec: Sequence[tuple[Action, Tri]]) -> tuple[RuleResult, ...]:
    out = []
    for index, (action, value) in enumerate(spec):
        fired = value is False if action is Action.REQUIRE else value is True
        out.append(RuleResult(f"r{index}", action, "x", value, fired, lambda: "why", "src", ()))
    return tuple(out)


@given(results_strategy)
def test_outcome_follows_precedence(spec: list[tuple[Action, Tri]]) -> None:
    results = _results(spec)
    outcome, deciding = decide(results)
    fired = {r.action for r in results if r.fired}
    undecided = any(r.value is None and r.action is not Action.FLAG for r in results)
    if Action.URGENT in fired:
        assert outcome is Outcome.URGENT
    elif fired & {Action.EXCLUDE, Action.REQUIRE}:
        assert outcome is Outcome.NOT_ELIGIBLE
    elif Action.REVIEW in fired or undecided:
        assert outcome is Outcome.NEEDS_REVIEW
    else:
        assert outcome is Outcome.LIKELY_ELIGIBLE
        assert deciding == ()
    assert all(d in {r.rule for r in results} for d in deciding)


@given(results_strategy)
def test_an_unknown_safety_exclusion_or_requirement_is_never_likely_eligible(
    spec: list[tuple[Action, Tri]],
) -> None:
    results = _results(spec)
    if any(r.value is None and r.action is not Action.FLAG for r in results):
        assert decide(results)[0] is not Outcome.LIKELY_ELIGIBLE


@given(results_strategy)
def test_flags_never_change_the_outcome(spec: list[tuple[Action, Tri]]) -> None:
    without_flags = [(a, v) for a, v in spec if a is not Action.FLAG]
    if without_flags:
        assert decide(_results(spec))[0] is decide(_results(without_flags))[0]


def test_every_action_value_pair_has_a_defined_outcome() -> None:
    for action, value in product(Action, TRI):
        outcome, _ = decide(_results([(action, value)]))
        assert isinstance(outcome, Outcome)
