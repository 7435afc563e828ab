"""Markdown that would take Python-Markdown minutes to read, recognised in linear time.

Python-Markdown's inline parser is quadratic in unpaired link brackets
(24 KB of `[` takes it 80 s) and in raw-HTML starts that no `>` ends: it
looks for the end of each one through the rest of the text (4,000 `<a `
take 1.5 s, twice as many four times that). Complete tags cost nothing: a
listing of a thousand detections, each with its source's `<span>`, is read
in linear time and must be read as Markdown. Text like that
is never meant as Markdown; the site shows such a block with its brackets and
angle brackets as typed, and the loader warns about the field it came from.
"""

from __future__ import annotations

import re

_WELL_FORMED = re.compile(r"!?\[[^\[\]\n]*\](?:\([^()\s]*\)(?!\()|(?!\())")
"""A link, picture or bracketed word that closes where it opens: these cost nothing."""
_COMPLETE_TAG = re.compile(r"<[^<>]*>")
"""A `<` that a `>` ends before any other `<`: a tag, or text read as one, which costs nothing. (A CDATA section
ends only at `]]>`, and a thousand that do not took 2.8 s; each has a `[` that opens no link, so more than
STRAY_BRACKETS of them are costly by their brackets.)"""
_TAG_START = re.compile(r"<[A-Za-z/!?]")
"""What Markdown reads as the start of raw HTML; "a < b" and "<3" are text."""

STRAY_BRACKETS = 100
ANGLE_BRACKETS = 500


def costly_markdown(text: str) -> str | None:
    """Why `text` would be slow to read as Markdown, or None."""
    if text.count("[") > STRAY_BRACKETS:
        stray = _WELL_FORMED.sub("", text).count("[")
        if stray > STRAY_BRACKETS:
            return f"has {stray} '[' that open no link"
    if text.count("<") > ANGLE_BRACKETS:
        stray = len(_TAG_START.findall(_COMPLETE_TAG.sub("", text)))
        if stray > ANGLE_BRACKETS:
            return f"has {stray} '<' that start no complete tag"
    return None


def as_typed(block: str) -> str:
    """`block` with `[` and `<` escaped, so Markdown shows them instead of parsing them."""
    return block.replace("\\", "\\\\").replace("[", "\\[").replace("<", "&lt;")
