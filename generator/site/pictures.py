"""Playbook diagrams served from the content itself, not from GitHub.

The published playbook pages show the playbook's diagram by hot-linking it
from the content's own repository
(`https://raw.githubusercontent.com/splunk/security_content/<branch>/playbooks/<name>.png`).
The site makes no request to another host (see the README, "Hostile
content"), so such a picture would be a link; but the file is part of the
content (`playbooks/<name>.png` beside the playbook's YAML). Where the content
has it, the site serves a copy (`assets/playbooks/<name>.png`) and the page
shows it, with the size the page gives it.

Pictures are checked before they are copied: a real PNG, JPEG, GIF or WebP
picture by its first bytes (whatever its name says), of at most 5 MB, read
through the content tree (no link leading out of the content is followed).
Anything else stays a link, with a warning naming the file.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Iterable

from ..issues import Issue, Severity
from ..tree import VANISHED, ContentTree, TooLarge, Unreadable

REPOSITORY_PICTURE = re.compile(
    r"https://raw\.githubusercontent\.com/splunk/security_content/[^/?#]+/(playbooks/[^?#]+)")
"""A picture of the content's own repository, as the published pages hot-link it; group 1: its path there."""
SITE_FOLDER = "assets"
MAX_BYTES = 5 * 1024 * 1024
_SIGNATURES = (
    ("PNG", lambda data: data.startswith(b"\x89PNG\r\n\x1a\n")),
    ("JPEG", lambda data: data.startswith(b"\xff\xd8\xff")),
    ("GIF", lambda data: data[:6] in (b"GIF87a", b"GIF89a")),
    ("WebP", lambda data: data[:4] == b"RIFF" and data[8:12] == b"WEBP"),
)


@dataclass(frozen=True)
class Picture:
    source: str
    """The file of the content: "playbooks/x.png"."""
    uri: str
    """Its path in the site (an mkdocs src_uri), after the path the pages ask for: "assets/playbooks/x.png"."""
    data: bytes


def picture_kind(data: bytes) -> str | None:
    """"PNG", "JPEG", "GIF" or "WebP" when the bytes begin as that format's files do; else None."""
    return next((name for name, matches in _SIGNATURES if matches(data)), None)


def diagram_sources(playbooks: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """For each diagram the playbook pages hot-link (its path in the repository, `playbooks/<playbook>.png`), the
    content files that can be it, in order: that file, else the picture beside the playbook's YAML file with its
    name (`Zscaler_Outbound_Traffic_Filtering.png` beside `Zscaler_Outbound_Traffic_Filtering.yml`, whose
    `playbook: ZScaler_Outbound_Traffic_Filtering` the published page asked GitHub for in vain: its paths tell
    case apart). `playbooks`: (the `playbook` field, the YAML file's path) of each playbook."""
    found: dict[str, tuple[str, ...]] = {}
    for name, source in playbooks:
        if not name:
            continue
        wanted = f"playbooks/{name}.png"
        beside = source.rsplit(".", 1)[0] + ".png"
        found.setdefault(wanted, (wanted,) if beside == wanted else (wanted, beside))
    return dict(sorted(found.items()))


def content_pictures(tree: ContentTree, wanted: dict[str, tuple[str, ...]]) -> tuple[dict[str, Picture], list[Issue]]:
    """The pictures the content has for `wanted` (see `diagram_sources`) that pass the checks, by the path the
    pages ask for; a warning for each the content has that is refused. A missing file is no problem: the page
    keeps its link, as for content that ships no pictures."""
    pictures: dict[str, Picture] = {}
    issues: list[Issue] = []
    for asked, candidates in wanted.items():
        for source in candidates:
            try:
                data = tree.read_bytes(source, MAX_BYTES)
            except TooLarge as exc:
                issues.append(_refused(source, f"is {exc.size / 1048576:.1f} MB, more than the 5 MB a picture may have"))
                break
            except Unreadable as exc:
                if exc.message == VANISHED:  # not there: the next candidate, if any
                    continue
                issues.append(_refused(source, exc.message.removesuffix("; it is not read")))
                break
            if picture_kind(data) is None:
                issues.append(_refused(source, "is not a PNG, JPEG, GIF or WebP picture (by its first bytes)"))
            else:
                pictures[asked] = Picture(source, f"{SITE_FOLDER}/{asked}", data)
            break
    return pictures, issues


def pictures_key(pictures: dict[str, Picture]) -> str:
    """What the pages showing these pictures depend on: which are served (not their bytes, which pages do not
    hold)."""
    return hashlib.blake2b("\n".join(sorted(pictures)).encode(), digest_size=16).hexdigest()


def _refused(source: str, why: str) -> Issue:
    return Issue(source, None, Severity.WARNING, f"{why}; the playbook's page links to it instead of showing it")
