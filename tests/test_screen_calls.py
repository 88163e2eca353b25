"""Done when: three callers played end to end in a pty at 80x24 take at most 1.4 keys per
answered question on average (tests/interview_calls.py, on the frozen v2 default rules)."""

from __future__ import annotations

from pathlib import Path

import pytest

from screener.rulefile.load import load_ruleset

from .conftest import FIXTURES
from .interview_calls import CALLER_A, CALLER_B, CALLER_C, CALLERS, Played, play

pytestmark = pytest.mark.timeout(240)
V2_RULES = FIXTURES / "rules_default_v2.yaml"
TARGET = 1.4


def play_all(tmp_path: Path) -> dict[str, Played]:
    rules = load_ruleset(V2_RULES)
    env = {"SCREENER_RULES": str(V2_RULES)}
    return {caller.name: play(caller, rules, tmp_path, env) for caller in CALLERS}


def test_three_callers_take_at_most_1_4_keys_per_answered_question(tmp_path: Path) -> None:
    played = play_all(tmp_path)
    a, b, c = (played[caller.name] for caller in (CALLER_A, CALLER_B, CALLER_C))
    for one in (a, b, c):
        assert one.outcome == one.caller.expect_outcome, one.caller.name
    average = sum(one.per_answer for one in (a, b, c)) / 3
    assert average <= TARGET, [(one.keys, one.answers) for one in (a, b, c)]
    pooled = sum(one.keys for one in (a, b, c)) / sum(one.answers for one in (a, b, c))
    assert pooled <= TARGET

    # (a) the reading 128/82 gave both numbers; three treatments, entered item by item.
    assert (a.record["bp_systolic"], a.record["bp_diastolic"]) == (128, 82)
    treatments = a.record["depression_treatments"]
    assert isinstance(treatments, list)
    assert [t["medicine"] for t in treatments] == ["escitalopram", "venlafaxine", "bupropion"]
    # (b) the edits: the condition hides the treatment list (kept, not scored), the PHQ-9
    # total asks its last item; the benzodiazepine dose stays unknown.
    assert b.record["primary_condition"] == "anxiety"
    assert b.record["phq9_total"] == 12
    assert b.record["phq9_item9"] == 1
    assert b.record["benzodiazepine_mg_day"] is None
    assert b.record["current_medications"] == ["benzodiazepine", "lamotrigine"]
    # (c) the disclosure on the safety screen, then the crisis steps, which end the summary.
    assert c.record["suicide_behavior_3mo"] is True
    crisis_first_line = "The person may be at risk of suicide"
    assert crisis_first_line in c.screen
    summary = c.screen[c.screen.rindex("Referral pre-screen") :]
    assert summary.rindex(crisis_first_line) > summary.index("sha256")
