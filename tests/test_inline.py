"""Inline patterns skipped where their text cannot match (generator/site/inline.py) give the same pages."""

from __future__ import annotations

import random
import re

import markdown
import pytest
from markdown.extensions.toc import TocExtension

from conftest import CORPUS, TESTS, needs_corpus
from generator.site import inline
from generator.site.markdown import KramdownExtension


@pytest.mark.parametrize("pattern, texts", [
    (r"(?<!-)---(?!-)", {"---"}),
    (r"\*|_", {"*", "_"}),
    (r"(\s|&nbsp;)'(?=\w)", {"'"}),
    (r"\!\[", {"!["}),
    (r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>", {"://"}),
    (r"(?<!\.)\.{3}(?!\.)", {"..."}),
    (r"  \n", {"  \n"}),
    (r"x(?=`)", {"`"}),  # what a lookahead needs is in the text too
    (r"[ab]c", {"c"}),  # a letter alone is weighed as common, but is all there is
    (r"[!?]c", {"!", "?"}),
    (r"(?i)k", None),  # ignoring case, "k" also matches the Kelvin sign
    (r"(?i):k", {":"}),
    (r"a?b*", None),  # can match nothing
    (r"\w+", None),
    (r"[^x]", None),
    (r"(a)\1", {"a"}),  # a backreference adds nothing of its own
])
def test_the_texts_every_match_needs(pattern, texts):
    found = inline.necessary_texts(re.compile(pattern))
    assert found == (frozenset(texts) if texts is not None else None)


ALPHABET = "ab:-'\"*_[]!<>&.\\` \nK\u212a"


def _random_pattern(rng: random.Random, depth: int = 0) -> str:
    """A small random regular expression over ALPHABET's characters."""
    choice = rng.randrange(12 if depth < 3 else 4)
    literal = re.escape(rng.choice(ALPHABET))
    if choice < 3:
        return literal
    if choice == 3:
        return "[" + "".join(re.escape(char) for char in rng.sample(ALPHABET, 3)) + "]"
    if choice == 4:
        return "".join(_random_pattern(rng, depth + 1) for _ in range(rng.randint(2, 4)))
    if choice == 5:
        return "(?:" + "|".join(_random_pattern(rng, depth + 1) for _ in range(rng.randint(2, 3))) + ")"
    if choice == 6:
        return "(?:" + _random_pattern(rng, depth + 1) + ")" + rng.choice(["*", "+", "?", "{2}", "{1,3}", "+?"])
    if choice == 7:
        return rng.choice(["(?=", "(?!", "(?<=", "(?<!"]) + literal + ")" + _random_pattern(rng, depth + 1)
    if choice == 8:
        return "(?i:" + _random_pattern(rng, depth + 1) + ")"
    if choice == 9:
        return rng.choice([r"\s", r"\w", ".", "[^a]", "^", r"\b"]) + _random_pattern(rng, depth + 1)
    if choice == 10:
        name = f"g{rng.randrange(10**9)}"
        return f"(?P<{name}>" + _random_pattern(rng, depth + 1) + f")(?P={name})"
    return literal + _random_pattern(rng, depth + 1)


def test_a_text_without_what_a_pattern_needs_never_matches_it():
    """Random patterns against random texts: wherever a pattern matches, the text has one of its texts."""
    rng = random.Random(20261206)
    checked = 0
    for _ in range(3000):
        pattern = re.compile(_random_pattern(rng), re.DOTALL)
        texts = inline.necessary_texts(pattern)
        if texts is None:
            continue
        for _ in range(40):
            data = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12)))
            if pattern.search(data):
                checked += 1
                assert any(text in data for text in texts), (pattern.pattern, data, texts)
    assert checked > 5000  # the property was put to the test, not passed over


def _converter(skipping: bool, monkeypatch) -> markdown.Markdown:
    if not skipping:
        monkeypatch.setattr(inline, "install", lambda md: None)
    return markdown.Markdown(extensions=["tables", "md_in_html", "smarty", "fenced_code",
                                         TocExtension(permalink=True), KramdownExtension()])


def _both_ways(texts: list[str], monkeypatch) -> tuple[list[str], list[str]]:
    with monkeypatch.context() as patched:
        stock = _converter(False, patched)
        expected = [stock.reset().convert(text) for text in texts]
    skipping = _converter(True, monkeypatch)
    return expected, [skipping.reset().convert(text) for text in texts]


EDGES = """\
A `code` span, \\`escaped\\`, ``double `tick` code``, a \\
line break and a hard one  
here; *em*, **strong**, ***both***, _under_ and snake_case_words, 2 * 3 * 4.

Links: [a](https://example.com/x "t"), [ref][r], [short], ![pic](p.png), <https://example.com/a>,
<me@example.com>, <span>html</span>, &amp; &#169; &copy; AT&T, :smile: and 10:30:45 and "a:b".

"Quotes" and 'single' quotes, it's the '90s, "'nested'" -- dashes --- and more... or .... four.
In a table | with | pipes

| a | b |
|---|---|
| `x|y` | [l](/u) *e* 'q' |

[r]: https://example.com/r
[short]: https://example.com/s
"""


def test_the_inline_pass_gives_the_same_html_as_python_markdowns(monkeypatch):
    """Edge cases of every kind of inline pattern, and every page of the golden cases."""
    pages = [EDGES] + [path.read_text(encoding="utf-8") for path in sorted((TESTS / "golden").rglob("*.md"))]
    expected, skipped = _both_ways(pages, monkeypatch)
    assert len(pages) > 100
    assert [index for index, (a, b) in enumerate(zip(expected, skipped)) if a != b] == []


def test_the_published_2022_pages_convert_the_same(monkeypatch):
    needs_corpus()
    pages = [path.read_text(encoding="utf-8") for path in sorted((CORPUS / "published").rglob("*.md"))]
    expected, skipped = _both_ways(pages, monkeypatch)
    assert len(pages) > 600
    assert [index for index, (a, b) in enumerate(zip(expected, skipped)) if a != b] == []
