"""Hostile answers for `screener score`: a file or stdin fails closed, and is never misread.

One named test per class of the hardening issue; each would fail if its class came back.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener.core.coercion import CoercionError, coerce_value
from screener.core.limits import MAX_ANSWERS_BYTES, MAX_NUMBER_DIGITS
from screener.files.yaml_source import parse_yaml_text
from screener.rulefile.load import load_ruleset

from ..conftest import CLEAR_ANSWERS, FIXTURES, FROZEN_RULES
from .harness import ARABIC_INDIC_42, FULL_WIDTH_42, digests, run

QUESTIONS = [q.id for q in load_ruleset(FROZEN_RULES).questions]


def score(tmp_path: Path, text: str, *more: str) -> tuple[int, str, str]:
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    before = digests(path)
    result = run("score", path, *more)
    assert digests(path) == before
    return result.exit_code, result.stdout, result.stderr


def clear_json(**changes: object) -> str:
    return json.dumps({**CLEAR_ANSWERS, **changes}, ensure_ascii=False)


# ---- 1. unbounded input ------------------------------------------------------------------


def test_an_answers_file_over_the_size_limit_is_refused_before_it_is_parsed(
    tmp_path: Path,
) -> None:
    code, _, stderr = score(tmp_path, "# padding\n" * (MAX_ANSWERS_BYTES // 10 + 1))
    assert code == 1
    assert stderr == (
        f"error: {tmp_path / 'answers.yaml'}: larger than 1 MiB (1,048,576 bytes), the most an"
        " answers file may hold; is this the right file?\n"
    )


def test_stdin_one_byte_over_the_limit_is_refused() -> None:
    result = run("score", "-", stdin=b" " * (MAX_ANSWERS_BYTES + 1), allowed=[1])
    assert "error: <stdin>: larger than 1 MiB" in result.stderr


def test_dev_zero_on_stdin_ends_with_one_message_not_a_memory_error() -> None:
    with open("/dev/zero", "rb") as zeros:
        done = subprocess.run(
            [sys.executable, "-m", "screener", "score", "-"],
            stdin=zeros,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert done.stderr.startswith("error: <stdin>: larger than 1 MiB")
    assert "Traceback" not in done.stderr


# ---- 2. numbers --------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["9" * 4301, '"' + "9" * 4301 + '"', "1" + "0" * 18])
def test_an_answer_with_too_many_digits_is_a_clear_error_not_a_crash(
    tmp_path: Path, written: str
) -> None:
    code, _, stderr = score(tmp_path, clear_json().replace('"age": "42"', f'"age": {written}'))
    assert code == 1
    assert f"age: expected a whole number of at most {MAX_NUMBER_DIGITS} digits" in stderr


@pytest.mark.parametrize("written", ["1234567890.123456789", "0.1234567890123456789"])
def test_a_decimal_of_19_digits_is_refused_alike_in_an_answers_file_and_a_csv_cell(
    written: str,
) -> None:
    question = load_ruleset(FIXTURES / "rules_v2.yaml").question_map["benzo_mg_day"]
    from_file = parse_yaml_text(f"benzo_mg_day: {written}\n", "answers.yaml").data
    assert isinstance(from_file, dict)
    messages = []
    for raw in (from_file["benzo_mg_day"], written):  # the file's value, then the cell's text
        with pytest.raises(CoercionError) as refused:
            coerce_value(question, raw)
        messages.append(str(refused.value))
    assert messages[0] == messages[1] == f"a number has at most {MAX_NUMBER_DIGITS} digits"


@pytest.mark.parametrize(
    "written",
    [
        "1e1",
        "4.2e1",
        "0x2A",
        "0o52",
        "4_2",
        '"4_2"',
        json.dumps(ARABIC_INDIC_42),
        json.dumps(FULL_WIDTH_42),
        '"42e0"',
    ],
)
def test_numbers_in_other_notations_are_refused_not_read_as_numbers(
    tmp_path: Path, written: str
) -> None:
    text = clear_json().replace('"age": "42"', f'"age": {written}')
    code, _, stderr = score(tmp_path, text)
    assert code == 1
    assert "age: expected a whole number" in stderr


def test_an_anchored_false_is_refused_never_read_as_age_0(tmp_path: Path) -> None:
    text = "pregnant: &no false\nage: *no\n"
    code, _, stderr = score(tmp_path, text)
    assert code == 1
    assert stderr == (
        f"{tmp_path / 'answers.yaml'}:1:11: an anchor (&no) is not allowed:"
        " write each value out in full\n"
    )


# ---- 3. ambiguous answers files --------------------------------------------------------------


def test_a_flat_answer_beside_an_answers_mapping_is_never_silently_dropped(
    tmp_path: Path,
) -> None:
    # Read as a record, the self-harm answer would vanish and the summary lose its crisis text.
    text = json.dumps({"self_harm_thoughts": "yes", "answers": dict(CLEAR_ANSWERS)})
    code, stdout, stderr = score(tmp_path, text)
    assert code == 1
    assert stdout == ""
    assert "an 'answers' mapping (beside 'self_harm_thoughts')" in stderr
    assert '"schema": "screener.record/1"' in stderr


def test_a_record_is_a_record_only_by_its_schema_marker_and_holds_only_record_keys(
    tmp_path: Path,
) -> None:
    record = {"schema": "screener.record/1", "intake_id": "A-1", "answers": dict(CLEAR_ANSWERS)}
    code, stdout, _ = score(tmp_path, json.dumps(record), "-f", "json")
    assert code == 0
    assert json.loads(stdout)["outcome"] == "likely_eligible"
    code, _, stderr = score(tmp_path, json.dumps({**record, "self_harm_thoughts": "yes"}))
    assert code == 1
    assert "'self_harm_thoughts' is not a key of a saved record" in stderr
    code, _, stderr = score(tmp_path, json.dumps({**record, "schema": "screener.record/9"}))
    assert code == 1
    assert "unknown schema 'screener.record/9'" in stderr


# ---- property: any hostile answers ---------------------------------------------------------

HOSTILE_TEXT = [
    "9" * 5000, "1e1", "0x2A", ARABIC_INDIC_42, FULL_WIDTH_42, "\x00", "\x1b[2J", "[/]",
    "&a x", "*a", "!!binary aGk=", "yes # no", "?", "", " ", "don't know", "none", "-0", "+42",
    "42.0", "4_2", "\u202e", "é" * 20_000,
]  # fmt: skip
answer_values: st.SearchStrategy[object] = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(HOSTILE_TEXT),
        st.text(max_size=40),
    ),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
answer_keys = st.one_of(
    st.sampled_from([*QUESTIONS, "answers", "schema", "intake_id"]), st.text(max_size=12)
)


@settings(max_examples=25)
@given(
    answers=st.dictionaries(answer_keys, answer_values, max_size=8),
    base=st.booleans(),
    via_stdin=st.booleans(),
)
def test_any_hostile_answers_fail_closed(
    answers: dict[str, object], base: bool, via_stdin: bool
) -> None:
    data = {**CLEAR_ANSWERS, **answers} if base else answers
    text = json.dumps(data, ensure_ascii=False, allow_nan=True)
    if via_stdin:
        run("score", "-", "-f", "json", stdin=text.encode("utf-8", "surrogatepass"), allowed=[0, 1])
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.json"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        before = digests(path)
        result = run("score", path, "-f", "json", allowed=[0, 1])
        assert digests(path) == before
    if result.exit_code == 0:
        assert json.loads(result.stdout)["outcome"] in {
            "urgent", "not_eligible", "needs_review", "likely_eligible"
        }  # fmt: skip


@settings(max_examples=20)
@given(document=st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_any_bytes_as_an_answers_file_fail_closed(document: str | bytes) -> None:
    data = document.encode("utf-8", "surrogatepass") if isinstance(document, str) else document
    run("score", "-", stdin=data, allowed=[0, 1])


def test_a_line_break_character_that_trips_the_yaml_parser_gets_one_clear_message(
    tmp_path: Path,
) -> None:
    # U+0085 is a line break to YAML; here ruamel.yaml's parser itself gave up (an internal
    # error before): now one located-at-the-file message and exit 1.
    code, stdout, stderr = score(tmp_path, "k: \x85\n  text\n\na: 1")
    assert (code, stdout) == (1, "")
    assert stderr.startswith(f"error: {tmp_path / 'answers.yaml'}: cannot be parsed as YAML")
    assert "U+0085" in stderr and "Traceback" not in stderr and len(stderr.splitlines()) == 1
