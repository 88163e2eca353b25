"""Drive the real interview prompts through prompt_toolkit's pipe input.

Every key is sent up front and the pipe is closed, so a prompt that waits for more input gets
EOFError instead of hanging the test. Prompts and the rich console write to the same buffer,
so the transcript shows what the coordinator would see, in order.
"""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from prompt_toolkit.application import create_app_session
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output
from rich.console import Console

from screener.core.model import Question, QuestionType, RuleSet

ENTER = "\r"
UP = "\x1b[A"
DOWN = "\x1b[B"
LEFT = "\x1b[D"  # back one question
F2 = "\x1bOQ"  # the safety questions, at every prompt
BACKSPACE = "\x7f"
CTRL_C = "\x03"
CTRL_D = "\x04"
CLEAR_LINE = "\x15"  # Ctrl-U: clear a prefilled text answer
WIDTH = 400  # wide enough that nothing wraps, so texts can be found whole
ROWS = 60

Answer = str | list[str]  # "dk" = don't know; a list for multi-choice ("none" = none of these)

# A complete interview on the bundled rules, in the order it is asked, that is likely eligible.
CLEAR_INTERVIEW: list[tuple[str, Answer]] = [
    ("age", "42"),
    ("primary_condition", "depression"),
    ("failed_antidepressants", "3"),
    ("prior_ketamine", "no"),
    ("ketamine_allergy", "no"),
    ("aneurysm_or_avm", "no"),
    ("brain_bleed", "no"),
    ("stroke_or_tia", "no"),
    ("heart_condition", "no"),
    ("hypertension", "no"),
    ("bp_systolic", "124"),
    ("bp_diastolic", "78"),
    ("head_injury_or_icp", "no"),
    ("seizures", "no"),
    ("liver_disease", "no"),
    ("thyroid_untreated", "no"),
    ("bladder_problems", "no"),
    ("pregnant", "no"),
    ("breastfeeding", "no"),
    ("psychosis_history", "no"),
    ("psychosis_current", "no"),
    ("mania_current", "no"),
    ("substance_use_recent", "no"),
    ("current_medications", ["none"]),
    ("self_harm_thoughts", "no"),
    ("phq9_total", "17"),
    ("has_ride_home", "yes"),
]


def interview(**changes: Answer | None) -> list[tuple[str, Answer]]:
    """CLEAR_INTERVIEW with some answers changed; None leaves a question out (not asked)."""
    answers: list[tuple[str, Answer]] = []
    for question_id, answer in CLEAR_INTERVIEW:
        changed = changes.get(question_id, answer)
        if changed is not None:
            answers.append((question_id, changed))
    return answers


def number_keys(number: int, count: int) -> str:
    """The keys that pick option `number` of `count`: its digits, and Enter when another
    option's number starts with them (with 12 options, 1 needs Enter, 3 does not)."""
    typed = str(number)
    longer = any(str(n).startswith(typed) and n != number for n in range(1, count + 1))
    return typed + (ENTER if longer else "")


def keys_for(question: Question, answer: Answer) -> str:
    """The keys that give `answer` at a fresh prompt for `question`: one key for yes/no
    (y, n, d), the option's number for a choice, numbers toggling ticks and Enter for tick
    boxes (0: none of these, d: don't know), typed text and Enter for numbers (d: don't
    know) and for text (Enter twice: left blank)."""
    if question.type is QuestionType.YES_NO:
        assert isinstance(answer, str)
        return {"yes": "y", "no": "n", "dk": "d"}[answer]
    if question.type is QuestionType.CHOICE:
        assert isinstance(answer, str)
        if answer == "dk":
            return "d"
        options = question.choice_values
        return number_keys(options.index(answer) + 1, len(options))
    if question.type is QuestionType.MULTI_CHOICE:
        assert isinstance(answer, list)
        if answer in (["none"], ["dk"]):
            return "0" if answer == ["none"] else "d"
        values = [v for v in question.choice_values if v != "none"]
        ticks = "".join(number_keys(values.index(a) + 1, len(values)) for a in answer)
        return ticks + ENTER
    assert isinstance(answer, str)
    if answer == "dk":
        return ENTER + ENTER if question.type is QuestionType.TEXT else "d"
    return answer + ENTER


def interview_keys(ruleset: RuleSet, answers: Sequence[tuple[str, Answer]]) -> str:
    return "".join(keys_for(ruleset.question_map[q], a) for q, a in answers)


class _Terminal(Vt100_Output):
    """A terminal that knows its height, as a real one does through cursor-position reports:
    prompt_toolkit shows bottom toolbars only then."""

    def get_rows_below_cursor_position(self) -> int:
        return ROWS


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
T = TypeVar("T")


@dataclass
class Run(Generic[T]):
    value: T | None
    error: BaseException | None
    screen: str  # prompts and console output in order, escape codes removed

    def after(self, marker: str) -> str:
        return self.screen[self.screen.index(marker) :]


Keys = str | Sequence[str | tuple[str, str] | float]


def drive(keys: Keys, action: Callable[[Console], T], wait: float = 10.0) -> Run[T]:
    """Run `action` with `keys` as the keyboard; KeyboardInterrupt/EOFError are returned.

    A string is typed all at once. In a list, a `(keys, text)` step types `keys`, then waits
    until `text` is on the screen (what a person sees while typing) before the next step; a
    number is a pause of that many seconds.
    """
    buffer = io.StringIO()
    console = Console(file=buffer, width=WIDTH, highlight=False, color_system=None)
    output = _Terminal(buffer, lambda: Size(rows=ROWS, columns=WIDTH), term="xterm")
    steps = [keys] if isinstance(keys, str) else list(keys)
    value: T | None = None
    error: BaseException | None = None
    with create_pipe_input() as pipe:

        def type_keys() -> None:
            for step in steps:
                if isinstance(step, float):  # a pause: a lone Esc is Esc only after one
                    time.sleep(step)
                    continue
                chunk, until = (step, None) if isinstance(step, str) else step
                pipe.send_text(chunk)
                deadline = time.monotonic() + wait
                while until is not None and time.monotonic() < deadline:
                    if until in ANSI.sub("", buffer.getvalue()):
                        break
                    time.sleep(0.02)
            pipe.close()

        typist = threading.Thread(target=type_keys, daemon=True)
        typist.start()
        with create_app_session(input=pipe, output=output):
            try:
                value = action(console)
            except (KeyboardInterrupt, EOFError) as exc:
                error = exc
            finally:
                typist.join()  # it closes the pipe: never while the `with` above closes it too
    return Run(value, error, ANSI.sub("", buffer.getvalue()))
