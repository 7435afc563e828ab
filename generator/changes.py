"""What changed: the detections added, removed and changed between an older checkout of the content and this one.

`compare` is a pure function of the two sets of published detections (the
pipeline reads the older checkout, each in its own form: a 2022 checkout
publishes other folders than today's). Detections are matched by id, then, among
those left, by name (older content may lack ids, or an id may have been
replaced). Everything comes back sorted, so the page is the same on every
build of the same inputs.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable

import yaml

from . import yamlfast
from .models import Content, Detection


@dataclass(frozen=True)
class Older:
    """The older checkout: its label for readers and its published detections (in its own form)."""

    label: str
    content: Content


@dataclass(frozen=True)
class WordRun:
    """A stretch of a value's text, and whether the other version has something else in its place."""

    text: str
    changed: bool


_WORDS_AND_SPACES = re.compile(r"\s+|\w+|[^\w\s]+")
"""Spaces, words, and the punctuation between them apart: "Org" that became "Org;" keeps "Org" unmarked."""


def word_runs(old: str, new: str) -> tuple[tuple[WordRun, ...], tuple[WordRun, ...]]:
    """Both texts as runs of words, those that differ marked: "Event ID 1" and "EventID 1" in two paragraphs of
    90 words each are found at once. A text of one word (a version, a date, a type) and texts with nothing in
    common are left whole."""
    before, after = _WORDS_AND_SPACES.findall(old), _WORDS_AND_SPACES.findall(new)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    blocks = matcher.get_opcodes()
    one_word = not any(token.isspace() for token in before) or not any(token.isspace() for token in after)
    if one_word or not any(op == "equal" and "".join(before[i1:i2]).strip() for op, i1, i2, _, _ in blocks):
        return (WordRun(old, False),) if old else (), (WordRun(new, False),) if new else ()
    old_runs: list[WordRun] = []
    new_runs: list[WordRun] = []
    for op, i1, i2, j1, j2 in blocks:
        for runs, text in ((old_runs, "".join(before[i1:i2])), (new_runs, "".join(after[j1:j2]))):
            if text:
                runs.append(WordRun(text, op != "equal"))
    return _joined(old_runs), _joined(new_runs)


def _joined(runs: list[WordRun]) -> tuple[WordRun, ...]:
    """The runs with the spaces between two changed runs (the same in both texts) taken into one changed run:
    "<img src=x>" is one mark, not three."""
    joined: list[WordRun] = []
    for run in runs:
        if joined and joined[-1].changed == run.changed:
            joined[-1] = WordRun(joined[-1].text + run.text, run.changed)
        elif (run.changed and len(joined) >= 2 and joined[-2].changed and not joined[-1].changed
              and joined[-1].text.isspace()):
            between = joined.pop()
            joined[-1] = WordRun(joined[-1].text + between.text + run.text, True)
        else:
            joined.append(run)
    return tuple(joined)


@dataclass(frozen=True)
class ScalarChange:
    """A field with one value: before and after, as shown ("" when absent)."""

    field: str
    old: str
    new: str
    kind: str = "scalar"

    def word_runs(self) -> tuple[tuple[WordRun, ...], tuple[WordRun, ...]]:
        """`old` and `new` as runs of words, those that differ marked (`word_runs`)."""
        return word_runs(self.old, self.new)


@dataclass(frozen=True)
class ListChange:
    """A field holding a list (references, ATT&CK ids, ...): the items added and removed, each sorted."""

    field: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    kind: str = "list"


@dataclass(frozen=True)
class DiffLine:
    mark: str
    """"+" added, "-" removed, " " unchanged."""
    text: str
    runs: tuple[WordRun, ...] = ()
    """A stage changed in place: its words, those the other version's stage does not have marked."""


@dataclass(frozen=True)
class LinesChange:
    """The search, as a line diff: one line per pipeline stage, the unchanged ones included."""

    field: str
    lines: tuple[DiffLine, ...]
    kind: str = "lines"


FieldChange = ScalarChange | ListChange | LinesChange


@dataclass(frozen=True)
class Entry:
    """One detection on the What changed page."""

    anchor: str
    """Its place on the page: the detection's id where that is a plain token, otherwise one made from it."""
    status: str
    """"added", "removed" or "changed"."""
    old: Detection | None
    new: Detection | None
    fields: tuple[FieldChange, ...] = ()
    """What changed, field by field (only for "changed"): `SCALAR_FIELDS`, the search, then `LIST_FIELDS`."""

    @property
    def detection(self) -> Detection:
        """The detection as it is now, or as it was when it is gone."""
        return self.new if self.new is not None else self.old


@dataclass(frozen=True)
class Changes:
    label: str
    """The older checkout's label, e.g. "escu-2024-04" or "ES Content Updates 4.42.0"."""
    added: tuple[Entry, ...]
    removed: tuple[Entry, ...]
    changed: tuple[Entry, ...]
    older_count: int
    newer_count: int


def _text(value) -> str:
    return "" if value is None else " ".join(str(value).split())


def _observable(o) -> str:
    return f"{o.name} ({o.type}{': ' + ', '.join(o.roles) if o.roles else ''})"


NOT_GIVEN = None
"""What a field's getter returns when the detection's generation of the schema has no such field (`impact`
after 2024, `creation_date` before ESCU 6, ...): such a field is compared only when both sides give it, so a
field a schema added or dropped is not a change of the detection."""


def _legacy(d: Detection) -> bool:
    """Its risk-based alerting is written the way of 2020 to October 2024 (`tags.observable`, impact,
    confidence), not ESCU 5's `rba` or ESCU 6's findings."""
    return not d.has_risk and not d.threat_objects


def _roles(d: Detection, role: str) -> Iterable[str] | None:
    """The fields of its risk objects (`role` "Victim") or threat objects ("Attacker"), whichever
    generation wrote them: `tags.observable` roles, `rba`, or ESCU 6's findings and threat objects."""
    if _legacy(d):
        return [o.name for o in d.tags.observables if role in o.roles] if d.tags.observables else NOT_GIVEN
    if role == "Victim":
        return [entity.field for entity in d.risk_entities]
    return [threat.field for threat in d.threat_objects]


def _escu5_on(items: Callable[[Detection], Iterable[str]]) -> Callable[[Detection], Iterable[str] | None]:
    """A field of ESCU 5 and 6's risk-based alerting (types, scores), not given in older detections."""
    return lambda d: NOT_GIVEN if _legacy(d) else items(d)


def _legacy_only(items: Callable[[Detection], Iterable[str]]) -> Callable[[Detection], Iterable[str] | None]:
    """A field only the schemas up to October 2024 had (data models, required fields, ...): compared when
    both sides give some."""
    return lambda d: tuple(items(d)) or NOT_GIVEN


SCALAR_FIELDS: tuple[tuple[str, Callable[[Detection], object]], ...] = (
    ("Name", lambda d: d.name),
    ("ID", lambda d: d.id),
    ("File", lambda d: d.source.in_content),  # inside its content: an older checkout is elsewhere
    ("Status", lambda d: d.lifecycle),
    ("Type", lambda d: d.type),
    ("Version", lambda d: d.version),
    ("Date", lambda d: d.date),
    ("Created", lambda d: d.dates.creation_date or NOT_GIVEN),
    ("Author", lambda d: d.author),
    ("Security domain", lambda d: d.tags.security_domain),
    ("Asset type", lambda d: d.tags.asset_type),
    ("Impact", lambda d: d.tags.impact),
    ("Confidence", lambda d: d.tags.confidence),
    ("Risk message", lambda d: d.risk_message),
    ("Description", lambda d: d.description),
    ("How to implement", lambda d: d.how_to_implement),
    ("Known false positives", lambda d: d.known_false_positives),
)
"""Fields compared as one value (white space collapsed: a re-wrapped paragraph is not a change). "Date" is
the date pages show (`date`, else ESCU 6's `modification_date`); "Risk message" is `tags.message`,
`rba.message` or the finding's title, whichever the detection gives."""

LIST_FIELDS: tuple[tuple[str, Callable[[Detection], Iterable[str] | None]], ...] = (
    ("References", lambda d: d.references),
    ("ATT&CK", lambda d: d.tags.mitre_attack_id),
    ("Data sources", lambda d: d.data_source),
    ("Analytic stories", lambda d: (str(name) for name in d.tags.analytic_story)),
    ("Products", lambda d: d.tags.product),
    ("Data models", _legacy_only(lambda d: d.datamodel)),
    ("Kill chain phases", _legacy_only(lambda d: d.tags.kill_chain_phases)),
    ("CVEs", lambda d: (*d.tags.cve, *d.misplaced_cve)),
    ("Required fields", _legacy_only(lambda d: d.tags.required_fields)),
    ("Supported add-ons", _legacy_only(lambda d: d.tags.supported_tas)),
    ("Atomic Red Team tests", lambda d: d.tags.atomic_guid),
    ("Risk and threat objects", lambda d: map(_observable, d.tags.observables)
     if _legacy(d) and d.tags.observables else NOT_GIVEN),
    ("Risk objects", lambda d: _roles(d, "Victim")),
    ("Threat objects", lambda d: _roles(d, "Attacker")),
    ("Risk object types and scores", _escu5_on(lambda d: (f"{e.field} ({e.type}, {e.score})"
                                                           for e in d.risk_entities))),
    ("Threat object types", _escu5_on(lambda d: (f"{t.field} ({t.type})" for t in d.threat_objects))),
    ("Drilldown searches", lambda d: (x.name for x in d.drilldown_searches)),
    ("Test data", lambda d: (a.data for t in d.tests for a in t.attack_data)),
)
"""Fields compared as sets of items: an item moved within its list is not a change. "Risk objects" and
"Threat objects" compare fields by name across every generation (roles Victim and Attacker of
`tags.observable`, ESCU 5's `rba`, ESCU 6's findings); their types and scores only between ESCU 5 and 6,
whose vocabularies they share. "Risk and threat objects" is the observables of two older detections."""


_STAGE = re.compile(r" (?=\|)")


def search_stages(search: str) -> list[str]:
    """A search as its pipeline stages, white space collapsed: split before each "|" that follows a space.

    A pipe inside a regular expression or a string rarely follows a space,
    and one that does only splits the line shown, not what is compared.
    """
    return [stage for stage in _STAGE.split(" ".join(search.split())) if stage]


def search_diff(old: str, new: str) -> tuple[DiffLine, ...]:
    """Every stage of both searches in order, each marked unchanged, removed or added."""
    return line_diff(search_stages(old), search_stages(new))


def line_diff(before: list[str], after: list[str]) -> tuple[DiffLine, ...]:
    """Every line of both in order, each marked unchanged, removed or added."""
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            lines += [DiffLine(" ", stage) for stage in before[i1:i2]]
            continue
        # Stages changed in place (as many before as after) have their changed words marked.
        pairs = [word_runs(old, new) for old, new in zip(before[i1:i2], after[j1:j2])] \
            if op == "replace" and i2 - i1 == j2 - j1 else [((), ())] * max(i2 - i1, j2 - j1)
        lines += [DiffLine("-", stage, runs) for stage, (runs, _) in zip(before[i1:i2], pairs)]
        lines += [DiffLine("+", stage, runs) for stage, (_, runs) in zip(after[j1:j2], pairs)]
    return tuple(lines)


def baselines_of(content: Content) -> dict[str, tuple[str, ...]]:
    """The baselines each detection (by name) runs after: those an ESCU 6 detection names and those whose
    ESCU 5 `tags.detections` name it (the link changed direction between the two)."""
    names: dict[str, set[str]] = {}
    for detection in content.detections:
        names.setdefault(detection.name, set()).update(detection.baselines)
    for baseline in content.baselines:
        for name in baseline.detections:
            names.setdefault(name, set()).add(baseline.name)
    return {name: tuple(sorted(found)) for name, found in names.items()}


def field_changes(old: Detection, new: Detection, old_baselines: tuple[str, ...] = (),
                  new_baselines: tuple[str, ...] = ()) -> tuple[FieldChange, ...]:
    """What differs between two versions of a detection, field by field, in a fixed order.

    A field one side's generation does not give (`NOT_GIVEN`) is not compared: a field that only moved
    (`tags.mitre_attack_id` to `mitre_attack_id`, `tags.message` to `rba.message` to `finding.title`) or
    that a schema added or dropped is no change.
    """
    changes: list[FieldChange] = []
    for label, value in SCALAR_FIELDS:
        before, after = value(old), value(new)
        if before is NOT_GIVEN or after is NOT_GIVEN:
            continue
        if _text(before) != _text(after):
            changes.append(ScalarChange(label, _text(before), _text(after)))
    if search_stages(old.search) != search_stages(new.search):
        changes.append(LinesChange("Search", search_diff(old.search, new.search)))
    for label, items in LIST_FIELDS:
        before_items, after_items = items(old), items(new)
        if before_items is NOT_GIVEN or after_items is NOT_GIVEN:
            continue
        before, after = set(map(_text, before_items)), set(map(_text, after_items))
        if before != after:
            changes.append(ListChange(label, tuple(sorted(after - before)), tuple(sorted(before - after))))
    if set(old_baselines) != set(new_baselines):
        changes.append(ListChange("Baselines", tuple(sorted(set(new_baselines) - set(old_baselines))),
                                  tuple(sorted(set(old_baselines) - set(new_baselines)))))
    return tuple(changes)


SHOWN_VALUE = 160
"""The most of a value `file_key_changes` shows, in characters."""


def file_key_changes(old_text: str, new_text: str) -> tuple[ScalarChange, ...]:
    """The keys of a YAML file (at its top and under `tags:`) whose values differ between two versions, each with
    its values as compact YAML: for a file whose change no compared field shows (`tags.supported_tas`, a key a
    schema moved). None where both read as the same data: only the file's layout changed."""
    try:
        old, new = yamlfast.load(old_text), yamlfast.load(new_text)
    except yaml.YAMLError:
        return ()
    if not isinstance(old, dict) or not isinstance(new, dict) or _same(old, new):
        return ()
    changes = []
    for path, before, after in _differing(old, new):
        changes.append(ScalarChange(path, _shown(before), _shown(after)))
    return tuple(changes)


def _differing(old: dict, new: dict, prefix: str = ""):
    for key in sorted(set(old) | set(new), key=str):
        before, after = old.get(key, _ABSENT), new.get(key, _ABSENT)
        if _same(before, after):
            continue
        if key == "tags" and not prefix and isinstance(before, dict) and isinstance(after, dict):
            yield from _differing(before, after, "tags.")
        else:
            yield f"{prefix}{key}", before, after


def _same(first: Any, second: Any) -> bool:
    """Whether two values read from YAML are the same data. Each pair of values is compared once: a file whose
    aliases share one list a million times over (history is content too) costs its size, not `==`'s expansion of
    it; and no recursion, however deep the nesting."""
    pending, compared = [(first, second)], set()
    while pending:
        one, other = pending.pop()
        if one is other or (id(one), id(other)) in compared:
            continue
        compared.add((id(one), id(other)))
        if type(one) is not type(other):
            return False
        if isinstance(one, dict):
            if one.keys() != other.keys():
                return False
            pending.extend((one[key], other[key]) for key in one)
        elif isinstance(one, list):
            if len(one) != len(other):
                return False
            pending.extend(zip(one, other))
        elif one != other:
            return False
    return True


_ABSENT = object()


def _shown(value: Any) -> str:
    if value is _ABSENT:
        return ""
    text = yaml.safe_dump(value, default_flow_style=True, width=10**6, allow_unicode=True).strip()
    text = text.removesuffix("\n...").removesuffix("...").strip()
    return text if len(text) <= SHOWN_VALUE else text[:SHOWN_VALUE - 1] + "…"


def pair_by(older: list, newer: list, key: Callable[[Any], str]):
    """Pair items (detections, stories, ...) with the same non-empty key, in path order; return the pairs
    and both sides' rest."""
    by_key: dict[str, list] = {}
    for item in newer:
        if key(item):
            by_key.setdefault(key(item), []).append(item)
    pairs, old_rest = [], []
    for item in older:
        candidates = by_key.get(key(item)) if key(item) else None
        if candidates:
            pairs.append((item, candidates.pop(0)))
        else:
            old_rest.append(item)
    paired = {id(new) for _, new in pairs}
    return pairs, old_rest, [item for item in newer if id(item) not in paired]


def match(older, newer) -> tuple[list[tuple], list, list]:
    """(pairs, removed, added): items of two versions of the content paired by id, then by name among those
    left (older content may lack ids, or an id may have been replaced); each side in path order."""
    old = sorted(older, key=lambda item: item.source.path)
    new = sorted(newer, key=lambda item: item.source.path)
    by_id, old_rest, new_rest = pair_by(old, new, lambda item: (getattr(item, "id", "") or "").strip())
    by_name, removed, added = pair_by(old_rest, new_rest, lambda item: item.name)
    return by_id + by_name, removed, added


_PLAIN_ANCHOR = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


def unique_anchor(item, taken: set[str]) -> str:
    """An item's id when it is a plain token (a UUID is), else a token made from its id or name (a macro or lookup
    has no id); unique in `taken`."""
    key = (getattr(item, "id", "") or "").strip() or item.name
    anchor = key if _PLAIN_ANCHOR.fullmatch(key) else "detection-" + hashlib.sha1(key.encode()).hexdigest()[:12]
    unique, number = anchor, 1
    while unique in taken:  # two detections sharing an id: the second is "<id>-2"
        number += 1
        unique = f"{anchor}-{number}"
    taken.add(unique)
    return unique


def _order(entry: Entry) -> tuple:
    d = entry.detection
    return (d.name.lower(), d.name, d.id, d.source.path)


def compare(older: Content, newer: Content, label: str) -> Changes:
    """The detections of `newer` added, removed and changed since `older`, each sorted by name.

    Both are the published detections of their checkout. A detection is
    matched by its id; one left unmatched is then matched by its name.
    """
    pairs, removed, added = match(older.detections, newer.detections)
    entries = [Entry("", "added", None, d) for d in added] + [Entry("", "removed", d, None) for d in removed]
    # Baselines are compared when both checkouts have baseline files (ESCU 5 on): older content kept them
    # elsewhere, and a link the schema added is no change of the detection.
    both = bool(older.baselines) and bool(newer.baselines)
    old_baselines, new_baselines = (baselines_of(older), baselines_of(newer)) if both else ({}, {})
    for before, after in pairs:
        fields = field_changes(before, after, old_baselines.get(before.name, ()), new_baselines.get(after.name, ()))
        if fields:
            entries.append(Entry("", "changed", before, after, fields))
    taken: set[str] = set()
    named = [replace(e, anchor=unique_anchor(e.detection, taken)) for e in sorted(entries, key=_order)]
    return Changes(label, tuple(e for e in named if e.status == "added"),
                   tuple(e for e in named if e.status == "removed"),
                   tuple(e for e in named if e.status == "changed"),
                   len(older.detections), len(newer.detections))
