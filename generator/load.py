"""Load: read a content directory (the security_content layout) into models.

Every file is read and checked; problems become `Issue`s and the object is
left out only when a field it cannot do without is unusable. Files are visited
in sorted order, so nothing downstream depends on directory listing order.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Hashable, Sequence

import yaml

from . import schema, yamlfast
from .issues import Issue, Severity, counted
from .models import Content, DetectionFolder, Source, Unread
from .parallel import split_map
from .tree import ContentTree, DirectoryTree, Listing, Unreadable


Parsed = tuple[str | None, Any, tuple[int | None, str] | None]
"""(text, data, None) for a parsed file, or (text or None, None, (line, message)) for a problem."""


def parse_file(path: Path, duplicates: list | None = None) -> Parsed:
    """Read and parse one file: (text, data, None), or the problem as (.., .., (line, message)).

    Keys given twice in a mapping are appended to `duplicates` as (line, key, first line)."""
    try:
        text = DirectoryTree(path.parent).read_text(path.name)
    except Unreadable as exc:
        return None, None, (None, exc.message)
    return parse_text(text, duplicates)


def parse_text(text: str, duplicates: list | None = None) -> Parsed:
    """Parse one file's text: (text, data, None), or the problem as (text, None, (line, message))."""
    try:
        return text, yamlfast.load(text, duplicates), None
    except yaml.MarkedYAMLError as exc:
        line, message = _yaml_problem(exc)
        return text, None, (line, message + _hint(exc, text))
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: located by its position
        line = _reader_line(text, exc.position)
        character = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        return text, None, (line, f"invalid YAML: unacceptable character {character}: {exc.reason}")
    except yaml.YAMLError as exc:
        return text, None, (None, f"invalid YAML: {' '.join(str(exc).split())}")
    except RecursionError:
        return text, None, (None, "invalid YAML: nested too deeply")


OPENED = ("while parsing a flow", "while scanning a quoted scalar", "while scanning a simple key")
"""Contexts of a YAML error that name something opened and never closed (a `[`, `{` or quote, a key without its
`:`): the parser notices it lines later, but the mistake is where it was opened."""


def _yaml_problem(exc: yaml.MarkedYAMLError) -> tuple[int | None, str]:
    """(line, message) of a YAML error, located where the mistake most likely is."""
    context, problem = exc.context_mark, exc.problem_mark
    if (exc.context and exc.context.startswith(OPENED) and context is not None and problem is not None
            and context.line < problem.line):
        noticed = f"{exc.problem} (line {problem.line + 1})"
        return context.line + 1, f"invalid YAML: {exc.context} that starts on this line: {noticed}"
    mark = problem or context
    message = " ".join(part for part in (exc.context, exc.problem) if part)
    return (mark.line + 1 if mark else None), f"invalid YAML: {message}"


def _hint(exc: yaml.MarkedYAMLError, text: str) -> str:
    """What usually causes the parser's problem, said the way a content author can act on it ("" where the
    problem has no usual cause)."""
    problem = exc.problem or ""
    if problem.startswith("mapping values are not allowed"):
        return " (a value that holds ': ' must be quoted; or this line is indented deeper than the key before it)"
    if problem == "did not find expected key":
        item = _misaligned_item(text, exc.problem_mark.line) if exc.problem_mark is not None else None
        if item is not None:
            return (f" (this list item is indented {counted(item[0], 'space')} and the one above it {item[1]}: the "
                    "items of a list start in one column)")
        return " (is this line indented like the other keys of its block?)"
    if exc.context == "while scanning a block scalar" and exc.problem_mark is not None:
        lines = text.splitlines()
        line = lines[exc.problem_mark.line] if exc.problem_mark.line < len(lines) else ""
        if line.lstrip().startswith(("|", ">")) and exc.problem_mark.line > 0:
            # A search's stage indented less than the `search: |` block it belongs to ends the block there, and
            # its `|` is read as the start of another block.
            return (" (this line is indented less than the block above it, which ends the block, and its "
                    f"'{line.lstrip()[0]}' starts another: indent it like the block's other lines)")
    if problem.startswith("found character that cannot start any token") and exc.problem_mark is not None:
        lines = text.splitlines()
        mark = exc.problem_mark
        found = lines[mark.line][mark.column:mark.column + 1] if mark.line < len(lines) else ""
        if found == "\t":
            return " (a tab: YAML is indented with spaces only)"
        if found in ("`", "@", "%"):
            return f" (a value that starts with {found} must be quoted)"
    return ""


def _misaligned_item(text: str, line: int) -> tuple[int, int] | None:
    """(its indentation, the previous item's) where line `line` (0-based) is a list item indented unlike the
    list item on the nearest line above it that holds one; None otherwise."""
    lines = text.splitlines()
    if line >= len(lines) or not lines[line].lstrip().startswith("- "):
        return None
    indent = len(lines[line]) - len(lines[line].lstrip(" "))
    for above in reversed(lines[:line]):
        stripped = above.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        if not stripped.startswith("- "):
            return None
        above_indent = len(above) - len(stripped)
        return (indent, above_indent) if above_indent != indent else None
    return None


def _reader_line(text: str, position: Any) -> int | None:
    """The line of a character YAML refused: libyaml (yamlfast's parser) counts positions in UTF-8 bytes, PyYAML
    in characters."""
    if not isinstance(position, int):
        return None
    before = text.encode("utf-8")[:position].decode("utf-8", "ignore") if hasattr(yaml, "CSafeLoader") \
        else text[:position]
    return before.count("\n") + 1


Task = tuple[str, Callable[[Any], Any]]
"""A file to load: its path in the content tree (as reported), and the function that makes its model."""


def _load_files(tree: ContentTree, tasks: Sequence[Task]) -> list[tuple[Any, list[Issue]]]:
    """Read, parse and make the model of each file: (model or None, the file's issues), task for task."""
    results = []
    for path, make in tasks:
        try:
            text = tree.read_text(path)
        except Unreadable as exc:
            results.append((None, [Issue(path, None, exc.severity, exc.message)]))
            continue
        duplicates: list[tuple[int, str, int, bool]] = []
        results.append(_model(parse_text(text, duplicates), duplicates, path, make))
    return results


def _model(parsed: Parsed, duplicates: list, display: str, make: Callable[[Any], Any]) -> tuple[Any, list[Issue]]:
    """(the model, the file's issues); in place of the model, None for a file that does not parse and an `Unread`
    holding the partial model of one that lacks what its kind needs (its `kind` is filled in by the caller)."""
    issues = [_duplicate(display, *duplicate) for duplicate in duplicates]
    checked = _checked(parsed, display, issues)
    if not checked:
        sketch = _sketch(parsed[0]) if parsed[0] else None
        if not sketch:
            return None, issues
        # The file's problem is its YAML: what the sketch lacks is not reported.
        model, _ = schema.read(Source(display, parsed[0]), sketch, [], make)
        return Unread("", Source(display, parsed[0]), model, parsed=False), issues
    model, usable = schema.read(*checked, issues, make)
    return (model if usable else Unread("", checked[0], model)), issues


_TOP_LEVEL_NAME_OR_ID = re.compile(r"^(name|id):[ \t]*(\S.*?)[ \t]*$", re.MULTILINE)
_SCALAR = re.compile(r"""'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|[^-?:,\[\]{}#&*!|>'"%@`\s](?:(?!: | #).)*""")
"""A single-line YAML scalar, quoted or plain: nothing that nests (a file that did not parse may nest
thousands deep on one line), nothing that starts a mapping or comment."""


def _sketch(text: str) -> dict[str, Any] | None:
    """The `name` and `id` a file that does not parse gives on lines of their own at its top level, each where it
    is one scalar (None when neither is): enough to know where its page would be."""
    found: dict[str, Any] = {}
    for match in _TOP_LEVEL_NAME_OR_ID.finditer(text):
        key, value = match.groups()
        if key in found or not _SCALAR.fullmatch(value):
            continue
        try:
            found[key] = yaml.safe_load(value)
        except yaml.YAMLError:
            continue
    return found or None


def _given_name(item: Unread | None) -> str:
    """The name a file left out for its errors gives (its partial model's, or its sketch's), or "" (the stand-in
    for a name missing or unusable)."""
    name = getattr(item.partial, "name", "") if item is not None else ""
    return name if isinstance(name, str) else ""


MAKERS = {"story": schema.story, "deprecated_story": schema.deprecated_story, "macro": schema.macro,
          "lookup": schema.lookup, "playbook": schema.playbook, "data_source": schema.data_source}


def model_from_text(display: str, text: str, kind: str, folder: DetectionFolder | None = None):
    """The model of one file given as its text (e.g. read from git), and the file's issues.

    `kind` is the folder it belongs to: "detection" (with its `folder`), "story", "deprecated_story" (of
    stories/deprecated/), "macro", "lookup", "playbook" or "data_source". The model is None when the file
    cannot make one (the issues say why).
    """
    make = schema.detection(folder) if kind == "detection" else MAKERS[kind]
    duplicates: list[tuple[int, str, int, bool]] = []
    model, issues = _model(parse_text(text, duplicates), duplicates, display, make)
    return (None if isinstance(model, Unread) else model), issues


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
    """The .yml files of `folder` (and below it, if `recursive`) that can be read, sorted by path.

    Kept for callers with a path; `load_content` lists through its content tree (`tree.yaml_files`), which
    also reports what it left out."""
    return [Path(folder, path) for path in DirectoryTree(folder).yaml_files("", recursive).paths]


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
    ContentFolder("stories/deprecated", "stories", schema.deprecated_story),
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


LINKED_WHEN_LEFT_OUT = ("detections", "baselines", "playbooks")
"""The kinds whose files, left out for their errors, are still linked for their problems (`Unread.partial`): what
they name (stories, techniques, macros, detections) is checked with their errors, not after them."""


class LoadCache:
    """What each source file gave last time, kept while the file's stamp (see `ContentTree.stamp`) is the same.

    `mkdocs serve` keeps one across rebuilds, so a rebuild reads only the
    files that changed. A result is a pure function of the file and the
    folder it is in, which is what the key holds.
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], tuple[Hashable, tuple[Any, list[Issue]]]] = {}
        self._known: set[tuple[str, str]] = set()
        """Every file of the last load, kept or not (a file without a stamp is read again, not gone)."""
        self.read: list[str] = []
        """The files the last load read (the others came from here)."""
        self.gone: list[str] = []
        """The files the load before the last one read that the last one did not find (deleted, moved away)."""

    def get(self, key: tuple[str, str], stamp: Hashable | None) -> tuple[Any, list[Issue]] | None:
        entry = self._entries.get(key)
        return entry[1] if entry is not None and stamp is not None and entry[0] == stamp else None

    def keep(self, results: dict[tuple[str, str], tuple[Hashable | None, tuple[Any, list[Issue]]]]) -> None:
        """Keep exactly these results (files no longer there are forgotten, and those without a stamp)."""
        self.gone = sorted({path for path, _ in self._known} - {path for path, _ in results})
        self._known = set(results)
        self._entries = {key: value for key, value in results.items() if value[0] is not None}


Group = tuple["Listing | list[Path]", Callable[[Any], Any], str]
"""The files of one folder (a `Listing`, or paths under the content directory), what makes their models, and the
kind of model (part of the cache's key)."""


def load_content(root: Path | ContentTree, detection_folders: Sequence[DetectionFolder],
                 cache: LoadCache | None = None) -> tuple[Content, list[Issue]]:
    """Load every published source under `root` (a content directory, or a `ContentTree`); never raises for bad
    content.

    Files are visited in sorted path order and their issues kept in that
    order, so neither the result nor the order of issues depends on how the
    work was split over the cores, or on what `cache` held.
    """
    tree = DirectoryTree(root) if isinstance(root, (str, os.PathLike)) else root
    issues: list[Issue] = []
    groups: list[Group] = []
    for folder in detection_folders:
        kind = f"detection {folder.path} {folder.kind} {folder.experimental} {folder.ssa}"
        groups.append((tree.yaml_files(folder.path), schema.detection(folder), kind))
    for folder in CONTENT_FOLDERS:
        if folder.single_file:  # read (and refused, if it must be) like any listed file, when it is there
            found: Listing | list[Path] = Listing((folder.path,) if tree.exists(folder.path) else (), ())
        else:
            found = tree.yaml_files(folder.path, folder.recursive)
        groups.append((found, folder.make, f"{folder.kind} {folder.path}"))

    listed: list[list[str]] = []
    for found, _, _ in groups:
        if isinstance(found, Listing):
            issues.extend(issue for issue in found.issues if issue not in issues)  # a linked parent: once
            listed.append(list(found.paths))
        else:
            listed.append([Path(path).relative_to(root).as_posix() for path in found])  # from `_yaml_files`
    # Files are read, parsed and made into models on both cores where possible; the
    # results come back in task order, so nothing depends on the split.
    tasks = [(path, make, kind) for paths, (_, make, kind) in zip(listed, groups) for path in paths]
    if cache is None:  # nothing to reuse or keep: no file's stamp is needed
        loaded = split_map(lambda share: _load_files(tree, share), [task[:2] for task in tasks])
    else:
        stamps = [tree.stamp(path) for path, _, _ in tasks]
        known = [cache.get((path, kind), stamp) for (path, _, kind), stamp in zip(tasks, stamps)]
        fresh = iter(split_map(lambda share: _load_files(tree, share),
                               [task[:2] for task, result in zip(tasks, known) if result is None]))
        loaded = [result if result is not None else next(fresh) for result in known]
        cache.read = [path for (path, _, _), result in zip(tasks, known) if result is None]
        cache.keep({(task[0], task[2]): (stamp, result) for task, stamp, result in zip(tasks, stamps, loaded)})
    results = iter(loaded)
    built: list[list[Any]] = []
    unread: list[Unread] = []
    for index, paths in enumerate(listed):
        items = []
        kind = "detections" if index < len(detection_folders) else CONTENT_FOLDERS[index - len(detection_folders)].kind
        for path in paths:
            item, file_issues = next(results)
            issues.extend(file_issues)
            if isinstance(item, Unread) and kind in LINKED_WHEN_LEFT_OUT:  # the link stage checks their partial models
                unread.append(Unread(kind, item.source, item.partial, item.parsed, _given_name(item)))
            elif item is not None and not isinstance(item, Unread):
                items.append(item)
            else:  # by path and name alone: what refers to it asks for no more, and an edit that keeps it broken
                # and its name changes nothing
                unread.append(Unread(kind, Source(path, ""), parsed=item is not None and item.parsed,
                                     name=_given_name(item)))
        built.append(items)

    by_kind: dict[str, list[Any]] = {}
    for items, folder in zip(built[len(detection_folders):], CONTENT_FOLDERS):
        by_kind.setdefault(folder.kind, []).extend(items)
    detections = [d for items in built[:len(detection_folders)] for d in items]
    kinds = {kind: tuple(sorted(items, key=lambda item: item.source.path)) for kind, items in by_kind.items()}
    build = kinds.pop("build", ())
    content = Content(detections=tuple(sorted(detections, key=lambda d: d.source.path)), **kinds,
                      unread=tuple(sorted(unread, key=lambda item: item.source.path)),
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
            settings = yaml.safe_load(DirectoryTree(directory).read_text(name))
        except (Unreadable, yaml.YAMLError):
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


def app_release(directory: Path) -> str:
    """The release a content directory is, as its app names it: its title and version from contentctl.yml (until
    ESCU 6) or its label and app version from build.yml (ESCU 6), e.g. "ES Content Updates 5.0.0"; "" where
    neither gives a version."""
    app = app_settings(directory)
    return f"{app.get('title', 'version')} {app['version']}" if "version" in app else ""


def folder_name(directory: Path) -> str:
    """The content directory's own name, as given or resolved ("source" for ../corpus/source)."""
    return Path(os.path.normpath(os.path.abspath(directory))).name


def content_label(directory: Path) -> str:
    """The name readers know a content directory by: its app's release (`app_release`), else its folder's name."""
    return app_release(directory) or folder_name(directory)
