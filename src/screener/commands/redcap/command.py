"""`screener redcap dictionary`: the rule file as a REDCap data dictionary (CSV, for upload)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from screener.files.write import check_output_path, write_atomic
from screener.interop.redcap.dictionary import RECORD_ID, VERSION_FIELD, build_dictionary
from screener.rulefile.load import RULES_VARIABLE, load_ruleset


def _rules_path(rules: Path | None) -> Path | None:
    """The rule file that will be read, when it is a file of the user's (not the bundled one)."""
    if rules is not None:
        return rules
    named = os.environ.get(RULES_VARIABLE)
    return Path(named) if named else None


def run_dictionary(rules: Path | None, output: str | None, form: str) -> None:
    """Write the data dictionary to `output` (stdout for None or '-'); a summary to stderr."""
    path = None if output in (None, "-") else Path(str(output))
    source = _rules_path(rules)
    if path is not None:
        check_output_path(path, "--output", [source] if source is not None else [])
    ruleset = load_ruleset(rules)
    dictionary = build_dictionary(ruleset, form)
    text = dictionary.csv_text()
    if path is not None:
        write_atomic(path, text, private=False)  # the questions only, no one's answers
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    questions = len(dictionary.rows) - 2
    lines = [
        f"screener redcap dictionary: {ruleset.name} {ruleset.version}: {questions} questions"
        f" on form {form} (with {RECORD_ID} first and {VERSION_FIELD} last)"
        f" -> {path if path is not None else '<stdout>'}",
        "Upload it in REDCap under Project Setup > Data Dictionary; REDCap adds"
        f" {form}_complete (the form's status) itself.",
        *(f"note: {note}" for note in dictionary.notes),
    ]
    sys.stderr.write("\n".join(lines) + "\n")
