"""One step ahead on a second core: a thread that makes the next item while the caller works
on this one (the reader parses the next piece of an export while a block is scored).

The thread makes an item only when asked (`want`), so at most one is ahead and memory stays
flat. It is a daemon: a signal reaches the main thread, which stops waiting at once; a thread
still reading (a pipe that sends nothing more) is left to the end of the process, which is never
kept waiting for it. What the thread raises is raised to the caller in its place.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class ReadAhead(Generic[T]):
    """Items of `make` (None: the end), each made in the thread when asked for."""

    def __init__(self, make: Callable[[], T | None], name: str = "screener-read") -> None:
        self._make = make
        self._wanted = threading.Semaphore(0)
        self._made: queue.SimpleQueue[T | _Failed | None] = queue.SimpleQueue()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                self._wanted.acquire()
                if self._stopped.is_set():
                    return
                item = self._make()
                self._made.put(item)
                if item is None:
                    return
        except BaseException as error:  # raised to the caller, in the item's place
            self._made.put(_Failed(error))

    def want(self) -> None:
        """Start making the next item."""
        self._wanted.release()

    def get(self) -> T | None:
        """The item asked for (waiting until it is made); None at the end."""
        item = self._made.get()
        if isinstance(item, _Failed):
            raise item.error
        return item

    def stop(self, wait: float = 1.0) -> bool:
        """Make nothing more; True once the thread has finished (within `wait` seconds)."""
        self._stopped.set()
        self._wanted.release()
        self._thread.join(wait)
        return not self._thread.is_alive()


__all__ = ["ReadAhead"]
