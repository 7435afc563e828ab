"""The mkdocs layout: every published page at the path of its permalink, plus
the home page, the tag index, the ATT&CK technique matrix and technique pages.

A page's Markdown is its published form, unchanged; pages whose published
body was produced by a Jekyll layout (the tactic and datamodel pages) get the
equivalent listing after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable

from ..changes import Changes, Entry, FieldChange, LinesChange, field_changes, line_diff, unique_anchor
from ..enrich import DetectionPage, Site, StoryPage
from ..exports import export_links, export_pages
from ..issues import Issue, Severity
from ..models import Detection, Technique
from ..releases import Releases
from ..render import (TEMPLATES, Branding, Page, Renderings, environment, markdown_text, site_tag_links, tag_url,
                      technique_url, unique_paths)
from ..slug import name_problem, slugify
from ..sources import ContentSource, Replacement
from .release_pages import release_pages
from .split import split_long_listings

# ATT&CK Enterprise tactics in matrix order (the order of MITRE's matrix).
TACTIC_ORDER = ("Reconnaissance", "Resource Development", "Initial Access", "Execution", "Persistence",
                "Privilege Escalation", "Defense Evasion", "Credential Access", "Discovery", "Lateral Movement",
                "Collection", "Command And Control", "Exfiltration", "Impact")
HEAT_THRESHOLDS = (1, 2, 5, 10, 25)
"""The fewest detections of each shade of the matrix, 1 to 5 (shade 0: none). Fixed, so that a shade means the
same on every site and in every filtered view (the legend says it; docs/javascripts/matrix.js reads it there)."""


def src_uri(url: str) -> str:
    """Docs-relative file serving a site URL: "/endpoint/x/" -> "endpoint/x.md", "/" -> "index.md"."""
    path = url.strip("/")
    return f"{path}.md" if path else "index.md"


@dataclass(frozen=True)
class TechniqueEntry:
    technique: Technique
    detections: tuple[DetectionPage, ...]
    stories: tuple[StoryPage, ...]
    parent: Technique | None = None
    parent_covered: bool = False
    """The parent has a page of its own (a detection covers it)."""
    subtechniques: tuple[tuple[Technique, bool], ...] = ()
    """Each sub-technique of the bundle, and whether the site has a page for it (a detection covers it)."""

    @property
    def url(self) -> str:
        return technique_url(self.technique.id)


TAG_INLINE_PAGES = 5
"""A tag with more pages than this gets a page of its own (/tags/<slug>/); the tag index links it, so that
the index stays small (the product tags alone list every detection)."""


@dataclass(frozen=True)
class TagEntry:
    name: str
    anchor: str
    pages: tuple[tuple[str, str], ...]
    """(title, url) of each page with the tag, sorted by title."""
    slug: str | None = None
    """The tag's own page is /tags/<slug>/; None: its pages are listed in the tag index."""

    @property
    def url(self) -> str | None:
        return f"/tags/{self.slug}/" if self.slug else None

    @property
    def initial(self) -> str:
        """The jump list's letter: the first letter, or '#' for a tag that starts otherwise."""
        first = self.name[:1].upper()
        return first if first.isascii() and first.isalpha() else "#"


def legacy_redirects(site: Site) -> dict[str, str]:
    """Docs-relative redirects from each detection's slug address to where the form serves it.

    The 2024 form serves detections by id (`/endpoint/<id>/`) and the
    published site redirected the older `/endpoint/<slug>/` there; the same
    addresses keep working here. Where two detections share a name, the
    first (by name, then path) keeps the old address.
    """
    redirects: dict[str, str] = {}
    for page in (*site.detections, *site.removed):
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
    children: dict[str, list[Technique]] = {}
    for technique in sorted(site.techniques.values(), key=lambda t: t.id):
        if technique.parent_id:
            children.setdefault(technique.parent_id, []).append(technique)
    entries = []
    for technique_id in sorted(by_id):
        detections = list(by_id[technique_id].values())
        members = {id(s): s for page in detections for s in stories_of.get(id(page), ())}
        stories = tuple(sorted(members.values(), key=lambda s: (s.name, s.story.source.path)))
        technique = techniques[technique_id]
        parent = site.techniques.get(technique.parent_id) if technique.parent_id else None
        subtechniques = tuple((sub, sub.id in by_id) for sub in children.get(technique_id, ()))
        entries.append(TechniqueEntry(technique, tuple(detections), stories, parent,
                                      parent is not None and parent.id in by_id, subtechniques))
    return entries


def heat(count: int) -> int:
    """The shade of a technique that `count` detections cover: 0 (none) to len(HEAT_THRESHOLDS)."""
    return sum(count >= least for least in HEAT_THRESHOLDS)


def heat_legend() -> tuple[tuple[int, str], ...]:
    """What each shade means, e.g. (2, "2–4 detections"); each label starts with the shade's fewest detections."""
    labels = [(0, "no detection")]
    for level, least in enumerate(HEAT_THRESHOLDS, start=1):
        if level == len(HEAT_THRESHOLDS):
            labels.append((level, f"{least} or more detections"))
        else:
            most = HEAT_THRESHOLDS[level] - 1
            labels.append((level, f"{least} detection" if least == most == 1 else
                           f"{least} detections" if least == most else f"{least}–{most} detections"))
    return tuple(labels)


@dataclass(frozen=True)
class MatrixCell:
    """A technique in one tactic's column of the matrix, with its sub-techniques of that tactic."""

    technique: Technique
    entry: TechniqueEntry | None
    """Its page's entry; None where no detection covers it (it has no page)."""
    subtechniques: tuple["MatrixCell", ...] = ()

    @property
    def count(self) -> int:
        return len(self.entry.detections) if self.entry else 0

    @property
    def heat(self) -> int:
        return heat(self.count)

    @property
    def covered_subtechniques(self) -> int:
        return sum(sub.entry is not None for sub in self.subtechniques)


@dataclass(frozen=True)
class MatrixColumn:
    tactic: str
    cells: tuple[MatrixCell, ...]

    @property
    def total(self) -> int:
        """Techniques and sub-techniques in the column."""
        return sum(1 + len(cell.subtechniques) for cell in self.cells)

    @property
    def covered(self) -> int:
        """Those of them that a detection covers."""
        return sum((cell.entry is not None) + cell.covered_subtechniques for cell in self.cells)


def matrix(techniques: dict[str, Technique], entries: list[TechniqueEntry]) -> tuple[MatrixColumn, ...]:
    """Every current technique of the bundle under each of its tactics, columns in MITRE's order.

    Each column lists its techniques by name, each with its sub-techniques of
    the same tactic (by name); a sub-technique whose parent the bundle lacks,
    or lacks under that tactic, stands on its own. Revoked and deprecated
    techniques are left out.
    """
    covered = {entry.technique.id: entry for entry in entries}
    current = {technique_id: t for technique_id, t in techniques.items() if not t.retired}
    columns: dict[str, list[Technique]] = {}
    children: dict[tuple[str, str], list[Technique]] = {}
    for technique in sorted(current.values(), key=lambda t: (t.name, t.id)):
        parent = current.get(technique.parent_id) if technique.parent_id else None
        for tactic in dict.fromkeys(technique.tactics):  # a tactic named twice places it once
            if parent is not None and tactic in parent.tactics:
                children.setdefault((tactic, parent.id), []).append(technique)
            else:
                columns.setdefault(tactic, []).append(technique)

    def cell(technique: Technique, tactic: str) -> MatrixCell:
        subs = tuple(MatrixCell(sub, covered.get(sub.id)) for sub in children.get((tactic, technique.id), ()))
        return MatrixCell(technique, covered.get(technique.id), subs)

    order = sorted(columns, key=lambda t: (TACTIC_ORDER.index(t) if t in TACTIC_ORDER else len(TACTIC_ORDER), t))
    return tuple(MatrixColumn(tactic, tuple(cell(t, tactic) for t in columns[tactic])) for tactic in order)


def placed(columns: tuple[MatrixColumn, ...]) -> dict[str, bool]:
    """Each technique the matrix shows (once, however many tactics it has), and whether a detection covers it."""
    return {cell.technique.id: cell.entry is not None for column in columns for parent in column.cells
            for cell in (parent, *parent.subtechniques)}


def unplaced(columns: tuple[MatrixColumn, ...], entries: list[TechniqueEntry]) -> list[TechniqueEntry]:
    """Covered techniques the matrix does not show: revoked or deprecated ones, and ones without a tactic."""
    shown = placed(columns)
    return [entry for entry in entries if entry.technique.id not in shown]


def tag_entries(site: Site) -> list[TagEntry]:
    """The tag index's entries. Tags the pages link at one anchor (spelled apart only by case or punctuation:
    "Email" and "email" are both /tags/#email, as published) are one entry, named by each spelling: two headings
    of one id would leave the second out of reach."""
    pages: dict[str, dict[tuple[str, str], None]] = {}
    spellings: dict[str, list[str]] = {}
    for page in (*site.detections, *site.stories, *site.playbooks):
        for tag in page.tags:
            anchor = tag_url(tag).split("#", 1)[1]
            pages.setdefault(anchor, {})[(page.name, page.url)] = None
            if tag not in spellings.setdefault(anchor, []):
                spellings[anchor].append(tag)
    by_name = {anchor: sorted(names, key=lambda t: (t.lower(), t)) for anchor, names in spellings.items()}
    entries = []
    for anchor, names in sorted(by_name.items(), key=lambda item: (item[1][0].lower(), item[1][0])):
        first = names[0]
        own_page = len(pages[anchor]) > TAG_INLINE_PAGES and name_problem(first) is None and first != "index"
        entries.append(TagEntry(" / ".join(names), anchor, tuple(sorted(pages[anchor])),
                                slugify(first, "-") if own_page else None))
    return entries


@dataclass(frozen=True)
class ReplacementEntry:
    """An item of the Overrides page: what a source with `overrides` replaced, and how the two differ."""

    replacement: Replacement
    anchor: str
    url: str | None
    """The page of the version shown, if it has one."""
    fields: tuple[FieldChange, ...] = ()
    """For a detection: what differs, field by field (replaced version before, shown one after)."""
    lines: LinesChange | None = None
    """For any other kind: the two files, line by line."""


def replacement_entries(replacements: tuple[Replacement, ...], urls: dict[str, str]) -> list[ReplacementEntry]:
    """The Overrides page's entries, by name; `urls` maps a file's path to its page."""
    taken: set[str] = set()
    entries = []
    for replacement in sorted(replacements, key=lambda r: (r.shown.name.lower(), r.shown.source.path)):
        shown, replaced = replacement.shown, replacement.replaced
        if isinstance(shown, Detection):
            extra = {"fields": field_changes(replaced, shown)}
        else:
            extra = {"lines": LinesChange("File", line_diff(replaced.source.text.splitlines(),
                                                            shown.source.text.splitlines()))}
        entries.append(ReplacementEntry(replacement, unique_anchor(shown, taken), urls.get(shown.source.path),
                                        **extra))
    return entries


@dataclass(frozen=True)
class SourceSummary:
    """A content source on the home page of a site of several: how much of the site it gives."""

    source: ContentSource
    detections: int
    stories: int
    playbooks: int


def source_summaries(site: Site, sources: tuple[ContentSource, ...]) -> list[SourceSummary]:
    def count(models) -> dict:
        counted: dict = {}
        for model in models:
            counted[model.source.origin] = counted.get(model.source.origin, 0) + 1
        return counted

    detections = count(page.detection for page in site.detections)
    stories = count(page.story for page in site.stories)
    playbooks = count(page.playbook for page in site.playbooks)
    return [SourceSummary(source, detections.get(source, 0), stories.get(source, 0), playbooks.get(source, 0))
            for source in sources]


def render_site(site: Site, rules, changes: Changes | None = None, releases: Releases | None = None,
                replacements: tuple[Replacement, ...] = (), branding: Branding = Branding(),
                sources: tuple[ContentSource, ...] = (), renderings: Renderings | None = None,
                split_listings: bool = True) -> tuple[list[Page], list[Issue]]:
    """Every document of the mkdocs site, keyed by its docs-relative path; `rules` is the form.

    With `changes`, the site has a What changed page, and each added or changed detection links to its entry.
    With `releases`, it has the release pages, and each detection's page ends with its history.
    With `replacements` (what sources with `overrides` replaced), an Overrides page, and each replacing page
    says what it replaces and links its entry there. With several `sources`, each page of content says which
    it comes from, and the home page lists them. `renderings`: what an earlier build of this process rendered, to
    reuse (`mkdocs serve`). `split_listings` False leaves `finish_listings` to the caller: until then no listing's
    text is rendered (`mkdocs serve` shows an edited detection's page first).
    """
    renderings = renderings or Renderings()
    env = environment((TEMPLATES / "site",), extra_globals=(("tag_links", site_tag_links),))
    pages: list[Page] = []
    by_taxonomy = _detections_by_taxonomy(site)
    changed = {e.new.source.path: e for e in (*changes.added, *changes.changed)} if changes else {}
    urls = _urls_of_files(site)
    replaced = {entry.replacement.shown.source.path: entry for entry in replacement_entries(replacements, urls)}
    listing = env.get_template("taxonomy_listing.md.j2")
    for page in rules.pages(site, for_site=True, renderings=renderings):
        if page.url is None or page.url == "/":
            continue  # the Jekyll navigation data and home page have mkdocs equivalents
        path = tuple(src_uri(page.url).split("/"))
        detections = by_taxonomy.get(page.url)
        notices = _notices(page, changed.get(page.source.path) if page.source is not None else None, changes,
                           replaced.get(page.source.path) if page.source is not None else None)
        if page.url in FILTERED_INDEXES and not getattr(site, page.url.strip("/")):
            # Nothing to list (a team's content without playbooks): a sentence, not a table of one empty row.
            pages.append(Page(path, partial(_front_matter_and, page, f"The content has no {page.url.strip('/')}.\n"),
                              page.source, page.label, page.url, page.listing))
        elif page.url in FILTERED_INDEXES:  # the indexes get filters (docs/javascripts/filters.js)
            pages.append(Page(path, partial(_after_front_matter, page, FILTERED_INDEXES[page.url]), page.source,
                              page.label, page.url, page.listing))
        elif notices:
            pages.append(Page(path, partial(_after_front_matter, page, notices),
                              page.source, page.label, page.url, page.listing))
        elif detections is None:
            pages.append(page.moved(path))
        else:
            text = partial(_with_listing, page, renderings.later(listing, page.url, detections=detections))
            pages.append(Page(path, text, page.source, page.label, page.url))

    pages, moved = _move_clashing_listings(pages)
    entries = technique_entries(site)
    columns = matrix(site.techniques, entries)
    shown = placed(columns)
    listings: dict[str, list[tuple[str, str]]] = {}
    for page in pages:
        if page.listing is not None:
            group, title = page.listing
            listings.setdefault(group, []).append((title, page.url))
    summaries = source_summaries(site, sources) if len(sources) > 1 else []
    pages.append(Page(("index.md",), renderings.later(env.get_template("home.md.j2"), "", site=site, techniques=entries,
                                                      listings=listings, changes=changes, releases=releases,
                                                      branding=branding, sources=summaries, replaced=len(replaced),
                                                      release=sources[0].release if len(sources) == 1 else ""),
                      label="home page", url="/"))
    if changes is not None:
        pages.append(Page(("changes.md",), partial(env.get_template("changes.md.j2").render, changes=changes,
                                                   urls=urls), label="What changed page", url=CHANGES_URL))
    if replaced:
        pages.append(Page(("overrides.md",), partial(env.get_template("overrides.md.j2").render,
                                                     entries=list(replaced.values())),
                          label="Overrides page", url=OVERRIDES_URL))
    tags = tag_entries(site)
    pages.append(Page(("tags.md",), renderings.later(env.get_template("tags.md.j2"), "", tags=tags,
                                                     inline_pages=TAG_INLINE_PAGES),
                      label="tag index", url="/tags/"))
    tag_template = env.get_template("tag.md.j2")
    for tag in tags:
        if tag.slug is not None:
            pages.append(Page(("tags", tag.slug + ".md"), renderings.later(tag_template, tag.slug, tag=tag),
                              label=f"tag '{tag.name}'", url=tag.url))
    pages.append(Page(("techniques", "index.md"),
                      renderings.later(env.get_template("techniques.md.j2"), "", columns=columns,
                                       legend=heat_legend(), covered=sum(shown.values()), total=len(shown),
                                       unplaced=unplaced(columns, entries), attack_version=site.attack_version),
                      label="technique matrix", url="/techniques/"))
    pages.append(Page(("data_sources", "index.md"),
                      renderings.later(env.get_template("data_sources.md.j2"), "", entries=site.data_sources),
                      label="data source index", url="/data_sources/"))
    data_source_template = env.get_template("data_source.md.j2")
    for entry in site.data_sources:
        page = Page(("data_sources", entry.slug + ".md"),
                    renderings.later(data_source_template, entry.url, entry=entry),
                    entry.data_source.source, url=entry.url)
        notices = _notices(page, None, None, replaced.get(page.source.path))
        pages.append(Page(page.path, partial(_after_front_matter, page, notices), page.source, url=page.url)
                     if notices else page)
    for folder, entries_of_kind, index_label in (("macros", site.macro_pages, "macro index"),
                                                 ("lookups", site.lookup_pages, "lookup index")):
        if not entries_of_kind:
            continue
        pages.append(Page((folder, "index.md"),
                          renderings.later(env.get_template(f"{folder}.md.j2"), "", entries=entries_of_kind),
                          label=index_label, url=f"/{folder}/"))
        template = env.get_template(f"{folder[:-1]}.md.j2")
        pages.extend(Page(tuple(src_uri(entry.url).split("/")), renderings.later(template, entry.url, entry=entry),
                          entry.source, url=entry.url) for entry in entries_of_kind)
    technique_template = env.get_template("technique.md.j2")
    for entry in entries:
        pages.append(Page(("techniques", entry.technique.id + ".md"),
                          renderings.later(technique_template, entry.technique.id, entry=entry,
                                           attack_version=site.attack_version),
                          label=f"technique {entry.technique.id}", url=entry.url))
    pages.extend(_schema_pages(env, site, renderings))
    pages.append(Page(("exports.md",), partial(env.get_template("exports.md.j2").render, site=site,
                                               links=export_links(site)), label="exports page", url="/exports/"))
    pages.extend(export_pages(site, site.attack_version, branding.name, renderings))
    if releases is not None:
        pages = release_pages(env, site, releases, pages)
    issues = _slashed_anchors(tags) + moved
    if not split_listings:
        return pages, issues
    pages, clashes = finish_listings(pages, site, renderings)
    return pages, issues + clashes


def finish_listings(pages: list[Page], site: Site, renderings: Renderings | None = None
                    ) -> tuple[list[Page], list[Issue]]:
    """The site's pages with the long listings split into parts (split.py), one page per path (the clashes
    reported). Renders every listing's text."""
    pages = split_long_listings(pages, frozenset(page.detection.source.path for page in site.detections), renderings)
    return unique_paths(pages)


def _schema_pages(env, site: Site, renderings: Renderings) -> list[Page]:
    """The pages of what ESCU 5 and 6 added: baselines, investigations and removed detections, each with an
    index. A removed detection's page is at the address it had, so that old links still land."""
    pages: list[Page] = []
    for kind, entries, index, template, source in (
            ("baselines", site.baselines, "baselines.md.j2", "baseline.md.j2", lambda e: e.baseline.source),
            ("investigations", site.investigations, "investigations.md.j2", "investigation.md.j2",
             lambda e: e.investigation.source),
            ("removed", site.removed, "removed_index.md.j2", "removed.md.j2", lambda e: e.detection.source)):
        if not entries:
            continue
        pages.append(Page((kind, "index.md"), renderings.later(env.get_template(index), "", entries=entries),
                          label=f"{kind} index", url=f"/{kind}/"))
        page_template = env.get_template(template)
        for entry in entries:
            pages.append(Page(tuple(src_uri(entry.url).split("/")),
                              renderings.later(page_template, entry.url, entry=entry),
                              source(entry), url=entry.url))
    return pages


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


FILTERED_INDEXES = {
    f"/{listing}/": f'<div id="sc-filters" class="sc-filters sc-filters--{listing} sc-addition" '
                    'data-fidelity-ignore=""></div>\n\n'
    for listing in ("detections", "stories", "playbooks")
}
"""Where each index's filters go: the script fills the place (its class names the export it reads), and
leaves the page as it is without it."""


CHANGES_URL = "/changes/"
OVERRIDES_URL = "/overrides/"


def _urls_of_files(site: Site) -> dict[str, str]:
    """The page of each file that has one, by the file's path."""
    pages = (*((p.detection, p) for p in site.detections),
             *((p.story, p) for p in (*site.stories, *site.deprecated_stories)),
             *((p.playbook, p) for p in site.playbooks), *((p.data_source, p) for p in site.data_sources))
    return {model.source.path: page.url for model, page in pages}


def _notices(page: Page, entry: Entry | None, changes: Changes | None, replacement: ReplacementEntry | None) -> str:
    """What a page of content says at its top: its source (where the site has several), what it replaces (a
    source's override), and since when it is new or changed (What changed); "" for none of these."""
    lines = []
    origin = page.source.origin if page.source is not None else None
    if origin is not None and origin.badge:
        lines.append(f"**Content source**: {markdown_text(origin.label)}")
    if replacement is not None:
        replaced = replacement.replacement.replaced.source
        lines.append(f"**Replaces the version of {markdown_text(replaced.origin.label)}** "
                     f"({markdown_text(replaced.in_content)}): [see the differences]({OVERRIDES_URL}#{replacement.anchor})")
    if entry is not None:
        since = "New" if entry.status == "added" else "Changed"
        lines.append(f"**{since} since {markdown_text(changes.label)}**: "
                     f"[see what changed]({CHANGES_URL}#{entry.anchor})")
    if not lines:
        return ""
    return (f'<div class="sc-addition sc-change-notice" data-fidelity-ignore="" data-search-exclude="" '
            'markdown="1">\n\n' + "\n\n".join(lines) + '\n\n</div>\n\n')


def _front_matter_end(text: str) -> int:
    """Where the page's front matter ends (0 for a page without one)."""
    return text.index("\n---\n", 4) + len("\n---\n") if text.startswith("---\n") else 0


def _after_front_matter(page: Page, addition: str) -> str:
    """The page with `addition` after its front matter (the filters' place, a change notice)."""
    text = page.text
    end = _front_matter_end(text)
    return text[:end] + "\n" + addition + text[end:] if end else addition + text


def _front_matter_and(page: Page, body: str) -> str:
    """The page's front matter followed by `body` instead of its own."""
    text = page.text
    return text[:_front_matter_end(text)] + "\n" + body


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


def _with_listing(page: Page, listing: Callable[[], str]) -> str:
    return page.text + listing()
