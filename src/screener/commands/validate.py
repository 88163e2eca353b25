"""`screener validate`: a sound rule file's one-line summary, after its warnings."""

from __future__ import annotations

import sys
from pathlib import Path

from screener.core.model import Action, RuleSet
from screener.core.problems import RuleFileError, escape_line
from screener.core.translation import languages
from screener.files.write import write_stdout
from screener.rulefile.load import load_ruleset_with_warnings


def run_validate(path: Path | None, strict: bool) -> None:
    """Warnings (texts a language lacks) go to stderr, one located line each, and leave the
    exit code 0; with `strict`, they are errors and the file is reported unusable (exit 1)."""
    ruleset, warnings = load_ruleset_with_warnings(path)
    if warnings and strict:
        raise RuleFileError(warnings)
    if warnings:
        sys.stderr.write("".join(f"{w}\n" for w in warnings))
        sys.stderr.flush()
    write_stdout(summary_line(ruleset) + "\n")


def summary_line(ruleset: RuleSet) -> str:
    counts = ", ".join(
        f"{sum(1 for r in ruleset.rules if r.action is action)} {action.value}" for action in Action
    )
    found = languages(ruleset)
    spoken = f"; languages: {', '.join(found)}" if len(found) > 1 else ""
    name = escape_line(f"{ruleset.name} {ruleset.version}")
    return (
        f"{ruleset.source_name}: OK: {name}:"
        f" {len(ruleset.questions)} questions, {len(ruleset.rules)} rules ({counts}){spoken}"
    )
