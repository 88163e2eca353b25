"""Score a block of coded records column-wise, with the same semantics as `evaluate.evaluate`.

The row evaluator defines the semantics; this is a faster way to compute the same thing for
many records at once (a property test holds the two together):

- A sub-condition that reads one question is computed by the core's compiled condition once
  per distinct answer, giving a lookup table from code to value; one that reads several
  questions (`a > b`) once per distinct combination present in the block.
- `and`, `or`, `not` combine those per record with Kleene logic, encoded as false=0,
  unknown=1, true=2 so that `and` is the minimum, `or` the maximum and `not` is 2 - x.
- A part with the same meaning in several conditions is planned once and computed once a
  block (`Planner`).
- Skip logic hides a question exactly as `visible_answers` does: only when its ask_if is
  definitely false, and a hidden answer reads as unknown (code 0).
- The outcome, deciding rules and missing questions follow `verdict.decide` and
  `verdict.missing`. Each is returned as a packed bit-set key per record, so texts are built
  once per distinct key.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from screener.columnar.coding import ABSENT, Block, ColumnCoder
from screener.columnar.distinct import Inverse, distinct_numbers, distinct_rows
from screener.core import verdict
from screener.core.conditions.compile import compile_condition
from screener.core.conditions.syntax import (
    And,
    Compare,
    ItemCount,
    Literal,
    Node,
    Not,
    Or,
    meaning_key,
    referenced_questions,
)
from screener.core.frozen import field, record_class, replace
from screener.core.model import Action, Condition, Rule, RuleSet, Value
from screener.core.screening import ACTION_OUTCOME, Outcome
from screener.core.tristate import Tri

TriArray = npt.NDArray[np.int8]
Mask = npt.NDArray[np.bool_]
# A block's answer codes as the scorer holds them: numpy indexes a table with intp codes
# without first making a converted copy (twice as fast as with the reader's int32 codes).
Index = npt.NDArray[np.intp]

# A rule's value per record, coded by its position in verdict.TRI_ORDER.
FALSE, UNKNOWN, TRUE = (verdict.TRI_ORDER.index(v) for v in (False, None, True))
# Outcome codes are severities (likely_eligible 0 ... urgent 3); INVALID marks unreadable records,
# NOT_SCORED records a REDCap export marks as not complete.
INVALID = 4
NOT_SCORED = 5
OUTCOME_BY_CODE: tuple[str, ...] = (
    *(o.value for o in sorted(Outcome, key=lambda o: o.severity)),
    verdict.INVALID,
    verdict.NOT_SCORED,
)


def tri_code(value: Tri) -> int:
    return UNKNOWN if value is None else (TRUE if value else FALSE)


class _Context:
    """One block: answer codes as scored (hidden answers read as absent), and the values of
    the parts several conditions share, once computed."""

    def __init__(self, coders: Mapping[str, ColumnCoder], size: int) -> None:
        self.coders = coders
        self.size = size
        self.scored: dict[str, Index] = {}
        self.shared: dict[_Part, TriArray] = {}


class _Part:
    """A condition's part over a block. A part that several conditions hold (the same
    meaning, wherever it is written) is one object, computed once a block; what `tri` returns
    is never changed in place."""

    shared = False

    def tri(self, ctx: _Context) -> TriArray:
        if not self.shared:
            return self._tri(ctx)
        found = ctx.shared.get(self)
        if found is None:
            found = ctx.shared[self] = self._tri(ctx)
        return found

    def _tri(self, ctx: _Context) -> TriArray:
        raise NotImplementedError


class _Constant(_Part):
    def __init__(self, value: int) -> None:
        self.value = value

    def _tri(self, ctx: _Context) -> TriArray:
        return np.full(ctx.size, self.value, dtype=np.int8)


class _OneQuestion(_Part):
    """A sub-condition reading one question: a table by answer code, extended as codes appear."""

    def __init__(self, question: str, condition: Condition) -> None:
        self.question = question
        self.condition = condition
        self.generation = -1
        self.known: list[int] = []
        self.table = np.zeros(0, dtype=np.int8)

    def _tri(self, ctx: _Context) -> TriArray:
        coder = ctx.coders[self.question]
        if coder.generation != self.generation:
            self.generation = coder.generation
            self.known = []
        values = coder.answers
        if len(self.known) < len(values):
            name, condition = self.question, self.condition
            self.known.extend(tri_code(condition({name: v})) for v in values[len(self.known) :])
            self.table = np.array(self.known, dtype=np.int8)
        result: TriArray = self.table[ctx.scored[self.question]]
        return result


class _SeveralQuestions(_Part):
    """A comparison or membership reading several questions: once per combination present."""

    def __init__(self, questions: tuple[str, ...], condition: Condition) -> None:
        self.questions = questions
        self.condition = condition

    def _tri(self, ctx: _Context) -> TriArray:
        columns = [ctx.scored[q] for q in self.questions]
        sizes = [len(ctx.coders[q].answers) for q in self.questions]
        if np.prod(np.array(sizes, dtype=np.float64)) < 2.0**62:
            # Each combination as one number (faster to hash than rows of a 2-D array).
            key = columns[0].astype(np.int64)
            for column, size in zip(columns[1:], sizes[1:], strict=True):
                key = key * size + column
            numbers, inverse = distinct_numbers(key)
            combos: npt.NDArray[Any] = np.empty((len(numbers), len(columns)), dtype=np.int64)
            for place in range(len(columns) - 1, -1, -1):
                combos[:, place] = numbers % sizes[place]
                numbers = numbers // sizes[place]
        else:
            combos, inverse = distinct_rows(np.stack(columns, axis=1).astype(np.uint64))
        table = np.empty(len(combos), dtype=np.int8)
        for i, combo in enumerate(combos.tolist()):
            answers: dict[str, Value] = {
                q: ctx.coders[q].answers[code]
                for q, code in zip(self.questions, combo, strict=True)
            }
            table[i] = tri_code(self.condition(answers))
        result: TriArray = table[inverse.reshape(-1)]
        return result


class _Not(_Part):
    def __init__(self, operand: _Part) -> None:
        self.operand = operand

    def _tri(self, ctx: _Context) -> TriArray:
        result: TriArray = np.subtract(TRUE, self.operand.tri(ctx), dtype=np.int8)
        return result


class _Connective(_Part):
    def __init__(self, parts: tuple[_Part, ...], is_and: bool) -> None:
        self.parts = parts
        self.combine = np.minimum if is_and else np.maximum

    def _tri(self, ctx: _Context) -> TriArray:
        first = self.parts[0].tri(ctx)
        if len(self.parts) == 1:
            return first
        result: TriArray = self.combine(first, self.parts[1].tri(ctx))  # a new array
        for part in self.parts[2:]:
            self.combine(result, part.tri(ctx), out=result)
        return result


class _CountCompare(_Part):
    """`count(...)` or `distinct(...)` compared with a number, for the whole block.

    As `compile.compare_values` on the `Span` the row evaluator builds: each item's term is
    planned like any condition; the count lies between the items that surely match and those
    that may; for `distinct`, each item's field value becomes an id shared by all items
    (unknown and catch-all values count as possibly new)."""

    def __init__(
        self,
        count: ItemCount,
        terms: tuple[_Part, ...],
        op: str,
        number: float,
        count_on_left: bool,
    ) -> None:
        self.terms = terms  # each item's, planned
        self.values = count.values
        self.catch_all = count.catch_all
        self.op = op if count_on_left else _FLIPPED[op]
        self.number = number
        self.ids: dict[Value, int] = {}

    def _value_ids(self, ctx: _Context, slot: str) -> npt.NDArray[np.int64]:
        """Per record, an id of the item field's value shared by every item; -1 unknown,
        -2 a catch-all."""
        coder = ctx.coders[slot]
        table = np.empty(len(coder.answers), dtype=np.int64)
        for code, value in enumerate(coder.answers):
            if value is None:
                table[code] = -1
            elif value in self.catch_all:
                table[code] = -2
            else:
                table[code] = self.ids.setdefault(value, len(self.ids))
        result: npt.NDArray[np.int64] = table[ctx.scored[slot]]
        return result

    def _tri(self, ctx: _Context) -> TriArray:
        matched = [term.tri(ctx) for term in self.terms]
        if not matched:
            low = high = np.zeros(ctx.size, dtype=np.int64)
        elif not self.values:
            low = np.sum([m == TRUE for m in matched], axis=0)
            high = np.sum([m != FALSE for m in matched], axis=0)
        else:
            ids = np.stack([self._value_ids(ctx, slot) for slot in self.values], axis=1)
            sure = np.stack([m == TRUE for m in matched], axis=1)
            maybe = np.stack([m != FALSE for m in matched], axis=1)
            named = ids >= 0
            low = _distinct(np.where(sure & named, ids, -1)) + (sure & (ids == -2)).any(axis=1)
            high = _distinct(np.where(maybe & named, ids, -1)) + (maybe & ~named).sum(axis=1)
        return _compare_bounds(self.op, low, high, self.number)


_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _distinct(ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Per row, how many different ids >= 0 it holds."""
    ordered = np.sort(ids, axis=1)
    new = np.ones(ordered.shape, dtype=np.bool_)
    new[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    counted: npt.NDArray[np.int64] = (new & (ordered >= 0)).sum(axis=1)
    return counted


def _compare_bounds(
    op: str, low: npt.NDArray[np.int64], high: npt.NDArray[np.int64], number: float
) -> TriArray:
    """`count op number` for counts known to lie in [low, high]: true where it holds for every
    count in range, false where for none."""
    if op == "==":
        true, false = (low == number) & (high == number), (high < number) | (low > number)
    elif op == "!=":
        true, false = (high < number) | (low > number), (low == number) & (high == number)
    elif op == "<":
        true, false = high < number, low >= number
    elif op == "<=":
        true, false = high <= number, low > number
    elif op == ">":
        true, false = low > number, high <= number
    else:
        true, false = low >= number, high < number
    result = np.full(len(low), UNKNOWN, dtype=np.int8)
    result[true] = TRUE
    result[false] = FALSE
    return result


class Planner:
    """How to compute checked condition trees over a block. A tree with the meaning of one
    planned before (`syntax.meaning_key`: the same condition written in another rule) gets
    that one's part, marked shared, so it is computed once a block."""

    def __init__(self) -> None:
        self._parts: dict[Hashable, _Part] = {}

    def plan(self, node: Node) -> _Part:
        key = meaning_key(node)
        part = self._parts.get(key)
        if part is None:
            part = self._parts[key] = self._new(node)
        else:
            part.shared = True
        return part

    def _new(self, node: Node) -> _Part:
        if isinstance(node, Compare):
            sides = ((node.left, node.right, True), (node.right, node.left, False))
            for count, other, on_left in sides:
                value = other.value if isinstance(other, Literal) else None
                if isinstance(count, ItemCount) and type(value) in (int, float):
                    assert isinstance(value, (int, float))
                    terms = tuple(self.plan(term) for term in count.terms)
                    return _CountCompare(count, terms, node.op, value, on_left)
        questions = referenced_questions(node)
        if not questions:
            return _Constant(tri_code(compile_condition(node)({})))
        if len(questions) == 1:
            return _OneQuestion(questions[0], compile_condition(node))
        if isinstance(node, Not):
            return _Not(self.plan(node.operand))
        if isinstance(node, (And, Or)):
            parts = tuple(self.plan(operand) for operand in node.operands)
            return _Connective(parts, isinstance(node, And))
        return _SeveralQuestions(questions, compile_condition(node))


# A record's result is described by keys (bit sets packed into ints, or tuples of ints past
# 63 bits): the outcome and deciding rules (in groups of DECIDING_GROUP rules, so that few
# distinct keys occur per group), the flags, the missing questions. The text for each key is
# built once and looked up per record.
Key = Hashable
Places = npt.NDArray[np.int32]
_NO_PLACE = np.iinfo(np.int32).max
WORD_BITS = 63
DECIDING_GROUP = 10


Words = npt.NDArray[np.uint64]


def pack_bits(bits: Sequence[Mask], size: int) -> Words:
    """Per record (a row), the set bits of `bits` in words of WORD_BITS bits."""
    words = max(1, -(-len(bits) // WORD_BITS))
    # Bit j of word w is mask 63w + j (j < WORD_BITS; the top bit stays 0): each byte of a
    # record's little-endian words is made from eight masks at once, then put in its column.
    # (Three times faster than setting a column of booleans per mask and `np.packbits`.)
    out = np.zeros((size, words * 8), dtype=np.uint8)
    for word in range(words):
        chunk = bits[word * WORD_BITS : (word + 1) * WORD_BITS]
        for first in range(0, len(chunk), 8):
            byte = np.zeros(size, dtype=np.uint8)
            for shift, mask in enumerate(chunk[first : first + 8]):
                byte |= mask.view(np.uint8) << np.uint8(shift)
            out[:, word * 8 + first // 8] = byte
    result: Words = out.view("<u8").astype(np.uint64, copy=False)
    return result


def distinct_keys(words: Words) -> tuple[list[Key], Inverse]:
    """The distinct keys of packed words (an int, or a tuple of ints past one word), and
    which one each record has (writable)."""
    rows, inverse = distinct_rows(words)
    if words.shape[1] == 1:
        return list(rows[:, 0].tolist()), inverse
    return [tuple(row) for row in rows.tolist()], inverse


def _group_keys(head: list[Mask], rules: list[Mask], size: int) -> list[Words]:
    """Keys for rules in groups of DECIDING_GROUP (few distinct keys per group): the first
    group's key starts with the bits of `head`, a later one's with whether an earlier group had
    a rule set (one bit)."""
    earlier = np.zeros(size, dtype=np.bool_)
    keys = []
    for start in range(0, max(len(rules), 1), DECIDING_GROUP):
        group = rules[start : start + DECIDING_GROUP]
        keys.append(pack_bits([*head, *group], size))
        for mask in group:
            earlier |= mask
        head = [earlier.copy()]
    return keys


def key_int(key: Key) -> int:
    """A packed key as one int: bit j of the key is bit j of the result."""
    if isinstance(key, tuple):
        return sum(word << (index * WORD_BITS) for index, word in enumerate(key))
    assert isinstance(key, int)
    return key


def set_bits(bits: int) -> list[int]:
    """Positions of the set bits, lowest first."""
    positions = []
    while bits:
        low = bits & -bits
        positions.append(low.bit_length() - 1)
        bits ^= low
    return positions


def _rule_table(
    rules: Sequence[Rule], of: Callable[[Action, Tri], object], dtype: type
) -> npt.NDArray[Any]:
    """`of` for each rule's action at each value in TRI_ORDER, rule after rule, flat."""
    table = [verdict.by_tri(of, rule.action) for rule in rules]
    return np.array(table, dtype=dtype).reshape(len(rules) * len(verdict.TRI_ORDER))


@record_class
class BlockResult:
    outcome: npt.NDArray[np.int8]  # OUTCOME_BY_CODE index per record (INVALID for unreadable)
    values: list[TriArray]  # per rule (rule order): FALSE, UNKNOWN or TRUE per record
    decisions: list[Words]  # per group, per record: see ColumnarScorer.decision
    flags: Words  # per record: flag rules that fired (ColumnarScorer.flags)
    missing: Words  # per record: questions that could change it (ColumnarScorer.missing)
    problems: dict[int, list[str]]  # offset -> every problem of an invalid record
    deciding_counts: dict[str, int]  # rule id -> scored records it decided
    undecided: list[Words]  # per group, per record: see ColumnarScorer.undecided
    undecided_counts: dict[str, int]  # rule id -> records where it could not be decided
    # offset -> why the record is not scored, then any problems it has
    not_scored: dict[int, list[str]] = field(default_factory=dict)
    # per record: an urgent rule holds, each unreadable cell taken as unknown (for a scored
    # record, its outcome is urgent; an invalid or not_scored record is urgent all the same)
    urgent: Mask = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))


class ColumnarScorer:
    """Scores blocks of coded records against one rule set."""

    def __init__(
        self,
        ruleset: RuleSet,
        labels: Mapping[str, str] | None = None,
        coders: Mapping[str, ColumnCoder] | None = None,
    ) -> None:
        self.ruleset = ruleset
        self.labels = dict(labels or {})  # question id -> how its column is named in messages
        # `coders`: another scorer's code tables, for questions both read alike (screener diff).
        self.coders = {q.id: ColumnCoder(q) for q in ruleset.slots}
        self.coders.update(coders or {})
        planner = Planner()
        self.ask_if: dict[str, _Part] = {
            q.id: planner.plan(q.ask_if_tree) for q in ruleset.slots if q.ask_if_tree is not None
        }
        self.rules: tuple[Rule, ...] = ruleset.rules
        self.plans = tuple(planner.plan(rule.tree) for rule in self.rules)
        self.nonflag = tuple(i for i, r in enumerate(self.rules) if r.action is not Action.FLAG)

        # Lookup tables from core.verdict, three entries per rule, indexed by the rule's value
        # code (FALSE, UNKNOWN, TRUE) plus 3 x its position (`_lookup`): every rule's value in
        # one step (a flag's severity is 0: it leads to no outcome).
        self._fires = _rule_table(self.rules, verdict.fires, np.bool_)
        self._severity = _rule_table(self.rules, verdict.severity_of, np.int8)
        self._holding = _rule_table(self.rules, verdict.holding_severity, np.int8)
        self._undecided = _rule_table(self.rules, verdict.undecided, np.bool_)
        self._unknown = np.tile(np.array([v is None for v in verdict.TRI_ORDER]), len(self.rules))
        width = len(verdict.TRI_ORDER)
        self._rows = np.arange(0, width * len(self.rules), width, dtype=np.intp).reshape(-1, 1)
        self.flag = tuple(i for i, r in enumerate(self.rules) if r.action is Action.FLAG)
        read: dict[str, None] = {}
        for i in self.nonflag:
            read.update(dict.fromkeys(self.rules[i].reads))
        self.read_questions = tuple(q.id for q in ruleset.slots if q.id in read)
        self._nonflag_ids = tuple(self.rules[i].id for i in self.nonflag)
        self._flag_ids = tuple(self.rules[i].id for i in self.flag)
        # A missing key: the contributing rules' words, then the questions' words (question n
        # of read_questions is bit n % WORD_BITS of word n // WORD_BITS after the rules' words).
        self._rule_words = max(1, -(-len(self.nonflag) // WORD_BITS))
        # verdict.missing names questions in the order the contributing rules read them (rule
        # order, then each rule's reads): a question's place is set by the first contributing
        # rule that reads it. Per question (its number in read_questions), the rules reading it
        # (n: the n-th non-flag rule), each with its place in the order of all rules' reads.
        places: list[dict[int, int]] = [{} for _ in self.read_questions]
        number = {q: n for n, q in enumerate(self.read_questions)}
        place = 0
        for n, i in enumerate(self.nonflag):
            for question in self.rules[i].reads:
                places[number[question]][n] = place
                place += 1
        # For `missing_places`: where each rule's and each question's bit is among a key's
        # bits, unpacked (64 a word: bit j of word w is bit 64w + j); a question read by one
        # rule only has one place, whichever rules contribute (-1: read by several); for one
        # read by several, the rules reading it and its place when each is the first one
        # contributing; and the question at each place.
        self._rule_bits = np.array(
            [(n // WORD_BITS) * 64 + n % WORD_BITS for n in range(len(self.nonflag))],
            dtype=np.intp,
        )
        self._question_bits = np.array(
            [
                (self._rule_words + n // WORD_BITS) * 64 + n % WORD_BITS
                for n in range(len(self.read_questions))
            ],
            dtype=np.intp,
        )
        self._fixed = np.array(
            [next(iter(p.values())) if len(p) == 1 else -1 for p in places], dtype=np.int32
        )
        self._shared = tuple(
            (
                n,
                np.array(sorted(p), dtype=np.intp),
                np.array([p[rule] for rule in sorted(p)], dtype=np.int32),
            )
            for n, p in enumerate(places)
            if len(p) > 1
        )
        self.place_names = tuple(question for i in self.nonflag for question in self.rules[i].reads)

    def score(self, block: Block) -> BlockResult:
        size = block.size
        ctx = _Context(self.coders, size)
        absent = np.full(size, ABSENT, dtype=np.intp)
        codes = {
            q.id: block.codes[q.id].astype(np.intp) if q.id in block.codes else absent
            for q in self.ruleset.slots
        }
        hidden: dict[str, Mask] = {}
        for question in self.ruleset.slots:
            plan = self.ask_if.get(question.id)
            scored = codes[question.id]
            if plan is not None:
                mask = plan.tri(ctx) == FALSE
                if mask.any():
                    hidden[question.id] = mask
                    scored = np.where(mask, ABSENT, scored)
            ctx.scored[question.id] = scored

        values = [plan.tri(ctx) for plan in self.plans]
        lookup = self._lookup(values, size)
        fired = self._fires[lookup]
        undecided = self._unknown[lookup]
        outcome: npt.NDArray[np.int8] = self._severity[lookup].max(axis=0, initial=0)
        # Read before the unscored records' outcomes are set: an unreadable cell is unknown
        # here, as "don't know" (score_raw's AnswersError.urgent).
        urgent = outcome == Outcome.URGENT.severity

        problems = self._problems(block, codes)
        if problems:
            outcome[np.fromiter(problems, dtype=np.intp, count=len(problems))] = INVALID
        not_scored = {i: [m, *problems.pop(i, [])] for i, m in sorted(block.not_scored.items())}
        if not_scored:
            outcome[np.fromiter(not_scored, dtype=np.intp, count=len(not_scored))] = NOT_SCORED
        result = self._describe(outcome, values, lookup, fired, undecided, codes, hidden, problems)
        return replace(result, not_scored=not_scored, urgent=urgent)

    def _lookup(self, values: list[TriArray], size: int) -> npt.NDArray[np.intp]:
        """Per rule (a row) and record, where its value is in the rule tables."""
        if not values:
            return np.zeros((0, size), dtype=np.intp)
        lookup = np.stack(values).astype(np.intp)
        lookup += self._rows
        return lookup

    def _problems(self, block: Block, codes: Mapping[str, Index]) -> dict[int, list[str]]:
        """Every reason a record cannot be scored: its shape, or each unreadable value."""
        problems: dict[int, list[str]] = {i: [m] for i, m in sorted(block.shape_errors.items())}
        for i, found in sorted(block.record_problems.items()):
            problems.setdefault(i, []).extend(found)
        for question in block.codes:  # column order
            coder = self.coders[question]
            bad = coder.error_mask()[codes[question]]
            if not bad.any():
                continue
            label = self.labels.get(question, question)
            column = codes[question]
            for i in np.flatnonzero(bad).tolist():
                code = int(column[i])
                message = f"{label}: {coder.problems[code]} (got {coder.texts[code]!r})"
                problems.setdefault(i, []).append(message)
        return problems

    def _describe(
        self,
        outcome: npt.NDArray[np.int8],
        values: list[TriArray],
        lookup: npt.NDArray[np.intp],
        fired: Mask,
        undecided: Mask,
        codes: Mapping[str, Index],
        hidden: Mapping[str, Mask],
        problems: dict[int, list[str]],
    ) -> BlockResult:
        size = len(outcome)
        is_code = [outcome == code for code in range(INVALID)]
        is_review = is_code[Outcome.NEEDS_REVIEW.severity]
        scored = outcome < INVALID
        # verdict.holding: the rules that hold at the outcome's level.
        deciding_all = self._holding[lookup] == outcome
        undecided_all = self._undecided[lookup] & scored
        deciding_counts = np.count_nonzero(deciding_all, axis=1).tolist()
        undecided_totals = np.count_nonzero(undecided_all, axis=1).tolist()
        deciding_bits: list[Mask] = []
        undecided_bits: list[Mask] = []
        counts: dict[str, int] = {}
        undecided_counts: dict[str, int] = {}
        unanswered: dict[str, Mask] = {}
        for question in self.read_questions:
            mask = self.coders[question].none_mask()[codes[question]]
            unanswered[question] = mask & ~hidden[question] if question in hidden else mask
        holders: list[Mask] = []
        reads_unanswered: list[Mask] = []
        hard = np.zeros(size, dtype=np.bool_)  # a rule at the outcome's level holds regardless
        for i in self.nonflag:
            rule = self.rules[i]
            severity = ACTION_OUTCOME[rule.action].severity
            deciding_bits.append(deciding_all[i])
            counts[rule.id] = deciding_counts[i]
            undecided_bits.append(undecided_all[i])
            undecided_counts[rule.id] = undecided_totals[i]
            holder = fired[i] & is_code[severity]
            reads = np.zeros(size, dtype=np.bool_)
            if holder.any() or undecided[i].any():  # otherwise the rule names nothing
                for question in rule.reads:
                    reads |= unanswered[question]
            hard |= holder & ~reads
            holders.append(holder)
            reads_unanswered.append(reads)
        # As verdict.missing: which rules' unanswered questions could change the outcome.
        movable = ~hard
        contributing: list[Mask] = []
        for n, i in enumerate(self.nonflag):
            severity = ACTION_OUTCOME[self.rules[i].action].severity
            raises = undecided[i] & ((outcome < severity) | (is_review & movable))
            contributing.append((raises | (holders[n] & movable)) & reads_unanswered[n])
        missing_bits = list(contributing)
        for question in self.read_questions:
            readers = [
                c
                for i, c in zip(self.nonflag, contributing, strict=True)
                if question in self.rules[i].reads
            ]
            needed = np.logical_or.reduce(readers) if len(readers) > 1 else readers[0]
            missing_bits.append(needed & unanswered[question])
        return BlockResult(
            outcome=outcome,
            values=values,
            decisions=self._decision_keys(outcome, deciding_bits),
            undecided=_group_keys([], undecided_bits, size),
            flags=pack_bits([fired[i] for i in self.flag], size),
            missing=np.concatenate(
                [pack_bits(contributing, size), pack_bits(missing_bits[len(contributing) :], size)],
                axis=1,
            ),
            problems=problems,
            deciding_counts=counts,
            undecided_counts=undecided_counts,
        )

    def _decision_keys(self, outcome: npt.NDArray[np.int8], deciding: list[Mask]) -> list[Words]:
        """Per group of rules, a key per record. The first group's key also holds the outcome
        code (two bits); later ones whether an earlier group had a deciding rule (one bit)."""
        head = [(outcome & 1).astype(np.bool_), (outcome & 2).astype(np.bool_)]
        return _group_keys(head, deciding, len(outcome))

    @property
    def decision_groups(self) -> int:
        return max(1, -(-len(self.nonflag) // DECIDING_GROUP))

    def decision(self, group: int, key: Key) -> tuple[str | None, bool, tuple[str, ...]]:
        """What a group's decision key stands for: the outcome (first group only), whether an
        earlier group had a deciding rule, and this group's deciding rules."""
        bits = key_int(key)
        head = 2 if group == 0 else 1
        ids = self._nonflag_ids[group * DECIDING_GROUP : (group + 1) * DECIDING_GROUP]
        rules = tuple(ids[b] for b in set_bits(bits >> head))
        if group == 0:
            return OUTCOME_BY_CODE[bits & 3], False, rules
        return None, bool(bits & 1), rules

    def undecided(self, group: int, key: Key) -> tuple[bool, tuple[str, ...]]:
        """What a group's undecided key stands for: whether an earlier group had an undecided
        rule, and this group's rules (not flags) that could not be decided, in rule order."""
        bits = key_int(key)
        head = 0 if group == 0 else 1
        ids = self._nonflag_ids[group * DECIDING_GROUP : (group + 1) * DECIDING_GROUP]
        return bool(head and bits & 1), tuple(ids[b] for b in set_bits(bits >> head))

    def flags(self, key: Key) -> tuple[str, ...]:
        ids = self._flag_ids
        return tuple(ids[b] for b in set_bits(key_int(key)))

    def missing_places(self, keys: Words) -> tuple[Places, Places]:
        """As verdict.missing, for rows of missing words (`BlockResult.missing`, a key each):
        each key's questions in the order the contributing rules read them, as places (the
        question at place p is `place_names[p]`), every key's one after the other; and where
        each key's places start (one more entry than keys: the end)."""
        words = np.ascontiguousarray(keys, dtype="<u8")
        bits = np.unpackbits(words.view(np.uint8), axis=1, bitorder="little").view(np.bool_)
        missing = bits[:, self._question_bits]
        places = np.repeat(self._fixed.reshape(1, -1), len(words), axis=0)
        if self._shared:
            contributing = bits[:, self._rule_bits]
            for n, readers, at in self._shared:
                # A missing question is read by a contributing rule: the first one sets it.
                places[:, n] = at[np.argmax(contributing[:, readers], axis=1)]
        places[~missing] = _NO_PLACE
        places.sort(axis=1)
        starts = np.zeros(len(words) + 1, dtype=np.int32)
        np.cumsum(np.count_nonzero(missing, axis=1), out=starts[1:])
        found: Places = places[places < _NO_PLACE]
        return found, starts
