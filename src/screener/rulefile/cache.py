"""The rule-file cache: a rule file checked once is not parsed and checked again while its bytes
stay the same.

Reading and checking a rule file (YAML, schema, conditions) takes most of a `screener score`.
After a rule file loads without a problem, its RuleSet is written as JSON (`cache_codec.py`)
to `$XDG_CACHE_HOME/screener/` (else `~/.cache/screener/`), in a file named for the format,
this screener's version, its loader's code and the sha256 of the rule file's bytes. The next
load of the same bytes, from any path, reads that entry instead. It holds the rule file's
content and the warnings `validate` prints for it (located, without the file's name), never
answers.
`SCREENER_CACHE=off` turns it off.

An entry is used only when it is sound; anything else is ignored (the rule file is read in
full, and the entry written again):

- a regular file, not a link, owned by this user and readable by no one else, in a folder
  that is this user's and that no one else can write to;
- a header line naming the format, the version and the rule file's sha256, and the sha256
  of the rest (a truncated or altered entry fails it);
- JSON of exactly the fields the codec writes, each of its type; every condition is parsed
  and checked again by the core's parser and checker.

Entries are written with the atomic writer, owner-only. A cache folder that cannot be made or
written is skipped without a word: the cache only saves time.
"""

from __future__ import annotations

import functools
import json
import os
import stat
from pathlib import Path

from screener import __version__
from screener.core.limits import MAX_RULE_FILE_BYTES
from screener.core.model import RuleSet
from screener.core.problems import OutputFileError, Problem
from screener.files.digest import sha256, sha256_hex
from screener.files.read import is_private_folder, read_private
from screener.files.write import write_atomic
from screener.rulefile.cache_codec import decode_entry, encode_entry

LOADERS = ("core", "files", "rulefile")

# The code a RuleSet is read, checked and rebuilt by. An entry is keyed by this code's files
# (name, size, modification time) as well as the version, so that a checkout whose loader
# changed (a new check) without a new version number never uses what the old code accepted.
LOADER_FOLDERS = tuple(Path(__file__).resolve().parent.parent / name for name in LOADERS)
CACHE_VARIABLE = "SCREENER_CACHE"
OFF = frozenset({"off", "0", "no", "false"})
FORMAT = 1  # raise when the entry's layout or meaning changes
MAX_ENTRY_BYTES = 16 * MAX_RULE_FILE_BYTES  # JSON of a rule file is a few times its size


def cache_folder() -> Path | None:
    """Where entries live; None when the cache is turned off."""
    if os.environ.get(CACHE_VARIABLE, "").strip().lower() in OFF:
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG rule: a relative path is ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "screener" if os.path.isabs(base) else None  # no home: no cache


def loader_fingerprint(folders: tuple[Path, ...] | None = None) -> str:
    """12 hex digits that change with the version and with any file of the loader's code."""
    digest = sha256(f"{FORMAT} {__version__}".encode())
    for folder in LOADER_FOLDERS if folders is None else folders:
        for parent, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(f for f in files if f.endswith(".py")):
                try:
                    info = os.stat(os.path.join(parent, name))
                except OSError:
                    continue
                where = os.path.relpath(os.path.join(parent, name), folder)
                digest.update(f"{where} {info.st_size} {info.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:12]


@functools.cache
def _this_loader() -> str:
    return loader_fingerprint()


def entry_path(folder: Path, content: bytes) -> Path:
    digest = sha256_hex(content)
    return folder / f"rules-{FORMAT}-{__version__}-{_this_loader()}-{digest}.json"


def _read_entry(path: Path) -> bytes | None:
    """The entry's bytes, when it and its folder are this user's alone."""
    return read_private(path, MAX_ENTRY_BYTES)


def _header(content: bytes, payload: bytes) -> dict[str, object]:
    return {
        "format": FORMAT,
        "screener": __version__,
        "loader": _this_loader(),
        "rules_sha256": sha256_hex(content),
        "payload_sha256": sha256_hex(payload),
    }


def cached_ruleset(content: bytes, name: str) -> tuple[RuleSet, list[Problem]] | None:
    """The RuleSet and warnings of these rule-file bytes from the cache, or None (no sound
    entry)."""
    folder = cache_folder()
    if folder is None:
        return None
    data = _read_entry(entry_path(folder, content))
    if data is None:
        return None
    head, _, payload = data.partition(b"\n")
    try:
        if json.loads(head) != _header(content, payload):
            return None
        return decode_entry(json.loads(payload), sha256_hex(content), name)
    except Exception:
        # BadEntry, ConditionSyntaxError, JSON's ValueError and RecursionError, and whatever
        # an entry crafted to pass the checks could raise: the rule file is read in full.
        return None


def remember_ruleset(content: bytes, ruleset: RuleSet, warnings: list[Problem]) -> None:
    """Write the entry for a rule file that loaded without a problem (best effort), with its
    warnings (as `validate` prints them)."""
    folder = cache_folder()
    if folder is None:
        return
    payload = json.dumps(encode_entry(ruleset, warnings), separators=(",", ":"))
    header = json.dumps(_header(content, payload.encode()), separators=(",", ":"))
    path = entry_path(folder, content)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not is_private_folder(folder):
            return
        if os.path.lexists(path) and not stat.S_ISREG(os.lstat(path).st_mode):
            os.unlink(path)  # a link or anything else: replaced by a file, never followed
        write_atomic(path, f"{header}\n{payload}", private=True)
        # Entries of the same bytes from another version or loader will not be read again.
        for old in folder.glob(f"rules-*-{sha256_hex(content)}.json"):
            if old != path:
                old.unlink()
    except (OSError, OutputFileError):
        return
