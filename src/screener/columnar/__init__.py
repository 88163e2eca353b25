"""Many records at once, column-wise (batch and diff).

Reading exports, matching headers, coding cells and scoring, held to `core.evaluate` by tests.
"""
