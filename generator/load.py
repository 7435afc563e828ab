"""Load: read a content directory (the security_content layout) into models.

Every file is read and checked; problems become `Issue`s and the object is
left out only when a field it cannot do without is unusable. Files are visited
in sorted order, so nothing downstream depends on directory listing order.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar

import yaml

from . import yamlfast
from .issues import Issue, Severity
from .models import (
    Content,
    Detection,
    DetectionTags,
    Lookup,
    Macro,
    Playbook,
    Source,
    Story,
)

DETECTION_KINDS = ("endpoint", "application", "cloud", "network", "web")
"""Folders under detections/ (and detections/experimental/) that are published."""

UNPUBLISHED_TYPES = frozenset({"Baseline", "Investigation"})

T = TypeVar("T")


class _Skip(Exception):
    """A field the object cannot do without is unusable; the issue is recorded."""


@dataclass
class _Fields:
    """Typed access to one YAML mapping, recording issues with their location."""

    source: Source
    data: dict
    issues: list[Issue]
    keys: tuple[str, ...] = ()

    def _report(self, key: str | None, message: str, *more: str | int) -> None:
        keys = self.keys + ((key,) if key else ()) + more
        self.issues.append(Issue(self.source.path, self.source.line(*keys), Severity.ERROR, message))

    def _label(self, key: str) -> str:
        return ".".join(self.keys + (key,))

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
        value = self._get(key, required)
        if value is None:
            return None if key in self.data else ""
        if isinstance(value, (datetime.date, int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self._report(key, f"field '{self._label(key)}' must be text, not {_type_name(value)}")
            if required:
                raise _Skip
            return ""
        return value

    def version(self, key: str = "version") -> int | str:
        value = self._get(key, True)
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            self._report(key, f"field '{self._label(key)}' must be a number, not {_type_name(value)}")
            raise _Skip
        return value

    def number(self, key: str) -> int | float | None:
        value = self._get(key, False)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self._report(key, f"field '{self._label(key)}' must be a number, not {_type_name(value)}")
            return None
        return value

    def texts(self, key: str, required: bool = False) -> tuple[str, ...]:
        """A list of text items.

        A text where a list belongs is read as the list of its characters, which
        is what the published generator showed (`app_list: None` gave the tags
        N, o, n, e); it is reported so that the source can be fixed.
        """
        value = self._get(key, required)
        if value is None:
            return ()
        if isinstance(value, str):
            self.issues.append(Issue(self.source.path, self.source.line(*self.keys, key), Severity.WARNING,
                                     f"field '{self._label(key)}' should be a list, not text; "
                                     "each of its characters is shown as an item"))
            return tuple(value)
        if not isinstance(value, list):
            self._report(key, f"field '{self._label(key)}' must be a list, not {_type_name(value)}")
            if required:
                raise _Skip
            return ()
        items = []
        for index, item in enumerate(value):
            if isinstance(item, (str, int, float, datetime.date)) and not isinstance(item, bool):
                items.append(str(item))
            elif item == []:
                # security_content has `- []` placeholders; the published site shows them as "[]".
                self.issues.append(Issue(self.source.path, self.source.line(*self.keys, key, index),
                                         Severity.WARNING, f"item {index + 1} of '{self._label(key)}' is an empty list"))
                items.append("[]")
            else:
                self._report(key, f"item {index + 1} of '{self._label(key)}' must be text, not {_type_name(item)}", index)
        return tuple(items)

    def mapping(self, key: str) -> "_Fields":
        value = self._get(key, False)
        if value is None:
            value = {}
        elif not isinstance(value, dict):
            self._report(key, f"field '{self._label(key)}' must be a mapping, not {_type_name(value)}")
            value = {}
        return _Fields(self.source, value, self.issues, self.keys + (key,))


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


def read_yaml(path: Path, display: str, issues: list[Issue]) -> tuple[Source, dict] | None:
    """Parse one YAML file whose top level must be a mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        issues.append(Issue(display, None, Severity.ERROR, f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
        return None
    except OSError as exc:
        issues.append(Issue(display, None, Severity.ERROR, f"cannot be read: {exc.strerror}"))
        return None
    source = Source(display, text)
    try:
        data = yamlfast.load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        issues.append(Issue(display, line, Severity.ERROR, f"invalid YAML: {problem}"))
        return None
    except yaml.YAMLError as exc:
        issues.append(Issue(display, None, Severity.ERROR, f"invalid YAML: {exc}"))
        return None
    if not isinstance(data, dict):
        issues.append(Issue(display, 1, Severity.ERROR,
                            f"the file must hold a mapping of fields, not {_type_name(data)}"))
        return None
    return source, data


def _build(read: tuple[Source, dict] | None, issues: list[Issue], make: Callable[[_Fields], T]) -> T | None:
    if read is None:
        return None
    source, data = read
    try:
        return make(_Fields(source, data, issues))
    except _Skip:
        return None


def _detection(kind: str, experimental: bool) -> Callable[[_Fields], Detection | None]:
    def make(f: _Fields) -> Detection | None:
        type_ = f.text("type")
        t = f.mapping("tags")
        detection = Detection(
            name=f.text("name"),
            id=f.text("id"),
            version=f.version(),
            date=f.text("date"),
            author=f.text("author", required=False),
            type=type_,
            datamodel=f.texts("datamodel"),
            description=f.text("description", required=False),
            search=f.text("search"),
            how_to_implement=f.text("how_to_implement", required=False),
            known_false_positives=f.text("known_false_positives", required=False),
            references=f.texts("references"),
            tags=DetectionTags(
                analytic_story=t.texts("analytic_story"),
                kill_chain_phases=t.texts("kill_chain_phases"),
                mitre_attack_id=t.texts("mitre_attack_id"),
                product=t.texts("product"),
                required_fields=t.texts("required_fields"),
                dataset=t.texts("dataset"),
                cve=t.texts("cve"),
                impact=t.number("impact"),
                confidence=t.number("confidence"),
                message=t.text("message", required=False),
                has_observables=bool(t.data.get("observable")),
            ),
            kind=kind,
            experimental=experimental,
            source=f.source,
        )
        return None if type_ in UNPUBLISHED_TYPES else detection

    return make


def _story(f: _Fields) -> Story:
    t = f.mapping("tags")
    return Story(
        name=f.text("name"),
        id=f.text("id"),
        version=f.version(),
        date=f.text("date"),
        author=f.text("author", required=False),
        description=f.text("description", required=False),
        narrative=f.text("narrative", required=False),
        references=f.texts("references"),
        category=t.texts("category"),
        product=t.texts("product"),
        source=f.source,
    )


def _macro(f: _Fields) -> Macro:
    return Macro(
        name=f.text("name"),
        definition=f.text("definition", required=False),
        description=f.text("description", required=False),
        source=f.source,
    )


def _lookup(f: _Fields) -> Lookup:
    return Lookup(
        name=f.text("name"),
        description=f.text("description", required=False),
        filename=f.text("filename", required=False),
        source=f.source,
    )


def _playbook(f: _Fields) -> Playbook:
    t = f.mapping("tags")
    return Playbook(
        name=f.text("name"),
        id=f.text("id"),
        version=f.version(),
        date=f.text("date"),
        author=f.text("author", required=False),
        type=f.text("type", required=False),
        description=f.text("description", required=False),
        how_to_implement=f.text("how_to_implement", required=False),
        playbook=f.text("playbook", required=False),
        references=f.texts("references"),
        app_list=f.texts("app_list"),
        detections=t.texts("detections"),
        platform_tags=t.texts("platform_tags"),
        product=t.texts("product"),
        required_fields=t.texts("playbook_fields"),
        source=f.source,
    )


def _yaml_files(folder: Path, recursive: bool = False) -> list[Path]:
    if not folder.is_dir():
        return []
    pattern = "**/*.yml" if recursive else "*.yml"
    return sorted(p for p in folder.glob(pattern) if p.is_file())


def load_content(root: Path) -> tuple[Content, list[Issue]]:
    """Load every published source under `root`; never raises for bad content."""
    issues: list[Issue] = []

    def load_all(paths: list[Path], make: Callable[[_Fields], T | None]) -> tuple[T, ...]:
        loaded = []
        for path in paths:
            display = path.relative_to(root).as_posix()
            item = _build(read_yaml(path, display, issues), issues, make)
            if item is not None:
                loaded.append(item)
        return tuple(loaded)

    detections: list[Detection] = []
    for experimental in (False, True):
        base = root / "detections" / "experimental" if experimental else root / "detections"
        for kind in DETECTION_KINDS:
            detections.extend(load_all(_yaml_files(base / kind), _detection(kind, experimental)))
    detections.sort(key=lambda d: d.source.path)

    content = Content(
        detections=tuple(detections),
        stories=load_all(_yaml_files(root / "stories"), _story),
        macros=load_all(_yaml_files(root / "macros"), _macro),
        lookups=load_all(_yaml_files(root / "lookups"), _lookup),
        playbooks=load_all(_yaml_files(root / "playbooks", recursive=True), _playbook),
    )
    return content, issues
