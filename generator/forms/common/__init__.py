"""What the published forms share: the story templates and the pages every form writes alike.

A form's own templates come first; a template it does not have is taken from
`templates/` here (the story index, story category and tag pages are the same
in both forms).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Callable

import jinja2

from ...enrich import DetectionPage, Site
from ...render import (Page, Renderings, association_runs, detection_positions, environment, listing_mark,
                       site_tag_links, tag_links)
from ...slug import slugify

TEMPLATES = Path(__file__).parent / "templates"

UNESCAPED = frozenset({"_macros.j2", "stories_index.md.j2", "category.md.j2", "taxonomy.md.j2"})
"""Shared templates that the published generators did not HTML-escape (story listings, tag pages)."""


def form_environment(templates: Path, unescaped: frozenset[str], site_templates: Path | None = None,
                     on_site: bool = False) -> jinja2.Environment:
    """A form's templates, then the shared ones; `site_templates`, if given, as "site/<name>".

    `on_site`: the templates render the pages as the mkdocs site shows them."""
    prefixed = (("site", site_templates),) if site_templates else ()
    # listing_mark, after a name in listings: nothing in the published form; on the site a detection's status,
    # and the source where there are several. on_site: rows of pages without techniques, which the published
    # form wrote with "None" and an empty link, link their page and leave the cell empty. tag_links: on the site a
    # technique the ATT&CK bundle lacks is linked by its id.
    extra_globals = (("listing_mark", listing_mark if on_site else _no_mark), ("on_site", on_site),
                     ("tag_links", site_tag_links if on_site else tag_links))
    return environment((templates, TEMPLATES), unescaped | UNESCAPED, prefixed, extra_globals)


def _no_mark(page) -> str:
    return ""


def page_template(env: jinja2.Environment, name: str, for_site: bool) -> jinja2.Template:
    """The form's template `name`, or for the mkdocs site its "site/" version where the form has one."""
    if for_site:
        try:
            return env.get_template("site/" + name)
        except jinja2.TemplateNotFound:
            pass
    return env.get_template(name)


def content_pages(env: jinja2.Environment, site: Site, detection_path: Callable[[DetectionPage], tuple[str, ...]],
                  for_site: bool = False, renderings: Renderings | None = None) -> list[Page]:
    """A page per detection, story and playbook, each at its form's path."""
    renderings = renderings or Renderings()
    pages: list[Page] = []
    detection_template = page_template(env, "detection.md.j2", for_site)
    for page in site.detections:
        text = renderings.later(detection_template, page.detection.source.path, page=page, d=page.detection)
        pages.append(Page(detection_path(page), text, page.detection.source, url=page.url))

    story_template = page_template(env, "story.md.j2", for_site)
    for page in (*site.stories, *site.deprecated_stories) if for_site else site.stories:
        text = renderings.later(story_template, page.story.source.path, page=page, s=page.story)
        pages.append(Page(("_stories", page.slug + ".md"), text, page.story.source, url=page.url))

    playbook_template = page_template(env, "playbook.md.j2", for_site)
    position = detection_positions(site.detections)
    for page in site.playbooks:
        text = renderings.later(playbook_template, page.playbook.source.path, page=page, p=page.playbook,
                                runs=tuple(association_runs(page, site.detections, position)))
        pages.append(Page(("_playbooks", page.slug + ".md"), text, page.playbook.source, url=page.url))
    return pages


def taxonomy_pages(env: jinja2.Environment, site: Site, renderings: Renderings | None = None) -> list[Page]:
    """Story category pages, then the front-matter-only tag pages of data models and tactics.

    Categories come first: where a category and a tactic share a name
    (Privilege Escalation), the published sites kept the category page.
    """
    renderings = renderings or Renderings()
    pages: list[Page] = []
    category_template = env.get_template("category.md.j2")
    for category in site.categories:
        pages.append(Page(("_pages", category.slug + ".md"),
                          renderings.later(category_template, category.slug, category=category),
                          label=f"story category '{category.name}'", url=f"/stories/{category.slug}/",
                          listing=("Analytic stories by category", category.name)))
    taxonomy = env.get_template("taxonomy.md.j2")
    for kind, names in (("datamodel", site.datamodels), ("tactic", site.tactics)):
        for name in names:
            slug = slugify(name)
            pages.append(Page(("_pages", slug + ".md"), partial(taxonomy.render, name=name, slug=slug, kind=kind),
                              label=f"{kind} '{name}'", url=f"/detections/{slug}/"))
    return pages


def index_pages(env: jinja2.Environment, indexes, renderings: Renderings | None = None, **context) -> list[Page]:
    """The index pages, navigation and home page: (template, path, url) each, rendered with `context`."""
    renderings = renderings or Renderings()
    return [Page(path, renderings.later(env.get_template(template), "/".join(path), **context), label=path[-1],
                 url=url)
            for template, path, url in indexes]
