"""Cold start: `screener score`, `screener validate` and `screener --help` against
`python -c pass`, each a fresh process, timed in the same run.

Each step runs once untimed (which writes the rule-file cache entry, in a fresh cache folder,
and Python's bytecode files, as an installed package has them), then `--repeat` times,
interleaved so that a busy machine slows all of them alike; the best wall time counts.
`score, no cache` runs with `SCREENER_CACHE=off`: what a first run, or an edited rule file,
costs. The command is the `screener` script beside this Python, else `python -m screener`.
Targets: score <= 10x and --help <= 6x the time of `python -c pass`.

Two floors show what the command-line library itself costs, whatever screener does:
`import click`, and a click group of two commands, one with one argument, that does nothing.

    python benchmarks/cold_start.py     # the bundled rules and examples/likely_eligible.yaml
    python benchmarks/cold_start.py --repeat 20 --check

`measure(repeat)` returns the numbers, for other runners to import.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ANSWERS = HERE.parent / "examples" / "likely_eligible.yaml"
TARGETS = {"score": 10.0, "--help": 6.0}


@dataclass(frozen=True)
class ColdStart:
    """Best wall seconds of each step, and each screener step's ratio to `python -c pass`."""

    seconds: Mapping[str, float]

    @property
    def ratios(self) -> dict[str, float]:
        base = self.seconds["python -c pass"]
        return {name: s / base for name, s in self.seconds.items() if name != "python -c pass"}

    def missed(self) -> list[str]:
        return [name for name, target in TARGETS.items() if self.ratios[name] > target]


EMPTY_CLICK_APP = """
import click
@click.group()
def app() -> None:
    pass
@app.command()
@click.argument("answers")
def score(answers: str) -> None:
    pass
@app.command()
def other() -> None:
    pass
app()
"""


def _steps(answers: Path) -> dict[str, list[str]]:
    script = Path(sys.executable).with_name("screener")
    screener = [str(script)] if script.exists() else [sys.executable, "-m", "screener"]
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "score": [*screener, "score", str(answers)],
        "validate": [*screener, "validate"],
        "--help": [*screener, "--help"],
        "score, no cache": [*screener, "score", str(answers)],
        "floor: import click": [sys.executable, "-c", "import click"],
        "floor: click app": [sys.executable, "-c", EMPTY_CLICK_APP, "score", str(answers)],
    }


def _timed(args: list[str], env: Mapping[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - started


def measure(repeat: int = 10, answers: Path = ANSWERS) -> ColdStart:
    """Time every step `repeat` times in a fresh cache folder; the best time of each counts."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache}
        for name in ("SCREENER_CACHE", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        uncached = {**env, "SCREENER_CACHE": "off"}
        steps = {
            name: (args, uncached if name.endswith("no cache") else env)
            for name, args in _steps(answers).items()
        }
        best = {name: float("inf") for name in steps}
        for round_ in range(repeat + 1):
            for name, (args, step_env) in steps.items():
                seconds = _timed(args, step_env)
                if round_:  # the first round only warms up
                    best[name] = min(best[name], seconds)
    return ColdStart(best)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--answers", type=Path, default=ANSWERS)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    options = parser.parse_args(argv)
    result = measure(options.repeat, options.answers)
    print(f"{'step':<22} {'seconds':>8} {'x python -c pass':>17} {'target':>7}")
    for name, seconds in result.seconds.items():
        ratio = result.ratios.get(name)
        target = f"<= {TARGETS[name]:g}" if name in TARGETS else ""
        shown = f"{ratio:.1f}" if ratio is not None else ""
        print(f"{name:<22} {seconds:>8.3f} {shown:>17} {target:>7}")
    missed = result.missed()
    if missed:
        print(f"missed: {', '.join(missed)}")
    return 1 if options.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
