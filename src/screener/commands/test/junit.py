"""`screener test --junit FILE`: the results as JUnit XML, the format CI systems read.

One testsuite; one testcase per case (classname `cases`), per invariant (`invariants`), and
one for the coverage threshold when `--min-coverage` is given (`coverage`).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from screener.commands.test.report import case_lines, coverage_lines, invariant_lines
from screener.commands.test.run import SuiteResult
from screener.core.problems import escape_controls

# Characters XML 1.0 cannot hold at all (a CI system's parser refuses the whole file); the
# control characters among them are escaped by escape_controls first.
_NOT_XML = re.compile("[\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """A name or a message from the cases file or the rules, as XML may hold it."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", escape_controls(text))


def _testcase(
    suite: ET.Element, classname: str, name: str, failure: tuple[str, str] | None
) -> None:
    case = ET.SubElement(suite, "testcase", classname=classname, name=_xml_text(name), time="0")
    if failure is not None:
        message, details = failure
        element = ET.SubElement(case, "failure", message=_xml_text(message), type="AssertionError")
        element.text = _xml_text(details)


def junit_xml(result: SuiteResult) -> str:
    failures = (
        len(result.failed_cases) + result.failed_invariants + (0 if result.coverage_ok else 1)
    )
    tests = len(result.cases) + len(result.invariants.results)
    tests += 0 if result.min_coverage is None else 1
    suite = ET.Element(
        "testsuite",
        name=_xml_text(f"screener test {result.suite.source}"),
        tests=str(tests),
        failures=str(failures),
        errors="0",
        skipped="0",
        time="0",
    )
    properties = ET.SubElement(suite, "properties")
    for key, value in (
        ("rules", result.ruleset.source_name),
        ("rules_version", result.ruleset.version),
        ("rules_sha256", result.ruleset.sha256),
        ("answer_sets_checked", str(result.invariants.checked)),
        ("seed", str(result.invariants.seed)),
        ("coverage_percent", f"{result.coverage.percent:.2f}"),
    ):
        ET.SubElement(properties, "property", name=key, value=_xml_text(value))
    for case in result.cases:
        failure = None
        if not case.passed:
            failure = ("; ".join(str(m) for m in case.mismatches), "\n".join(case_lines(case)))
        _testcase(suite, "cases", case.case.name, failure)
    for invariant in result.invariants.results:
        failure = None
        if not invariant.passed:
            message = (
                f"{invariant.broken} answer sets broke it"
                if invariant.broken
                else "no generated answer set satisfied the condition"
            )
            failure = (message, "\n".join(invariant_lines(result.ruleset, invariant)))
        _testcase(suite, "invariants", invariant.invariant.name, failure)
    if result.min_coverage is not None:
        failure = None
        if not result.coverage_ok:
            failure = (
                f"rule coverage {result.coverage.percent_text} is below {result.min_coverage:g}%",
                "\n".join(coverage_lines(result.coverage)),
            )
        _testcase(suite, "coverage", f"at least {result.min_coverage:g}%", failure)
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
