from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "escu-2022-03"
ATTACK_10 = SHARED / "attack" / "enterprise-attack-10.1.json"
GOLDEN_PUBLISHED = TESTS / "golden" / "published"

for path in (str(ROOT), str(TESTS)):
    if path not in sys.path:
        sys.path.insert(0, path)


def needs_corpus() -> None:
    if not (CORPUS / "source").is_dir() or not ATTACK_10.is_file():
        pytest.skip(f"the published corpus is not beside the checkout ({CORPUS})")


def run_generator(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the real command line, `python -m generator ...`."""
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A writable copy of the golden content directory, to break in tests."""
    copy = tmp_path / "content"
    shutil.copytree(GOLDEN_PUBLISHED / "content", copy)
    return copy


def render_args(content_dir: Path, out: Path) -> list:
    return ["render", "--layout", "published", "--content", content_dir,
            "--attack", GOLDEN_PUBLISHED / "attack.json", "--cves", GOLDEN_PUBLISHED / "cves.json", "--out", out]
