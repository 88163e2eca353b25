"""Turn raw answers (JSON/YAML values, CSV cells, typed text) into typed values.

Every input path shares this: files given to `screener score`, CSV records in batch, and the
interview. Blank, "don't know" and missing all become None (unknown), never False or 0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from screener.core.frozen import replace
from screener.core.limits import MAX_ANSWER_CHARS, MAX_NUMBER_DIGITS
from screener.core.model import NONE_CHOICE, Question, QuestionType, Value, format_number
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
_NUMBER_DIGITS = f"a number has at most {MAX_NUMBER_DIGITS} digits"
TOO_LONG = f"longer than {MAX_ANSWER_CHARS:,} characters"
# What a message shows for a value that long (the batch shows the same; it keeps no such text).
TOO_LONG_SHOWN = f"(more than {MAX_ANSWER_CHARS:,} characters)"
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# Words for "there may be more items than these" at the end of a list answer.
MORE_ITEMS_WORDS = UNKNOWN_WORDS | {"more", "dont_know", "don't know how many"}


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


def _number(question: Question, raw: object) -> float:
    number: float
    if isinstance(raw, bool):
        raise CoercionError("expected a number")
    if isinstance(raw, (int, float)):
        # As for text: a YAML or JSON number past 18 digits before the point is refused as the
        # same digits in a CSV cell are (a longer decimal reaches here as text).
        if abs(raw) > _LARGEST and abs(raw) != float("inf"):  # infinity: "expected a number"
            raise CoercionError(_NUMBER_DIGITS)
        number = raw
    elif isinstance(raw, str):
        text = raw.strip()
        if _DECIMAL.fullmatch(text) is None:
            raise CoercionError("expected a number (digits, with a '.' for decimals)")
        if sum(c.isdigit() for c in text) > MAX_NUMBER_DIGITS:
            raise CoercionError(_NUMBER_DIGITS)
        number = float(text)
    else:
        raise CoercionError("expected a number")
    if number != number or number in (float("inf"), float("-inf")):
        raise CoercionError("expected a number")
    if question.min is not None and number < question.min:
        raise CoercionError(
            f"{format_number(number)} is below the minimum {format_number(question.min)}"
        )
    if question.max is not None and number > question.max:
        raise CoercionError(
            f"{format_number(number)} is above the maximum {format_number(question.max)}"
        )
    return int(number) if float(number).is_integer() and isinstance(raw, int) else number


def _item_count(question: Question, raw: object) -> int:
    if isinstance(raw, (list, tuple)):
        raise CoercionError("a list of items belongs in an answers file's list, not a cell")
    count = _integer(replace(question, min=0, max=question.max_items), raw)
    return count


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
    if len(items) > 1 and any(isinstance(item, str) and is_unknown_text(item) for item in items):
        raise CoercionError("'don't know' cannot be combined with other choices")
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
    if kind is QuestionType.NUMBER:
        return _number(question, raw)
    if kind is QuestionType.LIST:
        return _item_count(question, raw)
    if kind is QuestionType.CHOICE:
        return _one_choice(question, raw)
    if kind is QuestionType.MULTI_CHOICE:
        return _multi_choice(question, raw)
    if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
        return str(raw).strip()
    raise CoercionError("expected text")


def _list_items(
    question: Question, raw: object, answers: dict[str, Value], problems: list[AnswerProblem]
) -> None:
    """A list answered as a list of items (each a mapping of field to answer), optionally
    ending with "more" (there may be more items: the count is not known)."""
    if not isinstance(raw, (list, tuple)):
        try:
            answers[question.id] = coerce_value(question, raw)
        except CoercionError as exc:
            problems.append(AnswerProblem(question.id, raw, str(exc)))
        return
    items = list(raw)
    more = bool(items) and isinstance(items[-1], str) and _normalise(items[-1]) in MORE_ITEMS_WORDS
    if more:
        items.pop()
    if len(items) > question.max_items:
        problems.append(
            AnswerProblem(question.id, f"{len(items)} items", f"at most {question.max_items} items")
        )
        items = items[: question.max_items]
    answers[question.id] = None if more else len(items)
    fields = {f.id: f for f in question.fields}
    for number, item in enumerate(items, start=1):
        where = f"{question.id}[{number}]"
        if not isinstance(item, Mapping):
            problems.append(AnswerProblem(where, item, "expected the item's fields as a mapping"))
            continue
        for key, value in item.items():
            if str(key) not in fields:
                hint = suggest(str(key), fields)
                problems.append(
                    AnswerProblem(f"{where}.{key}", value, f"not a field of the list{hint}")
                )
                continue
            cell = question.cell_id(number, str(key))
            try:
                answers[cell] = coerce_value(fields[str(key)], value)
            except CoercionError as exc:
                problems.append(AnswerProblem(f"{where}.{key}", value, str(exc)))


def coerce_answers(
    questions: Mapping[str, Question], raw: Mapping[str, object]
) -> tuple[dict[str, Value], list[AnswerProblem]]:
    """Typed answers for every slot (None where unknown) and one problem per bad value.

    A list question may be answered as a list of items, or slot by slot (its count, and
    `<list>_<n>_<field>`), as in a CSV export. A value that cannot be read is reported and left
    unknown, so it can never help anyone toward "likely eligible".
    """
    answers: dict[str, Value] = dict.fromkeys(questions)
    problems: list[AnswerProblem] = []
    for key, value in raw.items():
        question = questions.get(key)
        if question is None:
            hint = suggest(key, questions)
            problems.append(AnswerProblem(key, value, f"not a question in this rule set{hint}"))
            continue
        if question.is_list:
            _list_items(question, value, answers, problems)
            continue
        try:
            answers[key] = coerce_value(question, value)
        except CoercionError as exc:
            too_long = isinstance(value, str) and len(value) > MAX_ANSWER_CHARS
            problems.append(AnswerProblem(key, TOO_LONG_SHOWN if too_long else value, str(exc)))
    return answers, problems


def answers_to_json(
    questions: Sequence[Question], answers: Mapping[str, Value]
) -> dict[str, object]:
    """Answers for a saved record or JSON output: a list question as its list of items (each
    a mapping of its known fields), followed by "more" when the count is not known."""
    out: dict[str, object] = {}
    for question in questions:
        if not question.is_list:
            out[question.id] = answer_to_json(answers.get(question.id))
            continue
        count = answers.get(question.id)
        items: list[object] = []
        for cells in question.item_cells:
            item = {
                c.field_id: answer_to_json(answers.get(c.id))
                for c in cells
                if answers.get(c.id) is not None
            }
            items.append(item)
        if isinstance(count, int):
            out[question.id] = items[:count]
            continue
        while items and not items[-1]:
            items.pop()
        # Not known how many: the items known so far and "more", or nothing known at all.
        out[question.id] = [*items, "more"] if items else None
    return out


def answer_to_json(value: Value) -> object:
    """An answer in a JSON-friendly form: multi-choice as a sorted list (["none"] for none of
    these), unknown as null. coerce_value reads every such form back to the same answer."""
    if isinstance(value, frozenset):
        return sorted(value) if value else [NONE_CHOICE]
    return value
