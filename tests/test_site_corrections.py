"""Where the published pages misled a reader who copies from them, the site does not (the published layout of
`render` still writes them as published): a search broken before a `|` inside a quoted string, a filter macro
and a source file named after the page rather than what the search calls and the file it is."""

from __future__ import annotations

import shutil

import pytest

from conftest import TESTS
from generator.pipeline import Inputs, generate
from generator.render import counted, identifier_code, search_stages

CASE = TESTS / "golden" / "form_2024"
DETECTION = "detections/endpoint/powershell_webclient_download.yml"


@pytest.mark.parametrize("search, shown", [
    # Stages as published: a break before each `|`, however many, but none before the first character.
    ("| tstats count | stats count", "| tstats count \n| stats count"),
    ("|a||b", "|a\n|\n|b"),
    # A quoted string keeps its `|`, escaped quotes and backslashes included.
    ('| where a="b|c" | x', '| where a="b|c" \n| x'),
    ('| rex "(?<u>[^\\\\|]+)" | x', '| rex "(?<u>[^\\\\|]+)" \n| x'),
    ('| eval a="say \\"x|y\\"" | x', '| eval a="say \\"x|y\\"" \n| x'),
    # A comment is not read for quotes or stages; an unclosed one runs to the end.
    ('| a ```no "quote | here``` | b', '| a ```no "quote | here``` \n| b'),
    ("| a ```open | to the end", "| a ```open | to the end"),
    # A quote never closed keeps the rest as it is: nothing after it is a stage the search has.
    ('| a "open | b', '| a "open | b'),
    ('| a "open | b\\', '| a "open | b\\'),
    # A search written a stage a line keeps its lines (the published pages added a blank line before each).
    ("x\n| a\n  | b | c", "x\n| a\n  | b \n| c"),
    ("x\n\n| a", "x\n\n| a"),
])
def test_a_line_break_before_each_stage_and_none_inside_a_string(search, shown):
    assert search_stages(search) == shown


def edited_pages(tmp_path, *edits: tuple[str, str]) -> dict[str, str]:
    """The page of the golden form_2024 case's PowerShell WebClient Download, its file edited (`edits`: old, new),
    in each layout."""
    content = tmp_path / "content"
    shutil.copytree(CASE / "content", content)
    path = content / DETECTION
    text = path.read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text)
    inputs = Inputs(CASE / "attack.json", CASE / "cves.json", splunk_apps_file=CASE / "splunk_apps.json",
                    d3fend_file=CASE / "d3fend.json")
    pages = {}
    for layout in ("published", "mkdocs"):
        generated = generate(content, inputs, layout)
        assert [issue for issue in generated.issues if "filter macro" in issue.message] == []  # the name is Splunk's
        pages[layout] = next(page.text for page in generated.pages
                             if "#### Search" in page.text and "WebClient Download" in page.text)
    return pages


def test_the_site_keeps_a_quoted_pipe_where_the_published_layout_breaks_it_as_published(tmp_path):
    pages = edited_pages(tmp_path, ("| `drop_dm_object_name(Processes)`",
                                    '| rex field=process "(?<verb>Download|Upload)" | `drop_dm_object_name(Processes)`'))
    assert '\n| rex field=process "(?<verb>Download\n|Upload)" \n| `drop_dm_object_name' in pages["published"]
    assert '\n| rex field=process "(?<verb>Download|Upload)" \n| `drop_dm_object_name' in pages["mkdocs"]


def test_the_site_names_the_filter_macro_the_search_calls_and_links_the_detection_s_own_file(tmp_path):
    # A name with `-`: contentctl names the filter macro (and the file) with `_` where the published form kept `-`.
    pages = edited_pages(tmp_path, ("name: PowerShell WebClient Download", "name: PowerShell WebClient Download - Pre-Auth"),
                         ("`powershell_webclient_download_filter`", "`powershell_webclient_download___pre_auth_filter`"))
    github = "https://github.com/splunk/security_content/tree/develop/"
    assert "> **powershell_webclient_download_-_pre-auth_filter** is a empty macro" in pages["published"]
    assert f"[*source*]({github}detections/endpoint/powershell_webclient_download_-_pre-auth.yml)" in pages["published"]
    assert "> **powershell_webclient_download___pre_auth_filter** is a empty macro" in pages["mkdocs"]
    assert f"[*source*]({github}{DETECTION})" in pages["mkdocs"]


def test_a_name_with_a_pipe_stays_one_cell_and_one_link_in_the_site_s_listings(tmp_path):
    # The published form wrote names into table rows as they are: a `|` ended the cell, a `]` the link.
    name = "PowerShell WebClient Download | Quoted [x]"
    content = tmp_path / "content"
    shutil.copytree(CASE / "content", content)
    path = content / DETECTION
    path.write_text(path.read_text().replace("name: PowerShell WebClient Download", f"name: '{name}'", 1))
    inputs = Inputs(CASE / "attack.json", CASE / "cves.json", splunk_apps_file=CASE / "splunk_apps.json",
                    d3fend_file=CASE / "d3fend.json")
    published = {"/".join(page.path): page.text for page in generate(content, inputs, "published").pages}
    site = {"/".join(page.path): page.text for page in generate(content, inputs, "mkdocs").pages}

    assert f"| [{name}](" in published["_pages/detections.md"]
    escaped = "[PowerShell WebClient Download \\| Quoted \\[x\\]]("
    rows = {path: text for path, text in site.items() if escaped in text}
    # The detections index, the technique's page, the story's and the type's listings each have the row.
    assert {"detections.md", "techniques/T1105.md"} <= set(rows), sorted(rows)
    # No table row of the site has it unescaped (a list item's link is one link however many `|` it has).
    assert not [path for path, text in site.items() for line in text.splitlines()
                if line.startswith("|") and f"[{name}](" in line]


def test_a_count_is_written_with_its_noun_and_thousands_separated():
    assert counted(1, "page") == "1 page" and counted([], "page") == "0 pages"
    assert counted(range(1711), "detection") == "1,711 detections"
    assert counted(2, "analytic story", "analytic stories") == "2 analytic stories"
    assert counted(1, "analytic story", "analytic stories") == "1 analytic story"
    assert counted(3, "ATT&CK technique") == "3 ATT&CK techniques"  # the templates' own words, not escaped


@pytest.mark.parametrize("value, cell", [
    ("aws:cloudtrail", "aws:<wbr>cloudtrail"),
    ("XmlWinEventLog:Microsoft-Windows-Sysmon/Operational", "XmlWinEventLog:<wbr>Microsoft-Windows-Sysmon/<wbr>Operational"),
    ("aws:cloudwatch_logs", "aws:<wbr>cloudwatch_logs"),  # Markdown's characters are the text itself
    ("a*b*|c`<x>", "a*b*|c`&lt;x&gt;"),
])
def test_an_identifier_in_a_table_breaks_only_after_its_separators_and_keeps_its_text(value, cell):
    """The data sources index's sources and sourcetypes (the theme's code broke "aws:cloudtrai|l")."""
    import markdown

    table = f"| a |\n| - |\n| {identifier_code(value)} |\n"
    html = markdown.markdown(table, extensions=["tables"])
    assert f'<td><code class="sc-identifier">{cell}</code></td>' in html
