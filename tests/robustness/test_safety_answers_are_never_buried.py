"""An invalid batch record whose unreadable cell belongs to a question an urgent rule reads
(self-harm) stays `invalid` (never scored), but is marked in the output (`safety_unreadable`)
and counted first in the summary, with its row and id, so it is checked now, not buried among
the other invalid records."""

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

from ..conftest import CLEAR_ANSWERS

runner = CliRunner()
QUESTIONS = list(CLEAR_ANSWERS)
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
        "2 invalid records have an unreadable safety answer: check them now:",
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


def test_records_are_marked_across_block_boundaries_and_all_are_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        person(f"A{i}", self_harm_thoughts="maybe") if i % 3 == 0 else person(f"A{i}")
        for i in range(1, 181)
    ]
    data = write(tmp_path / "in.csv", rows)
    output = tmp_path / "o.csv"
    code = run_batch(BatchOptions(input=data, output=str(output), read_rows=4, block_rows=7))
    assert code == 3
    marked = [r["intake_id"] for r in csv.DictReader(output.open(newline=""))
              if r["safety_unreadable"] == "yes"]  # fmt: skip
    assert marked == [f"A{i}" for i in range(3, 181, 3)]
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "60 invalid records have an unreadable safety answer: check them now:"
    assert lines[1:51] == [f"  row {i} A{i}" for i in range(3, 151, 3)]
    assert lines[51] == (
        "  ... and 10 more (the output's safety_unreadable column marks every one)"
    )
