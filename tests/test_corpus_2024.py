"""The April-2024 published corpus (../shared/corpus/escu-2024-04) as a golden test, byte for byte."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ATTACK_14, CORPUS_2024, CORPUS_2024_10, SHARED, needs_corpus, run_generator
from generator.forms import choose_form
from goldens import tree

ENRICHMENT = CORPUS_2024 / "enrichment"


def render_2024(out, *extra: str):
    return run_generator("render", "--layout", "published", "--content", CORPUS_2024 / "source",
                         "--attack", ATTACK_14, "--cves", ENRICHMENT / "cves.json",
                         "--splunk-apps", ENRICHMENT / "splunk_apps.json", "--d3fend", ENRICHMENT / "d3fend.json",
                         "--out", out, *extra)


@pytest.fixture(scope="module")
def corpus_render(tmp_path_factory):
    needs_corpus(CORPUS_2024, ATTACK_14)
    out = tmp_path_factory.mktemp("corpus-2024") / "out"
    return out, render_2024(out)


def test_every_comparable_published_page_is_identical(corpus_render):
    out, _ = corpus_render
    check = subprocess.run([sys.executable, SHARED / "tools" / "conformance.py", out, CORPUS_2024 / "published",
                            "--diff", "5"], capture_output=True, text=True, timeout=120)
    last_line = check.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"conformance: (\d+) identical of \1 pages", last_line), check.stdout
    assert int(last_line.split()[1]) >= 1377
    assert check.returncode == 0


def test_the_form_is_chosen_from_the_content_and_said(corpus_render):
    _, result = corpus_render
    assert result.stderr.splitlines()[0] == \
        "form 2024-04: the content has no detections/experimental/ (the schema since 2023)"


def test_only_the_sources_real_errors_are_errors(corpus_render):
    """Two sources are broken; each is reported at its line and everything else is written."""
    _, result = corpus_render
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == [
        "detections/deprecated/prohibited_software_on_endpoint.yml:12: error: "
        "the search uses macro `prohibited_processes` but no macro file defines it",
        "stories/suspicious_aws_s3_activities.yml:18: error: item 3 of 'references' must be text, not NoneType",
    ]
    assert result.returncode == 1
    # What the published generator crashed on or showed oddly is a warning here.
    assert "stories/cisa_aa23_347a.yml:1: warning: field 'id' is missing; the page shows it empty" in result.stderr
    assert re.search(r"^detections/application/splunk_xss_in_highlighted_json_events.yml:24: warning: "
                     r"CVE-2023-46213 is under a top-level 'cve:'", result.stderr, re.MULTILINE)


def test_rendering_twice_gives_the_same_bytes(corpus_render, tmp_path):
    first, _ = corpus_render
    render_2024(tmp_path)
    assert tree(first) == tree(tmp_path)


def test_without_enrichment_files_add_ons_show_their_ids_with_warnings(tmp_path):
    needs_corpus(CORPUS_2024, ATTACK_14)
    result = run_generator("render", "--layout", "published", "--content", CORPUS_2024 / "source",
                           "--attack", ATTACK_14, "--cves", ENRICHMENT / "cves.json", "--out", tmp_path)
    assert "detections/endpoint/detect_webshell_exploit_behavior.yml:" in result.stderr
    assert re.search(r"^detections/endpoint/detect_webshell_exploit_behavior.yml:\d+: warning: add-on "
                     r"'Splunk_TA_microsoft_sysmon' is shown by its id: no Splunk apps file was given$",
                     result.stderr, re.MULTILINE)
    assert re.search(r"^playbooks/\S+\.yml:\d+: warning: D3FEND technique 'D3-AL' and \d+ more are left out: "
                     r"no D3FEND file was given$", result.stderr, re.MULTILINE)
    page = (tmp_path / "_posts" / "2023-07-10-22597426-6dbd-49bd-bcdc-4ec19857192f.md").read_text()
    assert "* [Splunk_TA_microsoft_sysmon]()" in page


def test_the_form_follows_the_schema():
    needs_corpus(CORPUS_2024, ATTACK_14)
    assert choose_form(SHARED / "corpus" / "escu-2022-03" / "source").name == "2022-03"
    assert choose_form(CORPUS_2024 / "source").name == "2024-04"
    assert choose_form(CORPUS_2024_10 / "source").name == "2024-04"
    assert choose_form(CORPUS_2024_10 / "source", "2022-03").name == "2022-03"
