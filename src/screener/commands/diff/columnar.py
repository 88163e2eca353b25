"""Replay a CSV export under two rule sets block by block, the way `screener batch` scores it.

Each rule set scores every block of records column-wise (batch's `ColumnarScorer`, held equal to
`evaluate()` by property tests). Only the records the two rule sets treat differently (another
outcome, another value of a rule, other reasons they cannot be read) are then looked at one by
one: their answers (already coerced, one per distinct cell text) go through the core evaluator,
as a record of a cases file does, for the rule values, deciding rules and answers the report
shows. Those are usually a small fraction of an export.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from screener.columnar.coding import MAX_DISTINCT, Block, ColumnCoder, code_blocks
from screener.columnar.header import ColumnMap
from screener.columnar.reader import RecordSource
from screener.columnar.redcap_source import annotate
from screener.columnar.scorer import (
    INVALID,
    NOT_SCORED,
    OUTCOME_BY_CODE,
    BlockResult,
    ColumnarScorer,
    TriArray,
)
from screener.commands.diff.replay import (
    DataRecord,
    DiffResult,
    RuleDelta,
    Side,
    column_notes,
    invalid_side,
    structural_changes,
)
from screener.core import verdict
from screener.core.evaluate import visible_answers
from screener.core.model import Question, Rule, RuleSet, Value
from screener.interop.redcap.export_rows import RedcapExport

Mask = npt.NDArray[np.bool_]
OUTCOMES = len(OUTCOME_BY_CODE)


class _BlockScorer:
    """One rule set: scores blocks column-wise; a single record in full on request."""

    def __init__(
        self, ruleset: RuleSet, columns: ColumnMap, shared: _BlockScorer | None = None
    ) -> None:
        self.ruleset = ruleset
        self.columns = columns
        labels = {q: columns.label(q) for q in columns.questions}
        coders = None
        if shared is not None:
            coders = {q: shared.scorer.coders[q] for q in columns.questions}
        self.scorer: ColumnarScorer = ColumnarScorer(ruleset, labels, coders)
        self.rule_actions = [(rule.id, rule.action) for rule in ruleset.rules]

    def coding(self) -> tuple[dict[str, int], dict[str, ColumnCoder]]:
        """Its questions in file order, and its code tables."""
        in_file_order = dict(sorted(self.columns.questions.items(), key=lambda item: item[1]))
        return in_file_order, self.scorer.coders

    def side(self, block: Block, result: BlockResult, offset: int) -> Side:
        """The record under this rule set, from the column-wise values: the outcome and
        deciding rules by verdict.decide_values, with no reason text built."""
        code = int(result.outcome[offset])
        if code == INVALID:
            return invalid_side(result.problems[offset])
        coders = self.scorer.coders
        answers: dict[str, Value] = dict.fromkeys(self.ruleset.question_map)
        for question, codes in block.codes.items():
            answers[question] = coders[question].answers[int(codes[offset])]
        values = tuple(verdict.TRI_ORDER[int(v[offset])] for v in result.values)
        outcome, deciding = verdict.decide_values(self.rule_actions, values)
        if outcome.value != OUTCOME_BY_CODE[code]:  # pragma: no cover - a broken equivalence
            raise AssertionError("the column-wise outcome differs from the rules' values")
        scored, _ = visible_answers(self.ruleset, answers)
        return Side(outcome.value, values, deciding, (), scored)


def _read_alike(old: RuleSet, new: RuleSet, old_columns: ColumnMap, new_columns: ColumnMap) -> bool:
    """Both rule sets take the same questions from the same columns and accept the same values:
    each block is then coded once, for both (what a cell means depends on nothing else)."""

    def reading(question: Question) -> tuple[object, ...]:
        return (question.type, question.min, question.max, question.choices)

    return old_columns.questions == new_columns.questions and all(
        reading(old.question_map[q]) == reading(new.question_map[q]) for q in old_columns.questions
    )


def _matters(rule: Rule, values: TriArray) -> Mask:
    """Per record, verdict.matters: the rule fires, or (unless a flag) is undecided."""
    table = np.array(verdict.by_tri(verdict.matters, rule.action), dtype=np.bool_)
    mask: Mask = table[values]
    return mask


def _differing(delta: RuleDelta, old: BlockResult, new: BlockResult) -> list[int]:
    """Offsets of the records whose report entry could be non-empty (a superset is fine: the
    per-record comparison decides; a record left out here must have nothing to report)."""
    size = len(old.outcome)
    rules = np.zeros(size, dtype=np.bool_)
    for _, i, j in delta.shared:
        rules |= old.values[i] != new.values[j]
    for rule, i in delta.removed:
        rules |= _matters(rule, old.values[i])
    for rule, j in delta.added:
        rules |= _matters(rule, new.values[j])
    # Rule values are compared only where both sides could read the record, as RuleDelta does,
    # and scored it (a REDCap form that is not complete is scored by neither).
    rules &= (old.outcome != INVALID) & (new.outcome != INVALID) & (old.outcome != NOT_SCORED)
    differing = rules | (old.outcome != new.outcome)
    offsets = set(np.flatnonzero(differing).tolist())
    offsets.update(
        i for i in set(old.problems) & set(new.problems) if old.problems[i] != new.problems[i]
    )
    return sorted(offsets)


Coding = tuple[Mapping[str, int], Mapping[str, ColumnCoder]]


def _block_pairs(
    source: RecordSource | RedcapExport,
    id_index: int | None,
    codings: Sequence[Coding],
    read_rows: int,
    block_rows: int,
    max_distinct: int,
) -> Iterator[tuple[Block, Block]]:
    """The same records coded for the old and the new rule set: straight from Arrow's columns
    for a CSV export; through the rows a REDCap export folds into records (each block marked
    with the records the export says not to score)."""
    if isinstance(source, RecordSource):
        for blocks in source.blocks(id_index, codings, block_rows, None, max_distinct):
            yield blocks[0], blocks[-1]
        return
    streams = itertools.tee(source.chunks(read_rows), len(codings))
    width = len(source.header)
    coded = [
        code_blocks(stream, width, id_index, columns, coders, block_rows, None, max_distinct)
        for stream, (columns, coders) in zip(streams, codings, strict=True)
    ]
    for pair in zip(*coded, strict=True):
        for block in pair:
            annotate(source, block)
        yield pair[0], pair[-1]


def diff_export(
    old: RuleSet,
    new: RuleSet,
    source: RecordSource | RedcapExport,
    old_columns: ColumnMap,
    new_columns: ColumnMap,
    read_rows: int,
    block_rows: int,
    max_distinct: int = MAX_DISTINCT,
    data_name: str = "",
) -> DiffResult:
    """Score every record of the export under both rule sets; the same result as
    `rule_diff.diff_records` on the same records."""
    name = str(source.path) if isinstance(source, RecordSource) else data_name
    result = DiffResult(old, new, name, structural_changes(old, new))
    before = _BlockScorer(old, old_columns)
    delta = RuleDelta(old, new)
    if _read_alike(old, new, old_columns, new_columns):
        after = _BlockScorer(new, new_columns, shared=before)
        codings = [before.coding()]
    else:
        after = _BlockScorer(new, new_columns)
        codings = [before.coding(), after.coding()]
    pairs = _block_pairs(source, old_columns.id_index, codings, read_rows, block_rows, max_distinct)
    transitions = np.zeros(OUTCOMES * OUTCOMES, dtype=np.int64)
    for old_block, new_block in pairs:
        old_result = before.scorer.score(old_block)
        new_result = after.scorer.score(new_block)
        pair_codes = old_result.outcome.astype(np.intp) * OUTCOMES + new_result.outcome
        transitions += np.bincount(pair_codes, minlength=OUTCOMES * OUTCOMES)
        result.records += old_block.size
        result.not_scored += len(old_block.not_scored)
        for offset in _differing(delta, old_result, new_result):
            record = DataRecord(
                old_block.start + offset, old_block.ids[offset].strip() or None, None
            )
            change = delta.record_change(
                record,
                before.side(old_block, old_result, offset),
                after.side(new_block, new_result, offset),
            )
            if change is not None:
                result.changes.append(change)
    for index, count in enumerate(transitions.tolist()):
        if count:
            pair = (OUTCOME_BY_CODE[index // OUTCOMES], OUTCOME_BY_CODE[index % OUTCOMES])
            result.matrix[pair] += count
    result.notes += column_notes(old_columns, new_columns)
    return result
