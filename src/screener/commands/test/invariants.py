"""Check invariants ("if GIVEN, the outcome is in / never in ...") over generated answer sets.

The answer sets come from:
1. base answer sets: the cases file's `base`, every case's answers, and "all unknown";
2. each base with one question moved over its boundary values: every constant a rule, an
   `ask_if` or an invariant's `given` compares the question with, one either side, the
   question's min and max, and unknown (yes/no: yes, no, unknown; choice: each value and
   unknown; multi-choice: none, each single value, unknown);
3. for each pair of questions read by the same condition, every combination of their boundary
   values, on the first base and on "all unknown";
4. a seeded random sample, each drawn from a base with some answers replaced at random.

Only sets where GIVEN is true (on the answers that count, skip logic applied) are checked.
A counterexample is shrunk: its answers are put back to the first base's (the cases file's
`base` when it has one) while the invariant still fails, and of the failing sets tried, the
one that differs from that base in the fewest answers is reported; a number that must stay
changed is moved to the boundary value nearest the base's (the threshold that matters).
"""

from __future__ import annotations

import itertools
import math
import random
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence

from screener.commands.test.binding import BoundInvariant, BoundSuite
from screener.core.conditions.syntax import (
    Compare,
    ListLiteral,
    Literal,
    Membership,
    Node,
    QuestionRef,
    referenced_questions,
    walk,
)
from screener.core.evaluate import evaluate
from screener.core.frozen import record_class
from screener.core.model import Question, QuestionType, RuleSet, Value
from screener.core.outcome_memo import OutcomeMemo
from screener.core.screening import Screening

MAX_BASES = 100  # base answer sets varied one question at a time
SHRINK_CANDIDATES = 8  # failing answer sets shrunk per invariant; the smallest is reported


@record_class
class Base:
    name: str  # "the base answers", "case 'x'", "all answers unknown"
    answers: dict[str, Value]


@record_class
class Counterexample:
    answers: dict[str, Value]
    base: Base
    differing: tuple[str, ...]  # questions whose answer differs from the base's
    screening: Screening


@record_class
class InvariantResult:
    invariant: BoundInvariant
    satisfied: int  # answer sets where `given` was true
    broken: int  # of those, sets whose outcome broke the invariant
    counterexample: Counterexample | None

    @property
    def passed(self) -> bool:
        return self.satisfied > 0 and self.broken == 0


@record_class
class InvariantRun:
    checked: int  # distinct answer sets generated and scored
    samples: int
    seed: int
    results: tuple[InvariantResult, ...]


def base_answer_sets(ruleset: RuleSet, suite: BoundSuite) -> tuple[Base, ...]:
    candidates = []
    if suite.has_base:
        candidates.append(Base("the base answers", suite.base))
    candidates += [Base(f"case {case.name!r}", case.answers) for case in suite.cases]
    if len(candidates) > MAX_BASES:
        step = len(candidates) / MAX_BASES
        candidates = [candidates[int(i * step)] for i in range(MAX_BASES)]
    candidates.append(Base("all answers unknown", dict.fromkeys(ruleset.question_map)))
    seen: set[tuple[Value, ...]] = set()
    bases = []
    for base in candidates:
        key = tuple(base.answers[q] for q in ruleset.question_map)
        if key not in seen:
            seen.add(key)
            bases.append(base)
    return tuple(bases)


def _trees(ruleset: RuleSet, extra: Sequence[Node] = ()) -> list[tuple[Node, tuple[str, ...]]]:
    """Every condition with the questions it involves (an ask_if also involves its question)."""
    out: list[tuple[Node, tuple[str, ...]]] = [(r.tree, r.reads) for r in ruleset.rules]
    out += [(tree, referenced_questions(tree)) for tree in extra]
    for question in ruleset.slots:
        if question.ask_if_tree is not None:
            reads = referenced_questions(question.ask_if_tree)
            out.append((question.ask_if_tree, (*reads, question.id)))
    return out


def _constants(ruleset: RuleSet, extra: Sequence[Node]) -> dict[str, set[int | float | str]]:
    found: dict[str, set[int | float | str]] = defaultdict(set)
    for tree, _ in _trees(ruleset, extra):
        for node in walk(tree):
            if isinstance(node, Compare):
                for ref, other in ((node.left, node.right), (node.right, node.left)):
                    if (
                        isinstance(ref, QuestionRef)
                        and isinstance(other, Literal)
                        and not isinstance(other.value, bool)
                    ):
                        found[ref.name].add(other.value)
            elif (
                isinstance(node, Membership)
                and isinstance(node.element, QuestionRef)
                and isinstance(node.container, ListLiteral)
            ):
                for item in node.container.items:
                    if not isinstance(item.value, bool):
                        found[node.element.name].add(item.value)
    return found


def _numeric_values(question: Question, constants: set[int | float | str]) -> list[Value]:
    """Values at and either side of every constant the rules compare with, within range."""
    whole = question.type is not QuestionType.NUMBER
    numbers: set[float] = set()
    for constant in constants:
        if isinstance(constant, (int, float)) and not isinstance(constant, bool):
            if whole:
                below, above = math.floor(constant), math.ceil(constant)
                numbers.update((below - 1, below, above, above + 1))
            else:
                numbers.update((constant - 0.5, constant, constant + 0.5))
    numbers.update(n for n in (question.min, question.max) if n is not None)
    if question.is_list:
        numbers.update(range(question.max_items + 1))
    if not numbers:
        numbers.add(0)
    low: float = question.min if question.min is not None else min(numbers)
    high: float = question.max if question.max is not None else max(numbers)
    if question.is_list:
        low, high = 0, question.max_items
    found: list[Value] = [int(n) if whole else n for n in sorted(numbers) if low <= n <= high]
    return found


def boundary_values(ruleset: RuleSet, extra: Sequence[Node] = ()) -> dict[str, tuple[Value, ...]]:
    """The values each question is tried with (always including unknown).

    `extra` are more conditions whose constants count (the invariants' `given`).
    """
    constants = _constants(ruleset, extra)
    values: dict[str, tuple[Value, ...]] = {}
    for question in ruleset.slots:
        kind = question.type
        found: list[Value]
        if kind is QuestionType.YES_NO:
            found = [True, False]
        elif kind in (QuestionType.INTEGER, QuestionType.NUMBER, QuestionType.LIST):
            found = _numeric_values(question, constants[question.id])
        elif kind is QuestionType.CHOICE:
            found = list(question.choice_values)
        elif kind is QuestionType.MULTI_CHOICE:
            found = [frozenset(), *(frozenset({v}) for v in question.choice_values)]
        else:
            texts = sorted(str(c) for c in constants[question.id] if isinstance(c, str))
            found = [*texts, "(some other text)"]
        values[question.id] = (*found, None)
    return values


def _random_value(rng: random.Random, question: Question, boundary: tuple[Value, ...]) -> Value:
    if rng.random() < 0.5:
        low, high = question.min, question.max
        if question.is_list:
            return rng.randint(0, question.max_items)
        if question.type is QuestionType.INTEGER and low is not None and high is not None:
            return rng.randint(int(low), int(high))
        if question.type is QuestionType.NUMBER and low is not None and high is not None:
            return round(rng.uniform(low, high), 1)
        if question.type is QuestionType.MULTI_CHOICE:
            return frozenset(v for v in question.choice_values if rng.random() < 0.25)
    return rng.choice(boundary)


def generate_answer_sets(
    ruleset: RuleSet,
    bases: Sequence[Base],
    *,
    samples: int,
    seed: int,
    extra: Sequence[Node] = (),
) -> Iterator[dict[str, Value]]:
    """Distinct answer sets, in a fixed order for a given seed, made one at a time: an
    invariant whose `given` reads many questions makes hundreds of thousands, and only the
    keys of those already made are kept."""
    order = tuple(ruleset.question_map)
    boundary = boundary_values(ruleset, extra)
    seen: set[tuple[Value, ...]] = set()

    def new(answers: dict[str, Value]) -> bool:
        key = tuple(answers[q] for q in order)
        if key in seen:
            return False
        seen.add(key)
        return True

    def candidates() -> Iterator[dict[str, Value]]:
        for base in bases:
            yield dict(base.answers)
        for base in bases:
            for qid in order:
                for value in boundary[qid]:
                    yield {**base.answers, qid: value}
        pairs: dict[tuple[str, str], None] = {}
        for _, reads in _trees(ruleset, extra):
            for first, second in itertools.combinations(dict.fromkeys(reads), 2):
                pairs.setdefault((first, second), None)
        for origin in sorted({0, len(bases) - 1}):
            for first, second in pairs:
                for a, b in itertools.product(boundary[first], boundary[second]):
                    yield {**bases[origin].answers, first: a, second: b}
        rng = random.Random(seed)
        questions = ruleset.question_map
        for _ in range(samples):
            origin = rng.randrange(len(bases))
            rate = rng.choice((0.1, 0.3, 1.0))
            answers = dict(bases[origin].answers)
            for qid in order:
                if rng.random() < rate:
                    answers[qid] = _random_value(rng, questions[qid], boundary[qid])
            yield answers

    return (answers for answers in candidates() if new(answers))


def _breaks(memo: OutcomeMemo, invariant: BoundInvariant, answers: Mapping[str, Value]) -> bool:
    verdict = memo.verdict(answers)
    return invariant.given(verdict.scored) is True and not invariant.allows(verdict.outcome)


def _shrink(
    memo: OutcomeMemo,
    invariant: BoundInvariant,
    answers: dict[str, Value],
    base: Base,
    boundary: Mapping[str, tuple[Value, ...]],
) -> dict[str, Value]:
    """Put answers back to the base's, one at a time, while the invariant still fails."""
    current = dict(answers)
    changed = True
    while changed:
        changed = False
        for qid, value in base.answers.items():
            if current[qid] != value:
                trial = {**current, qid: value}
                if _breaks(memo, invariant, trial):
                    current = trial
                    changed = True
    # A number that must stay changed moves as close to the base's as it can (to a threshold).
    for qid, value in base.answers.items():
        now = current[qid]
        if not isinstance(value, int) or isinstance(value, bool):
            continue
        if isinstance(now, int) and not isinstance(now, bool):
            closer = sorted(
                (v for v in boundary[qid] if isinstance(v, int)),
                key=lambda v: abs(v - value),
            )
            for candidate in closer:
                if abs(candidate - value) >= abs(now - value):
                    break
                trial = {**current, qid: candidate}
                if _breaks(memo, invariant, trial):
                    current = trial
                    break
    return current


def _counterexample(
    ruleset: RuleSet,
    memo: OutcomeMemo,
    invariant: BoundInvariant,
    failing: list[dict[str, Value]],
    bases: Sequence[Base],
    boundary: Mapping[str, tuple[Value, ...]],
) -> Counterexample | None:
    base = bases[0]
    best: tuple[tuple[int, int], dict[str, Value]] | None = None
    for found in failing:
        shrunk = _shrink(memo, invariant, found, base, boundary)
        differing = sum(1 for q, v in shrunk.items() if v != base.answers[q])
        known = sum(1 for v in shrunk.values() if v is not None)
        if best is None or (differing, known) < best[0]:
            best = ((differing, known), shrunk)
    if best is None:
        return None
    answers = best[1]
    return Counterexample(
        answers=answers,
        base=base,
        differing=tuple(q for q, v in answers.items() if v != base.answers[q]),
        screening=evaluate(ruleset, answers),
    )


def check_invariants(
    ruleset: RuleSet,
    invariants: Sequence[BoundInvariant],
    bases: Sequence[Base],
    *,
    samples: int,
    seed: int,
) -> InvariantRun:
    if not invariants:
        return InvariantRun(0, samples, seed, ())
    givens = [invariant.given_tree for invariant in invariants]
    sets = generate_answer_sets(ruleset, bases, samples=samples, seed=seed, extra=givens)
    checked = 0
    boundary = boundary_values(ruleset, givens)
    memo = OutcomeMemo(ruleset)
    satisfied = [0] * len(invariants)
    broken = [0] * len(invariants)
    failing: list[list[dict[str, Value]]] = [[] for _ in invariants]
    for answer_set in sets:
        checked += 1
        verdict = memo.verdict(answer_set)
        for index, invariant in enumerate(invariants):
            if invariant.given(verdict.scored) is not True:
                continue
            satisfied[index] += 1
            if not invariant.allows(verdict.outcome):
                broken[index] += 1
                if len(failing[index]) < SHRINK_CANDIDATES:
                    failing[index].append(answer_set)
    results = tuple(
        InvariantResult(
            invariant,
            satisfied[index],
            broken[index],
            _counterexample(ruleset, memo, invariant, failing[index], bases, boundary),
        )
        for index, invariant in enumerate(invariants)
    )
    return InvariantRun(checked, samples, seed, results)
