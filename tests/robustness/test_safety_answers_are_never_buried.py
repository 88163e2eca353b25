"""Safety answers are never buried among the records that are not scored.

An invalid batch record whose unreadable cell belongs to a question an urgent rule reads
(self-harm) stays `invalid` (never scored), but is marked in the output (`safety_unreadable`)
and counted near the top of the summary, with its row and id, so it is checked now.

A record that is not scored (a cell elsewhere cannot be read, or its REDCap form is not
complete) but whose readable answers already make an urgent rule hold would be urgent whatever
the rest says: it keeps its outcome (`invalid`, `not_scored`), is marked in the output
(`urgent_answer`) and is listed first in the summary. `screener score` on such an answers file
shows the crisis steps before the problems."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from screener.cli import app
from screener.commands.batch.command import BatchOptions, run_batch
from screener.commands.batch.safety import safety_questions
from screener.core.model import Action, RuleSet
from screener.interop.redcap.dictionary import build_dictionary
from screener.rulefile.load import load_ruleset

from ..conftest import CLEAR_ANSWERS, FROZEN_RULES
from ..interop.redcap_exports import Exporter, ExportStyle, write_csv

runner = CliRunner()
QUESTIONS = list(CLEAR_ANSWERS)
URGENT = {"self_harm_thoughts": "yes"}
UNREADABLE = {"age": "old", "primary_condition": "zzz", "current_medications": "zzz"}


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([["intake_id", *QUESTIONS], *rows])
    return path


def person(intake_id: str, **cells: str) -> list[str]:
    return [intake_id, *({**CLEAR_ANSWERS, **cells}[q] for q in QUESTIONS)]


def unreadable(question: str) -> str:
    return UNREADABLE.get(question, "zzz-not-an-answer")


def test_the_safety_questions_are_those_urgent_rules_read(default_rules: RuleSet) -> None:
    urgent = [r for r in default_rules.rules if r.action is Action.URGENT]
    assert urgent, "the frozen rules have an urgent rule"
    assert set(safety_questions(default_rules)) == {q for r in urgent for q in r.reads}
    assert "self_harm_thoughts" in safety_questions(default_rules)


def test_an_unreadable_safety_answer_is_marked_and_counted_first(tmp_path: Path) -> None:
    rows = [
        person("A1"),
        person("A2", self_harm_thoughts="maybe"),
        person("A3", age="old"),
        ["A4", "too", "few"],
    ]
    data = write(tmp_path / "in.csv", rows)
    summary = tmp_path / "summary.json"
    result = runner.invoke(
        app, ["batch", str(data), "-o", str(tmp_path / "o.csv"), "--summary-json", str(summary)]
    )
    assert result.exit_code == 3
    out = list(csv.DictReader((tmp_path / "o.csv").open(newline="")))
    assert [(r["outcome"], r["safety_unreadable"]) for r in out] == [
        ("likely_eligible", "no"),
        ("invalid", "yes"),
        ("invalid", "no"),
        ("invalid", "yes"),  # no field can be matched to its question: the safety one neither
    ]
    lines = result.stderr.splitlines()
    assert lines[:3] == [
        "2 records that were not scored have an unreadable safety answer: check them now:",
        "  row 2 A2",
        "  row 4 A4",
    ]
    data_json = json.loads(summary.read_text())
    assert data_json["safety_unreadable"] == 2
    assert data_json["safety_unreadable_records"] == [
        {"row": 2, "id": "A2"},
        {"row": 4, "id": "A4"},
    ]

    jsonl = runner.invoke(app, ["batch", str(data), "-f", "jsonl"])
    objects = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [o["safety_unreadable"] for o in objects] == [False, True, False, True]


def test_without_unreadable_safety_answers_the_summary_starts_as_before(tmp_path: Path) -> None:
    data = write(tmp_path / "in.csv", [person("A1"), person("A3", age="old")])
    result = runner.invoke(app, ["batch", str(data), "-o", str(tmp_path / "o.csv")])
    assert result.stderr.startswith("screener batch: 2 records")
    assert "safety answer" not in result.stderr


@pytest.mark.parametrize("question", QUESTIONS)
def test_each_question_an_urgent_rule_reads_marks_its_record_and_no_other_does(
    tmp_path: Path, default_rules: RuleSet, question: str
) -> None:
    data = write(tmp_path / "in.csv", [person("A1", **{question: unreadable(question)})])
    result = runner.invoke(app, ["batch", str(data), "-f", "jsonl"])
    record = json.loads(result.stdout)
    assert record["outcome"] == "invalid"
    assert record["safety_unreadable"] is (question in safety_questions(default_rules))


@pytest.mark.parametrize(
    ("cells", "column", "heading"),
    [
        (
            {"self_harm_thoughts": "maybe"},
            "safety_unreadable",
            "60 records that were not scored have an unreadable safety answer: check them now:",
        ),
        (  # urgent whatever the age turns out to be
            {"self_harm_thoughts": "yes", "age": "forty"},
            "urgent_answer",
            "60 records that were not scored have urgent answers (an urgent rule holds,"
            " unreadable cells taken as unknown): check them now:",
        ),
    ],
)
def test_records_are_marked_across_block_boundaries_and_all_are_counted(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cells: dict[str, str],
    column: str,
    heading: str,
) -> None:
    rows = [person(f"A{i}", **cells) if i % 3 == 0 else person(f"A{i}") for i in range(1, 181)]
    data = write(tmp_path / "in.csv", rows)
    output = tmp_path / "o.csv"
    code = run_batch(BatchOptions(input=data, output=str(output), read_rows=4, block_rows=7))
    assert code == 3
    marked = [r["intake_id"] for r in csv.DictReader(output.open(newline="")) if r[column] == "yes"]
    assert marked == [f"A{i}" for i in range(3, 181, 3)]
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == heading
    assert lines[1:51] == [f"  row {i} A{i}" for i in range(3, 151, 3)]
    assert lines[51] == f"  ... and 10 more (the output's {column} column marks every one)"


def test_an_invalid_record_with_an_urgent_answer_is_marked_and_listed_before_anything_else(
    tmp_path: Path,
) -> None:
    data = write(
        tmp_path / "in.csv",
        [
            person("A1"),
            person("A2", **URGENT),
            person("A3", **URGENT, age="forty"),
            person("A4", age="forty"),
            person("A5", **URGENT, age="forty", bp_systolic="high"),
            person("A6", self_harm_thoughts="maybe"),  # the safety answer itself unreadable
        ],
    )
    summary = tmp_path / "summary.json"
    result = runner.invoke(
        app, ["batch", str(data), "-o", str(tmp_path / "o.csv"), "--summary-json", str(summary)]
    )
    assert result.exit_code == 3
    out = list(csv.DictReader((tmp_path / "o.csv").open(newline="")))
    assert [(r["outcome"], r["urgent_answer"], r["safety_unreadable"]) for r in out] == [
        ("likely_eligible", "no", "no"),
        ("urgent", "yes", "no"),  # scored: its outcome says it already
        ("invalid", "yes", "no"),  # urgent whatever its age turns out to be
        ("invalid", "no", "no"),
        ("invalid", "yes", "no"),
        ("invalid", "no", "yes"),
    ]
    lines = result.stderr.splitlines()
    assert lines[:5] == [
        "2 records that were not scored have urgent answers (an urgent rule holds, unreadable"
        " cells taken as unknown): check them now:",
        "  row 3 A3",
        "  row 5 A5",
        "1 record that was not scored has an unreadable safety answer: check it now:",
        "  row 6 A6",
    ]
    assert lines[5].startswith("screener batch: 6 records")
    assert "  row 3 A3: age: expected a whole number [urgent answer]" in lines
    assert "  row 4 A4: age: expected a whole number" in lines
    assert "  row 5 A5: age: expected a whole number (+1 more) [urgent answer]" in lines
    data_json = json.loads(summary.read_text())
    assert data_json["urgent_answer_not_scored"] == 2
    assert data_json["urgent_answer_not_scored_records"] == [
        {"row": 3, "id": "A3"},
        {"row": 5, "id": "A5"},
    ]
    assert [r["urgent_answer"] for r in data_json["invalid"]] == [True, False, True, False]
    assert data_json["outcomes"]["urgent"] == 1  # the unscored ones are counted as invalid

    jsonl = runner.invoke(app, ["batch", str(data), "-f", "jsonl"])
    objects = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [o["urgent_answer"] for o in objects] == [False, True, True, False, True, False]


def test_an_unknown_answer_elsewhere_does_not_make_an_unreadable_record_urgent(
    tmp_path: Path,
) -> None:
    """Only an urgent rule that holds counts: 'don't know' to the self-harm question leaves the
    urgent rule undecided, which is not an urgent answer."""
    data = write(tmp_path / "in.csv", [person("A1", self_harm_thoughts="dk", age="forty")])
    result = runner.invoke(app, ["batch", str(data), "-f", "jsonl"])
    record = json.loads(result.stdout)
    assert (record["outcome"], record["urgent_answer"]) == ("invalid", False)
    assert "urgent answer" not in result.stderr


INTENT_RULES = """\
name: Intent not known
version: "1"
clinic: {name: Test clinic, phone: null}
disclaimer: A pre-screen, not a diagnosis.
crisis_text: Follow the crisis steps.
next_steps:
  urgent: [Follow the crisis steps.]
  not_eligible: [Tell them.]
  needs_review: [Send to a clinician.]
  likely_eligible: [Book a consultation.]
questions:
  - {id: age, text: How old are they?, type: integer}
  - {id: thoughts, text: Thoughts of suicide this month?, type: yes_no}
  - {id: intent, text: Any intent to act on them?, type: yes_no, ask_if: thoughts}
rules:
  - id: intent_or_not_known
    action: urgent
    label: Thoughts with intent, or intent not known
    when: thoughts and (not known(intent) or intent)
    reason: Thoughts of suicide with intent, or intent not known.
    source: "[clinic]"
"""


def test_an_unreadable_answer_counts_as_dont_know_so_unknown_intent_beside_thoughts_is_urgent(
    tmp_path: Path,
) -> None:
    """Fail closed: an urgent rule that holds when an answer is not known (thoughts of suicide,
    intent not known) holds when that answer cannot be read, as it does for "don't know"."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(INTENT_RULES)
    data = tmp_path / "in.csv"
    data.write_text(
        "id,age,thoughts,intent\n"
        "A1,forty,yes,maybe\n"  # intent unreadable beside thoughts: as "don't know"
        "A2,forty,maybe,yes\n"  # thoughts unreadable: the rule cannot be decided
        "A3,forty,yes,no\n"
        "A4,40,yes,dk\n"  # the same answers, readable: urgent
        "A5,forty,no,yes\n"  # intent is not asked after a "no" to thoughts
    )
    result = runner.invoke(
        app, ["batch", str(data), "--rules", str(rules), "--id-column", "id", "-f", "jsonl"]
    )
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(o["outcome"], o["urgent_answer"], o["safety_unreadable"]) for o in objects] == [
        ("invalid", True, True),
        ("invalid", False, True),  # listed as an unreadable safety answer instead
        ("invalid", False, False),
        ("urgent", True, False),
        ("invalid", False, False),
    ]
    answers = tmp_path / "answers.yaml"
    answers.write_text('age: forty\nthoughts: "yes"\nintent: maybe\n')
    scored = runner.invoke(app, ["score", str(answers), "--rules", str(rules)])
    assert scored.exit_code == 1
    assert "URGENT: SAFETY" in scored.stderr
    assert "are urgent (intent_or_not_known)" in scored.stderr


def test_a_redcap_record_left_incomplete_with_an_urgent_answer_is_listed_first(
    tmp_path: Path,
) -> None:
    rules = load_ruleset(FROZEN_RULES)
    dictionary = tmp_path / "dictionary.csv"  # as `screener redcap dictionary` writes it
    dictionary.write_text(build_dictionary(rules).csv_text())
    exporter = Exporter(dictionary.read_text(), rules)
    style = ExportStyle()
    answers = {**CLEAR_ANSWERS, **URGENT}
    rows = [
        exporter.row("R-1", CLEAR_ANSWERS, style),
        exporter.row("R-2", answers, style, status="0"),  # the call ended before the form did
        exporter.row("R-3", CLEAR_ANSWERS, style, status="0"),
    ]
    export = tmp_path / "export.csv"
    export.write_text(write_csv(exporter.header(style), rows))
    result = runner.invoke(
        app, ["batch", str(export), "--redcap", str(dictionary), "--rules", str(FROZEN_RULES)]
    )
    assert result.exit_code == 0, result.stderr  # not_scored does not change the exit code
    out = list(csv.DictReader(result.stdout.splitlines()))
    assert [(r["outcome"], r["urgent_answer"]) for r in out] == [
        ("likely_eligible", "no"),
        ("not_scored", "yes"),
        ("not_scored", "no"),
    ]
    assert result.stderr.splitlines()[:2] == [
        "1 record that was not scored has urgent answers (an urgent rule holds, unreadable"
        " cells taken as unknown): check it now:",
        "  row 2 R-2",
    ]


def _redcap_export(tmp_path: Path, rows: list[tuple[str, dict[str, str], str]]) -> list[str]:
    """A REDCap raw export of the frozen rules' project, repeating-instrument columns
    included; returns the arguments for `screener batch` on it."""
    rules = load_ruleset(FROZEN_RULES)
    dictionary = tmp_path / "dictionary.csv"  # as `screener redcap dictionary` writes it
    dictionary.write_text(build_dictionary(rules).csv_text())
    exporter = Exporter(dictionary.read_text(), rules)
    style = ExportStyle()
    header = exporter.header(style)
    header = [header[0], "redcap_repeat_instrument", "redcap_repeat_instance", *header[1:]]
    lines = []
    for number, (record, cells, status) in enumerate(rows, start=1):
        row = exporter.row(record, {**CLEAR_ANSWERS, **cells}, style, status)
        lines.append([row[0], "survey", str(number), *row[1:]])
    export = tmp_path / "export.csv"
    export.write_text(write_csv(header, lines))
    return ["batch", str(export), "--redcap", str(dictionary), "--rules", str(FROZEN_RULES)]


def test_redcap_rows_that_disagree_on_a_safety_answer_or_a_short_row_mark_it_unreadable(
    tmp_path: Path,
) -> None:
    args = _redcap_export(
        tmp_path,
        [
            ("R-1", {"self_harm_thoughts": "no"}, "2"),
            ("R-1", {"self_harm_thoughts": "yes"}, "2"),  # which one holds?
            ("R-2", {"self_harm_thoughts": "no"}, "2"),
            ("R-2", {"age": "41"}, "2"),  # rows that disagree on another question only
            ("R-3", {}, "2"),
        ],
    )
    export = Path(args[1])
    lines = export.read_text().splitlines()
    lines[-1] = ",".join(lines[-1].split(",")[:10])  # R-3's row: too few fields
    export.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, [*args, "-f", "jsonl"])
    assert result.exit_code == 3, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(o["record_id"], o["outcome"], o["safety_unreadable"]) for o in objects] == [
        ("R-1", "invalid", True),
        ("R-2", "invalid", False),
        ("R-3", "invalid", True),  # no field can be matched: the safety one neither
    ]
    assert objects[2]["errors"] == ["export row 5: too few fields: 10, the header has 42"]
    assert result.stderr.splitlines()[:3] == [
        "2 records that were not scored have an unreadable safety answer: check them now:",
        "  row 1 R-1",
        "  row 3 R-3",
    ]


def test_a_redcap_record_not_scored_with_an_unreadable_safety_answer_is_marked_and_counted_once(
    tmp_path: Path,
) -> None:
    args = _redcap_export(tmp_path, [("R-1", {}, "0"), ("R-2", {}, "2"), ("R-3", {}, "0")])
    export = Path(args[1])
    rows = list(csv.reader(export.open(newline="")))
    column = rows[0].index("self_harm_thoughts")
    rows[1][column] = rows[2][column] = "7"  # no code of the field (R-1's form is incomplete)
    export.write_text(write_csv(rows[0], rows[1:]))
    summary = tmp_path / "summary.json"
    result = runner.invoke(app, [*args, "--summary-json", str(summary)])
    out = list(csv.DictReader(result.stdout.splitlines()))
    assert [(r["outcome"], r["safety_unreadable"]) for r in out] == [
        ("not_scored", "yes"),
        ("invalid", "yes"),
        ("not_scored", "no"),
    ]
    data = json.loads(summary.read_text())
    assert data["safety_unreadable"] == 2
    assert [r["row"] for r in data["safety_unreadable_records"]] == [1, 2]
    assert result.stderr.splitlines()[0] == (
        "2 records that were not scored have an unreadable safety answer: check them now:"
    )


def test_an_id_column_that_is_a_question_is_refused_so_its_answers_are_not_lost(
    tmp_path: Path,
) -> None:
    data = write(tmp_path / "in.csv", [person("A1", **URGENT)])
    result = runner.invoke(app, ["batch", str(data), "--id-column", "self_harm_thoughts"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --id-column 'self_harm_thoughts' is the column of question 'self_harm_thoughts';"
        " name the column that holds the record id\n"
    )


def test_score_shows_the_crisis_steps_when_readable_answers_are_urgent_but_one_is_not(
    tmp_path: Path,
) -> None:
    rules = load_ruleset(FROZEN_RULES)
    answers = tmp_path / "answers.yaml"
    answers.write_text('age: forty\nself_harm_thoughts: "yes"\n')
    result = runner.invoke(app, ["score", str(answers), "--rules", str(FROZEN_RULES)])
    assert result.exit_code == 1
    assert result.stdout == ""  # nothing is scored
    err = result.stderr
    assert "URGENT: SAFETY" in err
    first_words = rules.crisis_text.split()[:6]
    assert " ".join(first_words) in " ".join(err.split())
    assert err.index("URGENT: SAFETY") < err.index("age: expected a whole number")
    assert err.splitlines()[-1] == (
        f"error: {answers}: not scored, but with the values above taken as unknown the other"
        " answers are urgent (self_harm): follow the crisis steps now"
    )


def test_score_shows_no_crisis_steps_when_the_readable_answers_are_not_urgent(
    tmp_path: Path,
) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text('age: forty\nself_harm_thoughts: "no"\n')
    result = runner.invoke(app, ["score", str(answers), "--rules", str(FROZEN_RULES)])
    assert result.exit_code == 1
    assert "URGENT" not in result.stderr
    assert result.stderr.splitlines() == [
        f"error: {answers}: age: expected a whole number (got 'forty')"
    ]
