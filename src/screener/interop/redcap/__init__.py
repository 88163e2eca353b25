"""REDCap: a data dictionary from a rule set, and REDCap data dictionaries and record exports
read back as canonical answer cells. Pure translations (text in, rows out): no file I/O.

- `columns`: the dictionary's column names (upload and API forms) and REDCap's naming rules
- `branching`: `ask_if` syntax trees as REDCap branching logic, guarded against blanks
- `dictionary`: RuleSet -> data dictionary rows
- `dictionary_read`: data dictionary CSV text -> fields
- `export_rows`: a record export -> canonical records, one per record (and event)
"""
