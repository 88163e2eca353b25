"""A proposed `--map` from a clinic's own REDCap instrument to the rule set's questions
(`screener redcap map`), for a person to review.

Each question is matched to at most one field, and each field to at most one question, best
first: by field name (the question's id or an alias is certain), by how many words the labels
share, and, for coded fields, by how many choice labels match; a field whose type cannot
hold the question's answers is never proposed. For a coded field, each of its codes is mapped
to the question's value whose label it matches ("don't know" labels to unknown, "none of
these" to `none`); a code with no match is left out, so that it stays unreadable (the record
is invalid, never guessed). Every entry carries a confidence (0 to 1) and a reason.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from screener.core.coercion import CoercionError, coerce_value, is_unknown_text
from screener.core.frozen import record_class, replace
from screener.core.model import NONE_CHOICE, Question, QuestionType, RuleSet, list_cells
from screener.interop.redcap.columns import text_key
from screener.interop.redcap.dictionary_read import (
    DictionaryField,
    RedcapDictionary,
    SkippedField,
)
from screener.interop.yaml_text import comment_text, quoted, scalar

PROPOSE_FROM = 0.35  # a lower confidence is not proposed
LIKE_FROM = 0.6  # a choice label less alike than this is no match for a code's label
NONE_LABELS = frozenset({"none", "none of these", "none of the above"})
UNSURE_LABELS = frozenset(
    {"not sure", "unsure", "uncertain", "declined", "refused", "prefer not to say", "not asked"}
)
_STOP_WORDS = (
    "a an and any are as at be been by do does ever for from has have how in is it of on or"
    " the their them they this to was were what when which who with you your"
)
_STOP = frozenset(_STOP_WORDS.split())
_KINDS = {
    QuestionType.YES_NO: ("yesno", "truefalse", "radio", "dropdown"),
    QuestionType.CHOICE: ("radio", "dropdown", "yesno", "truefalse"),
    QuestionType.MULTI_CHOICE: ("checkbox",),
    QuestionType.INTEGER: ("text",),
    QuestionType.NUMBER: ("text",),
    QuestionType.LIST: ("text",),
    QuestionType.TEXT: ("text", "notes"),
}


@record_class
class ValueProposal:
    code: str
    label: str
    value: str | None  # the canonical text ("" unknown); None: no value found
    reason: str


@record_class
class Proposal:
    field: DictionaryField
    question: Question
    confidence: float
    reason: str
    values: tuple[ValueProposal, ...]


@record_class
class ProposedMap:
    source: str
    ruleset: RuleSet
    proposals: tuple[Proposal, ...]  # in the dictionary's field order
    unmapped: tuple[str, ...]  # question ids with no field
    unused: tuple[str, ...]  # fields of the dictionary with no question
    skipped: tuple[SkippedField, ...] = ()  # fields the dictionary holds that cannot be read

    @property
    def unmapped_words(self) -> tuple[str, ...]:
        """`unmapped`, with a list none of whose slots has a field named once, as the list
        (`depression_treatments (a list: its count and 8 items of 5 fields)`)."""
        missing = set(self.unmapped)
        whole: dict[str, str] = {}
        for question in self.ruleset.questions:
            if not question.is_list:
                continue
            slots = {question.id, *(cell.id for cell in list_cells(question))}
            if slots <= missing:
                fields = len(question.fields)
                whole[question.id] = (
                    f"{question.id} (a list: its count and {question.max_items} items of"
                    f" {fields} field{'s' if fields != 1 else ''})"
                )
                missing -= slots
        by_slot = {q.id: q.list_id or q.id for q in self.ruleset.slots}
        words: list[str] = []
        for question_id in self.unmapped:
            owner = by_slot.get(question_id, question_id)
            if question_id in whole:
                words.append(whole[question_id])
            elif owner not in whole:
                words.append(question_id)
        return tuple(words)

    def yaml(self) -> str:
        header = [
            f"A proposed --map from {self.source} to the rule set {self.ruleset.name}"
            f" {self.ruleset.version}, made by screener redcap map.",
            "Review every entry before use: confidence is how sure the match is (0 to 1),",
            "reason why it was proposed. Delete a wrong entry; a code without a value stays",
            "unreadable (its records are invalid). Use it as: screener batch EXPORT.csv",
            f"--redcap {self.source} --map THIS_FILE.",
        ]
        if self.unmapped:
            header += [
                "",
                "Questions with no field (unknown in every record unless a field is added):",
                *_wrapped(self.unmapped_words),
            ]
        if self.unused:
            header += ["", "Fields with no question (ignored):", *_wrapped(self.unused)]
        if self.skipped:
            header += ["", "Fields that cannot be read (skipped):", *map(str, self.skipped)]
        out = [f"# {comment_text(h)}".rstrip() for h in header]
        for p in self.proposals:
            out += [
                "",
                f"# row {p.field.row}: {comment_text(p.field.label)}",
                f"{p.field.name}:",
                f"  question: {quoted(p.question.id)}",
                f"  confidence: {scalar(round(p.confidence, 2))}",
                f"  reason: {quoted(p.reason)}",
            ]
            found = [v for v in p.values if v.value is not None]
            out += [
                f"  # no value for code {comment_text(v.code)} ({comment_text(v.label)}):"
                f" {comment_text(v.reason)}"
                for v in p.values
                if v.value is None
            ]
            if found:
                out.append("  values:")
                # Codes are quoted keys: `1` would be a number, `NA` text.
                out += [
                    f"    {quoted(v.code)}: {quoted(v.value or '')}  # {comment_text(v.reason)}"
                    for v in found
                ]
        return "\n".join(out) + "\n"


def _wrapped(names: tuple[str, ...], width: int = 90) -> list[str]:
    """Names separated by commas, in lines of about `width` characters."""
    lines = [""]
    for index, name in enumerate(names):
        word = name + ("," if index < len(names) - 1 else "")
        if lines[-1] and len(lines[-1]) + len(word) > width:
            lines.append("")
        lines[-1] += ("" if not lines[-1] else " ") + word
    return [f"  {line}" for line in lines]


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text_key(text)) if w not in _STOP and len(w) > 1}


def _overlap(a: str, b: str) -> float:
    left, right = _words(a), _words(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def _similar(a: str, b: str, at_least: float = 0.0) -> float:
    """How alike two texts are (0 to 1); 0 when they cannot reach `at_least`."""
    matcher = SequenceMatcher(None, text_key(a), text_key(b))
    if matcher.real_quick_ratio() < at_least or matcher.quick_ratio() < at_least:
        return 0.0
    return matcher.ratio()


def _value_for(question: Question, code: str, label: str) -> ValueProposal:
    if is_unknown_text(label) or text_key(label) in UNSURE_LABELS:
        return ValueProposal(code, label, "", 'a "don\'t know" label: unknown')
    if question.type is QuestionType.YES_NO:
        try:
            answer = coerce_value(question, label)
        except CoercionError:
            return ValueProposal(code, label, None, "not yes or no")
        return ValueProposal(code, label, "yes" if answer else "no", f"label {label!r}")
    if question.type is QuestionType.MULTI_CHOICE and text_key(label) in NONE_LABELS:
        return ValueProposal(code, label, NONE_CHOICE, '"none of these"')
    best, score = None, 0.0
    for choice in question.choices:
        if text_key(label) in (text_key(choice.label), choice.value):
            best, score = choice, 1.0
            break
        floor = max(score, LIKE_FROM)  # only a better match than the best so far counts
        found = max(_similar(label, choice.label, floor), _similar(label, choice.value, floor))
        if found > score:
            best, score = choice, found
    if best is None or score < LIKE_FROM:
        return ValueProposal(code, label, None, "no choice of the question has a label like it")
    how = "the same label" if score == 1.0 else f"a label like {best.label!r} ({score:.2f})"
    return ValueProposal(code, label, best.value, how)


def _values(
    question: Question, field: DictionaryField, seen: dict[tuple[str, str], ValueProposal]
) -> tuple[ValueProposal, ...]:
    """Each code's proposed value (`seen`: proposals by question and label, as fields share
    labels such as Yes and No)."""
    if not field.choices or question.type not in (
        QuestionType.YES_NO,
        QuestionType.CHOICE,
        QuestionType.MULTI_CHOICE,
    ):
        return ()
    out = []
    for code, label in field.choices:
        key = (question.id, label)
        if key not in seen:
            seen[key] = _value_for(question, code, label)
        out.append(replace(seen[key], code=code))
    return tuple(out)


def _fits(question: Question, field: DictionaryField) -> bool:
    if field.field_type not in _KINDS[question.type]:
        return False
    numeric = question.type in (QuestionType.INTEGER, QuestionType.NUMBER, QuestionType.LIST)
    if numeric:
        return field.validation.startswith(("integer", "number"))
    return not (question.type is QuestionType.TEXT and field.validation)


def _score(
    question: Question, field: DictionaryField, seen: dict[tuple[str, str], ValueProposal]
) -> tuple[float, str]:
    names = [question.id, *(a.strip().lower() for a in question.aliases)]
    if field.name in names:
        how = "the question's id" if field.name == question.id else "an alias of the question"
        return 1.0, f"the field name is {how}"
    name = max(_similar(field.name, n) for n in names)
    label = max(_overlap(field.label, question.text), _overlap(field.label, question.short))
    parts = [f"name {name:.2f}", f"label words {label:.2f}"]
    score = 0.35 * name + 0.65 * label
    values = _values(question, field, seen)
    if values and question.type is not QuestionType.YES_NO:
        matched = sum(v.value not in (None, "") for v in values) / max(len(question.choices), 1)
        parts.append(f"choices {min(matched, 1.0):.2f}")
        score = 0.2 * name + 0.3 * label + 0.5 * min(matched, 1.0)
    elif values:
        answers = [v for v in values if v.value != ""]
        if {v.value for v in answers} == {"yes", "no"} and len(answers) == 2:
            parts.append("yes and no")
            score = min(1.0, score + 0.1)
    return score, "similar " + ", ".join(parts)


def propose_map(ruleset: RuleSet, dictionary: RedcapDictionary) -> ProposedMap:
    """The proposed map: one entry per matched field, best matches first."""
    candidates: list[tuple[float, int, int, str]] = []
    seen: dict[tuple[str, str], ValueProposal] = {}
    questions = list(ruleset.slots)
    for qi, question in enumerate(questions):
        for fi, field in enumerate(dictionary.fields):
            if _fits(question, field):
                score, reason = _score(question, field, seen)
                if score >= PROPOSE_FROM:
                    candidates.append((score, qi, fi, reason))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    taken_q: set[int] = set()
    taken_f: dict[int, Proposal] = {}
    for score, qi, fi, reason in candidates:
        if qi in taken_q or fi in taken_f:
            continue
        taken_q.add(qi)
        field, question = dictionary.fields[fi], questions[qi]
        values = _values(question, field, seen)
        taken_f[fi] = Proposal(field, question, score, reason, values)
    proposals = tuple(taken_f[fi] for fi in sorted(taken_f))
    return ProposedMap(
        source=dictionary.source,
        ruleset=ruleset,
        proposals=proposals,
        unmapped=tuple(q.id for i, q in enumerate(questions) if i not in taken_q),
        unused=tuple(f.name for i, f in enumerate(dictionary.fields) if i not in taken_f),
        skipped=dictionary.skipped,
    )
