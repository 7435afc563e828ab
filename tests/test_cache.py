"""The build cache (generator/site/cache.py): a build that reuses it writes exactly what a build without it
writes, whatever changed in between; a cache that cannot be trusted is ignored with one warning."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ATTACK_10, CORPUS, ROOT, SITE_URL, TESTS, mkdocs_build, needs_corpus
from goldens import tree
from test_pictures import MODERN, PNG

CASE = TESTS / "golden" / "form_2024"
REUSED = re.compile(r"build cache: (\d+) of (\d+) generated pages reused \((\d+) of them finished\)")
CACHE_WARNING = re.compile(r"^WARNING +- +generator: the build cache .*$", re.MULTILINE)


def copy_project(project: Path) -> Path:
    """A copy of the project's site configuration (mkdocs.yml, docs/, overrides/) and of a golden content."""
    project.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    for folder in ("docs", "overrides"):
        shutil.copytree(ROOT / folder, project / folder)
    shutil.copytree(CASE / "content", project / "content")
    return project


@pytest.fixture
def project(tmp_path) -> Path:
    """A project of the test's own, to change."""
    return copy_project(tmp_path / "project")


DEFAULT = Path("(the default)")


def build(project: Path, site: Path, cache: Path | None, **variables: str) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of `project`'s content, keeping its build cache in `cache` (None: no cache;
    DEFAULT: where mkdocs.yml puts it when BUILD_CACHE is not set)."""
    inherited = {name: value for name, value in os.environ.items() if name != "BUILD_CACHE"}
    setting = {} if cache == DEFAULT else {"BUILD_CACHE": str(cache) if cache else ""}
    environment = {**inherited, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": SITE_URL, "SOURCE_DATE_EPOCH": "1700000000",
                   "COMPARE_WITH": "", "CONTENT_DIR": str(project / "content"),
                   "ATTACK_BUNDLE": str(CASE / "attack.json"), "CVE_FILE": str(CASE / "cves.json"),
                   "SPLUNK_APPS_FILE": str(CASE / "splunk_apps.json"), "D3FEND_FILE": str(CASE / "d3fend.json"),
                   "CONTENT_FORM": "", **setting, **variables}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(project / "mkdocs.yml"),
                             "--site-dir", str(site)], cwd=project, env=environment, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def reused(result: subprocess.CompletedProcess) -> tuple[int, int, int]:
    """(pages reused, pages, finished pages reused), as the build reported them."""
    found = REUSED.search(result.stderr)
    assert found, result.stderr[-2000:]
    return int(found[1]), int(found[2]), int(found[3])


def differences(one: Path, other: Path) -> list[str]:
    first, second = tree(one), tree(other)
    return sorted(set(first) ^ set(second)) + sorted(p for p in first.keys() & second.keys() if first[p] != second[p])


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


# (what, the change, which pages the warm build reuses). The template's is the seventh build on the cache, more
# than cache.KEEP_BUILDS after the first: the conversions of the pages whose finished HTML the builds in between
# reused are still there to be reused.
CHANGES = [
    ("a detection", lambda project: edit(project / "content/detections/endpoint/powershell_webclient_download.yml",
                                         "Finds `powershell.exe`", "Now finds `powershell.exe`"), "the others"),
    ("a story", lambda project: edit(project / "content/stories/living_off_the_land.yml", "narrative: 'Built-in",
                                     "narrative: 'Edited. Built-in"), "the others"),
    # Only the macro's own page shows its description (and the macros export): every other page is reused.
    ("a macro", lambda project: edit(project / "content/macros/security_content_ctime.yml", "description:",
                                     "description: Edited."), "the others"),
    # The playbook's page hot-links the diagram; once the content has it, the page shows the site's copy: its
    # Markdown is the same, the picture it looked up is not.
    ("a playbook diagram", lambda project: (project / f"content/playbooks/{MODERN}.png").write_bytes(PNG),
     "the others"),
    ("a template", lambda project: edit(project / "overrides/main.html", "{% block extrahead %}",
                                        "{% block extrahead %}\n  <meta name=\"edited\" content=\"yes\">"),
     "all, unfinished"),
    # The footer's copyright is on every finished page and in no page's Markdown (the site's name is in the home
    # page's, as its branding).
    ("a setting", lambda project: edit(project / "mkdocs.yml", "site_name: Security Content",
                                       "site_name: Security Content\ncopyright: Edited"), "all, unfinished"),
]


def test_a_warm_build_writes_what_a_cold_build_writes_after_each_change(project, tmp_path):
    cache = tmp_path / "cache"
    first = build(project, tmp_path / "first", cache)
    assert reused(first)[0] == 0
    again = build(project, tmp_path / "again", cache)
    pages = reused(again)[1]
    assert reused(again) == (pages, pages, pages)  # nothing changed: every page as it was finished
    assert differences(tmp_path / "first", tmp_path / "again") == []
    for what, change, expected in CHANGES:
        change(project)
        warm = build(project, tmp_path / "warm", cache)
        build(project, tmp_path / "cold", None)
        assert differences(tmp_path / "warm", tmp_path / "cold") == [], what
        count, total, finished = reused(warm)
        if expected == "the others":  # the pages that show what changed are converted again
            assert 0 < count < total and finished == count, what
        else:  # every page looks different; none needs converting again
            assert (count, finished) == (total, 0), what
        for site in ("warm", "cold"):
            shutil.rmtree(tmp_path / site)


def test_the_cache_is_beside_mkdocs_yml_and_ignored_by_git(project, tmp_path):
    build(project, tmp_path / "site", DEFAULT)
    assert (project / ".cache" / "security-content" / "cache.sqlite").is_file()
    assert "/.cache/" in (ROOT / ".gitignore").read_text().split()


def corrupt_bytes(path: Path) -> None:
    path.write_bytes(b"this is not a database" * 100)


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def change_an_entry(path: Path) -> None:
    with sqlite3.connect(path) as connection:  # a valid file whose entries no longer match their digests
        connection.execute("UPDATE entries SET value = zeroblob(40)")


def another_format(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE meta SET value = 'security-content-build-cache 0' WHERE name = 'format'")


def a_folder_instead(path: Path) -> None:
    path.unlink()
    path.mkdir()


BREAKAGES = {"corrupt": corrupt_bytes, "half-written": truncate, "tampered": change_an_entry,
             "another format": another_format, "unreadable": a_folder_instead}


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> tuple[Path, Path, Path]:
    """(a project no test changes, its site built without a cache, a cache a build of it filled): each broken
    cache below is a copy of that one, so that its entries are this project's and a build reads them."""
    root = tmp_path_factory.mktemp("filled")
    project = copy_project(root / "project")
    build(project, root / "cold", None)
    build(project, root / "filled", root / "cache")
    return project, root / "cold", root / "cache"


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_cache_that_cannot_be_trusted_is_ignored_with_one_warning(breakage, filled, tmp_path):
    project, cold, full = filled
    cache = shutil.copytree(full, tmp_path / "cache")
    BREAKAGES[breakage](cache / "cache.sqlite")
    ignored = build(project, tmp_path / "ignored", cache)
    assert len(CACHE_WARNING.findall(ignored.stderr)) == 1, ignored.stderr[-3000:]
    assert differences(tmp_path / "ignored", cold) == []
    if breakage != "unreadable":  # a fresh cache replaced it: the next build reuses every page
        after = build(project, tmp_path / "after", cache)
        assert CACHE_WARNING.findall(after.stderr) == []
        count, total, _ = reused(after)
        assert count == total
        assert differences(tmp_path / "after", cold) == []


def test_the_2022_corpus_built_warm_is_the_corpus_built_cold(corpus_site, tmp_path):
    """At the size of a corpus: the pages the session's corpus site converted on two cores and kept in its cache,
    then reused, are the same pages. (That site, built filling the cache, is the pages a build without a cache
    gives: test_site.py builds it so, in one process.)"""
    needs_corpus()
    cold, filling = corpus_site
    assert reused(filling)[0] == 0
    warm = mkdocs_build(tmp_path / "warm", CONTENT_DIR=str(CORPUS / "source"), ATTACK_BUNDLE=str(ATTACK_10),
                        CVE_FILE=str(CORPUS / "enrichment" / "cves.json"), BUILD_CACHE=str(cold.parent / "cache"))
    assert warm.returncode == 0, warm.stderr[-3000:]
    assert differences(tmp_path / "warm", cold) == []
    count, total, finished = reused(warm)
    assert count == total == finished
