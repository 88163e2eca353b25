"""How Arrow runs while an export is read: its jemalloc pool, and pandas kept out.

- Arrow's jemalloc pool hands memory back between blocks; its default (mimalloc) keeps about
  40 MB more at the peak here. Not every build of pyarrow has it.
- pyarrow imports pandas, when it is installed, the first time it turns Python values into an
  array (to tell whether they are pandas objects): 32 MB and 0.2 s that screener never uses.
  While a reader is open, `import pandas` fails for pyarrow, which then does without it; once
  the last reader closes, pandas imports as usual. A process that has imported pandas already
  keeps it (nothing is unloaded).
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

import pyarrow as pa

_PANDAS = "pandas"


class _PandasRefused:
    """A module finder that refuses pandas (and only pandas)."""

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name == _PANDAS or name.startswith(_PANDAS + "."):
            raise ModuleNotFoundError("screener's export readers do not use pandas", name=name)
        return None


_REFUSER = _PandasRefused()
_open_readers = 0


def enter() -> None:
    """A reader opens: the jemalloc pool, and pandas refused (until the last reader closes)."""
    global _open_readers
    with contextlib.suppress(NotImplementedError):
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    _open_readers += 1
    if _open_readers == 1 and _PANDAS not in sys.modules:
        sys.meta_path.insert(0, _REFUSER)


def leave() -> None:
    """A reader closes."""
    global _open_readers
    _open_readers = max(0, _open_readers - 1)
    if not _open_readers:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(_REFUSER)


__all__ = ["enter", "leave"]
