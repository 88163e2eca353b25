"""Bind a cases file to a rule set: names checked, answers typed, invariant conditions compiled.

A name in a cases file that is not a question or rule of the rule set is a located error
(`FILE:LINE:COL: where: what`, with "did you mean"), like a mistake in the rule file itself.
"""

from __future__ import annotations

from pathlib import Path

from screener.core.coercion import CoercionError, coerce_answers, coerce_value
from screener.core.conditions.check import check_condition
from screener.core.conditions.compile import compile_condition
from screener.core.conditions.resolve import resolve
from screener.core.conditions.syntax import ConditionSyntaxError, Node, parse_condition
from screener.core.frozen import record_class
from screener.core.model import Action, Condition, RuleSet, Value, list_cells
from screener.core.problems import Problem, RuleFileError, shown
from screener.core.screening import Outcome
from screener.core.suggest import suggest
from screener.files.yaml_source import PathKey, SourceDocument
from screener.rulefile.cases_file import CasesFile, Expectation, Invariant, load_cases


@record_class
class BoundCase:
    name: str
    line: int | None
    answers: dict[str, Value]  # typed: `base` with the case's own answers on top
    expect: Expectation


@record_class
class BoundInvariant:
    name: str
    line: int | None
    given_text: str
    given_tree: Node
    given: Condition  # read on the answers that count (skip logic applied)
    outcome_in: frozenset[Outcome] | None
    outcome_not_in: frozenset[Outcome] | None

    def allows(self, outcome: Outcome) -> bool:
        if self.outcome_in is not None:
            return outcome in self.outcome_in
        assert self.outcome_not_in is not None
        return outcome not in self.outcome_not_in

    @property
    def expectation(self) -> str:
        """`outcome in [not_eligible, urgent]` or `outcome never likely_eligible`."""
        if self.outcome_in is not None:
            return f"outcome in [{', '.join(_ordered(self.outcome_in))}]"
        assert self.outcome_not_in is not None
        return f"outcome never {' or '.join(_ordered(self.outcome_not_in))}"


@record_class
class BoundSuite:
    source: str
    base: dict[str, Value]  # typed `base` answers (unknown where it sets none)
    has_base: bool
    cases: tuple[BoundCase, ...]
    invariants: tuple[BoundInvariant, ...]


def _ordered(outcomes: frozenset[Outcome]) -> list[str]:
    return [o.value for o in sorted(outcomes, key=lambda o: -o.severity)]


class _Binder:
    def __init__(self, doc: SourceDocument, ruleset: RuleSet) -> None:
        self.doc = doc
        self.ruleset = ruleset
        self.problems: list[Problem] = []

    def problem(self, path: PathKey, where: str, message: str, offset: int = 0) -> None:
        self.problems.append(self.doc.problem(path, where, message, offset))

    def line(self, path: PathKey) -> int | None:
        pos = self.doc.position(path)
        return pos.line if pos is not None else None

    def answers(
        self, raw: dict[str, object], path: PathKey, where: str, start: dict[str, Value]
    ) -> dict[str, Value]:
        questions = self.ruleset.question_map
        typed = dict(start)
        for key, value in raw.items():
            question = questions.get(key)
            if question is None:
                self.problem(
                    (*path, key),
                    f"{where}.{key}",
                    f"not a question in the rule set{suggest(key, list(questions))}",
                )
                continue
            if question.is_list and isinstance(value, list):
                # A list given as items replaces the base's items; a number (or unknown)
                # sets only how many items there are, as a CSV export's column does.
                listed, problems = coerce_answers(questions, {key: value})
                for problem in problems:
                    self.problem((*path, key), f"{where}.{problem.question}", problem.message)
                typed[key] = listed[key]
                typed.update((cell.id, listed[cell.id]) for cell in list_cells(question))
                continue
            try:
                typed[key] = coerce_value(question, value)
            except CoercionError as exc:
                self.problem((*path, key), f"{where}.{key}", f"{exc} (got {shown(value)})")
        return typed

    def rule_names(
        self, names: list[str], path: PathKey, where: str, flags_only: bool = False
    ) -> None:
        rules = self.ruleset.rule_map
        for index, name in enumerate(names):
            rule = rules.get(name)
            here, label = (*path, index), f"{where}[{index}]"
            if rule is None:
                self.problem(
                    here,
                    label,
                    f"{name!r} is not a rule in the rule set" + suggest(name, list(rules)),
                )
            elif flags_only and rule.action is not Action.FLAG:
                self.problem(
                    here,
                    label,
                    f"{name!r} is a {rule.action.value} rule, not a flag"
                    " (use 'holds' or 'not_holds' for its value)",
                )

    def expectation(self, expect: Expectation, path: PathKey, where: str) -> None:
        nothing = (
            expect.outcome is None
            and not (expect.holds or expect.not_holds or expect.unknown or expect.flags)
            and expect.missing is None
            and expect.priority is None
            and not expect.next_steps
        )
        if nothing:
            self.problem(path, where, "states nothing to check (give an outcome, holds, ...)")
        for key in ("holds", "not_holds", "unknown"):
            self.rule_names(getattr(expect, key), (*path, key), f"{where}.{key}")
        self.rule_names(expect.flags, (*path, "flags"), f"{where}.flags", flags_only=True)
        self.rule_names(expect.next_steps, (*path, "next_steps"), f"{where}.next_steps")
        for index, name in enumerate(expect.next_steps):
            rule = self.ruleset.rule_map.get(name)
            if rule is not None and rule.next_step is None:
                self.problem(
                    (*path, "next_steps", index),
                    f"{where}.next_steps[{index}]",
                    f"{name!r} has no next_step of its own to show",
                )
        seen: dict[str, str] = {}
        for key in ("holds", "not_holds", "unknown"):
            for index, name in enumerate(getattr(expect, key)):
                if name in seen and seen[name] != key:
                    self.problem(
                        (*path, key, index),
                        f"{where}.{key}[{index}]",
                        f"{name!r} is also listed under {seen[name]!r}",
                    )
                seen.setdefault(name, key)
        questions = self.ruleset.question_map
        for index, name in enumerate(expect.missing or []):
            if name not in questions:
                self.problem(
                    (*path, "missing", index),
                    f"{where}.missing[{index}]",
                    f"{name!r} is not a question in the rule set" + suggest(name, list(questions)),
                )

    def invariant(self, index: int, invariant: Invariant) -> BoundInvariant | None:
        path: PathKey = ("invariants", index)
        where = f"invariants[{index}] ({invariant.name})"
        for key in ("outcome_in", "outcome_not_in"):
            if getattr(invariant, key) == []:
                self.problem((*path, key), f"{where}.{key}", "list at least one outcome")
        try:
            tree = parse_condition(invariant.given)
            derived = {d.id: d.tree for d in self.ruleset.derived}
            check_condition(tree, self.ruleset.question_map, frozenset(derived))
            tree = resolve(tree, self.ruleset.question_map, derived)
        except ConditionSyntaxError as exc:
            self.problem((*path, "given"), f"{where}.given", exc.message, exc.offset)
            return None
        return BoundInvariant(
            name=invariant.name,
            line=self.line((*path, "name")),
            given_text=invariant.given,
            given_tree=tree,
            given=compile_condition(tree),
            outcome_in=None if invariant.outcome_in is None else frozenset(invariant.outcome_in),
            outcome_not_in=(
                None if invariant.outcome_not_in is None else frozenset(invariant.outcome_not_in)
            ),
        )


def _duplicate_names(binder: _Binder, key: str, names: list[str]) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            binder.problem(
                (key, index, "name"), f"{key}[{index}]", f"the name {name!r} is used twice"
            )
        seen.add(name)


def bind_cases(cases: CasesFile, doc: SourceDocument, ruleset: RuleSet) -> BoundSuite:
    """Check every name against the rule set and type every answer; all problems at once."""
    binder = _Binder(doc, ruleset)
    unknown: dict[str, Value] = dict.fromkeys(ruleset.question_map)
    base = binder.answers(cases.base, ("base",), "base", unknown)
    bound_cases = []
    for index, case in enumerate(cases.cases):
        path: PathKey = ("cases", index)
        where = f"cases[{index}] ({case.name})"
        answers = binder.answers(case.answers, (*path, "answers"), f"{where}.answers", base)
        binder.expectation(case.expect, (*path, "expect"), f"{where}.expect")
        bound_cases.append(
            BoundCase(
                name=case.name,
                line=binder.line((*path, "name")),
                answers=answers,
                expect=case.expect,
            )
        )
    _duplicate_names(binder, "cases", [c.name for c in cases.cases])
    _duplicate_names(binder, "invariants", [i.name for i in cases.invariants])
    invariants = [binder.invariant(i, inv) for i, inv in enumerate(cases.invariants)]
    if not cases.cases and not cases.invariants:
        binder.problem((), "", "the cases file has no cases and no invariants")
    if binder.problems:
        raise RuleFileError(binder.problems)
    return BoundSuite(
        source=doc.name,
        base=base,
        has_base=bool(cases.base),
        cases=tuple(bound_cases),
        invariants=tuple(i for i in invariants if i is not None),
    )


def load_suite(path: Path, ruleset: RuleSet) -> BoundSuite:
    cases, doc = load_cases(path)
    return bind_cases(cases, doc, ruleset)
