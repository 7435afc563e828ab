"""Pages without the theme's indentation: the same page, a sixth smaller.

The theme's templates indent their markup generously: on a detection page,
about 4.5 KB of the 20 KB around the article is blank space at the start of
lines. Outside the article, each run of blank space that holds a line break
becomes one line break (a browser shows any run of blank space between tags
as one space, or none, so nothing a reader sees changes); scripts and
preformatted elements are left as they are. Inside the article (the page's
own content, which may hold preformatted text) only the blank space the
theme's template puts before its first and after its last element goes:
blank space at the start and at the end of a block's lines is never shown.
"""

from __future__ import annotations

import re

_KEPT = re.compile(r"(<(script|pre|textarea)\b.*?</\2\s*>)", re.DOTALL | re.IGNORECASE)
_INDENTED_LINES = re.compile(r"[ \t]*\n\s*")
_KEPT_TAGS = ("pre", "textarea")
_ARTICLE_START = re.compile(r"<article\b[^>]*>")


def compact(page_html: str) -> str:
    """`page_html` with the blank space around the theme's lines, outside the article, reduced to line breaks,
    and the article's leading and trailing blank space reduced to a line break."""
    start, end = page_html.find("<article"), page_html.rfind("</article>")
    opened = _ARTICLE_START.match(page_html, start) if start >= 0 else None
    if opened is None or end < opened.end():
        return page_html
    article = page_html[opened.end():end]
    if article.strip() and all(len(re.findall(rf"<{tag}\b", article, re.IGNORECASE))
                               == len(re.findall(rf"</{tag}\s*>", article, re.IGNORECASE)) for tag in _KEPT_TAGS):
        # (a preformatted element left open would reach the article's end: then the article is kept as it is)
        article = "\n" + article.strip(" \t\n\r\f") + "\n"
    return _compact(page_html[:start]) + opened[0] + article + _compact(page_html[end:])


def _compact(part: str) -> str:
    pieces = _KEPT.split(part)
    # split() gives text, then each kept element and its tag name, in turn: only the text is compacted.
    return "".join(_INDENTED_LINES.sub("\n", piece) if index % 3 == 0 else piece if index % 3 == 1 else ""
                   for index, piece in enumerate(pieces))
