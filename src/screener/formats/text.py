"""The referral summary on a terminal, with rich. Crisis text always comes first.

rich reads `[...]` in any plain string it is given as markup (`[/]` crashes it, `[bold]`
vanishes, `[link=...]` makes a hyperlink) and `:name:` as an emoji. Every text here that comes
from a person (answers, ids) or from the rule file (question texts, labels, reasons, clinic
name and phone, crisis text, next steps) is passed as `rich.text.Text` through `plain()`,
which also shows control characters as escapes instead of sending them to the terminal.
"""

from __future__ import annotations

import re

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from screener.core.model import RuleSet
from screener.core.screening import Outcome, Screening
from screener.formats.occasion import Occasion
from screener.formats.summary_parts import summary_parts

STYLES = {
    Outcome.URGENT: "bold white on red",
    Outcome.NOT_ELIGIBLE: "bold red",
    Outcome.NEEDS_REVIEW: "bold yellow",
    Outcome.LIKELY_ELIGIBLE: "bold green",
}


# C0 controls except tab and newline, DEL, and C1 controls (ESC starts terminal codes).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(text: str, style: str = "") -> Text:
    """Untrusted text as it is: never markup, never an emoji code, never a terminal code."""
    return Text(_CONTROL.sub(lambda m: repr(m.group())[1:-1], text), style=style)


def crisis_panel(crisis_text: str, title: str = "URGENT: SAFETY") -> Panel:
    return Panel(plain(crisis_text), title=Text(title), style="bold white on red", expand=True)


def _bullets(title: str, items: list[str], style: str = "") -> list[RenderableType]:
    if not items:
        return []
    body = Table.grid(padding=(0, 1))
    body.add_column(width=3, justify="right")
    body.add_column()
    for item in items:
        body.add_row(Text("•"), plain(item))
    return [Text(title, style="bold " + style), body, Text("")]


def summary_renderable(
    ruleset: RuleSet, screening: Screening, occasion: Occasion | None = None
) -> RenderableType:
    parts = summary_parts(ruleset, screening, occasion)
    intake_id = occasion.intake_id if occasion else None
    items: list[RenderableType] = []
    if parts.crisis_text:
        items.append(crisis_panel(parts.crisis_text))
    banner = Text(f" {parts.outcome.label.upper()} ", style=STYLES[parts.outcome])
    title = "Referral pre-screen: " + parts.clinic_line
    title += f" (intake {intake_id})" if intake_id else ""
    body: list[RenderableType] = [banner, plain(parts.headline)]
    body += [plain(line, style="dim") for line in parts.head]
    items.append(Panel(Group(*body), title=plain(title)))
    if parts.priority:
        items.append(plain(f"Review priority: {parts.priority}", style="bold yellow"))
    items += _bullets("Do now", parts.rule_next_steps, "red")
    if parts.key_answers:
        grid = Table(title=plain("Key answers"), title_justify="left", show_header=False)
        grid.add_column()
        grid.add_column()
        for question, answer in parts.key_answers:
            grid.add_row(plain(question), plain(answer))
        items += [grid, Text("")]
    items += _bullets("What was found", parts.positives, "green")
    items += _bullets("Safety question not answered", parts.safety_unanswered, "red")
    items += _bullets("Reasons", parts.reasons)
    items += _bullets("Also found (outranked by the reasons above)", parts.other_findings)
    items += _bullets("Could not be decided", parts.undecided, "yellow")
    items += _bullets(parts.missing_title, parts.missing, "yellow")
    items += _bullets("Flags for the clinician", parts.flags, "cyan")
    items += _bullets("Computed values", parts.derived)
    for item_table in parts.tables:
        grid = Table(title=plain(item_table.title), title_justify="left")
        for column in item_table.columns:
            grid.add_column(plain(column))
        for row in item_table.rows:
            grid.add_row(*(plain(cell) for cell in row))
        items += [grid, Text("")]
    items += _bullets("Not answered", parts.other_unanswered, "dim")
    items += _bullets("Next steps", parts.next_steps)
    items.append(plain(parts.disclaimer, style="italic"))
    items.append(plain(parts.ruleset_line, style="dim"))
    if parts.crisis_text:
        # Again at the end, so that it is on screen when the summary has scrolled.
        items.append(crisis_panel(parts.crisis_text))
    return Group(*items)


def answers_table(rows: list[tuple[str, str, str]]) -> Table:
    """A numbered table of (question id, question text, answer) for review screens."""
    table = Table(show_lines=False)
    table.add_column("#", justify="right")
    table.add_column("Question")
    table.add_column("Answer")
    for number, (_, text, answer) in enumerate(rows, start=1):
        table.add_row(Text(str(number)), plain(text), plain(answer))
    return table
