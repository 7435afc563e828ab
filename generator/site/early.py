"""`mkdocs serve`: the page of an edited file shown before the rest of the rebuild.

At 10,000 detections a rebuild takes seconds, most of them for what the
edit touches only in passing: the listings that show the detection, the
exports, the search index, mkdocs' object for each of the site's pages. The
contributor is looking at the page of the file they saved. So, as soon as a
rebuild has that page's Markdown (before any listing is rendered), the page
is converted and put through the theme with the previous build's settings
and navigation, written, and the open tabs reload (`reveal`); the rest of
the rebuild follows, and the other tabs reload once more when it is written
(`reload_when_done`), so that every tab ends on the finished site. The rest
of the rebuild converts the page again, as any changed page, and writes it
as a clean build would: the same bytes, so a tab showing that page is told
the version the rebuild will end at (`SettledTabs`) and does not reload
again. When the contributor saves again before the rest
is written (`newer_change`), the rest is left to the next rebuild, which
starts at once: until it converts a page, a rebuild only reads, renders and
works out which pages changed, so the plugin can stop it there
(`RebuildSuperseded`) and put back what it had noted (`Preview.roll_back`).
The site and what the session keeps are then those of the last complete
build, plus the page shown, which the next rebuild makes again.

mkdocs' live-reload server holds every request while it rebuilds, and tells
the tabs to reload when the builder returns; `reveal` and
`reload_when_done` move those two moments, through the server's own
attributes (mkdocs 1.6). Without them (another server), the page is still
written first and shown when the rebuild ends.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation

from .convert import SitePage

MOST_PAGES = 3
"""A rebuild with more pages to show first (a checkout, a search-and-replace) just rebuilds."""


@dataclass(frozen=True)
class LastBuild:
    """What the previous complete build put its pages through the theme with."""

    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: jinja2.Environment
    extension: Any
    """The plugin's Markdown extension of that build (the one `config` converts with)."""

    def can_show(self, src_uri: str) -> bool:
        """Whether the page at `src_uri` can be shown first: that build made it, outside the navigation (a
        page the navigation shows changes its neighbours' pages too)."""
        file = self.files.get_file_from_path(src_uri)
        return file is not None and file.generated_by is not None and isinstance(file.page, SitePage)

    def write(self, src_uri: str, markdown: str) -> Path:
        """The page of `markdown` at `src_uri`, converted, put through the theme and written as that build
        would have (its plugins' page events included). Its objects are new: the build's are not changed, and
        what the page events add to a search index is taken out again (the search plugins live as long as the
        server: their index is the running rebuild's, which indexes the page itself). Returns the file written."""
        from mkdocs.commands.build import _build_page, _populate_page

        indexes = [index.entries for index in (getattr(plugin, "search_index", None)
                                               for plugin in self.config.plugins.values())
                   if isinstance(getattr(index, "entries", None), list)]
        kept = [len(entries) for entries in indexes]
        try:
            page = SitePage(None, File.generated(self.config, src_uri, content=markdown), self.config)
            _populate_page(page, self.config, self.files)
            _build_page(page, self.config, self.files.documentation_pages(), self.nav, self.env)
        finally:
            for entries, length in zip(indexes, kept):
                del entries[length:]
        return Path(page.file.abs_dest_path)


    def write_data(self, uri: str, text: str) -> Path:
        """A file of the site other than a page (the problems' data the notice on every page reads), written as
        the rebuild would write it. Returns the file written."""
        file = File.generated(self.config, uri, content=text)
        file.copy_file()
        return Path(file.abs_dest_path)


class SettledTabs:
    """The pages a rebuild showed first are written again as they are when it ends, so a tab showing one of them
    need not reload then. mkdocs' live-reload script reloads a tab when the server's version of the site (its
    epoch) passes the one the tab's page was served with: a page whose bytes are one of `pages` is served with
    `epoch`, the version the rebuild will end at, instead of the current one (never a lower one, which would
    reload the tab at once)."""

    def __init__(self, server: Any) -> None:
        self.epoch = 0
        self.pages: dict[Path, bytes] = {}
        serve_with_script = server._inject_js_into_html

        def inject(content: bytes, epoch: int) -> bytes:
            pages = self.pages  # (replaced whole by the rebuild's thread, read here by a request's)
            if content in pages.values():
                epoch = max(epoch, self.epoch)
            return serve_with_script(content, epoch)

        server._inject_js_into_html = inject

    @classmethod
    def of(cls, server: Any) -> "SettledTabs | None":
        """The server's, made on first use; None where it has no such script (not mkdocs' own server)."""
        if not callable(getattr(server, "_inject_js_into_html", None)):
            return None
        tabs = getattr(server, "_security_content_tabs", None)
        if tabs is None:
            tabs = server._security_content_tabs = cls(server)
        return tabs


def reveal(server: Any, shown: Sequence[Path] = ()) -> bool:
    """Let the live-reload server serve the site as it is on disk now, and reload the open tabs; a tab that then
    loads one of the pages `shown` first is told the version the rebuild ends at (`SettledTabs`; `shown` also
    holds what those pages read, such as the problems' data: if the rebuild ends with any of them changed, those
    tabs reload too). False where the server has no such moment (not mkdocs' own)."""
    epochs: threading.Condition | None = getattr(server, "_epoch_cond", None)
    if epochs is None or not hasattr(server, "_wanted_epoch") or not hasattr(server, "_visible_epoch"):
        return False
    tabs = SettledTabs.of(server)
    with epochs:
        server._visible_epoch = server._wanted_epoch
        if tabs is not None:
            tabs.epoch = max(server._visible_epoch + 1, _now())
            tabs.pages = {path: content for path in shown if (content := _read(path)) is not None}
        epochs.notify_all()
    return True


def newer_change(server: Any) -> bool:
    """Whether the live-reload server saw a change since the running rebuild started (it rebuilds again after)."""
    return bool(getattr(server, "_want_rebuild", False))


def reload_when_done(server: Any) -> None:
    """After a rebuild that revealed a page: a newer version of the site, which the server makes visible (the tabs
    reload) as soon as the builder returns, every page then written. It is the version the tabs showing a page
    shown first were told, unless that page was not written again as it was shown: then those tabs reload too."""
    tabs = SettledTabs.of(server)
    with server._epoch_cond:
        wanted = max(server._visible_epoch + 1, _now())
        if tabs is not None and tabs.pages:
            unchanged = all(_read(path) == content for path, content in tabs.pages.items())
            wanted = tabs.epoch if unchanged and tabs.epoch > server._visible_epoch else max(wanted, tabs.epoch + 1)
            tabs.pages = {}
        server._wanted_epoch = wanted


def _now() -> int:
    """A version of the site, as mkdocs' server numbers them (milliseconds of the monotonic clock)."""
    return round(time.monotonic() * 1000)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
