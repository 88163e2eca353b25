"""One atomic writer (files.write.AtomicFile) writes every file: a temporary file beside the
target, owner-only while it is written, fsync'ed before the rename, removed on any failure;
a failure to write is an OutputFileError (exit 1) with one clear message, stdout included."""

from __future__ import annotations

import errno
import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

from screener.core.problems import InputFileError, OutputExists, OutputFileError
from screener.files.write import AtomicFile, write_atomic

from ..conftest import EXAMPLES, FIXTURES, FROZEN_RULES, ROOT
from ..test_screen_pty import installed_screener

SOURCE = ROOT / "src" / "screener"
# Anything that creates, replaces or renames a file.
WRITES = re.compile(
    r"mkstemp|os\.replace|os\.rename|os\.link|\.write_text\(|\.write_bytes\("
    r"|os\.open\((?![^)]*O_RDONLY[^)]*\))"  # os.open for reading only is not a write
    r"|open\([^)]*['\"][wax]b?['\"]|shutil\.(copy|move)"
)


def test_only_files_write_creates_or_replaces_files() -> None:
    found = [
        f"{path.relative_to(SOURCE)}:{number}: {line.strip()}"
        for path in SOURCE.rglob("*.py")
        if path.relative_to(SOURCE) != Path("files/write.py")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if WRITES.search(line)
    ]
    assert found == []


def _temps(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(("private", "mode"), [(True, 0o600), (False, 0o644)])
def test_the_temp_file_is_beside_the_target_and_owner_only_until_done(
    tmp_path: Path, private: bool, mode: int
) -> None:
    target = tmp_path / "out.txt"
    with AtomicFile(target, private=private) as output:
        output.write("text")
        (temp,) = _temps(tmp_path)
        assert temp.name.startswith(".out.txt.")
        assert stat.S_IMODE(temp.stat().st_mode) in (0o600, mode)
        assert not target.exists()
    assert target.read_text() == "text"
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert _temps(tmp_path) == []


def test_the_data_reaches_the_disk_before_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append("fsync")
        real_fsync(fd)

    def replace(a: str, b: Path) -> None:
        calls.append("replace")
        real_replace(a, b)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    write_atomic(tmp_path / "x.json", "{}")
    assert calls[:2] == ["fsync", "replace"]


def test_a_failed_write_is_an_output_error_and_leaves_the_target_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "x.json"
    target.write_text("before")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputFileError, match=r"x\.json: cannot write \(No space left on device\)"):
        write_atomic(target, "after")
    assert target.read_text() == "before"
    assert _temps(tmp_path) == []


def test_a_folder_that_cannot_be_written_is_an_output_error_not_an_input_error(
    tmp_path: Path,
) -> None:
    with pytest.raises(OutputFileError, match="cannot write here") as caught:
        AtomicFile(tmp_path / "gone" / "x.csv")
    assert not isinstance(caught.value, InputFileError)


def test_an_exclusive_file_never_replaces_one_that_appeared(tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    with pytest.raises(OutputExists), AtomicFile(target, exclusive=True) as output:
        output.write("mine")
        target.write_text("theirs")
    assert target.read_text() == "theirs"
    assert _temps(tmp_path) == []


def test_without_hard_links_an_exclusive_file_is_created_exclusively(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(a: object, b: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "record.json"
    write_atomic(target, "mine", exclusive=True)
    assert target.read_text() == "mine"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with pytest.raises(OutputExists):
        write_atomic(target, "again", exclusive=True)
    assert target.read_text() == "mine"
    assert _temps(tmp_path) == []


@pytest.mark.parametrize(
    "args",
    [
        ["score", str(EXAMPLES / "urgent.yaml")],
        ["score", str(EXAMPLES / "urgent.yaml"), "--format", "json"],
        ["validate"],
        ["batch", "EXPORT"],
        ["test", str(FIXTURES / "cases.yaml"), "--samples", "5"],
        ["diff", str(FROZEN_RULES), str(FROZEN_RULES), "--data", str(FIXTURES / "cases.yaml")],
        ["--help"],
    ],
    ids=lambda args: args[0],
)
def test_stdout_on_a_full_disk_is_one_clear_error(tmp_path: Path, args: list[str]) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    export = tmp_path / "export.csv"
    export.write_text("intake_id,age\nA1,42\n")
    args = [str(export) if a == "EXPORT" else a for a in args]
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [installed_screener(), *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert done.stderr.splitlines()[-1] == "error: <stdout>: cannot write (No space left on device)"
