"""The summary's terminal layout (`formats/terminal.py`): every line fits the width it is
drawn for, nothing of the text is lost when it wraps, and wide characters count as two cells."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from screener.core.scoring import score_raw
from screener.formats.occasion import Occasion
from screener.formats.terminal import cell_width, fit, paint, panel, table, wrap
from screener.formats.text import summary_text
from screener.rulefile.load import load_ruleset

from .conftest import CLEAR_ANSWERS, FROZEN_RULES

CODES = re.compile("\x1b\\[[0-9;]*m")
WORDS = st.text(
    st.sampled_from([*"abcdefghij ABC-/()0123", "é", "ñ", "中", "文", "\u0301"]),
    max_size=60,
)


def shown(line: str) -> str:
    return CODES.sub("", line)


def test_wide_characters_take_two_cells_and_combining_marks_none() -> None:
    assert cell_width("abc") == 3
    assert cell_width("Año") == 3
    assert cell_width("e\u0301") == 1  # e and a combining acute accent
    assert cell_width("中文") == 4


@given(WORDS, st.integers(1, 40))
@settings(max_examples=300)
def test_wrapped_text_fits_and_keeps_every_word(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert all(cell_width(line) <= width or len(line) == 1 for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.split())


def test_a_line_that_fits_is_kept_as_it_is_and_a_long_word_is_cut() -> None:
    assert wrap(" NEEDS REVIEW ", 20) == [" NEEDS REVIEW "]
    assert wrap("one two three", 7) == ["one two", "three"]
    assert wrap("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert wrap("first\nsecond", 40) == ["first", "second"]


@given(
    st.lists(st.lists(WORDS, min_size=2, max_size=2), min_size=1, max_size=5), st.integers(20, 90)
)
@settings(max_examples=200)
def test_a_table_is_never_wider_than_its_width(rows: list[list[str]], width: int) -> None:
    for line in table(rows, width, color=True, headers=["Question", "Answer"], title="T"):
        assert cell_width(shown(line)) <= width, line


def test_a_table_narrows_its_widest_column_first() -> None:
    rows = [["Age", "a long answer that would not fit in the width given to this table"]]
    lines = table(rows, 40, color=False)
    assert all(cell_width(line) <= 40 for line in lines)
    assert lines[1].startswith("│ Age │ a long")  # the short column keeps its width
    assert " ".join(part.strip(" │") for part in lines[1:-1]).count("table") == 1


@given(WORDS, WORDS, st.integers(12, 100))
@settings(max_examples=200)
def test_a_panel_is_exactly_its_width_whatever_its_title(title: str, text: str, width: int) -> None:
    for line in panel([(text, "bold"), ("second", "dim")], title, width, color=True):
        assert cell_width(shown(line)) == width, line


def test_a_title_too_long_for_the_box_is_cut_with_an_ellipsis() -> None:
    top = panel([("x", "")], "t" * 50, 30, color=False)[0]
    assert top.startswith("╭─ ttt") and top.endswith("… ─╮") and cell_width(top) == 30
    assert fit("abcdef", 4) == "abc…"


def test_styles_are_added_only_in_colour() -> None:
    assert paint("x", "bold white on red", True) == "\x1b[1;37;41mx\x1b[0m"
    assert paint("x", "bold white on red", False) == "x"
    assert paint("", "bold", True) == ""


def test_the_summary_fits_a_narrow_terminal_line_by_line() -> None:
    rules = load_ruleset(FROZEN_RULES)
    answers = {**CLEAR_ANSWERS, "self_harm_thoughts": "yes"}
    screening = score_raw(rules, answers, "answers")
    occasion = Occasion(intake_id="an-intake-id-much-longer-than-the-terminal-is-wide" * 2)
    for width in (40, 60, 100):
        text = summary_text(rules, screening, width, True, occasion)
        assert all(cell_width(shown(line)) <= width for line in text.splitlines())
        assert text.count("URGENT: SAFETY") >= 2
        assert shown(text).replace(" ", "").count(rules.crisis_text.split()[0]) >= 2
