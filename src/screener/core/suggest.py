"""The one "did you mean": the closest known name to a misspelled one."""

from __future__ import annotations

from collections.abc import Iterable

# How alike two names must be (difflib's ratio) to be offered as a correction. Header cells
# are free text ("SI screen (2 wks)" for "si screen 2wks"), so they are matched more loosely.
CUTOFF = 0.6
LOOSE_CUTOFF = 0.5


def closest(name: str, candidates: Iterable[str], cutoff: float = CUTOFF) -> str | None:
    """The candidate most like `name`, or None when none is alike enough."""
    import difflib  # here: only a misspelled name needs it, and a run that has none starts faster

    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=cutoff)
    return match[0] if match else None


def suggest(name: str, candidates: Iterable[str], cutoff: float = CUTOFF) -> str:
    """` (did you mean 'x'?)`, to append to a message, or "" when nothing is alike."""
    match = closest(name, candidates, cutoff)
    return f" (did you mean {match!r}?)" if match is not None else ""
