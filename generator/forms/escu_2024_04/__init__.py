"""The April-2024 published form (research.splunk.com, generated nightly until April 2024).

Detections are published from `detections/<kind>/`, `detections/deprecated/`
and, when `status: production`, `ssa_detections/<kind>/`; each is named and
served by its id (`/<kind>/<id>/`). What the sources of that time no longer
said, the generator derived: data models from the search text, kill-chain
phases from the ATT&CK tactics, NIST and CIS tags from type and domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...enrich import Derived, PlaybookPage, Site
from ...models import DETECTION_KINDS, Detection, DetectionFolder, Story, Technique
from ...render import Page, Renderings
from ...slug import slugify
from ..common import content_pages, form_environment, index_pages, taxonomy_pages

TEMPLATES = Path(__file__).parent / "templates"
SITE_TEMPLATES = Path(__file__).parent / "site"
"""The mkdocs site's versions of some pages: the published page plus what today's sources add."""

DETECTION_FOLDERS = (
    *(DetectionFolder(f"detections/{kind}", kind) for kind in DETECTION_KINDS),
    DetectionFolder("detections/deprecated", "deprecated"),
    *(DetectionFolder(f"ssa_detections/{kind}", kind, ssa=True) for kind in DETECTION_KINDS),
)

UNPUBLISHED_FOLDERS = {"experimental": "this form publishes experimental detections by their 'status: experimental', "
                                       "not from detections/experimental/ (the 2022 schema, which the 2022-03 form "
                                       "publishes)"}
"""Folders under detections/ this form does not publish, and why (see folders.py)."""

UNESCAPED = frozenset({"story.md.j2", "navigation.yml.j2", "type.md.j2", "types.md.j2"})
"""Templates the published generator did not HTML-escape: story and type pages, the navigation (and story listings)."""

UNPUBLISHED_TYPES = frozenset({"Baseline", "Investigation"})

SHOWS_ADD_ONS = True
"""Detection pages list their supported add-ons (`supported_tas`)."""

DATAMODELS = ("Authentication", "Change", "Change_Analysis", "Email", "Endpoint", "Network_Resolution",
              "Network_Sessions", "Network_Traffic", "Risk", "Splunk_Audit", "UEBA", "Updates",
              "Vulnerabilities", "Web")
"""The CIM data models the generator looked for in a search, in the order it listed them."""

KILL_CHAIN_PHASES = {
    "Reconnaissance": "Reconnaissance",
    "Resource Development": "Weaponization",
    "Initial Access": "Delivery",
    "Execution": "Installation",
    "Persistence": "Installation",
    "Privilege Escalation": "Exploitation",
    "Defense Evasion": "Exploitation",
    "Credential Access": "Exploitation",
    "Discovery": "Exploitation",
    "Lateral Movement": "Exploitation",
    "Collection": "Exploitation",
    "Command And Control": "Command and Control",
    "Exfiltration": "Actions On Objectives",
    "Impact": "Actions On Objectives",
}
"""ATT&CK tactic -> Lockheed Martin kill-chain phase, as the published pages show it."""


def story_categories(story: Story) -> tuple[str, ...]:
    """A story is listed under each of its categories."""
    return story.category


def is_published(detection: Detection) -> bool:
    if detection.type in UNPUBLISHED_TYPES:
        return False
    return not detection.ssa or detection.status == "production"


def derive(detection: Detection, techniques: tuple[Technique, ...]) -> Derived:
    """Data models by substring of the search ("WebClient" gives Web, as it did), phases by tactic."""
    phases = dict.fromkeys(KILL_CHAIN_PHASES[tactic] for t in techniques for tactic in t.tactics
                           if tactic in KILL_CHAIN_PHASES)
    return Derived(
        datamodels=tuple(name for name in DATAMODELS if name in detection.search),
        kill_chain_phases=tuple(phases),
        nist=("DE.CM",) if detection.type == "TTP" else ("DE.AE",),
        cis=("CIS 13",) if detection.tags.security_domain == "network" else ("CIS 10",),
    )


def listed_lookups(search_calls: list[str], macro_calls: list[list[str]], known) -> list[str]:
    """Every lookup call of the search itself, repeats included; macros' lookups are not listed."""
    return search_calls


def detection_url(detection: Detection, slug: str) -> str:
    """Served by id, lower-cased as the published generator named its posts (`id.lower()`)."""
    return f"/{detection.kind}/{detection.id.lower()}/"


KIND_TITLES = (("endpoint", "Endpoint"), ("application", "Application"), ("cloud", "Cloud"),
               ("network", "Network"), ("web", "Web"), ("experimental", "Experimental"),
               ("deprecated", "Deprecated"))
"""The detection type pages (`/categories/<kind>`), in the published order."""


@dataclass(frozen=True)
class PlaybookGroup:
    """A listing of playbooks that share a type, use case, D3FEND category or SOAR app."""

    kind: str
    title: str
    slug: str
    file: str
    playbooks: tuple[PlaybookPage, ...]


def _grouped(kind: str, playbooks: tuple[PlaybookPage, ...], keys, file_suffix: str = "") -> list[PlaybookGroup]:
    members: dict[str, list[PlaybookPage]] = {}
    for playbook in playbooks:
        for key in dict.fromkeys(key for key in keys(playbook) if key):
            members.setdefault(key, []).append(playbook)
    return [PlaybookGroup(kind, title, slugify(title), f"{slugify(title)}{file_suffix}.md", tuple(members[title]))
            for title in sorted(members)]


def playbook_groups(site: Site) -> list[PlaybookGroup]:
    """The playbook listings by type, use case, D3FEND category and SOAR app, in the navigation's order."""
    playbooks = site.playbooks
    return [
        *_grouped("playbook type", playbooks, lambda p: [p.playbook.type] if p.playbook.type else []),
        *_grouped("use case", playbooks, lambda p: p.playbook.use_cases, "playbook"),
        *_grouped("D3FEND category", playbooks, lambda p: [t.category for t in p.d3fend]),
        *_grouped("SOAR app", playbooks, lambda p: p.playbook.app_list),
    ]


def pages(site: Site, for_site: bool = False, renderings: Renderings | None = None) -> list[Page]:
    """Every page of the form with its permalink, in a fixed order, clashes included.

    `for_site`: the pages as the mkdocs site shows them (with what `site/` adds). `renderings`: what an earlier
    build of this process rendered, to reuse (`mkdocs serve`)."""
    renderings = renderings or Renderings()
    env = form_environment(TEMPLATES, UNESCAPED, SITE_TEMPLATES if for_site else None, on_site=for_site)
    pages = [*content_pages(env, site, lambda page: ("_posts", f"{page.detection.date}-{page.detection.id.lower()}.md"),
                            for_site, renderings),
             *taxonomy_pages(env, site, renderings)]

    type_template = env.get_template("type.md.j2")
    for kind, title in KIND_TITLES:
        # By folder, as published: with no detections/experimental/ left, that page listed nothing. The site lists
        # the experimental and deprecated detections by their status, wherever their files are.
        by_status = for_site and kind in ("experimental", "deprecated")
        listed = [p for p in site.detections
                  if (p.detection.lifecycle if by_status else p.detection.kind) == kind]
        pages.append(Page(("_pages", f"{kind}_type.md"), renderings.later(type_template, kind, title=title, kind=kind,
                                                                   detections=listed),
                          label=f"type '{title}'", url=f"/categories/{kind}",
                          # The home page links each listing of the site that lists anything.
                          listing=None if for_site and not listed else (
                              "Detections by status" if by_status else "Detections by category", title)))

    listing = env.get_template("playbook_listing.md.j2")
    groups = playbook_groups(site)
    for group in groups:
        pages.append(Page(("_pages", group.file), renderings.later(listing, group.file, title=group.title,
                                                           slug=group.slug, playbooks=group.playbooks),
                          label=f"{group.kind} '{group.title}'", url=f"/playbooks/{group.slug}/",
                          listing=(f"Playbooks by {group.kind.replace('playbook ', '')}", group.title)))

    return pages + index_pages(env, (("detections_index.md.j2", ("_pages", "detections.md"), "/detections/"),
                                     ("types.md.j2", ("_pages", "types.md"), "/categories/"),
                                     ("stories_index.md.j2", ("_pages", "stories.md"), "/stories/"),
                                     ("playbooks_index.md.j2", ("_pages", "playbooks.md"), "/playbooks/"),
                                     ("navigation.yml.j2", ("_data", "navigation.yml"), None),
                                     ("index.markdown.j2", ("index.markdown",), "/")),
                               renderings, site=site, kinds=KIND_TITLES, playbook_groups=groups)
