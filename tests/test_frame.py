"""The theme's frame around each page is shared, not repeated (generator/site/frame.py, overrides/partials/), and
the blank space taken out of pages never touches what a reader sees (generator/site/compact.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.site.compact import BLOCKS, compact
from generator.site.frame import lunr_files_needed
from generator.site.policy import inline_scripts

_INLINE_ICON = re.compile(r"<svg\b[^>]*>\s*<(path|use|g|circle|rect|polygon)\b", re.IGNORECASE)
_ICON_CLASS = re.compile(r'class="sc-icon (sc-icon--[\w-]+)"')


def _pages(site: Path) -> list[tuple[str, str]]:
    """Every page of the site but the old addresses' redirect pages: (path, HTML)."""
    found = []
    for path in sorted(site.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        if 'http-equiv="refresh"' not in html:
            found.append((path.relative_to(site).as_posix(), html))
    return found


def _frame(html: str) -> str:
    """The page without its article: what the theme puts around the content."""
    start, end = html.find("<article"), html.rfind("</article>")
    return html if start < 0 else html[:start] + html[end:]


def test_no_page_repeats_the_frames_icons_scripts_or_configuration(golden_site):
    site, result = golden_site
    assert result.returncode == 0, result.stderr[-2000:]
    pages = _pages(site)
    assert len(pages) > 20 and any(path == "404.html" for path, _ in pages)
    icons = (site / "assets/stylesheets/sc-icons.css").read_text(encoding="utf-8")
    for path, html in pages:
        frame = _frame(html)
        assert _INLINE_ICON.search(frame) is None, f"{path}: an icon inline in the frame"
        assert inline_scripts(html) == [], f"{path}: an inline script"
        assert 'id="__config"' not in html, f"{path}: the theme's configuration repeated"
        assert "md-search__form" not in html and "sc-search.js" in html, f"{path}: the search dialog repeated"
        assert "script-src 'self';" in html, path
        assert {"sc-icon--material-menu", "sc-icon--material-magnify"} <= set(_ICON_CLASS.findall(frame)), path
        for name in set(_ICON_CLASS.findall(html)):  # each icon a page shows is in the shared stylesheet, as a mask
            assert re.search(rf'\.{name}\{{--sc-icon:url\("data:image/svg\+xml', icons), f"{path}: {name}"


def test_the_emoji_icons_are_drawn_by_the_shared_stylesheet_too(content_site):
    """The published forms' emoji (the sample content has them) are the theme's icons, not repeated in each page."""
    site, result = content_site
    assert result.returncode == 0, result.stderr[-2000:]
    emoji = [html for _, html in _pages(site) if 'title=":information_source:"' in html]
    assert emoji and all('<span class="twemoji sc-emoji sc-emoji--information" title=":information_source:">'
                         '<svg class="sc-icon sc-icon--material-information" aria-hidden="true" viewBox="0 0 24 24">'
                         '</svg></span>' in html for html in emoji)
    # Every icon is hidden from screen readers (beside a control's name or its text, alone it was an image without
    # a name).
    pages = [html for _, html in _pages(site)]
    assert all("<svg" not in html or re.search(r"<svg(?![^>]*aria-hidden)", html) is None for html in pages), \
        next(re.search(r"<svg(?![^>]*aria-hidden)[^>]*>", html)[0] for html in pages
             if re.search(r"<svg(?![^>]*aria-hidden)", html))
    assert ".sc-icon--material-information{--sc-icon:url(" in (site / "assets/stylesheets/sc-icons.css").read_text()


def test_the_shared_setup_script_names_the_search_worker_the_site_has(golden_site):
    site, _ = golden_site
    setup = (site / "assets/javascripts/sc-frame.js").read_text(encoding="utf-8")
    # One search entry per page: the site's own worker, which answers from the word index the build wrote.
    assert '"search": "javascripts/site-search-worker.js"' in setup, setup
    assert (site / "javascripts/site-search-worker.js").is_file()
    assert '"translations": {' in setup and "{{" not in setup and "{%" not in setup
    assert (site / "assets/javascripts/sc-palette.js").is_file()
    dialog = (site / "assets/javascripts/sc-search.js").read_text(encoding="utf-8")
    assert 'md-search__form' in dialog and "sc-icon--material-close" in dialog and "{{" not in dialog
    icons = (site / "assets/stylesheets/sc-icons.css").read_text(encoding="utf-8")
    assert all(f".{name}{{--sc-icon:" in icons for name in re.findall(r'sc-icon (sc-icon--[\w-]+)', dialog))


def test_files_no_reader_loads_are_left_out(golden_site):
    site, _ = golden_site
    assert list(site.rglob("*.map")) == []
    assert not (site / "assets/javascripts/lunr").exists()  # English only: the worker loads no language file


@pytest.mark.parametrize(("languages", "needed"), [
    (["en"], set()),
    (["de"], {"min/lunr.de.min.js", "min/lunr.stemmer.support.min.js"}),
    (["en", "ja"], {"min/lunr.ja.min.js", "tinyseg.js", "min/lunr.multi.min.js", "min/lunr.stemmer.support.min.js"}),
    (["th"], {"min/lunr.th.min.js", "wordcut.js", "min/lunr.stemmer.support.min.js"}),
])
def test_the_lunr_files_kept_are_the_ones_the_theme_worker_loads(languages, needed):
    assert lunr_files_needed(languages) == needed


PAGE = ("<!doctype html>\n<html>\n  <head>\n    <script>var a = 1;\n      var b = 2;</script>\n  </head>\n"
        "  <body>\n    <pre>  two  spaces\n\n    kept </pre>\n    <textarea>  as\n   typed </textarea>\n"
        '    <div>\n      Made with\n      <a href="x">this</a>\n    </div>\n'
        '    <article class="md-content__inner">\n      \n\n   <h1>Title</h1>\n<p>a  b\n   c</p>\n'
        "<pre><code>  x = 1\n\n    y</code></pre>\n   \n\n  </article>\n  </body>\n</html>\n")


def test_compacting_keeps_preformatted_text_scripts_and_the_articles_inside_as_they_are():
    out = compact(PAGE)
    for kept in ("<script>var a = 1;\n      var b = 2;</script>", "<pre>  two  spaces\n\n    kept </pre>",
                 "<textarea>  as\n   typed </textarea>", "<pre><code>  x = 1\n\n    y</code></pre>",
                 "<h1>Title</h1>\n<p>a  b\n   c</p>\n"):
        assert kept in out
    # Blank space between words stays blank space (one line break), so "Made with this" reads the same; next to
    # a block's start or end, and in the head, blank space between tags goes.
    assert "<div>\nMade with\n<a" in out and '</a></div>' in out
    assert "<head><script>" in out and "</script></head>" in out
    # The article's own blank space at its start and end (the template's) is one line break.
    assert '<article class="md-content__inner">\n<h1>' in out and "</code></pre>\n</article>" in out
    assert len(out) < len(PAGE)


def test_an_article_with_preformatted_text_left_open_is_kept_as_it_is():
    page = "<body>\n  <article>\n <pre> open\n   </article>\n</body>"
    assert "<article>\n <pre> open\n   </article>" in compact(page)


def test_blank_space_between_inline_elements_is_kept_and_attributes_are_not_taken_for_tags():
    page = ('<body>\n<div>\n<span>a</span>\n<span title="x> <div">b</span>\n<script>s()</script>\n'
            '<label>c</label>\n</div>\n<article>x</article>\n</body>')
    out = compact(page)
    assert '<span>a</span>\n<span title="x> <div">b</span>\n<script>s()</script>\n<label>c</label></div>' in out


def test_a_tag_never_closed_leaves_the_rest_as_it_is():
    # 100,000 characters that could open a tag but never close it: read once, not tried every way they split.
    unclosed = "<div a=" + "x 'y' \"z\" " * 10_000
    page = f"<body>\n  <div>\n  <p>{unclosed}\n  </div>\n<article>x</article>\n</body>"
    same = compact(page) == f"<body><div><p>{unclosed.rstrip()}\n</div>\n<article>\nx\n</article></body>"
    assert same  # (not compared in the assertion: pytest's difference of two such strings takes minutes)


def _inline_displays(css: str) -> list[str]:
    """The selectors of a stylesheet's rules that lay an element out inline (inline, inline-block, contents...)."""
    found = []
    for selectors, declarations in re.findall(r"([^{}]*)\{([^{}]*)\}", css):
        if re.search(r"display:\s*(inline|contents|ruby|table-cell)", declarations):
            found += [selector.strip() for selector in selectors.split(",")]
    return found


def test_the_elements_taken_for_blocks_are_never_laid_out_inline(golden_site):
    """compact() drops blank space next to `BLOCKS` elements: no stylesheet of the site may lay one out inline,
    by its tag or by a class the frame gives it."""
    site, _ = golden_site
    selectors = [selector for sheet in sorted(site.rglob("*.css"))
                 for selector in _inline_displays(sheet.read_text(encoding="utf-8"))]
    assert selectors, "no inline rule found: the stylesheets were not read"
    last = [re.split(r"[\s>+~]+", selector)[-1] for selector in selectors]
    assert [name for name in last if re.match(r"(\w+)", name) and re.match(r"(\w+)", name)[1] in BLOCKS] == []
    inline_classes = {name for compound in last for name in re.findall(r"\.([\w-]+)", compound)}
    for path, html in _pages(site):
        for tag, attributes in re.findall(r"<(\w+)\b([^>]*)>", _frame(html)):
            if tag.lower() in BLOCKS:
                classes = re.search(r'class="([^"]*)"', attributes)
                assert not set(classes[1].split() if classes else []) & inline_classes, (path, tag, attributes)
