"""Long listings split into pages: every entry still reachable without JavaScript, no page too large.

A listing (the detections index, a category, tactic or data model page, a
tag's page, a data source's detections, a story's) is a table or a bulleted
list in a page's Markdown. One longer than ROWS_PER_PAGE entries becomes
pages of that many: the first keeps the listing's address and everything
around the list; each further page (`<address>page/2/`, ...) has the page's
title and the list's heading, the table's header and its entries. Above and
below each part, links to every part. The further pages leave the search
index (the first page is what a search should find). The detections
index's filters put every entry back in one table (docs/javascripts/filters.js
reads the other parts).

The published Markdown (`render --layout published`) is not split: only the
site's pages are.
"""

from __future__ import annotations

import re

import yaml

from ..models import Source
from ..render import Page, Renderings

ROWS_PER_PAGE = 500
"""Entries per part of a listing: about 200 KB of HTML for the detections index."""

_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-+")
_LIST_ITEM = ("* ", "- ", "+ ")
_FRONT_MATTER = re.compile(r"\A---\n(.*?\n)?---\n", re.DOTALL)


def split_long_listings(pages: list[Page], unsplit: frozenset[str], renderings: Renderings | None = None) -> list[Page]:
    """Every page, with each listing page longer than ROWS_PER_PAGE entries replaced by its parts.

    Pages made from the sources in `unsplit` (the detections: no listing) are not looked at. `renderings`: what
    an earlier build of this process split, to reuse for a page whose text is the same (`mkdocs serve`).
    """
    renderings = renderings or Renderings()
    kept: list[Page] = []
    for page in pages:
        if page.path[-1].endswith(".md") and page.url and (page.source is None or page.source.path not in unsplit):
            kept.extend(renderings.later_call(_parts_of, page.url, page.text, page.path, page.source, page.label,
                                              page.url, page.listing)())
        else:
            kept.append(page)
    return kept


def _parts_of(text: str, path: tuple[str, ...], source: Source | None, label: str, url: str,
              listing: tuple[str, str] | None) -> list[Page]:
    return _parts(Page(path, text, source, label, url, listing))


def _parts(page: Page) -> list[Page]:
    text = page.text
    front = _FRONT_MATTER.match(text)
    body_start = front.end() if front else 0
    lines = text[body_start:].split("\n")
    run = _longest_listing(lines)
    if run is None:
        return [page]
    start, first_entry, end = run
    entries = lines[first_entry:end]
    if len(entries) <= ROWS_PER_PAGE:
        return [page]
    chunks = [entries[at:at + ROWS_PER_PAGE] for at in range(0, len(entries), ROWS_PER_PAGE)]
    urls = [page.url] + [part_url(page.url, number) for number in range(2, len(chunks) + 1)]
    before, header, after = lines[:start], lines[start:first_entry], lines[end:]
    headings = _headings(before)
    parts = []
    for number, chunk in enumerate(chunks, start=1):
        pager = _pager(urls, number, len(entries))
        listing = ["", pager, "", *header, *chunk, "", pager, ""] + (after if number == len(chunks) else [])
        if number == 1:
            parts.append(Page(page.path, text[:body_start] + "\n".join(before + listing), page.source,
                              page.label, page.url, page.listing))
            continue
        matter = _front_matter(front.group(1) if front and front.group(1) else "", number, len(chunks))
        parts.append(Page(tuple(_document(urls[number - 1]).split("/")), matter + "\n".join(headings + listing),
                          page.source, f"{page.label or page.url} (part {number})", urls[number - 1]))
    return parts


def part_url(url: str, number: int) -> str:
    """The address of part `number` (2, 3, ...) of the listing at `url`: "/detections/" -> "/detections/page/2/"."""
    return url.rstrip("/") + f"/page/{number}/"


def _document(url: str) -> str:
    return url.strip("/") + ".md"


def _longest_listing(lines: list[str]) -> tuple[int, int, int] | None:
    """(first line, first entry, end) of the listing with the most entries: a table (its header and
    separator lines come before its entries) or a bulleted list."""
    best: tuple[int, int, int] | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        table = line.startswith("|")
        if not (table or line.startswith(_LIST_ITEM)):
            index += 1
            continue
        end = index
        while end < len(lines) and (lines[end].startswith("|") if table else lines[end].startswith(_LIST_ITEM)):
            end += 1
        first = index + 2 if table and end - index >= 2 and _TABLE_SEPARATOR.match(lines[index + 1]) else index
        if first != index or not table:
            if best is None or end - first > best[2] - best[1]:
                best = (index, first, end)
        index = end
    return best


def _headings(before: list[str]) -> list[str]:
    """What a further part repeats of what comes before the listing: the page's heading and the listing's."""
    titles = [line for line in before if line.startswith("# ")][:1]
    nearest = [line for line in before if line.startswith("#")][-1:]
    return [heading for heading in dict.fromkeys(titles + nearest)] + ([""] if titles or nearest else [])


def _front_matter(matter: str, number: int, count: int) -> str:
    """The front matter of part `number`: the page's title with the part's number; out of the search index."""
    try:
        fields = yaml.safe_load(matter) if matter.strip() else {}
    except yaml.YAMLError:
        fields = {}
    fields = fields if isinstance(fields, dict) else {}
    title = fields.get("title")
    kept = {"title": f"{title} (part {number} of {count})" if isinstance(title, str) and title else
            f"Part {number} of {count}", "search": {"exclude": True}}
    return "---\n" + yaml.safe_dump(kept, sort_keys=False, allow_unicode=True, width=1000) + "---\n\n"


def _pager(urls: list[str], number: int, total: int) -> str:
    """Links to every part of a listing, the current one in bold."""
    first = (number - 1) * ROWS_PER_PAGE + 1
    last = min(number * ROWS_PER_PAGE, total)
    links = " · ".join(f"**{index}**" if index == number else f"[{index}]({url})"
                       for index, url in enumerate(urls, start=1))
    return (f'<div class="sc-pages sc-addition" data-fidelity-ignore="" data-search-exclude="" markdown="1">\n\n'
            f"Entries {first:,}–{last:,} of {total:,}. Pages: {links}\n\n</div>")
