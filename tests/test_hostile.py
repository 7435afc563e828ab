"""Hostile content never reaches a reader as live script: each mutation is built into a site and checked.

A start of the hostile-input suite (issue 10): each case plants one attack in
a copy of the 2024-04 golden content, builds the mkdocs site, and asserts that
no built page carries script, an event handler or a script URL from the content.
"""

from __future__ import annotations

import shutil
from html.parser import HTMLParser

import pytest

from conftest import TESTS, mkdocs_build

CASE = TESTS / "golden" / "form_2024"
DETECTION = "detections/endpoint/powershell_webclient_download.yml"
STORY = "stories/living_off_the_land.yml"
DESCRIPTION = "description: Finds `powershell.exe` fetching a file with \"Net.WebClient\", the\n  attacker's favourite download cradle."

MUTATIONS = {
    "script in a description": (DETECTION, DESCRIPTION, "description: 'HOSTILE <script>alert(1)</script> text'"),
    "event handler in raw HTML": (DETECTION, DESCRIPTION, "description: 'HOSTILE <img src=x onerror=alert(1)> text'"),
    "attribute list on a paragraph": (DETECTION, DESCRIPTION, "description: \"HOSTILE text\\n{: onclick=alert(1) }\""),
    "javascript: link": (DETECTION, DESCRIPTION, "description: 'HOSTILE [click](javascript:alert(1)) text'"),
    "data: URL picture": (DETECTION, DESCRIPTION, "description: 'HOSTILE ![x](data:image/svg+xml;base64,PHN2Zz4=) text'"),
    "iframe and form": (DETECTION, DESCRIPTION, "description: 'HOSTILE <iframe src=\"https://example.com\"></iframe>"
                                                "<form action=\"https://example.com\"><input></form> text'"),
    "fence closed inside the search": (DETECTION, "search: '| tstats",
                                       "search: '| eval x=1\n\n  ```\n\n  <script>alert(1)</script>\n\n  | tstats"),
    "script in a story narrative": (STORY, "narrative: 'Built-in", "narrative: 'HOSTILE <script>alert(1)</script> Built-in"),
    "javascript: reference": (DETECTION, "- https://example.com/powershell-download-cradles",
                              "- javascript:alert(1)"),
    "style that loads": (DETECTION, DESCRIPTION, "description: 'HOSTILE <span style=\"background:url(https://example.com/x)\">x</span> text'"),
}

class _Live(HTMLParser):
    """What in a page's article could run or load something: script, handlers, script URLs, frames, forms."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "form", "style", "link", "meta", "base"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "formaction", "xlink:href") and \
                    value.startswith(("javascript:", "vbscript:", "data:")):
                self.found.append(f"{tag} {name}={value[:30]}")
            if name == "style" and ("url(" in value or "expression(" in value):
                self.found.append(f"{tag} style={value[:30]}")


def live_parts(html: str) -> list[str]:
    article = html.split("<article", 1)[1].split("</article>", 1)[0] if "<article" in html else ""
    parser = _Live()
    parser.feed("<article" + article)
    return parser.found


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_hostile_content_is_inert_on_the_site(name, tmp_path):
    relative, old, new = MUTATIONS[name]
    content = tmp_path / "content"
    shutil.copytree(CASE / "content", content)
    source = content / relative
    text = source.read_text()
    assert old in text, name
    source.write_text(text.replace(old, new, 1))
    site = tmp_path / "site"
    result = mkdocs_build(site, strict=False, CONTENT_DIR=str(content), ATTACK_BUNDLE=str(CASE / "attack.json"),
                          CVE_FILE=str(CASE / "cves.json"), SPLUNK_APPS_FILE=str(CASE / "splunk_apps.json"),
                          D3FEND_FILE=str(CASE / "d3fend.json"), CONTENT_FORM="")
    assert result.returncode == 0, result.stderr[-2000:]
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        assert live_parts(html) == [], page.relative_to(site)
        if "<article" in html:  # a page of the site (not a redirect): it carries its script policy
            assert '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; script-src \'self\' ' in html
    pages = [p.read_text(encoding="utf-8") for p in site.rglob("index.html")]
    if relative == DETECTION and "search" not in name and "reference" not in name:
        assert any("HOSTILE" in html for html in pages)  # the text itself is still shown
