"""Rows shown a page at a time, each page fitting the terminal (at most 18 rows, so a page and
its keys fit 80x24): the review of the answers and the safety screen. A row's number picks
it, on any page (its digit alone with fewer than 10 rows, else the number and Enter); the
page keys turn pages; the done keys end it."""

from __future__ import annotations

from collections.abc import Sequence

from prompt_toolkit.formatted_text import StyleAndTextTuples

from screener.commands.screen.prompt_base import (
    Ask,
    Given,
    KeyPrompt,
    Reply,
    clip,
    screen_size,
    without_last_newline,
    wrap,
)
from screener.core.frozen import record_class
from screener.core.model import Question, QuestionType

MAX_ROWS_PER_PAGE = 18  # a page and its keys fit 80x24


@record_class
class Row:
    number: int
    label: str
    answer: str
    editable: bool = True


def ask_page_pick(
    title: str,
    rows: Sequence[Row],
    done_keys: dict[str, str],
    page: int = 0,
    urgent: str = "",
    refuse: str = "Not asked with the current answers: kept, but not scored; nothing to change",
) -> tuple[int | None, int]:
    """Rows shown a page at a time (a page fits the terminal); (row number or None when a
    done key was pressed, the page shown last)."""
    return Pages(title, rows, done_keys, page, urgent, refuse).pick()


_KEY_NAMES = {"enter": "Enter", "escape": "Esc"}


class Pages(KeyPrompt):
    def __init__(
        self,
        title: str,
        rows: Sequence[Row],
        done_keys: dict[str, str],
        page: int,
        urgent: str,
        refuse: str,
    ) -> None:
        super().__init__(
            Ask(Question("page", title, QuestionType.TEXT), can_back=False, safety=False)
        )
        self.rows = list(rows)
        self.done_keys = done_keys
        self.urgent = urgent
        self.refuse = refuse
        self.typed = ""
        _, screen_rows = screen_size()
        self.per_page = max(min(MAX_ROWS_PER_PAGE, screen_rows - 6 - (2 if urgent else 0)), 3)
        self.pages = max(-(-len(self.rows) // self.per_page), 1)
        self.page = min(max(page, 0), self.pages - 1)
        done = " · ".join(f"{_KEY_NAMES.get(k, k)}: {w}" for k, w in done_keys.items() if w)
        paging = " · Space/PgDn next page · PgUp previous" if self.pages > 1 else ""
        pick = "number" if len(self.rows) < 10 else "number, Enter"
        self.keys_help = f"{pick}: change that answer{paging} · {done}"

    def render(self) -> StyleAndTextTuples:
        width, _ = screen_size()
        title = self.ask.question.text
        if self.pages > 1:
            title += f" (page {self.page + 1} of {self.pages})"
        out: StyleAndTextTuples = [("class:question", clip(title, width - 1) + "\n")]
        if self.urgent:
            out += [("class:urgent", line + "\n") for line in wrap(self.urgent, width)]
        digits = len(str(len(self.rows)))
        shown = self.rows[self.page * self.per_page : (self.page + 1) * self.per_page]
        longest = max((len(row.label) for row in shown), default=12)
        label_width = max(min(longest, (width - digits - 4) * 3 // 5), 12)
        for row in shown:
            label = clip(row.label, label_width).ljust(label_width)
            line = f"{row.number:>{digits}}  {label}  {row.answer}"
            out.append(("" if row.editable else "class:progress", clip(line, width - 1) + "\n"))
        if self.typed:
            out.append(("class:typed", f"> {self.typed}_\n"))
        out += [("class:keys", line + "\n") for line in wrap(self.keys_help, width)]
        if self.hint:
            out += [("class:hint", line + "\n") for line in wrap(self.hint, width)]
        return without_last_newline(out)

    def chosen(self, typed: str) -> Reply | None:
        number = int(typed)
        self.typed = ""
        if not self.rows[number - 1].editable:
            self.hint = self.refuse
            return None
        return Given(number)

    def key(self, name: str) -> Reply | None:
        if name in self.done_keys:
            return Given(None)
        if name.isdigit() and len(name) == 1:
            if len(self.rows) < 10:  # one digit is the whole number
                number = self.digit(
                    name, len(self.rows), f"Type a number from 1 to {len(self.rows)}"
                )
                return None if number is None else self.chosen(str(number))
            # With 10 rows or more a row's number ends with Enter: picked at its first digit,
            # `99` typed on a review of 59 rows opened row 9 and typed the second 9 into it.
            typed = self.typed + name
            if typed.startswith("0") or int(typed) > len(self.rows):
                self.typed = ""
                self.hint = f"No row {typed}: type a number from 1 to {len(self.rows)}, then Enter"
            else:
                self.typed = typed
            return None
        if name == "backspace":
            self.typed = self.typed[:-1]
        elif name == "enter" and self.typed:
            return self.chosen(self.typed)
        elif name in ("space", "pagedown", "right", "enter"):
            if self.page + 1 < self.pages:
                self.page += 1
            elif name == "enter":
                done = " or ".join(self.done_keys)
                self.hint = f"Last page: press {done}, or a row's number to change it"
            else:
                self.page = 0
        elif name in ("pageup", "left"):
            self.page = max(self.page - 1, 0)
        return None

    def press(self, name: str) -> Reply | None:
        return self.key(name)

    def pick(self) -> tuple[int | None, int]:
        reply = self.run()
        assert isinstance(reply, Given)
        number = reply.value
        assert number is None or isinstance(number, int)
        return number, self.page
