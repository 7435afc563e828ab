"""The mkdocs layout: every published page at the path of its permalink, plus
the home page, the tag index, the ATT&CK technique matrix and technique pages.

A page's Markdown is its published form, unchanged; pages whose published
body was produced by a Jekyll layout (the tactic and datamodel pages) get the
equivalent listing after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from ..changes import Changes, Entry
from ..enrich import DetectionPage, Site, StoryPage
from ..exports import export_links, export_pages
from ..issues import Issue, Severity
from ..models import Technique
from ..render import TEMPLATES, Page, environment, markdown_text, tag_url, unique_paths
from ..slug import slugify

# ATT&CK Enterprise tactics in matrix order (the order of MITRE's matrix).
TACTIC_ORDER = ("Reconnaissance", "Resource Development", "Initial Access", "Execution", "Persistence",
                "Privilege Escalation", "Defense Evasion", "Credential Access", "Discovery", "Lateral Movement",
                "Collection", "Command And Control", "Exfiltration", "Impact")
HEAT_LEVELS = 5


def src_uri(url: str) -> str:
    """Docs-relative file serving a site URL: "/endpoint/x/" -> "endpoint/x.md", "/" -> "index.md"."""
    path = url.strip("/")
    return f"{path}.md" if path else "index.md"


@dataclass(frozen=True)
class TechniqueEntry:
    technique: Technique
    detections: tuple[DetectionPage, ...]
    stories: tuple[StoryPage, ...]
    heat: int
    """1 (few detections) to HEAT_LEVELS (the most), for shading the matrix."""
    parent: Technique | None = None
    parent_covered: bool = False
    """The parent has a page of its own (a detection covers it)."""
    subtechniques: tuple[tuple[Technique, bool], ...] = ()
    """Each sub-technique of the bundle, and whether the site has a page for it (a detection covers it)."""

    @property
    def url(self) -> str:
        return f"/techniques/{self.technique.id}/"


@dataclass(frozen=True)
class TagEntry:
    name: str
    anchor: str
    pages: tuple[tuple[str, str], ...]
    """(title, url) of each page with the tag, sorted by title."""


def legacy_redirects(site: Site) -> dict[str, str]:
    """Docs-relative redirects from each detection's slug address to where the form serves it.

    The 2024 form serves detections by id (`/endpoint/<id>/`) and the
    published site redirected the older `/endpoint/<slug>/` there; the same
    addresses keep working here. Where two detections share a name, the
    first (by name, then path) keeps the old address.
    """
    redirects: dict[str, str] = {}
    for page in site.detections:
        legacy = f"/{page.detection.kind}/{page.slug}/"
        if legacy != page.url:
            redirects.setdefault(src_uri(legacy), src_uri(page.url))
    return redirects


def technique_entries(site: Site) -> list[TechniqueEntry]:
    by_id: dict[str, dict[str, DetectionPage]] = {}
    techniques: dict[str, Technique] = {}
    for page in site.detections:
        for technique in page.techniques:
            techniques[technique.id] = technique
            by_id.setdefault(technique.id, {}).setdefault(page.url, page)  # twins at one address: listed once
    stories_of: dict[int, list[StoryPage]] = {}
    for story in site.stories:
        for page in story.detections:
            stories_of.setdefault(id(page), []).append(story)
    most = max((len(v) for v in by_id.values()), default=1)
    children: dict[str, list[Technique]] = {}
    for technique in sorted(site.techniques.values(), key=lambda t: t.id):
        if technique.parent_id:
            children.setdefault(technique.parent_id, []).append(technique)
    entries = []
    for technique_id in sorted(by_id):
        detections = list(by_id[technique_id].values())
        members = {id(s): s for page in detections for s in stories_of.get(id(page), ())}
        stories = tuple(sorted(members.values(), key=lambda s: (s.name, s.story.source.path)))
        heat = 1 + (len(detections) - 1) * (HEAT_LEVELS - 1) // max(most - 1, 1)
        technique = techniques[technique_id]
        parent = site.techniques.get(technique.parent_id) if technique.parent_id else None
        subtechniques = tuple((sub, sub.id in by_id) for sub in children.get(technique_id, ()))
        entries.append(TechniqueEntry(technique, tuple(detections), stories, heat, parent,
                                      parent is not None and parent.id in by_id, subtechniques))
    return entries


def matrix(entries: list[TechniqueEntry]) -> tuple[tuple[str, ...], list[tuple[TechniqueEntry | None, ...]]]:
    """Tactic columns (matrix order) and rows of techniques, each column sorted by technique name."""
    columns: dict[str, list[TechniqueEntry]] = {}
    for entry in entries:
        for tactic in entry.technique.tactics:
            columns.setdefault(tactic, []).append(entry)
    tactics = tuple(sorted(columns, key=lambda t: (TACTIC_ORDER.index(t) if t in TACTIC_ORDER else len(TACTIC_ORDER), t)))
    for tactic in tactics:
        columns[tactic].sort(key=lambda e: (e.technique.name, e.technique.id))
    depth = max((len(c) for c in columns.values()), default=0)
    rows = [tuple(columns[t][i] if i < len(columns[t]) else None for t in tactics) for i in range(depth)]
    return tactics, rows


def tag_entries(site: Site) -> list[TagEntry]:
    pages: dict[str, dict[tuple[str, str], None]] = {}
    for page in (*site.detections, *site.stories, *site.playbooks):
        for tag in page.tags:
            pages.setdefault(tag, {})[(page.name, page.url)] = None
    return [TagEntry(tag, tag_url(tag).split("#", 1)[1], tuple(sorted(pages[tag])))
            for tag in sorted(pages, key=lambda t: (t.lower(), t))]


def render_site(site: Site, rules, changes: Changes | None = None) -> tuple[list[Page], list[Issue]]:
    """Every document of the mkdocs site, keyed by its docs-relative path; `rules` is the form.

    With `changes`, the site has a What changed page, and each added or changed detection links to its entry.
    """
    env = environment((TEMPLATES / "site",))
    pages: list[Page] = []
    by_taxonomy = _detections_by_taxonomy(site)
    changed = {e.new.source.path: e for e in (*changes.added, *changes.changed)} if changes else {}
    listing = env.get_template("taxonomy_listing.md.j2")
    for page in rules.pages(site, for_site=True):
        if page.url is None or page.url == "/":
            continue  # the Jekyll navigation data and home page have mkdocs equivalents
        path = tuple(src_uri(page.url).split("/"))
        detections = by_taxonomy.get(page.url)
        entry = changed.get(page.source.path) if page.source is not None else None
        if page.url == "/detections/":  # the index gets the filters (docs/javascripts/filters.js)
            pages.append(Page(path, partial(_after_front_matter, page, FILTERS), page.source, page.label, page.url,
                              page.listing))
        elif entry is not None:
            pages.append(Page(path, partial(_after_front_matter, page, _change_notice(entry, changes.label)),
                              page.source, page.label, page.url, page.listing))
        elif detections is None:
            pages.append(page.moved(path))
        else:
            text = partial(_with_listing, page, listing, detections)
            pages.append(Page(path, text, page.source, page.label, page.url))

    pages, moved = _move_clashing_listings(pages)
    entries = technique_entries(site)
    tactics, rows = matrix(entries)
    listings: dict[str, list[tuple[str, str]]] = {}
    for page in pages:
        if page.listing is not None:
            group, title = page.listing
            listings.setdefault(group, []).append((title, page.url))
    pages.append(Page(("index.md",), partial(env.get_template("home.md.j2").render, site=site, techniques=entries,
                                             listings=listings, changes=changes), label="home page", url="/"))
    if changes is not None:
        urls = {page.detection.source.path: page.url for page in site.detections}
        pages.append(Page(("changes.md",), partial(env.get_template("changes.md.j2").render, changes=changes,
                                                   urls=urls), label="What changed page", url=CHANGES_URL))
    tags = tag_entries(site)
    pages.append(Page(("tags.md",), partial(env.get_template("tags.md.j2").render, tags=tags),
                      label="tag index", url="/tags/"))
    pages.append(Page(("techniques", "index.md"),
                      partial(env.get_template("techniques.md.j2").render, tactics=tactics, rows=rows,
                              entries=entries), label="technique matrix", url="/techniques/"))
    pages.append(Page(("data_sources", "index.md"),
                      partial(env.get_template("data_sources.md.j2").render, entries=site.data_sources),
                      label="data source index", url="/data_sources/"))
    data_source_template = env.get_template("data_source.md.j2")
    for entry in site.data_sources:
        pages.append(Page(("data_sources", entry.slug + ".md"), partial(data_source_template.render, entry=entry),
                          entry.data_source.source, url=entry.url))
    technique_template = env.get_template("technique.md.j2")
    for entry in entries:
        pages.append(Page(("techniques", entry.technique.id + ".md"), partial(technique_template.render, entry=entry),
                          label=f"technique {entry.technique.id}", url=entry.url))
    pages.append(Page(("exports.md",), partial(env.get_template("exports.md.j2").render, site=site,
                                               links=export_links(site)), label="exports page", url="/exports/"))
    pages.extend(export_pages(site, site.attack_version))
    pages, issues = unique_paths(pages)
    return pages, _slashed_anchors(tags) + moved + issues


def _move_clashing_listings(pages: list[Page]) -> tuple[list[Page], list[Issue]]:
    """A listing page whose address a page of its own is served at moves beside it, to <folder>/by/<name>/.

    The published sites wrote a story category page and a story of the same
    name (e.g. "Data Destruction") to one address, and one of them was lost.
    """
    taken = {page.path for page in pages if page.listing is None}
    kept, issues = [], []
    for page in pages:
        if page.listing is not None and page.path in taken:
            path = (*page.path[:-1], "by", page.path[-1])
            url = "/" + "/".join(path)[: -len(".md")] + "/"
            issues.append(Issue("/".join(page.path), None, Severity.WARNING,
                                f"the {page.label} is served at {url}: a page of the same name has its address"))
            page = Page(path, lambda page=page: page.text, page.source, page.label, url, page.listing)
        kept.append(page)
    return kept, issues


FILTERS = '<div id="sc-filters" class="sc-filters sc-addition" data-fidelity-ignore=""></div>\n\n'
"""Where the detections index's filters go: the script fills it, and leaves the page as it is without it."""


CHANGES_URL = "/changes/"


def _change_notice(entry: Entry, label: str) -> str:
    """What an added or changed detection's page says at its top: since when, and a link to its entry."""
    since = "New" if entry.status == "added" else "Changed"
    return (f'<div class="sc-addition sc-change-notice" data-fidelity-ignore="" markdown="1">\n\n'
            f'**{since} since {markdown_text(label)}**: [see what changed]({CHANGES_URL}#{entry.anchor})\n\n'
            f'</div>\n\n')


def _after_front_matter(page: Page, addition: str) -> str:
    """The page with `addition` after its front matter (the filters' place, a change notice)."""
    text = page.text
    if text.startswith("---\n"):
        end = text.index("\n---\n", 4) + len("\n---\n")
        return text[:end] + "\n" + addition + text[end:]
    return addition + text


def _slashed_anchors(tags: list[TagEntry]) -> list[Issue]:
    """Published links to tags whose anchor holds a '/' (e.g. #unused/unsupported-cloud-regions), in one warning.

    The published site's tag archive had no such anchors, so those links led
    nowhere there; here the tag index gives the heading exactly that id, so
    they land. They are still reported: such fragments trip up some tools.
    """
    slashed = [tag for tag in tags if "/" in tag.anchor]
    if not slashed:
        return []
    first = slashed[0]
    if len(slashed) == 1:
        what, rest = f"tag '{first.name}' is linked with a '/' in its anchor", "gives its heading that id"
    else:
        what = f"tag '{first.name}' and {len(slashed) - 1} more tags are linked with a '/' in their anchors"
        rest = "gives their headings those ids"
    return [Issue("/tags/", None, Severity.WARNING,
                  f"{what} (/tags/#{first.anchor}), which the published site did not have; the tag index "
                  f"{rest}, so the links land")]


def _detections_by_taxonomy(site: Site) -> dict[str, list[DetectionPage]]:
    """Detections listed by the Jekyll "tag" layout of each tactic and datamodel page."""
    listed: dict[str, list[DetectionPage]] = {}
    for page in site.detections:
        names = {t for technique in page.techniques for t in technique.tactics} | set(page.datamodels)
        for name in sorted(names):
            listed.setdefault(f"/detections/{slugify(name)}/", []).append(page)
    return listed


def _with_listing(page: Page, listing, detections: list[DetectionPage]) -> str:
    return page.text + listing.render(detections=detections)
