"""Pinned choice codes, REDCap's missing data codes, and `screener redcap map` with the value
maps `screener batch --map` applies."""

from __future__ import annotations

import contextlib
import csv
import io
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from screener.cli import app
from screener.columnar.header import load_map_file
from screener.columnar.reader import RecordSource
from screener.commands.batch.command import BatchOptions, run_batch
from screener.core.model import list_cells
from screener.core.problems import RuleFileError
from screener.interop.redcap.codes import coding_for
from screener.interop.redcap.dictionary_read import parse_dictionary
from screener.interop.redcap.export_rows import canonical_records
from screener.interop.redcap.map_propose import propose_map
from screener.interop.redcap.questions_import import import_questions
from screener.rulefile.load import load_ruleset, load_ruleset_bytes

from ..conftest import FIXTURES, FROZEN_RULES
from .redcap_exports import write_csv

runner = CliRunner()
RULES = load_ruleset(FROZEN_RULES)
CLINIC = FIXTURES / "redcap" / "clinic_dictionary.csv"
CONDITION = """      - {value: depression, label: Depression}
      - {value: bipolar_depression, label: "Bipolar disorder, depressive phase"}
"""


def with_codes(first: str, second: str) -> str:
    return FROZEN_RULES.read_text().replace(
        CONDITION,
        f"      - {{value: depression, label: Depression, code: {first}}}\n"
        f'      - {{value: bipolar_depression, label: "Bipolar disorder", code: {second}}}\n',
    )


def test_a_pinned_code_is_the_dictionarys_code_and_others_keep_their_numbers() -> None:
    assert CONDITION in FROZEN_RULES.read_text()
    ruleset = load_ruleset_bytes(with_codes("99", "'B2'").encode(), "r.yaml")
    coding = coding_for(ruleset.question_map["primary_condition"])
    assert coding.choices[:3] == (("99", "Depression"), ("B2", "Bipolar disorder"), ("1", "PTSD"))
    assert coding.dont_know == "100"  # 99 is taken by a choice
    assert coding.choices[-1] == ("100", "Don't know")


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        ("3", "'3'", "primary_condition).choices[1].code: code '3' is already the code of"),
        ("'a'", "'A'", "code 'A' is already the code of choice 'depression'"),
        ("'1 2'", "2", "choices[0].code"),
        ("true", "2", "choices[0].code"),
    ],
)
def test_choice_codes_must_be_redcap_codes_unique_in_their_question(
    first: str, second: str, message: str
) -> None:
    with pytest.raises(RuleFileError) as caught:
        load_ruleset_bytes(with_codes(first, second).encode(), "r.yaml")
    assert any(message in line and line.startswith("r.yaml:") for line in caught.value.lines())


def test_redcap_missing_data_codes_are_unknown_never_an_answer(tmp_path: Path) -> None:
    dictionary = parse_dictionary((FIXTURES / "redcap" / "dictionary.csv").read_text(), "d.csv")
    boxes = [f"current_medications___{code}" for code in (1, 2, 3, 4, 5, 6, 7, 8, 0, 99)]
    header = [
        "record_id", "age", "ketamine_allergy", "bp_systolic", *boxes,
        "current_medications___unk", "prescreen_complete",
    ]  # fmt: skip
    text = write_csv(
        header,
        [
            ["1", "UNK", "NASK", "ASKU", *[""] * 10, "1", "2"],
            ["2", "40", "1", "NA", *"0010000000", "0", "2"],
            ["3", "40", "0", "120", *"1000000000", "1", "2"],
        ],
    )
    path = tmp_path / "export.csv"
    path.write_text(text)
    with RecordSource(path, "utf-8") as source:
        names, records = canonical_records(source, dictionary, RULES)
    cells = [dict(zip(names, r.cells, strict=True)) for r in records]
    assert [cells[0][q] for q in ("age", "ketamine_allergy", "bp_systolic")] == ["", "", ""]
    assert cells[0]["current_medications"] == ""  # the missing code's box is ticked
    assert cells[1]["ketamine_allergy"] == "yes" and cells[1]["bp_systolic"] == ""
    assert cells[1]["current_medications"] == "benzodiazepine"
    assert cells[2]["current_medications"] == "don't know;maoi"  # the core refuses it


def test_the_map_of_a_clinics_own_dictionary_proposes_fields_and_codes() -> None:
    proposed = propose_map(RULES, parse_dictionary(CLINIC.read_text(), str(CLINIC)))
    assert {p.field.name: p.question.id for p in proposed.proposals} == {
        "pt_age": "age",
        "dx_main": "primary_condition",
        "allergy_ket": "ketamine_allergy",
        "bp_sys": "bp_systolic",
        "bp_dia": "bp_diastolic",
        "meds": "current_medications",
        "benzo_mg": "benzodiazepine_dose_mg",
        "si_2wk": "self_harm_thoughts",
        "preg": "pregnant",
    }
    by_field = {p.field.name: p for p in proposed.proposals}
    values = {v.code: v.value for v in by_field["dx_main"].values}
    assert values == {
        "10": "depression", "20": "bipolar_depression", "30": None, "40": None,
        "50": "anxiety", "60": "chronic_pain", "88": "other", "99": "",
    }  # fmt: skip
    assert {v.code: v.value for v in by_field["allergy_ket"].values} == {
        "1": "yes",
        "2": "no",
        "9": "",
    }
    meds = {v.code: v.value for v in by_field["meds"].values}
    assert meds["3"] == "benzodiazepine" and meds["98"] == "none" and meds["8"] is None
    assert all(0.35 <= p.confidence <= 1 and p.reason for p in proposed.proposals)
    assert "phq9_total" in proposed.unmapped and "coord_notes" in proposed.unused
    text = proposed.yaml()
    assert "# no value for code 30 (Post-traumatic stress)" in text
    assert '    "98": "none"  # "none of these"' in text


def test_batch_applies_the_proposed_value_maps_and_names_unmapped_questions_first(
    tmp_path: Path,
) -> None:
    mapping = tmp_path / "map.yaml"
    result = runner.invoke(app, ["redcap", "map", str(CLINIC), "-o", str(mapping)])
    assert result.exit_code == 0, result.output
    assert "9 of 28 questions matched" in result.stderr
    header = [
        "record_id", "pt_age", "dx_main", "allergy_ket", "bp_sys", "bp_dia", "si_2wk", "preg",
        *(f"meds___{c}" for c in (1, 2, 3, 4, 5, 6, 7, 8, 98)), "benzo_mg", "intake_complete",
    ]  # fmt: skip
    rows = [
        ["A", "40", "10", "2", "120", "80", "0", "0", *"000000001", "", "2"],
        ["B", "40", "10", "9", "120", "80", "0", "UNK", *"001000000", "10", "2"],
        ["C", "40", "30", "2", "120", "80", "0", "0", *"000000001", "", "2"],
        ["D", "40", "10", "2", "120", "80", "1", "0", *"000000001", "", "2"],
    ]
    export = tmp_path / "export.csv"
    export.write_text(write_csv(header, rows))
    out = tmp_path / "scored.csv"
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = run_batch(
            BatchOptions(input=export, output=str(out), redcap=CLINIC, mapping=mapping)
        )
    assert code == 3  # C's condition code 30 has no value: invalid, never guessed
    scored = {r["record_id"]: r for r in csv.DictReader(io.StringIO(out.read_text()))}
    assert scored["A"]["outcome"] == "needs_review"  # unmapped questions are unknown
    assert scored["D"]["outcome"] == "urgent"  # si_2wk = 1 read through the map
    assert "ketamine_allergy" in scored["B"]["missing"].split(";")  # 9: not sure -> unknown
    assert "pregnant" in scored["B"]["missing"].split(";")  # UNK: a missing data code
    assert scored["C"]["outcome"] == "invalid" and "dx_main" in scored["C"]["errors"]
    first = stderr.getvalue().splitlines()[0]
    assert first.startswith("19 questions of the rules have no column in the map or the export")


def test_a_value_map_translates_a_plain_csv_export_cell_by_cell(tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        'Allergy:\n  question: ketamine_allergy\n  values: {"1": "yes", "2": "no", "-999": ""}\n'
        "SI: self_harm_thoughts\n"
    )
    export = tmp_path / "in.csv"
    export.write_text("intake_id,Allergy,SI\nA,2,no\nB,-999,no\nC,1,no\nD,7,no\n")
    out = tmp_path / "out.csv"
    with contextlib.redirect_stderr(io.StringIO()):
        run_batch(BatchOptions(input=export, output=str(out), mapping=mapping))
    scored = {r["intake_id"]: r for r in csv.DictReader(io.StringIO(out.read_text()))}
    assert "ketamine_allergy" not in scored["A"]["missing"]
    assert "ketamine_allergy" in scored["B"]["missing"]
    assert "ketamine_hypersensitivity" in scored["C"]["deciding"]
    assert scored["D"]["outcome"] == "invalid"  # a code the map does not name is read as is
    bad = tmp_path / "bad.yaml"
    bad.write_text('Allergy:\n  question: ketamine_allergy\n  values: {"1": "maybe"}\n')
    result = runner.invoke(app, ["batch", str(export), "--map", str(bad)])
    assert result.exit_code == 1
    assert "'Allergy': values: '1': 'maybe' is not an answer to ketamine_allergy" in result.stderr


def test_diff_refuses_a_map_with_value_maps_instead_of_ignoring_them(tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text('Allergy:\n  question: ketamine_allergy\n  values: {"2": "no"}\n')
    export = tmp_path / "in.csv"
    export.write_text("intake_id,Allergy\nA,2\n")
    result = runner.invoke(
        app,
        [
            "diff",
            str(FROZEN_RULES),
            str(FROZEN_RULES),
            "--data",
            str(export),
            "--map",
            str(mapping),
        ],
    )
    assert result.exit_code == 1
    assert "value maps (ketamine_allergy) are applied by screener batch only" in result.stderr


def test_an_imported_dictionary_with_a_range_upside_down_leaves_the_range_out() -> None:
    text = (
        "field_name,form_name,field_type,field_label,text_validation_type_or_show_slider_number,"
        "text_validation_min,text_validation_max\n"
        "record_id,f,text,ID,,,\nage,f,text,Age,integer,120,0\n"
    )
    imported = import_questions(parse_dictionary(text, "d.csv"))
    assert "min" not in imported.questions[0] and "max" not in imported.questions[0]
    assert "row 3 (age): validation min 120 is above max 0; both left out" in map(
        str, imported.notes
    )


def test_hostile_labels_in_a_clinics_dictionary_stay_comments_in_the_proposed_map(
    tmp_path: Path,
) -> None:
    dictionary = tmp_path / "d.csv"
    dictionary.write_text(
        "field_name,form_name,field_type,field_label,select_choices_or_calculations\n"
        "record_id,f,text,ID,\n"
        'allergy,f,radio,"Allergic to ketamine?\nevil: {x: 1} # !!python/object","1, Yes | 0, No'
        " | 9, Don't know: #{}\"\n"
    )
    mapping = tmp_path / "map.yaml"
    result = runner.invoke(app, ["redcap", "map", str(dictionary), "-o", str(mapping)])
    assert result.exit_code == 0, result.output
    text = mapping.read_text()
    assert "\nevil:" not in text and "# row 3: Allergic to ketamine? evil: {x: 1} #" in text
    loaded = load_map_file(mapping, RULES)
    assert loaded.columns == {"allergy": "ketamine_allergy"}
    assert loaded.values == {"ketamine_allergy": {"1": "yes", "0": "no"}}
    assert "  # no value for code 9 (Don't know: #{}): not yes or no\n" in text


def test_the_import_is_readable_by_everyone_and_never_replaces_the_dictionary(
    tmp_path: Path,
) -> None:
    dictionary = tmp_path / "d.csv"
    dictionary.write_bytes(CLINIC.read_bytes())
    refused = runner.invoke(app, ["redcap", "import", str(dictionary), "-o", str(dictionary)])
    assert refused.exit_code == 2 and "is an input file" in refused.stderr
    assert dictionary.read_bytes() == CLINIC.read_bytes()
    out = tmp_path / "q.yaml"
    assert runner.invoke(app, ["redcap", "import", str(dictionary), "-o", str(out)]).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # questions, no one's answers
    missing = runner.invoke(app, ["redcap", "import", str(tmp_path / "none.csv")])
    assert missing.exit_code == 1 and "no such file" in missing.stderr


def test_the_code_of_none_cannot_be_pinned() -> None:
    text = FROZEN_RULES.read_text().replace(
        "      - {value: thyroid_hormone,",
        "      - {value: none, label: None of these, code: 5}\n      - {value: thyroid_hormone,",
    )
    with pytest.raises(RuleFileError) as caught:
        load_ruleset_bytes(text.encode(), "r.yaml")
    assert any("the code of 'none' cannot be pinned" in line for line in caught.value.lines())


def test_a_list_with_no_field_at_all_is_named_once_as_the_list() -> None:
    ruleset = load_ruleset(FIXTURES / "rules_default_v2.yaml")
    text = (FIXTURES / "redcap" / "clinic_dictionary.csv").read_text(encoding="utf-8")
    proposed = propose_map(ruleset, parse_dictionary(text, "clinic_dictionary.csv"))
    treatments = ruleset.question_map["depression_treatments"]
    assert "depression_treatments_3_weeks" in proposed.unmapped  # each slot, for batch
    listed = proposed.unmapped_words
    assert f"depression_treatments (a list: its count and {treatments.max_items} items of" in (
        " ".join(listed)
    )
    assert not any(word.startswith("depression_treatments_") for word in listed)
    assert len(listed) == len(proposed.unmapped) - len(list_cells(treatments))
    assert "depression_treatments (a list" in proposed.yaml()


def test_fields_the_map_cannot_read_are_named_in_the_map_and_on_stderr(tmp_path: Path) -> None:
    """A field skipped for a reason (a choice code given twice, a calculated field) is not
    silently dropped: the clinic sees why its question has no field."""
    dictionary = tmp_path / "dict.csv"
    dictionary.write_text(
        CLINIC.read_text().replace('"1, Yes | 0, No | UNK, Unknown"', '"1, Yes | 0, No | 1, Yes"')
    )
    mapping = tmp_path / "map.yaml"
    result = runner.invoke(app, ["redcap", "map", str(dictionary), "-o", str(mapping)])
    assert result.exit_code == 0, result.output
    assert "note: row 15 'preg': choice code '1' is used twice; skipped" in result.stderr
    text = mapping.read_text()
    assert "# Fields that cannot be read (skipped):" in text
    assert "# row 15 'preg': choice code '1' is used twice; skipped" in text
    assert "preg:" not in text  # no entry for it
