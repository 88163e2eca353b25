"""Three callers played end to end through the installed `screener screen` in a pty at 80x24,
counting the keys the coordinator presses and the answers recorded.

A caller is a script keyed by question id: the keys typed when that question is on screen,
the keys at a list's "add another?" prompts, detours taken at a question before answering it
(the safety key), and the review's edits. The player reacts to what the screen shows, so a
question asked out of the expected order fails loudly instead of being answered blindly.

Keys are counted as a person presses them: each character is one key, an escape sequence
(an arrow, F2) one key, the Enter after a number one key. Answers are the answer lines the
interview prints ("  → ..."), one per value recorded, edits and safety answers included.
Used by tests/test_screen_calls.py (frozen v2 rules) and benchmarks/interview.py (live rules).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pexpect

from screener.core.model import RuleSet

ENTER = "\r"
ANSWER_LINE = "  → "
KEY_SEQUENCE = re.compile(r"\x1b(?:\[[0-9;]*[A-Za-z~]|O[A-Z])|.", re.DOTALL)


def key_count(keys: str) -> int:
    return len(KEY_SEQUENCE.findall(keys))


@dataclass(frozen=True)
class Detour:
    """Keys sent one after another at a question, each waiting for a text first."""

    steps: Sequence[tuple[str, str]]  # (keys, text to wait for after sending them)


@dataclass(frozen=True)
class Caller:
    name: str
    answers: Mapping[str, str]  # question id -> keys (the first time it is asked)
    more: Mapping[str, Sequence[str]] = field(default_factory=dict)  # list id -> keys in turn
    detours: Mapping[str, Detour] = field(default_factory=dict)  # at a question, before it
    review: Sequence[str] = ()  # keys for each edit on the review page (row and answer)
    expect_outcome: str = ""


def _no(*ids: str) -> dict[str, str]:
    return dict.fromkeys(ids, "n")


HEALTH_NO = (
    "ketamine_allergy",
    "ketamine_misuse",
    "aneurysm_or_avm",
    "brain_bleed",
    "stroke_or_tia",
    "heart_attack_recent",
    "heart_condition",
    "head_injury_or_icp",
    "seizures",
    "glaucoma",
    "sleep_apnea",
    "liver_disease",
    "thyroid_untreated",
    "bladder_problems",
    "pregnant",
    "pregnancy_planning",
    "breastfeeding",
    "psychotic_disorder",
    "psychosis_history",
    "psychosis_family",
    "psychosis_current",
    "mania_current",
    "cognitive_impairment",
    "substance_problem_recent",
)
SAFETY_NO = ("wish_dead_month", "suicidal_thoughts_month", "suicide_behavior_3mo")


def _trials(*medicines: tuple[str, str]) -> dict[str, str]:
    """Adequate failed trials: (medicine keys, weeks keys), full dose, hardly helped, not
    stopped for side effects."""
    out: dict[str, str] = {}
    for number, (medicine, weeks) in enumerate(medicines, start=1):
        cell = f"depression_treatments_{number}_"
        out |= {
            cell + "medicine": medicine,
            cell + "weeks": weeks + ENTER,
            cell + "full_dose": "y",
            cell + "improvement": "1",
            cell + "stopped_side_effects": "n",
        }
    return out


# Escitalopram (3), venlafaxine (6), bupropion (9) of the 26 medicines: one key each.
THREE_TRIALS = _trials(("3", "12"), ("6", "10"), ("9", "8"))

CALLER_A = Caller(
    "a: 45, depression, three adequate failed trials, BP 128/82, no medicines",
    answers={
        "caller": "1",
        "age": "45" + ENTER,
        "primary_condition": "1",
        **_no(*SAFETY_NO, *HEALTH_NO),
        **THREE_TRIALS,
        "prior_ketamine": "1",
        "hypertension": "n",
        "bp_systolic": "128/82" + ENTER,  # the bottom number is recorded from the reading
        "bp_reading_age": "1",
        "alcohol_drinks_week": "2" + ENTER,
        "current_medications": "0",
        "other_medications": ENTER + ENTER,
        "phq9_total": "18" + ENTER,
        "phq9_item9": "0",
        "weight_kg": "80" + ENTER,
        "has_ride_home": "y",
        "can_attend_series": "y",
    },
    more={"depression_treatments": ["y", "y", "y", "n"]},
    expect_outcome="likely_eligible",
)

CALLER_B = Caller(
    "b: 70, hypertension, BP 152/92, benzodiazepine of unknown dose and lamotrigine, a few"
    " don't knows, one edit that reveals a question and one that hides one",
    answers={
        "caller": "2",
        "age": "70" + ENTER,
        "primary_condition": "1",
        **_no(*SAFETY_NO, *HEALTH_NO),
        "glaucoma": "d",
        "sleep_apnea": "d",
        "prior_ketamine": "1",
        "hypertension": "y",
        "bp_systolic": "152/92" + ENTER,
        "bp_reading_age": "2",
        "alcohol_drinks_week": "0" + ENTER,
        "current_medications": "36" + ENTER,  # benzodiazepine, lamotrigine
        "benzodiazepine_name": "2",
        "benzodiazepine_mg_day": "d",
        "other_medications": ENTER + ENTER,
        "phq9_total": "d",
        "weight_kg": "d",
        "has_ride_home": "y",
        "can_attend_series": "y",
        "phq9_item9": "1",  # asked once the edit below gives a PHQ-9 total
    },
    more={"depression_treatments": ["d"]},  # how many medicines: not known
    review=[
        "3" + ENTER + "5",  # row 3, the condition: anxiety (the treatment list is now hidden)
        "42" + ENTER + "12" + ENTER,  # row 42, the PHQ-9 total: 12 (its last item is now asked)
    ],
    expect_outcome="needs_review",
)

CALLER_C = Caller(
    "c: a suicide attempt last month, told while the treatment list is taken",
    answers={
        "caller": "1",
        "age": "38" + ENTER,
        "primary_condition": "1",
        **_no(*SAFETY_NO, *HEALTH_NO),
        **THREE_TRIALS,
        "prior_ketamine": "1",
        "hypertension": "n",
        "bp_systolic": "118/76" + ENTER,
        "bp_reading_age": "1",
        "alcohol_drinks_week": "0" + ENTER,
        "current_medications": "0",
        "other_medications": ENTER + ENTER,
        "phq9_total": "22" + ENTER,
        "phq9_item9": "2",
        "weight_kg": "70" + ENTER,
        "has_ride_home": "y",
        "can_attend_series": "y",
    },
    more={"depression_treatments": ["y", "y", "y", "n"]},
    detours={
        # At treatment 2's weeks: the safety key, row 2 (behaviour in the last 3 months): yes,
        # the crisis steps at once, then back to the call, at the same question.
        "depression_treatments_2_weeks": Detour(
            [
                ("!", ": change that answer"),
                ("2", "In the past three months"),
                ("y", "URGENT: SAFETY"),
                ("", "Enter: back to the call"),
                (ENTER, "Back to the call."),
            ]
        )
    },
    expect_outcome="urgent",
)

CALLERS = (CALLER_A, CALLER_B, CALLER_C)


@dataclass(frozen=True)
class Played:
    caller: Caller
    keys: int
    answers: int
    outcome: str
    record: Mapping[str, object]  # the saved record's answers
    screen: str  # everything the terminal received

    @property
    def per_answer(self) -> float:
        return self.keys / self.answers


def installed_screener() -> str:
    """The console script installed next to this Python (pip install -e . / pip install .)."""
    beside = Path(sys.executable).parent / "screener"
    found = str(beside) if beside.exists() else shutil.which("screener")
    assert found, "the screener command is not installed: python -m pip install -e '.[test]'"
    return found


def spawn_screen(
    args: list[str], cwd: Path, env: Mapping[str, str] | None = None
) -> pexpect.spawn[str]:
    merged = dict(os.environ, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm", COLUMNS="80", LINES="24")
    merged.update(env or {})
    return pexpect.spawn(
        installed_screener(),
        ["screen", *args],
        cwd=str(cwd),
        env=merged,
        dimensions=(24, 80),
        timeout=20,
        encoding="utf-8",
    )


def _first_line(text: str) -> str:
    return text[:40]


class Player:
    """Answers whatever question is on screen from a caller's script, counting keys."""

    def __init__(self, child: pexpect.spawn[str], caller: Caller, rules: RuleSet) -> None:
        self.child = child
        self.caller = caller
        self.rules = rules
        self.keys = 0
        self.more = {name: list(steps) for name, steps in caller.more.items()}
        self.review = list(caller.review)
        self.detours = dict(caller.detours)
        self.answered: set[str] = set()
        self.prompts: list[tuple[str, str]] = []  # (kind, id) of each pattern
        self.patterns: list[Any] = []  # str patterns; pexpect types its list invariantly
        for question in rules.slots:
            kind = "more" if question.is_list else "ask"
            self.watch(kind, question.id, _first_line(question.text))
            if question.is_list:  # before each further item
                more = question.more_text
                self.watch(
                    "more", question.id, _first_line(more) if more else f"{question.short}: add "
                )
        self.watch("review", "", "Review the answers before scoring")

    def watch(self, kind: str, name: str, text: str) -> None:
        self.patterns.append(re.escape(text))
        self.prompts.append((kind, name))

    def send(self, text: str) -> None:
        self.keys += key_count(text)
        self.child.send(text)

    def run(self, until: str | None = None) -> None:
        """Answer questions until the end of the call, or until question `until` is on
        screen (not answered)."""
        child = self.child
        while True:
            kind, name = self.prompts[child.expect(self.patterns)]
            if kind == "more":
                step = self.more[name].pop(0)
                self.send(step)
                if step != "y":  # no more items: the number of items is recorded
                    child.expect_exact(ANSWER_LINE)
                continue
            if kind == "review":
                child.expect_exact(": change that answer")  # the whole page is drawn
                if not self.review:
                    self.send("s")
                    child.expect_exact("Record saved to")
                    return
                self.send(self.review.pop(0))
                child.expect_exact(ANSWER_LINE)  # the edited answer
                continue
            if name == until:
                return
            self.answer(name)

    def answer(self, name: str) -> None:
        child = self.child
        if name in self.answered:
            raise AssertionError(f"{self.caller.name}: {name} asked again unexpectedly")
        if name in self.detours:
            for step_keys, wait_for in self.detours.pop(name).steps:
                self.send(step_keys)
                child.expect_exact(wait_for)
            child.expect_exact(_first_line(self.rules.question_map[name].text))
        if name not in self.caller.answers:
            raise AssertionError(f"{self.caller.name}: no answer scripted for {name}")
        keys = self.caller.answers[name]
        self.send(keys)
        self.answered.add(name)
        child.expect_exact(ANSWER_LINE)
        if "/" in keys:  # a reading: the next question's answer too
            slots = self.rules.slots
            self.answered.add(slots[slots.index(self.rules.question_map[name]) + 1].id)
            child.expect_exact(ANSWER_LINE)


def play(
    caller: Caller, rules: RuleSet, workdir: Path, env: Mapping[str, str] | None = None
) -> Played:
    """Play one caller to the end; the keys pressed, answers recorded and the outcome."""
    record = workdir / f"record-{caller.name[0]}.json"
    child = spawn_screen(
        ["--save", str(record), "--intake-id", f"CALL-{caller.name[0]}"], workdir, env
    )
    seen = io.StringIO()
    child.logfile_read = seen
    player = Player(child, caller, rules)
    try:
        player.run()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    saved = json.loads(record.read_text())
    screen = seen.getvalue()
    return Played(
        caller,
        player.keys,
        screen.count(ANSWER_LINE),
        saved["screening"]["outcome"],
        saved["answers"],
        screen,
    )
