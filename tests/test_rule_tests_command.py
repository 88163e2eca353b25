"""`screener test`: cases, coverage, invariants and JUnit XML, as a clinical lead or CI runs it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from screener.cli import app

from .conftest import CLEAR_ANSWERS, FROZEN_RULES

runner = CliRunner()

# The clear answer set (likely eligible) as a cases file's `base`; JSON is valid YAML.
BASE = f"base: {json.dumps(CLEAR_ANSWERS)}\n"

BP_INVARIANT = """\
invariants:
  - name: uncontrolled blood pressure is never eligible
    given: bp_systolic >= 180 or bp_diastolic >= 100
    outcome_in: [not_eligible, urgent]
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def loosened_rules(tmp_path: Path) -> Path:
    """A copy of the bundled rules with the uncontrolled blood pressure threshold at 200."""
    text = FROZEN_RULES.read_text(encoding="utf-8")
    old = "when: bp_systolic >= 180 or bp_diastolic >= 100"
    assert old in text
    return write(
        tmp_path / "loose.yaml",
        text.replace(old, "when: bp_systolic >= 200 or bp_diastolic >= 100"),
    )


def test_passing_cases_exit_0_with_one_pass_line_each(tmp_path: Path) -> None:
    cases = write(
        tmp_path / "cases.yaml",
        BASE
        + """\
cases:
  - name: clear answers
    expect: {outcome: likely_eligible, flags: [phq9_moderately_severe]}
  - name: pregnancy excludes
    answers: {pregnant: yes}
    expect: {outcome: not_eligible, holds: [pregnancy], not_holds: [self_harm]}
""",
    )
    result = runner.invoke(app, ["test", str(cases)])
    assert result.exit_code == 0, result.output
    assert "  PASS  clear answers" in result.stdout
    assert "  PASS  pregnancy excludes" in result.stdout
    assert "Result: PASSED: 2 of 2 cases" in result.stdout


def test_failing_case_shows_expected_vs_actual_and_the_rule_results_behind_it(
    tmp_path: Path,
) -> None:
    cases = write(
        tmp_path / "cases.yaml",
        BASE
        + """\
cases:
  - name: 150 systolic is excluded
    answers: {bp_systolic: 150}
    expect: {outcome: not_eligible, holds: [bp_uncontrolled]}
""",
    )
    result = runner.invoke(app, ["test", str(cases)])
    assert result.exit_code == 1
    out = result.stdout
    assert "  FAIL  150 systolic is excluded" in out
    assert "outcome: expected not_eligible, got needs_review" in out
    assert "holds bp_uncontrolled: expected true, got false" in out
    evidence = out[out.index("rule results that made the difference") :]
    assert "bp_elevated (review, true, fired): Latest blood pressure 150 mmHg" in evidence
    assert "bp_uncontrolled (exclude, false, not fired)" in evidence
    assert "1 of 1 cases failed" in result.stderr


def test_unknown_and_flag_and_missing_expectations_are_checked(tmp_path: Path) -> None:
    cases = write(
        tmp_path / "cases.yaml",
        BASE
        + """\
cases:
  - name: no reading
    answers: {bp_systolic: unknown}
    expect:
      unknown: [bp_uncontrolled]
      flags: [no_bp_reading, phq9_severe]
      missing: [bp_diastolic]
""",
    )
    result = runner.invoke(app, ["test", str(cases)])
    assert result.exit_code == 1
    assert "flags phq9_severe: expected to fire, got not fired (false)" in result.stdout
    assert "missing: expected [bp_diastolic], got [bp_systolic]" in result.stdout
    assert "unknown bp_uncontrolled" not in result.stdout


def test_junit_xml_has_one_testcase_per_case_and_invariant_with_failures(tmp_path: Path) -> None:
    cases = write(
        tmp_path / "cases.yaml",
        BASE
        + """\
cases:
  - name: clear answers
    expect: {outcome: likely_eligible}
  - name: wrong on purpose
    answers: {hypertension: yes}
    expect: {outcome: likely_eligible}
"""
        + BP_INVARIANT,
    )
    junit = tmp_path / "out" / "junit.xml"
    junit.parent.mkdir()
    result = runner.invoke(app, ["test", str(cases), "--junit", str(junit), "--min-coverage", "10"])
    assert result.exit_code == 1
    suite = ET.parse(junit).getroot()
    assert suite.tag == "testsuite"
    assert (suite.get("tests"), suite.get("failures")) == ("4", "1")
    by_name = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(by_name) == {
        "clear answers",
        "wrong on purpose",
        "uncontrolled blood pressure is never eligible",
        "at least 10%",
    }
    failure = by_name["wrong on purpose"].find("failure")
    assert failure is not None
    assert "expected likely_eligible, got needs_review" in (failure.get("message") or "")
    assert "hypertension_review (review, true, fired)" in (failure.text or "")
    assert by_name["clear answers"].find("failure") is None
    assert [p.name for p in tmp_path.joinpath("out").iterdir()] == ["junit.xml"]


def test_coverage_lists_rules_never_held_and_never_false(tmp_path: Path) -> None:
    cases = write(
        tmp_path / "cases.yaml",
        BASE
        + """\
cases:
  - name: clear answers
    expect: {outcome: likely_eligible}
""",
    )
    result = runner.invoke(app, ["test", str(cases)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    never_held = next(line for line in lines if line.startswith("  never held: "))
    never_false = next(line for line in lines if line.startswith("  never false: "))
    assert "self_harm" in never_held and "pregnancy" in never_held
    assert "two_failed_antidepressants" not in never_held
    assert never_false == "  never false: two_failed_antidepressants, phq9_moderately_severe"
    assert "Coverage (named cases only): 41 of 82 rule values (50.0%)" in result.stdout


def test_min_coverage_fails_the_run_below_the_threshold_only(tmp_path: Path) -> None:
    cases = write(
        tmp_path / "cases.yaml",
        BASE
        + """\
cases:
  - name: clear answers
    expect: {outcome: likely_eligible}
""",
    )
    below = runner.invoke(app, ["test", str(cases), "--min-coverage", "50.1"])
    assert below.exit_code == 1
    assert "rule coverage 50.0% is below --min-coverage 50.1%" in below.stderr
    at = runner.invoke(app, ["test", str(cases), "--min-coverage", "50"])
    assert at.exit_code == 0, at.output
    bad = runner.invoke(app, ["test", str(cases), "--min-coverage", "120"])
    assert bad.exit_code == 2


def test_invariant_broken_by_a_loosened_rule_shows_a_concrete_counterexample(
    tmp_path: Path,
) -> None:
    cases = write(tmp_path / "cases.yaml", BASE + BP_INVARIANT)
    assert runner.invoke(app, ["test", str(cases)]).exit_code == 0
    result = runner.invoke(app, ["test", str(cases), "--rules", str(loosened_rules(tmp_path))])
    assert result.exit_code == 1
    out = result.stdout
    assert "  FAIL  uncontrolled blood pressure is never eligible" in out
    example = out[out.index("counterexample") :]
    assert "counterexample: the base answers, except\n" in example
    assert "  bp_systolic: 180 mmHg (there: 124 mmHg)\n" in example
    assert "outcome: needs_review, decided by:" in example
    assert "bp_elevated (review, true, fired)" in example
    assert "as a case's answers: {bp_systolic: 180}" in example
    assert "1 of 1 invariants failed" in result.stderr


def test_invariant_output_says_how_many_answer_sets_were_checked(tmp_path: Path) -> None:
    cases = write(tmp_path / "cases.yaml", BASE + BP_INVARIANT)
    result = runner.invoke(app, ["test", str(cases), "--samples", "300", "--seed", "7"])
    assert result.exit_code == 0
    header = next(line for line in result.stdout.splitlines() if line.startswith("Invariants:"))
    assert "answer sets checked" in header and "300 random draws, seed 7" in header
    checked = int(header.split()[1].replace(",", ""))
    assert checked > 300
    line = next(line for line in result.stdout.splitlines() if "PASS  uncontrolled" in line)
    assert "answer sets satisfied the condition" in line
    again = runner.invoke(app, ["test", str(cases), "--samples", "300", "--seed", "7"])
    assert again.stdout == result.stdout


def test_invariant_whose_condition_never_holds_fails(tmp_path: Path) -> None:
    cases = write(
        tmp_path / "cases.yaml",
        """\
invariants:
  - name: impossible
    given: age < 18 and age > 65
    outcome_in: [urgent]
""",
    )
    result = runner.invoke(app, ["test", str(cases)])
    assert result.exit_code == 1
    assert "no generated answer set satisfied the condition" in result.stdout


def test_counterexample_without_base_lists_only_the_answers_that_matter(tmp_path: Path) -> None:
    cases = write(
        tmp_path / "cases.yaml",
        """\
invariants:
  - name: no ride home is never likely eligible
    given: not has_ride_home
    outcome_not_in: [needs_review]
""",
    )
    result = runner.invoke(app, ["test", str(cases)])
    assert result.exit_code == 1
    out = result.stdout
    assert "counterexample: every answer unknown except\n" in out
    assert "          has_ride_home: no\n" in out
    assert "as a case's answers: {has_ride_home: no}" in out


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        (
            "cases:\n  - name: x\n    expect: {holds: [bp_uncontroled]}\n",
            ":3:22: cases[0] (x).expect.holds[0]: 'bp_uncontroled' is not a rule in the rule set"
            " (did you mean 'bp_uncontrolled'?)",
        ),
        (
            "cases:\n  - name: x\n    answers: {hypertenson: yes}\n    expect: {outcome: urgent}\n",
            ":3:28: cases[0] (x).answers.hypertenson: not a question in the rule set"
            " (did you mean 'hypertension'?)",
        ),
        (
            "cases:\n  - name: x\n    answers: {age: 300}\n    expect: {outcome: urgent}\n",
            ":3:20: cases[0] (x).answers.age: 300 is above the maximum 120 (got 300)",
        ),
        (
            "cases:\n  - name: x\n    expect: {flags: [bp_elevated]}\n",
            ":3:22: cases[0] (x).expect.flags[0]: 'bp_elevated' is a review rule, not a flag",
        ),
        (
            "invariants:\n  - name: x\n    given: hypertenson\n    outcome_in: [urgent]\n",
            ":3:12: invariants[0] (x).given: unknown question 'hypertenson'"
            " (did you mean 'hypertension'?)",
        ),
        (
            "invariants:\n  - name: x\n    given: age < 18\n",
            "give exactly one of 'outcome_in' or 'outcome_not_in'",
        ),
        (
            "cases:\n  - name: x\n    expect: {}\n",
            ":3:13: cases[0] (x).expect: states nothing to check",
        ),
    ],
)
def test_names_that_do_not_fit_the_rules_are_located_errors(
    tmp_path: Path, snippet: str, expected: str
) -> None:
    cases = write(tmp_path / "cases.yaml", snippet)
    result = runner.invoke(app, ["test", str(cases)])
    assert result.exit_code == 1
    assert expected in result.stderr
    assert result.stderr.startswith(str(cases))
    assert "Traceback" not in result.output


def test_missing_cases_file_is_one_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["test", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {tmp_path / 'nope.yaml'}: no such file"


def test_a_junit_path_that_cannot_be_written_is_refused_before_running(tmp_path: Path) -> None:
    cases = write(tmp_path / "cases.yaml", "cases:\n  - name: x\n    expect: {outcome: urgent}\n")
    result = runner.invoke(app, ["test", str(cases), "--junit", str(tmp_path / "no" / "j.xml")])
    assert result.exit_code == 2
    assert "no such directory" in result.stderr
    assert "Result" not in result.stdout


V2_RULES = FROZEN_RULES.parent / "rules_v2.yaml"
V2_BASE = """\
base: {age: 40, condition: depression, bp_systolic: 120, treatments: []}
"""


def test_cases_can_expect_the_review_priority_and_a_rules_next_step(tmp_path: Path) -> None:
    cases = write(
        tmp_path / "cases.yaml",
        V2_BASE
        + """\
cases:
  - name: crisis blood pressure shows its next step
    answers: {bp_systolic: 190}
    expect: {outcome: not_eligible, next_steps: [bp_crisis], priority: none}
  - name: lithium tried is seen the same day
    answers: {treatments: [{medicine: lithium, weeks: 8, full_dose: yes, improvement: none}]}
    expect: {priority: same_day}
  - name: expects what does not happen
    expect: {priority: routine, next_steps: [bp_crisis]}
""",
    )
    result = runner.invoke(app, ["test", str(cases), "--rules", str(V2_RULES)])
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "  PASS  crisis blood pressure shows its next step" in out
    assert "  PASS  lithium tried is seen the same day" in out
    assert "  FAIL  expects what does not happen" in out
    assert "priority: expected routine, got none" in out
    assert "next_steps bp_crisis: expected to show, got not shown (false)" in out
    assert "1 of 3 cases failed" in result.stderr


def test_a_next_step_expected_of_a_rule_without_one_is_a_located_error(tmp_path: Path) -> None:
    cases = write(
        tmp_path / "cases.yaml",
        V2_BASE + "cases:\n  - name: lithium\n    expect: {next_steps: [any_lithium]}\n",
    )
    result = runner.invoke(app, ["test", str(cases), "--rules", str(V2_RULES)])
    assert result.exit_code == 1, result.output
    assert "cases.yaml:4:27: cases[0] (lithium).expect.next_steps[0]:" in result.stderr
    assert "'any_lithium' has no next_step of its own to show" in result.stderr


def test_a_rule_file_given_as_the_cases_file_is_named_in_one_line() -> None:
    # Not one "unknown key" line for each of the rule file's keys.
    result = runner.invoke(app, ["test", str(FROZEN_RULES)])
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"{FROZEN_RULES}:1:1: this is a rule file, not a cases file")


def test_an_answers_file_given_as_the_cases_file_is_named_in_one_line(tmp_path: Path) -> None:
    answers = write(tmp_path / "person.yaml", "age: 42\nprimary_condition: depression\n")
    result = runner.invoke(app, ["test", str(answers), "--rules", str(FROZEN_RULES)])
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"{answers}:1:1: not a cases file")
    assert "screener score" in line


def test_names_with_control_characters_cannot_forge_report_lines_or_break_the_junit_file(
    tmp_path: Path,
) -> None:
    """A case named with ESC, a carriage return and a line break, a NUL and U+FFFE: the report
    shows them as escapes (no cursor moves, no forged `PASS` line) and the JUnit file is
    still XML a CI system can parse."""
    name = "x\x1b[2J\r  PASS  spoofed\n  PASS  also\x00\ufffe"
    cases = write(
        tmp_path / "cases.yaml",
        BASE + f"cases:\n  - name: {json.dumps(name)}\n    expect: {{outcome: urgent}}\n",
    )
    junit = tmp_path / "junit.xml"
    result = runner.invoke(app, ["test", str(cases), "--junit", str(junit)])
    assert result.exit_code == 1
    out = result.stdout
    assert "\x1b" not in out and "\r" not in out and "\x00" not in out
    assert "  FAIL  x\\x1b[2J\\r  PASS  spoofed\\n  PASS  also\\x00\ufffe\n" in out
    assert not [line for line in out.splitlines() if line.startswith("  PASS")]
    testcase = ET.parse(junit).getroot().find("testcase")
    assert testcase is not None
    assert testcase.get("name") == "x\\x1b[2J\\r  PASS  spoofed\n  PASS  also\\x00\\ufffe"


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "101", "-1"])
def test_a_min_coverage_that_is_not_a_percentage_is_a_usage_error(value: str) -> None:
    cases = Path(__file__).parent / "cases" / "default_rules.yaml"
    result = runner.invoke(app, ["test", str(cases), "--min-coverage", value])
    assert result.exit_code == 2, result.output
    assert "--min-coverage" in result.stderr


def test_a_long_unreadable_answer_in_a_cases_file_is_quoted_only_in_part(tmp_path: Path) -> None:
    cases = write(
        tmp_path / "cases.yaml",
        "cases:\n  - name: x\n    answers: {age: "
        + "9" * 5000
        + "}\n    expect: {outcome: urgent}\n",
    )
    result = runner.invoke(app, ["test", str(cases)])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.endswith("cases[0] (x).answers.age: expected a whole number of at most 18 digits"
                         " (got '9999999999999999999999999999999999999999…')")  # fmt: skip


def test_a_wrong_value_is_one_problem_in_plain_words_not_one_per_union_branch(
    tmp_path: Path,
) -> None:
    cases = write(
        tmp_path / "cases.yaml",
        "cases:\n"
        "  - name: a\n    expect: {outcome: urgent, priority: sometimes}\n"
        "  - 5\n"
        "  - name: [1, 2]\n    expect: {outcome: urgent}\n"
        "invariants:\n"
        "  - name: i\n    given: age > 3\n    outcome_in: urgent\n",
    )
    result = runner.invoke(app, ["test", str(cases)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{cases}:3:41: cases[0].expect.priority: must be one of 'same_day', 'routine' or 'none'",
        f"{cases}:4:5: cases[1]: must be a mapping of keys to values, not the number 5",
        f"{cases}:5:11: cases[2].name: must be a text, not a list",
        f"{cases}:10:17: invariants[0].outcome_in: must be a list, not the text 'urgent'",
    ]
