"""Nothing from the content runs in a reader's browser: each generated page's HTML passes an allow-list.

The published Markdown stays exactly as published (it is the specification);
safety is enforced on the HTML the site serves. After Markdown and every
extension have run, the page body keeps only the tags and attributes the
published forms and the site's own additions use, and links and pictures
only with http(s), mailto or site-relative addresses; pictures with their
alt text only (nothing is fetched for them). Everything else from
the content is left out, its text kept: no script, no event handler, no
`javascript:` or `data:` URL, no frame, form or style that loads anything.
The sanitizer is nh3 (Rust's ammonia), maintained for exactly this.
"""

from __future__ import annotations

import nh3

from .pictures import SITE_FOLDER

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    "wbr",  # where the ATT&CK matrix may break a name (after a slash), so that it never breaks inside a word
    "ins",  # beside "del": the words a change added (changes.word_runs)
    "svg", "path",  # the theme's icons, inlined for the published forms' emoji
    "g", "rect", "line", "text", "title", "figure", "figcaption",  # the releases chart (release_pages.py)
})
ATTRIBUTES = {
    "*": {"id", "class", "title", "hidden", "data-fidelity-ignore", "data-search-exclude"},
    "a": {"href"},
    # "src" only for the site's own copies of the content's playbook diagrams (pictures.py, own_picture below):
    # any other picture keeps its alt text and loses its source. A picture from another host would be a
    # request to a third party (markdown.py turns a Markdown one into a link instead).
    "img": {"alt", "width", "height", "src"},
    "th": {"style", "align"},
    "td": {"style", "align"},
    "details": {"open"},
    "svg": {"xmlns", "viewBox", "role", "aria-label", "aria-hidden"},
    "path": {"d"},
    # Shapes and their places only: no style, no link, nothing that loads or runs.
    "rect": {"x", "y", "width", "height"},
    "line": {"x1", "y1", "x2", "y2"},
    "text": {"x", "y", "text-anchor", "transform"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def sanitize(html: str) -> str:
    """`html` with only allow-listed markup; script and style elements go with their content.

    Links get no rel="noopener noreferrer": no link can open a window (no `target`), and the pages' referrer
    policy (policy.py) keeps their addresses from other sites. It was a sixth of a listing's size.
    """
    return nh3.clean(html, tags=set(TAGS), attributes={k: set(v) for k, v in ATTRIBUTES.items()},
                     url_schemes=set(URL_SCHEMES), filter_style_properties={"text-align"},
                     clean_content_tags={"script", "style"}, link_rel=None, attribute_filter=_picture_source)


def _picture_source(tag: str, attribute: str, value: str) -> str | None:
    """A picture's source is kept only when it is one of the site's copies of the content's pictures."""
    if tag == "img" and attribute == "src":
        return value if own_picture(value) else None
    return value


def own_picture(src: str) -> bool:
    """Whether `src` is a page-relative address of a picture the site copied from the content
    (`../../assets/playbooks/x.png`): nothing outside that folder, no scheme, host, query or fragment."""
    parts = src.split("/")
    while parts and parts[0] == "..":
        parts.pop(0)
    return (len(parts) >= 3 and parts[:2] == [SITE_FOLDER, "playbooks"]
            and all(part not in ("", ".", "..") for part in parts) and not any(c in src for c in ":?#\\"))


def plain_title(title: str) -> str:
    """A page title from content, for the theme (which puts it in the page unescaped): text only, no markup."""
    return nh3.clean(title, tags=set(), clean_content_tags={"script", "style"})
