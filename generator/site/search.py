"""The site's search index, made small enough to answer in a keystroke.

The theme indexes every section of every page: for the 2024-10 corpus that
is 31,000 entries and 15 MB, which a reader's browser downloads and indexes
before the first result. Here each generated page becomes one entry: its
title, the start of its description as the excerpt and, not shown, the words
a reader looks a detection up by (its id, ATT&CK ids and names, CVE ids,
macros, lookups, data sources and the values its search matches on).
Hand-written pages (docs/) keep their sections.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from ..enrich import DetectionPage, PlaybookPage, Site, StoryPage

EXCERPT_CHARACTERS = 300
"""How much of a page's description its entry keeps; the theme shows the first lines of it."""
LISTING_CHARACTERS = 200
"""Listings (indexes, tactic and category pages) keep only their introduction: they rank below what they list."""

_TAGS = re.compile(r"<[^>]*>")
_LEADING_PARAGRAPHS = re.compile(r"\s*(?:<p\b[^>]*>.*?</p>\s*)+", re.DOTALL)
_SPACES = re.compile(r"\s+")
_SEARCH_VALUES = re.compile(r'"((?:[^"\\]|\\.)*)"|(?<![<>!=])=\s*([^\s"()|,\[\]]+)')
"""The values a search matches on: its quoted strings and what follows an `=`."""
_WORDS = re.compile(r"[\w][\w.$\\-]*[\w$]")
"""Words of those values: process and file names, registry keys, event codes (`rundll32.exe`, `4104`)."""
_FILTER_MACRO = re.compile(r"`(\w+_filter)`")
"""The macro each search ends with, for a site's own exclusions (not listed among the page's macros)."""


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
            parts += [macro.name for macro in page.macros] + _FILTER_MACRO.findall(detection.search)
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
        shown = _excerpt(page_entries, LISTING_CHARACTERS if listing else EXCERPT_CHARACTERS)
        words = terms.get(url)
        # The index's texts are HTML, which the theme shows as it is.
        hidden = f'<span class="sc-search-terms"> {html.escape(words, quote=False)}</span>' if words else ""
        # One paragraph: the theme shows those of a result's paragraphs that have a match, so a page found by
        # a hidden word shows its excerpt too.
        entry["text"] = f"<p>{shown}{hidden}</p>" if shown or hidden else ""
        if "boost" in first:
            entry["boost"] = first["boost"]
        slim.append(entry)
    return slim


def _excerpt(page_entries: list[dict], limit: int) -> str:
    """The first words, up to `limit` characters, of the page's description (its Description section, else
    its first text) as plain text. Notices above the description (a status banner, what changed) are not an
    excerpt. The rest of the description is not indexed: with it, the 2024-10 index took a quarter more
    time to be ready, over a second."""
    described = [entry for entry in page_entries if entry["location"].endswith("#description")]
    for entry in described or page_entries:
        paragraphs = _LEADING_PARAGRAPHS.match(entry["text"])  # not the facts listed after (type, date, ...)
        text = _SPACES.sub(" ", _TAGS.sub(" ", paragraphs.group(0) if paragraphs else entry["text"])).strip()
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


_THEME_WORKER = re.compile(r'"search": "([^"]*?)assets/javascripts/workers/(search\.[0-9a-f]+\.min\.js)"')


def with_search_worker(html: str) -> str:
    """The page with docs/javascripts/search-worker.js as its search worker, which runs the theme's own
    (named after "?theme=") with a fix to lunr: without it, short queries failed on a large index."""
    return _THEME_WORKER.sub(r'"search": "\1javascripts/search-worker.js?theme=\2"', html, count=1)

