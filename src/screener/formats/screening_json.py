"""The JSON shape of a screening (`screener score --format json`, saved records, batch),
built as plain data: keys in the order docs/formats.md gives them."""

from __future__ import annotations

from typing import Literal

from screener.core.coercion import answers_to_json
from screener.core.model import RuleSet
from screener.core.screening import Screening
from screener.formats.derived_text import derived_words
from screener.formats.json_text import json_document
from screener.formats.occasion import Occasion

SCHEMA: Literal["screener.screening/1"] = "screener.screening/1"


def ruleset_dict(ruleset: RuleSet) -> dict[str, object]:
    """Which rules: their name, version and the sha256 of the file's bytes."""
    return {"name": ruleset.name, "version": ruleset.version, "sha256": ruleset.sha256}


def screening_dict(
    ruleset: RuleSet, screening: Screening, occasion: Occasion | None = None
) -> dict[str, object]:
    occasion = occasion or Occasion()
    questions = ruleset.question_map
    by_rule = {r.rule: r for r in screening.results}
    return {
        "schema": SCHEMA,
        "intake_id": occasion.intake_id,
        # when scored, or when a saved record was made (ISO 8601)
        "screened_at": occasion.at.isoformat(timespec="seconds") if occasion.at else None,
        "screened_by": occasion.by,
        "outcome": screening.outcome.value,
        "outcome_label": screening.outcome.label,
        # same_day or routine: the most urgent review priority that applies
        "priority": screening.priority.value if screening.priority else None,
        "ruleset": {
            "name": screening.ruleset.name,
            "version": screening.ruleset.version,
            "sha256": screening.ruleset.sha256,
        },
        "deciding": list(screening.deciding),
        "reasons": [by_rule[rule].reason for rule in screening.deciding],
        "flags": [{"rule": f.rule, "label": f.label, "reason": f.reason} for f in screening.flags],
        "missing": list(screening.missing),
        "missing_questions": [
            {"question": q, "text": questions[q].text} for q in screening.missing
        ],
        "unanswered": list(screening.unanswered),
        "hidden": list(screening.hidden),
        "ignored_answers": list(screening.ignored),
        "crisis_text": ruleset.crisis_text if screening.outcome.value == "urgent" else None,
        # next steps of the rules that fired, in rule order
        "rule_next_steps": [{"rule": r, "step": s} for r, s in screening.rule_next_steps],
        "next_steps": list(ruleset.next_steps[screening.outcome.value]),
        "derived": [
            {
                "id": d.id,
                "label": d.label,
                "value": _number(screening.derived.get(d.id)),
                "unit": d.unit,
                # in words, with its inputs: "lorazepam 2 mg/day = about 20 mg/day diazepam"
                "text": derived_words(ruleset, d, screening),
            }
            for d in ruleset.derived
        ],
        "disclaimer": ruleset.disclaimer,
        "results": [
            {
                "rule": r.rule,
                "label": r.label,
                "action": r.action.value,
                "value": r.value,
                "fired": r.fired,
                "reason": r.reason,
                "source": r.source,
            }
            for r in screening.results
        ],
        "answers": answers_to_json(ruleset.questions, screening.answers),
    }


def _number(value: float | None) -> float | None:
    """A derived value is a number with a fraction in JSON (20.0), as it always was."""
    return None if value is None else float(value)


def screening_to_json(
    ruleset: RuleSet, screening: Screening, occasion: Occasion | None = None
) -> str:
    return json_document(screening_dict(ruleset, screening, occasion))
