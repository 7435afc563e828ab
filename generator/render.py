"""Render: turn the site model into pages (path + text), without touching the disk.

Templates live in `templates/<layout>/` and receive models only; the helpers
below format lists of links the way the published pages did. Jinja's
autoescape is on, as it was for the published site: `"` in a description is
written as `&#34;`, which is part of the published form.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import jinja2
from markupsafe import Markup, escape

from .enrich import DetectionPage, PlaybookPage, Site
from .issues import Issue, Severity
from .models import Source, Technique
from .slug import slugify

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Page:
    """One output file. `path` is a tuple of components below the output directory."""

    path: tuple[str, ...]
    text: str
    source: Source | None = None
    label: str = ""
    """What a page without a source file shows, for messages (e.g. "tactic 'Impact'")."""


def _links(pairs: Iterable[tuple[str, str]]) -> Markup:
    return Markup(", ").join(Markup("[{}]({})").format(text, url) for text, url in pairs)


def datamodel_links(datamodels: Iterable[str]) -> Markup:
    base = "https://docs.splunk.com/Documentation/CIM/latest/User/"
    return _links((dm, base + dm.replace("_", "")) for dm in datamodels)


def tag_url(name: str) -> str:
    return "/tags/#" + slugify(name, "-")


def tag_links(techniques: Iterable[Technique]) -> Markup:
    return _links((t.name, tag_url(t.name)) for t in techniques)


def first_tactic_link(techniques: tuple[Technique, ...]) -> Markup:
    """The published story tables name one tactic: the first of the first technique."""
    tactics = techniques[0].tactics[:1] if techniques else ()
    return _links((tactic, tag_url(tactic)) for tactic in tactics)


def app_links(apps: Iterable[str]) -> Markup:
    return _links((app, f"https://splunkbase.splunk.com/apps/#/search/{app}/product/soar") for app in apps)


# The published generator escaped detection, playbook and home pages but not
# story pages, story indexes or the navigation; the published form keeps that.
_UNESCAPED = ("_macros.j2", "story.md.j2", "stories_index.md.j2", "category.md.j2", "navigation.yml.j2", "taxonomy.md.j2")


def _autoescape(template_name: str | None) -> bool:
    return template_name not in _UNESCAPED


@lru_cache(maxsize=None)
def environment(layout: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / layout),
        autoescape=_autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["slug"] = slugify
    env.globals.update(datamodel_links=datamodel_links, tag_links=tag_links,
                       first_tactic_link=first_tactic_link, app_links=app_links)
    return env


def association_runs(playbook: PlaybookPage, detections: tuple[DetectionPage, ...]) -> list[tuple[int, DetectionPage | None]]:
    """Blank-line runs of a published playbook's "Associated Detections" section.

    The published generator looped over every detection of the site for each
    name the playbook lists, writing an empty line for each that did not match
    and one more after each name. The result is reproduced as (empty lines,
    detection) pairs, so rendering does not depend on the size of that loop.
    """
    position = {id(page): index for index, page in enumerate(detections)}
    runs: list[tuple[int, DetectionPage | None]] = []
    carry = 0
    for name in playbook.playbook.detections:
        previous = 0
        for page in (p for p in playbook.detections if p.name == name):
            index = position[id(page)]
            runs.append((carry + index - previous, page))
            previous, carry = index + 1, 0
        carry += len(detections) - previous + 1
    runs.append((carry, None))
    return runs


def _detection_path(page: DetectionPage) -> tuple[str, ...]:
    return ("_posts", f"{page.detection.date}-{page.slug}.md")


def render_published(site: Site) -> tuple[list[Page], list[Issue]]:
    """Every page of the published (Jekyll) layout, in a deterministic order."""
    env = environment("published")
    pages: list[Page] = []

    detection_template = env.get_template("detection.md.j2")
    for page in site.detections:
        text = detection_template.render(page=page, d=page.detection)
        pages.append(Page(_detection_path(page), text, page.detection.source))

    story_template = env.get_template("story.md.j2")
    for page in site.stories:
        text = story_template.render(page=page, s=page.story)
        pages.append(Page(("_stories", page.slug + ".md"), text, page.story.source))

    playbook_template = env.get_template("playbook.md.j2")
    for page in site.playbooks:
        text = playbook_template.render(p=page.playbook, runs=association_runs(page, site.detections))
        pages.append(Page(("_playbooks", page.slug + ".md"), text, page.playbook.source))

    # Story categories come before the tactic and datamodel pages: where a
    # category and a tactic share a name (Privilege Escalation), the published
    # site kept the category page.
    category_template = env.get_template("category.md.j2")
    for category in site.categories:
        pages.append(Page(("_pages", category.slug + ".md"), category_template.render(category=category),
                          label=f"story category '{category.name}'"))
    taxonomy = env.get_template("taxonomy.md.j2")
    for kind, names in (("datamodel", site.datamodels), ("tactic", site.tactics)):
        for name in names:
            pages.append(Page(("_pages", slugify(name) + ".md"), taxonomy.render(name=name, slug=slugify(name)),
                              label=f"{kind} '{name}'"))

    for template, path in (("detections_index.md.j2", ("_pages", "detections.md")),
                           ("stories_index.md.j2", ("_pages", "stories.md")),
                           ("playbooks_index.md.j2", ("_pages", "playbooks.md")),
                           ("navigation.yml.j2", ("_data", "navigation.yml")),
                           ("index.markdown.j2", ("index.markdown",))):
        pages.append(Page(path, env.get_template(template).render(site=site)))
    return unique_paths(pages)


def unique_paths(pages: list[Page]) -> tuple[list[Page], list[Issue]]:
    """Keep one page per path: the first rendered. A clash is reported naming both sources."""
    kept: dict[tuple[str, ...], Page] = {}
    issues = []
    for page in pages:
        first = kept.get(page.path)
        if first is None:
            kept[page.path] = page
            continue
        target = "/".join(page.path)
        other = first.source.path if first.source else "a generated page"
        if page.source is None:
            issues.append(Issue(target, None, Severity.WARNING,
                                f"the {first.label} and the {page.label} share this page; only the {first.label} is written"))
            continue
        issues.append(Issue(page.source.path, page.source.line("name"), Severity.WARNING,
                            f"gives the same page {target} as {other}; only {other} is written"))
    return list(kept.values()), issues
