"""The report of `screener diff` (plain text) and its details file (`--output changes.csv`)."""

from __future__ import annotations

import csv
import io

from screener.commands.diff.replay import (
    INVALID_CHANGE,
    NARROWED,
    OUTCOME_ORDER,
    WIDENED,
    DiffResult,
    RecordChange,
    RuleChange,
)
from screener.core.model import RuleSet, format_value
from screener.core.problems import clip, describe_problem
from screener.core.tristate import Tri
from screener.formats.csv_cells import spreadsheet_safe

SHOWN_RECORDS = 20
CHANGES_COLUMNS = (
    "record",
    "intake_id",
    "old_outcome",
    "new_outcome",
    "change",
    "rule_changes",
    "old_deciding",
    "new_deciding",
    "errors",
)


def _records(count: int) -> str:
    return f"{count:,} record" if count == 1 else f"{count:,} records"


def _word(value: Tri | str) -> str:
    if isinstance(value, str):
        return value
    return "unknown" if value is None else ("true" if value else "false")


def rule_change_text(change: RuleChange) -> str:
    return f"{change.rule}: {_word(change.old)} -> {_word(change.new)}"


def _ruleset_line(label: str, ruleset: RuleSet) -> str:
    return f"{label}: {ruleset.source_name} ({ruleset.name} {ruleset.version})"


def matrix_lines(result: DiffResult) -> list[str]:
    """Old outcome x new outcome, with totals; every count right-aligned under its outcome."""
    counts = [[result.matrix.get((old, new), 0) for new in OUTCOME_ORDER] for old in OUTCOME_ORDER]
    counts = [[*row, sum(row)] for row in counts]
    counts.append([sum(column) for column in zip(*counts, strict=True)])
    table = [["old \\ new", *OUTCOME_ORDER, "total"]]
    table += [
        [label, *(f"{c:,}" for c in row)]
        for label, row in zip([*OUTCOME_ORDER, "total"], counts, strict=True)
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    return [
        "  "
        + row[0].ljust(widths[0])
        + "".join(cell.rjust(width + 2) for cell, width in zip(row[1:], widths[1:], strict=True))
        for row in table
    ]


def _answers_read(result: DiffResult, change: RecordChange, rule: str, show_values: bool) -> str:
    """The questions the rule reads (under either rule set); with `show_values`, the person's
    answers to them, in words."""
    parts: dict[str, str] = {}
    for ruleset, side in ((result.old, change.old), (result.new, change.new)):
        found = ruleset.rule_map.get(rule)
        if found is None:
            continue
        for qid in found.reads:
            question = ruleset.question_map[qid]
            answer = clip(format_value(question, side.scored.get(qid)))
            parts.setdefault(qid, f"{qid} {answer}" if show_values else qid)
    if show_values:
        return "; ".join(parts.values())
    return "reads " + ", ".join(parts.values())


def record_lines(result: DiffResult, change: RecordChange, show_values: bool = False) -> list[str]:
    """A changed record: its row and id, each rule that changed and the questions it reads;
    the person's answers only with `show_values` (a report often ends up in a CI log)."""
    lines = [
        f"  {clip(change.record.label, 80)}: {change.old.outcome} -> {change.new.outcome}"
        + ("" if change.direction == "same" else f" ({change.direction})")
    ]
    lines += [
        f"      {rule_change_text(r)} ({_answers_read(result, change, r.rule, show_values)})"
        for r in change.rules
    ]
    for side, label in ((change.old, "old"), (change.new, "new")):
        lines += [
            f"      cannot be read under the {label} rules: {describe_problem(e, show_values)}"
            for e in side.errors
        ]
    return lines


def render_diff(result: DiffResult, fail_on: str | None = None, show_values: bool = False) -> str:
    lines = [
        _ruleset_line("Old rules", result.old),
        _ruleset_line("New rules", result.new),
        f"Data: {result.data_name}: {_records(result.records)}",
        "",
    ]
    if result.not_scored:
        lines[-1:-1] = [
            f"  {result.not_scored:,} not replayed: their REDCap form is not marked Complete"
            " (--include-incomplete replays them)"
        ]
    if result.structure:
        lines.append(f"Rule file changes ({len(result.structure)}):")
        for structural in result.structure:
            lines.append(f"  {structural}")
            if structural.change == "added":
                lines[-1] += f" ({structural.details[0]})"
            elif structural.change == "changed":
                lines += [f"      {detail}" for detail in structural.details]
    else:
        lines.append("Rule file changes: none in questions or rules")
    lines += ["", "Outcomes (rows: old rules, columns: new rules):", *matrix_lines(result), ""]
    moved = result.outcome_changes
    lines.append(
        f"Outcome changed for {_records(len(moved))}: {result.count(WIDENED):,} widened"
        f" (less restrictive), {result.count(NARROWED):,} narrowed (more restrictive),"
        f" {result.count(INVALID_CHANGE):,} to or from invalid"
    )
    for change in moved[:SHOWN_RECORDS]:
        lines += record_lines(result, change, show_values)
    if len(moved) > SHOWN_RECORDS:
        lines.append(f"  ... and {len(moved) - SHOWN_RECORDS:,} more (all are in --output FILE)")
    same = len(result.changes) - len(moved)
    lines.append(f"Same outcome, different rule values: {_records(same)}")
    if result.notes:
        lines += ["", "Notes:", *(f"  {note}" for note in result.notes)]
    if fail_on is not None:
        count = result.forbidden(fail_on)
        verdict = f"{_records(count)} moved that way" if count else "no record moved that way"
        lines += ["", f"--fail-on {fail_on}: {verdict}"]
    return "\n".join(lines) + "\n"


def changes_csv(result: DiffResult) -> str:
    """Every record whose outcome or rule values changed, one row each; every cell
    spreadsheet-safe (formats.csv_cells: one that starts like a formula gets a `'` in front)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CHANGES_COLUMNS)
    for change in result.changes:
        record = change.record
        cells = (
            record.key,
            record.intake_id or "",
            change.old.outcome,
            change.new.outcome,
            change.direction,
            "; ".join(rule_change_text(r) for r in change.rules),
            " ".join(change.old.deciding),
            " ".join(change.new.deciding),
            "; ".join(
                f"{label}: {e}"
                for side, label in ((change.old, "old"), (change.new, "new"))
                for e in side.errors
            ),
        )
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return buffer.getvalue()
