"""Write: put pages on disk inside one output directory, and nowhere else.

The writer refuses any path that would leave the output directory (`..`,
absolute parts, separators inside a component, symlinks pointing out), skips
files whose content is unchanged (so `mkdocs serve` only sees real edits),
and keeps a manifest of what it wrote: it only ever deletes or overwrites
files listed there, never a file it did not write itself.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterable

from .exceptions import UnsafePathError
from .issues import Issue, Severity
from .render import Page

MANIFEST = ".generator-manifest.json"
_FORBIDDEN = ("/", "\\", "\0")


def check_component(part: str) -> None:
    if part in ("", ".", "..") or any(char in part for char in _FORBIDDEN) or part != part.strip():
        raise UnsafePathError(f"unsafe file name {part!r}")


def target_path(out: Path, parts: tuple[str, ...]) -> Path:
    """`out` joined with `parts`, or UnsafePathError if that is not inside `out`."""
    if not parts:
        raise UnsafePathError("empty page path")
    for part in parts:
        check_component(part)
    target = out.joinpath(*parts)
    root = out.resolve()
    if not target.resolve().is_relative_to(root):
        raise UnsafePathError(f"{'/'.join(parts)} leads outside the output directory")
    return target


def _read_manifest(out: Path) -> set[str]:
    try:
        return set(json.loads((out / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return set()


def write_pages(pages: Iterable[Page], out: Path) -> list[Issue]:
    """Write `pages` under `out`; remove pages this writer wrote before and no longer makes."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    previous = _read_manifest(out)
    written: list[str] = []
    issues: list[Issue] = []
    for page in pages:
        relative = "/".join(page.path)
        try:
            target = target_path(out, page.path)
        except UnsafePathError as exc:
            where = page.source
            issues.append(Issue(where.path if where else relative, where.line("name") if where else None,
                                Severity.ERROR, f"page not written: {exc}"))
            continue
        data = page.text.encode("utf-8")
        if target.is_file() and relative not in previous:
            if target.read_bytes() != data:
                issues.append(Issue(relative, None, Severity.ERROR,
                                    f"page not written: {target} exists and was not written by the generator"))
                continue
        elif target.is_file() and target.read_bytes() == data:
            written.append(relative)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(relative)

    for stale in sorted(previous - set(written)):
        try:
            target = target_path(out, tuple(stale.split("/")))
        except UnsafePathError:
            continue
        if target.is_file():
            target.unlink()
    temporary = out / (MANIFEST + ".tmp")
    temporary.write_text(json.dumps(sorted(written), indent=0), encoding="utf-8")
    os.replace(temporary, out / MANIFEST)
    return issues
