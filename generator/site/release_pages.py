"""The release pages of the mkdocs site: a page per release, the releases index with its chart, each
detection's history on its page, a page per detection no longer in the content, the "Am I up to date?" page
and its data (`api/releases.json`).

Everything here is a pure function of the site model and `releases.Releases`; links go to the site's own
pages: a detection of the content to its page, one no longer in it to its last released version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial

import jinja2
from markupsafe import Markup, escape

from ..changes import match
from ..enrich import Site
from ..releases import History, ReleaseNotes, Releases
from ..render import Page

RELEASES_URL = "/releases/"
RELEASES_INDEX = "releases/index.md"
UP_TO_DATE_URL = "/releases/up-to-date/"
RELEASES_DATA = "api/releases.json"
FORMER_URL = "/releases/detections/{key}/"
FIELD_BY_FIELD_CHARACTERS = 150_000
"""A release page shows what changed in each detection field by field where that takes at most this many
characters; a release that changed more links each detection to its page's History, which shows the same. (Of
Splunk's 132 releases, v4.34.0's 1,346 updated detections were 3.2 MB field by field.)"""


@dataclass(frozen=True)
class Links:
    """Where the release pages link each item: a history key, story or playbook name -> its page's URL."""

    histories: dict[str, str]
    stories: dict[str, str]
    playbooks: dict[str, str]
    current: dict[str, History]
    """A detection page's source path -> the history of that detection."""


def links(site: Site, releases: Releases) -> Links:
    """Each history matched with a detection of the site (by id, then name); the others get a page of their own."""
    latest = {id(h.latest): h for h in releases.histories}
    pairs, _, _ = match([h.latest for h in releases.histories], [page.detection for page in site.detections])
    page_of = {id(page.detection): page for page in site.detections}
    current = {page_of[id(new)].detection.source.path: latest[id(old)] for old, new in pairs}
    urls = {latest[id(old)].key: page_of[id(new)].url for old, new in pairs}
    for history in releases.histories:
        urls.setdefault(history.key, FORMER_URL.format(key=history.key))
    return Links(urls, {page.name: page.url for page in (*site.deprecated_stories, *site.stories)},
                 {page.name: page.url for page in site.playbooks}, current)


def release_pages(env: jinja2.Environment, site: Site, releases: Releases,
                  pages: list[Page]) -> list[Page]:
    """`pages` with each detection's history added to its page, then the release pages.

    Each text is rendered once per `releases` and what else it shows (a history, its page's source; a release
    page, the addresses it links): under `mkdocs serve`, an edit renders again only what it changed.
    """
    found = links(site, releases)
    index = {note.release.name: position for position, note in enumerate(releases.notes)}
    shown = {page.detection.source.path: page.detection for page in site.detections}
    by_key = {history.key: history for history in releases.histories}
    render = partial(_render, env, releases, links=found, index=index, shown=None, releases_by_key=by_key)
    result = []
    for page in pages:
        history = found.current.get(page.source.path) if page.source is not None else None
        if history is not None and page.url is not None and page.url == found.histories.get(history.key):
            detection = shown[page.source.path]
            section = partial(render, "history.md.j2", (history.key, detection.source.path, detection.source.text,
                                                         found.histories.get(history.replaced_by)),
                              history=history, shown=detection)
            page = Page(page.path, partial(_with_section, page, section), page.source, page.label, page.url,
                        page.listing)
        result.append(page)
    result.append(Page(tuple(RELEASES_INDEX.split("/")), partial(render, "releases.md.j2", (), charts=charts(releases)),
                       label="releases index", url=RELEASES_URL))
    for position, notes in enumerate(releases.notes):
        following = releases.notes[position + 1] if position + 1 < len(releases.notes) else None
        result.append(Page(("releases", notes.release.slug + ".md"),
                           partial(render, "release.md.j2", (position, _linked(notes, found)), notes=notes,
                                   following=following, field_by_field_characters=FIELD_BY_FIELD_CHARACTERS),
                           label=f"release {notes.name}", url=notes.release.url))
    for history in releases.histories:
        if found.histories[history.key] == FORMER_URL.format(key=history.key):
            result.append(Page(("releases", "detections", history.key + ".md"),
                               partial(render, "former_detection.md.j2",
                                       (history.key, found.histories.get(history.replaced_by)), history=history),
                               label=f"former detection {history.latest.name}",
                               url=FORMER_URL.format(key=history.key)))
    result.append(Page(("releases", "up-to-date.md"), partial(render, "up_to_date.md.j2", ()),
                       label="Am I up to date? page", url=UP_TO_DATE_URL))
    data_key = ("data", tuple(found.histories[h.key] for h in releases.histories))
    result.append(Page(tuple(RELEASES_DATA.split("/")), partial(_remembered, releases, data_key,
                                                                partial(releases_data, releases, found)),
                       label="releases data", url="/" + RELEASES_DATA))
    return result


def _render(env: jinja2.Environment, releases: Releases, template: str, key: tuple, **context) -> str:
    """`template` rendered, or its text from an earlier build of the same releases (`key`: what else it shows
    that can change between builds: a history's page, the addresses a release page links)."""
    return _remembered(releases, (id(env), template, *key),
                       partial(env.get_template(template).render, releases=releases, **context))


def _linked(notes: ReleaseNotes, found: Links) -> tuple:
    """The addresses a release's page links, which an edit of the content can change."""
    changes = (notes.new_analytics + notes.updated_analytics + notes.deprecated_analytics + notes.removed_analytics
               + notes.new_ba + notes.updated_ba + notes.removed_ba)
    return (tuple(found.histories[change.history] for change in changes),
            tuple(found.stories.get(change.name) for change in notes.new_stories + notes.updated_stories),
            tuple(found.playbooks.get(change.name) for change in notes.playbooks_added + notes.playbooks_updated))


def _remembered(releases: Releases, key: tuple, make) -> str:
    text = releases.rendered.get(key)
    if text is None:
        text = releases.rendered[key] = make()
    return text


def _with_section(page: Page, section) -> str:
    return page.text.rstrip("\n") + "\n\n" + section()


# -- the data the "Am I up to date?" page reads --------------------------------------------------------


def releases_data(releases: Releases, found: Links) -> str:
    """Every release and every detection's versions across them, compactly (docs/javascripts/uptodate.js).

    A detection's `in` lists runs of releases holding one version: [first release, last release, version,
    date], with a fifth item, 1, where it was a Behavioral Analytic (ssa_detections/) in them: not one of those
    releases' ESCU detections, which the release pages count and "the whole release" compares (some detections
    moved between the two folders, so this is a release's, not a detection's). `changes` lists each release
    that changed it: [release, status, [the fields that changed]]. `named`, of a detection released under
    several names, lists [first release, name] of each name in turn.
    """
    index = {note.release.name: position for position, note in enumerate(releases.notes)}
    detections = []
    for history in releases.histories:
        runs: list[list] = []
        named: list[list] = []
        for position, detection in history.releases:
            if not named or named[-1][1] != detection.name:
                named.append([position, detection.name])
            version = str(detection.version)
            last = runs[-1] if runs else None
            if last and last[1] == position - 1 and last[2] == version and (len(last) > 4) == detection.ssa:
                last[1] = position
            else:
                runs.append([position, position, version, detection.date, *((1,) if detection.ssa else ())])
        detections.append({
            "key": history.key, "id": history.latest.id, "name": history.latest.name,
            "names": list(history.names), "url": found.histories[history.key].lstrip("/"),
            "status": history.latest.lifecycle, "in": runs, "replaced_by": history.replaced_by or None,
            "changes": [[index[entry.release.name], entry.status, [change.field for change in entry.fields]]
                        for entry in history.entries],
            **({"named": named} if len(named) > 1 else {}),
        })
    data = {"pattern": releases.pattern,
            "releases": [{"name": note.name, "date": note.release.date, "url": note.release.url.lstrip("/")}
                         for note in releases.notes],
            "detections": detections}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# -- the chart of the releases index ---------------------------------------------------------------------

STATUS_ORDER = ("production", "experimental", "validation", "deprecated")
TYPE_ORDER = ("TTP", "Anomaly", "Hunting", "Correlation", "ESCU", "batch", "streaming", "SSA", "Baseline",
              "Investigation")
"""Series in stacking order; the types are every generation's (ESCU/SSA in 2020, batch/streaming in 2021)."""


@dataclass(frozen=True)
class Chart:
    title: str
    svg: Markup
    legend: tuple[tuple[str, int], ...]
    """(series, colour number) in stacking order."""


def charts(releases: Releases) -> tuple[Chart, Chart]:
    """Detections per release, stacked by status and by type: inline SVG, made here (no script draws it)."""
    by_status = [dict(note.counts.by_status) for note in releases.notes]
    by_type = [dict(note.counts.by_type) for note in releases.notes]
    return (_chart("Detections per release by status", releases, by_status, STATUS_ORDER),
            _chart("Detections per release by type", releases, by_type, TYPE_ORDER))


def _chart(title: str, releases: Releases, values: list[dict[str, int]], order: tuple[str, ...]) -> Chart:
    present = {name for counts in values for name in counts}
    series = [name for name in order if name in present] + sorted(present - set(order))
    # A series keeps its colour whichever others a site has: its place in `order`, the rest after.
    colour = {name: (order.index(name) if name in order else len(order) + position) % 10
              for position, name in enumerate(series)}
    highest = max((sum(counts.values()) for counts in values), default=0) or 1
    step = _nice_step(highest)
    top = -(-highest // step) * step
    # The plot is about 560 units wide whatever the number of releases (a release's slot 4 to 80 units), so
    # that the chart, drawn as wide as the page's text (about 700 pixels), keeps its 9-unit type at 9 pixels or
    # more: 8-unit slots had made 132 releases' chart 1,100 units wide and its type 6 pixels. The names under
    # the axis, turned 60 degrees, need about 12 units side by side: every name where the slots allow, else
    # every second, third... and the last.
    left, height = 44, 220
    slot = max(4, min(80, 560 // max(len(values), 1)))
    bar = max(3, slot * 3 // 4)  # the rest of the slot is the gap to the next bar
    labelled = -(-12 // slot)
    longest = max((len(note.name) for note in releases.notes), default=0)
    bottom = min(64, 14 + longest * 5)  # room for the longest name, turned (9-unit type: about 5.5 units a letter)
    width = left + len(values) * slot + 8
    scale = height / top
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + bottom + 10}" '
             f'class="sc-chart" role="img" aria-label="{escape(title)}">']
    for tick in range(0, top + 1, step):
        y = 10 + height - tick * scale
        parts.append(f'<line class="sc-chart__grid" x1="{left}" y1="{y:.1f}" x2="{width - 4}" y2="{y:.1f}"></line>'
                     f'<text class="sc-chart__label" x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{tick:,}</text>')
    for position, (note, counts) in enumerate(zip(releases.notes, values)):
        x = left + position * slot
        y = 10 + height
        summary = ", ".join(f"{counts[name]:,} {name}" for name in series if counts.get(name))
        parts.append(f'<g><title>{escape(note.name)} ({escape(note.release.date)}): '
                     f'{sum(counts.values()):,} detections: {escape(summary)}</title>')
        for name in series:
            size = counts.get(name, 0) * scale
            if size:
                y -= size
                parts.append(f'<rect class="sc-chart__series-{colour[name]}" x="{x}" y="{y:.1f}" width="{bar}" '
                             f'height="{size:.1f}"></rect>')
        parts.append("</g>")
    for position in _named_positions(len(releases.notes), labelled):
        x = left + position * slot + bar / 2
        y = 10 + height + 8
        parts.append(f'<text class="sc-chart__label sc-chart__release" x="{x:.1f}" y="{y}" text-anchor="end" '
                     f'transform="rotate(-60 {x:.1f} {y})">{escape(releases.notes[position].name)}</text>')
    parts.append("</svg>")
    return Chart(title, Markup("".join(parts)), tuple((name, colour[name]) for name in series))


def _named_positions(count: int, every: int) -> list[int]:
    """The releases named under the axis: every `every`th and the last, which takes the place of the one before
    it where the two would be nearer than `every` slots."""
    named = list(range(0, count, every))
    if named and named[-1] != count - 1:
        if count - 1 - named[-1] < every:
            named.pop()
        named.append(count - 1)
    return named


def _nice_step(highest: int) -> int:
    """A round grid step giving four to ten lines up to `highest`."""
    step = 1
    while highest / step > 10:
        for factor in (2, 5 / 2, 2):
            step = int(step * factor)
            if highest / step <= 10:
                break
    return step
