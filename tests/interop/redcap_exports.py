"""Test helper: REDCap record exports made from canonical answers, as REDCap would write them
for a project built from a data dictionary CSV (read here with the csv module alone, not with
the code under test)."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from screener.core.coercion import coerce_value
from screener.core.model import Question, QuestionType, RuleSet

STATUS_LABELS = {"0": "Incomplete", "1": "Unverified", "2": "Complete"}


@dataclass(frozen=True)
class Field:
    name: str
    form: str
    type: str
    label: str
    choices: tuple[tuple[str, str], ...]  # (code, label)


def _plain(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"</?[A-Za-z][^<>]*>", " ", text)).split())


def read_fields(dictionary_csv: str) -> list[Field]:
    rows = list(csv.DictReader(io.StringIO(dictionary_csv)))
    fields = []
    for row in rows:
        kind = row["Field Type"]
        choices: tuple[tuple[str, str], ...] = ()
        if kind == "yesno":
            choices = (("1", "Yes"), ("0", "No"))
        elif kind in ("radio", "dropdown", "checkbox"):
            parts = [p.strip() for p in row["Choices, Calculations, OR Slider Labels"].split("|")]
            choices = tuple(
                (code.strip(), _plain(label)) for code, label in (p.split(",", 1) for p in parts)
            )
        name, form, label = row["Variable / Field Name"], row["Form Name"], row["Field Label"]
        fields.append(Field(name, form, kind, _plain(label), choices))
    return fields


def _checkbox_column(name: str, code: str) -> str:
    return f"{name}___" + re.sub(r"[^a-z0-9]", "_", code.lower())


def _same_answer(question: Question, label: str, canonical: str) -> bool:
    try:
        return coerce_value(question, label) == coerce_value(question, canonical)
    except ValueError:
        return False


@dataclass(frozen=True)
class ExportStyle:
    label_headers: bool = False
    label_values: bool = False
    checkbox_label_when_ticked: bool = False  # label values: the option's label, or blank


class Exporter:
    """Builds export rows for the fields of one dictionary and the questions of a rule set."""

    def __init__(self, dictionary_csv: str, ruleset: RuleSet, form: str = "prescreen") -> None:
        self.fields = read_fields(dictionary_csv)
        self.record_id = self.fields[0]
        self.questions = ruleset.question_map
        self.form = form

    def columns(self) -> list[tuple[str, str]]:
        """(raw name, label header) of every export column, in REDCap's order."""
        out = [(self.record_id.name, self.record_id.label)]
        for field in self.fields[1:]:
            if field.type == "checkbox":
                out += [
                    (_checkbox_column(field.name, code), f"{field.label} (choice={label})")
                    for code, label in field.choices
                ]
            else:
                out.append((field.name, field.label))
        out.append((f"{self.form}_complete", "Complete?"))
        return out

    def header(self, style: ExportStyle) -> list[str]:
        return [label if style.label_headers else raw for raw, label in self.columns()]

    def row(
        self, record_id: str, answers: Mapping[str, str], style: ExportStyle, status: str = "2"
    ) -> list[str]:
        """Canonical answer cells ('' or 'dk' for unknown) as one export row."""
        cells: dict[str, str] = {self.record_id.name: record_id}
        for field in self.fields[1:]:
            question = self.questions.get(field.name)
            answer = answers.get(field.name, "") if question is not None else ""
            cells.update(self._cells(field, question, answer, style))
        cells[f"{self.form}_complete"] = STATUS_LABELS[status] if style.label_values else status
        return [cells.get(raw, "") for raw, _ in self.columns()]

    def _cells(
        self, field: Field, question: Question | None, answer: str, style: ExportStyle
    ) -> dict[str, str]:
        unknown = answer.strip().lower() in ("", "dk")
        dont_know = next((c for c, label in field.choices if label == "Don't know"), None)
        if field.type == "checkbox":
            assert question is not None
            ticked: set[str] = set()
            if unknown:
                if answer == "dk" and dont_know is not None:
                    ticked.add(dont_know)
            else:
                items = [i.strip() for i in answer.split(";")]
                for code, label in field.choices:
                    for item in items:
                        if item == "none" and label == "None of these":
                            ticked.add(code)
                        elif item != "none" and question.label_of(item) == label:
                            ticked.add(code)
            out = {}
            for code, label in field.choices:
                column = _checkbox_column(field.name, code)
                on = code in ticked
                if not style.label_values:
                    out[column] = "1" if on else "0"
                elif style.checkbox_label_when_ticked:
                    out[column] = label if on else ""
                else:
                    out[column] = "Checked" if on else "Unchecked"
            return out
        if field.choices:
            if question is None or unknown:
                code_label = (dont_know, "Don't know") if answer == "dk" and dont_know else None
            else:
                code_label = next(
                    (c, lab) for c, lab in field.choices if _same_answer(question, lab, answer)
                )
            if code_label is None:
                return {field.name: ""}
            code, label = code_label
            return {field.name: label if style.label_values else str(code)}
        if question is not None and question.type is QuestionType.INTEGER and unknown:
            return {field.name: ""}
        return {field.name: answer}


def write_csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    return buffer.getvalue()
