"""Benchmark `screener batch` and `screener diff` against baselines measured in the same run.

Makes its own synthetic export (default 1,000,000 canonical v2 records of the live rule file's
questions, the 8-item list as numbered columns, with a BOM, CRLF line ends, a few ragged
records, blanks and ~0.1% unreadable values), then times each step in its own process, so
that times and peak memory compare:

  (a) Python's csv.reader merely reading the file          (benchmarks/csv_read_baseline.py)
  (b) a hand-written pandas script applying the default policy   (benchmarks/pandas_baseline.py)
  (c) polars reading the file (every column as text)
  (d) `python -m screener batch INPUT -o OUT.csv`, the real command
  (e) `python -m screener diff RULES CHANGED --data INPUT`, one threshold changed
  (f) `screener batch` again on a smaller export, to show its memory does not grow
  (g) `screener score EXAMPLE` and `screener --help`, cold, against `python -c pass`, as
      benchmarks/cold_start.py measures them (bytecode written, best of several runs)

It prints seconds, CPU seconds, peak memory (max RSS of the process) and the ratios, and exits 1
when a target is missed:

  batch <= 1.0x csv.reader (wall), batch <= 0.5x the pandas script, batch peak memory
  <= 150 MB at both sizes, diff <= 1.5x batch, score <= 10x and --help <= 6x python -c pass.

    python -m pip install -e '.[bench]'
    python benchmarks/batch.py                    # 1,000,000 records
    python benchmarks/batch.py --rows 200000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import cold_start
import synthetic_export

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LIVE_RULES = ROOT / "src" / "screener" / "data" / "rules.yaml"
EXAMPLE = ROOT / "examples" / "needs_review.yaml"
# The threshold the diff step changes (the severe blood pressure exclusion).
THRESHOLD = (
    "bp_systolic >= 180 or bp_diastolic >= 100",
    "bp_systolic >= 170 or bp_diastolic >= 100",
)
TARGETS = {
    "batch / csv.reader": 1.0,
    "batch / pandas": 0.5,
    "diff / batch": 1.5,
}
TARGET_MB = 150.0
POLARS_READ = (
    "import sys, polars\n"
    "polars.read_csv(sys.argv[1], infer_schema=False, truncate_ragged_lines=True)"
)


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu: float
    peak_mb: float
    exit_code: int


# Linux carries a process's peak RSS across exec, so a child forked from this (large) process
# would report at least our size. A tiny launcher forks and execs each step and reports the
# step's own wall time, CPU time and peak RSS (the launcher itself is far smaller than any step).
LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss,
      os.waitstatus_to_exitcode(status))
"""


def run_measured(args: list[str], allowed: tuple[int, ...] = (0, 3)) -> Run:
    """Run a step to the end: its wall time, CPU time, own peak resident memory, exit code."""
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *args], capture_output=True, text=True, check=False
    )
    seconds, cpu, peak_kb, code = done.stdout.split()
    if int(code) not in allowed:  # 3: screener batch found invalid records, as planted
        sys.stderr.write(done.stderr)
        raise SystemExit(f"failed ({code}): {' '.join(args)}")
    return Run(float(seconds), float(cpu), int(peak_kb) / 1024, int(code))  # KiB


def best_of(repeat: int, args: list[str], allowed: tuple[int, ...] = (0, 3)) -> Run:
    runs = [run_measured(args, allowed) for _ in range(repeat)]
    return min(runs, key=lambda r: r.seconds)


def screener(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "screener", *map(str, args)]


def make_export(path: Path, rows: int, seed: int, ragged: int) -> float:
    started = time.perf_counter()
    synthetic_export.write_export(path, rows, seed, bom=True, crlf=True, ragged=ragged)
    return time.perf_counter() - started


def changed_rules(work: Path) -> Path:
    text = LIVE_RULES.read_text(encoding="utf-8")
    old, new = THRESHOLD
    if text.count(old) != 1:
        raise SystemExit(f"the live rules no longer hold {old!r}: update THRESHOLD")
    path = work / "rules_changed.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def check_accounted(summary: Path, out: Path, rows: int) -> str:
    """Every input record has an output row, and the summary counts them all."""
    data = json.loads(summary.read_text())
    with out.open("rb") as handle:
        lines = sum(1 for _ in handle) - 1
    counted = sum(data["outcomes"].values())
    if not lines == counted == data["records"] == rows:
        raise SystemExit(f"records lost: input {rows}, output rows {lines}, summary {counted}")
    outcomes = ", ".join(f"{k} {v:,}" for k, v in data["outcomes"].items())
    return f"all {rows:,} records accounted for ({outcomes})"


def table(results: dict[str, tuple[int, Run]]) -> str:
    lines = [f"{'step':<46} {'seconds':>8} {'CPU s':>7} {'records/s':>11} {'peak MB':>8}"]
    for name, (rows, run) in results.items():
        rate = f"{rows / run.seconds:>11,.0f}" if rows else f"{'':>11}"
        lines.append(f"{name:<46} {run.seconds:>8.2f} {run.cpu:>7.2f} {rate} {run.peak_mb:>8.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000, help="records (default 1,000,000)")
    parser.add_argument(
        "--small-rows",
        type=int,
        default=100_000,
        help="records of the second, smaller batch run (default 100,000)",
    )
    parser.add_argument("--ragged", type=int, default=10, help="records with a wrong field count")
    parser.add_argument("--seed", type=int, default=synthetic_export.DEFAULT_SEED)
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs of each step")
    parser.add_argument("--workdir", type=Path, help="keep the export and outputs here")
    args = parser.parse_args(argv)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="screener-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        export = work / "export.csv"
        made = make_export(export, args.rows, args.seed, min(args.ragged, args.rows))
        small = work / "small.csv"
        make_export(small, args.small_rows, args.seed, min(args.ragged, args.small_rows))
        size_mb = export.stat().st_size / 1e6
        print(
            f"export: {args.rows:,} records x {len(synthetic_export.HEADER)} columns,"
            f" {size_mb:.1f} MB (BOM, CRLF, {args.ragged} ragged, blanks, ~0.1% unreadable"
            f" values), made in {made:.1f} s; best of {args.repeat}"
        )
        rules = changed_rules(work)
        summary = work / "summary.json"
        n, repeat = args.rows, args.repeat
        results: dict[str, tuple[int, Run]] = {}
        results["(a) csv.reader, reading only"] = (
            n,
            best_of(repeat, [sys.executable, str(HERE / "csv_read_baseline.py"), str(export)]),
        )
        pandas = [
            sys.executable,
            str(HERE / "pandas_baseline.py"),
            str(export),
            str(work / "p.csv"),
        ]
        results["(b) pandas script (pyarrow strings)"] = (n, best_of(repeat, pandas))
        polars = [sys.executable, "-c", POLARS_READ, str(export)]
        results["(c) polars, reading only"] = (n, best_of(repeat, polars))
        batch_args = screener("batch", export, "-o", work / "scored.csv", "--summary-json", summary)
        results["(d) screener batch"] = (n, best_of(repeat, batch_args))
        accounted = check_accounted(summary, work / "scored.csv", n)
        diff_args = screener("diff", LIVE_RULES, rules, "--data", export)
        results["(e) screener diff, one threshold changed"] = (n, best_of(repeat, diff_args))
        small_args = screener("batch", small, "-o", work / "small_scored.csv")
        results[f"(f) screener batch, {args.small_rows:,} records"] = (
            args.small_rows,
            best_of(repeat, small_args),
        )
        # As benchmarks/cold_start.py measures them: bytecode written, a warm-up run first.
        cold = cold_start.measure(max(repeat, 5), EXAMPLE)
        print(table(results))
        print(accounted)

        def wall(key: str) -> float:
            return next(run.seconds for name, (_, run) in results.items() if name.startswith(key))

        ratios = {
            "batch / csv.reader": wall("(d)") / wall("(a)"),
            "batch / pandas": wall("(d)") / wall("(b)"),
            "diff / batch": wall("(e)") / wall("(d)"),
        }
        met = True
        for name, ratio in ratios.items():
            ok = ratio <= TARGETS[name]
            met &= ok
            print(
                f"{name:<22} {ratio:5.2f}x  (target <= {TARGETS[name]}x) {'ok' if ok else 'MISSED'}"
            )
        cpu = results["(d) screener batch"][1].cpu / results["(a) csv.reader, reading only"][1].cpu
        print(f"{'batch / csv.reader CPU':<22} {cpu:5.2f}x  (CPU seconds, for a busy machine)")
        for step, target in cold_start.TARGETS.items():
            ratio, seconds = cold.ratios[step], cold.seconds[step]
            ok = ratio <= target
            met &= ok
            print(
                f"{'screener ' + step:<22} {ratio:5.1f}x  (target <= {target:.0f}x python -c pass,"
                f" {seconds:.3f} s against {cold.seconds['python -c pass']:.3f} s)"
                f" {'ok' if ok else 'MISSED'}"
            )
        peaks = [
            results["(d) screener batch"][1].peak_mb,
            results[f"(f) screener batch, {args.small_rows:,} records"][1].peak_mb,
        ]
        ok = max(peaks) <= TARGET_MB
        met &= ok
        print(
            f"batch peak memory: {peaks[1]:.1f} MB at {args.small_rows:,}, {peaks[0]:.1f} MB at"
            f" {n:,} (target <= {TARGET_MB:.0f} MB, flat) {'ok' if ok else 'MISSED'}"
        )
        print("targets met" if met else "TARGETS MISSED")
        return 0 if met else 1
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
