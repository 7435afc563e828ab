"""Convert pages on both cores during `mkdocs build`.

mkdocs converts the Markdown of every page, one after the other, and each
page is a pure function of its Markdown. Just before that loop (the `nav`
event), a forked child takes the last pages, weighed by the size of their
Markdown so that both halves take about as long, and runs mkdocs' own page
population on them (reading, every plugin's page events, conversion). It
sends back what that left on each page (its HTML, table of contents, title,
anchors and links) with the log records and dead links it produced. When
the loop in this process reaches those pages, their Markdown is replaced by
nothing and what the child found is put back, so every page ends up exactly
as if this process had converted it.

Where it can (`Finishing`), the child then puts its pages through the theme
too, while this process puts its own through it, and sends back each
finished page (and, with a build cache, its packed entries): this process
writes them as they are. Without this, the theme's work for every page
would come after both halves are converted, in this process alone.

It is not used under `mkdocs serve` (a rebuild converts a few pages) nor
where this process cannot fork safely; any failure of the child leaves its
pages to be converted here as usual, and a failure while it finishes them
leaves them to be finished here.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Callable

import markdown
from markdown.extensions import Extension
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents, get_toc

from .. import parallel

MIN_PAGES = 200
"""Below this, a fork costs more than it saves."""


@dataclass
class Converted:
    """What converting one page gave: what it left on the page, and what the plugin learned of it."""

    content: str | None
    """The page's HTML; None where only its finished page is needed (kept by the build cache)."""
    toc: TableOfContents | None
    title: str | None
    present_anchor_ids: set[str] | None
    links_to_anchors: dict[str, dict[str, str]] | None
    """src_uri of the linked file -> its anchors, as mkdocs keeps them (by File)."""
    dead_links: list[str] = field(default_factory=list)
    search: dict | None = None
    """The page's search summary (search.py), when the page has one."""
    lookups: dict[str, str | None] = field(default_factory=dict)
    """Each link the page looked up (markdown.py) and the document it led to, None for none."""
    records: list[tuple[str, int, str]] = field(default_factory=list)
    """(logger, level, message) of what converting the page logged."""


class Capture(logging.Handler):
    """What is logged while a page is converted, as (logger, level, message); it is logged as usual too."""

    LOGGERS = ("", "mkdocs", "security_content")
    """The root logger and the ones that do not pass their records up."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, int, str]] = []
        self._seen: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if id(record) not in self._seen:  # a record can pass through two of the loggers
            self._seen.add(id(record))
            self.records.append((record.name, record.levelno, record.getMessage()))

    def __enter__(self) -> "Capture":
        for name in self.LOGGERS:
            logging.getLogger(name).addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self)


def replay(records: list[tuple[str, int, str]]) -> None:
    """Log again what converting a page logged (it counts for --strict as it did then)."""
    for name, level, message in records:
        logging.getLogger(name).handle(logging.makeLogRecord(
            {"name": name, "levelno": level, "levelname": logging.getLevelName(level), "msg": message}))


def facts(converted: Converted) -> dict:
    """What a page's conversion gave besides its HTML and table of contents, as data (for the build cache)."""
    return {"title": converted.title,
            "anchors": sorted(converted.present_anchor_ids) if converted.present_anchor_ids is not None else None,
            "links": converted.links_to_anchors, "dead_links": converted.dead_links, "search": converted.search,
            "lookups": converted.lookups, "records": converted.records}


def body(converted: Converted) -> dict:
    """The page's HTML and table of contents, as data."""
    return {"content": converted.content, "toc": [_anchor_data(anchor) for anchor in converted.toc or ()]}


def from_data(found: dict, kept_body: dict | None) -> Converted:
    """The conversion `facts` and `body` describe (`kept_body` None: its HTML is not needed)."""
    anchors = found["anchors"]
    return Converted(
        content=kept_body["content"] if kept_body is not None else None,
        toc=TableOfContents([_anchor(item) for item in kept_body["toc"]]) if kept_body is not None else None,
        title=found["title"], present_anchor_ids=set(anchors) if anchors is not None else None,
        links_to_anchors=found["links"], dead_links=found["dead_links"], search=found["search"],
        lookups=found["lookups"], records=[tuple(record) for record in found["records"]])


_ANCHOR_FIELDS = ("title", "id", "level", "children")


def _anchor_data(anchor: AnchorLink) -> dict:
    extra = {name: value for name, value in vars(anchor).items() if name not in _ANCHOR_FIELDS}
    json.dumps(extra)  # a table of contents item with anything else than data cannot be kept (TypeError)
    return {"title": anchor.title, "id": anchor.id, "level": anchor.level, "extra": extra,
            "children": [_anchor_data(child) for child in anchor.children]}


def _anchor(data: dict) -> AnchorLink:
    anchor = AnchorLink(data["title"], data["id"], data["level"])
    for name, value in data["extra"].items():
        setattr(anchor, name, value)
    anchor.children = [_anchor(child) for child in data["children"]]
    return anchor


Found = Callable[[str], tuple[list[str], dict | None, dict[str, str | None]]]
"""src_uri -> what converting it found besides its HTML: its dead links, search summary and link lookups."""

Entered = Callable[[], None]
"""Called in the child before it converts anything: the plugin's copy there knows it is the child's (it reports
no progress and writes no cache entries: it hands them to this process)."""


@dataclass(frozen=True)
class Finishing:
    """What the child needs to put its pages through the theme as this process would."""

    nav: Navigation
    pack: Callable[[Converted], tuple[bytes, bytes]] | None
    """A conversion's entries in the build cache, packed (`PageCache.packed_conversion`); None without a cache."""


@dataclass
class Finished:
    """A page the child put through the theme."""

    page: bytes
    """The finished page, packed (`cache.pack_text`)."""
    conversion: tuple[bytes, bytes] | None
    """Its conversion's entries in the build cache, packed; None without a cache."""


def can_finish(nav: Navigation) -> bool:
    """Whether another process can put pages through the theme as this one would: every page the navigation
    shows (in every page) has its title from mkdocs.yml, not from its conversion here."""
    return all("title" in vars(page) for page in nav.pages)


class ChildConversion:
    """The child's share of a build: started at `nav`, collected when the first of its pages comes up; with
    `finishing`, its finished pages collected when the theme comes to the first of them."""

    def __init__(self, documents: list[File], config, files: Files, found_in: Found, finishing: Finishing | None,
                 entered: Entered):
        self.uris = {document.src_uri for document in documents}
        self.results: dict[str, Converted] | None = None
        self.finishes = finishing is not None
        """Whether the child is to finish its pages (until it fails to send them)."""
        self._finished: dict[str, Finished] | None = None
        self._child = parallel.Stream(lambda: _convert_and_finish(documents, config, files, found_in, finishing,
                                                                  entered))

    def result(self, page: Page) -> Converted | None:
        """The child's conversion of `page`, waiting for the child the first time; None if it failed."""
        if page.file.src_uri not in self.uris:
            return None
        if self.results is None:
            self.results = self._child.receive() or {}
            if not self.results:
                self.finishes = False
        return self.results.pop(page.file.src_uri, None)

    def awaits(self, page: Page, converted: Converted, template: str) -> None:
        """`page`, converted by the child, is to be finished by it: until `collect`, it is rendered by `template`
        (which writes the page the child made; cache.FINISHED_TEMPLATE)."""
        page.from_child, page.own_template = converted, page.meta.get("template")
        page.meta["template"] = template

    @staticmethod
    def awaited(page: Page) -> bool:
        return getattr(page, "from_child", None) is not None

    def collect(self, page: Page) -> tuple[Converted, Finished | None]:
        """(the child's conversion of an `awaits` page, the page as it finished it or None if it failed), the
        page's own template put back; waits for the child the first time."""
        converted, own_template = page.from_child, page.own_template
        del page.from_child, page.own_template
        if own_template is None:
            del page.meta["template"]
        else:
            page.meta["template"] = own_template
        if self._finished is None:
            self._finished = (self._child.receive() if self.finishes else None) or {}
            self.close()
        return converted, self._finished.pop(page.file.src_uri, None)

    def close(self, stop: bool = False) -> None:
        """The child has nothing more to give (`stop`: what it gives is not needed): it is ended."""
        self._child.close(stop)


def _convert_and_finish(documents: list[File], config, files: Files, found_in: Found, finishing: Finishing | None,
                        entered: Entered):
    """The child's work: its pages' conversions, then (with `finishing`) the pages finished."""
    entered()
    converted = _convert(documents, config, files, found_in)
    yield converted  # sent while the pages are finished
    if finishing is not None:
        yield _finish(documents, converted, config, files, finishing)


def _convert(documents: list[File], config, files: Files, found_in: Found) -> dict[str, Converted]:
    from mkdocs.commands.build import _populate_page  # mkdocs' own page population, as its build loop runs it

    for name in Capture.LOGGERS:  # what the child logs is logged by this process, with its page
        logging.getLogger(name).handlers = []
    results = {}
    for document in documents:
        page = document.page if document.page is not None else Page(None, document, config)
        with Capture() as capture:
            _populate_page(page, config, files)
        links = page.links_to_anchors
        dead_links, search, lookups = found_in(page.file.src_uri)
        results[page.file.src_uri] = Converted(
            content=page.content or "",
            toc=page.toc,
            title=page._title_from_render,
            present_anchor_ids=page.present_anchor_ids,
            links_to_anchors={file.src_uri: anchors for file, anchors in links.items()} if links is not None else None,
            dead_links=dead_links,
            search=search,
            lookups=lookups,
            records=capture.records,
        )
    return results


def _finish(documents: list[File], converted: dict[str, Converted], config, files: Files,
            finishing: Finishing) -> dict[str, Finished]:
    """Each converted page through the theme, as mkdocs' `_build_page` does it (its output not written)."""
    from mkdocs.commands.build import get_context

    from .cache import pack_text

    env = config.plugins.on_env(config.theme.get_env(), config=config, files=files)
    nav = finishing.nav
    for shown in nav.pages:  # the navigation shows their front matter (an icon, a status), as this process read it
        if shown.markdown is None:
            shown.read_source(config)
    shown_pages = files.documentation_pages()
    finished = {}
    for document in documents:
        page = document.page
        config._current_page = page
        page.active = True
        try:
            context = get_context(nav, shown_pages, config, page)
            template = env.get_template(page.meta.get("template", "main.html"))
            context = config.plugins.on_page_context(context, page=page, config=config, nav=nav)
            html = config.plugins.on_post_page(template.render(context), page=page, config=config)
        finally:
            page.active = False
            config._current_page = None
        conversion = converted[document.src_uri]
        finished[document.src_uri] = Finished(pack_text(html), finishing.pack(conversion) if finishing.pack else None)
    return finished


def start(config, files: Files, found_in: Found, entered: Entered, wanted: Callable[[File], bool],
          finishing: Finishing | None = None) -> ChildConversion | None:
    """Fork a child for the last of the pages to convert (`wanted`), about half their Markdown (and to finish
    them, with `finishing`); None where that would not pay or is unsafe."""
    documents = [document for document in files.documentation_pages() if wanted(document)]
    if not parallel.enabled or len(documents) < MIN_PAGES or not parallel.can_fork():
        return None
    sizes = [len(document.content_bytes) for document in documents]
    half, running, split = sum(sizes) / 2, 0, len(documents)
    for index, size in enumerate(sizes):
        running += size
        if running >= half:
            split = index + 1
            break
    theirs = documents[split:]
    return ChildConversion(theirs, config, files, found_in, finishing, entered) if theirs else None


SHARED_EXTENSIONS = frozenset({"toc", "tables", "fenced_code", "md_in_html", "smarty"})
"""Markdown extensions known to keep nothing from one page to the next once the converter is reset."""


class Converter:
    """One Markdown converter for every page of a build (in each process), reset between pages.

    mkdocs makes a new converter for each page, with every extension set up
    again: for the site's thousands of small pages, a sixth of their
    conversion. Only used when every configured extension is one known to
    keep no state across a reset (SHARED_EXTENSIONS, and the kramdown one).
    """

    def __init__(self, config, own: Extension):
        names = [name for name in config.markdown_extensions if isinstance(name, str)]
        objects = [extension for extension in config.markdown_extensions if not isinstance(extension, str)]
        self.usable = set(names) <= SHARED_EXTENSIONS and all(extension is own for extension in objects)
        self._config = config
        self._markdown: markdown.Markdown | None = None

    def convert(self, page: Page, files: Files) -> None:
        """What `Page.render` does, with the shared converter."""
        from mkdocs.structure import pages as mkdocs_pages

        if self._markdown is None:
            self._markdown = markdown.Markdown(extensions=self._config.markdown_extensions,
                                               extension_configs=self._config.mdx_configs or {})
        md = self._markdown.reset()
        raw_html = mkdocs_pages._RawHTMLPreprocessor()
        anchors = mkdocs_pages._ExtractAnchorsTreeprocessor(page.file, files, self._config)
        relative = mkdocs_pages._RelativePathTreeprocessor(page.file, files, self._config)
        title = mkdocs_pages._ExtractTitleTreeprocessor()
        for processor in (raw_html, anchors, relative, title):
            processor._register(md)  # each under its own name: the previous page's are replaced
        page.content = md.convert(page.markdown)
        page.toc = get_toc(getattr(md, "toc_tokens", []))
        page._title_from_render = title.title
        page.present_anchor_ids = anchors.present_anchor_ids | raw_html.present_anchor_ids
        if mkdocs_pages.log.getEffectiveLevel() > logging.DEBUG:
            page.links_to_anchors = relative.links_to_anchors


class SitePage(Page):
    """A generated page outside the navigation (nearly every page): converted by the build's `Converter`, or
    not at all when the build cache kept its conversion (`kept`; the plugin puts it back on the page)."""

    converter: Converter | None = None
    kept: Converted | None = None

    def render(self, config, files: Files) -> None:
        if self.kept is not None:
            self.content = ""
        elif self.converter is not None and self.converter.usable:
            self.converter.convert(self, files)
        else:
            super().render(config, files)


def restore(page: Page, converted: Converted, files: Files) -> str:
    """Put back on `page` what a conversion elsewhere (the child, an earlier build) left on it; the page's HTML
    ("" where only the finished page is needed)."""
    replay(converted.records)
    page.toc = converted.toc if converted.toc is not None else TableOfContents([])
    page._title_from_render = converted.title
    page.present_anchor_ids = converted.present_anchor_ids
    if converted.links_to_anchors is not None:
        page.links_to_anchors = {files.get_file_from_path(uri): anchors
                                 for uri, anchors in converted.links_to_anchors.items()
                                 if files.get_file_from_path(uri) is not None}
    return converted.content or ""
