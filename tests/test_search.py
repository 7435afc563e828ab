"""The site's search index: one entry per generated page, found by its ids (generator/site/search.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import ATTACK_10, CORPUS, GOLDEN_BASIC, TESTS, mkdocs_build
from generator.pipeline import Inputs, generate
from generator.site.search import EXCERPT_CHARACTERS, SearchTerms, page_summary, summary, with_terms, with_word_index

DETECTION = "endpoint/disable_defender_with_powershell/"


def golden_terms() -> SearchTerms:
    generated = generate(GOLDEN_BASIC / "content", Inputs(GOLDEN_BASIC / "attack.json", GOLDEN_BASIC / "cves.json"),
                         layout="mkdocs")
    return SearchTerms(generated.site)


def test_a_detection_is_found_by_its_id_techniques_macros_data_and_search_values():
    words = golden_terms().get(DETECTION).split(" · ")
    assert words[0] == "0b0a1c2d-0000-4000-8000-000000000001"
    assert "T1562.001 Disable or Modify Tools" in words
    assert {"security_content_summariesonly", "security_content_ctime"} <= set(words)
    # What the search matches on (quoted strings, values after `=`), not its commands and field names.
    assert {"powershell.exe", "Set-MpPreference"} <= set(words)
    assert not {"tstats", "count", "Processes.dest", "firstTime"} & set(words)
    assert len(words) == len(set(words))


def test_a_detection_is_found_by_every_word_of_its_description_and_the_fields_it_scores(content):
    """A description may name what a detection finds only past the excerpt ("LockBit"); ESCU 5's risk and threat
    objects and the older observables name the fields a reader looks up (`display_name`)."""
    source = content / "detections" / "endpoint" / "disable_defender_with_powershell.yml"
    text = source.read_text(encoding="utf-8")
    long_description = ("Finds PowerShell turning off real-time monitoring in Microsoft Defender. " * 5
                        + "Seen in LockBit intrusions, (before encryption).")
    assert len(long_description) > EXCERPT_CHARACTERS
    source.write_text(re.sub(r"description: Finds .*?\n(?=search:)", f"description: {long_description}\n", text,
                             flags=re.DOTALL), encoding="utf-8")
    generated = generate(content, Inputs(GOLDEN_BASIC / "attack.json", GOLDEN_BASIC / "cves.json"), layout="mkdocs")
    words = SearchTerms(generated.site).get(DETECTION).split(" · ")
    prose = words[-1].split()
    assert {"LockBit", "intrusions", "before", "encryption"} <= set(prose)  # without the punctuation around
    assert prose.count("Finds") == 1
    escu_2025 = generate(TESTS / "golden" / "escu_2025" / "content",
                         Inputs(TESTS / "golden" / "escu_2025" / "attack.json"), layout="mkdocs")
    words = SearchTerms(escu_2025.site).get("endpoint/e2025000-0000-4000-8000-00000000000a/").split(" · ")
    assert {"dest", "user", "process_name", "url"} <= set(words)


def test_a_story_is_found_by_every_word_of_its_description_and_narrative_once():
    terms = golden_terms().get("stories/defense_evasion_basics/")
    words = terms.split(" · ")[-1].split()
    # Narrative words past the excerpt's first lines find the story too; punctuation around them is left out.
    assert {"Techniques", "defenses", "Attackers", "turn", "lights", "watch"} <= set(words)
    assert "lights\"" not in words and "defenses." not in words
    assert [word.lower() for word in words].count("the") == 1  # each once, whatever its case


def test_a_page_that_is_not_content_has_no_words():
    assert golden_terms().get("detections/") == ""


def slim_index(entries: list[dict], terms, generated: set[str]) -> list[dict]:
    """The theme's index of every section (`entries`) made one entry per generated page (URLs in `generated`),
    from all of the page's entries: what the site's index must hold, though it reads only part of each page."""
    by_page: dict[str, list[dict]] = {}
    for entry in entries:
        by_page.setdefault(entry["location"].split("#", 1)[0], []).append(entry)
    slim: list[dict] = []
    for url, page_entries in by_page.items():
        slim.extend([with_terms(summary(page_entries), terms.get(url))] if url in generated else page_entries)
    return slim


def test_each_generated_page_becomes_one_entry_and_hand_written_pages_keep_their_sections():
    description = ("<p>Finds <code>powershell.exe</code> turning off &quot;real-time monitoring&quot;.</p>"
                   " <ul> <li><strong>Type</strong>: TTP</li> </ul>")  # the facts after it are not the excerpt
    entries = [  # the page's own entry has what comes before its first heading: here a status banner
        {"location": DETECTION, "title": "Disable Defender With PowerShell", "text": "<p>Marked experimental.</p>"},
        {"location": DETECTION + "#description", "title": "Description", "text": description},
        {"location": DETECTION + "#search", "title": "Search", "text": "<pre><code>| tstats count</code></pre>"},
        {"location": "detections/", "title": "Detections", "text": "Name Technique Type " + "row " * 100,
         "boost": 0.1},  # a listing without an introduction: its table's text
        {"location": "stories/", "title": "Stories", "text": "<p>" + "Every story. " * 30 + "</p> Name " + "row " * 9,
         "boost": 0.1},
        {"location": "about/", "title": "About", "text": "<p>About.</p>"},
        {"location": "about/#more", "title": "More", "text": "<p>More.</p>"},
    ]

    class Terms:
        def get(self, url):
            return {DETECTION: "0b0a1c2d · T1562.001 <Disable>"}.get(url, "")

    slim = slim_index(entries, Terms(), generated={DETECTION, "detections/", "stories/"})
    assert slim == [
        {"location": DETECTION, "title": "Disable Defender With PowerShell",
         "text": "<p>Finds powershell.exe turning off &quot;real-time monitoring&quot;."
                 '<span class="sc-search-terms"> 0b0a1c2d · T1562.001 &lt;Disable&gt;</span></p>'},
        {"location": "detections/", "title": "Detections", "text": "", "boost": 0.1},  # its title alone
        {"location": "stories/", "title": "Stories",  # the start of its introduction, 200 characters at most
         "text": "<p>" + " ".join(["Every story."] * 15) + " …</p>", "boost": 0.1},
        entries[5], entries[6],
    ]


def test_an_excerpt_is_cut_between_words_so_no_character_reference_is_cut():
    entries = [{"location": DETECTION, "title": "T", "text": "<p>" + "x" * 290 + " &amp;&amp;&amp;&amp; tail</p>"}]
    text = slim_index(entries, {}, {DETECTION})[0]["text"]  # no words: any mapping will do
    assert text == "<p>" + "x" * 290 + " …</p>"


def built_index(site: Path) -> list[dict]:
    return json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]


def assert_written_from(site: Path, entries: list[dict]) -> None:
    """The site's search index is `entries` with their words indexed (`with_word_index`)."""
    written = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    config = {key: value for key, value in written["config"].items() if key != "words"}
    assert written == with_word_index({"config": config, "docs": entries})


def index_from_every_section(site: Path, sections_site: Path, content: Path, inputs: Inputs) -> list[dict]:
    """What slimming the theme's index of every section (`sections_site`) gives for the site built at `site`."""
    hand_written = {path.relative_to(TESTS.parent / "docs").with_suffix("").as_posix() + "/"
                    for path in (TESTS.parent / "docs").rglob("*.md")}
    pages = {entry["location"].split("#", 1)[0] for entry in built_index(site)}
    generated = {url for url in pages if url not in hand_written}
    terms = SearchTerms(generate(content, inputs, layout="mkdocs").site)
    return slim_index(built_index(sections_site), terms, generated)


CASES = {
    "basic": (GOLDEN_BASIC / "content", GOLDEN_BASIC / "attack.json", GOLDEN_BASIC / "cves.json"),
    "form_2024": (TESTS / "golden" / "form_2024" / "content", TESTS / "golden" / "form_2024" / "attack.json",
                  TESTS / "golden" / "form_2024" / "cves.json"),
}


FRAME_SCRIPT = "assets/javascripts/sc-frame.js"
"""The setup script every page shares (generator/site/frame.py)."""


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_page_s_entry_is_what_the_theme_s_entries_of_the_whole_page_give(case, tmp_path):
    content, attack, cves = CASES[case]
    variables = dict(CONTENT_DIR=str(content), ATTACK_BUNDLE=str(attack), CVE_FILE=str(cves), SPLUNK_APPS_FILE="",
                     D3FEND_FILE="", CONTENT_FORM="")
    site = mkdocs_build(tmp_path / "site", strict=False, **variables)
    sections = mkdocs_build(tmp_path / "sections", strict=False, SEARCH_SECTIONS="true", **variables)
    assert site.returncode == 0 and sections.returncode == 0, site.stderr[-2000:] + sections.stderr[-2000:]
    # The shared setup script names the worker: the site's own, or with every section the theme's with lunr fixed.
    assert '"search": "javascripts/site-search-worker.js"' in (tmp_path / "site" / FRAME_SCRIPT).read_text()
    assert re.search(r'"search": "javascripts/search-worker\.js\?theme=search\.[0-9a-f]+\.min\.js"',
                     (tmp_path / "sections" / FRAME_SCRIPT).read_text())
    expected = index_from_every_section(tmp_path / "site", tmp_path / "sections", content, Inputs(attack, cves))
    assert_written_from(tmp_path / "site", expected)


def test_each_page_s_entry_in_the_2022_corpus_is_what_the_whole_page_gives(corpus_site, tmp_path):
    site, _ = corpus_site
    variables = dict(CONTENT_DIR=str(CORPUS / "source"), ATTACK_BUNDLE=str(ATTACK_10),
                     CVE_FILE=str(CORPUS / "enrichment" / "cves.json"))
    sections = mkdocs_build(tmp_path / "sections", SEARCH_SECTIONS="true", **variables)
    assert sections.returncode == 0, sections.stderr[-2000:]
    inputs = Inputs(Path(variables["ATTACK_BUNDLE"]), Path(variables["CVE_FILE"]))
    expected = index_from_every_section(site, tmp_path / "sections", CORPUS / "source", inputs)
    assert_written_from(site, expected)


class _Page:
    """What `page_summary` reads of an mkdocs page."""

    def __init__(self, meta: dict | None = None):
        self.meta, self.toc, self.url, self.title = meta or {}, [], "x/", "Page"


def whole_page_summary(page: _Page, html: str) -> dict:
    """The summary of the theme's entries of the whole page, parsed at once."""
    from material.plugins.search.plugin import Parser, SearchIndex

    parser, index = Parser(), SearchIndex()
    parser.feed(html)
    parser.close()
    for section in parser.data:
        if not section.is_excluded():
            index.create_entry_for_section(section, page.toc, page.url, page)
    return summary(index.entries)


def test_a_description_a_nested_heading_returns_to_is_read_to_its_end():
    # The theme's parser gives "second" to the description: the heading in the <div> ends with the <div>.
    html = ('<h1>Page</h1>\n<h4 id="description">Description</h4>\n<p>first</p>\n<div>\n<h4 id="inner">Inner</h4>\n'
            '<p>inner</p>\n</div>\n<p>second</p>\n<h4 id="after">After</h4>\n<p>after</p>\n')
    assert page_summary(_Page(), html) == whole_page_summary(_Page(), html)
    assert page_summary(_Page(), html)["excerpt"] == "first second"


PARTS = ('<div class="sc-pages sc-addition" data-fidelity-ignore="" data-search-exclude="">\n<p>Entries 1–500 of '
         '5,000. Pages: <strong>1</strong> · <a href="page/2/">2</a></p>\n</div>\n')
"""The links to a long listing's other parts, as split.py writes them above its table."""


@pytest.mark.parametrize("parts", ["", PARTS])
@pytest.mark.parametrize("introduction", ["", "<p>Every detection.</p>\n", "<p>Every\n<em>detection</em></p>\n<p>x</p>\n"])
def test_a_long_listing_s_excerpt_is_its_introduction_as_in_the_whole_page(introduction, parts):
    """Not its table: a published tactic or category page has no introduction, and its excerpt had been its
    table's headings and first rows run together ("Name Technique Type ASL AWS ...")."""
    head = "<thead>\n<tr>\n<th>Name</th>\n<th>Type</th>\n</tr>\n</thead>\n"
    rows = "".join(f"<tr>\n<td><a href=\"d{n}/\">Detection {n}</a></td>\n<td>TTP</td>\n</tr>\n" for n in range(5000))
    html = (f"<h1 id=\"detections\">Detections</h1>\n{introduction}{parts}"
            f"<table>\n{head}<tbody>\n{rows}</tbody>\n</table>\n<h2 id=\"end\">End</h2>\n")
    page = _Page({"search": {"boost": 0.1}})
    assert page_summary(page, html) == whole_page_summary(page, html)
    excerpt = page_summary(page, html)["excerpt"]
    assert excerpt == {"": "", "<p>Every detection.</p>\n": "Every detection."}.get(introduction, "Every detection x")


SEPARATOR = r'[\s\-,:;!=\[\]()"/|]+'  # mkdocs.yml's


def postings_of(index: dict) -> dict[str, list[tuple[int, int]]]:
    """Word -> [(entry number, field)], read as docs/javascripts/site-search-worker.js reads the word index."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
    words = index["config"]["words"]
    found = {}
    for word, encoded in zip(words["words"].split(" "), words["postings"].split(" "), strict=True):
        value, entry, postings = 0, 0, []
        for character in encoded:
            digit = digits.index(character)
            value = value * 32 + (digit & 31)
            if digit < 32:
                entry += value >> 2
                postings.append((entry, value & 3))
                value = 0
        found[word] = postings
    return found


def test_the_word_index_has_each_word_once_with_the_entries_and_the_weightiest_field_it_is_in():
    terms = "0b0a1c2d-0000-4000-8000-000000000001 · T1562.001 Disable or Modify Tools · powershell.exe"
    entries = [{"location": "about/", "title": "About", "text": "<p>The site.</p>"},
               {"location": "about/#more", "title": "More", "text": "<p>Powershell, &quot;quoted&quot;.</p>"}]
    entries += [with_terms({"location": f"endpoint/d{n}/", "title": f"Disable Defender {n}",
                            "excerpt": "Turns off Defender: the end."}, terms) for n in range(40)]
    index = with_word_index({"config": {"separator": SEPARATOR, "pipeline": ["stopWordFilter"]}, "docs": entries})
    postings = postings_of(index)
    words = index["config"]["words"]["words"].split(" ")
    assert words == sorted(words) and "the" not in postings and "or" not in postings  # stop words
    assert postings["about"] == [(0, 3)] and postings["site"] == [(0, 0)]
    assert postings["quoted"] == [(1, 0)] and postings["powershell"] == [(1, 0)]  # character references read
    detections = range(2, 42)
    assert postings["defender"] == [(n, 3) for n in detections]  # in the title and the excerpt: the title
    assert postings["t1562.001"] == [(n, 1) for n in detections] and postings["end"] == [(n, 0) for n in detections]
    assert postings["powershell.exe"] == [(n, 1) for n in detections]
    # The id is the entry's, matched by the worker; the lookup words leave the text shown.
    assert "0b0a1c2d" not in postings and index["docs"][2]["id"] == "0b0a1c2d-0000-4000-8000-000000000001"
    assert index["docs"][2]["text"] == "<p>Turns off Defender: the end.</p>" and "id" not in index["docs"][0]
    assert index["docs"][:2] == entries[:2]


def test_without_the_stop_word_filter_every_word_is_indexed():
    index = with_word_index({"config": {"separator": SEPARATOR, "pipeline": []},
                             "docs": [{"location": "a/", "title": "The A", "text": ""}]})
    assert postings_of(index) == {"a": [(0, 3)], "the": [(0, 3)]} and index["config"]["words"]["stop_words"] == []


def test_a_preview_reads_again_only_the_entries_that_changed_and_gives_what_a_build_gives():
    config = {"separator": SEPARATOR, "pipeline": ["stopWordFilter"]}
    entries = [with_terms({"location": f"endpoint/d{n}/", "title": f"Detection {n}", "excerpt": f"Finds {n}."},
                          f"id-{n} · T1003") for n in range(5)]
    known: dict = {}
    with_word_index({"config": config, "docs": entries}, known)
    changed = [*entries[:2], {**entries[2], "title": "Renamed"}, *entries[4:]]  # one changed, one gone
    assert with_word_index({"config": config, "docs": changed}, known) == with_word_index({"config": config,
                                                                                           "docs": changed})
    assert len(known) == 4
