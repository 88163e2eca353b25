"""`screener diff OLD NEW --data X`: replay records under two rule files and report what moves."""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from pathlib import Path

from screener.columnar.coding import MAX_DISTINCT
from screener.columnar.header import ColumnMap, load_column_mapping, map_columns, no_question_column
from screener.columnar.reader import (
    BLOCK_ROWS,
    DEFAULT_ID_COLUMN,
    READ_ROWS,
    RecordSource,
    resolve_encoding,
)
from screener.columnar.redcap_source import read_dictionary, redcap_records
from screener.commands.diff.case_records import CASES_SUFFIXES, read_case_records
from screener.commands.diff.columnar import diff_export
from screener.commands.diff.replay import DiffResult, diff_records
from screener.commands.diff.report import changes_csv, render_diff
from screener.core.frozen import record_class, replace
from screener.core.model import RuleSet
from screener.core.problems import ForbiddenChange, UsageError
from screener.files.write import check_paths, write_atomic, write_stdout
from screener.interop.redcap.export_rows import RedcapExport
from screener.rulefile.load import load_ruleset

FAIL_ON_WORDS = {
    "widened": "moved to a less restrictive outcome",
    "narrowed": "moved to a more restrictive outcome",
    "any": "changed outcome",
}


@record_class
class DiffOptions:
    old: Path
    new: Path
    data: Path
    output: Path | None = None
    fail_on: str | None = None  # widened | narrowed | any
    encoding: str | None = None  # CSV only; default utf-8
    mapping: Path | None = None  # CSV only
    id_column: str | None = None  # CSV only; default intake_id
    redcap: Path | None = None  # the data dictionary: --data is a REDCap export
    include_incomplete: bool = False  # REDCap only: replay forms not marked Complete too
    show_values: bool = False  # the report quotes people's answers only when asked
    # Tuning, not options: tests set them small to cross many block boundaries.
    read_rows: int = READ_ROWS
    block_rows: int = BLOCK_ROWS
    max_distinct: int = MAX_DISTINCT


def map_both(
    header: Sequence[str],
    rulesets: tuple[RuleSet, RuleSet],
    id_column: str,
    mapping: Mapping[str, str] | None = None,
    id_column_required: bool = False,
) -> tuple[ColumnMap, ColumnMap]:
    """The header against each rule set: their questions (and aliases) may differ. A header
    that names no question of either rule set is an error, as in batch."""
    old, new = (
        map_columns(header, r, id_column, mapping, id_column_required, question_required=False)
        for r in rulesets
    )
    if not old.questions and not new.questions:
        raise no_question_column(header)
    return old, new


def _diff_export(options: DiffOptions, old: RuleSet, new: RuleSet) -> DiffResult:
    encoding = resolve_encoding(options.encoding or "utf-8")
    dictionary = read_dictionary(options.redcap, options.include_incomplete)
    if dictionary is not None and options.mapping is not None:
        raise UsageError(
            "--map with --redcap: a REDCap export made from the rules' own dictionary needs no"
            " map; score a clinic's own instrument with `screener batch --redcap --map`"
        )
    mapping = load_column_mapping(options.mapping, old, new) if options.mapping else None
    # As in batch: reading makes millions of short-lived lists and no reference cycles, so the
    # cycle collector would run over and over for nothing (a third of the time at 1M records).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with RecordSource(options.data, encoding) as raw:
            source: RecordSource | RedcapExport = raw
            id_column = options.id_column or DEFAULT_ID_COLUMN
            if dictionary is not None:
                # Read with the old rule file's questions (the dictionary is made from the
                # rules in use); a question only the new rules have has no column.
                source = redcap_records(
                    raw, dictionary, old, options.id_column, options.include_incomplete
                )
                id_column = options.id_column or dictionary.record_id
            old_columns, new_columns = map_both(
                source.header,
                (old, new),
                id_column,
                mapping,
                id_column_required=options.id_column is not None,
            )
            return diff_export(
                old,
                new,
                source,
                old_columns,
                new_columns,
                options.read_rows,
                options.block_rows,
                options.max_distinct,
                str(options.data),
            )
    finally:
        if collecting:
            gc.enable()


def _diff_cases(options: DiffOptions, old: RuleSet, new: RuleSet) -> DiffResult:
    given = [
        name
        for name, value in (
            ("--encoding", options.encoding),
            ("--map", options.mapping),
            ("--id-column", options.id_column),
            ("--redcap", options.redcap),
            ("--include-incomplete", options.include_incomplete or None),
        )
        if value is not None
    ]
    if given:
        raise UsageError(
            f"{' and '.join(given)}: only for a CSV export; {options.data} is a cases file,"
            " whose answers are keyed by question id"
        )
    cases = read_case_records(options.data)
    old_columns, new_columns = (
        _lists_given_whole(
            map_columns(cases.columns, r, DEFAULT_ID_COLUMN, question_required=False), r
        )
        for r in (old, new)
    )
    return diff_records(old, new, old_columns, new_columns, cases.records, str(options.data))


def _lists_given_whole(columns: ColumnMap, ruleset: RuleSet) -> ColumnMap:
    """A cases file may give a list whole, its items under the list's own id: the items'
    fields are read from it, so they are not questions without a column."""
    given = {q.id for q in ruleset.questions if q.is_list and q.id in columns.questions}
    missing = tuple(m for m in columns.missing if ruleset.question_map[m].list_id not in given)
    return replace(columns, missing=missing)


def run_diff_command(options: DiffOptions) -> None:
    check_paths(
        [
            ("OLD", options.old),
            ("NEW", options.new),
            ("--data", options.data),
            ("--map", options.mapping),
            ("--redcap", options.redcap),
        ],
        [("--output", options.output)],
    )
    old = load_ruleset(options.old)
    new = load_ruleset(options.new)
    if options.data.suffix.lower() in CASES_SUFFIXES:
        result = _diff_cases(options, old, new)
    else:
        result = _diff_export(options, old, new)
    if options.output is not None:
        # Intake ids and outcomes of real people: owner-only.
        write_atomic(options.output, changes_csv(result), private=True)
    write_stdout(render_diff(result, options.fail_on, options.show_values))
    if options.fail_on is not None:
        count = result.forbidden(options.fail_on)
        if count:
            raise ForbiddenChange(
                f"{count:,} record{'' if count == 1 else 's'} {FAIL_ON_WORDS[options.fail_on]}"
                f" (--fail-on {options.fail_on})"
            )
