"""Errors a user can cause, named for what failed; `screener.errors` maps them to exit codes."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from functools import cache

from screener.core.frozen import record_class
from screener.core.limits import MAX_ANSWER_CHARS, MAX_NUMBER_DIGITS
from screener.core.suggest import suggest

# No message echoes more than this many characters of anything a user's file holds.
SHOWN_CHARS = 40


def clip(text: str, limit: int = SHOWN_CHARS) -> str:
    """At most `limit` characters of `text`, with an ellipsis when some were cut."""
    return text if len(text) <= limit else text[:limit] + "\u2026"


def printable(text: str, limit: int = SHOWN_CHARS) -> str:
    """A name from a user's file as a message writes it (a column's header): at most `limit`
    characters, and each character that is not printable as an escape (`\\x1b`), never a
    terminal code."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in clip(text, limit))


# What untrusted text must never send as it is: C0 and C1 control characters but tab and line
# feed (terminal codes, carriage returns that overwrite a line), the bidirectional overrides
# and isolates (text shown in another order than it is), and lone surrogates (no encoding can
# write them).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def escape_controls(text: str) -> str:
    """Untrusted text with each unsafe character shown as its escape (`\\x1b`), never sent."""
    return _UNSAFE.sub(lambda m: repr(m.group())[1:-1], text)


def escape_line(text: str) -> str:
    """`escape_controls` for a text printed as one line: a line break is shown as `\\n` too,
    so that no text can start a line of its own (a forged `PASS ...`)."""
    return escape_controls(text).replace("\n", "\\n")


def name_list(names: Sequence[str], most: int = 20) -> str:
    """Names from a user's file as a message lists them: each `printable`, at most `most` of
    them, then how many more there are."""
    listed = ", ".join(printable(name) for name in names[:most])
    return listed + (f" and {len(names) - most:,} more" if len(names) > most else "")


def shown(value: object, limit: int = SHOWN_CHARS) -> str:
    """A value as a message quotes it: its repr (so control characters are escapes, never
    terminal codes), of at most `limit` characters of the value."""
    if isinstance(value, str):
        return repr(clip(value, limit))
    return clip(repr(value), limit)


@record_class
class Problem:
    """One located problem in an input file: `FILE:LINE:COL: where: what`."""

    file: str
    line: int | None
    column: int | None
    where: str
    message: str

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        where = f" {self.where}:" if self.where else ""
        return f"{place}:{where} {self.message}"


class ScreenerError(Exception):
    """Base class: something the user can fix ends the command with one clear message."""

    def lines(self) -> list[str]:
        return [str(self)]


class RuleFileError(ScreenerError):
    """The rule file cannot be used; carries every problem found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(
            problems, key=lambda p: (p.line if p.line is not None else 0, p.column or 0)
        )
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


@record_class
class AnswerProblem:
    """One answer that cannot be read: which question, the raw value, and why."""

    question: str
    value: object
    message: str

    def __str__(self) -> str:
        return f"{self.question}: {self.message} (got {self.value!r})"

    def short(self) -> str:
        """As printed: the value clipped to a short prefix."""
        return f"{clip(self.question)}: {self.message} (got {shown(self.value)})"


class AnswersError(ScreenerError):
    """An answers file (or record) has values that cannot be read. `urgent`: the urgent rules
    that hold on the other answers, each unreadable value taken as unknown (as "don't know")."""

    def __init__(
        self, source: str, problems: list[AnswerProblem], urgent: tuple[str, ...] = ()
    ) -> None:
        self.source = source
        self.problems = problems
        self.urgent = urgent
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        lines = [f"{self.source}: {p.short()}" for p in self.problems]
        if self.urgent:
            lines.append(
                f"{self.source}: not scored, but with the values above taken as unknown the"
                f" other answers are urgent ({', '.join(map(clip, self.urgent))}): follow the"
                " crisis steps now"
            )
        return lines


class InputFileError(ScreenerError):
    """A file that cannot be read at all (missing, not YAML/JSON, wrong encoding)."""


class OutputFileError(ScreenerError):
    """A file the user asked for cannot be written (no such folder, no permission, disk full)."""


class UsageError(ScreenerError):
    """A bad combination of options or arguments."""


class UnknownLanguage(UsageError):
    """A language the rule file has no words in (`--language fr` for a file in en and es)."""

    def __init__(self, language: str, available: tuple[str, ...]) -> None:
        self.language = language
        self.available = available
        near = suggest(language, available) or suggest(language.lower(), available)
        super().__init__(
            f"the rule file has no texts in {shown(language)}{near};"
            f" its languages are {', '.join(available)}"
        )


class RuleTestsFailed(ScreenerError):
    """Some rule cases or invariants failed, or coverage is below the threshold."""


class ForbiddenChange(ScreenerError):
    """`diff --fail-on` found records whose outcome moved the forbidden way."""


class OutputExists(OutputFileError):
    """A file that must be created new (a record, a draft) appeared before it was written."""


# ---- signals -------------------------------------------------------------------------------


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the program is so that it takes the Ctrl-C path: temp
    files are removed, the interview offers (or, without a terminal, writes) a draft."""

    signal_name = "a signal"
    exit_code = 128

    def __str__(self) -> str:
        return f"stopped by {self.signal_name}"


class Terminated(Interrupted):
    """SIGTERM: someone or something asked the program to stop."""

    signal_name = "SIGTERM"
    exit_code = 143  # 128 + 15, as a shell reports a process killed by SIGTERM


class HungUp(Interrupted):
    """SIGHUP: the terminal went away (a dropped SSH session); there is no one to ask."""

    signal_name = "SIGHUP"
    exit_code = 129  # 128 + 1


# ---- problems as printed on a log stream ---------------------------------------------------

# The messages `coercion.coerce_value` and the CSV reader give, matched so that a message can
# be printed without the person's value. Anything else is "cannot be read": a message not
# known here never leaks a value.
_FIXED = (
    "expected yes or no",
    f"expected a whole number of at most {MAX_NUMBER_DIGITS} digits",
    "expected a whole number written with the digits 0-9",
    "expected a whole number",
    "expected a number (digits, with a '.' for decimals)",
    f"a number has at most {MAX_NUMBER_DIGITS} digits",
    "expected a number",
    f"longer than {MAX_ANSWER_CHARS:,} characters",
    "expected one of the listed choices",
    "expected choices separated by ';'",
    "expected text",
    "'none' cannot be combined with other choices",
    "'don't know' cannot be combined with other choices",
    "not a question in this rule set",
)
_QUOTED = r"(?:'[^']*'|\"[^\"]*\"|'.*'|\".*\")"
_KIND_PATTERN = (
    r"(?P<fixed>" + "|".join(re.escape(f) for f in _FIXED) + r")(?: \(did you mean .*\))?"
    r"|[+-]?\d+(?:\.\d+)? is (?P<bound>below the minimum|above the maximum)"
    r" (?P<limit>[+-]?\d+(?:\.\d+)?)"
    rf"|{_QUOTED} is not one of: (?P<allowed>[^()']*?)(?: \(did you mean .*\))?"
)


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The record shape, a problem and its kind; compiled on first use (a command that prints
    no problem, as `score` on a readable file, does not wait for them)."""
    shape = re.compile(
        r"(?P<kind>too (?:few|many) fields: \d+, the header has \d+)(?: \(extra: .*\))?"
    )
    problem = re.compile(
        rf"(?P<label>.+?): (?P<kind>{_KIND_PATTERN}) \(got (?P<value>.*)\)", re.DOTALL
    )
    return shape, problem, re.compile(_KIND_PATTERN, re.DOTALL)


def _kind(match: re.Match[str]) -> str:
    if match.group("fixed"):
        return match.group("fixed")
    if match.group("bound"):
        return f"{match.group('bound')} {match.group('limit')}"
    return f"not one of: {match.group('allowed')}"


def describe_problem(problem: str, show_values: bool = False) -> str:
    """One record's problem for a log stream: the question and the kind of problem, never the
    value (`label: expected yes or no`); with `show_values`, a short prefix of the value too.

    `problem` is as the readers make it: `label: message (got 'value')`, or a record's shape
    (`too many fields: 30, the header has 29 (extra: ...)`)."""
    shape_pattern, problem_pattern, kind_pattern = _patterns()
    shape = shape_pattern.fullmatch(problem)
    if shape is not None:
        return shape.group("kind")
    found = problem_pattern.fullmatch(problem)
    if found is None:
        # Not a shape this knows: say only that something could not be read.
        head = problem.split(": ", 1)[0] if ": " in problem else ""
        return f"{clip(head)}: cannot be read" if head else "a value cannot be read"
    kind = kind_pattern.fullmatch(found.group("kind"))
    assert kind is not None
    text = f"{clip(found.group('label'))}: {_kind(kind)}"
    if show_values:
        text += f" (got {_shown_repr(found.group('value'))})"
    return text


def _shown_repr(text: str) -> str:
    """A value's repr, as `shown` would write it."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return clip(text)
    return shown(value)
