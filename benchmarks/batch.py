"""Benchmark `screener batch` against reading the file with csv.reader and a pandas script.

Makes its own synthetic export (default 1,000,000 records of the canonical columns with a BOM,
CRLF line ends, a few ragged records, blanks and ~0.1% unreadable values), then times, each in
its own process so times and peak memory compare:

  (a) Python's csv.reader merely reading the file          (benchmarks/csv_read_baseline.py)
  (b) a hand-written pandas script applying the default policy   (benchmarks/pandas_baseline.py)
  (c) `python -m screener batch INPUT -o OUT.csv`, the real command

and prints seconds, records per second, peak memory (max RSS of the process), the ratios c/a
and c/b, and (c) again on a smaller export to show its memory does not grow with the file.
Targets: c/b <= 0.8, and (c) under 150 MB at 1,000,000 records.

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

import synthetic_export

HERE = Path(__file__).resolve().parent
TARGET_RATIO = 0.8
TARGET_MB = 150.0


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    exit_code: int


# Linux carries a process's peak RSS across exec, so a child forked from this (large) process
# would report at least our size. A tiny launcher forks and execs each step and reports the
# step's own time and peak RSS (the launcher itself is far smaller than any step).
LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run_measured(args: list[str]) -> Run:
    """Run a step to the end: its wall time, its own peak resident memory, its exit code."""
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *args], capture_output=True, text=True, check=False
    )
    seconds, peak_kb, code = done.stdout.split()
    if int(code) not in (0, 3):  # 3: screener batch found invalid records, as planted
        sys.stderr.write(done.stderr)
        raise SystemExit(f"failed ({code}): {' '.join(args)}")
    return Run(float(seconds), int(peak_kb) / 1024, int(code))  # ru_maxrss is in KiB


def best_of(repeat: int, args: list[str]) -> Run:
    runs = [run_measured(args) for _ in range(repeat)]
    return min(runs, key=lambda r: r.seconds)


def csv_reader_command(export: Path) -> list[str]:
    return [sys.executable, str(HERE / "csv_read_baseline.py"), str(export)]


def pandas_command(export: Path, out: Path) -> list[str]:
    return [sys.executable, str(HERE / "pandas_baseline.py"), str(export), str(out)]


def screener_command(export: Path, out: Path, summary: Path) -> list[str]:
    return [
        sys.executable, "-m", "screener", "batch", str(export),
        "--output", str(out), "--summary-json", str(summary),
    ]  # fmt: skip


def make_export(path: Path, rows: int, seed: int, ragged: int) -> float:
    started = time.perf_counter()
    synthetic_export.write_export(path, rows, seed, bom=True, crlf=True, ragged=ragged)
    return time.perf_counter() - started


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
    lines = [
        f"{'step':<44} {'seconds':>8} {'records/s':>11} {'peak MB':>8}",
    ]
    for name, (rows, run) in results.items():
        rate = rows / run.seconds if run.seconds else float("inf")
        lines.append(f"{name:<44} {run.seconds:>8.2f} {rate:>11,.0f} {run.peak_mb:>8.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000, help="records (default 1,000,000)")
    parser.add_argument(
        "--small-rows",
        type=int,
        default=100_000,
        help="records of the second, smaller run of (c) (default 100,000; 0 to skip)",
    )
    parser.add_argument("--ragged", type=int, default=10, help="records with a wrong field count")
    parser.add_argument("--seed", type=int, default=synthetic_export.DEFAULT_SEED)
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs of each step")
    parser.add_argument("--workdir", type=Path, help="keep the export and outputs here")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="screener-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        export = work / "export.csv"
        made = make_export(export, args.rows, args.seed, min(args.ragged, args.rows))
        size_mb = export.stat().st_size / 1e6
        print(
            f"export: {args.rows:,} records, {size_mb:.1f} MB (BOM, CRLF, {args.ragged} ragged,"
            f" blanks, ~0.1% unreadable values), made in {made:.1f} s; best of {args.repeat}"
        )
        summary = work / "summary.json"
        a = best_of(args.repeat, csv_reader_command(export))
        b = best_of(args.repeat, pandas_command(export, work / "pandas.csv"))
        c = best_of(args.repeat, screener_command(export, work / "scored.csv", summary))
        accounted = check_accounted(summary, work / "scored.csv", args.rows)
        results = {
            "(a) csv.reader, reading only": (args.rows, a),
            "(b) pandas script, default policy": (args.rows, b),
            "(c) screener batch": (args.rows, c),
        }
        if args.small_rows:
            small = work / "small.csv"
            make_export(small, args.small_rows, args.seed, min(args.ragged, args.small_rows))
            results[f"(c) screener batch, {args.small_rows:,} records"] = (
                args.small_rows,
                best_of(args.repeat, screener_command(small, work / "small_scored.csv", summary)),
            )
        print(table(results))
        ratio_b = c.seconds / b.seconds
        print(f"c/a = {c.seconds / a.seconds:.2f}   c/b = {ratio_b:.2f} (target <= {TARGET_RATIO})")
        print(f"peak memory of (c): {c.peak_mb:.1f} MB (target < {TARGET_MB:.0f} MB)")
        print(accounted)
        met = ratio_b <= TARGET_RATIO and c.peak_mb < TARGET_MB
        print("targets met" if met else "TARGETS MISSED")
        return 1 if args.check and not met else 0
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
