"""split_map gives the serial result, whichever way the work is split and whatever the child does."""

from __future__ import annotations

import os

import pytest

from generator import parallel


def square_all(items):
    return [item * item for item in items]


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 1000])
def test_same_result_as_serial(size):
    items = list(range(size))
    assert parallel.split_map(square_all, items) == square_all(items)


def test_work_really_is_split_between_two_processes():
    parent = os.getpid()
    pids = parallel.split_map(lambda items: [os.getpid() for _ in items], list(range(200)))
    if not parallel.can_fork():
        pytest.skip("this platform or process cannot fork")
    assert set(pids[0::2]) == {parent}
    assert set(pids[1::2]) != {parent}


def test_a_failing_child_leaves_the_work_to_the_parent():
    parent = os.getpid()

    def fails_in_child(items):
        if os.getpid() != parent:
            raise RuntimeError("child trouble")
        return [item + 1 for item in items]

    assert parallel.split_map(fails_in_child, list(range(100))) == list(range(1, 101))


def test_disabled_keeps_everything_in_this_process(monkeypatch):
    monkeypatch.setattr(parallel, "enabled", False)
    parent = os.getpid()
    assert set(parallel.split_map(lambda items: [os.getpid() for _ in items], list(range(200)))) == {parent}
