"""`screener diff`: replay records under two rule files."""
