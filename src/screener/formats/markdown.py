"""The referral summary as a Markdown note a coordinator can send to a clinician."""

from __future__ import annotations

from screener.core.model import RuleSet
from screener.core.screening import Screening
from screener.formats.occasion import Occasion
from screener.formats.summary_parts import summary_parts


def _section(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    return [f"## {title}", "", *[f"- {item}" for item in items], ""]


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def render_markdown(
    ruleset: RuleSet, screening: Screening, occasion: Occasion | None = None
) -> str:
    parts = summary_parts(ruleset, screening, occasion)
    title = f"# Referral pre-screen: {parts.clinic_line}"
    lines = [title, ""]
    head = [f"{line}  " for line in parts.head]
    if parts.intake_id:
        shown = parts.intake_id.replace("`", "'")  # a backtick would end the code span
        head.append(f"Intake id: `{shown}`")
    lines += [*head, ""] if head else []
    if parts.crisis_text:
        # Each line of the crisis steps stays a line of the quote (numbered steps, say).
        first, *rest = parts.crisis_text.splitlines()
        lines += [f"> **URGENT.** {first}", *(f"> {line}" for line in rest), ""]
    lines += [
        f"**Outcome: {parts.outcome.label}** (`{parts.outcome.value}`)",
        "",
        parts.headline,
        "",
    ]
    if parts.priority:
        lines += [f"Review priority: **{parts.priority}**", ""]
    lines += _section("Do now", parts.rule_next_steps)
    if parts.key_answers:
        lines += ["## Key answers", "", "| | |", "| --- | --- |"]
        lines += [f"| {_cell(q)} | {_cell(a)} |" for q, a in parts.key_answers]
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
        lines += [f"## {table.title}", ""]
        if not table.rows:
            lines += ["None.", ""]
            continue
        lines += ["| " + " | ".join(_cell(c) for c in table.columns) + " |"]
        lines += ["| " + " | ".join("---" for _ in table.columns) + " |"]
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
        lines += [""]
    lines += _section("Not answered", parts.other_unanswered)
    lines += _section("Next steps", parts.next_steps)
    if parts.answers:
        lines += ["## Answers", "", "| Question | Answer |", "| --- | --- |"]
        lines += [f"| {q.replace('|', '/')} | {a.replace('|', '/')} |" for q, a in parts.answers]
        lines += [""]
    lines += [f"_{parts.disclaimer}_", "", f"<sub>{parts.ruleset_line}</sub>", ""]
    return "\n".join(lines)
