"""Read a YAML 1.2 (or JSON) document into plain Python values, remembering where each came from.

Two readers give the same values and positions: `yaml_plain` reads the plain block subset
that most answers files are written in, fast and without ruamel.yaml; `yaml_full` reads
everything else, with ruamel.yaml's parser, and refuses what screener files must not hold
(anchors, aliases, merge keys, tags outside the core schema, a second document) with a
located error. Both check the limits on nodes and nesting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from screener.core.frozen import field, record_class
from screener.core.problems import Problem, RuleFileError
from screener.files.yaml_plain import read_plain_yaml
from screener.files.yaml_values import PathKey, Position

_SURROGATE = re.compile("[\ud800-\udfff]")

__all__ = [
    "PathKey",
    "Position",
    "SourceDocument",
    "as_mapping",
    "cut_by_comment",
    "parse_yaml_text",
]


@record_class(frozen=False)
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


def parse_yaml_text(text: str, name: str) -> SourceDocument:
    """Parse text; a syntax error, a refused construct or a limit becomes a located
    RuleFileError."""
    read = read_plain_yaml(text)
    if read is None:
        from screener.files.yaml_full import read_full_yaml  # ruamel.yaml loads only here

        read = read_full_yaml(text, name)
    data, positions = read
    doc = SourceDocument(name, data, positions)
    found = _lone_surrogate(data)
    if found is not None:  # from a \u escape of half a UTF-16 pair: no encoding can write it
        path, char = found
        raise RuleFileError(
            [doc.problem(path, "", f"{char!r} is half of a UTF-16 pair, not a character")]
        )
    return doc


def _lone_surrogate(data: object) -> tuple[PathKey, str] | None:
    """Where the first lone surrogate is, in a key or a text, and which one."""
    stack: list[tuple[PathKey, object]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            hit = _SURROGATE.search(value)
            if hit:
                return path, hit.group()
        elif isinstance(value, dict):
            for key, item in value.items():
                hit = _SURROGATE.search(key) if isinstance(key, str) else None
                if hit:
                    return (*path, key), hit.group()
                stack.append(((*path, key), item))
        elif isinstance(value, list):
            stack.extend(((*path, i), item) for i, item in enumerate(value))
    return None


CUT_BY_COMMENT = (
    "a ' #' in an unquoted condition starts a YAML comment, and the rest of the line is dropped"
    " from the condition: move the comment to its own line (for a '#' inside a text value,"
    " quote the whole condition)"
)


def cut_by_comment(doc: SourceDocument, path: PathKey, where: str) -> Problem | None:
    """A problem when the unquoted value at `path` is followed by a `#` comment on its line.

    For conditions only: `when: age < 18 # or pregnant` validates as `age < 18`."""
    pos = doc.positions.get(path)
    if pos is None or not pos.comment_after:
        return None
    return doc.problem(path, where, CUT_BY_COMMENT)


def as_mapping(doc: SourceDocument, what: str) -> Mapping[str, object]:
    if doc.data is None:  # nothing but blank lines and comments
        raise RuleFileError(
            [doc.problem((), "", f"the file is empty: {what} is a mapping of keys to values")]
        )
    if not isinstance(doc.data, dict):
        raise RuleFileError([doc.problem((), "", f"{what} must be a mapping of keys to values")])
    return doc.data
