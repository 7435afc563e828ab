"""Which folders under `detections/` are read, and as what: none is passed over without a word.

A form names the folders its published site had (`detections/endpoint/`,
`detections/experimental/cloud/`, ...). A content directory may have others:
a team's own kind (`detections/acme/`), subfolders of a known one. Each is
read: a folder of a kind of its own gives that kind (its detections are served
at `/<folder>/<id>/` in the 2024 form and listed with the others), a subfolder
takes its parent's. Where that cannot be (the form deliberately did not publish
the folder, or its name cannot be an address of the site), the folder is named
in a warning instead.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from .issues import Issue, Severity
from .models import DetectionFolder

KIND_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
"""A folder name that can be a kind: it becomes the first part of its detections' addresses."""

SITE_SECTIONS = frozenset({
    "about", "api", "assets", "categories", "changes", "data_sources", "detections", "experimental", "exports",
    "feeds", "javascripts", "layers", "overrides", "playbooks", "problems", "search", "stories", "stylesheets",
    "tags", "techniques",
})
"""Top-level addresses the site's own pages use (or a form's folder that holds kinds): a kind of this name would
put its detections among them."""


def _folders_below(root: Path) -> tuple[list[tuple[PurePosixPath, bool]], list[PurePosixPath]]:
    """Every folder under `root/detections/` (`detections/x/y`) with whether it holds .yml files, sorted; and the
    symbolic links to folders found there (not followed)."""
    found, links = [], []
    pending = [PurePosixPath("detections")]
    while pending:
        folder = pending.pop()
        try:
            entries = sorted(os.scandir(root / folder), key=lambda entry: entry.name)
        except OSError:
            continue
        if folder.parts != ("detections",):
            found.append((folder, any(entry.name.endswith(".yml") for entry in entries)))
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_symlink() and _is_dir(entry):
                links.append(folder / entry.name)
            elif _is_dir(entry, follow_symlinks=False):
                pending.append(folder / entry.name)
    return sorted(found), sorted(links)


def _is_dir(entry: os.DirEntry, follow_symlinks: bool = True) -> bool:
    """Is it a folder? A link that loops or leads nowhere is not (the loader reports those it would read)."""
    try:
        return entry.is_dir(follow_symlinks=follow_symlinks)
    except OSError:
        return False


def detection_folders(root: Path, rules) -> tuple[tuple[DetectionFolder, ...], list[Issue]]:
    """The form's detection folders and every other folder under `root/detections/` to read (`rules`: the
    form), and a warning for each that is not read, at its path inside `root`."""
    known = {PurePosixPath(folder.path): folder for folder in rules.DETECTION_FOLDERS}
    unpublished: dict[str, str] = rules.UNPUBLISHED_FOLDERS
    extra: list[DetectionFolder] = []
    issues: list[Issue] = []
    warned: set[PurePosixPath] = set()

    def warn(folder: PurePosixPath, why: str) -> None:
        if not any(parent in warned for parent in (folder, *folder.parents)):
            warned.add(folder)
            issues.append(Issue(str(folder), None, Severity.WARNING, f"not read: {why}"))

    detections = root / "detections"
    if not detections.is_dir() or detections.is_symlink():
        return tuple(rules.DETECTION_FOLDERS), []
    loose = sorted(entry.name for entry in os.scandir(detections) if entry.name.endswith(".yml"))
    if loose:
        issues.append(Issue("detections", None, Severity.WARNING,
                             f"not read: {len(loose)} file{'s' if len(loose) != 1 else ''} directly in detections/ "
                             f"(e.g. {loose[0]}): a detection's folder (detections/<kind>/) says its kind"))
    folders, links = _folders_below(root)
    for link in links:
        if link not in known:
            issues.append(Issue(str(link), None, Severity.WARNING,
                                "not read: a symbolic link to a folder (list the folder it leads to as a content "
                                "source of its own instead)"))
    for folder, has_sources in folders:
        if folder in known or not has_sources:
            continue
        parent = next((known[p] for p in folder.parents if p in known), None)
        top = folder.parts[1]
        if parent is not None:
            extra.append(DetectionFolder(str(folder), parent.kind, parent.experimental, parent.ssa))
        elif top in unpublished:
            warn(PurePosixPath("detections", top), unpublished[top])
        elif not KIND_NAME.fullmatch(top):
            warn(PurePosixPath("detections", top), "its name cannot be part of an address (letters, digits, '_' "
                                                   "and '-' only, a letter or digit first)")
        elif top.lower() in SITE_SECTIONS:
            warn(PurePosixPath("detections", top), f"its detections would be served at /{top}/…, among the site's "
                                                   "own pages; rename the folder")
        else:
            extra.append(DetectionFolder(str(folder), top))
    return (*rules.DETECTION_FOLDERS, *extra), issues
