"""The plain-text report of `screener test`: one line per case and invariant, details on failure."""

from __future__ import annotations

from collections.abc import Mapping

from screener.commands.test.coverage import Coverage
from screener.commands.test.invariants import Counterexample, InvariantResult, InvariantRun
from screener.commands.test.run import CaseResult, SuiteResult, tri_word
from screener.core.model import RuleSet, Value, format_number, format_value
from screener.core.problems import escape_line
from screener.core.screening import RuleResult

INDENT = "        "


def answer_literal(value: Value) -> str:
    """An answer as it would be written in a cases file."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, frozenset):
        return ";".join(sorted(value)) if value else "none"
    if isinstance(value, (int, float)):
        return format_number(value)
    return value if value.replace("_", "").isalnum() else repr(value)


def answers_literal(answers: Mapping[str, Value]) -> str:
    return "{" + ", ".join(f"{q}: {answer_literal(v)}" for q, v in answers.items()) + "}"


def rule_line(result: RuleResult) -> str:
    state = "fired" if result.fired else "not fired"
    return (
        f"{result.rule} ({result.action.value}, {tri_word(result.value)}, {state}): {result.reason}"
    )


def case_lines(result: CaseResult) -> list[str]:
    mark = "PASS" if result.passed else "FAIL"
    lines = [f"  {mark}  {result.case.name}"]
    if result.passed:
        return lines
    lines += [f"{INDENT}{m}" for m in result.mismatches]
    if result.evidence:
        lines.append(f"{INDENT}rule results that made the difference:")
        lines += [f"{INDENT}  {rule_line(r)}" for r in result.evidence]
    elif result.screening.outcome.value != "likely_eligible":
        lines.append(f"{INDENT}decided by: {', '.join(result.screening.deciding)}")
    else:
        lines.append(f"{INDENT}no rule fired and none was undecided")
    return lines


def counterexample_lines(ruleset: RuleSet, example: Counterexample) -> list[str]:
    questions = ruleset.question_map
    base = example.base
    all_unknown = all(v is None for v in base.answers.values())
    if not example.differing:
        lines = [f"{INDENT}counterexample: {base.name}, unchanged"]
    elif all_unknown:
        lines = [f"{INDENT}counterexample: every answer unknown except"]
    else:
        lines = [f"{INDENT}counterexample: {base.name}, except"]
    for qid in example.differing:
        now = format_value(questions[qid], example.answers[qid])
        was = format_value(questions[qid], base.answers[qid])
        lines.append(f"{INDENT}  {qid}: {now}" + ("" if all_unknown else f" (there: {was})"))
    screening = example.screening
    lines.append(f"{INDENT}outcome: {screening.outcome.value}, decided by:")
    by_rule = {r.rule: r for r in screening.results}
    lines += [f"{INDENT}  {rule_line(by_rule[rule])}" for rule in screening.deciding]
    if not screening.deciding:
        lines.append(f"{INDENT}  (no rule fired and none was undecided)")
    if example.differing:
        changed = {q: example.answers[q] for q in example.differing}
        lines.append(f"{INDENT}as a case's answers: {answers_literal(changed)}")
    return lines


def invariant_lines(ruleset: RuleSet, result: InvariantResult) -> list[str]:
    invariant = result.invariant
    mark = "PASS" if result.passed else "FAIL"
    lines = [
        f"  {mark}  {invariant.name}: if {invariant.given_text}, {invariant.expectation}"
        f" ({result.satisfied:,} answer sets satisfied the condition"
        + (f", {result.broken:,} broke it)" if result.broken else ")")
    ]
    if result.satisfied == 0:
        lines.append(f"{INDENT}no generated answer set satisfied the condition; nothing checked")
    if result.counterexample is not None:
        lines += counterexample_lines(ruleset, result.counterexample)
    return lines


def invariants_header(run: InvariantRun) -> str:
    return (
        f"Invariants: {run.checked:,} answer sets checked (boundary values, unknowns,"
        f" pairs of questions read by one condition, {run.samples:,} random draws, seed {run.seed})"
    )


def coverage_lines(coverage: Coverage) -> list[str]:
    lines = [
        f"Coverage (named cases only): {coverage.covered} of {coverage.total} rule values"
        f" ({coverage.percent_text}); {len(coverage.rules) - len(coverage.never_held)} of"
        f" {len(coverage.rules)} rules held in some case,"
        f" {len(coverage.rules) - len(coverage.never_false)} were false in some case"
    ]
    if coverage.never_held:
        lines.append(f"  never held: {', '.join(coverage.never_held)}")
    if coverage.never_false:
        lines.append(f"  never false: {', '.join(coverage.never_false)}")
    return lines


def render_report(result: SuiteResult) -> str:
    ruleset = result.ruleset
    lines = [
        f"Rule tests: {result.suite.source}",
        f"Rules: {ruleset.source_name} ({ruleset.name} {ruleset.version})",
    ]
    if result.cases:
        lines += ["", f"Cases: {len(result.cases)}"]
        for case in result.cases:
            lines += case_lines(case)
    if result.invariants.results:
        lines += ["", invariants_header(result.invariants)]
        for invariant in result.invariants.results:
            lines += invariant_lines(ruleset, invariant)
    lines += ["", *coverage_lines(result.coverage)]
    if result.min_coverage is not None:
        verdict = "met" if result.coverage_ok else "NOT met"
        lines.append(f"  --min-coverage {result.min_coverage:g}%: {verdict}")
    passed_cases = len(result.cases) - len(result.failed_cases)
    passed_invariants = len(result.invariants.results) - result.failed_invariants
    counts = (
        f"{passed_cases} of {len(result.cases)} cases and {passed_invariants} of"
        f" {len(result.invariants.results)} invariants passed"
    )
    lines += ["", f"Result: {'PASSED' if result.passed else 'FAILED'}: {counts}"]
    return "".join(f"{shown_line(line)}\n" for line in lines)


def shown_line(line: str) -> str:
    """A report line as printed: names and values from the cases file or the rules (a case's
    name, an answer) can neither move the cursor nor forge a line such as `PASS ...`."""
    return escape_line(line)
