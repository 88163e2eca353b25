"""What the interview prints through rich's console: untrusted text as rich `Text`, never
markup, and the boxes and summary drawn by `formats/text.py`, at the console's width.

rich reads `[...]` in any plain string it is given as markup (`[/]` crashes it, `[bold]`
vanishes, `[link=...]` makes a hyperlink) and `:name:` as an emoji. Every text the interview
shows that comes from a person (answers, ids, paths) or from the rule file (question texts,
help, crisis text) goes through `plain()`, which also shows control characters as escapes.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from screener.core.model import RuleSet
from screener.core.problems import escape_controls
from screener.core.screening import Screening
from screener.formats.occasion import Occasion
from screener.formats.text import crisis_box, summary_text


def plain(text: str, style: str = "") -> Text:
    """Untrusted text as it is: never markup, never an emoji code, never a terminal code."""
    return Text(escape_controls(text), style=style)


def _drawn(text: str) -> Text:
    """Text drawn with styles (`formats/terminal.py`) as rich Text, which keeps the styles on
    a terminal and drops them elsewhere, as the console decides."""
    return Text.from_ansi(text.rstrip("\n"), no_wrap=True, overflow="ignore")


def crisis_panel(console: Console, crisis_text: str, title: str = "URGENT: SAFETY") -> Text:
    return _drawn(crisis_box(crisis_text, console.width, True, title))


def summary(
    console: Console, ruleset: RuleSet, screening: Screening, occasion: Occasion | None = None
) -> Text:
    return _drawn(summary_text(ruleset, screening, console.width, True, occasion))
