"""The site's search index, made small enough to answer in a keystroke.

The theme indexes every section of every page: for the 2024-10 corpus that
is 31,000 entries and 15 MB, which a reader's browser downloads and indexes
before the first result. Here each generated page becomes one entry: its
title, the start of its description as the excerpt, and the words a reader
looks a detection up by (its id, ATT&CK ids and names, CVE ids, macros, lookups, data sources and the values its search matches on). Hand-written
pages (docs/) keep their sections.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..enrich import DetectionPage, PlaybookPage, Site, StoryPage

EXCERPT_CHARACTERS = 300
"""How much of a page's description its entry keeps; the theme shows the first lines of it."""
LISTING_CHARACTERS = 200
"""Listings (indexes, tactic and category pages) keep only their introduction: they rank below what they list."""

_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")
_SEARCH_VALUES = re.compile(r'"((?:[^"\\]|\\.)*)"|(?<![<>!=])=\s*([^\s"()|,\[\]]+)')
"""The values a search matches on: its quoted strings and what follows an `=`."""
_WORDS = re.compile(r"[\w][\w.$\\-]*[\w$]")
"""Words of those values: process and file names, registry keys, event codes (`rundll32.exe`, `4104`)."""


class SearchTerms:
    """Page URL ("endpoint/x/", as the search index writes it) -> the words to find the page by.

    Each page's words are worked out when asked for: a preview rebuild asks only for the pages it built.
    """

    def __init__(self, site: Site) -> None:
        self._pages = {page.url.lstrip("/"): page for page in (*site.detections, *site.stories, *site.playbooks)}

    def get(self, url: str) -> str:
        page = self._pages.get(url)
        if isinstance(page, DetectionPage):
            detection = page.detection
            parts = [detection.id]
            parts += [f"{t.id} {t.name}" for t in page.techniques]
            parts += sorted({*(cve.id for cve in page.cves), *detection.tags.cve})
            parts += [macro.name for macro in page.macros]
            parts += [lookup.name for lookup in page.lookups]
            parts += [source.name for source in page.data_sources]
            parts += [word for quoted, bare in _SEARCH_VALUES.findall(detection.search)
                      for word in _WORDS.findall(quoted or bare) if len(word) >= 3]
        elif isinstance(page, StoryPage):
            parts = [page.story.id, *(f"{t.id} {t.name}" for t in page.techniques)]
        elif isinstance(page, PlaybookPage):
            parts = [page.playbook.id, *page.playbook.app_list]
        else:
            return ""
        return " · ".join(_distinct(part for part in parts if part))


def slim_index(entries: list[dict], terms: SearchTerms, generated: set[str]) -> list[dict]:
    """One entry for each generated page (URLs in `generated`); other pages' entries are kept as they are.

    `entries` are the theme's: {"location", "title", "text", "boost"?}, a
    page's own entry first, then one per section ("url#anchor"), in order.
    """
    by_page: dict[str, list[dict]] = {}
    for entry in entries:
        by_page.setdefault(entry["location"].split("#", 1)[0], []).append(entry)
    slim: list[dict] = []
    for url, page_entries in by_page.items():
        if url not in generated:
            slim.extend(page_entries)
            continue
        first = page_entries[0]
        listing = first.get("boost", 1) < 1
        entry = {"location": url, "title": first["title"]}
        excerpt = _excerpt(page_entries, LISTING_CHARACTERS if listing else EXCERPT_CHARACTERS)
        entry["text"] = f"<p>{excerpt}</p>" if excerpt else ""
        words = terms.get(url)
        if words:
            entry["text"] += f'\n<span class="sc-search-terms">{_escape(words)}</span>'
        if "boost" in first:
            entry["boost"] = first["boost"]
        slim.append(entry)
    return slim


def _excerpt(page_entries: list[dict], limit: int) -> str:
    """The page's first words of text (its own entry's, else its first section's), as plain text."""
    for entry in page_entries:
        text = _SPACES.sub(" ", _TAGS.sub(" ", entry["text"])).strip()
        if text:
            if len(text) <= limit:
                return text
            cut = text.rfind(" ", 0, limit)  # whole words, and so whole character references
            return text[: cut if cut > 0 else limit] + " …"
    return ""


def _distinct(words: Iterable[str]) -> list[str]:
    """Each word once (case-insensitively), in the order of first appearance."""
    seen: set[str] = set()
    kept = []
    for word in words:
        if word.lower() not in seen:
            seen.add(word.lower())
            kept.append(word)
    return kept


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
