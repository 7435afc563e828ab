"""Versioned sites with mike: `mike deploy` of two releases of the content into a local git repository gives two
sites side by side and the theme's version selector, which lists both and goes from one to the other.

Everything is local: the project's files are copied into a temporary git repository, mike commits the sites to
its gh-pages branch, and the branch is served from 127.0.0.1.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import threading
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, QuietHandler

MIKE = Path(sys.executable).with_name("mike")
DETECTION = "detections/endpoint/lsass_memory_dump_with_comsvcs.yml"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def deployed(tmp_path_factory) -> Path:
    """A project repository with the sites of two releases of content/ deployed by mike: 1.0, and 2.0 (alias
    latest, the default), in which one detection's description changed."""
    base = tmp_path_factory.mktemp("mike")
    project = base / "project"
    project.mkdir()
    for name in ("docs", "overrides"):
        shutil.copytree(ROOT / name, project / name)
    for name in ("mkdocs.yml", ".gitignore"):
        shutil.copy(ROOT / name, project / name)
    releases = {"1.0": base / "content-1.0", "2.0": base / "content-2.0"}
    for folder in releases.values():
        shutil.copytree(ROOT / "content", folder)
    changed = releases["2.0"] / DETECTION
    changed.write_text(changed.read_text(encoding="utf-8").replace(
        "description: ", "description: Changed in 2.0. ", 1), encoding="utf-8")
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": "", "COMPARE_WITH": "", "RELEASES": "",
                   "PATH": f"{MIKE.parent}{os.pathsep}{os.environ.get('PATH', '')}",  # mike runs mkdocs
                   "GIT_AUTHOR_NAME": "Example", "GIT_AUTHOR_EMAIL": "e@example.com",
                   "GIT_COMMITTER_NAME": "Example", "GIT_COMMITTER_EMAIL": "e@example.com",
                   "ATTACK_BUNDLE": str(ROOT / "content" / "attack" / "enterprise-attack.json"),
                   "CVE_FILE": str(ROOT / "content" / "cves.json"),
                   "SPLUNK_APPS_FILE": str(ROOT / "content" / "splunk_apps.json"),
                   "D3FEND_FILE": str(ROOT / "content" / "d3fend.json")}
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    subprocess.run(["git", "-C", str(project), "commit", "-qm", "project"], check=True, env=environment)
    for version, aliases in (("1.0", []), ("2.0", ["latest"])):
        result = subprocess.run([str(MIKE), "deploy", "--update-aliases", version, *aliases], cwd=project,
                                env={**environment, "CONTENT_DIR": str(releases[version])},
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "ERROR" not in result.stderr, result.stderr[-3000:]
    subprocess.run([str(MIKE), "set-default", "latest"], cwd=project, env=environment, check=True,
                   capture_output=True)
    assert _git(project, "status", "--porcelain") == ""  # mike wrote only to its branch (and the ignored site/)
    assert sorted(path.name for path in project.glob(".site.*")) == []  # mike's reading of mkdocs.yml stages nothing
    served = base / "served"
    served.mkdir()
    archive = subprocess.run(["git", "-C", str(project), "archive", "gh-pages"], check=True, capture_output=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(served, filter="data")
    return served


def test_mike_deploys_each_release_as_a_site_of_its_own(deployed):
    versions = json.loads((deployed / "versions.json").read_text())
    assert [(v["version"], v["aliases"]) for v in versions] == [("2.0", ["latest"]), ("1.0", [])]
    assert (deployed / "latest").is_symlink() and os.readlink(deployed / "latest") == "2.0"
    detection_id = yaml.safe_load((ROOT / "content" / DETECTION).read_text(encoding="utf-8"))["id"]
    pages = {version: deployed / version / "endpoint" / detection_id / "index.html" for version in ("1.0", "2.0")}
    assert "Changed in 2.0." in pages["2.0"].read_text() and "Changed in 2.0." not in pages["1.0"].read_text()
    # The theme's selector is on in both (the plugin turns it on under mike) and reads versions.json. The theme's
    # configuration is in the script every page shares (overrides/assets/javascripts/sc-frame.js).
    for version in ("1.0", "2.0"):
        home = (deployed / version / "index.html").read_text()
        setup = (deployed / version / "assets" / "javascripts" / "sc-frame.js").read_text()
        assert '<script src="assets/javascripts/sc-frame.js"></script>' in home
        assert '"version": {"provider": "mike"}' in setup


@pytest.fixture(scope="module")
def served(deployed):
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(deployed)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_the_version_selector_lists_both_releases_and_goes_from_one_to_the_other(browser, served):
    page = browser.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(served)  # the default version: mike's redirect to latest/
    page.wait_for_url(served + "latest/")
    selector = page.locator(".md-version")
    selector.wait_for()
    assert page.locator(".md-version__current").inner_text().strip() == "2.0"
    items = [text.strip() for text in page.locator(".md-version__list .md-version__link").all_inner_texts()]
    assert items == ["2.0", "1.0"]
    selector.hover()  # the list opens on hover
    page.locator(".md-version__list .md-version__link", has_text="1.0").click()
    page.wait_for_url(served + "1.0/")
    assert page.locator(".md-version__current").inner_text().strip() == "1.0"
    assert all(url.startswith(served) for url in requests)
    page.close()
