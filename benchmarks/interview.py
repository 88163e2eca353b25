"""Benchmark the interview (`screener screen`) as a coordinator meets it, in a pty at 80x24.

1. Start-up: the time from spawning `screener screen` to the first question's text on the
   screen, against `python -c "import questionary"` (the prompt library the interview used to
   load) and `python -c pass`, each spawned the same way in the same run. Target: the first
   question within 0.5 s.
2. Keys: three callers played end to end on the live bundled rules (tests/interview_calls.py):
   keys pressed per answered question. Target: at most 1.4 on average.

    python -m pip install -e '.[test,bench]'
    python benchmarks/interview.py               # 7 start-ups of each, then the three calls
    python benchmarks/interview.py --repeat 15
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.interview_calls import CALLERS, installed_screener, play, spawn_screen  # noqa: E402

from screener.rulefile.load import RULES_VARIABLE, load_ruleset  # noqa: E402

TARGET_SECONDS = 0.5
TARGET_KEYS = 1.4


def first_question_seconds(workdir: Path, text: str) -> float:
    start = time.monotonic()
    child = spawn_screen([], workdir)
    try:
        child.expect_exact(text)
        return time.monotonic() - start
    finally:
        child.close(force=True)


def python_seconds(code: str) -> float | None:
    """Spawn of `python -c CODE` to its printed "ready", in a pty of the same size, measured
    as the first question is (None: it failed)."""
    start = time.monotonic()
    child = pexpect.spawn(
        sys.executable, ["-c", code + "; print('ready')"], dimensions=(24, 80), encoding="utf-8"
    )
    try:
        found = child.expect_exact(["ready", pexpect.EOF], timeout=30)
        return time.monotonic() - start if found == 0 else None
    finally:
        child.close(force=True)


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if len(known) == len(values) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="start-ups of each (median)")
    args = parser.parse_args()
    os.environ.pop(RULES_VARIABLE, None)  # the live bundled rules
    rules = load_ruleset()
    first = rules.slots[0].text[:30]
    print(f"screener: {installed_screener()}; rules: {rules.name} {rules.version}")
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        screen, questionary, bare = [], [], []
        for _ in range(args.repeat):  # interleaved, so a busy moment hits all three alike
            screen.append(first_question_seconds(workdir, first))
            questionary.append(python_seconds("import questionary"))
            bare.append(python_seconds("pass"))
        shown = _median(list(screen))
        assert shown is not None
        print(f"\nStart-up, median of {args.repeat} (spawn in a pty at 80x24 to ...)")
        print(f"  screener screen, to the first question   {shown:6.3f} s")
        for name, values in (
            ('python -c "import questionary"', questionary),
            ("python -c pass", bare),
        ):
            median = _median(values)
            if median is None:
                print(f"  {name:<40} failed (not installed?)")
            else:
                print(f"  {name:<40} {median:6.3f} s   screen / this = {shown / median:.2f}")
        print(
            f"  target: first question within {TARGET_SECONDS} s:"
            f" {'met' if shown <= TARGET_SECONDS else 'NOT met'}"
        )

        print("\nKeys per answered question, three callers end to end (live rules)")
        ratios, keys, answers = [], 0, 0
        for caller in CALLERS:
            played = play(caller, rules, workdir)
            ratios.append(played.per_answer)
            keys, answers = keys + played.keys, answers + played.answers
            print(
                f"  {caller.name[:60]:<60}\n     {played.keys:3d} keys / {played.answers:3d}"
                f" answers = {played.per_answer:.3f}   outcome {played.outcome}"
                f" (expected {caller.expect_outcome})"
            )
        average = sum(ratios) / len(ratios)
        print(f"  all three together: {keys} keys / {answers} answers = {keys / answers:.3f}")
        print(
            f"  average {average:.3f} keys per answer; target at most {TARGET_KEYS}:"
            f" {'met' if average <= TARGET_KEYS else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
