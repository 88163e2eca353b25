"""Test helper: small generated rule files with every question type, `required` or not, labels
with commas, `|` and markup, and `ask_if` conditions on earlier questions; answers for them."""

from __future__ import annotations

from hypothesis import strategies as st

from screener.core.model import NONE_CHOICE, QuestionType, RuleSet, Value
from screener.interop.redcap.codes import FieldCoding
from tests.test_batch_equivalence import CHOICES, MULTI, condition, rule_file_json

KINDS = ["yes_no", "integer", "choice", "multi_choice", "text"]
LABELS = ["Alpha, the first", "B | or b", "C <c> & co"]

Question = dict[str, object]


@st.composite
def rule_files(draw: st.DrawFn) -> str:
    """A rule file (JSON, which YAML 1.2 reads)."""
    questions: list[Question] = []
    for index in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(KINDS))
        question: Question = {"id": f"q{index}", "text": f"Question {index}, please?", "type": kind}
        if draw(st.booleans()):
            question["required"] = True
        if kind == "integer":
            question.update(min=0, max=5)
        if kind in ("choice", "multi_choice"):
            values = CHOICES if kind == "choice" else MULTI
            question["choices"] = [
                {"value": v, "label": label} for v, label in zip(values, LABELS, strict=True)
            ]
        if questions and draw(st.integers(0, 2)) > 0:
            question["ask_if"] = draw(condition(questions, 2))
        questions.append(question)
    rules: list[dict[str, object]] = [
        {
            "id": "r0",
            "action": "review",
            "label": "Rule",
            "when": f"known({questions[0]['id']})",
            "reason": "because",
            "source": "test",
        }
    ]
    return rule_file_json(questions, rules)


@st.composite
def answers(draw: st.DrawFn, ruleset: RuleSet) -> dict[str, Value]:
    """A typed answer (None: unknown) for every question."""
    out: dict[str, Value] = {}
    for question in ruleset.questions:
        kind = question.type
        options: st.SearchStrategy[Value]
        if kind is QuestionType.YES_NO:
            options = st.sampled_from([True, False])
        elif kind is QuestionType.INTEGER:
            options = st.integers(0, 5)
        elif kind is QuestionType.CHOICE:
            options = st.sampled_from(list(question.choice_values))
        elif kind is QuestionType.MULTI_CHOICE:
            options = st.frozensets(st.sampled_from(list(question.choice_values)), max_size=3)
        else:
            options = st.sampled_from(["hello", "other"])
        out[question.id] = draw(st.one_of(st.none(), options))
    return out


def stored_values(
    codings: dict[str, FieldCoding], typed: dict[str, Value], dont_know_coded: bool
) -> dict[str, str]:
    """What REDCap stores for these answers, as branching logic reads it: `[f]` and `[f(c)]`.
    Unknown is blank, or the field's "don't know" code when `dont_know_coded` (text: 'dk')."""
    values: dict[str, str] = {}
    for qid, coding in codings.items():
        value = typed[qid]
        if coding.field_type == "checkbox":
            assert coding.codes is not None
            ticked: set[str] = set()
            if value is None:
                if dont_know_coded and coding.dont_know:
                    ticked.add(coding.dont_know)
            else:
                assert isinstance(value, frozenset)
                ticked = {coding.code(v) for v in value} if value else {coding.code(NONE_CHOICE)}
            for code, _ in coding.choices:
                values[f"[{qid}({code})]"] = "1" if code in ticked else "0"
        elif coding.coded:
            if value is None:
                values[f"[{qid}]"] = (coding.dont_know or "") if dont_know_coded else ""
            else:
                assert isinstance(value, (bool, str))
                values[f"[{qid}]"] = coding.code(value)
        elif value is None:
            text_dk = dont_know_coded and coding.question.type is QuestionType.TEXT
            values[f"[{qid}]"] = "dk" if text_dk else ""
        else:
            values[f"[{qid}]"] = str(value)
    return values
