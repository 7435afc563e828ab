"""The mkdocs site: a real `mkdocs build --strict`, links under a project path, fidelity to the published site."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SHARED, SITE_URL
from sitecheck import broken_links

def test_corpus_builds_strict(corpus_site):
    out, result = corpus_site
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out / "endpoint" / "windows_dism_remove_defender" / "index.html").is_file()


def test_corpus_links_resolve_under_the_project_path(corpus_site):
    out, _ = corpus_site
    assert broken_links(out, SITE_URL) == []


def test_dead_links_are_reported_and_not_linked(corpus_site):
    out, result = corpus_site
    assert re.search(r"^WARNING +- .*: warning: /stories/iceid is linked but no page serves it; "
                     r"the link is shown as plain text$", result.stderr, re.MULTILINE)
    page = (out / "endpoint" / "disable_defender_mpengine_registry" / "index.html").read_text()
    assert "<li>IceID</li>" in page and "stories/iceid" not in page


def test_tag_anchors_with_a_slash_are_reported_and_land(corpus_site):
    out, result = corpus_site
    assert re.search(r"^WARNING +- +/tags/: warning: tag 'Scheduled Task/Job' is linked as /tags/#scheduled-task/job, "
                     r"an anchor with '/'", result.stderr, re.MULTILINE)
    assert '<h2 id="scheduled-task/job">Scheduled Task/Job</h2>' in (out / "tags" / "index.html").read_text()


def fidelity_exceptions() -> dict[str, str]:
    """The pages the README lists as deliberately not rendered the way kramdown did."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Where the site deliberately differs from kramdown", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^- `(/[^`]+/)`: (.+)$", section, re.MULTILINE))


def test_every_page_shows_as_published_except_the_listed_ones(corpus_site):
    out, _ = corpus_site
    check = subprocess.run([sys.executable, SHARED / "tools" / "fidelity.py", out, "--diff", "999"],
                           capture_output=True, text=True, timeout=300)
    equivalent, total = map(int, re.search(r"fidelity: (\d+) equivalent of (\d+) pages", check.stdout).groups())
    differing = set(re.findall(r"^--- \S+ \((/[^)]*)\)$", check.stdout, re.MULTILINE))
    assert total == 595
    assert differing == set(fidelity_exceptions())
    assert equivalent == total - len(differing)


def test_golden_content_builds_strict_with_every_index(golden_site):
    out, result = golden_site
    assert result.returncode == 0, result.stderr[-3000:]
    for page in ("index.html", "detections/index.html", "stories/index.html", "playbooks/index.html",
                 "tags/index.html", "techniques/index.html", "techniques/T1562.001/index.html",
                 "detections/defense_evasion/index.html", "stories/vulnerability/index.html",
                 "endpoint/disable_defender_with_powershell/index.html"):
        assert (out / page).is_file(), page
    assert broken_links(out, SITE_URL) == []
