"""A checked RuleSet as plain JSON values, and the RuleSet rebuilt from them, for the rule-file
cache (`rulefile/cache.py`). Nothing here runs code from an entry: an entry is JSON, read
field by field with the type each field must have, and every condition is kept as the text the
rule file wrote and parsed, checked and compiled again by the core's own parser.

Each model class has one table below: the fields stored, each with its kind, and the fields
rebuilt from them (compiled conditions, trees, list slots) or given by the load (the file's
name and hash). A field added to the model goes into its table, one line: a choice's
`code: str | None` is `"code": optional(TEXT)`, a question's texts by language
(`Mapping[str, Mapping[str, str]]`) `mapping_of(mapping_of(TEXT))`; a field computed from
others is named in `rebuilt` and computed in `decode_ruleset`. `tests/test_rule_file_cache.py`
fails until every field is in one. An entry with any other key, a missing key or a value of
another type is refused (`BadEntry`), and the rule file is read again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from screener.core.conditions.check import check_condition, check_expression, check_item_condition
from screener.core.conditions.compile import compile_condition, value_getter
from screener.core.conditions.resolve import resolve
from screener.core.conditions.syntax import Node, parse_condition, referenced_questions
from screener.core.frozen import field_names, record_class, replace
from screener.core.limits import MAX_LIST_ITEMS
from screener.core.model import (
    Action,
    Choice,
    Derived,
    Priority,
    Question,
    QuestionType,
    Rule,
    RuleSet,
    Wording,
)
from screener.core.problems import Problem
from screener.rulefile.load import _before, _list_cells, _number, _visible


class BadEntry(Exception):
    """A cache entry that is not what this version writes: it is ignored and written again."""


@record_class
class Kind:
    """How one field's value becomes JSON (`dump`) and is read back, checked (`load`)."""

    dump: Callable[[Any], object]
    load: Callable[[object], Any]


def _typed(*types: type, test: Callable[[Any], bool] = lambda _: True) -> Kind:
    def load(value: object) -> object:
        # bool is an int to Python; a field of numbers never takes true or false.
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise BadEntry(f"expected {'/'.join(t.__name__ for t in types)}")
        if not test(value):
            raise BadEntry(f"{value!r} is out of range")
        return value

    return Kind(lambda value: value, load)


def optional(kind: Kind) -> Kind:
    return Kind(
        lambda value: None if value is None else kind.dump(value),
        lambda value: None if value is None else kind.load(value),
    )


def enum_of(enum: type[StrEnum]) -> Kind:
    def load(value: object) -> StrEnum:
        try:
            return enum(str(_typed(str).load(value)))
        except ValueError:
            raise BadEntry(f"{value!r} is not a {enum.__name__}") from None

    return Kind(lambda value: value.value, load)


def tuple_of(kind: Kind) -> Kind:
    def load(value: object) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise BadEntry("expected a list")
        return tuple(kind.load(item) for item in value)

    return Kind(lambda value: [kind.dump(item) for item in value], load)


def mapping_of(kind: Kind) -> Kind:
    def load(value: object) -> dict[str, Any]:
        if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
            raise BadEntry("expected a mapping")
        return {key: kind.load(item) for key, item in value.items()}

    return Kind(lambda value: {key: kind.dump(item) for key, item in value.items()}, load)


TEXT = _typed(str)
BOOL = _typed(bool)
INT = _typed(int)
NUMBER = _typed(int, float)
FACT = _typed(bool, int, float, str)
ITEMS = _typed(int, test=lambda n: 0 <= n <= MAX_LIST_ITEMS)


@record_class
class Table:
    """The stored fields of one model class, and the fields it gets otherwise."""

    model: type
    stored: Mapping[str, Kind]
    rebuilt: frozenset[str]

    def dump(self, value: object) -> dict[str, object]:
        return {name: kind.dump(getattr(value, name)) for name, kind in self.stored.items()}

    def load(self, value: object) -> dict[str, Any]:
        """The stored fields, checked, as keyword arguments for the model."""
        if not isinstance(value, dict) or value.keys() != self.stored.keys():
            raise BadEntry(f"not the fields of a {self.model.__name__}")
        return {name: kind.load(value[name]) for name, kind in self.stored.items()}

    def kind(self, build: Callable[[dict[str, Any]], object] | None = None) -> Kind:
        """Values of this class as a field of another: built from their fields by `build`
        (the class itself by default), or left as keyword arguments (`dict`)."""
        make = build or (lambda kwargs: self.model(**kwargs))
        return Kind(self.dump, lambda value: make(self.load(value)))


CHOICE = Table(
    Choice,
    {
        "value": TEXT,
        "label": TEXT,
        "facts": mapping_of(FACT),
        "catch_all": BOOL,
        "code": optional(TEXT),
    },
    rebuilt=frozenset(),
)


WORDING = Table(
    Wording,
    {
        "text": optional(TEXT),
        "help": optional(TEXT),
        "unit": optional(TEXT),
        "item_name": optional(TEXT),
        "more_text": optional(TEXT),
        "choices": mapping_of(TEXT),
    },
    rebuilt=frozenset(),
)

QUESTION: Table = Table(
    Question,
    {
        "id": TEXT,
        "text": TEXT,
        "type": enum_of(QuestionType),
        "help": optional(TEXT),
        "required": BOOL,
        "label": optional(TEXT),
        "ask_if_text": optional(TEXT),
        "min": optional(NUMBER),
        "max": optional(NUMBER),
        "unit": optional(TEXT),
        "choices": tuple_of(CHOICE.kind()),
        "aliases": tuple_of(TEXT),
        # A list's fields are questions themselves (never lists: checked when rebuilt).
        "fields": tuple_of(Kind(lambda q: QUESTION.dump(q), lambda v: QUESTION.kind().load(v))),
        "max_items": ITEMS,
        "item_name": TEXT,
        "more_text": optional(TEXT),
        "translations": mapping_of(WORDING.kind()),
    },
    # From ask_if_text, and for a list from its fields (`load._list_cells`); only a list's
    # slots have list_id, item and field_id, and slots are rebuilt, never stored.
    rebuilt=frozenset({"ask_if", "ask_if_tree", "item_cells", "list_id", "item", "field_id"}),
)

DERIVED = Table(
    Derived,
    {"id": TEXT, "label": TEXT, "unit": optional(TEXT), "text": TEXT},
    rebuilt=frozenset({"tree", "value", "reads"}),  # from text
)

RULE = Table(
    Rule,
    {
        "id": TEXT,
        "action": enum_of(Action),
        "label": TEXT,
        "when_text": TEXT,
        "reason": TEXT,
        "reason_clear": optional(TEXT),
        "source": TEXT,
        "next_step": optional(TEXT),
        "priority": optional(enum_of(Priority)),
    },
    rebuilt=frozenset({"when", "tree", "reads"}),  # from when_text
)

RULESET = Table(
    RuleSet,
    {
        "name": TEXT,
        "version": TEXT,
        "clinic_name": TEXT,
        "clinic_phone": optional(TEXT),
        "disclaimer": TEXT,
        "crisis_text": TEXT,
        "next_steps": mapping_of(tuple_of(TEXT)),
        "questions": tuple_of(QUESTION.kind()),
        "rules": tuple_of(RULE.kind(dict)),
        "derived": tuple_of(DERIVED.kind(dict)),
        "key_answers": tuple_of(TEXT),
        "language": TEXT,
        "crisis_translations": mapping_of(optional(TEXT)),
    },
    rebuilt=frozenset({"sha256", "source_name"}),  # the load gives them: the key, the path
)

# A warning of a sound file (a text a language lacks), as `validate` prints it.
WARNING = Table(
    Problem,
    {"line": optional(INT), "column": optional(INT), "where": TEXT, "message": TEXT},
    rebuilt=frozenset({"file"}),  # the path being loaded
)

ENTRY = Table(
    dict,
    {"ruleset": Kind(RULESET.dump, lambda value: value), "warnings": tuple_of(WARNING.kind(dict))},
    rebuilt=frozenset(),
)

TABLES = (CHOICE, WORDING, QUESTION, DERIVED, RULE, RULESET, WARNING)


def unlisted_fields() -> dict[str, set[str]]:
    """Model fields that no table names (empty when the tables are complete)."""
    out = {}
    for table in TABLES:
        names = set(field_names(table.model)) - set(table.stored) - table.rebuilt
        if names:
            out[table.model.__name__] = names
    return out


def encode_entry(ruleset: RuleSet, warnings: list[Problem]) -> dict[str, object]:
    return {"ruleset": RULESET.dump(ruleset), "warnings": [WARNING.dump(w) for w in warnings]}


def decode_entry(payload: object, sha256: str, source_name: str) -> tuple[RuleSet, list[Problem]]:
    """The RuleSet and warnings of a checked entry. Raises BadEntry (or
    ConditionSyntaxError, for a condition that no longer checks) when it is not sound."""
    entry = ENTRY.load(payload)
    warnings = [Problem(file=source_name, **stored) for stored in entry["warnings"]]
    return _ruleset(entry["ruleset"], sha256, source_name), warnings


def _ruleset(payload: object, sha256: str, source_name: str) -> RuleSet:
    stored = RULESET.load(payload)
    questions = _questions(stored["questions"])
    slots = _visible(questions)
    derived = _derived(stored["derived"], slots)
    rules = _rules(stored["rules"], slots, {d.id: d.tree for d in derived})
    return RuleSet(
        **{**stored, "questions": tuple(questions.values()), "derived": derived, "rules": rules},
        sha256=sha256,
        source_name=source_name,
    )


def _questions(written: tuple[Question, ...]) -> dict[str, Question]:
    """The questions with their skip logic and list slots, as `load._check_questions` makes
    them from the same texts."""
    questions = {q.id: q for q in written}
    if len(questions) != len(written):
        raise BadEntry("a question id is used twice")
    for question in written:
        if question.is_list != bool(question.fields) or any(f.is_list for f in question.fields):
            raise BadEntry(f"{question.id}: a list needs fields, and only a list has them")
        if question.ask_if_text is not None:
            visible = _visible(questions)
            tree = parse_condition(question.ask_if_text)
            check_condition(tree, visible)
            tree = resolve(tree, visible)
            question = replace(question, ask_if=compile_condition(tree), ask_if_tree=tree)
        if question.is_list:
            field_trees: dict[str, Node] = {}
            for number, field in enumerate(question.fields):
                if field.ask_if_text is not None:
                    tree = parse_condition(field.ask_if_text)
                    earlier = replace(question, fields=question.fields[:number])
                    check_item_condition(tree, _before(questions, question.id), earlier)
                    field_trees[field.id] = tree
            question = _list_cells(question, field_trees)
        questions[question.id] = question
    return questions


def _derived(
    written: tuple[dict[str, Any], ...], slots: Mapping[str, Question]
) -> tuple[Derived, ...]:
    trees: dict[str, Node] = {}
    derived = []
    for stored in written:
        tree = parse_condition(stored["text"])
        check_expression(tree, slots, frozenset(trees))
        tree = trees[stored["id"]] = resolve(tree, slots, trees)
        getter = value_getter(tree)
        derived.append(
            Derived(
                **stored,
                tree=tree,
                value=lambda answers, get=getter: _number(get(answers)),  # type: ignore[misc]
                reads=referenced_questions(tree),
            )
        )
    return tuple(derived)


def _rules(
    written: tuple[dict[str, Any], ...], slots: Mapping[str, Question], derived: Mapping[str, Node]
) -> tuple[Rule, ...]:
    rules = []
    for stored in written:
        tree = parse_condition(stored["when_text"])
        check_condition(tree, slots, frozenset(derived))
        tree = resolve(tree, slots, derived)
        rules.append(
            Rule(
                **stored, when=compile_condition(tree), tree=tree, reads=referenced_questions(tree)
            )
        )
    return tuple(rules)
