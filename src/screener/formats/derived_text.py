"""A derived value in words, with the answers it was computed from."""

from __future__ import annotations

from screener.core.model import Derived, RuleSet, format_value
from screener.core.reasons import format_derived
from screener.core.screening import Screening


def derived_words(ruleset: RuleSet, derived: Derived, screening: Screening) -> str:
    """ "Benzodiazepine dose as diazepam: about 20 mg/day (from: Lorazepam; 2 mg/day)"."""
    value = screening.derived.get(derived.id)
    inputs = "; ".join(
        format_value(ruleset.question_map[q], screening.answers.get(q)) for q in derived.reads
    )
    return f"{derived.label}: {format_derived(derived, value)} (from: {inputs})"
