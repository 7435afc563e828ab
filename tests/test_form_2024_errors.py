"""Inputs that crashed Splunk's April-2024 generator: here each is a located message, or simply accepted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import TESTS, run_generator
from test_errors import edit, line_of

CASE = TESTS / "golden" / "form_2024"
DETECTION = "detections/endpoint/powershell_webclient_download.yml"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CASE / "content", copy)
    return copy


def render(content: Path, out: Path):
    result = run_generator("render", "--layout", "published", "--content", content, "--attack", CASE / "attack.json",
                           "--cves", CASE / "cves.json", "--splunk-apps", CASE / "splunk_apps.json",
                           "--d3fend", CASE / "d3fend.json", "--out", out)
    return result, [line for line in result.stderr.splitlines() if ": error: " in line]


def test_an_unquoted_date_is_read_as_the_date_it_is(content, tmp_path):
    edit(content, DETECTION, "date: '2024-02-12'", "date: 2024-02-12")
    result, errors = render(content, tmp_path / "out")
    assert errors == [] and result.returncode == 0
    assert (tmp_path / "out" / "_posts" / "2024-02-12-d2024000-0000-4000-8000-000000000001.md").is_file()


def test_an_attack_id_missing_from_the_bundle_is_shown_with_a_located_warning(content, tmp_path):
    edit(content, DETECTION, "  - T1105\n", "  - T9999\n")
    result, errors = render(content, tmp_path / "out")
    line = line_of(content, DETECTION, "T9999")
    assert errors == [] and result.returncode == 0
    assert (f"{DETECTION}:{line}: warning: ATT&CK technique 'T9999' is not in the ATT&CK bundle (its version "
            "unknown); it is shown by its id alone (a newer bundle may have it)") in result.stderr
    page = (tmp_path / "out" / "_posts" / "2024-02-12-d2024000-0000-4000-8000-000000000001.md").read_text()
    assert "| [T9999](https://attack.mitre.org/techniques/T9999/) |  |  |" in page
    assert "T1059.001" in page
    # Neither a tag nor a name in the excerpt: the bundle gives it none.
    front_matter = page.split("\n---\n", 1)[0]
    assert "T9999" not in front_matter and ", ," not in front_matter


def test_an_attack_id_that_is_not_one_is_a_located_error(content, tmp_path):
    edit(content, DETECTION, "  - T1105\n", "  - T1105.1\n")
    result, errors = render(content, tmp_path / "out")
    line = line_of(content, DETECTION, "T1105.1")
    assert errors == [f"{DETECTION}:{line}: error: 'T1105.1' is not an ATT&CK technique id (T and four "
                      "digits, and .NNN for a sub-technique, as in T1003.001); it is left out"]
    assert result.returncode == 1


def test_a_story_no_published_detection_names_still_has_its_page(content, tmp_path):
    result, errors = render(content, tmp_path / "out")
    assert errors == [] and result.returncode == 0
    page = (tmp_path / "out" / "_stories" / "dormant_story.md").read_text()
    assert "| Name        | Technique   | Type         |\n| ----------- | ----------- |--------------|\n\n" in page
