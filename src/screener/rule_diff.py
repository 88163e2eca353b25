"""Replay records under two rule sets: outcome transitions, changed records, structural changes.

Pure: records in, a result out. Each record is read (coerced) against each rule set, since the
questions may differ between versions; a record that cannot be read under a rule set is
`invalid` there, its own row and column of the matrix, and never counts as widening.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from screener.answer_coercion import coerce_answers
from screener.csv_records import ID_COLUMN, DataRecord, question_columns
from screener.errors import ScreenerError
from screener.outcome_memo import OutcomeMemo
from screener.questions import Question, Value
from screener.ruleset import Rule, RuleSet
from screener.schema import Action
from screener.screening import Outcome
from screener.tristate import Tri

INVALID = "invalid"
# Matrix rows and columns, most restrictive first.
OUTCOME_ORDER = (*(o.value for o in sorted(Outcome, key=lambda o: -o.severity)), INVALID)

WIDENED, NARROWED, SAME, INVALID_CHANGE = "widened", "narrowed", "same", "invalid"
FAIL_ON = ("widened", "narrowed", "any")


class ForbiddenChange(ScreenerError):
    """`diff --fail-on` found records that moved the forbidden way."""

    exit_code = 4


# ---- structural changes -------------------------------------------------------------


@dataclass(frozen=True)
class StructuralChange:
    kind: str  # "question" or "rule"
    id: str
    change: str  # "added", "removed", "changed"
    details: tuple[str, ...]  # "when: 'a' -> 'b'"

    def __str__(self) -> str:
        return f"{self.kind} {self.id} {self.change}"


def _show(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return repr(" ".join(value.split()))
    return str(value)


def _question_fields(q: Question) -> dict[str, object]:
    return {
        "type": q.type.value,
        "text": q.text,
        "help": q.help,
        "required": q.required,
        "ask_if": q.ask_if_text,
        "min": q.min,
        "max": q.max,
        "unit": q.unit,
        "choices": ", ".join(q.choice_values) or None,
        "choice labels": "; ".join(c.label for c in q.choices) or None,
        "aliases": ", ".join(q.aliases) or None,
    }


def _rule_fields(r: Rule) -> dict[str, object]:
    return {
        "action": r.action.value,
        "label": r.label,
        "when": " ".join(r.when_text.split()),
        "reason": r.reason,
        "reason_clear": r.reason_clear,
        "source": r.source,
    }


def _changes(
    kind: str, old: dict[str, dict[str, object]], new: dict[str, dict[str, object]]
) -> list[StructuralChange]:
    out = []
    for key, fields in old.items():
        if key not in new:
            out.append(StructuralChange(kind, key, "removed", ()))
            continue
        details = tuple(
            f"{name}: {_show(value)} -> {_show(new[key][name])}"
            for name, value in fields.items()
            if value != new[key][name]
        )
        if details:
            out.append(StructuralChange(kind, key, "changed", details))
    for key, fields in new.items():
        if key not in old:
            summary = f"{fields.get('type') or fields.get('action')}"
            out.append(StructuralChange(kind, key, "added", (summary,)))
    return out


def structural_changes(old: RuleSet, new: RuleSet) -> tuple[StructuralChange, ...]:
    questions = _changes(
        "question",
        {q.id: _question_fields(q) for q in old.questions},
        {q.id: _question_fields(q) for q in new.questions},
    )
    rules = _changes(
        "rule",
        {r.id: _rule_fields(r) for r in old.rules},
        {r.id: _rule_fields(r) for r in new.rules},
    )
    return tuple(questions + rules)


# ---- scoring records ----------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One record under one rule set."""

    outcome: str  # an Outcome value, or "invalid"
    values: tuple[Tri, ...]  # each rule's value in rule order (empty when invalid)
    deciding: tuple[str, ...]
    errors: tuple[str, ...]
    scored: Mapping[str, Value] = field(default_factory=dict)  # the answers that counted


class RecordScorer:
    """Reads records against one rule set and scores them (outcomes remembered by rule values)."""

    def __init__(self, ruleset: RuleSet, columns: tuple[str, ...]) -> None:
        self.ruleset = ruleset
        self.columns = question_columns(ruleset, columns)
        self.memo = OutcomeMemo(ruleset)
        self.ignored = tuple(c for c in columns if c not in self.columns)
        self.absent = tuple(q for q in ruleset.question_map if q not in self.columns.values())

    def read(self, record: DataRecord) -> tuple[dict[str, Value], tuple[str, ...]]:
        raw = {qid: record.cells[col] for col, qid in self.columns.items() if col in record.cells}
        answers, problems = coerce_answers(self.ruleset.question_map, raw)
        return answers, tuple(str(p) for p in problems)

    def score(self, record: DataRecord, read: tuple[dict[str, Value], tuple[str, ...]]) -> Side:
        if record.error is not None:
            return Side(INVALID, (), (), (record.error,))
        answers, problems = read
        if problems:
            return Side(INVALID, (), (), problems)
        verdict = self.memo.verdict(answers)
        return Side(verdict.outcome.value, verdict.values, verdict.deciding, (), verdict.scored)


def _reading(ruleset: RuleSet, columns: dict[str, str]) -> tuple[object, ...]:
    """What reading a record depends on: if equal for both rule sets, read once."""
    shape = tuple((q.id, q.type, q.min, q.max, q.choices, q.aliases) for q in ruleset.questions)
    return (shape, tuple(sorted(columns.items())))


# ---- the diff -----------------------------------------------------------------------


@dataclass(frozen=True)
class RuleChange:
    rule: str
    old: Tri | str  # "absent" when the rule is not in that rule set
    new: Tri | str


@dataclass(frozen=True)
class RecordChange:
    record: DataRecord
    old: Side
    new: Side
    direction: str  # widened, narrowed, same, invalid
    rules: tuple[RuleChange, ...]

    @property
    def outcome_changed(self) -> bool:
        return self.old.outcome != self.new.outcome


@dataclass
class DiffResult:
    old: RuleSet
    new: RuleSet
    data_name: str
    structure: tuple[StructuralChange, ...]
    matrix: Counter[tuple[str, str]] = field(default_factory=Counter)
    records: int = 0
    changes: list[RecordChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, direction: str) -> int:
        return sum(1 for c in self.changes if c.direction == direction)

    @property
    def outcome_changes(self) -> list[RecordChange]:
        return [c for c in self.changes if c.outcome_changed]

    def forbidden(self, fail_on: str) -> int:
        """Records that moved the way `--fail-on` forbids."""
        if fail_on == "any":
            return len(self.outcome_changes)
        return self.count(WIDENED if fail_on == "widened" else NARROWED)


def _direction(old: str, new: str) -> str:
    if old == new:
        return SAME
    if INVALID in (old, new):
        return INVALID_CHANGE
    return WIDENED if Outcome(new).severity < Outcome(old).severity else NARROWED


class _RuleDelta:
    """Which rule values to compare between the two rule sets, by position."""

    def __init__(self, old: RuleSet, new: RuleSet) -> None:
        old_index = {r.id: i for i, r in enumerate(old.rules)}
        new_index = {r.id: i for i, r in enumerate(new.rules)}
        self.shared = [
            (r.id, old_index[r.id], new_index[r.id]) for r in new.rules if r.id in old_index
        ]
        self.removed = [(r, old_index[r.id]) for r in old.rules if r.id not in new_index]
        self.added = [(r, new_index[r.id]) for r in new.rules if r.id not in old_index]

    def changes(self, old: Side, new: Side) -> tuple[RuleChange, ...]:
        if not old.values or not new.values:
            return ()
        out = [
            RuleChange(rule, old.values[i], new.values[j])
            for rule, i, j in self.shared
            if old.values[i] is not new.values[j]
        ]
        # A rule only one side has matters to a record when it fires or cannot be decided there.
        out += [
            RuleChange(r.id, old.values[i], "absent")
            for r, i in self.removed
            if _matters(r, old.values[i])
        ]
        out += [
            RuleChange(r.id, "absent", new.values[j])
            for r, j in self.added
            if _matters(r, new.values[j])
        ]
        return tuple(out)


def _matters(rule: Rule, value: Tri) -> bool:
    if value is None:
        return rule.action is not Action.FLAG
    return value is (rule.action is not Action.REQUIRE)


def diff_records(
    old: RuleSet,
    new: RuleSet,
    columns: tuple[str, ...],
    records: Iterable[DataRecord],
    data_name: str,
) -> DiffResult:
    """Score every record under both rule sets (records are read once, as they stream by)."""
    result = DiffResult(old, new, data_name, structural_changes(old, new))
    old_scorer, new_scorer = RecordScorer(old, columns), RecordScorer(new, columns)
    read_once = _reading(old, old_scorer.columns) == _reading(new, new_scorer.columns)
    delta = _RuleDelta(old, new)
    for record in records:
        old_read = old_scorer.read(record)
        new_read = old_read if read_once else new_scorer.read(record)
        before = old_scorer.score(record, old_read)
        after = new_scorer.score(record, new_read)
        result.records += 1
        result.matrix[before.outcome, after.outcome] += 1
        rules = delta.changes(before, after)
        direction = _direction(before.outcome, after.outcome)
        if direction != SAME or rules or before.errors != after.errors:
            result.changes.append(RecordChange(record, before, after, direction, rules))
    result.notes += _column_notes(old_scorer, new_scorer)
    return result


def _column_notes(old: RecordScorer, new: RecordScorer) -> list[str]:
    notes = []
    for column in old.ignored:
        if column == ID_COLUMN:
            continue
        if column in new.ignored:
            notes.append(f"column {column!r} is not a question in either rule set; ignored")
        else:
            notes.append(f"column {column!r} is a question only in the new rules")
    notes += [
        f"column {c!r} is a question only in the old rules"
        for c in new.ignored
        if c not in old.ignored and c != ID_COLUMN
    ]
    for label, scorer in (("old", old), ("new", new)):
        if scorer.absent:
            notes.append(
                f"no column for {', '.join(scorer.absent)} ({label} rules): unknown in every record"
            )
    return notes
