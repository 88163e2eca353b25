"""core.verdict: what a rule's value means, written once and used by both engines."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from screener.columnar.scorer import FALSE, TRUE, UNKNOWN, ColumnarScorer
from screener.core import verdict
from screener.core.model import Action, RuleSet
from screener.core.screening import Outcome, RuleResult
from screener.core.tristate import Tri

# The documented meaning, spelled out: (action, value) -> (fires, outcome, matters in diff).
MEANING: dict[tuple[Action, Tri], tuple[bool, Outcome | None, bool]] = {
    (Action.URGENT, True): (True, Outcome.URGENT, True),
    (Action.URGENT, False): (False, None, False),
    (Action.URGENT, None): (False, Outcome.NEEDS_REVIEW, True),
    (Action.EXCLUDE, True): (True, Outcome.NOT_ELIGIBLE, True),
    (Action.EXCLUDE, False): (False, None, False),
    (Action.EXCLUDE, None): (False, Outcome.NEEDS_REVIEW, True),
    (Action.REQUIRE, True): (False, None, False),
    (Action.REQUIRE, False): (True, Outcome.NOT_ELIGIBLE, True),
    (Action.REQUIRE, None): (False, Outcome.NEEDS_REVIEW, True),
    (Action.REVIEW, True): (True, Outcome.NEEDS_REVIEW, True),
    (Action.REVIEW, False): (False, None, False),
    (Action.REVIEW, None): (False, Outcome.NEEDS_REVIEW, True),
    (Action.FLAG, True): (True, None, True),
    (Action.FLAG, False): (False, None, False),
    (Action.FLAG, None): (False, None, False),
}


def test_every_action_and_value_means_what_the_docs_say() -> None:
    for (action, value), (fires, outcome, matters) in MEANING.items():
        assert verdict.fires(action, value) is fires, (action, value)
        assert verdict.rule_outcome(action, value) is outcome, (action, value)
        assert verdict.matters(action, value) is matters, (action, value)


def test_the_column_wise_codes_follow_the_verdict_value_order() -> None:
    assert [verdict.TRI_ORDER[code] for code in (FALSE, UNKNOWN, TRUE)] == [False, None, True]


def test_the_column_wise_scorer_takes_its_tables_from_the_verdict(default_rules: RuleSet) -> None:
    scorer = ColumnarScorer(default_rules)
    width = len(verdict.TRI_ORDER)
    tables = {
        verdict.fires: scorer._fires,
        verdict.severity_of: scorer._severity,
        verdict.holding_severity: scorer._holding,
        verdict.undecided: scorer._undecided,
    }
    for of, table in tables.items():
        assert isinstance(table, np.ndarray)
        rows = table.reshape(-1, width)  # three entries per rule, rule after rule
        assert len(rows) == len(default_rules.rules)
        for rule, row in zip(default_rules.rules, rows, strict=True):
            for code, value in enumerate(verdict.TRI_ORDER):
                assert row[code].item() == of(rule.action, value), (of.__name__, rule.id)


def _results(spec: Sequence[tuple[Action, Tri]]) -> list[RuleResult]:
    return [
        RuleResult(f"r{n}", a, "x", v, verdict.fires(a, v), lambda: "why", "src", ())
        for n, (a, v) in enumerate(spec)
    ]


@given(
    st.lists(
        st.tuples(st.sampled_from(list(Action)), st.sampled_from(verdict.TRI_ORDER)), max_size=10
    )
)
def test_the_outcome_is_the_most_severe_any_rule_leads_to_and_names_those_rules(
    spec: list[tuple[Action, Tri]],
) -> None:
    outcome, deciding = verdict.decide(_results(spec))
    levels = [MEANING[pair][1] for pair in spec]
    reached = [level for level in levels if level is not None]
    if not reached:
        assert (outcome, deciding) == (Outcome.LIKELY_ELIGIBLE, ())
        return
    assert outcome.severity == max(level.severity for level in reached)
    assert deciding == tuple(f"r{n}" for n, level in enumerate(levels) if level is outcome)
