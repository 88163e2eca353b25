"""Rule language v2 on the hard cases: lists, aggregates as intervals, facts, derived values,
next steps and priorities (tests/fixtures/rules_v2.yaml, a small rule file of the tests' own)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screener.cli import app
from screener.commands.diff.replay import structural_changes
from screener.commands.test.invariants import boundary_values
from screener.core.coercion import coerce_answers
from screener.core.evaluate import evaluate
from screener.core.model import Priority, RuleSet
from screener.core.screening import Outcome, Screening
from screener.rulefile.load import load_ruleset, load_ruleset_bytes

from .conftest import FIXTURES
from .test_batch_equivalence import SIZES, assert_same_as_row_evaluator
from .test_diff_command import assert_same_report, replay_both_ways

RULES_V2 = FIXTURES / "rules_v2.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_ruleset(RULES_V2)


def trial(medicine: str, weeks: object = 8, **more: object) -> dict[str, object]:
    return {
        "medicine": medicine,
        "weeks": weeks,
        "full_dose": "yes",
        "improvement": "none",
        **more,
    }


def screen(rules: RuleSet, **raw: object) -> Screening:
    base: dict[str, object] = {"age": 40, "condition": "depression", "bp_systolic": 120}
    answers, problems = coerce_answers(rules.question_map, {**base, **raw})
    assert problems == []
    return evaluate(rules, answers)


def test_two_different_failed_antidepressants_meet_the_requirement(rules: RuleSet) -> None:
    s = screen(rules, treatments=[trial("sertraline"), trial("fluoxetine")])
    assert s.result("two_failed").value is True


def test_one_trial_of_unknown_length_leaves_the_count_undecided_when_it_could_reach_two(
    rules: RuleSet,
) -> None:
    s = screen(rules, treatments=[trial("sertraline"), trial("fluoxetine", weeks="don't know")])
    assert s.result("two_failed").value is None
    assert s.outcome is Outcome.NEEDS_REVIEW
    assert "treatments_2_weeks" in s.missing


def test_an_unknown_trial_that_cannot_reach_two_leaves_the_requirement_false(
    rules: RuleSet,
) -> None:
    """The second trial is lithium (not an antidepressant): whatever the first one's unknown
    weeks, at most one antidepressant failed."""
    s = screen(rules, treatments=[trial("sertraline", weeks=None), trial("lithium")])
    assert s.result("two_failed").value is False
    assert s.outcome is Outcome.NOT_ELIGIBLE


def test_the_same_medicine_twice_counts_once(rules: RuleSet) -> None:
    s = screen(rules, treatments=[trial("sertraline"), trial("sertraline", weeks=12)])
    assert s.result("two_failed").value is False


def test_two_catch_all_antidepressants_may_be_the_same_one(rules: RuleSet) -> None:
    s = screen(rules, treatments=[trial("other_antidepressant"), trial("other_antidepressant")])
    assert s.result("two_failed").value is None
    one_named = screen(rules, treatments=[trial("sertraline"), trial("other_antidepressant")])
    assert one_named.result("two_failed").value is True


def test_two_week_trials_do_not_count_as_treatment_resistance(rules: RuleSet) -> None:
    s = screen(rules, treatments=[trial("sertraline", 2), trial("fluoxetine", 2)])
    assert s.result("two_failed").value is False


def test_an_unknown_number_of_trials_widens_the_count_and_never_narrows_it(
    rules: RuleSet,
) -> None:
    one_and_maybe_more = screen(rules, treatments=[trial("sertraline"), "more"])
    assert one_and_maybe_more.result("two_failed").value is None
    two_and_maybe_more = screen(
        rules, treatments=[trial("sertraline"), trial("fluoxetine"), "more"]
    )
    assert two_and_maybe_more.result("two_failed").value is True
    nothing_known = screen(rules, treatments="don't know")
    assert nothing_known.result("two_failed").value is None


def test_a_hidden_list_is_kept_and_never_scored(rules: RuleSet) -> None:
    s = screen(rules, condition="ptsd", treatments=[trial("lithium")])
    assert s.result("two_failed").value is True  # "not depression" decides it
    assert s.result("any_lithium").value is None  # the list was not asked: unknown
    assert "treatments_1_medicine" in s.ignored


def test_a_field_skipped_by_its_own_ask_if_reads_as_unknown(rules: RuleSet) -> None:
    s = screen(rules, treatments=[trial("sertraline", stopped_side_effects="yes")])
    assert "treatments_1_stopped_side_effects" in s.hidden


def test_lorazepam_milligrams_are_converted_to_diazepam(rules: RuleSet) -> None:
    s = screen(rules, benzo_name="lorazepam", benzo_mg_day="2")
    assert s.derived["diazepam_mg"] == 20
    assert s.result("benzo_high").fired
    assert "Dose as diazepam 20 mg/day (Lorazepam, 2 mg/day)" in s.result("benzo_high").reason


def test_a_benzodiazepine_named_other_has_an_unknown_diazepam_equivalent(rules: RuleSet) -> None:
    s = screen(rules, benzo_name="other", benzo_mg_day="2")
    assert s.derived["diazepam_mg"] is None
    assert s.result("benzo_high").fired  # unknown dose: review
    low = screen(rules, benzo_name="diazepam", benzo_mg_day="5")
    assert low.result("benzo_high").value is False


def test_a_rule_carries_its_next_step_and_the_most_urgent_priority_is_shown(
    rules: RuleSet,
) -> None:
    s = screen(
        rules,
        bp_systolic=220,
        benzo_name="lorazepam",
        benzo_mg_day=2,
        treatments=[trial("lithium")],
    )
    assert s.rule_next_steps == (("bp_crisis", "Seek medical care today."),)
    assert s.priority is Priority.SAME_DAY
    routine = screen(rules, benzo_name="lorazepam", benzo_mg_day=2, treatments=[])
    assert routine.priority is Priority.ROUTINE


def test_any_and_all_over_items(rules: RuleSet) -> None:
    s = screen(rules, treatments=[trial("sertraline"), trial("lithium", 10)])
    assert s.result("any_lithium").value is True
    assert s.result("all_long").value is True
    short = screen(rules, treatments=[trial("sertraline"), trial("fluoxetine", 3)])
    assert short.result("all_long").value is False
    assert screen(rules, treatments=[]).result("all_long").value is False


def test_a_json_answers_file_with_a_list_scores_and_shows_the_trials_and_the_dose(
    tmp_path: Path,
) -> None:
    answers = tmp_path / "a.json"
    answers.write_text(
        json.dumps(
            {
                "age": 52,
                "condition": "depression",
                "bp_systolic": 220,
                "benzo_name": "lorazepam",
                "benzo_mg_day": 2,
                "treatments": [trial("sertraline"), trial("fluoxetine", 10)],
            }
        )
    )
    out = runner.invoke(app, ["score", str(answers), "-r", str(RULES_V2), "-f", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["priority"] == "routine"
    assert data["rule_next_steps"] == [{"rule": "bp_crisis", "step": "Seek medical care today."}]
    assert data["derived"][0]["value"] == 20
    assert data["answers"]["treatments"][1]["medicine"] == "fluoxetine"
    note = runner.invoke(app, ["score", str(answers), "-r", str(RULES_V2), "-f", "markdown"])
    assert "| 2 | Fluoxetine | 10 | yes | none | - |" in note.stdout
    assert "Dose as diazepam: 20 mg/day (from: 2 mg/day; Lorazepam)" in note.stdout
    assert "Review priority: **routine**" in note.stdout
    assert "- Seek medical care today." in note.stdout


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("count(treatment) > 1", "did you mean 'treatments'"),
        ("distinct(treatments.medecine) > 1", "has no field 'medecine'"),
        ('any(treatments where medicine.kin == "x")', "no choice of 'medicine' has a fact 'kin'"),
        ('any(treatments where medicine.kind == "antidepresant")', "did you mean 'antidepressant'"),
        ("treatments > 1", "is a list: use count(treatments)"),
        ("diazepam_mgg > 8", "did you mean 'diazepam_mg'"),
        ("count(treatments where count(treatments) > 1) > 1", "cannot be nested"),
    ],
)
def test_mistakes_in_the_new_constructs_are_located_with_a_suggestion(
    tmp_path: Path, when: str, message: str
) -> None:
    text = RULES_V2.read_text().replace("when: bp_systolic > 180", f"when: '{when}'")
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    out = runner.invoke(app, ["validate", str(path)])
    assert out.exit_code == 1
    line = out.stderr.strip().splitlines()[0]
    assert line.startswith(f"{path}:") and "(bp_crisis).when" in line
    assert message in line


# ---- the column-wise batch engine gives every record the row evaluator's screening ----------

V2_CELLS: dict[str, list[str]] = {
    "yes_no": ["yes", "no", "", "dk", "maybe"],
    "integer": ["0", "2", "5", "6", "7", "12", "", "abc", "-3"],
    "number": ["0", "0.5", "2", "8", "8.5", "", "1e1", "x"],
    "list": ["", "0", "1", "2", "3", "4", "5", "dont_know"],
    "text": ["", "notes"],
}


@st.composite
def v2_records(draw: st.DrawFn, rules: RuleSet) -> list[list[str]]:
    columns: list[st.SearchStrategy[str]] = []
    for slot in rules.slots:
        if slot.choices:
            cells = ["", "?", "nonsense", *slot.choice_values]
            columns.append(st.sampled_from(cells))
        elif slot.id == "bp_systolic":
            columns.append(st.sampled_from(["", "120", "180", "181", "220", "30"]))
        else:
            columns.append(st.sampled_from(V2_CELLS[slot.type.value]))
    return draw(st.lists(st.tuples(*columns).map(list), min_size=1, max_size=30))


_V2 = load_ruleset(RULES_V2)


@pytest.mark.timeout(600)  # a long property test: several times slower under coverage
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v2_records(_V2), st.sampled_from(SIZES), st.sampled_from(["csv", "jsonl"]))
def test_batch_matches_the_row_evaluator_on_lists_facts_and_derived_values(
    records: list[list[str]], sizes: tuple[int, int, int], fmt: str
) -> None:
    columns = [slot.id for slot in _V2.slots]
    assert_same_as_row_evaluator(_V2, RULES_V2, columns, records, sizes, fmt)


# ---- the column-wise diff reports what replaying each record reports -------------------------

V2_EDITS = [
    ("weeks >= 6", "weeks >= 4"),
    ("diazepam_mg > 8", "diazepam_mg > 15"),
    ("diazepam_factor: 10}", "diazepam_factor: 5}"),
    ("value: benzo_mg_day * benzo_name.diazepam_factor", "value: benzo_mg_day * 2"),
    (") >= 2", ") >= 3"),
    ('any(treatments where medicine == "lithium")', 'any(treatments where medicine == "other")'),
    ("max_items: 4", "max_items: 3"),
]


Change = tuple[RuleSet, RuleSet, list[str], list[list[str]], tuple[int, ...]]


@st.composite
def v2_changes(draw: st.DrawFn) -> Change:
    text = RULES_V2.read_text()
    edits = draw(st.lists(st.sampled_from(V2_EDITS), min_size=1, max_size=3, unique=True))
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    changed = load_ruleset_bytes(text.encode(), "changed.yaml")
    old_rules, new_rules = (_V2, changed) if draw(st.booleans()) else (changed, _V2)
    records = draw(v2_records(_V2))
    header = ["intake_id", *(slot.id for slot in _V2.slots)]
    rows = [[f"R{n}", *record] for n, record in enumerate(records)]
    return old_rules, new_rules, header, rows, draw(st.sampled_from(SIZES))


@pytest.mark.timeout(600)  # a long property test: several times slower under coverage
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v2_changes())
def test_the_column_wise_diff_matches_the_plain_replay_on_lists_facts_and_derived_values(
    case: Change,
) -> None:
    old, new, header, rows, sizes = case
    assert_same_report(*replay_both_ways(old, new, header, rows, sizes))


def test_diff_names_changed_facts_fields_and_derived_values() -> None:
    text = RULES_V2.read_text()
    for old, new in V2_EDITS[2:4] + V2_EDITS[6:]:
        text = text.replace(old, new)
    changed = load_ruleset_bytes(text.encode(), "changed.yaml")
    shown = [str(c) + " " + "; ".join(c.details) for c in structural_changes(_V2, changed)]
    facts = next(s for s in shown if s.startswith("question benzo_name changed"))
    assert "lorazepam: diazepam_factor=10" in facts
    assert any(s.startswith("derived value diazepam_mg changed") for s in shown), shown
    items = next(s for s in shown if s.startswith("question treatments changed"))
    assert "max_items: 4 -> 3" in items


def test_screener_test_takes_lists_in_cases_and_derived_values_in_invariants() -> None:
    cases = FIXTURES / "cases_v2.yaml"
    out = runner.invoke(app, ["test", str(cases), "--rules", str(RULES_V2)])
    assert out.exit_code == 0, out.output
    assert "PASSED: 2 of 2 cases and 1 of 1 invariants passed" in out.stdout
    # The answer sets vary how many items the list has, 0 to max_items, with boundary values.
    sets = boundary_values(_V2)
    assert sets["treatments"] == (0, 1, 2, 3, 4, None)
    assert 6 in sets["treatments_1_weeks"] and 5 in sets["treatments_1_weeks"]


def test_a_derived_value_can_hold_a_count_known_exactly(tmp_path: Path) -> None:
    text = RULES_V2.read_text().replace(
        "derived:\n",
        "derived:\n  - id: trials\n    label: Trials listed\n    value: count(treatments)\n",
    )
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    rules = load_ruleset(path)
    assert screen(rules, treatments=[trial("sertraline"), trial("lithium")]).derived["trials"] == 2
    assert screen(rules, treatments=[trial("sertraline"), "more"]).derived["trials"] is None


def test_a_derived_value_whose_inputs_were_all_skipped_is_left_off_the_summary(
    tmp_path: Path,
) -> None:
    text = (
        RULES_V2.read_text()
        .replace(
            "    text: Which benzodiazepine?\n",
            "    text: Which benzodiazepine?\n    ask_if: age > 200\n",
        )
        .replace(
            "    text: How many milligrams a day?\n",
            "    text: How many milligrams a day?\n    ask_if: age > 200\n",
        )
    )
    path = tmp_path / "rules.yaml"
    path.write_text(text.replace("max: 120\n", "max: 250\n", 1))
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"age": 40, "condition": "ptsd", "bp_systolic": 120}))
    note = runner.invoke(app, ["score", str(answers), "-r", str(path), "-f", "markdown"]).stdout
    assert "Dose as diazepam" not in note
    shown = runner.invoke(app, ["score", str(answers), "-r", str(RULES_V2), "-f", "markdown"])
    assert "Dose as diazepam: not known" in shown.stdout


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "    value: benzo_mg_day * benzo_name.diazepam_factor\n",
            "    value: benzo_mg_day * benzo_name.diazepam_factor # times the factor\n",
        ),
        ("        ask_if: weeks < 6\n", "        ask_if: weeks < 6 # short trials only\n"),
    ],
)
def test_a_comment_cutting_a_derived_value_or_a_field_condition_short_is_refused(
    tmp_path: Path, old: str, new: str
) -> None:
    text = RULES_V2.read_text()
    assert old in text
    path = tmp_path / "rules.yaml"
    path.write_text(text.replace(old, new))
    out = runner.invoke(app, ["validate", str(path)])
    assert out.exit_code == 1
    assert "starts a YAML comment" in out.stderr
