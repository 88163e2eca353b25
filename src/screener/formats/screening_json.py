"""The JSON shape of a screening (`screener score --format json`, saved records, batch)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from screener.core.coercion import answers_to_json
from screener.core.model import RuleSet
from screener.core.screening import Screening
from screener.formats.derived_text import derived_words
from screener.formats.occasion import Occasion

SCHEMA: Literal["screener.screening/1"] = "screener.screening/1"


class RulesetOut(BaseModel):
    name: str
    version: str
    sha256: str


class ResultOut(BaseModel):
    rule: str
    label: str
    action: str
    value: bool | None
    fired: bool
    reason: str
    source: str


class FlagOut(BaseModel):
    rule: str
    label: str
    reason: str


class MissingOut(BaseModel):
    question: str
    text: str


class DerivedOut(BaseModel):
    id: str
    label: str
    value: float | None
    unit: str | None
    text: str  # in words, with its inputs: "lorazepam 2 mg/day = about 20 mg/day diazepam"


class RuleStepOut(BaseModel):
    rule: str
    step: str


class ScreeningOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    schema_: Literal["screener.screening/1"] = Field(alias="schema")
    intake_id: str | None
    screened_at: str | None  # when scored, or when a saved record was made (ISO 8601)
    screened_by: str | None
    outcome: str
    outcome_label: str
    priority: str | None  # same_day or routine: the most urgent review priority that applies
    ruleset: RulesetOut
    deciding: list[str]
    reasons: list[str]
    flags: list[FlagOut]
    missing: list[str]
    missing_questions: list[MissingOut]
    unanswered: list[str]
    hidden: list[str]
    ignored_answers: list[str]
    crisis_text: str | None
    rule_next_steps: list[RuleStepOut]  # next steps of the rules that fired, in rule order
    next_steps: list[str]
    derived: list[DerivedOut]
    disclaimer: str
    results: list[ResultOut]
    answers: dict[str, object]


def screening_to_model(
    ruleset: RuleSet, screening: Screening, occasion: Occasion | None = None
) -> ScreeningOut:
    occasion = occasion or Occasion()
    questions = ruleset.question_map
    by_rule = {r.rule: r for r in screening.results}
    return ScreeningOut(
        schema=SCHEMA,
        intake_id=occasion.intake_id,
        screened_at=occasion.at.isoformat(timespec="seconds") if occasion.at else None,
        screened_by=occasion.by,
        outcome=screening.outcome.value,
        outcome_label=screening.outcome.label,
        priority=screening.priority.value if screening.priority else None,
        ruleset=RulesetOut(
            name=screening.ruleset.name,
            version=screening.ruleset.version,
            sha256=screening.ruleset.sha256,
        ),
        deciding=list(screening.deciding),
        reasons=[by_rule[rule].reason for rule in screening.deciding],
        flags=[FlagOut(rule=f.rule, label=f.label, reason=f.reason) for f in screening.flags],
        missing=list(screening.missing),
        missing_questions=[
            MissingOut(question=q, text=questions[q].text) for q in screening.missing
        ],
        unanswered=list(screening.unanswered),
        hidden=list(screening.hidden),
        ignored_answers=list(screening.ignored),
        crisis_text=ruleset.crisis_text if screening.outcome.value == "urgent" else None,
        rule_next_steps=[RuleStepOut(rule=r, step=s) for r, s in screening.rule_next_steps],
        next_steps=list(ruleset.next_steps[screening.outcome.value]),
        derived=[
            DerivedOut(
                id=d.id,
                label=d.label,
                value=screening.derived.get(d.id),
                unit=d.unit,
                text=derived_words(ruleset, d, screening),
            )
            for d in ruleset.derived
        ],
        disclaimer=ruleset.disclaimer,
        results=[
            ResultOut(
                rule=r.rule,
                label=r.label,
                action=r.action.value,
                value=r.value,
                fired=r.fired,
                reason=r.reason,
                source=r.source,
            )
            for r in screening.results
        ],
        answers=answers_to_json(ruleset.questions, screening.answers),
    )


def screening_to_json(
    ruleset: RuleSet, screening: Screening, occasion: Occasion | None = None
) -> str:
    model = screening_to_model(ruleset, screening, occasion)
    return model.model_dump_json(indent=2, by_alias=True) + "\n"
