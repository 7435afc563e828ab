"""Releases from git: reading tags from git objects, comparing each release with the one before, each
detection's history, the release pages, and the "Am I up to date?" page in Chromium.

These tests use a small repository made for them (releases_repo.py says what each release holds);
test_releases_corpus.py checks the real releases of ../shared against `contentctl release_notes`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import GOLDEN_CHANGES, ROOT, TESTS, QuietHandler, mkdocs_build, run_generator
from generator.changes import LinesChange, ScalarChange, file_key_changes
from generator.issues import Severity
from generator.releases import ReleaseCache, read_releases
from releases_repo import AWS_ID, DEFENDER_ID, ENCODED_ID, RUN_KEY_ID, RUN_KEYS_ID, WMIC_ID, make_repository


@pytest.fixture
def repository(releases_repository) -> Path:
    return releases_repository


def names(changes) -> list[str]:
    return [change.name for change in changes]


def fields(changes) -> list[str]:
    return [change.field for change in changes]


def snapshot(repo: Path) -> dict[str, tuple[int, int]]:
    """Every file of the repository (its .git included) with its size and modification time."""
    return {str(path.relative_to(repo)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in sorted(repo.rglob("*")) if path.is_file()}


def test_each_release_is_read_from_git_in_date_order_without_touching_the_repository(repository):
    before = snapshot(repository)
    releases, issues = read_releases(repository, "v*")
    assert issues == []
    assert [(n.name, n.release.date) for n in releases.notes] == [
        ("v1.0.0", "2021-02-01"), ("v1.1.0", "2021-06-01"),
        ("v2.0.0", "2023-03-02"),  # an annotated tag is dated as tagged, not as committed
        ("v2.1.0", "2023-09-01")]
    assert snapshot(repository) == before  # no checkout, no index, no lock file
    first = releases.notes[0]
    assert first.previous is None and first.counts.detections == 3
    assert dict(first.counts.by_status) == {"production": 2, "experimental": 1}


def test_each_release_is_compared_with_the_one_before(repository):
    releases, _ = read_releases(repository, "v*")
    v11, v20, v21 = releases.notes[1:]
    [renamed] = v11.updated_analytics
    assert renamed.name == "Encoded PowerShell Command" and renamed.old.name == "Encoded PowerShell Comand"
    assert fields(renamed.fields) == ["Name", "File", "Version", "Search"]
    assert names(v11.new_analytics) == [] and names(v11.removed_analytics) == []

    assert names(v20.new_analytics) == ["AWS IAM User Created", "Registry Run Key"]
    assert names(v20.removed_analytics) == ["WMIC Process Discovery"]
    assert names(v20.updated_analytics) == ["Disable Defender", "Encoded PowerShell Command"]
    defender, encoded = v20.updated_analytics
    # The 2023 layout said the same things differently (status: instead of the folders, analytic_story
    # instead of analytics_story): each release read in its own generation, nothing the site shows changed, so the
    # file's own keys say why the release lists it ...
    assert defender.fields == (ScalarChange("status", "", "production"),
                               ScalarChange("tags.analytic_story", "", "[PowerShell Abuse]"),
                               ScalarChange("tags.analytics_story", "[PowerShell Abuse]", ""))
    # ... and the experimental detection only moved out of detections/experimental/.
    assert encoded.fields == (ScalarChange("File", "detections/experimental/endpoint/encoded_powershell_command.yml",
                                           "detections/endpoint/encoded_powershell_command.yml"),)
    assert names(v20.updated_stories) == ["PowerShell Abuse"] and names(v20.new_stories) == []
    assert names(v20.macros_added) == ["wmi"] and names(v20.macros_updated) == []

    [deprecated] = v21.deprecated_analytics
    assert deprecated.name == "Encoded PowerShell Command" and deprecated.newly_deprecated
    assert fields(deprecated.fields) == ["File", "Status", "Version"]
    assert v21.updated_analytics == () and v21.macros_added == ()
    assert names(v21.new_analytics) == ["Registry Run Keys Modified"]
    assert names(v21.removed_analytics) == ["Registry Run Key"]


def test_a_renamed_moved_and_deprecated_detection_keeps_one_history(repository):
    releases, _ = read_releases(repository, "v*")
    [history] = [h for h in releases.histories if h.latest.id == ENCODED_ID]
    assert history.key == ENCODED_ID
    assert history.names == ("Encoded PowerShell Comand", "Encoded PowerShell Command")
    assert [(e.release.name, e.status, fields(e.fields)) for e in history.entries] == [
        ("v1.0.0", "first", []),
        ("v1.1.0", "changed", ["Name", "File", "Version", "Search"]),
        ("v2.0.0", "changed", ["File"]),
        ("v2.1.0", "deprecated", ["File", "Status", "Version"])]
    assert history.deprecated_in.name == "v2.1.0" and history.removed_in is None
    [search] = [change for change in history.entries[1].fields if isinstance(change, LinesChange)]
    assert [line.mark for line in search.lines] == [" ", "+"]

    [gone] = [h for h in releases.histories if h.latest.id == WMIC_ID]
    assert gone.removed_in.name == "v2.0.0" and [e.status for e in gone.entries] == ["first", "removed"]
    assert [h.entries[0].release.name for h in releases.histories if h.latest.id == AWS_ID] == ["v2.0.0"]
    # A new id and name in the file of a removed detection: it replaced that one.
    [replaced] = [h for h in releases.histories if h.latest.id == RUN_KEY_ID]
    assert replaced.removed_in.name == "v2.1.0" and replaced.replaced_by == RUN_KEYS_ID
    assert gone.replaced_by == ""


def test_reading_again_reads_nothing_until_a_tag_moves(repository, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repository), str(clone)], check=True)
    cache = ReleaseCache()
    first, _ = read_releases(clone, "v*", cache)
    assert read_releases(clone, "v*", cache)[0] is first  # what `mkdocs serve` does on each rebuild
    models = dict(cache.models)
    subprocess.run(["git", "-C", str(clone), "tag", "-f", "v2.1.0", "v2.0.0"], check=True, capture_output=True)
    moved, _ = read_releases(clone, "v*", cache)
    assert moved is not first and moved.notes[-1].deprecated_analytics == ()
    assert cache.models.keys() == models.keys()  # every file of the moved tag was read before


def test_what_cannot_be_read_is_one_located_message(repository, tmp_path):
    outside = tmp_path / "not-git"
    outside.mkdir()
    releases, issues = read_releases(outside, "v*")
    assert releases is None
    assert [(i.path, i.severity, i.message) for i in issues] == [
        (str(outside), Severity.ERROR, "is not in a git repository, so no releases can be read from it; "
                                       "the release pages are left out")]

    releases, issues = read_releases(repository, "release-*")
    assert releases is None
    assert [i.message for i in issues] == [
        "no tag of its git repository matches the releases pattern 'release-*' (its 6 tags are named like "
        "'v2.1.0', 'v2.0.0', 'v1.1.0'); the release pages are left out"]
    releases, issues = read_releases(repository, "2.*")  # the tags' "v" left out
    assert [i.message for i in issues] == [
        "no tag of its git repository matches the releases pattern '2.*'; did you mean 'v2.*'? Its tags are named "
        "like 'v2.1.0'; the release pages are left out"]

    releases, issues = read_releases(repository, "*")  # "broken" names a file; the others are read
    # other-1 and v2.1.0 name one commit: same date, so by name
    assert [n.name for n in releases.notes] == ["v1.0.0", "v1.1.0", "v2.0.0", "other-1", "v2.1.0"]
    [issue] = issues
    assert issue.path == f"{repository}: tag broken" and issue.severity is Severity.ERROR
    assert issue.message == "names a blob, not a commit; this release is left out"


def test_a_change_no_field_of_the_pages_holds_is_named_by_the_file_s_keys():
    """Splunk's release notes list every detection whose file changed; where none of the fields the pages show
    did (an add-on added to `tags.supported_tas`), the keys that did are named, with their values."""
    old = "name: X\nsearch: x\ntags:\n  supported_tas:\n  - A\n  asset_type: Endpoint\n"
    new = "# a comment\nname: X\nsearch: x\ntags:\n  asset_type: Endpoint\n  supported_tas: [A, B]\n"
    assert file_key_changes(old, new) == (ScalarChange("tags.supported_tas", "[A]", "[A, B]"),)
    reordered = "tags:\n  asset_type: Endpoint\n  supported_tas: [A]\nsearch: x\nname: X\n"
    assert file_key_changes(old, reordered) == ()  # only the layout: the same keys and values
    assert file_key_changes("a: 1\n", "a: " + "x" * 300 + "\n")[0].new == "x" * 159 + "…"
    assert file_key_changes(old, "a: [") == ()  # a version that does not parse names nothing
    # Two versions of an alias bomb (ten lists of ten aliases: 10^9 items written out) compare by their size.
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{name}: &{name} [{', '.join(['*' + before] * 10)}]\n" for before, name in zip("abcdefgh", "bcdefghi"))
    assert file_key_changes(bomb, bomb + "extra: 1\n") == (ScalarChange("extra", "", "1"),)


def test_a_shallow_clone_s_one_release_or_none_says_how_to_fetch_the_others(repository, tmp_path):
    """`git clone --depth 1` (the Pages workflow's kind of checkout) has the tag it was cloned at, or none."""
    at_tag, at_branch = tmp_path / "at-tag", tmp_path / "no-tags"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "v2.0.0", f"file://{repository}", str(at_tag)],
                   check=True, capture_output=True)
    releases, issues = read_releases(at_tag, "v*")
    assert [n.name for n in releases.notes] == ["v2.0.0"]
    assert [(i.severity, i.message) for i in issues] == [(
        Severity.WARNING, "its git repository is a shallow clone, with one tag matching 'v*' (v2.0.0): "
                          "`git fetch --unshallow --tags` there fetches every release")]
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-tags", f"file://{repository}", str(at_branch)],
                   check=True, capture_output=True)
    releases, issues = read_releases(at_branch, "v*")
    assert releases is None and [(i.severity, i.message) for i in issues] == [(
        Severity.ERROR, "no tag of its git repository matches the releases pattern 'v*' (it is a shallow clone: "
                        "`git fetch --unshallow --tags` there fetches the tags); the release pages are left out")]


def test_a_content_folder_inside_a_repository_is_read_from_that_folder(tmp_path):
    repo = make_repository(tmp_path / "repo")
    inner = repo / "inner"
    inner.mkdir()
    for name in ("detections", "stories", "macros"):
        shutil.move(str(repo / name), str(inner / name))
    git = ["git", "-C", str(repo), "-c", "user.name=x", "-c", "user.email=x@example.com"]
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "moved"], check=True)
    subprocess.run([*git, "tag", "v3.0.0"], check=True)
    releases, issues = read_releases(inner, "v*")
    assert [n.name for n in releases.notes] == ["v3.0.0"]
    assert releases.notes[0].counts.detections == 4
    # The older tags have no inner/: each is one located error, and the others are read.
    assert [(i.path, i.message) for i in issues] == [
        (f"{repo}: tag {tag}", "has no folder inner/ (the content folder); this release is left out")
        for tag in ("v1.0.0", "v1.1.0", "v2.0.0", "v2.1.0")]


def test_a_story_moved_to_stories_deprecated_leaves_the_release_s_stories(tmp_path):
    repo = make_repository(tmp_path / "repo")
    story = (repo / "stories" / "powershell_abuse.yml").read_text()
    (repo / "stories" / "deprecated").mkdir()
    shutil.move(str(repo / "stories" / "powershell_abuse.yml"), str(repo / "stories" / "deprecated"))
    (repo / "stories" / "registry_abuse.yml").write_text(
        story.replace("PowerShell Abuse", "Registry Abuse").replace("d0000000-0000-4000-8000-000000000001",
                                                                    "d0000000-0000-4000-8000-000000000002"))
    git = ["git", "-C", str(repo), "-c", "user.name=x", "-c", "user.email=x@example.com"]
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "deprecated a story"], check=True)
    subprocess.run([*git, "tag", "v3.0.0"], check=True)
    releases, issues = read_releases(repo, "v*")
    assert issues == []
    v21, v30 = releases.notes[-2:]
    assert v21.counts.stories == 1
    # Read as the site reads it: Splunk no longer maintains the story it moved, so it is neither counted nor
    # "updated"; the new one is new.
    assert v30.counts.stories == 1
    assert names(v30.new_stories) == ["Registry Abuse"] and v30.updated_stories == ()

# -- the site ----------------------------------------------------------------------------------------


def text_of(html: str) -> str:
    """The words of a page's article (or of an HTML fragment), as a reader sees them."""
    if "<article" in html:
        html = html.split("<article", 1)[1].split("</article>", 1)[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.replace("¶", ""))).strip()
    return re.sub(r"\( ", "(", re.sub(r" ([,.;:)])", r"\1", text))


def history_of(html: str) -> str:
    """The words of a detection page's History section (its last section)."""
    article = html.split("<article", 1)[1].split("</article>", 1)[0]
    return text_of(article.split('id="history"', 1)[1].split(">", 1)[1])


def test_the_site_has_a_page_per_release_and_an_index_with_its_chart(releases_site):
    out, result = releases_site
    assert result.returncode == 0, result.stderr
    index = (out / "releases" / "index.html").read_text()
    assert index.count('class="sc-chart"') == 2 and "<rect" in index and "<script" not in index.split(
        '<article', 1)[1].split("</article>", 1)[0]
    assert "v2.1.0 (2023-09-01): 4 detections: 3 production, 1 deprecated" in index
    page = text_of((out / "releases" / "v2.0.0" / "index.html").read_text())
    assert "New Analytics (2) AWS IAM User Created — TTP Registry Run Key — TTP" in page
    assert "Removed Analytics (1) WMIC Process Discovery — TTP, last released in v1.1.0, version 1" in page
    assert "Macros Added (1) wmi" in page
    assert "Detections New Updated Deprecated Removed 4 2 2 0 1" in page
    first = text_of((out / "releases" / "v1.0.0" / "index.html").read_text())
    assert "Detections New Updated Deprecated Removed 3 — — — —" in first  # nothing before it to count against
    latest = text_of((out / "releases" / "v2.1.0" / "index.html").read_text())
    assert "Compared with v2.0.0 (2023-03-02), the release read before it." in latest
    assert ("Deprecated counts each deprecated detection this release changed, as Splunk’s release notes do: 1 was "
            "deprecated in this release.") in latest
    home = (out / "index.html").read_text()
    assert re.search(r'<a href="releases/" class="md-tabs__link">\s*Releases\s*</a>', home)  # its tab
    assert "4 releases Every release side by side, from v1.0.0 to v2.1.0" in text_of(home)  # its card


def test_each_detection_page_ends_with_its_history(releases_site):
    out, _ = releases_site
    history = history_of((out / "endpoint" / DEFENDER_ID / "index.html").read_text())
    assert history.startswith("History Already in the first release read, v1.0.0 (2021-02-01); in 4 of the 4 releases")
    assert "This page shows the content as it is now, version 2; the newest release, v2.1.0, has version 1." in history
    assert "v2.0.0 · 2023-03-02 · version 1: status, tags.analytic_story, tags.analytics_story" in history
    # The deprecated one links its release pages; the removed one has a page of its own, linked from its release.
    deprecated = history_of((out / "deprecated" / ENCODED_ID / "index.html").read_text())
    assert "deprecated in v2.1.0" in deprecated and "Released under other names too: Encoded PowerShell Comand. The newest" in deprecated
    former = (out / "releases" / "detections" / WMIC_ID / "index.html").read_text()
    assert "Removed in" in former and "v2.0.0" in former
    release = (out / "releases" / "v2.0.0" / "index.html").read_text()
    assert f'href="../detections/{WMIC_ID}/"' in release
    replaced = (out / "releases" / "detections" / RUN_KEY_ID / "index.html").read_text()
    assert "removed in v2.1.0 and replaced by Registry Run Keys Modified (a new detection in its file)" in \
        history_of(replaced)
    assert ("Not in the content any more Removed in v2.1.0 and replaced by Registry Run Keys Modified, a new "
            "detection in its file; this is its last released version.") in text_of(replaced)  # at the top too


def test_the_releases_data_lists_every_version(releases_site):
    out, _ = releases_site
    data = json.loads((out / "api" / "releases.json").read_text())
    assert [r["name"] for r in data["releases"]] == ["v1.0.0", "v1.1.0", "v2.0.0", "v2.1.0"]
    [encoded] = [d for d in data["detections"] if d["id"] == ENCODED_ID]
    assert encoded["in"] == [[0, 0, "1", "2021-01-15"], [1, 2, "2", "2021-01-15"], [3, 3, "3", "2021-01-15"]]
    assert encoded["url"] == f"deprecated/{ENCODED_ID}/"


@pytest.fixture(scope="module")
def served(releases_site):
    out, result = releases_site
    assert result.returncode == 0, result.stderr
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


PASTED = """\
[ESCU - Encoded PowerShell Comand - Rule]
action.escu.enabled = 1
search = | tstats ...

ESCU - Disable Defender - Rule v1
WMIC Process Discovery, 1
AWS IAM User Created
Registry Run Key
Not A Detection
"""


def test_am_i_up_to_date_compares_a_pasted_list_in_the_browser(browser, served):
    page = browser.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(served + "releases/up-to-date/")
    page.select_option("#sc-uptodate-release", label="v1.0.0 (2021-02-01)")
    page.fill("#sc-uptodate-list", PASTED)
    page.click("#sc-uptodate-compare")
    rows = page.locator(".sc-uptodate__table tbody tr")
    table = [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in rows.all()]
    assert table == [
        # The name pasted, the name it has now, and its deprecation before how far behind it is.
        ["Encoded PowerShell Comand", "1 (v1.0.0)", "3",
         "deprecated in v2.1.0; 2 versions behind; now named Encoded PowerShell Command",
         "v1.1.0: Name, File, Version, Search; v2.0.0: File; v2.1.0: deprecated, File, Status, Version"],
        ["Disable Defender", "1 (v1.0.0)", "1", "up to date", ""],  # the release picked, of those with version 1
        ["WMIC Process Discovery", "1 (v1.0.0)", "—", "removed in v2.0.0", "v2.0.0: removed"],
        ["AWS IAM User Created", "—", "1", "not in v1.0.0; added in v2.0.0", ""],
        ["Registry Run Key", "—", "—", "removed in v2.1.0, replaced by Registry Run Keys Modified", "v2.1.0: removed"],
    ]
    summary = page.locator(".sc-uptodate__summary").inner_text()
    assert summary == ("5 detections: 0 behind, 1 deprecated since, 2 removed, 1 up to date; 1 added since v1.0.0; "
                       "1 not found in any release read.")
    assert page.locator("#sc-uptodate-results").inner_text().endswith("Not found: Not A Detection")
    # On a phone each result is a block of labelled cells, none wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    changed = rows.first.locator("td").nth(4)
    assert changed.evaluate("td => getComputedStyle(td, '::before').content").startswith('"Changed since yours')
    assert changed.evaluate("td => td.getBoundingClientRect().width") > 300  # the whole screen, not a fifth of it
    page.set_viewport_size({"width": 1280, "height": 720})
    # A release picked, nothing pasted: every detection of that release counted, those that changed or went listed,
    # and those added since.
    page.fill("#sc-uptodate-list", "")
    page.select_option("#sc-uptodate-release", label="v2.0.0 (2023-03-02)")
    page.locator(".sc-uptodate__summary", has_text="4 detections").wait_for()
    assert page.locator(".sc-uptodate__summary").inner_text() == \
        "4 detections: 0 behind, 1 deprecated since, 1 removed, 2 up to date; 1 added since v2.0.0."
    rows = page.locator(".sc-uptodate__table tbody tr")
    assert [[cell.strip() for cell in row.locator("td").all_inner_texts()][::3] for row in rows.all()] == [
        ["Encoded PowerShell Command", "deprecated in v2.1.0; 1 version behind"],  # the name v2.0.0 had
        ["Registry Run Key", "removed in v2.1.0, replaced by Registry Run Keys Modified"],
        ["Registry Run Keys Modified", "not in v2.0.0; added in v2.1.0"]]
    # A version newer than the newest release's (the working tree's), and a date no release had: the release picked.
    page.fill("#sc-uptodate-list", "Disable Defender, 7\n[ESCU - Disable Defender - Rule]\n"
                                   "action.escu.modification_date = 2001-01-01\n")
    page.click("#sc-uptodate-compare")
    rows = page.locator(".sc-uptodate__table tbody tr")
    assert [[cell.strip() for cell in row.locator("td").all_inner_texts()][:4] for row in rows.all()] == [
        ["Disable Defender", "7", "1", "newer than any release: v2.1.0 has version 1"],
        ["Disable Defender", "1 (v2.0.0)", "1", "up to date"]]
    # Nothing picked, nothing pasted: what to do.
    page.fill("#sc-uptodate-list", "")
    page.select_option("#sc-uptodate-release", value="")
    page.click("#sc-uptodate-compare")
    assert page.locator("#sc-uptodate-results").inner_text() == \
        "Pick the release you run, or paste the detections you run (or both)."
    assert all(url.startswith(served) for url in requests)  # nothing leaves the site
    page.close()


def test_am_i_up_to_date_tells_a_deprecation_without_a_new_version_and_the_detection_of_the_very_name(
        browser, releases_site, tmp_path):
    """Two cases the small repository lacks, written into a copy of its site's data: Splunk often deprecates a
    detection without giving it a new version (7 of the 13 deprecations of v4.4*), and a removed detection may
    have had the current one's name but for its case ("…From…" and "…from…", both in v4.40.0)."""
    out, _ = releases_site
    site = tmp_path / "site"
    shutil.copytree(out, site)
    data_file = site / "api" / "releases.json"
    data = json.loads(data_file.read_text())
    [defender] = [d for d in data["detections"] if d["id"] == DEFENDER_ID]
    defender["status"] = "deprecated"  # in v2.1.0, still version 1
    defender["changes"].append([3, "deprecated", ["File", "Status"]])
    data["detections"].insert(0, {
        "key": "gone", "id": "c0000000-0000-4000-8000-00000000000f", "name": "DISABLE DEFENDER",
        "names": ["DISABLE DEFENDER"], "url": defender["url"], "status": "production", "replaced_by": None,
        "in": [[0, 0, "1", "2021-01-15"]], "changes": [[0, "first", []], [1, "removed", []]]})
    data_file.write_text(json.dumps(data))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/releases/up-to-date/")
        page.select_option("#sc-uptodate-release", label="v2.0.0 (2023-03-02)")
        page.fill("#sc-uptodate-list", "Disable Defender\n")
        page.click("#sc-uptodate-compare")
        row = page.locator(".sc-uptodate__table tbody tr")
        assert [cell.strip() for cell in row.locator("td").all_inner_texts()] == [
            "Disable Defender", "1 (v2.0.0)", "1", "deprecated in v2.1.0", "v2.1.0: deprecated, File, Status"]
        assert page.locator(".sc-uptodate__summary").inner_text() == \
            "1 detection: 0 behind, 1 deprecated since, 0 removed, 0 up to date."
    finally:
        page.close()
        server.shutdown()
        server.server_close()


def test_a_release_page_s_tables_read_as_labelled_blocks_on_a_phone(browser, served):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(served + "releases/")
    page.wait_for_load_state("load")
    cells = page.locator("article table[data-sc-stacked] td[data-label]")
    cells.first.wait_for()
    # Each value beside its label, not at the far edge of the screen (the table's numbers are aligned right).
    assert set(cells.evaluate_all("cells => cells.map(c => getComputedStyle(c).textAlign)")) == {"start"}
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.close()


def test_the_command_line_writes_the_release_pages_too(repository, tmp_path):
    result = run_generator("render", "--layout", "mkdocs", "--content", repository, "--attack",
                           GOLDEN_CHANGES / "attack.json", "--releases", "v2*", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "releases" / "v2.1.0.md").is_file()
    assert "## Deprecated Analytics (1)" in (tmp_path / "out" / "releases" / "v2.1.0.md").read_text()
    assert "#### History" in (tmp_path / "out" / "deprecated" / f"{ENCODED_ID}.md").read_text()
    published = run_generator("render", "--content", repository, "--attack", GOLDEN_CHANGES / "attack.json",
                              "--releases", "v*", "--out", tmp_path / "published")
    assert f"{repository}: warning: releases not read: only the mkdocs layout has release pages" in published.stderr


def test_a_release_too_long_to_show_field_by_field_links_each_detection_to_its_history(repository, tmp_path,
                                                                                     monkeypatch):
    """Over release_pages.FIELD_BY_FIELD_CHARACTERS (here none at all), a release page lists what changed and links
    each detection's fields to its page's History; the detection keeps its anchor, which the histories link."""
    from generator import cli
    from generator.site import release_pages

    monkeypatch.setattr(release_pages, "FIELD_BY_FIELD_CHARACTERS", 0)
    assert cli.main(["render", "--layout", "mkdocs", "--content", str(repository), "--attack",
                     str(GOLDEN_CHANGES / "attack.json"), "--releases", "v*", "--out", str(tmp_path / "out")]) == 0
    page = (tmp_path / "out" / "releases" / "v1.1.0.md").read_text()
    assert (f'* <span id="{ENCODED_ID}"></span>[Encoded PowerShell Command](/deprecated/{ENCODED_ID}/) — TTP, '
            f"experimental, version 1 → 2 · [Name, File, Version, Search](/deprecated/{ENCODED_ID}/#history)") in page
    assert "This release changed 1 detection: too many to show field by field on one page." in page
    assert "sc-change" not in page
    history = (tmp_path / "out" / "deprecated" / f"{ENCODED_ID}.md").read_text()
    assert f"(/releases/v1.1.0/#{ENCODED_ID})" in history


def test_a_site_of_several_sources_shows_the_releases_of_the_first(repository, tmp_path):
    """Releases are read from the first source's repository only (guide/sources.md): a second source in a
    repository of its own, with a tag the pattern matches, adds no release; its detections are on the site
    without a history, the first source's with theirs."""
    team = tmp_path / "team"
    shutil.copytree(TESTS / "golden" / "sources" / "team", team)
    (team / "detections/endpoint/disable_defender_with_powershell.yml").unlink()  # a tuned copy of no detection here
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.name=T", "-c", "user.email=t@example.com",
                                                    "commit", "-q", "-m", "team"], ["tag", "v9.0.0"]):
        subprocess.run(["git", "-C", str(team), *command], check=True, capture_output=True)
    out = tmp_path / "out"
    result = run_generator("render", "--layout", "mkdocs", "--content", repository, "--content", f"Team={team}",
                           "--attack", GOLDEN_CHANGES / "attack.json", "--releases", "v*", "--out", out)
    assert "releases" not in " ".join(line for line in result.stderr.splitlines() if ": error:" in line)
    assert sorted(path.name for path in (out / "releases").glob("v*.md")) == [
        "v1.0.0.md", "v1.1.0.md", "v2.0.0.md", "v2.1.0.md"]
    assert "#### History" in (out / "deprecated" / f"{ENCODED_ID}.md").read_text()
    team_page = (out / "hunts" / "7e4a0000-0000-4000-8000-000000000202.md").read_text()
    assert "Team Rare Parent Process" in team_page and "#### History" not in team_page


def test_serve_reads_the_releases_once_and_shows_edits_with_their_history(repository, tmp_path):
    from test_serve import fetch, free_port, wait_for

    content = tmp_path / "content"
    subprocess.run(["git", "clone", "-q", str(repository), str(content)], check=True)
    shutil.copy(repository / "detections/endpoint/disable_defender.yml",
                content / "detections/endpoint/disable_defender.yml")  # the unreleased change
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SITE_URL=base, CONTENT_DIR=str(content),
               ATTACK_BUNDLE=str(GOLDEN_CHANGES / "attack.json"), CVE_FILE="", SPLUNK_APPS_FILE="", D3FEND_FILE="",
               CONTENT_FORM="", COMPARE_WITH="", RELEASES="v*")
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                                  cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    page = base + f"endpoint/{DEFENDER_ID}/"
    try:
        assert wait_for(page, "This page shows the content as it is now, version 2", 90)
        source = content / "detections/endpoint/disable_defender.yml"
        original = source.read_text()
        source.write_text(original.replace("version: 2", "version: 7").replace("What it finds", "EDITED what it finds"))
        assert wait_for(page, "EDITED what it finds", 60)
        assert "This page shows the content as it is now, version 7" in fetch(page)
        assert "v2.0.0 · 2023-03-02 · version 1" in text_of(fetch(page))  # its history is still there
        source.write_text(original.replace("type: TTP\n", "type: [TTP\n"))  # broken: its address shows why
        assert wait_for(page, "this file has errors", 60)
        source.write_text(original)
        assert wait_for(page, "This page shows the content as it is now, version 2", 60)
        assert "v2.1.0" in fetch(base + "releases/")
    finally:
        server.terminate()
        server.wait(timeout=30)
    output = log.read_text()
    assert output.count("releases: read 4 tags") == 1 and "Traceback" not in output


def test_a_content_folder_outside_git_is_one_error_and_the_rest_of_the_site_builds(tmp_path):
    content = tmp_path / "content"  # a copy, outside any git repository (the project's checkout is one)
    shutil.copytree(GOLDEN_CHANGES / "content", content)
    out = tmp_path / "site"
    result = mkdocs_build(out, strict=False, CONTENT_DIR=str(content), ATTACK_BUNDLE=str(GOLDEN_CHANGES / "attack.json"),
                          CVE_FILE="", SPLUNK_APPS_FILE="", D3FEND_FILE="", CONTENT_FORM="", RELEASES="v*")
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("ERROR")] == [
        f"ERROR   -  generator: {content}: error: is not in a git repository, so no releases can be read from it; "
        "the release pages are left out"]
    assert (out / "index.html").is_file() and not (out / "releases").exists()
    assert (out / "endpoint").is_dir()  # the rest of the site


def test_a_chart_of_a_few_releases_is_wide_and_names_each_and_a_long_history_keeps_its_type_legible():
    from types import SimpleNamespace

    from generator.site.release_pages import _chart

    def drawn(count: int) -> tuple[int, list[str]]:
        notes = [SimpleNamespace(name=f"v{n}", release=SimpleNamespace(date="2026-01-01")) for n in range(count)]
        svg = str(_chart("t", SimpleNamespace(notes=notes), [{"TTP": 3}] * count, ("TTP",)).svg)
        width = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
        return width, re.findall(r'class="sc-chart__label sc-chart__release"[^>]*>([^<]*)<', svg)

    assert drawn(3) == (44 + 3 * 80 + 8, ["v0", "v1", "v2"])  # not a sliver: 80-unit slots, every name
    assert drawn(40) == (44 + 40 * 14 + 8, [f"v{n}" for n in range(40)])  # 14-unit slots: every name still
    width, names = drawn(132)  # Splunk's 132 releases: as wide as a few, so that the type is not scaled down
    assert width == 44 + 132 * 4 + 8 <= 620
    assert names == [f"v{n}" for n in range(0, 129, 3)] + ["v131"]  # every 3rd name, and the last (not v129 too)
