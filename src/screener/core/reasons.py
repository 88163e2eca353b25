"""Reason templates: plain words with `{question_id}` placeholders for the person's answers."""

from __future__ import annotations

import string
from collections.abc import Mapping

from screener.core.model import Derived, Question, Value, format_number, format_value


class TemplateError(ValueError):
    pass


def placeholders(template: str) -> list[str]:
    """The question ids a template quotes; raises TemplateError on malformed braces."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise TemplateError(f"malformed placeholder ({exc}); write {{question_id}}") from None
    names: list[str] = []
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field or spec or conversion or not field.isidentifier():
            raise TemplateError(f"placeholder {{{field}}} must be a plain question id")
        names.append(field)
    return names


def format_derived(derived: Derived, value: float | None) -> str:
    """A derived value in words: "20 mg/day", or "not known"."""
    if value is None:
        return "not known"
    number = format_number(value)
    return f"{number} {derived.unit}" if derived.unit else number


def render(
    template: str,
    questions: Mapping[str, Question],
    answers: Mapping[str, Value],
    derived: Mapping[str, Derived] | None = None,
    derived_values: Mapping[str, float | None] | None = None,
) -> str:
    """The template with each placeholder replaced by the person's answer (or a derived value)
    in plain words."""
    values = {}
    for name in placeholders(template):
        if name in questions:
            values[name] = format_value(questions[name], answers.get(name))
        else:
            assert derived is not None and derived_values is not None
            values[name] = format_derived(derived[name], derived_values.get(name))
    return template.format_map(values)
