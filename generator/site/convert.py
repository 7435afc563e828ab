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

It is not used under `mkdocs serve` (a rebuild converts a few pages) nor
where this process cannot fork safely; any failure of the child leaves its
pages to be converted here as usual.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable

from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from .. import parallel

MIN_PAGES = 200
"""Below this, a fork costs more than it saves."""

in_child = False
"""True in the child while it converts its share (it does not report the build's progress)."""


@dataclass
class Converted:
    """What converting one page left on it."""

    content: str
    toc: object
    title: str | None
    present_anchor_ids: set[str] | None
    links_to_anchors: dict[str, dict[str, str]] | None
    """src_uri of the linked file -> its anchors, as mkdocs keeps them (by File)."""
    dead_links: list[str] = field(default_factory=list)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None  # picklable whatever its arguments were
        record.exc_info = None
        self.records.append(record)


class ChildConversion:
    """The child's share of a build: started at `nav`, collected when the first of its pages comes up."""

    def __init__(self, documents: list[File], config, files: Files, dead_links: Callable[[str], list[str]]):
        self.uris = {document.src_uri for document in documents}
        self.results: dict[str, Converted] | None = None
        self._child = parallel.Forked(lambda: _convert(documents, config, files, dead_links))

    def result(self, page: Page) -> Converted | None:
        """The child's conversion of `page`, waiting for the child the first time; None if it failed."""
        if page.file.src_uri not in self.uris:
            return None
        if self.results is None:
            outcome = self._child.result()
            self.results, records = outcome if outcome is not None else ({}, [])
            for record in records:  # the child's messages, counted here (--strict)
                logging.getLogger(record.name).handle(record)
        return self.results.get(page.file.src_uri)


def _convert(documents: list[File], config, files: Files, dead_links: Callable[[str], list[str]]):
    from mkdocs.commands.build import _populate_page  # mkdocs' own page population, as its build loop runs it

    global in_child
    in_child = True
    handler = _Records()
    root = logging.getLogger()
    root.addHandler(handler)
    for name in ("mkdocs", "security_content"):  # loggers that do not pass their records up
        logging.getLogger(name).addHandler(handler)
    results = {}
    for document in documents:
        page = document.page if document.page is not None else Page(None, document, config)
        _populate_page(page, config, files)
        links = page.links_to_anchors
        results[page.file.src_uri] = Converted(
            content=page.content or "",
            toc=page.toc,
            title=page._title_from_render,
            present_anchor_ids=page.present_anchor_ids,
            links_to_anchors={file.src_uri: anchors for file, anchors in links.items()} if links is not None else None,
            dead_links=dead_links(page.file.src_uri),
        )
    return results, handler.records


def start(config, files: Files, dead_links: Callable[[str], list[str]]) -> ChildConversion | None:
    """Fork a child for the last pages, about half the Markdown; None where that would not pay or is unsafe."""
    documents = list(files.documentation_pages())
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
    return ChildConversion(theirs, config, files, dead_links) if theirs else None


def restore(page: Page, converted: Converted, files: Files) -> str:
    """Put back on `page` what the child's conversion left on it; the page's HTML."""
    page.toc = converted.toc
    page._title_from_render = converted.title
    page.present_anchor_ids = converted.present_anchor_ids
    if converted.links_to_anchors is not None:
        page.links_to_anchors = {files.get_file_from_path(uri): anchors
                                 for uri, anchors in converted.links_to_anchors.items()
                                 if files.get_file_from_path(uri) is not None}
    return converted.content
