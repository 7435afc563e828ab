"""Exports: the site's data in formats other tools read, as pages of the site.

- `api/<kind>.json` for detections, stories, playbooks, macros, lookups,
  data sources and baselines (when the content has any): one object per item, each with its id (the name for macros
  and lookups before ESCU 6, which gave them none); the schema is on the exports page (exports.md.j2).
- `api/detections.csv`: one row per detection, for a spreadsheet.
- `layers/all.json`, `layers/stories/<slug>.json`, `layers/data_sources/<slug>.json`:
  ATT&CK Navigator layers (layer format 4.5), each technique scored by the
  number of detections that cover it.
- `feed.xml` and `feeds/stories/<slug>.xml`: Atom feeds of detections by date.

Besides them, the site's own filters read `assets/sc-filters/<kind>.json`: the same records with only the fields
the filters and the matrix use, a sixth of the detections export's size.

Everything is a pure function of the site model; iteration is sorted, so
the same sources give the same bytes. URLs are relative to the site's root.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any, Iterable
from xml.sax.saxutils import escape, quoteattr

from .enrich import (BaselinePage, DataSourcePage, DetectionPage, LookupPage, MacroPage, PlaybookPage, Site,
                     StoryPage)
from .models import Lookup, Macro, Source, detail_value
from .render import Page, Renderings

LAYER_FORMAT = "4.5"
NAVIGATOR_VERSION = "4.9.5"
FEED_SIZE = 50
"""Entries per feed: the most recently dated detections."""
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _relative(url: str) -> str:
    """A site-absolute URL ("/endpoint/x/") relative to the site's root ("endpoint/x/")."""
    return url.lstrip("/")


def _origin(record: dict[str, Any], source: Source) -> dict[str, Any]:
    """`record` with its content source's label, where the site has several sources (they are filtered by it)."""
    if source.origin is not None and source.origin.badge:
        record["content_source"] = source.origin.label
    return record


def detection_record(page: DetectionPage) -> dict[str, Any]:
    d, tags = page.detection, page.detection.tags
    return _origin({
        "id": d.id, "name": d.name, "version": d.version, "date": d.date,
        "creation_date": d.dates.creation_date, "modification_date": d.dates.modification_date,
        "author": d.author or "", "type": d.type, "status": d.lifecycle, "kind": d.kind,
        "description": d.description or "", "search": d.search,
        "how_to_implement": d.how_to_implement or "", "known_false_positives": d.known_false_positives or "",
        "references": list(d.references),
        "stories": [story.name for story in page.stories],
        "techniques": [{"id": t.id, "name": t.name, "tactics": list(t.tactics)} for t in page.techniques],
        "kill_chain_phases": list(page.kill_chain_phases),
        "products": list(tags.product),
        "data_sources": [ref.name for ref in page.data_sources],
        "datamodels": list(page.datamodels),
        "cves": [cve.id for cve in page.cves if cve.id],
        "macros": [macro.name for macro in page.macros],
        "lookups": [lookup.name for lookup in page.lookups],
        "required_fields": list(tags.required_fields),
        "security_domain": tags.security_domain,
        "asset_type": tags.asset_type,
        "risk_message": d.risk_message or "",
        "risk_objects": [_entity(entity, "finding" if d.finding and entity is d.finding.entity else
                                 "intermediate finding" if entity in d.intermediate_findings else "risk object")
                         for entity in d.risk_entities],
        "threat_objects": [{"field": t.field, "type": t.type} for t in d.threat_objects],
        "threat_groups": list(d.threat_group),
        "drilldown_searches": [{"name": dd.name, "search": dd.search, "earliest_offset": dd.earliest_offset,
                                "latest_offset": dd.latest_offset} for dd in d.drilldown_searches],
        "tests": [{"name": test.name, "test_type": test.test_type, "description": test.description,
                   "attack_data": [{"data": data.data, "source": data.source, "sourcetype": data.sourcetype,
                                    "index": data.index} for data in test.attack_data]} for test in d.tests],
        "atomic_guids": list(tags.atomic_guid),
        "manual_test": tags.manual_test,
        "supported_tas": [app.id for app in page.apps],
        "schedule": _schedule(page.schedule),
        "deprecation": {"reason": d.deprecation.reason, "removed_in_version": d.deprecation.removed_in_version,
                        "replacement_content": list(d.deprecation.replacement_content)} if d.deprecation else None,
        "baselines": [ref.name for ref in page.baselines],
        "url": _relative(page.url),
        "source": d.source.in_content,
    }, d.source)


def _entity(entity, role: str) -> dict[str, Any]:
    return {"field": entity.field, "type": entity.type, "score": entity.score, "message": entity.message,
            "role": role}


def _schedule(scheduled) -> dict[str, str] | None:
    """When a detection or baseline runs (an `enrich.Scheduled`), or None where the content gives no schedule."""
    if scheduled is None:
        return None
    s = scheduled.schedule
    return {"cron_schedule": s.cron_schedule, "earliest_time": s.earliest_time, "latest_time": s.latest_time,
            "schedule_window": s.schedule_window}


def baseline_record(page: BaselinePage) -> dict[str, Any]:
    b = page.baseline
    return {
        "id": b.id or page.slug, "name": b.name, "version": b.version, "date": b.date,
        "creation_date": b.dates.creation_date, "modification_date": b.dates.modification_date,
        "author": b.author, "status": "deprecated" if b.deprecated else b.status, "description": b.description,
        "search": b.search, "how_to_implement": b.how_to_implement, "known_false_positives": b.known_false_positives,
        "references": list(b.references), "products": list(b.product), "security_domain": b.security_domain,
        "stories": [ref.name for ref in page.stories],
        "schedule": _schedule(page.schedule),
        "detections": [d.detection.id for d in page.detections],
        "url": _relative(page.url), "source": b.source.in_content,
    }


def story_record(page: StoryPage) -> dict[str, Any]:
    s = page.story
    return _origin({
        "id": s.id or page.slug, "name": s.name, "version": s.version, "date": s.date, "author": s.author or "",
        "description": s.description or "", "narrative": s.narrative or "", "references": list(s.references),
        "categories": list(s.category), "products": list(s.product), "use_case": s.usecase, "cves": list(s.cve),
        "threat_groups": list(s.threat_group),
        "detections": [d.detection.id for d in page.detections],
        "url": _relative(page.url), "source": s.source.in_content,
    }, s.source)


def playbook_record(page: PlaybookPage) -> dict[str, Any]:
    p = page.playbook
    return _origin({
        "id": p.id, "name": p.name, "version": p.version, "date": p.date, "author": p.author or "",
        "type": p.type or "", "description": p.description or "", "how_to_implement": p.how_to_implement or "",
        "references": list(p.references), "apps": list(p.app_list), "platform_tags": list(p.platform_tags),
        "products": list(p.product), "use_cases": list(p.use_cases),
        "d3fend": [t.id for t in page.d3fend],
        "detections": [d.detection.id for d in page.detections],
        "url": _relative(page.url), "source": p.source.in_content,
    }, p.source)


def data_source_record(page: DataSourcePage) -> dict[str, Any]:
    d = page.data_source
    return _origin({
        "id": d.id or page.slug, "name": d.name, "version": d.version, "date": d.date, "author": d.author,
        "description": d.description, "source": d.source_name, "sourcetype": d.sourcetype,
        "supported_tas": [ta.name for ta in d.supported_ta], "fields": list(d.fields),
        "detections": [p.detection.id for p in page.detections],
        "url": _relative(page.url), "source_file": d.source.in_content,
    }, d.source)


def macro_record(page: MacroPage) -> dict[str, Any]:
    m = page.macro
    return _origin({
        "id": detail_value(m.details, "id") or m.name, "name": m.name, **_file_fields(m), "definition": m.definition or "",
        "arguments": list(m.arguments), "description": m.description or "",
        "detections": [p.detection.id for p in page.detections], "url": _relative(page.url),
        "source": m.source.in_content,
    }, m.source)


def lookup_record(page: LookupPage) -> dict[str, Any]:
    lk = page.lookup
    return _origin({
        "id": detail_value(lk.details, "id") or lk.name, "name": lk.name, **_file_fields(lk), "filename": lk.filename or "",
        "lookup_type": lk.lookup_type, "kind": lk.kind, "description": lk.description or "",
        "detections": [p.detection.id for p in page.detections], "url": _relative(page.url),
        "source": lk.source.in_content,
    }, lk.source)


def _file_fields(item: Macro | Lookup) -> dict[str, str]:
    """What a macro's or lookup's file says of itself since ESCU 6, as written; "" where it does not say."""
    return {key: detail_value(item.details, key) for key in ("version", "date", "creation_date", "modification_date", "author")}


FILTERED_FIELDS = {
    "detections": ("name", "url", "date", "type", "status", "kind", "products", "data_sources", "techniques",
                   "stories", "content_source"),
    "stories": ("name", "url", "date", "categories", "products", "content_source"),
    "playbooks": ("name", "url", "date", "type", "use_cases", "apps", "products", "content_source"),
}
"""What the indexes' filters and the ATT&CK matrix read of each export's records (docs/javascripts/facets.js):
they are filtered and sorted by these, and matched to a table's rows by url and name."""


def filtered(records: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The records of the export `kind` with only the fields its filters read."""
    return [{name: record[name] for name in FILTERED_FIELDS[kind] if name in record} for record in records]


def _json(items: Iterable[dict[str, Any]]) -> str:
    """Compact JSON, one item per line (small to download, readable in a diff)."""
    return "[\n" + ",\n".join(json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in items) + "\n]\n"


CSV_COLUMNS = ("id", "name", "type", "status", "kind", "date", "version", "author", "techniques", "tactics",
               "stories", "data_sources", "products", "cves", "url")
"""The columns of every site; one of several sources adds `content_source`."""


def _cell(value: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is prefixed with a quote."""
    text = "; ".join(value) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(_CSV_FORMULA) else text


def detections_csv(site: Site) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    several = any(page.detection.source.origin is not None and page.detection.source.origin.badge
                  for page in site.detections[:1])
    columns = CSV_COLUMNS + (("content_source",) if several else ())
    writer.writerow(columns)
    for page in site.detections:
        record = detection_record(page)
        record["tactics"] = sorted({tactic for t in page.techniques for tactic in t.tactics})
        record["techniques"] = [t.id for t in page.techniques]
        writer.writerow([_cell(record.get(column, "")) for column in columns])
    return out.getvalue()


def layer(name: str, description: str, detections: Iterable[DetectionPage], attack_version: str) -> str:
    """An ATT&CK Navigator layer: each technique scored by how many of `detections` cover it."""
    covering: dict[str, list[str]] = {}
    for page in detections:
        for technique in page.techniques:
            names = covering.setdefault(technique.id, [])
            if page.name not in names:
                names.append(page.name)
    most = max((len(names) for names in covering.values()), default=1)
    parents = {technique_id.split(".")[0] for technique_id in covering if "." in technique_id}
    versions = {"layer": LAYER_FORMAT, "navigator": NAVIGATOR_VERSION}
    if attack_version:
        versions["attack"] = attack_version.split(".")[0]
    document = {
        "name": name,
        "versions": versions,
        "domain": "enterprise-attack",
        "description": description,
        "sorting": 3,
        "layout": {"layout": "side", "showID": True, "showName": True},
        "hideDisabled": False,
        # A parent shows its sub-techniques when one of them is covered (the Navigator folds them otherwise).
        "techniques": sorted([{"techniqueID": technique_id, "score": len(names), "enabled": True,
                               "comment": "; ".join(sorted(names)), "showSubtechniques": technique_id in parents}
                              for technique_id, names in covering.items()]
                             + [{"techniqueID": parent, "enabled": True, "showSubtechniques": True}
                                for parent in parents - covering.keys()], key=lambda t: t["techniqueID"]),
        "gradient": {"colors": ["#dfe6fbff", "#3f51b5ff"], "minValue": 0, "maxValue": most},
        "legendItems": [],
        "showTacticRowBackground": False,
        "selectTechniquesAcrossTactics": True,
        "selectSubtechniquesWithParent": False,
        "metadata": [],
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def _atom_id(kind: str, item_id: str) -> str:
    """A permanent id: the item's own UUID, or one derived from its kind and id (the same on every build)."""
    if _UUID.fullmatch(item_id):
        return f"urn:uuid:{item_id.lower()}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'security-content:{kind}:{item_id}')}"


def feed(title: str, feed_id: str, self_url: str, detections: Iterable[DetectionPage],
         author: str = "Security Content") -> str:
    """An Atom feed (RFC 4287) of `detections`, the most recently dated first.

    An entry's id is the detection's id and its `updated` the detection's
    date, so a new version of a detection updates its entry.
    """
    recent = sorted(detections, key=lambda p: (_iso_date(p.detection.date), p.detection.id), reverse=True)[:FEED_SIZE]
    updated = _iso_date(recent[0].detection.date) if recent else "1970-01-01"
    depth = self_url.count("/")
    up = "../" * depth
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom">',
             f"  <title>{escape(title)}</title>",
             f"  <id>{escape(feed_id)}</id>",
             f"  <updated>{updated}T00:00:00Z</updated>",
             f"  <link rel=\"self\" href={quoteattr(up + self_url)}/>",
             f"  <author><name>{escape(author)}</name></author>"]
    for page in recent:
        d = page.detection
        summary = (d.description or "").strip()
        lines += ["  <entry>",
                  f"    <title>{escape(d.name)} (version {escape(str(d.version))})</title>",
                  f"    <id>{escape(_atom_id('detection', d.id))}</id>",
                  f"    <updated>{_iso_date(d.date)}T00:00:00Z</updated>",
                  f"    <link href={quoteattr(up + _relative(page.url))}/>",
                  *([f"    <author><name>{escape(d.author)}</name></author>"] if d.author else []),
                  f"    <category term={quoteattr(d.type)}/>",
                  f"    <summary>{escape(summary)}</summary>",
                  "  </entry>"]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def _iso_date(date: str) -> str:
    """A loader-checked date ("2020-9-3") as ISO 8601 ("2020-09-03")."""
    parts = date.split("-")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return "1970-01-01"
    year, month, day = (int(part) for part in parts)
    return f"{year:04d}-{month:02d}-{day:02d}"


@dataclass(frozen=True)
class Export:
    """A link to one export, for the page that lists them."""

    title: str
    url: str


def export_pages(site: Site, attack_version: str = "", site_name: str = "Security Content",
                 renderings: Renderings | None = None) -> list[Page]:
    """Every export as a page of the site (the mkdocs layout copies non-Markdown pages as they are).

    `site_name` titles the layers and feeds. `renderings`: what an earlier build of this process made, to reuse
    (`mkdocs serve`: a story's layer and feed are the same unless one of its detections changed)."""
    renderings = renderings or Renderings()
    of_pages = {"detections": (detection_record, site.detections), "stories": (story_record, site.stories),
                "playbooks": (playbook_record, site.playbooks)}
    made: dict[str, list[dict[str, Any]]] = {}

    def records_of(kind: str) -> list[dict[str, Any]]:
        """The records of a kind the filters read, made once for its export and its filters' file."""
        if kind not in made:
            record, pages = of_pages[kind]
            made[kind] = [record(page) for page in pages]
        return made[kind]

    def filters_file(kind: str) -> str:
        return _json(filtered(records_of(kind), kind))

    records = (
        ("detections", lambda: _json(records_of("detections"))),
        ("stories", lambda: _json(records_of("stories"))),
        ("playbooks", lambda: _json(records_of("playbooks"))),
        ("macros", lambda: _json(macro_record(page) for page in site.macro_pages)),
        ("lookups", lambda: _json(lookup_record(page) for page in site.lookup_pages)),
        ("data_sources", lambda: _json(data_source_record(p) for p in site.data_sources)),
        *((("baselines", lambda: _json(baseline_record(p) for p in site.baselines)),) if site.baselines else ()),
    )
    pages = [Page(("api", f"{kind}.json"), make, label=f"export api/{kind}.json") for kind, make in records]
    pages.append(Page(("api", "detections.csv"), partial(detections_csv, site), label="export api/detections.csv"))
    pages += [Page(("assets", "sc-filters", f"{kind}.json"), partial(filters_file, kind),
                   label=f"the filters' assets/sc-filters/{kind}.json") for kind in FILTERED_FIELDS]
    pages.append(Page(("layers", "all.json"),
                      renderings.later_call(layer, "layers/all.json", f"{site_name}: all detections",
                                            "Techniques covered by the site's detections; score: the number of "
                                            "detections.", site.detections, attack_version),
                      label="export layers/all.json"))
    for story in site.stories:
        pages.append(Page(("layers", "stories", story.slug + ".json"),
                          renderings.later_call(layer, f"layers/stories/{story.slug}.json", f"Story: {story.name}",
                                                f"Techniques covered by the detections of the analytic story "
                                                f"{story.name}.", story.detections, attack_version),
                          label=f"layer of story '{story.name}'"))
    for data_source in site.data_sources:
        pages.append(Page(("layers", "data_sources", data_source.slug + ".json"),
                          renderings.later_call(layer, f"layers/data_sources/{data_source.slug}.json",
                                                f"Data source: {data_source.name}", "Techniques covered by the "
                                                f"detections that use {data_source.name}.", data_source.detections,
                                                attack_version),
                          label=f"layer of data source '{data_source.name}'"))
    pages.append(Page(("feed.xml",), renderings.later_call(feed, "feed.xml", f"{site_name}: detections",
                                                           _atom_id("feed", "detections"), "feed.xml",
                                                           site.detections, site_name), label="feed.xml"))
    for story in site.stories:
        path = f"feeds/stories/{story.slug}.xml"
        pages.append(Page(tuple(path.split("/")), renderings.later_call(
            feed, path, f"{site_name}: {story.name}", _atom_id("story-feed", story.story.id or story.slug), path,
            story.detections, site_name), label=f"feed of story '{story.name}'"))
    return pages


def export_links(site: Site) -> dict[str, list[Export]]:
    """What the exports page lists, by group; layer and feed per story and data source."""
    return {
        "Layers of the stories": [Export(s.name, f"/layers/stories/{s.slug}.json") for s in site.stories],
        "Layers of the data sources": [Export(d.name, f"/layers/data_sources/{d.slug}.json")
                                       for d in site.data_sources],
        "Feeds of the stories": [Export(s.name, f"/feeds/stories/{s.slug}.xml") for s in site.stories],
    }
