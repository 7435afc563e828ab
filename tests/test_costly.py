"""Markdown too costly to read is recognised (costly.py), and what costs nothing is read as Markdown."""

from __future__ import annotations

import markdown

from generator.costly import ANGLE_BRACKETS, costly_markdown
from generator.site.markdown import KramdownExtension


def listing(rows: int) -> str:
    """A data source page's table of detections, each after its content source's badge, as the site writes it
    when it has several sources (render.source_badge)."""
    badge = '<span class="sc-source" data-fidelity-ignore="">Splunk</span>'
    return "| Name | Type |\n| --- | --- |\n" + "".join(f"| [Detection {n}](/endpoint/{n}/) {badge} | TTP |\n"
                                                        for n in range(rows))


def test_a_long_listing_whose_rows_have_complete_tags_is_read_as_markdown():
    table = listing(1000)
    assert table.count("<") == 2000 and costly_markdown(table) is None
    extension = KramdownExtension(documents={f"/endpoint/{n}/": f"endpoint/{n}.md" for n in range(1000)})
    extension.set_page("/data_sources/sysmon_eventid_1/", "data_sources/sysmon_eventid_1.md", guarded=True)
    html = markdown.markdown(table, extensions=["tables", extension])
    assert html.count('<a href="') == 1000 and "\\[" not in html and "&lt;span" not in html


def test_raw_html_starts_that_no_angle_bracket_ends_are_costly_past_the_limit():
    assert costly_markdown("<a " * ANGLE_BRACKETS) is None
    assert costly_markdown("<a " * (ANGLE_BRACKETS + 1)) == f"has {ANGLE_BRACKETS + 1} '<' that start no complete tag"
    # Complete tags between them do not count, nor make the stray ones count less.
    assert costly_markdown("<b>x</b> <a " * (ANGLE_BRACKETS + 1)) == f"has {ANGLE_BRACKETS + 1} '<' that start no complete tag"
    assert costly_markdown("a <b, " * 2 * ANGLE_BRACKETS) == f"has {2 * ANGLE_BRACKETS} '<' that start no complete tag"
    assert costly_markdown("a < b, 1 <3, " * 2 * ANGLE_BRACKETS) is None  # text: no start of raw HTML


def test_cdata_sections_that_do_not_end_are_costly_by_their_brackets():
    # Python-Markdown looks for the "]]>" of each one through the rest of the text: a ">" does not end it.
    assert costly_markdown("<![CDATA[ x > " * 51) == "has 102 '[' that open no link"
