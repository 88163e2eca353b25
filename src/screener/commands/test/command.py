"""`screener test`: load rules and cases, run them, print the report, write JUnit XML if asked."""

from __future__ import annotations

import sys
from pathlib import Path

from screener.commands.test.binding import load_suite
from screener.commands.test.report import render_report
from screener.commands.test.run import run_suite
from screener.core.problems import RuleTestsFailed
from screener.files.write import check_output_path, write_atomic
from screener.rulefile.load import load_ruleset


def run_test_command(
    cases: Path,
    rules: Path | None,
    junit: Path | None,
    min_coverage: float | None,
    samples: int,
    seed: int,
) -> None:
    if junit is not None:
        check_output_path(junit, "--junit", [cases, *([rules] if rules else [])])
    ruleset = load_ruleset(rules)
    suite = load_suite(cases, ruleset)
    result = run_suite(ruleset, suite, samples=samples, seed=seed, min_coverage=min_coverage)
    sys.stdout.write(render_report(result))
    sys.stdout.flush()
    if junit is not None:
        from screener.commands.test.junit import junit_xml

        write_atomic(junit, junit_xml(result), private=False)
    if not result.passed:
        raise RuleTestsFailed(result.failure_summary())
