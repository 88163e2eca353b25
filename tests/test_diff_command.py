"""`screener diff`: replaying records under a changed rule file, as a clinical lead or CI would."""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

from typer.testing import CliRunner

from screener.cli import app

from .conftest import ROOT

runner = CliRunner()
RULES = ROOT / "rules.yaml"
DEFAULT_CASES = ROOT / "tests" / "cases" / "default_rules.yaml"

CLEAR = {
    "age": "42",
    "primary_condition": "depression",
    "failed_antidepressants": "3",
    "prior_ketamine": "no",
    "bp_systolic": "124",
    "bp_diastolic": "78",
    "current_medications": "none",
    "benzodiazepine_dose_mg": "",
    "phq9_total": "17",
    "has_ride_home": "yes",
    **{
        q: "no"
        for q in [
            "ketamine_allergy",
            "aneurysm_or_avm",
            "brain_bleed",
            "stroke_or_tia",
            "heart_condition",
            "hypertension",
            "head_injury_or_icp",
            "seizures",
            "liver_disease",
            "thyroid_untreated",
            "bladder_problems",
            "pregnant",
            "breastfeeding",
            "psychosis_history",
            "psychosis_current",
            "mania_current",
            "substance_use_recent",
            "self_harm_thoughts",
        ]
    },
}


def variant(tmp_path: Path, name: str, *edits: tuple[str, str]) -> Path:
    text = RULES.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def loosened(tmp_path: Path) -> Path:
    return variant(
        tmp_path,
        "loose.yaml",
        (
            "when: bp_systolic >= 180 or bp_diastolic >= 100",
            "when: bp_systolic >= 200 or bp_diastolic >= 100",
        ),
    )


def export(tmp_path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    columns = header or ["intake_id", *CLEAR]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    path = tmp_path / "export.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def person(intake: str, **answers: str) -> dict[str, str]:
    return {"intake_id": intake, **CLEAR, **answers}


SYSTOLIC = [124, 185, 179, 199, 200, 150, 182]


def bp_export(tmp_path: Path) -> Path:
    return export(
        tmp_path, [person(f"A-{i}", bp_systolic=str(bp)) for i, bp in enumerate(SYSTOLIC, 1)]
    )


def matrix(stdout: str) -> dict[tuple[str, str], int]:
    lines = stdout.splitlines()
    start = lines.index("Outcomes (rows: old rules, columns: new rules):") + 1
    header = lines[start].split()[3:]  # after "old \ new"
    cells = {}
    for line in lines[start + 1 : start + 6]:
        name, *counts = line.split()
        for column, count in zip(header, counts, strict=True):
            cells[name, column] = int(count.replace(",", ""))
    return cells


def test_loosened_blood_pressure_fails_on_widened_and_names_the_records(tmp_path: Path) -> None:
    data = bp_export(tmp_path)
    result = runner.invoke(
        app,
        ["diff", str(RULES), str(loosened(tmp_path)), "--data", str(data), "--fail-on", "widened"],
    )
    assert result.exit_code == 4, result.output
    out = result.stdout
    assert "rule bp_uncontrolled changed" in out
    assert (
        "when: 'bp_systolic >= 180 or bp_diastolic >= 100' -> 'bp_systolic >= 200 or"
        " bp_diastolic >= 100'" in out
    )
    assert "Outcome changed for 3 records: 3 widened" in out
    assert "row 2 (intake A-2): not_eligible -> needs_review (widened)" in out
    assert "bp_uncontrolled: true -> false (bp_systolic 185 mmHg; bp_diastolic 78 mmHg)" in out
    assert "row 7 (intake A-7): not_eligible -> needs_review (widened)" in out
    assert "intake A-5" not in out  # 200 is excluded under both
    assert "row 4 (intake A-4): not_eligible -> needs_review (widened)" in out
    assert "3 records moved to a less restrictive outcome (--fail-on widened)" in result.stderr


def test_without_fail_on_the_same_diff_exits_0(tmp_path: Path) -> None:
    data = bp_export(tmp_path)
    result = runner.invoke(app, ["diff", str(RULES), str(loosened(tmp_path)), "--data", str(data)])
    assert result.exit_code == 0, result.output
    narrowed = runner.invoke(
        app,
        ["diff", str(RULES), str(loosened(tmp_path)), "--data", str(data), "--fail-on", "narrowed"],
    )
    assert narrowed.exit_code == 0
    assert "--fail-on narrowed: no record moved that way" in narrowed.stdout


def test_matrix_counts_add_up_to_the_records(tmp_path: Path) -> None:
    data = bp_export(tmp_path)
    result = runner.invoke(app, ["diff", str(RULES), str(loosened(tmp_path)), "--data", str(data)])
    cells = matrix(result.stdout)
    assert sum(v for (row, col), v in cells.items() if "total" not in (row, col)) == len(SYSTOLIC)
    assert cells["not_eligible", "needs_review"] == 3  # 185, 199, 182
    assert cells["not_eligible", "not_eligible"] == 1  # 200
    assert cells["needs_review", "needs_review"] == 2
    assert cells["likely_eligible", "likely_eligible"] == 1
    assert f"Data: {data}: 7 records" in result.stdout


def test_output_writes_every_changed_record_owner_only(tmp_path: Path) -> None:
    data = bp_export(tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    output = out_dir / "changes.csv"
    result = runner.invoke(
        app,
        ["diff", str(RULES), str(loosened(tmp_path)), "--data", str(data), "-o", str(output)],
    )
    assert result.exit_code == 0
    rows = list(csv.DictReader(output.open(encoding="utf-8", newline="")))
    assert [r["intake_id"] for r in rows] == ["A-2", "A-4", "A-7"]
    assert rows[0] == {
        "record": "2",
        "intake_id": "A-2",
        "old_outcome": "not_eligible",
        "new_outcome": "needs_review",
        "change": "widened",
        "rule_changes": "bp_uncontrolled: true -> false",
        "old_deciding": "bp_uncontrolled",
        "new_deciding": "bp_elevated",
        "errors": "",
    }
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert [p.name for p in out_dir.iterdir()] == ["changes.csv"]


def test_a_cases_file_can_be_the_data(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "diff",
            str(RULES),
            str(loosened(tmp_path)),
            "--data",
            str(DEFAULT_CASES),
            "--fail-on",
            "any",
        ],
    )
    assert result.exit_code == 4
    assert (
        "case 'systolic 180 is uncontrolled blood pressure': not_eligible -> needs_review"
        " (widened)" in result.stdout
    )


def test_unreadable_rows_are_invalid_under_both_rules_and_never_widening(tmp_path: Path) -> None:
    header = ["intake_id", *CLEAR]
    good = person("A-1")
    text = ",".join(header) + "\n"
    text += ",".join(good[c] for c in header) + "\n"
    text += "A-2,only,three\n"  # wrong number of cells
    text += ",".join(person("A-3", age="abc")[c] for c in header) + "\n"
    path = tmp_path / "export.csv"
    data = (
        text.encode("utf-8")
        + ",".join(person("A-4")[c] for c in header)
        .replace("depression", "d\xe9pression")
        .encode("cp1252")
        + b"\n"
    )
    path.write_bytes(data)
    result = runner.invoke(
        app,
        ["diff", str(RULES), str(loosened(tmp_path)), "--data", str(path), "--fail-on", "widened"],
    )
    assert result.exit_code == 0, result.output
    cells = matrix(result.stdout)
    assert cells["invalid", "invalid"] == 3
    assert cells["likely_eligible", "likely_eligible"] == 1


def test_a_record_readable_under_one_rule_set_only_is_invalid_not_widened(tmp_path: Path) -> None:
    narrower_range = variant(
        tmp_path, "range.yaml", ("    min: 60\n    max: 260", "    min: 60\n    max: 200")
    )
    data = export(tmp_path, [person("A-1", bp_systolic="230"), person("A-2")])
    output = tmp_path / "changes.csv"
    result = runner.invoke(
        app,
        [
            "diff",
            str(RULES),
            str(narrower_range),
            "--data",
            str(data),
            "--fail-on",
            "widened",
            "-o",
            str(output),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "row 1 (intake A-1): not_eligible -> invalid (invalid)" in result.stdout
    assert (
        "cannot be read under the new rules: bp_systolic: 230 is above the maximum 200"
        in result.stdout
    )
    assert "question bp_systolic changed\n      max: 260 -> 200" in result.stdout
    rows = list(csv.DictReader(output.open(encoding="utf-8", newline="")))
    assert rows[0]["errors"] == "new: bp_systolic: 230 is above the maximum 200 (got '230')"
    any_change = runner.invoke(
        app, ["diff", str(RULES), str(narrower_range), "--data", str(data), "--fail-on", "any"]
    )
    assert any_change.exit_code == 4


def test_questions_and_rules_added_removed_and_changed_are_listed(tmp_path: Path) -> None:
    new = variant(
        tmp_path,
        "new.yaml",
        (
            "  - id: no_ride_home\n    action: review",
            "  - id: no_ride_home_gone\n    action: flag",
        ),
        ("    text: Are they breastfeeding?\n", "    text: Are they breastfeeding now?\n"),
        (
            "  - id: has_ride_home\n",
            "  - id: lives_alone\n    text: Do they live alone?\n    type: yes_no\n\n"
            "  - id: has_ride_home\n",
        ),
    )
    data = export(tmp_path, [person("A-1", has_ride_home="no"), person("A-2")])
    result = runner.invoke(
        app, ["diff", str(RULES), str(new), "--data", str(data), "--fail-on", "widened"]
    )
    assert result.exit_code == 4
    out = result.stdout
    assert (
        "question breastfeeding changed\n"
        "      text: 'Are they breastfeeding?' -> 'Are they breastfeeding now?'" in out
    )
    assert "question lives_alone added (yes_no)" in out
    assert "rule no_ride_home removed" in out
    assert "rule no_ride_home_gone added (flag)" in out
    assert "row 1 (intake A-1): needs_review -> likely_eligible (widened)" in out
    assert "no_ride_home: true -> absent" in out
    assert "no column for lives_alone (new rules): unknown in every record" in out


def test_headers_match_ids_and_aliases_in_any_case_and_spacing(tmp_path: Path) -> None:
    header = [" Intake_ID ", " AGE_YEARS", *(c.upper() for c in CLEAR if c != "age")]
    row = person("A-1", bp_systolic="190")
    values = [row["intake_id"], row["age"], *(row[c] for c in CLEAR if c != "age")]
    path = tmp_path / "export.csv"
    path.write_text("\ufeff" + ",".join(header) + "\n" + ",".join(values) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["diff", str(RULES), str(loosened(tmp_path)), "--data", str(path)])
    assert result.exit_code == 0, result.output
    assert "row 1 (intake A-1): not_eligible -> needs_review (widened)" in result.stdout
    assert "Notes:" not in result.stdout


def test_bad_inputs_are_one_clear_error(tmp_path: Path) -> None:
    missing = runner.invoke(
        app, ["diff", str(RULES), str(RULES), "--data", str(tmp_path / "none.csv")]
    )
    assert missing.exit_code == 1
    assert "none.csv: no such file" in missing.stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert runner.invoke(app, ["diff", str(RULES), str(RULES), "--data", str(empty)]).exit_code == 1
    bad_flag = runner.invoke(
        app, ["diff", str(RULES), str(RULES), "--data", str(empty), "--fail-on", "wider"]
    )
    assert bad_flag.exit_code == 2
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [\n")
    bad_rules = runner.invoke(app, ["diff", str(RULES), str(broken), "--data", str(empty)])
    assert bad_rules.exit_code == 1
    assert "Traceback" not in bad_rules.output


def test_output_never_overwrites_the_data_or_a_rule_file(tmp_path: Path) -> None:
    data = bp_export(tmp_path)
    new_rules = loosened(tmp_path)
    before = (data.read_bytes(), new_rules.read_bytes())
    for target in (data, new_rules):
        result = runner.invoke(
            app,
            ["diff", str(RULES), str(new_rules), "--data", str(data), "--output", str(target)],
        )
        assert result.exit_code == 2
        assert "is an input file" in result.stderr
    assert (data.read_bytes(), new_rules.read_bytes()) == before
