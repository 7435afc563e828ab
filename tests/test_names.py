"""Names no published corpus had: characters that end an address (`#`, `?`) or escape in it (`%`), a `word:` that
makes a link an address of another scheme, characters that end a Markdown link or start its title (a `)` closing
nothing, `"`, a backtick) or a table's cell (`|`), that HTML escapes (`&`, `<`) or Windows does not allow in a file
name, and names YAML front matter would read as something else (`Cloud: Abuse #2`, `*nix`, `2024`). Each still gets
its page, every link to it leads there, and its page has its name as title.

The published names keep their addresses byte for byte (test_corpus*.py); only what an address or a link cannot
carry as written is left out of a slug (generator/slug.py)."""

from __future__ import annotations

import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from conftest import TESTS, golden_case_site
from generator.slug import identifier, name_problem, slugify

# Each name, and the slug its page is served at.
STORY_NAMES = {
    "Detect C# Compilers": "detect_c_compilers",
    "Is This Normal?": "is_this_normal",
    "50%Faster Beacons": "50faster_beacons",
    "The `whoami` Habit": "the_whoami_habit",
    "Alerts Before Noon)": "alerts_before_noon",
    'The "Quiet" Ones': "the_quiet_ones",
    "Phishing & Malware": "phishing_&_malware",
    "Tokens <Stolen>": "tokens_stolen",
    "Cloud: Identity Theft": "cloud_identity_theft",  # "cloud:" had been read as an address's scheme
    "Rare | Admin * Tools": "rare__admin__tools",
    "Cobalt Strike (Beacon)": "cobalt_strike_(beacon)",
}
CATEGORY = "Cloud: Abuse #2"
USE_CASE = "Triage: Tier 1"
PRODUCT = "*nix"


def test_a_slug_leaves_out_only_what_an_address_or_a_link_cannot_carry():
    for name, slug in STORY_NAMES.items():
        assert slugify(name) == slug
    assert slugify(CATEGORY) == "cloud_abuse_2"
    assert slugify("Windows DISM Remove Defender") == "windows_dism_remove_defender"  # as published
    assert slugify("Detect C# Compilers", "-") == "detect-c-compilers"  # a tag's anchor
    assert slugify("A (B) C)") == "a_(b)_c" and slugify("(Open") == "(open"
    # A filter macro is named after the whole name, as Splunk's build names it: only addresses leave characters out.
    assert identifier("Detect C# Compilers") == "detect_c#_compilers" and identifier('The "Quiet" Ones') == \
        'the_"quiet"_ones'
    assert all(identifier(name) == slugify(name) for name in ("Windows DISM Remove Defender", "Cobalt Strike (Beacon)"))


def test_a_name_of_nothing_but_what_addresses_leave_out_cannot_name_a_page():
    assert name_problem("??") == "has nothing an address can carry: # ? % ` \" < > : | * are left out of addresses"
    assert name_problem("C#") is None and name_problem("Is This Normal?") is None


class _Anchors(HTMLParser):
    """The article's links (href, text) and the page's h1."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.h1 = ""
        self._href: str | None = None
        self._text: list[str] = []
        self._in_h1 = False
        self._in_article = False

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self._in_article = True
        elif tag == "h1":
            self._in_h1 = True
        elif tag == "a" and self._in_article:
            self._href, self._text = dict(attrs).get("href"), []

    def handle_endtag(self, tag):
        if tag == "article":
            self._in_article = False
        elif tag == "h1":
            self._in_h1 = False
        elif tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None

    def handle_data(self, data):
        if self._in_h1:
            self.h1 += data
        if self._href is not None:
            self._text.append(data)


def _read(page: Path) -> _Anchors:
    parsed = _Anchors()
    parsed.feed(page.read_text(encoding="utf-8"))
    return parsed


def _served(site: Path, page_url: str, href: str) -> Path | None:
    """The file a browser on `page_url` gets for `href`, as a static server maps the address to the site's files."""
    path = unquote(urlsplit(urljoin("http://site" + page_url, href)).path)
    file = site / path.lstrip("/")
    file = file / "index.html" if path.endswith("/") or file.is_dir() else file
    return file if file.is_file() else None


@pytest.fixture(scope="module")
def named_site(tmp_path_factory):
    """The golden 2024-form case with a story for each name, each named by a detection, a story category, a
    playbook use case and a product that YAML front matter would misread."""
    case = tmp_path_factory.mktemp("names") / "case"
    shutil.copytree(TESTS / "golden" / "form_2024", case, ignore=shutil.ignore_patterns("expected"))
    stories = case / "content" / "stories"
    template = (stories / "dormant_story.yml").read_text(encoding="utf-8")
    for number, name in enumerate(STORY_NAMES, start=10):
        text = template.replace("Dormant Story", json.dumps(name)).replace("000000000003", f"0000000000{number}")
        text = text.replace("- Best Practices", "- " + json.dumps(CATEGORY))
        (stories / f"named_{number}.yml").write_text(text, encoding="utf-8")
    detection = case / "content" / "detections" / "endpoint" / "powershell_webclient_download.yml"
    text = detection.read_text(encoding="utf-8")
    named = "".join(f"\n  - {json.dumps(name)}" for name in STORY_NAMES)
    text = text.replace("  analytic_story:\n  - Living Off The Land", "  analytic_story:\n  - Living Off The Land" + named)
    text = text.replace("  - Splunk Cloud", "  - " + json.dumps(PRODUCT), 1)
    detection.write_text(text, encoding="utf-8")
    playbook = case / "content" / "playbooks" / "cloud_login_enrichment.yml"
    text = playbook.read_text(encoding="utf-8")
    playbook.write_text(text.replace("  use_cases:\n", f"  use_cases:\n  - {json.dumps(USE_CASE)}\n", 1),
                        encoding="utf-8")
    site, result = golden_case_site(case, tmp_path_factory.mktemp("names-site") / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    return site, result


def test_every_link_to_a_page_of_an_unusual_name_leads_to_it(named_site):
    site, result = named_site
    assert "is linked but no page serves it" not in result.stderr, result.stderr
    for address, what in (("/stories/", "the stories index"), ("/endpoint/d2024000-0000-4000-8000-000000000001/",
                                                                "the detection naming them")):
        links = _read(site / address.strip("/") / "index.html").links
        for name, slug in STORY_NAMES.items():
            hrefs = [href for href, text in links if text == name]
            assert hrefs, f"{what} does not link {name!r}"
            for href in hrefs:
                page = _served(site, address, href)
                assert page == site / "stories" / slug / "index.html", f"{what}: {name!r} links {href!r}"
                assert _read(page).h1 == name


def test_a_name_yaml_would_misread_is_still_its_page_s_title(named_site):
    site, _ = named_site
    for address, title in ((f"/stories/{slugify(CATEGORY)}/", CATEGORY + " stories"),
                           (f"/playbooks/{slugify(USE_CASE)}/", USE_CASE + " playbooks")):
        page = site / address.strip("/") / "index.html"
        text = page.read_text(encoding="utf-8")
        assert _read(page).h1 == title
        assert re.search(r"<title>([^<]*)</title>", text).group(1).startswith(html.escape(title, quote=False))
        assert "permalink:" not in text  # the front matter was read, not shown as text
    detection = (site / "endpoint" / "d2024000-0000-4000-8000-000000000001" / "index.html").read_text(encoding="utf-8")
    assert "permalink:" not in detection and "redirect_from:" not in detection
    assert _read(site / "endpoint" / "d2024000-0000-4000-8000-000000000001" / "index.html").h1 == \
        "PowerShell WebClient Download"
