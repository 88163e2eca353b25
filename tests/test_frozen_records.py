"""Records (`core/frozen.py`) behave as the frozen dataclasses they replace: fields in order
with defaults, equality and hashing over the compared fields, no assignment, `replace`."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cached_property
from pathlib import Path

import pytest

from screener.core.frozen import (
    FrozenRecordError,
    field,
    field_names,
    is_record,
    record_class,
    replace,
)


@record_class
class Reading:
    systolic: int
    diastolic: int
    unit: str = "mmHg"
    notes: tuple[str, ...] = ()
    seen_by: list[str] = field(default_factory=list, compare=False)
    source: str = field(default="phone", repr=False, compare=False)

    @cached_property
    def high(self) -> bool:
        return self.systolic >= 180


@dataclass(frozen=True)
class ReadingDataclass:
    """The same fields as a frozen dataclass, to compare with."""

    systolic: int
    diastolic: int
    unit: str = "mmHg"
    notes: tuple[str, ...] = ()
    seen_by: list[str] = dataclass_field(default_factory=list, compare=False)
    source: str = dataclass_field(default="phone", repr=False, compare=False)


@record_class(frozen=False)
class Tally:
    name: str
    count: int = 0


def test_a_record_takes_its_fields_in_order_by_keyword_and_with_defaults() -> None:
    reading = Reading(120, diastolic=80)
    assert (reading.systolic, reading.diastolic, reading.unit, reading.notes) == (
        120,
        80,
        "mmHg",
        (),
    )
    assert field_names(Reading) == field_names(reading)
    assert field_names(Reading) == ("systolic", "diastolic", "unit", "notes", "seen_by", "source")
    assert Reading(1, 2).seen_by is not Reading(1, 2).seen_by  # a new list for each record


def test_a_record_refuses_the_calls_a_dataclass_refuses() -> None:
    with pytest.raises(TypeError, match="missing the argument 'diastolic'"):
        Reading(120)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected argument 'pulse'"):
        Reading(120, 80, pulse=60)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="more than one value for 'systolic'"):
        Reading(120, 80, systolic=130)  # type: ignore[misc]
    with pytest.raises(TypeError, match="takes 6 arguments, 7 given"):
        Reading(1, 2, "u", (), [], "s", "extra")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="without a default follows one with"):

        @record_class
        class Wrong:
            first: int = 0
            second: int  # type: ignore[misc]


def test_equality_hash_and_repr_match_the_frozen_dataclass() -> None:
    pairs = [
        (Reading(120, 80, seen_by=["a"]), ReadingDataclass(120, 80, seen_by=["a"])),
        (Reading(120, 80, source="web"), ReadingDataclass(120, 80, source="web")),
        (Reading(180, 95, "kPa", ("x",)), ReadingDataclass(180, 95, "kPa", ("x",))),
    ]
    for mine, theirs in pairs:
        assert repr(mine) == repr(theirs).replace("ReadingDataclass", "Reading")
    assert Reading(120, 80, seen_by=["a"]) == Reading(120, 80, source="web")  # not compared
    assert Reading(120, 80) != Reading(120, 81)
    other: object = ReadingDataclass(120, 80)
    assert Reading(120, 80) != other  # another class is never equal
    assert hash(Reading(120, 80, notes=("a",))) == hash(Reading(120, 80, notes=("a",)))
    assert len({Reading(120, 80), Reading(120, 80, source="web"), Reading(121, 80)}) == 2
    nan = float("nan")
    assert Reading(nan, 80) == Reading(nan, 80)  # type: ignore[arg-type]  # same object, as tuples


def test_a_record_cannot_be_changed_but_a_mutable_one_can() -> None:
    reading = Reading(120, 80)
    with pytest.raises(FrozenRecordError, match="immutable: cannot set 'systolic'"):
        reading.systolic = 200  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del reading.unit
    assert reading.high is False  # a cached property still works
    tally = Tally("seen")
    tally.count += 1
    assert tally == Tally("seen", 1)
    with pytest.raises(TypeError, match="unhashable"):
        hash(tally)


def test_replace_copies_with_changes_and_refuses_unknown_fields() -> None:
    reading = Reading(120, 80, notes=("sitting",))
    changed = replace(reading, systolic=185)
    assert changed == Reading(185, 80, notes=("sitting",)) and changed.high
    assert reading.systolic == 120
    with pytest.raises(TypeError, match="has no field pulse"):
        replace(reading, pulse=60)
    assert is_record(reading) and not is_record(Reading) and not is_record(ReadingDataclass(1, 2))


def test_records_copy_and_pickle_as_they_are() -> None:
    reading = Reading(120, 80, notes=("a",), seen_by=["b"])
    assert copy.deepcopy(reading) == reading
    assert pickle.loads(pickle.dumps(reading)) == reading
    assert copy.copy(reading).seen_by is reading.seen_by


def test_a_cold_score_makes_none_of_screeners_classes_with_dataclass() -> None:
    script = (
        "import dataclasses, sys\n"
        "made = []\n"
        "real = dataclasses._process_class\n"
        "def spy(cls, *args, **kwargs):\n"
        "    made.append(cls.__module__)\n"
        "    return real(cls, *args, **kwargs)\n"
        "dataclasses._process_class = spy\n"
        "sys.argv = ['screener', 'score', 'examples/likely_eligible.yaml']\n"
        "from screener.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted({m for m in made if m.startswith('screener')}), file=sys.stderr)\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=root, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_no_module_of_screener_makes_its_classes_with_dataclass() -> None:
    source = Path(__file__).resolve().parent.parent / "src" / "screener"
    users = [
        str(path.relative_to(source))
        for path in sorted(source.rglob("*.py"))
        if "from dataclasses import" in path.read_text(encoding="utf-8")
        or "import dataclasses" in path.read_text(encoding="utf-8")
    ]
    assert users == []
