"""Every release side by side: the release tags of the content's git repository, read and compared.

`read_releases` reads each tag matching a pattern straight from git objects
(`gitread`), making each distinct file (path and content) into its model
once across all tags, whatever the schema generation of its release: the
folders say what a file is (`detections/experimental/` of 2020-2022,
`detections/deprecated/`, `ssa_detections/`, the flat `detections/` of early
2020), the loader reads each file by its own keys. `compare_releases` is a
pure function of the releases: what each release added, updated, deprecated
and removed since the one before it, and each detection's history across all
of them (a detection is followed by its id, then by its name, so one renamed
or moved keeps one history).
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .changes import FieldChange, field_changes, file_key_changes, match
from .gitread import GitError, Repository, Tag, read_tags
from .issues import Issue, Severity
from .load import model_from_text
from .models import Content, Detection, DetectionFolder
from .parallel import split_map
from .slug import numbered_order, slugify

FOLDERS = ("detections", "ssa_detections", "stories", "macros", "lookups", "playbooks")
"""The content folders a release is read from: what release notes list."""

_KINDS = {"stories": "story", "macros": "macro", "lookups": "lookup", "playbooks": "playbook"}


def detection_folder(path: str) -> DetectionFolder:
    """What a detection file's place says about it, in every generation's layout.

    detections/<kind>/, detections/experimental/<kind>/ (until 2022), detections/deprecated/,
    ssa_detections/<kind>/ and the flat detections/ of early 2020 (no kind).
    """
    parts = path.split("/")
    folders = parts[1:-1]
    experimental = bool(folders) and folders[0] == "experimental"
    if experimental:
        folders = folders[1:]
    return DetectionFolder("/".join(parts[:-1]), folders[0] if folders else "", experimental=experimental,
                           ssa=parts[0] == "ssa_detections")


@dataclass(frozen=True)
class Release:
    """One release tag and everything its content folders held."""

    name: str
    date: str
    commit: str
    content: Content
    """Every detection (deprecated, experimental and BA ones too), story, macro, lookup and playbook."""

    @property
    def slug(self) -> str:
        return slugify(self.name).replace("/", "-")

    @property
    def url(self) -> str:
        return f"/releases/{self.slug}/"


# -- reading -----------------------------------------------------------------------------------------


@dataclass
class ReleaseCache:
    """What reading keeps between builds (`mkdocs serve` keeps one): models by (path, blob id), and the last
    result by the tags it was read from, so that a rebuild reads nothing when no tag moved."""

    models: dict[tuple[str, str], tuple[Any, int]] = field(default_factory=dict)
    last: tuple[tuple, "Releases | None", list[Issue]] | None = None
    files: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """Tree id -> the (path, blob id) of its files, as last read."""

    def models_with_errors(self, tags: list[Tag]) -> list[int]:
        """The number of errors of each distinct file (path and content) of the tags."""
        entries = {entry for tag in tags for entry in self.files.get(tag.tree, ())}
        return [self.models[entry][1] for entry in sorted(entries)]


def _make_models(tasks: list[tuple[str, str, str]]) -> list[tuple[Any, int]]:
    """(model or None, how many errors) of each (path, text, kind); run on both cores."""
    made = []
    for path, text, kind in tasks:
        folder = detection_folder(path) if kind == "detection" else None
        model, issues = model_from_text(path, text, kind, folder)
        made.append((model, sum(issue.severity is Severity.ERROR for issue in issues)))
    return made


def _what_tags_there_are(repository: Repository, pattern: str) -> str:
    """What a pattern that matches nothing may have missed: the repository's tags, or why it has none."""
    names = repository.tag_names()
    if not names:
        shallow = repository.is_shallow()
        return (" (it is a shallow clone: `git fetch --unshallow --tags` there fetches the tags)" if shallow else
                " (it has no tags: `git fetch --tags` fetches them from where it was cloned)")
    newest = sorted(names, key=numbered_order, reverse=True)
    if not pattern.startswith("v") and any(fnmatch.fnmatchcase(name, "v" + pattern) for name in names):
        return f"; did you mean {'v' + pattern!r}? Its tags are named like {newest[0]!r}"
    shown = ", ".join(repr(name) for name in newest[:3])
    return f" (its {len(names)} tags are named like {shown})"


def _kind(path: str) -> str:
    top = path.split("/", 1)[0]
    if top in ("detections", "ssa_detections"):
        return "detection"
    # Read as the site reads it: a story Splunk no longer maintains is not one of the release's stories.
    return "deprecated_story" if path.startswith("stories/deprecated/") else _KINDS[top]


def read_releases(content_dir: Path, pattern: str, cache: ReleaseCache | None = None,
                  ) -> tuple["Releases | None", list[Issue]]:
    """Every tag matching `pattern` of the repository `content_dir` is in, read and compared.

    Never raises: a content folder outside git, a pattern matching nothing
    or a broken tag is one located error and the rest of the site builds.
    The releases' own problems (it is history) become one warning.
    """
    cache = cache if cache is not None else ReleaseCache()
    where = str(content_dir)
    try:
        with Repository(content_dir) as repository:
            tags, issues = read_tags(repository, pattern)
            key = (pattern, tuple((tag.name, tag.commit) for tag in tags))
            if cache.last is not None and cache.last[0] == key:
                return cache.last[1], cache.last[2]
            if not tags:
                issues.append(Issue(where, None, Severity.ERROR,
                                    f"no tag of its git repository matches the releases pattern {pattern!r}"
                                    f"{_what_tags_there_are(repository, pattern)}; the release pages are left out"))
                cache.last = (key, None, issues)
                return None, issues
            if len(tags) == 1 and repository.is_shallow():  # cloned with --depth 1: the one tag it was cloned at
                issues.append(Issue(where, None, Severity.WARNING,
                                    f"its git repository is a shallow clone, with one tag matching {pattern!r} "
                                    f"({tags[0].name}): `git fetch --unshallow --tags` there fetches every release"))
            releases = _read(repository, tags, cache)
    except GitError as exc:
        return None, [Issue(where, None, Severity.ERROR, f"{exc}; the release pages are left out")]
    except OSError as exc:
        return None, [Issue(where, None, Severity.ERROR, f"git cannot be run ({exc.strerror}); "
                                                         "the release pages are left out")]
    broken = sum(errors > 0 for errors in cache.models_with_errors(tags))
    if broken:
        issues.append(Issue(where, None, Severity.WARNING,
                            f"{broken} files of the releases have errors of their own (not listed: they are "
                            "history; a file that makes no model is left out of its release)"))
    result = compare_releases(releases, pattern)
    cache.last = (key, result, issues)
    return result, issues


def _read(repository: Repository, tags: list[Tag], cache: ReleaseCache) -> list[Release]:
    """Each tag's content: every file not in `cache` read from git and made into its model (on both cores)."""
    repository.read_trees(tag.tree for tag in tags)
    files = {tag.name: repository.files(tag.tree, FOLDERS) for tag in tags}
    cache.files = {tag.tree: files[tag.name] for tag in tags}
    wanted = sorted({entry for entries in files.values() for entry in entries if entry not in cache.models})
    texts = repository.blobs(sorted({blob for _, blob in wanted}))
    tasks, keys = [], []
    for path, blob in wanted:
        try:
            text = texts[blob].decode("utf-8")
        except (KeyError, UnicodeDecodeError):  # missing from the repository, or not text: no model
            cache.models[(path, blob)] = (None, 1)
            continue
        tasks.append((path, text, _kind(path)))
        keys.append((path, blob))
    cache.models.update(zip(keys, split_map(_make_models, tasks)))
    releases = []
    for tag in tags:
        made = [cache.models[entry] for entry in files[tag.name]]
        groups: dict[str, list] = {kind: [] for kind in ("detection", *_KINDS.values())}
        for (path, _), (model, _) in zip(files[tag.name], made):
            if model is not None:
                kind = _kind(path)
                groups["story" if kind == "deprecated_story" else kind].append(model)  # its model says deprecated
        content = Content(detections=tuple(groups["detection"]), stories=tuple(groups["story"]),
                          macros=tuple(groups["macro"]), lookups=tuple(groups["lookup"]),
                          playbooks=tuple(groups["playbook"]))
        releases.append(Release(tag.name, tag.date, tag.commit, content))
    return releases


# -- comparing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A detection, story, macro, lookup or playbook in a release's notes."""

    old: Any
    """As it was in the release before (None when new)."""
    new: Any
    """As it is in this release (None when removed)."""
    fields: tuple[FieldChange, ...] = ()
    """What changed, field by field (detections only; empty when only what the site does not show changed)."""
    history: str = ""
    """The key of the detection's history (detections only)."""
    newly_deprecated: bool = False
    """A deprecated detection that was not deprecated in the release before."""

    @property
    def item(self) -> Any:
        return self.new if self.new is not None else self.old

    @property
    def name(self) -> str:
        return self.item.name


@dataclass(frozen=True)
class Counts:
    """What a release holds, for its page and the releases chart."""

    detections: int
    by_status: tuple[tuple[str, int], ...]
    """(lifecycle, count) of its detections (BA detections not included), most first."""
    by_type: tuple[tuple[str, int], ...]
    ba_detections: int
    stories: int
    macros: int
    lookups: int
    playbooks: int


@dataclass(frozen=True)
class ReleaseNotes:
    """One release compared with the one before it (among the releases read)."""

    release: Release
    previous: Release | None
    counts: Counts
    new_stories: tuple[Change, ...] = ()
    updated_stories: tuple[Change, ...] = ()
    new_analytics: tuple[Change, ...] = ()
    updated_analytics: tuple[Change, ...] = ()
    deprecated_analytics: tuple[Change, ...] = ()
    removed_analytics: tuple[Change, ...] = ()
    new_ba: tuple[Change, ...] = ()
    """Behavioral Analytics (ssa_detections/): new, updated or deprecated, and removed, as their own lists."""
    updated_ba: tuple[Change, ...] = ()
    removed_ba: tuple[Change, ...] = ()
    macros_added: tuple[Change, ...] = ()
    macros_updated: tuple[Change, ...] = ()
    lookups_added: tuple[Change, ...] = ()
    lookups_updated: tuple[Change, ...] = ()
    playbooks_added: tuple[Change, ...] = ()
    playbooks_updated: tuple[Change, ...] = ()

    @property
    def name(self) -> str:
        return self.release.name


@dataclass(frozen=True)
class HistoryEntry:
    """A release in which a detection appeared or changed."""

    release: Release
    status: str
    """"first" (first released), "changed", "deprecated" (changed, and deprecated since this release),
    "readded" (back after being removed) or "removed" (gone in this release; `detection` is its last version)."""
    detection: Detection
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class History:
    """One detection across every release read, matched by id, then by name."""

    key: str
    """Unique among histories: the id of its latest version (made unique when ids are shared or missing)."""
    entries: tuple[HistoryEntry, ...]
    releases: tuple[tuple[int, Detection], ...]
    """(index of the release, the detection as it was in it) for every release that held it."""
    replaced_by: str = ""
    """The key of the history of the detection that took its file when it was removed (a new id and name in
    the same file: Splunk's way of replacing one), or ""."""

    @property
    def latest(self) -> Detection:
        """Its latest version (the last released one, for a detection removed since)."""
        return self.releases[-1][1]

    @property
    def removed_in(self) -> Release | None:
        last = self.entries[-1]
        return last.release if last.status == "removed" else None

    @property
    def deprecated_in(self) -> Release | None:
        for entry in reversed(self.entries):
            if entry.status == "deprecated":
                return entry.release
        return None

    @property
    def names(self) -> tuple[str, ...]:
        """Every name it was released under, oldest first."""
        return tuple(dict.fromkeys(detection.name for _, detection in self.releases))


@dataclass(frozen=True)
class Releases:
    """Every release read, oldest first, each compared with the one before; and each detection's history."""

    pattern: str
    notes: tuple[ReleaseNotes, ...]
    histories: tuple[History, ...]
    """Sorted by the latest version's name."""
    rendered: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    """The pages made of these releases, by what else they show (site/release_pages.py): `mkdocs serve` keeps
    the releases between rebuilds, and with them these, so that an edit renders only the pages it changes."""

    @property
    def newest(self) -> ReleaseNotes:
        return self.notes[-1]


def _counts(content: Content) -> Counts:
    analytics = [d for d in content.detections if not d.ssa]
    statuses = Counter(d.lifecycle for d in analytics)
    types = Counter(d.type or "(none)" for d in analytics)
    return Counts(len(analytics), tuple(sorted(statuses.items(), key=lambda kv: (-kv[1], kv[0]))),
                  tuple(sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))),
                  len(content.detections) - len(analytics), len(_live(content.stories)), len(content.macros),
                  len(content.lookups), len(content.playbooks))


def _live(stories) -> list:
    """The stories Splunk maintains: those it deprecated are neither counted nor listed as new or updated."""
    return [story for story in stories if not story.deprecated]


def _changed(old, new) -> bool:
    return old.source.path != new.source.path or old.source.text != new.source.text


def _by_name(changes: list[Change]) -> tuple[Change, ...]:
    return tuple(sorted(changes, key=lambda c: (c.name.lower(), c.name, c.item.source.path)))


def _added_and_updated(older, newer) -> tuple[tuple[Change, ...], tuple[Change, ...]]:
    pairs, _, added = match(older, newer)
    return (_by_name([Change(None, item) for item in added]),
            _by_name([Change(old, new) for old, new in pairs if _changed(old, new)]))


@dataclass
class _Chain:
    entries: list[HistoryEntry] = field(default_factory=list)
    releases: list[tuple[int, Detection]] = field(default_factory=list)
    replaced_by: "_Chain | None" = None


def compare_releases(releases: list[Release], pattern: str = "") -> Releases:
    """Each release compared with the one before it, and every detection's history (releases oldest first)."""
    chains: list[_Chain] = []
    chain_of: dict[int, _Chain] = {}  # id() of a detection of the previous release -> its chain
    ended: dict[str, _Chain] = {}  # id -> the chain of a detection removed earlier, should it come back
    drafts = []
    previous: Release | None = None
    for index, release in enumerate(releases):
        before = previous.content.detections if previous else ()
        # A file the two releases share (same path and content) is the same model object in both: paired as it
        # is, unchanged; only the others are matched by id and name.
        kept = {id(d) for d in release.content.detections} & {id(d) for d in before}
        pairs, removed, added = match([d for d in before if id(d) not in kept],
                                      [d for d in release.content.detections if id(d) not in kept])
        pairs += [(d, d) for d in before if id(d) in kept]
        lists: dict[str, list[Change]] = {name: [] for name in
                                          ("new", "updated", "deprecated", "removed", "new_ba", "updated_ba",
                                           "removed_ba")}
        current: dict[int, _Chain] = {}
        for old in removed:
            chain = chain_of[id(old)]
            chain.entries.append(HistoryEntry(release, "removed", old))
            if old.id.strip():
                ended[old.id.strip()] = chain
            lists["removed_ba" if old.ssa else "removed"].append(Change(old, None, history=id(chain)))
        for detection in added:
            chain = ended.pop(detection.id.strip(), None) if detection.id.strip() else None
            status = "readded" if chain is not None else "first"
            if chain is None:
                chain = _Chain()
                chains.append(chain)
            chain.entries.append(HistoryEntry(release, status, detection))
            chain.releases.append((index, detection))
            current[id(detection)] = chain
            if previous is not None:
                lists["new_ba" if detection.ssa else "new"].append(Change(None, detection, history=id(chain)))
        successors = {d.source.path: current[id(d)] for d in added}
        for old in removed:
            chain_of[id(old)].replaced_by = successors.get(old.source.path)
        for old, new in pairs:
            chain = chain_of[id(old)]
            chain.releases.append((index, new))
            current[id(new)] = chain
            if not _changed(old, new):
                continue
            # A release lists every detection whose file changed (as Splunk's release notes do): where no field
            # the pages show changed, the file's own keys say what did.
            fields = field_changes(old, new) or file_key_changes(old.source.text, new.source.text)
            newly = new.deprecated and not old.deprecated
            chain.entries.append(HistoryEntry(release, "deprecated" if newly else "changed", new, fields))
            change = Change(old, new, fields, id(chain), newly)
            lists["updated_ba" if new.ssa else "deprecated" if new.deprecated else "updated"].append(change)
        chain_of = current
        drafts.append((release, previous, lists))
        previous = release

    keys = _history_keys(chains)
    histories = tuple(sorted((History(keys[id(chain)], tuple(chain.entries), tuple(chain.releases),
                                      keys[id(chain.replaced_by)] if chain.replaced_by else "")
                              for chain in chains),
                             key=lambda h: (h.latest.name.lower(), h.latest.name, h.key)))
    notes = []
    for release, before, lists in drafts:
        keyed = {name: _by_name([Change(c.old, c.new, c.fields, keys[c.history], c.newly_deprecated)
                                 for c in changes]) for name, changes in lists.items()}
        old = before.content if before else Content()
        stories = _added_and_updated(_live(old.stories), _live(release.content.stories))
        macros = _added_and_updated(old.macros, release.content.macros)
        lookups = _added_and_updated(old.lookups, release.content.lookups)
        playbooks = _added_and_updated(old.playbooks, release.content.playbooks)
        if before is None:  # the first release read: nothing to compare with
            stories = macros = lookups = playbooks = ((), ())
        notes.append(ReleaseNotes(
            release, before, _counts(release.content), *stories,
            keyed["new"], keyed["updated"], keyed["deprecated"], keyed["removed"],
            keyed["new_ba"], keyed["updated_ba"], keyed["removed_ba"], *macros, *lookups, *playbooks))
    return Releases(pattern, tuple(notes), histories)


def _history_keys(chains: list[_Chain]) -> dict[int, str]:
    """Each chain's key: the id of its latest version where that is unique and plain, else made unique."""
    keys: dict[int, str] = {}
    taken: set[str] = set()
    for chain in sorted(chains, key=lambda c: (c.releases[0][0], c.releases[0][1].source.path)):
        latest = chain.releases[-1][1]
        base = "".join(ch for ch in latest.id.strip().lower() if ch.isalnum() or ch in "-_") or \
            slugify(latest.name).replace("/", "-")[:80]
        key, number = base, 1
        while key in taken:
            number += 1
            key = f"{base}-{number}"
        taken.add(key)
        keys[id(chain)] = key
    return keys
