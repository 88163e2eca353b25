"""`screener screen` from first question to summary, with the real prompts through a pipe."""

from __future__ import annotations

import io
import json
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from screener.cli import app
from screener.commands.screen import draft as screen_draft
from screener.commands.screen.command import ScreenOptions, run_screen
from screener.core.model import RuleSet
from screener.core.problems import InputFileError, OutputFileError, UnknownLanguage
from screener.core.screening import Screening
from screener.errors import exit_code_for

from .conftest import FIXTURES, FROZEN_RULES, ROOT
from .interview_keys import (
    CLEAR_LINE,
    CTRL_C,
    CTRL_D,
    ENTER,
    Answer,
    Run,
    drive,
    interview,
    interview_keys,
    keys_for,
)

pytestmark = pytest.mark.timeout(30)
runner = CliRunner()
SCORE_IT = "s"  # on the review page: the answers look right, score it
NO_SAVE = "n"  # "Save the record?" at the end, when no --save/--markdown was given


def screen(keys: str | list[str], options: ScreenOptions | None = None) -> Run[Screening]:
    return drive(
        keys,
        lambda console: run_screen(options or ScreenOptions(), console, require_terminal=False),
    )


def keys(rules: RuleSet, answers: list[tuple[str, Answer]]) -> str:
    return interview_keys(rules, answers)


def test_a_complete_interview_prints_the_referral_summary(default_rules: RuleSet) -> None:
    run = screen(keys(default_rules, interview()) + SCORE_IT + NO_SAVE)
    assert run.error is None
    assert run.value is not None
    assert run.value.outcome.value == "likely_eligible"
    summary = run.after("Referral pre-screen")
    assert "LIKELY ELIGIBLE" in summary
    assert default_rules.disclaimer[:40] in summary
    assert "Nothing was saved." in run.screen


def test_every_question_is_asked_in_file_order(default_rules: RuleSet) -> None:
    run = screen(keys(default_rules, interview()) + SCORE_IT + NO_SAVE)
    review = run.screen.index("Review the answers")
    positions = [
        run.screen.index(q.text)
        for q in default_rules.questions
        if q.id != "benzodiazepine_dose_mg"
    ]
    assert positions == sorted(positions)
    assert positions[-1] < review


def test_skip_logic_leaves_out_questions_that_do_not_apply(default_rules: RuleSet) -> None:
    answers = interview(primary_condition="ptsd", failed_antidepressants=None)
    run = screen(keys(default_rules, answers) + SCORE_IT + NO_SAVE)
    assert run.value is not None
    assert default_rules.question_map["failed_antidepressants"].text not in run.screen
    assert default_rules.question_map["benzodiazepine_dose_mg"].text not in run.screen
    assert run.value.hidden == ("failed_antidepressants", "benzodiazepine_dose_mg")


def test_skip_logic_asks_a_follow_up_when_it_applies(default_rules: RuleSet) -> None:
    answers = interview(current_medications=["benzodiazepine"])
    at = [q for q, _ in answers].index("current_medications") + 1
    answers.insert(at, ("benzodiazepine_dose_mg", "5"))
    run = screen(keys(default_rules, answers) + SCORE_IT + NO_SAVE)
    assert run.value is not None
    assert run.value.answers["benzodiazepine_dose_mg"] == 5
    dose = default_rules.question_map["benzodiazepine_dose_mg"]
    assert dose.help is not None
    assert run.screen.index(dose.help) < run.screen.index(dose.text)
    assert run.value.outcome.value == "likely_eligible"


def test_dont_know_leads_to_review_naming_the_missing_answers(default_rules: RuleSet) -> None:
    answers = interview(bp_systolic="dk", stroke_or_tia="dk")
    run = screen(keys(default_rules, answers) + SCORE_IT + NO_SAVE)
    assert run.value is not None
    assert run.value.outcome.value == "needs_review"
    assert set(run.value.missing) == {"bp_systolic", "stroke_or_tia"}
    assert run.value.answers["stroke_or_tia"] is None
    assert "Answers that could change the outcome" in run.after("Referral pre-screen")


def test_self_harm_shows_the_crisis_text_before_the_next_question(default_rules: RuleSet) -> None:
    run = screen(keys(default_rules, interview(self_harm_thoughts="yes")) + SCORE_IT + NO_SAVE)
    assert run.value is not None
    assert run.value.outcome.value == "urgent"
    crisis = default_rules.crisis_text
    first = run.screen.index(crisis)
    assert run.screen.index(default_rules.question_map["self_harm_thoughts"].text) < first
    assert first < run.screen.index(default_rules.question_map["phq9_total"].text)
    # Once during the interview, again under the review table (which pushed it off a small
    # screen), then leading the summary and once more at its end, so it is what stays in view.
    assert run.screen.count(crisis) == 4
    between = run.screen[first + len(crisis) : run.screen.index("Review the answers")]
    assert "URGENT: safety concern - follow the crisis steps" in between
    review = run.after("Review the answers")
    assert review.index(crisis) < review.index(": change that answer")
    summary = run.after("Referral pre-screen")
    assert summary.rstrip().endswith(crisis) or summary.rindex(crisis) > summary.index("sha256")


def test_an_answer_corrected_on_the_review_screen_changes_the_outcome(
    default_rules: RuleSet,
) -> None:
    mistyped = keys(default_rules, interview(age="14"))
    correction = "1" + ENTER + CLEAR_LINE + "41" + ENTER
    run = screen(mistyped + correction + SCORE_IT + NO_SAVE)
    assert run.value is not None
    assert run.value.answers["age"] == 41
    assert run.value.outcome.value == "likely_eligible"
    age = default_rules.question_map["age"].text
    edit = run.screen.index(age, run.screen.index("Review the answers"))
    assert "Review the answers" in run.screen[edit:]  # the page is drawn again after the edit


def test_an_edit_that_reveals_a_question_asks_it_before_scoring(default_rules: RuleSet) -> None:
    answers = interview(primary_condition="ptsd", failed_antidepressants=None)
    condition = default_rules.question_map["primary_condition"]
    edit = "2" + ENTER + keys_for(condition, "depression")
    follow_up = "1" + ENTER  # failed_antidepressants, newly relevant: 1
    run = screen(keys(default_rules, answers) + edit + follow_up + SCORE_IT + NO_SAVE)
    assert run.value is not None
    assert run.value.answers["failed_antidepressants"] == 1
    assert run.value.outcome.value == "not_eligible"
    question = default_rules.question_map["failed_antidepressants"].text
    asked = run.screen.index(question, run.screen.index("Review the answers"))
    assert "Review the answers" in run.screen[asked:]
    assert run.screen.index("Review the answers", asked) < run.screen.index("Referral pre-screen")


def test_an_edit_that_hides_a_question_keeps_its_answer_but_does_not_score_it(
    default_rules: RuleSet, tmp_path: Path
) -> None:
    answers = interview(failed_antidepressants="1")  # depression with 1 trial: not eligible
    condition = default_rules.question_map["primary_condition"]
    edit = "2" + ENTER + keys_for(condition, "ptsd")
    record = tmp_path / "record.json"
    run = screen(keys(default_rules, answers) + edit + SCORE_IT, ScreenOptions(save=record))
    assert run.value is not None
    assert run.value.outcome.value == "needs_review"  # PTSD: case by case
    assert run.value.ignored == ("failed_antidepressants",)
    assert "1 (not asked now: kept, not scored)" in run.after("Review the answers")
    saved = json.loads(record.read_text())
    assert saved["answers"]["failed_antidepressants"] == 1
    assert saved["screening"]["ignored_answers"] == ["failed_antidepressants"]


def test_saved_record_scores_the_same_with_screener_score(
    default_rules: RuleSet, tmp_path: Path
) -> None:
    record, note = tmp_path / "record.json", tmp_path / "note.md"
    answers = interview(bp_systolic="152", bp_diastolic="94", hypertension="yes")
    options = ScreenOptions(save=record, markdown=note, intake_id="A-17")
    run = screen(keys(default_rules, answers) + SCORE_IT, options)
    assert run.value is not None
    assert run.value.outcome.value == "needs_review"
    for path in (record, note):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(record.read_text())
    assert set(saved) == {
        "schema",
        "intake_id",
        "recorded_at",
        "recorded_by",
        "ruleset",
        "answers",
        "screening",
    }
    assert saved["intake_id"] == "A-17"
    assert saved["recorded_by"] == saved["screening"]["screened_by"]
    assert saved["screening"]["intake_id"] == "A-17"
    assert saved["ruleset"]["sha256"] == default_rules.sha256
    assert saved["answers"]["current_medications"] == ["none"]
    rescored = runner.invoke(app, ["score", str(record), "--format", "json"])
    assert rescored.exit_code == 0, rescored.output
    again = json.loads(rescored.stdout)
    assert again["outcome"] == saved["screening"]["outcome"] == "needs_review"
    assert again["deciding"] == saved["screening"]["deciding"]
    assert again["answers"] == saved["answers"]
    assert "Intake id: `A-17`" in note.read_text()
    assert "(`needs_review`)" in note.read_text()


def test_the_record_can_be_saved_when_asked_at_the_end(
    tmp_path: Path, default_rules: RuleSet
) -> None:
    path = tmp_path / "later.json"
    ask_path = "y" + CLEAR_LINE + str(path) + ENTER
    run = screen(keys(default_rules, interview()) + SCORE_IT + ask_path)
    assert run.value is not None
    assert json.loads(path.read_text())["screening"]["outcome"] == "likely_eligible"


def test_nothing_is_written_unless_asked(
    tmp_path: Path, default_rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run = screen(keys(default_rules, interview()) + SCORE_IT + NO_SAVE)
    assert run.value is not None
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("interrupt", [CTRL_C, CTRL_D])
def test_an_interrupt_offers_a_draft_and_resume_continues_where_it_stopped(
    interrupt: str, tmp_path: Path, default_rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    answers = interview(self_harm_thoughts="yes")
    first, rest = answers[:5], answers[5:]
    run = screen(keys(default_rules, first) + interrupt + "y", ScreenOptions(intake_id="B-2"))
    assert isinstance(run.error, KeyboardInterrupt if interrupt == CTRL_C else EOFError)
    draft = tmp_path / "screener-draft-B-2.json"
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    data = json.loads(draft.read_text())
    assert data["intake_id"] == "B-2"
    assert data["answers"] == {
        "age": 42,
        "primary_condition": "depression",
        "failed_antidepressants": 3,
        "prior_ketamine": "no",
        "ketamine_allergy": False,
    }
    assert "screener screen --resume screener-draft-B-2.json" in run.screen
    assert [p.name for p in tmp_path.iterdir()] == [draft.name]  # no temp file left behind

    resumed = screen(keys(default_rules, rest) + SCORE_IT + NO_SAVE, ScreenOptions(resume=draft))
    assert resumed.error is None
    assert resumed.value is not None
    before_review = resumed.screen[: resumed.screen.index("Review the answers")]
    assert default_rules.question_map["age"].text not in before_review
    first_asked = resumed.screen.index(default_rules.question_map[rest[0][0]].text)
    assert first_asked < resumed.screen.index("Review the answers")
    assert resumed.value.answers["age"] == 42
    assert resumed.value.outcome.value == "urgent"
    assert "intake B-2" in resumed.screen
    assert draft.exists()  # no record was saved: the draft stays, with a reminder
    assert "still holds this person's answers" in resumed.screen


def test_declining_the_draft_saves_nothing(
    tmp_path: Path, default_rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run = screen(keys(default_rules, interview()[:3]) + CTRL_C + "n")
    assert isinstance(run.error, KeyboardInterrupt)
    assert "No draft saved." in run.screen
    assert list(tmp_path.iterdir()) == []


def test_a_second_interrupt_at_the_draft_question_saves_nothing(
    tmp_path: Path, default_rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run = screen(keys(default_rules, interview()[:3]) + CTRL_C + CTRL_C)
    assert isinstance(run.error, KeyboardInterrupt)
    assert list(tmp_path.iterdir()) == []


def test_an_interrupt_on_the_review_screen_offers_a_draft_too(
    tmp_path: Path, default_rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run = screen(keys(default_rules, interview()) + CTRL_C + "y", ScreenOptions(intake_id="C"))
    assert isinstance(run.error, KeyboardInterrupt)
    draft = tmp_path / "screener-draft-C.json"
    record = tmp_path / "record.json"
    resumed = screen(SCORE_IT, ScreenOptions(resume=draft, save=record))
    assert resumed.value is not None
    assert resumed.value.outcome.value == "likely_eligible"
    assert json.loads(record.read_text())["intake_id"] == "C"
    assert not draft.exists()  # the record holds its answers now


def test_resuming_under_a_changed_rule_file_warns_and_rechecks_answers(
    tmp_path: Path, default_rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    screen(keys(default_rules, interview()[:3]) + CTRL_C + "y", ScreenOptions(intake_id="D"))
    draft = tmp_path / "screener-draft-D.json"
    data = json.loads(draft.read_text())
    data["answers"]["failed_antidepressants"] = 99  # above the range now in use
    draft.write_text(json.dumps(data))
    changed = tmp_path / "rules.yaml"
    frozen = FROZEN_RULES.read_text()
    assert 'version: "2026.11.1"' in frozen
    changed.write_text(frozen.replace('version: "2026.11.1"', 'version: "2026.12.0"'))
    rest = [("failed_antidepressants", "3"), *interview()[3:]]
    run = screen(
        keys(default_rules, rest) + SCORE_IT + NO_SAVE, ScreenOptions(rules=changed, resume=draft)
    )
    assert run.value is not None
    assert "was started with rule set" in run.screen
    assert "2026.12.0" in run.screen
    assert "failed_antidepressants: 99 is above the maximum 30" in run.screen
    assert run.value.answers["failed_antidepressants"] == 3


def test_a_file_that_is_not_a_draft_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"age": 42}')
    with pytest.raises(InputFileError, match=r"bad\.json: not a screener draft"):
        run_screen(ScreenOptions(resume=bad), require_terminal=False)
    with pytest.raises(InputFileError, match="no such draft file"):
        run_screen(ScreenOptions(resume=tmp_path / "gone.json"), require_terminal=False)
    empty = tmp_path / "empty.json"
    empty.write_text("\n")
    with pytest.raises(InputFileError, match=r"empty\.json: the file is empty \(not a screener"):
        run_screen(ScreenOptions(resume=empty), require_terminal=False)


def test_without_a_terminal_it_points_to_screener_score() -> None:
    result = runner.invoke(app, ["screen"])
    assert result.exit_code == 2
    assert "screener score" in result.stderr
    assert "Traceback" not in result.output


def test_without_a_terminal_the_installed_command_exits_2_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "screener", "screen"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "screener score" in lines[0]
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--intake-id", "../etc"], "--intake-id"),
        (["--save", "no/such/dir/record.json"], "no such directory"),
        (["--save", "same.json", "--markdown", "same.json"], "same file"),
    ],
)
def test_bad_options_are_refused_before_the_interview(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["screen", *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_an_existing_record_is_never_replaced(tmp_path: Path) -> None:
    earlier = tmp_path / "record.json"
    earlier.write_text('{"intake_id": "T1"}')
    for option in ("--save", "--markdown"):
        result = runner.invoke(app, ["screen", option, str(earlier)])
        assert result.exit_code == 2
        assert "already exists; choose another file name" in result.stderr
    assert earlier.read_text() == '{"intake_id": "T1"}'


def test_resuming_a_saved_record_points_to_screener_score(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    record.write_text('{"schema": "screener.record/1", "answers": {}}')
    with pytest.raises(
        InputFileError, match=r"score it again with `screener score .*record\.json`"
    ):
        run_screen(ScreenOptions(resume=record), require_terminal=False)


def test_a_draft_that_cannot_be_written_is_reported_and_the_interview_still_ends_interrupted(
    tmp_path: Path, default_rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    def disk_full(*_: object, **__: object) -> Path:
        raise OutputFileError("screener-draft-W.json: cannot write (No space left on device)")

    monkeypatch.setattr(screen_draft, "write_draft", disk_full)
    run = screen(keys(default_rules, interview()[:3]) + CTRL_C + "y", ScreenOptions(intake_id="W"))
    assert isinstance(run.error, KeyboardInterrupt)
    assert "Could not save the draft" in run.screen


def test_the_resume_hint_is_one_pasteable_line_that_keeps_the_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    rules = tmp_path / "a folder with a long name for the clinic's own rules" / "rules.yaml"
    rules.parent.mkdir()
    rules.write_text((FIXTURES / "rules_es.yaml").read_text())
    options = ScreenOptions(
        rules=rules,
        save=Path("T1.json"),
        markdown=Path("T1.md"),
        intake_id="H-1",
        by="Ana Ruiz",
        language="es",
    )
    run = screen("30" + ENTER + "1" + "n" + CTRL_C + "y", options)  # age, condition, thoughts
    assert isinstance(run.error, KeyboardInterrupt)
    hint = next(line for line in run.screen.splitlines() if "screener screen --resume" in line)
    assert hint.strip() == (
        f"screener screen --resume screener-draft-H-1.json --rules {shlex.quote(str(rules))}"
        " --save T1.json --markdown T1.md --language es --by 'Ana Ruiz'"
    )
    kept = json.loads((tmp_path / "screener-draft-H-1.json").read_text())["options"]
    assert kept == {
        "rules": str(rules),
        "save": "T1.json",
        "markdown": "T1.md",
        "language": "es",
        "by": "Ana Ruiz",
    }


def test_records_and_drafts_made_in_a_checkout_are_ignored_by_git() -> None:
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "screener-draft-*.json" in ignored
    assert "screener-record-*.json" in ignored


V2_RULES = FIXTURES / "rules_default_v2.yaml"


def test_a_list_is_entered_item_by_item_and_each_item_is_a_review_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screener.rulefile.load import load_ruleset

    monkeypatch.chdir(tmp_path)
    rules = load_ruleset(V2_RULES)
    run = screen(caller_a_keys(rules) + SCORE_IT + NO_SAVE, ScreenOptions(rules=V2_RULES))
    assert run.error is None, run.screen[-2000:]
    assert run.value is not None
    assert run.value.outcome.value == "likely_eligible"
    assert run.value.answers["depression_treatments"] == 3
    assert run.value.answers["depression_treatments_3_medicine"] == "bupropion"
    assert "add treatment 2?" in run.screen
    assert "Treatment 3: Medicine" in run.after("Review the answers")
    # 128/82 at the top number: both recorded, and the answer line says where the second
    # came from.
    assert (run.value.answers["bp_systolic"], run.value.answers["bp_diastolic"]) == (128, 82)
    assert "→ 82 mmHg (from the reading typed above)" in run.screen


def caller_a_keys(
    rules: RuleSet, after_first_add: str = "", before: dict[str, str] | None = None
) -> str:
    """Caller a's keys through the rules' questions (three treatments), with
    `after_first_add` typed right after the first "add a treatment": yes, and `before` a
    question the keys typed at its prompt before its answer."""
    from .interview_calls import CALLER_A

    script = dict(CALLER_A.answers)
    adds = iter(CALLER_A.more["depression_treatments"])
    keys = []
    for question in rules.slots:
        if question.is_list:
            keys += [next(adds) + after_first_add]
            for cells in question.item_cells[:3]:
                keys += [script[cell.id] for cell in cells] + [next(adds)]
        elif question.list_id is None and question.id in script:
            keys.append((before or {}).get(question.id, "") + script[question.id])
    return "".join(keys)


def test_back_at_a_treatment_just_added_returns_to_the_add_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screener.rulefile.load import load_ruleset

    monkeypatch.chdir(tmp_path)
    rules = load_ruleset(V2_RULES)
    # y (add treatment 1), then back at its first field: the add step again, y once more.
    run = screen(
        caller_a_keys(rules, "b" + "y") + SCORE_IT + NO_SAVE, ScreenOptions(rules=V2_RULES)
    )
    assert run.error is None, run.screen[-2000:]
    assert run.value is not None and run.value.answers["depression_treatments"] == 3
    back = run.after("Back one question.")
    medicine = rules.question_map["depression_treatments_1_medicine"].text
    assert back.index("add treatment 1") < back.index(medicine)


def test_a_reading_typed_when_changing_the_top_number_changes_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screener.rulefile.load import load_ruleset

    monkeypatch.chdir(tmp_path)
    rules = load_ruleset(V2_RULES)
    # At "when was the reading taken": back twice to the top number (128 shown), a new
    # reading there, Enter keeps the bottom number it just gave, then the call goes on.
    edit = {"bp_reading_age": "bb" + "140/90" + ENTER + ENTER}
    run = screen(
        caller_a_keys(rules, before=edit) + SCORE_IT + NO_SAVE, ScreenOptions(rules=V2_RULES)
    )
    assert run.error is None, run.screen[-2000:]
    assert run.value is not None
    assert (run.value.answers["bp_systolic"], run.value.answers["bp_diastolic"]) == (140, 90)
    changed = run.after("Back one question.")
    assert "a reading like 135/85 also answers" in changed
    assert "→ 90 mmHg (from the reading typed above)" in changed


TWO_LANGUAGES = FIXTURES / "rules_es.yaml"


def spanish_call(thoughts: str) -> Run[Screening]:
    # age, condition (1: depression), thoughts, one treatment (sertraline, 8 weeks), then no
    # more, medicines: none of these; then score it and save nothing.
    keys = "30" + ENTER + "1" + thoughts + "y" + "1" + "8" + ENTER + "n" + "0" + SCORE_IT + NO_SAVE
    return screen(keys, ScreenOptions(rules=TWO_LANGUAGES, language="es"))


def test_with_language_es_the_questions_are_read_out_in_spanish_and_the_summary_is_not() -> None:
    run = spanish_call(thoughts="n")
    assert run.error is None, run.screen
    assert run.value is not None
    assert run.value.answers["primary_condition"] == "depression"
    interview_part = run.screen[: run.screen.index("Referral pre-screen")]
    for spanish in ("¿Cuántos años tiene?", "En años cumplidos.", "Depresión", "¿Qué medicina?"):
        assert spanish in interview_part
    assert "How old are you?" not in interview_part
    # Before the second treatment: the file's question in Spanish, with the list's name and
    # the item's number in the clinic's words for the coordinator.
    assert "¿Ha probado alguna otra medicina? (Treatments, treatment 2)" in interview_part
    summary = run.after("Referral pre-screen")
    assert "LIKELY ELIGIBLE" in summary
    assert "Sertraline" in summary  # the treatment table, in the clinic's words
    assert not any(spanish in summary for spanish in ("Depresión", "¿", "Sertralina"))


def test_with_language_es_the_crisis_steps_show_in_both_languages() -> None:
    run = spanish_call(thoughts="y")
    assert run.value is not None
    assert run.value.outcome.value == "urgent"
    first = run.screen.index("Stay on the line.")
    assert run.screen.index("No cuelgue.") > first
    assert "to read aloud (es)" in run.screen
    assert run.screen.index("No cuelgue.") < run.screen.index("¿Cuántas medicinas ha probado?")


def test_a_language_the_rule_file_lacks_is_refused_before_the_first_question() -> None:
    shown = io.StringIO()
    with pytest.raises(UnknownLanguage) as refused:  # before any prompt: no keys are needed
        run_screen(
            ScreenOptions(rules=TWO_LANGUAGES, language="fr"),
            Console(file=shown, width=80),
            require_terminal=False,
        )
    assert "How old are you?" not in shown.getvalue()
    assert exit_code_for(refused.value) == 2
    assert "no texts in 'fr'; its languages are en, es" in str(refused.value)


def test_back_steps_back_one_question_per_key_and_enter_walks_forward_again(
    default_rules: RuleSet,
) -> None:
    # Back at question 6 three times: 5, 4, 3 (the third a number showing its answer, where
    # b is back too); Enter keeps each answer on the way forward: 4, 5, then 6 again. The
    # second back used to return to 6 and the third to skip to 4.
    answers = interview()
    run = screen(
        keys(default_rules, answers[:5])
        + "bbb"
        + ENTER * 3
        + keys(default_rules, answers[5:])
        + SCORE_IT
        + NO_SAVE
    )
    assert run.error is None, run.screen
    assert run.value is not None and run.value.outcome.value == "likely_eligible"
    walk = run.after("Back one question.")
    numbers: list[int] = []
    for number in re.findall(r"Question (\d+) of", walk):
        if not numbers or numbers[-1] != int(number):
            numbers.append(int(number))
    assert numbers[:6] == [5, 4, 3, 4, 5, 6]
    assert run.screen.count("Back one question.") == 3


def test_after_resuming_back_reaches_the_answers_of_the_draft(
    tmp_path: Path, default_rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    answers = interview()
    first = screen(keys(default_rules, answers[:5]) + CTRL_C + "y", ScreenOptions(intake_id="B-7"))
    assert isinstance(first.error, KeyboardInterrupt)
    draft = tmp_path / "screener-draft-B-7.json"
    # Back at the first question asked after resuming: the draft's last answer in the file
    # (ketamine_allergy: no) comes back, and Enter keeps it.
    run = screen("b" + ENTER + CTRL_C + "n", ScreenOptions(resume=draft))
    assert "← back" in run.screen
    back = run.after("Back one question.")
    assert default_rules.question_map["ketamine_allergy"].text[:30] in back
    assert "Enter keeps no" in back
    # Stopped again without a new draft: the one resumed still holds the answers, and says so.
    assert isinstance(run.error, KeyboardInterrupt)
    assert f"The draft {draft} still holds this person's answers" in run.screen
    assert draft.exists()


def test_the_review_heading_is_shown_once_when_there_is_no_crisis_panel_between(
    default_rules: RuleSet,
) -> None:
    run = screen(keys(default_rules, interview()) + SCORE_IT + NO_SAVE)
    assert run.error is None, run.screen
    # The page's own title; a heading above it said the same words a second time.
    before_summary = run.screen[: run.screen.index("Referral pre-screen")]
    assert before_summary.count("Review the answers before scoring") == 1
