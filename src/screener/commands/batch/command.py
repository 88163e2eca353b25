"""`screener batch`: score a CSV export, streaming, one output record per input record."""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from screener.columnar.coding import MAX_DISTINCT, Block, code_blocks
from screener.columnar.header import ColumnMap, MapFile, header_key, load_map_file, map_columns
from screener.columnar.reader import (
    BLOCK_ROWS,
    DEFAULT_ID_COLUMN,
    READ_ROWS,
    RecordSource,
    resolve_encoding,
)
from screener.columnar.redcap_source import annotate, read_dictionary, redcap_records
from screener.columnar.scorer import ColumnarScorer
from screener.columnar.value_map import use_value_maps
from screener.commands.batch.output import (
    RESULT_FIELDS,
    CsvRecordWriter,
    JsonlRecordWriter,
    RecordWriter,
)
from screener.commands.batch.safety import SafetyCheck, safety_questions
from screener.commands.batch.summary import BatchReport, Tally, summary_json, summary_text
from screener.core.frozen import record_class
from screener.core.problems import UsageError
from screener.errors import EXIT_SOME_INVALID
from screener.files.interrupts import held
from screener.files.write import AtomicFile, check_paths, writes_through
from screener.interop.redcap.export_rows import RedcapExport
from screener.rulefile.load import load_ruleset, rules_input

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


@record_class
class BatchOptions:
    input: Path
    rules: Path | None = None
    output: str | None = None  # None or "-": stdout
    output_format: str | None = None  # csv | jsonl; default from the output's suffix
    id_column: str | None = None
    encoding: str = "utf-8"
    mapping: Path | None = None
    include_input: bool = False
    summary_json: Path | None = None
    show_values: bool = False  # the summary quotes people's values only when asked
    redcap: Path | None = None  # the REDCap data dictionary: INPUT is a REDCap export
    include_incomplete: bool = False  # score REDCap records whose form is not complete
    # Tuning, not options: tests set them small to cross many block boundaries.
    read_rows: int = READ_ROWS
    block_rows: int = BLOCK_ROWS
    max_distinct: int = MAX_DISTINCT


def _output_target(options: BatchOptions) -> tuple[Path | None, str]:
    """(output path or None for stdout, format); refuses an output that would replace an
    input or another output."""
    path = None if options.output in (None, "-") else Path(str(options.output))
    fmt = options.output_format
    if fmt is None:
        if path is None:
            fmt = "csv"
        else:
            # A stream (/dev/null, a FIFO) has no name to tell by: CSV, as on stdout.
            fmt = FORMATS.get(path.suffix.lower(), "csv" if writes_through(path) else "")
            if not fmt:
                raise UsageError(
                    f"--output {path}: cannot tell the format from the name; end it in .csv"
                    " or .jsonl, or give --format"
                )
    check_paths(
        [
            ("INPUT.csv", options.input),
            rules_input(options.rules),
            ("--map", options.mapping),
            ("--redcap", options.redcap),
        ],
        [("--output", path), ("--summary-json", options.summary_json)],
    )
    return path, fmt


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Millions of short-lived lists would trigger the cycle collector over and over; the
    batch makes no reference cycles, so it is paused for the run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _progress(size: int, enabled: bool) -> Iterator[Callable[[int, int], None]]:
    """A progress bar over the input's bytes on a terminal; nothing otherwise."""
    if not enabled:
        yield lambda done, records: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn("scoring"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[records]} records"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        transient=True,
    )
    task = progress.add_task("scoring", total=max(size, 1), records="0")
    with progress:
        yield lambda done, records: progress.update(task, completed=done, records=f"{records:,}")


def _show_progress(to_stdout: bool) -> bool:
    """A bar on a terminal, unless the records themselves are going to that terminal."""
    if to_stdout and sys.stdout.isatty():
        return False
    return sys.stderr.isatty() and os.environ.get("TERM") != "dumb"


def _blocks(
    source: RecordSource | RedcapExport,
    columns: ColumnMap,
    in_file_order: dict[str, int],
    scorer: ColumnarScorer,
    writer: RecordWriter,
    options: BatchOptions,
) -> Iterator[Block]:
    """The export's records in coded blocks: straight from Arrow's columns for a CSV export;
    through the rows a REDCap export folds into records."""
    encode = writer.encode_inputs if options.include_input else None
    if isinstance(source, RecordSource):
        coding = [(in_file_order, scorer.coders)]
        for (block,) in source.blocks(
            columns.id_index, coding, options.block_rows, encode, options.max_distinct
        ):
            yield block
        return
    yield from code_blocks(
        source.chunks(options.read_rows),
        len(columns.header),
        columns.id_index,
        in_file_order,
        scorer.coders,
        options.block_rows,
        encode,
        options.max_distinct,
    )


def _commit_results(output: AtomicFile, summary: AtomicFile | None) -> None:
    """The output and the summary file both, whatever signal arrives meanwhile. Once they
    are written, a signal no longer stops the run (see run_batch)."""
    committed = False
    try:
        with held():
            output.commit()
            if summary is not None:
                summary.commit()
            committed = True
    except KeyboardInterrupt:  # every signal's exception is one (files.interrupts)
        if not committed:
            raise


def run_batch(options: BatchOptions) -> int:
    """Score every record; write the output and the summary; return the exit code."""
    started = time.perf_counter()
    out_path, fmt = _output_target(options)
    ruleset = load_ruleset(options.rules)
    encoding = resolve_encoding(options.encoding)
    dictionary = read_dictionary(options.redcap, options.include_incomplete)
    id_column = options.id_column or (dictionary.record_id if dictionary else DEFAULT_ID_COLUMN)
    if header_key(id_column) in {header_key(f) for f in RESULT_FIELDS}:
        raise UsageError(f"--id-column {id_column!r} is the name of an output column")
    loaded = load_map_file(options.mapping, ruleset) if options.mapping else MapFile({}, {})
    mapping = loaded.columns if options.mapping else None

    with RecordSource(options.input, encoding) as raw:
        source: RecordSource | RedcapExport = raw
        if dictionary is not None:
            source = redcap_records(
                raw,
                dictionary,
                ruleset,
                options.id_column,
                options.include_incomplete,
                mapping,
                loaded.values,
            )
        columns = map_columns(
            source.header,
            ruleset,
            id_column,
            mapping if dictionary is None else None,  # a REDCap export's map names its fields
            id_column_required=options.id_column is not None,
        )
        labels = {q: columns.label(q) for q in columns.questions}
        scorer = ColumnarScorer(ruleset, labels)
        if dictionary is None:  # a REDCap export's value maps are read by redcap_records
            use_value_maps(scorer.coders, loaded.values)
        safety = SafetyCheck(scorer, safety_questions(ruleset))
        writer_type: type[RecordWriter] = CsvRecordWriter if fmt == "csv" else JsonlRecordWriter
        writer = writer_type(
            scorer, id_column, columns.id_index is not None, columns.header, options.include_input
        )
        in_file_order = dict(sorted(columns.questions.items(), key=lambda item: item[1]))
        tally = Tally()
        output = AtomicFile(out_path, private=True)
        summary: AtomicFile | None = None
        try:
            output.write(writer.header())
            with (
                _cyclic_gc_paused(),
                _progress(source.size, _show_progress(out_path is None)) as advance,
            ):
                blocks = _blocks(source, columns, in_file_order, scorer, writer, options)
                for block in blocks:
                    annotate(source, block)
                    result = scorer.score(block)
                    unscored = result.problems or result.not_scored
                    unreadable = safety.offsets(block) if unscored else []
                    output.write(writer.block(block, result, unreadable))
                    tally.add(block, result, columns.id_index is not None, unreadable)
                    advance(source.bytes_read(), tally.records)
            exit_code = EXIT_SOME_INVALID if tally.invalid_count else 0
            report = BatchReport(
                input=str(options.input),
                output=str(out_path) if out_path is not None else "<stdout>",
                ruleset=ruleset,
                columns=columns,
                tally=tally,
                blank_lines=source.blank_lines,
                seconds=time.perf_counter() - started,
                exit_code=exit_code,
                show_values=options.show_values,
                mapped=options.mapping is not None,
            )
            if options.summary_json is not None:
                summary = AtomicFile(options.summary_json, private=True)
                summary.write(summary_json(report))
            _commit_results(output, summary)
        except BaseException:
            output.discard()
            if summary is not None:
                summary.discard()
            raise

    # The results are written: a signal (a KeyboardInterrupt, as every one here) only cuts
    # the summary short, and the run's own exit code stands, so that 129, 130 and 143 always
    # mean that the outputs were not written.
    with suppress(KeyboardInterrupt):
        sys.stderr.write(summary_text(report))
        sys.stderr.flush()
    return exit_code
