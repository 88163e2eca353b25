"""A rule file's translations: read into the model, checked, and their gaps located.

Errors (the file is refused): a language code that is not one, a translation into the file's
own language, and a translation of something the question does not have (a choice, a help
text, a unit, a list's item name). Gaps (a text the file has in its own language and not in
another it has elsewhere) are warnings: `screener validate` prints them, and the interview in
that language shows the clinic's own words for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from screener.core.model import CHOICE_TYPES, NONE_CHOICE, QuestionType, RuleSet, Wording
from screener.core.problems import Problem, shown
from screener.core.suggest import suggest
from screener.core.translation import MissingTranslation, Part, missing_translations
from screener.files.yaml_source import PathKey, SourceDocument
from screener.rulefile.schema import QuestionSpec, RuleFileSpec
from screener.rulefile.schema_errors import where_label

# A language code: two or three lowercase letters, then optionally a region, as in
# en, es, es-MX, es-419 (Latin American Spanish).
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-(?:[A-Z]{2}|[0-9]{3}))?")
BAD_CODE = (
    "is not a language code: write two or three lowercase letters, then optionally '-' and"
    " a region (es, es-MX, es-419)"
)


def wordings(spec: QuestionSpec) -> Mapping[str, Wording]:
    """A question's translations as the model holds them."""
    return {
        language: Wording(
            text=words.text,
            help=words.help,
            unit=words.unit,
            item_name=words.item_name,
            more_text=words.more_text,
            choices={
                value: label
                for value, label in words.choices.items()
                # "none of these" is the interview's own, as in the file's own language.
                if not (value == NONE_CHOICE and spec.type is QuestionType.MULTI_CHOICE)
            },
        )
        for language, words in spec.translations.items()
    }


def crisis_translations(spec: RuleFileSpec) -> Mapping[str, str | None]:
    return {language: words.crisis_text for language, words in spec.translations.items()}


def translation_problems(doc: SourceDocument, spec: RuleFileSpec) -> list[Problem]:
    """Every error in the file's translations, located."""
    problems: list[Problem] = []
    if not LANGUAGE_CODE.fullmatch(spec.language):
        problems.append(
            doc.problem(("language",), "language", f"{shown(spec.language)} {BAD_CODE}")
        )
    for language in spec.translations:
        problems.extend(_language_problems(doc, ("translations", language), language, spec))
    for index, question in enumerate(spec.questions):
        path: PathKey = ("questions", index)
        problems.extend(_question_problems(doc, path, question, spec))
        for number, field in enumerate(question.fields or ()):
            problems.extend(_question_problems(doc, (*path, "fields", number), field, spec))
    return problems


def _language_problems(
    doc: SourceDocument, path: PathKey, language: str, spec: RuleFileSpec
) -> list[Problem]:
    where = where_label(doc, path)
    if not LANGUAGE_CODE.fullmatch(language):
        return [doc.problem(path, where, f"{shown(language)} {BAD_CODE}")]
    if language == spec.language:
        return [
            doc.problem(
                path,
                where,
                f"{language!r} is the file's own language (language: {spec.language}):"
                " its texts are the ones written without 'translations'",
            )
        ]
    return []


def _question_problems(
    doc: SourceDocument, path: PathKey, question: QuestionSpec, spec: RuleFileSpec
) -> Iterator[Problem]:
    values = [c if isinstance(c, str) else c.value for c in question.choices or ()]
    for language, words in question.translations.items():
        at: PathKey = (*path, "translations", language)
        found = _language_problems(doc, at, language, spec)
        yield from found
        if found:
            continue
        owns = (
            ("help", words.help, bool(question.help), "the question has no 'help' to translate"),
            ("unit", words.unit, bool(question.unit), "the question has no 'unit' to translate"),
            (
                "item_name",
                words.item_name,
                question.type is QuestionType.LIST,
                "'item_name' belongs to list questions",
            ),
            (
                "more_text",
                words.more_text,
                bool(question.more_text),
                "the question has no 'more_text' to translate",
            ),
        )
        for key, given, has_it, message in owns:
            if given is not None and not has_it:
                yield doc.problem((*at, key), where_label(doc, (*at, key)), message)
        if words.choices and not values:
            # (A choice question without choices has that problem already.)
            if question.type not in CHOICE_TYPES:
                yield doc.problem(
                    (*at, "choices"),
                    where_label(doc, (*at, "choices")),
                    f"a {question.type.value} question has no choices to translate",
                )
            continue
        for value in words.choices:
            allowed = value in values or (
                value == NONE_CHOICE and question.type is QuestionType.MULTI_CHOICE
            )
            if not allowed:
                key_path = (*at, "choices", value)
                yield doc.problem(
                    key_path,
                    where_label(doc, key_path),
                    f"{shown(value)} is not a choice of this question{suggest(value, values)}",
                )


def translation_warnings(doc: SourceDocument, ruleset: RuleSet) -> list[Problem]:
    """One located warning per text that a language the file has lacks, in file order."""
    warnings = [_located(doc, gap) for gap in missing_translations(ruleset)]
    return sorted(warnings, key=lambda p: (p.line or 0, p.column or 0))


def _located(doc: SourceDocument, gap: MissingTranslation) -> Problem:
    message = f"warning: no {gap.language!r} translation"
    if gap.part is Part.CRISIS_TEXT:
        return doc.problem(("crisis_text",), "crisis_text", message)
    path = _question_path(doc, gap.question or "", gap.field)
    if gap.part is Part.LABEL:
        choices = _entry(doc, (*path, "choices"))
        index = next(
            i
            for i, c in enumerate(choices if isinstance(choices, list) else [])
            if c == gap.choice or (isinstance(c, dict) and c.get("value") == gap.choice)
        )
        choice_path: PathKey = (*path, "choices", index)
        where = f"{where_label(doc, choice_path)} ({gap.choice}).label"
        return doc.problem((*choice_path, "label"), where, message)
    part: PathKey = (*path, gap.part.value)
    return doc.problem(part, where_label(doc, part), message)


def _question_path(doc: SourceDocument, question_id: str, field_id: str | None) -> PathKey:
    """Where a question (or a list's field) is in the file; ids are unique in a sound file."""
    path: PathKey = ("questions", _index_of(_entry(doc, ("questions",)), question_id))
    if field_id is None:
        return path
    return (*path, "fields", _index_of(_entry(doc, (*path, "fields")), field_id))


def _index_of(entries: object, entry_id: str) -> int:
    items = entries if isinstance(entries, list) else []
    return next(i for i, e in enumerate(items) if isinstance(e, dict) and e.get("id") == entry_id)


def _entry(doc: SourceDocument, path: PathKey) -> object:
    data: object = doc.data
    for part in path:
        if isinstance(part, int) and isinstance(data, list):
            data = data[part]
        elif isinstance(part, str) and isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data
