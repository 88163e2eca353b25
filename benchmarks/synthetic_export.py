"""Write a synthetic clinic intake CSV export for benchmarks.

The file has the column ``intake_id`` followed by every question id of the canonical data
dictionary (see ``QUESTION_IDS``), in dictionary order. Values are drawn with plausible
frequencies; about 5-10% of cells are blank (unknown), yes/no answers are written in mixed
styles, and a small share of rows (``invalid_rate``, default 0.1%) carries one unreadable value.

Use as a module::

    from synthetic_export import write_export
    write_export("/tmp/export.csv", rows=1_000_000, seed=1)

or as a script::

    python benchmarks/synthetic_export.py /tmp/export.csv --rows 1000000 --seed 1

Everything is drawn from one ``random.Random(seed)``: the same arguments give the same bytes.
No global state is touched.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
import tempfile
import time
from array import array
from collections.abc import Sequence
from itertools import combinations, islice
from pathlib import Path

# The live rule file's questions (src/screener/data/rules.yaml, rule language v2), in its order;
# the list question `depression_treatments` is its count column followed by eight numbered items
# of five fields each (`depression_treatments_<n>_<field>`), as `screener batch` names them.
LIST_ID = "depression_treatments"
LIST_ITEMS = 8
LIST_FIELDS: tuple[str, ...] = (
    "medicine",
    "weeks",
    "full_dose",
    "improvement",
    "stopped_side_effects",
)
LIST_COLUMNS: tuple[str, ...] = (
    LIST_ID,
    *(f"{LIST_ID}_{n}_{f}" for n in range(1, LIST_ITEMS + 1) for f in LIST_FIELDS),
)
QUESTION_IDS: tuple[str, ...] = (
    "caller",
    "age",
    "primary_condition",
    "wish_dead_month",
    "suicidal_thoughts_month",
    "suicide_method_month",
    "suicide_intent_month",
    "suicide_plan_month",
    "suicide_behavior_3mo",
    *LIST_COLUMNS,
    "prior_ketamine",
    "ketamine_allergy",
    "ketamine_misuse",
    "aneurysm_or_avm",
    "brain_bleed",
    "stroke_or_tia",
    "heart_attack_recent",
    "heart_condition",
    "hypertension",
    "bp_systolic",
    "bp_diastolic",
    "bp_reading_age",
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
    "alcohol_drinks_week",
    "substance_problem_recent",
    "current_medications",
    "benzodiazepine_name",
    "benzodiazepine_mg_day",
    "other_medications",
    "phq9_total",
    "phq9_item9",
    "weight_kg",
    "has_ride_home",
    "can_attend_series",
)
HEADER: tuple[str, ...] = ("intake_id", *QUESTION_IDS)

CONDITIONS: tuple[str, ...] = (
    "depression",
    "bipolar_depression",
    "ptsd",
    "ocd",
    "anxiety",
    "chronic_pain",
    "other",
)
DEPRESSIVE_CONDITIONS: frozenset[str] = frozenset({"depression", "bipolar_depression"})
PRIOR_KETAMINE: tuple[str, ...] = ("no", "helped", "did_not_help", "bad_reaction")
MEDICATIONS: tuple[str, ...] = (
    "maoi",
    "stimulant",
    "benzodiazepine",
    "opioid",
    "naltrexone",
    "lamotrigine",
    "theophylline",
    "thyroid_hormone",
)

# Spellings of yes/no seen in exports, with relative weights (lower case dominates).
YES_SPELLINGS: dict[str, float] = {
    "yes": 60,
    "Yes": 15,
    "YES": 3,
    "Y": 6,
    "y": 4,
    "true": 5,
    "TRUE": 1,
    "1": 6,
}
NO_SPELLINGS: dict[str, float] = {
    "no": 60,
    "No": 15,
    "NO": 3,
    "N": 6,
    "n": 4,
    "false": 5,
    "FALSE": 1,
    "0": 6,
}

# Share of "yes" among known answers, and share of scattered blank (unknown) cells, per yes/no
# question. Incomplete records (INCOMPLETE_ROW_RATE) add more blanks on top.
YES_NO_RATES: dict[str, tuple[float, float]] = {
    "wish_dead_month": (0.10, 0.01),
    "suicidal_thoughts_month": (0.07, 0.01),
    "suicide_behavior_3mo": (0.01, 0.01),
    "ketamine_allergy": (0.005, 0.02),
    "ketamine_misuse": (0.005, 0.02),
    "aneurysm_or_avm": (0.003, 0.04),
    "brain_bleed": (0.003, 0.02),
    "stroke_or_tia": (0.02, 0.02),
    "heart_attack_recent": (0.005, 0.02),
    "heart_condition": (0.06, 0.02),
    "hypertension": (0.18, 0.02),
    "head_injury_or_icp": (0.03, 0.03),
    "seizures": (0.02, 0.02),
    "glaucoma": (0.02, 0.03),
    "sleep_apnea": (0.05, 0.03),
    "liver_disease": (0.02, 0.04),
    "thyroid_untreated": (0.02, 0.05),
    "bladder_problems": (0.03, 0.02),
    "pregnant": (0.02, 0.02),
    "breastfeeding": (0.015, 0.02),
    "psychotic_disorder": (0.01, 0.02),
    "psychosis_history": (0.04, 0.03),
    "psychosis_family": (0.06, 0.05),
    "psychosis_current": (0.01, 0.01),
    "mania_current": (0.02, 0.01),
    "cognitive_impairment": (0.01, 0.02),
    "substance_problem_recent": (0.12, 0.04),
    "has_ride_home": (0.90, 0.03),
    "can_attend_series": (0.92, 0.03),
}
# Asked only after a "yes" to suicidal_thoughts_month (blank otherwise).
SUICIDE_FOLLOW_UPS: dict[str, tuple[float, float]] = {
    "suicide_method_month": (0.40, 0.05),
    "suicide_intent_month": (0.10, 0.08),
    "suicide_plan_month": (0.08, 0.08),
}
LIST_MEDICINES: tuple[str, ...] = (
    "sertraline", "fluoxetine", "escitalopram", "citalopram", "paroxetine", "venlafaxine",
    "duloxetine", "desvenlafaxine",
)  # fmt: skip

# Unreadable values injected into ~invalid_rate of the rows (one cell per chosen row).
BAD_INTEGER = ("abc", "999", "-5", "12.5", "forty", "1e3", "7 years", "1,000")
BAD_YES_NO = ("maybe", "unsure", "?", "yes/no", "si", "2")
BAD_CHOICE = ("depresion", "unknown", "PTSD?", "migraine", "n/a")
BAD_MEDICATIONS = ("aspirin", "maoi;aspirin", "ssri", "maoi;;", "benzo")
INTEGER_IDS = frozenset(
    {
        "age",
        "bp_systolic",
        "bp_diastolic",
        "benzodiazepine_mg_day",
        "phq9_total",
        "weight_kg",
        "alcohol_drinks_week",
        *(f"{LIST_ID}_{n}_weeks" for n in range(1, LIST_ITEMS + 1)),
    }
)
CHOICE_IDS = frozenset(
    {
        "caller",
        "primary_condition",
        "prior_ketamine",
        "bp_reading_age",
        "benzodiazepine_name",
        *(
            f"{LIST_ID}_{n}_{f}"
            for n in range(1, LIST_ITEMS + 1)
            for f in ("medicine", "improvement")
        ),
    }
)
TEXT_IDS = frozenset({"other_medications"})

DEFAULT_ROWS = 1_000_000
DEFAULT_SEED = 20240601
DEFAULT_INVALID_RATE = 0.001
# Blanks cluster: a share of records were taken in a hurry and miss many answers.
INCOMPLETE_ROW_RATE = 0.06
INCOMPLETE_CELL_BLANK = 0.5
CHUNK_ROWS = 100_000

Column = list[str]


TABLE_BITS = 16
TABLE_SIZE = 1 << TABLE_BITS


class _Pool:
    """A weighted population, quantised to a 65,536-slot lookup table.

    Drawing ``k`` values takes ``2 * k`` random bytes (one 16-bit slot index per value) and one
    C-level lookup pass, several times faster than ``random.choices`` with weights. Weights are
    rounded to multiples of 1/65,536 (largest remainder), far below the noise of the mix.
    """

    __slots__ = ("table", "values")

    def __init__(self, weighted: dict[str, float]) -> None:
        self.values: list[str] = list(weighted)
        total = sum(weighted.values())
        exact = [w / total * TABLE_SIZE for w in weighted.values()]
        counts = [math.floor(x) for x in exact]
        short = TABLE_SIZE - sum(counts)
        by_remainder = sorted(range(len(exact)), key=lambda i: counts[i] - exact[i])
        for i in by_remainder[:short]:
            counts[i] += 1
        self.table: list[str] = [
            v for v, n in zip(self.values, counts, strict=True) for _ in range(n)
        ]

    def draw(self, rng: random.Random, k: int) -> Column:
        idx = array("H")
        idx.frombytes(rng.randbytes(2 * k))
        if sys.byteorder == "big":  # same bytes on every machine for a given seed
            idx.byteswap()
        return list(map(self.table.__getitem__, idx))


def _with_blank(weighted: dict[str, float], blank_rate: float) -> dict[str, float]:
    """Rescale ``weighted`` to 1 - blank_rate and add the empty string with blank_rate."""
    total = sum(weighted.values())
    out = {value: w / total * (1.0 - blank_rate) for value, w in weighted.items()}
    out[""] = out.get("", 0.0) + blank_rate
    return out


def _yes_no_pool(yes_rate: float, blank_rate: float) -> _Pool:
    y_total = sum(YES_SPELLINGS.values())
    n_total = sum(NO_SPELLINGS.values())
    weighted = {s: w / y_total * yes_rate for s, w in YES_SPELLINGS.items()}
    weighted.update({s: w / n_total * (1.0 - yes_rate) for s, w in NO_SPELLINGS.items()})
    return _Pool(_with_blank(weighted, blank_rate))


def _gauss_weights(lo: int, hi: int, mean: float, sd: float) -> dict[str, float]:
    return {str(v): math.exp(-0.5 * ((v - mean) / sd) ** 2) for v in range(lo, hi + 1)}


def _age_pool() -> _Pool:
    # Adults mostly 25-60, a thin tail of 16-17 year olds (excluded) and of people over 65.
    weights = _gauss_weights(16, 85, 42.0, 14.0)
    for teen in ("16", "17"):
        weights[teen] *= 0.5
    return _Pool(_with_blank(weights, 0.01))


def _systolic_pool() -> _Pool:
    weights = _gauss_weights(85, 175, 125.0, 14.0)
    # A hypertensive tail, reaching into the >= 180 exclusion band.
    for v, w in _gauss_weights(140, 230, 160.0, 18.0).items():
        weights[v] = weights.get(v, 0.0) + 0.03 * w
    return _Pool(_with_blank(weights, 0.12))


def _diastolic_offsets() -> _Pool:
    # diastolic = round(0.4 * systolic + 30) + offset: correlated, centred near 80.
    return _Pool(_gauss_weights(-20, 25, 0.0, 7.0))


def _medication_pool() -> _Pool:
    prevalence = {
        "maoi": 0.02,
        "stimulant": 0.10,
        "benzodiazepine": 0.25,
        "opioid": 0.08,
        "naltrexone": 0.03,
        "lamotrigine": 0.12,
        "theophylline": 0.01,
        "thyroid_hormone": 0.12,
    }
    by_size = {1: 0.27, 2: 0.09, 3: 0.02}
    weighted: dict[str, float] = {"none": 0.62}
    for size, p_size in by_size.items():
        combos = list(combinations(MEDICATIONS, size))
        raw = [math.prod(prevalence[m] for m in combo) for combo in combos]
        total = sum(raw)
        for combo, r in zip(combos, raw, strict=True):
            weighted[";".join(combo)] = p_size * r / total
    return _Pool(_with_blank(weighted, 0.03))


def _number_pool(lo: int, hi: int, mean: float, sd: float, blank: float) -> _Pool:
    return _Pool(_with_blank(_gauss_weights(lo, hi, mean, sd), blank))


class _Pools:
    """All populations, built once per export."""

    def __init__(self) -> None:
        self.caller = _Pool(
            _with_blank({"self": 85, "family": 9, "clinician": 5, "other": 1}, 0.02)
        )
        self.age = _age_pool()
        self.condition = _Pool(
            _with_blank(
                {
                    "depression": 72,
                    "bipolar_depression": 7,
                    "ptsd": 7,
                    "ocd": 2,
                    "anxiety": 5,
                    "chronic_pain": 5,
                    "other": 2,
                },
                0.01,
            )
        )
        self.yes_no = {qid: _yes_no_pool(y, b) for qid, (y, b) in YES_NO_RATES.items()}
        self.follow_ups = {qid: _yes_no_pool(y, b) for qid, (y, b) in SUICIDE_FOLLOW_UPS.items()}
        # How many antidepressants were tried (the list's count), for depressive conditions.
        self.treatments = _Pool(
            _with_blank(
                {"0": 5, "1": 9, "2": 22, "3": 24, "4": 17, "5": 10, "6": 7, "7": 4, "8": 2}, 0.04
            )
        )
        self.medicine = _Pool(_with_blank({m: 1.0 for m in LIST_MEDICINES}, 0.03))
        self.weeks = _Pool(
            _with_blank({"2": 5, "4": 15, "6": 25, "8": 25, "12": 20, "16": 6, "24": 4}, 0.10)
        )
        self.full_dose = _yes_no_pool(0.75, 0.08)
        self.improvement = _Pool(_with_blank({"none": 45, "partial": 45, "good": 10}, 0.06))
        self.stopped = _yes_no_pool(0.20, 0.06)
        self.prior_ketamine = _Pool(
            _with_blank({"no": 85, "helped": 8, "did_not_help": 5, "bad_reaction": 2}, 0.04)
        )
        self.systolic = _systolic_pool()
        self.diastolic_offset = _diastolic_offsets()
        # (systolic, offset) -> diastolic text, so the per-row work is one dict lookup.
        self.diastolic: dict[tuple[str, str], str] = {
            (s, o): (str(max(40, round(0.4 * int(s) + 30) + int(o))) if s else "")
            for s in self.systolic.values
            for o in self.diastolic_offset.values
        }
        self.reading_age = _Pool(
            _with_blank({"last_month": 70, "one_to_six_months": 22, "older": 8}, 0.05)
        )
        self.planning = _yes_no_pool(0.03, 0.05)
        self.drinks = _number_pool(0, 30, 4.0, 6.0, 0.05)
        self.medications = _medication_pool()
        self.benzo_name = _Pool(
            _with_blank(
                {"alprazolam": 30, "clonazepam": 25, "diazepam": 10, "lorazepam": 30, "other": 5},
                0.05,
            )
        )
        self.benzo_dose = _Pool(
            _with_blank({"0.5": 10, "1": 25, "2": 20, "5": 15, "10": 15, "20": 10, "40": 5}, 0.15)
        )
        self.other_meds = _Pool(
            {"": 0.85, "vitamin d": 0.05, "ibuprofen as needed": 0.05, "metformin": 0.05}
        )
        self.phq9 = _Pool(_with_blank(_gauss_weights(0, 27, 17.0, 5.5), 0.30))
        self.item9 = _Pool(_with_blank({"0": 80, "1": 12, "2": 5, "3": 3}, 0.05))
        self.weight = _number_pool(45, 140, 78.0, 16.0, 0.08)
        # Answers left in cells of questions hidden by skip logic (kept, never scored).
        self.leak = _Pool({"": 0.98, "x": 0.02})


def _only_if(shown: list[bool], values: Column) -> Column:
    return [v if s else "" for s, v in zip(shown, values, strict=True)]


def _chunk_columns(rng: random.Random, pools: _Pools, start: int, k: int) -> list[Column]:
    """Draw ``k`` rows starting at global row ``start``; one list per column, header order."""
    cols: dict[str, Column] = {}
    cols["intake_id"] = [f"INT{i:08d}" for i in range(start + 1, start + k + 1)]
    cols["caller"] = pools.caller.draw(rng, k)
    cols["age"] = pools.age.draw(rng, k)
    condition = pools.condition.draw(rng, k)
    cols["primary_condition"] = condition
    for qid, pool in pools.yes_no.items():
        cols[qid] = pool.draw(rng, k)
    thoughts = [a in YES_SPELLINGS for a in cols["suicidal_thoughts_month"]]
    for qid, pool in pools.follow_ups.items():
        cols[qid] = _only_if(thoughts, pool.draw(rng, k))
    # The list: asked for depressive conditions; items past the count are blank. About 2% of
    # the skipped counts still hold an answer, like a form that keeps hidden answers.
    leak = pools.leak.draw(rng, k)
    count = [
        n if (c in DEPRESSIVE_CONDITIONS or lk) else ""
        for c, n, lk in zip(condition, pools.treatments.draw(rng, k), leak, strict=True)
    ]
    cols[LIST_ID] = count
    items = [int(n) if n else 0 for n in count]
    field_pools = {
        "medicine": pools.medicine,
        "weeks": pools.weeks,
        "full_dose": pools.full_dose,
        "improvement": pools.improvement,
        "stopped_side_effects": pools.stopped,
    }
    for n in range(1, LIST_ITEMS + 1):
        shown = [i >= n for i in items]
        for name, pool in field_pools.items():
            cols[f"{LIST_ID}_{n}_{name}"] = _only_if(shown, pool.draw(rng, k))
    cols["prior_ketamine"] = pools.prior_ketamine.draw(rng, k)
    systolic = pools.systolic.draw(rng, k)
    offsets = pools.diastolic_offset.draw(rng, k)
    cols["bp_systolic"] = systolic
    # Diastolic is known when systolic is (one reading), derived with noise.
    diastolic = pools.diastolic
    cols["bp_diastolic"] = [diastolic[pair] for pair in zip(systolic, offsets, strict=True)]
    cols["bp_reading_age"] = _only_if([bool(s) for s in systolic], pools.reading_age.draw(rng, k))
    not_pregnant = [a in NO_SPELLINGS for a in cols["pregnant"]]
    cols["pregnancy_planning"] = _only_if(not_pregnant, pools.planning.draw(rng, k))
    cols["alcohol_drinks_week"] = pools.drinks.draw(rng, k)
    meds = pools.medications.draw(rng, k)
    cols["current_medications"] = meds
    on_benzo = ["benzodiazepine" in m for m in meds]
    cols["benzodiazepine_name"] = _only_if(on_benzo, pools.benzo_name.draw(rng, k))
    cols["benzodiazepine_mg_day"] = _only_if(on_benzo, pools.benzo_dose.draw(rng, k))
    cols["other_medications"] = pools.other_meds.draw(rng, k)
    phq9 = pools.phq9.draw(rng, k)
    cols["phq9_total"] = phq9
    cols["phq9_item9"] = _only_if([bool(p) for p in phq9], pools.item9.draw(rng, k))
    cols["weight_kg"] = pools.weight.draw(rng, k)
    return [cols[name] for name in HEADER]


def _bad_value(rng: random.Random, qid: str) -> str:
    if qid in INTEGER_IDS or qid == LIST_ID:
        return rng.choice(BAD_INTEGER)
    if qid in CHOICE_IDS:
        return rng.choice(BAD_CHOICE)
    if qid == "current_medications":
        return rng.choice(BAD_MEDICATIONS)
    if qid in TEXT_IDS:
        return "any text is an answer"
    return rng.choice(BAD_YES_NO)


def _ragged_row(rng: random.Random, row: Sequence[str]) -> list[str]:
    """Too many or too few fields, half and half."""
    if rng.random() < 0.5:
        return [*row, *([""] * rng.randint(1, 2))]
    return list(row[: len(row) - rng.randint(1, 3)])


def write_export(
    path: str | Path,
    rows: int = DEFAULT_ROWS,
    seed: int = DEFAULT_SEED,
    bom: bool = False,
    crlf: bool = False,
    ragged: int = 0,
    *,
    invalid_rate: float = DEFAULT_INVALID_RATE,
) -> None:
    """Write a synthetic intake export with ``rows`` records (plus the header) to ``path``.

    bom: start with a UTF-8 byte order mark. crlf: end records with CRLF instead of LF.
    ragged: number of records (chosen at random) written with too many or too few fields.
    invalid_rate: share of records given one unreadable cell ('abc' in an integer column,
    'maybe' in a yes/no column, 999 for age, an unknown medication...).
    """
    if rows < 0 or ragged < 0 or ragged > rows:
        raise ValueError(f"need 0 <= ragged <= rows, got rows={rows} ragged={ragged}")
    if not 0.0 <= invalid_rate <= 1.0:
        raise ValueError(f"invalid_rate must be within [0, 1], got {invalid_rate}")
    rng = random.Random(seed)
    pools = _Pools()
    n_invalid = round(rows * invalid_rate)
    invalid_rows = sorted(rng.sample(range(rows), n_invalid))
    invalid_cols = [1 + rng.randrange(len(QUESTION_IDS)) for _ in invalid_rows]
    incomplete_rows = sorted(rng.sample(range(rows), round(rows * INCOMPLETE_ROW_RATE)))
    ragged_rows = sorted(rng.sample(range(rows), ragged))

    encoding = "utf-8-sig" if bom else "utf-8"
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n" if crlf else "\n")
        writer.writerow(HEADER)
        inv_i = 0
        inc_i = 0
        rag_i = 0
        for start in range(0, rows, CHUNK_ROWS):
            k = min(CHUNK_ROWS, rows - start)
            end = start + k
            columns = _chunk_columns(rng, pools, start, k)
            while inc_i < len(incomplete_rows) and incomplete_rows[inc_i] < end:
                r = incomplete_rows[inc_i] - start
                for col in range(2, len(HEADER)):  # age is kept
                    if rng.random() < INCOMPLETE_CELL_BLANK:
                        columns[col][r] = ""
                inc_i += 1
            while inv_i < len(invalid_rows) and invalid_rows[inv_i] < end:
                col = invalid_cols[inv_i]
                columns[col][invalid_rows[inv_i] - start] = _bad_value(rng, HEADER[col])
                inv_i += 1
            records = zip(*columns, strict=True)
            pos = start
            while rag_i < len(ragged_rows) and ragged_rows[rag_i] < end:
                target = ragged_rows[rag_i]
                writer.writerows(islice(records, target - pos))
                writer.writerow(_ragged_row(rng, next(records)))
                pos = target + 1
                rag_i += 1
            writer.writerows(records)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    default_out = Path(tempfile.gettempdir()) / "screener_synthetic_export.csv"
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument(
        "output",
        nargs="?",
        type=Path,
        default=default_out,
        help=f"CSV file to write (default: {default_out})",
    )
    p.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="records (default 1,000,000)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    p.add_argument("--bom", action="store_true", help="write a UTF-8 byte order mark")
    p.add_argument("--crlf", action="store_true", help="end records with CRLF")
    p.add_argument(
        "--ragged",
        type=int,
        default=0,
        metavar="N",
        help="make N records have too many or too few fields",
    )
    p.add_argument(
        "--invalid-rate",
        type=float,
        default=DEFAULT_INVALID_RATE,
        help="share of records with one unreadable value (default 0.001)",
    )
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    t0 = time.perf_counter()
    try:
        write_export(
            args.output,
            args.rows,
            args.seed,
            bom=args.bom,
            crlf=args.crlf,
            ragged=args.ragged,
            invalid_rate=args.invalid_rate,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - t0
    size_mb = args.output.stat().st_size / 1e6
    print(f"wrote {args.rows:,} rows ({size_mb:.1f} MB) to {args.output} in {elapsed:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
