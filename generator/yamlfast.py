"""Fast YAML loading: libyaml composes the node tree, a small converter builds Python values.

PyYAML's `CSafeLoader` parses in C but constructs values in general-purpose
Python code; for the plain mappings, lists and strings of security_content
this converter is about a third faster. Any tag it does not handle itself
(timestamps, floats, merge keys, binary, ...) goes to PyYAML's SafeConstructor,
so the result equals `yaml.load(text, Loader=yaml.CSafeLoader)`.

Aliases resolve to the same object, as with PyYAML, so an "alias bomb" costs
memory linear in the file, not exponential.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """CSafeLoader with a memoised tag resolver.

    libyaml calls back into Python to resolve every scalar's tag; the same
    keys and values recur thousands of times across a content directory, and
    the safe schema has no path-dependent resolvers, so the answers can be
    remembered.
    """

    _resolved: dict = {}

    def descend_resolver(self, current_node, current_index):  # no path resolvers in the safe schema
        pass

    def ascend_resolver(self):
        pass

    def resolve(self, kind, value, implicit):
        if kind is not ScalarNode or len(value) > 40:  # long texts seldom recur: not worth keeping
            return _BaseLoader.resolve(self, kind, value, implicit)
        key = (value, implicit)
        tag = self._resolved.get(key)
        if tag is None:
            if len(self._resolved) > 50_000:
                self._resolved.clear()
            tag = self._resolved[key] = _BaseLoader.resolve(self, kind, value, implicit)
        return tag

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"


class _Converter:
    def __init__(self, duplicates: list | None = None) -> None:
        self.duplicates = duplicates
        # Collections already built, by node identity: an alias is the same
        # node object again and must give the same value (and cost nothing).
        self.done: dict[int, Any] = {}
        self.fallback = yaml.constructor.SafeConstructor()

    def convert(self, node: yaml.Node) -> Any:
        cls = node.__class__
        tag = node.tag
        if cls is ScalarNode:
            if tag == _STR:
                return node.value
            if tag == _NULL:
                return None
            if tag == _BOOL:
                return node.value.lower() in ("yes", "true", "on")
            text = node.value
            if tag == _INT and text.isdigit() and (text == "0" or text[0] != "0"):
                return int(text)
            return self.fallback.construct_object(node, deep=True)
        key = id(node)
        if key in self.done:
            return self.done[key]
        if cls is SequenceNode and tag == _SEQ:
            items: list = []
            self.done[key] = items
            convert = self.convert
            items.extend([convert(item) for item in node.value])
            return items
        if cls is MappingNode and tag == _MAP and not any(k.tag == _MERGE for k, _ in node.value):
            mapping: dict = {}
            self.done[key] = mapping
            convert = self.convert
            for key_node, value_node in node.value:
                try:
                    mapping[convert(key_node)] = convert(value_node)
                except TypeError:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        "found unhashable key", key_node.start_mark) from None
            if len(mapping) < len(node.value) and self.duplicates is not None:
                self._note_duplicates(node)
            return mapping
        value = self.done[key] = self.fallback.construct_object(node, deep=True)
        return value


    def _note_duplicates(self, node: MappingNode) -> None:
        first: dict[Any, tuple[int, Any]] = {}
        for key_node, value_node in node.value:
            key = self.convert(key_node)
            line = key_node.start_mark.line + 1
            if key in first:
                first_line, first_value = first[key]
                self.duplicates.append((line, str(key), first_line, self.convert(value_node) == first_value))
            else:
                first[key] = (line, self.convert(value_node))


def load(text: str, duplicates: list | None = None) -> Any:
    """The first document of `text` as Python values; raises yaml.YAMLError.

    A key given twice in one mapping keeps its last value, as in PyYAML; with
    `duplicates`, each repetition is appended to it as (line, key, first line, whether the value is the
    first one's).
    """
    node = yaml.compose(text, Loader=_Loader)
    if node is None:
        return None
    return _Converter(duplicates).convert(node)
