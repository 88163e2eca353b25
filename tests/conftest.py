from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from screener.core.model import QuestionType, RuleSet
from screener.rulefile.load import load_ruleset

# No per-example deadline: a busy 2-core CI machine must not turn a slow example into a
# failure. In CI (CI=true) the examples are derandomized, so a run is repeatable.
settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def default_rules() -> RuleSet:
    return load_ruleset()


# Answers that raise nothing: the default rules give likely_eligible for them. As an export's
# cells (text); blank is unknown.
CLEAR_ANSWERS: dict[str, str] = {
    "age": "42",
    "primary_condition": "depression",
    "failed_antidepressants": "3",
    "prior_ketamine": "no",
    "bp_systolic": "124",
    "bp_diastolic": "78",
    "current_medications": "none",
    "benzodiazepine_dose_mg": "",
    "phq9_total": "17",
    "has_ride_home": "yes",
    # Every other yes/no question of the bundled rules: "no" raises nothing.
    **{
        q.id: "no"
        for q in load_ruleset().questions
        if q.type is QuestionType.YES_NO and q.id != "has_ride_home"
    },
}


@pytest.fixture
def clear_answers() -> dict[str, object]:
    """A copy of CLEAR_ANSWERS, for a test to change."""
    return dict(CLEAR_ANSWERS)
