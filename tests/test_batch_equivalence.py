"""Same answers, same screening: a record scored by `screener batch` gets exactly what the row
evaluator (and so `screener score`) gives for the same answers, on generated rule sets too."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screener.cli import app
from screener.commands.batch.command import BatchOptions, run_batch
from screener.core import verdict
from screener.core.model import RuleSet
from screener.core.problems import AnswersError
from screener.core.scoring import score_raw
from screener.core.screening import Outcome
from screener.rulefile.load import load_ruleset, load_ruleset_bytes

from .conftest import EXAMPLES

runner = CliRunner()
CHOICES = ["a", "b", "c"]
MULTI = ["x", "y", "z"]
ACTIONS = ["urgent", "exclude", "require", "review", "flag"]
# (read_rows, block_rows, max_distinct): tiny sizes cross block and code-table boundaries.
SIZES = [(3, 7, 2), (4, 4, 1000), (512, 16_384, 4096)]

Question = dict[str, object]


@contextlib.contextmanager
def _workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def batch_rows(
    rules: Path | None,
    header: list[str],
    records: list[list[str]],
    sizes: tuple[int, int, int] = SIZES[-1],
    fmt: str = "csv",
) -> list[dict[str, str]]:
    """Score records through the batch command's own code; its output rows, as dicts."""
    with _workdir() as work:
        data = work / "export.csv"
        with data.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([header, *records])
        out = work / f"scored.{fmt}"
        read_rows, block_rows, max_distinct = sizes
        with contextlib.redirect_stderr(io.StringIO()):
            run_batch(
                BatchOptions(
                    input=data,
                    rules=rules,
                    output=str(out),
                    read_rows=read_rows,
                    block_rows=block_rows,
                    max_distinct=max_distinct,
                )
            )
        with out.open(newline="", encoding="utf-8") as handle:
            if fmt == "csv":
                return list(csv.DictReader(handle))
            return [_as_csv_fields(json.loads(line)) for line in handle]


def _as_csv_fields(obj: dict[str, object]) -> dict[str, str]:
    """A JSONL record in the CSV record's terms (lists joined as the CSV joins them)."""
    joined = {"deciding": ";", "undecided": ";", "flags": ";", "missing": ";", "errors": " | "}
    out = {}
    for key, value in obj.items():
        if key in joined:
            assert isinstance(value, list)
            out[key] = joined[key].join(value)
        elif isinstance(value, bool):
            out[key] = "yes" if value else "no"
        else:
            out[key] = str(value)
    return out


def expected_row(ruleset: RuleSet, raw: dict[str, str]) -> dict[str, str]:
    """What the row evaluator says, in the batch output's shape."""
    try:
        screening = score_raw(ruleset, raw, "record")
    except AnswersError as exc:
        return {
            "outcome": "invalid",
            "deciding": "",
            "undecided": "",
            "flags": "",
            "missing": "",
            "errors": " | ".join(str(p) for p in exc.problems),
            # Urgent with each unreadable value taken as unknown, as the row evaluator says.
            "urgent_answer": "yes" if exc.urgent else "no",
        }
    return {
        "outcome": screening.outcome.value,
        # Batch's deciding column: the rules that hold at the outcome's level; the rules that
        # could not be decided have their own column.
        "deciding": ";".join(verdict.holding(screening.results, screening.outcome)),
        "undecided": ";".join(verdict.undecided_rules(screening.results)),
        "flags": ";".join(r.rule for r in screening.flags),
        "missing": ";".join(screening.missing),
        "errors": "",
        "urgent_answer": "yes" if screening.outcome is Outcome.URGENT else "no",
    }


def assert_same_as_row_evaluator(
    ruleset: RuleSet,
    rules: Path | None,
    columns: list[str],
    records: list[list[str]],
    sizes: tuple[int, int, int],
    fmt: str = "csv",
) -> None:
    header = ["intake_id", *columns]
    rows = batch_rows(rules, header, [[f"R{i}", *r] for i, r in enumerate(records)], sizes, fmt)
    assert len(rows) == len(records)
    for number, (row, record) in enumerate(zip(rows, records, strict=True), start=1):
        raw = dict(zip(columns, record, strict=True))
        assert row["row"] == str(number)
        assert row["intake_id"] == f"R{number - 1}"
        fields = ("outcome", "deciding", "undecided", "flags", "missing", "errors", "urgent_answer")
        got = {k: row[k] for k in fields}
        assert got == expected_row(ruleset, raw), (raw, row)


# ---- generated rule sets ----------------------------------------------------------------

RAW_CELLS = {
    "yes_no": ["yes", "No", " y ", "0", "1", "TRUE", "", "dk", "?", "maybe"],
    "integer": ["-1", "0", "1", "2", "3", "4", "5", "6", " 3 ", "4.0", "2.5", "", "abc", "unknown"],
    "choice": ["a", "B", " c ", "", "d", "don't know"],
    "multi_choice": ["x", "x;y", "z;x", "none", "", "y,z", "none;x", "w", "NONE"],
    "text": ["hello", " hello ", "other", ""],
}


@st.composite
def condition(draw: st.DrawFn, questions: list[Question], depth: int = 2) -> str:
    """A condition that type-checks against `questions`."""
    if depth > 0 and draw(st.integers(0, 2)) == 0:
        kind = draw(st.sampled_from(["and", "or", "not", "equal"]))
        left = draw(condition(questions, depth - 1))
        if kind == "not":
            return f"not ({left})"
        right = draw(condition(questions, depth - 1))
        if kind == "equal":
            return f"({left}) == ({right})"
        return f"({left}) {kind} ({right})"
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(["true", "false"]))
    q = draw(st.sampled_from(questions))
    qid, kind = str(q["id"]), str(q["type"])
    same = [str(o["id"]) for o in questions if o["type"] == kind and o["id"] != qid]
    if kind != "multi_choice" and draw(st.integers(0, 7)) == 0:
        return f"known({qid})"
    if kind == "yes_no":
        return draw(st.sampled_from([qid, f"not {qid}", f"{qid} == true", f"{qid} != no"]))
    if kind == "integer":
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
        if draw(st.booleans()) and same:
            return f"{qid} {op} {draw(st.sampled_from(same))}"
        if draw(st.integers(0, 4)) == 0:
            return f"{qid} in [1, 3]"
        return f"{qid} {op} {draw(st.integers(0, 5))}"
    if kind == "choice":
        value = draw(st.sampled_from(CHOICES))
        if same and draw(st.integers(0, 3)) == 0:
            return f"{qid} == {draw(st.sampled_from(same))}"
        return draw(
            st.sampled_from(
                [
                    f'{qid} == "{value}"',
                    f'{qid} != "{value}"',
                    f'{qid} in ["{value}", "c"]',
                    f'{qid} not in ["{value}"]',
                ]
            )
        )
    if kind == "multi_choice":
        value = draw(st.sampled_from([*MULTI, "none"]))
        return draw(st.sampled_from([f'"{value}" in {qid}', f'"{value}" not in {qid}']))
    return draw(st.sampled_from([f'{qid} == "hello"', f'{qid} != "hello"', f"known({qid})"]))


def rule_file_json(questions: list[Question], rules: Sequence[Mapping[str, object]]) -> str:
    """A whole rule file around generated questions and rules (JSON, which YAML 1.2 reads)."""
    document = {
        "name": "generated",
        "version": "1",
        "clinic": {"name": "Test clinic"},
        "disclaimer": "A test.",
        "crisis_text": "Call 988.",
        "next_steps": {
            o: ["Next."] for o in ("urgent", "not_eligible", "needs_review", "likely_eligible")
        },
        "questions": questions,
        "rules": rules,
    }
    return json.dumps(document, indent=1)


@st.composite
def rule_sets(draw: st.DrawFn) -> tuple[str, list[Question]]:
    """A small rule file (as JSON, which YAML 1.2 reads) and its questions."""
    questions: list[Question] = []
    for index in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(list(RAW_CELLS)))
        question: Question = {"id": f"q{index}", "text": f"Question {index}?", "type": kind}
        if kind == "integer":
            question.update(min=0, max=5)
        if kind == "choice":
            question["choices"] = CHOICES
        if kind == "multi_choice":
            question["choices"] = MULTI
        if questions and draw(st.integers(0, 2)) == 0:
            question["ask_if"] = draw(condition(questions, 1))
        questions.append(question)
    rules = [
        {
            "id": f"r{index}",
            "action": draw(st.sampled_from(ACTIONS)),
            "label": f"Rule {index}",
            "when": draw(condition(questions)),
            "reason": "because",
            "source": "test",
        }
        for index in range(draw(st.integers(1, 6)))
    ]
    # A rule that writes an earlier rule's condition again, elsewhere in its text: the batch
    # scorer computes a part shared by several conditions once a block.
    if draw(st.booleans()):
        earlier = str(draw(st.sampled_from(rules))["when"])
        form = draw(st.sampled_from(["not ({0})", "({1}) or ({0})", "({0}) and ({1})"]))
        when = form.format(earlier, draw(condition(questions)))
        rules.append({**rules[0], "id": "again", "when": when})
    return rule_file_json(questions, rules), questions


@st.composite
def generated_case(
    draw: st.DrawFn,
) -> tuple[str, list[str], list[list[str]], tuple[int, int, int]]:
    text, questions = draw(rule_sets())
    columns = [str(q["id"]) for q in questions]
    if len(columns) > 1 and draw(st.booleans()):  # a question without a column: unknown
        columns.remove(draw(st.sampled_from(columns)))
    types = {str(q["id"]): str(q["type"]) for q in questions}
    records = draw(
        st.lists(
            st.tuples(*[st.sampled_from(RAW_CELLS[types[c]]) for c in columns]).map(list),
            min_size=1,
            max_size=25,
        )
    )
    return text, columns, records, draw(st.sampled_from(SIZES))


@pytest.mark.timeout(600)  # a long property test: several times slower under coverage
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated_case())
def test_batch_gives_every_record_the_row_evaluators_screening_on_generated_rule_sets(
    case: tuple[str, list[str], list[list[str]], tuple[int, int, int]],
) -> None:
    text, columns, records, sizes = case
    ruleset = load_ruleset_bytes(text.encode(), "generated.yaml")
    with _workdir() as work:
        rules = work / "generated.yaml"
        rules.write_text(text)
        assert_same_as_row_evaluator(ruleset, rules, columns, records, sizes)


# ---- the default rule set ---------------------------------------------------------------

DEFAULT_CELLS = {
    "age": ["17", "18", "19", "42", "64", "65", "66", "", "121", "old"],
    "primary_condition": ["depression", "Bipolar depression", "ptsd", "other", "", "migraine"],
    "failed_antidepressants": ["0", "1", "2", "3", "", "x"],
    "prior_ketamine": ["no", "helped", "did_not_help", "bad_reaction", ""],
    "bp_systolic": ["139", "140", "149", "150", "179", "180", "", "59"],
    "bp_diastolic": ["89", "90", "99", "100", "", "ninety"],
    "current_medications": [
        "none",
        "",
        "benzodiazepine",
        "maoi;opioid",
        "lamotrigine;thyroid_hormone",
        "benzodiazepine;naltrexone",
        "aspirin",
        "theophylline",
        "stimulant",
    ],
    "benzodiazepine_dose_mg": ["", "7", "8", "9", "300"],
    "phq9_total": ["", "4", "5", "9", "10", "14", "15", "19", "20", "27"],
}
YES_NO_CELLS = ["no", "no", "no", "No", "yes", "", "dk", "n"]


@st.composite
def default_records(draw: st.DrawFn, ruleset: RuleSet) -> list[list[str]]:
    columns = [q.id for q in ruleset.questions]
    strategies = [st.sampled_from(DEFAULT_CELLS.get(c, YES_NO_CELLS)) for c in columns]
    return draw(st.lists(st.tuples(*strategies).map(list), min_size=1, max_size=40))


_DEFAULT = load_ruleset()


@pytest.mark.timeout(600)  # a long property test: several times slower under coverage
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(default_records(_DEFAULT), st.sampled_from(SIZES), st.sampled_from(["csv", "jsonl"]))
def test_batch_matches_scoring_each_answer_set_alone_with_the_default_rules(
    records: list[list[str]], sizes: tuple[int, int, int], fmt: str
) -> None:
    columns = [q.id for q in _DEFAULT.questions]
    assert_same_as_row_evaluator(_DEFAULT, None, columns, records, sizes, fmt)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def test_batch_rows_equal_screener_score_for_the_same_answers(tmp_path: Path) -> None:
    from screener.formats.answers_file import parse_answers_text

    examples = sorted(EXAMPLES.glob("*.yaml"))
    columns = [q.id for q in _DEFAULT.questions]
    lines = [",".join(["intake_id", *columns])]
    expected = []
    for example in examples:
        raw = parse_answers_text(example.read_text(), str(example)).raw
        lines.append(",".join([example.stem, *(_cell(raw.get(c)) for c in columns)]))
        scored = runner.invoke(app, ["score", str(example), "--format", "json"])
        assert scored.exit_code == 0, scored.output
        expected.append(json.loads(scored.stdout))
    export = tmp_path / "examples.csv"
    export.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["batch", str(export), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["intake_id"] for r in rows] == [e.stem for e in examples]
    assert {r["outcome"] for r in rows} == {
        "likely_eligible",
        "needs_review",
        "not_eligible",
        "urgent",
    }
    for row, screening in zip(rows, expected, strict=True):
        assert row["outcome"] == screening["outcome"]
        results = screening["results"]
        undecided = [r["rule"] for r in results if r["value"] is None and r["action"] != "flag"]
        assert row["undecided"] == undecided
        assert row["deciding"] == [
            r["rule"]
            for r in results
            if r["fired"] and r["action"] != "flag" and r["rule"] in screening["deciding"]
        ]
        assert row["flags"] == [f["rule"] for f in screening["flags"]]
        assert row["missing"] == screening["missing"]
        assert row["errors"] == []


# The masks come from a seeded generator: drawn one bit at a time (st.randoms), up to 9,800
# bits an example, hypothesis sometimes refused them as too large (a failed health check).
@given(st.integers(0, 140), st.integers(1, 70), st.integers(0, 2**32))
@settings(max_examples=60)
def test_the_bit_sets_of_many_rules_pack_each_mask_to_its_own_bit(
    count: int, size: int, seed: int
) -> None:
    import random as random_module

    import numpy as np

    from screener.columnar.scorer import WORD_BITS, distinct_keys, pack_bits

    random = random_module.Random(seed)
    masks = [np.array([random.random() < 0.4 for _ in range(size)]) for _ in range(count)]
    words = pack_bits(masks, size)
    assert words.shape == (size, max(1, -(-count // WORD_BITS)))
    for record in range(size):
        expected = [0] * words.shape[1]
        for index, mask in enumerate(masks):
            if mask[record]:
                expected[index // WORD_BITS] |= 1 << (index % WORD_BITS)
        assert words[record].tolist() == expected
    keys, inverse = distinct_keys(words)
    assert [keys[i] for i in inverse] == [
        row[0] if words.shape[1] == 1 else tuple(row) for row in words.tolist()
    ]
    assert len(set(keys)) == len(keys)  # each text is made once per block
    inverse[0] = len(keys)  # the writer puts an invalid record's own text in its place
    assert inverse[0] == len(keys)
