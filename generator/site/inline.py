"""Python-Markdown's inline pass, without trying patterns that cannot match.

Python-Markdown runs every inline pattern (links, emphasis, code, entities,
smart quotes...) over every piece of text of a page, one regular expression
search each, and looks each pattern up in its registry on every step: the
largest share of a detection page's conversion. Most pieces of text cannot
match most patterns: a pattern for links needs a "[", one for entities an "&".

`necessary_texts` reads a pattern's regular expression and finds texts of
which any match must contain one ("[" for a link, "---" for an em dash).
Each piece of text is checked for all of them once (and again after a
pattern matched in it), and a pattern none of whose texts is there is passed
over: trying it would find nothing and change nothing. Where no such text can
be proved (a pattern starting with `\\s`, say), the pattern is always tried.
The pages are the same, byte for byte: `tests/test_inline.py` checks the
proof on random patterns and converts the golden cases and the 2022 corpus
both ways.
"""

from __future__ import annotations

import re
import re._constants as sre  # the parsed form of a regular expression (CPython's own module)
import re._parser as sre_parse
from markdown import Markdown
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString

_UNSURE = None
"""No text can be shown to be in every match."""


def necessary_texts(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Texts of which every match of `pattern` contains at least one (None: none can be shown).

    `(?<!-)---(?!-)` gives {"---"}, `\\*|_` gives {"*", "_"}, `\\s'` gives {"'"}.
    """
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    except (re.error, TypeError):  # a bytes pattern, or one this Python parses differently
        return _UNSURE
    return _in_sequence(list(parsed), bool(pattern.flags & re.IGNORECASE))


def _in_sequence(items: list, ignore_case: bool) -> frozenset[str] | None:
    """The most telling choice among a sequence's items and runs of literal characters: all of them must match."""
    found: list[frozenset[str]] = []
    run = ""
    for op, value in items:
        literal = _fixed_literal(op, value, ignore_case)
        if literal is not None:
            run += literal  # consecutive characters: the match contains them together
            continue
        if run:
            found.append(frozenset({run}))
            run = ""
        texts = _in_item(op, value, ignore_case)
        if texts:
            found.append(texts)
    if run:
        found.append(frozenset({run}))
    return min(found, key=_weight) if found else _UNSURE


def _fixed_literal(op, value, ignore_case: bool) -> str | None:
    """The text an item always matches, where it is one character or a fixed count of one."""
    if op is sre.LITERAL and _case_safe(chr(value), ignore_case):
        return chr(value)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        least, most, inner = value
        inner = list(inner)
        if least == most and len(inner) == 1:
            character = _fixed_literal(*inner[0], ignore_case)
            return character * least if character is not None else None
    return None


def _in_item(op, value, ignore_case: bool) -> frozenset[str] | None:
    if op is sre.LITERAL:
        return frozenset(chr(value)) if _case_safe(chr(value), ignore_case) else _UNSURE
    if op is sre.IN:
        return _in_class(value, ignore_case)
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, inner = value
        ignore_case = (ignore_case or bool(add_flags & re.IGNORECASE)) and not del_flags & re.IGNORECASE
        return _in_sequence(list(inner), ignore_case)
    if op is sre.ATOMIC_GROUP:
        return _in_sequence(list(value), ignore_case)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        least, _most, inner = value
        return _in_sequence(list(inner), ignore_case) if least >= 1 else _UNSURE
    if op is sre.BRANCH:
        _unused, alternatives = value
        sets = [_in_sequence(list(alternative), ignore_case) for alternative in alternatives]
        return _UNSURE if any(texts is None for texts in sets) else frozenset().union(*sets)
    if op is sre.ASSERT:
        # A lookahead or lookbehind that must hold looks at the same text: what it needs is in the text too.
        _direction, inner = value
        return _in_sequence(list(inner), ignore_case)
    return _UNSURE  # any character, a negated one, a category, an anchor, a negative lookaround, a backreference


def _case_safe(char: str, ignore_case: bool) -> bool:
    # Ignoring case matches more than the two cases (the Kelvin sign matches "k"): only caseless characters.
    return not ignore_case or (char.isascii() and char.lower() == char == char.upper())


def _in_class(items: list, ignore_case: bool) -> frozenset[str] | None:
    chars: set[str] = set()
    for op, value in items:
        if op is sre.LITERAL:
            codes = [value]
        elif op is sre.RANGE and value[1] - value[0] < 128:
            codes = range(value[0], value[1] + 1)
        else:  # a negated class, a category such as \\w, a wide range
            return _UNSURE
        for code in codes:
            if not _case_safe(chr(code), ignore_case):
                return _UNSURE
            chars.add(chr(code))
    return frozenset(chars)


_COMMON = 50
"""A letter, digit or space alone is in nearly every text: it skips little."""


def _weight(texts: frozenset[str]) -> float:
    return sum(_COMMON if len(text) == 1 and (text.isalnum() or text.isspace()) else 1 / len(text)
               for text in texts)


class SkippingInlineProcessor(InlineProcessor):
    """Python-Markdown's InlineProcessor, trying on each text only the patterns whose characters it has."""

    def __init__(self, md: Markdown) -> None:
        super().__init__(md)
        self._plan: _Plan | None = None

    @classmethod
    def replacing(cls, processor: InlineProcessor) -> "SkippingInlineProcessor":
        """This processor in place of `processor`, with the same patterns (smarty keeps its own)."""
        skipping = cls(processor.md)
        skipping.inlinePatterns = processor.inlinePatterns
        return skipping

    def run(self, tree, ancestors=None):
        # The patterns in their order, once per page: the registry sorts itself on every lookup.
        registry, patterns = self.inlinePatterns, list(self.inlinePatterns)
        if self._plan is None or not self._plan.serves(patterns):
            self._plan = _Plan(patterns)
        self.inlinePatterns = patterns
        try:
            return super().run(tree, ancestors)
        finally:
            self.inlinePatterns = registry

    def _InlineProcessor__handleInline(self, data, patternIndex=0):  # noqa: N802 (Python-Markdown's private step)
        # Python-Markdown tries each pattern from `patternIndex` on, each again after it matched (from where the
        # match ended) and the next one after it did not (from the start). The same order, with the patterns
        # this text cannot match passed over: trying them gives "not matched" and changes nothing.
        if isinstance(data, AtomicString):
            return data
        plan, apply = self._plan, self._InlineProcessor__applyPattern
        patterns, count = self.inlinePatterns, len(self.inlinePatterns)
        possible = plan.possible(data)
        index, start, changed = patternIndex, 0, False
        while index < count:
            if not possible[index]:
                index, start = index + 1, 0
                continue
            data, matched, start = apply(patterns[index], data, index, start)
            if matched:
                changed = True  # the text now holds a placeholder for what matched
            else:
                index += 1
                if changed:  # asked again once per pattern that matched, not once per match
                    possible, changed = plan.possible(data), False
        return data


class _Plan:
    """For one list of patterns: which of them a text may match, from the texts each needs."""

    def __init__(self, patterns: list) -> None:
        self._patterns = patterns
        needs = [_needed(pattern) for pattern in patterns]
        self._texts = sorted(frozenset().union(*(texts for texts in needs if texts)))
        self._needs = [None if texts is None else sum(1 << self._texts.index(text) for text in texts)
                       for texts in needs]
        self._answers: dict[int, tuple[bool, ...]] = {}

    def serves(self, patterns: list) -> bool:
        return len(patterns) == len(self._patterns) and all(a is b for a, b in zip(patterns, self._patterns))

    def possible(self, data: str) -> tuple[bool, ...]:
        """Per pattern: False where `data` has none of the texts every match of it needs."""
        present = 0
        for bit, text in enumerate(self._texts):
            if text in data:
                present |= 1 << bit
        answer = self._answers.get(present)
        if answer is None:
            answer = self._answers[present] = tuple(needs is None or bool(needs & present) for needs in self._needs)
        return answer


def _needed(pattern) -> frozenset[str] | None:
    compiled = pattern.getCompiledRegExp()
    return necessary_texts(compiled) if isinstance(compiled, re.Pattern) else None


def install(md: Markdown) -> None:
    """Put the skipping processor in place of Python-Markdown's inline processors (its own and smarty's)."""
    for name in ("inline", "smarty"):
        if name in md.treeprocessors and type(md.treeprocessors[name]) is InlineProcessor:
            priority = next(item.priority for item in md.treeprocessors._priority if item.name == name)
            md.treeprocessors.register(SkippingInlineProcessor.replacing(md.treeprocessors[name]), name, priority)


class Installer(Preprocessor):
    """Installs the skipping processors when the first page is converted: every extension has set up its
    patterns and processors by then, whatever the order extensions were listed in."""

    def run(self, lines: list[str]) -> list[str]:
        install(self.md)
        return lines
