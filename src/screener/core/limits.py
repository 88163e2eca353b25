"""Every limit on input, in one place.

A file or value past a limit is refused with one clear message; it is never cut short and
used. The numbers are far above anything a clinic writes by hand (the bundled rule file is
about 20 KB, 900 YAML nodes, conditions at most 3 levels deep) and low enough that the worst
input still loads in seconds and a little memory.
"""

from __future__ import annotations

KIB = 1024
MIB = 1024 * KIB

# Bytes of a file read whole (YAML or JSON). CSV exports are streamed and have no size limit.
MAX_RULE_FILE_BYTES = 2 * MIB
MAX_ANSWERS_BYTES = 1 * MIB
MAX_MAP_BYTES = 1 * MIB
MAX_CASES_BYTES = 2 * MIB
MAX_DICTIONARY_BYTES = 8 * MIB  # a REDCap data dictionary (large projects have thousands of fields)

# A YAML document: nodes (every key, value and item) and levels of nested lists and mappings.
MAX_YAML_NODES = 200_000
MAX_YAML_DEPTH = 32

# A condition: levels of brackets, parentheses and `not` inside each other.
MAX_CONDITION_DEPTH = 32

# Digits in a number (on each side of a decimal point). 18 digits always fit in a signed
# 64-bit integer, for every system a record is passed on to.
MAX_NUMBER_DIGITS = 18

# Items of one list question (`max_items`).
MAX_LIST_ITEMS = 50

# Characters of one answer (a CSV cell, a value in an answers file, a typed answer).
MAX_ANSWER_CHARS = 10_000

# A CSV export: characters in one cell, and in one physical line (a longer line makes its
# record invalid and the run goes on); a line past MAX_CSV_SKIP_CHARS stops the run.
MAX_CSV_FIELD_CHARS = 1 * MIB
MAX_CSV_SKIP_CHARS = 64 * MIB
# A CSV export: bytes of one record, all its lines (a quote never closed would make one record
# of the rest of the file); past it the run stops.
MAX_CSV_RECORD_BYTES = 4 * MIB
# Columns of a CSV export's header (the canonical export has 90; a whole REDCap project's
# export a few thousand). Each column costs memory in the reader however short its cells:
# about 180 MB at 10,000 columns, so a small file of 100,000 empty columns cannot take 1 GB.
MAX_CSV_COLUMNS = 10_000


def size_text(limit: int) -> str:
    """`2 MiB (2,097,152 bytes)`."""
    unit = f"{limit // MIB} MiB" if limit % MIB == 0 else f"{limit // KIB} KiB"
    return f"{unit} ({limit:,} bytes)"
