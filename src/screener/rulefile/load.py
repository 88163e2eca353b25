"""Load a rule file: parse YAML, check the schema, check and compile every condition."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from screener.core.conditions.check import check_condition, check_expression, check_item_condition
from screener.core.conditions.compile import Span, compile_condition, value_getter
from screener.core.conditions.resolve import resolve, substitute
from screener.core.conditions.syntax import (
    And,
    Compare,
    ConditionSyntaxError,
    Literal,
    Node,
    QuestionRef,
    parse_condition,
    referenced_questions,
)
from screener.core.frozen import replace
from screener.core.limits import MAX_RULE_FILE_BYTES
from screener.core.model import (
    CHOICE_TYPES,
    NONE_CHOICE,
    Action,
    Choice,
    Derived,
    Question,
    QuestionType,
    Rule,
    RuleSet,
)
from screener.core.problems import Problem, RuleFileError
from screener.core.reasons import TemplateError, placeholders
from screener.core.suggest import suggest
from screener.files.digest import sha256_hex
from screener.files.read import decode_utf8, read_text, too_large
from screener.files.yaml_source import (
    PathKey,
    SourceDocument,
    as_mapping,
    cut_by_comment,
    parse_yaml_text,
)

if TYPE_CHECKING:  # pydantic loads only when a rule file is checked, not on a cache hit
    from importlib.resources.abc import Traversable

    from screener.rulefile.schema import DerivedSpec, QuestionSpec, RuleSpec, Strict

BUNDLED_RULES = "rules.yaml"
RULES_VARIABLE = "SCREENER_RULES"
M = TypeVar("M", bound="Strict")


def _compile_question(spec: QuestionSpec) -> Question:
    from screener.rulefile.translations import wordings  # pydantic, as the spec itself

    choices: tuple[Choice, ...] = ()
    for item in spec.choices or ():
        if isinstance(item, str):
            if spec.type is QuestionType.MULTI_CHOICE and item == NONE_CHOICE:
                continue
            choices += (Choice(item, item.replace("_", " ")),)
        elif not (spec.type is QuestionType.MULTI_CHOICE and item.value == NONE_CHOICE):
            code = None if item.code is None else str(item.code)
            choices += (Choice(item.value, item.label, dict(item.facts), item.catch_all, code),)
    return Question(
        id=spec.id,
        text=spec.text,
        type=spec.type,
        help=spec.help,
        required=spec.required,
        label=spec.label,
        ask_if_text=spec.ask_if,
        min=spec.min,
        max=spec.max,
        unit=spec.unit,
        choices=choices,
        aliases=tuple(spec.aliases),
        fields=tuple(_compile_question(f) for f in spec.fields or ()),
        max_items=spec.max_items or 0,
        item_name=spec.item_name or "Item",
        more_text=spec.more_text,
        translations=wordings(spec),
    )


def _question_shape_problems(
    doc: SourceDocument, path: PathKey, where: str, spec: QuestionSpec, in_list: bool = False
) -> list[Problem]:
    problems = []
    has_choices = spec.type in CHOICE_TYPES
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
    numeric = spec.type in (QuestionType.INTEGER, QuestionType.NUMBER)
    if not numeric and (spec.min is not None or spec.max is not None):
        problems.append(
            doc.problem(path, where, "'min' and 'max' apply only to integer and number questions")
        )
    for key in ("min", "max"):
        bound = getattr(spec, key)
        if spec.type is QuestionType.INTEGER and isinstance(bound, float):
            problems.append(
                doc.problem(
                    (*path, key),
                    f"{where}.{key}",
                    f"an integer question's {key!r} is a whole number",
                )
            )
    if spec.min is not None and spec.max is not None and spec.min > spec.max:
        problems.append(doc.problem((*path, "min"), f"{where}.min", "'min' is greater than 'max'"))
    values = [c if isinstance(c, str) else c.value for c in spec.choices or ()]
    for value in {v for v in values if values.count(v) > 1}:
        problems.append(
            doc.problem((*path, "choices"), f"{where}.choices", f"choice {value!r} is listed twice")
        )
    problems.extend(_code_problems(doc, path, where, spec))
    is_list = spec.type is QuestionType.LIST
    if is_list and (not spec.fields or spec.max_items is None):
        problems.append(doc.problem(path, where, "a list question needs 'fields' and 'max_items'"))
    if not is_list and (spec.fields is not None or spec.max_items is not None):
        problems.append(
            doc.problem(path, where, "'fields' and 'max_items' belong to list questions")
        )
    if is_list and in_list:
        problems.append(doc.problem(path, where, "a list's field cannot itself be a list"))
    if not is_list and spec.more_text is not None:
        at: PathKey = (*path, "more_text")
        problems.append(doc.problem(at, where, "'more_text' belongs to list questions"))
    seen: set[str] = set()
    for number, field in enumerate(spec.fields or ()):
        field_path: PathKey = (*path, "fields", number)
        field_where = f"{where}.fields[{number}] ({field.id})"
        if field.id in seen:
            problems.append(
                doc.problem(
                    (*field_path, "id"), field_where, f"field id {field.id!r} is used twice"
                )
            )
        seen.add(field.id)
        problems.extend(_question_shape_problems(doc, field_path, field_where, field, True))
    return problems


def _code_problems(
    doc: SourceDocument, path: PathKey, where: str, spec: QuestionSpec
) -> list[Problem]:
    """Pinned choice codes are unique within the question, as REDCap's export columns tell
    them apart (`field___code`: the code lowercased, other characters as `_`)."""
    problems = []
    seen: dict[str, str] = {}
    for number, item in enumerate(spec.choices or ()):
        if isinstance(item, str) or item.code is None:
            continue
        code = str(item.code)
        if spec.type is QuestionType.MULTI_CHOICE and item.value == NONE_CHOICE:
            problems.append(
                doc.problem(
                    (*path, "choices", number, "code"),
                    f"{where}.choices[{number}].code",
                    "the code of 'none' cannot be pinned: 'none of these' is coded 0 (or the"
                    " first free number from 100)",
                )
            )
            continue
        key = re.sub(r"[^a-z0-9]", "_", code.lower())
        if key in seen:
            problems.append(
                doc.problem(
                    (*path, "choices", number, "code"),
                    f"{where}.choices[{number}].code",
                    f"code {code!r} is already the code of choice {seen[key]!r}",
                )
            )
        seen.setdefault(key, item.value)
    return problems


def _ask_if_tree(
    doc: SourceDocument,
    path: PathKey,
    where: str,
    text: str,
    questions: Mapping[str, Question],
    scope: Question | None = None,
) -> tuple[Node | None, list[Problem]]:
    try:
        tree = parse_condition(text)
        if scope is None:
            check_condition(tree, questions)
        else:
            check_item_condition(tree, questions, scope)
    except ConditionSyntaxError as exc:
        return None, [doc.problem(path, where, exc.message, offset=exc.offset)]
    return tree, []


def _list_cells(list_question: Question, field_trees: Mapping[str, Node]) -> Question:
    """The list question with the slots of every item, each with its skip logic."""
    items: list[tuple[Question, ...]] = []
    for item in range(1, list_question.max_items + 1):
        rename = {f.id: list_question.cell_id(item, f.id) for f in list_question.fields}
        cells = []
        # An item's fields are asked (and scored) only for items the list is not known to lack.
        within = Compare(">=", QuestionRef(list_question.id, 0), Literal(item, 0), 0)
        for field in list_question.fields:
            parts = [t for t in (list_question.ask_if_tree, within) if t is not None]
            if field.id in field_trees:
                parts.append(substitute(field_trees[field.id], rename))
            tree: Node | None = None
            if parts:
                tree = parts[0] if len(parts) == 1 else And(tuple(parts), 0)
            cells.append(
                replace(
                    field,
                    id=rename[field.id],
                    list_id=list_question.id,
                    item=item,
                    field_id=field.id,
                    text=list_question.cell_text(item, field.text),
                    label=f"{list_question.item_name} {item}: {field.short}",
                    ask_if=compile_condition(tree) if tree is not None else None,
                    ask_if_tree=tree,
                    aliases=(),
                )
            )
        items.append(tuple(cells))
    return replace(list_question, item_cells=tuple(items))


def _check_questions(
    doc: SourceDocument, question_specs: list[tuple[int, QuestionSpec]]
) -> tuple[dict[str, Question], list[Problem]]:
    """Compile questions, their shapes and their skip logic. Specs carry their file index."""
    problems: list[Problem] = []
    questions: dict[str, Question] = {}
    first_of_id: set[int] = set()
    for index, qspec in question_specs:
        where = f"questions[{index}] ({qspec.id})"
        if qspec.id in questions:
            problems.append(
                doc.problem(
                    ("questions", index, "id"), where, f"question id {qspec.id!r} is used twice"
                )
            )
            continue
        problems.extend(_question_shape_problems(doc, ("questions", index), where, qspec))
        questions[qspec.id] = _compile_question(qspec)
        first_of_id.add(index)

    order = {qid: position for position, qid in enumerate(questions)}
    for index, qspec in question_specs:
        if index not in first_of_id:
            continue
        question = questions[qspec.id]
        if qspec.ask_if is not None:
            path: PathKey = ("questions", index, "ask_if")
            where = f"questions[{index}] ({qspec.id}).ask_if"
            cut = cut_by_comment(doc, path, where)
            if cut is not None:
                problems.append(cut)
                continue
            tree, found = _ask_if_tree(doc, path, where, qspec.ask_if, _visible(questions))
            problems.extend(found)
            if tree is None:
                continue
            tree = resolve(tree, _visible(questions))
            later = [
                q
                for q in referenced_questions(tree)
                if order[_owner(questions, q)] >= order[qspec.id]
            ]
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
            question = replace(question, ask_if=compile_condition(tree), ask_if_tree=tree)
        if question.is_list:
            field_trees: dict[str, Node] = {}
            for number, fspec in enumerate(qspec.fields or ()):
                if fspec.ask_if is None:
                    continue
                path = ("questions", index, "fields", number, "ask_if")
                where = f"questions[{index}] ({qspec.id}).fields[{number}] ({fspec.id}).ask_if"
                cut = cut_by_comment(doc, path, where)
                if cut is not None:
                    problems.append(cut)
                    continue
                earlier = replace(question, fields=question.fields[:number])
                field_tree, found = _ask_if_tree(
                    doc, path, where, fspec.ask_if, _before(questions, qspec.id), earlier
                )
                problems.extend(found)
                if field_tree is not None:
                    field_trees[fspec.id] = field_tree
            question = _list_cells(question, field_trees)
        questions[qspec.id] = question
    return questions, problems


def _visible(questions: Mapping[str, Question]) -> dict[str, Question]:
    """Questions by id, with the slots of lists built so far (for conditions to read)."""
    out: dict[str, Question] = {}
    for question in questions.values():
        out[question.id] = question
        for cells in question.item_cells:
            out.update((cell.id, cell) for cell in cells)
    return out


def _before(questions: Mapping[str, Question], question_id: str) -> dict[str, Question]:
    ids = list(questions)
    return _visible({q: questions[q] for q in ids[: ids.index(question_id)]})


def _owner(questions: Mapping[str, Question], slot: str) -> str:
    """The question a slot belongs to (a list's cell belongs to the list)."""
    if slot in questions:
        return slot
    for question in questions.values():
        for cells in question.item_cells:
            if any(cell.id == slot for cell in cells):
                return question.id
    return slot


def _check_derived(
    doc: SourceDocument,
    questions: Mapping[str, Question],
    specs: list[tuple[int, DerivedSpec]],
) -> tuple[list[Derived], list[Problem]]:
    """Derived values: each may read questions and the derived values above it."""
    problems: list[Problem] = []
    derived: list[Derived] = []
    trees: dict[str, Node] = {}
    for index, dspec in specs:
        where = f"derived[{index}] ({dspec.id})"
        if dspec.id in questions or dspec.id in trees:
            problems.append(
                doc.problem(
                    ("derived", index, "id"),
                    where,
                    f"{dspec.id!r} is already the name of a question or derived value",
                )
            )
            continue
        cut = cut_by_comment(doc, ("derived", index, "value"), f"{where}.value")
        if cut is not None:
            problems.append(cut)
            continue
        try:
            tree = parse_condition(dspec.value)
            check_expression(tree, questions, frozenset(trees))
        except ConditionSyntaxError as exc:
            problems.append(
                doc.problem(("derived", index, "value"), f"{where}.value", exc.message, exc.offset)
            )
            continue
        resolved = resolve(tree, questions, trees)
        trees[dspec.id] = resolved
        getter = value_getter(resolved)
        derived.append(
            Derived(
                id=dspec.id,
                label=dspec.label,
                unit=dspec.unit,
                text=dspec.value,
                tree=resolved,
                value=lambda answers, get=getter: _number(get(answers)),  # type: ignore[misc]
                reads=referenced_questions(resolved),
            )
        )
    return derived, problems


def _number(value: object) -> float | None:
    """A derived value as a number: a count known exactly is that number; anything else that
    is not a number (an interval, an unknown) is unknown."""
    if isinstance(value, Span):
        return value.lo if value.lo == value.hi else None
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _check_rules(
    doc: SourceDocument,
    questions: Mapping[str, Question],
    rule_specs: list[tuple[int, RuleSpec]],
    derived: Sequence[Derived] = (),
) -> tuple[list[Rule], list[Problem]]:
    """Compile rules: ids, reason placeholders and conditions. Specs carry their file index."""
    problems: list[Problem] = []
    rules = []
    seen_rules: set[str] = set()
    derived_trees = {d.id: d.tree for d in derived}
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
                if name not in questions and name not in derived_trees:
                    problems.append(
                        doc.problem(
                            ("rules", index, field),
                            f"{where}.{field}",
                            f"placeholder {{{name}}} names no question"
                            + suggest(name, [*questions, *derived_trees]),
                        )
                    )
        if rspec.priority is not None and rspec.action is not Action.REVIEW:
            problems.append(
                doc.problem(
                    ("rules", index, "priority"),
                    f"{where}.priority",
                    f"only review rules take a priority (this one is {rspec.action.value})",
                )
            )
        cut = cut_by_comment(doc, ("rules", index, "when"), f"{where}.when")
        if cut is not None:
            problems.append(cut)
            continue
        try:
            tree = parse_condition(rspec.when)
            check_condition(tree, questions, frozenset(derived_trees))
        except ConditionSyntaxError as exc:
            problems.append(
                doc.problem(("rules", index, "when"), f"{where}.when", exc.message, exc.offset)
            )
            continue
        tree = resolve(tree, questions, derived_trees)
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
                next_step=rspec.next_step,
                priority=rspec.priority,
            )
        )
    return rules, problems


def _check_entries(
    doc: SourceDocument,
    question_specs: list[tuple[int, QuestionSpec]],
    rule_specs: list[tuple[int, RuleSpec]],
    derived_specs: list[tuple[int, DerivedSpec]],
) -> tuple[dict[str, Question], list[Derived], list[Rule], list[Problem]]:
    questions, question_problems = _check_questions(doc, question_specs)
    slots = _visible(questions)
    derived, derived_problems = _check_derived(doc, slots, derived_specs)
    rules, rule_problems = _check_rules(doc, slots, rule_specs, derived)
    # A derived value that failed its own check, a choice question without choices and a list
    # without fields have their own line: what reads them is not a second problem.
    kept = {d.id for d in derived}
    failed = {spec.id for _, spec in derived_specs if spec.id not in kept and spec.id not in slots}
    failed |= {
        spec.id
        for _, spec in question_specs
        if (spec.type in CHOICE_TYPES and not spec.choices)
        or (spec.type is QuestionType.LIST and not spec.fields)
    }
    problems = question_problems + derived_problems + rule_problems
    return questions, derived, rules, [p for p in problems if not _names_failed(p, failed)]


def _names_failed(problem: Problem, names: set[str]) -> bool:
    """Whether a problem only says that it reads an entry that has a problem of its own (as
    check_condition, the reason check and the key answers' check word it)."""
    return any(
        problem.message.startswith(
            (
                f"unknown question {name!r}",
                f"placeholder {{{name}}} ",
                f"{name!r} has no choice ",
                f"{name!r} has no field ",
                f"{name!r} is not a question or derived value",
            )
        )
        for name in names
    )


def _valid_entries(
    doc: SourceDocument, data: Mapping[str, object], key: str, model: type[M]
) -> tuple[list[tuple[int, M]], set[str], set[str]]:
    """The entries of a list that pass their own schema (used to keep checking after errors);
    the places (`questions[3]`) of stand-ins: an entry that fails only in some of its fields
    is kept without them, so that what refers to it (a rule reading a question whose `max` is
    wrong) is still checked, and is not reported as naming nothing; and the ids of entries
    that failed and have no stand-in."""
    from pydantic import ValidationError

    items = data.get(key)
    if not isinstance(items, list):
        return [], set(), set()
    valid = []
    stand_ins: set[str] = set()
    broken: set[str] = set()  # ids of entries with no stand-in (a wrong `type`, say)
    for index, item in enumerate(items):
        try:
            valid.append((index, model.model_validate(item)))
        except ValidationError as exc:
            if not isinstance(item, Mapping):
                continue
            wrong = {error["loc"][0] for error in exc.errors() if error["loc"]}
            try:
                kept = model.model_validate({k: v for k, v in item.items() if k not in wrong})
            except ValidationError:
                if isinstance(item.get("id"), str):
                    broken.add(item["id"])
                continue
            # (A stand-in without its choices or fields: _check_entries drops what follows.)
            valid.append((index, kept))
            stand_ins.add(f"{key}[{index}]")
    return valid, stand_ins, broken


def _follows(problem: Problem, places: set[str], broken: set[str]) -> bool:
    """Whether a cross-check's problem only follows from an entry's schema problem: it is
    about a stand-in (`where` starts with its place), or it names an entry that is there but
    failed its schema (`_names_failed`)."""
    head = problem.where.split(" ", 1)[0].split(".", 1)[0]
    return head in places or _names_failed(problem, broken)


def build_ruleset(doc: SourceDocument, content: bytes) -> RuleSet:
    """Check and compile a parsed rule file; every problem is reported at once."""
    from pydantic import ValidationError

    from screener.rulefile.schema import DerivedSpec, QuestionSpec, RuleFileSpec, RuleSpec
    from screener.rulefile.schema_errors import schema_problems
    from screener.rulefile.translations import crisis_translations, translation_problems

    data = as_mapping(doc, "a rule file")
    try:
        spec = RuleFileSpec.model_validate(data)
    except ValidationError as exc:
        problems = schema_problems(doc, exc, RuleFileSpec)
        if not isinstance(data.get("questions"), list) or not isinstance(
            data.get("derived", []), list
        ):
            # No question (or derived value) is known, so every reference would be "unknown".
            raise RuleFileError(problems) from None
        question_specs, question_stand_ins, broken = _valid_entries(
            doc, data, "questions", QuestionSpec
        )
        rule_specs, rule_stand_ins, _ = _valid_entries(doc, data, "rules", RuleSpec)
        derived_specs, derived_stand_ins, broken_derived = _valid_entries(
            doc, data, "derived", DerivedSpec
        )
        stand_ins = question_stand_ins | rule_stand_ins | derived_stand_ins
        broken |= broken_derived
        _, _, _, more = _check_entries(doc, question_specs, rule_specs, derived_specs)
        # A stand-in's own problems are its schema's (what it lacks is not a second problem);
        # entries that failed their schema can also fail cross-checks: each place once.
        more = [p for p in more if p not in problems and not _follows(p, stand_ins, broken)]
        raise RuleFileError(problems + more) from None
    questions, derived, rules, problems = _check_entries(
        doc,
        list(enumerate(spec.questions)),
        list(enumerate(spec.rules)),
        list(enumerate(spec.derived)),
    )
    slots = _visible(questions)
    # A derived value that failed its check has its own line.
    named = {*slots, *(d.id for d in spec.derived)}
    for index, key in enumerate(spec.summary.key_answers):
        if key not in named:
            problems.append(
                doc.problem(
                    ("summary", "key_answers", index),
                    f"summary.key_answers[{index}]",
                    f"{key!r} is not a question or derived value{suggest(key, sorted(named))}",
                )
            )
    problems.extend(translation_problems(doc, spec))
    if problems:
        raise RuleFileError(problems)
    return RuleSet(
        name=spec.name,
        version=spec.version,
        sha256=sha256_hex(content),
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
        derived=tuple(derived),
        key_answers=tuple(spec.summary.key_answers),
        language=spec.language,
        crisis_translations=crisis_translations(spec),
    )


RULE_FILE = "a rule file"


def load_ruleset_bytes(content: bytes, name: str) -> RuleSet:
    return _load_bytes(content, name)[0]


def _load_bytes(content: bytes, name: str) -> tuple[RuleSet, SourceDocument]:
    if len(content) > MAX_RULE_FILE_BYTES:
        raise too_large(name, MAX_RULE_FILE_BYTES, RULE_FILE)
    doc = parse_yaml_text(decode_utf8(content, name), name)
    return build_ruleset(doc, content), doc


def _load_rule_file(content: bytes, name: str) -> tuple[RuleSet, list[Problem]]:
    """A rule file's RuleSet and warnings: from the cache when these bytes were checked before
    (see `rulefile/cache.py`), else checked in full, and then remembered. A file with problems
    raises here and is never remembered."""
    from screener.rulefile.cache import cached_ruleset, remember_ruleset  # it reuses this module

    cached = cached_ruleset(content, name)
    if cached is not None:
        return cached
    from screener.rulefile.translations import translation_warnings

    ruleset, doc = _load_bytes(content, name)
    warnings = translation_warnings(doc, ruleset)
    remember_ruleset(content, ruleset, warnings)
    return ruleset, warnings


def bundled_rules() -> Path | Traversable:
    """The rule file installed with the package: a plain file beside this code (what
    importlib.resources gives for it, without loading importlib.resources), else the
    package's resource (an installation in a zip file)."""
    beside = Path(__file__).parent.parent / "data" / BUNDLED_RULES
    if beside.is_file():
        return beside
    from importlib import resources

    return resources.files("screener").joinpath("data", BUNDLED_RULES)


def rules_input(path: Path | None = None) -> tuple[str, Path | None]:
    """How the rule file `load_ruleset(path)` reads is named, and its path ($SCREENER_RULES
    or the bundled one when `path` is None), so that no output can name it. The path is None
    when the bundled rules are not a plain file."""
    if path is not None:
        return "--rules", path
    if os.environ.get(RULES_VARIABLE):
        return f"${RULES_VARIABLE}", Path(os.environ[RULES_VARIABLE])
    bundled = bundled_rules()
    return "the bundled rules", bundled if isinstance(bundled, Path) else None


def load_ruleset(path: Path | None = None) -> RuleSet:
    """Load a rule file; when `path` is None, the one named by $SCREENER_RULES (a clinic's own
    rule file, set once), else the bundled default."""
    return _load(path)[0]


def load_ruleset_with_warnings(path: Path | None = None) -> tuple[RuleSet, list[Problem]]:
    """`load_ruleset`, and the located warnings of a sound file: each text that a language
    the file has lacks (see rulefile/translations.py)."""
    return _load(path)


def _load(path: Path | None) -> tuple[RuleSet, list[Problem]]:
    if path is None and os.environ.get(RULES_VARIABLE):
        path = Path(os.environ[RULES_VARIABLE])
    if path is None:
        bundled = bundled_rules()
        return _load_rule_file(bundled.read_bytes(), f"{bundled} (bundled)")
    content, _ = read_text(path, limit=MAX_RULE_FILE_BYTES, what=RULE_FILE)
    return _load_rule_file(content, str(path))
