"""The schemas after October 2024 on the site: ESCU 5 (escu-2025-02) and ESCU 6 (escu-2026-sample with its older
files copied over it), each built once, and every published detection's page checked field by field.

tests/test_today.py does the same for October 2024. Here a page must show every data source, drilldown,
story, ATT&CK id, CVE, scored risk object or finding entity with its score, threat object, risk message or
finding title, both dates and every baseline of its source, and link each test dataset.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import SHARED, SITE_URL, mkdocs_build, needs_corpus
from generator.forms.escu_2024_04 import DETECTION_FOLDERS, is_published
from generator.load import load_content
from sitecheck import broken_links
from test_today import _normal, _read

CORPUS_2025 = SHARED / "corpus" / "escu-2025-02"
CORPUS_2026 = SHARED / "corpus" / "escu-2026-sample"
ATTACK_16 = SHARED / "attack" / "enterprise-attack-16.1.json"
ATTACK_18 = SHARED / "attack" / "enterprise-attack-18.1.json"
NO_FILES = dict(CVE_FILE="", SPLUNK_APPS_FILE="", D3FEND_FILE="", CONTENT_FORM="")


@pytest.fixture(scope="session")
def site_2025(tmp_path_factory):
    needs_corpus(CORPUS_2025, ATTACK_16)
    out = tmp_path_factory.mktemp("escu-2025") / "site"
    result = mkdocs_build(out, CONTENT_DIR=str(CORPUS_2025 / "source"), ATTACK_BUNDLE=str(ATTACK_16), **NO_FILES)
    return CORPUS_2025 / "source", out, result


@pytest.fixture(scope="session")
def site_2026(tmp_path_factory):
    """The ESCU 6 sample with `older/` copied over it, as its README says (a tree that mixes generations).
    Not --strict: the sample lacks three macros its detections use (errors, as they should be)."""
    needs_corpus(CORPUS_2026, ATTACK_18)
    content = tmp_path_factory.mktemp("escu-2026-content") / "content"
    shutil.copytree(CORPUS_2026 / "source", content)
    shutil.copytree(CORPUS_2026 / "older", content, dirs_exist_ok=True)
    out = tmp_path_factory.mktemp("escu-2026") / "site"
    result = mkdocs_build(out, strict=False, CONTENT_DIR=str(content), ATTACK_BUNDLE=str(ATTACK_18), **NO_FILES)
    return content, out, result


def test_the_2025_sources_build_strict(site_2025):
    _, out, result = site_2025
    assert result.returncode == 0, result.stderr[-3000:]
    assert broken_links(out, SITE_URL) == []


def test_the_2026_sample_builds_and_its_only_errors_are_the_references_its_readme_lists(site_2026):
    content_dir, out, result = site_2026
    assert result.returncode == 0, result.stderr[-3000:]
    errors = sorted(line.split("generator: ", 1)[-1] for line in result.stderr.splitlines() if ": error: " in line)
    assert [re.sub(r":\d+:", ":", error) for error in errors] == [
        "detections/application/cisco_ios_xe_reconnaissance_command_activity.yml: error: the search uses macro "
        "`cisco_ios` but no macro file defines it",
        "detections/application/cisco_ios_xe_webui_programmatic_configuration.yml: error: the search uses macro "
        "`cisco_ios` but no macro file defines it",
        "detections/application/mcp_filesystem_server_suspicious_extension_write.yml: error: the search uses macro "
        "`mcp_server` but no macro file defines it",
    ]
    # The README: stories newer than February 2025 and three data source names are missing too (warnings). It
    # counts 20 stories; the published detections of source/ and older/ name 18 that no story file defines.
    content, _ = load_content(content_dir, DETECTION_FOLDERS)
    defined = {story.name for story in content.stories}
    undefined = {name for d in content.detections if is_published(d) for name in d.tags.analytic_story} - defined
    stories = set(re.findall(r"warning: no story is named '([^']+)'", result.stderr))
    assert stories == undefined and len(stories) == 18 and {"Salt Typhoon", "Scattered Lapsus$ Hunters"} <= stories
    data_sources = set(re.findall(r"warning: no data source is named '([^']+)'", result.stderr))
    assert data_sources == {"AWS CloudTrail CreateLoginProfile AND AWS CloudTrail ConsoleLogin",
                            "Sysmon EventID 1 AND Sysmon EventID 3", "Cisco Secure Access Firewall"}
    assert "warning: ATT&CK technique 'T1685' is not in ATT&CK 18.1" in result.stderr
    assert broken_links(out, SITE_URL) == []


def _baselines_of(content) -> dict[str, set[str]]:
    named: dict[str, set[str]] = {}
    for baseline in content.baselines:
        for name in baseline.detections:
            named.setdefault(name, set()).add(baseline.name)
    return named


def _check_every_detection(site, removed: bool = False) -> dict[str, int]:
    """Each published detection's page (`removed`: each removed detection's) shows every field of its source;
    returns how many of each were seen."""
    source, out, result = site
    assert result.returncode == 0, result.stderr[-3000:]
    content, _ = load_content(source, DETECTION_FOLDERS)
    baselines = {} if removed else _baselines_of(content)
    checked = dict.fromkeys(("pages", "data sources", "drilldowns", "stories", "ATT&CK ids", "CVEs",
                             "scored objects", "threat objects", "messages", "dates", "baselines",
                             "attack data", "texts", "references"), 0)
    detections = content.removed if removed else [d for d in content.detections if is_published(d)]
    for d in detections:
        page = out / ("deprecated" if removed else d.kind) / d.id.lower() / "index.html"
        text, hrefs = _read(page)
        checked["pages"] += 1

        def shows(what: str, value: str) -> None:
            assert _normal(value) in text, (page, what, value)
            checked[what] += 1

        for name in d.data_source:
            shows("data sources", name)
        for drilldown in d.drilldown_searches:
            shows("drilldowns", drilldown.name)
        for story in d.tags.analytic_story:
            shows("stories", story or "None")
        for technique_id in d.tags.mitre_attack_id:
            shows("ATT&CK ids", technique_id)
        for cve in d.tags.cve:
            shows("CVEs", cve)
        for entity in d.risk_entities:
            shows("scored objects", f"{entity.field} {entity.type} {entity.score}")
        for threat in d.threat_objects:
            shows("threat objects", f"{threat.field} {threat.type}")
        for message in {d.rba.message if d.rba else None, d.finding.title if d.finding else None,
                        *(entity.message for entity in d.intermediate_findings)} - {None, ""}:
            shows("messages", message)
        for date in {d.dates.date, d.dates.creation_date, d.dates.modification_date} - {""}:
            shows("dates", date)
        for name in {*d.baselines, *baselines.get(d.name, ())}:
            shows("baselines", name)
        for test in d.tests:
            for data in test.attack_data:
                assert data.data in hrefs, (page, data.data)
                checked["attack data"] += 1
        if not removed:
            continue  # a detection page shows these as the published form did (the conformance tests)
        for value in (d.description, d.how_to_implement, d.known_false_positives):
            words = value.split()[:4]
            if words and not re.search(r"[`*_\[<]", " ".join(words)):  # words Markdown leaves as they are
                shows("texts", " ".join(words))
        for reference in d.references:
            assert reference in hrefs or _normal(reference) in text, (page, reference)
            checked["references"] += 1
    return checked


def test_every_2025_detection_page_shows_every_field_of_its_source(site_2025):
    checked = _check_every_detection(site_2025)
    # The corpus has these in quantity; a page that silently dropped them would fail above.
    assert checked["pages"] >= 1500 and checked["scored objects"] > 1500 and checked["threat objects"] > 500
    assert checked["messages"] > 1200 and checked["baselines"] > 40 and checked["attack data"] > 1300, checked


def test_every_removed_detection_of_2026_keeps_every_field_of_its_source_on_its_page(site_2026):
    checked = _check_every_detection(site_2026, removed=True)
    # The sample's ten removed detections have these in quantity: a page that dropped them would fail above.
    assert checked["pages"] == 10 and checked["drilldowns"] >= 8 and checked["scored objects"] >= 10, checked
    assert checked["data sources"] >= 12 and checked["texts"] >= 30 and checked["attack data"] >= 8, checked
    assert checked["references"] >= 10 and checked["threat objects"] >= 6 and checked["messages"] >= 6, checked
    # A data source the content still defines is linked from the removed detection that named it.
    _, out, _ = site_2026
    linked = {href for page in (out / "deprecated").glob("*/index.html") for href in _read(page)[1]}
    assert "../../data_sources/sysmon_eventid_1/" in linked, sorted(linked)[:20]


def test_every_2026_detection_page_shows_every_field_of_its_source(site_2026):
    checked = _check_every_detection(site_2026)
    assert checked["pages"] == 104 and checked["scored objects"] > 100 and checked["threat objects"] > 40
    assert checked["dates"] >= 2 * 104 - 1 and checked["CVEs"] > 20 and checked["baselines"] >= 8, checked


def test_the_2026_sample_shows_its_baselines_schedules_and_removed_detections(site_2026):
    _, out, _ = site_2026
    index, hrefs = _read(out / "removed" / "index.html")
    assert "10 detections were removed" in index and "5.2.0" in index and "5.4.0" in index
    page, links = _read(out / "deprecated" / "5f04081e-ddee-4353-afe4-504f288de9ad" / "index.html")
    assert "THIS DETECTION WAS REMOVED" in page
    baseline, links = _read(out / "baselines" / "previously_seen_cloud_provisioning_activity_sources_-_initial"
                            / "index.html")
    assert "0 2 * * 0" in baseline and sum(link.startswith("../../cloud/") for link in links) == 3
    detection, links = _read(out / "cloud" / "e7ecc5e0-88df-48b9-91af-51104c68f02f" / "index.html")
    assert "0 * * * * -70m@m -10m@m auto" in detection and "Default EventBasedDetection" in detection
    technique, _ = _read(out / "techniques" / "T1685" / "index.html")
    assert "Not in ATT&CK 18.1" in technique
