"""Load: read a content directory (the security_content layout) into models.

Every file is read and checked; problems become `Issue`s and the object is
left out only when a field it cannot do without is unusable. Files are visited
in sorted order, so nothing downstream depends on directory listing order.
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

import yaml

from . import yamlfast
from .issues import Issue, Severity
from .models import (
    AddOn,
    AttackData,
    Content,
    DataSource,
    Detection,
    DetectionFolder,
    DetectionTags,
    DetectionTest,
    Drilldown,
    FieldMapping,
    Lookup,
    Macro,
    Observable,
    Playbook,
    Source,
    Story,
)
from .costly import costly_markdown
from .parallel import split_map
from .slug import name_problem

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

    def name(self, key: str = "name") -> str:
        """A name that makes a page (its slug is a file name): the object is left out if it cannot be one."""
        value = self.text(key)
        problem = name_problem(value)
        if problem:
            self._report(key, f"field '{self._label(key)}' {problem}")
            raise _Skip
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
        value = self.text(key, required)
        if not value and not required:
            return ""
        match = _DATE.fullmatch(value)
        try:
            if match is None:
                raise ValueError
            datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            self._report(key, f"field '{self._label(key)}' must be a date (YYYY-MM-DD), not {(value or '')[:40]!r}")
            if required:
                raise _Skip
            return ""
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
            else:
                self._report(key, f"item {index + 1} of '{self._label(key)}' must be text, not {_type_name(item)}", index)
        return tuple(items)

    def records(self, key: str) -> list["_Fields"]:
        """A list of mappings (e.g. `tests`), each with typed access; other items are reported."""
        value = self._get(key, False)
        if value is None:
            return []
        if not isinstance(value, list):
            self._report(key, f"field '{self._label(key)}' must be a list, not {_type_name(value)}")
            return []
        records = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                records.append(_Fields(self.source, item, self.issues, self.keys + (key, index)))
            else:
                self._report(key, f"item {index + 1} of '{self._label(key)}' must be a mapping, "
                                  f"not {_type_name(item)}", index)
        return records

    def mapping(self, key: str) -> "_Fields":
        value = self._get(key, False)
        if value is None:
            value = {}
        elif not isinstance(value, dict):
            self._report(key, f"field '{self._label(key)}' must be a mapping, not {_type_name(value)}")
            value = {}
        return _Fields(self.source, value, self.issues, self.keys + (key,))


_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


Parsed = tuple[str | None, Any, tuple[int | None, str] | None]
"""(text, data, None) for a parsed file, or (text or None, None, (line, message)) for a problem."""


def parse_file(path: Path, duplicates: list | None = None) -> Parsed:
    """Read and parse one file: (text, data, None), or the problem as (.., .., (line, message)).

    Keys given twice in a mapping are appended to `duplicates` as (line, key, first line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, None, (None, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    except OSError as exc:
        return None, None, (None, f"cannot be read: {exc.strerror}")
    try:
        return text, yamlfast.load(text, duplicates), None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        return text, None, (mark.line + 1 if mark else None, f"invalid YAML: {problem}")
    except yaml.YAMLError as exc:
        return text, None, (None, f"invalid YAML: {exc}")
    except RecursionError:
        return text, None, (None, "invalid YAML: nested too deeply")


Task = tuple[Path, str, Callable[["_Fields"], Any]]
"""A file to load: its path, its path as reported, and the function that makes its model."""


def _load_files(tasks: Sequence[Task]) -> list[tuple[Any, list[Issue]]]:
    """Parse each file and make its model: (model or None, the file's issues), task for task."""
    results = []
    for path, display, make in tasks:
        issues: list[Issue] = []
        duplicates: list[tuple[int, str, int]] = []
        parsed = parse_file(path, duplicates)
        issues.extend(Issue(display, line, Severity.ERROR, f"key '{key}' is given twice in the same mapping "
                                                         f"(first on line {first}); the last one is used")
                      for line, key, first in duplicates)
        results.append((_build(_checked(parsed, display, issues), issues, make), issues))
    return results


def _checked(parsed: Parsed, display: str, issues: list[Issue]) -> tuple[Source, dict] | None:
    text, data, problem = parsed
    if problem is not None:
        line, message = problem
        issues.append(Issue(display, line, Severity.ERROR, message))
        return None
    if not isinstance(data, dict):
        issues.append(Issue(display, 1, Severity.ERROR,
                            f"the file must hold a mapping of fields, not {_type_name(data)}"))
        return None
    return Source(display, text), data


def _build(read: tuple[Source, dict] | None, issues: list[Issue], make: Callable[[_Fields], T]) -> T | None:
    if read is None:
        return None
    source, data = read
    try:
        return make(_Fields(source, data, issues))
    except _Skip:
        return None


def _each(records: list["_Fields"], make: Callable[["_Fields"], T]) -> tuple[T, ...]:
    """`make` of each record; a record missing a field it cannot do without is left out (and reported)."""
    made = []
    for record in records:
        try:
            made.append(make(record))
        except _Skip:
            pass
    return tuple(made)


def _observable(f: _Fields) -> Observable:
    return Observable(f.text("name"), f.text("type", required=False) or "", f.texts("role"))


def _attack_data(f: _Fields) -> AttackData:
    return AttackData(f.text("data"), f.text("source", required=False) or "", f.text("sourcetype", required=False) or "")


def _test(f: _Fields) -> DetectionTest:
    return DetectionTest(f.text("name", required=False) or "", _each(f.records("attack_data"), _attack_data))


def _drilldown(f: _Fields) -> Drilldown:
    return Drilldown(f.text("name"), f.text("search"), f.text("earliest_offset", required=False) or "",
                     f.text("latest_offset", required=False) or "")


def _detection(folder: DetectionFolder) -> Callable[[_Fields], Detection | None]:
    def make(f: _Fields) -> Detection | None:
        type_ = f.text("type")
        t = f.mapping("tags")
        status = f.text("status", required=False) or ""
        return Detection(
            name=f.name(),
            id=f.text("id"),
            version=f.version(),
            date=f.date(),
            author=f.text("author", required=False),
            type=type_,
            datamodel=f.names("datamodel"),
            description=f.markdown("description"),
            search=f.text("search"),
            how_to_implement=f.markdown("how_to_implement"),
            known_false_positives=f.markdown("known_false_positives"),
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
                observables=_each(t.records("observable"), _observable),
                atomic_guid=t.texts("atomic_guid"),
                supported_tas=t.texts("supported_tas"),
                security_domain=t.text("security_domain", required=False) or "",
                manual_test=t.text("manual_test", required=False) or "",
            ),
            kind=folder.kind,
            experimental=folder.experimental or status == "experimental",
            source=f.source,
            status=status,
            ssa=folder.ssa,
            data_source=f.texts("data_source"),
            tests=_each(f.records("tests"), _test),
            drilldown_searches=_each(f.records("drilldown_searches"), _drilldown),
            misplaced_cve=f.texts("cve"),
        )

    return make


def _story(f: _Fields) -> Story:
    t = f.mapping("tags")
    f.expected("id")
    f.expected("version")
    return Story(
        name=f.name(),
        id=f.text("id", required=False) or "",
        version=f.version(required=False),
        date=f.date(),
        author=f.text("author", required=False),
        description=f.markdown("description"),
        narrative=f.markdown("narrative"),
        references=f.texts("references"),
        category=t.names("category"),
        product=t.texts("product"),
        source=f.source,
    )


def _macro(f: _Fields) -> Macro:
    return Macro(
        name=f.name(),
        definition=f.text("definition", required=False),
        description=f.markdown("description"),
        source=f.source,
    )


def _lookup(f: _Fields) -> Lookup:
    return Lookup(
        name=f.name(),
        description=f.markdown("description"),
        filename=f.text("filename", required=False),
        source=f.source,
    )


def _playbook(f: _Fields) -> Playbook:
    t = f.mapping("tags")
    return Playbook(
        name=f.name(),
        id=f.text("id"),
        version=f.version(),
        date=f.date(),
        author=f.text("author", required=False),
        type=f.optional_name("type"),
        description=f.markdown("description"),
        how_to_implement=f.markdown("how_to_implement"),
        playbook=f.text("playbook", required=False),
        references=f.texts("references"),
        app_list=f.names("app_list"),
        detections=t.texts("detections"),
        platform_tags=t.texts("platform_tags"),
        product=t.texts("product"),
        required_fields=t.texts("playbook_fields"),
        source=f.source,
        vpe_type=t.text("vpe_type", required=False) or "",
        use_cases=t.names("use_cases"),
        defend_technique_id=t.texts("defend_technique_id"),
    )


def _add_on(f: _Fields) -> AddOn:
    return AddOn(f.text("name"), f.text("url", required=False) or "", f.text("version", required=False) or "")


def _field_mapping(f: _Fields) -> FieldMapping:
    pairs = f.mapping("mapping").data
    return FieldMapping(f.text("data_model", required=False) or "", f.text("data_set", required=False) or "",
                        tuple((str(k), str(v)) for k, v in pairs.items()))


def _data_source(f: _Fields) -> DataSource:
    return DataSource(
        name=f.name(),
        id=f.text("id", required=False) or "",
        version=f.version(required=False),
        date=f.date(required=False),
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
    )


def _yaml_files(folder: Path, recursive: bool = False) -> list[Path]:
    """The .yml files of `folder` (and below it, if `recursive`), sorted by path."""
    found: list[str] = []
    pending = [str(folder)]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.name.endswith(".yml") and (entry.is_symlink() or entry.is_file()):
                found.append(entry.path)
            elif recursive and entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
    return [Path(path) for path in sorted(found)]


def _outside(link: Path, inside: str) -> str | None:
    """Why a symbolic link among the sources is not read, or None when it leads to a file inside the content."""
    try:
        target = os.path.realpath(link, strict=True)
    except OSError:
        return "is a symbolic link that leads nowhere (a loop or a missing file); it is not read"
    if os.path.commonpath([target, inside]) != inside:
        return "is a symbolic link to a file outside the content directory; it is not read"
    if not os.path.isfile(target):
        return "is a symbolic link to something that is not a file; it is not read"
    return None


class LoadCache:
    """What each source file gave last time, kept while the file's size and modification time stay the same.

    `mkdocs serve` keeps one across rebuilds, so a rebuild reads only the
    files that changed. A result is a pure function of the file and the
    folder it is in, which is what the key holds.
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], tuple[tuple[int, int, int], tuple[Any, list[Issue]]]] = {}

    @staticmethod
    def stamp(path: Path) -> tuple[int, int, int] | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size, stat.st_ino)

    def get(self, key: tuple[str, str], stamp) -> tuple[Any, list[Issue]] | None:
        entry = self._entries.get(key)
        return entry[1] if entry is not None and stamp is not None and entry[0] == stamp else None

    def keep(self, results: dict[tuple[str, str], tuple[Any, tuple[Any, list[Issue]]]]) -> None:
        """Keep exactly these results (files no longer there are forgotten)."""
        self._entries = {key: value for key, value in results.items() if value[0] is not None}


def load_content(root: Path, detection_folders: Sequence[DetectionFolder],
                 cache: LoadCache | None = None) -> tuple[Content, list[Issue]]:
    """Load every published source under `root`; never raises for bad content.

    Files are visited in sorted path order and their issues kept in that
    order, so neither the result nor the order of issues depends on how the
    work was split over the cores, or on what `cache` held.
    """
    issues: list[Issue] = []
    groups: list[tuple[list[Path], Callable[[_Fields], Any], str]] = []
    for folder in detection_folders:
        kind = f"detection {folder.path} {folder.kind} {folder.experimental} {folder.ssa}"
        groups.append((_yaml_files(root / folder.path), _detection(folder), kind))
    for folder, make in (("stories", _story), ("macros", _macro), ("lookups", _lookup),
                         ("data_sources", _data_source)):
        groups.append((_yaml_files(root / folder), make, folder))
    groups.append((_yaml_files(root / "playbooks", recursive=True), _playbook, "playbooks"))

    inside = os.path.realpath(root)
    for paths, _, _ in groups:
        for path in [path for path in paths if path.is_symlink()]:
            problem = _outside(path, inside)
            if problem:
                issues.append(Issue(path.relative_to(root).as_posix(), None, Severity.ERROR, problem))
                paths.remove(path)
    # Files are parsed and made into models on both cores where possible; the
    # results come back in task order, so nothing depends on the split.
    tasks = [(path, path.relative_to(root).as_posix(), make, kind) for paths, make, kind in groups for path in paths]
    cache = cache if cache is not None else LoadCache()
    stamps = [LoadCache.stamp(path) for path, _, _, _ in tasks]
    known = [cache.get((str(path), kind), stamp) for (path, _, _, kind), stamp in zip(tasks, stamps)]
    fresh = iter(split_map(_load_files, [task[:3] for task, result in zip(tasks, known) if result is None]))
    loaded = [result if result is not None else next(fresh) for result in known]
    cache.keep({(str(task[0]), task[3]): (stamp, result) for task, stamp, result in zip(tasks, stamps, loaded)})
    results = iter(loaded)
    built: list[list[Any]] = []
    for paths, _, _ in groups:
        items = []
        for _ in paths:
            item, file_issues = next(results)
            issues.extend(file_issues)
            if item is not None:
                items.append(item)
        built.append(items)

    detections = sorted((d for items in built[:-5] for d in items), key=lambda d: d.source.path)
    stories, macros, lookups, data_sources, playbooks = built[-5:]
    content = Content(detections=tuple(detections), stories=tuple(stories), macros=tuple(macros),
                      lookups=tuple(lookups), playbooks=tuple(playbooks), data_sources=tuple(data_sources))
    return content, issues


def app_settings(directory: Path) -> dict[str, str]:
    """What a content directory says of the Splunk app it builds: "id", "title" and "version", each where given.

    From `contentctl.yml` (its `app:` block: appid, title, version), or ESCU 6's
    `build.yml` (id, label, app_version); {} when neither can be read.
    """
    for name, block, keys in (("contentctl.yml", "app", ("appid", "title", "version")),
                              ("build.yml", None, ("id", "label", "app_version"))):
        try:
            with open(directory / name, encoding="utf-8") as stream:
                settings = yaml.safe_load(stream)
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue
        app = settings.get(block) if block and isinstance(settings, dict) else settings
        if not isinstance(app, dict):
            continue
        found = {}
        for wanted, key in zip(("id", "title", "version"), keys):
            value = app.get(key)
            if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
                found[wanted] = " ".join(str(value).split())
        return found
    return {}


def content_label(directory: Path) -> str:
    """The name readers know a content directory by: its app title and version from contentctl.yml (or ESCU 6's
    build.yml), else its folder's name."""
    app = app_settings(directory)
    if "version" in app:
        return f"{app.get('title', 'version')} {app['version']}"
    return Path(os.path.normpath(os.path.abspath(directory))).name
