"""Read a YAML 1.2 (or JSON) document into plain Python values, remembering where each came from.

ruamel.yaml's round-trip loader keeps line and column for every key and item and rejects
duplicate keys, which PyYAML does not; the positions let every later error name `FILE:LINE:COL`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from screener.core.problems import Problem, RuleFileError

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based
    quoted: bool = False  # the value was written as a quoted one-line scalar


@dataclass
class SourceDocument:
    """A loaded document: plain data plus the position of every key and item."""

    name: str
    data: object
    positions: dict[PathKey, Position] = field(default_factory=dict)

    def position(self, path: PathKey) -> Position | None:
        """The closest known position for `path`, walking up to a parent if needed."""
        while True:
            if path in self.positions:
                return self.positions[path]
            if not path:
                return None
            path = path[:-1]

    def problem(self, path: PathKey, where: str, message: str, offset: int = 0) -> Problem:
        pos = self.position(path)
        if pos is None:
            return Problem(self.name, None, None, where, message)
        column = pos.column + offset + (1 if pos.quoted and offset else 0)
        return Problem(self.name, pos.line, column, where, message)


def _plain(node: object, path: PathKey, positions: dict[PathKey, Position]) -> object:
    if isinstance(node, CommentedMap):
        out: dict[str, object] = {}
        for key, value in node.items():
            k = str(key)
            kpath = (*path, k)
            try:
                line, col = node.lc.value(key)
            except (KeyError, TypeError):
                line, col = node.lc.key(key)
            quoted = isinstance(value, (DoubleQuotedScalarString, SingleQuotedScalarString))
            positions[kpath] = Position(line + 1, col + 1, quoted)
            out[k] = _plain(value, kpath, positions)
        return out
    if isinstance(node, CommentedSeq):
        items: list[object] = []
        for i, value in enumerate(node):
            ipath = (*path, i)
            line, col = node.lc.item(i)
            quoted = isinstance(value, (DoubleQuotedScalarString, SingleQuotedScalarString))
            positions[ipath] = Position(line + 1, col + 1, quoted)
            items.append(_plain(value, ipath, positions))
        return items
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, (dt.date, dt.datetime)):
        return node.isoformat()
    return node


def _yaml_message(exc: MarkedYAMLError) -> str:
    """The parser's words, plus what usually causes them in a hand-edited file."""
    problem = str(exc.problem or "").replace("\n", " ").strip()
    if "duplicate key" in problem and exc.context_mark is not None:
        problem = problem.split(" with value ", 1)[0]  # the values may be a person's answers
        return f"{problem} (the mapping starts on line {exc.context_mark.line + 1})"
    if "'\\t'" in problem:
        return "a tab character: indent YAML with spaces only"
    if "expected <block end>" in problem or "mapping values are not allowed" in problem:
        return (
            f"{problem}: check this line's indentation against the lines above,"
            " or quote a value that contains ': '"
        )
    context = str(exc.context or "").replace("\n", " ").strip()
    return " ".join(part for part in (context, problem) if part) or "cannot be parsed as YAML"


def parse_yaml_text(text: str, name: str) -> SourceDocument:
    """Parse text; a syntax error or duplicate key becomes a located RuleFileError."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        raw = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = _yaml_message(exc)
        if mark is None:
            raise RuleFileError([Problem(name, None, None, "", message)]) from None
        raise RuleFileError([Problem(name, mark.line + 1, mark.column + 1, "", message)]) from None
    except YAMLError as exc:
        raise RuleFileError([Problem(name, None, None, "", f"cannot be parsed: {exc}")]) from None
    positions: dict[PathKey, Position] = {(): Position(1, 1)}
    return SourceDocument(name, _plain(raw, (), positions), positions)


def as_mapping(doc: SourceDocument, what: str) -> Mapping[str, object]:
    if not isinstance(doc.data, dict):
        raise RuleFileError([doc.problem((), "", f"{what} must be a mapping of keys to values")])
    return doc.data
