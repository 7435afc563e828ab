"""The embedded content/: it builds strictly, warning-free, and shows every section of every page kind."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT
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
    generated = generate(CONTENT, Inputs(CONTENT / "attack" / "enterprise-attack.json", CONTENT / "cves.json"), "mkdocs")
    assert generated.issues == []
    assert len(generated.site.detections) == 15 and len(generated.site.stories) == 4
    assert len(generated.site.playbooks) == 2
    for page in generated.pages:
        assert (out / page.url.strip("/") / "index.html").is_file(), page.url


def test_every_section_of_every_page_kind_is_shown(content_site):
    out, _ = content_site
    detections = {url: article(out, url) for url in [
        f"/{p.parent.name if p.parent.parent.name != 'experimental' else p.parent.name}/{p.stem}/"
        for p in sorted((CONTENT / "detections").rglob("*.yml")) if "baseline" not in p.stem]}

    def count(pattern: str) -> int:
        return sum(bool(re.search(pattern, html)) for html in detections.values())

    everywhere = ["Description", "Search", "Macros", "Required field", "How To Implement", "Known False Positives",
                  "Associated Analytic story", "Kill Chain Phase", "Reference", "Test Dataset"]
    for heading in everywhere:
        assert count(rf"<h4[^>]*>{heading}") == len(detections), heading
    sometimes = {
        "the experimental banner": r"WARNING THIS IS A EXPERIMENTAL DETECTION",
        "an ATT&CK table": r"<h4[^>]*><a href=\"https://attack.mitre.org/\">ATT&amp;CK</a>",
        "a sub-technique": r"techniques/T1562/001/",
        "a technique with several tactics": r"Defense Evasion, Persistence, Privilege Escalation, Initial Access",
        "a Lookups section": r"<h4[^>]*>Lookups",
        "a lookup without a file": r"with data</li>",
        "an RBA table": r"<h4[^>]*>RBA",
        "a CVE table": r"<h4[^>]*>CVE",
        "several datamodels": r"Datamodel</strong>: <a[^>]*>Endpoint</a>, <a[^>]*>Web</a>",
        "no datamodel": r"Datamodel</strong>: </li>",
        "several stories": r"(?s)Associated Analytic story.*<li>.*<li>.*Kill Chain",
        "a test dataset": r"(?s)Test Dataset</h4>.*<li>",
    }
    for what, pattern in sometimes.items():
        assert 0 < count(pattern) < len(detections), what
    assert count(r"(?s)Reference</h4>\s*<ul>") == len(detections) - 1  # one detection has no references

    story = article(out, "/stories/web_server_compromise/")
    for heading in ("Description", "Narrative", "Detections", "Reference"):
        assert re.search(rf"<h4[^>]*>{heading}", story), heading
    assert story.count("<tr>") == 6  # header + 5 detections

    with_detections = article(out, "/playbooks/isolate_endpoint_and_collect_triage/")
    without = article(out, "/playbooks/enrich_cloud_login_indicators/")
    assert with_detections.count('href="../../endpoint/') == 3
    assert "splunkbase.splunk.com/apps/#/search/CrowdStrike OAuth API/product/soar" in with_detections
    assert re.search(r"(?s)Associated Detections</h4>\s*<h4", without)

    for url, marker in [("/detections/", "Windows Defender Disabled With PowerShell"),
                        ("/stories/", "Cloud Account Abuse"), ("/playbooks/", "Enrich Cloud Login Indicators"),
                        ("/detections/defense_evasion/", "Windows Defender Disabled With PowerShell"),
                        ("/detections/network_resolution/", "DNS Query Length Outliers"),
                        ("/stories/cloud_security/", "Cloud Account Abuse"),
                        ("/tags/", 'id="disable-or-modify-tools"'), ("/techniques/", "T1562.001"),
                        ("/techniques/T1190/", "Confluence OGNL Injection Attempt"), ("/", "15 detections")]:
        assert marker in article(out, url), url
