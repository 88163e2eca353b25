"""The referral summary on a terminal, with rich. Crisis text always comes first."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from screener.core.model import RuleSet
from screener.core.screening import Outcome, Screening
from screener.formats.summary_parts import summary_parts

STYLES = {
    Outcome.URGENT: "bold white on red",
    Outcome.NOT_ELIGIBLE: "bold red",
    Outcome.NEEDS_REVIEW: "bold yellow",
    Outcome.LIKELY_ELIGIBLE: "bold green",
}


def crisis_panel(crisis_text: str) -> Panel:
    return Panel(Text(crisis_text), title="URGENT: SAFETY", style="bold white on red", expand=True)


def _bullets(title: str, items: list[str], style: str = "") -> list[RenderableType]:
    if not items:
        return []
    body = Table.grid(padding=(0, 1))
    body.add_column(width=3, justify="right")
    body.add_column()
    for item in items:
        body.add_row("•", Text(item))
    return [Text(title, style="bold " + style), body, Text("")]


def summary_renderable(
    ruleset: RuleSet, screening: Screening, intake_id: str | None = None
) -> RenderableType:
    parts = summary_parts(ruleset, screening)
    items: list[RenderableType] = []
    if parts.crisis_text:
        items.append(crisis_panel(parts.crisis_text))
    banner = Text(f" {parts.outcome.label.upper()} ", style=STYLES[parts.outcome])
    items.append(
        Panel(
            Group(banner, Text(parts.headline)),
            title=f"Referral pre-screen: {parts.clinic_line}"
            + (f" (intake {intake_id})" if intake_id else ""),
        )
    )
    if parts.priority:
        items.append(Text(f"Review priority: {parts.priority}", style="bold yellow"))
    items += _bullets("Do now", parts.rule_next_steps, "red")
    items += _bullets("Safety question not answered", parts.safety_unanswered, "red")
    items += _bullets("Reasons", parts.reasons)
    items += _bullets("Also found (outranked by the reasons above)", parts.other_findings)
    items += _bullets("Could not be decided", parts.undecided, "yellow")
    items += _bullets(parts.missing_title, parts.missing, "yellow")
    items += _bullets("Flags for the clinician", parts.flags, "cyan")
    items += _bullets("Computed values", parts.derived)
    for item_table in parts.tables:
        grid = Table(title=Text(item_table.title), title_justify="left")
        for column in item_table.columns:
            grid.add_column(Text(column))
        for row in item_table.rows:
            grid.add_row(*(Text(cell) for cell in row))
        items += [grid, Text("")]
    items += _bullets("Not answered", parts.other_unanswered, "dim")
    items += _bullets("Next steps", parts.next_steps)
    items.append(Text(parts.disclaimer, style="italic"))
    items.append(Text(parts.ruleset_line, style="dim"))
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
        table.add_row(str(number), text, answer)
    return table
