"""How each question type is stored in a REDCap field: the field type, the choices and their
codes, "don't know", validation. One entry per question type in `CODINGS`.

Codes:
- a yes/no question is a `yesno` field (1 yes, 0 no) when the rule file marks it `required`
  (the interview offers no "don't know"); otherwise a `radio` field `1, Yes | 0, No | 99,
  Don't know`, so that "don't know" is an answer of its own, not a blank;
- a choice question is a `radio` (a `dropdown` past DROPDOWN_AFTER choices) whose choices are
  coded 1..n in rule-file order, plus `99, Don't know` unless it is `required`;
- a multi-choice question is a `checkbox` with the same codes, `0, None of these`, and `99,
  Don't know` unless `required`; `@NONEOFTHEABOVE` makes "none" and "don't know" exclusive;
- an integer question is a `text` field with validation `integer` and the question's min and
  max. REDCap has no "don't know" for a number: it is left blank, and the field is not marked
  required unless the rule file marks the question `required` (a required number would push
  staff to make one up);
- a number question is a `text` field with validation `number`, blank for "don't know";
- a list question is its count (a `text` field, integer 0..max_items) followed by one field
  per item and field, `<list>_<n>_<field>`, each coded by its own type and shown once the
  count reaches its item;
- a text question is a `text` field; blank is "don't know", as for numbers.

A choice's code is the `code` the rule file pins for it (a clinic's own REDCap codes, as
`screener redcap import` writes them). Choices without one are numbered 1..n in the order of
the rule file, skipping 0, 99 and the codes pinned in the same question: they stay the same
when choices are added at the end, and change when choices are inserted, removed or
reordered (which changes what stored data means: add new choices at the end, or pin codes).
"None of these" is 0 and "don't know" 99, unless a pinned code takes them; then each takes
the first free number from 100 on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from screener.core.frozen import record_class
from screener.core.model import NONE_CHOICE, Choice, Question, QuestionType

DONT_KNOW_CODE = "99"
DONT_KNOW_LABEL = "Don't know"
NONE_CODE = "0"
NONE_LABEL = "None of these"
YES_CODE, NO_CODE = "1", "0"
RESERVED_CODES = frozenset({DONT_KNOW_CODE, NONE_CODE})
DROPDOWN_AFTER = 10  # more choices than this: a dropdown instead of radio buttons
NUMBER_VALIDATIONS = frozenset({"integer", "number"})

AnswerKey = bool | str  # True/False for yes/no, a choice value (or "none") otherwise


@record_class
class FieldCoding:
    """One question as one REDCap field."""

    question: Question
    field_type: str  # yesno, radio, dropdown, checkbox, text
    choices: tuple[tuple[str, str], ...] = ()  # (code, label), as written in the dictionary
    codes: Mapping[AnswerKey, str] | None = None  # answer -> code (coded fields only)
    dont_know: str | None = None  # the code of "don't know", when the field has one
    validation: str | None = None
    minimum: int | None = None
    maximum: int | None = None

    @property
    def required(self) -> bool:
        """`Required Field?`: y when every state of the answer, "don't know" included, can be
        entered; for a number or text that is not required in the rule file, blank is its
        "don't know", so it is left optional."""
        return self.codes is not None or self.question.required

    @property
    def coded(self) -> bool:
        return self.codes is not None

    @property
    def numeric(self) -> bool:
        """A number in a text field: compared as a number, blank when unknown."""
        return self.validation in NUMBER_VALIDATIONS

    @property
    def yes_no(self) -> bool:
        return self.codes is not None and set(self.codes) == {True, False}

    def code(self, answer: AnswerKey) -> str:
        assert self.codes is not None
        return self.codes[answer]

    @property
    def answer_codes(self) -> tuple[str, ...]:
        """Codes that are a known answer (not "don't know")."""
        return tuple(self.codes.values()) if self.codes is not None else ()


def choice_codes(choices: tuple[Choice, ...]) -> dict[AnswerKey, str]:
    """Choice value -> code: the pinned code, else 1..n in order, skipping the codes kept for
    none and don't know and the codes pinned in the question."""
    pinned = {choice.code for choice in choices if choice.code is not None}
    codes: dict[AnswerKey, str] = {}
    number = 0
    for choice in choices:
        if choice.code is not None:
            codes[choice.value] = choice.code
            continue
        number += 1
        while str(number) in RESERVED_CODES or str(number) in pinned:
            number += 1
        codes[choice.value] = str(number)
    return codes


def spare_code(preferred: str, taken: Iterable[str]) -> str:
    """`preferred` unless a choice has it; else the first free number from 100 on."""
    used = {code.lower() for code in taken}
    if preferred not in used:
        return preferred
    number = 100
    while str(number) in used:
        number += 1
    return str(number)


def _dont_know(question: Question, code: str = DONT_KNOW_CODE) -> tuple[tuple[str, str], ...]:
    return () if question.required else ((code, DONT_KNOW_LABEL),)


def _yes_no(question: Question) -> FieldCoding:
    codes: dict[AnswerKey, str] = {True: YES_CODE, False: NO_CODE}
    if question.required:
        return FieldCoding(question, "yesno", ((YES_CODE, "Yes"), (NO_CODE, "No")), codes)
    choices = ((YES_CODE, "Yes"), (NO_CODE, "No"), *_dont_know(question))
    return FieldCoding(question, "radio", choices, codes, DONT_KNOW_CODE)


def _choice(question: Question) -> FieldCoding:
    codes = choice_codes(question.choices)
    choices = tuple((codes[c.value], c.label) for c in question.choices)
    kind = "dropdown" if len(choices) > DROPDOWN_AFTER else "radio"
    dont_know = None if question.required else spare_code(DONT_KNOW_CODE, codes.values())
    return FieldCoding(
        question, kind, (*choices, *_dont_know(question, dont_know or "")), codes, dont_know
    )


def _multi_choice(question: Question) -> FieldCoding:
    by_value = choice_codes(question.choices)
    choices = tuple((by_value[c.value], c.label) for c in question.choices)
    none = spare_code(NONE_CODE, by_value.values())
    codes: dict[AnswerKey, str] = {**by_value, NONE_CHOICE: none}
    dont_know = None if question.required else spare_code(DONT_KNOW_CODE, codes.values())
    return FieldCoding(
        question,
        "checkbox",
        (*choices, (none, NONE_LABEL), *_dont_know(question, dont_know or "")),
        codes,
        dont_know,
    )


def _integer(question: Question) -> FieldCoding:
    return FieldCoding(
        question,
        "text",
        validation="integer",
        minimum=None if question.min is None else int(question.min),
        maximum=None if question.max is None else int(question.max),
    )


def _number(question: Question) -> FieldCoding:
    return FieldCoding(
        question,
        "text",
        validation="number",
        minimum=None if question.min is None else int(question.min),
        maximum=None if question.max is None else int(question.max),
    )


def _item_count(question: Question) -> FieldCoding:
    """A list's count: how many items follow (its items are fields of their own)."""
    return FieldCoding(
        question, "text", validation="integer", minimum=0, maximum=question.max_items
    )


def _text(question: Question) -> FieldCoding:
    return FieldCoding(question, "text")


# The one table to extend for a new question type.
CODINGS: dict[QuestionType, Callable[[Question], FieldCoding]] = {
    QuestionType.YES_NO: _yes_no,
    QuestionType.CHOICE: _choice,
    QuestionType.MULTI_CHOICE: _multi_choice,
    QuestionType.INTEGER: _integer,
    QuestionType.NUMBER: _number,
    QuestionType.LIST: _item_count,
    QuestionType.TEXT: _text,
}


def coding_for(question: Question) -> FieldCoding:
    return CODINGS[question.type](question)
