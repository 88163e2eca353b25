"""Errors a user can cause. The CLI maps each kind to one message and one exit code."""

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
    """Base class: bad input that ends the command with exit code 1."""

    exit_code = 1

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


class UsageError(ScreenerError):
    """A bad combination of options or arguments."""

    exit_code = 2
