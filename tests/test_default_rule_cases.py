"""The bundled rules.yaml against tests/cases/default_rules.yaml: one test per case and invariant.

The same runner as `screener test` (CI also runs that command with --min-coverage 100).
"""

from __future__ import annotations

import pytest

from screener.commands.test.binding import BoundCase, BoundInvariant, load_suite
from screener.commands.test.coverage import coverage_of
from screener.commands.test.invariants import InvariantResult, base_answer_sets, check_invariants
from screener.commands.test.report import case_lines, coverage_lines, invariant_lines
from screener.commands.test.run import DEFAULT_SAMPLES, DEFAULT_SEED, run_case
from screener.rulefile.load import load_ruleset

from .conftest import LIVE_RULES, ROOT

CASES_FILE = ROOT / "tests" / "cases" / "default_rules.yaml"
RULES = load_ruleset(LIVE_RULES)  # the rule cases follow the live rules.yaml
SUITE = load_suite(CASES_FILE, RULES)


@pytest.fixture(scope="module")
def invariant_results() -> dict[str, InvariantResult]:
    run = check_invariants(
        RULES,
        SUITE.invariants,
        base_answer_sets(RULES, SUITE),
        samples=DEFAULT_SAMPLES,
        seed=DEFAULT_SEED,
    )
    return {result.invariant.name: result for result in run.results}


@pytest.mark.parametrize("case", SUITE.cases, ids=[c.name for c in SUITE.cases])
def test_default_rules_case(case: BoundCase) -> None:
    result = run_case(RULES, case)
    assert result.passed, "\n".join(case_lines(result))


@pytest.mark.parametrize("invariant", SUITE.invariants, ids=[i.name for i in SUITE.invariants])
# The first one builds every answer set of the live rules (about 150,000): a minute or more
# under coverage on a busy machine.
@pytest.mark.timeout(900)
def test_default_rules_invariant(
    invariant: BoundInvariant, invariant_results: dict[str, InvariantResult]
) -> None:
    result = invariant_results[invariant.name]
    assert result.passed, "\n".join(invariant_lines(RULES, result))


def test_default_cases_cover_every_rule_both_ways() -> None:
    coverage = coverage_of(RULES, (run_case(RULES, case).screening for case in SUITE.cases))
    assert coverage.percent == 100.0, "\n".join(coverage_lines(coverage))
