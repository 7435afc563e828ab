"""The March-2022 published form (the Jekyll site of security_content's `docs/`).

Detections are published from `detections/<kind>/` and
`detections/experimental/<kind>/`, named by slug; data models and kill-chain
phases are the source's own `datamodel` and `tags.kill_chain_phases`.
"""

from __future__ import annotations

from pathlib import Path

from ...enrich import Derived, Site
from ...models import DETECTION_KINDS, Detection, DetectionFolder, Story, Technique
from ...render import Page, Renderings
from ..common import content_pages, form_environment, index_pages, taxonomy_pages

TEMPLATES = Path(__file__).parent / "templates"
SITE_TEMPLATES = Path(__file__).parent / "site"
"""What the mkdocs site adds to the published pages (`site/<name>` extends `<name>`)."""

DETECTION_FOLDERS = (
    *(DetectionFolder(f"detections/{kind}", kind) for kind in DETECTION_KINDS),
    *(DetectionFolder(f"detections/experimental/{kind}", kind, experimental=True) for kind in DETECTION_KINDS),
)

UNPUBLISHED_FOLDERS = {"deprecated": "the March-2022 site did not publish deprecated detections"}
"""Folders under detections/ this form does not publish, and why (see folders.py)."""

UNESCAPED = frozenset({"story.md.j2", "navigation.yml.j2"})
"""Templates the published generator did not HTML-escape: story pages, the navigation (and story listings)."""

UNPUBLISHED_TYPES = frozenset({"Baseline", "Investigation"})

SHOWS_ADD_ONS = False
"""The 2022 pages did not show `supported_tas`."""


def story_categories(story: Story) -> tuple[str, ...]:
    """A story is filed under its first category only."""
    return story.category[:1]


def is_published(detection: Detection) -> bool:
    return detection.type not in UNPUBLISHED_TYPES


def derive(detection: Detection, techniques: tuple[Technique, ...]) -> Derived:
    """In 2022 the page showed what the source said."""
    return Derived(datamodels=detection.datamodel, kill_chain_phases=detection.tags.kill_chain_phases)


def listed_lookups(search_calls: list[str], macro_calls: list[list[str]], known) -> list[str]:
    """The search's own known lookups once each, its unknown ones, then every lookup call of
    each macro it uses (a macro calling one lookup twice lists it twice, as published)."""
    names = list(dict.fromkeys(n for n in search_calls if n in known))
    names += [n for n in search_calls if n not in known]
    return names + [name for calls in macro_calls for name in calls]


def detection_url(detection: Detection, slug: str) -> str:
    return f"/{detection.kind}/{slug}/"


def pages(site: Site, for_site: bool = False, renderings: Renderings | None = None) -> list[Page]:
    """Every page of the form with its permalink, in a fixed order, clashes included.

    `for_site`: the pages as the mkdocs site shows them (listing rows whole; what `site/` adds). `renderings`:
    what an earlier build of this process rendered, to reuse (`mkdocs serve`)."""
    env = form_environment(TEMPLATES, UNESCAPED, SITE_TEMPLATES if for_site else None, on_site=for_site)
    return [
        *content_pages(env, site, lambda page: ("_posts", f"{page.detection.date}-{page.slug}.md"), for_site,
                       renderings),
        *taxonomy_pages(env, site, renderings),
        *index_pages(env, (("detections_index.md.j2", ("_pages", "detections.md"), "/detections/"),
                           ("stories_index.md.j2", ("_pages", "stories.md"), "/stories/"),
                           ("playbooks_index.md.j2", ("_pages", "playbooks.md"), "/playbooks/"),
                           ("navigation.yml.j2", ("_data", "navigation.yml"), None),
                           ("index.markdown.j2", ("index.markdown",), "/")), renderings, site=site),
    ]
