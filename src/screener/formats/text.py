"""The referral summary as terminal text (`formats/terminal.py`). Crisis text always comes
first, and again at the end.

Every text here that comes from a person (answers, ids) or from the rule file (question
texts, labels, reasons, clinic name and phone, crisis text, next steps) passes through
`escape_controls`, which shows control characters as escapes instead of sending them to the
terminal; nothing is read as markup. The only terminal codes are the styles, with `color`.
"""

from __future__ import annotations

from screener.core.model import RuleSet
from screener.core.problems import escape_controls
from screener.core.screening import Outcome, Screening
from screener.formats.occasion import Occasion
from screener.formats.summary_parts import summary_parts
from screener.formats.terminal import bullets, paint, panel, table, wrap

CRISIS_STYLE = "bold white on red"
STYLES = {
    Outcome.URGENT: CRISIS_STYLE,
    Outcome.NOT_ELIGIBLE: "bold red",
    Outcome.NEEDS_REVIEW: "bold yellow",
    Outcome.LIKELY_ELIGIBLE: "bold green",
}


def crisis_box(crisis_text: str, width: int, color: bool, title: str = "URGENT: SAFETY") -> str:
    """The crisis steps in a box the full width, white on red."""
    lines = panel([(escape_controls(crisis_text), "")], title, width, color, CRISIS_STYLE)
    return "\n".join(lines) + "\n"


def _section(title: str, items: list[str], width: int, color: bool, style: str = "") -> list[str]:
    if not items:
        return []
    shown = [escape_controls(item) for item in items]
    return [paint(title, f"bold {style}".strip(), color), *bullets(shown, width), ""]


def summary_text(
    ruleset: RuleSet,
    screening: Screening,
    width: int,
    color: bool,
    occasion: Occasion | None = None,
) -> str:
    parts = summary_parts(ruleset, screening, occasion)
    intake_id = occasion.intake_id if occasion else None
    out: list[str] = []
    if parts.crisis_text:
        out.append(crisis_box(parts.crisis_text, width, color).rstrip("\n"))
    title = "Referral pre-screen: " + parts.clinic_line
    title += f" (intake {intake_id})" if intake_id else ""
    head = [(f" {parts.outcome.label.upper()} ", STYLES[parts.outcome])]
    head += [(escape_controls(parts.headline), "")]
    head += [(escape_controls(line), "dim") for line in parts.head]
    out += panel(head, escape_controls(title), width, color)
    if parts.priority:
        out.append(paint(f"Review priority: {parts.priority}", "bold yellow", color))
    out += _section("Do now", parts.rule_next_steps, width, color, "red")
    if parts.key_answers:
        rows = [[escape_controls(q), escape_controls(a)] for q, a in parts.key_answers]
        out += [*table(rows, width, color, title="Key answers"), ""]
    out += _section("What was found", parts.positives, width, color, "green")
    out += _section("Safety question not answered", parts.safety_unanswered, width, color, "red")
    out += _section("Reasons", parts.reasons, width, color)
    out += _section(
        "Also found (outranked by the reasons above)", parts.other_findings, width, color
    )
    out += _section("Could not be decided", parts.undecided, width, color, "yellow")
    out += _section(parts.missing_title, parts.missing, width, color, "yellow")
    out += _section("Flags for the clinician", parts.flags, width, color, "cyan")
    out += _section("Computed values", parts.derived, width, color)
    for item_table in parts.tables:
        rows = [[escape_controls(cell) for cell in row] for row in item_table.rows]
        headers = [escape_controls(column) for column in item_table.columns]
        out += [*table(rows, width, color, headers, escape_controls(item_table.title)), ""]
    out += _section("Not answered", parts.other_unanswered, width, color, "dim")
    out += _section("Next steps", parts.next_steps, width, color)
    out += [paint(line, "italic", color) for line in wrap(escape_controls(parts.disclaimer), width)]
    out += [paint(line, "dim", color) for line in wrap(escape_controls(parts.ruleset_line), width)]
    if parts.crisis_text:
        # Again at the end, so that it is on screen when the summary has scrolled.
        out.append(crisis_box(parts.crisis_text, width, color).rstrip("\n"))
    return "\n".join(out) + "\n"
