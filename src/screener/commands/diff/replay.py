"""Replay records under two rule sets: outcome transitions, changed records, structural changes.

Pure: records in, a result out. Each record is read (coerced) against each rule set, since the
questions may differ between versions; a record that cannot be read under a rule set is
`invalid` there, its own row and column of the matrix, and never counts as widening.

This module replays records one at a time (the cases of a cases file) and holds what both ways
of replaying share; `diff_columnar` replays a CSV export block by block and comes here only for
the records that differ.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from screener.columnar.header import ColumnMap
from screener.core import verdict
from screener.core.coercion import coerce_answers
from screener.core.frozen import field, record_class
from screener.core.model import Derived, Question, Rule, RuleSet, Value
from screener.core.outcome_memo import OutcomeMemo
from screener.core.problems import name_list, printable, shown
from screener.core.screening import Outcome
from screener.core.tristate import Tri
from screener.core.verdict import INVALID

# Matrix rows and columns, most restrictive first.
OUTCOME_ORDER = (*(o.value for o in sorted(Outcome, key=lambda o: -o.severity)), INVALID)

WIDENED, NARROWED, SAME, INVALID_CHANGE = "widened", "narrowed", "same", INVALID


# ---- structural changes -------------------------------------------------------------


@record_class
class StructuralChange:
    kind: str  # "question", "derived value" or "rule"
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
        "choice facts": "; ".join(
            f"{c.value}: " + ", ".join(f"{k}={v}" for k, v in sorted(c.facts.items()))
            for c in q.choices
            if c.facts
        )
        or None,
        "catch-all choices": ", ".join(c.value for c in q.choices if c.catch_all) or None,
        "aliases": ", ".join(q.aliases) or None,
        "max_items": q.max_items or None,
    }


def _derived_fields(d: Derived) -> dict[str, object]:
    return {"type": "derived", "label": d.label, "value": d.text, "unit": d.unit}


def _rule_fields(r: Rule) -> dict[str, object]:
    return {
        "action": r.action.value,
        "label": r.label,
        "when": " ".join(r.when_text.split()),
        "reason": r.reason,
        "reason_clear": r.reason_clear,
        "source": r.source,
        "next_step": r.next_step,
        "priority": r.priority.value if r.priority else None,
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
    # A list's fields are compared as questions of their own (`list.field`).
    questions = _changes(
        "question",
        {qid: _question_fields(q) for qid, q in _with_fields(old)},
        {qid: _question_fields(q) for qid, q in _with_fields(new)},
    )
    derived = _changes(
        "derived value",
        {d.id: _derived_fields(d) for d in old.derived},
        {d.id: _derived_fields(d) for d in new.derived},
    )
    rules = _changes(
        "rule",
        {r.id: _rule_fields(r) for r in old.rules},
        {r.id: _rule_fields(r) for r in new.rules},
    )
    return tuple(questions + derived + rules)


def _with_fields(ruleset: RuleSet) -> list[tuple[str, Question]]:
    out = []
    for question in ruleset.questions:
        out.append((question.id, question))
        out.extend((f"{question.id}.{f.id}", f) for f in question.fields)
    return out


# ---- records and how each rule set scores them ---------------------------------------


@record_class
class DataRecord:
    number: int  # 1-based, counting records (not lines)
    intake_id: str | None
    case: str | None  # the case's name, when the data is a cases file
    cells: Sequence[object] = ()  # raw values by column (kept only where records are read here)
    error: str | None = None  # why the record cannot be read at all (its shape)

    @property
    def key(self) -> str:
        """How the details file names the record: the case name or the row number."""
        return self.case if self.case is not None else str(self.number)

    @property
    def label(self) -> str:
        """ "row 12 (intake A-17)", "row 12", or "case 'name'"."""
        if self.case is not None:
            return f"case {self.case!r}"
        # The id as a message quotes one: never a terminal code or a line of its own.
        intake = f" (intake {printable(self.intake_id, 60)})" if self.intake_id else ""
        return f"row {self.number}{intake}"


@record_class
class Side:
    """One record under one rule set."""

    outcome: str  # an Outcome value, or "invalid"
    values: tuple[Tri, ...]  # each rule's value in rule order (empty when invalid)
    deciding: tuple[str, ...]
    errors: tuple[str, ...]
    scored: Mapping[str, Value] = field(default_factory=dict)  # the answers that counted


def invalid_side(errors: Sequence[str]) -> Side:
    return Side(INVALID, (), (), tuple(errors))


def scored_side(memo: OutcomeMemo, answers: Mapping[str, Value]) -> Side:
    """A readable record's outcome, rule values and deciding rules, by the core evaluator."""
    verdict = memo.verdict(answers)
    return Side(verdict.outcome.value, verdict.values, verdict.deciding, (), verdict.scored)


class RecordScorer:
    """Reads records (cells by column) against one rule set and scores them one by one."""

    def __init__(self, ruleset: RuleSet, columns: ColumnMap) -> None:
        self.ruleset = ruleset
        self.memo = OutcomeMemo(ruleset)
        # Read in file order, so problems are listed as the columns stand.
        self.fields = sorted(columns.questions.items(), key=lambda item: item[1])
        self.labels = {q: columns.label(q) for q in columns.questions}

    def side(self, record: DataRecord) -> Side:
        if record.error is not None:
            return invalid_side([record.error])
        raw = {qid: record.cells[index] for qid, index in self.fields}
        answers, problems = coerce_answers(self.ruleset.question_map, raw)
        if problems:
            return invalid_side(
                [f"{self.labels[p.question]}: {p.message} (got {p.value!r})" for p in problems]
            )
        return scored_side(self.memo, answers)


# ---- the diff -----------------------------------------------------------------------


@record_class
class RuleChange:
    rule: str
    old: Tri | str  # "absent" when the rule is not in that rule set
    new: Tri | str


@record_class
class RecordChange:
    record: DataRecord
    old: Side
    new: Side
    direction: str  # widened, narrowed, same, invalid
    rules: tuple[RuleChange, ...]

    @property
    def outcome_changed(self) -> bool:
        return self.old.outcome != self.new.outcome


@record_class(frozen=False)
class DiffResult:
    old: RuleSet
    new: RuleSet
    data_name: str
    structure: tuple[StructuralChange, ...]
    matrix: Counter[tuple[str, str]] = field(default_factory=Counter)
    records: int = 0
    not_scored: int = 0  # REDCap forms not marked Complete: in `records`, replayed by neither
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


class RuleDelta:
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
        out += [
            RuleChange(r.id, old.values[i], "absent")
            for r, i in self.removed
            if verdict.matters(r.action, old.values[i])
        ]
        out += [
            RuleChange(r.id, "absent", new.values[j])
            for r, j in self.added
            if verdict.matters(r.action, new.values[j])
        ]
        return tuple(out)

    def record_change(self, record: DataRecord, old: Side, new: Side) -> RecordChange | None:
        """The record's entry in the report, or None when nothing about it changed."""
        rules = self.changes(old, new)
        direction = _direction(old.outcome, new.outcome)
        if direction == SAME and not rules and old.errors == new.errors:
            return None
        return RecordChange(record, old, new, direction, rules)


def diff_records(
    old: RuleSet,
    new: RuleSet,
    old_columns: ColumnMap,
    new_columns: ColumnMap,
    records: Iterable[DataRecord],
    data_name: str,
) -> DiffResult:
    """Score every record under both rule sets, one record at a time."""
    result = DiffResult(old, new, data_name, structural_changes(old, new))
    old_scorer, new_scorer = RecordScorer(old, old_columns), RecordScorer(new, new_columns)
    delta = RuleDelta(old, new)
    for record in records:
        before, after = old_scorer.side(record), new_scorer.side(record)
        result.records += 1
        result.matrix[before.outcome, after.outcome] += 1
        change = delta.record_change(record, before, after)
        if change is not None:
            result.changes.append(change)
    result.notes += column_notes(old_columns, new_columns)
    return result


def column_notes(old: ColumnMap, new: ColumnMap) -> list[str]:
    """Columns neither or only one rule set reads, and questions without a column."""
    old_read, new_read = set(old.questions.values()), set(new.questions.values())
    named = [
        (index, cell.strip() or f"(column {index + 1} has no name)")
        for index, cell in enumerate(old.header)
        if index not in (old.id_index, new.id_index)
    ]
    notes = [
        f"column {shown(name)} is not a question in either rule set; ignored"
        if index not in new_read
        else f"column {shown(name)} is a question only in the new rules"
        for index, name in named
        if index not in old_read
    ]
    notes += [
        f"column {shown(name)} is a question only in the old rules"
        for index, name in named
        if index in old_read and index not in new_read
    ]
    both = list(old.missing) == list(new.missing)
    for label, columns in (("old and new", old),) if both else (("old", old), ("new", new)):
        if columns.missing:
            notes.append(
                f"no column for {name_list(columns.missing)} ({label} rules):"
                " unknown in every record"
            )
    return notes
