"""A REDCap record export as canonical records: one per record (and event), with one answer
cell per question, written as an answers file or a canonical CSV would write it.

What is read:
- headers as field names (`age`, `meds___1`, `prescreen_complete`) or as labels (`How old
  ...?`, `Which ... (choice=Naltrexone)`, `Complete?`);
- values as codes or as labels: choice codes and labels become choice values (`99, Don't know`
  and any choice whose label means "don't know" become unknown), yes/no 1/0 and Yes/No,
  tick boxes 0/1, Unchecked/Checked, or the option's label when ticked, folded into one
  `;`-separated multi-choice cell (`none` for "none of these");
- `record_id` (the dictionary's first field) as the id; `redcap_event_name`: one record per
  record and event; rows of repeating instruments (`redcap_repeat_instrument`,
  `redcap_repeat_instance`) are folded into their record (and event);
- REDCap's missing data codes (`UNK`, `NASK`, `ASKU`, ... in a field, or ticked in a tick-box
  field's `field___unk` column) as unknown, never as an answer (a choice coded `NA` in the
  dictionary is that choice);
- `<form>_complete`: 0 Incomplete, 1 Unverified, 2 Complete, or their labels. A record whose
  forms are not all Complete is not scored unless asked (`include_incomplete`).

Nothing is dropped. A value that is no code or label of its field is passed on as text the
core's coercion refuses, so the record becomes invalid with that question named; a record whose
rows disagree, a ragged row or a row without a record id gets a problem of its own.

When a code of one choice is the label of another (labels "0", "1", "2" coded 1, 2, 3), such a
cell is read as the file's values are: codes or labels, as the other cells read so far show.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

from screener.core.coercion import CoercionError, coerce_value, is_unknown_text
from screener.core.frozen import field, record_class
from screener.core.model import NONE_CHOICE, Question, QuestionType, RuleSet, Value
from screener.core.problems import InputFileError, UsageError, name_list
from screener.interop.redcap.columns import (
    COMPLETE,
    COMPLETE_LABEL_HEADER,
    COMPLETE_SUFFIX,
    EVENT_COLUMN,
    MISSING_DATA_CODES,
    REPEAT_INSTANCE_COLUMN,
    REPEAT_INSTRUMENT_COLUMN,
    STATUS_BY_TEXT,
    STATUS_NAMES,
    SYSTEM_COLUMNS,
    TIMESTAMP_LABEL_HEADER,
    TIMESTAMP_SUFFIX,
    cell_keys,
    checkbox_column,
    checkbox_label_header,
    complete_column,
    text_key,
)
from screener.interop.redcap.dictionary_read import DictionaryField, RedcapDictionary

RAW, LABELS = "raw", "labels"
CACHE_LIMIT = 4096  # distinct cells remembered per field
_CHECKED = frozenset({"1", "checked"})
_UNCHECKED = frozenset({"0", "unchecked", "", "na"})  # NA: what R writes for a blank


class RowSource(Protocol):
    """What is read from the export: a CSV stream (columnar.reader.RecordSource)."""

    @property
    def header(self) -> Sequence[str]: ...

    @property
    def blank_lines(self) -> int: ...

    @property
    def size(self) -> int: ...

    def chunks(self, size: int) -> Iterator[list[list[str]]]: ...

    def bytes_read(self) -> int: ...


def answer_text(value: Value) -> str:
    """A typed answer as a canonical cell (read back by the core to the same answer)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, frozenset):
        return ";".join(sorted(value)) if value else NONE_CHOICE
    return str(value)


def _clean(text: str) -> str:
    """A stored value quoted in a cell the core will refuse: one item, no separators."""
    return " ".join(text.replace(",", " ").replace(";", " ").split())[:60]


class _Mode:
    """Whether the file holds codes or labels, from the cells that can only be one of them."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def vote(self, mode: str) -> None:
        self.seen.add(mode)

    @property
    def mode(self) -> str | None:
        return next(iter(self.seen)) if len(self.seen) == 1 else None


# ---- reading one field's cells -------------------------------------------------------------


def _single_answer(question: Question, code: str, label: str, field_type: str) -> str | None:
    """The canonical cell for one choice of a coded field: '' for "don't know", None when it
    is no answer of the question."""
    if is_unknown_text(label):
        return ""
    texts = [label]
    # A code means something of its own only in yes/no fields, or when it is a choice value.
    if field_type in ("yesno", "truefalse") or question.type is QuestionType.CHOICE:
        texts.append(code)
    for text in texts:
        try:
            return answer_text(coerce_value(question, text))
        except CoercionError:
            continue
    return None


def _mapped_answer(question: Question, text: str) -> str:
    """A value map's value as the canonical cell ('' for unknown; the map file's loader has
    checked that the question reads it)."""
    if is_unknown_text(text):
        return ""
    try:
        return answer_text(coerce_value(question, text))
    except CoercionError:
        return text


NONE_LABELS = frozenset({"none", "none of these", "none of the above"})


def _option_item(question: Question, code: str, label: str) -> str | None:
    """A tick box's option as an item of a multi-choice cell ('' for "don't know"), by its
    label, else by a code that is a choice value. Being exclusive (`@NONEOFTHEABOVE`) does not
    make an option "none": an exclusive "Not sure" read as "none of these" would clear every
    rule about what the person takes."""
    if is_unknown_text(label):
        return ""
    key = text_key(label)
    for choice in question.choices:
        if key in (text_key(choice.label), choice.value):
            return choice.value
    if key in NONE_LABELS:
        return NONE_CHOICE
    return code if code in question.choice_values else None


@record_class(frozen=False)
class _Coded:
    """A yesno, truefalse, radio or dropdown field holding one question."""

    question: str
    field_name: str
    form: str
    index: int
    by_code: dict[str, str | None]
    by_label: dict[str, str | None]
    mapped: dict[str, str] = field(default_factory=dict)  # a --map value map, by casefold

    @property
    def ambiguous(self) -> bool:
        return any(
            code in self.by_label and self.by_label[code] != answer
            for code, answer in self.by_code.items()
        )

    cache: dict[str, str] = field(default_factory=dict)  # raw cell -> canonical cell

    def read(self, row: list[str], mode: _Mode) -> str:
        cell = row[self.index]
        found = self.cache.get(cell)
        if found is not None:
            return found
        answer, by_mode = self._read(cell.strip(), mode)
        if not by_mode and len(self.cache) < CACHE_LIMIT:
            self.cache[cell] = answer
        return answer

    def _read(self, text: str, mode: _Mode) -> tuple[str, bool]:
        """The canonical cell, and whether it depended on the file's mode."""
        if text.casefold() in self.mapped:
            return self.mapped[text.casefold()], False
        if is_unknown_text(text) or (text in MISSING_DATA_CODES and text not in self.by_code):
            return "", False
        key = self._label(text)
        as_code, as_label = text in self.by_code, key is not None
        by_mode = as_code and key is not None and self.by_code[text] != self.by_label[key]
        if by_mode:
            chosen = mode.mode
            if chosen is None:
                return (
                    f"{_clean(text)} (a code of one choice of REDCap field {self.field_name}"
                    " and the label of another)"
                ), True
            as_code, as_label = chosen == RAW, chosen == LABELS
        answer = (
            self.by_code.get(text)
            if as_code
            else self.by_label.get(key)
            if key is not None and as_label
            else None
        )
        if answer is None:
            return f"{_clean(text)} (not a choice of REDCap field {self.field_name})", by_mode
        return answer, by_mode

    def _label(self, text: str) -> str | None:
        """The key of the choice label this text is, if it is one."""
        return next((k for k in cell_keys(text) if k in self.by_label), None)

    def evidence(self, row: list[str], mode: _Mode) -> None:
        text = row[self.index].strip()
        as_code, as_label = text in self.by_code, self._label(text) is not None
        if as_code != as_label:
            mode.vote(RAW if as_code else LABELS)


@record_class(frozen=False)
class _Plain:
    """A text or notes field: the cell as it is (the core reads it)."""

    question: str
    field_name: str
    form: str
    index: int
    values: Mapping[str, str] | None = None  # a --map value map

    def read(self, row: list[str], mode: _Mode) -> str:
        text = row[self.index].strip()
        if self.values is not None and text.casefold() in self.values:
            return self.values[text.casefold()]
        return "" if text in MISSING_DATA_CODES else text

    def evidence(self, row: list[str], mode: _Mode) -> None:
        return None


@record_class(frozen=False)
class _Ticks:
    """A checkbox field: one column per option, folded into one multi-choice cell."""

    question: str
    field_name: str
    form: str
    options: list[tuple[int, str, str, str | None]]  # (column, column name, label key, item)
    missing: list[int] = field(default_factory=list)  # columns of missing data codes
    cache: dict[tuple[str, ...], str] = field(default_factory=dict)

    def read(self, row: list[str], mode: _Mode) -> str:
        cells = tuple(row[index] for index, _, _, _ in self.options)
        if any(row[index].strip().casefold() in _CHECKED for index in self.missing):
            # A missing data code ticked: not answered (with ticked options too: unreadable)
            ticked = self._read(cells)
            return f"don't know;{ticked}" if ticked else ""
        found = self.cache.get(cells)
        if found is None:
            found = self._read(cells)
            if len(self.cache) < CACHE_LIMIT:
                self.cache[cells] = found
        return found

    def _read(self, cells: tuple[str, ...]) -> str:
        items: list[str] = []
        dont_know = False
        for cell, (_, column, key, item) in zip(cells, self.options, strict=True):
            text = cell.strip()
            folded = text.casefold()
            if folded in _UNCHECKED:
                continue
            if is_unknown_text(text):  # "?" or "dk" in a box: the answer is not known
                dont_know = True
                continue
            if folded in _CHECKED or key in cell_keys(text):
                if item is None:
                    items.append(f"{column} (not a choice of the question)")
                elif item == "":
                    dont_know = True
                else:
                    items.append(item)
                continue
            items.append(f"{column}={_clean(text)} (not ticked or unticked)")
        if dont_know:  # beside ticked options, the core refuses it ('don't know' and others)
            return f"don't know;{';'.join(items)}" if items else ""
        return ";".join(items)

    def evidence(self, row: list[str], mode: _Mode) -> None:
        for index, _, _, _ in self.options:
            folded = row[index].strip().casefold()
            if folded in ("0", "1"):
                mode.vote(RAW)
            elif folded in ("checked", "unchecked"):
                mode.vote(LABELS)


_Reader = _Coded | _Plain | _Ticks


# ---- the header ---------------------------------------------------------------------------


@record_class(frozen=False)
class _Layout:
    record_id: int | None = None
    event: int | None = None
    repeat_instrument: int | None = None
    repeat_instance: int | None = None
    status: dict[str, int] = field(default_factory=dict)  # form -> column
    fields: dict[str, int] = field(default_factory=dict)  # field -> column
    options: dict[tuple[str, str], int] = field(default_factory=dict)  # (field, code) -> column
    missing: dict[str, list[int]] = field(default_factory=dict)  # field -> missing-code columns
    unknown: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)

    def place(self, role: str, index: int) -> None:
        if role == EVENT_COLUMN:
            self.event = index
        elif role == REPEAT_INSTRUMENT_COLUMN:
            self.repeat_instrument = index
        elif role == REPEAT_INSTANCE_COLUMN:
            self.repeat_instance = index


def _header_cell(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").split())


def _raw_layout(header: Sequence[str], dictionary: RedcapDictionary) -> _Layout:
    layout = _Layout()
    forms = set(dictionary.all_forms)
    options = {
        checkbox_column(f.name, code): (f.name, code)
        for f in dictionary.fields
        if f.field_type == "checkbox"
        for code, _ in f.choices
    }
    missing = {
        checkbox_column(f.name, code): f.name
        for f in dictionary.fields
        if f.field_type == "checkbox"
        for code in MISSING_DATA_CODES
        if code.lower() not in {c.lower() for c, _ in f.choices}
    }
    names = {f.name for f in dictionary.fields}
    known_other = {s.name for s in dictionary.skipped}
    for index, cell in enumerate(header):
        name = _header_cell(cell).lower()
        if name == dictionary.record_id and layout.record_id is None:
            layout.record_id = index
        elif name in SYSTEM_COLUMNS:
            layout.place(name, index)
        elif name.endswith(COMPLETE_SUFFIX) and name[: -len(COMPLETE_SUFFIX)] in forms:
            layout.status.setdefault(name[: -len(COMPLETE_SUFFIX)], index)
        elif name in names:
            layout.fields.setdefault(name, index)
        elif name in options:
            layout.options.setdefault(options[name], index)
        elif name in missing:
            layout.missing.setdefault(missing[name], []).append(index)
        elif name in known_other or (
            name.endswith(TIMESTAMP_SUFFIX) and name[: -len(TIMESTAMP_SUFFIX)] in forms
        ):
            continue
        else:
            layout.unknown.append(cell.strip() or f"(column {index + 1} has no name)")
    return layout


def _label_layout(header: Sequence[str], dictionary: RedcapDictionary) -> _Layout:
    """Label headers name fields by their labels. A label that several fields share cannot
    say which field a column holds (a report may order its columns as it likes), so such
    columns are not read."""
    layout = _Layout()
    by_label: dict[str, list[tuple[str, str | None]]] = {}
    for f in dictionary.fields:
        if f.field_type == "checkbox":
            for code, choice_label in f.choices:
                key = text_key(checkbox_label_header(f.label, choice_label))
                by_label.setdefault(key, []).append((f.name, code))
        else:
            by_label.setdefault(text_key(f.label), []).append((f.name, None))
    system = {label: name for name, labels in SYSTEM_COLUMNS.items() for label in labels}
    other = {text_key(s.label) for s in dictionary.skipped if s.label}
    form_of = {f.name: f.form for f in dictionary.fields}
    last_form: str | None = dictionary.all_forms[0] if len(dictionary.all_forms) == 1 else None
    record_id = text_key(dictionary.record_id_label)
    for index, cell in enumerate(header):
        keys = cell_keys(_header_cell(cell))
        key = next((k for k in keys if k in by_label or k in system or k in other), keys[0])
        if record_id in keys and layout.record_id is None:
            layout.record_id = index
        elif key in system:
            layout.place(system[key], index)
        elif key == COMPLETE_LABEL_HEADER:
            # `Complete?` follows its form's fields.
            if last_form is not None:
                layout.status.setdefault(last_form, index)
        elif key in by_label:
            if len(by_label[key]) > 1:
                layout.ambiguous.append(cell.strip())
                continue
            name, option = by_label[key][0]
            last_form = form_of[name]
            if option is None:
                layout.fields.setdefault(name, index)
            else:
                layout.options.setdefault((name, option), index)
        elif key in other or key == TIMESTAMP_LABEL_HEADER:
            continue
        else:
            layout.unknown.append(cell.strip() or f"(column {index + 1} has no name)")
    return layout


def _layout(header: Sequence[str], dictionary: RedcapDictionary) -> tuple[_Layout, str]:
    raw, labels = _raw_layout(header, dictionary), _label_layout(header, dictionary)

    def matched(layout: _Layout) -> int:
        return (layout.record_id is not None) + len(layout.fields) + len(layout.options)

    first = _header_cell(header[0]) if header else ""
    if first.lower() == dictionary.record_id:
        return raw, RAW
    if text_key(dictionary.record_id_label) in cell_keys(first):
        return labels, LABELS
    return (raw, RAW) if matched(raw) >= matched(labels) else (labels, LABELS)


# ---- records --------------------------------------------------------------------------------


@record_class(frozen=False)
class _Group:
    key: tuple[str, str, str]
    name: str
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (export row, cells)
    problems: list[str] = field(default_factory=list)


@record_class
class CanonicalRecord:
    cells: list[str]  # id, then one cell per question column
    not_scored: str | None
    problems: list[str]
    wrong_width: bool = False  # an export row with too many or too few fields: no answer read
    unread: tuple[str, ...] = ()  # questions whose rows hold different answers


@record_class
class RecordNotes:
    """What a block's records need beside their cells, by offset in the block."""

    not_scored: dict[int, str]  # why the record is not scored (a form that is not complete)
    problems: dict[int, list[str]]  # problems of the record as a whole (rows that disagree)
    wrong_width: dict[int, str]  # the message of an export row that cannot be matched
    unread: dict[int, tuple[str, ...]]  # questions whose rows hold different answers


class RedcapExport:
    """A REDCap export read as canonical records: `header`, then `chunks()` of records, as a
    columnar RecordSource gives them, with `notes()` for each record that is not to be scored
    (`not_scored`) or cannot be read as a whole (`problems`)."""

    def __init__(
        self,
        source: RowSource,
        dictionary: RedcapDictionary,
        ruleset: RuleSet,
        *,
        id_name: str | None = None,
        include_incomplete: bool = False,
        mapping: Mapping[str, str] | None = None,
        values: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.source = source
        self.dictionary = dictionary
        # question id -> (their raw code, casefolded -> canonical text), from a --map file
        self.values = values or {}
        # field name (lowercase) -> question id, from a --map file
        self.mapping = {k.strip().lower(): v for k, v in (mapping or {}).items()}
        self._check_mapping()
        self.include_incomplete = include_incomplete
        self.width = len(source.header)
        self.layout, self.header_style = _layout(source.header, dictionary)
        if self.layout.record_id is None:
            raise InputFileError(
                f"the export has no record id column ({dictionary.record_id!r}, the first field"
                f" of {dictionary.source}); is it the export of this project?"
            )
        self.warnings: list[str] = []
        self.readers: list[_Reader] = []
        self._bind(ruleset)
        if not self.readers:
            raise InputFileError(
                f"no column of the export holds a question of the rule set that"
                f" {dictionary.source} describes; check the rule file and the dictionary"
            )
        self.status_forms = self._status_forms()
        self.id_name = id_name or dictionary.record_id
        self.header = [self.id_name, *(r.question for r in self.readers)]
        self.mode = _Mode()
        self._check_mode = any(isinstance(r, _Coded) and r.ambiguous for r in self.readers)
        self._notes: dict[int, CanonicalRecord] = {}
        if self.layout.unknown:
            self.warnings.append(
                f"export columns that {dictionary.source} does not describe (ignored):"
                f" {name_list(self.layout.unknown)}"
            )
        if self.layout.ambiguous:
            self.warnings.append(
                "label headers shared by several fields, so not read (export with field names"
                f" as headers to read them): {', '.join(dict.fromkeys(self.layout.ambiguous))}"
            )

    # -- setup --

    def _check_mapping(self) -> None:
        names = {f.name for f in self.dictionary.fields} | {s.name for s in self.dictionary.skipped}
        wrong = [f"{k!r} (for {q})" for k, q in self.mapping.items() if k not in names]
        if wrong:
            raise InputFileError(
                f"--map: {', '.join(wrong)}: no field of {self.dictionary.source} has this name"
                " (with --redcap, the map names REDCap fields)"
            )

    def _field_for(self, question: Question) -> DictionaryField | None:
        mapped = [name for name, qid in self.mapping.items() if qid == question.id]
        names = [*mapped, question.id, *(a.strip().lower() for a in question.aliases)]
        for name in names:
            found = self.dictionary.field(name)
            if found is not None:
                return found
        for skipped in self.dictionary.skipped:
            if skipped.name in names:
                self.warnings.append(
                    f"question {question.id}: {self.dictionary.source} {skipped}; its answers"
                    " are unknown"
                )
        return None

    def _bind(self, ruleset: RuleSet) -> None:
        for question in ruleset.slots:
            found = self._field_for(question)
            if found is None:
                continue
            reader = self._reader(question, found)
            if reader is not None:
                self.readers.append(reader)

    def _reader(self, question: Question, found: DictionaryField) -> _Reader | None:
        layout = self.layout
        where = f"question {question.id}: {self.dictionary.source} row {found.row}"
        if found.field_type == "checkbox":
            if question.type is not QuestionType.MULTI_CHOICE:
                self.warnings.append(
                    f"{where}: a checkbox field holds a {question.type.value} question; its"
                    " answers are unknown"
                )
                return None
            columns = [layout.options.get((found.name, code)) for code, _ in found.choices]
            if all(c is None for c in columns):
                return None
            if any(c is None for c in columns):
                self.warnings.append(
                    f"{where}: the export has only some of the tick-box columns of"
                    f" {found.name}; its answers are unknown"
                )
                return None
            options = [
                (
                    index,
                    checkbox_column(found.name, code),
                    text_key(label),
                    self.values[question.id].get(code.casefold(), "")
                    if code.casefold() in self.values.get(question.id, {})
                    else _option_item(question, code, label),
                )
                for index, (code, label) in zip(columns, found.choices, strict=True)
                if index is not None
            ]
            missing = layout.missing.get(found.name, [])
            return _Ticks(question.id, found.name, found.form, options, missing)
        index = layout.fields.get(found.name)
        if index is None:
            return None
        if found.choices:
            by_code: dict[str, str | None] = {}
            by_label: dict[str, str | None] = {}
            for code, label in found.choices:
                answer = _single_answer(question, code, label, found.field_type)
                by_code[code] = answer
                by_label.setdefault(text_key(label), answer)
            # A --map value map: their code (or a missing data code of theirs), our value.
            mapped = {
                code: _mapped_answer(question, text)
                for code, text in self.values.get(question.id, {}).items()
            }
            return _Coded(question.id, found.name, found.form, index, by_code, by_label, mapped)
        return _Plain(question.id, found.name, found.form, index, self.values.get(question.id))

    def _status_forms(self) -> dict[str, int]:
        """The status column of each form that holds a question (none when every record is
        scored whatever its status)."""
        forms = list(dict.fromkeys(reader.form for reader in self.readers))
        if self.include_incomplete:
            return {}
        absent = [f for f in forms if f not in self.layout.status]
        if absent:
            columns = ", ".join(complete_column(f) for f in absent)
            raise UsageError(
                f"the export has no {columns} column (the form's status), so it cannot tell"
                " complete records from records still being filled in; export it with the"
                " data, or pass --include-incomplete to score every record whatever its status"
            )
        return {form: self.layout.status[form] for form in forms}

    # -- RecordSource's interface --

    @property
    def blank_lines(self) -> int:
        return self.source.blank_lines

    @property
    def size(self) -> int:
        return self.source.size

    def bytes_read(self) -> int:
        return self.source.bytes_read()

    def chunks(self, size: int) -> Iterator[list[list[str]]]:
        batch: list[list[str]] = []
        for number, record in enumerate(self.records(), start=1):
            if record.not_scored is not None or record.problems:
                self._notes[number] = record
            batch.append(record.cells)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch

    def notes(self, start: int, size: int) -> RecordNotes:
        """For records start..start+size-1 (1-based), by offset: why it is not scored, its
        problems as a whole record, the message of a row of the wrong width, and the questions
        its rows disagree on."""
        notes = RecordNotes({}, {}, {}, {})
        for number in [n for n in self._notes if start <= n < start + size]:
            record = self._notes.pop(number)
            offset = number - start
            if record.not_scored is not None:
                notes.not_scored[offset] = record.not_scored
            if record.wrong_width:
                notes.wrong_width[offset] = record.problems[0]
            elif record.problems:
                notes.problems[offset] = record.problems
            if record.unread:
                notes.unread[offset] = record.unread
        return notes

    # -- records --

    def _key(self, row: list[str]) -> tuple[tuple[str, str, str], str]:
        layout = self.layout
        assert layout.record_id is not None

        def cell(index: int | None) -> str:
            return row[index].strip() if index is not None else ""

        record, event = cell(layout.record_id), cell(layout.event)
        # A repeating event (no instrument, an instance) is a record of its own.
        instance = "" if cell(layout.repeat_instrument) else cell(layout.repeat_instance)
        name = record + (f"/{event}" if event else "") + (f"#{instance}" if instance else "")
        return (record, event, instance), name

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        number = 0
        for chunk in self.source.chunks(512):
            for row in chunk:
                number += 1
                yield number, row

    def records(self) -> Iterator[CanonicalRecord]:
        """One canonical record per record id (and event), in the order they first appear."""
        done: dict[tuple[str, str, str], int] = {}
        group: _Group | None = None
        for number, row in self._rows():
            if len(row) != self.width:
                if group is not None:
                    yield self._record(group)
                    group = None
                yield self._ragged(number, row)
                continue
            key, name = self._key(row)
            if group is not None and group.key == key and key[0]:
                group.rows.append((number, row))
                continue
            if group is not None:
                yield self._record(group)
            group = _Group(key, name, [(number, row)])
            if not key[0]:
                group.problems.append(f"export row {number}: no record id")
            elif key in done:
                group.problems.append(
                    f"export row {number}: more rows of {name}, apart from its rows from export"
                    f" row {done[key]} on; sort the export by record"
                )
            else:
                done[key] = number
        if group is not None:
            yield self._record(group)

    def _ragged(self, number: int, row: list[str]) -> CanonicalRecord:
        found, width = len(row), self.width
        shape = "too few" if found < width else "too many"
        index = self.layout.record_id
        record = row[index].strip() if index is not None and index < found else ""
        problem = f"export row {number}: {shape} fields: {found}, the header has {width}"
        return CanonicalRecord(
            [record, *([""] * len(self.readers))], None, [problem], wrong_width=True
        )

    def _record(self, group: _Group) -> CanonicalRecord:
        mode = self.mode
        if self._check_mode:  # some cells read differently as codes and as labels
            for _, row in group.rows:
                for index in self.status_forms.values():
                    text = row[index].strip().casefold()
                    if text in ("0", "1", "2"):
                        mode.vote(RAW)
                    elif text in STATUS_BY_TEXT:
                        mode.vote(LABELS)
                for reader in self.readers:
                    reader.evidence(row, mode)
        if len(group.rows) == 1:
            row = group.rows[0][1]
            cells = [group.name, *(reader.read(row, mode) for reader in self.readers)]
            return CanonicalRecord(cells, self._not_scored(group), group.problems)
        cells = [group.name]
        problems = list(group.problems)
        unread: list[str] = []
        for reader in self.readers:
            values: dict[str, list[int]] = {}
            for number, row in group.rows:
                text = reader.read(row, mode)
                if text:
                    values.setdefault(text, []).append(number)
            if len(values) > 1:
                rows = sorted({n for numbers in values.values() for n in numbers})
                problems.append(
                    f"{reader.question}: the record's rows hold different answers (export rows"
                    f" {', '.join(map(str, rows))})"
                )
                cells.append("")
                unread.append(reader.question)
                continue
            cells.append(next(iter(values), ""))
        return CanonicalRecord(cells, self._not_scored(group), problems, unread=tuple(unread))

    def _not_scored(self, group: _Group) -> str | None:
        """Why the record is not scored: a form that is not Complete."""
        reasons = []
        for form, index in self.status_forms.items():
            column = complete_column(form)
            texts = [row[index].strip() for _, row in group.rows if row[index].strip()]
            if not texts:
                reasons.append(f"REDCap form {form} has no status ({column} is blank)")
                continue
            codes = [STATUS_BY_TEXT.get(t.casefold()) for t in texts]
            if any(code is None for code in codes):
                bad = next(t for t, c in zip(texts, codes, strict=True) if c is None)
                reasons.append(f"{column} is {_clean(bad)!r}, not a form status (0, 1 or 2)")
                continue
            lowest = min(c for c in codes if c is not None)
            if lowest != COMPLETE:
                reasons.append(
                    f"REDCap form {form} is {STATUS_NAMES[lowest]} ({column} = {lowest})"
                )
        if not reasons:
            return None
        return "; ".join(reasons) + ": not scored (--include-incomplete scores it)"


def canonical_records(
    source: RowSource,
    dictionary: RedcapDictionary,
    ruleset: RuleSet,
    include_incomplete: bool = False,
) -> tuple[list[str], list[CanonicalRecord]]:
    """The whole export at once (for tests and small files): the header and every record."""
    export = RedcapExport(source, dictionary, ruleset, include_incomplete=include_incomplete)
    return export.header, list(export.records())
