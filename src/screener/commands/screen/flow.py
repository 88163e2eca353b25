"""The interview's logic without any prompt: which question comes next, skip logic, edits,
when the crisis text is due, and what the review screen lists.

Pure: the prompts (`prompts.py`) and the command (`command.py`) drive it.
Skip logic and urgency come from the one evaluator (evaluate.py), never a copy of it.
"""

from __future__ import annotations

from collections.abc import Mapping

from screener.core import verdict
from screener.core.conditions.compile import NotYetAsked
from screener.core.conditions.syntax import referenced_questions
from screener.core.evaluate import evaluate, visible_answers
from screener.core.frozen import field, record_class
from screener.core.model import Action, Question, QuestionType, RuleSet, Value, format_value
from screener.core.screening import Screening


@record_class
class InterviewState:
    """The answers given so far. A key is present once the question was answered (None = don't
    know); answers to questions that skip logic now hides are kept, and never scored."""

    answers: Mapping[str, Value] = field(default_factory=dict)
    crisis_shown: bool = False  # the crisis text is on screen for an urgent rule that holds


@record_class
class Step:
    """A new state, and whether the crisis text must be shown now, before anything else."""

    state: InterviewState
    show_crisis: bool


@record_class
class ReviewRow:
    question: Question
    answer: str  # in plain words
    asked: bool  # False: skip logic hides it now; the answer is kept but not scored


def hidden_questions(ruleset: RuleSet, answers: Mapping[str, Value]) -> frozenset[str]:
    """Questions whose ask_if is definitely false on these answers."""
    return frozenset(visible_answers(ruleset, answers)[1])


def items_entered(question: Question, answers: Mapping[str, Value]) -> int:
    """How many items of a list have at least one answered field (the last such item)."""
    entered = 0
    for number, cells in enumerate(question.item_cells, start=1):
        if any(cell.id in answers for cell in cells):
            entered = number
    return entered


def _not_offered(ruleset: RuleSet, answers: Mapping[str, Value]) -> frozenset[str]:
    """Cells of list items the interview does not ask: when the number of items is answered
    "don't know" (there may be more), only the items already entered are asked about."""
    out: set[str] = set()
    for question in ruleset.questions:
        if question.is_list and question.id in answers and answers[question.id] is None:
            entered = items_entered(question, answers)
            out.update(cell.id for cells in question.item_cells[entered:] for cell in cells)
    return frozenset(out)


def next_question(ruleset: RuleSet, state: InterviewState) -> Question | None:
    """The first question, in file order, that skip logic asks and that has no answer yet.

    ask_if reads only earlier questions, so skip logic is decided on the answers so far; after
    an edit this finds the questions the edit made relevant. A list whose number of items is
    not answered yet comes back as the list question itself (see `list_step`).
    """
    skipped = hidden_questions(ruleset, state.answers) | _not_offered(ruleset, state.answers)
    for question in ruleset.slots:  # a list: how many items, then each item's fields
        if question.id not in skipped and question.id not in state.answers:
            return question
    return None


def list_step(
    ruleset: RuleSet, state: InterviewState, question: Question, opened: int = 0
) -> Question | int:
    """Where a list being entered item by item stands: the next field to ask (of an item
    entered or `opened`), or the number of the item to offer next ("add another?")."""
    hidden = hidden_questions(ruleset, state.answers)
    last = max(items_entered(question, state.answers), opened)
    for cells in question.item_cells[:last]:
        for cell in cells:
            if cell.id not in hidden and cell.id not in state.answers:
                return cell
    return last + 1


def progress(ruleset: RuleSet, answers: Mapping[str, Value], question_id: str) -> tuple[int, int]:
    """(N, M) for "question N of M": the question's place among the questions skip logic asks
    on these answers, and how many that is now. A list counts once; its fields take the
    list's place."""
    slot = ruleset.question_map[question_id]
    own = slot.list_id or slot.id
    hidden = hidden_questions(ruleset, answers)
    asked = [q.id for q in ruleset.questions if q.id not in hidden or q.id == own]
    return asked.index(own) + 1, len(asked)


def paired_question(
    ruleset: RuleSet, state: InterviewState, question: Question, changing: bool = False
) -> Question | None:
    """The question that makes a reading with this one (the bottom number of a blood pressure
    after the top one): the next question in the file, a number question in the same unit,
    asked now and not answered yet (or, `changing` an answer, answered too: a new reading
    replaces both). A reading such as 135/85 typed at the first answers both.
    Questions with no unit, or with another question between them, are never a pair: a
    PHQ-9 total is not read as a pair with the item asked after it."""
    numbers = (QuestionType.INTEGER, QuestionType.NUMBER)
    if question.type not in numbers or question.list_id is not None or not question.unit:
        return None
    slots = ruleset.slots
    at = slots.index(question)
    if at + 1 >= len(slots):
        return None
    later = slots[at + 1]
    if (
        later.type not in numbers
        or later.list_id is not None
        or later.unit != question.unit
        or (later.id in state.answers and not changing)
        or later.id in hidden_questions(ruleset, state.answers)
    ):
        return None
    return later


def safety_questions(ruleset: RuleSet) -> tuple[Question, ...]:
    """The questions of the safety screen, in file order: every question an urgent rule
    reads, and the follow-ups that skip logic asks only after one of them."""
    urgent = {slot for rule in ruleset.rules if rule.action is Action.URGENT for slot in rule.reads}
    derived = ruleset.derived_map
    for name in list(urgent):
        if name in derived:
            urgent.update(derived[name].reads)
    chosen = {q.id for q in ruleset.questions if q.id in urgent}
    for question in ruleset.questions:  # follow-ups come after what they depend on
        tree = question.ask_if_tree
        if tree is not None and chosen.intersection(referenced_questions(tree)):
            chosen.add(question.id)
    return tuple(q for q in ruleset.questions if q.id in chosen and not q.is_list)


def urgent_rules(ruleset: RuleSet, answers: Mapping[str, Value]) -> tuple[str, ...]:
    """Ids of the urgent rules that hold on the answers so far, whatever the questions still
    to come are answered (an unanswered safety question that is still to be asked, such as
    intent after a yes to thoughts, does not raise the crisis text before it is asked; one
    answered "don't know" does)."""
    scored, hidden = visible_answers(ruleset, answers)
    skipped = set(hidden)
    to_come = frozenset(q.id for q in ruleset.slots if q.id not in answers and q.id not in skipped)
    so_far = NotYetAsked(scored, to_come)
    return tuple(
        rule.id
        for rule in ruleset.rules
        if rule.action is Action.URGENT and verdict.fires(rule.action, rule.when(so_far))
    )


def check_crisis(ruleset: RuleSet, state: InterviewState) -> Step:
    """Show the crisis text once when an urgent rule holds; again only if it stopped holding
    (an edited answer) and holds once more."""
    urgent = bool(urgent_rules(ruleset, state.answers))
    show = urgent and not state.crisis_shown
    return Step(InterviewState(state.answers, crisis_shown=urgent), show)


def record_answer(ruleset: RuleSet, state: InterviewState, question_id: str, value: Value) -> Step:
    """Record (or change) one answer, then check the urgent rules on the answers so far."""
    if question_id not in ruleset.question_map:
        raise KeyError(question_id)
    answers = dict(state.answers)
    answers[question_id] = value
    return check_crisis(ruleset, InterviewState(answers, state.crisis_shown))


def answer_words(question: Question, value: Value) -> str:
    return "don't know" if value is None else format_value(question, value)


def review_rows(ruleset: RuleSet, state: InterviewState) -> list[ReviewRow]:
    """Every answered question in file order; hidden ones are marked as kept, not scored."""
    hidden = hidden_questions(ruleset, state.answers)
    rows = []
    for question in ruleset.slots:
        if question.id not in state.answers:
            continue
        words = answer_words(question, state.answers[question.id])
        asked = question.id not in hidden
        if not asked:
            words += " (not asked now: kept, not scored)"
        rows.append(ReviewRow(question, words, asked))
    return rows


def finish(ruleset: RuleSet, state: InterviewState) -> Screening:
    """The screening for the interview's answers (hidden answers kept, not scored)."""
    return evaluate(ruleset, state.answers)
