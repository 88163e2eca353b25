from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from screener.cli import app
from screener.rulefile.load import RULES_VARIABLE, load_ruleset

from .conftest import EXAMPLES, FIXTURES, FROZEN_RULES, LIVE_RULES, ROOT

runner = CliRunner()


@pytest.mark.parametrize("outcome", ["likely_eligible", "needs_review", "not_eligible", "urgent"])
@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_each_example_gives_its_outcome_in_every_format(outcome: str, fmt: str) -> None:
    result = runner.invoke(app, ["score", str(EXAMPLES / f"{outcome}.yaml"), "--format", fmt])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        assert json.loads(result.stdout)["outcome"] == outcome
    elif fmt == "markdown":
        assert f"(`{outcome}`)" in result.stdout
    else:
        label = {
            "likely_eligible": "LIKELY ELIGIBLE",
            "needs_review": "NEEDS CLINICIAN REVIEW",
            "not_eligible": "NOT ELIGIBLE",
            "urgent": "URGENT",
        }[outcome]
        assert label in result.stdout


def test_urgent_summary_starts_with_the_crisis_text() -> None:
    for fmt in ("text", "markdown"):
        result = runner.invoke(app, ["score", str(EXAMPLES / "urgent.yaml"), "--format", fmt])
        assert result.exit_code == 0
        crisis = result.stdout.index("988")
        assert crisis < result.stdout.index("Reasons")


def test_blank_systolic_needs_review_and_names_the_blood_pressure_question(
    tmp_path: Path, clear_answers: dict[str, object]
) -> None:
    clear_answers["bp_systolic"] = ""
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(clear_answers))
    result = runner.invoke(app, ["score", str(answers), "--format", "json"])
    data = json.loads(result.stdout)
    assert data["outcome"] == "needs_review"
    assert data["missing"] == ["bp_systolic"]
    text = runner.invoke(app, ["score", str(answers)]).stdout
    assert "Answers that could change the outcome" in text
    assert "systolic" in text


def test_json_keeps_its_key_order_and_text_as_written_and_numbers_with_a_fraction() -> None:
    v2 = ["--rules", str(FIXTURES / "rules_default_v2.yaml")]
    answers = FIXTURES / "answers_v2" / "needs_review.yaml"  # lorazepam 2 mg a day
    result = runner.invoke(app, ["score", str(answers), "-f", "json", *v2])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data)[:6] == [
        "schema", "intake_id", "screened_at", "screened_by", "outcome", "outcome_label"
    ]  # fmt: skip
    assert list(data)[-3:] == ["disclaimer", "results", "answers"]
    assert result.stdout.endswith("}\n") and result.stdout.startswith('{\n  "schema": ')
    assert [d["value"] for d in data["derived"]] == [20.0]  # as diazepam
    assert '"value": 20.0,' in result.stdout
    assert "\\u" not in result.stdout  # text as written (the disclaimer's dash, quotes)


def test_a_number_json_has_no_word_for_is_written_null() -> None:
    from screener.formats.json_text import json_document

    text = json_document({"value": float("inf"), "items": [float("nan"), 1.5], "name": "José"})
    assert json.loads(text) == {"value": None, "items": [None, 1.5], "name": "José"}
    assert '"José"' in text and text.endswith("}\n")


def test_json_records_the_rule_set_name_version_and_hash(tmp_path: Path) -> None:
    import hashlib

    result = runner.invoke(app, ["score", str(EXAMPLES / "likely_eligible.yaml"), "-f", "json"])
    data = json.loads(result.stdout)
    rules = load_ruleset()
    assert data["ruleset"] == {"name": rules.name, "version": rules.version, "sha256": rules.sha256}
    assert data["ruleset"]["sha256"] == hashlib.sha256(FROZEN_RULES.read_bytes()).hexdigest()
    assert {r["rule"] for r in data["results"]} == {r.id for r in rules.rules}


def test_unreadable_answers_are_listed_one_per_line_with_exit_1(tmp_path: Path) -> None:
    answers = tmp_path / "bad.json"
    answers.write_text(json.dumps({"age": "abc", "hypertenson": "yes", "bp_systolic": 999}))
    result = runner.invoke(app, ["score", str(answers)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3
    assert "age: expected a whole number (got 'abc')" in lines[0]
    assert "did you mean 'hypertension'" in lines[1]
    assert "999 is above the maximum 260" in lines[2]
    assert "Traceback" not in result.output


def test_missing_answers_file_is_one_clear_error() -> None:
    result = runner.invoke(app, ["score", "no-such-file.yaml"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no-such-file.yaml: no such file"


def test_bad_format_is_a_usage_error() -> None:
    result = runner.invoke(app, ["score", str(EXAMPLES / "urgent.yaml"), "--format", "xml"])
    assert result.exit_code == 2


def test_answers_from_stdin(clear_answers: dict[str, object]) -> None:
    result = runner.invoke(app, ["score", "-", "-f", "json"], input=json.dumps(clear_answers))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["outcome"] == "likely_eligible"


def test_output_file_is_private_and_holds_the_summary(tmp_path: Path) -> None:
    out = tmp_path / "note.md"
    result = runner.invoke(
        app, ["score", str(EXAMPLES / "not_eligible.yaml"), "-f", "markdown", "-o", str(out)]
    )
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Not eligible on this pre-screen" in out.read_text()
    assert out.stat().st_mode & 0o777 == 0o600


def test_saved_record_scores_like_its_answers(
    tmp_path: Path, clear_answers: dict[str, object]
) -> None:
    record = tmp_path / "record.json"
    saved = {"schema": "screener.record/1", "intake_id": "A-17", "answers": clear_answers}
    record.write_text(json.dumps({**saved, "screening": {}}))
    result = runner.invoke(app, ["score", str(record), "-f", "markdown"])
    assert result.exit_code == 0
    assert "A-17" in result.stdout
    assert "(`likely_eligible`)" in result.stdout


def test_validate_bundled_rules_prints_one_line_naming_the_bundled_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(RULES_VARIABLE)
    live = load_ruleset(LIVE_RULES)
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0
    assert result.stdout.count("\n") == 1
    assert f"{len(live.questions)} questions, {len(live.rules)} rules" in result.stdout
    assert result.stdout.startswith(str(ROOT / "src" / "screener" / "data" / "rules.yaml"))
    assert "(bundled)" in result.stdout


def test_screener_rules_names_the_rule_file_used_when_no_rules_option_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = tmp_path / "clinic.yaml"
    own.write_text(FROZEN_RULES.read_text().replace("name: Default", "name: Own", 1))
    monkeypatch.setenv(RULES_VARIABLE, str(own))
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0
    assert result.stdout.startswith(str(own))


def test_the_rules_file_at_the_root_is_the_bundled_one() -> None:
    """An editor that replaces the root file instead of writing through the link would leave
    the clinic's edits out of the installed rules; CI catches that here."""
    bundled = ROOT / "src" / "screener" / "data" / "rules.yaml"
    assert LIVE_RULES.read_bytes() == bundled.read_bytes()


def test_an_installation_in_a_zip_file_still_finds_the_bundled_rules(tmp_path: Path) -> None:
    """The bundled file is read beside the code when it is a plain file; else as the package's
    resource, which in a zip file has no path (so no output can be checked against it)."""
    archive = tmp_path / "screener.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted((ROOT / "src" / "screener").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zipped.write(path, path.relative_to(ROOT / "src"))
    code = (
        "from screener.rulefile.load import load_ruleset, rules_input\n"
        "print(rules_input())\n"
        "print(load_ruleset().name)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(archive), "SCREENER_CACHE": "off"}
    env.pop(RULES_VARIABLE, None)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "('the bundled rules', None)",
        load_ruleset(LIVE_RULES).name,
    ]


def test_a_draft_is_refused_with_a_pointer_to_resume(tmp_path: Path) -> None:
    draft = tmp_path / "screener-draft-T1.json"
    draft.write_text(json.dumps({"schema": "screener.draft/1", "answers": {"age": 40}}))
    result = runner.invoke(app, ["score", str(draft)])
    assert result.exit_code == 1
    assert f"screener screen --resume {draft}" in result.stderr


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("empty.yaml", "  \n", "the file is empty"),
        ("export.csv", "age,hypertension\n40,no\n", "score it with `screener batch`"),
        ("list.yaml", "- age\n", "expected a mapping of question ids to answers"),
    ],
)
def test_files_that_are_not_answers_get_one_clear_message(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    result = runner.invoke(app, ["score", str(path)])
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_text_written_to_a_file_has_no_trailing_spaces(tmp_path: Path) -> None:
    out = tmp_path / "summary.txt"
    runner.invoke(app, ["score", str(EXAMPLES / "urgent.yaml"), "-o", str(out)])
    lines = out.read_text().splitlines()
    assert lines and all(line == line.rstrip() for line in lines)


def test_findings_outranked_by_the_outcome_are_still_on_the_summary(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("age: 16\npregnant: yes\nself_harm_thoughts: yes\n")
    for fmt in ("text", "markdown"):
        out = runner.invoke(app, ["score", str(answers), "-f", fmt]).stdout
        assert "URGENT" in out
        also = out.index("Also found")
        assert out.index("Age 16 years; the clinic treats adults 18") > also
        assert out.index("Pregnant or could be pregnant") > also
        assert "Answers that could still change the outcome" not in out  # nothing can


def test_a_version_read_as_a_number_must_be_quoted(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(FROZEN_RULES.read_text().replace('version: "2026.11.1"', "version: 2026.10"))
    result = runner.invoke(app, ["validate", str(rules)])
    assert result.exit_code == 1
    assert "write the version in quotes; without them it was read as the number 2026.1" in (
        result.stderr
    )


def test_a_record_saved_under_other_rules_is_scored_with_a_note(
    tmp_path: Path, clear_answers: dict[str, object]
) -> None:
    record = tmp_path / "record.json"
    record.write_text(
        json.dumps(
            {
                "schema": "screener.record/1",
                "intake_id": "T9",
                "ruleset": {"name": "Old rules", "version": "1", "sha256": "0" * 64},
                "screening": {"outcome": "needs_review"},
                "answers": clear_answers,
            }
        )
    )
    result = runner.invoke(app, ["score", str(record), "-f", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["outcome"] == "likely_eligible"
    assert result.stderr.startswith("note: this record was saved under rule set 'Old rules' 1")
    assert "its outcome was needs_review, now likely_eligible" in result.stderr


def test_an_unanswered_safety_question_heads_the_summary(
    tmp_path: Path, clear_answers: dict[str, object]
) -> None:
    clear_answers["self_harm_thoughts"] = "don't know"
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(clear_answers))
    for fmt in ("text", "markdown"):
        out = runner.invoke(app, ["score", str(answers), "-f", fmt]).stdout
        assert "needs_review" in out or "NEEDS CLINICIAN REVIEW" in out
        head = out.index("Safety question not answered")
        assert head < out.index("Answers that could change the outcome")
        assert "Thoughts of self-harm: not answered. Ask before the call ends" in out


def test_an_urgent_summary_ends_with_the_crisis_text_too() -> None:
    out = runner.invoke(app, ["score", str(EXAMPLES / "urgent.yaml")]).stdout
    assert out.count("988") >= 4  # twice in each of the two crisis panels
    assert out.rindex("988") > out.index("Rule set:")


def test_the_clinic_phone_from_the_rule_file_heads_the_summary(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(FROZEN_RULES.read_text().replace("  phone: null", '  phone: "555-0100"'))
    for fmt in ("text", "markdown"):
        out = runner.invoke(
            app, ["score", str(EXAMPLES / "likely_eligible.yaml"), "-r", str(rules), "-f", fmt]
        ).stdout
        assert "Ketamine Infusion Clinic (phone 555-0100)" in out


def test_an_unknown_benzodiazepine_dose_names_the_rule_it_decides(
    tmp_path: Path, clear_answers: dict[str, object]
) -> None:
    """The dose is read through known(): the rule holds because it is unknown, so answering
    could change the outcome, and the summary says which rule it decides."""
    answers = tmp_path / "answers.json"
    clear_answers.update(current_medications="benzodiazepine", benzodiazepine_dose_mg="")
    answers.write_text(json.dumps(clear_answers))
    for fmt in ("text", "markdown"):
        out = runner.invoke(app, ["score", str(answers), "-f", fmt]).stdout
        line = next(x for x in out.splitlines() if "benzodiazepine_dose_mg" in x and "decides" in x)
        assert line.rstrip().endswith("decides: Benzodiazepine above 8 mg/day or dose unknown"), (
            line
        )


def score_in_a_terminal(answers: Path, **env: str) -> str:
    """`screener score` as a person runs it in an 80-column terminal: what it shows."""
    import pexpect

    from .interview_calls import installed_screener

    child = pexpect.spawn(
        installed_screener(),
        ["score", str(answers)],
        env={**os.environ, "TERM": "xterm", "COLUMNS": "80", "LINES": "24", **env},
        dimensions=(24, 80),
        encoding="utf-8",
        timeout=30,
    )
    shown = child.read()
    child.close()
    assert child.exitstatus == 0, shown
    return str(shown)


def test_a_summary_in_a_terminal_is_drawn_to_its_width_in_colour() -> None:
    shown = score_in_a_terminal(EXAMPLES / "urgent.yaml")
    assert "\x1b[1;37;41m URGENT: SAFETY CONCERN \x1b[0m" in shown
    lines = shown.replace("\r\n", "\n").split("\n")
    crisis = [line for line in lines if "URGENT: SAFETY" in line and "╭" in line]
    assert len(crisis) == 2  # first, and again at the end
    assert all(line.startswith("\x1b[1;37;41m╭") for line in crisis)
    edges = [line for line in lines if line.startswith("╰")]
    assert edges and all(len(edge) == 80 for edge in edges)  # the main box, the full width


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_no_color_or_a_dumb_terminal_gets_the_summary_without_styles(env: dict[str, str]) -> None:
    shown = score_in_a_terminal(EXAMPLES / "urgent.yaml", **env)
    assert "\x1b[" not in shown
    assert " URGENT: SAFETY CONCERN " in shown


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("a.json", '{"age": 40, "other_medications": "x\\ud800"}', ":1:34:"),
        ("a.yaml", 'age: 40\nother_medications: "x\\udfff"\n', ":2:20:"),
        ("k.json", '{"\\ud800age": 40}', ":1:"),
    ],
)
def test_a_lone_surrogate_in_an_answers_file_is_one_located_error_not_a_crash(
    tmp_path: Path, name: str, text: str, where: str
) -> None:
    """A \\u escape of half a UTF-16 pair parses, but no encoding can write it back."""
    answers = tmp_path / name
    answers.write_text(text)
    result = runner.invoke(app, ["score", str(answers)])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"{answers}{where}")
    assert "is half of a UTF-16 pair, not a character" in result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"recorded_at": "garbage"}, "a saved record's 'recorded_at' is the date and time"),
        ({"recorded_at": 5}, "(ISO 8601, as screener writes it), not 5"),
        ({"recorded_by": 5}, "a saved record's 'recorded_by' is a text, not 5"),
        ({"ruleset": "x"}, "a saved record's 'ruleset' is a mapping, not 'x'"),
        ({"screening": []}, "a saved record's 'screening' is a mapping, not []"),
    ],
)
def test_a_saved_record_with_a_field_that_cannot_be_read_is_refused_not_rewritten(
    tmp_path: Path, clear_answers: dict[str, object], fields: dict[str, object], message: str
) -> None:
    """A record keeps its own time and screener: one that cannot be read is not replaced by
    the time of scoring and the login name."""
    record = tmp_path / "record.json"
    saved = {"schema": "screener.record/1", "answers": clear_answers, **fields}
    record.write_text(json.dumps(saved))
    result = runner.invoke(app, ["score", str(record)])
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert result.stdout == ""


def test_the_note_on_a_record_saved_under_other_rules_shows_their_name_escaped(
    tmp_path: Path, clear_answers: dict[str, object]
) -> None:
    record = tmp_path / "record.json"
    saved = {
        "schema": "screener.record/1",
        "answers": clear_answers,
        "ruleset": {"name": "Old\x1b[2J", "version": "1\n2", "sha256": "0" * 64},
    }
    record.write_text(json.dumps(saved))
    result = runner.invoke(app, ["score", str(record)])
    assert result.exit_code == 0, result.output
    note = result.stderr.splitlines()[0]
    assert note.startswith("note: this record was saved under rule set 'Old\\x1b[2J' 1\\n2,")
    bare = {**saved, "ruleset": {"sha256": "0" * 64}}
    record.write_text(json.dumps(bare))
    result = runner.invoke(app, ["score", str(record)])
    assert result.stderr.startswith("note: this record was saved under another rule set, not")
