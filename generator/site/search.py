"""The site's search index, made small enough to answer in a keystroke.

The theme indexes every section of every page: for the 2024-10 corpus that
is 31,000 entries and 15 MB, which a reader's browser downloads and indexes
before the first result. Here each generated page becomes one entry: its
title, the start of its description as the excerpt and, not shown, the words
a reader looks a detection up by (its id, ATT&CK ids and names, CVE ids,
macros, lookups, data sources, the values its search matches on, the fields
it scores risk on and every word of its description, once) and a story up by
(every word of its description and narrative, once); on a site
of several content sources, each page's source's label too.
Hand-written pages (docs/) keep their sections. The build then indexes the
entries' words (`with_word_index`), so that the site's search worker has
nothing to index in the reader's browser.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from ..enrich import DetectionPage, PlaybookPage, Site, StoryPage

EXCERPT_CHARACTERS = 300
"""How much of a page's description its entry keeps; the theme shows the first lines of it."""
LISTING_CHARACTERS = 200
"""Listings (indexes, tactic and category pages) keep only the start of their introduction, the paragraphs before
their table: they rank below what they list. A listing without one (the published tactic and category pages)
shows its title alone, not its table's headings and first rows run together."""

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
        pages = (*site.detections, *site.stories, *site.deprecated_stories, *site.playbooks)
        self._pages = {page.url.lstrip("/"): page for page in pages}

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
            # The fields it scores risk on (`display_name`), and the words of its description past the excerpt:
            # a detection is looked up by what it finds ("LockBit"), which its description may name far down.
            parts += [entity.field for entity in detection.risk_entities]
            parts += [threat.field for threat in detection.threat_objects]
            parts += [observable.name for observable in detection.tags.observables]
            parts.append(_prose_words(detection.description or ""))
        elif isinstance(page, StoryPage):
            parts = [page.story.id, *(f"{t.id} {t.name}" for t in page.techniques)]
            # A story is looked up by its subject, which its narrative may name only far down ("PowerShell").
            parts.append(_prose_words(f"{page.story.description} {page.story.narrative}"))
        elif isinstance(page, PlaybookPage):
            parts = [page.playbook.id, *page.playbook.app_list]
        else:
            return ""
        model = page.detection if isinstance(page, DetectionPage) else \
            page.story if isinstance(page, StoryPage) else page.playbook
        origin = model.source.origin
        if origin is not None and origin.badge:  # a site of several sources: "acme" finds ACME's pages
            parts.append(origin.label)
        return " · ".join(_distinct(part for part in parts if part))


def _prose_words(prose: str) -> str:
    """The words of a text, each once, without the punctuation around them."""
    return " ".join(_distinct(word for word in (_WORD_EDGES.sub("", word) for word in prose.split()) if word))


def summary(page_entries: list[dict]) -> dict:
    """What a generated page's one entry shows, from the theme's entries of the page (its own first):
    {"location", "title", "excerpt", "boost"?}; `with_terms` makes it an entry of the index."""
    first = page_entries[0]
    listing = first.get("boost", 1) < 1
    shown = {"location": first["location"].split("#", 1)[0], "title": first["title"],
             "excerpt": _introduction(first["text"]) if listing else _excerpt(page_entries, EXCERPT_CHARACTERS)}
    if "boost" in first:
        shown["boost"] = first["boost"]
    return shown


def with_terms(shown: dict, words: str) -> dict:
    """The index entry of a page's `summary`, with the words it is found by (not shown)."""
    # The index's texts are HTML, which the theme shows as it is.
    hidden = f'<span class="sc-search-terms"> {html.escape(words, quote=False)}</span>' if words else ""
    entry = {"location": shown["location"], "title": shown["title"]}
    # One paragraph: the theme shows those of a result's paragraphs that have a match, so a page found by
    # a hidden word shows its excerpt too.
    entry["text"] = f"<p>{shown['excerpt']}{hidden}</p>" if shown["excerpt"] or hidden else ""
    if "boost" in shown:
        entry["boost"] = shown["boost"]
    return entry


_HEADING_START = re.compile(r"<h[1-6][\s>]", re.IGNORECASE)
CHUNK_CHARACTERS = 8192
"""Past its headings, a page is read in pieces of about this size, each ending where a line starts with a tag."""


def page_summary(page, html: str) -> dict | None:
    """The `summary` of a converted page (mkdocs' Page, whose HTML is `html`), exactly as the theme's
    entries of the whole page would give it, reading only as much of the page as it needs: a detection's description comes early,
    and a listing's excerpt is its first few lines. None when the page leaves the index.

    The theme's own parser and entries are used (material's search plugin), fed the page in pieces; a
    piece ends right before a tag, where the parser ends a text run anyway, so what it collects is the same.
    """
    from material.plugins.search.plugin import Parser, SearchIndex

    if (page.meta.get("search") or {}).get("exclude"):
        return None
    parser = Parser()
    described = 'id="description"' in html
    for piece in _pieces(html):
        parser.feed(piece)
        found = _settled(parser, page, described, SearchIndex)
        if found is not None:
            return found
    parser.close()
    entries = _entries(parser.data, page, SearchIndex)
    return summary(entries) if entries else None


def _pieces(html: str):
    """`html` cut before each heading and, between headings, about every CHUNK_CHARACTERS before a line's tag."""
    cuts = {match.start() for match in _HEADING_START.finditer(html)}
    position = CHUNK_CHARACTERS
    while position < len(html):
        cut = html.find("\n<", position)
        if cut < 0:
            break
        cuts.add(cut + 1)
        position = cut + 1 + CHUNK_CHARACTERS
    start = 0
    for cut in sorted(cuts):
        if cut > start:
            yield html[start:cut]
            start = cut
    yield html[start:]


def _entries(sections, page, index_type) -> list[dict]:
    """The theme's entries of these sections (excluded ones left out)."""
    index = index_type()
    for section in sections:
        if not section.is_excluded():
            index.create_entry_for_section(section, page.toc, page.url, page)
    return index.entries


def _settled(parser, page, described: bool, index_type) -> dict | None:
    """The page's summary if the part of the page read so far decides it; else None.

    A top-level section's text is complete once another top-level section
    has begun (the parser returns to an earlier section only when it leaves
    an element a heading was nested in). Failing that, a section's excerpt is
    decided once its text has gone past what the excerpt keeps.
    """
    open_headings = {id(element) for element in parser.context}
    wanted = []
    for section in parser.data:
        if id(section.el) in open_headings:
            break  # its title is not complete
        if not section.is_excluded():
            wanted.append(section)
    if not wanted or wanted[0] is not next((s for s in parser.data if not s.is_excluded()), None):
        return None
    entries = _entries(wanted, page, index_type)
    first = entries[0]
    listing = first.get("boost", 1) < 1
    tops = [index for index, section in enumerate(wanted) if section.depth <= 1]
    for index, (section, entry) in enumerate(zip(wanted, entries)):
        if described and not entry["location"].endswith("#description"):
            continue
        complete = section.depth <= 1 and any(top > index for top in tops)
        if listing:  # its first section decides, empty or not
            excerpt = _introduction(entry["text"]) if complete else _decided_introduction(entry["text"])
            if excerpt is None:
                return None
        else:
            excerpt = _excerpt([entry], EXCERPT_CHARACTERS) if complete else _decided_excerpt(entry["text"],
                                                                                               EXCERPT_CHARACTERS)
            if excerpt is None or (described and not excerpt):
                return None  # not decided yet (or a rare empty description: read the whole page)
        if excerpt or listing:
            found = {"location": first["location"].split("#", 1)[0], "title": first["title"], "excerpt": excerpt}
            if "boost" in first:
                found["boost"] = first["boost"]
            return found
    return None


def _introduction(text: str) -> str:
    """A listing's excerpt: the start of the paragraphs its first section's text begins with, else nothing."""
    paragraphs = _LEADING_PARAGRAPHS.match(text)
    return _excerpt([{"location": "", "text": paragraphs.group(0)}], LISTING_CHARACTERS) if paragraphs else ""


def _decided_introduction(text: str) -> str | None:
    """`_introduction` of a first section whose text so far is `text`, if no more text can change it; else None."""
    paragraphs = _LEADING_PARAGRAPHS.match(text)
    rest = text[paragraphs.end():] if paragraphs else text
    if not rest.strip() or rest.lstrip().startswith("<p>"):
        return None  # nothing after the paragraphs yet, or a paragraph still open
    return _introduction(text)


def _decided_excerpt(text: str, limit: int) -> str | None:
    """The excerpt of a section whose text so far is `text`, if no more text can change it; else None."""
    paragraphs = _LEADING_PARAGRAPHS.match(text)
    if paragraphs:
        rest = text[paragraphs.end():]
        return _excerpt([{"location": "", "text": paragraphs.group(0)}], limit) \
            if rest and not rest.startswith("<p>") else None
    if text.lstrip().startswith("<p>") or not text.strip():
        return None  # a paragraph still open, or nothing yet
    plain = _SPACES.sub(" ", _TAGS.sub(" ", text)).strip()
    return _excerpt([{"location": "", "text": text}], limit) if len(plain) > limit + 1 else None


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


STOP_WORDS = ("a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "if", "in",
              "into", "is", "it", "its", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
              "these", "they", "this", "to", "was", "were", "which", "will", "with")
"""Words too common to find a page by: not indexed, and left out of queries, where `stopWordFilter` is in the
search settings' pipeline (mkdocs.yml has it)."""
_HIDDEN_TERMS = re.compile(r'<span class="sc-search-terms">(.*?)</span>', re.DOTALL)
_WORD_EDGES = re.compile(r"^[^\w$]+|[^\w$]+$")
"""Punctuation around a word ("memory." is "memory"); docs/javascripts/site-search-worker.js does the same."""
TEXT, TERMS, TITLE = 0, 1, 3
"""A word's fields in the word index, in the order of their weight (2 is the page's id, matched in the worker)."""
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"


def with_word_index(index: dict, known: dict | None = None) -> dict:
    """The search index as the theme writes it (`{"config", "docs"}`), ready for the site's search worker
    (docs/javascripts/site-search-worker.js): the words are indexed here, not in each reader's browser.

    Each entry keeps what the theme shows (location, title, excerpt, boost) and, as `id`, the page's id;
    its hidden lookup words (`with_terms`) leave its text. The theme hands the index's `config` to its search
    worker as it is, so the word index travels there, as `config["words"]`: `words`, every word in
    JavaScript's sort order, separated by spaces; `postings`, for each word, the entries that have it, each
    as (entry number - previous entry number) * 4 + the weightiest field it is in (TEXT, TERMS, TITLE), in
    base-32 digits, the most significant first, all but the last from the upper half of `_DIGITS`;
    and `stop_words`, the words left out. Words are as the worker splits a query: lower case, split at the
    search separator, punctuation around them taken off. `known`, kept from one call to the next (a preview's
    rebuilds), holds the words of each entry read: only new and changed entries are read again. Raises re.error
    if the separator is not a regular expression Python reads."""
    config = index["config"]
    separator = re.compile(config["separator"])
    stop_words = frozenset(STOP_WORDS) if "stopWordFilter" in config.get("pipeline", ()) else frozenset()
    read = {} if known is None else known
    docs, postings = [], {}
    for number, entry in enumerate(index["docs"]):
        key = _entry_key(entry, separator, stop_words)
        if key not in read:
            read[key] = _entry_words(entry, separator, stop_words)
        shown, page_id, fields = read[key]
        doc = {**entry, "text": shown}
        if page_id:
            doc["id"] = page_id
        docs.append(doc)
        for word, field in fields.items():
            numbers = postings.get(word)
            if numbers is None:
                postings[word] = [number * 4 + field]
            else:
                numbers.append(number * 4 + field)
    if known is not None:  # what no entry has any more is forgotten
        for gone in read.keys() - {_entry_key(entry, separator, stop_words) for entry in index["docs"]}:
            del read[gone]
    words = sorted(postings, key=lambda word: word.encode("utf-16-be"))  # JavaScript compares UTF-16 units
    encoded = " ".join(_encoded_postings(postings[word]) for word in words)
    return {**index, "config": {**config, "words": {"words": " ".join(words), "postings": encoded,
                                                   "stop_words": sorted(stop_words)}}, "docs": docs}


def _entry_key(entry: dict, separator: re.Pattern, stop_words: frozenset[str]) -> tuple:
    """What an entry's words depend on: a preview's rebuild reads again only the entries whose key is new."""
    return (separator.pattern, stop_words, entry.get("title", ""), entry.get("text", ""), *entry.get("tags", ()))


def _entry_words(entry: dict, separator: re.Pattern, stop_words: frozenset[str]) -> tuple[str, str, dict[str, int]]:
    """(the entry's text without its lookup words, the page's id, each of its words -> its weightiest field)."""
    text = entry.get("text", "")
    hidden = _HIDDEN_TERMS.search(text)
    lookup = html.unescape(hidden.group(1)).strip() if hidden else ""
    page_id, _, terms = lookup.partition(" · ")
    shown = _HIDDEN_TERMS.sub("", text) if hidden else text
    fields: dict[str, int] = {}
    for field, words in ((TITLE, _plain(entry.get("title", ""))),
                         (TERMS, " ".join([terms, *entry.get("tags", ())])), (TEXT, _plain(shown))):
        for word in _index_words(words, separator, stop_words):
            fields.setdefault(word, field)
    return shown, page_id, fields


def _plain(markup: str) -> str:
    return html.unescape(_TAGS.sub(" ", markup))


def _index_words(text: str, separator: re.Pattern, stop_words: frozenset[str]):
    for word in separator.split(text.lower()):
        if word and not (word[0].isalnum() and word[-1].isalnum()):  # most words have no punctuation around
            word = _WORD_EDGES.sub("", word)
        if word and word not in stop_words:
            yield word


def _encoded_postings(values: list[int]) -> str:
    encoded, previous = [], 0
    for value in values:
        delta = value - (previous << 2)  # (entry number - previous entry number) * 4 + field
        encoded.append(_SHORT_NUMBERS[delta] if delta < len(_SHORT_NUMBERS) else _base32(delta))
        previous = value >> 2
    return "".join(encoded)


def _base32(value: int) -> str:
    digits = [value & 31]
    value >>= 5
    while value:
        digits.append((value & 31) | 32)
        value >>= 5
    return "".join(_DIGITS[digit] for digit in reversed(digits))


_SHORT_NUMBERS = tuple(_base32(value) for value in range(1024))
"""The digits of the numbers of one or two digits, most postings."""


_THEME_WORKER = re.compile(r'"search": "([^"]*?)assets/javascripts/workers/(search\.[0-9a-f]+\.min\.js)"')


def search_worker(theme_worker: str, one_entry_per_page: bool) -> str:
    """The site's search worker, from the site's root, in place of the theme's (`theme_worker`,
    "search.<hash>.min.js").

    With one entry per page: docs/javascripts/site-search-worker.js, which answers from the word index the
    build made (`with_word_index`) and ranks an exact id first. With the theme's index of every section
    (`search_sections`): docs/javascripts/search-worker.js, which runs the theme's own worker (named after
    "?theme=") with a fix to lunr: without it, short queries failed on a large index."""
    if one_entry_per_page:
        return "javascripts/site-search-worker.js"
    return f"javascripts/search-worker.js?theme={theme_worker}"


def with_search_worker(html: str, one_entry_per_page: bool) -> str:
    """A page that carries the theme's configuration itself (a site without the project's overrides; the
    theme's 404 page) with the site's search worker (`search_worker`) in place of the theme's."""
    return _THEME_WORKER.sub(lambda found: f'"search": "{found[1]}{search_worker(found[2], one_entry_per_page)}"',
                             html, count=1)
