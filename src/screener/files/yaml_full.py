"""The full YAML 1.2 reader, on ruamel.yaml's parser, for any text the plain reader
(`files/yaml_plain.py`) leaves: the values are built here from ruamel.yaml's events, so that
only plain data can come out and every limit is checked as the document is read:

- no anchors or aliases (a 444-byte alias bomb grows past 2 GB), no merge keys (`<<`);
- no tags outside the YAML core schema (`!!binary`, `!!omap`, `!!python/...`, `!local`);
- at most MAX_YAML_NODES nodes and MAX_YAML_DEPTH levels of nesting;
- plain values mean what `yaml_values.plain_value` says;
- keys are text as written, duplicates are refused;
- every key and item keeps its line and column, so every later error names `FILE:LINE:COL`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from ruamel.yaml.reader import ReaderError

from screener.core.frozen import field, record_class
from screener.core.limits import MAX_YAML_DEPTH, MAX_YAML_NODES
from screener.core.problems import Problem, RuleFileError
from screener.files.yaml_values import PathKey, Position, plain_value

_CORE = "tag:yaml.org,2002:"
_QUOTED_STYLES = frozenset({'"', "'"})
# Line breaks as ruamel.yaml counts them for its marks.
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


class _Refused(Exception):
    """Something this reader does not accept, at an event's start."""

    def __init__(self, event: Event, message: str) -> None:
        super().__init__(message)
        self.mark = event.start_mark
        self.message = message


def _text(event: ScalarEvent) -> str:
    """A scalar's text; ruamel.yaml marks the folds of a `>` block with BEL characters (a
    BEL of the file itself is refused before parsing)."""
    value: str = event.value
    return value.replace("\a", "") if event.style == ">" else value


def _tagged_value(event: ScalarEvent, tag: str) -> object:
    """A scalar with an explicit core-schema tag (`!!str 12`); the value must fit the tag."""
    text = _text(event)
    if tag == "!" or tag == f"{_CORE}str":
        return text
    kind = tag.removeprefix(_CORE)
    value = plain_value(text)
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "null" and value is None:
        return None
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int" and number and isinstance(value, int):
        return value
    if kind == "float" and number and isinstance(value, (int, float)):
        return float(value)
    raise _Refused(event, f"{text!r} is not a plain {kind} value for the tag !!{kind}")


def _tag_of(event: NodeEvent) -> str | None:
    """The explicit tag, or None; a tag outside the YAML core schema is refused."""
    ctag = getattr(event, "ctag", None)
    if ctag is None:
        return None
    tag = str(ctag)
    if isinstance(event, ScalarEvent):
        allowed = {"!", *(f"{_CORE}{k}" for k in ("str", "int", "float", "bool", "null"))}
    elif isinstance(event, SequenceStartEvent):
        allowed = {"!", f"{_CORE}seq"}
    else:
        allowed = {"!", f"{_CORE}map"}
    if tag not in allowed:
        shown = f"!!{tag.removeprefix(_CORE)}" if tag.startswith(_CORE) else tag
        raise _Refused(
            event,
            f"the tag {shown} is not allowed: screener files hold plain text, numbers,"
            " true/false, lists and mappings (quote a value to make it text)",
        )
    return tag


@record_class(frozen=False)
class _Collection:
    value: dict[str, object] | list[object]
    path: PathKey
    key: tuple[str, ScalarEvent] | None = None  # a mapping's key waiting for its value
    key_lines: dict[str, int] = field(default_factory=dict)


class _Builder:
    """Plain values from parser events, with no recursion (depth is a limit, not a crash)."""

    def __init__(self, text: str) -> None:
        self.lines = _LINE_BREAK.split(text)
        self.positions: dict[PathKey, Position] = {(): Position(1, 1)}
        self.stack: list[_Collection] = []
        self.root: object = None
        self.nodes = 0
        self.documents = 0

    def build(self, events: Iterator[Event]) -> object:
        for event in events:
            if isinstance(event, DocumentStartEvent):
                self.document(event)
            elif isinstance(event, AliasEvent):
                raise _Refused(
                    event,
                    f"an alias (*{event.anchor}) is not allowed: write the value out in full",
                )
            elif isinstance(event, (ScalarEvent, CollectionStartEvent)):
                self.node(event)
            elif isinstance(event, (SequenceEndEvent, MappingEndEvent)):
                self.stack.pop()
        return self.root

    def document(self, event: DocumentStartEvent) -> None:
        self.documents += 1
        if self.documents > 1:
            raise _Refused(event, "a second document ('---'): a file holds one document")
        if event.version is not None and tuple(event.version) != (1, 2):
            version = ".".join(map(str, event.version))
            raise _Refused(event, f"%YAML {version}: screener files are YAML 1.2; remove the line")
        if event.tags:
            raise _Refused(event, "%TAG directives are not allowed")

    def node(self, event: ScalarEvent | CollectionStartEvent) -> None:
        if event.anchor is not None:
            raise _Refused(
                event,
                f"an anchor (&{event.anchor}) is not allowed: write each value out in full",
            )
        self.nodes += 1
        if self.nodes > MAX_YAML_NODES:
            raise _Refused(event, f"more than {MAX_YAML_NODES:,} values in one file")
        tag = _tag_of(event)
        parent = self.stack[-1] if self.stack else None
        if parent is not None and isinstance(parent.value, dict) and parent.key is None:
            self.key(parent, event)
            return
        value: object
        if isinstance(event, ScalarEvent):
            if tag is not None:
                value = _tagged_value(event, tag)
            elif event.style is None:
                value = plain_value(event.value)
            else:
                value = _text(event)
        else:
            if len(self.stack) >= MAX_YAML_DEPTH:
                raise _Refused(event, f"lists and mappings nest more than {MAX_YAML_DEPTH} deep")
            value = {} if isinstance(event, MappingStartEvent) else []
        path = self.place(parent, value, event)
        if not isinstance(event, ScalarEvent):
            assert isinstance(value, (dict, list))
            self.stack.append(_Collection(value, path))

    def key(self, parent: _Collection, event: ScalarEvent | CollectionStartEvent) -> None:
        if not isinstance(event, ScalarEvent):
            raise _Refused(event, "a key must be a name or quoted text, not a list or mapping")
        text = _text(event)
        if event.style is None and event.ctag is None:
            if text == "":
                raise _Refused(event, "a key is missing (a lone '?' or ':')")
            if text == "<<":
                raise _Refused(event, "merge keys ('<<') are not allowed: write the keys out")
        earlier = parent.key_lines.get(text)
        if earlier is not None:
            raise _Refused(event, f'duplicate key "{text}" (first on line {earlier})')
        parent.key_lines[text] = event.start_mark.line + 1
        parent.key = (text, event)

    def place(
        self, parent: _Collection | None, value: object, event: ScalarEvent | CollectionStartEvent
    ) -> PathKey:
        mark = event.start_mark
        if parent is None:
            self.root = value
            return ()
        if isinstance(parent.value, list):
            path: PathKey = (*parent.path, len(parent.value))
            parent.value.append(value)
        else:
            assert parent.key is not None
            key, key_event = parent.key
            path = (*parent.path, key)
            parent.value[key] = value
            parent.key = None
            if isinstance(event, ScalarEvent) and event.style is None and event.value == "":
                mark = key_event.start_mark  # `key:` with nothing after it: point at the key
        style = event.style if isinstance(event, ScalarEvent) else ""
        self.positions[path] = Position(
            mark.line + 1,
            mark.column + 1,
            quoted=style in _QUOTED_STYLES,
            comment_after=style is None and self.comment_follows(event),
        )
        return path

    def comment_follows(self, event: Event) -> bool:
        end = event.end_mark
        if end is None or end.line >= len(self.lines):
            return False
        rest: str = self.lines[end.line][end.column :]
        return rest.lstrip().startswith("#")


def _yaml_message(exc: MarkedYAMLError) -> str:
    """The parser's words, plus what usually causes them in a hand-edited file."""
    problem = str(exc.problem or "").replace("\n", " ").strip()
    if "'\\t'" in problem:
        return "a tab character: indent YAML with spaces only"
    if "expected <block end>" in problem or "mapping values are not allowed" in problem:
        return (
            f"{problem}: check this line's indentation against the lines above,"
            " or quote a value that contains ': '"
        )
    context = str(exc.context or "").replace("\n", " ").strip()
    return " ".join(part for part in (context, problem) if part) or "cannot be parsed as YAML"


def _character_problem(text: str, name: str, exc: ReaderError) -> Problem:
    """A character YAML does not allow (NUL, most control characters), at its line and column."""
    position = max(0, min(int(exc.position), len(text)))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    char = exc.character
    code = ord(char) if isinstance(char, str) else int(char)
    what = "a NUL byte" if code == 0 else f"the control character U+{code:04X}"
    return Problem(name, line, column, "", f"{what} is not allowed in a YAML file")


def read_full_yaml(text: str, name: str) -> tuple[object, dict[PathKey, Position]]:
    """Parse text; a syntax error, a refused construct or a limit becomes a located
    RuleFileError."""
    builder = _Builder(text)
    try:
        data = builder.build(YAML(typ="rt").parse(text))
    except _Refused as exc:
        line, column = exc.mark.line + 1, exc.mark.column + 1
        raise RuleFileError([Problem(name, line, column, "", exc.message)]) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = _yaml_message(exc)
        if mark is None:
            raise RuleFileError([Problem(name, None, None, "", message)]) from None
        raise RuleFileError([Problem(name, mark.line + 1, mark.column + 1, "", message)]) from None
    except ReaderError as exc:
        raise RuleFileError([_character_problem(text, name, exc)]) from None
    except YAMLError as exc:
        raise RuleFileError([Problem(name, None, None, "", f"cannot be parsed: {exc}")]) from None
    except NotImplementedError:
        # ruamel.yaml's round-trip parser gives up on some comments after the line breaks
        # YAML has beyond the line feed (seen with U+0085 in a value that goes on below it).
        raise RuleFileError([Problem(name, None, None, "", UNPLACED_COMMENT)]) from None
    return data, builder.positions


UNPLACED_COMMENT = (
    "cannot be parsed as YAML: the parser could not place a comment or a line break; check"
    " for the characters U+0085, U+2028 and U+2029 (line breaks to YAML) and replace them"
)
