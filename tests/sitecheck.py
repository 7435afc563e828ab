"""Crawl a built site: every internal link and fragment must land inside the site's base path."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

LINK_ATTRIBUTES = {("a", "href"), ("link", "href"), ("script", "src"), ("img", "src")}


class LinelessParser(HTMLParser):
    """An HTMLParser that counts no lines: only getpos() reads them, and no parser of the tests calls it (the
    count is an eighth of the time of parsing a page)."""

    def updatepos(self, i: int, j: int) -> int:
        return j  # where the parser goes on from, as the counting method returns it


class _Page(LinelessParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)
            if (tag, name) in LINK_ATTRIBUTES and value is not None:
                self.links.append(value)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def broken_links(site: Path, site_url: str) -> list[str]:
    """'page: link (why)' for every internal link that does not resolve inside `site_url`'s path."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(site_url))
    base = urlsplit(site_url).path
    parsed: dict[Path, _Page] = {}
    served: dict[str, Path | None] = {}  # an address's path -> the file serving it, None where no file does

    def page(path: Path) -> _Page:
        if path not in parsed:
            parsed[path] = _parse(path)
        return parsed[path]

    def file_of(path: str) -> Path | None:
        """The file the site serves at `path` (under `base`); looked for once per path, however many link it."""
        if path not in served:
            file = site / unquote(path[len(base):])
            if path.endswith("/") or file.is_dir():
                file = file / "index.html"
            served[path] = file if file.is_file() else None
        return served[path]

    problems = []
    for html in sorted(site.rglob("*.html")):
        relative = html.relative_to(site).as_posix()
        url = origin + base + (relative[: -len("index.html")] if relative.endswith("index.html") else relative)
        for link in page(html).links:
            target = urlsplit(urljoin(url, link))
            if f"{target.scheme}://{target.netloc}" != origin:
                continue  # another site
            if not target.path.startswith(base):
                problems.append(f"{relative}: {link} (leaves {base})")
                continue
            file = file_of(target.path)
            if file is None:
                problems.append(f"{relative}: {link} (no such file)")
            elif target.fragment and file.suffix == ".html" and unquote(target.fragment) not in page(file).ids:
                problems.append(f"{relative}: {link} (no such anchor)")
    return problems
