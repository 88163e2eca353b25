"""The reader's one-step-ahead thread: items in order, at most one made ahead, what it raises
raised in its place, and a thread stuck in a read never keeps the caller waiting."""

from __future__ import annotations

import threading

import pytest

from screener.columnar.read_ahead import ReadAhead


def test_items_arrive_in_order_and_none_ends_them() -> None:
    items = iter([1, 2, 3])
    ahead: ReadAhead[int] = ReadAhead(lambda: next(items, None))
    got = []
    ahead.want()
    while (item := ahead.get()) is not None:
        ahead.want()
        got.append(item)
    assert got == [1, 2, 3]
    assert ahead.stop()


def test_only_the_item_asked_for_is_made() -> None:
    made: list[int] = []
    count = iter(range(100))

    def make() -> int:
        made.append(next(count))
        return made[-1]

    ahead: ReadAhead[int] = ReadAhead(make)
    ahead.want()
    assert ahead.get() == 0
    ahead.want()
    assert ahead.get() == 1
    assert ahead.stop()
    assert made == [0, 1]


def test_what_the_thread_raises_is_raised_to_the_caller_in_its_place() -> None:
    calls = iter([1])

    def make() -> int:
        item = next(calls, None)
        if item is None:
            raise ValueError("a broken piece")
        return item

    ahead: ReadAhead[int] = ReadAhead(make)
    ahead.want()
    assert ahead.get() == 1
    ahead.want()
    with pytest.raises(ValueError, match="a broken piece"):
        ahead.get()


def test_a_thread_stuck_in_a_read_does_not_keep_the_caller_waiting() -> None:
    never, reading = threading.Event(), threading.Event()

    def make() -> int:
        reading.set()
        never.wait()
        return 1

    ahead: ReadAhead[int] = ReadAhead(make)
    ahead.want()
    assert reading.wait(5)
    assert ahead.stop(wait=0.1) is False  # still in its read: left to the end of the process
    never.set()
    assert ahead.stop()
