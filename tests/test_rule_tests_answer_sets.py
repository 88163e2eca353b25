"""The answer sets behind invariants, and the remembered outcomes used to score them quickly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from screener.commands.test.invariants import Base, boundary_values, generate_answer_sets
from screener.core.evaluate import evaluate
from screener.core.model import QuestionType, RuleSet, Value
from screener.core.outcome_memo import OutcomeMemo
from screener.rulefile.load import load_ruleset

RULES = load_ruleset()
MEMO = OutcomeMemo(RULES)  # shared, so later examples hit what earlier ones remembered


def test_boundary_values_straddle_every_constant_a_rule_compares_with() -> None:
    values = boundary_values(RULES)
    systolic = values["bp_systolic"]
    for constant in (140, 150, 180):
        assert {constant - 1, constant, constant + 1} <= set(systolic)
    assert 60 in systolic and 260 in systolic and None in systolic
    assert {17, 18, 19, 64, 65, 66, 0, 120} <= set(values["age"])
    assert values["hypertension"] == (True, False, None)
    meds = values["current_medications"]
    assert frozenset() in meds and frozenset({"maoi"}) in meds and None in meds
    assert set(values["primary_condition"]) == {
        *RULES.question_map["primary_condition"].choice_values,
        None,
    }


def test_generated_sets_are_distinct_and_reproducible_for_a_seed() -> None:
    base = Base("all unknown", dict.fromkeys(RULES.question_map))
    first = list(generate_answer_sets(RULES, [base], samples=200, seed=3))
    again = list(generate_answer_sets(RULES, [base], samples=200, seed=3))
    other = list(generate_answer_sets(RULES, [base], samples=200, seed=4))
    keys = [tuple(s.values()) for s in first]
    assert len(keys) == len(set(keys))
    assert first == again
    assert first != other


def _answer(ruleset: RuleSet, qid: str) -> st.SearchStrategy[Value]:
    question = ruleset.question_map[qid]
    options = st.sampled_from(boundary_values(ruleset)[qid])
    if question.type is QuestionType.INTEGER and question.min is not None:
        high = None if question.max is None else int(question.max)
        return st.one_of(options, st.integers(int(question.min), high))
    if question.type is QuestionType.MULTI_CHOICE:
        return st.one_of(options, st.frozensets(st.sampled_from(question.choice_values)))
    return options


ANSWERS = st.fixed_dictionaries({qid: _answer(RULES, qid) for qid in RULES.question_map})


@settings(max_examples=300, deadline=None)
@given(ANSWERS)
def test_remembered_outcomes_agree_with_the_evaluator(answers: dict[str, Value]) -> None:
    verdict = MEMO.verdict(answers)
    screening = evaluate(RULES, answers)
    assert verdict.outcome is screening.outcome
    assert verdict.deciding == screening.deciding
    assert verdict.values == tuple(r.value for r in screening.results)
