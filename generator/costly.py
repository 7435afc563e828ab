"""Markdown that would take Python-Markdown minutes to read, recognised in linear time.

Python-Markdown's inline parser is quadratic in unpaired link brackets
(24 KB of `[` takes it 80 s) and slow on many raw-HTML starts. Text like that
is never meant as Markdown; the site shows such a block with its brackets and
angle brackets as typed, and the loader warns about the field it came from.
"""

from __future__ import annotations

import re

_WELL_FORMED = re.compile(r"!?\[[^\[\]\n]*\](?:\([^()\s]*\)(?!\()|(?!\())")
"""A link, picture or bracketed word that closes where it opens: these cost nothing."""

STRAY_BRACKETS = 100
ANGLE_BRACKETS = 500


def costly_markdown(text: str) -> str | None:
    """Why `text` would be slow to read as Markdown, or None."""
    if text.count("[") > STRAY_BRACKETS:
        stray = _WELL_FORMED.sub("", text).count("[")
        if stray > STRAY_BRACKETS:
            return f"has {stray} '[' that open no link"
    angles = text.count("<")
    if angles > ANGLE_BRACKETS:
        return f"has {angles} '<'"
    return None


def as_typed(block: str) -> str:
    """`block` with `[` and `<` escaped, so Markdown shows them instead of parsing them."""
    return block.replace("\\", "\\\\").replace("[", "\\[").replace("<", "&lt;")
