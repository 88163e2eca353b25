"""Value maps of a `--map` file: a clinic's own codes of a column, as the rule set's values.

A value map belongs to one question: `their code -> our value`, where the value is what an
answers file would hold for the question (a choice value, `yes`/`no`, a number, `none`, or ""
or `don't know` for unknown). `translate` is a pure function of one cell's text, so that a
reader can apply it once per distinct text of a column. A cell that is no key of the map is
left as it is (the core reads it, or refuses it).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING

from screener.core.coercion import CoercionError, coerce_value, is_unknown_text
from screener.core.model import Question, QuestionType

if TYPE_CHECKING:
    from screener.columnar.coding import ColumnCoder

ValueMap = Mapping[str, str]


def value_key(text: str) -> str:
    """How a cell is looked up in a value map: surrounding spaces dropped, any case."""
    return text.strip().casefold()


def translate(values: ValueMap, cell: str, multi: bool = False) -> str:
    """The canonical text of a cell under a value map (`values` keyed by `value_key`). For a
    multi-choice question each `;`- or `,`-separated item is translated on its own."""
    found = values.get(value_key(cell))
    if found is not None:
        return found
    if not multi or not any(sep in cell for sep in ";,"):
        return cell
    items = [part for part in cell.replace(",", ";").split(";") if part.strip()]
    return ";".join(values.get(value_key(item), item.strip()) for item in items)


def value_problems(
    question: Question, values: Mapping[object, object]
) -> tuple[dict[str, str], list[str]]:
    """A value map as read from a map file (keys and values as YAML gave them), checked
    against the question: (the map keyed by `value_key`, problems)."""
    out: dict[str, str] = {}
    problems: list[str] = []
    for key, value in values.items():
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif value is None:
            value = ""
        elif isinstance(value, int):
            value = str(value)
        if isinstance(key, bool) or not isinstance(key, (str, int)) or not isinstance(value, str):
            problems.append(f"{key!r}: {value!r} is not a code and a value")
            continue
        text = value.strip()
        if not is_unknown_text(text):
            try:
                read = coerce_value(question, text)
            except CoercionError as exc:
                problems.append(f"{key!r}: {text!r} is not an answer to {question.id} ({exc})")
                continue
            if question.type is QuestionType.MULTI_CHOICE and read is not None and len(read) > 1:  # type: ignore[arg-type]
                problems.append(f"{key!r}: one code maps to one choice of {question.id}")
                continue
        out[value_key(str(key))] = text
    return out, problems


def use_value_maps(coders: Mapping[str, ColumnCoder], values: Mapping[str, ValueMap]) -> None:
    """Give each coder of a question with a value map its translation (applied once per
    distinct text)."""
    for question, value_map in values.items():
        coder = coders.get(question)
        if coder is not None:
            multi = coder.question.type is QuestionType.MULTI_CHOICE
            coder.translate = partial(translate, value_map, multi=multi)
