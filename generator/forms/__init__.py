"""Published forms: the page layouts Splunk's own generators wrote, each byte for byte.

A form is a folder: `templates/` (one Jinja template per page kind), an
optional `site/` (the mkdocs site's versions of some pages, extending the
published ones), and an `__init__.py` holding that form's rules, the names
`FormRules` lists: which source folders it publishes, the values it derived
rather than read (data models, kill-chain phases, NIST and CIS tags), its URL
scheme and the list of pages it writes. Everything the forms share (loading,
linking, link formatting, the writer) lives outside; `common/` holds the
templates and page loops they share. A third form is a third folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Protocol

from ..exceptions import ConfigurationError
from . import escu_2022_03, escu_2024_04

if TYPE_CHECKING:
    from ..enrich import Derived, Site
    from ..models import Detection, DetectionFolder, Story, Technique
    from ..render import Page, Renderings

class FormRules(Protocol):
    """What a form's module provides (see escu_2022_03 and escu_2024_04)."""

    DETECTION_FOLDERS: tuple[DetectionFolder, ...]
    UNPUBLISHED_FOLDERS: dict[str, str]
    SHOWS_ADD_ONS: bool

    def is_published(self, detection: Detection) -> bool: ...
    def derive(self, detection: Detection, techniques: tuple[Technique, ...]) -> Derived: ...
    def detection_url(self, detection: Detection, slug: str) -> str: ...
    def listed_lookups(self, search_calls: list[str], macro_calls: list[list[str]], known) -> list[str]: ...
    def story_categories(self, story: Story) -> tuple[str, ...]: ...
    def pages(self, site: Site, for_site: bool = False, renderings: Renderings | None = None) -> list[Page]: ...


FORMS: dict[str, ModuleType] = {"2022-03": escu_2022_03, "2024-04": escu_2024_04}
"""Form name -> rules module. The name is the month the form was published."""


@dataclass(frozen=True)
class Choice:
    name: str
    rules: ModuleType
    reason: str
    """Why this form, for the user: "given with --form", or what in the content decided it."""


def choose_form(content_dir: Path, requested: str | None = None) -> Choice:
    """The form to render `content_dir` in: `requested`, or the one its layout calls for.

    The rule: content with a `detections/experimental/` folder is in the 2022
    schema (experimental detections became a `status:` field in 2023), so it
    gets the 2022-03 form; any other content gets 2024-04, the form of
    today's schema.
    """
    if requested:
        if requested not in FORMS:
            raise ConfigurationError(f"unknown form {requested!r} (choose from {', '.join(FORMS)})")
        return Choice(requested, FORMS[requested], "as requested")
    if os.path.isdir(Path(content_dir) / "detections" / "experimental"):
        return Choice("2022-03", FORMS["2022-03"], "the content has detections/experimental/ (the 2022 schema)")
    return Choice("2024-04", FORMS["2024-04"], "the content has no detections/experimental/ (the schema since 2023)")
