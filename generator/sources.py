"""Several content sources in one site: what each source is, and one content made of what each loaded.

A team's site may show Splunk's security_content beside detections of its
own. Each source is loaded on its own (in its own schema generation, with its
own reference files); `combine` then makes one content of them, deciding what
two sources both have (the same id, or the same page address) before anything
is linked or rendered:

- an identical copy (the same item, field for field, in another file) is kept once;
- a source with `overrides` replaces the other source's item (a tuned copy of
  a detection); the replacement is kept, so that its page can say so;
- anything else is an error at the later file naming the earlier one, whose
  item the site keeps.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Hashable, Iterable, Sequence

from .issues import Issue, Severity
from .load import LoadCache, app_release, app_settings, folder_name
from .models import BuildSettings, Content, Detection, Source
from .slug import slugify
from .tree import ContentTree, DirectoryTree, Listing

SPLUNK_APP_ID = "DA-ESS-ContentUpdate"
"""The app Splunk's security_content builds (ES Content Updates), as its contentctl.yml or build.yml names it."""

SPLUNK_GITHUB = "https://github.com/splunk/security_content"
"""Splunk's repository, whose files the published forms link in its `develop` branch."""
SPLUNK_REPOSITORY = f"{SPLUNK_GITHUB}/tree/develop"
"""Where the files of Splunk's content are on the web (the data source pages link their file there)."""


@dataclass(frozen=True)
class ContentSource:
    """One folder of content in the security_content layout, and how the site shows it."""

    path: Path
    """The folder (absolute)."""
    label: str
    """What readers know it by: the badge on its pages, the value of the `source` filter."""
    overrides: bool = False
    """Its items replace those of other sources with the same id or page address (a tuned copy)."""
    try_in_splunk: bool = True
    """Its pages show the published forms' "Try in Splunk" button."""
    splunk: bool = True
    """Splunk's content (or a site's only source): the published forms' banners that speak for Splunk's team
    speak for it."""
    repository: str = ""
    """The web address its files are under (a file's page links it there); "" for none."""
    cve_file: Path | None = None
    splunk_apps_file: Path | None = None
    d3fend_file: Path | None = None
    """Its own reference files; None where it has none (the site's are used)."""
    shown_as: str = ""
    """What the paths of its files start with in messages: its folder as given where the site has several
    sources (so that two sources' `detections/x.yml` differ), "" for a site's only source."""
    badge: bool = False
    """Its pages, listing rows and export items show its label: the site has several sources."""
    release: str = ""
    """The release its app's settings name ("ES Content Updates 5.0.0"), "" where they name none."""


def splunk_content(directory: Path) -> bool:
    """Is this Splunk's own security_content? Its contentctl.yml or build.yml says it builds ES Content Updates."""
    return app_settings(directory).get("id") == SPLUNK_APP_ID


def content_source(directory: Path, shown_as: str = "", *, several: bool = False, label: str | None = None,
                   overrides: bool = False, try_in_splunk: bool | None = None, repository: str | None = None,
                   cve_file: Path | None = None, splunk_apps_file: Path | None = None,
                   d3fend_file: Path | None = None) -> ContentSource:
    """A source with the defaults filled in.

    Its label defaults to its app's title and version, else its folder's
    name. Splunk's content (or the only source of a site, as before there
    were several) shows the "Try in Splunk" button and links its files to
    Splunk's repository; other sources do neither unless told to.
    """
    splunk = not several or splunk_content(directory)
    release = app_release(directory)
    return ContentSource(
        path=directory, label=label or release or folder_name(directory), overrides=overrides,
        try_in_splunk=splunk if try_in_splunk is None else try_in_splunk, splunk=splunk,
        repository=(SPLUNK_REPOSITORY if splunk else "") if repository is None else repository.rstrip("/"),
        cve_file=cve_file, splunk_apps_file=splunk_apps_file, d3fend_file=d3fend_file,
        shown_as=shown_as if several else "", badge=several, release=release)


def shown_path(given: str) -> str:
    """A folder as messages show it: as given, normalised ("./team/" -> "team")."""
    return Path(os.path.normpath(given)).as_posix()


def source_problems(sources: Sequence[ContentSource]) -> list[str]:
    """What makes a list of sources unusable (a missing folder, one folder or one label twice); [] if nothing."""
    problems = []
    seen_paths: dict[str, str] = {}
    seen_labels: dict[str, str] = {}
    for source in sources:
        where = source.shown_as or str(source.path)
        if not source.path.is_dir():
            problems.append(f"{where}: content directory not found")
            continue
        real = os.path.realpath(source.path)
        if real in seen_paths:
            problems.append(f"{where}: the same folder as the source {seen_paths[real]!r}; name each source once")
        seen_paths.setdefault(real, source.label)
        if source.label in seen_labels:
            problems.append(f"{where}: labelled {source.label!r} like {seen_labels[source.label]}; "
                            "give each source a label of its own")
        seen_labels.setdefault(source.label, where)
    return problems


class SourcesTree:
    """The files of several sources as one `ContentTree`, by the paths messages show: a path starts with its
    source's `shown_as` (a site's only source has none). Each source's files are read through its own
    `DirectoryTree`, with all its guarantees; a path that names no source is looked for in the first."""

    def __init__(self, sources: Sequence[ContentSource]):
        trees = [(source.shown_as + "/" if source.shown_as else "", DirectoryTree(source.path)) for source in sources]
        self._trees = sorted(trees, key=lambda pair: -len(pair[0]))  # "a/b/" before "a/"
        self._first = trees[0][1]

    def _tree(self, path: str) -> tuple[ContentTree, str, str]:
        """The tree a path is in, the path inside it, and its source's prefix."""
        for prefix, tree in self._trees:
            if prefix and path.startswith(prefix):
                return tree, path[len(prefix):], prefix
        return self._first, path, ""

    def yaml_files(self, folder: str, recursive: bool = False) -> Listing:
        tree, inside, prefix = self._tree(folder)
        found = tree.yaml_files(inside, recursive)
        return Listing(tuple(prefix + path for path in found.paths),
                       tuple(replace(issue, path=prefix + issue.path) for issue in found.issues))

    def read_text(self, path: str) -> str:
        tree, inside, _ = self._tree(path)
        return tree.read_text(inside)

    def read_bytes(self, path: str, limit: int) -> bytes:
        tree, inside, _ = self._tree(path)
        return tree.read_bytes(inside, limit)

    def stamp(self, path: str) -> Hashable | None:
        tree, inside, _ = self._tree(path)
        return tree.stamp(inside)

    def is_dir(self, folder: str) -> bool:
        tree, inside, _ = self._tree(folder)
        return tree.is_dir(inside)

    def exists(self, path: str) -> bool:
        tree, inside, _ = self._tree(path)
        return tree.exists(inside)


@dataclass
class SourceCache:
    """What a content source gave the last build, for the next (`mkdocs serve` keeps one per source folder):
    each file's model (`LoadCache`), and that model marked as the source's.

    A model the loader gives again (the same object: its file did not change) is marked as the same object
    again, so that what is remembered of it downstream (rendered pages) is found by identity, not compared."""

    load: LoadCache = field(default_factory=LoadCache)
    marked: dict[int, tuple[Any, Any]] = field(default_factory=dict)
    """id(loaded model) -> (the loaded model, the model marked)."""


def with_source(item: Any, source: Source) -> Any:
    """`replace(item, source=source)` for a model, at a tenth of the cost (a detection has 35 fields).

    A model is a frozen dataclass whose `__init__` only stores its fields, so
    the same fields with `source` changed, in a new object of its class, are
    what `replace` would make; a class that does more when made (a
    `__post_init__`, or no `__dict__`) goes through `replace`.
    """
    kind = type(item)
    if hasattr(kind, "__post_init__") or not hasattr(item, "__dict__"):
        return replace(item, source=source)
    made = object.__new__(kind)
    made.__dict__.update(item.__dict__, source=source)
    return made


def of_source(content: Content, issues: list[Issue], source: ContentSource,
              cache: SourceCache | None = None) -> tuple[Content, list[Issue]]:
    """What one source loaded, each file marked as the source's and shown under its `shown_as`."""
    prefix = source.shown_as + "/" if source.shown_as else ""
    earlier = cache.marked if cache is not None else {}
    kept: dict[int, tuple[Any, Any]] = {}

    def marked(item: Any) -> Any:
        known = earlier.get(id(item))
        if known is not None and known[0] is item and known[1].source.origin == source:
            kept[id(item)] = known
            return known[1]
        made = with_source(item, Source(prefix + item.source.path, item.source.text, source))
        kept[id(item)] = (item, made)
        return made

    kinds = {}
    for kind in fields(Content):
        value = getattr(content, kind.name)
        kinds[kind.name] = tuple(map(marked, value)) if isinstance(value, tuple) else \
            marked(value) if value is not None else None  # build.yml's settings, where the source has them
    if cache is not None:
        cache.marked = kept
    if prefix:
        issues = [replace(issue, path=prefix + issue.path) for issue in issues]
    return Content(**kinds), issues


@dataclass(frozen=True)
class Replacement:
    """An item that a source with `overrides` replaced: the one the site shows, and the one it replaced."""

    kind: str
    """"detection", "story", ... (as `KINDS` names them)."""
    shown: Any
    replaced: Any


def _page_key(folder: str) -> Callable[[Any, Any], str | None]:
    return lambda item, rules: f"/{folder}/{slugify(item.name)}/"


def _detection_address(detection: Detection, rules) -> str | None:
    return rules.detection_url(detection, slugify(detection.name)) if rules.is_published(detection) else None


KINDS: dict[str, tuple[str, str, Callable[[Any, Any], str | None] | None]] = {
    "detections": ("detection", "id", _detection_address),
    "stories": ("story", "id", _page_key("stories")),
    "playbooks": ("playbook", "id", _page_key("playbooks")),
    "data_sources": ("data source", "id", _page_key("data_sources")),
    "macros": ("macro", "name", None),
    "lookups": ("lookup", "name", None),
    "baselines": ("baseline", "id", _page_key("baselines")),
    "investigations": ("investigation", "id", _page_key("investigations")),
    "schedules": ("schedule", "name", None),
    "removed": ("removed detection", "id", None),
}
"""Content field -> (what an item is called, the field that identifies it, the page address it gets, if any).
A search names a macro or lookup by its name, so the name is their id; a detection names its schedule by
name too. Kinds not listed are told apart by their `id` where they have one."""


def _keys(kind: str, item: Any, rules) -> list[tuple[str, str]]:
    """What an item claims that no item of another source may claim too: its id, its page address."""
    _, identity, address = KINDS.get(kind, ("", "id", None))
    keys = []
    value = getattr(item, identity, None)
    if isinstance(value, str) and value.strip():
        keys.append((identity, value.strip()))
    where = address(item, rules) if address is not None else None
    if where:
        keys.append(("page", where))
    return keys


def _same(one: Any, other: Any) -> bool:
    """The same item in two files: equal in every field but the file."""
    return replace(one, source=None) == replace(other, source=None)


def _called(kind: str) -> str:
    return KINDS[kind][0] if kind in KINDS else kind


def _conflict(kind: str, key: tuple[str, str], item: Any, kept: Any) -> Issue:
    """The error at `item`'s file: another source's `kept` has the same id or page."""
    what, value = key
    shared, own, line = (f"the page {value}", "name", "name") if what == "page" else (f"{what} {value}", what, what)
    return Issue(item.source.path, item.source.line(line), Severity.ERROR,
                 f"{_called(kind)} {item.name!r} of source '{item.source.origin.label}' has {shared}, as "
                 f"{kept.source.path} of source '{kept.source.origin.label}' does; the site shows that one. "
                 f"Give each its own {own}, or mark the source whose version the site should show as "
                 "overriding (`overrides: true` in its `content_dirs` item, `--overrides LABEL` on the command "
                 "line)")


def combine(loaded: Iterable[tuple[ContentSource, Content]], rules) -> tuple[Content, tuple[Replacement, ...],
                                                                              list[Issue]]:
    """One content of several sources' (in the order given), each conflict decided; see the module's docstring.

    Items within one source that share an id are left to the checks that
    one content always gets. `rules` (the site's form) gives detections their
    page addresses. Returns the content, the replacements made and the errors.
    """
    loaded = list(loaded)
    kept: dict[str, dict[int, Any]] = {f.name: {} for f in fields(Content) if f.name != "build"}
    """Kind -> the items kept so far, by id()."""
    owner: dict[tuple[str, str, str], int] = {}
    """(kind, what, value) -> the kept item that claimed it first, by id() (stale once that item is replaced)."""
    items: dict[int, Any] = {}
    replacements: list[Replacement] = []
    issues: list[Issue] = []
    for source, content in loaded:
        for kind, kept_of_kind in kept.items():
            for item in getattr(content, kind):
                keys = [(kind, *key) for key in _keys(kind, item, rules)]
                rivals = [items[held] for held in dict.fromkeys(owner.get(key) for key in keys)
                          if held in kept_of_kind and items[held].source.origin != source]
                if any(_same(item, rival) for rival in rivals):
                    continue  # a copy of what another source has: shown once, from the first source
                if rivals and source.overrides and not any(rival.source.origin.overrides for rival in rivals):
                    for rival in rivals:
                        del kept_of_kind[id(rival)]
                        replacements.append(Replacement(_called(kind), item, rival))
                elif rivals:
                    rival = rivals[0]
                    if rival.source.origin.overrides and not source.overrides:
                        # The other source overrides this one: its item stays, and this is what it replaced.
                        replacements.append(Replacement(_called(kind), rival, item))
                    else:
                        key = next(key for key in keys if owner.get(key) == id(rival))
                        issues.append(_conflict(kind, key[1:], item, rival))
                    continue
                kept_of_kind[id(item)] = item
                items[id(item)] = item
                for key in keys:
                    if owner.get(key) not in kept_of_kind:
                        owner[key] = id(item)
    content = Content(**{kind: tuple(kept_of_kind.values()) for kind, kept_of_kind in kept.items()},
                      build=_builds([content.build for _, content in loaded if content.build is not None]))
    return content, tuple(replacements), issues


def _builds(builds: list[BuildSettings]) -> BuildSettings | None:
    """What build.yml says for the site: the first source's, with every source's other apps (whose macros and
    lookups the searches may use)."""
    if not builds:
        return None
    apps = tuple(dict.fromkeys(app for build in builds for app in build.external_apps))
    return replace(builds[0], external_apps=apps)
