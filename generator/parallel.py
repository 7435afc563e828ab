"""Use both cores for work that is a pure function of each item.

`split_map(func, items)` gives the same list as `func(items)`, but a forked
child computes every second item while this process computes the others.
It falls back to computing everything here when the process cannot safely
fork (no `os.fork`, or other threads running, as under `mkdocs serve`) and
when the child fails in any way, so the result never depends on the split.
`func` must take and return lists, item for item, of picklable values.
"""

from __future__ import annotations

import os
import pickle
import queue
import signal
import threading
from typing import BinaryIO, Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 64
"""Below this, forking costs more than it saves."""

enabled = os.environ.get("GENERATOR_PROCESSES", "") != "1"
"""Set GENERATOR_PROCESSES=1 (or this to False) to keep all work in one process."""


def can_fork() -> bool:
    # A fork copies only the calling thread; a lock another thread held at
    # that moment stays locked in the child forever.
    return hasattr(os, "fork") and threading.active_count() == 1


class Stream:
    """A generator running in a forked child: each value it yields is sent to this process while it goes on (a
    thread in the child writes it), and `receive()` gives them in turn, waiting as needed. A value that arrives
    arrived whole; None once the child has failed or has nothing more. A yielded value must not change afterwards.
    """

    def __init__(self, produce: Callable[[], Iterator[R]]):
        read_end, write_end = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # the child never returns from this block
            status = 1
            try:
                os.close(read_end)
                with os.fdopen(write_end, "wb") as pipe:
                    status = 0 if _send_all(produce(), pipe) else 1
            finally:
                os._exit(status)
        os.close(write_end)
        # Read as it is unpickled (a build's converted pages are hundreds of megabytes: never twice in memory).
        self._pipe: BinaryIO | None = os.fdopen(read_end, "rb")
        self.status: int | None = None
        """The child's exit status, once `close` has waited for it."""

    def receive(self):
        """The next value the child sent, or None (it failed, or sent all it had)."""
        if self._pipe is None:
            return None
        try:
            return pickle.load(self._pipe)
        except (pickle.UnpicklingError, EOFError, ValueError, AttributeError, MemoryError):
            self.close()
            return None

    def close(self, stop: bool = False) -> int:
        """Wait for the child to end (what it still sends is read and dropped), or with `stop` end it now; its
        exit status."""
        if self._pipe is not None:
            if stop:
                os.kill(self._pid, signal.SIGKILL)
            with self._pipe as pipe:
                pipe.read()  # whatever it still writes, so that it can exit
            self._pipe = None
            _, status = os.waitpid(self._pid, 0)
            self.status = status
        return self.status


def _send_all(values: Iterator, pipe: BinaryIO) -> bool:
    """Pickle each of `values` into `pipe` as soon as it comes, while the next is made; whether all were sent."""
    outbox: queue.Queue = queue.Queue()
    done = object()
    failed: list[BaseException] = []

    def write() -> None:
        try:
            while (value := outbox.get()) is not done:
                pickle.dump(value, pipe, protocol=pickle.HIGHEST_PROTOCOL)  # pickled as it is written
                pipe.flush()
        except BaseException as error:  # the reader went away: nothing more is sent
            failed.append(error)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for value in values:
            outbox.put(value)
    finally:
        outbox.put(done)
        writer.join()
    return not failed


class Forked:
    """A call running in a forked child; `result()` waits for it and gives its value, or None if it failed."""

    def __init__(self, func: Callable[[], R]):
        self._stream = Stream(lambda: iter((func(),)))

    def result(self):
        value = self._stream.receive()
        return value if self._stream.close() == 0 else None


def split_map(func: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]:
    if not enabled or len(items) < MIN_ITEMS or not can_fork():
        return func(items)
    mine, theirs = items[0::2], items[1::2]
    child = Forked(lambda: func(theirs))
    try:
        my_results = func(mine)
    finally:
        their_results = child.result()
    if their_results is None or len(their_results) != len(theirs):
        their_results = func(theirs)
    merged: list[R] = []
    for index in range(len(items)):
        merged.append(my_results[index // 2] if index % 2 == 0 else their_results[index // 2])
    return merged
