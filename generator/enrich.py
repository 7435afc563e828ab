"""Enrich: link the loaded models into a site (ATT&CK, CVEs, macros, lookups, stories).

A pure function of its inputs: `build_site(content, techniques, cves)` returns
the site model and the issues found while linking. Nothing here reads files.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from .cves import Cve
from .issues import Issue, Severity
from .models import Content, Detection, Lookup, Macro, Playbook, Story, Technique
from .slug import slugify

_MACRO_CALL = re.compile(r"`([^\s`]+)`")
_LOOKUP_CALL = re.compile(r"lookup (?:update=true)?(?:append=t)?\s*([^\s]*)")
# Calls the published pages never list as macros: each detection's own
# `<name>_filter` and the CIM app's `drop_dm_object_name(...)`.
_IMPLICIT_MACROS = ("_filter", "drop_dm_object_name")
# Macros that Splunk apps define, so no macro file of the content has them.
APP_MACROS = frozenset({
    "get_asset",  # Splunk Enterprise Security, asset and identity framework
    "get_identity4events",  # Splunk Enterprise Security
})


@dataclass(frozen=True)
class StoryRef:
    """A story named by a detection; `exists` is False when no story file has the name."""

    name: str
    slug: str
    exists: bool


@dataclass(frozen=True)
class DetectionPage:
    detection: Detection
    slug: str
    techniques: tuple[Technique, ...]
    """In the order of the detection's mitre_attack_id, unknown ids left out."""
    macros: tuple[Macro, ...]
    lookups: tuple[Lookup, ...]
    cves: tuple[Cve, ...]
    stories: tuple[StoryRef, ...]

    @property
    def name(self) -> str:
        return self.detection.name

    @property
    def url(self) -> str:
        return f"/{self.detection.kind}/{self.slug}/"

    @property
    def tags(self) -> tuple[str, ...]:
        """The page's tags, in the published order (a tactic repeats once per technique)."""
        tags = [tag for t in self.techniques for tag in (t.name, *t.tactics)]
        return (*tags, *self.detection.tags.product, *(c.id for c in self.cves), *self.detection.datamodel)


@dataclass(frozen=True)
class StoryPage:
    story: Story
    slug: str
    detections: tuple[DetectionPage, ...]
    datamodels: tuple[str, ...]
    kill_chain_phases: tuple[str, ...]
    techniques: tuple[Technique, ...]
    """The techniques of the last of its detections that has any (the published index shows these)."""

    @property
    def name(self) -> str:
        return self.story.name

    @property
    def url(self) -> str:
        return f"/stories/{self.slug}/"

    @property
    def tags(self) -> tuple[str, ...]:
        return (*self.story.product, *self.datamodels)


@dataclass(frozen=True)
class PlaybookPage:
    playbook: Playbook
    slug: str
    detections: tuple[DetectionPage, ...]
    """The published detections it names, in its order (a name may match several)."""

    @property
    def name(self) -> str:
        return self.playbook.name

    @property
    def url(self) -> str:
        return f"/playbooks/{self.slug}/"

    @property
    def tags(self) -> tuple[str, ...]:
        p = self.playbook
        return (p.type, *p.product, *p.app_list, *p.platform_tags)


@dataclass(frozen=True)
class Category:
    name: str
    slug: str
    stories: tuple[StoryPage, ...]


@dataclass(frozen=True)
class Site:
    detections: tuple[DetectionPage, ...]
    """Sorted by name, then by source path."""
    stories: tuple[StoryPage, ...]
    playbooks: tuple[PlaybookPage, ...]
    tactics: tuple[str, ...]
    datamodels: tuple[str, ...]
    categories: tuple[Category, ...]


def called_macros(search: str) -> list[str]:
    """Names of the macros a search calls, without arguments, first call first."""
    names: list[str] = []
    for call in _MACRO_CALL.findall(search):
        if any(marker in call for marker in _IMPLICIT_MACROS):
            continue
        name = call.split("(", 1)[0]
        if name not in names:
            names.append(name)
    return names


def called_lookups(search: str) -> list[str]:
    return [name for name in _LOOKUP_CALL.findall(search) if name]


@lru_cache(maxsize=1024)
def _closest(name: str, candidates: tuple[str, ...]) -> str | None:
    lowered = {c.lower(): c for c in candidates}
    match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


class _Linker:
    """Builds pages and collects issues; one instance per `build_site` call."""

    def __init__(self, content: Content, techniques: dict[str, Technique], cves: dict[str, Cve] | None):
        self.techniques = techniques
        self.cves = cves
        # Where two files define one name, the first by path counts (content is sorted by path).
        self.macros: dict[str, Macro] = {}
        for macro in content.macros:
            self.macros.setdefault(macro.name, macro)
        self.lookups: dict[str, Lookup] = {}
        for lookup in content.lookups:
            self.lookups.setdefault(lookup.name, lookup)
        self.lookup_files = {lk.filename for lk in content.lookups if lk.filename}
        self.story_names = {s.name for s in content.stories}
        self.sorted_story_names = tuple(sorted(self.story_names))
        self.issues: list[Issue] = []

    def report(self, severity: Severity, source, keys: tuple, message: str) -> None:
        self.issues.append(Issue(source.path, source.line(*keys), severity, message))

    def detection_page(self, detection: Detection) -> DetectionPage:
        tags = detection.tags
        techniques = []
        for index, technique_id in enumerate(tags.mitre_attack_id):
            technique = self.techniques.get(technique_id)
            if technique is None:
                self.report(Severity.ERROR, detection.source, ("tags", "mitre_attack_id", index),
                            f"unknown ATT&CK technique '{technique_id}' (not in the ATT&CK bundle)")
            else:
                techniques.append(technique)

        macros = []
        for name in called_macros(detection.search):
            macro = self.macros.get(name)
            if macro is None and name in APP_MACROS:
                continue
            if macro is None:
                self.report(Severity.ERROR, detection.source, ("search",),
                            f"the search uses macro `{name}` but no macro file defines it")
            else:
                macros.append(macro)
        macros.sort(key=lambda m: m.name)

        # The search's own lookups once each, then every lookup call of each
        # macro it uses (a macro calling one lookup twice lists it twice, as
        # the published pages do).
        search_lookups = called_lookups(detection.search)
        lookup_names = list(dict.fromkeys(n for n in search_lookups if n in self.lookups))
        lookup_names += [n for n in search_lookups if n not in self.lookups]
        lookup_names += [name for macro in macros for name in called_lookups(macro.definition or "")]
        lookups = []
        unknown: dict[str, int] = {}
        for name in lookup_names:
            lookup = self.lookups.get(name)
            if lookup is not None:
                lookups.append(lookup)
            elif name not in self.lookup_files:
                # `inputlookup x.csv` names the table file itself; the published
                # pages did not list those, but a lookup file does define them.
                unknown[name] = unknown.get(name, 0) + 1
        for name, count in unknown.items():
            times = f" ({count} times)" if count > 1 else ""
            self.report(Severity.WARNING, detection.source, ("search",),
                        f"the search uses lookup '{name}'{times} but no lookup file defines it"
                        " (it may come from another Splunk app)")

        cves = []
        for index, cve_id in enumerate(tags.cve):
            if self.cves is None:
                # Without a CVE file there is nothing to check against: show the id alone.
                self.report(Severity.WARNING, detection.source, ("tags", "cve", index),
                            f"{cve_id} is shown without summary and score: no CVE file was given")
                cves.append(Cve(cve_id, "", ""))
                continue
            cve = self.cves.get(cve_id)
            if cve is None:
                self.report(Severity.ERROR, detection.source, ("tags", "cve", index),
                            f"{cve_id} is not in the CVE file")
            else:
                cves.append(cve)

        stories = []
        for index, name in enumerate(tags.analytic_story):
            exists = name in self.story_names
            if not exists:
                suggestion = _closest(name, self.sorted_story_names)
                hint = f"; did you mean '{suggestion}'?" if suggestion else ""
                self.report(Severity.WARNING, detection.source, ("tags", "analytic_story", index),
                            f"no story is named '{name}'{hint}")
            stories.append(StoryRef(name, slugify(name), exists))

        return DetectionPage(
            detection=detection,
            slug=slugify(detection.name),
            techniques=tuple(techniques),
            macros=tuple(macros),
            lookups=tuple(lookups),
            cves=tuple(cves),
            stories=tuple(stories),
        )


def build_site(content: Content, techniques: dict[str, Technique],
               cves: dict[str, Cve] | None) -> tuple[Site, list[Issue]]:
    """Link everything; `cves` is None when no CVE file was given (CVEs are then shown by id only)."""
    linker = _Linker(content, techniques, cves)
    detections = sorted((linker.detection_page(d) for d in content.detections),
                        key=lambda page: (page.name, page.detection.source.path))

    by_story: dict[str, list[DetectionPage]] = {}
    for page in detections:
        for story_name in dict.fromkeys(page.detection.tags.analytic_story):
            by_story.setdefault(story_name, []).append(page)

    stories = []
    for story in sorted(content.stories, key=lambda s: (s.name, s.source.path)):
        members = by_story.get(story.name, [])
        with_techniques = [p for p in members if p.detection.tags.mitre_attack_id]
        stories.append(StoryPage(
            story=story,
            slug=slugify(story.name),
            detections=tuple(members),
            datamodels=tuple(sorted({dm for p in members for dm in p.detection.datamodel})),
            kill_chain_phases=tuple(sorted({k for p in members for k in p.detection.tags.kill_chain_phases})),
            techniques=with_techniques[-1].techniques if with_techniques else (),
        ))

    by_name: dict[str, list[DetectionPage]] = {}
    for page in detections:
        by_name.setdefault(page.name, []).append(page)
    playbooks = []
    for playbook in sorted(content.playbooks, key=lambda p: (p.name, p.source.path)):
        linked = []
        for index, name in enumerate(playbook.detections):
            matches = by_name.get(name)
            if matches:
                linked.extend(matches)
            else:
                linker.report(Severity.WARNING, playbook.source, ("tags", "detections", index),
                              f"no published detection is named '{name}'")
        playbooks.append(PlaybookPage(playbook, slugify(playbook.name), tuple(linked)))

    # A story is filed under its first category only, as on the published site.
    category_names = sorted({s.story.category[0] for s in stories if s.story.category})
    categories = tuple(
        Category(name, slugify(name), tuple(s for s in stories if s.story.category[:1] == (name,)))
        for name in category_names
    )
    site = Site(
        detections=tuple(detections),
        stories=tuple(stories),
        playbooks=tuple(playbooks),
        tactics=tuple(sorted({t for p in detections for tech in p.techniques for t in tech.tactics})),
        datamodels=tuple(sorted({dm for p in detections for dm in p.detection.datamodel})),
        categories=categories,
    )
    return site, linker.issues
