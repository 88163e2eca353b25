"""Kleene three-valued logic: True, False, or None for unknown."""

from __future__ import annotations

from collections.abc import Iterable

Tri = bool | None


def tri_and(values: Iterable[Tri]) -> Tri:
    """False if any is False; otherwise unknown if any is unknown; otherwise True."""
    unknown = False
    for value in values:
        if value is False:
            return False
        if value is None:
            unknown = True
    return None if unknown else True


def tri_or(values: Iterable[Tri]) -> Tri:
    """True if any is True; otherwise unknown if any is unknown; otherwise False."""
    unknown = False
    for value in values:
        if value is True:
            return True
        if value is None:
            unknown = True
    return None if unknown else False


def tri_not(value: Tri) -> Tri:
    return None if value is None else not value
