"""A batch's stderr ends up in shared logs, a diff report in CI logs: by default they name the
record (row and id), the question and the kind of problem, never a person's value. A person at
a terminal can ask for the values (`--show-values`); no message quotes more than a short prefix
(40 characters) of anything."""

from __future__ import annotations

import csv
import json
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from screener.cli import app, main
from screener.core.coercion import CoercionError, coerce_value
from screener.core.model import RuleSet
from screener.core.problems import SHOWN_CHARS, describe_problem
from screener.errors import EXIT_INTERNAL

from ..conftest import CLEAR_ANSWERS, EXAMPLES, FROZEN_RULES

runner = CliRunner()
QUESTIONS = list(CLEAR_ANSWERS)


def export(path: Path, rows: list[dict[str, str]], extra: list[list[str]] | None = None) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["intake_id", *QUESTIONS])
        for row in rows:
            writer.writerow([row["intake_id"], *({**CLEAR_ANSWERS, **row}[q] for q in QUESTIONS)])
        writer.writerows(extra or [])
    return path


SECRET_ROWS = [
    {"intake_id": "P-1", "pregnant": "secret-yes-no"},
    {"intake_id": "P-2", "age": "secret-number"},
    {"intake_id": "P-3", "age": "1234567"},  # a number out of range
    {"intake_id": "P-4", "primary_condition": "secret-choice"},
    {"intake_id": "P-5", "current_medications": "maoi;secret-medicine"},
    {"intake_id": "P-6", "self_harm_thoughts": "secret-self-harm"},
]
TOO_MANY = ["P-7", *CLEAR_ANSWERS.values(), "secret-extra-cell"]


def test_the_batch_summary_names_the_record_and_question_never_the_value(tmp_path: Path) -> None:
    data = export(tmp_path / "in.csv", SECRET_ROWS, [TOO_MANY])
    summary = tmp_path / "summary.json"
    result = runner.invoke(app, ["batch", str(data), "-o", str(tmp_path / "out.csv"),
                                 "--summary-json", str(summary)])  # fmt: skip
    assert result.exit_code == 3, result.output
    for log in (result.stderr, summary.read_text()):
        assert "secret" not in log
        assert "1234567" not in log
    lines = result.stderr.splitlines()
    assert "  row 1 P-1: pregnant: expected yes or no" in lines
    assert "  row 2 P-2: age: expected a whole number" in lines
    assert "  row 3 P-3: age: above the maximum 120" in lines
    assert any(
        line.startswith("  row 4 P-4: primary_condition: not one of: depression") for line in lines
    )
    assert any(
        line.startswith("  row 5 P-5: current_medications: not one of: maoi") for line in lines
    )
    assert "  row 7 P-7: too many fields: 30, the header has 29 [safety answer unreadable]" in lines
    # The output file was asked for: it holds every value, for the data staff to fix.
    out = (tmp_path / "out.csv").read_text()
    assert "secret-choice" in out and "secret-extra-cell" in out


def test_show_values_quotes_a_short_prefix_of_each_value(tmp_path: Path) -> None:
    long = "secret-" + "x" * 200
    data = export(tmp_path / "in.csv", [{"intake_id": "P-1", "pregnant": long}])
    result = runner.invoke(
        app, ["batch", str(data), "-o", str(tmp_path / "o.csv"), "--show-values"]
    )
    assert result.exit_code == 3
    line = next(x for x in result.stderr.splitlines() if x.startswith("  row 1"))
    clipped = repr(long[:SHOWN_CHARS] + "\u2026")
    assert line == f"  row 1 P-1: pregnant: expected yes or no (got {clipped})"


@settings(max_examples=30)
@given(
    question=st.sampled_from(QUESTIONS),
    secret=st.text(st.characters(categories=["L", "N", "P", "Zs"]), min_size=4, max_size=60),
)
def test_no_unreadable_value_reaches_the_batch_summary(question: str, secret: str) -> None:
    raw = "zq" + secret  # never a readable answer: not yes/no, a number or a choice
    with tempfile.TemporaryDirectory() as name:
        data = export(Path(name) / "in.csv", [{"intake_id": "P-1", question: raw}])
        result = runner.invoke(app, ["batch", str(data), "-o", str(Path(name) / "o.csv")])
    assert result.exit_code == 3, result.output
    assert raw not in result.stderr
    assert raw.strip()[:6] not in result.stderr
    assert f"row 1 P-1: {question}: " in result.stderr


@settings(max_examples=200)
@given(raw=st.text(min_size=3, max_size=50))
def test_a_problem_described_for_a_log_never_holds_the_value(
    default_rules: RuleSet, raw: str
) -> None:
    # Every message coerce_value gives, as the readers put it together, for every question.
    for question in default_rules.questions:
        try:
            coerce_value(question, "zq" + raw)
        except CoercionError as exc:
            problem = f"{question.id}: {exc} (got {'zq' + raw!r})"
            described = describe_problem(problem)
            assert "zq" + raw not in described
            assert "zq" not in described.replace(question.id, "")
            assert described.startswith(f"{question.id}: ")


def test_a_duplicate_key_in_an_answers_file_is_named_without_its_values(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("age: 41\nprimary_condition: secret-one\nprimary_condition: secret-two\n")
    result = runner.invoke(app, ["score", str(answers)])
    assert result.exit_code == 1
    assert 'duplicate key "primary_condition"' in result.stderr
    assert "secret" not in result.stderr
    assert "Traceback" not in result.output


def test_an_unreadable_answer_in_score_is_quoted_only_in_part(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    long = "secret-" + "y" * 500
    answers.write_text(json.dumps({**CLEAR_ANSWERS, "pregnant": long}))
    result = runner.invoke(app, ["score", str(answers)])
    assert result.exit_code == 1
    assert "pregnant: expected yes or no (got" in result.stderr
    assert long[: SHOWN_CHARS + 1] not in result.stderr
    assert len(result.stderr) < 200


def test_the_diff_report_names_records_and_questions_not_answers(tmp_path: Path) -> None:
    data = export(
        tmp_path / "in.csv",
        [
            {"intake_id": "P-1", "bp_systolic": "185"},
            {"intake_id": "P-2", "bp_systolic": "secret-bp"},
        ],
    )
    new = tmp_path / "new.yaml"
    new.write_text(
        FROZEN_RULES.read_text()
        .replace("when: bp_systolic >= 180 or", "when: bp_systolic >= 200 or")
        .replace("max: 260", "max: 250")
    )
    args = ["diff", str(FROZEN_RULES), str(new), "--data", str(data)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "row 1 (intake P-1): not_eligible -> needs_review (widened)" in result.stdout
    assert "(reads bp_systolic, bp_diastolic)" in result.stdout
    assert "185" not in result.stdout and "secret" not in result.stdout
    shown = runner.invoke(app, [*args, "--show-values"])
    assert "bp_systolic 185 mmHg" in shown.stdout


def _score_with_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    """`screener score` whose scoring hits a bug whose message quotes a person's answer."""
    import screener.commands.score as score_command
    from screener.files import interrupts

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("Maria Lopez, 3 attempts")

    monkeypatch.setattr(score_command, "run_score", broken)
    monkeypatch.setattr(interrupts, "install_handlers", lambda: None)  # keep pytest's handlers
    monkeypatch.setattr(sys, "argv", ["screener", "score", str(EXAMPLES / "needs_review.yaml")])


def test_a_bug_is_one_line_with_exit_70_never_a_traceback_quoting_answers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _score_with_a_bug(monkeypatch)
    monkeypatch.delenv("SCREENER_DEBUG", raising=False)
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == EXIT_INTERNAL == 70
    err = capsys.readouterr().err
    assert err.startswith("screener: internal error (KeyError): a bug in screener")
    assert "Traceback" not in err
    assert "Maria" not in err


def test_screener_debug_shows_the_bug_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    _score_with_a_bug(monkeypatch)
    monkeypatch.setenv("SCREENER_DEBUG", "1")
    with pytest.raises(KeyError, match="Maria Lopez"):
        main()


def test_the_log_names_the_kind_of_problem_for_each_value_free_message() -> None:
    # A 21-digit age was "age: cannot be read" in the summary while the errors column said
    # why; each message that holds no value is now named as it is.
    for message in (
        "expected a whole number of at most 18 digits",
        "expected a whole number written with the digits 0-9",
        "expected a number (digits, with a '.' for decimals)",
        "a number has at most 18 digits",
        "expected a number",
        "longer than 10,000 characters",
    ):
        described = describe_problem(f"age: {message} (got '123456789012345678901')")
        assert described == f"age: {message}"
    assert describe_problem("dose: 2.5 is above the maximum 2 (got 2.5)") == (
        "dose: above the maximum 2"
    )
    assert describe_problem("dose: 0.5 is below the minimum 0.75 (got '0.5')") == (
        "dose: below the minimum 0.75"
    )
