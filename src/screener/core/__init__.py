"""The functional core: pure, no I/O.

It imports nothing from screener outside `core`, and no UI, array or dataframe library.
"""
