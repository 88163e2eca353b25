"""`screener batch`: score a whole export."""
