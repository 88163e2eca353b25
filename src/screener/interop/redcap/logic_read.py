"""REDCap branching logic read back as an `ask_if` condition, where it translates.

REDCap's logic is two-valued (a blank compares as `''`); screener asks a question unless its
`ask_if` is definitely false, and an unknown answer keeps it asked. Each comparison is
translated into a test whose value is REDCap's, or unknown where the answer is not known to
screener (blank, "don't know"), never the opposite of REDCap's. `and` and `or` keep that
(Kleene logic is monotone), so screener asks the question wherever REDCap shows it.

A comparison that has no such translation (a test of a "don't know" code, of text, of a field
that is not an earlier question, an event or a function) makes the whole logic
untranslated: the question is then always asked, and the reason is given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from screener.core.conditions.check import range_problem
from screener.core.conditions.syntax import ConditionSyntaxError, parse_condition
from screener.core.frozen import record_class
from screener.core.model import QuestionType

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<field>\[[A-Za-z][A-Za-z0-9_]*(?:\(\s*[^()\[\]\s]+\s*\))?\])
    | (?P<str>'[^']*'|"[^"]*")
    | (?P<num>-?[0-9]+(?:\.[0-9]+)?)
    | (?P<op><>|!=|<=|>=|==|=|<|>)
    | (?P<word>[A-Za-z_]+)
    | (?P<paren>[()])
    )""",
    re.VERBOSE,
)
_FIELD = re.compile(r"\[([A-Za-z][A-Za-z0-9_]*)(?:\(\s*([^()\s]+)\s*\))?\]")
_SCREENER_OP = {
    **{"=": "==", "==": "==", "<>": "!=", "!=": "!="},
    **{"<": "<", "<=": "<=", ">": ">", ">=": ">="},
}


@record_class
class FieldLogic:
    """How an earlier question is stored: its type and what each stored code means."""

    type: QuestionType
    codes: Mapping[str, str]  # stored code -> choice value ("none" for none of these; yes, no)
    dont_know: frozenset[str] = frozenset()  # codes that mean "don't know"
    yes_no: bool = False  # 1/0 codes of a yes/no question
    low: float | None = None  # a number question's validation min and max
    high: float | None = None


class Untranslated(Exception):
    """Why the branching logic has no `ask_if` translation."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise Untranslated(f"cannot read {text[pos : pos + 20].strip()!r}")
        kind = match.lastgroup
        assert kind is not None
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, text: str, fields: Mapping[str, FieldLogic], record_id: str | None) -> None:
        self.tokens = _tokens(text)
        self.pos = 0
        self.fields = fields
        self.record_id = record_id

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise Untranslated("the logic ends too early")
        self.pos += 1
        return token

    def word(self, *words: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == "word" and token[1].lower() in words:
            self.pos += 1
            return True
        return False

    def expression(self, depth: int = 0) -> tuple[str, int]:
        """Screener condition text and its precedence (0 or, 1 and, 2 atom)."""
        if depth > 32:
            raise Untranslated("the logic nests too deep")
        parts = [self.conjunction(depth)]
        while self.word("or"):
            parts.append(self.conjunction(depth))
        if len(parts) == 1:
            return parts[0]
        return " or ".join(text for text, _ in parts), 0

    def conjunction(self, depth: int) -> tuple[str, int]:
        parts = [self.atom(depth)]
        while self.word("and"):
            parts.append(self.atom(depth))
        if len(parts) == 1:
            return parts[0]
        return " and ".join(text if level >= 1 else f"({text})" for text, level in parts), 1

    def atom(self, depth: int) -> tuple[str, int]:
        kind, text = self.take()
        if kind == "paren" and text == "(":
            inner, level = self.expression(depth + 1)
            if self.take() != ("paren", ")"):
                raise Untranslated("a parenthesis is not closed")
            return (inner, 2) if level == 2 else (f"({inner})", 2)
        if kind != "field":
            raise Untranslated(f"{text!r} is not a comparison of a field")
        after = self.peek()
        if after is not None and after[0] == "field":
            raise Untranslated(
                "it names an event ([event][field]), which screener has no notion of"
            )
        op_kind, op = self.take()
        if op_kind != "op":
            raise Untranslated(f"{text} is not compared with '=', '<>', '<' or '>'")
        value_kind, value = self.take()
        if value_kind == "str":
            value = value[1:-1]
        elif value_kind != "num":
            raise Untranslated(f"{text} is compared with {value!r}, not a value")
        return self.compare(text, op, value), 2

    def compare(self, field_text: str, op: str, value: str) -> str:
        found = _FIELD.fullmatch(field_text)
        assert found is not None
        name, code = found.group(1).lower(), found.group(2)
        op = _SCREENER_OP[op]
        if name == self.record_id and code is None and value == "" and op in ("==", "!="):
            return "false" if op == "==" else "true"  # a record always has its id
        logic = self.fields.get(name)
        if logic is None:
            raise Untranslated(f"it reads [{name}], which is not a question asked before this one")
        if code is not None:
            return self._ticked(name, logic, code, op, value)
        if value == "" and op in ("==", "!="):
            return self._blank(name, logic, op)
        if logic.type in (QuestionType.INTEGER, QuestionType.NUMBER):
            if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
                raise Untranslated(f"[{name}] is a number, compared with {value!r}")
            # As the rule file's checker reads it: a comparison that can never change is a
            # mistake in the logic (REDCap shows the field never or always).
            number = float(value) if "." in value else int(value)
            problem = range_problem(name, logic.low, logic.high, number, op)
            if problem is not None:
                raise Untranslated(problem)
            return f"{name} {op} {value}"
        if op not in ("==", "!=") or logic.type not in (QuestionType.YES_NO, QuestionType.CHOICE):
            raise Untranslated(f"[{name}] {op} '{value}' has no exact test in screener")
        if value in logic.dont_know:
            raise Untranslated(f'[{name}] is tested for its "don\'t know" code {value!r}')
        if value not in logic.codes:
            raise Untranslated(f"{value!r} is no code of [{name}]")
        if logic.yes_no:
            yes = logic.codes[value] == "yes"
            return name if yes == (op == "==") else f"not {name}"
        return f'{name} {op} "{logic.codes[value]}"'

    def _blank(self, name: str, logic: FieldLogic, op: str) -> str:
        # `= ''`: not known(x) is true for blank and "don't know": more shown, never less.
        if op == "==":
            return f"not known({name})"
        # `<> ''`: known(x) is false for "don't know", which REDCap shows: exact only where
        # "don't know" cannot be stored.
        if logic.dont_know or logic.type is QuestionType.TEXT:
            raise Untranslated(
                f"[{name}] <> '' is true for \"don't know\", which screener treats as unknown"
            )
        return f"known({name})"

    def _ticked(self, name: str, logic: FieldLogic, code: str, op: str, value: str) -> str:
        if logic.type is not QuestionType.MULTI_CHOICE:
            raise Untranslated(f"[{name}({code})] names an option of a field without tick boxes")
        if code in logic.dont_know:
            raise Untranslated(f'[{name}({code})] tests the "don\'t know" box')
        choice = logic.codes.get(code)
        if choice is None or op not in ("==", "!=") or value not in ("0", "1"):
            raise Untranslated(f"[{name}({code})] {op} '{value}' has no exact test in screener")
        ticked = (value == "1") == (op == "==")
        return f'"{choice}" {"in" if ticked else "not in"} {name}'


def read_branching(
    text: str, fields: Mapping[str, FieldLogic], record_id: str | None = None
) -> str:
    """The `ask_if` for REDCap branching logic `text`, reading only `fields` (the questions
    before it); raises Untranslated with the reason when it has none."""
    parser = _Parser(text, fields, record_id)
    if not parser.tokens:
        raise Untranslated("the logic is empty")
    condition, _ = parser.expression()
    rest = parser.peek()
    if rest is not None:
        raise Untranslated(f"cannot read the logic from {rest[1]!r} on")
    try:  # what the rule file's own reader would refuse (a number of more than 18 digits)
        parse_condition(condition)
    except ConditionSyntaxError as exc:
        raise Untranslated(exc.message) from None
    return condition
