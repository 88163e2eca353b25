"""`screener test`: load rules and cases, run them, print the report, write JUnit XML if asked."""

from __future__ import annotations

from pathlib import Path

from screener.commands.test.binding import load_suite
from screener.commands.test.report import render_report
from screener.commands.test.run import run_suite
from screener.core.problems import RuleTestsFailed
from screener.files.write import check_paths, write_atomic, write_stdout
from screener.rulefile.load import load_ruleset, rules_input


def run_test_command(
    cases: Path,
    rules: Path | None,
    junit: Path | None,
    min_coverage: float | None,
    samples: int,
    seed: int,
) -> None:
    check_paths([("CASES", cases), rules_input(rules)], [("--junit", junit)])
    ruleset = load_ruleset(rules)
    suite = load_suite(cases, ruleset)
    result = run_suite(ruleset, suite, samples=samples, seed=seed, min_coverage=min_coverage)
    write_stdout(render_report(result))
    if junit is not None:
        from screener.commands.test.junit import junit_xml

        write_atomic(junit, junit_xml(result), private=False)
    if not result.passed:
        raise RuleTestsFailed(result.failure_summary())
