"""The model: one frozen dataclass per kind of source, plus the ATT&CK technique.

Models hold what the YAML says, already type-checked, and where it came from
(`Source`), so any later stage can report a problem at `path:line`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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

    @property
    def url(self) -> str:
        return "https://attack.mitre.org/techniques/" + self.id.replace(".", "/") + "/"

    @property
    def parent_id(self) -> str | None:
        """T1562 for T1562.001; None for a technique that is not a sub-technique."""
        return self.id.split(".", 1)[0] if "." in self.id else None


@dataclass(frozen=True)
class Macro:
    name: str
    definition: str
    description: str
    source: Source


@dataclass(frozen=True)
class Lookup:
    name: str
    description: str
    filename: str | None
    source: Source


@dataclass(frozen=True)
class Observable:
    """A risk or threat object of a detection (`tags.observable`): a field, its type and roles."""

    name: str
    type: str
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttackData:
    """One replayable data file of a detection test."""

    data: str
    source: str = ""
    sourcetype: str = ""


@dataclass(frozen=True)
class DetectionTest:
    """A test of a detection (`tests:`): its attack data, or a note that it is manual."""

    name: str
    attack_data: tuple[AttackData, ...] = ()


@dataclass(frozen=True)
class Drilldown:
    """A drilldown search (`drilldown_searches:`): what an analyst runs next."""

    name: str
    search: str
    earliest_offset: str = ""
    latest_offset: str = ""


@dataclass(frozen=True)
class DetectionTags:
    analytic_story: tuple[str, ...] = ()
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
    date: str
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
    """`status` as written (production, experimental, deprecated, validation); "" when absent."""
    ssa: bool = False
    """A Splunk Behavioral Analytics detection (ssa_detections/)."""
    data_source: tuple[str, ...] = ()
    tests: tuple[DetectionTest, ...] = ()
    drilldown_searches: tuple[Drilldown, ...] = ()
    misplaced_cve: tuple[str, ...] = ()
    """CVE ids written at the top level instead of under `tags` (a mistake the corpus has)."""

    @property
    def deprecated(self) -> bool:
        return self.kind == "deprecated" or self.status == "deprecated"

    @property
    def lifecycle(self) -> str:
        """deprecated, experimental, or the status as written ("production" when none is)."""
        return "deprecated" if self.deprecated else "experimental" if self.experimental else (
            self.status or "production")


@dataclass(frozen=True)
class Story:
    name: str
    id: str
    version: int | str
    date: str
    author: str
    description: str
    narrative: str
    references: tuple[str, ...]
    category: tuple[str, ...]
    product: tuple[str, ...]
    source: Source


@dataclass(frozen=True)
class Playbook:
    name: str
    id: str
    version: int | str
    date: str
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
class DataSource:
    """A data source definition (`data_sources/*.yml`): what a detection's `data_source` names."""

    name: str
    id: str
    version: int | str
    date: str
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


@dataclass(frozen=True)
class Content:
    """Everything loaded from one content directory, each kind sorted by path."""

    detections: tuple[Detection, ...] = ()
    stories: tuple[Story, ...] = ()
    macros: tuple[Macro, ...] = ()
    lookups: tuple[Lookup, ...] = ()
    playbooks: tuple[Playbook, ...] = ()
    data_sources: tuple[DataSource, ...] = ()
