"""Text laid out for a terminal or a file, without a rendering library: styles, the width of
text in terminal cells, word wrapping, boxes and tables; the layouts come as whole lines.

Nothing here interprets the text it is given: no markup, no emoji codes. Callers pass text
whose control characters are already escaped (`core.problems.escape_controls`); the only
terminal codes in the output are the styles added here, and only with `color`.

Loading rich (the library the interview draws with) took about 45% of a cold
`screener score`; the referral summary needs no more than what is here.
"""

from __future__ import annotations

from collections.abc import Sequence

_SGR = {
    "bold": "1",
    "dim": "2",
    "italic": "3",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "cyan": "36",
    "white": "37",
    "on red": "41",
}
RESET = "\x1b[0m"


def paint(text: str, style: str, color: bool) -> str:
    """`text` in `style` ("bold white on red"...), or as it is without `color`."""
    if not (color and style and text):
        return text
    words, codes = style.split(), []
    while words:
        word = words.pop(0)
        codes.append(_SGR[f"on {words.pop(0)}" if word == "on" else word])
    return f"\x1b[{';'.join(codes)}m{text}{RESET}"


def cell_width(text: str) -> int:
    """Terminal cells: two for a wide (East Asian) character, none for a combining mark."""
    if text.isascii():
        return len(text)
    import unicodedata  # only for text that needs it

    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _split_word(word: str, width: int) -> list[str]:
    """A word longer than the line, in pieces that fit."""
    pieces, piece = [], ""
    for char in word:
        if piece and cell_width(piece + char) > width:
            pieces.append(piece)
            piece = ""
        piece += char
    return [*pieces, piece]


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` cells, broken between words (inside one only when it does
    not fit alone); each line break of the text starts a new line. A line that fits is kept
    as it is; in one that is broken, runs of spaces become one."""
    width = max(1, width)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if cell_width(paragraph) <= width:  # as it is, spaces and all
            lines.append(paragraph)
            continue
        line = ""
        for word in paragraph.split():
            for piece in _split_word(word, width) if cell_width(word) > width else [word]:
                if line and cell_width(line) + 1 + cell_width(piece) > width:
                    lines.append(line)
                    line = ""
                line = f"{line} {piece}" if line else piece
        lines.append(line)
    return lines


def fit(text: str, width: int) -> str:
    """One line of at most `width` cells, cut with an ellipsis when longer."""
    if cell_width(text) <= width:
        return text
    while text and cell_width(text) > width - 1:
        text = text[:-1]
    return text + "…"


def panel(
    body: Sequence[tuple[str, str]], title: str, width: int, color: bool, style: str = ""
) -> list[str]:
    """A rounded box the full `width`, its title in the top edge; `body` holds paragraphs
    and their styles. With a `style`, the whole box is drawn in it (the crisis box)."""
    inner = max(1, width - 4)
    label = f" {fit(title, max(1, width - 6))} " if title else ""
    left = (width - 2 - cell_width(label)) // 2
    right = width - 2 - cell_width(label) - left
    top = "╭" + "─" * left + label + "─" * right + "╮"
    rows = [top]
    for text, text_style in body:
        for line in wrap(text, inner):
            shown = line if style else paint(line, text_style, color)
            rows.append("│ " + shown + " " * (inner - cell_width(line)) + " │")
    rows.append("╰" + "─" * (width - 2) + "╯")
    return [paint(row, style, color) for row in rows] if style else rows


def _widths(columns: list[list[str]], width: int) -> list[int]:
    """Each column's width: its longest text, narrowed (the widest first, down to its longest
    word, then further) until the table fits in `width`."""
    natural = [
        max(cell_width(line) for text in cells for line in text.split("\n")) for cells in columns
    ]
    floor = [
        max([cell_width(word) for text in cells for word in text.split()] or [1])
        for cells in columns
    ]
    widths = [max(1, n) for n in natural]
    room = width - (3 * len(widths) + 1)
    for limit in (floor, [1] * len(widths)):
        while sum(widths) > room:
            candidates = [i for i, w in enumerate(widths) if w > limit[i]]
            if not candidates:
                break
            widest = max(candidates, key=lambda i: (widths[i], i))
            widths[widest] -= 1
    return widths


def table(
    rows: Sequence[Sequence[str]],
    width: int,
    color: bool,
    headers: Sequence[str] | None = None,
    title: str = "",
) -> list[str]:
    """A boxed table no wider than `width`, its text wrapped inside each cell; a header row,
    when given, in bold between heavy lines; a title line above it."""
    count = len(headers) if headers is not None else max(len(row) for row in rows)
    cells = [list(headers)] if headers is not None else []
    cells += [[*row, *[""] * (count - len(row))] for row in rows]
    widths = _widths([[row[i] for row in cells] for i in range(count)], width)

    def rule(left: str, line: str, middle: str, right: str) -> str:
        return left + middle.join(line * (w + 2) for w in widths) + right

    def drawn(row: Sequence[str], bar: str, style: str) -> list[str]:
        wrapped = [wrap(text, w) for text, w in zip(row, widths, strict=True)]
        height = max(len(lines) for lines in wrapped)
        out = []
        for number in range(height):
            parts = []
            for lines, w in zip(wrapped, widths, strict=True):
                text = lines[number] if number < len(lines) else ""
                parts.append(" " + paint(text, style, color) + " " * (w - cell_width(text) + 1))
            out.append(bar + bar.join(parts) + bar)
        return out

    out = [paint(title, "italic", color)] if title else []
    body = cells
    if headers is not None:
        out.append(rule("┏", "━", "┳", "┓"))
        out += drawn(cells[0], "┃", "bold")
        out.append(rule("┡", "━", "╇", "┩"))
        body = cells[1:]
    else:
        out.append(rule("┌", "─", "┬", "┐"))
    for row in body:
        out += drawn(row, "│", "")
    out.append(rule("└", "─", "┴", "┘"))
    return out


def bullets(items: Sequence[str], width: int) -> list[str]:
    """`  • item`, each item wrapped under its own first word."""
    out = []
    for item in items:
        lines = wrap(item, width - 4)
        out.append("  • " + lines[0])
        out += ["    " + line for line in lines[1:]]
    return out
