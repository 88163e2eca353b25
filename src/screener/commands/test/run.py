"""Run rule test cases: each named case against its expectations, then invariants and coverage.

Pure: results are returned as values; printing and files are the report modules' job.
"""

from __future__ import annotations

from screener.commands.test.binding import BoundCase, BoundSuite
from screener.commands.test.coverage import Coverage, coverage_of
from screener.commands.test.invariants import InvariantRun, base_answer_sets, check_invariants
from screener.core.evaluate import evaluate
from screener.core.frozen import record_class
from screener.core.model import Action, RuleSet
from screener.core.screening import ACTION_OUTCOME, Outcome, RuleResult, Screening
from screener.core.tristate import Tri

DEFAULT_SAMPLES = 2000
DEFAULT_SEED = 0


def tri_word(value: Tri) -> str:
    return "unknown" if value is None else ("true" if value else "false")


@record_class
class Mismatch:
    what: str  # outcome, holds, not_holds, unknown, flags, missing, priority, next_steps
    subject: str | None  # the rule id, for rule expectations
    expected: str
    actual: str

    def __str__(self) -> str:
        if self.subject is None:
            return f"{self.what}: expected {self.expected}, got {self.actual}"
        return f"{self.what} {self.subject}: expected {self.expected}, got {self.actual}"


@record_class
class CaseResult:
    case: BoundCase
    screening: Screening
    mismatches: tuple[Mismatch, ...]
    evidence: tuple[RuleResult, ...]  # the rule results that made the difference

    @property
    def passed(self) -> bool:
        return not self.mismatches


_EXPECTED_VALUE: dict[str, Tri] = {"holds": True, "not_holds": False, "unknown": None}


def _outcome_evidence(screening: Screening, expected: Outcome) -> list[str]:
    """Rules behind the actual outcome, and rules that could have given the expected one."""
    rules = list(screening.deciding)
    if expected.severity > screening.outcome.severity:
        could = [
            r.rule
            for r in screening.results
            if r.undecided
            and r.action is not Action.FLAG
            and (ACTION_OUTCOME[r.action] is expected or expected is Outcome.NEEDS_REVIEW)
        ]
        rules += could
    return rules


def run_case(ruleset: RuleSet, case: BoundCase) -> CaseResult:
    screening = evaluate(ruleset, case.answers)
    results = {r.rule: r for r in screening.results}
    mismatches: list[Mismatch] = []
    evidence: list[str] = []
    expect = case.expect
    if expect.outcome is not None and screening.outcome is not expect.outcome:
        mismatches.append(Mismatch("outcome", None, expect.outcome.value, screening.outcome.value))
        evidence += _outcome_evidence(screening, expect.outcome)
    for key, wanted in _EXPECTED_VALUE.items():
        for rule in getattr(expect, key):
            value = results[rule].value
            if value is not wanted:
                mismatches.append(Mismatch(key, rule, tri_word(wanted), tri_word(value)))
                evidence.append(rule)
    fired_flags = {f.rule for f in screening.flags}
    for rule in expect.flags:
        if rule not in fired_flags:
            mismatches.append(
                Mismatch("flags", rule, "to fire", f"not fired ({tri_word(results[rule].value)})")
            )
            evidence.append(rule)
    if expect.missing is not None and set(expect.missing) != set(screening.missing):
        mismatches.append(
            Mismatch(
                "missing",
                None,
                f"[{', '.join(expect.missing)}]",
                f"[{', '.join(screening.missing)}]",
            )
        )
        evidence += [r.rule for r in screening.results if r.undecided and r.needs]
    if expect.priority is not None:
        priority = "none" if screening.priority is None else screening.priority.value
        if priority != expect.priority:
            mismatches.append(Mismatch("priority", None, str(expect.priority), priority))
            evidence += [
                r.rule
                for r in screening.results
                if r.fired and ruleset.rule_map[r.rule].priority is not None
            ]
    shown = {rule for rule, _ in screening.rule_next_steps}
    for rule in expect.next_steps:
        if rule not in shown:
            held = tri_word(results[rule].value)
            mismatches.append(Mismatch("next_steps", rule, "to show", f"not shown ({held})"))
            evidence.append(rule)
    unique = dict.fromkeys(evidence)
    return CaseResult(case, screening, tuple(mismatches), tuple(results[r] for r in unique))


@record_class
class SuiteResult:
    suite: BoundSuite
    ruleset: RuleSet
    cases: tuple[CaseResult, ...]
    invariants: InvariantRun
    coverage: Coverage
    min_coverage: float | None

    @property
    def failed_cases(self) -> tuple[CaseResult, ...]:
        return tuple(c for c in self.cases if not c.passed)

    @property
    def failed_invariants(self) -> int:
        return sum(1 for r in self.invariants.results if not r.passed)

    @property
    def coverage_ok(self) -> bool:
        return self.min_coverage is None or self.coverage.meets(self.min_coverage)

    @property
    def passed(self) -> bool:
        return not self.failed_cases and not self.failed_invariants and self.coverage_ok

    def failure_summary(self) -> str:
        parts = []
        if self.failed_cases:
            parts.append(f"{len(self.failed_cases)} of {len(self.cases)} cases failed")
        if self.failed_invariants:
            parts.append(
                f"{self.failed_invariants} of {len(self.invariants.results)} invariants failed"
            )
        if not self.coverage_ok:
            parts.append(
                f"rule coverage {self.coverage.percent_text} is below"
                f" --min-coverage {self.min_coverage:g}%"
            )
        return "; ".join(parts)


def run_suite(
    ruleset: RuleSet,
    suite: BoundSuite,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    min_coverage: float | None = None,
) -> SuiteResult:
    """Run every case, check every invariant, and measure coverage (named cases only)."""
    cases = tuple(run_case(ruleset, case) for case in suite.cases)
    invariants = check_invariants(
        ruleset, suite.invariants, base_answer_sets(ruleset, suite), samples=samples, seed=seed
    )
    coverage = coverage_of(ruleset, (c.screening for c in cases))
    return SuiteResult(suite, ruleset, cases, invariants, coverage, min_coverage)
