"""`screener screen`: the interview at a terminal."""
