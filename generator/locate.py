"""Find the line of a value inside a YAML text, on demand.

Loading uses libyaml without position tracking because it is several times
faster; positions are only needed when a problem is reported, so they are
recovered here by composing the file's node tree again.
"""

from __future__ import annotations

from functools import lru_cache

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=64)
def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None


@lru_cache(maxsize=16384)  # a rebuild under `mkdocs serve` asks again for the same places
def line_of(text: str, keys: tuple[str | int, ...]) -> int | None:
    """1-based line of the node reached by `keys`, or of the deepest key found.

    A string key selects a mapping entry (the line of the key itself), an int
    selects a sequence item. Missing keys stop the walk: the line of the
    closest enclosing node is the most useful place to point at.
    """
    node = _compose(text)
    if node is None:
        return None
    line = node.start_mark.line + 1 if keys == () else None
    for key in keys:
        if isinstance(node, yaml.MappingNode) and isinstance(key, str):
            for key_node, value_node in node.value:
                if key_node.value == key:
                    line = key_node.start_mark.line + 1
                    node = value_node
                    break
            else:
                return line if line is not None else node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line if line is not None else node.start_mark.line + 1
    return line
