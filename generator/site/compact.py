"""Pages without the theme's indentation: the same page, a sixth smaller.

The theme's templates indent their markup generously: on a detection page,
about 4.5 KB of the 20 KB around the article is blank space at the start of
lines. Outside the article, each run of blank space that holds a line break
becomes one line break (a browser shows any run of blank space between tags
as one space, or none, so nothing a reader sees changes); scripts are left
as they are, and the article (the page's own content, which may hold
preformatted text) is not touched.
"""

from __future__ import annotations

import re

_KEPT = re.compile(r"(<(script|pre|textarea)\b.*?</\2\s*>)", re.DOTALL | re.IGNORECASE)
_INDENTED_LINES = re.compile(r"[ \t]*\n\s*")


def compact(page_html: str) -> str:
    """`page_html` with the blank space around the theme's lines, outside the article, reduced to line breaks."""
    start, end = page_html.find("<article"), page_html.rfind("</article>")
    if start < 0 or end < start:
        return page_html
    return _compact(page_html[:start]) + page_html[start:end] + _compact(page_html[end:])


def _compact(part: str) -> str:
    pieces = _KEPT.split(part)
    # split() gives text, then each kept element and its tag name, in turn: only the text is compacted.
    return "".join(_INDENTED_LINES.sub("\n", piece) if index % 3 == 0 else piece if index % 3 == 1 else ""
                   for index, piece in enumerate(pieces))
