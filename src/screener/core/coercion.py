"""Turn raw answers (JSON/YAML values, CSV cells, typed text) into typed values.

Every input path shares this: files given to `screener score`, CSV records in batch, and the
interview. Blank, "don't know" and missing all become None (unknown), never False or 0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from screener.core.limits import MAX_ANSWER_CHARS, MAX_NUMBER_DIGITS
from screener.core.model import NONE_CHOICE, Question, QuestionType, Value
from screener.core.problems import AnswerProblem
from screener.core.suggest import suggest

UNKNOWN_WORDS = frozenset(
    {"", "?", "dk", "don't know", "dont know", "do not know", "unknown", "not known", "n/a", "na"}
)
YES_WORDS = frozenset({"yes", "y", "true", "t", "1"})
NO_WORDS = frozenset({"no", "n", "false", "f", "0"})


# ASCII digits (never `\d`, which also takes Arabic-Indic and full-width digits) with an
# optional sign and an optional ".0": no exponents, no base prefixes, no "_" or thousands
# separators.
_WHOLE_NUMBER = re.compile(r"([+-]?[0-9]+)(?:\.0*)?")
_LARGEST = 10**MAX_NUMBER_DIGITS - 1
_TOO_MANY_DIGITS = f"expected a whole number of at most {MAX_NUMBER_DIGITS} digits"
TOO_LONG = f"longer than {MAX_ANSWER_CHARS:,} characters"
# What a message shows for a value that long (the batch shows the same; it keeps no such text).
TOO_LONG_SHOWN = f"(more than {MAX_ANSWER_CHARS:,} characters)"


_NONE_LABEL_KEY = "none_of_these"  # the interview's label for "none", typed out


class CoercionError(ValueError):
    """A value that cannot be an answer to the question; the message says why."""


def _normalise(text: str) -> str:
    return " ".join(text.strip().lower().replace("\u2019", "'").split())


def is_unknown_text(text: str) -> bool:
    return _normalise(text) in UNKNOWN_WORDS


def _yes_no(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = _normalise(raw)
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
    raise CoercionError("expected yes or no")


def _integer(question: Question, raw: object) -> int:
    number: int
    if isinstance(raw, bool):
        raise CoercionError("expected a whole number")
    if isinstance(raw, int):
        number = raw
    elif isinstance(raw, float) and raw.is_integer():
        if abs(raw) > _LARGEST:
            raise CoercionError(_TOO_MANY_DIGITS)
        number = int(raw)
    elif isinstance(raw, str):
        match = _WHOLE_NUMBER.fullmatch(raw.strip())
        if match is None:
            if any(char.isdigit() and not char.isascii() for char in raw):
                raise CoercionError("expected a whole number written with the digits 0-9")
            raise CoercionError("expected a whole number")
        digits = match.group(1).lstrip("+-")
        if len(digits) > MAX_NUMBER_DIGITS:
            raise CoercionError(_TOO_MANY_DIGITS)
        number = int(match.group(1))
    else:
        raise CoercionError("expected a whole number")
    if abs(number) > _LARGEST:
        raise CoercionError(_TOO_MANY_DIGITS)
    if question.min is not None and number < question.min:
        raise CoercionError(f"{number} is below the minimum {question.min}")
    if question.max is not None and number > question.max:
        raise CoercionError(f"{number} is above the maximum {question.max}")
    return number


def _choice_key(text: str) -> str:
    return _normalise(text).replace("-", "_").replace(" ", "_")


def _one_choice(question: Question, raw: object, extra: tuple[str, ...] = ()) -> str:
    if not isinstance(raw, str):
        raise CoercionError("expected one of the listed choices")
    key = _choice_key(raw)
    for choice in question.choices:
        if key in (choice.value, _choice_key(choice.label)):
            return choice.value
    if key in extra:
        return key
    allowed = [*question.choice_values, *extra]
    raise CoercionError(
        f"{raw.strip()!r} is not one of: {', '.join(allowed)}{suggest(key, allowed)}"
    )


def _multi_choice(question: Question, raw: object) -> frozenset[str] | None:
    items: list[object]
    if isinstance(raw, str):
        items = [part for part in raw.replace(",", ";").split(";") if part.strip()]
    elif isinstance(raw, (list, tuple, set, frozenset)):
        items = list(raw)
        if not items:
            # An empty list does not say "none of these"; other systems send it for "not asked".
            return None
    else:
        raise CoercionError("expected choices separated by ';'")
    chosen = {
        NONE_CHOICE
        if isinstance(item, str) and _choice_key(item) == _NONE_LABEL_KEY
        else _one_choice(question, item, (NONE_CHOICE,))
        for item in items
    }
    if NONE_CHOICE in chosen:
        if len(chosen) > 1:
            raise CoercionError("'none' cannot be combined with other choices")
        return frozenset()
    return frozenset(chosen)


def coerce_value(question: Question, raw: object) -> Value:
    """One raw value as the question's type; None for unknown. Raises CoercionError."""
    if raw is None:
        return None
    if isinstance(raw, str) and len(raw) > MAX_ANSWER_CHARS:
        raise CoercionError(TOO_LONG)
    if isinstance(raw, str) and is_unknown_text(raw):
        return None
    kind = question.type
    if kind is QuestionType.YES_NO:
        return _yes_no(raw)
    if kind is QuestionType.INTEGER:
        return _integer(question, raw)
    if kind is QuestionType.CHOICE:
        return _one_choice(question, raw)
    if kind is QuestionType.MULTI_CHOICE:
        return _multi_choice(question, raw)
    if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
        return str(raw).strip()
    raise CoercionError("expected text")


def coerce_answers(
    questions: Mapping[str, Question], raw: Mapping[str, object]
) -> tuple[dict[str, Value], list[AnswerProblem]]:
    """Typed answers for every question (None where unknown) and one problem per bad value.

    A value that cannot be read is reported and left unknown, so it can never help anyone
    toward "likely eligible".
    """
    answers: dict[str, Value] = dict.fromkeys(questions)
    problems: list[AnswerProblem] = []
    for key, value in raw.items():
        question = questions.get(key)
        if question is None:
            hint = suggest(key, questions)
            problems.append(AnswerProblem(key, value, f"not a question in this rule set{hint}"))
            continue
        try:
            answers[key] = coerce_value(question, value)
        except CoercionError as exc:
            too_long = isinstance(value, str) and len(value) > MAX_ANSWER_CHARS
            problems.append(AnswerProblem(key, TOO_LONG_SHOWN if too_long else value, str(exc)))
    return answers, problems


def answer_to_json(value: Value) -> object:
    """An answer in a JSON-friendly form: multi-choice as a sorted list (["none"] for none of
    these), unknown as null. coerce_value reads every such form back to the same answer."""
    if isinstance(value, frozenset):
        return sorted(value) if value else [NONE_CHOICE]
    return value
