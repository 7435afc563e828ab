"""The one slug function: how names become file names, URL parts and anchors."""

from __future__ import annotations


def slugify(name: str, separator: str = "_") -> str:
    """Lower-case `name` with spaces replaced by `separator`.

    This is exactly what the published site did ("Windows DISM Remove Defender"
    -> "windows_dism_remove_defender"; tag anchors use "-"), so that every
    published link keeps working. It does not make a name safe as a path:
    the writer checks every path component it is given.
    """
    return name.lower().replace(" ", separator)
