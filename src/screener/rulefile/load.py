"""Load a rule file: parse YAML, check the schema, check and compile every condition."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from screener.core.conditions.check import check_condition
from screener.core.conditions.compile import compile_condition
from screener.core.conditions.syntax import (
    ConditionSyntaxError,
    parse_condition,
    referenced_questions,
)
from screener.core.limits import MAX_RULE_FILE_BYTES
from screener.core.model import NONE_CHOICE, Choice, Question, QuestionType, Rule, RuleSet
from screener.core.problems import Problem, RuleFileError
from screener.core.reasons import TemplateError, placeholders
from screener.core.suggest import suggest
from screener.files.read import decode_utf8, read_text, too_large
from screener.files.yaml_source import (
    PathKey,
    SourceDocument,
    as_mapping,
    cut_by_comment,
    parse_yaml_text,
)
from screener.rulefile.schema import QuestionSpec, RuleFileSpec, RuleSpec, Strict
from screener.rulefile.schema_errors import schema_problems

BUNDLED_RULES = "rules.yaml"
RULES_VARIABLE = "SCREENER_RULES"
M = TypeVar("M", bound=Strict)


def _compile_question(spec: QuestionSpec) -> Question:
    choices: tuple[Choice, ...] = ()
    for item in spec.choices or ():
        if isinstance(item, str):
            if spec.type is QuestionType.MULTI_CHOICE and item == NONE_CHOICE:
                continue
            choices += (Choice(item, item.replace("_", " ")),)
        elif not (spec.type is QuestionType.MULTI_CHOICE and item.value == NONE_CHOICE):
            choices += (Choice(item.value, item.label),)
    return Question(
        id=spec.id,
        text=spec.text,
        type=spec.type,
        help=spec.help,
        required=spec.required,
        ask_if_text=spec.ask_if,
        min=spec.min,
        max=spec.max,
        unit=spec.unit,
        choices=choices,
        aliases=tuple(spec.aliases),
    )


def _question_shape_problems(doc: SourceDocument, index: int, spec: QuestionSpec) -> list[Problem]:
    path: PathKey = ("questions", index)
    where = f"questions[{index}] ({spec.id})"
    problems = []
    has_choices = spec.type in (QuestionType.CHOICE, QuestionType.MULTI_CHOICE)
    if has_choices and not spec.choices:
        problems.append(doc.problem(path, where, f"a {spec.type.value} question needs 'choices'"))
    if not has_choices and spec.choices:
        problems.append(
            doc.problem(
                (*path, "choices"),
                f"{where}.choices",
                f"a {spec.type.value} question has no choices",
            )
        )
    if spec.type is not QuestionType.INTEGER and (spec.min is not None or spec.max is not None):
        problems.append(doc.problem(path, where, "'min' and 'max' apply only to integer questions"))
    if spec.min is not None and spec.max is not None and spec.min > spec.max:
        problems.append(doc.problem((*path, "min"), f"{where}.min", "'min' is greater than 'max'"))
    values = [c if isinstance(c, str) else c.value for c in spec.choices or ()]
    for value in {v for v in values if values.count(v) > 1}:
        problems.append(
            doc.problem((*path, "choices"), f"{where}.choices", f"choice {value!r} is listed twice")
        )
    return problems


def _check_questions(
    doc: SourceDocument, question_specs: list[tuple[int, QuestionSpec]]
) -> tuple[dict[str, Question], list[Problem]]:
    """Compile questions, their shapes and their skip logic. Specs carry their file index."""
    problems: list[Problem] = []
    questions: dict[str, Question] = {}
    first_of_id: set[int] = set()
    for index, qspec in question_specs:
        if qspec.id in questions:
            problems.append(
                doc.problem(
                    ("questions", index, "id"),
                    f"questions[{index}] ({qspec.id})",
                    f"question id {qspec.id!r} is used twice",
                )
            )
            continue
        problems.extend(_question_shape_problems(doc, index, qspec))
        questions[qspec.id] = _compile_question(qspec)
        first_of_id.add(index)

    order = {qid: position for position, qid in enumerate(questions)}
    for index, qspec in question_specs:
        if qspec.ask_if is None or index not in first_of_id:
            continue
        path: PathKey = ("questions", index, "ask_if")
        where = f"questions[{index}] ({qspec.id}).ask_if"
        cut = cut_by_comment(doc, path, where)
        if cut is not None:
            problems.append(cut)
            continue
        try:
            tree = parse_condition(qspec.ask_if)
            check_condition(tree, questions)
        except ConditionSyntaxError as exc:
            problems.append(doc.problem(path, where, exc.message, offset=exc.offset))
            continue
        later = [q for q in referenced_questions(tree) if order[q] >= order[qspec.id]]
        if later:
            problems.append(
                doc.problem(
                    path,
                    where,
                    f"reads {later[0]!r}, which is not asked before this question"
                    " (ask_if may only read earlier questions)",
                )
            )
            continue
        questions[qspec.id] = replace(
            questions[qspec.id], ask_if=compile_condition(tree), ask_if_tree=tree
        )
    return questions, problems


def _check_rules(
    doc: SourceDocument,
    questions: Mapping[str, Question],
    rule_specs: list[tuple[int, RuleSpec]],
) -> tuple[list[Rule], list[Problem]]:
    """Compile rules: ids, reason placeholders and conditions. Specs carry their file index."""
    problems: list[Problem] = []
    rules = []
    seen_rules: set[str] = set()
    for index, rspec in rule_specs:
        where = f"rules[{index}] ({rspec.id})"
        if rspec.id in seen_rules:
            problems.append(
                doc.problem(("rules", index, "id"), where, f"rule id {rspec.id!r} is used twice")
            )
        seen_rules.add(rspec.id)
        for field in ("reason", "reason_clear"):
            template = getattr(rspec, field)
            if template is None:
                continue
            try:
                names = placeholders(template)
            except TemplateError as exc:
                problems.append(doc.problem(("rules", index, field), f"{where}.{field}", str(exc)))
                continue
            for name in names:
                if name not in questions:
                    problems.append(
                        doc.problem(
                            ("rules", index, field),
                            f"{where}.{field}",
                            f"placeholder {{{name}}} names no question"
                            + suggest(name, list(questions)),
                        )
                    )
        cut = cut_by_comment(doc, ("rules", index, "when"), f"{where}.when")
        if cut is not None:
            problems.append(cut)
            continue
        try:
            tree = parse_condition(rspec.when)
            check_condition(tree, questions)
        except ConditionSyntaxError as exc:
            problems.append(
                doc.problem(("rules", index, "when"), f"{where}.when", exc.message, exc.offset)
            )
            continue
        rules.append(
            Rule(
                id=rspec.id,
                action=rspec.action,
                label=rspec.label,
                when_text=rspec.when,
                when=compile_condition(tree),
                tree=tree,
                reason=rspec.reason,
                reason_clear=rspec.reason_clear,
                source=rspec.source,
                reads=referenced_questions(tree),
            )
        )
    return rules, problems


def _check_entries(
    doc: SourceDocument,
    question_specs: list[tuple[int, QuestionSpec]],
    rule_specs: list[tuple[int, RuleSpec]],
) -> tuple[dict[str, Question], list[Rule], list[Problem]]:
    questions, question_problems = _check_questions(doc, question_specs)
    rules, rule_problems = _check_rules(doc, questions, rule_specs)
    return questions, rules, question_problems + rule_problems


def _valid_entries(
    doc: SourceDocument, data: Mapping[str, object], key: str, model: type[M]
) -> list[tuple[int, M]]:
    """The entries of a list that pass their own schema (used to keep checking after errors)."""
    items = data.get(key)
    if not isinstance(items, list):
        return []
    valid = []
    for index, item in enumerate(items):
        try:
            valid.append((index, model.model_validate(item)))
        except ValidationError:
            continue
    return valid


def build_ruleset(doc: SourceDocument, content: bytes) -> RuleSet:
    """Check and compile a parsed rule file; every problem is reported at once."""
    data = as_mapping(doc, "a rule file")
    try:
        spec = RuleFileSpec.model_validate(data)
    except ValidationError as exc:
        problems = schema_problems(doc, exc, RuleFileSpec)
        _, _, more = _check_entries(
            doc,
            _valid_entries(doc, data, "questions", QuestionSpec),
            _valid_entries(doc, data, "rules", RuleSpec),
        )
        # Entries that failed their schema can also fail cross-checks; report each place once.
        raise RuleFileError(problems + [p for p in more if p not in problems]) from None
    questions, rules, problems = _check_entries(
        doc, list(enumerate(spec.questions)), list(enumerate(spec.rules))
    )
    if problems:
        raise RuleFileError(problems)
    return RuleSet(
        name=spec.name,
        version=spec.version,
        sha256=hashlib.sha256(content).hexdigest(),
        source_name=doc.name,
        clinic_name=spec.clinic.name,
        clinic_phone=spec.clinic.phone,
        disclaimer=spec.disclaimer,
        crisis_text=spec.crisis_text,
        next_steps={
            outcome: tuple(steps) for outcome, steps in spec.next_steps.model_dump().items()
        },
        questions=tuple(questions.values()),
        rules=tuple(rules),
    )


RULE_FILE = "a rule file"


def load_ruleset_bytes(content: bytes, name: str) -> RuleSet:
    if len(content) > MAX_RULE_FILE_BYTES:
        raise too_large(name, MAX_RULE_FILE_BYTES, RULE_FILE)
    doc = parse_yaml_text(decode_utf8(content, name), name)
    return build_ruleset(doc, content)


def load_ruleset(path: Path | None = None) -> RuleSet:
    """Load a rule file; when `path` is None, the one named by $SCREENER_RULES (a clinic's own
    rule file, set once), else the bundled default."""
    if path is None and os.environ.get(RULES_VARIABLE):
        path = Path(os.environ[RULES_VARIABLE])
    if path is None:
        bundled = resources.files("screener").joinpath("data", BUNDLED_RULES)
        return load_ruleset_bytes(bundled.read_bytes(), f"{bundled} (bundled)")
    content, _ = read_text(path, limit=MAX_RULE_FILE_BYTES, what=RULE_FILE)
    return load_ruleset_bytes(content, str(path))
