"""`screener test`: rule cases, coverage and invariants."""
