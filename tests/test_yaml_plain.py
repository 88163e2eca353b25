"""The plain YAML reader gives what the full reader gives, or leaves the text to it.

`files/yaml_plain.py` reads the plain block subset of YAML without ruamel.yaml, so that
`screener score` starts faster. It must never read a text differently: for every text, its
answer is either None (the full reader then reads it) or exactly the full reader's values and
positions, and a text the full reader refuses is always left to it, so its located error
stands. The generated documents below are of two kinds: documents built inside the subset,
in every style it takes (which the plain reader must accept), and documents of lines mixed
from pieces in and out of it (tabs, colons, comments, odd indents, anchors, tags, quotes with
escapes, flow collections left open, duplicates...).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screener.core.limits import MAX_YAML_DEPTH, MAX_YAML_NODES
from screener.core.problems import RuleFileError
from screener.files.yaml_full import read_full_yaml
from screener.files.yaml_plain import read_plain_yaml
from screener.files.yaml_source import PathKey, Position, parse_yaml_text

from .conftest import FIXTURES, ROOT

Read = tuple[object, dict[PathKey, Position]]


def full(text: str) -> Read | RuleFileError:
    try:
        return read_full_yaml(text, "answers.yaml")
    except RuleFileError as error:
        return error


def assert_same_or_left(text: str) -> bool:
    """The plain reader's answer is None or the full reader's; True when it read the text."""
    plain = read_plain_yaml(text)
    if plain is None:
        return False
    expected = full(text)
    assert not isinstance(expected, RuleFileError), (text, expected.lines())
    assert plain == expected, text
    return True


def assert_never_misread(text: str) -> None:
    """What the full reader refuses, the plain one leaves; what it reads, both read alike."""
    plain = read_plain_yaml(text)
    expected = full(text)
    if isinstance(expected, RuleFileError):
        assert plain is None, (text, expected.lines())
    elif plain is not None:
        assert plain == expected, text


def answers_files() -> list[Path]:
    """The answers files the project ships (`examples/`) and its tests use."""
    folders = [ROOT / "examples", FIXTURES / "answers", FIXTURES / "answers_v2"]
    return [path for folder in folders for path in sorted(folder.glob("*.yaml"))]


@pytest.mark.parametrize(
    "path", answers_files(), ids=lambda path: f"{path.parent.name}/{path.name}"
)
def test_every_bundled_answers_file_is_read_by_the_plain_reader_as_by_the_full_one(
    path: Path,
) -> None:
    assert assert_same_or_left(path.read_text(encoding="utf-8"))


# ---- documents inside the subset ---------------------------------------------------------

NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
PLAIN_TEXTS = st.sampled_from(
    [
        "1", "42", "-5", "+3", "0.5", "12.75", ".5", "-0.25", "007", "1e3", "0x1A", "no", "yes",
        "No", "null", "Null", "~", "true", "TRUE", "False", "on", "depression", "some text",
        "a  b", "don't", 'say "hi"', "a-b", "x/y", "(z)", "a - b", "100%", "a & b", "q?",
        "a=b", "12345678901234567890", "1.234567890123456789", "-", "+", "Año", "ninguno",
        "metformina y losartán", "中文", "\u00e9\u0301", "a\u00a0b", "\u3000x", "\U0001f600 ok",
    ]
)  # fmt: skip
QUOTABLE = st.text(
    st.characters(
        min_codepoint=0x20,
        exclude_characters="\"'\\\x85\u2028\u2029\ufeff",
        exclude_categories=("Cc", "Cs"),
    ),
    max_size=12,
)


@st.composite
def scalar_text(draw: st.DrawFn, flow: bool = False) -> str:
    kind = draw(st.sampled_from(["plain", "double", "single"]))
    if kind == "plain":
        text = draw(PLAIN_TEXTS)
        if text in ("-", "+") or (flow and "," in text):
            return '"' + text + '"'
        return text
    body = draw(QUOTABLE)
    return f'"{body}"' if kind == "double" else f"'{body}'"


def comment(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(["", "", "", "  # note", " #", " # a: b, [c]"]))


@st.composite
def flow_text(draw: st.DrawFn) -> str:
    space = draw(st.sampled_from(["", " ", "  "]))
    if draw(st.booleans()):
        keys = draw(st.lists(NAMES, unique=True, max_size=4))
        items = [f"{key}: {draw(scalar_text(flow=True))}" for key in keys]
        return "{" + space + f"{space},{space} ".join(items) + space + "}"
    items = [draw(scalar_text(flow=True)) for _ in range(draw(st.integers(0, 4)))]
    return "[" + space + f"{space}, ".join(items) + space + "]"


@st.composite
def block_lines(draw: st.DrawFn, indent: int, depth: int) -> list[str]:
    """A block mapping at `indent`, as lines."""
    lines: list[str] = []
    step = draw(st.integers(1, 4))
    for key in draw(st.lists(NAMES, unique=True, min_size=1, max_size=5)):
        pad = " " * indent
        if len(lines) > 0 and draw(st.booleans()):  # (a list item's mapping starts on its line)
            lines.append(f"{pad}# a comment line")
        if len(lines) > 0 and draw(st.booleans()):
            lines.append("")
        kind = draw(st.sampled_from(["scalar", "scalar", "flow", "null", "list", "map"]))
        if depth >= 3 and kind in ("list", "map"):
            kind = "scalar"
        if kind == "scalar":
            lines.append(f"{pad}{key}: {draw(scalar_text())}{comment(draw)}")
        elif kind == "flow":
            lines.append(f"{pad}{key}: {draw(flow_text())}{comment(draw)}")
        elif kind == "null":
            lines.append(f"{pad}{key}:{draw(st.sampled_from(['', ' ', '   # none']))}")
        elif kind == "map":
            lines.append(f"{pad}{key}:{comment(draw)}")
            lines += draw(block_lines(indent + step, depth + 1))
        else:
            lines.append(f"{pad}{key}:{comment(draw)}")
            at = indent + draw(st.sampled_from([0, step]))  # also at the key's indent
            for _ in range(draw(st.integers(1, 3))):
                dash = " " * at + "-" + " " * draw(st.integers(1, 3))
                item = draw(st.sampled_from(["scalar", "flow", "map"]))
                if item == "scalar":
                    lines.append(f"{dash}{draw(scalar_text())}{comment(draw)}")
                elif item == "flow":
                    lines.append(f"{dash}{draw(flow_text())}{comment(draw)}")
                else:
                    inner = draw(block_lines(len(dash), depth + 1))
                    lines += [dash + inner[0][len(dash) :], *inner[1:]]
    return lines


@given(block_lines(0, 0), st.sampled_from(["", "\n", "\n\n# end\n"]))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_a_document_inside_the_subset_is_read_as_the_full_reader_reads_it(
    lines: list[str], end: str
) -> None:
    text = "\n".join(lines) + end
    assert assert_same_or_left(text), text


# ---- documents in and out of it ----------------------------------------------------------

PIECES = st.sampled_from(
    [
        "a: 1", "b: text", "a: 2", "c:", "c: ", "d:  # c", "key:value", "k : v", "k:\tv",
        "\tk: v", "k: v\t", "k: a: b", "k: a #b", "k: a#b", "k: # only", "k: 'it''s'",
        'k: "esc\\n"', 'k: "open', "k: 'open", 'k: "q" x', "k: &anchor 1", "k: *alias",
        "k: !!str 5", "k: !!int x", "k: !local v", "k: |", "k: >", "  text", "    more",
        "- a", "-a", "-", "- - a", "- k: v", "  - k: v", "    j: w", "  - x", "  -  {a: 1}",
        "k: {a: 1}", "k: {a: 1,}", "k: {a: 1", "k: {a: {b: 1}}", "k: {a:1}", "k: {a: }",
        "k: [a, b]", "k: [a, [b]]", "k: []", "k: {}", "k: [a b, c]", "k: {a: b c , d: e}",
        "---", "...", "--- x", "%YAML 1.1", "%TAG ! x", "? k", "<<: x", "'q': v", '"k": v',
        "k: \u00e9", "k: \x85", "k: a\rb", "\ufeffk: v", "# c", "", "   ", "  # c", "k: @x",
        "k: `x", "k: %x", "k: 12:30", "k: [a,b]", "k: {a: 'x', b: \"y\"}", "k:  - x",
        "k: v  ", "k: -", "k: -1", "k: .inf", "k: 1_000", "k: 99999999999999999999",
        "k: a\u2028b", "k: a\u00a0", "\u00a0k: v", "k: \u00a0", "k:\u00a0v", "k: \ufeffv",
        "k: '\u00e9'", "k: \u00f1o # c", "- \u4e2d", "k: {a: \u00e9}", "\u00e9: v",
    ]
)  # fmt: skip


@given(st.lists(PIECES, max_size=10), st.sampled_from(["", "\n", "\r\n"]))
@settings(max_examples=600)
def test_any_mix_of_lines_is_read_alike_or_left_to_the_full_reader(
    lines: list[str], end: str
) -> None:
    assert_never_misread("\n".join(lines) + end)


TRICKY = st.sampled_from(
    [
        *" -:#,[]{}'\"\\!&*?|>%@`~\t\r\n",
        *("\u00e9", "\x85", "a", "1", "\u2028", "\u2029", "\ufeff", "\u00a0", "\u3000"),
        *("\u0301", "\ufffe", "\U0001f600", "\x9f"),
    ]
)


@st.composite
def near_misses(draw: st.DrawFn) -> str:
    """A document of the subset with a few edits: a character put in, taken out or changed, a
    line's indent changed, a piece of the mix put in."""
    text = "\n".join(draw(block_lines(0, 0))) + "\n"
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "replace", "indent", "line"]))
        if edit == "insert":
            text = text[:at] + draw(TRICKY) + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + 1 :]
        elif edit == "replace":
            text = text[:at] + draw(TRICKY) + text[at + 1 :]
        else:
            start = text.rfind("\n", 0, at) + 1
            piece = " " * draw(st.integers(1, 3)) if edit == "indent" else draw(PIECES) + "\n"
            text = text[:start] + piece + text[start:]
    return text


@given(near_misses())
@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
def test_a_document_a_few_edits_from_the_subset_is_read_alike_or_left(text: str) -> None:
    assert_never_misread(text)


# ---- named cases -------------------------------------------------------------------------


def test_what_the_full_reader_refuses_keeps_its_located_error() -> None:
    cases = {
        "a: 1\nb: 2\na: 3\n": 'answers.yaml:3:1: duplicate key "a" (first on line 1)',
        "a: 1\n  b: 2\n": "answers.yaml:2:4:",
        "a: [1, 2\n": "answers.yaml:",
        "a: [1,\n": "answers.yaml:",
    }
    for text, start in cases.items():
        assert read_plain_yaml(text) is None
        with pytest.raises(RuleFileError) as raised:
            parse_yaml_text(text, "answers.yaml")
        assert raised.value.lines()[0].startswith(start), raised.value.lines()


def test_the_node_and_depth_limits_hold_on_the_plain_path_too() -> None:
    many = "".join(f"k{n}: {n}\n" for n in range(MAX_YAML_NODES // 2 + 1))
    assert read_plain_yaml(many) is None
    with pytest.raises(RuleFileError, match="more than 200,000 values in one file"):
        parse_yaml_text(many, "answers.yaml")
    deep = "".join(" " * level + "k:\n" for level in range(MAX_YAML_DEPTH)) + " " * 40 + "k: 1\n"
    assert read_plain_yaml(deep) is None
    with pytest.raises(RuleFileError, match=f"nest more than {MAX_YAML_DEPTH} deep"):
        parse_yaml_text(deep, "answers.yaml")
    # One level less is within the limit, and both readers read it alike.
    shallow = "".join(" " * level + "k:\n" for level in range(MAX_YAML_DEPTH - 1)) + " " * 40
    assert assert_same_or_left(shallow + "k: 1\n")


def test_a_typical_answers_file_keeps_its_values_and_positions() -> None:
    text = (
        "# a caller\n"
        "age: 42\n"
        "caller: self   # on the phone\n"
        'prior_ketamine: "no"\n'
        "other_medications:\n"
        "depression_treatments:\n"
        "  - {medicine: sertraline, weeks: 12}\n"
        "  - medicine: venlafaxine\n"
        "    weeks: 10.5\n"
    )
    read = read_plain_yaml(text)
    assert read is not None
    data, positions = read
    assert data == {
        "age": 42,
        "caller": "self",
        "prior_ketamine": "no",
        "other_medications": None,
        "depression_treatments": [
            {"medicine": "sertraline", "weeks": 12},
            {"medicine": "venlafaxine", "weeks": 10.5},
        ],
    }
    assert positions[("caller",)].comment_after
    assert positions[("prior_ketamine",)].quoted
    assert positions[("depression_treatments", 1, "weeks")].line == 9
    assert read == full(text)


def test_a_flow_list_over_two_lines_is_left_to_the_full_reader() -> None:
    text = "a: [depression,\n 1]\nb: 2\n"
    assert read_plain_yaml(text) is None
    assert parse_yaml_text(text, "answers.yaml").data == {"a": ["depression", 1], "b": 2}


def test_accented_and_wide_text_takes_the_plain_reader() -> None:
    text = "notes: metformina y losartán  # según la persona\nname: '中文'\nx: a\u00a0b\n"
    read = read_plain_yaml(text)
    assert read is not None
    assert read[0] == {"notes": "metformina y losartán", "name": "中文", "x": "a\u00a0b"}
    assert read == full(text)
    # YAML's other line breaks and a byte order mark are left to the full reader.
    for odd in ("\u2028", "\u2029", "\x85", "\ufeff"):
        assert read_plain_yaml(f"notes: a{odd}b\n") is None
