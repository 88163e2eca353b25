"""A REDCap data dictionary as the `questions` part of a rule file (`screener redcap import`).

Each field that holds an answer becomes a question named by its field name, in the file's
order: yes/no fields (and radios of exactly `1, Yes | 0, No`) `yes_no`; radios and dropdowns
`choice`, checkboxes `multi_choice`, with each choice's REDCap code pinned as its `code`;
text fields `integer`, `number` or `text` by their validation, with min and max; notes
`text`. A choice labelled "don't know" (or another of screener's unknown words) is not a
choice: screener has "don't know" built in, so such a question is not `required`. A tick box
labelled "none of these" is screener's own `none`. The field note becomes `help` (a trailing
`Unit: x.` its `unit`). Branching logic becomes `ask_if` where it translates
(`logic_read`), and a note where it does not.

Every field that is not imported (the record id, descriptive text, calculations, files,
dates, identifiers, hidden or read-only fields) and every approximation is a note, located by
the dictionary's row and field name.
"""

from __future__ import annotations

import re
import unicodedata

from screener.core.coercion import is_unknown_text
from screener.core.conditions.syntax import KEYWORDS
from screener.core.frozen import record_class
from screener.core.model import NONE_CHOICE, QuestionType
from screener.core.problems import clip
from screener.interop.redcap.codes import DONT_KNOW_CODE, NONE_CODE
from screener.interop.redcap.columns import text_key
from screener.interop.redcap.dictionary import BLANK_IS_UNKNOWN, VERSION_FIELD
from screener.interop.redcap.dictionary_read import DictionaryField, RedcapDictionary
from screener.interop.redcap.logic_read import FieldLogic, Untranslated, read_branching
from screener.interop.yaml_text import Commented, Data, yaml_text

NONE_LABELS = frozenset({"none", "none of these", "none of the above"})
# Characters of a branching logic a note quotes (enough to translate it by hand; the whole of it
# is in the dictionary).
BRANCHING_SHOWN = 200
_INTEGER_CODE = re.compile(r"-?[1-9][0-9]{0,17}|0")
_CODE = re.compile(r"-?[0-9]+|[A-Za-z0-9_]+")
_DECIMAL = re.compile(r"-?[0-9]{1,18}(?:\.[0-9]{1,18})?")
_UNIT = re.compile(r"(?:^| )Unit: ([^.]+)\.$")
_NUMBER_VALIDATIONS = frozenset({"number", "number_1dp", "number_2dp", "number_3dp", "number_4dp"})
_NOT_ASKED_TAGS = re.compile(r"@(HIDDEN|READONLY)(?![-\w])", re.IGNORECASE)


@record_class
class Note:
    row: int
    field: str
    text: str

    def __str__(self) -> str:
        return f"row {self.row} ({self.field}): {self.text}"


@record_class
class ImportedQuestions:
    source: str
    questions: tuple[dict[str, Data], ...]
    notes: tuple[Note, ...]  # in row order

    def yaml(self) -> str:
        """The questions as rule-file YAML: every string quoted, each note a comment above
        its question, and the fields not imported listed at the top."""
        by_field: dict[str, list[str]] = {}
        for note in self.notes:
            by_field.setdefault(note.field, []).append(f"row {note.row}: {note.text}")
        ids = {str(q["id"]) for q in self.questions}
        header = [
            f"Questions imported from the REDCap data dictionary {self.source}",
            "by screener redcap import. Add the rest of a rule file (name, version, clinic,",
            "disclaimer, crisis_text, next_steps) and the rules, then run screener validate.",
            "Review every note below: each says what REDCap holds that screener reads otherwise.",
        ]
        others = [str(n) for n in self.notes if n.field not in ids]
        if others:
            header += ["", "Not imported, or notes on no question:", *(f"  {o}" for o in others)]
        items: list[Data] = [
            Commented(question, tuple(by_field.get(str(question["id"]), ())))
            for question in self.questions
        ]
        return yaml_text({"questions": items}, header)


def _value_for(label: str, code: str, used: set[str]) -> str:
    """A choice value from its label: lowercase ASCII letters, digits and `_`."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    value = ""
    for word in re.findall(r"[a-z0-9]+", ascii_text.lower()):  # whole words, up to 32
        if value and len(value) + 1 + len(word) > 32:
            break
        value = f"{value}_{word}" if value else word[:32]
    if not value or not value[0].isalpha() or value == NONE_CHOICE:
        value = "choice_" + re.sub(r"[^a-z0-9]+", "_", code.lower()).strip("_")
    base, number = value, 2
    while value in used:
        value, number = f"{base}_{number}", number + 1
    used.add(value)
    return value


def _code(code: str) -> int | str:
    return int(code) if _INTEGER_CODE.fullmatch(code) else code


def _bound(text: str, integer: bool) -> int | float | None:
    if not _DECIMAL.fullmatch(text):
        return None
    value = float(text)
    if value.is_integer():
        return int(value)
    return None if integer or "e" in repr(value) else value


def _help_and_unit(note: str) -> tuple[str | None, str | None]:
    if note.endswith(BLANK_IS_UNKNOWN):
        note = note[: -len(BLANK_IS_UNKNOWN)].rstrip()
    unit = None
    found = _UNIT.search(note)
    if found is not None:
        unit, note = found.group(1).strip(), note[: found.start()].rstrip()
    return note or None, unit


class _Importer:
    def __init__(self, dictionary: RedcapDictionary) -> None:
        self.dictionary = dictionary
        self.notes: list[Note] = []
        self.logic: dict[str, FieldLogic] = {}
        self.questions: list[dict[str, Data]] = []

    def note(self, found: DictionaryField, text: str) -> None:
        self.notes.append(Note(found.row, found.name, text))

    def run(self) -> ImportedQuestions:
        dictionary = self.dictionary
        self.notes.append(
            Note(
                dictionary.record_id_row,
                dictionary.record_id,
                "the record id (the first field); not a question",
            )
        )
        for skipped in dictionary.skipped:
            self.notes.append(Note(skipped.row, skipped.name or "?", skipped.reason))
        for found in dictionary.fields:
            question = self.field(found)
            if question is not None:
                self.questions.append(question)
        self.notes.sort(key=lambda n: n.row)
        return ImportedQuestions(dictionary.source, tuple(self.questions), tuple(self.notes))

    def field(self, found: DictionaryField) -> dict[str, Data] | None:
        if found.name == VERSION_FIELD:
            self.note(found, "screener's rule set version field; not a question")
            return None
        if found.identifier:
            self.note(found, "an identifier (it names the person); not a screening question")
            return None
        tag = _NOT_ASKED_TAGS.search(found.annotation)
        if tag is not None:
            self.note(found, f"marked @{tag.group(1).upper()}, so never answered; not imported")
            return None
        question: dict[str, Data] = {"id": found.name, "text": found.label or found.name}
        if found.name in KEYWORDS:
            self.note(found, "the name is a word of the condition language: rename the question")
        kind, required, logic = self.answer(found, question)
        question["type"] = kind.value
        if required:
            question["required"] = True
        help_text, unit = _help_and_unit(found.note)
        if help_text:
            question["help"] = help_text
        if unit:
            question["unit"] = unit
        if found.branching:
            try:
                question["ask_if"] = read_branching(
                    found.branching, self.logic, self.dictionary.record_id
                )
            except Untranslated as why:
                self.note(
                    found,
                    f"branching logic not translated ({why}), so the question is always"
                    f" asked: {clip(found.branching, BRANCHING_SHOWN)}",
                )
        self.logic[found.name] = logic
        # The keys in the order a person reads them.
        order = ("id", "text", "type", "required", "min", "max", "unit", "choices", "help")
        return {
            **{k: question[k] for k in order if k in question},
            **{k: v for k, v in question.items() if k not in order},
        }

    def answer(
        self, found: DictionaryField, question: dict[str, Data]
    ) -> tuple[QuestionType, bool, FieldLogic]:
        """The question's type, whether it is required, and how its codes read (filling in
        choices and ranges)."""
        if found.field_type == "checkbox":
            return self.ticks(found, question)
        if found.choices:
            return self.coded(found, question)
        if found.validation == "integer" or found.validation in _NUMBER_VALIDATIONS:
            kind = QuestionType.INTEGER if found.validation == "integer" else QuestionType.NUMBER
            for key, text in (("min", found.minimum), ("max", found.maximum)):
                if not text:
                    continue
                bound = _bound(text, kind is QuestionType.INTEGER)
                if bound is None:
                    what = "a whole number" if kind is QuestionType.INTEGER else "a number"
                    self.note(found, f"validation {key} {text!r} is not {what}; left out")
                else:
                    question[key] = bound
            low, high = question.get("min"), question.get("max")
            if isinstance(low, (int, float)) and isinstance(high, (int, float)) and low > high:
                self.note(found, f"validation min {low} is above max {high}; both left out")
                del question["min"], question["max"]
            low, high = question.get("min"), question.get("max")
            return (
                kind,
                found.required,
                FieldLogic(
                    kind,
                    {},
                    low=low if isinstance(low, (int, float)) else None,
                    high=high if isinstance(high, (int, float)) else None,
                ),
            )
        if found.validation and found.field_type == "text":
            self.note(found, f"validation {found.validation!r} is read as plain text")
        return QuestionType.TEXT, found.required, FieldLogic(QuestionType.TEXT, {})

    def _split(self, found: DictionaryField) -> tuple[list[tuple[str, str]], set[str]]:
        """The choices that are answers, and the codes of "don't know" choices."""
        answers, dont_know = [], set()
        for code, label in found.choices:
            if is_unknown_text(label):
                dont_know.add(code)
                if code != DONT_KNOW_CODE:
                    self.note(
                        found,
                        f'choice {code} ({label}) is read as "don\'t know"; a dictionary'
                        f" written from the rule file codes it {DONT_KNOW_CODE}",
                    )
            else:
                answers.append((code, label))
        return answers, dont_know

    def _choices(
        self, found: DictionaryField, answers: list[tuple[str, str]]
    ) -> tuple[list[Data], dict[str, str]]:
        used: set[str] = set()
        choices: list[Data] = []
        codes: dict[str, str] = {}
        for code, label in answers:
            value = _value_for(label, code, used)
            codes[code] = value
            choice: dict[str, Data] = {"value": value, "label": label or value}
            if _CODE.fullmatch(code) and len(code) <= 32:
                choice["code"] = _code(code)
            else:
                self.note(found, f"code {code!r} of {label!r} is not kept (use letters or digits)")
            choices.append(choice)
        return choices, codes

    def coded(
        self, found: DictionaryField, question: dict[str, Data]
    ) -> tuple[QuestionType, bool, FieldLogic]:
        answers, dont_know = self._split(found)
        required = found.required and not dont_know
        yes_no = {(code, text_key(label)) for code, label in answers}
        if yes_no in ({("1", "yes"), ("0", "no")}, {("1", "true"), ("0", "false")}):
            codes = {"1": "yes", "0": "no"}
            return (
                QuestionType.YES_NO,
                required,
                FieldLogic(QuestionType.YES_NO, codes, frozenset(dont_know), yes_no=True),
            )
        labels = {text_key(label) for _, label in answers}
        if {"yes", "no"} <= labels or {"true", "false"} <= labels:
            self.note(
                found,
                "a yes/no field with codes other than 1 and 0: imported as a choice (a yes/no"
                ' question is stored as 1 and 0); test it as == "yes"',
            )
        if not answers:
            self.note(found, 'every choice means "don\'t know"; imported as text')
            return QuestionType.TEXT, False, FieldLogic(QuestionType.TEXT, {})
        choices, codes = self._choices(found, answers)
        question["choices"] = choices
        return (
            QuestionType.CHOICE,
            required,
            FieldLogic(QuestionType.CHOICE, codes, frozenset(dont_know)),
        )

    def ticks(
        self, found: DictionaryField, question: dict[str, Data]
    ) -> tuple[QuestionType, bool, FieldLogic]:
        answers, dont_know = self._split(found)
        none = [(code, label) for code, label in answers if text_key(label) in NONE_LABELS]
        answers = [choice for choice in answers if choice not in none]
        for code, label in none:
            if code != NONE_CODE:
                self.note(
                    found,
                    f'option {code} ({label}) is screener\'s "none"; a dictionary written'
                    f" from the rule file codes it {NONE_CODE}",
                )
        exclusive = set(found.exclusive_codes) - dont_know - {code for code, _ in none}
        for code in sorted(exclusive):
            self.note(
                found,
                f'option {code} is exclusive (@NONEOFTHEABOVE) but not "none" or "don\'t'
                ' know": imported as an ordinary choice',
            )
        if not answers:
            self.note(found, "no option is an answer; imported as text")
            return QuestionType.TEXT, False, FieldLogic(QuestionType.TEXT, {})
        choices, codes = self._choices(found, answers)
        question["choices"] = choices
        codes.update({code: NONE_CHOICE for code, _ in none})
        required = found.required and not dont_know
        return (
            QuestionType.MULTI_CHOICE,
            required,
            FieldLogic(QuestionType.MULTI_CHOICE, codes, frozenset(dont_know)),
        )


def import_questions(dictionary: RedcapDictionary) -> ImportedQuestions:
    """The questions of a rule file from a parsed data dictionary, with located notes."""
    return _Importer(dictionary).run()
