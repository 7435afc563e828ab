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
import threading
from typing import Callable, Sequence, TypeVar

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


class Forked:
    """A call running in a forked child; `result()` waits for it and gives its value, or None if it failed."""

    def __init__(self, func: Callable[[], R]):
        read_end, write_end = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # the child never returns from this block
            status = 1
            try:
                os.close(read_end)
                value = func()
                with os.fdopen(write_end, "wb") as pipe:  # pickled as it is written: never whole in memory
                    pickle.dump(value, pipe, protocol=pickle.HIGHEST_PROTOCOL)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self._read_end = read_end

    def result(self):
        # Read as it is unpickled (a build's converted pages are hundreds of megabytes: never twice in memory).
        with os.fdopen(self._read_end, "rb") as pipe:
            try:
                value = pickle.load(pipe)
            except (pickle.UnpicklingError, EOFError, ValueError, AttributeError, MemoryError):
                value = None
            pipe.read()  # whatever a failed child left, so that it can exit
        _, status = os.waitpid(self._pid, 0)
        return value if status == 0 else None


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
