"""The cases file for `screener test`: named cases with expectations, and invariants.

base:                      # answers every case starts from (optional)
  age: 40
  ...
cases:
  - name: thoughts of self-harm are urgent
    answers: {self_harm_thoughts: yes}   # merged over `base`
    expect:
      outcome: urgent                    # optional
      holds: [self_harm]                 # rules whose condition is true
      not_holds: [under_18]              # rules whose condition is false
      unknown: []                        # rules that cannot be decided
      flags: [phq9_severe]               # flag rules that must fire (others may too)
      missing: [bp_systolic]             # questions named as settling the outcome
      priority: same_day                 # the review priority: same_day, routine or none
      next_steps: [bp_crisis]            # rules whose own next step must show (others may)
invariants:
  - name: diagnosed hypertension is never likely eligible
    given: hypertension                  # a condition in the rule language
    outcome_not_in: [likely_eligible]    # or outcome_in: [...]
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from screener.core.limits import MAX_CASES_BYTES
from screener.core.model import Priority
from screener.core.problems import RuleFileError
from screener.core.screening import Outcome
from screener.files.read import read_text
from screener.files.yaml_source import SourceDocument, as_mapping, cut_by_comment, parse_yaml_text
from screener.rulefile.schema_errors import schema_problems

Name = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class CaseStrict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expectation(CaseStrict):
    outcome: Outcome | None = None
    holds: list[str] = Field(default_factory=list)
    not_holds: list[str] = Field(default_factory=list)
    unknown: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    missing: list[str] | None = None
    priority: Priority | Literal["none"] | None = None
    next_steps: list[str] = Field(default_factory=list)


class Case(CaseStrict):
    name: Name
    answers: dict[str, object] = Field(default_factory=dict)
    expect: Expectation


class Invariant(CaseStrict):
    name: Name
    given: Name
    outcome_in: list[Outcome] | None = None
    outcome_not_in: list[Outcome] | None = None

    @model_validator(mode="after")
    def _one_expectation(self) -> Invariant:
        if (self.outcome_in is None) == (self.outcome_not_in is None):
            raise ValueError("give exactly one of 'outcome_in' or 'outcome_not_in'")
        return self


class CasesFile(CaseStrict):
    base: dict[str, object] = Field(default_factory=dict)
    cases: list[Case] = Field(default_factory=list)
    invariants: list[Invariant] = Field(default_factory=list)

    def answers_for(self, case: Case) -> dict[str, object]:
        """The case's raw answers: `base` with the case's own answers on top."""
        return {**self.base, **case.answers}


def parse_cases(doc: SourceDocument) -> CasesFile:
    data = as_mapping(doc, "a cases file")
    if not {"base", "cases", "invariants"} & set(data):
        # One line, not an "unknown key" for each key of what it is instead.
        rule_file = "questions" in data and "rules" in data
        what = (
            "this is a rule file, not a cases file: give rule files as the rules (--rules, or"
            " diff's OLD and NEW)"
            if rule_file
            else "not a cases file (it has none of `base:`, `cases:` and `invariants:`); an"
            " answers file for one person is scored with `screener score`"
        )
        raise RuleFileError(
            [doc.problem((), "", f"{what}; a cases file is described in docs/testing-rules.md")]
        )
    try:
        cases = CasesFile.model_validate(data)
    except ValidationError as exc:
        raise RuleFileError(schema_problems(doc, exc, CasesFile)) from None
    cuts = [
        cut_by_comment(doc, ("invariants", index, "given"), f"invariants[{index}].given")
        for index in range(len(cases.invariants))
    ]
    problems = [p for p in cuts if p is not None]
    if problems:
        raise RuleFileError(problems)
    return cases


def load_cases(path: Path) -> tuple[CasesFile, SourceDocument]:
    """The cases file and its source document (for located errors about names and ids)."""
    _, text = read_text(path, limit=MAX_CASES_BYTES, what="a cases file")
    doc = parse_yaml_text(text, str(path))
    return parse_cases(doc), doc
