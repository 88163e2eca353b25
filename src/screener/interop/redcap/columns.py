"""Facts about REDCap's formats that both directions share: the data dictionary's columns,
field names, tick-box column names, form status codes, and how labels are compared.
"""

from __future__ import annotations

import html
import re

# The data dictionary's columns, in upload order: (the upload header, the API's key).
DICTIONARY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Variable / Field Name", "field_name"),
    ("Form Name", "form_name"),
    ("Section Header", "section_header"),
    ("Field Type", "field_type"),
    ("Field Label", "field_label"),
    ("Choices, Calculations, OR Slider Labels", "select_choices_or_calculations"),
    ("Field Note", "field_note"),
    ("Text Validation Type OR Show Slider Number", "text_validation_type_or_show_slider_number"),
    ("Text Validation Min", "text_validation_min"),
    ("Text Validation Max", "text_validation_max"),
    ("Identifier?", "identifier"),
    ("Branching Logic (Show field only if...)", "branching_logic"),
    ("Required Field?", "required_field"),
    ("Custom Alignment", "custom_alignment"),
    ("Question Number (surveys only)", "question_number"),
    ("Matrix Group Name", "matrix_group_name"),
    ("Matrix Ranking?", "matrix_ranking"),
    ("Field Annotation", "field_annotation"),
)
UPLOAD_HEADER: tuple[str, ...] = tuple(upload for upload, _ in DICTIONARY_COLUMNS)
API_KEYS: tuple[str, ...] = tuple(key for _, key in DICTIONARY_COLUMNS)

FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*")

# Columns REDCap adds to record exports, by raw name, with their label-header forms.
EVENT_COLUMN = "redcap_event_name"
REPEAT_INSTRUMENT_COLUMN = "redcap_repeat_instrument"
REPEAT_INSTANCE_COLUMN = "redcap_repeat_instance"
SYSTEM_COLUMNS: dict[str, tuple[str, ...]] = {
    EVENT_COLUMN: ("event name",),
    REPEAT_INSTRUMENT_COLUMN: ("repeat instrument",),
    REPEAT_INSTANCE_COLUMN: ("repeat instance",),
    "redcap_data_access_group": ("data access group",),
    "redcap_survey_identifier": ("survey identifier",),
}
COMPLETE_SUFFIX = "_complete"
TIMESTAMP_SUFFIX = "_timestamp"
COMPLETE_LABEL_HEADER = "complete?"
TIMESTAMP_LABEL_HEADER = "survey timestamp"

# `<form>_complete`: the form's status.
COMPLETE = 2
STATUS_NAMES = {0: "Incomplete", 1: "Unverified", 2: "Complete"}
STATUS_BY_TEXT = {
    **{str(code): code for code in STATUS_NAMES},
    **{name.casefold(): code for code, name in STATUS_NAMES.items()},
}

# REDCap's suggested project-level missing data codes (Project Setup, Additional
# customizations): a field that holds one was not answered, for the reason the code gives. A
# tick-box field holds them as extra export columns (`field___unk`). A project may define
# codes of its own (`-999, Not asked`): a `--map` value map can name them.
MISSING_DATA_CODES = frozenset(
    {
        "NI", "INV", "UNK", "NASK", "ASKU", "NAV", "MSK", "NA", "NAVU", "NP", "QS", "QI",
        "TRC", "UNC", "DER", "PINF", "NINF", "OTH",
    }
)  # fmt: skip

_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def complete_column(form: str) -> str:
    return f"{form}{COMPLETE_SUFFIX}"


def checkbox_column(field: str, code: str) -> str:
    """A tick-box option's export column: `field___code`, the code lowercased and every
    character other than a letter or digit turned into `_` (so `-99` gives `field____99`)."""
    return f"{field}___" + re.sub(r"[^a-z0-9]", "_", code.lower())


def plain_label(text: str) -> str:
    """A label as a person reads it: HTML tags dropped, entities decoded, white space (line
    breaks too) collapsed."""
    return " ".join(html.unescape(_TAG.sub(" ", text)).split())


def text_key(text: str) -> str:
    """How plain texts are compared: white space collapsed, in any case."""
    return " ".join(text.split()).casefold()


def cell_keys(text: str) -> tuple[str, str]:
    """The keys an export's label (a header or a value) may match a plain dictionary label
    by: as written (REDCap writes labels as plain text), and with HTML read (in case it did
    not)."""
    return text_key(text), text_key(plain_label(text))


def checkbox_label_header(field_label: str, choice_label: str) -> str:
    """A tick-box option's header in a label-header export (from plain labels)."""
    return f"{field_label} (choice={choice_label})"


def html_text(text: str) -> str:
    """Plain text as REDCap label HTML: `&`, `<` and `>` as entities, so that REDCap shows the
    text as written (a rule file's text is plain text, REDCap's labels are HTML)."""
    return html.escape(text, quote=False)


def escape_choice_label(label: str) -> str:
    """A choice label as it can stand in a dictionary's choices cell: HTML, and `|` (which
    separates choices) as the entity REDCap shows as `|`."""
    return html_text(label).replace("|", "&#124;")
