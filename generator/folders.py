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
from .tree import FOLDER_LINK_OUTSIDE, LINK_TO_FOLDER, ContentTree, DirectoryTree

KIND_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
"""A folder name that can be a kind: it becomes the first part of its detections' addresses."""

SITE_SECTIONS = frozenset({
    "about", "api", "assets", "categories", "changes", "data_sources", "detections", "experimental", "exports",
    "feeds", "javascripts", "layers", "overrides", "playbooks", "problems", "search", "stories", "stylesheets",
    "tags", "techniques",
})
"""Top-level addresses the site's own pages use (or a form's folder that holds kinds): a kind of this name would
put its detections among them."""


def detection_folders(root: Path | ContentTree, rules) -> tuple[tuple[DetectionFolder, ...], list[Issue]]:
    """The form's detection folders and every other folder under `detections/` of `root` (a content directory or
    its `ContentTree`) to read (`rules`: the form), and a warning for each that is not read, at its path inside
    `root`.

    Folders are found through the tree, so what it will not walk (a link, a folder it cannot read) is not read
    here either; what it says of those is reported where the loader will not list the folder itself."""
    tree = DirectoryTree(root) if isinstance(root, (str, os.PathLike)) else root
    known = {PurePosixPath(folder.path): folder for folder in rules.DETECTION_FOLDERS}
    unpublished: dict[str, str] = rules.UNPUBLISHED_FOLDERS
    extra: list[DetectionFolder] = []
    issues: list[Issue] = []
    warned: set[PurePosixPath] = set()

    def warn(folder: PurePosixPath, why: str) -> None:
        if not any(parent in warned for parent in (folder, *folder.parents)):
            warned.add(folder)
            issues.append(Issue(str(folder), None, Severity.WARNING, f"not read: {why}"))

    if not tree.is_dir("detections"):
        return tuple(rules.DETECTION_FOLDERS), []
    listing = tree.yaml_files("detections", recursive=True)
    parents = {path.rpartition("/")[0] for path in listing.paths}  # the folders holding files, as strings: fast
    loose = [path.rpartition("/")[2] for path in listing.paths if path.count("/") == 1]
    if loose:
        issues.append(Issue("detections", None, Severity.WARNING,
                             f"not read: {len(loose)} file{'s' if len(loose) != 1 else ''} directly in detections/ "
                             f"(e.g. {loose[0]}): a detection's folder (detections/<kind>/) says its kind"))
    hidden = re.compile(r"(^|/)\.")
    for folder in sorted(PurePosixPath(parent) for parent in parents
                         if parent != "detections" and not hidden.search(parent)):
        if folder in known:
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
    listed = set(known) | {PurePosixPath(folder.path) for folder in extra}
    opened = listed | {parent for folder in listed for parent in folder.parents}
    for issue in listing.issues:  # what the loader, opening and listing only the folders read, would not say
        where = PurePosixPath(issue.path)
        if where.parent in listed or where in opened or any(folder in warned for folder in (where, *where.parents)) \
                or any(part.startswith(".") for part in where.parts[1:]):
            continue
        if issue.message in (LINK_TO_FOLDER, FOLDER_LINK_OUTSIDE):
            issue = Issue(issue.path, None, Severity.WARNING, "not read: a symbolic link to a folder (list the "
                                                              "folder it leads to as a content source of its own "
                                                              "instead)")
        issues.append(issue)
    return (*rules.DETECTION_FOLDERS, *extra), sorted(issues, key=lambda issue: (issue.path, issue.message))
