"""`screener redcap dictionary`, `import` and `map`: the rule file as a REDCap data dictionary
(CSV, for upload), a dictionary as the questions of a rule file, and a proposed map from a
clinic's own REDCap fields and codes to the rule set's questions and values."""

from __future__ import annotations

import sys
from pathlib import Path

from screener.core.limits import MAX_DICTIONARY_BYTES
from screener.core.model import RuleSet
from screener.files.read import read_text
from screener.files.write import check_paths, write_atomic
from screener.interop.redcap.dictionary import RECORD_ID, VERSION_FIELD, build_dictionary
from screener.interop.redcap.dictionary_read import parse_dictionary
from screener.interop.redcap.map_propose import propose_map
from screener.interop.redcap.questions_import import import_questions
from screener.interop.yaml_text import comment_text as plain
from screener.rulefile.load import load_ruleset, rules_input

DICTIONARY = "a REDCap data dictionary"


def _write(path: Path | None, text: str) -> None:
    """To the file (readable by everyone: questions, no one's answers) or stdout."""
    if path is not None:
        write_atomic(path, text, private=False)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def _slot_count(slots: int, ruleset: RuleSet) -> str:
    """`49 questions`, or, when list questions have a field per item, `89 fields (49
    questions, a list question's items field by field)`, so the count matches `validate`'s."""
    questions = len(ruleset.questions)
    if slots == questions:
        return f"{questions} questions"
    return f"{slots} fields ({questions} questions, a list question's items field by field)"


def run_dictionary(rules: Path | None, output: str | None, form: str) -> None:
    """Write the data dictionary to `output` (stdout for None or '-'); a summary to stderr."""
    path = None if output in (None, "-") else Path(str(output))
    check_paths([rules_input(rules)], [("--output", path)])
    ruleset = load_ruleset(rules)
    dictionary = build_dictionary(ruleset, form)
    _write(path, dictionary.csv_text())
    lines = [
        f"screener redcap dictionary: {ruleset.name} {ruleset.version}:"
        f" {_slot_count(len(dictionary.rows) - 2, ruleset)}"
        f" on form {form} (with {RECORD_ID} first and {VERSION_FIELD} last)"
        f" -> {path if path is not None else '<stdout>'}",
        "Upload it in REDCap under Project Setup > Data Dictionary; REDCap adds"
        f" {form}_complete (the form's status) itself.",
        *(f"note: {note}" for note in dictionary.notes),
    ]
    sys.stderr.write("\n".join(lines) + "\n")


def run_import(dictionary_path: Path, output: str | None) -> None:
    """Write the questions of a rule file from a REDCap data dictionary; notes to stderr."""
    path = None if output in (None, "-") else Path(str(output))
    check_paths([("DICT.csv", dictionary_path)], [("--output", path)])
    _, text = read_text(dictionary_path, limit=MAX_DICTIONARY_BYTES, what=DICTIONARY)
    imported = import_questions(parse_dictionary(text, str(dictionary_path)))
    _write(path, imported.yaml())
    lines = [
        f"screener redcap import: {len(imported.questions)} questions from {dictionary_path}"
        f" -> {path if path is not None else '<stdout>'}",
        *(f"note: {plain(str(note))}" for note in imported.notes),
    ]
    sys.stderr.write("\n".join(lines) + "\n")


def run_map(dictionary_path: Path, rules: Path | None, output: str | None) -> None:
    """Write a proposed --map from a clinic's own dictionary to the rule set; a summary to
    stderr."""
    path = None if output in (None, "-") else Path(str(output))
    check_paths([("DICT.csv", dictionary_path), rules_input(rules)], [("--output", path)])
    ruleset = load_ruleset(rules)
    _, text = read_text(dictionary_path, limit=MAX_DICTIONARY_BYTES, what=DICTIONARY)
    proposed = propose_map(ruleset, parse_dictionary(text, str(dictionary_path)))
    _write(path, proposed.yaml())
    lines = [
        f"screener redcap map: {len(proposed.proposals)} of"
        f" {_slot_count(len(ruleset.slots), ruleset)} matched to fields of {dictionary_path}"
        f" -> {path if path is not None else '<stdout>'} (review it before use)",
    ]
    if proposed.unmapped:
        lines.append(
            f"no field for {len(proposed.unmapped)} of them (unknown in every record):"
            f" {', '.join(proposed.unmapped_words)}"
        )
    lines += [f"note: {plain(str(field))}" for field in proposed.skipped]
    sys.stderr.write("\n".join(lines) + "\n")
