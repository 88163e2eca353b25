"""Floor for batch scoring: read a CSV export with ``csv.reader`` and do nothing else.

Opens the file the way ``screener batch`` should (``newline=""`` so quoted line breaks and CRLF
are handled by the csv module, ``encoding="utf-8-sig"`` so a byte order mark is dropped) and
counts records. ``reader.line_num`` counts physical lines, so records are counted here.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path


def read_with_csv_reader(path: str | Path) -> int:
    """Return the number of records in ``path``, header included."""
    count = 0
    with open(path, newline="", encoding="utf-8-sig") as fh:
        for _record in csv.reader(fh):
            count += 1
    return count


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python benchmarks/csv_read_baseline.py INPUT.csv", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    n = read_with_csv_reader(argv[0])
    print(f"{n:,} records (header included) in {time.perf_counter() - t0:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
