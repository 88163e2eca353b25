"""Plain-language pieces of the referral summary, shared by the Markdown and terminal views."""

from __future__ import annotations

from screener.core.frozen import field, record_class
from screener.core.model import Action, Priority, RuleSet, format_value
from screener.core.reasons import format_derived
from screener.core.screening import Outcome, Screening
from screener.formats.derived_text import derived_words
from screener.formats.occasion import Occasion

PRIORITY_WORDS = {Priority.SAME_DAY: "same day", Priority.ROUTINE: "routine"}

HEADLINES = {
    Outcome.URGENT: "Safety concern: follow the crisis steps now.",
    Outcome.NOT_ELIGIBLE: "Not eligible on this pre-screen; a clinician can confirm or reconsider.",
    Outcome.NEEDS_REVIEW: "A clinician needs to review this referral before booking.",
    Outcome.LIKELY_ELIGIBLE: "Likely eligible: book a consultation.",
}


@record_class
class SummaryParts:
    """Everything a referral summary says, in plain words, independent of the output format."""

    outcome: Outcome
    headline: str
    crisis_text: str | None
    reasons: list[str]
    other_findings: list[
        str
    ]  # rules that fired but were outranked (e.g. an exclusion under urgent)
    undecided: list[str]
    safety_unanswered: list[str]  # urgent rules that could not be decided: ask before the call ends
    flags: list[str]
    missing: list[str]
    missing_title: str
    other_unanswered: list[str]  # unanswered questions not already listed as missing
    next_steps: list[str]
    disclaimer: str
    ruleset_line: str
    clinic_line: str  # the clinic's name, and its phone number when the rule file gives one
    answers: list[tuple[str, str]]  # (question text, answer in words), asked questions only
    priority: str | None = None  # "same day" or "routine": how soon a clinician should look
    rule_next_steps: list[str] = field(default_factory=list)  # from the rules that fired
    derived: list[str] = field(default_factory=list)  # computed values, with their inputs
    tables: list[ItemTable] = field(default_factory=list)  # list questions, item by item
    head: list[str] = field(default_factory=list)  # when, and by whom
    intake_id: str | None = None
    key_answers: list[tuple[str, str]] = field(default_factory=list)  # what a clinician reads first
    positives: list[str] = field(default_factory=list)  # likely_eligible: what was found, and met


@record_class
class ItemTable:
    """A list question's items as a small table: one row per item, one column per field."""

    title: str
    columns: list[str]
    rows: list[list[str]]


def item_tables(ruleset: RuleSet, screening: Screening) -> list[ItemTable]:
    tables = []
    hidden = set(screening.hidden)
    for question in ruleset.questions:
        if not question.is_list or question.id in hidden:
            continue
        count = screening.answers.get(question.id)
        rows = []
        for number, cells in enumerate(question.item_cells, start=1):
            values = [screening.answers.get(c.id) for c in cells]
            within = (
                number <= count if isinstance(count, int) else any(v is not None for v in values)
            )
            if not within:
                continue
            rows.append(
                [str(number)]
                + [
                    "-" if c.id in hidden else format_value(c, v)
                    for c, v in zip(cells, values, strict=True)
                ]
            )
        title = question.short if isinstance(count, int) else f"{question.short} (maybe more)"
        columns = ["#", *(f.short for f in question.fields)]
        tables.append(ItemTable(title, columns, rows))
    return tables


def _waiting_on(screening: Screening, question: str) -> str:
    """Labels of the rules this answer could change: undecided rules that need it, and rules
    that hold only because it is unknown (read through known())."""
    return ", ".join(
        r.label
        for r in screening.results
        if r.action is not Action.FLAG and (r.undecided or r.fired) and question in r.needs
    )


def key_answers(ruleset: RuleSet, screening: Screening) -> list[tuple[str, str]]:
    """(what, answer in words) for the rule file's `summary.key_answers`, those asked."""
    hidden = set(screening.hidden)
    out = []
    for key in ruleset.key_answers:
        derived = ruleset.derived_map.get(key)
        if derived is not None:
            if not hidden.issuperset(derived.reads):
                value = format_derived(derived, screening.derived.get(key))
                out.append((derived.label, value))
            continue
        question = ruleset.question_map[key]
        if key not in hidden:
            out.append((question.short, format_value(question, screening.answers.get(key))))
    return out


def positive_findings(screening: Screening) -> list[str]:
    """For a likely_eligible summary: the requirements met, in the rules' own words."""
    if screening.outcome is not Outcome.LIKELY_ELIGIBLE:
        return []
    return [r.reason for r in screening.results if r.action is Action.REQUIRE and r.value is True]


def summary_parts(
    ruleset: RuleSet, screening: Screening, occasion: Occasion | None = None
) -> SummaryParts:
    occasion = occasion or Occasion()
    questions = ruleset.question_map
    by_rule = {r.rule: r for r in screening.results}
    deciding = [by_rule[rule] for rule in screening.deciding]
    hidden = set(screening.hidden)
    return SummaryParts(
        outcome=screening.outcome,
        headline=HEADLINES[screening.outcome],
        crisis_text=ruleset.crisis_text if screening.outcome is Outcome.URGENT else None,
        reasons=[r.reason for r in deciding if not r.undecided],
        missing_title="Answers that could change the outcome",
        other_findings=[
            r.reason
            for r in screening.results
            if r.fired and r.action is not Action.FLAG and r.rule not in screening.deciding
        ],
        # Undecided rules are shown through the answers they wait for (below); only those
        # waiting on no askable question are listed on their own.
        undecided=[r.reason for r in deciding if r.undecided and not r.needs],
        safety_unanswered=[
            f"{r.label}: not answered. Ask before the call ends; if the answer is yes,"
            " follow the crisis steps."
            for r in screening.results
            if r.action is Action.URGENT and r.undecided
        ],
        flags=[f.reason for f in screening.flags],
        missing=[
            f"{questions[q].text} ({q}); decides: {_waiting_on(screening, q)}"
            for q in screening.missing
        ],
        other_unanswered=[
            f"{questions[q].text} ({q})" for q in screening.unanswered if q not in screening.missing
        ],
        next_steps=list(ruleset.next_steps[screening.outcome.value]),
        disclaimer=ruleset.disclaimer,
        clinic_line=ruleset.clinic_name
        + (f" (phone {ruleset.clinic_phone})" if ruleset.clinic_phone else ""),
        ruleset_line=(
            f"Rule set: {screening.ruleset.name}, version {screening.ruleset.version},"
            f" sha256 {screening.ruleset.sha256[:12]}"
        ),
        answers=[
            (q.text, format_value(q, screening.answers.get(q.id)))
            for q in ruleset.questions
            if q.id not in hidden
        ],
        priority=PRIORITY_WORDS[screening.priority] if screening.priority else None,
        rule_next_steps=[step for _, step in screening.rule_next_steps],
        # A derived value whose inputs skip logic hid (no benzodiazepine named) says nothing.
        derived=[
            derived_words(ruleset, d, screening)
            for d in ruleset.derived
            if not hidden.issuperset(d.reads)
        ],
        tables=item_tables(ruleset, screening),
        head=[occasion.line()] if occasion.line() else [],
        intake_id=occasion.intake_id,
        key_answers=key_answers(ruleset, screening),
        positives=positive_findings(screening),
    )
