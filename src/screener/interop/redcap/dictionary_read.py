"""Read a REDCap data dictionary (CSV text) into fields.

Both header forms are read: the upload form (`Variable / Field Name`, ...) and the API's
snake_case keys (`field_name`, ...), in any order and any case. `NA` cells (what R writes for
an empty cell) count as empty. Labels lose their HTML and line breaks. Choices are read with or
without spaces around `|`, and split at the first comma only (a label may hold commas).

Fields that cannot hold an answer screener reads (descriptive text, calculations, files,
sliders, dates and times, unknown types) are skipped and named with their row; so are rows
with a broken choices cell or a field name REDCap would not allow. Problems that make the
whole file unusable (not CSV, no header, no field) raise InputFileError; nothing here raises
anything else.
"""

from __future__ import annotations

import csv
import io
import re

from screener.core.frozen import record_class
from screener.core.problems import InputFileError
from screener.interop.redcap.columns import (
    API_KEYS,
    DICTIONARY_COLUMNS,
    FIELD_NAME,
    plain_label,
)

ANSWER_FIELD_TYPES = frozenset(
    {"text", "notes", "dropdown", "radio", "checkbox", "yesno", "truefalse"}
)
IMPLIED_CHOICES = {
    "yesno": (("1", "Yes"), ("0", "No")),
    "truefalse": (("1", "True"), ("0", "False")),
}
# Text validations whose values are not answers screener reads (dates, times, ...).
_NUMBER_VALIDATIONS = frozenset(
    {"integer", "number", "number_1dp", "number_2dp", "number_3dp", "number_4dp"}
)
_KEY_BY_HEADER = {
    **{upload.casefold(): key for upload, key in DICTIONARY_COLUMNS},
    **{key: key for key in API_KEYS},
}
_REQUIRED_KEYS = ("field_name", "form_name", "field_type", "field_label")
_NONE_OF_THE_ABOVE = re.compile(r"@NONEOFTHEABOVE\s*=\s*(['\"])(.*?)\1", re.IGNORECASE)
_BLANK = "NA"


@record_class
class DictionaryField:
    row: int  # the row in the file, counting the header as row 1 (as a spreadsheet does)
    name: str
    form: str
    field_type: str
    label: str  # plain text
    choices: tuple[tuple[str, str], ...]  # (code, plain label); yesno and truefalse included
    validation: str
    minimum: str
    maximum: str
    note: str
    annotation: str
    branching: str
    required: bool
    identifier: bool

    @property
    def exclusive_codes(self) -> tuple[str, ...]:
        """Codes named by `@NONEOFTHEABOVE` (the options that exclude every other)."""
        found = _NONE_OF_THE_ABOVE.search(self.annotation)
        if found is None:
            return ()
        return tuple(code.strip() for code in found.group(2).split(",") if code.strip())


@record_class
class SkippedField:
    row: int
    name: str
    reason: str
    label: str = ""
    form: str = ""

    def __str__(self) -> str:
        name = f" {self.name!r}" if self.name else ""
        return f"row {self.row}{name}: {self.reason}"


@record_class
class RedcapDictionary:
    source: str
    record_id: str  # the first field
    record_id_label: str
    fields: tuple[DictionaryField, ...]  # fields that can hold an answer, in file order
    skipped: tuple[SkippedField, ...]
    all_forms: tuple[str, ...]  # every form of the file, in order (of skipped fields too)
    record_id_row: int = 2  # the record id's row in the file

    def field(self, name: str) -> DictionaryField | None:
        for found in self.fields:
            if found.name == name:
                return found
        return None


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    text = row[index].strip()
    return "" if text == _BLANK else text


def parse_choices(text: str) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """`code, Label | code, Label` -> ((code, plain label), ...), or a problem."""
    choices: list[tuple[str, str]] = []
    for part in text.split("|"):
        part = part.strip()
        if not part:
            continue
        code, comma, label = part.partition(",")
        code = code.strip()
        if not comma or not code:
            return (), f"choice {part[:40]!r} is not written as 'code, label'"
        if any(c in code for c in " '\""):
            return (), f"choice code {code[:20]!r} holds a space or a quote"
        if code in {c for c, _ in choices}:
            return (), f"choice code {code!r} is used twice"
        choices.append((code, plain_label(label)))
    if not choices:
        return (), "the field has no choices"
    return tuple(choices), None


def _skip_reason(field_type: str, validation: str) -> str | None:
    if field_type not in ANSWER_FIELD_TYPES:
        what = {
            "descriptive": "a descriptive text, not a question",
            "calc": "a calculated field",
            "file": "a file upload",
            "slider": "a slider",
            "sql": "an SQL field",
        }.get(field_type, f"field type {field_type!r} is not one screener reads")
        return f"{what}; skipped"
    if field_type == "text" and any(word in validation for word in ("date", "time")):
        return f"a date or time (validation {validation}); skipped"
    return None


def parse_dictionary(text: str, source: str) -> RedcapDictionary:
    """The fields of a data dictionary's CSV text; `source` names the file in messages."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        records = list(reader)
    except csv.Error as exc:
        too_long = "field larger than field limit" in str(exc)
        why = (
            f"a cell is longer than {csv.field_size_limit():,} characters, the most one may hold"
            if too_long
            else f"cannot be read as CSV ({exc})"
        )
        raise InputFileError(f"{source}: line {reader.line_num}: {why}") from None
    while records and not any(cell.strip() for cell in records[0]):
        records.pop(0)
    if not records:
        raise InputFileError(f"{source}: the file is empty; expected a REDCap data dictionary")
    index: dict[str, int] = {}
    for position, cell in enumerate(records[0]):
        key = _KEY_BY_HEADER.get(" ".join(cell.split()).casefold())
        if key is not None:
            index.setdefault(key, position)
    absent = [key for key in _REQUIRED_KEYS if key not in index]
    if absent:
        names = dict((key, upload) for upload, key in DICTIONARY_COLUMNS)
        wanted = ", ".join(f"{names[k]!r} (or {k})" for k in absent)
        raise InputFileError(
            f"{source}: not a REDCap data dictionary: the header has no {wanted} column"
        )

    fields: list[DictionaryField] = []
    skipped: list[SkippedField] = []
    seen: set[str] = set()
    first: tuple[str, str, int] | None = None
    forms: dict[str, None] = {}
    for number, row in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank (often trailing) rows
        get = {key: _cell(row, index.get(key)) for key in API_KEYS}
        name = get["field_name"]
        field_type = get["field_type"].lower()
        if first is None:
            first = (name, plain_label(get["field_label"]), number)
        if get["form_name"]:
            forms.setdefault(get["form_name"], None)
        label = plain_label(get["field_label"])
        if not FIELD_NAME.fullmatch(name):
            what = "no field name" if not name else "not a REDCap field name"
            skipped.append(SkippedField(number, name, f"{what}; skipped", label))
            continue
        if name in seen:
            skipped.append(SkippedField(number, name, "a second field of this name; skipped"))
            continue
        seen.add(name)
        validation = get["text_validation_type_or_show_slider_number"].lower()
        reason = _skip_reason(field_type, validation)
        if reason is not None:
            skipped.append(SkippedField(number, name, reason, label, get["form_name"]))
            continue
        choices: tuple[tuple[str, str], ...] = IMPLIED_CHOICES.get(field_type, ())
        if field_type in ("dropdown", "radio", "checkbox"):
            choices, problem = parse_choices(get["select_choices_or_calculations"])
            if problem is not None:
                skipped.append(
                    SkippedField(number, name, f"{problem}; skipped", label, get["form_name"])
                )
                continue
        fields.append(
            DictionaryField(
                row=number,
                name=name,
                form=get["form_name"],
                field_type=field_type,
                label=label,
                choices=choices,
                validation=validation,
                minimum=get["text_validation_min"],
                maximum=get["text_validation_max"],
                note=plain_label(get["field_note"]),
                annotation=get["field_annotation"],
                branching=get["branching_logic"],
                required=get["required_field"].lower() == "y",
                identifier=get["identifier"].lower() == "y",
            )
        )
    if first is None:
        raise InputFileError(f"{source}: the data dictionary has no fields")
    if not FIELD_NAME.fullmatch(first[0]):
        raise InputFileError(
            f"{source}: row {first[2]}: the first field is the record id, but {first[0]!r} is not a"
            " REDCap field name"
        )
    return RedcapDictionary(
        source=source,
        record_id=first[0],
        record_id_label=first[1],
        fields=tuple(f for f in fields if f.name != first[0]),
        skipped=tuple(skipped),
        all_forms=tuple(forms),
        record_id_row=first[2],
    )
