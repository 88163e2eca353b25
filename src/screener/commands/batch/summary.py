"""What a batch run did: counts per outcome, the most frequent reasons, the invalid records.

The summary goes to stderr, which ends up in shared logs: it names each invalid record (row
and id), the question and the kind of problem, never the person's value, unless asked
(`--show-values`, for a person at a terminal). First come the records that could not be
scored although their answers are urgent (unreadable cells taken as unknown), then those with
an unreadable safety answer.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping

import numpy as np

from screener.columnar.coding import Block
from screener.columnar.header import ColumnMap
from screener.columnar.scorer import INVALID, NOT_SCORED, OUTCOME_BY_CODE, BlockResult
from screener.core.frozen import field, record_class
from screener.core.model import Rule, RuleSet
from screener.core.problems import describe_problem, name_list, printable
from screener.core.verdict import INVALID as INVALID_OUTCOME

SUMMARY_SCHEMA = "screener.batch-summary/1"
INVALID_LISTED = 1000  # in --summary-json
INVALID_SHOWN = 50  # in the printed summary
TOP_REASONS = 10


@record_class
class InvalidRecord:
    row: int
    id: str | None
    problem: str  # the first problem; the output's errors column has all of them
    problems: int
    safety: bool = False  # an answer to a question an urgent rule reads cannot be read
    urgent: bool = False  # an urgent rule holds, unreadable cells taken as unknown

    @property
    def name(self) -> str:
        """`row 12 A-17`: the row, and the id as far as a message quotes one."""
        return f"row {self.row}" + (f" {printable(self.id)}" if self.id else "")


@record_class(frozen=False)
class Tally:
    records: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    deciding: Counter[str] = field(default_factory=Counter)
    undecided: Counter[str] = field(default_factory=Counter)  # rule -> records it left open
    invalid: list[InvalidRecord] = field(default_factory=list)
    wrong_width: int = 0  # records with too many or too few fields
    safety_count: int = 0  # records not scored with an unreadable safety answer
    safety: list[InvalidRecord] = field(default_factory=list)  # the first INVALID_LISTED
    # Records not scored (invalid, or not_scored) whose answers are urgent all the same.
    urgent_count: int = 0
    urgent: list[InvalidRecord] = field(default_factory=list)  # the first INVALID_LISTED

    def add(
        self, block: Block, result: BlockResult, has_ids: bool, safety: list[int] | None = None
    ) -> None:
        """Count a scored block; `safety`: offsets of its invalid records with an unreadable
        safety answer."""
        self.records += block.size
        self.wrong_width += len(block.shape_errors)
        counts = np.bincount(result.outcome, minlength=len(OUTCOME_BY_CODE)).tolist()
        for name, count in zip(OUTCOME_BY_CODE, counts, strict=True):
            self.outcomes[name] += count
        for rule, count in result.deciding_counts.items():
            if count:
                self.deciding[rule] += count
        for rule, count in result.undecided_counts.items():
            if count:
                self.undecided[rule] += count
        unreadable = set(safety or ())
        self.safety_count += len(unreadable)
        unscored = sorted([*result.problems, *result.not_scored])
        urgent = {i for i in unscored if result.urgent[i]}
        self.urgent_count += len(urgent)
        for offset in unscored:
            invalid = offset in result.problems
            listed = invalid and len(self.invalid) < INVALID_LISTED
            wanted_safety = offset in unreadable and len(self.safety) < INVALID_LISTED
            wanted_urgent = offset in urgent and len(self.urgent) < INVALID_LISTED
            if not (listed or wanted_safety or wanted_urgent):
                continue
            problems = result.problems[offset] if invalid else result.not_scored[offset]
            record = InvalidRecord(
                block.start + offset,
                block.ids[offset] if has_ids else None,
                problems[0],
                len(problems),
                offset in unreadable,
                offset in urgent,
            )
            if listed:
                self.invalid.append(record)
            if wanted_safety:
                self.safety.append(record)
            if wanted_urgent:
                self.urgent.append(record)

    @property
    def invalid_count(self) -> int:
        return self.outcomes[INVALID_OUTCOME]


@record_class
class BatchReport:
    input: str
    output: str
    ruleset: RuleSet
    columns: ColumnMap
    tally: Tally
    blank_lines: int
    seconds: float
    exit_code: int
    show_values: bool = False  # quote people's values in the problems (--show-values)
    mapped: bool = False  # a --map file named the columns


def _count(n: int) -> str:
    return f"{n:,}"


def _not_scored(count: int) -> str:
    """`1 record that was not scored has`, `2 records that were not scored have`."""
    if count == 1:
        return "1 record that was not scored has"
    return f"{_count(count)} records that were not scored have"


def _check(count: int) -> str:
    return f"check {'it' if count == 1 else 'them'} now:"


def _check_now(count: int, what: str, records: list[InvalidRecord], column: str) -> list[str]:
    """A list of records to check now: `count` of them `what`, the first INVALID_SHOWN named,
    and the output column that marks every one."""
    if not count:
        return []
    lines = [f"{_not_scored(count)} {what}: {_check(count)}"]
    lines += [f"  {record.name}" for record in records[:INVALID_SHOWN]]
    hidden = count - min(INVALID_SHOWN, len(records))
    if hidden:
        lines.append(
            f"  ... and {_count(hidden)} more (the output's {column} column marks every one)"
        )
    return lines


def urgent_lines(tally: Tally) -> list[str]:
    """First in the summary: the records not scored whose answers are urgent."""
    what = "urgent answers (an urgent rule holds, unreadable cells taken as unknown)"
    return _check_now(tally.urgent_count, what, tally.urgent, "urgent_answer")


def safety_lines(tally: Tally) -> list[str]:
    """Next in the summary: the records not scored whose safety answer cannot be read."""
    what = "an unreadable safety answer"
    return _check_now(tally.safety_count, what, tally.safety, "safety_unreadable")


def summary_text(report: BatchReport) -> str:
    """The summary printed at the end of every run (to stderr)."""
    tally = report.tally
    total = tally.records
    lines = urgent_lines(tally) + safety_lines(tally)
    if report.mapped and report.columns.missing:  # first: a map that leaves questions out
        missing = report.columns.missing
        lines.append(
            f"{_count(len(missing))} question{'s' if len(missing) > 1 else ''} of the rules"
            f" {'have' if len(missing) > 1 else 'has'} no column in the map or the export:"
            f" unknown in every record ({', '.join(missing)})"
        )
    lines.append(
        f"screener batch: {_count(total)} record{'' if total == 1 else 's'} from {report.input} in"
        f" {report.seconds:.1f} s -> {report.output}"
    )
    for name in (*reversed(OUTCOME_BY_CODE[:INVALID]), OUTCOME_BY_CODE[INVALID]):
        count = tally.outcomes[name]
        share = f"{100 * count / total:5.1f}%" if total else ""
        lines.append(f"  {name:<16} {_count(count):>11}  {share}")
    not_scored = tally.outcomes[OUTCOME_BY_CODE[NOT_SCORED]]
    if not_scored:  # REDCap records whose form is not marked complete
        share = f"{100 * not_scored / total:5.1f}%"
        lines.append(f"  {OUTCOME_BY_CODE[NOT_SCORED]:<16} {_count(not_scored):>11}  {share}")
        lines.append(
            "  (not_scored: the REDCap form is not Complete; --include-incomplete scores them)"
        )
    rule_map = report.ruleset.rule_map
    lines += _top_rules(
        "Most frequent reasons (rules deciding the outcome, records):",
        tally.deciding,
        rule_map,
    )
    lines += _top_rules(
        "Most frequent undecided rules (could not be decided for lack of answers, records):",
        tally.undecided,
        rule_map,
    )
    if tally.invalid_count:
        lines.append(
            f"Invalid records: {_count(tally.invalid_count)} (first problem of each; every"
            " problem, with its value, is in the output's errors column):"
        )
        for record in tally.invalid[:INVALID_SHOWN]:
            more = f" (+{record.problems - 1} more)" if record.problems > 1 else ""
            mark = " [urgent answer]" if record.urgent else ""
            mark += " [safety answer unreadable]" if record.safety else ""
            problem = describe_problem(record.problem, report.show_values)
            lines.append(f"  {record.name}: {problem}{more}{mark}")
        hidden = tally.invalid_count - min(INVALID_SHOWN, len(tally.invalid))
        if hidden:
            lines.append(
                f"  ... and {_count(hidden)} more (--summary-json lists the first"
                f" {_count(INVALID_LISTED)})"
            )
    if total and tally.wrong_width * 10 >= total * 9:
        # Nearly every record disagrees with the header: the header is the likelier culprit.
        lines.append(
            f"{_count(tally.wrong_width)} of {_count(total)} records have a different number of"
            " fields than the header: check the header for a missing or extra column"
        )
    columns = report.columns
    if columns.id_index is None:
        lines.append("No id column: records are named by their row number only.")
    if columns.unknown:
        lines.append(f"Columns the rule set does not know (ignored): {name_list(columns.unknown)}")
    if columns.missing:
        lines.append(f"Questions with no column (answers unknown): {name_list(columns.missing)}")
    if report.blank_lines:
        lines.append(f"Blank lines skipped: {_count(report.blank_lines)}")
    return "\n".join(lines) + "\n"


def _top_rules(title: str, counts: Counter[str], rule_map: Mapping[str, Rule]) -> list[str]:
    if not counts:
        return []
    top = counts.most_common(TOP_REASONS)
    width = max(len(rule) for rule, _ in top)
    return [title] + [
        f"  {rule:<{width}} {_count(count):>11}  {rule_map[rule].label}" for rule, count in top
    ]


def summary_json(report: BatchReport) -> str:
    """The summary for scripts (`--summary-json`)."""
    tally = report.tally
    rule_map = report.ruleset.rule_map
    data = {
        "schema": SUMMARY_SCHEMA,
        "input": report.input,
        "output": report.output,
        "ruleset": {
            "name": report.ruleset.name,
            "version": report.ruleset.version,
            "sha256": report.ruleset.sha256,
        },
        "records": tally.records,
        "outcomes": {
            name: tally.outcomes[name]
            for name in OUTCOME_BY_CODE
            if name != OUTCOME_BY_CODE[NOT_SCORED] or tally.outcomes[name]
        },
        "top_reasons": [
            {"rule": rule, "label": rule_map[rule].label, "records": count}
            for rule, count in tally.deciding.most_common(TOP_REASONS)
        ],
        "top_undecided": [
            {"rule": rule, "label": rule_map[rule].label, "records": count}
            for rule, count in tally.undecided.most_common(TOP_REASONS)
        ],
        "urgent_answer_not_scored": tally.urgent_count,
        "urgent_answer_not_scored_records": [{"row": r.row, "id": r.id} for r in tally.urgent],
        "safety_unreadable": tally.safety_count,
        "safety_unreadable_records": [{"row": r.row, "id": r.id} for r in tally.safety],
        INVALID_OUTCOME: [
            {
                "row": r.row,
                "id": r.id,
                "problem": describe_problem(r.problem, report.show_values),
                "problems": r.problems,
                "safety_unreadable": r.safety,
                "urgent_answer": r.urgent,
            }
            for r in tally.invalid
        ],
        "invalid_listed_limit": INVALID_LISTED,
        "columns": {
            question: report.columns.header[index].strip()
            for question, index in report.columns.questions.items()
        },
        "id_column": (
            None
            if report.columns.id_index is None
            else report.columns.header[report.columns.id_index].strip()
        ),
        "unknown_columns": list(report.columns.unknown),
        "missing_columns": list(report.columns.missing),
        "blank_lines_skipped": report.blank_lines,
        "seconds": round(report.seconds, 3),
        "exit_code": report.exit_code,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
