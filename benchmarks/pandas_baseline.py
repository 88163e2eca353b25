"""The default policy as a hand-written pandas script, the way a data analyst would write it.

This is the comparison point for ``screener batch``: honest and reasonably efficient
(vectorised masks, one pass per rule, no Python loop over rows), but not tuned beyond what an
analyst would do. pandas (and numpy) are benchmark-only dependencies, not the package's.

Semantics, kept simple on purpose ("loosely"):
- Every column is read as text; blank cells become NaN (unknown).
- yes/no answers are stripped, lower-cased and matched against yes/y/true/1 and no/n/false/0;
  anything else, including unreadable values such as 'maybe', becomes unknown. Numbers go
  through ``pd.to_numeric(errors="coerce")``: 'abc' becomes unknown, 999 is used as given.
  There is no ``invalid`` outcome: unreadable cells are unknowns, so they end in
  ``needs_review`` when a rule needs them, like a blank. Unknown medication names are
  ignored; an unknown condition or prior_ketamine value is an unknown.
- Records with too many fields are skipped (``on_bad_lines="skip"``); records with too few are
  padded with NaN by pandas.
- Three-valued rules: each rule gives a "holds" mask and an "unknown" mask (cannot be decided
  for lack of answers). Precedence: urgent > not_eligible > needs_review > likely_eligible;
  an undecided safety/exclusion/requirement/review rule gives needs_review, never eligible.
- Skip logic: the antidepressants tried (the `depression_treatments` list, eight numbered
  items; one whose improvement is none or partial counts as failed) only count for
  depression/bipolar_depression, benzodiazepine_mg_day only when benzodiazepine is among
  current_medications.
- BP rules apply to a reading on file; no reading is a flag (``no_bp_reading``), not a review.
- ``reasons`` lists the ids of the rules that held (flags included), then ``unknown:<id>`` for
  each rule that could not be decided, joined by ';'.

Output CSV columns: intake_id, outcome, reasons.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

BoolArray = npt.NDArray[np.bool_]

YES_WORDS: tuple[str, ...] = ("yes", "y", "true", "1")
NO_WORDS: tuple[str, ...] = ("no", "n", "false", "0")

YES_NO_COLUMNS: tuple[str, ...] = (
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
    "substance_problem_recent",
    "suicidal_thoughts_month",
    "has_ride_home",
)
NUMBER_COLUMNS: tuple[str, ...] = (
    "age",
    "depression_treatments",
    "bp_systolic",
    "bp_diastolic",
    "benzodiazepine_mg_day",
    "phq9_total",
)
# The list of antidepressants tried, as numbered columns: one that did not help counts as failed.
TREATMENT_ITEMS = 8
FAILED_IMPROVEMENT: tuple[str, ...] = ("none", "partial")
OFF_LABEL_CONDITIONS: tuple[str, ...] = ("ptsd", "ocd", "anxiety", "chronic_pain", "other")
KNOWN_CONDITIONS: tuple[str, ...] = ("depression", "bipolar_depression", *OFF_LABEL_CONDITIONS)
PRIOR_KETAMINE_VALUES: tuple[str, ...] = ("no", "helped", "did_not_help", "bad_reaction")

# Rule kinds, most severe first.
URGENT = "urgent"
EXCLUDE = "not_eligible"
REVIEW = "needs_review"
FLAG = "flag"


def score_with_pandas(csv_path: str | Path, out_path: str | Path) -> None:
    """Score every record of ``csv_path`` with the default policy; write ``out_path``."""
    df = pd.read_csv(
        csv_path,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8-sig",
        on_bad_lines="skip",
    )

    # --- clean up -------------------------------------------------------------------------
    yes_cols: dict[str, pd.Series] = {}
    no_cols: dict[str, pd.Series] = {}
    for c in YES_NO_COLUMNS:
        answer = df[c].str.strip().str.lower()
        yes_cols[c] = answer.isin(YES_WORDS)
        no_cols[c] = answer.isin(NO_WORDS)
    yes = pd.DataFrame(yes_cols)
    no = pd.DataFrame(no_cols)
    unknown = ~(yes | no)
    num = pd.DataFrame({c: pd.to_numeric(df[c], errors="coerce") for c in NUMBER_COLUMNS})

    condition = df["primary_condition"].str.strip().str.lower()
    condition = condition.where(condition.isin(KNOWN_CONDITIONS))  # unreadable -> NaN
    cond_unknown = condition.isna()
    depressive = condition.isin(["depression", "bipolar_depression"])

    prior = df["prior_ketamine"].str.strip().str.lower()
    prior = prior.where(prior.isin(PRIOR_KETAMINE_VALUES))
    prior_unknown = prior.isna()

    meds_raw = df["current_medications"].str.lower().str.replace(" ", "", regex=False)
    meds_unknown = meds_raw.isna()
    meds = ";" + meds_raw.fillna("") + ";"

    def on_meds(name: str) -> pd.Series:
        return meds.str.contains(f";{name};", regex=False)

    age = num["age"]
    sbp = num["bp_systolic"]
    dbp = num["bp_diastolic"]
    bp_known = sbp.notna() & dbp.notna()
    failed = sum(
        df[f"depression_treatments_{n}_improvement"]
        .str.strip()
        .str.lower()
        .isin(FAILED_IMPROVEMENT)
        for n in range(1, TREATMENT_ITEMS + 1)
    ).where(num["depression_treatments"].notna())
    benzo_dose = num["benzodiazepine_mg_day"]
    phq9 = num["phq9_total"]
    on_benzo = on_meds("benzodiazepine")

    nothing = pd.Series(False, index=df.index)

    # --- rules: id -> (kind, holds, unknown) ----------------------------------------------
    rules: dict[str, tuple[str, pd.Series, pd.Series]] = {}

    def yes_no_rule(rule_id: str, kind: str, column: str) -> None:
        rules[rule_id] = (kind, yes[column], unknown[column])

    def med_rule(rule_id: str, kind: str, *names: str) -> None:
        holds = nothing
        for name in names:
            holds = holds | on_meds(name)
        rules[rule_id] = (kind, holds, meds_unknown)

    yes_no_rule("suicidal_thoughts_month", URGENT, "suicidal_thoughts_month")

    rules["under_18"] = (EXCLUDE, age < 18, age.isna())
    yes_no_rule("aneurysm_or_avm", EXCLUDE, "aneurysm_or_avm")
    yes_no_rule("brain_bleed", EXCLUDE, "brain_bleed")
    allergy = yes["ketamine_allergy"] | (prior == "bad_reaction")
    rules["ketamine_allergy_or_reaction"] = (
        EXCLUDE,
        allergy,
        ~allergy & (unknown["ketamine_allergy"] | prior_unknown),
    )
    yes_no_rule("psychosis_current", EXCLUDE, "psychosis_current")
    yes_no_rule("mania_current", EXCLUDE, "mania_current")
    yes_no_rule("pregnant", EXCLUDE, "pregnant")
    rules["bp_severe"] = (EXCLUDE, (sbp >= 180) | (dbp >= 100), nothing)
    rules["fewer_than_two_failed_antidepressants"] = (
        EXCLUDE,
        depressive & (failed < 2),
        cond_unknown | (depressive & failed.isna()),
    )

    yes_no_rule("hypertension", REVIEW, "hypertension")
    sbp_limit = np.where(age >= 65, 150, 140)  # unknown age: the stricter 140
    bp_high = bp_known & ((sbp >= sbp_limit) | (dbp >= 90))
    rules["bp_elevated"] = (REVIEW, bp_high & (sbp < 180) & (dbp < 100), nothing)
    for column in (
        "stroke_or_tia",
        "heart_condition",
        "head_injury_or_icp",
        "psychosis_history",
        "substance_problem_recent",
        "breastfeeding",
        "liver_disease",
        "thyroid_untreated",
        "bladder_problems",
        "seizures",
    ):
        yes_no_rule(column, REVIEW, column)
    rules["bipolar_depression"] = (REVIEW, condition == "bipolar_depression", cond_unknown)
    rules["off_label_condition"] = (REVIEW, condition.isin(OFF_LABEL_CONDITIONS), cond_unknown)
    med_rule("maoi_or_stimulant", REVIEW, "maoi", "stimulant")
    med_rule("opioid", REVIEW, "opioid")
    med_rule("naltrexone", REVIEW, "naltrexone")
    med_rule("theophylline", REVIEW, "theophylline")
    rules["benzodiazepine_high_or_unknown_dose"] = (
        REVIEW,
        on_benzo & ((benzo_dose > 20) | benzo_dose.isna()),
        meds_unknown,
    )
    rules["no_ride_home"] = (REVIEW, no["has_ride_home"], unknown["has_ride_home"])

    rules["age_65_plus"] = (FLAG, age >= 65, nothing)
    med_rule("lamotrigine", FLAG, "lamotrigine")
    med_rule("thyroid_hormone", FLAG, "thyroid_hormone")
    rules["benzodiazepine_low_dose"] = (FLAG, on_benzo & (benzo_dose <= 20), nothing)
    rules["phq9_minimal"] = (FLAG, phq9.between(0, 4), nothing)
    rules["phq9_mild"] = (FLAG, phq9.between(5, 9), nothing)
    rules["phq9_moderate"] = (FLAG, phq9.between(10, 14), nothing)
    rules["phq9_moderately_severe"] = (FLAG, phq9.between(15, 19), nothing)
    rules["phq9_severe"] = (FLAG, phq9.between(20, 27), nothing)
    rules["prior_ketamine_helped"] = (FLAG, prior == "helped", nothing)
    rules["prior_ketamine_did_not_help"] = (FLAG, prior == "did_not_help", nothing)
    rules["no_bp_reading"] = (FLAG, ~bp_known, nothing)

    # --- outcome --------------------------------------------------------------------------
    n = len(df)
    hit = {kind: np.zeros(n, dtype=bool) for kind in (URGENT, EXCLUDE, REVIEW)}
    undecided = np.zeros(n, dtype=bool)
    reasons = np.full(n, "", dtype=object)
    missing = np.full(n, "", dtype=object)
    for rule_id, (kind, holds, unk) in rules.items():
        holds_a: BoolArray = holds.fillna(False).to_numpy(dtype=bool)
        reasons[holds_a] += f"{rule_id};"
        if kind != FLAG:
            hit[kind] |= holds_a
            unk_a: BoolArray = unk.to_numpy(dtype=bool) & ~holds_a
            undecided |= unk_a
            missing[unk_a] += f"unknown:{rule_id};"

    outcome = np.select(
        [hit[URGENT], hit[EXCLUDE], hit[REVIEW] | undecided],
        [URGENT, EXCLUDE, REVIEW],
        default="likely_eligible",
    )
    out = pd.DataFrame(
        {
            "intake_id": df["intake_id"],
            "outcome": outcome,
            "reasons": pd.Series(reasons + missing, index=df.index).str.rstrip(";"),
        }
    )
    out.to_csv(out_path, index=False)


def pandas_description() -> str:
    """Versions and string backend, for benchmark reports (pyarrow changes the timings)."""
    return (
        f"pandas {pd.__version__}, numpy {np.__version__}, "
        f"string storage {pd.StringDtype().storage}"
    )


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python benchmarks/pandas_baseline.py INPUT.csv OUTPUT.csv", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    score_with_pandas(argv[0], argv[1])
    elapsed = time.perf_counter() - t0
    print(f"scored {argv[0]} -> {argv[1]} in {elapsed:.2f} s ({pandas_description()})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
