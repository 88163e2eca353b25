"""`screener redcap dictionary`: the rule file as a REDCap data dictionary (CSV, for upload)."""

from __future__ import annotations

import sys
from pathlib import Path

from screener.files.write import check_paths, write_atomic
from screener.interop.redcap.dictionary import RECORD_ID, VERSION_FIELD, build_dictionary
from screener.rulefile.load import load_ruleset, rules_input


def run_dictionary(rules: Path | None, output: str | None, form: str) -> None:
    """Write the data dictionary to `output` (stdout for None or '-'); a summary to stderr."""
    path = None if output in (None, "-") else Path(str(output))
    check_paths([rules_input(rules)], [("--output", path)])
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
