"""A rule set's questions in one of the languages its file has.

The file's own texts are in the clinic's language (`RuleSet.language`). A question may carry
its words in more languages (`Question.translations`: text, help, unit, a list's item name
and its question before each further item, and choice labels), and the file its crisis text
(`RuleSet.crisis_translations`).
`in_language` gives the rule set with those words in one language; ids, values, types,
ranges, skip logic, derived values and rules are unchanged. A part the file leaves
untranslated keeps the clinic's own words; `missing_translations` lists those parts.

Only what is read out changes. Score and summarise with the rule set as loaded: reasons,
summaries, records and exports stay in the clinic's language.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum

from screener.core.frozen import record_class, replace
from screener.core.model import Question, RuleSet, Wording
from screener.core.problems import UnknownLanguage


class Part(StrEnum):
    """What a translation is missing for."""

    TEXT = "text"
    HELP = "help"
    UNIT = "unit"
    ITEM_NAME = "item_name"
    MORE_TEXT = "more_text"
    LABEL = "label"  # a choice's label
    CRISIS_TEXT = "crisis_text"


@record_class
class MissingTranslation:
    """One text the file has in its own language and not in `language`."""

    language: str
    part: Part
    question: str | None = None  # the question's id; None for the crisis text
    field: str | None = None  # a list question's field
    choice: str | None = None  # the choice whose label is missing


def languages(ruleset: RuleSet) -> tuple[str, ...]:
    """The file's own language first, then every other language it has words in, sorted."""
    found = set(ruleset.crisis_translations)
    for question in ruleset.questions:
        found.update(question.translations)
        for field in question.fields:
            found.update(field.translations)
    found.discard(ruleset.language)
    return (ruleset.language, *sorted(found))


def in_language(ruleset: RuleSet, language: str) -> RuleSet:
    """The rule set with its questions and crisis text in `language`, which becomes its
    `language`; it then has no other. The file's own language gives the rule set itself.

    Raises UnknownLanguage, naming the languages the file has, for any other language."""
    available = languages(ruleset)
    if language not in available:
        raise UnknownLanguage(language, available)
    if language == ruleset.language:
        return ruleset
    return replace(
        ruleset,
        language=language,
        crisis_text=ruleset.crisis_translations.get(language) or ruleset.crisis_text,
        crisis_translations={},
        questions=tuple(question_in(q, language) for q in ruleset.questions),
    )


def question_in(question: Question, language: str) -> Question:
    """One question of `RuleSet.questions` in `language`, with its list's fields and item
    slots; the parts it has no words for in `language` stay as they are."""
    if question.list_id is not None:
        raise ValueError(f"{question.id!r} is a list's item slot: translate the list")
    words = question.translations.get(language, Wording())
    fields = tuple(question_in(f, language) for f in question.fields)
    item_name = words.item_name or question.item_name
    by_id = {f.id: f for f in fields}
    cells = tuple(
        tuple(_cell_in(question, cell, by_id[cell.field_id or ""], item_name) for cell in item)
        for item in question.item_cells
    )
    return replace(
        question,
        text=words.text or question.text,
        help=words.help or question.help,
        unit=words.unit or question.unit,
        choices=tuple(
            replace(c, label=words.choices.get(c.value, c.label)) for c in question.choices
        ),
        fields=fields,
        item_name=item_name,
        more_text=words.more_text or question.more_text,
        item_cells=cells,
        translations={},
    )


def _cell_in(list_question: Question, cell: Question, field: Question, item_name: str) -> Question:
    assert cell.item is not None
    return replace(
        cell,
        text=list_question.cell_text(cell.item, field.text, item_name),
        help=field.help,
        unit=field.unit,
        choices=field.choices,
        translations={},
    )


def missing_translations(
    ruleset: RuleSet, language: str | None = None
) -> tuple[MissingTranslation, ...]:
    """Every text of the file's own language that `language` (by default: each other
    language the file has) lacks, in file order: the crisis text, then each question's
    text, help, unit, item name and choice labels, and its list fields'."""
    available = languages(ruleset)
    if language is not None and language not in available:
        raise UnknownLanguage(language, available)
    wanted = available[1:] if language is None else (language,)
    found: list[MissingTranslation] = []
    for lang in wanted:
        if lang == ruleset.language:
            continue
        if ruleset.crisis_translations.get(lang) is None:
            found.append(MissingTranslation(lang, Part.CRISIS_TEXT))
        for question in ruleset.questions:
            found.extend(_gaps(question, lang, question.id, None))
            for field in question.fields:
                found.extend(_gaps(field, lang, question.id, field.id))
    return tuple(found)


def _gaps(
    question: Question, language: str, question_id: str, field_id: str | None
) -> Iterator[MissingTranslation]:
    words = question.translations.get(language, Wording())
    wanted = (
        (Part.TEXT, True, words.text),
        (Part.HELP, bool(question.help), words.help),
        (Part.UNIT, bool(question.unit), words.unit),
        (Part.ITEM_NAME, question.is_list, words.item_name),
        (Part.MORE_TEXT, bool(question.more_text), words.more_text),
    )
    for part, has_it, translated in wanted:
        if has_it and translated is None:
            yield MissingTranslation(language, part, question_id, field_id)
    for choice in question.choices:
        if choice.value not in words.choices:
            yield MissingTranslation(language, Part.LABEL, question_id, field_id, choice.value)
