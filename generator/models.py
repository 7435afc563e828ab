"""The model: one frozen dataclass per kind of source, plus the ATT&CK technique.

Models hold what the YAML means, already type-checked, and where it came from
(`Source`), so any later stage can report a problem at `path:line`. One model
serves every generation of the schema: a detection's ATT&CK ids are
`Detection.tags.mitre_attack_id` whether its file wrote them under `tags:`
(until 2025) or at the top level (ESCU 6), and `KeyPaths` records where each
such field was read from, so that a problem is reported at the real line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from .locate import line_of

if TYPE_CHECKING:
    from .sources import ContentSource


@dataclass(frozen=True)
class Source:
    """A source file: its path as reported to users, its text, and the content source it belongs to.

    The text is kept so that a line number can be found when (and only when) a
    problem has to be reported; the fast loader does not track positions.
    """

    path: str
    text: str = field(repr=False, compare=False)
    origin: ContentSource | None = None
    """The content source it was read from (`sources.ContentSource`); None until the pipeline says."""

    def line(self, *keys: str | int) -> int | None:
        """1-based line of the value at `keys` (e.g. "tags", "mitre_attack_id", 0)."""
        return line_of(self.text, keys)

    @property
    def in_content(self) -> str:
        """Its path inside its content directory (what the repository calls it), whatever `path` starts with."""
        prefix = self.origin.shown_as if self.origin is not None else ""
        return self.path[len(prefix) + 1:] if prefix and self.path.startswith(prefix + "/") else self.path


DETECTION_KINDS = ("endpoint", "application", "cloud", "network", "web")
"""Folders under detections/ that hold published detections, one per kind."""


@dataclass(frozen=True)
class DetectionFolder:
    """A folder of detection sources and what its place says about them."""

    path: str
    """Relative to the content directory, e.g. "detections/experimental/cloud"."""
    kind: str
    experimental: bool = False
    ssa: bool = False


@dataclass(frozen=True)
class Technique:
    """An ATT&CK technique or sub-technique, e.g. T1562.001."""

    id: str
    name: str
    tactics: tuple[str, ...]
    description: str = ""
    """ATT&CK's description (Markdown with "(Citation: ...)" markers), "" when the bundle has none."""
    platforms: tuple[str, ...] = ()
    data_sources: tuple[str, ...] = ()
    """ATT&CK's data sources for it, e.g. "Process: Process Creation"."""
    retired: bool = False
    """ATT&CK has revoked or deprecated it: kept so that detections naming it still link, but not in the matrix."""
    in_bundle: bool = True
    """False for an id a detection names that the ATT&CK bundle lacks (content newer than the bundle): shown by
    its id alone."""

    @property
    def label(self) -> str:
        """Its name, or its id when the bundle does not know it."""
        return self.name or self.id

    @property
    def url(self) -> str:
        return "https://attack.mitre.org/techniques/" + self.id.replace(".", "/") + "/"

    @property
    def parent_id(self) -> str | None:
        """T1562 for T1562.001; None for a technique that is not a sub-technique."""
        return self.id.split(".", 1)[0] if "." in self.id else None


@dataclass(frozen=True)
class KeyPaths:
    """Where a file wrote the fields that differ between generations: (field, key path) pairs.

    E.g. ("mitre_attack_id", ("tags", "mitre_attack_id")) for a 2024 detection,
    ("mitre_attack_id", ("mitre_attack_id",)) for an ESCU 6 one. A field the
    file did not write has no entry.
    """

    pairs: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def get(self, field: str) -> tuple[str, ...] | None:
        for name, path in self.pairs:
            if name == field:
                return path
        return None

    def where(self, field: str, tagged: frozenset[str]) -> tuple[str, ...]:
        """The path of `field`; one the file did not write is looked for where its generation would have
        it: under `tags` for the fields in `tagged` (the older place), else at the top."""
        path = self.get(field)
        if path is None:
            path = ("tags", field) if field in tagged else (field,)
        return path


@dataclass(frozen=True)
class Dates:
    """The dates a file gives: `date` (until 2025), or `creation_date` and `modification_date` (ESCU 6)."""

    date: str = ""
    creation_date: str = ""
    modification_date: str = ""

    @property
    def published(self) -> str:
        """The date pages show as "Last Updated": `date`, else `modification_date`."""
        return self.date or self.modification_date


@dataclass(frozen=True)
class FileDetail:
    """A field of a macro's or lookup's file that only its page shows, read as written (no value of an unexpected
    type makes an error of a file that had none)."""

    key: str
    """The file's key (`version`)."""
    label: str
    """What the page calls it (`Version`)."""
    value: str
    """The value as written: a list's items joined by commas, a date as YYYY-MM-DD."""


def detail_value(details: tuple[FileDetail, ...], key: str) -> str:
    """The value of the file's `key` among a macro's or lookup's `details`, as written; "" when it does not give
    it."""
    return next((detail.value for detail in details if detail.key == key), "")


@dataclass(frozen=True)
class Macro:
    name: str
    definition: str
    description: str
    source: Source
    arguments: tuple[str, ...] = ()
    details: tuple[FileDetail, ...] = ()
    """What else its file says (ESCU 6: id, version, dates, author), in the site's order; its page lists them."""


@dataclass(frozen=True)
class Lookup:
    name: str
    description: str
    filename: str | None
    source: Source
    lookup_type: str = ""
    """csv or kvstore, as written (since 2025), "" when not given."""
    details: tuple[FileDetail, ...] = ()
    """What else its file says (its collection, fields, how it matches; ESCU 6: id, version, dates, author), in
    the site's order; its page lists them."""
    collection: str = ""
    """The KV store collection a lookup of the schemas before 2025 names (`collection:`), "" for a file's."""

    @property
    def kind(self) -> str:
        """What it is: `lookup_type` as written; before 2025, "kvstore" for a collection, else its data file's
        extension ("csv", "mlmodel"); "" when nothing says."""
        if self.lookup_type:
            return self.lookup_type
        if self.collection:
            return "kvstore"
        return self.filename.rsplit(".", 1)[1] if self.filename and "." in self.filename else ""


@dataclass(frozen=True)
class Observable:
    """A risk or threat object of a detection (`tags.observable`): a field, its type and roles."""

    name: str
    type: str
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class RiskEntity:
    """Something a detection scores risk on: a risk object of `rba:` (ESCU 5), a finding's entity or an
    intermediate finding's entity (ESCU 6, with its own message)."""

    field: str
    type: str
    score: int | float | None = None
    message: str = ""


@dataclass(frozen=True)
class ThreatObject:
    """A threat object (`rba.threat_objects` in ESCU 5, top-level `threat_objects` in ESCU 6)."""

    field: str
    type: str


@dataclass(frozen=True)
class Rba:
    """The risk-based alerting of ESCU 5 (`rba:`): the risk message and the scored risk objects.

    Its threat objects are `Detection.threat_objects`, as ESCU 6's are."""

    message: str
    risk_objects: tuple[RiskEntity, ...] = ()


@dataclass(frozen=True)
class Finding:
    """An ESCU 6 finding (`finding:`): the alert a TTP or Correlation detection raises, on one entity."""

    title: str
    entity: RiskEntity | None = None


@dataclass(frozen=True)
class Schedule:
    """When a search runs: cron schedule, time range and schedule window."""

    cron_schedule: str = ""
    earliest_time: str = ""
    latest_time: str = ""
    schedule_window: str = ""


@dataclass(frozen=True)
class Deprecation:
    """`deprecation_info`: why content was retired, in which release, and what replaces it (by name)."""

    reason: str = ""
    removed_in_version: str = ""
    replacement_content: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttackData:
    """One replayable data file of a detection test."""

    data: str
    source: str = ""
    sourcetype: str = ""
    index: str = ""


@dataclass(frozen=True)
class DetectionTest:
    """A test of a detection (`tests:`): its attack data, or a note that it is manual."""

    name: str
    attack_data: tuple[AttackData, ...] = ()
    test_type: str = ""
    """ESCU 6: unit or experimental."""
    description: str = ""


@dataclass(frozen=True)
class Drilldown:
    """A drilldown search (`drilldown_searches:`): what an analyst runs next."""

    name: str
    search: str
    earliest_offset: str = ""
    latest_offset: str = ""


@dataclass(frozen=True)
class DetectionTags:
    """What a detection is annotated with: stories, ATT&CK ids, products, CVEs, risk (before 2025), ...

    The same fields whichever generation wrote them: under `tags:` until 2025,
    at the top level in ESCU 6 (see `Detection.paths`). A story written as
    null is None in `analytic_story` (the April-2024 form published it).
    """

    analytic_story: tuple[str | None, ...] = ()
    kill_chain_phases: tuple[str, ...] = ()
    mitre_attack_id: tuple[str, ...] = ()
    product: tuple[str, ...] = ()
    required_fields: tuple[str, ...] = ()
    dataset: tuple[str, ...] = ()
    cve: tuple[str, ...] = ()
    impact: int | float | None = None
    confidence: int | float | None = None
    message: str | None = None
    observables: tuple[Observable, ...] = ()
    atomic_guid: tuple[str, ...] = ()
    supported_tas: tuple[str, ...] = ()
    security_domain: str = ""
    manual_test: str = ""
    asset_type: str = ""

    @property
    def has_observables(self) -> bool:
        """Risk and threat objects are named (the published pages show the RBA table only then)."""
        return bool(self.observables)

    @property
    def risk_score(self) -> float | None:
        """Impact x confidence / 100, as the published RBA table shows it (e.g. 80.0)."""
        if self.impact is None or self.confidence is None:
            return None
        return self.impact * self.confidence / 100


@dataclass(frozen=True)
class Detection:
    name: str
    id: str
    version: int | str
    dates: Dates
    author: str
    type: str
    datamodel: tuple[str, ...]
    description: str
    search: str
    how_to_implement: str
    known_false_positives: str
    references: tuple[str, ...]
    tags: DetectionTags
    kind: str
    """The folder it lives in: endpoint, cloud, network, web, application (or deprecated)."""
    experimental: bool
    """Experimental: in detections/experimental/ (2022) or `status: experimental` (since 2023)."""
    source: Source
    status: str = ""
    """`status` as written (production, experimental, deprecated, validation, removed); "" when absent."""
    ssa: bool = False
    """A Splunk Behavioral Analytics detection (ssa_detections/)."""
    data_source: tuple[str, ...] = ()
    tests: tuple[DetectionTest, ...] = ()
    drilldown_searches: tuple[Drilldown, ...] = ()
    misplaced_cve: tuple[str, ...] = ()
    """CVE ids written at the top level beside a `tags:` block (a mistake the 2024 corpus has; ESCU 6 files
    have no `tags:` and their top-level `cve` is `tags.cve`)."""
    rba: Rba | None = None
    """ESCU 5's risk-based alerting (`rba:`)."""
    finding: Finding | None = None
    """ESCU 6's finding (`finding:`)."""
    intermediate_findings: tuple[RiskEntity, ...] = ()
    """ESCU 6's intermediate findings (`intermediate_findings.entities`), each with its message."""
    threat_objects: tuple[ThreatObject, ...] = ()
    """Threat objects of ESCU 5 (`rba.threat_objects`) and ESCU 6 (`threat_objects`)."""
    baselines: tuple[str, ...] = ()
    """The baselines an ESCU 6 detection names (`baselines:`), by name."""
    category: str = ""
    """ESCU 6's `category` (the folder's name)."""
    schedule: str = ""
    """The named schedule it runs on (ESCU 6 `schedule:`), "" when it runs on its type's default."""
    custom_schedule: Schedule | None = None
    threat_group: tuple[str, ...] = ()
    deprecation: Deprecation | None = None
    """`deprecation_info` (ESCU 6): why it was deprecated or removed and what replaces it."""
    manual_review: str = ""
    """Why ESCU 6's migration left it for an author to finish (`MANUAL_REVIEW`), as Markdown; "" for most."""
    paths: KeyPaths = field(default=KeyPaths(), compare=False)
    """Where the file wrote the fields generations place differently (see `where`)."""

    @property
    def date(self) -> str:
        """The date the published forms show ("Last Updated") and name posts by."""
        return self.dates.published

    @property
    def deprecated(self) -> bool:
        return self.kind == "deprecated" or self.status == "deprecated"

    @property
    def removed(self) -> bool:
        return self.status == "removed"

    @property
    def lifecycle(self) -> str:
        """deprecated, experimental, or the status as written ("production" when none is)."""
        return "deprecated" if self.deprecated else "experimental" if self.experimental else (
            self.status or "production")

    def where(self, field: str, *more: str | int) -> tuple[str | int, ...]:
        """The key path of `field` in the file (then `more`), for `Source.line`.

        A field the file did not write is looked for where its own generation
        would have it: under `tags` for the annotations, else at the top.
        """
        return (*self.paths.where(field, ANNOTATION_FIELDS), *more)

    def line(self, field: str, *more: str | int) -> int | None:
        """The 1-based line of `field` (then `more`) in the source file."""
        return self.source.line(*self.where(field, *more))

    @property
    def has_risk(self) -> bool:
        """It says how risk is scored: ESCU 5's `rba`, ESCU 6's finding or intermediate findings."""
        return self.rba is not None or self.finding is not None or bool(self.intermediate_findings)

    @property
    def risk_message(self) -> str | None:
        """The message its risk events carry, whichever generation wrote it: `tags.message` (until 2024),
        `rba.message` (ESCU 5), `finding.title`, else the intermediate findings' message when they share
        one (ESCU 6). None when it has none."""
        if self.finding is not None:
            return self.finding.title
        if self.rba is not None:
            return self.rba.message
        messages = {entity.message for entity in self.intermediate_findings}
        if len(messages) == 1:
            return messages.pop()
        return self.tags.message or None

    @property
    def risk_entities(self) -> tuple[RiskEntity, ...]:
        """What ESCU 5 and 6 score risk on: `rba.risk_objects`, or the finding's entity and the
        intermediate findings' entities."""
        if self.rba is not None:
            return self.rba.risk_objects
        entity = (self.finding.entity,) if self.finding is not None and self.finding.entity is not None else ()
        return (*entity, *self.intermediate_findings)


ANNOTATION_FIELDS = frozenset({"analytic_story", "asset_type", "cve", "mitre_attack_id", "product",
                               "security_domain", "atomic_guid", "kill_chain_phases", "required_fields",
                               "dataset", "impact", "confidence", "message", "observable", "supported_tas",
                               "manual_test"})
"""Detection fields written under `tags:` until 2025 (ESCU 6 writes the first seven at the top level)."""


@dataclass(frozen=True)
class Story:
    name: str
    id: str
    version: int | str
    dates: Dates
    author: str
    description: str
    narrative: str
    references: tuple[str, ...]
    category: tuple[str, ...]
    product: tuple[str, ...]
    source: Source
    usecase: str = ""
    cve: tuple[str, ...] = ()
    status: str = ""
    threat_group: tuple[str, ...] = ()
    """ESCU 6's `threat_group`, or `tags: group:` before it: the threat actors the story is about."""
    deprecated: bool = False
    """In stories/deprecated/ or `status: deprecated`."""
    paths: KeyPaths = field(default=KeyPaths(), compare=False)

    @property
    def date(self) -> str:
        return self.dates.published


@dataclass(frozen=True)
class Playbook:
    name: str
    id: str
    version: int | str
    dates: Dates
    author: str
    type: str
    description: str
    how_to_implement: str
    playbook: str
    references: tuple[str, ...]
    app_list: tuple[str, ...]
    detections: tuple[str, ...]
    platform_tags: tuple[str, ...]
    product: tuple[str, ...]
    required_fields: tuple[str, ...]
    source: Source
    vpe_type: str = ""
    """The SOAR editor it was built in: Modern playbooks can be opened in the online viewer."""
    use_cases: tuple[str, ...] = ()
    defend_technique_id: tuple[str, ...] = ()
    """D3FEND technique ids; a text written where a list belongs is read character by character."""
    paths: KeyPaths = field(default=KeyPaths(), compare=False)

    @property
    def date(self) -> str:
        return self.dates.published

    def line(self, field: str, *more: str | int) -> int | None:
        return self.source.line(*self.paths.where(field, PLAYBOOK_TAGS), *more)


PLAYBOOK_TAGS = frozenset({"platform_tags", "playbook_type", "playbook_fields", "product", "analytic_story",
                           "detections", "labels", "playbook_outputs", "vpe_type", "use_cases",
                           "defend_technique_id"})
"""Playbook fields written under `tags:` until 2025 (ESCU 6 writes them at the top level)."""


@dataclass(frozen=True)
class AddOn:
    """A Splunk add-on that parses a data source (`supported_TA`)."""

    name: str
    url: str = ""
    version: str = ""


@dataclass(frozen=True)
class FieldMapping:
    """How a data source's fields map onto a data model's data set (`field_mappings`)."""

    data_model: str
    data_set: str
    mapping: tuple[tuple[str, str], ...] = ()
    """(source field, data model field) pairs, in the source's order."""


@dataclass(frozen=True)
class LogSourceConversion:
    """How a data source's events map onto another data source's fields (`convert_to_log_source`)."""

    data_source: str
    mapping: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DataSource:
    """A data source definition (`data_sources/*.yml`): what a detection's `data_source` names."""

    name: str
    id: str
    version: int | str
    dates: Dates
    author: str
    description: str
    source_name: str
    """The Splunk `source` of its events (named so as not to clash with `source`, the file)."""
    sourcetype: str
    separator: str
    supported_ta: tuple[AddOn, ...]
    fields: tuple[str, ...]
    field_mappings: tuple[FieldMapping, ...]
    configuration: str
    example_log: str
    source: Source
    separator_value: str = ""
    mitre_components: tuple[str, ...] = ()
    output_fields: tuple[str, ...] = ()
    logsource: tuple[tuple[str, str], ...] = ()
    """(key, value) pairs of `logsource`, e.g. ("product", "aws")."""
    conversions: tuple[LogSourceConversion, ...] = ()

    @property
    def date(self) -> str:
        return self.dates.published


@dataclass(frozen=True)
class SavedSearch:
    """What baselines and investigations share: a named search, its texts, and the stories it belongs to."""

    name: str
    id: str
    version: int | str
    dates: Dates
    author: str
    status: str
    description: str
    search: str
    how_to_implement: str
    known_false_positives: str
    references: tuple[str, ...]
    source: Source
    type: str = ""
    analytic_story: tuple[str, ...] = ()
    product: tuple[str, ...] = ()
    security_domain: str = ""
    paths: KeyPaths = field(default=KeyPaths(), compare=False)

    @property
    def date(self) -> str:
        return self.dates.published

    def line(self, field: str, *more: str | int) -> int | None:
        return self.source.line(*self.paths.where(field, SEARCH_TAGS), *more)


SEARCH_TAGS = frozenset({"analytic_story", "detections", "product", "security_domain"})
"""Baseline and investigation fields written under `tags:` in ESCU 5 (ESCU 6 writes product and security
domain at the top level)."""


@dataclass(frozen=True)
class Baseline(SavedSearch):
    """A baseline search (`baselines/`, 2025 on): it fills a lookup that detections read."""

    detections: tuple[str, ...] = ()
    """The detections it serves, by name (ESCU 5 `tags.detections`; ESCU 6 detections name their baselines)."""
    data_source: tuple[str, ...] = ()
    schedule: str = ""
    """The named schedule it runs on (ESCU 6 `schedule:`)."""
    custom_schedule: Schedule | None = None
    """Its own schedule: ESCU 6 `custom_schedule`, ESCU 5 `deployment.scheduling`."""
    deprecated: bool = False
    """In baselines/deprecated/ or `status: deprecated`."""


@dataclass(frozen=True)
class Investigation(SavedSearch):
    """An investigation search (`investigations/`, ESCU 5): what an analyst runs on a story's findings."""


@dataclass(frozen=True)
class ScheduleDefinition:
    """A schedule file: ESCU 5's `deployments/` (one per detection type) or ESCU 6's `schedules/`."""

    name: str
    id: str
    dates: Dates
    author: str
    description: str
    schedule: Schedule
    source: Source
    version: int | str = ""
    type: str = ""
    """The detection type it applies to (`deployments/`' `type:`), "" for ESCU 6 schedules."""
    alert_actions: tuple[str, ...] = ()
    """What a firing does (`deployments/`' `alert_action`): "rba", "notable", ..."""

    @property
    def date(self) -> str:
        return self.dates.published


@dataclass(frozen=True)
class ExternalApp:
    """A Splunk app whose macros and lookups content uses (`build.yml`'s `external_app_content`)."""

    name: str
    macros: tuple[str, ...] = ()
    lookups: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildSettings:
    """`build.yml` (ESCU 6): the app the content builds into and the other apps it relies on."""

    source: Source
    label: str = ""
    app_version: str = ""
    external_apps: tuple[ExternalApp, ...] = ()

    @property
    def external_macros(self) -> frozenset[str]:
        return frozenset(name for app in self.external_apps for name in app.macros)

    @property
    def external_lookups(self) -> frozenset[str]:
        return frozenset(name for app in self.external_apps for name in app.lookups)


@dataclass(frozen=True)
class Unread:
    """A source file that gave no model (it does not parse, or lacks what its kind needs); its own errors say
    why. Kept so that what refers to it can say where the trouble is, not that nothing defines the name."""

    kind: str
    """The `Content` field it would have been in: "macros", "stories", ..."""
    source: Source
    partial: Any = None
    """The model read from a file that parses, with a stand-in for each field it cannot do without that is
    unusable: never shown, but its other fields are checked as a shown one's are (a detection's stories,
    techniques, macros), so that the file's problems are reported at once. For a file that does not parse, the
    model of what its top-level `name:` and `id:` lines say (where its page would be), or None."""
    parsed: bool = True
    """False for a file that does not parse or cannot be read: nothing in it was checked but that."""
    name: str = ""
    """The name the file gives, where it can be read ("" where it cannot, or is unusable): what refers to it by
    name is told that this file has errors, not that nothing has the name."""

    @property
    def stem(self) -> str:
        """The file's name without its extension: the name such files are given after what they define."""
        return PurePosixPath(self.source.path).stem


@dataclass(frozen=True)
class Content:
    """Everything loaded from one content directory, each kind sorted by path."""

    detections: tuple[Detection, ...] = ()
    stories: tuple[Story, ...] = ()
    macros: tuple[Macro, ...] = ()
    lookups: tuple[Lookup, ...] = ()
    playbooks: tuple[Playbook, ...] = ()
    data_sources: tuple[DataSource, ...] = ()
    baselines: tuple[Baseline, ...] = ()
    investigations: tuple[Investigation, ...] = ()
    schedules: tuple[ScheduleDefinition, ...] = ()
    """`deployments/` (ESCU 5) and `schedules/` (ESCU 6)."""
    removed: tuple[Detection, ...] = ()
    """Removed detections (ESCU 6 `removed/detections/`, `status: removed`)."""
    unread: tuple[Unread, ...] = ()
    """The files besides detections that gave no model, sorted by path."""
    build: BuildSettings | None = None
