"""The site's search index: one entry per generated page, found by its ids (generator/site/search.py)."""

from __future__ import annotations

from conftest import GOLDEN_BASIC
from generator.pipeline import Inputs, generate
from generator.site.search import SearchTerms, slim_index

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


def test_a_page_that_is_not_content_has_no_words():
    assert golden_terms().get("detections/") == ""


def test_each_generated_page_becomes_one_entry_and_hand_written_pages_keep_their_sections():
    description = ("<p>Finds <code>powershell.exe</code> turning off &quot;real-time monitoring&quot;.</p>"
                   " <ul> <li><strong>Type</strong>: TTP</li> </ul>")  # the facts after it are not the excerpt
    entries = [  # the page's own entry has what comes before its first heading: here a status banner
        {"location": DETECTION, "title": "Disable Defender With PowerShell", "text": "<p>Marked experimental.</p>"},
        {"location": DETECTION + "#description", "title": "Description", "text": description},
        {"location": DETECTION + "#search", "title": "Search", "text": "<pre><code>| tstats count</code></pre>"},
        {"location": "detections/", "title": "Detections", "text": "Name Technique Type " + "row " * 100,
         "boost": 0.1},
        {"location": "about/", "title": "About", "text": "<p>About.</p>"},
        {"location": "about/#more", "title": "More", "text": "<p>More.</p>"},
    ]

    class Terms:
        def get(self, url):
            return {DETECTION: "0b0a1c2d · T1562.001 <Disable>"}.get(url, "")

    slim = slim_index(entries, Terms(), generated={DETECTION, "detections/"})
    assert slim == [
        {"location": DETECTION, "title": "Disable Defender With PowerShell",
         "text": "<p>Finds powershell.exe turning off &quot;real-time monitoring&quot;."
                 '<span class="sc-search-terms"> 0b0a1c2d · T1562.001 &lt;Disable&gt;</span></p>'},
        {"location": "detections/", "title": "Detections",
         "text": "<p>Name Technique Type" + " row" * 45 + " …</p>", "boost": 0.1},  # 200 characters at most
        entries[4], entries[5],
    ]


def test_an_excerpt_is_cut_between_words_so_no_character_reference_is_cut():
    entries = [{"location": DETECTION, "title": "T", "text": "<p>" + "x" * 290 + " &amp;&amp;&amp;&amp; tail</p>"}]
    text = slim_index(entries, {}, {DETECTION})[0]["text"]  # no words: any mapping will do
    assert text == "<p>" + "x" * 290 + " …</p>"
