"""Rewrite the expected trees of the golden cases from the current generator.

    python tests/regenerate_goldens.py

A new layout gets goldens once its folder exists: mkdir tests/golden/<case>/expected/<layout>.
Run it only after a deliberate change to the output, then read the diff of
tests/golden/*/expected before committing: the goldens are the specification
the tests hold the generator to.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent
sys.path[:0] = [str(TESTS.parent), str(TESTS)]

from goldens import CASES, render_case  # noqa: E402


def main() -> int:
    for case, layout in CASES:
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "out"
            for issue in render_case(case, layout, out):
                print(f"{case.name}/{layout}: {issue}")
            expected = case / "expected" / layout
            shutil.rmtree(expected, ignore_errors=True)
            shutil.copytree(out, expected)
        print(f"{case.name}: expected/{layout}/ rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
