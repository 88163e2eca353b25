"""A fast reader for the plain YAML that answers files are written in, without ruamel.yaml.

Loading ruamel.yaml and running its pure-Python parser cost `screener score` about a seventh of
its start. Most files it reads are a flat block mapping of names to short values, with a few
lists of items. This reader takes exactly that subset and gives the same values and the same
positions as the full reader (`files/yaml_full.py`); for any text outside it, it answers
None and the full reader reads the file, with its own checks and located errors:

- printable characters and line feeds only (no tab, CR, control character, byte order mark,
  or the line breaks U+0085, U+2028 and U+2029); keys are ASCII names;
- block mappings whose keys are names (`[A-Za-z_][A-Za-z0-9_]*`), each key once; block
  sequences of `- value` or `- key: value` items, also at their key's indent;
- values on one line: plain text without `:`, `#` (but a ` #` comment after it), brackets
  or braces; text in double quotes without `\\`, or in single quotes without `''`; one-line
  flow mappings `{key: value, ...}` and sequences `[value, ...]` of such values;
- comments, blank lines, and MAX_YAML_NODES / MAX_YAML_DEPTH as in the full reader.

Anything else (multi-line text, anchors, tags, directives, a second document, a value
continued on the next line, an error of any kind) is outside. `tests/test_yaml_plain.py`
holds the two readers to the same answer over generated documents, in and out of the subset.
"""

from __future__ import annotations

import re

from screener.core.limits import MAX_YAML_DEPTH, MAX_YAML_NODES
from screener.files.yaml_values import PathKey, Position, plain_value

# Any character but the line feed and those YAML calls printable, less the ones it reads as a
# line break (U+0085, U+2028, U+2029) or a byte order mark (U+FEFF). A tab, a CR and the
# control characters are outside too.
_OUTSIDE_CHARACTERS = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: +|$)")
_FLOW_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*): +")
# A plain value's first character: any but YAML's indicators and space, or a minus before a
# digit or point.
_PLAIN_START = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@` ]|-[0-9.]")
# A plain value's text, up to a ` #` comment or the end of the line (block) or a `,`, `]`
# or `}` (flow). It must then be followed by one of those, else the text is outside.
_BLOCK_PLAIN = re.compile(r"(?:[^:#{}\[\]\n ]| +(?=[^#\n ]))*")
_FLOW_PLAIN = re.compile(r"(?:[^:#{}\[\],\n ]| +(?=[^#,\]}\n ]))*")
_SPACES = re.compile(r" *")


def _end(pattern: re.Pattern[str], text: str, at: int) -> int:
    """Where a pattern that always matches (maybe nothing) ends, from `at`."""
    match = pattern.match(text, at)
    assert match is not None
    return match.end()


class _Outside(Exception):
    """The text is not in this reader's subset: the full reader reads it."""


class _Reader:
    """Recursive descent over the content lines; every failure is `_Outside`."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        # (line index, indent) of each line that is neither blank nor a comment.
        self.rows = [
            (number, len(line) - len(stripped))
            for number, line in enumerate(self.lines)
            if (stripped := line.lstrip(" ")) and not stripped.startswith("#")
        ]
        self.next = 0  # the first row not yet read
        self.positions: dict[PathKey, Position] = {(): Position(1, 1)}
        self.nodes = 0

    def count(self) -> None:
        self.nodes += 1
        if self.nodes > MAX_YAML_NODES:
            raise _Outside

    def peek(self) -> tuple[int, int] | None:
        return self.rows[self.next] if self.next < len(self.rows) else None

    def document(self) -> object:
        row = self.peek()
        if row is None:
            raise _Outside  # nothing but comments: the full reader says what that means
        self.next += 1
        value = self.block(row[0], row[1], (), 0)
        if self.peek() is not None:
            raise _Outside
        return value

    def block(self, line: int, column: int, path: PathKey, depth: int) -> object:
        """The block collection whose first entry starts at (line, column), already taken."""
        if depth >= MAX_YAML_DEPTH:
            raise _Outside
        text = self.lines[line]
        if text.startswith("- ", column) or text[column:] == "-":
            return self.sequence(line, column, path, depth + 1)
        return self.mapping(line, column, path, depth + 1)

    def place(self, path: PathKey, line: int, column: int, **how: bool) -> None:
        if path:
            self.positions[path] = Position(line + 1, column + 1, **how)

    def mapping(self, line: int, column: int, path: PathKey, depth: int) -> dict[str, object]:
        self.count()
        self.place(path, line, column)
        mapping: dict[str, object] = {}
        while True:
            text = self.lines[line]
            match = _KEY.match(text, column)
            if match is None:
                raise _Outside
            key = match.group(1)
            if key in mapping:
                raise _Outside  # a duplicate: the full reader names both lines
            self.count()
            mapping[key] = self.entry(line, column, match.end(), (*path, key), depth)
            row = self.peek()
            if row is None or row[1] < column:
                return mapping
            if row[1] > column:
                raise _Outside
            line = row[0]
            self.next += 1

    def sequence(self, line: int, column: int, path: PathKey, depth: int) -> list[object]:
        self.count()
        self.place(path, line, column)
        items: list[object] = []
        while True:
            text = self.lines[line]
            start = _end(_SPACES, text, column + 1)
            nested = text.startswith("- ", start) or text[start:] == "-"
            if start == column + 1 or start == len(text) or text[start] == "#" or nested:
                raise _Outside  # `-` alone, `-x`, or a sequence in a sequence
            item_path = (*path, len(items))
            if _KEY.match(text, start):
                if depth >= MAX_YAML_DEPTH:
                    raise _Outside
                items.append(self.mapping(line, start, item_path, depth + 1))
            else:
                items.append(self.inline_block(line, start, item_path, depth))
            row = self.peek()
            if row is None or row[1] < column:
                return items
            if row[1] > column:
                raise _Outside
            if not self.lines[row[0]].startswith("- ", column):
                return items  # an indentless sequence ends; its mapping goes on
            line = row[0]
            self.next += 1

    def entry(self, line: int, column: int, start: int, path: PathKey, depth: int) -> object:
        """A mapping value: on the key's line, nested below it, or empty (null)."""
        text = self.lines[line]
        if start < len(text) and text[start] != "#":
            return self.inline_block(line, start, path, depth)
        row = self.peek()
        if row is not None and (
            row[1] > column or (row[1] == column and self.lines[row[0]].startswith("- ", column))
        ):
            self.next += 1
            return self.block(row[0], row[1], path, depth)
        self.count()
        # As ruamel.yaml marks an empty value: up to the next key of the same mapping, so a
        # comment after it counts only when that key follows.
        comment = text[start:].startswith("#") and row is not None and row[1] == column
        self.place(path, line, column, comment_after=comment)
        return None

    def inline_block(self, line: int, start: int, path: PathKey, depth: int) -> object:
        """A value that starts at `start` and ends the line (a comment may follow)."""
        text = self.lines[line]
        if text[start] in "{[":
            value, end = self.flow(line, start, path, depth)
        else:
            value, end = self.scalar(line, start, path, _BLOCK_PLAIN)
        rest = text[end:]
        if rest.strip(" ") and not (rest.startswith(" ") and rest.lstrip(" ").startswith("#")):
            raise _Outside
        return value

    def scalar(
        self, line: int, start: int, path: PathKey, plain: re.Pattern[str]
    ) -> tuple[object, int]:
        """A quoted or plain scalar on one line; its value and where it ends."""
        text = self.lines[line]
        if start >= len(text):
            raise _Outside  # a flow collection that goes on to the next line
        self.count()
        quote = text[start]
        if quote in "\"'":
            end = text.find(quote, start + 1)
            if end < 0 or (quote == '"' and "\\" in text[start:end]) or text.startswith("''", end):
                raise _Outside
            self.place(path, line, start, quoted=True)
            return text[start + 1 : end], end + 1
        if not _PLAIN_START.match(text, start):
            raise _Outside
        end = _end(plain, text, start)
        comment = text[end:].lstrip(" ").startswith("#")
        self.place(path, line, start, comment_after=comment)
        return plain_value(text[start:end]), end

    def flow(self, line: int, start: int, path: PathKey, depth: int) -> tuple[object, int]:
        """A one-line `{key: value, ...}` or `[value, ...]` of scalars; its value and end."""
        if depth >= MAX_YAML_DEPTH:
            raise _Outside
        self.count()
        self.place(path, line, start)
        text = self.lines[line]
        closing = "}" if text[start] == "{" else "]"
        collection: dict[str, object] | list[object] = {} if closing == "}" else []
        at = _end(_SPACES, text, start + 1)
        if text.startswith(closing, at):
            return collection, at + 1
        while True:
            if isinstance(collection, dict):
                match = _FLOW_KEY.match(text, at)
                if match is None or match.group(1) in collection:
                    raise _Outside
                self.count()
                key = match.group(1)
                value, at = self.scalar(line, match.end(), (*path, key), _FLOW_PLAIN)
                collection[key] = value
            else:
                value, at = self.scalar(line, at, (*path, len(collection)), _FLOW_PLAIN)
                collection.append(value)
            at = _end(_SPACES, text, at)
            if text.startswith(closing, at):
                return collection, at + 1
            if not text.startswith(",", at):
                raise _Outside
            at = _end(_SPACES, text, at + 1)


def read_plain_yaml(text: str) -> tuple[object, dict[PathKey, Position]] | None:
    """The values and positions of a document in the plain subset, or None when it is not."""
    if _OUTSIDE_CHARACTERS.search(text):
        return None
    reader = _Reader(text)
    try:
        data = reader.document()
    except _Outside:
        return None
    return data, reader.positions
