"""Which column of a CSV export holds which question, the id, or nothing the rules know.

A header cell names a question by its id, by one of the question's `aliases` in the rule file,
or through a mapping file (`--map`): header case and surrounding spaces never matter. A map
file may also give a question's value map (`columnar.value_map`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from screener.columnar.value_map import value_problems
from screener.core.frozen import record_class
from screener.core.limits import MAX_MAP_BYTES
from screener.core.model import RuleSet
from screener.core.problems import InputFileError, RuleFileError, UsageError, printable, shown
from screener.core.suggest import LOOSE_CUTOFF, closest, suggest
from screener.files.read import read_text
from screener.files.yaml_source import parse_yaml_text


def header_key(text: str) -> str:
    """How header names are compared: no BOM, no surrounding spaces, any case."""
    return " ".join(text.replace("\ufeff", "").split()).casefold()


@record_class
class ColumnMap:
    header: tuple[str, ...]  # the header cells as written in the file
    questions: Mapping[str, int]  # question id -> column index, in rule-file question order
    id_index: int | None  # column of the record id, if the file has one
    unknown: tuple[str, ...]  # header cells that are neither a question nor the id
    missing: tuple[str, ...]  # question ids no column holds: their answers are unknown

    def label(self, question: str) -> str:
        """The column's own header, with the question id when the clinic's name differs."""
        name = self.header[self.questions[question]].strip()
        return name if name == question else f"{printable(name)} ({question})"


@record_class
class MapFile:
    """A `--map` file: header key -> question id, and each question's value map."""

    columns: dict[str, str]
    values: dict[str, dict[str, str]]  # question id -> (value_key(their code) -> our value)


def load_map_file(path: Path, ruleset: RuleSet, *more: RuleSet) -> MapFile:
    """A mapping file (YAML or JSON): `clinic header: question_id`, one per line, or
    `clinic header: {question: question_id, values: {their code: our value}}` (with optional
    `confidence` and `reason`, for the person reviewing a proposed map). With several rule
    sets (`screener diff`), an id is accepted when any of them has the question."""
    question_ids = list(dict.fromkeys(q for r in (ruleset, *more) for q in r.question_map))
    _, text = read_text(path, limit=MAX_MAP_BYTES, what="a mapping file")
    try:
        data = parse_yaml_text(text, str(path)).data
    except RuleFileError as exc:
        raise InputFileError("\n".join(exc.lines())) from None
    if not isinstance(data, dict):
        raise InputFileError(f"{path}: expected a mapping of CSV header names to question ids")
    mapping: dict[str, str] = {}
    values: dict[str, dict[str, str]] = {}
    problems: list[str] = []
    for header, entry in data.items():
        question, codes = entry, None
        if isinstance(entry, dict):
            extra = set(entry) - {"question", "values", "confidence", "reason"}
            if extra or not isinstance(entry.get("values", {}), dict):
                problems.append(
                    f"{path}: {shown(header)}: expected 'question', 'values' (a mapping of codes"
                    " to values), 'confidence' and 'reason'"
                )
                continue
            question, codes = entry.get("question"), entry.get("values")
        if not isinstance(question, str) or question not in question_ids:
            hint = suggest(str(question), question_ids)
            problems.append(
                f"{path}: {shown(header)} maps to {shown(question)}, not a question id{hint}"
            )
            continue
        mapping[header_key(str(header))] = question
        if codes:
            found = next(
                r.question_map[question] for r in (ruleset, *more) if question in r.question_map
            )
            read, wrong = value_problems(found, codes)
            problems.extend(f"{path}: {shown(header)}: values: {w}" for w in wrong)
            values.setdefault(question, {}).update(read)
    if problems:
        raise InputFileError("\n".join(problems))
    return MapFile(mapping, values)


def load_column_mapping(path: Path, ruleset: RuleSet, *more: RuleSet) -> dict[str, str]:
    """The header names of a mapping file (value maps are for `screener batch` only)."""
    loaded = load_map_file(path, ruleset, *more)
    if loaded.values:
        raise InputFileError(
            f"{path}: value maps ({', '.join(loaded.values)}) are applied by screener batch"
            " only; give this command a map of header names"
        )
    return loaded.columns


def _check_mapping_matches(header: Sequence[str], mapping: Mapping[str, str]) -> None:
    """A --map entry naming no column of the header would leave its question silently
    unknown in every record (a self-harm column missed that way hides every urgent case)."""
    present = {header_key(cell): cell.strip() for cell in header}
    problems = []
    for key, question in mapping.items():
        if key in present:
            continue
        close = closest(key, present, LOOSE_CUTOFF)
        hint = f" (did you mean {shown(present[close])}?)" if close is not None else ""
        problems.append(f"--map: {shown(key)} (for {question}) names no column of the header{hint}")
    if problems:
        raise InputFileError("\n".join(problems))


def map_columns(
    header: Sequence[str],
    ruleset: RuleSet,
    id_column: str,
    mapping: Mapping[str, str] | None = None,
    id_column_required: bool = False,
    question_required: bool = True,
) -> ColumnMap:
    """Resolve the header; two columns for one question, or for the record id, is an error
    (which one would count?).
    Mapping entries for questions this rule set does not have are left out."""
    names: dict[str, str] = {}
    for question in ruleset.slots:
        names.setdefault(header_key(question.id), question.id)
        for alias in question.aliases:
            names.setdefault(header_key(alias), question.id)
    names.update({k: q for k, q in (mapping or {}).items() if q in ruleset.question_map})
    id_key = header_key(id_column)
    if id_key in names:  # the question's answers would be read as ids, and lost
        where = "--id-column" if id_column_required else "the id column"
        raise UsageError(
            f"{where} {id_column!r} is the column of question {names[id_key]!r}; name the"
            " column that holds the record id" + ("" if id_column_required else " with --id-column")
        )
    _check_mapping_matches(header, mapping or {})

    found: dict[str, int] = {}
    id_index: int | None = None
    unknown: list[str] = []
    for index, cell in enumerate(header):
        key = header_key(cell)
        if key == id_key:
            if id_index is not None:  # which one names the record?
                raise InputFileError(
                    f"columns {id_index + 1} ({shown(header[id_index].strip())}) and"
                    f" {index + 1} ({shown(cell.strip())}) both hold the record id; rename or"
                    " drop one of them"
                )
            id_index = index
            continue
        qid = names.get(key)
        if qid is None:
            unknown.append(cell.strip() or f"(column {index + 1} has no name)")
            continue
        if qid in found:
            first = header[found[qid]].strip()
            raise InputFileError(
                f"columns {found[qid] + 1} ({shown(first)}) and {index + 1}"
                f" ({shown(cell.strip())})"
                f" both hold question {qid!r}; rename or drop one of them"
            )
        found[qid] = index
    if id_index is None and id_column_required:
        raise UsageError(f"--id-column {id_column!r}: the header has no such column")
    if not found and question_required:
        raise no_question_column(header)
    ordered = {q.id: found[q.id] for q in ruleset.slots if q.id in found}
    return ColumnMap(
        header=tuple(header),
        questions=ordered,
        id_index=id_index,
        unknown=tuple(unknown),
        missing=tuple(q.id for q in ruleset.slots if q.id not in found),
    )


def no_question_column(header: Sequence[str]) -> InputFileError:
    """The error for a header that names no question: scoring would make every record
    "needs review" for no visible reason."""
    delimiter = next((d for d in (";", "\t", "|") if len(header) == 1 and d in header[0]), None)
    hint = (
        f"; is the file delimited by {delimiter!r} instead of ','?"
        if delimiter
        else "; check the header names, or map them with --map"
    )
    return InputFileError(f"no column of the header matches a question of the rule set{hint}")
