"""Exports (generator/exports.py): each file checked against its format, on the golden case and on hostile input."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, TESTS, run_generator
from generator.exports import CSV_COLUMNS, FEED_SIZE, FILTERED_FIELDS

CASE = TESTS / "golden" / "form_2024"
TREE = CASE / "expected" / "mkdocs"
ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
TECHNIQUE = re.compile(r"T\d{4}(\.\d{3})?")
KINDS = ("detections", "stories", "playbooks", "macros", "lookups", "data_sources")
DETECTION_FIELDS = {"id", "name", "version", "date", "author", "type", "status", "kind", "description", "search",
                    "how_to_implement", "known_false_positives", "references", "stories", "techniques",
                    "kill_chain_phases", "products", "data_sources", "datamodels", "cves", "macros", "lookups",
                    "required_fields", "security_domain", "url", "source", "creation_date", "modification_date",
                    "asset_type", "risk_message", "risk_objects", "threat_objects", "baselines", "threat_groups",
                    "drilldown_searches", "tests", "atomic_guids", "manual_test", "supported_tas", "schedule",
                    "deprecation"}
STORY_FIELDS = {"id", "name", "version", "date", "author", "description", "narrative", "references", "categories",
                "products", "use_case", "cves", "threat_groups", "detections", "url", "source"}


def records(kind: str, tree: Path = TREE) -> list[dict]:
    return json.loads((tree / "api" / f"{kind}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", KINDS)
def test_each_json_export_is_a_list_of_objects_with_unique_ids(kind):
    items = records(kind)
    assert items and all(isinstance(item, dict) and item["id"] for item in items)
    assert len({item["id"] for item in items}) == len(items)


def test_detection_objects_have_the_documented_fields_and_point_at_their_pages():
    documented = (TREE / "exports.md").read_text(encoding="utf-8")
    for item in records("detections"):
        assert set(item) == DETECTION_FIELDS
        assert (TREE / (item["url"].rstrip("/") + ".md")).is_file()
        assert (CASE / "content" / item["source"]).is_file()
    assert all(f"`{name}`" in documented for name in DETECTION_FIELDS)


def test_story_objects_have_the_documented_fields():
    documented = (TREE / "exports.md").read_text(encoding="utf-8")
    assert all(set(item) == STORY_FIELDS for item in records("stories"))
    assert all(f"`{name}`" in documented for name in STORY_FIELDS)


MACRO_FIELDS = {"id", "name", "version", "date", "creation_date", "modification_date", "author", "definition",
                "arguments", "description", "detections", "url", "source"}
LOOKUP_FIELDS = MACRO_FIELDS - {"definition", "arguments"} | {"filename", "lookup_type", "kind"}


@pytest.mark.parametrize("case", ["form_2024", "escu_2026"])
def test_macro_and_lookup_objects_have_the_documented_fields_and_their_files_ids(case):
    """Before ESCU 6 a macro or lookup file has no id and the name stands for it; since, its file's id, version,
    dates and author are exported as written."""
    tree = TESTS / "golden" / case / "expected" / "mkdocs"
    documented = (tree / "exports.md").read_text(encoding="utf-8")
    for kind, fields in (("macros", MACRO_FIELDS), ("lookups", LOOKUP_FIELDS)):
        for item in records(kind, tree):
            assert set(item) == fields
            assert (tree / (item["url"].rstrip("/") + ".md")).is_file()
            written = yaml.safe_load((TESTS / "golden" / case / "content" / item["source"]).read_text("utf-8"))
            assert item["id"] == written.get("id", item["name"])
            assert item["author"] == written.get("author", "")
            assert item["modification_date"] == str(written.get("modification_date", ""))
        assert all(f"`{name}`" in documented for name in fields)
    # ESCU 6 says lookup_type; before, a KV store lookup names its collection and a CSV one its file.
    assert sorted(item["kind"] for item in records("lookups", tree)) == (
        ["csv", "kvstore"] if case == "escu_2026" else ["csv", "csv", "csv", "csv", "kvstore"])


@pytest.mark.parametrize("kind", sorted(FILTERED_FIELDS))
def test_the_filters_read_each_record_of_the_export_with_only_the_fields_they_filter_by(kind):
    """docs/javascripts/facets.js reads assets/sc-filters/ rather than the whole export (5.6 MB of detections on
    the October-2024 site, most of it searches and descriptions no filter reads)."""
    exported = records(kind)
    read = json.loads((TREE / "assets" / "sc-filters" / f"{kind}.json").read_text(encoding="utf-8"))
    assert read == [{name: item[name] for name in FILTERED_FIELDS[kind] if name in item} for item in exported]
    assert all({"name", "url"} <= set(item) for item in read)
    if kind == "detections":
        assert set(read[0]) == set(FILTERED_FIELDS[kind]) - {"content_source"}  # one source: no content_source
        assert (TREE / "assets" / "sc-filters" / "detections.json").stat().st_size * 3 < (
            TREE / "api" / "detections.json").stat().st_size
    facets = (ROOT / "docs" / "javascripts" / "facets.js").read_text(encoding="utf-8")
    used = set(re.findall(r"\bd\.(\w+)", facets))  # each facet reads its values from a record `d`
    assert len(used) > 8 and used <= {field for fields in FILTERED_FIELDS.values() for field in fields}


def test_the_csv_has_a_row_per_detection_with_the_json_ids():
    rows = list(csv.reader(io.StringIO((TREE / "api" / "detections.csv").read_text(encoding="utf-8"), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [row[0] for row in rows[1:]] == [item["id"] for item in records("detections")]
    assert all(len(row) == len(CSV_COLUMNS) for row in rows)


def test_layers_are_navigator_layers_of_format_4_5_covering_what_the_detections_cover():
    everything = json.loads((TREE / "layers" / "all.json").read_text(encoding="utf-8"))
    covered = {t["id"] for item in records("detections") for t in item["techniques"]}
    layers = [everything] + [json.loads(path.read_text(encoding="utf-8"))
                             for path in sorted((TREE / "layers").glob("*/*.json"))]
    assert len(layers) == 1 + len(records("stories")) + len(records("data_sources"))
    for layer in layers:
        assert layer["versions"]["layer"] == "4.5" and layer["domain"] == "enterprise-attack"
        assert isinstance(layer["name"], str) and layer["name"]
        for technique in layer["techniques"]:
            assert TECHNIQUE.fullmatch(technique["techniqueID"])
            assert "score" not in technique or (isinstance(technique["score"], int) and technique["score"] >= 1)
    scored = {t["techniqueID"] for t in everything["techniques"] if "score" in t}
    assert scored == covered
    # A covered sub-technique's parent is listed, expanded, so the Navigator shows it.
    assert {t["techniqueID"] for t in everything["techniques"] if t["showSubtechniques"]} == \
        {c.split(".")[0] for c in covered if "." in c}


def test_feeds_are_atom_with_the_newest_detections_first():
    feeds = [TREE / "feed.xml", *sorted((TREE / "feeds" / "stories").glob("*.xml"))]
    assert len(feeds) == 1 + len(records("stories"))
    for path in feeds:
        root = ElementTree.parse(path).getroot()
        assert root.tag == ATOM + "feed"
        for required in ("id", "title", "updated"):
            assert root.find(ATOM + required) is not None and root.find(ATOM + required).text
        assert RFC3339.fullmatch(root.find(ATOM + "updated").text)
        assert root.find(ATOM + "author/" + ATOM + "name").text
        entries = root.findall(ATOM + "entry")
        assert len(entries) <= FEED_SIZE
        dates = [entry.find(ATOM + "updated").text for entry in entries]
        assert dates == sorted(dates, reverse=True) and all(RFC3339.fullmatch(d) for d in dates)
        ids = [entry.find(ATOM + "id").text for entry in entries]
        assert len(set(ids)) == len(ids) and all(i.startswith("urn:uuid:") for i in ids)
        for entry in entries:
            assert entry.find(ATOM + "title").text and entry.find(ATOM + "link").get("href")
    site_wide = ElementTree.parse(TREE / "feed.xml").getroot()
    assert len(site_wide.findall(ATOM + "entry")) == min(FEED_SIZE, len(records("detections")))


def test_a_formula_in_a_name_is_not_a_formula_in_the_csv_and_the_bundle_version_reaches_the_layers(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(TESTS / "hostile" / "base" / "content", content)
    detection = content / "detections" / "endpoint" / "powershell_webclient_download.yml"
    detection.write_text(detection.read_text().replace("name: PowerShell WebClient Download",
                                                       "name: '=SUM(1,2) Download'"))
    bundle = tmp_path / "enterprise-attack-14.1.json"
    shutil.copy(TESTS / "hostile" / "base" / "attack.json", bundle)
    out = tmp_path / "out"
    result = run_generator("render", "--layout", "mkdocs", "--content", content, "--attack", bundle, "--out", out)
    assert "Traceback" not in result.stderr
    rows = list(csv.reader(io.StringIO((out / "api" / "detections.csv").read_text(encoding="utf-8"), newline="")))
    assert rows[1][1] == "'=SUM(1,2) Download"
    assert json.loads((out / "layers" / "all.json").read_text())["versions"]["attack"] == "14"
