"""The condition language: what parses, what a rule author is told when it does not."""

from __future__ import annotations

import pytest

from screener.core.conditions.check import check_condition
from screener.core.conditions.compile import compile_condition
from screener.core.conditions.syntax import (
    ConditionSyntaxError,
    Or,
    meaning_key,
    parse_condition,
)
from screener.core.model import RuleSet, Value


def run(rules: RuleSet, text: str, **answers: Value) -> bool | None:
    tree = parse_condition(text)
    check_condition(tree, rules.question_map)
    return compile_condition(tree)(answers)


def test_comparisons_and_boolean_operators(default_rules: RuleSet) -> None:
    assert run(default_rules, "age < 18", age=16) is True
    assert (
        run(
            default_rules,
            "age >= 65 and (bp_systolic >= 150 or bp_diastolic >= 90)",
            age=70,
            bp_systolic=120,
            bp_diastolic=95,
        )
        is True
    )
    assert run(default_rules, "not hypertension", hypertension=False) is True
    assert run(default_rules, "age != 40", age=40) is False


def test_membership_in_lists_and_in_multi_choice_answers(default_rules: RuleSet) -> None:
    assert run(default_rules, 'primary_condition in ["ptsd", "ocd"]', primary_condition="ocd")
    assert run(default_rules, 'primary_condition not in ["ptsd"]', primary_condition="ocd")
    meds = frozenset({"maoi", "opioid"})
    assert run(default_rules, '"maoi" in current_medications', current_medications=meds)
    assert (
        run(default_rules, '"lamotrigine" in current_medications', current_medications=meds)
        is False
    )
    assert run(default_rules, '"none" in current_medications', current_medications=frozenset())
    assert run(default_rules, '"none" in current_medications', current_medications=meds) is False


def test_unknown_answers_make_comparisons_unknown_but_known_is_decided(
    default_rules: RuleSet,
) -> None:
    assert run(default_rules, "age < 18") is None
    assert run(default_rules, '"maoi" in current_medications') is None
    assert run(default_rules, "known(age)") is False
    assert run(default_rules, "hypertension and age < 18", hypertension=False) is False
    assert run(default_rules, "hypertension or age < 18", hypertension=True) is True


def test_yes_and_no_literals_compare_with_yes_no_questions(default_rules: RuleSet) -> None:
    assert run(default_rules, "hypertension == yes", hypertension=True) is True
    assert run(default_rules, "hypertension == false", hypertension=False) is True


@pytest.mark.parametrize(
    ("text", "offset", "message"),
    [
        ("age = 18", 4, "use '==' to compare"),
        ("age < 18 &&", 9, "use 'and', 'or', 'not'"),
        ("(age < 18", 9, "expected ')'"),
        ("age < 18 hypertension", 9, "missing 'and' or 'or'"),
        ("", 0, "the condition is empty"),
        ("age <", 5, "expected a value or a question id"),
        ('"unterminated', 0, "unterminated string"),
        ("known(18)", 6, "known() takes a question id"),
    ],
)
def test_syntax_errors_point_at_the_offending_character(
    text: str, offset: int, message: str
) -> None:
    with pytest.raises(ConditionSyntaxError) as caught:
        parse_condition(text)
    assert caught.value.offset == offset
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hypertenson", "unknown question 'hypertenson' (did you mean 'hypertension'?)"),
        ("hypertension == 1", "compares a yes/no value with a number value"),
        ('pregnant == "yes"', "write yes/no without quotes, or the yes/no question on its own"),
        ('age < "18"', "compares a number value with a text value"),
        (
            'primary_condition == "depresion"',
            "has no choice 'depresion' (did you mean 'depression'?)",
        ),
        ("primary_condition == ptsd", 'quote it: "ptsd"'),
        ('"mao" in current_medications', "has no choice 'mao'"),
        ('primary_condition < "ptsd"', "'<' needs numbers"),
        ("age", "a condition must be yes/no, but this is a number value"),
        ("age and hypertension", "'and' needs a yes/no condition"),
        ("age in current_medications", "needs a quoted choice value on the left"),
        ("age < 500", "outside the range of 'age'"),
        ('current_medications == "maoi"', "use 'in' for membership"),
    ],
)
def test_type_errors_are_caught_before_anything_runs(
    default_rules: RuleSet, text: str, message: str
) -> None:
    with pytest.raises(ConditionSyntaxError) as caught:
        check_condition(parse_condition(text), default_rules.question_map)
    assert message in caught.value.message


def test_conditions_are_never_run_as_python(default_rules: RuleSet) -> None:
    with pytest.raises(ConditionSyntaxError):
        parse_condition("__import__('os').system('true')")


def test_a_parsed_condition_is_immutable_and_equal_to_the_same_text_parsed_again() -> None:
    # The tree is compared (a rule changed or not, in diff and in the rule-file cache) and
    # used as a key; its node classes are written out rather than made by dataclass().
    import inspect

    from screener.core.conditions import syntax

    text = "count(depression_treatments where adequate == yes) >= 2 and not (age < 18)"
    tree, again = parse_condition(text), parse_condition(text)
    assert tree == again and hash(tree) == hash(again) and tree is not again
    assert tree != parse_condition(text.replace("18", "21"))
    assert repr(tree).startswith("And(")
    with pytest.raises(AttributeError, match="immutable"):
        tree.offset = 3
    nodes = [
        c for c in vars(syntax).values() if isinstance(c, type) and c.__module__ == syntax.__name__
    ]
    frozen = [c for c in nodes if issubclass(c, syntax._Frozen) and c is not syntax._Frozen]
    assert len(frozen) == 17
    for node in frozen:  # each constructor fills exactly the node's fields
        parameters = set(inspect.signature(node.__init__).parameters) - {"self"}
        assert parameters == set(node.__slots__), node.__name__
    # Two kinds of node with equal fields are not equal.
    assert syntax.QuestionRef("age", 0) != syntax.Known("age", 0)


def test_a_condition_written_again_elsewhere_has_the_same_meaning_key() -> None:
    first = parse_condition("age >= 18 and pregnant == yes")
    again = parse_condition("(pregnant == no) or (  age >= 18 and pregnant == yes)")
    assert isinstance(again, Or)
    assert again.operands[1] != first  # the offsets differ
    assert meaning_key(again.operands[1]) == meaning_key(first)


def test_numbers_and_truth_values_that_python_holds_equal_keep_apart_meaning_keys() -> None:
    keys = {meaning_key(parse_condition(text)) for text in ("a == 1", "a == 1.0", "a == true")}
    assert len(keys) == 3
    assert meaning_key(parse_condition("a == 1")) != meaning_key(parse_condition("a == 2"))
