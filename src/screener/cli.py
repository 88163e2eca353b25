"""The `screener` command: parses options, calls one function, maps errors to exit codes
(the codes live in `screener.errors`: 0 done, 1 bad input or an output that cannot be written,
2 bad usage, 3 some batch records invalid, 4 diff --fail-on, 70 a bug, 129 SIGHUP, 130 Ctrl-C,
143 SIGTERM). `main` installs the signal handlers, once: SIGTERM and SIGHUP take the Ctrl-C
path; a bug is one line naming its kind, never a traceback that could quote answers."""

from __future__ import annotations

# isort: off
from screener import startup  # noqa: F401  # first: a Ctrl-C while loading exits 130 quietly

# isort: on
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

# Only click loads with this module: `--help` needs nothing else. What a command needs loads
# inside it, and the error and output machinery when a command runs (see `main`).


P = ParamSpec("P")
R = TypeVar("R")


class _Group(click.Group):
    """Help lists the commands in the order they are defined (click sorts them by name)."""

    group_class = type  # a subgroup is a `_Group` too

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """The one place where errors become messages and exit codes."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from screener.core.problems import ScreenerError
        from screener.errors import exit_code_for, exit_code_for_interrupt
        from screener.files.write import write_stdout

        try:
            value = command(*args, **kwargs)
            write_stdout("")  # a full disk or a closed pipe is an error here, not at exit
            return value
        except ScreenerError as exc:
            _tell([f"error: {line}" if not _located(line) else line for line in exc.lines()])
            raise click.exceptions.Exit(exit_code_for(exc)) from None
        except (KeyboardInterrupt, EOFError) as exc:
            _tell(["", _interrupt_message(exc)])
            raise click.exceptions.Exit(exit_code_for_interrupt(exc)) from None

    return wrapper


def _interrupt_message(interrupt: BaseException) -> str:
    """ "stopped by SIGTERM" and the like; a Ctrl-C (or Ctrl-D) is "interrupted"."""
    from screener.core.problems import Interrupted

    return f"{interrupt}" if isinstance(interrupt, Interrupted) else "interrupted"


def _tell(lines: list[str]) -> None:
    """To stderr, each control character of a message shown as its escape (a message may
    quote a name from a user's file); after SIGHUP there may be no terminal left to write to."""
    from screener.core.problems import escape_controls

    try:
        sys.stderr.write("".join(f"{escape_controls(line)}\n" for line in lines))
        sys.stderr.flush()
    except (OSError, ValueError):
        from screener.files.write import silence

        silence(sys.stderr)


def _a_number(value: float | None, option: str) -> float | None:
    """`nan` passes a FloatRange (no comparison with it is true): refuse it as click would."""
    if value is not None and value != value:
        raise click.BadParameter("nan is not a number of percent", param_hint=option)
    return value


def _located(line: str) -> bool:
    """Located problems (`FILE:LINE:COL: ...`) are printed as they are, for editors to jump to."""
    head = line.split(" ", 1)[0]
    return head.count(":") >= 2


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from screener import __version__

        click.echo(f"screener {__version__}")
        ctx.exit()


@click.group(
    "screener",
    cls=_Group,
    no_args_is_help=True,
    context_settings={"show_default": True},  # as typer did: `[default: text]`
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Print the version and exit.",
)
def app() -> None:
    """Pre-screening for ketamine infusion clinics. A pre-screen, never a diagnosis."""


# A path the user names; a file, where a folder makes no sense.
PATH = click.Path(path_type=Path)


class _OutputFile(click.Path):
    """A file an option writes, where `-` would otherwise make a file named `-`."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if str(value) == "-":
            self.fail("'-' is not a file name here: this option writes a file", param, ctx)
        return super().convert(value, param, ctx)


OUTPUT_FILE = _OutputFile(path_type=Path)
FILE = click.Path(dir_okay=False, path_type=Path)

by_option = click.option(
    "--by", help="Who screens, shown on the summary (default: the login name)."
)
rules_option = click.option(
    "--rules", "-r", type=FILE, help="Rule file to use (default: the bundled rules.yaml)."
)
# Options that read a CSV export the same way in `batch` and `diff`.
id_column_option = click.option(
    "--id-column", help="Column holding the record id (default: intake_id)."
)
map_option = click.option(
    "--map",
    "column_map",
    type=PATH,
    help="YAML file mapping the export's header names to question ids.",
)
show_values_option = click.option(
    "--show-values",
    is_flag=True,
    help="Quote people's values in the printed problems (default: only the record, the"
    " question and the kind of problem, as logs should hold).",
)


@app.command()
@click.argument(
    "rules",
    required=False,
    type=PATH,
    help="Rule file to check (default: the bundled one).",
)
@click.option(
    "--strict", is_flag=True, help="Treat warnings (texts a language lacks) as errors: exit 1."
)
@reports_errors
def validate(rules: Path | None, strict: bool) -> None:
    """Check a rule file; print a one-line summary, or every problem with its location."""
    from screener.commands.validate import run_validate

    run_validate(rules, strict)


@app.command()
@click.argument("answers", help="Answers file (JSON or YAML), or - for stdin.")
@rules_option
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(("text", "json", "markdown")),
    default="text",
    help="Output format.",
)
@click.option(
    "--output", "-o", type=OUTPUT_FILE, help="Write to this file (owner-only) instead of stdout."
)
@by_option
@reports_errors
def score(
    answers: str, rules: Path | None, output_format: str, output: Path | None, by: str | None
) -> None:
    """Score one person's answers and print the referral summary."""
    from screener.commands.score import run_score

    run_score(answers, rules, output_format, output, by)


@app.command()
@rules_option
@click.option("--resume", type=FILE, help="Continue a draft saved after Ctrl-C.")
@click.option(
    "--save", type=PATH, help="Write the record (answers + screening) as JSON, owner-only."
)
@click.option("--markdown", type=PATH, help="Write the referral note as Markdown, owner-only.")
@click.option("--intake-id", help="Id for this intake (default: date, time and 4 hex).")
@by_option
@click.option("--language", help="Language of the interview (kept in a draft).")
@reports_errors
def screen(
    rules: Path | None,
    resume: Path | None,
    save: Path | None,
    markdown: Path | None,
    intake_id: str | None,
    by: str | None,
    language: str | None,
) -> None:
    """Interview at a terminal: ask, review and edit, then print the referral summary."""
    from screener.commands.screen.command import ScreenOptions, run_screen

    run_screen(ScreenOptions(rules, resume, save, markdown, intake_id, by, language))


@app.command("test")
@click.argument("cases", type=PATH, help="Cases file (YAML): cases and invariants.")
@rules_option
@click.option("--junit", type=PATH, help="Also write the results as JUnit XML.")
@click.option(
    "--min-coverage",
    type=click.FloatRange(min=0, max=100),
    callback=lambda _ctx, _param, value: _a_number(value, "--min-coverage"),
    help="Fail below this rule coverage (percent).",
)
@click.option(
    "--samples",
    type=click.IntRange(min=0),
    default=2000,
    help="Random answer sets per invariant run.",
)
@click.option("--seed", type=int, default=0, help="Seed for the random answer sets.")
@reports_errors
def test_rules(
    cases: Path,
    rules: Path | None,
    junit: Path | None,
    min_coverage: float | None,
    samples: int,
    seed: int,
) -> None:
    """Run rule test cases and invariants; report coverage. Exit 1 on any failure."""
    from screener.commands.test.command import run_test_command

    run_test_command(cases, rules, junit, min_coverage, samples, seed)


@app.command()
@click.argument(
    "input_csv",
    metavar="INPUT.csv",
    type=PATH,
    help="CSV export, one record per person.",
)
@rules_option
@click.option("--output", "-o", help="Write to FILE (.csv or .jsonl, owner-only); - for stdout.")
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(("csv", "jsonl")),
    help="Output format (default: from --output, else csv).",
)
@id_column_option
@click.option("--encoding", default="utf-8", help="Text encoding of the input (e.g. cp1252).")
@map_option
@click.option("--include-input", is_flag=True, help="Also copy every input column.")
@click.option("--summary-json", type=OUTPUT_FILE, help="Also write the run's summary as JSON.")
@show_values_option
@click.option(
    "--redcap",
    type=FILE,
    help="The input is a REDCap export; this is the project's data dictionary (CSV).",
)
@click.option(
    "--include-incomplete",
    is_flag=True,
    help="With --redcap: also score forms not marked Complete.",
)
@reports_errors
def batch(
    input_csv: Path,
    rules: Path | None,
    output: str | None,
    output_format: str | None,
    id_column: str | None,
    encoding: str,
    column_map: Path | None,
    include_input: bool,
    summary_json: Path | None,
    show_values: bool,
    redcap: Path | None,
    include_incomplete: bool,
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
            output_format=output_format,
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
        raise click.exceptions.Exit(code)


@app.command()
@click.argument("old", type=FILE, help="The rule file in use now.")
@click.argument("new", type=FILE, help="The changed rule file.")
@click.option(
    "--data",
    required=True,
    type=PATH,
    help="Records to replay: a CSV export, or a cases file (.yaml).",
)
@click.option(
    "--output", "-o", type=OUTPUT_FILE, help="Write every changed record as CSV (owner-only)."
)
@click.option(
    "--fail-on",
    type=click.Choice(("widened", "narrowed", "any")),
    help="Exit 4 if any record moved this way.",
)
@click.option("--encoding", help="Text encoding of a CSV export (default: utf-8).")
@map_option
@id_column_option
@show_values_option
@click.option(
    "--redcap",
    type=FILE,
    help="--data is a REDCap export; this is the project's data dictionary (CSV).",
)
@click.option(
    "--include-incomplete",
    is_flag=True,
    help="With --redcap: also replay forms not marked Complete.",
)
@reports_errors
def diff(
    old: Path,
    new: Path,
    data: Path,
    output: Path | None,
    fail_on: str | None,
    encoding: str | None,
    column_map: Path | None,
    id_column: str | None,
    show_values: bool,
    redcap: Path | None,
    include_incomplete: bool,
) -> None:
    """Replay records under two rule files: outcome matrix, changed records, rule changes."""
    from screener.commands.diff.command import DiffOptions, run_diff_command

    run_diff_command(
        DiffOptions(
            old=old,
            new=new,
            data=data,
            output=output,
            fail_on=fail_on,
            encoding=encoding,
            mapping=column_map,
            id_column=id_column,
            show_values=show_values,
            redcap=redcap,
            include_incomplete=include_incomplete,
        )
    )


@app.group("redcap", no_args_is_help=True)
def redcap_app() -> None:
    """REDCap: a project's data dictionary from the rule file, questions from a dictionary,
    and a map of a clinic's own fields."""


@redcap_app.command("dictionary")
@rules_option
@click.option("--output", "-o", help="Write the dictionary (CSV) here; - for stdout.")
@click.option("--form", default="prescreen", help="The REDCap form's name.")
@reports_errors
def redcap_dictionary(rules: Path | None, output: str | None, form: str) -> None:
    """Write the rule file's questions as a REDCap data dictionary, to upload in REDCap."""
    from screener.commands.redcap.command import run_dictionary

    run_dictionary(rules, output, form)


dictionary_argument = click.argument(
    "dictionary",
    metavar="DICT.csv",
    type=FILE,
    help="A REDCap data dictionary (CSV).",
)


@redcap_app.command("import")
@dictionary_argument
@click.option("--output", "-o", help="Write the questions (YAML) here; - for stdout.")
@reports_errors
def redcap_import(dictionary: Path, output: str | None) -> None:
    """Write the questions part of a rule file from a REDCap data dictionary."""
    from screener.commands.redcap.command import run_import

    run_import(dictionary, output)


@redcap_app.command("map")
@dictionary_argument
@rules_option
@click.option("--output", "-o", help="Write the proposed map (YAML) here; - for stdout.")
@reports_errors
def redcap_map(dictionary: Path, rules: Path | None, output: str | None) -> None:
    """Propose a --map from a clinic's own REDCap fields and codes to the rule set's
    questions and values, for a person to review."""
    from screener.commands.redcap.command import run_map

    run_map(dictionary, rules, output)


def main() -> None:
    """Console-script entry point: SIGTERM and SIGHUP take the Ctrl-C path from here on.

    click runs without its standalone mode: left to itself it answers a Ctrl-C that arrives
    before a command's own handling (while click parses, or a command's modules load) with
    "Aborted!" and exit 1; here every interrupt ends with its own code (130, 143, 129)."""
    from screener.core.problems import OutputFileError
    from screener.errors import EXIT_BAD_INPUT, EXIT_INTERNAL, exit_code_for_interrupt
    from screener.files.interrupts import install_handlers
    from screener.files.write import stdout_failure, write_stdout

    code: int | str | None
    try:
        install_handlers()
        returned = app.main(standalone_mode=False)
        code = returned if isinstance(returned, int) else 0
    except SystemExit as exc:
        code = exc.code
    except click.exceptions.Abort as exc:
        interrupt = exc.__cause__ if exc.__cause__ is not None else KeyboardInterrupt()
        _tell([_interrupt_message(interrupt)])
        code = exit_code_for_interrupt(interrupt)
    except (KeyboardInterrupt, EOFError) as exc:  # one that arrived as click was returning
        _tell(["", _interrupt_message(exc)])
        code = exit_code_for_interrupt(exc)
    except click.ClickException as exc:  # usage errors: click's own message, exit 2
        exc.show()
        code = exc.exit_code
    except OSError as exc:  # click's own output (--help, usage) into a full disk or a pipe
        _tell([f"error: {stdout_failure(exc)}"])
        sys.exit(EXIT_BAD_INPUT)
    except Exception as exc:  # a bug: its traceback could quote a person's answers
        if os.environ.get("SCREENER_DEBUG"):
            raise
        _tell(
            [
                f"screener: internal error ({type(exc).__name__}): a bug in screener, not a"
                " problem with your files. Please report it with the command you ran;"
                " SCREENER_DEBUG=1 shows the details (they may quote answers)."
            ]
        )
        sys.exit(EXIT_INTERNAL)
    try:
        write_stdout("")  # what click printed itself, still buffered
    except OutputFileError as error:
        if not code:  # an error or a signal already has its code (after SIGHUP: no terminal)
            _tell([f"error: {error}"])
            code = EXIT_BAD_INPUT
    sys.exit(code)
