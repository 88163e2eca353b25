"""`screener diff OLD NEW --data X`: replay records under two rule files and report what moves."""

from __future__ import annotations

import sys
from pathlib import Path

from screener.atomic_write import refuse_overwriting, write_atomic
from screener.csv_records import read_records
from screener.diff_report import changes_csv, render_diff
from screener.rule_diff import ForbiddenChange, diff_records
from screener.ruleset import load_ruleset


def run_diff_command(
    old: Path, new: Path, data: Path, output: Path | None, fail_on: str | None
) -> None:
    if output is not None:
        refuse_overwriting(output, [old, new, data], "--output")
    old_rules = load_ruleset(old)
    new_rules = load_ruleset(new)
    source = read_records(data)
    result = diff_records(old_rules, new_rules, source.columns, source.records, source.name)
    if output is not None:
        # Intake ids and outcomes of real people: owner-only.
        write_atomic(output, changes_csv(result), private=True)
    sys.stdout.write(render_diff(result, fail_on))
    sys.stdout.flush()
    if fail_on is not None:
        count = result.forbidden(fail_on)
        if count:
            what = {
                "widened": "moved to a less restrictive outcome",
                "narrowed": "moved to a more restrictive outcome",
                "any": "changed outcome",
            }[fail_on]
            raise ForbiddenChange(f"{count:,} records {what} (--fail-on {fail_on})")
