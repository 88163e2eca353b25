"""`--redcap DICT.csv` (`batch` and `diff`): a REDCap export read as canonical records, before
the column-wise pipeline (interop.redcap.export_rows does the translating)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from screener.columnar.coding import Block
from screener.columnar.header import header_key
from screener.columnar.reader import RecordSource
from screener.core.limits import MAX_DICTIONARY_BYTES
from screener.core.model import RuleSet
from screener.core.problems import UsageError
from screener.files.read import read_text
from screener.interop.redcap.columns import cell_keys, text_key
from screener.interop.redcap.dictionary_read import RedcapDictionary, parse_dictionary
from screener.interop.redcap.export_rows import RedcapExport


def read_dictionary(path: Path | None, include_incomplete: bool) -> RedcapDictionary | None:
    """The `--redcap` data dictionary, or None for a plain CSV export."""
    if path is None:
        if include_incomplete:
            raise UsageError("--include-incomplete is for REDCap exports: give --redcap DICT.csv")
        return None
    _, text = read_text(path, limit=MAX_DICTIONARY_BYTES, what="a REDCap data dictionary")
    return parse_dictionary(text, str(path))


def redcap_records(
    source: RecordSource,
    dictionary: RedcapDictionary,
    ruleset: RuleSet,
    id_column: str | None,
    include_incomplete: bool,
    mapping: Mapping[str, str] | None = None,
    values: Mapping[str, Mapping[str, str]] | None = None,
) -> RedcapExport:
    """The export as canonical records; what cannot be read from its header is said once on
        stderr (names of columns and fields only, never a value). A `--map` names REDCap fields,
    and its value maps name their raw codes."""
    if id_column is not None and (
        header_key(id_column) != header_key(dictionary.record_id)
        and text_key(dictionary.record_id_label) not in cell_keys(id_column)
    ):
        raise UsageError(
            f"--id-column {id_column!r}: a REDCap record's id is the dictionary's first field,"
            f" {dictionary.record_id!r}; leave --id-column out"
        )
    export = RedcapExport(
        source,
        dictionary,
        ruleset,
        id_name=id_column,
        include_incomplete=include_incomplete,
        mapping=mapping,
        values=values,
    )
    for warning in export.warnings:
        sys.stderr.write(f"redcap: {warning}\n")
    return export


def annotate(source: RecordSource | RedcapExport, block: Block) -> None:
    """Mark the block's records that a REDCap export says not to score, or that it cannot
    read as a whole (an export row of the wrong width is one, as in a CSV export)."""
    if isinstance(source, RedcapExport):
        notes = source.notes(block.start, block.size)
        block.not_scored, block.record_problems = notes.not_scored, notes.problems
        block.shape_errors.update(notes.wrong_width)
        block.unread = notes.unread
