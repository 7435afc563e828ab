"""Write: put pages on disk inside one output directory, and nowhere else.

The writer refuses any path that would leave the output directory: `..`,
empty or absolute parts, separators inside a component, a directory that is
a symlink pointing out, a page file that is a symlink. It skips files whose
bytes are unchanged (so `mkdocs serve` only sees real edits), and keeps a
manifest of what it wrote: it only deletes or overwrites files listed there,
never a file it did not write itself.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Iterable

from .exceptions import UnsafePathError
from .issues import Issue, Severity
from .parallel import split_map
from .render import Page

MANIFEST = ".generator-manifest.json"
_FORBIDDEN = ("/", "\\", "\0")


def check_component(part: str) -> None:
    if part in ("", ".", "..") or any(char in part for char in _FORBIDDEN) or part != part.strip():
        raise UnsafePathError(f"unsafe file name {part!r}")


class _Tree:
    """The output directory; proves each path stays inside it, creating directories only when asked."""

    def __init__(self, out: Path):
        out.mkdir(parents=True, exist_ok=True)
        self.root = os.path.realpath(out)
        self.created: dict[tuple[str, ...], str] = {(): self.root}

    def directory(self, parts: tuple[str, ...], create: bool) -> str:
        known = self.created.get(parts)
        if known is not None:
            return known
        path = os.path.join(self.directory(parts[:-1], create), parts[-1])
        if create:
            os.makedirs(path, exist_ok=True)
        # realpath follows any symlink on the way, existing or not yet created.
        if os.path.realpath(path) != path:
            raise UnsafePathError(f"{'/'.join(parts)} leads outside the output directory")
        if create:
            self.created[parts] = path
        return path

    def file(self, parts: tuple[str, ...], create: bool = True) -> str:
        """Absolute path for a page (its directory created if `create`); UnsafePathError if it could leave the tree."""
        if not parts:
            raise UnsafePathError("empty page path")
        for part in parts:
            check_component(part)
        return os.path.join(self.directory(parts[:-1], create), parts[-1])


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


def _write_one(page: Page, tree: _Tree, previous: set[str]) -> str | None:
    """Write one page; None when written (or already identical), else why it was refused."""
    relative = "/".join(page.path)
    try:
        target = tree.file(page.path)
    except UnsafePathError as exc:
        return str(exc)
    data = page.text.encode("utf-8")
    found = _existing(target)
    if found is not None:
        if not stat.S_ISREG(found.st_mode):
            return f"{target} exists and is not a regular file"
        if _same_bytes(target, found.st_size, data):
            return None
        if relative not in previous:
            return f"{target} exists and was not written by the generator"
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        return f"{target}: {os.strerror(exc.errno or errno.EIO)}"
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return None


def write_pages(pages: Iterable[Page], out: Path) -> list[Issue]:
    """Write `pages` under `out`; remove pages this writer wrote before and no longer makes.

    Pages are rendered and written on both cores where the process may fork
    (see `parallel`); the files and issues are the same either way.
    """
    out = Path(out)
    tree = _Tree(out)
    previous = _read_manifest(out)
    pages = list(pages)
    refusals = split_map(lambda share: [_write_one(page, tree, previous) for page in share], pages)

    written: list[str] = []
    issues: list[Issue] = []
    for page, refusal in zip(pages, refusals):
        if refusal is None:
            written.append("/".join(page.path))
            continue
        source = page.source
        issues.append(Issue(source.path if source else "/".join(page.path),
                            source.line("name") if source else None, Severity.ERROR,
                            f"page not written: {refusal}"))

    for stale in sorted(previous - set(written)):
        try:
            path = tree.file(tuple(stale.split("/")), create=False)
        except UnsafePathError:
            continue
        found = _existing(path)
        if found is not None and stat.S_ISREG(found.st_mode):
            os.unlink(path)
    # A new file of our own (O_EXCL: nothing planted at its name is followed), then renamed over the
    # manifest (a rename replaces a symlink there, it does not write through it).
    fd, temporary = tempfile.mkstemp(dir=out, prefix=MANIFEST + ".", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(sorted(written), indent=0))
    os.replace(temporary, out / MANIFEST)
    return issues
