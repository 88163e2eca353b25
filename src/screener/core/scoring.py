"""Score raw answers: coerce, refuse unreadable values, evaluate."""

from __future__ import annotations

from collections.abc import Mapping

from screener.core.coercion import coerce_answers
from screener.core.evaluate import evaluate
from screener.core.model import RuleSet
from screener.core.problems import AnswersError
from screener.core.screening import Outcome, Screening


def score_raw(ruleset: RuleSet, raw: Mapping[str, object], source: str) -> Screening:
    """The screening for one person's raw answers; AnswersError lists every unreadable value,
    and the urgent rules that hold with each of them taken as unknown, as a "don't know" would
    be (fail closed: an unreadable answer about intent beside a "yes" to suicidal thoughts is
    as urgent as an unknown one)."""
    answers, problems = coerce_answers(ruleset.question_map, raw)
    screening = evaluate(ruleset, answers)
    if problems:
        urgent = screening.deciding if screening.outcome is Outcome.URGENT else ()
        raise AnswersError(source, problems, urgent)
    return screening
