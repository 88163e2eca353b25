from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from screener.core.model import QuestionType, RuleSet
from screener.rulefile.load import RULES_VARIABLE, load_ruleset

# No per-example deadline: a busy 2-core CI machine must not turn a slow example into a
# failure. In CI (CI=true) the examples are derandomized, so a run is repeatable.
settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")

ROOT = Path(__file__).resolve().parent.parent
# The code's tests run on a frozen copy of the rules and of the example answers, so a clinic
# editing rules.yaml breaks only its own rule cases (tests/cases), never these tests. Every
# command a test runs, in this process or a child, reads the rules from $SCREENER_RULES.
FIXTURES = ROOT / "tests" / "fixtures"
FROZEN_RULES = FIXTURES / "rules.yaml"
EXAMPLES = FIXTURES / "answers"
LIVE_RULES = ROOT / "rules.yaml"
os.environ[RULES_VARIABLE] = str(FROZEN_RULES)
# The rule-file cache of every command a test runs is this run's own, never the user's.
_CACHE_HOME = tempfile.mkdtemp(prefix="screener-test-cache-")
atexit.register(shutil.rmtree, _CACHE_HOME, True)
os.environ["XDG_CACHE_HOME"] = _CACHE_HOME
os.environ.pop("SCREENER_CACHE", None)


@pytest.fixture(scope="session")
def default_rules() -> RuleSet:
    """The frozen copy of the default rules (tests/fixtures/rules.yaml)."""
    return load_ruleset(FROZEN_RULES)


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
        for q in load_ruleset(FROZEN_RULES).questions
        if q.type is QuestionType.YES_NO and q.id != "has_ride_home"
    },
}


@pytest.fixture
def clear_answers() -> dict[str, object]:
    """A copy of CLEAR_ANSWERS, for a test to change."""
    return dict(CLEAR_ANSWERS)
