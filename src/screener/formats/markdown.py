"""The referral summary as a Markdown note a coordinator can send to a clinician.

Every text from the rule file or the answers is shown as written, never as markup: on one
line (a line break in an answer cannot start a heading or a table row), each character that
Markdown or the HTML it allows would read as markup escaped with a backslash, and control
characters as escapes (`\\x1b`), so that neither a viewer nor a terminal acts on them.
"""

from __future__ import annotations

import re

from screener.core.model import RuleSet
from screener.core.problems import escape_controls
from screener.core.screening import Screening
from screener.formats.occasion import Occasion
from screener.formats.summary_parts import summary_parts

# Markup anywhere in a line; an underscore inside a word (`bp_systolic`) is never emphasis.
_MARKUP = re.compile(r"[\\`*\[\]<>&|~]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
# Markup at the start of a line: a heading, a quote, a list item, a rule.
_BLOCK = re.compile(r"[#>+=-]|\d+[.)]")


def _text(text: str) -> str:
    """A text as the note shows it: on one line, markup and control characters escaped."""
    return _MARKUP.sub(lambda m: "\\" + m.group(), escape_controls(" ".join(text.splitlines())))


def _line(text: str) -> str:
    """`_text` for a text that starts a line of the note."""
    shown = _text(text)
    return "\\" + shown if _BLOCK.match(shown) else shown


def _section(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    return [f"## {title}", "", *[f"- {_text(item)}" for item in items], ""]


def render_markdown(
    ruleset: RuleSet, screening: Screening, occasion: Occasion | None = None
) -> str:
    parts = summary_parts(ruleset, screening, occasion)
    title = f"# Referral pre-screen: {_text(parts.clinic_line)}"
    lines = [title, ""]
    head = [f"{_line(line)}  " for line in parts.head]
    if parts.intake_id:
        # In a code span nothing is markup, but a backtick would end it.
        shown = escape_controls(" ".join(parts.intake_id.splitlines())).replace("`", "'")
        head.append(f"Intake id: `{shown}`")
    lines += [*head, ""] if head else []
    if parts.crisis_text:
        # Each line of the crisis steps stays a line of the quote (numbered steps, say).
        first, *rest = parts.crisis_text.splitlines()
        lines += [f"> **URGENT.** {_text(first)}", *(f"> {_text(line)}" for line in rest), ""]
    lines += [
        f"**Outcome: {parts.outcome.label}** (`{parts.outcome.value}`)",
        "",
        _line(parts.headline),
        "",
    ]
    if parts.priority:
        lines += [f"Review priority: **{parts.priority}**", ""]
    lines += _section("Do now", parts.rule_next_steps)
    if parts.key_answers:
        lines += ["## Key answers", "", "| | |", "| --- | --- |"]
        lines += [f"| {_text(q)} | {_text(a)} |" for q, a in parts.key_answers]
        lines += [""]
    lines += _section("What was found", parts.positives)
    lines += _section("Safety question not answered", parts.safety_unanswered)
    lines += _section("Reasons", parts.reasons)
    lines += _section("Also found (outranked by the reasons above)", parts.other_findings)
    lines += _section("Could not be decided", parts.undecided)
    lines += _section(parts.missing_title, parts.missing)
    lines += _section("Flags for the clinician", parts.flags)
    lines += _section("Computed values", parts.derived)
    for table in parts.tables:
        lines += [f"## {_text(table.title)}", ""]
        if not table.rows:
            lines += ["None.", ""]
            continue
        lines += ["| " + " | ".join(_text(c) for c in table.columns) + " |"]
        lines += ["| " + " | ".join("---" for _ in table.columns) + " |"]
        lines += ["| " + " | ".join(_text(c) for c in row) + " |" for row in table.rows]
        lines += [""]
    lines += _section("Not answered", parts.other_unanswered)
    lines += _section("Next steps", parts.next_steps)
    if parts.answers:
        lines += ["## Answers", "", "| Question | Answer |", "| --- | --- |"]
        lines += [f"| {_text(q)} | {_text(a)} |" for q, a in parts.answers]
        lines += [""]
    lines += [f"_{_text(parts.disclaimer)}_", "", f"<sub>{_text(parts.ruleset_line)}</sub>", ""]
    return "\n".join(lines)
