"""Read the published Markdown the way the published site (kramdown, GFM input) showed it.

The pages are written for kramdown; Python-Markdown differs in a few ways
that change what a reader sees. This extension closes those gaps without
touching the pages themselves:

- a list or a table row right after a line of text starts a new block
  (kramdown's GFM parser does this; Python-Markdown needs a blank line);
- table rows separated from a table by blank lines continue that table
  (kramdown made a second, header-less table; one table is what was meant);
- a list item indented by two spaces under another is nested in it;
- a backslash at the end of a line is a line break;
- the 2024 form's `<details>` blocks, whose `<div markdown="1">` kramdown
  parsed as Markdown, are parsed here too;
- a section the published form shows empty (a heading with only its fixed
  introduction, an Annotations block with nothing in it) is hidden;
- `:emoji:` codes (jemoji on the published site) show as the emoji character
  itself, with the code as its title: no picture is fetched from anywhere;
- links are rewritten from the published site's absolute URLs ("/stories/x")
  to the documents that serve them, so mkdocs can check them and make them
  relative (the site then works under any path, e.g. /repo/ on GitHub Pages);
  a link to a page that does not exist becomes plain text and is reported;
  an empty link (`[name]()`, which the published form writes where there is
  no page, such as a lookup without a file) becomes plain text silently.

Smart quotes and tables come from the standard `smarty` and `tables`
extensions. What the site adds for safety (content is written by strangers):

- attribute lists are not a feature of content: only the templates' own
  (the button after "Try in Splunk Security Cloud", the playbook picture's
  size) are applied; any other `{: ...}` stays text (the `attr_list`
  extension is not used, so content cannot set an attribute);
- a picture from another host is not loaded (no request leaves the site):
  it becomes a link to the picture, or plain text inside a link; a picture of
  the content's own repository that the site copied from the content (a
  playbook diagram, see `pictures`) shows that copy;
- on a page made from content, a block that Markdown would take minutes to
  read (see `costly`) is shown with its brackets as typed;
- a detection's search and drilldown searches are highlighted as SPL
  (`spl.py`), in the theme's colours, with its copy button.

Inline patterns are only tried on text that has what they need (`inline.py`):
the same pages, converted in about three quarters of the time
(`benchmarks/inline_speed.py`).
"""

from __future__ import annotations

import html
import posixpath
import re
import xml.etree.ElementTree as etree
from functools import lru_cache
from pathlib import Path
from typing import Callable

import pygments
from markdown import Markdown
from pygments.formatters import HtmlFormatter
from markdown.blockprocessors import OListProcessor, UListProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from . import inline
from .pictures import REPOSITORY_PICTURE
from ..costly import as_typed, costly_markdown
from .spl import SplLexer

_LIST_ITEM = re.compile(r"^(?:[*+-]|\d+[.)])[ \t]+\S")
_NESTED_ITEM = re.compile(r"^ {2,3}((?:[*+-]|\d+[.)])[ \t]+\S.*)$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?(?:\s*:?-+:?\s*\|)+(?:\s*:?-+:?\s*)?$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_KRAMDOWN_ESCAPES = ("\\", ".", "*", "_", "+", "-", "`", "(", ")", "[", "]", "{", "}", "#", "!", ":", "|",
                     '"', "'", "$", "=", "<", ">")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class _BlockStarts(Preprocessor):
    """Insert or remove blank lines so blocks start and continue where kramdown's did."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        fence: str | None = None
        in_list = False  # the current block (since the last blank line) has a list item
        for number, line in enumerate(lines):
            if not line.strip():
                in_list = False
            marker = _FENCE.match(line)
            if fence is not None:
                if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                    fence = None
                out.append(line)
                continue
            if marker:
                fence = marker.group(1)
                out.append(line)
                continue
            previous = out[-1] if out else ""
            nested = _NESTED_ITEM.match(line) if in_list else None
            if nested:
                # kramdown nests an item indented by two spaces; Python-Markdown wants four.
                line = "    " + nested.group(1)
            elif _LIST_ITEM.match(line):
                if previous.strip() and not in_list:
                    out.append("")
                in_list = True
            elif _TABLE_ROW.match(line) and not previous.strip() and not (
                    number + 1 < len(lines) and _TABLE_SEPARATOR.match(lines[number + 1])):
                # Rows after blank lines that follow a table: rejoin the table (unless they are a table of their
                # own, a header row and its separator line first).
                index = len(out)
                while index > 0 and not out[index - 1].strip():
                    index -= 1
                if index > 0 and _TABLE_ROW.match(out[index - 1]) and index < len(out):
                    del out[index:]
            elif previous and _TABLE_ROW.match(line) and not _TABLE_ROW.match(previous):
                out.append("")
            out.append(line)
        return out


class _DetailsBlocks(Preprocessor):
    """`<details>` (the 2024 form's Annotations) takes Markdown inside, as its `<div markdown="1">` asks.

    Python-Markdown's `md_in_html` parses a block only when every enclosing
    HTML element asks for it, so the opening tag is marked too.
    """

    def run(self, lines: list[str]) -> list[str]:
        return ['<details markdown="1">' if line == "<details>" else line for line in lines]


_ICONS = {":information_source:": "information", ":warning:": "alert", ":no_entry:": "minus-circle"}
"""The emoji the published forms use, drawn with the theme's own icons: they show without an emoji font."""
CONTENT_ICONS = tuple(f"material/{name}" for name in _ICONS.values())
"""Those icons by the theme's names: with the project's overrides, the icon stylesheet holds them (frame.py)."""


_VIEW_BOX = re.compile(r'viewBox="([^"]*)"')


@lru_cache(maxsize=None)
def _icon(name: str) -> str | None:
    try:
        import material

        return (Path(material.__file__).parent / "templates" / ".icons" / "material" / f"{name}.svg").read_text()
    except (ImportError, OSError):
        return None


@lru_cache(maxsize=1)
def _gemoji() -> dict[str, str]:
    """GitHub's emoji names (jemoji's, on the published site) -> the characters, read once per process."""
    from pymdownx.emoji import gemoji

    index = gemoji({}, None)
    characters = {name: "".join(chr(int(code, 16)) for code in (entry.get("unicode_alt") or entry["unicode"]).split("-"))
                  for name, entry in index["emoji"].items() if entry.get("unicode")}
    characters.update((alias, characters[name]) for alias, name in index["aliases"].items() if name in characters)
    return characters


class _EmojiCodes(InlineProcessor):
    """`:name:` as the emoji it names, titled with its code (e.g. ":warning:"); other text stays as it is.

    The forms' own three are drawn with the theme's icons, inlined, so they
    show without an emoji font; nothing is fetched from anywhere.
    """

    def __init__(self, pattern: str, md: Markdown, extension: KramdownExtension) -> None:
        super().__init__(pattern, md)
        self.extension = extension

    def handleMatch(self, m, data):  # noqa: N802 (Python-Markdown's name)
        code = m.group(0)
        icon = _icon(_ICONS[code]) if code in _ICONS else None
        if icon is not None and self.extension.shared_icons:  # the site's icon stylesheet draws it (frame.py)
            icon = (f'<svg class="sc-icon sc-icon--material-{_ICONS[code]}" aria-hidden="true" '
                    f'viewBox="{_VIEW_BOX.search(icon)[1]}"></svg>')

        if icon is not None:
            element = etree.Element("span", {"class": f"twemoji sc-emoji sc-emoji--{_ICONS[code]}", "title": code})
            element.text = self.md.htmlStash.store(icon)
            return element, m.start(0), m.end(0)
        character = _gemoji().get(code)
        if character is None:
            return None, None, None
        element = etree.Element("span", {"class": "emoji", "title": code})
        element.text = character
        return element, m.start(0), m.end(0)


class _KramdownListMixin:
    """Lists as kramdown builds them.

    A bullet list after a numbered one (or the reverse) is a new list, not
    more items of the old one. And where a blank line separates items, the
    item *before* the blank line is a paragraph, and so is the item after it
    only when that is the list's last; Python-Markdown always wraps the item
    after it, which is undone when more items follow in the same block.
    """

    def run(self, parent, blocks):
        sibling = self.lastChild(parent)
        continuing = sibling is not None and sibling.tag in self.SIBLING_TAGS
        known = len(sibling) if continuing else 0
        super().run(parent, blocks)
        if continuing and len(sibling) > known + 1:
            first = sibling[known]
            if len(first) == 1 and first[0].tag == "p" and not (first.text or "").strip():
                paragraph = first[0]
                first.text = paragraph.text
                first.remove(paragraph)
                first.extend(list(paragraph))


class _KramdownOList(_KramdownListMixin, OListProcessor):
    SIBLING_TAGS = ["ol"]


class _KramdownUList(_KramdownListMixin, UListProcessor):
    SIBLING_TAGS = ["ul"]


class _LineBreak(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802 (Python-Markdown's name)
        return etree.Element("br"), m.start(0), m.end(0)


TEMPLATE_ATTRIBUTE_LISTS = (
    # The "Try in Splunk" buttons stay out of the search index: they were every detection's excerpt.
    (re.compile(r'\{: \.btn \.btn--(success|info)\}'), lambda m: {"class": f"btn btn--{m[1]}",
                                                                     "data-search-exclude": ""}),
    (re.compile(r'\{:height="500px" width="500px"\}'), lambda m: {"height": "500px", "width": "500px"}),
    (re.compile(r"\{ \.md-button \}"), lambda m: {"class": "md-button"}),
)
"""The attribute lists the templates write after a link or picture, and the attributes each sets."""


class _TemplateAttributes(Treeprocessor):
    """Apply the templates' own attribute lists (and no other) to the link or picture they follow."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            tail = element.tail
            if element.tag not in ("a", "img") or not tail or not tail.startswith("{"):
                continue
            for pattern, attributes in TEMPLATE_ATTRIBUTE_LISTS:
                match = pattern.match(tail)
                if match:
                    element.tail = tail[match.end():]
                    for name, value in attributes(match).items():
                        element.set(name, value)
                    break


class _NoRemotePictures(Treeprocessor):
    """A picture from another host becomes a link to it (text only inside a link): nothing is fetched.

    A picture of the content's own repository that the site serves a copy of (pictures.py) shows that copy."""

    def __init__(self, md: Markdown, extension: "KramdownExtension"):
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                source = child.get("src", "") if child.tag == "img" else ""
                if not (_SCHEME.match(source) or source.startswith("//")):
                    continue
                repository = REPOSITORY_PICTURE.fullmatch(source)
                served = self.extension.served_picture(repository[1]) if repository else None
                if served is not None:
                    page_folder = posixpath.dirname(self.extension.page_document or "")
                    child.set("src", posixpath.relpath(served, page_folder))  # mkdocs makes it a URL
                    continue
                host = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*:(//)?", "", source).split("/", 1)[0]
                label = f"picture{': ' + child.get('alt') if child.get('alt') else ''} ({host or 'elsewhere'})"
                inside_link = parent.tag == "a"
                replacement = etree.Element("span" if inside_link else "a", {"class": "sc-remote-picture"})
                if not inside_link:
                    replacement.set("href", source)
                replacement.text = label
                replacement.tail = child.tail
                parent.remove(child)
                parent.insert(index, replacement)


class _CostlyBlocks(Preprocessor):
    """On a page made from content, show a block Markdown would take minutes to read with its brackets as typed."""

    def __init__(self, md: Markdown, extension: "KramdownExtension"):
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        if not self.extension.guarded:
            return lines
        out: list[str] = []
        block: list[str] = []
        for line in [*lines, ""]:
            if line.strip():
                block.append(line)
                continue
            if block and costly_markdown("\n".join(block)):
                block = [as_typed(part) for part in block]
            out.extend(block)
            out.append(line)
            block = []
        return out[:-1]


_STASHED = re.compile("^\x02wzxhzdk:([0-9]+)\x03$")
_CODE_BLOCK = re.compile(r'<pre><code(?: class="language-spl")?>(.*)</code></pre>\s*', re.DOTALL)


class _HighlightSearches(Treeprocessor):
    """A detection's search (the code block after its "Search" heading) and drilldown searches, as SPL.

    Fenced code is put aside by Python-Markdown before the tree is built; the
    tree holds a placeholder paragraph for it, and the block itself is
    replaced here, the same text with the SPL lexer's spans around its parts.
    """

    def run(self, root: etree.Element) -> None:
        stash = self.md.htmlStash.rawHtmlBlocks
        for parent in root.iter():
            previous = None
            for child in parent:
                match = _STASHED.match(child.text or "") if child.tag == "p" and not len(child) else None
                if match and int(match[1]) < len(stash):
                    index = int(match[1])
                    block = str(stash[index])
                    the_search = (previous is not None and previous.tag in ("h3", "h4")
                                  and _text_of(previous) == "Search" and block.startswith("<pre><code>"))
                    if the_search or block.startswith('<pre><code class="language-spl">'):
                        stash[index] = _highlighted(block)
                previous = child


def _highlighted(block: str) -> str:
    """The block marked as SPL; its spans are added to the finished page by `highlight_spl` (after search
    has indexed it: the index gets the search's text, and the build does not parse every span again)."""
    found = _CODE_BLOCK.fullmatch(block)
    if found is None:
        return block
    return f'<div class="highlight language-spl"><pre><span></span><code>{found[1]}</code></pre></div>\n'


_MARKED_SPL = re.compile(r'(<div class="highlight language-spl"><pre><span></span><code>)(.*?)(</code></pre></div>)',
                         re.DOTALL)


@lru_cache(maxsize=1)
def _spl_highlighting() -> tuple[SplLexer, HtmlFormatter]:
    """The lexer and formatter, made once: a formatter works out its style sheet when it is made, which
    took longer than highlighting a search."""
    return SplLexer(stripnl=False, ensurenl=False), HtmlFormatter(nowrap=True)


def highlight_spl(page_html: str) -> str:
    """Each SPL block the Markdown marked (see `_HighlightSearches`), with the SPL lexer's spans."""
    def spans(match: re.Match) -> str:
        text = html.unescape(match[2])
        highlighted = pygments.highlight(text, *_spl_highlighting())
        if highlighted.endswith("\n") and not text.endswith("\n"):
            highlighted = highlighted[:-1]
        return match[1] + highlighted + match[3]

    return _MARKED_SPL.sub(spans, page_html) if "language-spl" in page_html else page_html


class _SiteLinks(Treeprocessor):
    """Point published site-absolute links at the documents that serve them."""

    def __init__(self, md: Markdown, extension: "KramdownExtension"):
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        ext = self.extension
        if ext.page_url is None:
            return
        for parent in list(root.iter()):
            for child in list(parent):
                if child.tag != "a":
                    continue
                href = child.get("href")
                if href is None or _SCHEME.match(href) or href.startswith(("#", "//")):
                    continue
                target = ext.resolve(href)
                if target is None:
                    if href:  # the published form writes `[name]()` on purpose (no page to link)
                        ext.report(href)
                    _unwrap(parent, child)
                else:
                    child.set("href", target)


_BOILERPLATE = (
    "List of fields required to use this analytic.",
    "Replay any dataset to Splunk Enterprise by using ",  # "our replay.py", or "Splunk's" for a team's detection
    "Alternatively you can replay a dataset into a",
)
"""The fixed lines a published section carries even when it has nothing to show."""
_SECTION_HEADING = {"h2": 2, "h3": 3, "h4": 4}
_PAGE_FOOTER = re.compile(r"(?:source \S+ )?version: \S*")
"""The text of a page's last line, its file's link and version: it ends the last section, not part of it. (Its
`\\|` is, while the tree is worked on, a placeholder of the escaped character.)"""


def _text_of(element: etree.Element) -> str:
    return "".join(element.itertext()).strip()


class _HideEmptySections(Treeprocessor):
    """Hide what the published form shows empty: a section with nothing but its heading and fixed text, a
    table with no rows (a story no detection names), a folded block with nothing in it.

    The elements stay in the page, with the `hidden` attribute, so the page
    is still the published page; the ids of hidden headings are kept so the
    table of contents can leave them out.
    """

    def __init__(self, md: Markdown, extension: "KramdownExtension"):
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        self.extension.hidden_ids = set()
        for details in root.iter("details"):
            if all(child.tag == "summary" or not _text_of(child) for child in details):
                details.set("hidden", "hidden")
        for table in root.iter("table"):  # a header and no rows (Python-Markdown writes one row of empty cells)
            if all(not _text_of(cell) and not len(cell) for cell in table.iter("td")):
                table.set("hidden", "hidden")
        children = list(root)
        for index, element in enumerate(children):
            level = _SECTION_HEADING.get(element.tag)
            if level != 4:
                continue
            section = []
            for following in children[index + 1:]:
                if _SECTION_HEADING.get(following.tag, 9) <= level or (
                        following is children[-1] and _PAGE_FOOTER.fullmatch(_text_of(following))):
                    break
                section.append(following)
            if all(not _text_of(e) or _text_of(e).startswith(_BOILERPLATE) or e.get("hidden") for e in section):
                for hidden in (element, *section):
                    hidden.set("hidden", "hidden")
                if element.get("id"):
                    self.extension.hidden_ids.add(element.get("id"))


class _FoldedHeadings(Treeprocessor):
    """Note the ids of the headings inside folded sections (<details>): in the table of contents they stay under
    the heading before them, and every other heading is a sibling of the others (plugin.py). The published
    form's levels skip (an h3 "Annotations" among h4 sections), and would otherwise nest every section after
    it under it."""

    def __init__(self, md: Markdown, extension: "KramdownExtension"):
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        self.extension.folded_ids = {element.get("id") for details in root.iter("details")
                                     for element in details.iter() if element.tag in _HEADINGS and element.get("id")}


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def _unwrap(parent: etree.Element, link: etree.Element) -> None:
    """Replace `link` by its content, keeping the surrounding text in place."""
    position = list(parent).index(link)
    children = list(link)

    def append_text(text: str) -> None:
        if children and children[-1] in parent:
            children[-1].tail = (children[-1].tail or "") + text
        elif position == 0:
            parent.text = (parent.text or "") + text
        else:
            before = parent[position - 1]
            before.tail = (before.tail or "") + text

    text, tail = link.text or "", link.tail or ""
    parent.remove(link)
    append_text(text)
    for offset, child in enumerate(children):
        parent.insert(position + offset, child)
    append_text(tail)


class _PlainTextForSmarty(Treeprocessor):
    """Let the `smarty` extension skip text it cannot change.

    smarty runs a second inline pass with seventeen patterns over every piece
    of text, about a third of the site's Markdown time. Text without a quote,
    `--` or `...` gives it nothing to do; marked atomic (as code already is),
    smarty passes it by, and its output is the same.
    """

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            text = element.text
            if text and type(text) is str and not _smartable(text):
                element.text = AtomicString(text)
            tail = element.tail
            if tail and type(tail) is str and not _smartable(tail):
                element.tail = AtomicString(tail)


def _smartable(text: str) -> bool:
    return "'" in text or '"' in text or "--" in text or "..." in text


@lru_cache(maxsize=65536)
def _relative_path(document: str, folder: str) -> str:
    """`document` relative to `folder` (pages of one folder link the same documents again and again)."""
    return posixpath.relpath(document, folder)


_PICTURE_LOOKUP = "\0picture:"
"""Marks a picture's lookup among a page's link lookups (no link starts with a NUL)."""


class KramdownExtension(Extension):
    """One instance per site build; `page_url` is set before each page is converted.

    `documents` maps each site URL ("/stories/x/") to the document serving it
    ("stories/x.md"); `report(page_url, href)` is told of each link that no
    document serves (it is then shown as plain text).
    """

    def __init__(self, documents: dict[str, str] | None = None,
                 report: Callable[[str, str], None] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.documents = documents or {}
        self.page_url: str | None = None
        self.page_document: str | None = None
        self.hidden_ids: set[str] = set()
        """Ids of the headings the last page hid (its empty sections)."""
        self.folded_ids: set[str] = set()
        """Ids of the last page's headings inside a folded section (<details>)."""
        self.guarded = False
        """The page is made from content: blocks too costly to read as Markdown are shown as typed."""
        self.pictures: dict[str, str] = {}
        """Pictures of the content's repository that the site serves: their path there ("playbooks/x.png") ->
        the document serving them ("assets/playbooks/x.png"; see pictures.py)."""
        self.lookups: dict[str, str | None] = {}
        """Each link the page looked up and what it gave (the build cache asks them again before reuse)."""
        self.shared_icons = False
        """The site has the icon stylesheet of the project's overrides: an emoji's icon is drawn by it, not inlined."""
        self._report = report

    def set_page(self, url: str | None, document: str | None, guarded: bool = False) -> None:
        self.page_url, self.page_document, self.guarded = url, document, guarded
        self.lookups = {}

    def still_leads(self, lookups: dict[str, str | None]) -> bool:
        """Whether each of these links and pictures, looked up from the current page, gives what it gave before."""
        return all((self.served_picture(key[len(_PICTURE_LOOKUP):]) if key.startswith(_PICTURE_LOOKUP)
                    else self.resolve(key)) == target for key, target in lookups.items())

    def served_picture(self, path: str) -> str | None:
        """The document serving the content repository's picture at `path`, or None (it is not served)."""
        found = self.lookups[_PICTURE_LOOKUP + path] = self.pictures.get(path)
        return found

    def report(self, href: str) -> None:
        if self._report is not None and self.page_url is not None:
            self._report(self.page_url, href)

    def resolve(self, href: str) -> str | None:
        """The document-relative link for a published URL, or None where no page serves it."""
        found = self.lookups[href] = self._resolve(href)
        return found

    def _resolve(self, href: str) -> str | None:
        if "&" in href:  # the templates escape a name's `&`, `"`, `<` in a link as HTML does; a browser reads it back
            href = html.unescape(href)
        path, hash_, fragment = href.partition("#")
        path, mark, query = path.partition("?")  # a filtered listing (/detections/?source=x) keeps its query
        if not path:
            return None if not hash_ or mark else href
        absolute = posixpath.normpath(posixpath.join(posixpath.dirname(self.page_url.rstrip("/") + "/x"), path)) \
            if not path.startswith("/") else posixpath.normpath(path)
        key = absolute.rstrip("/") + "/" if absolute != "/" else "/"
        document = self.documents.get(key)
        if document is None:
            return None
        relative = _relative_path(document, posixpath.dirname(self.page_document or ""))
        return relative + mark + query + (hash_ + fragment if hash_ else "")

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.ESCAPED_CHARS = list(dict.fromkeys([*md.ESCAPED_CHARS, *_KRAMDOWN_ESCAPES]))
        md.preprocessors.register(inline.Installer(md), "skipping_inline", 35)  # before every other one
        md.preprocessors.register(_DetailsBlocks(md), "kramdown_details", 29)
        md.preprocessors.register(_BlockStarts(md), "kramdown_block_starts", 28)
        # After fenced code is put aside (25), before raw HTML is (20).
        md.preprocessors.register(_CostlyBlocks(md, self), "costly_blocks", 22)
        md.parser.blockprocessors.register(_KramdownOList(md.parser), "olist", 40)
        md.parser.blockprocessors.register(_KramdownUList(md.parser), "ulist", 30)
        md.inlinePatterns.register(_LineBreak(r"\\\n", md), "kramdown_line_break", 185)
        md.inlinePatterns.register(_EmojiCodes(r":[+\-\w]+:", md, self), "kramdown_emoji", 75)
        # Before mkdocs' own link processing ("relpath", priority 0), which then
        # checks these document links and makes them relative URLs.
        md.treeprocessors.register(_SiteLinks(md, self), "kramdown_site_links", 5)
        md.treeprocessors.register(_TemplateAttributes(md), "template_attributes", 8)  # where attr_list ran
        md.treeprocessors.register(_HighlightSearches(md), "highlight_searches", 7.8)
        md.treeprocessors.register(_NoRemotePictures(md, self), "no_remote_pictures", 7.5)
        md.treeprocessors.register(_PlainTextForSmarty(md), "kramdown_plain_text", 7)  # smarty runs at 6
        md.treeprocessors.register(_HideEmptySections(md, self), "hide_empty_sections", 1)  # after toc (5)
        md.treeprocessors.register(_FoldedHeadings(md, self), "folded_headings", 0.9)


def makeExtension(**kwargs) -> KramdownExtension:  # noqa: N802 (Python-Markdown's entry point)
    return KramdownExtension(**kwargs)
