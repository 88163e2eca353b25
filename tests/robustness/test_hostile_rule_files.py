"""Hostile YAML: rule files (and the YAML reader every file shares) fail closed, located.

One named test per class of the hardening issue; each would fail if its class came back.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener.core.limits import (
    MAX_CASES_BYTES,
    MAX_CONDITION_DEPTH,
    MAX_MAP_BYTES,
    MAX_RULE_FILE_BYTES,
    MAX_YAML_DEPTH,
)
from screener.core.problems import RuleFileError
from screener.files import yaml_full, yaml_plain
from screener.files.yaml_source import parse_yaml_text

from ..conftest import CLEAR_ANSWERS, FIXTURES
from .harness import (
    ARABIC_INDIC_42,
    FROZEN_TEXT,
    FULL_WIDTH_42,
    alias_bomb,
    digests,
    line_of,
    run,
    with_replaced,
)


def validate(tmp_path: Path, text: str | bytes) -> tuple[int, list[str]]:
    path = tmp_path / "rules.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    before = digests(path)
    result = run("validate", path)
    assert digests(path) == before
    return result.exit_code, result.stderr.strip().splitlines()


def answers_file(tmp_path: Path) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(CLEAR_ANSWERS))
    return path


def export_file(tmp_path: Path) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(
        ",".join(["intake_id", *CLEAR_ANSWERS])
        + "\n"
        + ",".join(["A1", *CLEAR_ANSWERS.values()])
        + "\n"
    )
    return path


# ---- 1. unbounded input ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rule file", "answers", "map", "cases"])
def test_an_alias_bomb_is_refused_at_its_first_anchor_in_every_kind_of_file(
    tmp_path: Path, kind: str
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb())
    commands: dict[str, list[str | Path]] = {
        "rule file": ["validate", bomb],
        "answers": ["score", bomb],
        "map": ["batch", export_file(tmp_path), "--map", bomb, "-o", tmp_path / "o.csv"],
        "cases": ["test", bomb],
    }
    result = run(*commands[kind], allowed=[1])
    assert f"{bomb}:1:4:" in result.stderr
    assert "an anchor (&a) is not allowed" in result.stderr


def test_an_alias_without_an_anchor_and_a_merge_key_are_refused_where_they_are(
    tmp_path: Path,
) -> None:
    with pytest.raises(RuleFileError) as alias:
        parse_yaml_text("a: 1\nb: *a\n", "f.yaml")
    assert str(alias.value).startswith("f.yaml:2:4: an alias (*a) is not allowed")
    with pytest.raises(RuleFileError) as merge:
        parse_yaml_text("c:\n  <<: {x: 1}\n  y: 2\n", "f.yaml")
    assert str(merge.value).startswith("f.yaml:2:3: merge keys ('<<') are not allowed")


@pytest.mark.parametrize(
    ("what", "condition"),
    [
        ("brackets", "age in " + "[" * 250 + "1" + "]" * 250),
        ("parentheses", "(" * 300 + "age < 18" + ")" * 300),
        ("nots", "not " * 500 + "pregnant"),
    ],
)
def test_deeply_nested_conditions_stop_at_the_depth_limit_with_a_located_error(
    tmp_path: Path, what: str, condition: str
) -> None:
    text = with_replaced(FROZEN_TEXT, "    when: age < 18\n", f"    when: {condition}\n")
    code, lines = validate(tmp_path, text)
    assert code == 1
    assert len(lines) == 1, lines
    token = {"brackets": "[", "parentheses": "(", "nots": "not "}[what]
    # "    when: " is 10 characters; the error points at the first level past the limit.
    column = 11 + condition.index(token) + len(token) * MAX_CONDITION_DEPTH
    line = line_of(text, condition)
    assert lines[0].startswith(f"{tmp_path / 'rules.yaml'}:{line}:{column}: rules[1] (under_18)")
    assert f"nest more than {MAX_CONDITION_DEPTH} deep" in lines[0]


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_a_long_row_of_arithmetic_stops_at_the_depth_limit_instead_of_crashing(
    tmp_path: Path, op: str
) -> None:
    """Each operator of a row makes the tree a level deeper: 500 of them used to reach
    Python's recursion limit (exit 70)."""
    longest = f" {op} ".join(["age"] * (MAX_CONDITION_DEPTH + 1)) + " < 18"
    too_long = f" {op} ".join(["age"] * 500) + " < 18"
    code, lines = validate(
        tmp_path, with_replaced(FROZEN_TEXT, "    when: age < 18\n", f"    when: {longest}\n")
    )
    assert code == 0, lines
    code, lines = validate(
        tmp_path, with_replaced(FROZEN_TEXT, "    when: age < 18\n", f"    when: {too_long}\n")
    )
    assert code == 1
    assert len(lines) == 1, lines
    assert lines[0].endswith(
        f"operators in a row (+ - * /) and brackets nest more than {MAX_CONDITION_DEPTH} deep"
        " here; split the sum into derived values"
    )


def test_a_condition_nested_exactly_to_the_limit_is_still_read(tmp_path: Path) -> None:
    inner = MAX_CONDITION_DEPTH - 1
    condition = "not " + "(" * inner + "age >= 18" + ")" * inner  # the same as age < 18
    code, lines = validate(
        tmp_path, with_replaced(FROZEN_TEXT, "when: age < 18", f"when: {condition}")
    )
    assert (code, lines) == (0, [])


def test_yaml_nesting_and_node_count_have_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(RuleFileError) as deep:
        parse_yaml_text("a: " + "[" * 2000 + "]" * 2000 + "\n", "f.yaml")
    assert f"nest more than {MAX_YAML_DEPTH} deep" in str(deep.value)
    assert str(deep.value).startswith(f"f.yaml:1:{4 + MAX_YAML_DEPTH - 1}:")
    # 200,000 nodes take seconds to parse; the same check with a small limit takes none.
    # Both readers count: the plain one leaves the text to the full one, which says so.
    monkeypatch.setattr(yaml_full, "MAX_YAML_NODES", 50)
    monkeypatch.setattr(yaml_plain, "MAX_YAML_NODES", 50)
    for text in ("a: [" + ", ".join(["0"] * 60) + "]\n", "".join(f"k{n}: 0\n" for n in range(30))):
        with pytest.raises(RuleFileError) as many:
            parse_yaml_text(text, "f.yaml")
        assert "more than 50 values in one file" in str(many.value)


@pytest.mark.parametrize(
    ("kind", "limit"),
    [("rule file", MAX_RULE_FILE_BYTES), ("map", MAX_MAP_BYTES), ("cases", MAX_CASES_BYTES)],
)
def test_a_file_over_its_size_limit_is_refused_before_it_is_parsed(
    tmp_path: Path, kind: str, limit: int
) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * (limit // 10 + 1))
    commands: dict[str, list[str | Path]] = {
        "rule file": ["validate", big],
        "map": ["batch", export_file(tmp_path), "--map", big, "-o", tmp_path / "o.csv"],
        "cases": ["test", big],
    }
    result = run(*commands[kind], allowed=[1])
    what = {"rule file": "a rule file", "map": "a mapping file", "cases": "a cases file"}[kind]
    assert result.stderr.strip() == (
        f"error: {big}: larger than {limit // (1 << 20)} MiB ({limit:,} bytes), the most"
        f" {what} may hold; is this the right file?"
    )


def test_dev_zero_as_a_rule_file_is_refused_after_reading_the_limit() -> None:
    result = run("validate", "/dev/zero", allowed=[1])
    assert "larger than 2 MiB" in result.stderr


# ---- 2. numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    min: 0\n", "    min: " + "9" * 4301 + "\n", "must be a whole number"),
        ('version: "2026.11.1"', "version: " + "9" * 4301, None),
        ("when: age < 18", "when: age < " + "9" * 4301, "a number has more than 18 digits"),
    ],
)
def test_a_4301_digit_number_in_a_rule_file_is_a_located_error_not_a_crash(
    tmp_path: Path, old: str, new: str, message: str | None
) -> None:
    code, lines = validate(tmp_path, with_replaced(FROZEN_TEXT, old, new))
    if message is None:
        assert code == 0  # a version is text: all 4,301 digits of it are kept as written
    else:
        assert code == 1
        assert any(message in line for line in lines), lines


@pytest.mark.parametrize(
    "written", ["1e1", "0x2A", "0o52", "4_2", ARABIC_INDIC_42, FULL_WIDTH_42, ".inf"]
)
def test_numbers_in_other_notations_are_never_numbers_in_yaml_or_in_conditions(
    tmp_path: Path, written: str
) -> None:
    assert parse_yaml_text(f"a: {written}\n", "f.yaml").data == {"a": written}
    code, lines = validate(
        tmp_path, with_replaced(FROZEN_TEXT, "    min: 0\n", f"    min: {written}\n")
    )
    assert code == 1
    assert any("min: must be a whole number" in line for line in lines), lines
    code, lines = validate(
        tmp_path, with_replaced(FROZEN_TEXT, "when: age < 18", f"when: age < {written}")
    )
    assert code == 1
    assert len(lines) == 1 and "rules[1] (under_18).when" in lines[0], lines


# ---- 4. YAML that crashes or lies ------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "!!omap [{a: 1}]",
        "!!set {a, b}",
        "!!binary YWdlIDwgMTg=",
        "!!python/object/apply:os.system [echo]",
        "!!timestamp 2026-01-01",
        "!local x",
    ],
)
def test_tags_outside_the_core_schema_are_refused_where_they_are(
    tmp_path: Path, value: str
) -> None:
    text = with_replaced(FROZEN_TEXT, "    when: age < 18\n", f"    when: {value}\n")
    code, lines = validate(tmp_path, text)
    assert code == 1
    assert lines == [
        f"{tmp_path / 'rules.yaml'}:{line_of(text, value)}:11: the tag"
        f" {value.split()[0].rstrip('[')} is not allowed: screener files hold plain text,"
        " numbers, true/false, lists and mappings (quote a value to make it text)"
    ]


def test_core_schema_tags_give_plain_values_or_a_located_error() -> None:
    data = parse_yaml_text("a: !!str 12\nb: !!int 7\nc: !!bool true\nd: !!float 1\n", "f").data
    assert data == {"a": "12", "b": 7, "c": True, "d": 1.0}
    with pytest.raises(RuleFileError, match=r"f:1:4: '0x2A' is not a plain int"):
        parse_yaml_text("a: !!int 0x2A\n", "f")


@pytest.mark.parametrize("text", ["?\n", "a: 1\n?\n", "? [a, b]\n: c\n", "%YAML 1.1\n---\na: no\n"])
def test_keys_that_are_not_names_and_old_yaml_are_refused_not_crashed_on(text: str) -> None:
    with pytest.raises(RuleFileError) as error:
        parse_yaml_text(text, "f.yaml")
    assert str(error.value).startswith("f.yaml:")
    assert str(error.value).split(":")[1].isdigit()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    when: age < 18\n", "    when: age < 18  # or pregnant\n"),
        (
            '    ask_if: primary_condition in ["depression", "bipolar_depression"]\n',
            '    ask_if: primary_condition in ["depression"] # , "bipolar_depression"]\n',
        ),
    ],
)
def test_a_comment_that_would_cut_an_unquoted_condition_short_is_refused(
    tmp_path: Path, old: str, new: str
) -> None:
    text = with_replaced(FROZEN_TEXT, old, new)
    code, lines = validate(tmp_path, text)
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith(f"{tmp_path / 'rules.yaml'}:{line_of(text, new.strip())}:")
    assert "a ' #' in an unquoted condition starts a YAML comment" in lines[0]


def test_a_comment_after_an_invariants_condition_in_a_cases_file_is_refused(
    tmp_path: Path,
) -> None:
    cases = tmp_path / "cases.yaml"
    text = (FIXTURES / "cases.yaml").read_text()
    text = with_replaced(text, "    given: age < 18\n", "    given: age < 18 # and not pregnant\n")
    cases.write_text(text)
    result = run("test", cases, allowed=[1])
    assert f"{cases}:{line_of(text, 'given: age < 18 #')}:12:" in result.stderr
    assert "starts a YAML comment" in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    min: 0\n",
            "    min: true\n",
            "min: must be a whole number (digits 0-9, at most 18), not true/false",
        ),
        (
            "    max: 120\n",
            '    max: "120"\n',
            "max: must be a whole number (digits 0-9, at most 18), not the text '120'",
        ),
        (
            "    required: true\n",
            "    required: yes\n",
            "required: must be true or false, not the text 'yes'",
        ),
        (
            "    required: true\n",
            "    required: 1\n",
            "required: must be true or false, not the number 1",
        ),
    ],
)
def test_min_max_and_required_take_only_their_own_type(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    text = with_replaced(FROZEN_TEXT, old, new)
    code, lines = validate(tmp_path, text)
    assert code == 1
    place = f"{tmp_path / 'rules.yaml'}:{line_of(text, new.strip())}:{new.index(':') + 3}"
    assert lines[0] == f"{place}: questions[0] (age).{message}"


# ---- 5. bytes that are not text ------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "what"),
    [(b"\x00", "a NUL byte is not allowed in a YAML file"), (b"\xff", "not valid UTF-8 text")],
)
def test_a_nul_or_non_utf8_byte_in_a_rule_file_is_named_with_its_line_and_column(
    tmp_path: Path, bad: bytes, what: str
) -> None:
    data = FROZEN_TEXT.encode().replace(b"when: age < 18", b"when: age < 1" + bad + b"8", 1)
    code, lines = validate(tmp_path, data)
    assert code == 1
    line = data[: data.index(bad)].count(b"\n") + 1
    assert len(lines) == 1
    column = len("    when: age < 1") + 1
    assert lines[0].startswith(f"{tmp_path / 'rules.yaml'}:{line}:{column}: {what}")


# ---- property: any hostile rule file -------------------------------------------------------

HOSTILE_VALUES = [
    "&a x", "*a", "<<: {x: 1}", "!!binary aGk=", "!!python/name:os.system", "? ", "[[[[[[[[",
    "(" * 40, "not " * 40, "9" * 5000, "0x2A", "1e1", ARABIC_INDIC_42, FULL_WIDTH_42, "\x00",
    "\x1b[31m", "\ufeff", "# comment", "!!omap [a: 1]", "%YAML 1.1", "---", "{", "'", '"', "\t",
    "true", "age < 18 # x", "[/]", "{age}", "~", "-", ": x", "|", ">", "\u2028", "\ud7ff", "é",
]  # fmt: skip
LINES = FROZEN_TEXT.splitlines(keepends=True)


@st.composite
def hostile_rule_files(draw: st.DrawFn) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines) - 1))
        piece = draw(st.one_of(st.sampled_from(HOSTILE_VALUES), st.text(max_size=30)))
        how = draw(st.sampled_from(["value", "insert", "splice"]))
        line = lines[index]
        if how == "value" and ": " in line:
            lines[index] = line[: line.index(": ") + 2] + piece + "\n"
        elif how == "insert":
            lines.insert(index, piece + "\n")
        else:
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + piece + line[at:]
    return "".join(lines)


@settings(max_examples=20)
@given(text=hostile_rule_files())
def test_any_hostile_rule_file_fails_closed_and_is_left_as_it_was(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rules.yaml"
        path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        before = digests(path)
        result = run("validate", path, allowed=[0, 1])
        assert digests(path) == before
        if result.exit_code == 1:
            assert result.stderr.strip()


CONDITION_TOKENS = [
    "(", ")", "[", "]", "not", "and", "or", "in", "age", "pregnant", "<", "==", "!=", "18",
    "1.5", '"x"', "'y'", ",", "known(", "known(age)", "true", "#", "\u0664", "9" * 30, "-", "=",
    "&&", "primary_condition", '"depression"', "current_medications", "\\", "'",
]  # fmt: skip


@settings(max_examples=25)
@given(tokens=st.lists(st.sampled_from(CONDITION_TOKENS), min_size=1, max_size=60))
def test_any_condition_is_read_or_refused_with_a_located_error(tokens: list[str]) -> None:
    condition = " ".join(tokens)
    text = with_replaced(FROZEN_TEXT, "when: age < 18", f"when: {json.dumps(condition)}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rules.yaml"
        path.write_text(text, encoding="utf-8")
        result = run("validate", path, allowed=[0, 1])
    if result.exit_code == 1:
        assert all(line.startswith(f"{path}:") for line in result.stderr.splitlines())


def test_a_rule_file_name_with_terminal_codes_is_shown_escaped_by_validate(
    tmp_path: Path,
) -> None:
    text = with_replaced(
        FROZEN_TEXT,
        "name: Default ketamine infusion pre-screen\n",
        'name: "Clinic\\e]0;pwned\\a\\e[2J\\nOK"\n',
    )
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("validate", path)
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert result.stdout.startswith(f"{path}: OK: Clinic\\x1b]0;pwned\\x07\\x1b[2J\\nOK ")
    assert result.stdout.count("\n") == 1  # one line, as ever
