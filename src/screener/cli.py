"""The `screener` command: parses options, calls one function, maps errors to exit codes
(the codes live in `screener.errors`: 0 done, 1 bad input or an output that cannot be written,
2 bad usage, 3 some batch records invalid, 4 diff --fail-on, 129 SIGHUP, 130 Ctrl-C, 143
SIGTERM). `main` installs the signal handlers, once: SIGTERM and SIGHUP take the Ctrl-C path."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer

# Only typer loads with this module: `--help` needs nothing else. What a command needs loads
# inside it, and the error and output machinery when a command runs (see `main`).

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="screener",
    help="Pre-screening for ketamine infusion clinics. A pre-screen, never a diagnosis.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """The one place where errors become messages and exit codes."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from screener.core.problems import Interrupted, ScreenerError
        from screener.errors import exit_code_for, exit_code_for_interrupt
        from screener.files.write import write_stdout

        try:
            value = command(*args, **kwargs)
            write_stdout("")  # a full disk or a closed pipe is an error here, not at exit
            return value
        except ScreenerError as exc:
            _tell([f"error: {line}" if not _located(line) else line for line in exc.lines()])
            raise typer.Exit(exit_code_for(exc)) from None
        except (KeyboardInterrupt, EOFError) as exc:
            _tell(["", f"{exc}" if isinstance(exc, Interrupted) else "interrupted"])
            raise typer.Exit(exit_code_for_interrupt(exc)) from None

    return wrapper


def _tell(lines: list[str]) -> None:
    """To stderr; after SIGHUP there may be no terminal left to write to."""
    try:
        sys.stderr.write("".join(f"{line}\n" for line in lines))
        sys.stderr.flush()
    except (OSError, ValueError):
        from screener.files.write import silence

        silence(sys.stderr)


def _located(line: str) -> bool:
    """Located problems (`FILE:LINE:COL: ...`) are printed as they are, for editors to jump to."""
    head = line.split(" ", 1)[0]
    return head.count(":") >= 2


ByOption = Annotated[
    str | None,
    typer.Option("--by", help="Who screens, shown on the summary (default: the login name)."),
]
RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        "-r",
        help="Rule file to use (default: the bundled rules.yaml).",
        dir_okay=False,
    ),
]
# Options that read a CSV export the same way in `batch` and `diff`.
IdColumnOption = Annotated[
    str | None,
    typer.Option("--id-column", help="Column holding the record id (default: intake_id)."),
]
MapOption = Annotated[
    Path | None,
    typer.Option("--map", help="YAML file mapping the export's header names to question ids."),
]
ShowValuesOption = Annotated[
    bool,
    typer.Option(
        "--show-values",
        help="Quote people's values in the printed problems (default: only the record, the"
        " question and the kind of problem, as logs should hold).",
    ),
]


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


@app.command()
@reports_errors
def validate(
    rules: Annotated[
        Path | None, typer.Argument(help="Rule file to check (default: the bundled one).")
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Treat warnings (texts a language lacks) as errors: exit 1."),
    ] = False,
) -> None:
    """Check a rule file; print a one-line summary, or every problem with its location."""
    from screener.commands.validate import run_validate

    run_validate(rules, strict)


@app.command()
@reports_errors
def score(
    answers: Annotated[str, typer.Argument(help="Answers file (JSON or YAML), or - for stdin.")],
    rules: RulesOption = None,
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="Output format.")
    ] = Format.TEXT,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (owner-only) instead of stdout."),
    ] = None,
    by: ByOption = None,
) -> None:
    """Score one person's answers and print the referral summary."""
    from screener.commands.score import run_score

    run_score(answers, rules, output_format.value, output, by)


@app.command()
@reports_errors
def screen(
    rules: RulesOption = None,
    resume: Annotated[
        Path | None,
        typer.Option("--resume", help="Continue a draft saved after Ctrl-C.", dir_okay=False),
    ] = None,
    save: Annotated[
        Path | None,
        typer.Option("--save", help="Write the record (answers + screening) as JSON, owner-only."),
    ] = None,
    markdown: Annotated[
        Path | None,
        typer.Option("--markdown", help="Write the referral note as Markdown, owner-only."),
    ] = None,
    intake_id: Annotated[
        str | None,
        typer.Option("--intake-id", help="Id for this intake (default: date, time and 4 hex)."),
    ] = None,
    by: ByOption = None,
) -> None:
    """Interview at a terminal: ask, review and edit, then print the referral summary."""
    from screener.commands.screen.command import ScreenOptions, run_screen

    run_screen(ScreenOptions(rules, resume, save, markdown, intake_id, by))


@app.command("test")
@reports_errors
def test_rules(
    cases: Annotated[Path, typer.Argument(help="Cases file (YAML): cases and invariants.")],
    rules: RulesOption = None,
    junit: Annotated[
        Path | None, typer.Option("--junit", help="Also write the results as JUnit XML.")
    ] = None,
    min_coverage: Annotated[
        float | None,
        typer.Option(
            "--min-coverage", min=0, max=100, help="Fail below this rule coverage (percent)."
        ),
    ] = None,
    samples: Annotated[
        int, typer.Option("--samples", min=0, help="Random answer sets per invariant run.")
    ] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the random answer sets.")] = 0,
) -> None:
    """Run rule test cases and invariants; report coverage. Exit 1 on any failure."""
    from screener.commands.test.command import run_test_command

    run_test_command(cases, rules, junit, min_coverage, samples, seed)


class BatchFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


@app.command()
@reports_errors
def batch(
    input_csv: Annotated[
        Path, typer.Argument(metavar="INPUT.csv", help="CSV export, one record per person.")
    ],
    rules: RulesOption = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", help="Write to FILE (.csv or .jsonl, owner-only); - for stdout."
        ),
    ] = None,
    output_format: Annotated[
        BatchFormat | None,
        typer.Option("--format", "-f", help="Output format (default: from --output, else csv)."),
    ] = None,
    id_column: IdColumnOption = None,
    encoding: Annotated[
        str, typer.Option("--encoding", help="Text encoding of the input (e.g. cp1252).")
    ] = "utf-8",
    column_map: MapOption = None,
    include_input: Annotated[
        bool, typer.Option("--include-input", help="Also copy every input column.")
    ] = False,
    summary_json: Annotated[
        Path | None,
        typer.Option("--summary-json", help="Also write the run's summary as JSON."),
    ] = None,
    show_values: ShowValuesOption = False,
    redcap: Annotated[
        Path | None,
        typer.Option(
            "--redcap",
            help="The input is a REDCap export; this is the project's data dictionary (CSV).",
            dir_okay=False,
        ),
    ] = None,
    include_incomplete: Annotated[
        bool,
        typer.Option(
            "--include-incomplete", help="With --redcap: also score forms not marked Complete."
        ),
    ] = False,
) -> None:
    """Score a CSV export: one output record per input record, and a summary on stderr.

    Exit 0 when every record was scored, 3 when some were invalid (each is in the output).
    """
    from screener.commands.batch.command import BatchOptions, run_batch

    code = run_batch(
        BatchOptions(
            input=input_csv,
            rules=rules,
            output=output,
            output_format=output_format.value if output_format else None,
            id_column=id_column,
            encoding=encoding,
            mapping=column_map,
            include_input=include_input,
            summary_json=summary_json,
            show_values=show_values,
            redcap=redcap,
            include_incomplete=include_incomplete,
        )
    )
    if code:
        raise typer.Exit(code)


class FailOn(StrEnum):
    WIDENED = "widened"
    NARROWED = "narrowed"
    ANY = "any"


@app.command()
@reports_errors
def diff(
    old: Annotated[Path, typer.Argument(help="The rule file in use now.", dir_okay=False)],
    new: Annotated[Path, typer.Argument(help="The changed rule file.", dir_okay=False)],
    data: Annotated[
        Path,
        typer.Option("--data", help="Records to replay: a CSV export, or a cases file (.yaml)."),
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write every changed record as CSV (owner-only)."),
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option("--fail-on", help="Exit 4 if any record moved this way."),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option("--encoding", help="Text encoding of a CSV export (default: utf-8)."),
    ] = None,
    column_map: MapOption = None,
    id_column: IdColumnOption = None,
    show_values: ShowValuesOption = False,
) -> None:
    """Replay records under two rule files: outcome matrix, changed records, rule changes."""
    from screener.commands.diff.command import DiffOptions, run_diff_command

    run_diff_command(
        DiffOptions(
            old=old,
            new=new,
            data=data,
            output=output,
            fail_on=fail_on.value if fail_on else None,
            encoding=encoding,
            mapping=column_map,
            id_column=id_column,
            show_values=show_values,
        )
    )


redcap_app = typer.Typer(
    name="redcap",
    help="REDCap: a project's data dictionary from the rule file, questions from a"
    " dictionary, and a map of a clinic's own fields.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(redcap_app)


@redcap_app.command("dictionary")
@reports_errors
def redcap_dictionary(
    rules: RulesOption = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Write the dictionary (CSV) here; - for stdout."),
    ] = None,
    form: Annotated[str, typer.Option("--form", help="The REDCap form's name.")] = "prescreen",
) -> None:
    """Write the rule file's questions as a REDCap data dictionary, to upload in REDCap."""
    from screener.commands.redcap.command import run_dictionary

    run_dictionary(rules, output, form)


DictionaryArgument = Annotated[
    Path, typer.Argument(metavar="DICT.csv", help="A REDCap data dictionary (CSV).", dir_okay=False)
]


@redcap_app.command("import")
@reports_errors
def redcap_import(
    dictionary: DictionaryArgument,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Write the questions (YAML) here; - for stdout."),
    ] = None,
) -> None:
    """Write the questions part of a rule file from a REDCap data dictionary."""
    from screener.commands.redcap.command import run_import

    run_import(dictionary, output)


@redcap_app.command("map")
@reports_errors
def redcap_map(
    dictionary: DictionaryArgument,
    rules: RulesOption = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Write the proposed map (YAML) here; - for stdout."),
    ] = None,
) -> None:
    """Propose a --map from a clinic's own REDCap fields and codes to the rule set's
    questions and values, for a person to review."""
    from screener.commands.redcap.command import run_map

    run_map(dictionary, rules, output)


def _print_version(value: bool) -> None:
    if value:
        from screener import __version__

        typer.echo(f"screener {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Pre-screening for ketamine infusion clinics. A pre-screen, never a diagnosis."""


def main() -> None:
    """Console-script entry point: SIGTERM and SIGHUP take the Ctrl-C path from here on."""
    from screener.core.problems import OutputFileError
    from screener.errors import EXIT_BAD_INPUT
    from screener.files.interrupts import install_handlers
    from screener.files.write import stdout_failure, write_stdout

    install_handlers()
    try:
        app()
        code: int | str | None = 0
    except SystemExit as exc:
        code = exc.code
    except OSError as exc:  # typer's own output (--help, usage) into a full disk or a pipe
        _tell([f"error: {stdout_failure(exc)}"])
        sys.exit(EXIT_BAD_INPUT)
    try:
        write_stdout("")  # what typer printed itself, still buffered
    except OutputFileError as error:
        if not code:  # an error or a signal already has its code (after SIGHUP: no terminal)
            _tell([f"error: {error}"])
            code = EXIT_BAD_INPUT
    sys.exit(code)
