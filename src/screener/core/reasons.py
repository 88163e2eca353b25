"""Reason templates: plain words with `{question_id}` placeholders for the person's answers."""

from __future__ import annotations

import string
from collections.abc import Mapping

from screener.core.model import Question, Value, format_value


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


def render(template: str, questions: Mapping[str, Question], answers: Mapping[str, Value]) -> str:
    values = {
        name: format_value(questions[name], answers.get(name)) for name in placeholders(template)
    }
    return template.format_map(values)
