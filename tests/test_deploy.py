"""The deploy recipe, end to end: the Pages workflow's build step and the script it calls
(scripts/build_site.py), run here against a local git repository standing in for security_content."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, TESTS

GOLDEN_SOURCES = TESTS / "golden" / "sources"
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
SCRIPT = ROOT / "scripts" / "build_site.py"
SITE_URL = "https://team.github.io/soc-docs/"
TEAM_PAGE = "endpoint/7e4a0000-0000-4000-8000-000000000201/index.html"
UPSTREAM_PAGE = "endpoint/0b0a1c2d-0000-4000-8000-000000000102/index.html"


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", *args], cwd=cwd,
                   check=True, capture_output=True)


@pytest.fixture
def stand_in(tmp_path) -> Path:
    """security_content's stand-in: the golden upstream content tagged v1.0.0, then a commit tagged v1.1.0
    that renames a detection (the site of v1.0.0 must not show it)."""
    repository = tmp_path / "security_content"
    shutil.copytree(GOLDEN_SOURCES / "upstream", repository)
    git("init", "-q", "-b", "develop", cwd=repository)
    git("add", "-A", cwd=repository)
    git("commit", "-q", "-m", "ESCU v1.0.0", cwd=repository)
    git("tag", "v1.0.0", cwd=repository)
    later = repository / "detections/endpoint/cleared_security_log.yml"
    later.write_text(later.read_text().replace("name: Cleared Security Log", "name: Cleared Security Log Renamed"))
    git("commit", "-q", "-am", "ESCU v1.1.0", cwd=repository)
    git("tag", "v1.1.0", cwd=repository)
    return repository


@pytest.fixture
def team(tmp_path) -> Path:
    """The repository's own content folder: the golden team's, without its tuned copy (that needs overrides)."""
    folder = tmp_path / "acme"
    shutil.copytree(GOLDEN_SOURCES / "team", folder)
    (folder / "detections/endpoint/disable_defender_with_powershell.yml").unlink()
    return folder


def workflow_step(name: str) -> dict:
    steps = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["build"]["steps"]
    return next(step for step in steps if step.get("name") == name)


def test_the_workflow_gets_the_attack_bundle_in_a_step_of_its_own_and_the_build_downloads_nothing():
    download = workflow_step("Get the ATT&CK bundle")["run"]
    assert "curl" in download and "$RUNNER_TEMP/enterprise-attack.json" in download
    build = workflow_step("Build")["run"]
    assert "scripts/build_site.py" in build and "--attack \"$RUNNER_TEMP/enterprise-attack.json\"" in build
    assert not any(tool in build for tool in ("curl", "wget", "http://", "https://"))


def test_the_workflow_builds_the_pinned_release_with_the_repository_s_own_folder(tmp_path, stand_in, team):
    runner = tmp_path / "runner"
    runner.mkdir()
    shutil.copy(GOLDEN_SOURCES / "attack.json", runner / "enterprise-attack.json")  # what the download step gets
    site = tmp_path / "site"
    # The step's own shell script, with this interpreter for the workflow's .venv.
    script = workflow_step("Build")["run"].replace(".venv/bin/python ", f"{sys.executable} ")
    env = dict(os.environ, RUNNER_TEMP=str(runner), SECURITY_CONTENT_REPOSITORY=str(stand_in),
               SECURITY_CONTENT_TAG="v1.0.0", OWN_CONTENT=str(team), SITE_DIR=str(site), SITE_URL=SITE_URL)
    for name in ("CONTENT_DIR", "CONTENT_DIRS", "ATTACK_BUNDLE", "CVE_FILE", "SPLUNK_APPS_FILE", "D3FEND_FILE"):
        env.pop(name, None)
    result = subprocess.run(["bash", "-e", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "security_content v1.0.0 (" in result.stderr
    team_page = (site / TEAM_PAGE).read_text()
    assert "Team Office Spawns PowerShell" in team_page and "<strong>Content source</strong>: acme" in team_page
    upstream_page = (site / UPSTREAM_PAGE).read_text()
    assert "Cleared Security Log" in upstream_page and "Renamed" not in upstream_page  # the tag, not the branch
    assert "Try in Splunk" in upstream_page  # its contentctl.yml says it is Splunk's
    assert f'<link rel="canonical" href="{SITE_URL}{TEAM_PAGE.removesuffix("index.html")}"' in team_page
    assert (runner / "security_content" / ".git").is_dir() and not (ROOT / ".security_content").exists()


def test_the_script_moves_an_earlier_checkout_to_another_tag_and_names_a_missing_one(tmp_path, stand_in, team):
    checkout = tmp_path / "checkout"
    common = ["--repository", str(stand_in), "--attack", str(GOLDEN_SOURCES / "attack.json"), "--content", str(team),
              "--checkout", str(checkout)]
    env = {key: value for key, value in os.environ.items() if key not in ("CONTENT_DIR", "CONTENT_DIRS")}

    def build(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(SCRIPT), *common, *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600)

    first = build("--tag", "v1.0.0", "--site-dir", str(tmp_path / "first"))
    assert first.returncode == 0, first.stderr[-3000:]
    later = build("--tag", "v1.1.0", "--site-dir", str(tmp_path / "later"))
    assert later.returncode == 0, later.stderr[-3000:]
    assert "Cleared Security Log Renamed" in (tmp_path / "later" / UPSTREAM_PAGE).read_text()

    missing = build("--tag", "v9.9.9", "--site-dir", str(tmp_path / "missing"))
    assert missing.returncode == 2
    assert missing.stderr == f"error: {stand_in} has no tag v9.9.9\n"
    assert not (tmp_path / "missing").exists()
    unprefixed = build("--tag", "1.1.0", "--site-dir", str(tmp_path / "missing"))
    assert unprefixed.returncode == 2 and unprefixed.stderr == f"error: {stand_in} has no tag 1.1.0; did you mean v1.1.0?\n"

    nowhere = build("--tag", "v1.0.0", "--attack", str(tmp_path / "none.json"), "--site-dir", str(tmp_path / "x"))
    assert nowhere.returncode == 2 and "none.json: the ATT&CK bundle is not a file" in nowhere.stderr


def test_with_releases_the_checkout_has_every_tag_and_the_site_every_release(tmp_path, stand_in, team):
    """A checkout of an earlier run (shallow, one tag) is given the whole history; the site is the pinned tag's,
    with a page for each release."""
    checkout = tmp_path / "checkout"
    common = [sys.executable, str(SCRIPT), "--repository", str(stand_in), "--attack", str(GOLDEN_SOURCES / "attack.json"),
              "--content", str(team), "--checkout", str(checkout), "--tag", "v1.0.0"]
    env = {key: value for key, value in os.environ.items() if key not in ("CONTENT_DIR", "CONTENT_DIRS", "RELEASES")}
    shallow = subprocess.run([*common, "--site-dir", str(tmp_path / "shallow")], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=600)
    assert shallow.returncode == 0, shallow.stderr[-3000:]
    assert not (tmp_path / "shallow" / "releases").exists()
    result = subprocess.run([*common, "--releases", "v*", "--site-dir", str(tmp_path / "site")], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "releases: read 2 tags matching 'v*', v1.0.0 to v1.1.0" in result.stderr
    assert (tmp_path / "site" / "releases" / "v1.1.0" / "index.html").is_file()
    page = (tmp_path / "site" / UPSTREAM_PAGE).read_text()
    assert "<title>Cleared Security Log - " in page  # the pinned tag's content, and in its history the later name
    history = re.sub(r"<[^>]+>", "", page.split('id="history"', 1)[1])  # the words a change added are marked
    assert "Cleared Security Log Renamed" in history
