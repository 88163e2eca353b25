"""`screener score`: read an answers file, score it, write the summary in one format."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

from screener.core.limits import MAX_ANSWERS_BYTES
from screener.core.model import RuleSet
from screener.core.problems import AnswersError, escape_line
from screener.core.scoring import score_raw
from screener.core.screening import Screening
from screener.files.read import decode_utf8, read_capped, read_text
from screener.files.write import check_paths, write_atomic, write_stdout
from screener.formats.answers_file import AnswersDocument, parse_answers_text
from screener.formats.occasion import Occasion, login_name
from screener.rulefile.load import load_ruleset, rules_input


def read_answers_source(answers: str) -> tuple[str, str]:
    """(text, name) of an answers file, or of stdin for `-`."""
    if answers == "-":
        if sys.stdin.isatty():
            sys.stderr.write("Reading answers (JSON or YAML) from the keyboard; end with Ctrl-D.\n")
        data = read_capped(sys.stdin.buffer, "<stdin>", MAX_ANSWERS_BYTES, "an answers file")
        return decode_utf8(data, "<stdin>"), "<stdin>"
    _, text = read_text(Path(answers), limit=MAX_ANSWERS_BYTES, what="an answers file")
    return text, answers


def render(
    ruleset: RuleSet, screening: Screening, fmt: str, occasion: Occasion, color: bool
) -> str:
    if fmt == "json":
        from screener.formats.screening_json import screening_to_json

        return screening_to_json(ruleset, screening, occasion)
    if fmt == "markdown":
        from screener.formats.markdown import render_markdown

        return render_markdown(ruleset, screening, occasion)
    from screener.formats.text import summary_text

    text = summary_text(ruleset, screening, _width(color), color, occasion)
    return text if color else "".join(line.rstrip() + "\n" for line in text.splitlines())


def urgent_notice(ruleset: RuleSet) -> str:
    """The crisis steps, for answers that are urgent although some cannot be read."""
    from screener.formats.text import crisis_box

    color = sys.stderr.isatty() and wants_color()
    return crisis_box(ruleset.crisis_text, _width(color), color)


def _width(terminal: bool) -> int:
    """On a terminal, its width (the crisis box must not break apart); in files, 100."""
    if not terminal:
        return 100
    import shutil  # only here: shutil and what it loads cost a cold start a few ms

    return shutil.get_terminal_size((100, 24)).columns


def wants_color() -> bool:
    """Styles on a terminal, unless NO_COLOR is set (no-color.org) or the terminal is dumb."""
    return not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def record_note(document: AnswersDocument, ruleset: RuleSet, screening: Screening) -> str:
    """For a saved record scored under other rules: say so, and whether the outcome moved."""
    before = document.recorded_under
    if before is None or before.get("sha256") == ruleset.sha256:
        return ""
    moved = (
        f"; its outcome was {document.recorded_outcome}, now {screening.outcome.value}"
        if document.recorded_outcome and document.recorded_outcome != screening.outcome.value
        else ""
    )
    name, version = before.get("name"), before.get("version")
    saved = "another rule set" if name is None else f"rule set {name!r} {version or ''}".rstrip()
    return escape_line(
        f"this record was saved under {saved}, not the one in use now"
        f" ({ruleset.name!r} {ruleset.version}){moved}"
    )


def occasion_of(document: AnswersDocument, by: str | None, now: datetime) -> Occasion:
    """A saved record keeps when and by whom it was made; anything else is screened now."""
    if document.recorded_at is not None:
        return Occasion(document.intake_id, document.recorded_at, document.recorded_by, True)
    return Occasion(document.intake_id, now, by or login_name())


def run_score(
    answers: str, rules: Path | None, fmt: str, output: Path | None, by: str | None = None
) -> None:
    check_paths(
        [("ANSWERS", None if answers == "-" else Path(answers)), rules_input(rules)],
        [("--output", output)],
    )
    ruleset = load_ruleset(rules)
    text, name = read_answers_source(answers)
    document = parse_answers_text(text, name)
    try:
        screening = score_raw(ruleset, document.raw, name)
    except AnswersError as error:
        if error.urgent:  # crisis steps first, then what could not be read
            sys.stderr.write(urgent_notice(ruleset))
        raise
    note = record_note(document, ruleset, screening)
    if note:
        sys.stderr.write(f"note: {note}\n")
    occasion = occasion_of(document, by, datetime.now().astimezone())
    if output is not None:
        write_atomic(output, render(ruleset, screening, fmt, occasion, color=False))
        return
    color = fmt == "text" and sys.stdout.isatty() and wants_color()
    write_stdout(render(ruleset, screening, fmt, occasion, color=color))
