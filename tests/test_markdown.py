"""The kramdown extension: published Markdown read the way kramdown (GFM input) read it."""

from __future__ import annotations

import markdown
import pytest

from generator.site.markdown import KramdownExtension

DOCUMENTS = {"/": "index.md", "/stories/": "stories.md", "/stories/a/": "stories/a.md",
             "/endpoint/x/": "endpoint/x.md", "/tags/": "tags.md"}


def convert(text: str, page_url: str = "/endpoint/x/", reported: list | None = None) -> str:
    extension = KramdownExtension(documents=DOCUMENTS, report=lambda url, href: reported.append((url, href))
                                  if reported is not None else None)
    extension.set_page(page_url, DOCUMENTS.get(page_url, "page.md"))
    return markdown.markdown(text, extensions=["tables", "smarty", extension])


def test_a_list_right_after_text_is_a_list():
    html = convert("The SPL above uses the following Macros:\n* [a](https://a)\n* [b](https://b)\n")
    assert html.startswith("<p>The SPL above uses the following Macros:</p>\n<ul>\n<li>")
    assert html.count("<li>") == 2


def test_lazy_lines_keep_a_list_together():
    html = convert("Intro\n1. one\n1. two\ncontinued\n1. three\n")
    assert html.count("<ol>") == 1 and html.count("<li>") == 3 and "<p>" not in html.split("</p>", 1)[1]


def test_rows_after_blank_lines_continue_the_table():
    html = convert("| ID | Name |\n| -- | ---- |\n| 1 | a |\n\n| 2 | b |\n\n#### Next\n")
    assert html.count("<table>") == 1 and html.count("<tr>") == 3


def test_a_table_with_its_own_header_after_a_blank_line_is_a_table_of_its_own():
    # The risk objects, then the threat objects (ESCU 5 and 6): two tables, each with its header row.
    html = convert("| Risk Object | Type |\n| --- | --- |\n| user | user |\n\n"
                   "| Threat Object | Type |\n| ----------- | ----------- |\n| src | ip_address |\n\n| dest | host |\n")
    first, second = html.split("</table>")[:2]
    assert html.count("<table>") == 2
    assert "<th>Risk Object</th>" in first and "Threat Object" not in first
    assert "<th>Threat Object</th>" in second and second.count("<tr>") == 3  # the row after it rejoins it


def test_backslash_at_the_end_of_a_line_breaks_it():
    assert convert("one\\\ntwo\n") == "<p>one<br />\ntwo</p>"


def test_kramdown_escapes():
    assert convert("a\\: b \\| c\n") == "<p>a: b | c</p>"


def test_a_bullet_list_after_a_numbered_one_is_a_new_list():
    html = convert("1. one\n2. two\n\n- **Type**: x\n- **Product**: y\n")
    assert html.index("</ol>") < html.index("<ul>")
    assert "<li><strong>Type</strong>" in html  # not wrapped in a paragraph


@pytest.mark.parametrize("items, wrapped", [("* a\n* b\n", 0), ("* a\n\n* b\n", 2), ("* a\n\n* b\n* c\n", 1)])
def test_only_items_followed_by_a_blank_line_and_a_loose_last_item_are_paragraphs(items, wrapped):
    assert convert(items).count("<p>") == wrapped


def test_site_absolute_links_point_at_documents():
    html = convert("[s](/stories/a) [t](/tags/#impair-defenses) [i](/stories/) [r](a)", page_url="/stories/")
    assert 'href="stories/a.md"' in html and 'href="tags.md#impair-defenses"' in html
    assert 'href="stories.md"' in html
    assert 'href="stories/a.md">r' in html  # relative to the page's URL, as on the published site


def test_links_to_nothing_become_text_and_are_reported():
    reported: list = []
    html = convert("* [Gone](/stories/gone) and [data]() and [ok](https://example.com)\n", reported=reported)
    assert "<li>Gone and data and <a href=\"https://example.com\">ok</a></li>" in html
    assert reported == [("/endpoint/x/", "/stories/gone")]


def test_smart_quotes_and_dashes_still_apply():
    assert convert('He said "no" -- it\'s fine...\n') == "<p>He said &ldquo;no&rdquo; &ndash; it&rsquo;s fine&hellip;</p>"
    assert convert("`\"code\"` and plain\n") == "<p><code>\"code\"</code> and plain</p>"


TEST_DATASET = """#### Test Dataset
Replay any dataset to Splunk Enterprise by using our [`replay.py`](https://github.com/splunk/attack_data#using-replaypy) tool or the [UI](https://github.com/splunk/attack_data#using-ui).
Alternatively you can replay a dataset into a [Splunk Attack Range](https://github.com/splunk/attack_range#replay-dumps-into-attack-range-splunk-server)

{datasets}


{footer}*version*: **4**
"""


@pytest.mark.parametrize("whose", ["our", "Splunk's"])  # Splunk's detection, or a team's
@pytest.mark.parametrize("footer", ["[*source*](https://example.com/x.yml) \\| ", ""])
def test_a_test_dataset_section_without_data_is_hidden_and_the_page_s_last_line_stays(footer, whose):
    """The file's link and version close the page, right after the last section: they are not in it (the section
    showed only its fixed lines on every detection without test data)."""
    html = convert(TEST_DATASET.replace("using our", f"using {whose}").format(datasets="", footer=footer))
    assert '<h4 hidden="hidden">Test Dataset</h4>' in html and '<p hidden="hidden">Replay any dataset' in html
    assert "<p>" + ('<a href="https://example.com/x.yml"><em>source</em></a> | ' if footer else "") + \
        "<em>version</em>: <strong>4</strong></p>" in html
    with_data = convert(TEST_DATASET.format(datasets="* [True Positive Test](https://example.com/data.log)",
                                            footer=footer))
    assert "hidden" not in with_data


def test_a_table_without_rows_is_hidden_and_one_with_any_cell_is_not():
    header = "| Name | Technique | Type |\n| --- | --- | --- |\n"
    assert convert(header + "\nAfter.\n").startswith('<table hidden="hidden">')
    assert "hidden" not in convert(header + "| | T1003 | |\n")
