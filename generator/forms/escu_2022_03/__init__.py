"""The March-2022 published form (the Jekyll site of security_content's `docs/`).

Detections are published from `detections/<kind>/` and
`detections/experimental/<kind>/`, named by slug; data models and kill-chain
phases are the source's own `datamodel` and `tags.kill_chain_phases`.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from ...enrich import Derived, DetectionPage, Site
from ...load import DETECTION_KINDS, DetectionFolder
from ...models import Detection, Story, Technique
from ...render import Page, association_runs, environment
from ...slug import slugify

TEMPLATES = Path(__file__).parent / "templates"

DETECTION_FOLDERS = (
    *(DetectionFolder(f"detections/{kind}", kind) for kind in DETECTION_KINDS),
    *(DetectionFolder(f"detections/experimental/{kind}", kind, experimental=True) for kind in DETECTION_KINDS),
)

UNESCAPED = frozenset({"_macros.j2", "story.md.j2", "stories_index.md.j2", "category.md.j2",
                       "navigation.yml.j2", "taxonomy.md.j2"})
"""Templates the published generator did not HTML-escape: story pages, story indexes, the navigation."""

UNPUBLISHED_TYPES = frozenset({"Baseline", "Investigation"})


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


def _detection_path(page: DetectionPage) -> tuple[str, ...]:
    return ("_posts", f"{page.detection.date}-{page.slug}.md")


def pages(site: Site) -> list[Page]:
    """Every page of the form with its permalink, in a fixed order, clashes included."""
    env = environment(TEMPLATES, UNESCAPED)
    pages: list[Page] = []

    detection_template = env.get_template("detection.md.j2")
    for page in site.detections:
        text = partial(detection_template.render, page=page, d=page.detection)
        pages.append(Page(_detection_path(page), text, page.detection.source, url=page.url))

    story_template = env.get_template("story.md.j2")
    for page in site.stories:
        text = partial(story_template.render, page=page, s=page.story)
        pages.append(Page(("_stories", page.slug + ".md"), text, page.story.source, url=page.url))

    playbook_template = env.get_template("playbook.md.j2")
    for page in site.playbooks:
        text = partial(playbook_template.render, page=page, p=page.playbook,
                       runs=association_runs(page, site.detections))
        pages.append(Page(("_playbooks", page.slug + ".md"), text, page.playbook.source, url=page.url))

    # Story categories come before the tactic and datamodel pages: where a
    # category and a tactic share a name (Privilege Escalation), the published
    # site kept the category page.
    category_template = env.get_template("category.md.j2")
    for category in site.categories:
        pages.append(Page(("_pages", category.slug + ".md"), partial(category_template.render, category=category),
                          label=f"story category '{category.name}'", url=f"/stories/{category.slug}/"))
    taxonomy = env.get_template("taxonomy.md.j2")
    for kind, names in (("datamodel", site.datamodels), ("tactic", site.tactics)):
        for name in names:
            slug = slugify(name)
            pages.append(Page(("_pages", slug + ".md"), partial(taxonomy.render, name=name, slug=slug),
                              label=f"{kind} '{name}'", url=f"/detections/{slug}/"))

    for template, path, url in (("detections_index.md.j2", ("_pages", "detections.md"), "/detections/"),
                                ("stories_index.md.j2", ("_pages", "stories.md"), "/stories/"),
                                ("playbooks_index.md.j2", ("_pages", "playbooks.md"), "/playbooks/"),
                                ("navigation.yml.j2", ("_data", "navigation.yml"), None),
                                ("index.markdown.j2", ("index.markdown",), "/")):
        pages.append(Page(path, partial(env.get_template(template).render, site=site), label=path[-1], url=url))
    return pages
