"""The embedded content/: it builds strictly, warning-free, and shows every section of every page kind."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import ROOT
from generator.forms.escu_2024_04 import DETECTION_FOLDERS, is_published
from generator.load import load_content
from generator.pipeline import Inputs, generate

CONTENT = ROOT / "content"


def article(site: Path, url: str) -> str:
    """The page's article, without the theme's permalink anchors in headings."""
    html = (site / url.strip("/") / "index.html").read_text()
    return re.sub(r'<a class="headerlink"[^>]*>[^<]*</a>', "", html[html.index("<article"):html.index("</article>")])


def test_default_site_builds_strict_without_warnings(content_site):
    out, result = content_site
    assert result.returncode == 0, result.stderr[-3000:]
    assert "WARNING" not in result.stderr
    assert (out / "index.html").is_file()


def test_every_page_of_the_content_is_in_the_site(content_site):
    out, _ = content_site
    generated = generate(CONTENT, Inputs(CONTENT / "attack" / "enterprise-attack.json", CONTENT / "cves.json",
                                   CONTENT / "splunk_apps.json", CONTENT / "d3fend.json"), "mkdocs")
    assert generated.issues == []
    assert len(generated.site.detections) == 15 and len(generated.site.stories) == 4
    assert len(generated.site.playbooks) == 2
    for page in generated.pages:
        if page.path[-1].endswith(".md"):
            assert (out / page.url.strip("/") / "index.html").is_file(), page.url
        else:  # the exports, copied as they are
            assert out.joinpath(*page.path).read_bytes() == page.text.encode("utf-8"), page.path


def test_every_section_of_every_page_kind_is_shown(content_site):
    out, _ = content_site
    content, _ = load_content(CONTENT, DETECTION_FOLDERS)
    published = [d for d in content.detections if is_published(d)]
    detections = {f"/{d.kind}/{d.id}/": article(out, f"/{d.kind}/{d.id}/") for d in published}

    def count(pattern: str) -> int:
        return sum(bool(re.search(pattern, html)) for html in detections.values())

    shown = r'<h4 id="[^"]*">'  # hidden (empty) sections carry hidden="hidden" before the id
    everywhere = ["Description", "Data Source", "Search", "Macros", "Required fields", "How To Implement",
                  "Known False Positives", "Associated Analytic Story"]
    for heading in everywhere:
        assert count(shown + heading) == len(detections), heading
    sometimes = {
        "the experimental banner": r"THIS IS A EXPERIMENTAL DETECTION",
        "an ATT&CK table": r"<summary>ATT&amp;CK</summary>\s*<div>\s*<h4[^>]*><a href=\"https://attack.mitre.org/\"[^>]*>",
        "a sub-technique": r"techniques/T1562/001/",
        "a Lookups section": shown + "Lookups",
        "an RBA table": shown + "RBA",
        "a CVE table": r"<summary>CVE</summary>\s*<div>\s*<table>",
        "a data model (found in the search)": r"Datamodel</strong>: <a",
        "several stories": r"(?s)Associated Analytic Story</h4>\s*<ul>\s*<li>.*?</li>\s*<li>",
        "drilldown searches": shown + "Drilldown Searches",
        "risk and threat objects": shown + "Risk and Threat Objects",
        "supported add-ons": shown + r"Supported Add-on \(TA\)",
        "test data": r"(?s)Test Dataset</h4>.*True Positive Test",
        "Atomic Red Team tests": r"Atomic Red Team tests</strong>",
        "a manual test": r"Manual test</strong>",
        "a hidden empty section": r'<h4 hidden="hidden"',
    }
    for what, pattern in sometimes.items():
        assert 0 < count(pattern) < len(detections), what
    assert count(r"<details hidden") > 0 and count(r"<details>\s*<summary>CVE</summary>\s*<div>\s*</div>") == 0

    story = article(out, "/stories/web_server_compromise/")
    for heading in ("Description", "Narrative", "Detections", "Reference"):
        assert re.search(rf"<h4[^>]*>{heading}", story), heading
    assert story.count("<tr>") == 6  # header + 5 detections
    assert re.search(r"Datamodel</strong>: <a[^>]*>Endpoint</a>, <a[^>]*>Network_Resolution</a>", story)

    with_detections = article(out, "/playbooks/isolate_endpoint_and_collect_triage/")
    without = article(out, "/playbooks/enrich_cloud_login_indicators/")
    assert with_detections.count('href="../../endpoint/') == 3
    assert "splunkbase.splunk.com/apps?keyword=crowdstrike+oauth+api&amp;filters=product%3Asoar" in with_detections
    assert "Process Isolation" in with_detections and "<li>Ransomware</li>" in with_detections
    assert re.search(r"(?s)Associated Detections</h4>\s*<h4", without)

    data_source = article(out, "/data_sources/sysmon_eventid_1/")
    for section in ("Supported add-ons", "Detections", "Field mappings", "Fields", "Example event"):
        assert re.search(rf"<h2[^>]*>{section}", data_source), section

    for url, marker in [("/detections/", "Windows Defender Disabled With PowerShell"),
                        ("/detections/", 'sc-status--experimental'),
                        ("/stories/", "Cloud Account Abuse"), ("/playbooks/", "Enrich Cloud Login Indicators"),
                        ("/data_sources/", "Sysmon EventID 1"),
                        ("/categories/endpoint/", "LSASS Memory Dump With Comsvcs"),
                        ("/playbooks/ransomware/", "Isolate Endpoint And Collect Triage"),
                        ("/stories/cloud_security/", "Cloud Account Abuse"),
                        ("/tags/", 'id="disable-or-modify-tools"'), ("/techniques/", "T1562.001"),
                        ("/techniques/T1190/", "Confluence OGNL Injection Attempt"),
                        ("/", f"{len(published)} detections"), ("/", "Playbooks by use case")]:
        assert marker in article(out, url), url


def test_search_indexes_what_readers_look_for_and_not_the_buttons(content_site):
    out, _ = content_site
    docs = json.loads((out / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    assert not any("Try in Splunk" in entry["text"] for entry in docs)  # it was every detection's excerpt
    assert not any(entry["location"].startswith("tags/") for entry in docs)  # every tag of every page
    boost = {entry["location"]: entry.get("boost") for entry in docs if "#" not in entry["location"]}
    assert boost["detections/"] == boost["stories/"] == boost["techniques/"] == 0.1  # listings rank below
    assert boost["techniques/T1059.001/"] is None
    assert all(boost[location] is None for location in boost if location.startswith("endpoint/"))


def _contents_of(page: Path) -> list[tuple[int, str]]:
    """A page's table of contents (the theme's secondary navigation) as (depth, anchor), in order."""
    html = page.read_text(encoding="utf-8")
    start = html.index('data-md-component="toc"')
    toc = html[start:html.index('<div class="md-content"', start)]
    depth, found = 0, []
    for closing, tag, attributes in re.findall(r"<(/?)(ul|a)\b([^>]*)>", toc):
        if tag == "ul":
            depth += -1 if closing else 1
        elif anchor := re.search(r'href="#([^"]+)"', attributes):
            found.append((depth, anchor[1]))
    return found


def test_a_detection_page_s_contents_list_its_sections_side_by_side(content_site):
    """The published form's "Annotations" is an h3 among h4 sections: the contents had nested Search, Macros, RBA
    and every section after it under Annotations › ATT&CK. Only what is folded inside it stays under it."""
    out, _ = content_site
    contents = _contents_of(out / "endpoint" / "3f2a9c1e-6b4d-4e8a-9f10-2c7d5e8b1a01" / "index.html")
    top = min(depth for depth, _ in contents)
    assert [anchor for depth, anchor in contents if depth > top] == ["attck"]
    anchors = [anchor for _, anchor in contents]
    assert anchors[:5] == ["description", "data-source", "annotations", "attck", "search"]
    assert {"macros", "rba", "reference", "test-dataset"} <= set(anchors)
