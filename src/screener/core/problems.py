"""Errors a user can cause, named for what failed; `screener.errors` maps them to exit codes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class AnswerProblem:
    """One answer that cannot be read: which question, the raw value, and why."""

    question: str
    value: object
    message: str

    def __str__(self) -> str:
        return f"{self.question}: {self.message} (got {self.value!r})"


class AnswersError(ScreenerError):
    """An answers file (or record) has values that cannot be read."""

    def __init__(self, source: str, problems: list[AnswerProblem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{self.source}: {p}" for p in self.problems]


class InputFileError(ScreenerError):
    """A file that cannot be read at all (missing, not YAML/JSON, wrong encoding)."""


class OutputFileError(ScreenerError):
    """A file the user asked for cannot be written (no such folder, no permission, disk full)."""


class UsageError(ScreenerError):
    """A bad combination of options or arguments."""


class RuleTestsFailed(ScreenerError):
    """Some rule cases or invariants failed, or coverage is below the threshold."""


class ForbiddenChange(ScreenerError):
    """`diff --fail-on` found records whose outcome moved the forbidden way."""
