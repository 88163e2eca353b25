"""Rule coverage of a set of screenings: which rules held in some case, which were false in some.

Percent = (rules that held at least once + rules that were false at least once) / (2 x rules).
"""

from __future__ import annotations

from collections.abc import Iterable

from screener.core.frozen import record_class
from screener.core.model import RuleSet
from screener.core.screening import Screening


@record_class
class Coverage:
    rules: tuple[str, ...]  # rule ids in file order
    held: frozenset[str]
    false: frozenset[str]

    @property
    def never_held(self) -> tuple[str, ...]:
        return tuple(r for r in self.rules if r not in self.held)

    @property
    def never_false(self) -> tuple[str, ...]:
        return tuple(r for r in self.rules if r not in self.false)

    @property
    def covered(self) -> int:
        return len(self.held) + len(self.false)

    @property
    def total(self) -> int:
        return 2 * len(self.rules)

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.total if self.total else 100.0

    def meets(self, minimum: float) -> bool:
        return 100 * self.covered >= minimum * self.total

    @property
    def percent_text(self) -> str:
        """One decimal, rounded down, so that anything short of full coverage never shows 100%."""
        tenths = (1000 * self.covered) // self.total if self.total else 1000
        return f"{tenths // 10}.{tenths % 10}%"


def coverage_of(ruleset: RuleSet, screenings: Iterable[Screening]) -> Coverage:
    held: set[str] = set()
    false: set[str] = set()
    for screening in screenings:
        for result in screening.results:
            if result.value is True:
                held.add(result.rule)
            elif result.value is False:
                false.add(result.rule)
    return Coverage(tuple(r.id for r in ruleset.rules), frozenset(held), frozenset(false))
