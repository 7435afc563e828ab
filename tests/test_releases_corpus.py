"""The real releases of security_content (../shared/history/security_content.bundle): the site built with
RELEASES=v4.4* agrees with Splunk's own `contentctl release_notes` for each pair of consecutive releases, and the
history of a detection that was renamed, read in three schema generations and deprecated is right.

Where the lists differ, each difference must be one that guide/releases.md explains, and each explanation is
checked against git's own account of the two tags (`git diff-tree -M`) and the files' contents:
- contentctl lists only files git calls added (A) or modified (M): a renamed or moved file (R) is left out;
- it lists a detection only when its `status` is production or deprecated (experimental ones are left out);
- a file git calls added is "new" to it even when the detection (its id) was in the release before, at
  another path; ours then lists it as updated or deprecated;
- it follows the file: a file whose id and name both changed is "updated" to it; to us a new detection
  replaced the old one (new here, removed in its own list);
- a detection deprecated in place (status: deprecated outside detections/deprecated/) is "updated" to it;
- it lists the stories of stories/deprecated/ as it lists the others; to us Splunk no longer maintains them.
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
from html.parser import HTMLParser
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from conftest import SHARED, SHARED_MISSING, QuietHandler, mkdocs_build
from generator.releases import read_releases
from test_releases import history_of

BUNDLE = SHARED / "history" / "security_content.bundle"
ATTACK_16 = SHARED / "attack" / "enterprise-attack-16.1.json"
PATTERN = "v4.4*"
CONTENTCTL = Path(sys.executable).with_name("contentctl")
FOLDERS = ("detections/", "ssa_detections/", "stories/", "macros/", "lookups/", "playbooks/")


def needs_bundle() -> None:
    if not BUNDLE.is_file() or not ATTACK_16.is_file():
        message = f"{SHARED_MISSING} ({BUNDLE.relative_to(SHARED.parent)} is not there)"
        if os.environ.get("REQUIRE_CORPUS"):
            pytest.fail(message)
        pytest.skip(message)


def clone(target: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(BUNDLE), str(target)], check=True, timeout=300)
    return target


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    needs_bundle()
    return clone(tmp_path_factory.mktemp("history") / "security_content")


@pytest.fixture(scope="module")
def site(content, tmp_path_factory) -> Path:
    """The site of the clone's working tree (ESCU 5, 2025) with the releases v4.4*. Not --strict: the content
    has errors of its own."""
    out = tmp_path_factory.mktemp("history-site") / "site"
    result = mkdocs_build(out, strict=False, CONTENT_DIR=str(content), ATTACK_BUNDLE=str(ATTACK_16), CVE_FILE="",
                          SPLUNK_APPS_FILE="", D3FEND_FILE="", CONTENT_FORM="", RELEASES=PATTERN)
    assert result.returncode == 0, result.stderr
    assert f"releases: read 5 tags matching '{PATTERN}', v4.4.0 to v4.42.0" in result.stderr
    return out


# -- what the release pages list -----------------------------------------------------------------------


class _Lists(HTMLParser):
    """Each h2 of a release page's article and the items of the list after it: (name, href) each."""

    def __init__(self):
        super().__init__()
        self.sections: dict[str, list[tuple[str, str]]] = {}
        self.current: list | None = None
        self.heading: list[str] | None = None
        self.item: list | None = None
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self.heading = []
        elif tag == "li" and self.current is not None:
            self.item = ["", "", False]
        elif tag == "a" and self.item is not None and not self.item[1]:
            self.item[1] = dict(attrs).get("href", "")
            self.item[2] = True
        elif tag == "div" and "sc-change" in (dict(attrs).get("class") or ""):
            self.current = None  # the field-by-field part: not a list

    def handle_endtag(self, tag):
        if tag == "h2" and self.heading is not None:
            title = re.sub(r"\s*\([\d,]+\)\s*$", "", "".join(self.heading).replace("¶", "").strip())
            self.current = self.sections.setdefault(title, [])
            self.heading = None
        elif tag == "a" and self.item is not None:
            self.item[2] = False
        elif tag == "li" and self.item is not None:
            self.current.append((self.item[0].split(" — ")[0].strip(), self.item[1]))
            self.item = None

    def handle_data(self, data):
        if self.heading is not None:
            self.heading.append(data)
        elif self.item is not None and (self.item[2] or not self.item[1]):
            self.item[0] += data


def our_lists(site: Path, release: str) -> dict[str, list[tuple[str, str]]]:
    parser = _Lists()
    html = (site / "releases" / release / "index.html").read_text(encoding="utf-8")
    parser.feed(html.split("<article", 1)[1].split("</article>", 1)[0])
    return parser.sections


# -- what contentctl lists ---------------------------------------------------------------------------------


def contentctl_lists(repo: Path, old: str, new: str) -> dict[str, list[tuple[str, str]]]:
    """`contentctl release_notes` for two tags, run as Splunk runs it: in a checkout of the new tag (it reads the
    files of the working tree). Tags from before contentctl.yml existed get the newest one's, untracked: the
    command refuses to start without it and reads nothing else of it."""
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "--force", new], check=True)
    subprocess.run(["git", "-C", str(repo), "clean", "-q", "-fdx"], check=True)
    if not (repo / "contentctl.yml").exists():
        settings = subprocess.run(["git", "-C", str(repo), "show", "v4.42.0:contentctl.yml"], check=True,
                                  capture_output=True, text=True).stdout
        (repo / "contentctl.yml").write_text(settings, encoding="utf-8")
    result = subprocess.run([str(CONTENTCTL), "release_notes", "--old_tag", old, "--new_tag", new], cwd=repo,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    sections: dict[str, list[tuple[str, str]]] = {}
    for name in ("release_notes.txt", "ba_release_notes.txt"):
        current = None
        for line in (repo / "dist" / name).read_text(encoding="utf-8").splitlines():
            heading = re.fullmatch(r"### (.+) - \[(\d+)\]", line)
            if line.startswith("Total Warnings"):
                assert line == "Total Warnings: [0]", f"{new}: contentctl warned: {line}"
                current = None
            elif heading:
                current = sections.setdefault(heading[1], [])
            elif current is not None and line.startswith("- "):
                link = re.fullmatch(r"- \[(.*)\]\((.*)\)", line)
                current.append((link[1], link[2]) if link else (line[2:].removesuffix(" (Validation Mode)"), ""))
    return sections


SECTIONS = {  # contentctl's heading -> ours
    "New Analytic Story": "New Analytic Stories", "Updated Analytic Story": "Updated Analytic Stories",
    "New Analytics": "New Analytics", "Updated Analytics": "Updated Analytics",
    "Deprecated Analytics": "Deprecated Analytics", "Macros Added": "Macros Added",
    "Macros Updated": "Macros Updated", "Lookups Added": "Lookups Added", "Lookups Updated": "Lookups Updated",
    "Playbooks Added": "Playbooks Added", "Playbooks Updated": "Playbooks Updated",
}


# -- git's account of two tags -----------------------------------------------------------------------------


class Facts:
    """What git says changed between two tags in the content folders, with each changed file's fields."""

    def __init__(self, repo: Path, old: str, new: str):
        self.old, self.new, self.repo = old, new, repo
        out = subprocess.run(["git", "-C", str(repo), "diff-tree", "-r", "-M", "--name-status", "-z", old, new],
                             check=True, capture_output=True, text=True).stdout.split("\0")
        self.changes: list[tuple[str, str | None, str | None]] = []  # (letter, old path, new path)
        position = 0
        while position < len(out) - 1:
            letter = out[position][0]
            if letter in "RC":
                before, after = out[position + 1], out[position + 2]
                position += 3
            else:
                before = after = out[position + 1]
                position += 2
                before, after = (None, after) if letter == "A" else (before, None) if letter == "D" else (before, after)
            if any((path or "").startswith(FOLDERS) for path in (before, after)):
                self.changes.append((letter, before, after))
        specs = [f"{old}:{b}" for _, b, _ in self.changes if b] + [f"{new}:{a}" for _, _, a in self.changes if a]
        self.fields = dict(zip(specs, _read_yaml(repo, specs)))

    def of(self, tag: str, path: str | None) -> dict:
        return self.fields.get(f"{tag}:{path}") or {} if path else {}

    def new_side(self, name: str) -> list[tuple[str, str | None, str | None]]:
        """The changes whose file at the new tag is named `name`."""
        return [c for c in self.changes if c[2] and self.of(self.new, c[2]).get("name") == name]

    def id_in_old(self, id_: str) -> bool:
        found = subprocess.run(["git", "-C", str(self.repo), "grep", "-q", "-F", f"id: {id_}", self.old, "--",
                                "detections", "ssa_detections", "stories", "playbooks"])
        return found.returncode == 0


def _read_yaml(repo: Path, specs: list[str]) -> list[dict]:
    process = subprocess.run(["git", "-C", str(repo), "cat-file", "--batch"], input=("\n".join(specs) + "\n").encode(),
                             capture_output=True, check=True)
    data, position, parsed = process.stdout, 0, []
    for _ in specs:
        header_end = data.index(b"\n", position)
        header = data[position:header_end].split()
        if len(header) != 3:
            parsed.append({})
            position = header_end + 1
            continue
        size = int(header[2])
        text = data[header_end + 1:header_end + 1 + size]
        position = header_end + 1 + size + 1
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            value = None
        parsed.append(value if isinstance(value, dict) else {})
    return parsed


UPDATED_INSTEAD = {"New Analytics": ("Updated Analytics", "Deprecated Analytics"),
                   "New Analytic Story": ("Updated Analytic Stories",), "Macros Added": ("Macros Updated",),
                   "Lookups Added": ("Lookups Updated",), "Playbooks Added": ("Playbooks Updated",)}
"""contentctl's "new" list -> where ours lists an item it calls new because its file was added elsewhere."""


def explain(title: str, name: str, side: str, facts: Facts, ours: dict, theirs: dict) -> str | None:
    """Which documented difference puts `name` in list `title` of `side` ("ours", or "theirs": contentctl's
    heading) only; None when none does."""
    def ours_in(*titles):
        return any(name in {n for n, _ in ours.get(t, [])} for t in titles)

    def theirs_in(heading):
        return name in {n for n, _ in theirs.get(heading, [])}

    def already_released(fields: dict) -> bool:  # by its id, or for macros and lookups by a deleted file's name
        if fields.get("id"):
            return facts.id_in_old(str(fields["id"]))
        return any(facts.of(facts.old, b).get("name") == name for kind, b, _ in facts.changes if kind == "D")

    detections = title.endswith("Analytics")
    for letter, before, after in facts.new_side(name):
        now, then = facts.of(facts.new, after), facts.of(facts.old, before)
        new_identity = letter == "M" and then.get("id") != now.get("id") and then.get("name") != now.get("name")
        if side == "ours":
            if letter == "R":
                return "renamed or moved file"
            if detections and now.get("status") not in ("production", "deprecated"):
                return "not production or deprecated"
            if title == "New Analytics" and new_identity and theirs_in("Updated Analytics"):
                return "id and name changed in the same file"
            if title == "Deprecated Analytics" and letter == "M" and now.get("status") == "deprecated" \
                    and theirs_in("Updated Analytics"):
                return "deprecated in place"
            if letter == "A" and already_released(now) and any(
                    title in ours_titles and theirs_in(heading) for heading, ours_titles in UPDATED_INSTEAD.items()):
                return "added file of an item already released"
        else:
            if title in ("New Analytic Story", "Updated Analytic Story") and after.startswith("stories/deprecated/"):
                return "a story of stories/deprecated/"
            if letter == "A" and title in UPDATED_INSTEAD and ours_in(*UPDATED_INSTEAD[title]) \
                    and already_released(now):
                return "added file of an item already released"
            if title == "Updated Analytics" and new_identity and ours_in("New Analytics"):
                return "id and name changed in the same file"
    return None


def test_the_release_pages_agree_with_contentctl_release_notes(site, tmp_path):
    repo = clone(tmp_path / "for-contentctl")
    releases = [path.name for path in sorted((site / "releases").iterdir()) if path.name.startswith("v")]
    assert sorted(releases) == ["v4.4.0", "v4.4.1", "v4.40.0", "v4.41.0", "v4.42.0"]
    order = ["v4.4.0", "v4.4.1", "v4.40.0", "v4.41.0", "v4.42.0"]  # by date, as the index lists them
    index = (site / "releases" / "index.html").read_text(encoding="utf-8")
    assert [index.index(f">{name}</a></td>") for name in order] == sorted(
        (index.index(f">{name}</a></td>") for name in order), reverse=True)
    agreed, explained, unexplained = 0, {}, []
    for old, new in zip(order, order[1:]):
        theirs = contentctl_lists(repo, old, new)
        ours = our_lists(site, new)
        facts = Facts(repo, old, new)
        assert theirs.get("New BA Analytics") == [] and theirs.get("Updated BA Analytics") == []
        for heading, title in SECTIONS.items():
            mine = {name for name, _ in ours[title]}
            others = {name for name, _ in theirs[heading]}
            agreed += len(mine & others)
            for side, names in (("ours", mine - others), ("theirs", others - mine)):
                for name in sorted(names):
                    reason = explain(heading if side == "theirs" else title, name, side, facts, ours, theirs)
                    if reason is None:
                        unexplained.append(f"{new} {title}: {name!r} only in {side}")
                    else:
                        explained[reason] = explained.get(reason, 0) + 1
            if title.endswith("Analytics"):  # a detection links the detection contentctl links (by its id)
                their_ids = {name: link.rstrip("/").rsplit("/", 1)[-1].lower() for name, link in theirs[heading]}
                for name, href in ours[title]:
                    assert name not in their_ids or their_ids[name] in href.lower(), (new, name, href)
    assert unexplained == []
    assert agreed > 1500, explained


# -- one detection's history -------------------------------------------------------------------------------

OKTA_ID = "19cba45f-cad3-4032-8911-0c09e0444552"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def test_a_renamed_regenerated_and_deprecated_detection_has_one_true_history(content):
    """"Multiple Okta Users With Invalid Credentials From The Same IP": in the flat detections/ of 2020, then
    detections/application/, renamed (a typo fixed), moved to detections/experimental/ (2022), back with
    `status: experimental` (2023), deprecated in 2024. Every fact is checked against git first."""
    releases, _ = read_releases(content, "v*")
    [history] = [h for h in releases.histories if h.key == OKTA_ID]
    path_at = {}
    for tag, detection in ((releases.notes[i].name, d) for i, d in history.releases):
        path_at[tag] = detection.source.path
        assert f"id: {OKTA_ID}" in _git(content, "show", f"{tag}:{detection.source.path}")
    tags = [n.name for n in releases.notes]
    held = [tags[i] for i, _ in history.releases]
    assert held == tags[:len(held)] and held[0] == "v3.0.0"  # in every release since the first
    # Facts from git: the layouts and names it went through.
    assert path_at["v3.0.0"].count("/") == 1  # the flat detections/ of early 2020
    name = lambda tag: yaml.safe_load(_git(content, "show", f"{tag}:{path_at[tag]}"))["name"]  # noqa: E731
    assert "Credentails" in name("v3.14.0") and "Credentials" in name("v3.15.0")
    assert path_at["v3.17.0"].startswith("detections/experimental/")
    assert "status: experimental" in _git(content, "show", f"v4.0.0:{path_at['v4.0.0']}")
    assert path_at["v4.30.0"].startswith("detections/deprecated/") and path_at["v4.29.0"].startswith("detections/application/")

    entries = {e.release.name: e for e in history.entries}
    assert history.entries[0].release.name == "v3.0.0" and history.entries[0].status == "first"
    assert history.names == ("Multiple Okta Users With Invalid Credentails From The Same IP",
                             "Multiple Okta Users With Invalid Credentials From The Same IP")
    assert "Name" in [f.field for f in entries["v3.15.0"].fields]
    assert history.deprecated_in.name == "v4.30.0" and entries["v4.30.0"].status == "deprecated"
    assert history.removed_in is None
    # Moving out of detections/experimental/ into a `status: experimental` file is no change of status.
    assert [f.field for f in entries["v4.0.0"].fields] == ["File"]
    # A change of file is reported exactly where git shows the path changed.
    for before, after in zip(held, held[1:]):
        moved = path_at[before] != path_at[after]
        reported = after in entries and "File" in [f.field for f in entries[after].fields]
        assert moved == reported, (before, after)


def test_its_page_in_the_site_shows_its_history_across_the_releases_read(site):
    html = (site / "deprecated" / OKTA_ID / "index.html").read_text(encoding="utf-8")
    history = history_of(html)
    assert history.startswith("History Already in the first release read, v4.4.0 (2023-06-01), deprecated in "
                              "v4.40.0; in 5 of the 5 releases read")
    assert "v4.40.0 · 2024-09-09 · version 3, deprecated: File, Status" in history


def test_am_i_up_to_date_counts_a_whole_release_as_its_page_does(site, browser):
    """A release picked with nothing pasted counted the Behavioral Analytics (ssa_detections/) of v4.4.0 too, so
    its total was larger than the release pages' count of its detections."""
    data = json.loads((site / "api" / "releases.json").read_text(encoding="utf-8"))
    assert data["releases"][0]["name"] == "v4.4.0"
    held = [run for d in data["detections"] for run in d["in"] if run[0] == 0]  # the versions v4.4.0 held
    assert any(run[4:] for run in held)  # some were Behavioral Analytics: this is what is checked
    index = (site / "releases" / "index.html").read_text(encoding="utf-8")
    shown = re.search(r'>v4\.4\.0</a></td>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>([\d,]+)</td>', index)
    assert shown, "the releases index has no row for v4.4.0"
    assert int(shown[1].replace(",", "")) == sum(1 for run in held if not run[4:])
    assert f"v4.4.0 (2023-06-01): {shown[1]} detections: " in index  # the chart's count of it, written alike
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/releases/up-to-date/")
        page.select_option("#sc-uptodate-release", value="0")
        summary = page.locator(".sc-uptodate__summary")
        summary.wait_for()
        assert summary.inner_text().startswith(f"{shown[1]} detections: ")
        page.close()
    finally:
        server.shutdown()
        server.server_close()
