"""split_map gives the serial result, whichever way the work is split and whatever the child does."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT

from generator import parallel


def square_all(items):
    return [item * item for item in items]


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 1000])
def test_same_result_as_serial(size):
    items = list(range(size))
    assert parallel.split_map(square_all, items) == square_all(items)


def test_work_really_is_split_between_two_processes():
    # In a fresh interpreter: this test process may be running other threads
    # (the browser tests' web server), and then split_map rightly refuses to fork.
    script = textwrap.dedent("""
        import os
        from generator import parallel
        parent = os.getpid()
        pids = parallel.split_map(lambda items: [os.getpid() for _ in items], list(range(200)))
        assert set(pids[0::2]) == {parent}, "even items here"
        assert len(set(pids[1::2])) == 1 and set(pids[1::2]) != {parent}, "odd items in one child"
        print("split")
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "split", result.stderr


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
