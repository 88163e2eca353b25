"""Score raw answers: coerce, refuse unreadable values, evaluate."""

from __future__ import annotations

from collections.abc import Mapping

from screener.answer_coercion import coerce_answers
from screener.errors import AnswersError
from screener.evaluate import evaluate
from screener.ruleset import RuleSet
from screener.screening import Screening


def score_raw(ruleset: RuleSet, raw: Mapping[str, object], source: str) -> Screening:
    """The screening for one person's raw answers; AnswersError lists every unreadable value."""
    answers, problems = coerce_answers(ruleset.question_map, raw)
    if problems:
        raise AnswersError(source, problems)
    return evaluate(ruleset, answers)
