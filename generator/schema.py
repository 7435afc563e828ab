"""Read each kind of source file into its model, whichever generation of the schema wrote it.

A reader (`detection`, `story`, ...) takes the parsed mapping of one file,
with its `Source` (path as reported, text), and returns the model; problems
become `Issue`s at the line of the key, and an object is left out only when
a field it cannot do without is unusable. Nothing here reads files.

The generations (see guide/schemas.md): 2020-2022 (`detections/experimental/`,
`tags:`), 2023 to October 2024 (`status`, `tags.observable`, `tags.impact`),
ESCU 5 (late 2024 to spring 2026: `rba:`, `baselines/`, `investigations/`,
`deployments/`) and ESCU 6 (2026: `creation_date`/`modification_date`, no
`tags:`, `finding`, `intermediate_findings`, `threat_objects`, `schedules/`,
`removed/`, `build.yml`). Each file is read by its own keys, so one content
tree may mix them; a file that mixes them contradictorily (the same field in
two generations' places) is an error, and a key no generation has is a warning.
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, TypeVar

from .costly import costly_markdown
from .issues import Issue, Severity
from .models import (
    AddOn,
    AttackData,
    Baseline,
    BuildSettings,
    DataSource,
    Dates,
    Deprecation,
    Detection,
    DetectionFolder,
    DetectionTags,
    DetectionTest,
    Drilldown,
    ExternalApp,
    FieldMapping,
    FileDetail,
    Finding,
    Investigation,
    KeyPaths,
    LogSourceConversion,
    Lookup,
    Macro,
    Observable,
    Playbook,
    Rba,
    RiskEntity,
    Schedule,
    ScheduleDefinition,
    Source,
    Story,
    ThreatObject,
)
from .slug import name_problem

T = TypeVar("T")


class _Skip(Exception):
    """A field the object cannot do without is unusable; the issue is recorded. Raised inside an accessor only:
    the public accessors turn it into a mark on `_Fields.unusable` and a placeholder, so that one unusable field
    does not hide the problems of the fields after it."""


def _quote_hint(value: object) -> str:
    """For text YAML read as a mapping because it holds ': ' (`- Splunk: Cloud`): how to write it as text."""
    if isinstance(value, dict) and len(value) == 1:
        [(key, inner)] = value.items()
        if isinstance(key, str) and isinstance(inner, (str, int, float)) and not isinstance(inner, bool):
            return f" (YAML reads text with ': ' in it as a mapping: quote it, \"{key}: {inner}\")"
    return ""


@dataclass
class _Fields:
    """Typed access to one YAML mapping, recording issues with their location."""

    source: Source
    data: dict
    issues: list[Issue]
    keys: tuple[str, ...] = ()
    unusable: list[int] = field(default_factory=list)
    """The issues (indexes in `issues`) of the fields the object cannot do without that are missing or unusable.
    Shared with the mappings below this one (`tags`, `rba`, ...), which are part of the same object; each record
    of a list (`records`) has its own, as a record is left out by itself."""

    def _unusable(self, key: str, placeholder: T) -> T:
        """Mark `key` unusable (its issue was the last reported) and stand in for its value, so that reading goes
        on and reports every other problem of the file at once."""
        self.unusable.append(len(self.issues) - 1)
        return placeholder

    def left_out(self, what: str) -> None:
        """Say in the issues of its unusable fields that the object (`what`) is left out for them."""
        for index in self.unusable:
            issue = self.issues[index]
            self.issues[index] = Issue(issue.path, issue.line, issue.severity, f"{issue.message}; {what} is left out")

    def _report(self, key: str | None, message: str, *more: str | int) -> None:
        keys = self.keys + ((key,) if key else ()) + more
        self.issues.append(Issue(self.source.path, self.source.line(*keys), Severity.ERROR, message))

    def _label(self, key: str | None = None) -> str:
        """The key path as readers see it: "tags.mitre_attack_id", "tests[1].attack_data[2].data"; without `key`,
        this mapping's own ("tags.observable[1]")."""
        label = ""
        for part in self.keys + ((key,) if key is not None else ()):
            label += f"[{part + 1}]" if isinstance(part, int) else f".{part}" if label else str(part)
        return label

    def given(self, key: str) -> bool:
        """The mapping has `key` with a value (not absent, not null)."""
        return self.data.get(key) is not None

    def unknown_keys(self, known: frozenset[str], meant: dict[str, str] | None = None) -> None:
        """A warning for each key no generation of the schema has: a typo, or something the site would
        otherwise drop without a word. `meant`: what a key some write for something the format says otherwise
        should have been."""
        for key in self.data:
            if key in known:
                continue
            same_letters = [name for name in sorted(known) if name.lower() == str(key).lower()]
            close = same_letters or difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.75)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            if meant and str(key) in meant:
                hint = f"; {meant[str(key)]}"
            self.issues.append(Issue(self.source.path, self.source.line(*self.keys, str(key)), Severity.WARNING,
                                     f"unknown field '{self._label(str(key))}' is not shown{hint}"))

    def _get(self, key: str, required: bool) -> Any:
        value = self.data.get(key)
        if value is None and required:
            what = "is empty" if key in self.data else "is missing"
            self._report(key if key in self.data else None, f"required field '{self._label(key)}' {what}")
            raise _Skip
        return value

    def text(self, key: str, required: bool = True) -> str | None:
        """Text; for an optional field, "" when absent and None when present but empty.

        The two differ on the published pages: an absent field showed nothing,
        an empty one showed "None".
        """
        value = self.data.get(key)
        if type(value) is str:  # the usual case, without a call
            return value
        try:
            return self._text(key, required)
        except _Skip:
            return self._unusable(key, "")

    def _text(self, key: str, required: bool) -> str | None:
        value = self._get(key, required)
        if value is None:
            return None if key in self.data else ""
        if isinstance(value, (datetime.date, int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self._report(key, f"field '{self._label(key)}' must be text, not {type_name(value)}{_quote_hint(value)}")
            if required:
                raise _Skip
            return ""
        return value

    def name(self, key: str = "name") -> str:
        """A name that makes a page (its slug is a file name): the object is left out if it cannot be one."""
        try:
            value = self._text(key, True)
        except _Skip:
            return self._unusable(key, "")
        problem = name_problem(value)
        if problem:
            self._report(key, f"field '{self._label(key)}' {problem}")
            return self._unusable(key, "")
        return value

    def optional_name(self, key: str) -> str | None:
        """Optional text that names a listing page (a playbook's type); an unusable one is reported and dropped."""
        value = self.text(key, required=False)
        problem = name_problem(value) if value else None
        if problem:
            self._report(key, f"field '{self._label(key)}' {problem}")
            return ""
        return value

    def names(self, key: str) -> tuple[str, ...]:
        """A list of names that each make a page (a story category, a data model): unusable ones are left out."""
        values = self.texts(key)
        kept = []
        for index, value in enumerate(values):
            problem = name_problem(value)
            if problem:
                where = (index,) if isinstance(self.data.get(key), list) else ()
                self._report(key, f"item {index + 1} of '{self._label(key)}' {problem}", *where)
            else:
                kept.append(value)
        return tuple(kept)

    def date(self, key: str = "date", required: bool = True) -> str:
        """A calendar date, YYYY-MM-DD (months and days may have one digit, as in security_content)."""
        try:
            value = self._text(key, required)
        except _Skip:
            return self._unusable(key, "")
        if not value and not required:
            return ""
        match = _DATE.fullmatch(value)
        try:
            if match is None:
                raise ValueError
            datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            self._report(key, f"field '{self._label(key)}' must be a date (YYYY-MM-DD), not {(value or '')[:40]!r}")
            return self._unusable(key, "") if required else ""
        return value

    def markdown(self, key: str) -> str | None:
        """Optional text that pages show as Markdown; a warning if Markdown would take minutes to read it."""
        value = self.text(key, required=False)
        reason = costly_markdown(value) if value else None
        if reason:
            self.issues.append(Issue(self.source.path, self.source.line(*self.keys, key), Severity.WARNING,
                                     f"field '{self._label(key)}' {reason}: Markdown would need minutes to read it, "
                                     "so the site shows those brackets as typed"))
        return value

    def expected(self, key: str) -> None:
        """Warn when `key` is absent: the object is still published, the field shown empty."""
        if self.data.get(key) is None:
            self.issues.append(Issue(self.source.path, self.source.line(*self.keys, key) if key in self.data else 1,
                                     Severity.WARNING, f"field '{self._label(key)}' is missing; the page shows it empty"))

    def version(self, key: str = "version", required: bool = True) -> int | str:
        if not required and self.data.get(key) is None:
            return ""
        try:
            value = self._get(key, True)
        except _Skip:
            return self._unusable(key, "")
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            self._report(key, f"field '{self._label(key)}' must be a number, not {type_name(value)}")
            return self._unusable(key, "")
        if isinstance(value, str) and not _VERSION_TEXT.fullmatch(value):  # '5' and '1.2' are numbers quoted
            self.issues.append(Issue(self.source.path, self.source.line(*self.keys, key), Severity.WARNING,
                                     f"field '{self._label(key)}' should be a number, not text ('{value}'); "
                                     "it is shown as written"))
        return value

    def number(self, key: str) -> int | float | None:
        value = self._get(key, False)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self._report(key, f"field '{self._label(key)}' must be a number, not {type_name(value)}")
            return None
        return value

    def texts(self, key: str, required: bool = False, nulls: bool = False, one_item: bool = False) -> tuple[str, ...]:
        """A list of text items; with `nulls`, a null item is kept as None, with a warning (the April-2024
        form published a null story as "None").

        A text where a list belongs is read as the list of its characters, which
        is what the published generator showed (`app_list: None` gave the tags
        N, o, n, e); it is reported so that the source can be fixed. With
        `one_item` (lists of ids the site looks up, such as ATT&CK ids, whose
        characters would each be an error, and which the published generator
        failed on) it is read as a list of that one item.
        """
        try:
            value = self._get(key, required)
        except _Skip:
            return self._unusable(key, ())
        if value is None:
            return ()
        if isinstance(value, str):
            read_as = f"it is read as a list of one item ('{value}')" if one_item else \
                "each of its characters is shown as an item"
            self.issues.append(Issue(self.source.path, self.source.line(*self.keys, key), Severity.WARNING,
                                     f"field '{self._label(key)}' should be a list, not text; {read_as}"))
            return (value,) if one_item else tuple(value)
        if not isinstance(value, list):
            self._report(key, f"field '{self._label(key)}' must be a list, not {type_name(value)}")
            return self._unusable(key, ()) if required else ()
        if all(type(item) is str for item in value):  # the usual case, checked in one pass
            return tuple(value)
        items = []
        for index, item in enumerate(value):
            if isinstance(item, (str, int, float, datetime.date)) and not isinstance(item, bool):
                items.append(str(item))
            elif item == []:
                # security_content has `- []` placeholders; the published site shows them as "[]".
                self.issues.append(Issue(self.source.path, self.source.line(*self.keys, key, index),
                                         Severity.WARNING, f"item {index + 1} of '{self._label(key)}' is an empty list"))
                items.append("[]")
            elif item is None and nulls:
                self.issues.append(Issue(self.source.path, self.source.line(*self.keys, key, index), Severity.WARNING,
                                         f"item {index + 1} of '{self._label(key)}' is empty (null); "
                                         "the April-2024 form publishes it as 'None'"))
                items.append(None)
            else:
                self._report(key, f"item {index + 1} of '{self._label(key)}' must be text, not {type_name(item)}"
                                  f"{_quote_hint(item)}", index)
        return tuple(items)

    def records(self, key: str) -> list["_Fields"]:
        """A list of mappings (e.g. `tests`), each with typed access; other items are reported."""
        value = self._get(key, False)
        if value is None:
            return []
        if not isinstance(value, list):
            self._report(key, f"field '{self._label(key)}' must be a list, not {type_name(value)}")
            return []
        records = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                records.append(self._below((key, index), item, alone=True))
            else:
                self._report(key, f"item {index + 1} of '{self._label(key)}' must be a mapping, "
                                  f"not {type_name(item)}", index)
        return records

    def mapping(self, key: str, alone: bool = False) -> "_Fields":
        """The mapping under `key` (empty where it is not one: reported), part of this object, or with `alone`
        an object of its own, left out by itself when a field it cannot do without is unusable."""
        value = self._get(key, False)
        if value is None:
            value = {}
        elif not isinstance(value, dict):
            self._report(key, f"field '{self._label(key)}' must be a mapping, not {type_name(value)}")
            value = {}
        return self._below((key,), value, alone)

    def _below(self, keys: tuple, data: dict, alone: bool) -> "_Fields":
        return _Fields(self.source, data, self.issues, self.keys + keys, [] if alone else self.unusable)


_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_VERSION_TEXT = re.compile(r"\s*[0-9]+(?:\.[0-9]+)*\s*")
"""A version written as text that is still a number ('5', '1.2')."""


def type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


# --- What each kind of file may hold, in any generation --------------------------------------------------

_COMMON = frozenset({"name", "id", "version", "date", "creation_date", "modification_date", "author", "description",
                     "references"})
"""Keys every kind has had (ESCU 6 added the two dates and put `references` on every kind)."""

DETECTION_KEYS = _COMMON | {
    "type", "status", "datamodel", "search", "how_to_implement", "known_false_positives", "tags",  # 2020-2022
    "data_source", "tests", "cve",  # 2023-2024 (`cve` at the top level was a mistake then)
    "drilldown_searches", "rba",  # late 2024, ESCU 5
    "finding", "intermediate_findings", "threat_objects", "analytic_story", "asset_type", "mitre_attack_id",
    "product", "category", "security_domain", "atomic_guid", "baselines", "schedule", "custom_schedule",
    "deprecation_info", "threat_group",  # ESCU 6 (EventBasedDetection.schema.json)
    "MANUAL_REVIEW",  # what ESCU 6's migration left for an author to do (one Correlation detection): shown
}
DETECTION_TAG_KEYS = frozenset({
    "analytic_story", "analytics_story", "asset_type", "automated_detection_testing", "cis20", "confidence", "context", "dataset",
    "impact", "kill_chain_phases", "message", "mitre_attack_id", "nist", "observable", "product",
    "required_fields", "risk_score", "security_domain", "supported_tas", "deployments", "risk_object",
    "risk_object_type", "detections", "cve", "risk_severity", "manual_test", "atomic_guid", "group", "mappings",
    "detection_name", "drilldown_search", "throttling",
})
"""`tags` keys of 2020 to 2025 (the 2022 corpus's `Consequence` and the 2024 one's `CVE` are not among them)."""
STORY_KEYS = _COMMON | {"type", "status", "narrative", "tags", "cve", "category", "product", "usecase",
                        "threat_group", "deprecation_info"}
STORY_TAG_KEYS = frozenset({"analytic_story", "category", "product", "usecase", "cve", "group"})
PLAYBOOK_KEYS = _COMMON | {"type", "playbook", "how_to_implement", "app_list", "tags", "platform_tags", "vpe_type",
                           "playbook_fields", "labels", "product", "use_cases", "defend_technique_id",
                           "analytic_story", "detections", "playbook_outputs", "playbook_type", "status"}
PLAYBOOK_TAG_KEYS = frozenset({"platform_tags", "playbook_type", "playbook_fields", "product", "analytic_story",
                               "detections", "labels", "playbook_outputs", "vpe_type", "use_cases",
                               "defend_technique_id"})
MACRO_KEYS = _COMMON | {"definition", "arguments"}
LOOKUP_KEYS = _COMMON | {"filename", "case_sensitive_match", "min_matches", "max_matches", "default_match",
                         "collection", "fields_list", "match_type", "fields", "lookup_type"}
DATA_SOURCE_KEYS = _COMMON | {"source", "sourcetype", "separator", "separator_value", "supported_TA", "fields",
                              "output_fields", "field_mappings", "convert_to_log_source", "example_log",
                              "configuration", "mitre_components", "logsource", "status"}
BASELINE_KEYS = _COMMON | {"type", "status", "search", "how_to_implement", "known_false_positives", "tags",
                           "deployment", "product", "security_domain", "data_source", "schedule", "custom_schedule",
                           "atomic_guid", "tests", "deprecation_info", "datamodel"}
BASELINE_TAG_KEYS = frozenset({"analytic_story", "detections", "product", "security_domain", "required_fields",
                               "kill_chain_phases", "mitre_attack_id", "asset_type", "cis20", "nist", "deployments"})
INVESTIGATION_KEYS = _COMMON | {"type", "status", "search", "how_to_implement", "known_false_positives", "tags",
                                "product", "security_domain", "datamodel"}
INVESTIGATION_TAG_KEYS = frozenset({"analytic_story", "product", "security_domain", "required_fields",
                                    "kill_chain_phases", "mitre_attack_id", "asset_type", "cis20", "nist"})
SCHEDULE_KEYS = frozenset({"cron_schedule", "earliest_time", "latest_time", "schedule_window"})
SCHEDULE_FILE_KEYS = _COMMON | SCHEDULE_KEYS | {"type", "scheduling", "alert_action", "tags"}
BUILD_KEYS = frozenset({"author", "author_email", "content_prefix", "label", "app_version", "description", "id",
                        "external_app_content"})
_TEST_KEYS = frozenset({"name", "attack_data", "test_type", "description", "expected_results"})
_ATTACK_DATA_KEYS = frozenset({"data", "source", "sourcetype", "index", "update_timestamp", "custom_index"})
_ENTITY_KEYS = frozenset({"field", "type", "score", "message"})

_LEGACY_RISK = ("observable", "message", "impact", "confidence", "risk_score")
"""`tags` keys of the risk-based alerting of 2020 to October 2024."""
_ESCU6_RISK = ("finding", "intermediate_findings", "threat_objects")


# --- Readers of the parts ------------------------------------------------------------------------------

def _each(records: list[_Fields], make: Callable[[_Fields], T]) -> tuple[T, ...]:
    """`make` of each record; a record missing a field it cannot do without is left out (and reported)."""
    made = []
    for record in records:
        item = make(record)
        if record.unusable:
            record.left_out(f"'{record._label()}'")
        else:
            made.append(item)
    return tuple(made)


def _observable(f: _Fields) -> Observable:
    return Observable(f.text("name"), f.text("type", required=False) or "", f.texts("role"))


def _attack_data(f: _Fields) -> AttackData:
    f.unknown_keys(_ATTACK_DATA_KEYS)
    return AttackData(f.text("data"), f.text("source", required=False) or "", f.text("sourcetype", required=False) or "",
                      f.text("index", required=False) or "")


def _test(f: _Fields) -> DetectionTest:
    f.unknown_keys(_TEST_KEYS)
    return DetectionTest(f.text("name", required=False) or "", _each(f.records("attack_data"), _attack_data),
                         f.text("test_type", required=False) or "", f.text("description", required=False) or "")


def _drilldown(f: _Fields) -> Drilldown:
    return Drilldown(f.text("name"), f.text("search"), f.text("earliest_offset", required=False) or "",
                     f.text("latest_offset", required=False) or "")


def _entity(f: _Fields) -> RiskEntity:
    """A risk object (ESCU 5) or a finding's or intermediate finding's entity (ESCU 6)."""
    f.unknown_keys(_ENTITY_KEYS)
    return RiskEntity(f.text("field"), f.text("type", required=False) or "", f.number("score"),
                      f.text("message", required=False) or "")


def _threat_object(f: _Fields) -> ThreatObject:
    f.unknown_keys(frozenset({"field", "type"}))
    return ThreatObject(f.text("field"), f.text("type", required=False) or "")


def _schedule(f: _Fields) -> Schedule:
    return Schedule(*(f.text(key, required=False) or "" for key in
                      ("cron_schedule", "earliest_time", "latest_time", "schedule_window")))


def _inline_schedule(f: _Fields, key: str) -> Schedule | None:
    """An inline schedule (`custom_schedule`, ESCU 5's `deployment.scheduling`), None when not given."""
    if not f.given(key):
        return None
    inner = f.mapping(key)
    inner.unknown_keys(SCHEDULE_KEYS)
    return _schedule(inner)


def _deprecation(f: _Fields) -> Deprecation | None:
    if not f.given("deprecation_info"):
        return None
    info = f.mapping("deprecation_info")
    info.unknown_keys(frozenset({"reason", "removed_in_version", "replacement_content"}))
    return Deprecation(info.text("reason", required=False) or "", info.text("removed_in_version", required=False) or "",
                       info.texts("replacement_content"))


def _manual_review(f: _Fields) -> str:
    """Why ESCU 6's migration left a detection for an author to finish (`MANUAL_REVIEW: manual_review_rationale`);
    its `rba: {}`, the risk block it could not convert, is nothing to show."""
    if not f.given("MANUAL_REVIEW"):
        return ""
    review = f.mapping("MANUAL_REVIEW")
    review.unknown_keys(frozenset({"rba", "manual_review_rationale"}))
    return review.markdown("manual_review_rationale") or ""


def _dates(f: _Fields, required: bool = True) -> Dates:
    """`date` (until 2025), or `creation_date` and `modification_date` (ESCU 6); both kinds is an error."""
    old = "date" in f.data
    new = [key for key in ("creation_date", "modification_date") if key in f.data]
    if old and new:
        f.issues.append(Issue(f.source.path, f.source.line(*f.keys, new[0]), Severity.ERROR,
                              f"'date' (the schema before ESCU 6, line {f.source.line(*f.keys, 'date')}) and "
                              f"'{new[0]}' (ESCU 6) are both given; 'date' is the date shown"))
    if new and not old:
        return Dates("", f.date("creation_date", required=False), f.date("modification_date", required))
    return Dates(f.date("date", required), f.date("creation_date", required=False),
                 f.date("modification_date", required=False))


class _Placement:
    """Reads fields that older generations wrote under `tags:` and ESCU 6 at the top level, recording where."""

    def __init__(self, f: _Fields, tag_keys: frozenset[str] | None):
        self.top = f
        self.tags = f.mapping("tags")
        if tag_keys is not None:
            self.tags.unknown_keys(tag_keys)
        self.paths: dict[str, tuple[str, ...]] = {}

    def of(self, key: str) -> _Fields:
        """The mapping that holds `key` (`tags`, else the top level); holding it in both is an error."""
        in_tags, at_top = key in self.tags.data, key in self.top.data
        if in_tags and at_top:
            top, tags = self.top.source.line(key), self.top.source.line("tags", key)
            self.top.issues.append(Issue(self.top.source.path, top, Severity.ERROR,
                                         f"'{key}' is given both under 'tags' (line {tags}, the schema before "
                                         "ESCU 6) and at the top level (ESCU 6); the one under 'tags' is used"))
        chosen = self.tags if in_tags or not at_top else self.top
        if in_tags or at_top:
            self.paths[key] = (*chosen.keys, key)
        return chosen

    def key_paths(self, *more: tuple[str, tuple[str, ...]]) -> KeyPaths:
        return KeyPaths(tuple(sorted((*self.paths.items(), *more))))


def _contradictions(f: _Fields, tags: _Fields) -> None:
    """Risk-based alerting written in two generations' ways is an error at the later generation's key."""
    legacy = [key for key in _LEGACY_RISK if key in tags.data]
    escu6 = [key for key in _ESCU6_RISK if key in f.data]
    pairs = []
    if "rba" in f.data and legacy:
        pairs.append((("rba",), f"'tags.{legacy[0]}'", "'rba' (ESCU 5)"))
    if escu6 and legacy:
        pairs.append(((escu6[0],), f"'tags.{legacy[0]}'", f"'{escu6[0]}' (ESCU 6)"))
    if escu6 and "rba" in f.data:
        pairs.append(((escu6[0],), "'rba' (ESCU 5)", f"'{escu6[0]}' (ESCU 6)"))
    for keys, older, newer in pairs:
        older = older if "ESCU" in older else f"{older} (the schema before ESCU 5)"
        f.issues.append(Issue(f.source.path, f.source.line(*keys), Severity.ERROR,
                              f"{older} and {newer} both describe its risk-based alerting; give one"))


# --- Readers of whole files ------------------------------------------------------------------------------

def detection(folder: DetectionFolder, check_keys: bool = True) -> Callable[[_Fields], Detection]:
    """The reader of a detection file in `folder`; `check_keys` False for removed content, which the ESCU 6
    schema lets keep whatever its generation had."""
    def make(f: _Fields) -> Detection:
        if check_keys:
            f.unknown_keys(DETECTION_KEYS)
        type_ = f.text("type")
        placement = _Placement(f, DETECTION_TAG_KEYS if check_keys else None)
        t = placement.tags
        _contradictions(f, t)
        status = f.text("status", required=False) or ""
        # Before ESCU 6 a top-level `cve:` beside `tags:` was a mistake the published pages showed as an
        # empty CVE; an ESCU 6 file has no `tags:` and its top-level `cve` is the list.
        legacy_cve = "tags" in f.data
        cve = t.texts("cve", one_item=True) if legacy_cve else placement.of("cve").texts("cve", one_item=True)
        if legacy_cve and "cve" in t.data:
            placement.paths["cve"] = ("tags", "cve")
        rba = None
        threat_objects: tuple[ThreatObject, ...] = ()
        more_paths = []
        if f.given("rba"):
            r = f.mapping("rba")
            r.unknown_keys(frozenset({"message", "risk_objects", "threat_objects"}))
            rba = Rba(r.text("message", required=False) or "", _each(r.records("risk_objects"), _entity))
            threat_objects = _each(r.records("threat_objects"), _threat_object)
            more_paths.append(("threat_objects", ("rba", "threat_objects")))
        if "threat_objects" in f.data:
            threat_objects += _each(f.records("threat_objects"), _threat_object)
            more_paths = [("threat_objects", ("threat_objects",))]
        finding = None
        if f.given("finding"):
            g = f.mapping("finding")
            g.unknown_keys(frozenset({"title", "entity"}))
            entity = None
            if g.given("entity"):
                fields = g.mapping("entity", alone=True)
                entity = _entity(fields)
                if fields.unusable:
                    fields.left_out(f"'{fields._label()}'")
                    entity = None
            finding = Finding(g.text("title", required=False) or "", entity)
        intermediate: tuple[RiskEntity, ...] = ()
        if f.given("intermediate_findings"):
            i = f.mapping("intermediate_findings")
            i.unknown_keys(frozenset({"entities"}))
            intermediate = _each(i.records("entities"), _entity)
        return Detection(
            name=f.name(),
            id=f.text("id"),
            version=f.version(),
            dates=_dates(f),
            author=f.text("author", required=False),
            type=type_,
            datamodel=f.names("datamodel"),
            description=f.markdown("description"),
            search=f.text("search"),
            how_to_implement=f.markdown("how_to_implement"),
            known_false_positives=f.markdown("known_false_positives"),
            references=f.texts("references"),
            tags=DetectionTags(
                # `analytics_story` until early 2021: the same list under its older name
                analytic_story=placement.of("analytic_story").texts("analytic_story", nulls=True)
                or t.texts("analytics_story"),
                kill_chain_phases=t.texts("kill_chain_phases"),
                mitre_attack_id=placement.of("mitre_attack_id").texts("mitre_attack_id", one_item=True),
                product=placement.of("product").texts("product"),
                required_fields=t.texts("required_fields"),
                dataset=t.texts("dataset"),
                cve=cve,
                impact=t.number("impact"),
                confidence=t.number("confidence"),
                message=t.text("message", required=False),
                observables=_each(t.records("observable"), _observable),
                atomic_guid=placement.of("atomic_guid").texts("atomic_guid"),
                supported_tas=t.texts("supported_tas"),
                security_domain=placement.of("security_domain").text("security_domain", required=False) or "",
                manual_test=t.text("manual_test", required=False) or "",
                asset_type=placement.of("asset_type").text("asset_type", required=False) or "",
            ),
            kind=folder.kind,
            experimental=folder.experimental or status == "experimental",
            source=f.source,
            status=status,
            ssa=folder.ssa,
            data_source=f.texts("data_source", one_item=True),
            tests=_each(f.records("tests"), _test),
            drilldown_searches=_each(f.records("drilldown_searches"), _drilldown),
            misplaced_cve=f.texts("cve") if legacy_cve else (),
            rba=rba,
            finding=finding,
            intermediate_findings=intermediate,
            threat_objects=threat_objects,
            baselines=f.texts("baselines"),
            category=f.text("category", required=False) or "",
            schedule=f.text("schedule", required=False) or "",
            custom_schedule=_inline_schedule(f, "custom_schedule"),
            # ESCU 6's `threat_group`, the `tags: group:` of the schemas before it
            threat_group=f.texts("threat_group") or t.texts("group"),
            deprecation=_deprecation(f),
            manual_review=_manual_review(f),
            paths=placement.key_paths(*more_paths),
        )

    return make


def story(f: _Fields) -> Story:
    f.unknown_keys(STORY_KEYS, {"detections": "a detection joins a story by naming it in its own 'analytic_story'"})
    placement = _Placement(f, STORY_TAG_KEYS)
    f.expected("id")
    f.expected("version")
    status = f.text("status", required=False) or ""
    return Story(
        name=f.name(),
        id=f.text("id", required=False) or "",
        version=f.version(required=False),
        dates=_dates(f),
        author=f.text("author", required=False),
        description=f.markdown("description"),
        narrative=f.markdown("narrative"),
        references=f.texts("references"),
        category=placement.of("category").names("category"),
        product=placement.of("product").texts("product"),
        source=f.source,
        usecase=placement.of("usecase").text("usecase", required=False) or "",
        cve=placement.of("cve").texts("cve"),
        status=status,
        threat_group=f.texts("threat_group") or placement.tags.texts("group"),
        deprecated=status == "deprecated",
        paths=placement.key_paths(),
    )


def deprecated_story(f: _Fields) -> Story:
    """A story of stories/deprecated/, where Splunk moves a story it no longer maintains (its file does not say)."""
    return replace(story(f), deprecated=True)


_FILE_DETAILS = (("id", "ID"), ("version", "Version"), ("date", "Last Updated"), ("creation_date", "Created"),
                 ("modification_date", "Modified"), ("author", "Author"))
_LOOKUP_DETAILS = (("lookup_type", "Type"), ("collection", "KV store collection"),
                   ("fields_list", "Fields"), ("fields", "Fields"), ("match_type", "Match type"),
                   ("min_matches", "Minimum matches"), ("max_matches", "Maximum matches"),
                   ("default_match", "Default match"), ("case_sensitive_match", "Case-sensitive match"))


def _details(f: _Fields, keys: tuple[tuple[str, str], ...]) -> tuple[FileDetail, ...]:
    """The `keys` (key, label) the file gives, as written: what only the page of a macro or lookup shows."""
    return tuple(FileDetail(key, label, _as_written(f.data[key])) for key, label in keys
                 if f.data.get(key) not in (None, "", []))


def _as_written(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_as_written(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_as_written(item)}" for key, item in value.items())
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def macro(f: _Fields) -> Macro:
    f.unknown_keys(MACRO_KEYS)
    return Macro(
        name=f.name(),
        definition=f.text("definition", required=False),
        description=f.markdown("description"),
        source=f.source,
        arguments=f.texts("arguments"),
        details=_details(f, _FILE_DETAILS),
    )


def lookup(f: _Fields) -> Lookup:
    f.unknown_keys(LOOKUP_KEYS)
    return Lookup(
        name=f.name(),
        description=f.markdown("description"),
        filename=f.text("filename", required=False),
        source=f.source,
        lookup_type=f.text("lookup_type", required=False) or "",
        details=_details(f, _LOOKUP_DETAILS + _FILE_DETAILS),
        collection=f.text("collection", required=False) or "",
    )


def playbook(f: _Fields) -> Playbook:
    f.unknown_keys(PLAYBOOK_KEYS)
    placement = _Placement(f, PLAYBOOK_TAG_KEYS)
    return Playbook(
        name=f.name(),
        id=f.text("id"),
        version=f.version(),
        dates=_dates(f),
        author=f.text("author", required=False),
        type=f.optional_name("type"),
        description=f.markdown("description"),
        how_to_implement=f.markdown("how_to_implement"),
        playbook=f.text("playbook", required=False),
        references=f.texts("references"),
        app_list=f.names("app_list"),
        detections=placement.of("detections").texts("detections"),
        platform_tags=placement.of("platform_tags").texts("platform_tags"),
        product=placement.of("product").texts("product"),
        required_fields=placement.of("playbook_fields").texts("playbook_fields"),
        source=f.source,
        vpe_type=placement.of("vpe_type").text("vpe_type", required=False) or "",
        use_cases=placement.of("use_cases").names("use_cases"),
        defend_technique_id=placement.of("defend_technique_id").texts("defend_technique_id"),
        paths=placement.key_paths(),
    )


def _add_on(f: _Fields) -> AddOn:
    return AddOn(f.text("name"), f.text("url", required=False) or "", f.text("version", required=False) or "")


def _field_mapping(f: _Fields) -> FieldMapping:
    pairs = f.mapping("mapping").data
    return FieldMapping(f.text("data_model", required=False) or "", f.text("data_set", required=False) or "",
                        tuple((str(k), str(v)) for k, v in pairs.items()))


def _conversion(f: _Fields) -> LogSourceConversion:
    pairs = f.mapping("mapping").data
    return LogSourceConversion(f.text("data_source"), tuple((str(k), str(v)) for k, v in pairs.items()))


def data_source(f: _Fields) -> DataSource:
    f.unknown_keys(DATA_SOURCE_KEYS)
    logsource = f.mapping("logsource").data
    return DataSource(
        name=f.name(),
        id=f.text("id", required=False) or "",
        version=f.version(required=False),
        dates=_dates(f, required=False),
        author=f.text("author", required=False) or "",
        description=f.text("description", required=False) or "",
        source_name=f.text("source", required=False) or "",
        sourcetype=f.text("sourcetype", required=False) or "",
        separator=f.text("separator", required=False) or "",
        supported_ta=_each(f.records("supported_TA"), _add_on),
        fields=f.texts("fields"),
        field_mappings=_each(f.records("field_mappings"), _field_mapping),
        configuration=f.text("configuration", required=False) or "",
        example_log=f.text("example_log", required=False) or "",
        source=f.source,
        separator_value=f.text("separator_value", required=False) or "",
        mitre_components=f.texts("mitre_components"),
        output_fields=f.texts("output_fields"),
        logsource=tuple((str(k), str(v)) for k, v in logsource.items() if v is not None),
        conversions=_each(f.records("convert_to_log_source"), _conversion),
    )


def _saved_search(f: _Fields, keys: frozenset[str], tag_keys: frozenset[str]) -> tuple[_Placement, dict]:
    """What baseline and investigation files share, as keyword arguments of their models."""
    f.unknown_keys(keys)
    placement = _Placement(f, tag_keys)
    return placement, dict(
        name=f.name(),
        id=f.text("id", required=False) or "",
        version=f.version(required=False),
        dates=_dates(f),
        author=f.text("author", required=False) or "",
        status=f.text("status", required=False) or "",
        description=f.markdown("description") or "",
        search=f.text("search"),
        how_to_implement=f.markdown("how_to_implement") or "",
        known_false_positives=f.markdown("known_false_positives") or "",
        references=f.texts("references"),
        source=f.source,
        type=f.text("type", required=False) or "",
        analytic_story=placement.of("analytic_story").texts("analytic_story"),
        product=placement.of("product").texts("product"),
        security_domain=placement.of("security_domain").text("security_domain", required=False) or "",
    )


def baseline(deprecated: bool) -> Callable[[_Fields], Baseline]:
    """The reader of a baseline file; `deprecated`: it is in baselines/deprecated/."""
    def make(f: _Fields) -> Baseline:
        placement, fields = _saved_search(f, BASELINE_KEYS, BASELINE_TAG_KEYS)
        deployment = f.mapping("deployment") if f.given("deployment") else None
        if deployment is not None:
            deployment.unknown_keys(frozenset({"scheduling"}))
        custom = _inline_schedule(f, "custom_schedule") or (
            _inline_schedule(deployment, "scheduling") if deployment is not None else None)
        return Baseline(
            **fields,
            detections=placement.of("detections").texts("detections"),
            data_source=f.texts("data_source"),
            schedule=f.text("schedule", required=False) or "",
            custom_schedule=custom,
            deprecated=deprecated or fields["status"] == "deprecated",
            paths=placement.key_paths(),
        )

    return make


def investigation(f: _Fields) -> Investigation:
    placement, fields = _saved_search(f, INVESTIGATION_KEYS, INVESTIGATION_TAG_KEYS)
    return Investigation(**fields, paths=placement.key_paths())


def schedule_definition(f: _Fields) -> ScheduleDefinition:
    """A `deployments/` file (ESCU 5: `scheduling`, `alert_action`, `type`) or a `schedules/` one (ESCU 6)."""
    f.unknown_keys(SCHEDULE_FILE_KEYS)
    timing = f.mapping("scheduling") if f.given("scheduling") else f
    if timing is not f:
        timing.unknown_keys(SCHEDULE_KEYS)
    actions = f.mapping("alert_action").data
    return ScheduleDefinition(
        name=f.name(),
        id=f.text("id", required=False) or "",
        dates=_dates(f, required=False),
        author=f.text("author", required=False) or "",
        description=f.text("description", required=False) or "",
        schedule=_schedule(timing),
        source=f.source,
        version=f.version(required=False),
        type=f.text("type", required=False) or "",
        alert_actions=tuple(str(key) for key, value in actions.items() if value is not None),
    )


def _external_app(f: _Fields) -> ExternalApp:
    f.unknown_keys(frozenset({"app_name", "macros", "lookups"}))
    return ExternalApp(" ".join((f.text("app_name", required=False) or "").split()), f.texts("macros"),
                       f.texts("lookups"))


def build_settings(f: _Fields) -> BuildSettings:
    """`build.yml` (ESCU 6)."""
    f.unknown_keys(BUILD_KEYS)
    return BuildSettings(f.source, f.text("label", required=False) or "", f.text("app_version", required=False) or "",
                         _each(f.records("external_app_content"), _external_app))


def read(source: Source, data: Any, issues: list[Issue], make: Callable[[_Fields], T]) -> tuple[T, bool]:
    """The model `make` reads from a file's parsed `data`, and whether it is usable: not when a field it cannot do
    without is missing or unusable (the issues say which), when it holds a stand-in for each such field.

    Every field is read and checked even after one the object cannot do without turned out unusable, so that the
    file's problems are reported at once, not one per attempt to fix them."""
    fields = _Fields(source, data, issues)
    model = make(fields)
    if fields.unusable:
        fields.left_out(f"the {_CALLED.get(type(model).__name__, 'file')}")
    return model, not fields.unusable


_CALLED = {"Detection": "detection", "Story": "story", "Macro": "macro", "Lookup": "lookup", "Playbook": "playbook",
           "DataSource": "data source", "Baseline": "baseline", "Investigation": "investigation",
           "ScheduleDefinition": "schedule"}
"""What a reader calls each kind of model, in "the detection is left out"."""
