"""A preview rebuild after edits writes the same site as a clean build of the edited content, byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.livereload import LiveReloadServer

from conftest import ROOT, TESTS
from generator.site.preview import dirty_builder
from goldens import tree

CASE = TESTS / "golden" / "form_2024"
SERVE_URL = "http://127.0.0.1:8000/"


@pytest.fixture
def content(tmp_path, monkeypatch) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CASE / "content", copy)
    monkeypatch.setenv("CONTENT_DIR", str(copy))
    monkeypatch.setenv("ATTACK_BUNDLE", str(CASE / "attack.json"))
    monkeypatch.setenv("CVE_FILE", str(CASE / "cves.json"))
    monkeypatch.setenv("SPLUNK_APPS_FILE", str(CASE / "splunk_apps.json"))
    monkeypatch.setenv("D3FEND_FILE", str(CASE / "d3fend.json"))
    monkeypatch.setenv("CONTENT_FORM", "")
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the sitemap's timestamp
    return copy


def session(site_dir: Path):
    """A `mkdocs serve` session as the server runs it: its first, full build, then its rebuilder."""
    config = load_config(config_file=str(ROOT / "mkdocs.yml"), site_dir=str(site_dir))
    config.plugins.on_startup(command="serve", dirty=False)
    config.site_url = SERVE_URL
    build(config, serve_url=SERVE_URL)
    return dirty_builder(config), config.plugins["security-content"]


def differences(one: dict[str, bytes], other: dict[str, bytes]) -> list[str]:
    return sorted(set(one) ^ set(other)) + sorted(p for p in one.keys() & other.keys() if one[p] != other[p])


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_each_rebuild_after_an_edit_equals_a_clean_build(content, tmp_path):
    site, scratch = tmp_path / "incremental", tmp_path / "clean"
    rebuild, plugin = session(site)
    state = plugin.preview
    # With mkdocs' server object, the edited detection's page is shown before the rest (early.py) at each edit.
    state.server = LiveReloadServer(builder=rebuild, host="127.0.0.1", port=0, root=str(site))
    detection = content / "detections/endpoint/powershell_webclient_download.yml"
    copy = content / "detections/endpoint/second_copy.yml"
    edits = [
        ("a description", lambda: edit(detection, "Finds `powershell.exe`", "Now finds `powershell.exe`")),
        ("a title, shown in listings", lambda: edit(detection, "name: PowerShell WebClient Download",
                                                    "name: PowerShell Download Cradle")),
        ("a macro", lambda: edit(content / "macros/security_content_ctime.yml", "description:", "description: Edited.")),
        ("a story's narrative", lambda: edit(content / "stories/living_off_the_land.yml", "narrative: 'Built-in",
                                             "narrative: 'Edited. Built-in")),
        ("a new detection", lambda: copy.write_text(detection.read_text().replace(
            "d2024000-0000-4000-8000-000000000001", "d2024000-0000-4000-8000-0000000000bb"))),
        ("a broken file", lambda: edit(copy, "type: TTP", "type: [TTP")),
        ("the broken file fixed", lambda: edit(copy, "type: [TTP", "type: TTP")),
        ("a deleted story", lambda: (content / "stories/dormant_story.yml").unlink()),
    ]
    for what, change in edits:
        change()
        plugin.preview = state  # the session's own state; the clean build below starts one of its own
        rebuild()
        if what == "a broken file":
            # Only a session that had the page shows the file's errors at its address.
            assert "this file has errors" in (site / "endpoint/d2024000-0000-4000-8000-0000000000bb/index.html").read_text()
            continue
        session(scratch)
        assert differences(tree(site), tree(scratch)) == [], what
        shutil.rmtree(scratch)
