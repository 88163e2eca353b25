"""Score raw answers: coerce, refuse unreadable values, evaluate."""

from __future__ import annotations

from collections.abc import Mapping

from screener.core.coercion import coerce_answers
from screener.core.evaluate import evaluate
from screener.core.model import RuleSet
from screener.core.problems import AnswersError
from screener.core.screening import Screening


def score_raw(ruleset: RuleSet, raw: Mapping[str, object], source: str) -> Screening:
    """The screening for one person's raw answers; AnswersError lists every unreadable value."""
    answers, problems = coerce_answers(ruleset.question_map, raw)
    if problems:
        raise AnswersError(source, problems)
    return evaluate(ruleset, answers)
