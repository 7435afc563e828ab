"""Enrich: link the loaded models into a site (ATT&CK, CVEs, macros, lookups, stories).

A pure function of its inputs: `build_site(content, techniques, cves)` returns
the site model and the issues found while linking. Nothing here reads files.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Callable

from .attack import TECHNIQUE_ID
from .cves import Cve
from .issues import Issue, Severity
from .models import (
    PLAYBOOK_TAGS,
    SEARCH_TAGS,
    Baseline,
    Content,
    DataSource,
    Detection,
    Investigation,
    Lookup,
    Macro,
    Playbook,
    Schedule,
    ScheduleDefinition,
    Source,
    Story,
    Technique,
)
from .references import D3fendTechnique, SplunkApp
from .slug import identifier, numbered_order, slugify

_MACRO_CALL = re.compile(r"`([^\s`]+)`")
_SPL_COMMENT = re.compile(r"```.*?```", re.DOTALL)
"""An SPL comment: what it names is not used (a macro inside one is not called)."""

_LOOKUP_CALL = re.compile(r"lookup (?:update=true)?(?:append=t)?\s*([^\s]*)")
_LOOKUP_NAME = re.compile(r"[A-Za-z_][\w.-]*")
_ML_MODEL = re.compile(r"\|\s*(?:apply\s+|fit\b[^|]*?\binto\s+)(?:app:)?(\w+)")
"""The models a search applies or fits (Splunk's Machine Learning Toolkit), each kept as the lookup file
`__mlspl_<model>.mlmodel`."""
# Calls the published pages never list as macros: each detection's own
# `<name>_filter` and the CIM app's `drop_dm_object_name(...)`.
_IMPLICIT_MACROS = ("_filter", "drop_dm_object_name")
# Macros that Splunk apps define, so no macro file of the content has them. Content with a build.yml
# (ESCU 6) says which itself, in `external_app_content`, and that list is used instead.
APP_MACROS = frozenset({
    "get_asset",  # Splunk Enterprise Security, asset and identity framework
    "get_identity4events",  # Splunk Enterprise Security
    "get_risk_severity",  # Splunk Enterprise Security, risk framework
    "cim_corporate_web_domain_search",  # Splunk Common Information Model app (Splunk_SA_CIM)
})


@dataclass(frozen=True)
class StoryRef:
    """A story named by a detection, baseline or investigation."""

    name: str
    slug: str
    served: bool
    """A story's page is at `url`: this story's, or one whose name makes the same address ("Icedid" leads to
    IcedID's page, as on the published site). Another page there (a story category's listing) is not it."""
    null: bool = False
    """The detection's list had a null item here ("None" on the April-2024 page)."""
    deprecated: bool = False
    """The page at `url` is a deprecated story's (the site marks the link)."""

    @property
    def url(self) -> str:
        return f"/stories/{self.slug}/"


@dataclass(frozen=True)
class BaselineRef:
    """A baseline a detection runs after; `url` is None when no baseline file has the name."""

    name: str
    slug: str
    exists: bool
    broken: bool = False
    """A baseline file of that name is left out for its errors."""

    @property
    def url(self) -> str | None:
        return f"/baselines/{self.slug}/" if self.exists else None


@dataclass(frozen=True)
class Scheduled:
    """When a detection or baseline runs: its own schedule, a named one, or its type's default."""

    schedule: Schedule
    definition: ScheduleDefinition | None = None
    """The schedule file it comes from; None for an inline (custom) schedule."""
    why: str = ""
    """How it was chosen: "custom", "named", "the default for <type> searches" (ESCU 5 `deployments/` by
    type) or "the default schedule" (ESCU 6's "Default <kind>")."""

@dataclass(frozen=True)
class DataSourceRef:
    """A data source named by a detection; `definition` is None when no data source file has the name."""

    name: str
    slug: str
    definition: DataSource | None

    @property
    def url(self) -> str | None:
        return f"/data_sources/{self.slug}/" if self.definition else None


@dataclass(frozen=True)
class Derived:
    """What a form shows of a detection without reading it from the source.

    The 2022 form took these from the source; the 2024 form derived them
    (data models from the search text, phases from the tactics, ...).
    """

    datamodels: tuple[str, ...] = ()
    kill_chain_phases: tuple[str, ...] = ()
    nist: tuple[str, ...] = ()
    cis: tuple[str, ...] = ()


@dataclass(frozen=True)
class DetectionPage:
    detection: Detection
    slug: str
    url: str
    """Where the form serves the page, e.g. "/endpoint/<slug>/" (2022) or "/endpoint/<id>/" (2024)."""
    techniques: tuple[Technique, ...]
    """In the order of the detection's mitre_attack_id, unknown ids left out."""
    macros: tuple[Macro, ...]
    lookups: tuple[Lookup, ...]
    cves: tuple[Cve, ...]
    stories: tuple[StoryRef, ...]
    derived: Derived
    apps: tuple[SplunkApp, ...] = ()
    """The supported add-ons (`supported_tas`), named as Splunkbase names them where known."""
    data_sources: tuple[DataSourceRef, ...] = ()
    baselines: tuple[BaselineRef, ...] = ()
    """The baselines it names (ESCU 6) and those that name it (ESCU 5), by name."""
    schedule: Scheduled | None = None
    """When it runs; None when the content has no schedule for it."""
    filter_macro: str = ""
    """The filter macro its search calls that is named after it (by the published slug or by contentctl's), as
    the search writes it; "" where it calls none (the page names `<identifier>_filter`, as published)."""

    @property
    def name(self) -> str:
        return self.detection.name

    @property
    def unlisted_macros(self) -> tuple[str, ...]:
        """The other macros its search calls, which its Macros list leaves out as published: `drop_dm_object_name`,
        a Splunk app's (`get_asset`), one no file of the content defines. Not its filter macro."""
        listed = {macro.name for macro in self.macros} | {self.filter_macro}
        names = (call.split("(", 1)[0] for call in macro_calls(self.detection.search))
        return tuple(dict.fromkeys(name for name in names if name not in listed))

    @property
    def identifier(self) -> str:
        """Its name as the published generator made identifiers of it: its filter macro is `<identifier>_filter`
        (the slug, except where an address could not carry a character of the name)."""
        return identifier(self.detection.name)

    @property
    def named_techniques(self) -> tuple[Technique, ...]:
        """Its techniques the ATT&CK bundle has (names and tactics): what tags and excerpts list."""
        return tuple(t for t in self.techniques if t.in_bundle)

    @property
    def datamodels(self) -> tuple[str, ...]:
        return self.derived.datamodels

    @property
    def kill_chain_phases(self) -> tuple[str, ...]:
        return self.derived.kill_chain_phases

    @property
    def tags(self) -> tuple[str, ...]:
        """The page's tags, in the published order (a tactic repeats once per technique)."""
        tags = [tag for t in self.named_techniques for tag in (t.name, *t.tactics)]
        return (*tags, *self.detection.tags.product, *(c.id for c in self.cves), *self.datamodels)


@dataclass(frozen=True)
class StoryPage:
    story: Story
    slug: str
    detections: tuple[DetectionPage, ...]
    datamodels: tuple[str, ...]
    kill_chain_phases: tuple[str, ...]
    techniques: tuple[Technique, ...]
    """The techniques of the last of its detections that has any (the published index shows these)."""
    baselines: tuple[BaselinePage, ...] = ()
    """The baselines that name it (ESCU 5)."""
    investigations: tuple[InvestigationPage, ...] = ()
    """The investigations that name it (ESCU 5)."""

    @property
    def name(self) -> str:
        return self.story.name

    @property
    def data_sources(self) -> tuple[DataSourceRef, ...]:
        """Every data source of its detections, once each, by name."""
        union = {ref.name: ref for page in self.detections for ref in page.data_sources}
        return tuple(union[name] for name in sorted(union, key=numbered_order))

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
    d3fend: tuple[D3fendTechnique, ...] = ()
    """Its D3FEND techniques that the D3FEND file knows, in its order."""

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
class DataSourcePage:
    data_source: DataSource
    slug: str
    detections: tuple[DetectionPage, ...]
    """The published detections that name it, by name."""

    @property
    def name(self) -> str:
        return self.data_source.name

    @property
    def url(self) -> str:
        return f"/data_sources/{self.slug}/"


def file_page_url(source: Source) -> str:
    """The site's address of a macro's or lookup's page: its file's path in its content without `.yml`, each part a
    slug ("/macros/sysmon/", "/lookups/csv/rare_hosts/"). Made from the file alone, so a detection page links it
    without knowing the other pages; two files of one name have two pages (ESCU 5 had a CSV and a KV store
    lookup of one name)."""
    path = PurePosixPath(source.in_content).with_suffix("")
    return "/" + "/".join(slugify(part) for part in path.parts) + "/"


class _FilePage:
    """What the page of a macro or lookup is named by and served at: its `item`'s name and file (`file_page_url`)."""

    @property
    def item(self) -> Macro | Lookup:
        raise NotImplementedError

    @property
    def name(self) -> str:
        return self.item.name

    @property
    def source(self) -> Source:
        return self.item.source

    @property
    def url(self) -> str:
        return file_page_url(self.item.source)


@dataclass(frozen=True)
class MacroPage(_FilePage):
    """A macro's page of the mkdocs site: its definition, what its file says, and the detections whose search calls
    it."""

    macro: Macro
    detections: tuple[DetectionPage, ...]
    baselines: tuple[BaselinePage, ...] = ()
    """The baselines whose search calls it."""
    lookups: tuple[Lookup, ...] = ()
    """The lookups its definition uses."""
    drilldown_detections: tuple[DetectionPage, ...] = ()
    """The detections whose drilldown searches call it and whose search does not."""

    @property
    def item(self) -> Macro:
        return self.macro


@dataclass(frozen=True)
class LookupPage(_FilePage):
    """A lookup's page of the mkdocs site: what its file says, and the detections whose search uses it."""

    lookup: Lookup
    detections: tuple[DetectionPage, ...]
    """The detections whose search uses it: directly, through a macro, by its file (`inputlookup x.csv`), or, a
    machine learning model's, by applying the model (`apply x`)."""
    baselines: tuple[BaselinePage, ...] = ()
    """The baselines whose search uses it (a KV store lookup's is the one that fills it)."""
    macros: tuple[Macro, ...] = ()
    """The macros whose definition uses it."""

    @property
    def item(self) -> Lookup:
        return self.lookup


@dataclass(frozen=True)
class References:
    """What a content source's own reference files say; None for each it does not have (the site's then count)."""

    cves: dict[str, Cve] | None = None
    apps: dict[str, SplunkApp] | None = None
    d3fend: dict[str, D3fendTechnique] | None = None


@dataclass(frozen=True)
class BaselinePage:
    """A baseline (ESCU 5 and 6) and the detections it serves, both ways linked."""

    baseline: Baseline
    slug: str
    detections: tuple[DetectionPage, ...]
    schedule: Scheduled | None = None
    stories: tuple[StoryRef, ...] = ()

    @property
    def name(self) -> str:
        return self.baseline.name

    @property
    def url(self) -> str:
        return f"/baselines/{self.slug}/"


@dataclass(frozen=True)
class InvestigationPage:
    """An investigation (ESCU 5) and the stories it belongs to."""

    investigation: Investigation
    slug: str
    stories: tuple[StoryRef, ...] = ()

    @property
    def name(self) -> str:
        return self.investigation.name

    @property
    def url(self) -> str:
        return f"/investigations/{self.slug}/"


@dataclass(frozen=True)
class Replacement:
    """Content named as a removed detection's replacement; `url` is None when the site has no page for it."""

    name: str
    url: str | None


@dataclass(frozen=True)
class RemovedPage:
    """A removed detection (ESCU 6 `removed/`), served at the address it had when it was last published."""

    detection: Detection
    slug: str
    url: str
    replacements: tuple[Replacement, ...] = ()
    data_sources: tuple[DataSourceRef, ...] = ()
    """The data sources it named, each linked where the content still defines it."""

    @property
    def name(self) -> str:
        return self.detection.name


@dataclass(frozen=True)
class Site:
    detections: tuple[DetectionPage, ...]
    """Sorted by name, then by source path."""
    stories: tuple[StoryPage, ...]
    """The stories not deprecated, sorted by name, then path: the published sites listed these."""
    playbooks: tuple[PlaybookPage, ...]
    tactics: tuple[str, ...]
    datamodels: tuple[str, ...]
    categories: tuple[Category, ...]
    deprecated_stories: tuple[StoryPage, ...] = ()
    """The stories of stories/deprecated/ (or `status: deprecated`): pages of the mkdocs site only, linked from
    the detections that still name them; in no listing."""
    data_sources: tuple[DataSourcePage, ...] = ()
    """Sorted by name."""
    macros: tuple[Macro, ...] = ()
    """Sorted by name, then path."""
    lookups: tuple[Lookup, ...] = ()
    """Sorted by name, then path."""
    macro_pages: tuple[MacroPage, ...] = ()
    """One per macro, in the order of `macros`."""
    lookup_pages: tuple[LookupPage, ...] = ()
    """One per lookup, in the order of `lookups`."""
    attack_version: str = ""
    """The ATT&CK version of the bundle ("14.1"), "" when it does not say."""
    techniques: dict[str, Technique] = field(default_factory=dict)
    """Every technique of the ATT&CK bundle, by id."""
    baselines: tuple[BaselinePage, ...] = ()
    """Sorted by name, then path."""
    investigations: tuple[InvestigationPage, ...] = ()
    removed: tuple[RemovedPage, ...] = ()
    """Sorted by name, then path."""
    schedules: tuple[ScheduleDefinition, ...] = ()
    """Sorted by path."""
    unshown: tuple[tuple[str, str], ...] = ()
    """(file, address) of each published detection left out for its errors whose name and id are usable (a form
    makes a detection's address of one of them): where its page will be once they are fixed, and where `mkdocs
    serve` shows its errors meanwhile. Sorted by file."""


def macro_calls(search: str) -> list[str]:
    """Every macro call of a search as written, arguments and all, in order (not those only inside an SPL comment,
    ```...```: Splunk does not expand them)."""
    return _MACRO_CALL.findall(_SPL_COMMENT.sub(" ", search))


def called_macros(search: str) -> list[str]:
    """Names of the macros a search calls, without arguments, first call first, leaving out the implicit ones (its
    filter macro, ...)."""
    return macro_names(macro_calls(search))


def macro_names(calls: list[str]) -> list[str]:
    """`called_macros` of a search's `macro_calls`."""
    names: list[str] = []
    for call in calls:
        if any(marker in call for marker in _IMPLICIT_MACROS):
            continue
        name = call.split("(", 1)[0]
        if name not in names:
            names.append(name)
    return names


def called_lookups(search: str) -> list[str]:
    return [name for name in _LOOKUP_CALL.findall(search) if name]


def _cues(name: str) -> set[str]:
    """Words of three letters or more, and the first three letters: what a misspelt name keeps."""
    lowered = name.lower()
    return {word for word in re.findall(r"[a-z0-9]{3,}", lowered)} | {"^" + lowered[:3]}


def _could_be_meant(name: str, candidate: str) -> bool:
    """Whether `candidate` could be what `name` misspells: the same numbers (Windows event 4728 is not 4798,
    Sysmon EventID 26 not 6), and at least two thirds of the name's words in it, as written or misspelt
    ("Lnad" for "Land"; "Vulnerabilities" alone does not make one story another)."""
    lowered, other = name.lower(), candidate.lower()
    if sorted(re.findall(r"[0-9]+", lowered)) != sorted(re.findall(r"[0-9]+", other)):
        return False
    words, known = re.findall(r"[a-z]{3,}", lowered), re.findall(r"[a-z]{3,}", other)
    kept = sum(1 for word in words
               if word in known or any(difflib.SequenceMatcher(None, word, k).ratio() >= 0.75 for k in known))
    return 3 * kept >= 2 * len(words)


@lru_cache(maxsize=1024)
def _closest(name: str, candidates: tuple[str, ...]) -> str | None:
    """The candidate most like `name`, if any is close enough and could be what it misspells.

    Only candidates that share a word or the first three letters with the
    name are compared: the full comparison with every story name made
    suggestions a third of the linking time on a large corpus.
    """
    cues = _cues(name)
    lowered = {c.lower(): c for c in candidates if cues & _cues(c) and _could_be_meant(name, c)}
    match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


class DetectionPages:
    """Detection pages linked by the previous build of this process (`mkdocs serve` keeps one), with the issues
    linking each reported: a rebuild links again only the detections whose file changed, unless something they
    are linked from (a macro, a lookup, a story's name, the ATT&CK bundle, ...) changed, when it links them all.

    Found by the detection model itself: an unchanged file gives the same object again (`sources.SourceCache`).
    """

    def __init__(self) -> None:
        self._links: tuple | None = None
        self._earlier: dict[int, tuple[Detection, DetectionPage, tuple[Issue, ...], tuple]] = {}
        self._now: dict[int, tuple[Detection, DetectionPage, tuple[Issue, ...], tuple]] = {}

    def start(self, links: tuple) -> None:
        """A new build, whose detections are linked from `links` (`_Linker.links`)."""
        same = self._links is not None and self._links == links
        self._earlier, self._now = (self._now or self._earlier) if same else {}, {}
        self._links = links

    def find(self, detection: Detection) -> tuple[DetectionPage, tuple[Issue, ...], tuple] | None:
        found = self._earlier.get(id(detection))
        if found is None or found[0] is not detection:
            return None
        self._now[id(detection)] = found
        return found[1:]

    def keep(self, detection: Detection, page: DetectionPage, issues: tuple[Issue, ...], recorded: tuple) -> None:
        self._now[id(detection)] = (detection, page, issues, recorded)


class _Linker:
    """Builds pages and collects issues; one instance per `build_site` call."""

    def __init__(self, content: Content, techniques: dict[str, Technique], cves: dict[str, Cve] | None,
                 rules, apps: dict[str, SplunkApp] | None, d3fend: dict[str, D3fendTechnique] | None,
                 attack_version: str = "", own: dict | None = None):
        self.techniques = techniques
        self.attack_version = attack_version
        self.own: dict = own or {}
        """Content source -> its own `References`, where it has any."""
        self._unchecked: dict[str, tuple[tuple, int]] = {}
        """Per reference file not given: its first reference and how many there are."""
        self.cves = cves
        self.rules = rules
        self.apps = apps
        self.d3fend = d3fend
        # Where two files define one name, the first by path counts (content is sorted by path).
        self.macros: dict[str, Macro] = {}
        for macro in content.macros:
            self.macros.setdefault(macro.name, macro)
        # A search's lookup is listed once per lookup file of its name, as the published generator did.
        self.lookups: dict[str, list[Lookup]] = {}
        for lookup in content.lookups:
            self.lookups.setdefault(lookup.name, []).append(lookup)
        self.lookup_files = {lk.filename for lk in content.lookups if lk.filename}
        self.unread_macros = tuple(item for item in content.unread if item.kind == "macros")
        """Macro files that gave no macro: a name nothing defines may be theirs."""
        self.left_out: dict[tuple[str, str], str] = {}
        """(kind, name) -> the first file (by path) of that kind and name left out for its errors."""
        for item in content.unread:
            unpublished = item.kind == "detections" and item.parsed and not rules.is_published(item.partial)
            if item.name and not unpublished:
                self.left_out.setdefault((item.kind, item.name), item.source.path)
        build = content.build
        self.app_macros = build.external_macros if build is not None else APP_MACROS
        self.app_lookups = build.external_lookups if build is not None else frozenset()
        self.data_sources: dict[str, DataSource] = {}
        for data_source in content.data_sources:
            self.data_sources.setdefault(data_source.name, data_source)
        self.sorted_data_source_names = tuple(sorted(self.data_sources))
        self.story_names = {s.name for s in content.stories}
        self.sorted_story_names = tuple(sorted(self.story_names))
        self.story_categories = frozenset(category for story in content.stories for category in story.category)
        self.baselines: dict[str, Baseline] = {}
        for baseline in content.baselines:
            self.baselines.setdefault(baseline.name, baseline)
        self.sorted_baseline_names = tuple(sorted(self.baselines))
        # ESCU 5 baselines name their detections; ESCU 6 detections name their baselines.
        self.serving: dict[str, list[str]] = {}
        for baseline in self.baselines.values():
            for name in baseline.detections:
                self.serving.setdefault(name, []).append(baseline.name)
        self.schedules: dict[str, ScheduleDefinition] = {}
        self.schedule_of_type: dict[str, ScheduleDefinition] = {}
        for definition in content.schedules:
            self.schedules.setdefault(definition.name, definition)
            if definition.type:
                self.schedule_of_type.setdefault(definition.type, definition)
        self.issues: list[Issue] = []
        self._recorded: list[tuple] | None = None
        """While a detection's page is linked for `DetectionPages`: its `without_file` calls."""
        self.shown_stories = self._shown_stories(content.stories, rules)
        self.story_slugs = frozenset(slugify(story.name) for story in self.shown_stories)
        self.deprecated_story_slugs = frozenset(slugify(story.name) for story in self.shown_stories
                                                if story.deprecated)

    def _shown_stories(self, stories: tuple[Story, ...], rules) -> list[Story]:
        """The stories that have a page: every story not deprecated, and each deprecated one whose address no
        live story or story category has (those were published there; a warning says which is left out)."""
        live = [story for story in stories if not story.deprecated]
        taken = {slugify(story.name): f"the story in {story.source.path}" for story in live}
        for story in live:
            for category in rules.story_categories(story):
                taken.setdefault(slugify(category), f"the story category '{category}'")
        shown = list(live)
        for story in stories:
            if story.deprecated:
                if slugify(story.name) in taken:
                    self.report(Severity.WARNING, story.source, ("name",),
                                f"the deprecated story '{story.name}' has no page: "
                                f"{taken[slugify(story.name)]} has its address")
                else:
                    shown.append(story)
        return shown

    def links(self) -> tuple:
        """Everything a detection's page is linked from besides the detection itself: while it is equal, a page
        linked before from the same detection is the page (`DetectionPages`)."""
        return (self.techniques, self.attack_version, self.own, self.cves, self.rules, self.apps, self.d3fend,
                self.macros, self.unread_macros, self.left_out, self.lookups, self.lookup_files,
                self.app_macros, self.app_lookups, self.data_sources,
                self.story_names, self.story_categories, self.story_slugs, self.deprecated_story_slugs,
                self.baselines, self.serving, self.schedules, self.schedule_of_type)

    def linked_page(self, detection: Detection, kept: DetectionPages | None) -> DetectionPage:
        """The detection's page, as linked by an earlier build (`kept`) where it can be, with the issues linking
        it reported then."""
        if kept is None:
            return self.detection_page(detection)
        found = kept.find(detection)
        if found is not None:
            page, issues, recorded = found
            self.issues.extend(issues)
            for call in recorded:
                self.without_file(*call)
            return page
        first_issue, self._recorded = len(self.issues), []
        page = self.detection_page(detection)
        kept.keep(detection, page, tuple(self.issues[first_issue:]), tuple(self._recorded))
        self._recorded = None
        return page

    def problems_of_unshown(self, detection: Detection) -> None:
        """Report what linking `detection` would, for a detection left out for its errors (a partial model,
        `Unread.partial`): its unknown stories, malformed technique ids, undefined macros are reported with
        its errors, not after they are fixed. Nothing of it is counted in the site's summaries."""
        unchecked = dict(self._unchecked)
        self.detection_page(detection)
        self._unchecked = unchecked

    def report(self, severity: Severity, source, keys: tuple, message: str) -> None:
        self.issues.append(Issue(source.path, source.line(*keys), severity, message))

    def without_file(self, file: str, source, keys: tuple, item: str, one: str, many: str) -> None:
        """A reference shown incompletely because `file` was not given; reported once per file, by `summary`."""
        if self._recorded is not None:
            self._recorded.append((file, source, keys, item, one, many))
        first, count = self._unchecked.get(file, ((source, keys, item, one, many), 0))
        self._unchecked[file] = (first, count + 1)

    def summary(self) -> list[Issue]:
        """One warning per reference file not given: at the first reference, with how many there are."""
        issues = []
        for file, ((source, keys, item, one, many), count) in self._unchecked.items():
            message = f"{item} {one}" if count == 1 else f"{item} and {count - 1} more {many}"
            issues.append(Issue(source.path, source.line(*keys), Severity.WARNING, f"{message}: no {file} was given"))
        return issues

    def references(self, source: Source) -> tuple:
        """(CVEs, add-ons, D3FEND) for a file: its content source's own files where it has them, else the site's."""
        own = self.own.get(source.origin, References())
        return (self.cves if own.cves is None else own.cves, self.apps if own.apps is None else own.apps,
                self.d3fend if own.d3fend is None else own.d3fend)

    def technique(self, detection: Detection, index: int, technique_id: str) -> Technique | None:
        """The technique a detection names; one the bundle lacks is shown by its id when the id is well formed
        (content can be newer than the bundle), left out otherwise."""
        technique = self.techniques.get(technique_id)
        if technique is not None:
            return technique
        where = detection.where("mitre_attack_id", index)
        if not TECHNIQUE_ID.fullmatch(technique_id):
            self.report(Severity.ERROR, detection.source, where,
                        f"'{technique_id}' is not an ATT&CK technique id (T and four digits, and .NNN for a "
                        "sub-technique, as in T1003.001); it is left out")
            return None
        version = f"ATT&CK {self.attack_version}" if self.attack_version else "the ATT&CK bundle (its version unknown)"
        self.report(Severity.WARNING, detection.source, where,
                    f"ATT&CK technique '{technique_id}' is not in {version}; it is shown by its id alone "
                    "(a newer bundle may have it)")
        return Technique(technique_id, "", (), in_bundle=False)

    def scheduled(self, source, custom: Schedule | None, name: str, name_keys: tuple, default_type: str,
                  default_name: str) -> Scheduled | None:
        """The schedule of a detection or baseline: its own, the one it names, or its type's default
        (ESCU 5 `deployments/` by `type`, ESCU 6's "Default <kind>" schedule)."""
        if custom is not None:
            return Scheduled(custom, None, "custom")
        if name:
            definition = self.schedules.get(name)
            if definition is None:
                self.report(Severity.WARNING, source, name_keys, self.nothing_named("schedules", "schedule", name))
                return None
            return Scheduled(definition.schedule, definition, "named")
        definition = self.schedule_of_type.get(default_type)
        if definition is not None:
            return Scheduled(definition.schedule, definition, f"the default for {default_type} searches")
        definition = self.schedules.get(default_name)
        if definition is None:
            return None
        return Scheduled(definition.schedule, definition, "the default schedule")

    def nothing_named(self, kind: str, what: str, name: str, names: tuple[str, ...] = ()) -> str:
        """The message for a `what` (a "story") no file of `kind` gives `name` to: where a file of that kind left
        out for its errors gives it, that file's errors are the ones to fix; otherwise the closest of `names`
        is suggested, if one is close."""
        broken = self.left_out.get((kind, name))
        if broken:
            return (f"the {what.removeprefix('published ')} '{name}' is in {broken}, which has errors (see that "
                    "file's messages): it is linked once they are fixed")
        suggestion = _closest(name, names) if names else None
        hint = f"; did you mean '{suggestion}'?" if suggestion else ""
        return f"no {what} is named '{name}'{hint}"

    def missing_macro(self, detection: Detection, name: str) -> None:
        """Report a macro the search uses that no macro defines, naming the macro files with errors that may define
        it: where one is named after the macro, its own error is the one to fix, and this is only a warning."""
        named = [item.source.path for item in self.unread_macros if name in (item.name, item.stem)]
        if named:
            self.report(Severity.WARNING, detection.source, ("search",),
                        f"the search uses macro `{name}`, but its file {named[0]} has errors (see that file's "
                        "messages): the page lists the macro once they are fixed")
            return
        message = f"the search uses macro `{name}` but no macro file defines it"
        if len(self.unread_macros) == 1:
            message += f" (unless {self.unread_macros[0].source.path} does: that file has errors)"
        elif self.unread_macros:
            shown = ", ".join(item.source.path for item in self.unread_macros[:3])
            more = ", ..." if len(self.unread_macros) > 3 else ""
            message += (f" (unless one of the {len(self.unread_macros)} macro files with errors does: "
                        f"{shown}{more})")
        self.report(Severity.ERROR, detection.source, ("search",), message)

    def check_filter_macro(self, detection: Detection, calls: list[str], named_after: str) -> str:
        """The filter macro to tune the search with, of those it calls (`calls`: its `macro_calls`): the one named
        after the detection, or "" where it calls none. Splunk's build makes that macro from the detection's name
        (`named_after`, its `slug.identifier`, or contentctl's, which also turns `-`, `.` and `/` into `_`). A
        search that calls filter macros but none of these calls the last of them instead: a warning, and that one
        is named."""
        filters = [call for call in calls if call.endswith("_filter")]
        if not named_after:  # a detection left out for its errors may have no usable name (`problems_of_unshown`)
            return ""
        named = (f"{named_after}_filter", re.sub(r"[-./]", "_", named_after) + "_filter")
        called = [name for name in named if name in filters]
        if called:
            return called[0]
        if filters:
            self.report(Severity.WARNING, detection.source, ("search",),
                        f"the search's filter macro is `{filters[-1]}`, not `{named_after}_filter`, which Splunk's "
                        f"build makes for this detection: the site's page names `{filters[-1]}`, the published "
                        f"layout `{named_after}_filter` (rename the macro in the search, or the detection)")
            return filters[-1]
        return ""

    def detection_page(self, detection: Detection) -> DetectionPage:
        tags = detection.tags
        known_cves, known_apps, _ = self.references(detection.source)
        techniques = []
        for index, technique_id in enumerate(tags.mitre_attack_id):
            technique = self.technique(detection, index, technique_id)
            if technique is not None:
                techniques.append(technique)

        macros = []
        calls = macro_calls(detection.search)  # read once: for the macros shown and the filter macro's check
        for name in macro_names(calls):
            macro = self.macros.get(name)
            if macro is None and name in self.app_macros:
                continue
            if macro is None:
                self.missing_macro(detection, name)
            else:
                macros.append(macro)
        macros.sort(key=lambda m: m.name)

        names = self.rules.listed_lookups(called_lookups(detection.search),
                                          [called_lookups(macro.definition or "") for macro in macros],
                                          self.lookups)
        lookups = []
        unknown: dict[str, int] = {}
        for name in names:
            found = self.lookups.get(name)
            if found:
                lookups.extend(found)
            elif name not in self.lookup_files and name not in self.app_lookups and _LOOKUP_NAME.fullmatch(name):
                # `inputlookup x.csv` names the table file itself; the published
                # pages did not list those, but a lookup file does define them.
                # What the published pattern caught that is no name at all
                # (`lookup` in a string: `'*",'`, `'='`) is not reported either.
                unknown[name] = unknown.get(name, 0) + 1
        for name, count in unknown.items():
            times = f" ({count} times)" if count > 1 else ""
            broken = self.left_out.get(("lookups", name))
            self.report(Severity.WARNING, detection.source, ("search",),
                        f"the search uses lookup '{name}'{times}, but its file {broken} has errors (see that file's "
                        "messages): the page lists the lookup once they are fixed" if broken else
                        f"the search uses lookup '{name}'{times} but no lookup file defines it"
                        " (it may come from another Splunk app)")

        cves = []
        for index, cve_id in enumerate(tags.cve):
            where = detection.where("cve", index)
            if known_cves is None:
                # Without a CVE file there is nothing to check against: show the id alone.
                self.without_file("CVE file", detection.source, where, cve_id,
                                  "is shown without summary and score", "are shown without summary and score")
                cves.append(Cve(cve_id, "", ""))
                continue
            cve = known_cves.get(cve_id)
            if cve is None:
                # As on the published site: the id with empty summary and score.
                self.report(Severity.WARNING, detection.source, where,
                            f"{cve_id} is not in the CVE file; it is shown without summary and score")
                cve = Cve(cve_id, "", "")
            cves.append(cve)

        stories = []
        for index, name in enumerate(tags.analytic_story):
            if name is None:  # reported by the loader
                stories.append(StoryRef("None", "none", False, null=True))
                continue
            if name not in self.story_names:
                message = self.nothing_named("stories", "story", name, self.sorted_story_names)
                if name in self.story_categories and "did you mean" not in message:
                    message += " (a story category is)"
                self.report(Severity.WARNING, detection.source, detection.where("analytic_story", index), message)
            stories.append(self.story_ref(name))

        for index, cve_id in enumerate(detection.misplaced_cve):
            # The published generator read no id from a top-level `cve:` and showed an empty row.
            self.report(Severity.WARNING, detection.source, ("cve", index),
                        f"{cve_id} is under a top-level 'cve:', not 'tags: cve:'; it is shown as an empty CVE")
            cves.append(Cve("", "", ""))

        apps = []
        for index, app_id in enumerate(tags.supported_tas if self.rules.SHOWS_ADD_ONS else ()):
            app = (known_apps or {}).get(app_id)
            if app is None and known_apps is None:
                self.without_file("Splunk apps file", detection.source, ("tags", "supported_tas", index),
                                  f"add-on '{app_id}'", "is shown by its id", "are shown by their ids")
                app = SplunkApp(app_id, app_id, "")
            elif app is None:
                self.report(Severity.WARNING, detection.source, ("tags", "supported_tas", index),
                            f"add-on '{app_id}' is shown by its id: it is not in the Splunk apps file")
                app = SplunkApp(app_id, app_id, "")
            apps.append(app)

        data_sources: dict[str, DataSourceRef] = {}
        for index, name in enumerate(detection.data_source):
            if name in data_sources:
                continue
            definition = self.data_sources.get(name)
            # Content from before data_sources/ existed (2024-04) names them without defining any.
            if definition is None and (self.data_sources or ("data_sources", name) in self.left_out):
                self.report(Severity.WARNING, detection.source, ("data_source", index),
                            self.nothing_named("data_sources", "data source", name, self.sorted_data_source_names))
            data_sources[name] = DataSourceRef(name, slugify(name), definition)

        baselines: dict[str, BaselineRef] = {}
        for index, name in enumerate(detection.baselines):
            exists = name in self.baselines
            if not exists and name not in baselines:
                self.report(Severity.WARNING, detection.source, ("baselines", index),
                            self.nothing_named("baselines", "baseline", name, self.sorted_baseline_names))
            baselines.setdefault(name, BaselineRef(name, slugify(name), exists, ("baselines", name) in self.left_out))
        for name in self.serving.get(detection.name, ()):
            baselines.setdefault(name, BaselineRef(name, slugify(name), True))

        slug = slugify(detection.name)
        filter_macro = self.check_filter_macro(detection, calls, identifier(detection.name))
        return DetectionPage(
            detection=detection,
            slug=slug,
            filter_macro=filter_macro,
            url=self.rules.detection_url(detection, slug),
            techniques=tuple(techniques),
            macros=tuple(macros),
            lookups=tuple(lookups),
            cves=tuple(cves),
            stories=tuple(stories),
            derived=self.rules.derive(detection, tuple(techniques)),
            apps=tuple(apps),
            data_sources=tuple(data_sources.values()),
            baselines=tuple(baselines.values()),
            schedule=self.scheduled(detection.source, detection.custom_schedule, detection.schedule,
                                    ("schedule",), detection.type, "Default EventBasedDetection"),
        )

    def story_refs(self, item, names: tuple[str, ...]) -> tuple[StoryRef, ...]:
        """The stories a baseline or investigation names, each a warning when no story has the name."""
        refs = []
        for index, name in enumerate(names):
            if name not in self.story_names:
                self.report(Severity.WARNING, item.source, (*item.paths.where("analytic_story", SEARCH_TAGS), index),
                            self.nothing_named("stories", "story", name, self.sorted_story_names))
            refs.append(self.story_ref(name))
        return tuple(refs)

    def story_ref(self, name: str) -> StoryRef:
        slug = slugify(name)
        return StoryRef(name, slug, served=slug in self.story_slugs, deprecated=slug in self.deprecated_story_slugs)

    def d3fend_techniques(self, playbook: Playbook) -> tuple[D3fendTechnique, ...]:
        found = []
        # A text where the list belongs was read character by character (and
        # reported by the loader); its characters are not reported one by one.
        characters = all(len(technique_id) == 1 for technique_id in playbook.defend_technique_id)
        known = self.references(playbook.source)[2]
        for index, technique_id in enumerate(playbook.defend_technique_id):
            technique = (known or {}).get(technique_id)
            where = playbook.paths.where("defend_technique_id", PLAYBOOK_TAGS) + (index,)
            if technique is None and not characters and known is None:
                self.without_file("D3FEND file", playbook.source, where,
                                  f"D3FEND technique '{technique_id}'", "is left out", "are left out")
            elif technique is None and not characters:
                self.report(Severity.WARNING, playbook.source, where,
                            f"D3FEND technique '{technique_id}' is left out: it is not in the D3FEND file")
            elif technique is not None:
                found.append(technique)
        return tuple(found)


SAVED_SEARCH_TYPES = ("Baseline", "Investigation")
"""Before `baselines/` and `investigations/` (ESCU 5), a baseline or an investigation was a file in
`detections/` of that `type`; the published forms left them out of their pages."""


def with_typed_saved_searches(content: Content, rules) -> Content:
    """`content` with the detection files of type Baseline or Investigation that the form does not publish
    as detections moved among its baselines and investigations, so that the site (mkdocs layout) shows them
    as such; the published layouts leave them out, as the published sites did."""
    typed = [d for d in content.detections if d.type in SAVED_SEARCH_TYPES and not rules.is_published(d)]
    if not typed:
        return content
    moved = {id(detection) for detection in typed}
    by_path = lambda search: search.source.path  # noqa: E731 (each kind stays sorted by path)
    return replace(
        content,
        detections=tuple(d for d in content.detections if id(d) not in moved),
        baselines=tuple(sorted((*content.baselines, *(_as_saved_search(d) for d in typed if d.type == "Baseline")),
                               key=by_path)),
        investigations=tuple(sorted((*content.investigations,
                                     *(_as_saved_search(d) for d in typed if d.type == "Investigation")),
                                    key=by_path)))


def _as_saved_search(detection: Detection) -> Baseline | Investigation:
    """A detection file of type Baseline or Investigation (2020-2024) as the baseline or investigation it is."""
    common = dict(
        name=detection.name, id=detection.id, version=detection.version, dates=detection.dates,
        author=detection.author, status=detection.status or ("deprecated" if detection.deprecated else ""),
        description=detection.description, search=detection.search, how_to_implement=detection.how_to_implement,
        known_false_positives=detection.known_false_positives, references=detection.references,
        source=detection.source, type=detection.type,
        analytic_story=tuple(story for story in detection.tags.analytic_story if story is not None),
        product=detection.tags.product, security_domain=detection.tags.security_domain, paths=detection.paths)
    if detection.type == "Baseline":
        return Baseline(**common, data_source=detection.data_source, deprecated=detection.deprecated)
    return Investigation(**common)


def duplicate_ids(content: Content) -> list[Issue]:
    """An error for each detection, story, playbook, data source or baseline whose id an earlier file (by path)
    of its kind has."""
    issues = []
    for kind, items in (("detection", content.detections), ("story", content.stories),
                        ("playbook", content.playbooks), ("data source", content.data_sources),
                        ("baseline", content.baselines)):
        first: dict[str, Source] = {}
        for item in sorted(items, key=lambda item: item.source.path):
            if not item.id:
                continue
            earlier = first.setdefault(item.id, item.source)
            if earlier is not item.source:
                issues.append(Issue(item.source.path, item.source.line("id"), Severity.ERROR,
                                    f"{kind} id {item.id} is also the id of {earlier.path}; each id must be unique"))
    return issues


def _removed_pages(linker: _Linker, content: Content, rules, other_pages: dict[str, str]) -> tuple[RemovedPage, ...]:
    """Each removed detection at the address it had when last published, with its replacements linked."""
    pages = []
    for detection in sorted(content.removed, key=lambda d: (d.name, d.source.path)):
        replacements = []
        names = detection.deprecation.replacement_content if detection.deprecation else ()
        for index, name in enumerate(names):
            url = other_pages.get(name)
            if url is None:
                linker.report(Severity.WARNING, detection.source, ("deprecation_info", "replacement_content", index),
                              f"no published content is named '{name}'; the replacement is shown without a link")
            replacements.append(Replacement(name, url))
        slug = slugify(detection.name)
        data_sources = tuple(DataSourceRef(name, slugify(name), linker.data_sources.get(name))
                             for name in dict.fromkeys(detection.data_source))
        pages.append(RemovedPage(detection, slug, rules.detection_url(detection, slug), tuple(replacements),
                                 data_sources))
    return tuple(pages)


def _named_detections(linker: _Linker, item: Baseline | Playbook,
                      by_name: dict[str, list[DetectionPage]]) -> tuple[DetectionPage, ...]:
    """The published detections a baseline or playbook names (`detections:`), each name none has a warning."""
    tags = SEARCH_TAGS if isinstance(item, Baseline) else PLAYBOOK_TAGS
    found: list[DetectionPage] = []
    for index, name in enumerate(item.detections):
        matches = by_name.get(name)
        if matches:
            found.extend(matches)
        else:
            linker.report(Severity.WARNING, item.source, (*item.paths.where("detections", tags), index),
                          linker.nothing_named("detections", "published detection", name))
    return tuple(found)


def build_site(content: Content, techniques: dict[str, Technique], cves: dict[str, Cve] | None, rules,
               apps: dict[str, SplunkApp] | None = None,
               d3fend: dict[str, D3fendTechnique] | None = None, attack_version: str = "",
               own: dict | None = None, linked: DetectionPages | None = None) -> tuple[Site, list[Issue]]:
    """Link everything, deriving what the form (`rules`, a module of `forms`) derives.

    `cves`, `apps` and `d3fend` are None when no such file was given: CVEs and
    add-ons are then shown by id, D3FEND ids left out, each with a warning.
    `own` gives content sources (`sources.ContentSource`) reference files of
    their own (`References`), used for their files instead of the site's.
    `linked`: the detection pages an earlier build linked, to reuse (`mkdocs serve`).
    """
    linker = _Linker(content, techniques, cves, rules, apps, d3fend, attack_version, own)
    linker.issues.extend(duplicate_ids(content))
    if linked is not None:
        linked.start(linker.links())
    detections = sorted((linker.linked_page(d, linked) for d in content.detections if rules.is_published(d)),
                        key=lambda page: (page.name, page.detection.source.path))

    by_story: dict[str, list[DetectionPage]] = {}
    for page in detections:
        for story_name in page.detection.tags.analytic_story:  # a story named twice lists it twice, as published
            if story_name is not None:
                by_story.setdefault(story_name, []).append(page)

    by_name: dict[str, list[DetectionPage]] = {}
    for page in detections:
        by_name.setdefault(page.name, []).append(page)
    unshown = []
    for unread in content.unread:  # files left out for their errors: what linking them finds, reported with them
        if unread.partial is None:
            continue
        item = replace(unread.partial, source=unread.source)
        if unread.kind == "detections" and rules.is_published(item):
            linker.problems_of_unshown(item)
            if item.name and item.id:  # "" stands in for a field missing or unusable
                unshown.append((item.source.path, rules.detection_url(item, slugify(item.name))))
        elif unread.kind in ("baselines", "playbooks"):
            _named_detections(linker, item, by_name)
            if unread.kind == "baselines":
                linker.story_refs(item, item.analytic_story)
    served: dict[str, list[DetectionPage]] = {}
    for page in detections:
        for ref in page.baselines:
            served.setdefault(ref.name, []).append(page)
    baselines = []
    for baseline in sorted(linker.baselines.values(), key=lambda b: (b.name, b.source.path)):
        _named_detections(linker, baseline, by_name)
        baselines.append(BaselinePage(
            baseline, slugify(baseline.name), tuple(served.get(baseline.name, ())),
            linker.scheduled(baseline.source, baseline.custom_schedule, baseline.schedule, ("schedule",),
                             "Baseline", "Default Baseline"),
            linker.story_refs(baseline, baseline.analytic_story)))
    investigations = tuple(InvestigationPage(i, slugify(i.name), linker.story_refs(i, i.analytic_story))
                           for i in sorted(content.investigations, key=lambda i: (i.name, i.source.path)))
    stories, deprecated_stories = [], []
    for story in sorted(linker.shown_stories, key=lambda s: (s.name, s.source.path)):
        members = by_story.get(story.name, [])
        with_techniques = [p for p in members if p.detection.tags.mitre_attack_id]
        (deprecated_stories if story.deprecated else stories).append(StoryPage(
            story=story,
            slug=slugify(story.name),
            detections=tuple(members),
            datamodels=tuple(sorted({dm for p in members for dm in p.datamodels})),
            kill_chain_phases=tuple(sorted({k for p in members for k in p.kill_chain_phases})),
            techniques=with_techniques[-1].techniques if with_techniques else (),
            baselines=tuple(b for b in baselines if story.name in b.baseline.analytic_story),
            investigations=tuple(i for i in investigations if story.name in i.investigation.analytic_story),
        ))

    playbooks = []
    for playbook in sorted(content.playbooks, key=lambda p: (p.name, p.source.path)):
        playbooks.append(PlaybookPage(playbook, slugify(playbook.name), _named_detections(linker, playbook, by_name),
                                      linker.d3fend_techniques(playbook)))

    members_of: dict[str, list[StoryPage]] = {}
    for story in stories:
        for name in dict.fromkeys(rules.story_categories(story.story)):
            members_of.setdefault(name, []).append(story)
    categories = tuple(Category(name, slugify(name), tuple(members_of[name])) for name in sorted(members_of))
    users: dict[str, list[DetectionPage]] = {}
    for page in detections:
        for ref in page.data_sources:
            users.setdefault(ref.name, []).append(page)
    data_sources = tuple(DataSourcePage(d, slugify(d.name), tuple(users.get(d.name, ())))
                         for d in sorted(linker.data_sources.values(),
                                         key=lambda d: (numbered_order(d.name), d.source.path)))

    # What a removed detection's replacement may name: any page's content. A detection's name wins over a
    # story's, baseline's or playbook's, and the first of each kind (by name, then path) over the rest.
    pages_by_name = {page.name: page.url for page in (*reversed(playbooks), *reversed(baselines),
                                                       *reversed(deprecated_stories), *reversed(stories),
                                                       *reversed(detections))}
    macros = tuple(sorted(content.macros, key=lambda m: (m.name, m.source.path)))
    lookups = tuple(sorted(content.lookups, key=lambda lk: (lk.name, lk.source.path)))
    macro_pages, lookup_pages = _item_pages(macros, lookups, detections, baselines)
    site = Site(
        detections=tuple(detections),
        stories=tuple(stories),
        deprecated_stories=tuple(deprecated_stories),
        playbooks=tuple(playbooks),
        tactics=tuple(sorted({t for p in detections for tech in p.techniques for t in tech.tactics})),
        datamodels=tuple(sorted({dm for p in detections for dm in p.datamodels})),
        categories=categories,
        data_sources=data_sources,
        macros=macros,
        lookups=lookups,
        macro_pages=macro_pages,
        lookup_pages=lookup_pages,
        attack_version=attack_version,
        techniques=techniques,
        baselines=tuple(baselines),
        investigations=investigations,
        removed=_removed_pages(linker, content, rules, pages_by_name),
        schedules=tuple(sorted(content.schedules, key=lambda d: d.source.path)),
        unshown=tuple(sorted(unshown)),
    )
    return site, linker.issues + linker.summary()


def _item_pages(macros: tuple[Macro, ...], lookups: tuple[Lookup, ...], detections, baselines
                ) -> tuple[tuple[MacroPage, ...], tuple[LookupPage, ...]]:
    """A page per macro and per lookup, with what uses each: the detections and baselines whose search calls it,
    each once, in their order, and the other detections whose drilldown searches call a macro; a lookup is used
    through a macro whose definition calls it, by the name of its file (`inputlookup x.csv`), and, a machine
    learning model's, where a search applies or fits the model (`apply x` reads `__mlspl_x.mlmodel`)."""
    macros_named = {macro.name: macro for macro in macros}
    lookups_named: dict[str, list[Lookup]] = {}
    for lookup in lookups:
        stem = PurePosixPath(lookup.source.in_content).stem
        data = lookup.filename or (stem + ".csv" if lookup.lookup_type == "csv" else "")
        for name in [name for name in dict.fromkeys((lookup.name, data)) if name]:
            lookups_named.setdefault(name, []).append(lookup)
    uses_of_macro = {macro.source.path: [lookup for name in called_lookups(macro.definition or "")
                                         for lookup in lookups_named.get(name, ())] for macro in macros}
    users: dict[str, dict[str, dict[str, object]]] = {"detections": {}, "baselines": {}, "macros": {},
                                                      "drilldowns": {}}

    def used(kind: str, item, user_key: str, user) -> None:
        users[kind].setdefault(item.source.path, {})[user_key] = user

    searches = [("detections", page, page.detection.search) for page in detections]
    searches += [("baselines", page, page.baseline.search) for page in baselines]
    for kind, page, search in searches:
        called = [macros_named[name] for name in macro_names(macro_calls(search)) if name in macros_named]
        for macro in called:
            used(kind, macro, page.url, page)
        for lookup in [*(found for name in called_lookups(search) for found in lookups_named.get(name, ())),
                       *(found for model in _ML_MODEL.findall(search)
                         for found in lookups_named.get("__mlspl_" + model, ())),
                       *(found for macro in called for found in uses_of_macro[macro.source.path])]:
            used(kind, lookup, page.url, page)
    for macro in macros:
        for lookup in uses_of_macro[macro.source.path]:
            used("macros", lookup, macro.source.path, macro)
    for page in detections:  # a drilldown's macros: `security_content_ctime` is called by some in no other search
        calls = [call for drilldown in page.detection.drilldown_searches for call in macro_calls(drilldown.search)]
        for name in macro_names(calls):
            if name in macros_named and page.url not in users["detections"].get(macros_named[name].source.path, {}):
                used("drilldowns", macros_named[name], page.url, page)

    def of(kind: str, item) -> tuple:
        return tuple(users[kind].get(item.source.path, {}).values())

    return (tuple(MacroPage(macro, of("detections", macro), of("baselines", macro),
                            tuple(dict.fromkeys(uses_of_macro[macro.source.path])), of("drilldowns", macro))
                  for macro in macros),
            tuple(LookupPage(lookup, of("detections", lookup), of("baselines", lookup), of("macros", lookup))
                  for lookup in lookups))
