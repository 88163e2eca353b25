"""Records not scored whose safety answer could not be read.

An invalid record is never scored (fail closed), nor is a not_scored one, but when its
unreadable cell belongs to a question an urgent rule reads (a self-harm question), the person
may need help now: such a record is marked in the output (`safety_unreadable`) and listed near
the top of the summary. A record whose fields cannot be matched to the header (too many or too
few) has every answer unreadable, its safety answers too; so has a REDCap record whose rows
hold different answers to a safety question.
"""

from __future__ import annotations

import numpy as np

from screener.columnar.coding import Block
from screener.columnar.scorer import ColumnarScorer
from screener.core.model import Action, RuleSet


def safety_questions(ruleset: RuleSet) -> tuple[str, ...]:
    """The questions urgent rules read, in file order."""
    read = {q for rule in ruleset.rules if rule.action is Action.URGENT for q in rule.reads}
    return tuple(q.id for q in ruleset.questions if q.id in read)


class SafetyCheck:
    """Finds, per block, the records with an unreadable safety answer."""

    def __init__(self, scorer: ColumnarScorer, questions: tuple[str, ...]) -> None:
        self.scorer = scorer
        self.questions = questions

    def offsets(self, block: Block) -> list[int]:
        """Offsets (in the block) of the records with an unreadable safety answer."""
        present = [q for q in self.questions if q in block.codes]
        if not present:
            return []
        unreadable = np.zeros(block.size, dtype=np.bool_)
        for question in present:
            unreadable |= self.scorer.coders[question].error_mask()[block.codes[question]]
        for offset in block.shape_errors:
            unreadable[offset] = True
        for offset, questions in block.unread.items():  # a REDCap record's rows disagree
            if set(questions).intersection(present):
                unreadable[offset] = True
        return [int(i) for i in np.flatnonzero(unreadable)]
