"""No output option can destroy an input or another output, however the path is spelled; a
target that is not a regular file is written through, never replaced; a record or draft never
replaces a file, even one created while the interview ran."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from screener.cli import app
from screener.commands.screen import flow
from screener.commands.screen.command import ScreenOptions, run_screen
from screener.core.model import RuleSet
from screener.core.problems import ScreenerError
from screener.errors import exit_code_for
from screener.files.write import check_paths

from ..conftest import CLEAR_ANSWERS, EXAMPLES, FIXTURES, FROZEN_RULES
from ..interview_keys import ENTER, drive, interview, interview_keys

runner = CliRunner()
DOCUMENTED_EXIT_CODES = {0, 1, 2, 3, 4}
SCORE_IT = "s"  # on the review page: score it


def _export_text() -> str:
    header = ["intake_id", *("Age" if q == "age" else q for q in CLEAR_ANSWERS)]
    rows = [[f"A{i}", *CLEAR_ANSWERS.values()] for i in range(3)]
    rows.append(["A9", *({**CLEAR_ANSWERS, "age": "old"}).values()])  # one invalid record
    return "".join(",".join(row) + "\n" for row in [header, *rows])


def _draft_text(rules: RuleSet) -> str:
    answers: dict[str, object] = {q: a for q, a in interview() if not isinstance(a, list)}
    answers["current_medications"] = ["none"]
    return json.dumps(
        {
            "schema": "screener.draft/1",
            "intake_id": "D-1",
            "saved_at": "2026-11-25T14:39:02+00:00",
            "ruleset": {"name": rules.name, "version": rules.version, "sha256": rules.sha256},
            "answers": answers,
        }
    )


def make_inputs(folder: Path, rules: RuleSet) -> dict[str, Path]:
    """Every kind of input file, in `folder`."""
    files = {
        "r.yaml": FROZEN_RULES.read_text(),
        "r2.yaml": FROZEN_RULES.read_text().replace("max: 260", "max: 250"),
        "a.yaml": (EXAMPLES / "needs_review.yaml").read_text(),
        "e.csv": _export_text(),
        "m.yaml": "Age: age\n",
        "c.yaml": (FIXTURES / "cases.yaml").read_text(),
        "d.json": _draft_text(rules),
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    (folder / "sub").mkdir()
    return {name: folder / name for name in files}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@contextlib.contextmanager
def inside(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


# ---- the commands, their inputs and their outputs ------------------------------------------


@dataclass(frozen=True)
class Command:
    name: str
    inputs: tuple[tuple[str, str], ...]  # (option, file); option "" = a positional argument
    outputs: tuple[str, ...]
    extra: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()  # what a fresh output's name ends in, per output


COMMANDS = [
    Command("score", (("", "a.yaml"), ("--rules", "r.yaml")), ("--output",), (), (".txt",)),
    Command(
        "batch",
        (("", "e.csv"), ("--rules", "r.yaml"), ("--map", "m.yaml")),
        ("--output", "--summary-json"),
        ("--format", "csv"),
        (".csv", ".json"),
    ),
    Command(
        "diff",
        (("", "r.yaml"), ("", "r2.yaml"), ("--data", "e.csv"), ("--map", "m.yaml")),
        ("--output",),
        (),
        (".csv",),
    ),
    Command(
        "test",
        (("", "c.yaml"), ("--rules", "r.yaml")),
        ("--junit",),
        ("--samples", "5"),
        (".xml",),
    ),
    Command(
        "screen",
        (("--rules", "r.yaml"), ("--resume", "d.json")),
        ("--save", "--markdown"),
        (),
        (".json", ".md"),
    ),
]
INPUT_FILES = sorted({f for c in COMMANDS for _, f in c.inputs})
SPELLINGS = ("plain", "dot", "absolute", "updown", "symlink", "hardlink")


def spell(folder: Path, name: str, how: str) -> str:
    """Another way of naming the file `name` in `folder` (the current directory)."""
    if how == "dot":
        return f"./{name}"
    if how == "absolute":
        return str(folder / name)
    if how == "updown":
        return f"sub/../{name}"
    if how in ("symlink", "hardlink"):
        alias = folder / f"{how}-{name}"
        if not alias.exists() and not alias.is_symlink():
            if how == "symlink":
                alias.symlink_to(name)
            elif (folder / name).exists():
                os.link(folder / name, alias)
            else:
                return name
        return alias.name
    return name


# A target: None (not given), ("fresh", k), ("input", file) or ("output", j: an earlier one).
Target = tuple[str, object] | None


def targets(command: Command) -> st.SearchStrategy[list[tuple[Target, str]]]:
    one = st.one_of(
        st.none(),
        st.tuples(st.just("fresh"), st.integers(0, 1)),
        st.tuples(st.just("input"), st.sampled_from([f for _, f in command.inputs])),
        st.tuples(st.just("output"), st.integers(0, len(command.outputs) - 1)),
    )
    return st.lists(
        st.tuples(one, st.sampled_from(SPELLINGS)),
        min_size=len(command.outputs),
        max_size=len(command.outputs),
    )


def resolve_targets(
    folder: Path, command: Command, drawn: list[tuple[Target, str]]
) -> tuple[list[str | None], bool]:
    """The path given for each output, and whether two of them (or one and an input) are one
    file, which must be refused."""
    names: list[str | None] = []
    files: list[str | None] = []  # the file each output names
    clash = False
    for index, (target, how) in enumerate(drawn):
        if target is None:
            names.append(None)
            files.append(None)
            continue
        kind, what = target
        if kind == "input":
            file = str(what)
        elif kind == "output" and isinstance(what, int) and what < index and files[what]:
            file = str(files[what])
        else:
            file = f"new{what if kind == 'fresh' else index}{command.suffixes[index]}"
        # An input named twice is the same file; a new file named twice is, too.
        clash = clash or file in {f for _, f in command.inputs} or file in files
        names.append(spell(folder, file, how))
        files.append(file)
    return names, clash


def run_command(folder: Path, command: Command, outputs: list[str | None], rules: RuleSet) -> int:
    if command.name == "screen":
        return run_screen_in(folder, outputs, rules)
    args = [command.name]
    for option, file in command.inputs:
        args += [file] if not option else [option, file]
    args += list(command.extra)
    for option, path in zip(command.outputs, outputs, strict=True):
        if path is not None:
            args += [option, path]
    result = runner.invoke(app, args)
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code


def run_screen_in(folder: Path, outputs: list[str | None], rules: RuleSet) -> int:
    save, markdown = (None if p is None else Path(p) for p in outputs)
    options = ScreenOptions(
        rules=Path("r.yaml"), resume=Path("d.json"), save=save, markdown=markdown
    )
    keys = SCORE_IT + ("n" if save is None and markdown is None else "")
    code: list[int] = []

    def action(console: Console) -> None:
        try:
            run_screen(options, console, require_terminal=False)
            code.append(0)
        except ScreenerError as exc:
            code.append(exit_code_for(exc))

    drive(keys, action)
    return code[0]


def check_nothing_destroyed(
    folder: Path, before: dict[str, bytes], command: Command, outputs: list[str | None]
) -> None:
    after = snapshot(folder)
    for name in INPUT_FILES:
        if name == "d.json" and name not in after and command.name == "screen":
            # A finished draft is removed once the saved record holds its answers.
            saved = [p for p in outputs[:1] if p is not None]
            assert saved, "the draft was removed, but no record was saved"
            assert json.loads(Path(folder / saved[0]).read_text())["intake_id"] == "D-1"
            continue
        assert after[name] == before[name], f"{name} changed"
    assert not [n for n in after if n.endswith(".tmp")]


@pytest.mark.parametrize("command", COMMANDS, ids=[c.name for c in COMMANDS])
@pytest.mark.timeout(600)  # 25 runs of each command; `test` builds invariant answer sets
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_output_option_ever_changes_an_input(
    command: Command, default_rules: RuleSet, data: st.DataObject
) -> None:
    drawn = data.draw(targets(command))
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name).resolve()
        make_inputs(folder, default_rules)
        with inside(folder):
            outputs, clash = resolve_targets(folder, command, drawn)
            before = snapshot(folder)
            code = run_command(folder, command, outputs, default_rules)
            assert code in DOCUMENTED_EXIT_CODES
            if clash:
                assert code == 2, (outputs, code)
            check_nothing_destroyed(folder, before, command, outputs)


# ---- the cases the first audit found -------------------------------------------------------


@pytest.fixture
def files(
    tmp_path: Path, default_rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Path]:
    monkeypatch.chdir(tmp_path)
    return make_inputs(tmp_path, default_rules)


@pytest.mark.parametrize(
    "args",
    [
        ["batch", "e.csv", "--map", "m.yaml", "-o", "o.csv", "--summary-json", "o.csv"],
        ["batch", "e.csv", "--map", "m.yaml", "-o", "m.yaml", "-f", "csv"],
        ["batch", "e.csv", "--map", "m.yaml", "--rules", "r.yaml", "--summary-json", "r.yaml"],
        ["batch", "e.csv", "--map", "m.yaml", "--summary-json", "m.yaml"],
        ["score", "a.yaml", "--rules", "r.yaml", "-o", "r.yaml"],
        ["score", "a.yaml", "-o", "a.yaml"],
        ["diff", "r.yaml", "r2.yaml", "--data", "e.csv", "--map", "m.yaml", "-o", "m.yaml"],
        ["test", "c.yaml", "--rules", "r.yaml", "--junit", "r.yaml"],
    ],
    ids=lambda args: " ".join(args),
)
def test_an_output_that_names_an_input_or_another_output_is_refused_before_any_work(
    files: dict[str, Path], tmp_path: Path, args: list[str]
) -> None:
    before = snapshot(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "never overwritten" in result.stderr or "name the same file" in result.stderr
    assert snapshot(tmp_path) == before


def test_the_rule_file_in_use_is_an_input_even_when_no_rules_option_names_it(
    files: dict[str, Path],
) -> None:
    # Tests read the rules from $SCREENER_RULES; without it, the bundled file is the input.
    before = FROZEN_RULES.read_bytes()
    result = runner.invoke(app, ["score", "a.yaml", "-o", str(FROZEN_RULES)])
    assert result.exit_code == 2
    assert "$SCREENER_RULES" in result.stderr
    assert FROZEN_RULES.read_bytes() == before


def test_check_paths_is_the_one_place_every_command_checks_its_outputs() -> None:
    # Each command module calls it once, with all its inputs and outputs.
    root = Path(__file__).resolve().parents[2] / "src" / "screener" / "commands"
    for module in ("score.py", "batch/command.py", "diff/command.py", "test/command.py"):
        assert (root / module).read_text().count("check_paths(") == 1, module
    screen = (root / "screen" / "command.py").read_text()
    assert "check_paths(_inputs(options)" in screen
    for source in root.rglob("*.py"):
        assert "mkstemp" not in source.read_text(), source
        assert "os.replace" not in source.read_text(), source


@pytest.mark.parametrize("target", ["/dev/null", "/dev/stdout"])
def test_a_device_is_written_through_never_replaced(
    files: dict[str, Path], tmp_path: Path, target: str
) -> None:
    if not os.path.exists(target):
        pytest.skip(f"no {target} here")
    mode = os.stat(target).st_mode
    result = runner.invoke(app, ["score", "a.yaml", "-f", "json", "-o", target])
    assert result.exit_code == 0, result.output
    assert os.stat(target).st_mode == mode  # still the device, not a new 0600 file
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    both = runner.invoke(
        app,
        ["batch", "e.csv", "--map", "m.yaml", "-f", "csv", "-o", target, "--summary-json", target],
    )
    assert both.exit_code == 3, both.output  # a stream may take two outputs: nothing is replaced
    assert os.stat(target).st_mode == mode


def test_batch_writes_csv_to_dev_null_without_a_format_option(files: dict[str, Path]) -> None:
    """A stream has no name ending to tell the format by: CSV, as on stdout."""
    result = runner.invoke(app, ["batch", "e.csv", "--map", "m.yaml", "-o", "/dev/null"])
    assert result.exit_code == 3, result.output  # e.csv has an invalid record
    assert "screener batch:" in result.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_fifo_is_written_through_never_replaced(files: dict[str, Path], tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = runner.invoke(app, ["score", "a.yaml", "-f", "json", "-o", str(fifo)])
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert json.loads(received[0])["outcome"] == "needs_review"


def test_a_block_device_or_socket_is_refused(files: dict[str, Path], tmp_path: Path) -> None:
    import socket

    path = tmp_path / "s"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        result = runner.invoke(app, ["score", "a.yaml", "-o", str(path)])
    finally:
        server.close()
    assert result.exit_code == 2
    assert "is a socket; name a file to write" in result.stderr


def test_a_link_to_a_file_is_followed_and_stays_a_link(
    files: dict[str, Path], tmp_path: Path
) -> None:
    (tmp_path / "real.txt").write_text("old")
    (tmp_path / "link.txt").symlink_to("real.txt")
    result = runner.invoke(app, ["score", "a.yaml", "-o", "link.txt"])
    assert result.exit_code == 0
    assert (tmp_path / "link.txt").is_symlink()
    assert "NEEDS CLINICIAN REVIEW" in (tmp_path / "real.txt").read_text()


def test_check_paths_refuses_one_file_named_twice_through_a_hard_link(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("x")
    os.link(tmp_path / "a", tmp_path / "b")
    with pytest.raises(ScreenerError, match="is an input file"):
        check_paths([("IN", tmp_path / "a")], [("--out", tmp_path / "b")])


# ---- the interview: one file per person -----------------------------------------------------


def _complete(rules: RuleSet) -> str:
    return interview_keys(rules, interview()) + SCORE_IT


def test_a_record_file_created_during_the_interview_is_never_replaced(
    tmp_path: Path, default_rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    import screener.commands.screen.command as command

    monkeypatch.chdir(tmp_path)
    record = tmp_path / "record.json"
    real_finish: Callable[..., object] = flow.finish

    def someone_else_saves_first(*args: object) -> object:
        record.write_text("another person's record")
        return real_finish(*args)

    monkeypatch.setattr(command, "finish", someone_else_saves_first)
    other = tmp_path / "record-2.json"
    run = drive(
        _complete(default_rules) + "\x15" + str(other) + ENTER,
        lambda console: run_screen(ScreenOptions(save=record), console, require_terminal=False),
    )
    assert run.error is None, run.screen
    assert record.read_text() == "another person's record"
    assert "record.json: already exists (created while this ran); it was not replaced" in run.screen
    assert json.loads(other.read_text())["screening"]["outcome"] == "likely_eligible"
    assert stat.S_IMODE(other.stat().st_mode) == 0o600


def test_reusing_an_intake_id_never_replaces_another_persons_draft(
    tmp_path: Path, default_rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    theirs = tmp_path / "screener-draft-X-1.json"
    theirs.write_text("another person's draft")
    result = runner.invoke(app, ["screen", "--intake-id", "X-1"])
    assert result.exit_code == 2
    assert "a draft for intake X-1 exists" in result.stderr
    assert theirs.read_text() == "another person's draft"


def test_a_draft_whose_name_was_taken_during_the_interview_gets_the_next_free_name(
    tmp_path: Path, default_rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    import screener.commands.screen.command as command

    monkeypatch.chdir(tmp_path)
    theirs = tmp_path / "screener-draft-X-2.json"
    real_record: Callable[..., object] = flow.record_answer

    def meanwhile(*args: object) -> object:
        if not theirs.exists():
            theirs.write_text("another person's draft")
        return real_record(*args)

    monkeypatch.setattr(command, "record_answer", meanwhile)
    run = drive(
        interview_keys(default_rules, interview()[:3]) + "\x03" + "y",
        lambda console: run_screen(ScreenOptions(intake_id="X-2"), console, require_terminal=False),
    )
    assert isinstance(run.error, KeyboardInterrupt)
    assert theirs.read_text() == "another person's draft"
    mine = tmp_path / "screener-draft-X-2-2.json"
    assert json.loads(mine.read_text())["intake_id"] == "X-2"
    assert "screener screen --resume screener-draft-X-2-2.json" in run.screen


def test_the_resumed_draft_is_the_one_file_a_draft_may_replace(
    tmp_path: Path, default_rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    draft = tmp_path / "d.json"
    draft.write_text(_draft_text(default_rules))
    shutil.copy(FROZEN_RULES, tmp_path / "r.yaml")
    run = drive(
        "1" + ENTER + "\x03" + "y",  # edit the first answer, then Ctrl-C
        lambda console: run_screen(ScreenOptions(resume=draft), console, require_terminal=False),
    )
    assert isinstance(run.error, KeyboardInterrupt)
    assert f"Draft saved to {draft}" in run.screen
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("d")] == ["d.json"]
