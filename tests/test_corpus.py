"""The published corpus (../shared/corpus/escu-2022-03) as a golden test: every comparable page, byte for byte."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ATTACK_10, CORPUS, SHARED, needs_corpus, run_generator
from goldens import tree


@pytest.fixture(scope="module")
def corpus_render(tmp_path_factory):
    needs_corpus()
    out = tmp_path_factory.mktemp("corpus") / "out"
    result = run_generator("render", "--layout", "published", "--content", CORPUS / "source",
                           "--attack", ATTACK_10, "--cves", CORPUS / "enrichment" / "cves.json", "--out", out)
    return out, result


def test_every_comparable_published_page_is_identical(corpus_render):
    out, _ = corpus_render
    check = subprocess.run([sys.executable, SHARED / "tools" / "conformance.py", out, "--diff", "5"],
                           capture_output=True, text=True, timeout=120)
    last_line = check.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"conformance: (\d+) identical of \1 pages", last_line), check.stdout
    assert int(last_line.split()[1]) >= 649
    assert check.returncode == 0


def test_corpus_renders_with_warnings_only(corpus_render):
    _, result = corpus_render
    lines = result.stderr.splitlines()
    assert result.returncode == 0, result.stderr
    assert not [line for line in lines if ": error: " in line]
    # Not among them: 'Monitor for Unauthorized Software', a story of stories/deprecated/.
    assert sum("warning: no story is named" in line for line in lines) == 25
    assert "no story is named 'Monitor for Unauthorized Software'" not in result.stderr
    # 9 lookup references name no lookup file; 3 of them name a lookup's CSV file
    # (`inputlookup x.csv`), which a lookup file does define, so 6 are reported.
    assert sum("warning: the search uses lookup" in line for line in lines) == 6
    assert "detections/endpoint/windows_rasautou_dll_execution.yml:1: warning: gives the same page " \
           "_posts/2022-02-15-windows_rasautou_dll_execution.md as " \
           "detections/endpoint/ssa___windows_rasautou_dll_execution.yml" in result.stderr
    # e.g. 'IceID' where the story is 'IcedID'
    assert re.search(r"^detections/\S+\.yml:\d+: warning: no story is named 'IceID'; did you mean 'IcedID'\?$",
                     result.stderr, re.MULTILINE)


def test_rendering_twice_gives_the_same_bytes(corpus_render, tmp_path):
    first, _ = corpus_render
    again = run_generator("render", "--layout", "published", "--content", CORPUS / "source",
                          "--attack", ATTACK_10, "--cves", CORPUS / "enrichment" / "cves.json", "--out", tmp_path)
    assert again.returncode == 0
    assert tree(first) == tree(tmp_path)
