"""Load: read a content directory (the security_content layout) into models.

Every file is read and checked; problems become `Issue`s and the object is
left out only when a field it cannot do without is unusable. Files are visited
in sorted order, so nothing downstream depends on directory listing order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import yaml

from . import schema, yamlfast
from .issues import Issue, Severity
from .models import Content, DetectionFolder, Source
from .parallel import split_map


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


Task = tuple[Path, str, Callable[[Any], Any]]
"""A file to load: its path, its path as reported, and the function that makes its model."""


def _load_files(tasks: Sequence[Task]) -> list[tuple[Any, list[Issue]]]:
    """Parse each file and make its model: (model or None, the file's issues), task for task."""
    results = []
    for path, display, make in tasks:
        issues: list[Issue] = []
        duplicates: list[tuple[int, str, int, bool]] = []
        parsed = parse_file(path, duplicates)
        issues.extend(_duplicate(display, *duplicate) for duplicate in duplicates)
        checked = _checked(parsed, display, issues)
        results.append((schema.read(*checked, issues, make) if checked else None, issues))
    return results


def _duplicate(display: str, line: int, key: str, first: int, same: bool) -> Issue:
    """A key given twice in a mapping: an error, or a warning when both give the same value (nothing is lost)."""
    if same:
        return Issue(display, line, Severity.WARNING,
                     f"key '{key}' is given twice in the same mapping (first on line {first}), with the same value")
    return Issue(display, line, Severity.ERROR, f"key '{key}' is given twice in the same mapping "
                                                f"(first on line {first}); the last one is used")


def _checked(parsed: Parsed, display: str, issues: list[Issue]) -> tuple[Source, dict] | None:
    text, data, problem = parsed
    if problem is not None:
        line, message = problem
        issues.append(Issue(display, line, Severity.ERROR, message))
        return None
    if not isinstance(data, dict):
        issues.append(Issue(display, 1, Severity.ERROR,
                            f"the file must hold a mapping of fields, not {schema.type_name(data)}"))
        return None
    return Source(display, text), data


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


@dataclass(frozen=True)
class ContentFolder:
    """A folder of sources of one kind (a field of `Content`) and the reader of its files."""

    path: str
    """Relative to the content directory."""
    kind: str
    make: Callable[[Any], Any]
    recursive: bool = False
    single_file: bool = False
    """`path` names one file, not a folder."""


CONTENT_FOLDERS = (
    ContentFolder("stories", "stories", schema.story),
    ContentFolder("macros", "macros", schema.macro),
    ContentFolder("lookups", "lookups", schema.lookup),
    ContentFolder("lookups/csv", "lookups", schema.lookup),  # ESCU 6 files lookups by backend
    ContentFolder("lookups/kvstore", "lookups", schema.lookup),
    ContentFolder("data_sources", "data_sources", schema.data_source),
    ContentFolder("playbooks", "playbooks", schema.playbook, recursive=True),
    ContentFolder("baselines", "baselines", schema.baseline(deprecated=False)),  # ESCU 5 on
    ContentFolder("baselines/deprecated", "baselines", schema.baseline(deprecated=True)),
    ContentFolder("investigations", "investigations", schema.investigation),  # ESCU 5
    ContentFolder("deployments", "schedules", schema.schedule_definition),  # ESCU 5
    ContentFolder("schedules", "schedules", schema.schedule_definition),  # ESCU 6
    ContentFolder("removed/detections", "removed",
                  schema.detection(DetectionFolder("removed/detections", "deprecated"), check_keys=False)),  # ESCU 6
    ContentFolder("build.yml", "build", schema.build_settings, single_file=True),  # ESCU 6
)
"""Every folder read besides the form's detection folders (`DETECTION_FOLDERS`), in order; several folders
may fill one kind. Files of each kind end up sorted by path."""


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
    groups: list[tuple[list[Path], Callable[[Any], Any], str]] = []
    for folder in detection_folders:
        kind = f"detection {folder.path} {folder.kind} {folder.experimental} {folder.ssa}"
        groups.append((_yaml_files(root / folder.path), schema.detection(folder), kind))
    for folder in CONTENT_FOLDERS:
        paths = [root / folder.path] if folder.single_file else _yaml_files(root / folder.path, folder.recursive)
        if folder.single_file and not paths[0].is_file():
            paths = []
        groups.append((paths, folder.make, f"{folder.kind} {folder.path}"))

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

    by_kind: dict[str, list[Any]] = {}
    for items, folder in zip(built[len(detection_folders):], CONTENT_FOLDERS):
        by_kind.setdefault(folder.kind, []).extend(items)
    detections = [d for items in built[:len(detection_folders)] for d in items]
    kinds = {kind: tuple(sorted(items, key=lambda item: item.source.path)) for kind, items in by_kind.items()}
    build = kinds.pop("build", ())
    content = Content(detections=tuple(sorted(detections, key=lambda d: d.source.path)), **kinds,
                      build=build[0] if build else None)
    return content, issues


def app_settings(directory: Path) -> dict[str, str]:
    """What a content directory says of the Splunk app it builds: "id", "title" and "version", each where given.

    From `contentctl.yml` (its `app:` block: appid, title, version), or ESCU 6's
    `build.yml` (id, label, app_version): the first that gives a version, else
    the first readable; {} when neither can be read.
    """
    first: dict[str, str] = {}
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
        if "version" in found:
            return found
        first = first or found
    return first


def content_label(directory: Path) -> str:
    """The name readers know a content directory by: its app title and version from contentctl.yml (until
    ESCU 6) or its label and app version from build.yml (ESCU 6), else its folder's name."""
    app = app_settings(directory)
    if "version" in app:
        return f"{app.get('title', 'version')} {app['version']}"
    return Path(os.path.normpath(os.path.abspath(directory))).name
