"""Today's schema on the site: the Oct-2024 sources, built --strict, show every field of every detection."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from conftest import CORPUS_2024_10, SITE_URL
from generator.forms.escu_2024_04 import DETECTION_FOLDERS, is_published
from generator.load import load_content
from sitecheck import LinelessParser, broken_links


class _Text(LinelessParser):
    """The visible text of a page and the targets of its links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hrefs: set[str] = set()

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.update(value for name, value in attrs if name == "href" and value)

    def handle_data(self, data):
        self.parts.append(data)


def _normal(text: str) -> str:
    """Whitespace runs as one space, typographic quotes as plain ones (smarty makes them)."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip()


def _read(page: Path) -> tuple[str, set[str]]:
    parser = _Text()
    parser.feed(page.read_text(encoding="utf-8"))
    return _normal(" ".join(parser.parts)), parser.hrefs


def test_the_current_sources_build_strict(today_site):
    out, result = today_site
    assert result.returncode == 0, result.stderr[-3000:]
    assert broken_links(out, SITE_URL) == []


def test_every_detection_page_shows_its_data_sources_drilldowns_and_test_data(today_site):
    out, _ = today_site
    content, _ = load_content(CORPUS_2024_10 / "source", DETECTION_FOLDERS)
    published = [d for d in content.detections if is_published(d)]
    assert len(published) >= 1600
    checked = {"data sources": 0, "drilldowns": 0, "attack data": 0}
    for detection in published:
        page = out / detection.kind / detection.id / "index.html"
        text, hrefs = _read(page)
        for name in detection.data_source:
            assert _normal(name) in text, (page, name)
            checked["data sources"] += 1
        for drilldown in detection.drilldown_searches:
            assert _normal(drilldown.name) in text, (page, drilldown.name)
            checked["drilldowns"] += 1
        for test in detection.tests:
            for data in test.attack_data:
                assert data.data in hrefs, (page, data.data)
                checked["attack data"] += 1
    # The corpus has these in quantity; a page that silently dropped them would fail above.
    assert checked["data sources"] > 1700 and checked["drilldowns"] > 2500 and checked["attack data"] > 1500, checked


def test_data_source_pages_and_index(today_site):
    out, _ = today_site
    index, hrefs = _read(out / "data_sources" / "index.html")
    assert "205 data sources" in index
    page, links = _read(out / "data_sources" / "sysmon_eventid_1" / "index.html")
    assert "Sysmon EventID 1" in page and "xmlwineventlog" in page and "Splunk Add-on for Sysmon" in page
    assert any(link.startswith("../../endpoint/") for link in links)


def listing_parts(folder: Path) -> list[Path]:
    """A listing's page and the pages of its further parts, in order (a long listing is split: split.py)."""
    parts = sorted((folder / "page").glob("*/index.html"), key=lambda part: int(part.parent.name))
    return [folder / "index.html", *parts]


def test_experimental_detections_are_marked_in_listings(today_site):
    out, _ = today_site
    listing = "".join(part.read_text(encoding="utf-8") for part in listing_parts(out / "detections"))
    assert listing.count('class="sc-status sc-status--experimental"') >= 100
    assert listing.count('class="sc-status sc-status--deprecated"') >= 50


def test_empty_sections_are_hidden_not_shown(today_site):
    out, _ = today_site
    pages = list((out / "endpoint").glob("*/index.html"))
    shown_empty = [p for p in pages if re.search(r'<details>\s*<summary>CVE</summary>\s*<div>\s*</div>',
                                                 p.read_text(encoding="utf-8"))]
    assert shown_empty == []
    # A Test Dataset section with only its fixed lines before the page's last line, the file's link and version
    # (33 endpoint pages showed one, 202 detection pages in all).
    only_fixed_lines = re.compile(r'<h4 id="test-dataset">.*?</h4>\s*<p>Replay any dataset[^<]*<a[^>]*><code>'
                                  r'replay\.py</code></a>[^\n]*\n[^\n]*</p>\s*<p><a[^>]*><em>source</em>')
    assert [p for p in pages if only_fixed_lines.search(p.read_text(encoding="utf-8"))] == []
    hidden = [p for p in pages if '<h4 hidden="hidden" id="test-dataset">' in p.read_text(encoding="utf-8")]
    assert len(hidden) >= 30 and all(re.search(r"<p><a [^>]*><em>source</em></a> \| <em>version</em>: <strong>",
                                               p.read_text(encoding="utf-8")) for p in hidden)


def test_the_tag_index_is_under_200_kb_and_a_big_tag_lists_every_page_on_its_own(today_site):
    out, _ = today_site
    index = out / "tags" / "index.html"
    pages = [index, *(out / "tags").glob("*/index.html")]
    sizes = {page.relative_to(out).as_posix(): page.stat().st_size for page in pages}
    assert len(sizes) > 40  # the big tags have pages of their own
    # The three product tags list every detection and story (about 1,960 pages, in parts of 500); all are small.
    assert max(sizes.values()) <= 200_000, sorted(sizes.items(), key=lambda item: -item[1])[:3]
    assert sizes["tags/index.html"] <= 200_000
    linked = set()
    parts = listing_parts(out / "tags" / "splunk-enterprise")
    for part in parts:  # the tag's page is split in parts of 500 pages; together they link every page
        depth = len(part.relative_to(out).parts) - 1
        linked |= {href[3 * depth:] for href in _read(part)[1] if href.startswith("../" * depth + "endpoint/")}
    detections = json.loads((out / "api" / "detections.json").read_text(encoding="utf-8"))
    tagged = [d for d in detections if "Splunk Enterprise" in d["products"]]
    assert len(tagged) > 1000 and len(parts) == 4
    assert len(linked) >= sum(1 for d in tagged if d["url"].startswith("endpoint/"))
    assert 'href="splunk-enterprise/"' in (out / "tags" / "index.html").read_text(encoding="utf-8")


def test_tags_spelled_apart_only_by_case_are_one_heading_of_the_tag_index(today_site):
    """Their pages link them at one anchor (/tags/#email, as published): two headings of that id left one out of
    reach (Email and email, Splunk and splunk, VirusTotal_v3 and virustotal_v3)."""
    out, _ = today_site
    html = (out / "tags" / "index.html").read_text(encoding="utf-8")
    ids = re.findall(r'<h[1-6] id="([^"]+)"', html)
    assert len(ids) > 100 and len(ids) == len(set(ids))
    assert re.search(r'<h3 id="email">Email / email<', html)


def test_listings_show_no_none_for_a_page_without_techniques(today_site):
    out, _ = today_site
    for listing in ("detections", "stories", "playbooks"):
        html = (out / listing / "index.html").read_text(encoding="utf-8")
        assert "<td>None</td>" not in html, listing
        assert 'href=""' not in html, listing


def test_the_search_index_is_one_entry_per_page_and_under_a_megabyte_compressed(today_site):
    out, _ = today_site
    raw = (out / "search" / "search_index.json").read_bytes()
    assert len(gzip.compress(raw)) < 1_000_000
    locations = [doc["location"] for doc in json.loads(raw)["docs"]]
    detection_entries = [location for location in locations if location.startswith("endpoint/")]
    assert detection_entries and all("#" not in location for location in detection_entries)
    assert len(detection_entries) == len(set(detection_entries))
    assert [location for location in locations if location.startswith("tags/")] == []  # the tag pages list


def test_a_listing_s_search_result_shows_its_introduction_or_its_title_alone(today_site):
    """Not its table's headings and rows ("Name Technique Type ASL AWS ..."), nor the links to its parts."""
    out, _ = today_site
    entries = {doc["location"]: doc for doc in json.loads((out / "search" / "search_index.json").read_bytes())["docs"]}
    for location in ("categories/endpoint/", "detections/execution/", "detections/", "stories/"):
        assert entries[location]["boost"] < 1
        assert entries[location]["text"] == "", (location, entries[location]["text"][:200])
    assert entries["data_sources/"]["text"].startswith("<p>Where the detections")  # its introduction
    detection = entries["endpoint/001266a6-9d5b-11eb-829b-acde48001122/"]["text"]
    assert detection.startswith("<p>The following analytic") and len(detection) > 200  # its description's start


def test_counts_of_a_thousand_and_more_read_as_the_listings_write_them(today_site):
    """The home page said "1711 detections" where the detections index says "of 1,711"."""
    out, _ = today_site
    detections = len(json.loads((out / "api" / "detections.json").read_text(encoding="utf-8")))
    assert detections > 1000
    written = f"{detections:,}"
    assert f"{written} detections" in _read(out / "index.html")[0]
    assert f"of {written}." in _read(out / "detections" / "index.html")[0]
    tag = _read(out / "tags" / "splunk-enterprise" / "index.html")[0]
    assert re.search(r"\b\d,\d{3} pages are tagged Splunk Enterprise\b", tag), tag[:300]
