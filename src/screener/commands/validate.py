"""The one-line summary `screener validate` prints for a sound rule file."""

from __future__ import annotations

from screener.core.model import Action, RuleSet


def summary_line(ruleset: RuleSet) -> str:
    counts = ", ".join(
        f"{sum(1 for r in ruleset.rules if r.action is action)} {action.value}" for action in Action
    )
    return (
        f"{ruleset.source_name}: OK: {ruleset.name} {ruleset.version}:"
        f" {len(ruleset.questions)} questions, {len(ruleset.rules)} rules ({counts})"
    )
