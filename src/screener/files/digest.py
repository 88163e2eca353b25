"""The SHA-256 of a file's bytes, as hex: how a rule file is named in every summary, and how
its cache entry is found.

CPython's own SHA-256 module loads in about a tenth of the time `hashlib` takes, which loads
OpenSSL (3.8-6.3 ms against 0.6 ms on the project's machine, `python -X importtime`), and
`screener score` needs nothing else of it. The digest is the same (`tests/test_rule_file_cache.py`);
where that module is missing (another Python), `hashlib`'s is used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Hash(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def hexdigest(self) -> str: ...


def _constructor() -> Callable[[bytes], Hash]:
    try:
        from _sha256 import sha256  # type: ignore[import-not-found]  # CPython 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found]  # CPython 3.12 and later
        except ImportError:
            from hashlib import sha256
    return sha256  # type: ignore[no-any-return]


sha256 = _constructor()


def sha256_hex(data: bytes) -> str:
    return sha256(data).hexdigest()
