"""rich reads `[...]` as markup and `:name:` as an emoji in any plain string; prompt_toolkit
could read HTML. No text from a person (answers, ids) or from the rule file (question texts,
labels, reasons, clinic name and phone, crisis text, next steps, disclaimer) is ever read as
markup, an emoji code or a terminal code: it is shown as it is, in `score` and in `screen`."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rich.console import Console
from ruamel.yaml import YAML

from screener.cli import app
from screener.commands.screen.command import ScreenOptions, run_screen
from screener.commands.screen.console_text import summary
from screener.core.scoring import score_raw
from screener.formats.occasion import Occasion
from screener.formats.text import crisis_box, summary_text
from screener.rulefile.load import load_ruleset

from ..conftest import CLEAR_ANSWERS, FROZEN_RULES
from ..interview_keys import drive, interview, interview_keys

runner = CliRunner()
# Markup that crashes rich ([/]), vanishes ([bold]), makes a hyperlink ([link=...]), becomes an
# emoji (:thumbs_up:) or is an HTML tag for prompt_toolkit (<b>).
BOMB = "[/] [bold]B[/bold] [link=https://evil.example]L[/link] :thumbs_up: <b>H</b>"
PHONE = "555-0100 [ask for triage]"
NOTES = "notes_free_text"


def bomb_rules(tmp_path: Path) -> Path:
    """The frozen rules with BOMB after every text a person reads, a clinic phone with
    brackets, and one free-text question."""
    yaml = YAML(typ="rt")
    data: Any = yaml.load(FROZEN_RULES.read_text())
    data["name"] += " " + BOMB
    data["clinic"]["name"] += " " + BOMB
    data["clinic"]["phone"] = PHONE
    data["disclaimer"] += " " + BOMB
    data["crisis_text"] += " " + BOMB
    for outcome in data["next_steps"]:
        data["next_steps"][outcome] = [f"{step} {BOMB}" for step in data["next_steps"][outcome]]
    for question in data["questions"]:
        question["text"] += " " + BOMB
        if question.get("help"):
            question["help"] += " " + BOMB
        for choice in question.get("choices") or []:
            if isinstance(choice, dict):
                choice["label"] += " " + BOMB
    data["questions"].append({"id": NOTES, "text": "Anything else? " + BOMB, "type": "text"})
    for rule in data["rules"]:
        for key in ("label", "reason", "reason_clear"):
            if rule.get(key):
                rule[key] += " " + BOMB
    path = tmp_path / "bomb.yaml"
    with path.open("w") as handle:
        yaml.dump(data, handle)
    return path


def terminal_text(renderable: Any) -> str:
    """As a colour terminal would get it, wide enough that nothing wraps."""
    buffer = io.StringIO()
    Console(file=buffer, force_terminal=True, width=4000, color_system="truecolor").print(
        renderable
    )
    return buffer.getvalue()


def plain_text(renderable: Any) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=4000, color_system=None).print(renderable)
    return buffer.getvalue()


def test_every_rule_file_text_and_answer_is_shown_as_written_in_the_summary(
    tmp_path: Path,
) -> None:
    rules = load_ruleset(bomb_rules(tmp_path))
    answers: dict[str, object] = {**CLEAR_ANSWERS, "self_harm_thoughts": "yes", "age": "16"}
    answers[NOTES] = BOMB
    screening = score_raw(rules, answers, "answers")
    occasion = Occasion(intake_id="[/]", by="[b]x[/b]")
    # In colour as `score` draws it, and as the interview prints it through rich's console.
    drawn = summary_text(rules, screening, 4000, True, occasion)
    console = Console(file=io.StringIO(), force_terminal=True, width=4000)
    for out in (drawn, terminal_text(summary(console, rules, screening, occasion))):
        assert "\x1b]8;" not in out  # no hyperlink
        assert "\N{THUMBS UP SIGN}" not in out  # no emoji
    text = plain_text(summary(console, rules, screening, occasion))
    assert text.rstrip("\n") == summary_text(rules, screening, 4000, False, occasion).rstrip("\n")
    for shown in (
        f"(phone {PHONE})",
        "(intake [/])",
        rules.crisis_text,
        f"the clinic treats adults 18 and over. {BOMB}",  # a reason
        rules.next_steps["urgent"][0],
        rules.disclaimer,
    ):
        assert shown in text, shown
    assert text.count(BOMB) >= 6


def test_score_shows_an_intake_id_and_a_clinic_phone_with_brackets(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({**CLEAR_ANSWERS, "intake_id": "[/]"}))
    rules = tmp_path / "rules.yaml"
    rules.write_text(FROZEN_RULES.read_text().replace("phone: null", f'phone: "{PHONE}"'))
    result = runner.invoke(app, ["score", str(answers), "--rules", str(rules)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert f"(phone {PHONE})" in result.stdout
    assert "(intake [/])" in result.stdout


def test_control_characters_are_shown_as_escapes_not_sent_to_the_terminal() -> None:
    out = crisis_box("Call 911.\x1b[31m red\x07 \x9b2J", 60, True)
    assert "\x1b[31m red" not in out and "\x07" not in out and "\x9b" not in out
    assert "\\x1b[31m red\\x07 \\x9b2J" in out
    # The only codes are the box's own style and its reset.
    codes = re.findall("\x1b\\[[0-9;]*m", out)
    assert set(codes) == {"\x1b[1;37;41m", "\x1b[0m"}
    assert out.count("\x1b") == len(codes)


@pytest.mark.timeout(60)
def test_an_interview_under_such_rules_shows_every_text_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = bomb_rules(tmp_path)
    rules = load_ruleset(path)
    typed = "[/] [link=https://evil.example]x"
    keys = interview_keys(rules, [*interview(self_harm_thoughts="yes"), (NOTES, typed)])
    run = drive(
        keys + " " + "s" + "n",  # the review's second page, s: score it; n: no record
        lambda console: run_screen(
            ScreenOptions(rules=path, intake_id="M-1"), console, require_terminal=False
        ),
    )
    assert run.error is None, run.screen
    assert run.value is not None and run.value.outcome.value == "urgent"
    review = run.after("Review the answers")
    # prompts (prompt_toolkit) and the review table (rich) alike
    assert rules.question_map["age"].text in run.screen
    assert typed in review
    assert rules.question_map[NOTES].text in review
    assert f"(phone {PHONE})" in run.after("Referral pre-screen")
    assert rules.crisis_text in run.after("Referral pre-screen")
    assert "<b>H</b>" in run.screen.split("Review the answers")[0]  # not HTML at the prompt


def test_no_plain_string_reaches_rich_in_the_source() -> None:
    # rich reads markup in any str: every text it is given goes through plain() or Text().
    import ast

    root = Path(__file__).resolve().parents[2] / "src" / "screener"
    found = []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text())
        if "rich" not in {
            (node.module or "").split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
        }:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name not in {"print", "add_row", "Panel", "from_markup", "render_str", "log"}:
                continue
            values = [*node.args, *(k.value for k in node.keywords if k.arg == "title")]
            for value in values:
                if isinstance(value, (ast.JoinedStr, ast.BinOp)) or (
                    isinstance(value, ast.Constant) and isinstance(value.value, str)
                ):
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
    assert found == []


def test_the_markdown_note_shows_answers_as_written_never_as_markup_or_terminal_codes(
    tmp_path: Path,
) -> None:
    """A note is read in a Markdown viewer (which also renders HTML) and printed to
    terminals: an answer's tag, link, emphasis, line break or escape code does nothing."""
    rules = bomb_rules(tmp_path)
    hostile = "\x1b]0;pwned\x07 <img src=x> *b* [l](javascript:x)\n# Heading | cell"
    answers: dict[str, object] = {**CLEAR_ANSWERS, NOTES: hostile}
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({**answers, "intake_id": "\x1b[31mX`y"}))
    result = runner.invoke(app, ["score", str(path), "--rules", str(rules), "-f", "markdown"])
    assert result.exit_code == 0, result.output
    note = result.stdout
    assert "\x1b" not in note and "\x07" not in note
    assert "Intake id: `\\x1b[31mX'y`" in note  # a backtick would end the code span
    shown = (
        "\\\\x1b\\]0;pwned\\\\x07 \\<img src=x\\> \\*b\\* \\[l\\](javascript:x) # Heading \\| cell"
    )
    assert shown in note
    assert not [line for line in note.splitlines() if line.startswith("# Heading")]
    assert "<img" not in note.replace("\\<img", "")
    assert "\\[/\\] \\[bold\\]B\\[/bold\\]" in note  # rule-file text: the same
