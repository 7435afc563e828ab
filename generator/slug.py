"""The one slug function: how names become file names, URL parts and anchors; which names cannot; and the order
of names with numbers in them."""

from __future__ import annotations

import re
import unicodedata

NAME_BYTES = 200
"""The longest slug a name may have, in UTF-8 bytes. File systems allow 255 per path
component; the published forms add a date, an id or an extension around a slug."""

_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


LEFT_OUT = "#?%`\"<>:|*"
"""What a slug leaves out of a name. In an address `#` and `?` end the path and `%` starts an escape; a name
starting `word:` is read as an address of its own kind (`cloud:` like `https:`); in a Markdown link a backtick
makes the rest code, a `"` before the closing parenthesis its title, and a `|` in a table ends the cell; and
Windows allows none of `"<>:|*?` in a file name. No name Splunk published has one."""
_NOT_IN_ADDRESSES = str.maketrans("", "", LEFT_OUT)


def identifier(name: str, separator: str = "_") -> str:
    """`name` lower-cased with spaces replaced by `separator`: what the published generator made of a name, and
    what Splunk's build names a detection's filter macro after (`<identifier>_filter`). `slugify` is this, less
    what an address cannot carry."""
    return name.lower().replace(" ", separator)


def slugify(name: str, separator: str = "_") -> str:
    """Lower-case `name` with spaces replaced by `separator`.

    This is exactly what the published site did ("Windows DISM Remove Defender"
    -> "windows_dism_remove_defender"; tag anchors use "-"), so that every
    published link keeps working. Only what an address or a Markdown link cannot
    carry as written is left out: the characters above, and a `)` that closes
    nothing (it would end the link; balanced ones, which published names have,
    stay). It does not make a name safe as a path: `name_problem` says which
    names cannot be one, and the writer checks every path component it is given.
    """
    slug = identifier(name, separator)
    if not any(char in slug for char in _LEFT_OUT_OR_CLOSING):  # nearly every name: nothing to leave out
        return slug
    return _balanced(slug.translate(_NOT_IN_ADDRESSES))


_LEFT_OUT_OR_CLOSING = LEFT_OUT + ")"


def _balanced(slug: str) -> str:
    """`slug` without each `)` that closes no `(` before it."""
    kept, depth = [], 0
    for char in slug:
        if char == ")":
            if not depth:
                continue
            depth -= 1
        elif char == "(":
            depth += 1
        kept.append(char)
    return "".join(kept)


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a page (its slug becomes a file name in every layout), or None.

    The reason is phrased to follow the field, e.g. "field 'name' " + reason.
    """
    if not name.strip():
        return "is empty"
    # Printable ASCII (nearly every name) has no control or invisible character: the loop is skipped.
    for char in ("" if name.isascii() and name.isprintable() else name):
        if char in _BIDI_CONTROLS:
            return f"contains the bidirectional control character U+{ord(char):04X}, which can make text read backwards"
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co"):
            return f"contains the invisible or control character U+{ord(char):04X}"
    slug = slugify(name)
    if not slug:
        return f"has nothing an address can carry: {' '.join(LEFT_OUT)} are left out of addresses"
    if slug != slug.strip():
        return "begins or ends with white space other than a plain space"
    for char in ("/", "\\"):
        if char in slug:
            return f"contains '{char}', which cannot be part of a file name (write it as '-' or a word)"
    if slug.startswith("."):
        return "starts with '.', which would make its page a hidden file"
    size = len(slug.encode("utf-8"))
    if size > NAME_BYTES:
        return f"is {size} bytes long; a name becomes a file name, so it must be at most {NAME_BYTES} bytes"
    return None


_NUMBERS = re.compile(r"(\d+)")


def numbered_order(name: str) -> tuple:
    """A sort key that puts the numbers in names in their order: "Sysmon EventID 5" before "Sysmon EventID 11",
    "v4.9.1" before "v4.10.0" (as text, "11" and "10" sort first). Names equal but for case or leading zeros are
    ordered as text."""
    # re.split gives text, number, text, ...: the same kind at each position, so any two keys compare.
    parts = _NUMBERS.split(name.casefold())
    return tuple(int(part) if position % 2 else part for position, part in enumerate(parts)), name
