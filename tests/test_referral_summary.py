"""The referral summary a clinician acts on (frozen copy of the default rules v2): who, when,
the key answers, the treatment table, converted doses, next steps, and what was found."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from screener.cli import app

from .conftest import FIXTURES

RULES = FIXTURES / "rules_default_v2.yaml"
ANSWERS = FIXTURES / "answers_v2"
runner = CliRunner()


def score(answers: Path, *options: str) -> str:
    result = runner.invoke(app, ["score", str(answers), "--rules", str(RULES), *options])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_note_for_a_caller_on_lorazepam_with_two_trials_shows_what_a_clinician_needs() -> None:
    note = score(ANSWERS / "needs_review.yaml", "-f", "markdown", "--by", "Ana Ruiz")
    assert re.search(r"^Screened \d{4}-\d\d-\d\d \d\d:\d\d by Ana Ruiz", note, re.M)
    assert "(`needs_review`)" in note
    assert "| Benzodiazepine dose as diazepam | 20 mg/day |" in note
    assert "| Who is on the phone | The person themselves |" in note
    table = note[note.index("## Treatments tried for this depression") :]
    assert "| # | Medicine | Weeks | Full dose | How much it helped |" in table
    assert "| 1 | Sertraline (Zoloft) | 12 weeks | yes |" in table
    assert "| 2 | Venlafaxine (Effexor) | 10 weeks | yes |" in table


def test_the_screener_defaults_to_the_login_name() -> None:
    import getpass

    note = score(ANSWERS / "needs_review.yaml", "-f", "markdown")
    assert f" by {getpass.getuser()}" in note


def test_blood_pressure_in_the_crisis_range_says_to_seek_care_today(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    text = (ANSWERS / "likely_eligible.yaml").read_text()
    text = re.sub(r"(?m)^bp_systolic: .*$", "bp_systolic: 220", text)
    text = re.sub(r"(?m)^bp_diastolic: .*$", "bp_diastolic: 125", text)
    answers.write_text(text)
    data = json.loads(score(answers, "-f", "json"))
    assert data["outcome"] == "not_eligible"
    steps = [s["step"] for s in data["rule_next_steps"]]
    assert any("medical care today" in s.lower() and "911" in s for s in steps), steps
    assert any("prescriber" in s or "primary care" in s for s in data["next_steps"])


def test_a_likely_eligible_summary_says_what_was_found_not_only_what_was_not() -> None:
    note = score(ANSWERS / "likely_eligible.yaml", "-f", "markdown")
    found = note[note.index("## What was found") :]
    assert "two failed adequate" in found.lower() or "antidepressant" in found.lower()


def test_a_saved_record_keeps_when_and_by_whom_it_was_made(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    answers = json.loads(score(ANSWERS / "needs_review.yaml", "-f", "json"))["answers"]
    record.write_text(
        json.dumps(
            {
                "schema": "screener.record/1",
                "intake_id": "T-7",
                "recorded_at": "2026-11-30T09:15:00-05:00",
                "recorded_by": "Ana Ruiz",
                "answers": answers,
            }
        )
    )
    note = score(record, "-f", "markdown", "--by", "someone else")
    assert "Recorded 2026-11-30 09:15 by Ana Ruiz" in note
    assert "Intake id: `T-7`" in note
    data = json.loads(score(record, "-f", "json"))
    assert (data["intake_id"], data["screened_at"], data["screened_by"]) == (
        "T-7",
        "2026-11-30T09:15:00-05:00",
        "Ana Ruiz",
    )
    assert data["answers"]["depression_treatments"][1]["medicine"] == "venlafaxine"


def test_crisis_steps_written_one_per_line_keep_their_lines_in_the_note(tmp_path: Path) -> None:
    text = RULES.read_text(encoding="utf-8")
    start = text.index("crisis_text: >-")
    end = text.index("\n\n", start)
    rules = tmp_path / "rules.yaml"
    steps = (
        "crisis_text: |-\n  Do these in order.\n  1. Stay on the line.\n  2. Call 911 if in danger."
    )
    rules.write_text(text[:start] + steps + text[end:], encoding="utf-8")
    result = runner.invoke(
        app, ["score", str(ANSWERS / "urgent.yaml"), "--rules", str(rules), "-f", "markdown"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "> **URGENT.** Do these in order.\n> 1. Stay on the line.\n> 2. Call 911 if in danger.\n"
        in (result.stdout)
    )
