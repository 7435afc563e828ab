"""Pages without the theme's indentation: the same page, a sixth smaller.

The theme's templates indent their markup generously: on a detection page,
about 4.5 KB of the 20 KB around the article is blank space at the start of
lines. Outside the article, each run of blank space that holds a line break
becomes one line break (a browser shows any run of blank space between tags
as one space, or none, so nothing a reader sees changes), and blank space
between two tags goes where a browser never shows it: in the head (which is
not shown), and next to the start or end of an element that is a block
(`BLOCKS`: a line ends and another starts there, and blank space at the
start or end of a line is never shown). Scripts and preformatted elements
are left as they are. Inside the article (the page's own content, which may
hold preformatted text) only the blank space the theme's template puts
before its first and after its last element goes, for the same reason.
"""

from __future__ import annotations

import re

_KEPT = re.compile(r"(<(script|pre|textarea)\b.*?</\2\s*>)", re.DOTALL | re.IGNORECASE)
_INDENTED_LINES = re.compile(r"[ \t]*\n\s*")
_KEPT_TAGS = ("pre", "textarea")
BLOCKS = frozenset({"html", "body", "header", "footer", "main", "nav", "aside", "div", "form"})
"""Elements the theme lays out as blocks (or flex boxes), never inline: `tests/test_frame.py` checks its
stylesheets give none of them, and none of the frame's classes on them, an inline display. (Lists are not
here: the theme's blog lays some out inline.)"""
# A run of plain characters is taken whole and never given back (possessive: the three alternatives start
# differently, so this matches what one character at a time would, twice as fast over a page).
_TAG = r"<(/?)([A-Za-z][\w-]*)(?:[^>\"']++|\"[^\"]*+\"|'[^']*+')*+>"
_BETWEEN_TAGS = re.compile(rf"({_TAG})(\s+)(?=<(/?)([A-Za-z][\w-]*))")
_BEFORE_TAG = re.compile(r"^\s+(?=<(/?)([A-Za-z][\w-]*))")
_AFTER_TAG = re.compile(rf"({_TAG})\s+$")
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
    body = part.find("<body")
    if body > 0:  # the head is never shown: no blank space between its tags is kept
        return _compact_text(part[:body], lambda *tags: True) + _compact_text(part[body:], _next_to_block)
    return _compact_text(part, _next_to_block)


def _next_to_block(*tags: str) -> bool:
    return any(tag.lower() in BLOCKS for tag in tags)


def _compact_text(part: str, unseen) -> str:
    """`part`'s blank space reduced to line breaks, and removed between two tags where `unseen(tag names)`."""
    pieces = _KEPT.split(part)
    # split() gives text, then each kept element and its tag name, in turn: only the text is compacted. Blank
    # space after a kept element is judged by the tag after it alone, before one by the tag before it alone.
    out = []
    for index, piece in enumerate(pieces):
        if index % 3 == 1:
            out.append(piece)
        elif index % 3 == 0:
            text = _INDENTED_LINES.sub("\n", piece)
            text = _BETWEEN_TAGS.sub(lambda m: m[1] if unseen(m[3], m[6]) else m[0], text)
            if index > 0:
                text = _BEFORE_TAG.sub(lambda m: "" if unseen(m[2]) else m[0], text)
            if index < len(pieces) - 1:
                text = _AFTER_TAG.sub(lambda m: m[1] if unseen(m[3]) else m[0], text)
            out.append(text)
    return "".join(out)
