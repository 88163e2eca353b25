"""pyarrow would import pandas (32 MB, 0.2 s) the first time it turns Python values into an
array, merely to check for pandas objects; a batch or diff never loads it, installed or not.
A stand-in `pandas` package on the path stands for an installed one: it leaves a mark when it
is imported."""

from __future__ import annotations

import csv
import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from screener.columnar import arrow_runtime
from screener.rulefile.load import load_ruleset

from .conftest import CLEAR_ANSWERS, FROZEN_RULES


@pytest.fixture
def stand_in_pandas(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(the folder holding the stand-in package, the mark it leaves when imported)."""
    folder = tmp_path / "site"
    (folder / "pandas").mkdir(parents=True)
    mark = tmp_path / "pandas-was-imported"
    (folder / "pandas" / "__init__.py").write_text(
        f"open({str(mark)!r}, 'w').close()\n__version__ = '0.0'\n"
    )
    yield folder, mark


def _export(tmp_path: Path) -> Path:
    questions = [q.id for q in load_ruleset(FROZEN_RULES).questions]
    path = tmp_path / "export.csv"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["intake_id", *questions])
        writer.writerow(["P-1", *(CLEAR_ANSWERS.get(q, "") for q in questions)])
    return path


@pytest.mark.parametrize("command", ["batch", "diff"])
def test_a_batch_or_diff_never_loads_pandas_even_where_it_is_installed(
    tmp_path: Path, stand_in_pandas: tuple[Path, Path], command: str
) -> None:
    folder, mark = stand_in_pandas
    export = _export(tmp_path)
    args = (
        ["batch", str(export), "-o", str(tmp_path / "out.csv")]
        if command == "batch"
        else ["diff", str(FROZEN_RULES), str(FROZEN_RULES), "--data", str(export)]
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-m", "screener", *args, "--rules", str(FROZEN_RULES)]
        if command == "batch"
        else [sys.executable, "-m", "screener", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert not mark.exists()


def test_pandas_imports_as_usual_once_the_last_reader_closes(
    stand_in_pandas: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, mark = stand_in_pandas
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, "pandas", raising=False)
    arrow_runtime.enter()
    arrow_runtime.enter()
    try:
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module("pandas")
        arrow_runtime.leave()
        with pytest.raises(ModuleNotFoundError):  # one reader is still open
            importlib.import_module("pandas")
    finally:
        arrow_runtime.leave()
    assert importlib.import_module("pandas").__version__ == "0.0"
    assert mark.exists()
