from __future__ import annotations

from pathlib import Path

import pytest

from screener.ruleset import RuleSet, load_ruleset

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
    **dict.fromkeys(
        [
            "ketamine_allergy",
            "aneurysm_or_avm",
            "brain_bleed",
            "stroke_or_tia",
            "heart_condition",
            "hypertension",
            "head_injury_or_icp",
            "seizures",
            "liver_disease",
            "thyroid_untreated",
            "bladder_problems",
            "pregnant",
            "breastfeeding",
            "psychosis_history",
            "psychosis_current",
            "mania_current",
            "substance_use_recent",
            "self_harm_thoughts",
        ],
        "no",
    ),
}


@pytest.fixture
def clear_answers() -> dict[str, object]:
    """A copy of CLEAR_ANSWERS, for a test to change."""
    return dict(CLEAR_ANSWERS)
