"""`screener redcap dictionary` and `screener batch --redcap`: a REDCap project built from the
rule file, whose raw and label exports score exactly as the canonical CSV of the same answers."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screener.cli import app
from screener.commands.batch.command import BatchOptions, run_batch
from screener.core.coercion import coerce_value
from screener.core.model import QuestionType
from screener.formats.answers_file import parse_answers_text
from screener.interop.redcap.dictionary import build_dictionary
from screener.interop.redcap.export_rows import answer_text
from screener.rulefile.load import load_ruleset

from .conftest import CLEAR_ANSWERS, EXAMPLES, FIXTURES, FROZEN_RULES
from .interop.redcap_exports import Exporter, ExportStyle, write_csv

runner = CliRunner()
RULES = load_ruleset(FROZEN_RULES)
QUESTIONS = [q.id for q in RULES.questions]
REDCAP = FIXTURES / "redcap"
RESULT = ("outcome", "deciding", "undecided", "flags", "missing", "errors")
RAW = ExportStyle()
LABELS = ExportStyle(label_headers=True, label_values=True)


def invoke(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def dictionary_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dictionary as `screener redcap dictionary` writes it for the frozen rules."""
    path = tmp_path_factory.mktemp("redcap") / "dict.csv"
    result = invoke("redcap", "dictionary", "--rules", FROZEN_RULES, "-o", path)
    assert result.exit_code == 0, result.output
    return path


# ---- screener redcap dictionary --------------------------------------------------------------


def test_the_dictionary_command_writes_the_dictionary_and_says_what_it_wrote(
    dictionary_csv: Path,
) -> None:
    assert dictionary_csv.read_text() == build_dictionary(RULES).csv_text()
    assert stat.S_IMODE(dictionary_csv.stat().st_mode) == 0o644  # no one's answers in it
    result = invoke("redcap", "dictionary", "-o", dictionary_csv)  # replaces its own output
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        f"screener redcap dictionary: {RULES.name} {RULES.version}: {len(QUESTIONS)} questions"
        f" on form prescreen (with record_id first and screener_rules_version last)"
        f" -> {dictionary_csv}"
    )
    assert "REDCap adds prescreen_complete" in result.stderr


def test_with_list_questions_the_dictionary_counts_fields_and_questions_apart(
    tmp_path: Path,
) -> None:
    """A list question has a field per item: the count names both, so it can be checked
    against `screener validate`'s count of questions."""
    rules = load_ruleset(FIXTURES / "rules_default_v2.yaml")
    assert len(rules.slots) > len(rules.questions)
    result = invoke(
        "redcap", "dictionary", "--rules", FIXTURES / "rules_default_v2.yaml", "-o",
        tmp_path / "d.csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        f": {len(rules.slots)} fields ({len(rules.questions)} questions, a list question's items"
        " field by field) on form prescreen"
    ) in result.stderr.splitlines()[0]


def test_without_an_output_the_dictionary_goes_to_stdout_and_a_form_can_be_named() -> None:
    result = invoke("redcap", "dictionary", "--form", "intake")
    assert result.exit_code == 0
    assert result.stdout == build_dictionary(RULES, "intake").csv_text()
    assert "-> <stdout>" in result.stderr


def test_the_dictionary_never_replaces_the_rule_file(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_bytes(FROZEN_RULES.read_bytes())
    result = invoke("redcap", "dictionary", "--rules", rules, "-o", rules)
    assert result.exit_code == 2
    assert "is an input file" in result.stderr
    assert rules.read_bytes() == FROZEN_RULES.read_bytes()
    result = invoke("redcap", "dictionary", "--form", "Pre Screen", "-o", tmp_path / "d.csv")
    assert result.exit_code == 1
    assert "--form 'Pre Screen'" in result.stderr
    assert not (tmp_path / "d.csv").exists()


# ---- scoring exports ---------------------------------------------------------------------------


@contextlib.contextmanager
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def scored(path: Path, redcap: Path | None = None, **options: object) -> tuple[int, str]:
    """`screener batch` run in this process: (exit code, the output CSV)."""
    out = path.with_name(path.stem + "-scored.csv")
    with contextlib.redirect_stderr(io.StringIO()):
        code = run_batch(BatchOptions(input=path, output=str(out), redcap=redcap, **options))  # type: ignore[arg-type]
    return code, out.read_text()


def canonical_csv(people: list[tuple[str, dict[str, str]]]) -> str:
    return write_csv(
        ["record_id", *QUESTIONS], [[rid, *(a[q] for q in QUESTIONS)] for rid, a in people]
    )


def example_people() -> list[tuple[str, dict[str, str]]]:
    """The four example callers (one per outcome), and variants with don't know and hidden
    answers, as canonical cells."""
    people = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        raw = parse_answers_text(path.read_text(), str(path)).raw
        cells = {q.id: answer_text(coerce_value(q, raw.get(q.id))) for q in RULES.questions}
        people.append((path.stem, cells))
    people.append(("dont_know", {**CLEAR_ANSWERS, "self_harm_thoughts": "dk", "pregnant": "dk"}))
    people.append(
        ("hidden", {**CLEAR_ANSWERS, "primary_condition": "ptsd", "benzodiazepine_dose_mg": "40"})
    )
    return people


def test_raw_and_label_exports_from_the_written_dictionary_score_as_their_canonical_csv(
    dictionary_csv: Path, tmp_path: Path
) -> None:
    """Done when: the same callers, as a raw and a label export of the project the dictionary
    builds, score exactly as their canonical CSV, with no hand edits and no map file."""
    people = example_people()
    exporter = Exporter(dictionary_csv.read_text(), RULES)
    canonical = tmp_path / "canonical.csv"
    canonical.write_text(canonical_csv(people))
    expected = invoke("batch", canonical, "--id-column", "record_id")
    assert expected.exit_code == 0, expected.stderr
    outcomes = {r["outcome"] for r in csv_rows(expected.stdout)}
    assert outcomes == {"urgent", "not_eligible", "needs_review", "likely_eligible"}
    for name, style in (
        ("raw", RAW),
        ("labels", LABELS),
        ("ticked-labels", ExportStyle(True, True, checkbox_label_when_ticked=True)),
    ):
        export = tmp_path / f"{name}.csv"
        export.write_text(
            write_csv(exporter.header(style), [exporter.row(r, a, style) for r, a in people])
        )
        result = invoke("batch", export, "--redcap", dictionary_csv)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == expected.stdout, name
        assert "redcap:" not in result.stderr  # nothing left unread


@st.composite
def callers(draw: st.DrawFn) -> list[tuple[str, dict[str, str]]]:
    """Known answers (or don't know), as canonical cells, for a few callers."""
    people = []
    for number in range(draw(st.integers(1, 6))):
        answers: dict[str, str] = {}
        for question in RULES.questions:
            kind = question.type
            choices: list[str] = ["", "dk"]
            if kind is QuestionType.YES_NO:
                choices += ["yes", "no", "no"]
            elif kind is QuestionType.INTEGER:
                low, high = int(question.min or 0), int(question.max or 100)
                choices += [str(low), str(high), *map(str, range(low, min(high, low + 30), 3))]
            elif kind is QuestionType.CHOICE:
                choices += list(question.choice_values)
            elif kind is QuestionType.MULTI_CHOICE:
                values = list(question.choice_values)
                picked = draw(st.lists(st.sampled_from(values), max_size=3, unique=True))
                choices += ["none", ";".join(sorted(picked)) or "none"]
            answers[question.id] = draw(st.sampled_from(choices))
        people.append((f"P{number}", answers))
    return people


@pytest.mark.timeout(120)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    callers(),
    st.sampled_from([RAW, ExportStyle(label_headers=True), LABELS]),
    st.sampled_from([ExportStyle(label_values=True), LABELS, ExportStyle(True, True, True)]),
)
def test_generated_raw_and_label_exports_score_exactly_as_the_canonical_csv(
    people: list[tuple[str, dict[str, str]]], raw_style: ExportStyle, label_style: ExportStyle
) -> None:
    text = build_dictionary(RULES).csv_text()
    exporter = Exporter(text, RULES)
    with workdir() as work:
        dictionary = work / "dict.csv"
        dictionary.write_text(text)
        canonical = work / "canonical.csv"
        canonical.write_text(canonical_csv(people))
        code, expected = scored(canonical, id_column="record_id")
        for name, style in (("raw", raw_style), ("labels", label_style)):
            export = work / f"{name}.csv"
            rows = [exporter.row(r, a, style) for r, a in people]
            export.write_text(write_csv(exporter.header(style), rows))
            assert scored(export, dictionary) == (code, expected), name


# ---- the realistic fixture ---------------------------------------------------------------------


def test_a_realistic_export_scores_as_its_canonical_csv_and_incomplete_forms_are_not_scored(
    tmp_path: Path,
) -> None:
    result = invoke(
        "batch", REDCAP / "export_raw.csv", "--redcap", REDCAP / "dictionary.csv", "-o",
        tmp_path / "out.csv", "--summary-json", tmp_path / "summary.json",
    )  # fmt: skip
    assert result.exit_code == 3, result.stderr  # R-006 holds a code its field does not have
    rows = csv_rows((tmp_path / "out.csv").read_text())
    assert [r["record_id"] for r in rows] == [f"R-00{n}" for n in range(1, 10)]
    expected = {
        r["record_id"]: r
        for r in csv_rows(
            invoke("batch", REDCAP / "canonical.csv", "--id-column", "record_id").stdout
        )
    }
    not_scored = {
        "R-003": "REDCap form prescreen is Incomplete (prescreen_complete = 0)",
        "R-004": "REDCap form prescreen is Unverified (prescreen_complete = 1)",
        "R-008": "REDCap form prescreen has no status (prescreen_complete is blank)",
    }
    for row in rows:
        rid = row["record_id"]
        if rid in not_scored:
            assert row["outcome"] == "not_scored"
            assert (
                row["errors"] == f"{not_scored[rid]}: not scored (--include-incomplete scores it)"
            )
            assert row["deciding"] == row["flags"] == row["missing"] == ""
        elif rid == "R-006":
            assert row["outcome"] == "invalid"
            assert row["errors"] == (
                "ketamine_allergy: expected yes or no"
                " (got '7 (not a choice of REDCap field ketamine_allergy)')"
            )
        else:
            assert {k: row[k] for k in RESULT} == {k: expected[rid][k] for k in RESULT}, rid
    assert "not_scored                 3   33.3%" in result.stderr
    assert "redcap:" not in result.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["outcomes"]["not_scored"] == 3
    assert summary["outcomes"]["invalid"] == 1
    assert [r["id"] for r in summary["invalid"]] == ["R-006"]


def test_include_incomplete_scores_every_record(tmp_path: Path) -> None:
    result = invoke(
        "batch", REDCAP / "export_raw.csv", "--redcap", REDCAP / "dictionary.csv",
        "--include-incomplete", "--format", "jsonl",
    )  # fmt: skip
    assert result.exit_code == 3
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["outcome"] for o in lines].count("not_scored") == 0
    assert lines[7]["record_id"] == "R-008"
    assert lines[7]["outcome"] == "needs_review"  # nothing answered: never likely eligible


def test_jsonl_output_marks_records_not_scored(tmp_path: Path) -> None:
    result = invoke(
        "batch", REDCAP / "export_raw.csv", "--redcap", REDCAP / "dictionary.csv", "-f", "jsonl"
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[2] == {
        "row": 3,
        "record_id": "R-003",
        "outcome": "not_scored",
        "deciding": [],
        "undecided": [],
        "flags": [],
        "missing": [],
        "errors": [
            "REDCap form prescreen is Incomplete (prescreen_complete = 0): not scored"
            " (--include-incomplete scores it)"
        ],
        "safety_unreadable": False,
        "urgent_answer": False,
    }


def test_redcap_options_that_cannot_work_are_refused(dictionary_csv: Path, tmp_path: Path) -> None:
    export = REDCAP / "export_raw.csv"
    dictionary = REDCAP / "dictionary.csv"
    result = invoke("batch", export, "--include-incomplete")
    assert result.exit_code == 2
    assert "--include-incomplete is for REDCap exports" in result.stderr
    result = invoke("batch", export, "--redcap", dictionary, "--id-column", "caller_name")
    assert result.exit_code == 2
    assert "the dictionary's first field, 'record_id'" in result.stderr
    copy = tmp_path / "dict.csv"
    copy.write_bytes(dictionary.read_bytes())
    result = invoke("batch", export, "--redcap", copy, "-o", copy)
    assert result.exit_code == 2
    assert copy.read_bytes() == dictionary.read_bytes()
    header, *rows = list(csv.reader(io.StringIO(export.read_text())))
    keep = [i for i, name in enumerate(header) if name != "prescreen_complete"]
    trimmed = tmp_path / "no-status.csv"
    trimmed.write_text(write_csv([header[i] for i in keep], [[r[i] for i in keep] for r in rows]))
    result = invoke("batch", trimmed, "--redcap", dictionary)
    assert result.exit_code == 2
    assert "no prescreen_complete column" in result.stderr
    result = invoke("batch", trimmed, "--redcap", FROZEN_RULES)
    assert result.exit_code == 1
    assert "not a REDCap data dictionary" in result.stderr


def test_what_the_export_does_not_give_is_named_on_stderr(
    dictionary_csv: Path, tmp_path: Path
) -> None:
    exporter = Exporter(dictionary_csv.read_text(), RULES)
    header = [*exporter.header(RAW), "site"]
    rows = [[*exporter.row("A1", CLEAR_ANSWERS, RAW), "north"]]
    drop = header.index("current_medications___5")
    export = tmp_path / "export.csv"
    export.write_text(
        write_csv(header[:drop] + header[drop + 1 :], [r[:drop] + r[drop + 1 :] for r in rows])
    )
    result = invoke("batch", export, "--redcap", dictionary_csv)
    assert result.exit_code == 0
    assert "redcap: export columns that" in result.stderr and "(ignored): site" in result.stderr
    assert (
        "the export has only some of the tick-box columns of current_medications" in result.stderr
    )
    assert "Questions with no column (answers unknown): current_medications" in result.stderr
    assert csv_rows(result.stdout)[0]["outcome"] == "needs_review"


def test_a_map_names_the_projects_own_fields_for_questions(
    dictionary_csv: Path, tmp_path: Path
) -> None:
    """A clinic's existing project may call a question's field something else."""
    text = dictionary_csv.read_text().replace("\nage,", "\npt_age,", 1)
    renamed = tmp_path / "dict.csv"
    renamed.write_text(text)
    exporter = Exporter(text, RULES)
    export = tmp_path / "export.csv"
    header, row = exporter.header(RAW), exporter.row("A1", CLEAR_ANSWERS, RAW)
    row[header.index("pt_age")] = "16"
    export.write_text(write_csv(header, [row]))
    plain = invoke("batch", export, "--redcap", renamed)
    assert csv_rows(plain.stdout)[0]["missing"] == "age"  # no field for the question
    mapping = tmp_path / "map.yaml"
    mapping.write_text("pt_age: age\n")
    mapped = invoke("batch", export, "--redcap", renamed, "--map", mapping)
    assert mapped.exit_code == 0, mapped.stderr
    scored_row = csv_rows(mapped.stdout)[0]
    assert (scored_row["outcome"], scored_row["deciding"]) == ("not_eligible", "under_18")
    mapping.write_text("patient_age: age\n")
    wrong = invoke("batch", export, "--redcap", renamed, "--map", mapping)
    assert wrong.exit_code == 1
    assert "--map: 'patient_age' (for age): no field of" in wrong.stderr


def test_list_questions_round_trip_through_a_dictionary_and_both_exports(tmp_path: Path) -> None:
    """The default rules v2 (frozen copy) hold a treatment list: the dictionary numbers its
    fields, and raw and label exports of the example callers score as their canonical CSV."""
    from screener.core.coercion import coerce_answers
    from screener.formats.answers_file import parse_answers_text

    rules_path = FIXTURES / "rules_default_v2.yaml"
    rules = load_ruleset(rules_path)
    made = invoke("redcap", "dictionary", "--rules", rules_path, "-o", tmp_path / "dict.csv")
    assert made.exit_code == 0, made.output
    dictionary = (tmp_path / "dict.csv").read_text()
    fields = {row["Variable / Field Name"]: row for row in csv.DictReader(io.StringIO(dictionary))}
    assert (
        fields["depression_treatments"]["Text Validation Type OR Show Slider Number"] == "integer"
    )
    assert (
        "[depression_treatments] >= 8"
        in fields["depression_treatments_8_weeks"]["Branching Logic (Show field only if...)"]
    )
    slots = [s.id for s in rules.slots]
    canonical: list[list[str]] = []
    exporter = Exporter(dictionary, rules)
    raw_rows, label_rows = [], []
    for number, example in enumerate(sorted((FIXTURES / "answers_v2").glob("*.yaml")), start=1):
        raw = parse_answers_text(example.read_text(), str(example)).raw
        answers, problems = coerce_answers(rules.question_map, raw)
        assert problems == []
        cells = {slot: answer_text(answers.get(slot)) for slot in slots}
        canonical.append([f"C-{number}", *(cells[s] for s in slots)])
        raw_rows.append(exporter.row(f"C-{number}", cells, RAW))
        label_rows.append(exporter.row(f"C-{number}", cells, LABELS))
    outputs = []
    for name, text in (
        ("canonical.csv", write_csv(["record_id", *slots], canonical)),
        ("raw.csv", write_csv(exporter.header(RAW), raw_rows)),
        ("labels.csv", write_csv(exporter.header(LABELS), label_rows)),
    ):
        (tmp_path / name).write_text(text)
        args: list[str | Path] = ["batch", tmp_path / name, "--rules", rules_path, "-f", "jsonl"]
        if name != "canonical.csv":
            args += ["--redcap", tmp_path / "dict.csv"]
        else:
            args += ["--id-column", "record_id"]
        result = invoke(*args)
        assert result.exit_code in (0, 3), result.output
        outputs.append(
            [{k: json.loads(line)[k] for k in RESULT} for line in result.stdout.splitlines()]
        )
    assert outputs[0] == outputs[1] == outputs[2]
    assert {row["outcome"] for row in outputs[0]} >= {"urgent", "needs_review", "likely_eligible"}


# ---- screener diff --redcap ------------------------------------------------------------------


def changed_records(path: Path) -> dict[str, dict[str, str]]:
    """changes.csv by intake id, without the record number (an export's row count)."""
    return {
        r["intake_id"]: {k: v for k, v in r.items() if k != "record"}
        for r in csv_rows(path.read_text())
    }


@pytest.fixture(scope="module")
def flag_from_40(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The frozen rules with the age flag moved from 65 to 40: records change rule values."""
    text = FROZEN_RULES.read_text(encoding="utf-8")
    assert text.count("    when: age >= 65\n") == 1
    path = tmp_path_factory.mktemp("diff") / "new.yaml"
    path.write_text(text.replace("    when: age >= 65\n", "    when: age >= 40\n"))
    return path


def test_diff_replays_a_redcap_export_as_its_canonical_csv_leaving_incomplete_forms_out(
    tmp_path: Path, flag_from_40: Path
) -> None:
    redcap = invoke(
        "diff", FROZEN_RULES, flag_from_40, "--data", REDCAP / "export_raw.csv",
        "--redcap", REDCAP / "dictionary.csv", "-o", tmp_path / "redcap.csv",
    )  # fmt: skip
    canonical = invoke(
        "diff", FROZEN_RULES, flag_from_40, "--data", REDCAP / "canonical.csv",
        "--id-column", "record_id", "-o", tmp_path / "canonical.csv",
    )  # fmt: skip
    assert redcap.exit_code == canonical.exit_code == 0, redcap.output
    assert "export_raw.csv: 9 records\n  3 not replayed: their REDCap form is not marked" in (
        redcap.stdout
    )
    from_redcap = changed_records(tmp_path / "redcap.csv")
    expected = changed_records(tmp_path / "canonical.csv")
    # are not Complete (R-008 has no prescreen); R-006 is invalid in the export.
    for left_out in ("R-003", "R-004", "R-006", "R-008"):
        expected.pop(left_out, None)
    assert from_redcap == expected
    assert set(from_redcap) == {"R-001", "R-002", "R-005", "R-007"}


def test_diff_include_incomplete_replays_every_form(tmp_path: Path, flag_from_40: Path) -> None:
    result = invoke(
        "diff", FROZEN_RULES, flag_from_40, "--data", REDCAP / "export_raw.csv",
        "--redcap", REDCAP / "dictionary.csv", "--include-incomplete", "-o", tmp_path / "c.csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "not replayed" not in result.stdout
    assert "R-003" in changed_records(
        tmp_path / "c.csv"
    )  # 42: the flag now holds (R-004, 70, had it)


def test_diff_redcap_options_that_cannot_work_are_refused(
    tmp_path: Path, flag_from_40: Path
) -> None:
    plain_map = tmp_path / "map.yaml"
    plain_map.write_text("age_years: age\n")
    with_map = invoke(
        "diff", FROZEN_RULES, flag_from_40, "--data", REDCAP / "export_raw.csv",
        "--redcap", REDCAP / "dictionary.csv", "--map", plain_map,
    )  # fmt: skip
    assert with_map.exit_code == 2
    assert "--map with --redcap" in with_map.stderr
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        "cases:\n  - name: one\n    answers: {age: 40}\n    expect: {outcome: urgent}\n"
    )
    on_cases = invoke(
        "diff", FROZEN_RULES, flag_from_40, "--data", cases, "--redcap", REDCAP / "dictionary.csv"
    )
    assert on_cases.exit_code == 2
    assert "--redcap: only for a CSV export" in on_cases.stderr
    alone = invoke("diff", FROZEN_RULES, flag_from_40, "--data", REDCAP / "canonical.csv",
                   "--include-incomplete")  # fmt: skip
    assert alone.exit_code == 2
    assert "--include-incomplete is for REDCap exports" in alone.stderr
