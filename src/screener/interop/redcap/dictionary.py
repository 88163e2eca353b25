"""A rule set as a REDCap data dictionary: one form, the record id first, one field per
question (coded as `codes.CODINGS` says), branching logic from each `ask_if`, and a hidden
field that stores the rule set's version with every record.

REDCap adds `<form>_complete` (the form's status: 0 Incomplete, 1 Unverified, 2 Complete) to
every form itself; it is not a row of the dictionary.
"""

from __future__ import annotations

import csv
import io
import re

from screener.core.frozen import record_class
from screener.core.model import NONE_CHOICE, Question, RuleSet
from screener.core.problems import InputFileError
from screener.interop.redcap.branching import Translator
from screener.interop.redcap.codes import FieldCoding, coding_for
from screener.interop.redcap.columns import (
    API_KEYS,
    FIELD_NAME,
    SYSTEM_COLUMNS,
    UPLOAD_HEADER,
    checkbox_column,
    complete_column,
    escape_choice_label,
    html_text,
)

DEFAULT_FORM = "prescreen"
RECORD_ID = "record_id"
VERSION_FIELD = "screener_rules_version"
BLANK_IS_UNKNOWN = "Leave blank if not known."
_FORMULA_START = re.compile(r"[=+\-@]")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


@record_class
class DataDictionary:
    """The rows (each keyed by the API's column names) and what the translation could not
    express exactly."""

    rows: tuple[dict[str, str], ...]
    form: str
    notes: tuple[str, ...]

    def csv_text(self) -> str:
        """The dictionary as REDCap's upload CSV (its headers, in its order)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(UPLOAD_HEADER)
        writer.writerows([row[key] for key in API_KEYS] for row in self.rows)
        return buffer.getvalue()


def _row(**cells: str) -> dict[str, str]:
    row = dict.fromkeys(API_KEYS, "")
    row.update(cells)
    return row


def _note(question: Question, coding: FieldCoding) -> str:
    parts = [question.help.strip()] if question.help else []
    if question.unit:
        parts.append(f"Unit: {question.unit}.")
    if not coding.required and not any("blank" in p.lower() for p in parts):
        parts.append(BLANK_IS_UNKNOWN)
    return " ".join(parts)


def _annotation(coding: FieldCoding) -> str:
    if coding.field_type != "checkbox":
        return ""
    exclusive = [coding.code(NONE_CHOICE), *([coding.dont_know] if coding.dont_know else [])]
    return "@NONEOFTHEABOVE='" + ",".join(exclusive) + "'"


def _choices_cell(coding: FieldCoding) -> str:
    if coding.field_type == "yesno":
        return ""  # REDCap's own 1, Yes | 0, No
    return " | ".join(f"{code}, {escape_choice_label(label)}" for code, label in coding.choices)


def _check_names(ruleset: RuleSet, form: str, codings: dict[str, FieldCoding]) -> None:
    """Field names REDCap would refuse or that would collide with a column it adds."""
    problems: list[str] = []
    if not FIELD_NAME.fullmatch(form):
        problems.append(f"--form {form!r}: use lowercase letters, digits and underscores")
    taken = {RECORD_ID: "the record id", VERSION_FIELD: "the rule set version field"}
    taken[complete_column(form)] = "the form's status column"
    for name in SYSTEM_COLUMNS:
        taken[name] = "a column REDCap adds to exports"
    for qid, coding in codings.items():
        if qid in taken or qid.startswith("redcap_"):
            problems.append(
                f"question {qid!r}: the name is taken by {taken.get(qid, 'REDCap')};"
                " rename the question"
            )
        if coding.field_type == "checkbox":
            for code, _ in coding.choices:
                column = checkbox_column(qid, code)
                if column in codings:
                    problems.append(
                        f"question {column!r}: the name is the export column of an option"
                        f" of {qid!r}; rename the question"
                    )
    if problems:
        raise InputFileError("\n".join(f"{ruleset.source_name}: {p}" for p in problems))


def _formula_like(rows: list[dict[str, str]]) -> list[str]:
    """Cells a spreadsheet would run as a formula: named, not changed (REDCap needs the
    text as it is); open the file in a text editor, or upload it as it is."""
    found = []
    for row in rows:
        for key in ("field_label", "field_note", "select_choices_or_calculations"):
            cell = row[key]
            if _FORMULA_START.match(cell) and not _NUMBER.fullmatch(cell):
                found.append(
                    f"{row['field_name']}: the {key.replace('_', ' ')} starts with {cell[0]!r};"
                    " a spreadsheet would read it as a formula, so upload the file as it is"
                )
    return found


def build_dictionary(ruleset: RuleSet, form: str = DEFAULT_FORM) -> DataDictionary:
    """The data dictionary for the rule set, on one form."""
    codings = {q.id: coding_for(q) for q in ruleset.slots}
    _check_names(ruleset, form, codings)
    translator = Translator(codings, RECORD_ID)
    notes: list[str] = []
    rows = [_row(field_name=RECORD_ID, form_name=form, field_type="text", field_label="Record ID")]
    for question in ruleset.slots:
        coding = codings[question.id]
        branching = ""
        if question.ask_if_tree is not None:
            branching, exact = translator.branching(question.ask_if_tree)
            if not exact:
                notes.append(
                    f"{question.id}: REDCap cannot test its ask_if exactly"
                    f" ({question.ask_if_text}); the branching logic shows the question in"
                    " some cases where screener would skip it"
                )
        rows.append(
            _row(
                field_name=question.id,
                form_name=form,
                field_type=coding.field_type,
                field_label=html_text(question.text),
                select_choices_or_calculations=_choices_cell(coding),
                field_note=html_text(_note(question, coding)),
                text_validation_type_or_show_slider_number=coding.validation or "",
                text_validation_min="" if coding.minimum is None else str(coding.minimum),
                text_validation_max="" if coding.maximum is None else str(coding.maximum),
                branching_logic=branching,
                required_field="y" if coding.required else "",
                field_annotation=_annotation(coding),
            )
        )
    version = ruleset.version.replace("'", "")
    rows.append(
        _row(
            field_name=VERSION_FIELD,
            form_name=form,
            field_type="text",
            field_label="Rule set version (filled in by REDCap)",
            field_note=html_text(f"{ruleset.name}, sha256 {ruleset.sha256[:12]}"),
            field_annotation=f"@HIDDEN @READONLY @DEFAULT='{version}'",
        )
    )
    notes.extend(_formula_like(rows))
    return DataDictionary(tuple(rows), form, tuple(notes))
