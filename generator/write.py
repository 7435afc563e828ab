"""Write: put pages on disk inside one output directory, and nowhere else, all or nothing.

The writer refuses any path that would leave the output directory: `..`,
empty or absolute parts, separators inside a component, a directory that is
a symlink pointing out, a page file that is a symlink. It skips files whose
bytes are unchanged (so `mkdocs serve` only sees real edits), and keeps a
manifest of what it wrote: it only deletes or overwrites files listed there,
never a file it did not write itself.

A run is a transaction, so that an interrupted run never leaves half an
output. Changed pages are first written to a staging folder of the writer's
own inside the output (named in a journal before it is made); only when all
are there does the journal list the moves, deletions and new manifest, and
the writer carry them out. A run killed before that point leaves the previous
output as it was; one killed while moving leaves the journal, and the next run
finishes the moves before anything else. The output is one folder that may
hold a user's files too, so it cannot be swapped whole: between those moves
(a few milliseconds) a reader can see old and new pages side by side.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
import stat
from pathlib import Path
from typing import Iterable

from .exceptions import OutputError, UnsafePathError
from .issues import Issue, Severity
from .parallel import split_map
from .render import Page

MANIFEST = ".generator-manifest.json"
_FORBIDDEN = ("/", "\\", "\0")


def check_component(part: str) -> None:
    if part in ("", ".", "..") or any(char in part for char in _FORBIDDEN) or part != part.strip():
        raise UnsafePathError(f"unsafe file name {part!r}")


def check_output(out: Path) -> None:
    """Refuse an output path that is not a folder (a file, a link to one), or is under a file: nothing is written
    into or over it, and a command can refuse it before its work."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"the output {out} is a file, not a folder: give a folder (it is made if missing)")
    for parent in out.parents:  # the folder to make it in
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"the output folder {out} cannot be made: {parent} is a file")
            return


class _Tree:
    """The output directory; proves each path stays inside it, creating directories only when asked."""

    def __init__(self, out: Path):
        check_output(out)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a file on the way, no permission, a read-only disk
            raise OutputError(f"the output folder {out} cannot be made: {exc.strerror or exc}") from None
        self.root = os.path.realpath(out)
        self.created: dict[tuple[str, ...], str] = {(): self.root}
        self.staged: dict[tuple[str, ...], str] = {(): self.root}
        """Folders of pages proven inside the tree while staging (`file(.., staging=True)`), there or not yet: a
        run checks each page's folder once then, not once per page. Only staging trusts them: moving pages in
        and deleting pages proves their folders again."""

    def directory(self, parts: tuple[str, ...], create: bool, staging: bool = False) -> str:
        known = self.created.get(parts) or (self.staged.get(parts) if staging else None)
        if known is not None:
            return known
        path = os.path.join(self.directory(parts[:-1], create, staging), parts[-1])
        if create:
            os.makedirs(path, exist_ok=True)
        # realpath follows any symlink on the way, existing or not yet created.
        if os.path.realpath(path) != path:
            raise UnsafePathError(f"{'/'.join(parts)} leads outside the output directory")
        if create:
            self.created[parts] = path
        elif staging:
            self.staged[parts] = path
        return path

    def file(self, parts: tuple[str, ...], create: bool = True, staging: bool = False) -> str:
        """Absolute path for a page (its directory created if `create`); UnsafePathError if it could leave the tree.

        `staging`: for a page about to be staged, whose folder this run may have proven already."""
        if not parts:
            raise UnsafePathError("empty page path")
        for part in parts:
            check_component(part)
        return os.path.join(self.directory(parts[:-1], create, staging), parts[-1])


def target_path(out: Path, parts: tuple[str, ...]) -> Path:
    """`out` joined with `parts`, or UnsafePathError if that is not inside `out`. Creates nothing below `out`."""
    return Path(_Tree(Path(out)).file(parts, create=False))


def _read_manifest(out: Path) -> set[str]:
    """The pages the last run wrote. Only a regular file counts: a manifest planted as a symlink could
    otherwise name files the writer never wrote, which it would then delete."""
    found = _existing(str(out / MANIFEST))
    if found is None or not stat.S_ISREG(found.st_mode):
        return set()
    try:
        listed = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {item for item in listed if isinstance(item, str)} if isinstance(listed, list) else set()


def _existing(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _same_bytes(path: str, size: int, data: bytes) -> bool:
    if size != len(data):
        return False
    with open(path, "rb") as handle:
        return handle.read() == data


JOURNAL = ".generator-journal.json"
"""The run in progress: its staging folder, then the moves that commit it (see the module's docstring)."""
STAGING_PREFIX = ".generator-staging-"


def write_pages(pages: Iterable[Page], out: Path) -> list[Issue]:
    """Write `pages` under `out`; remove pages this writer wrote before and no longer makes.

    Pages are rendered and written on both cores where the process may fork
    (see `parallel`); the files and issues are the same either way. A run
    that was interrupted is finished first (see the module's docstring).
    """
    out = Path(out)
    tree = _Tree(out)
    issues = _finish_interrupted(out, tree)
    previous = _read_manifest(out)
    pages = list(pages)
    staging = _begin(out)
    staged = split_map(lambda share: [_stage_one(page, tree, previous, staging) for page in share],
                       list(enumerate(pages)))

    moves: list[tuple[str, str]] = []
    written: list[str] = []
    for page, (refusal, staged_name) in zip(pages, staged):
        if refusal is None:
            written.append("/".join(page.path))
            if staged_name is not None:
                moves.append((staged_name, "/".join(page.path)))
            continue
        source = page.source
        issues.append(Issue(source.path if source else "/".join(page.path),
                            source.line("name") if source else None, Severity.ERROR,
                            f"page not written: {refusal}"))
    stale = sorted(previous - set(written))
    _save_json(staging, out / JOURNAL,
               {"staging": staging.name, "moves": moves, "delete": stale, "manifest": sorted(written)})
    return issues + _commit(out, tree, staging, moves, stale, sorted(written), previous)


def _begin(out: Path) -> Path:
    """A new staging folder, named in the journal before it exists (so that only ever ours is removed).

    The journal is a new file (O_EXCL: nothing planted at its name is followed); a run killed while writing it
    leaves a journal that does not parse, which the next run removes: the folder was not made yet."""
    while True:
        staging = out / (STAGING_PREFIX + secrets.token_hex(8))
        fd = os.open(out / JOURNAL, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps({"staging": staging.name}))
        try:
            os.mkdir(staging, 0o700)
            return staging
        except FileExistsError:  # not ours: another name
            os.unlink(out / JOURNAL)


def _stage_one(numbered: tuple[int, Page], tree: _Tree, previous: set[str], staging: Path) -> tuple[str | None, str | None]:
    """(why the page is refused or None, the name of its new text in the staging folder or None if unchanged)."""
    number, page = numbered
    relative = "/".join(page.path)
    try:
        target = tree.file(page.path, create=False, staging=True)
    except UnsafePathError as exc:
        return str(exc), None
    data = page.text.encode("utf-8")
    found = _existing(target)
    if found is not None:
        if not stat.S_ISREG(found.st_mode):
            return f"{target} exists and is not a regular file", None
        if _same_bytes(target, found.st_size, data):
            return None, None
        if relative not in previous:
            return f"{target} exists and was not written by the generator", None
    name = f"{number}.page"
    try:
        fd = os.open(staging / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        return f"{staging / name}: {os.strerror(exc.errno or errno.EIO)}", None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return None, name


def _commit(out: Path, tree: _Tree, staging: Path, moves: list[tuple[str, str]], stale: list[str],
            manifest: list[str], previous: set[str]) -> list[Issue]:
    """Carry out a journal's moves, deletions and manifest, then forget the run. Safe to repeat."""
    issues: list[Issue] = []
    refused: set[str] = set()
    for staged_name, relative in moves:
        staged = staging / staged_name
        if _existing(str(staged)) is None:
            continue  # moved before the interruption
        try:
            target = tree.file(tuple(relative.split("/")))
        except (UnsafePathError, OSError) as exc:
            issues.append(Issue(relative, None, Severity.ERROR, f"page not written: {exc}"))
            refused.add(relative)
            continue
        found = _existing(target)
        if found is not None and not stat.S_ISREG(found.st_mode):
            issues.append(Issue(relative, None, Severity.ERROR,
                                f"page not written: {target} exists and is not a regular file"))
            refused.add(relative)
            continue
        if found is not None and relative not in previous and not _same_bytes(target, found.st_size, staged.read_bytes()):
            issues.append(Issue(relative, None, Severity.ERROR,
                                f"page not written: {target} exists and was not written by the generator"))
            refused.add(relative)
            continue
        os.replace(staged, target)  # replaces a file atomically; never writes through a link put there
    for relative in stale:
        try:
            path = tree.file(tuple(relative.split("/")), create=False)
        except UnsafePathError:
            continue
        found = _existing(path)
        if found is not None and stat.S_ISREG(found.st_mode):
            os.unlink(path)
    if _existing(str(staging)) is not None:  # else the manifest was saved before the interruption
        _save_json(staging, out / MANIFEST, [relative for relative in manifest if relative not in refused])
        _remove_staging(staging)
    os.unlink(out / JOURNAL)
    return issues


def _finish_interrupted(out: Path, tree: _Tree) -> list[Issue]:
    """Finish the moves of a run interrupted while committing, or drop the staging of one interrupted before."""
    found = _existing(str(out / JOURNAL))
    if found is None:
        return []
    if stat.S_ISDIR(found.st_mode):
        raise UnsafePathError(f"{out / JOURNAL} is a folder, where the writer keeps its journal; nothing is written")
    journal = _read_json(out / JOURNAL) if stat.S_ISREG(found.st_mode) else None
    staging_name = journal.get("staging") if isinstance(journal, dict) else None
    if not isinstance(staging_name, str) or not re.fullmatch(re.escape(STAGING_PREFIX) + "[0-9a-f]{16}", staging_name):
        os.unlink(out / JOURNAL)  # not a journal of ours: nothing it names is touched
        return []
    staging = out / staging_name
    if not all(key in journal for key in ("moves", "delete", "manifest")):
        _remove_staging(staging)  # interrupted before committing: the previous output is intact
        os.unlink(out / JOURNAL)
        return []
    moves = [(name, relative) for name, relative in _pairs(journal["moves"])
             if re.fullmatch(r"[0-9]+\.page", name)]
    stale = [item for item in journal["delete"] if isinstance(item, str)]
    manifest = [item for item in journal["manifest"] if isinstance(item, str)]
    return _commit(out, tree, staging, moves, stale, manifest, _read_manifest(out))


def _pairs(value) -> list[tuple[str, str]]:
    return [(item[0], item[1]) for item in value if isinstance(item, list) and len(item) == 2
            and all(isinstance(part, str) for part in item)] if isinstance(value, list) else []


def _remove_staging(staging: Path) -> None:
    found = _existing(str(staging))
    if found is not None and stat.S_ISDIR(found.st_mode):  # a real folder (rmtree never follows links in it)
        shutil.rmtree(staging)


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _save_json(staging: Path, path: Path, value) -> None:
    """Replace `path` by `value` as JSON, all at once: written in the staging folder, then renamed over it (a
    rename replaces a symlink there, it does not write through it)."""
    temporary = staging / f"{path.name}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(value, indent=0))
    os.replace(temporary, path)
