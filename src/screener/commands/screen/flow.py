"""The interview's logic without any prompt: which question comes next, skip logic, edits,
when the crisis text is due, and what the review screen lists.

Pure: the prompts (`prompts.py`) and the command (`command.py`) drive it.
Skip logic and urgency come from the one evaluator (evaluate.py), never a copy of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from screener.core import verdict
from screener.core.conditions.compile import NotYetAsked
from screener.core.evaluate import evaluate, visible_answers
from screener.core.model import Action, Question, RuleSet, Value, format_value
from screener.core.screening import Screening


@dataclass(frozen=True)
class InterviewState:
    """The answers given so far. A key is present once the question was answered (None = don't
    know); answers to questions that skip logic now hides are kept, and never scored."""

    answers: Mapping[str, Value] = field(default_factory=dict)
    crisis_shown: bool = False  # the crisis text is on screen for an urgent rule that holds


@dataclass(frozen=True)
class Step:
    """A new state, and whether the crisis text must be shown now, before anything else."""

    state: InterviewState
    show_crisis: bool


@dataclass(frozen=True)
class ReviewRow:
    question: Question
    answer: str  # in plain words
    asked: bool  # False: skip logic hides it now; the answer is kept but not scored


def hidden_questions(ruleset: RuleSet, answers: Mapping[str, Value]) -> frozenset[str]:
    """Questions whose ask_if is definitely false on these answers."""
    return frozenset(visible_answers(ruleset, answers)[1])


def next_question(ruleset: RuleSet, state: InterviewState) -> Question | None:
    """The first question, in file order, that skip logic asks and that has no answer yet.

    ask_if reads only earlier questions, so skip logic is decided on the answers so far; after
    an edit this finds the questions the edit made relevant.
    """
    hidden = hidden_questions(ruleset, state.answers)
    for question in ruleset.slots:  # a list: how many items, then each item's fields
        if question.id not in hidden and question.id not in state.answers:
            return question
    return None


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
