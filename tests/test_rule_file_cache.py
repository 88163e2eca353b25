"""A rule file checked once loads from the cache while its bytes stay the same, and gives the
very same RuleSet, summaries and messages; a damaged entry is never used."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from screener.commands.score import render
from screener.core.frozen import field_names, is_record
from screener.core.model import RuleSet
from screener.core.problems import Problem, RuleFileError
from screener.core.scoring import score_raw
from screener.formats.answers_file import parse_answers_text
from screener.formats.occasion import Occasion
from screener.rulefile import cache
from screener.rulefile.cache_codec import unlisted_fields
from screener.rulefile.load import load_ruleset, load_ruleset_bytes, load_ruleset_with_warnings

from .conftest import EXAMPLES, FIXTURES, FROZEN_RULES, ROOT

BUNDLED = ROOT / "src" / "screener" / "data" / "rules.yaml"
TWO_LANGUAGES = FIXTURES / "rules_es.yaml"
RULE_FILES = [
    FROZEN_RULES,
    FIXTURES / "rules_v2.yaml",
    FIXTURES / "rules_default_v2.yaml",
    TWO_LANGUAGES,
    BUNDLED,
]


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache folder for this test (XDG_CACHE_HOME); the entries go to its screener/."""
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv(cache.CACHE_VARIABLE, raising=False)
    return home


def entries(home: Path) -> list[Path]:
    folder = home / "screener"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def shape(value: object) -> object:
    """A value with every field of every model (also those left out of ==, such as a choice's
    facts), and compiled conditions as a marker (their trees are compared instead)."""
    if is_record(value):
        return (
            type(value).__name__,
            {name: shape(getattr(value, name)) for name in field_names(value)},
        )
    if isinstance(value, (list, tuple)):
        return [shape(item) for item in value]
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if callable(value) and not isinstance(value, type):
        return "<compiled>"
    return (type(value).__name__, value)


def load_twice(path: Path) -> tuple[RuleSet, RuleSet]:
    """(checked in full, then from the entry that load wrote)."""
    (checked, _), (hit, _) = load_twice_with_warnings(path)
    return checked, hit


Loaded = tuple[RuleSet, list[Problem]]


def load_twice_with_warnings(path: Path) -> tuple[Loaded, Loaded]:
    checked = load_ruleset_with_warnings(path)
    hit = cache.cached_ruleset(path.read_bytes(), str(path))
    assert hit is not None, "the first load wrote no usable entry"
    return checked, hit


def test_every_field_of_the_rule_model_is_stored_or_rebuilt_by_the_cache() -> None:
    # A field added to the model must go into its table in rulefile/cache_codec.py.
    assert unlisted_fields() == {}


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_a_rule_file_from_the_cache_is_the_rule_set_checked_in_full(
    cache_home: Path, path: Path
) -> None:
    (checked, warnings), (hit, hit_warnings) = load_twice_with_warnings(path)
    uncached = load_ruleset_bytes(path.read_bytes(), str(path))
    assert shape(hit) == shape(uncached) == shape(checked)
    assert hit.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert hit_warnings == warnings


def test_a_rule_file_s_warnings_come_from_the_cache_as_validate_printed_them(
    cache_home: Path, tmp_path: Path
) -> None:
    rules = tmp_path / "two-languages.yaml"
    text = TWO_LANGUAGES.read_text()
    assert "        help: En años cumplidos.\n" in text
    rules.write_text(text.replace("        help: En años cumplidos.\n", ""))
    (_, warnings), (_, hit_warnings) = load_twice_with_warnings(rules)
    assert [str(w) for w in warnings] == [str(w) for w in hit_warnings]
    assert len(warnings) == 1
    assert str(warnings[0]).startswith(f"{rules}:")
    assert str(warnings[0]).endswith("questions[0] (age).help: warning: no 'es' translation")
    copy = tmp_path / "copy.yaml"
    copy.write_bytes(rules.read_bytes())
    _, from_copy = load_ruleset_with_warnings(copy)  # the same entry, under the copy's name
    assert [str(w) for w in from_copy] == [str(w).replace(str(rules), str(copy)) for w in warnings]


def test_pinned_choice_codes_come_from_the_cache_as_written(
    cache_home: Path, tmp_path: Path
) -> None:
    rules = tmp_path / "codes.yaml"
    text = (FIXTURES / "rules_v2.yaml").read_text()
    for old, new in (
        ("label: Sertraline,", "label: Sertraline, code: 7,"),
        ("label: Lithium,", "label: Lithium, code: LI_2,"),
    ):
        assert old in text
        text = text.replace(old, new)
    rules.write_text(text)
    checked, hit = load_twice(rules)
    assert shape(hit) == shape(checked)
    codes = {c.value: c.code for q in hit.slots for c in q.choices if c.code is not None}
    assert codes == {"sertraline": "7", "lithium": "LI_2"}


def occasion() -> Occasion:
    return Occasion("INT-1", datetime(2026, 12, 1, 9, 30, tzinfo=UTC), "tester")


@pytest.mark.parametrize("answers", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_summary_from_a_cached_rule_set_is_byte_for_byte_the_same(
    cache_home: Path, answers: Path
) -> None:
    checked, hit = load_twice(FROZEN_RULES)
    raw = parse_answers_text(answers.read_text(), str(answers)).raw
    for fmt in ("text", "json", "markdown"):
        outputs = [
            render(rules, score_raw(rules, raw, answers.name), fmt, occasion(), color=False)
            for rules in (checked, hit)
        ]
        assert outputs[0] == outputs[1], fmt


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "screener", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )


def without_time(text: str) -> str:
    return re.sub(r"Screened \d{4}-\d\d-\d\d \d\d:\d\d", "Screened <time>", text)


def test_screener_score_prints_the_same_summary_from_the_cache_as_without_it(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    env = {"XDG_CACHE_HOME": str(home), "SCREENER_CACHE": ""}
    answers = str(EXAMPLES / "needs_review.yaml")
    first = run_cli("score", answers, "--by", "tester", env=env)
    assert len(entries(home)) == 1
    again = run_cli("score", answers, "--by", "tester", env=env)
    off = run_cli("score", answers, "--by", "tester", env={**env, "SCREENER_CACHE": "off"})
    assert first.returncode == again.returncode == off.returncode == 0
    assert without_time(first.stdout) == without_time(again.stdout) == without_time(off.stdout)
    assert first.stderr == again.stderr == off.stderr == ""
    checked = run_cli("validate", env=env)
    assert checked.returncode == 0
    assert checked.stdout == run_cli("validate", env={**env, "SCREENER_CACHE": "off"}).stdout


def test_screener_validate_warns_and_refuses_the_same_from_the_cache(tmp_path: Path) -> None:
    rules = tmp_path / "two-languages.yaml"
    rules.write_text(TWO_LANGUAGES.read_text().replace("        help: En años cumplidos.\n", ""))
    env = {"XDG_CACHE_HOME": str(tmp_path / "home"), "SCREENER_CACHE": ""}
    off = {**env, "SCREENER_CACHE": "off"}
    for args in (["validate", str(rules)], ["validate", "--strict", str(rules)]):
        runs = [run_cli(*args, env=env), run_cli(*args, env=env), run_cli(*args, env=off)]
        assert len(entries(tmp_path / "home")) == 1
        assert {(r.returncode, r.stdout, r.stderr) for r in runs} == {
            (runs[0].returncode, runs[0].stdout, runs[0].stderr)
        }
        assert "warning: no 'es' translation" in runs[0].stderr
        assert runs[0].returncode == (1 if "--strict" in args else 0)


def entry_of(home: Path) -> Path:
    (entry,) = entries(home)
    return entry


def rewrite_payload(entry: Path, change: Callable[[dict[str, object]], None]) -> None:
    """Change the entry's JSON and make its header agree, as a careful hand would."""
    head, payload = entry.read_bytes().split(b"\n", 1)
    data = json.loads(payload)
    change(data)
    new = json.dumps(data).encode()
    header = json.loads(head)
    header["payload_sha256"] = hashlib.sha256(new).hexdigest()
    entry.write_bytes(json.dumps(header).encode() + b"\n" + new)


def first_rule(data: dict[str, object]) -> dict[str, object]:
    ruleset = data["ruleset"]
    assert isinstance(ruleset, dict)
    rules = ruleset["rules"]
    assert isinstance(rules, list)
    rule = rules[0]
    assert isinstance(rule, dict)
    return rule


def truncated(entry: Path) -> None:
    entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])


def flipped_byte(entry: Path) -> None:
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0x01
    entry.write_bytes(bytes(data))


def other_version(entry: Path) -> None:
    head, payload = entry.read_bytes().split(b"\n", 1)
    header = json.loads(head)
    header["screener"] = "0.0.0"
    entry.write_bytes(json.dumps(header).encode() + b"\n" + payload)


def other_format(entry: Path) -> None:
    head, payload = entry.read_bytes().split(b"\n", 1)
    entry.write_bytes(head.replace(b'"format":1', b'"format":0') + b"\n" + payload)


def edited_without_the_header(entry: Path) -> None:
    content = entry.read_bytes()
    assert b'"label":"' in content
    entry.write_bytes(content.replace(b'"label":"', b'"label":"edited ', 1))


def condition_naming_no_question(entry: Path) -> None:
    rewrite_payload(entry, lambda data: first_rule(data).update(when_text="no_such_answer > 1"))


def value_of_another_type(entry: Path) -> None:
    rewrite_payload(entry, lambda data: first_rule(data).update(label=7))


def unknown_key(entry: Path) -> None:
    rewrite_payload(entry, lambda data: first_rule(data).update(run="os.system('x')"))


def no_json(entry: Path) -> None:
    entry.write_bytes(b"\x80\x04\x95 not json at all\n")


def readable_by_others(entry: Path) -> None:
    entry.chmod(0o644)


DAMAGE = [
    truncated,
    flipped_byte,
    other_version,
    other_format,
    edited_without_the_header,
    condition_naming_no_question,
    value_of_another_type,
    unknown_key,
    no_json,
    readable_by_others,
]


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_a_damaged_cache_entry_is_ignored_and_written_again(
    cache_home: Path, damage: Callable[[Path], None]
) -> None:
    checked = load_ruleset(FROZEN_RULES)
    entry = entry_of(cache_home)
    sound = entry.read_bytes()
    damage(entry)
    assert cache.cached_ruleset(FROZEN_RULES.read_bytes(), str(FROZEN_RULES)) is None
    again = load_ruleset(FROZEN_RULES)
    assert shape(again) == shape(checked)
    assert entry.read_bytes() == sound
    assert entry.stat().st_mode & 0o777 == 0o600


def test_a_link_planted_at_the_entry_is_replaced_not_followed(
    cache_home: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    folder = cache_home / "screener"
    folder.mkdir(parents=True, mode=0o700)
    entry = cache.entry_path(folder, FROZEN_RULES.read_bytes())
    entry.symlink_to(victim)
    load_ruleset(FROZEN_RULES)
    assert victim.read_text() == "keep me"
    assert not entry.is_symlink()
    assert cache.cached_ruleset(FROZEN_RULES.read_bytes(), "x") is not None


def test_entries_are_owner_only_in_an_owner_only_folder(cache_home: Path) -> None:
    load_ruleset(FROZEN_RULES)
    assert (cache_home / "screener").stat().st_mode & 0o777 == 0o700
    assert entry_of(cache_home).stat().st_mode & 0o777 == 0o600


def test_a_cache_folder_others_can_write_to_is_not_used(cache_home: Path) -> None:
    folder = cache_home / "screener"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    load_ruleset(FROZEN_RULES)
    assert entries(cache_home) == []
    assert cache.cached_ruleset(FROZEN_RULES.read_bytes(), "x") is None


@pytest.fixture
def unwritable_cache(tmp_path: Path) -> Iterator[dict[str, str]]:
    # A file where the folder should be: nothing can be made under it, even by root.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    yield {"XDG_CACHE_HOME": str(blocker), "SCREENER_CACHE": ""}
    assert blocker.read_text() == ""


def test_a_cache_folder_that_cannot_be_made_is_skipped_without_a_word(
    unwritable_cache: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in unwritable_cache.items():
        monkeypatch.setenv(key, value)
    assert load_ruleset(FROZEN_RULES).name
    done = run_cli("score", str(EXAMPLES / "likely_eligible.yaml"), env=unwritable_cache)
    assert done.returncode == 0
    assert done.stderr == ""
    assert "LIKELY ELIGIBLE" in done.stdout


def test_the_cache_never_holds_answers(tmp_path: Path, clear_answers: dict[str, object]) -> None:
    home = tmp_path / "home"
    answers = tmp_path / "answers.json"
    clear_answers.update(intake_id="INTAKE-ZQX-4711", bp_systolic="131", bp_diastolic="87")
    answers.write_text(json.dumps(clear_answers))
    by = "Coordinator Zed"
    env = {"XDG_CACHE_HOME": str(home)}
    done = run_cli("score", str(answers), "--by", by, "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    assert "INTAKE-ZQX-4711" in done.stdout
    assert "131" in done.stdout
    (entry,) = entries(home)
    # The header's digests are hex: the digits of an answer may turn up in them by chance.
    content = re.sub(r"\b[0-9a-f]{12,64}\b", "<digest>", entry.read_text())
    for value in ("INTAKE-ZQX-4711", by, "131", "87", answers.name):
        assert value not in FROZEN_RULES.read_text()
        assert value not in content


def test_a_rule_file_changed_by_one_byte_is_checked_again(cache_home: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    text = FROZEN_RULES.read_bytes()
    rules.write_bytes(text)
    before = load_ruleset(rules)
    changed = text.replace(b"name: ", b"name: X", 1)
    assert len(changed) == len(text) + 1
    rules.write_bytes(changed)
    after = load_ruleset(rules)
    assert after.name == "X" + before.name
    assert after.sha256 == hashlib.sha256(changed).hexdigest()
    assert len(entries(cache_home)) == 2
    # One byte more that breaks the file: the located error, as without a cache.
    broken = changed.replace(b"when: ", b"when: (", 1)
    rules.write_bytes(broken)
    with pytest.raises(RuleFileError) as raised:
        load_ruleset(rules)
    assert re.match(rf"{re.escape(str(rules))}:\d+:\d+: ", raised.value.lines()[0])
    assert len(entries(cache_home)) == 2


def test_a_rule_file_with_problems_is_never_cached(cache_home: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_bytes(FROZEN_RULES.read_bytes().replace(b"action: ", b"action: x", 1))
    for _ in range(2):
        with pytest.raises(RuleFileError):
            load_ruleset(rules)
    assert entries(cache_home) == []


@pytest.mark.parametrize("off", ["off", "0", "no", "OFF"])
def test_screener_cache_off_neither_reads_nor_writes_entries(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch, off: str
) -> None:
    load_ruleset(FROZEN_RULES)
    entry = entry_of(cache_home)
    truncated(entry)
    damaged = entry.read_bytes()
    monkeypatch.setenv(cache.CACHE_VARIABLE, off)
    assert load_ruleset(FROZEN_RULES).name
    assert entry.read_bytes() == damaged
    assert cache.cached_ruleset(FROZEN_RULES.read_bytes(), "x") is None


def test_the_same_bytes_at_another_path_share_the_entry_under_their_own_name(
    cache_home: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "clinic.yaml"
    copy.write_bytes(FROZEN_RULES.read_bytes())
    load_ruleset(FROZEN_RULES)
    from_copy = load_ruleset(copy)
    assert len(entries(cache_home)) == 1
    assert from_copy.source_name == str(copy)


def test_a_change_to_the_loader_s_code_gives_new_keys(tmp_path: Path) -> None:
    # A checkout whose checks changed without a new version must not use the old entries.
    code = tmp_path / "rulefile"
    code.mkdir()
    (code / "load.py").write_text("CHECKS = 1\n")
    before = cache.loader_fingerprint((code,))
    assert cache.loader_fingerprint((code,)) == before
    (code / "load.py").write_text("CHECKS = 12\n")
    edited = cache.loader_fingerprint((code,))
    assert edited != before
    (code / "new_check.py").write_text("")
    assert cache.loader_fingerprint((code,)) not in (before, edited)
    name = cache.entry_path(tmp_path, b"rules").name
    assert name.startswith(f"rules-{cache.FORMAT}-")
    assert cache.loader_fingerprint() in name


def test_entries_of_the_same_file_from_another_version_are_removed(cache_home: Path) -> None:
    folder = cache_home / "screener"
    folder.mkdir(parents=True, mode=0o700)
    digest = hashlib.sha256(FROZEN_RULES.read_bytes()).hexdigest()
    older = folder / f"rules-1-0.0.9-0123456789ab-{digest}.json"
    other_file = folder / f"rules-1-0.0.9-0123456789ab-{'0' * 64}.json"
    older.write_text("{}")
    other_file.write_text("{}")
    load_ruleset(FROZEN_RULES)
    assert not older.exists()
    assert other_file.exists()
    assert entries(cache_home) == sorted(
        [other_file, cache.entry_path(folder, FROZEN_RULES.read_bytes())]
    )


def test_the_rule_files_digest_is_its_sha256_in_one_piece_or_many() -> None:
    from screener.files.digest import sha256, sha256_hex

    content = FROZEN_RULES.read_bytes()
    assert sha256_hex(content) == hashlib.sha256(content).hexdigest()
    pieces = sha256(content[:1000])
    pieces.update(content[1000:])
    assert pieces.hexdigest() == hashlib.sha256(content).hexdigest()
