"""What changed: the comparison with an older checkout, its page, and the links to it.

The golden case `tests/golden/changes/` (see its README) has one detection added, one removed, one
unchanged and one changed (its search, type and references); `test_golden.py` holds its rendered
mkdocs tree, these tests what the comparison and the built site make of it.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import markdown
import pytest

from conftest import GOLDEN_BASIC, GOLDEN_CHANGES, SITE_URL, mkdocs_build, run_generator
from generator.changes import (
    DiffLine,
    LinesChange,
    ListChange,
    ScalarChange,
    WordRun,
    compare,
    line_diff,
    search_stages,
    word_runs,
)
from generator.forms import choose_form
from generator.issues import Severity
from generator.load import content_label, load_content
from generator.pipeline import Inputs, generate, load_older
from sitecheck import broken_links

CHANGED_ID = "c0000000-0000-4000-8000-000000000002"


def published(directory: Path):
    """The published detections of a content directory, as `load_older` reads them."""
    older, issues = load_older(directory)
    assert issues == []
    return older


def test_the_golden_case_has_one_added_one_removed_and_one_changed_detection():
    older, newer = published(GOLDEN_CHANGES / "older"), published(GOLDEN_CHANGES / "content")
    changes = compare(older.content, newer.content, older.label)

    assert changes.label == "Example Content 1.0.0"  # from the older checkout's contentctl.yml
    assert [(e.detection.name, e.anchor) for e in changes.added] == [
        ("AWS IAM User Created", "c0000000-0000-4000-8000-000000000004")]
    assert [(e.detection.name, e.anchor) for e in changes.removed] == [
        ("WMIC Process Discovery", "c0000000-0000-4000-8000-000000000003")]
    [changed] = changes.changed  # "Disable Defender With PowerShell" is the same in both
    assert (changed.detection.name, changed.anchor) == ("Encoded PowerShell Command", CHANGED_ID)
    assert changed.fields == (
        ScalarChange("Type", "Anomaly", "TTP"),
        ScalarChange("Version", "1", "2"),
        ScalarChange("Date", "2024-01-10", "2024-06-01"),
        LinesChange("Search", (
            DiffLine("-", '| tstats count from datamodel=Endpoint.Processes where Processes.process_name=powershell.exe '
                          'Processes.process="*-enc*" by Processes.dest Processes.process'),
            DiffLine("+", '| tstats count from datamodel=Endpoint.Processes where Processes.process_name=powershell.exe '
                          'Processes.process IN ("*-enc*", "*-EncodedCommand*") by Processes.dest Processes.user '
                          'Processes.process'),
            DiffLine("+", "| where count > 0"),
            DiffLine(" ", "| `encoded_powershell_command_filter`"),
        )),
        ListChange("References", ("https://example.com/encodedcommand-<explained>",),
                   ("https://example.com/old-blog-post",)),
        ListChange("ATT&CK", ("T1027",), ()),
    )
    assert (changes.older_count, changes.newer_count) == (3, 3)


def test_the_comparison_does_not_depend_on_the_order_it_is_given():
    older, newer = published(GOLDEN_CHANGES / "older"), published(GOLDEN_CHANGES / "content")
    backwards = replace(newer.content, detections=newer.content.detections[::-1])
    assert compare(older.content, backwards, "x") == compare(older.content, newer.content, "x")


def test_a_detection_without_id_is_matched_by_name_and_odd_ids_get_plain_anchors():
    older, newer = published(GOLDEN_CHANGES / "older"), published(GOLDEN_CHANGES / "content")
    without_ids = replace(older.content, detections=tuple(replace(d, id="") for d in older.content.detections))
    changes = compare(without_ids, newer.content, "x")
    assert [e.detection.name for e in changes.changed] == ["Disable Defender With PowerShell",
                                                           "Encoded PowerShell Command"]
    assert changes.changed[0].fields == (ScalarChange("ID", "", "c0000000-0000-4000-8000-000000000001"),)

    odd = replace(newer.content, detections=tuple(replace(d, id='x" onclick="y') for d in newer.content.detections))
    odd_changes = compare(older.content, odd, "x")  # matched by name: two changed, one added
    anchors = [e.anchor for e in (*odd_changes.added, *odd_changes.changed)]
    assert len(set(anchors)) == 3 and all(re.fullmatch(r"detection-[0-9a-f]{12}(-[23])?", a) for a in anchors)


def test_a_search_is_compared_by_stage_and_a_pipe_inside_a_regex_does_not_split_it():
    assert search_stages('index=x\n  | rex "(?<a>b|c)"   | stats count') == [
        "index=x", '| rex "(?<a>b|c)"', "| stats count"]


def test_the_words_that_differ_are_marked_in_a_long_value_and_a_stage_changed_in_place():
    """A one-word edit in two long paragraphs (Splunk's "Event ID 1" to "EventID 1" in five descriptions of one
    release) was found only by reading both."""
    before = "The analytic detects Event ID 1 from Sysmon, which records process creation on the host."
    assert word_runs(before, before.replace("Event ID", "EventID")) == (
        (WordRun("The analytic detects ", False), WordRun("Event ID", True),
         WordRun(" 1 from Sysmon, which records process creation on the host.", False)),
        (WordRun("The analytic detects ", False), WordRun("EventID", True),
         WordRun(" 1 from Sysmon, which records process creation on the host.", False)))
    assert word_runs("2", "3") == ((WordRun("2", False),), (WordRun("3", False),))  # nothing shared: left whole
    assert word_runs("", "new") == ((), (WordRun("new", False),))
    # Stages changed in place are paired; a stage added or removed alone is whole.
    lines = line_diff(["index=x", "| search a -gcb", "| stats count"],
                      ["index=x", "| search a *-gcb", "| stats count", "| head 5"])
    assert [(line.mark, line.text) for line in lines] == [
        (" ", "index=x"), ("-", "| search a -gcb"), ("+", "| search a *-gcb"), (" ", "| stats count"),
        ("+", "| head 5")]
    assert lines[1].runs == (WordRun("| search a ", False), WordRun("-", True), WordRun("gcb", False))
    assert lines[2].runs == (WordRun("| search a ", False), WordRun("*-", True), WordRun("gcb", False))
    # Punctuation apart from its word: the word it follows is not marked.
    assert word_runs("Example Org", "Example Org; tuned") == (
        (WordRun("Example Org", False),), (WordRun("Example Org", False), WordRun("; tuned", True)))
    assert lines[0].runs == lines[4].runs == ()


def test_the_label_is_the_app_version_or_else_the_folder_name(tmp_path):
    folder = tmp_path / "security_content-v4.20"
    folder.mkdir()
    assert content_label(folder) == "security_content-v4.20"
    (folder / "contentctl.yml").write_text("app:\n  version: 4.20.0\n")
    assert content_label(folder) == "version 4.20.0"
    (folder / "contentctl.yml").write_text("app: [not, a, mapping]\n")
    assert content_label(folder) == "security_content-v4.20"


def test_a_missing_older_checkout_is_one_located_error(tmp_path):
    older, issues = load_older(tmp_path / "nowhere", "../nowhere")
    assert older is None
    assert [str(i) for i in issues] == ["../nowhere: error: the older content to compare with is not a readable "
                                        "directory; the What changed page is left out"]


def test_the_older_checkouts_own_problems_are_one_warning(tmp_path):
    older_dir = tmp_path / "older"
    shutil.copytree(GOLDEN_CHANGES / "older", older_dir)
    (older_dir / "detections/endpoint/broken.yml").write_text("name: [unclosed\n")
    (older_dir / "stories/powershell_abuse.yml").write_text("name: Nameless story\n")
    older, issues = load_older(older_dir, "old")
    assert len(older.content.detections) == 3
    assert len(issues) == 1 and issues[0].severity is Severity.WARNING and issues[0].path == "old"
    assert re.fullmatch(r"the older content has \d+ errors? and \d+ warnings? of its own .*", issues[0].message)


def test_the_2022_form_links_changed_detections_to_their_entry_and_the_published_layout_is_unchanged(tmp_path):
    older_dir = tmp_path / "basic-before"
    shutil.copytree(GOLDEN_BASIC / "content", older_dir)
    source = older_dir / "detections/endpoint/disable_defender_with_powershell.yml"
    source.write_text(source.read_text().replace("Set-MpPreference", "Set-MpPreferenceOld"))
    older, _ = load_older(older_dir)
    inputs = Inputs(GOLDEN_BASIC / "attack.json", GOLDEN_BASIC / "cves.json")
    assert choose_form(GOLDEN_BASIC / "content").name == "2022-03"

    site = generate(GOLDEN_BASIC / "content", inputs, "mkdocs", older=older)
    assert [e.detection.name for e in site.changes.changed] == ["Disable Defender With PowerShell"]
    pages = {"/".join(page.path): page.text for page in site.pages}
    notice = "**Changed since basic-before**: [see what changed](/changes/#"
    assert [path for path, text in pages.items() if notice in text] == [
        "endpoint/disable_defender_with_powershell.md"]
    assert 'Set-<del class="sc-diff__words">MpPreferenceOld</del>' in pages["changes.md"]  # the word that changed

    with_older = generate(GOLDEN_BASIC / "content", inputs, "published", older=older)
    without = generate(GOLDEN_BASIC / "content", inputs, "published")
    assert [(p.path, p.text) for p in with_older.pages] == [(p.path, p.text) for p in without.pages]


def test_the_command_line_writes_the_page_for_the_mkdocs_layout_only(tmp_path):
    args = ["render", "--content", GOLDEN_CHANGES / "content", "--attack", GOLDEN_CHANGES / "attack.json",
            "--compare-with", GOLDEN_CHANGES / "older"]
    site = run_generator(*args, "--layout", "mkdocs", "--out", tmp_path / "site")
    assert site.returncode == 0, site.stderr
    assert (tmp_path / "site/changes.md").read_bytes() == (GOLDEN_CHANGES / "expected/mkdocs/changes.md").read_bytes()

    jekyll = run_generator(*args, "--layout", "published", "--out", tmp_path / "published")
    assert jekyll.returncode == 0
    assert "warning: not compared: only the mkdocs layout has a What changed page" in jekyll.stderr
    assert not list((tmp_path / "published").rglob("changes*"))


def test_the_site_builds_strict_with_the_page_in_the_navigation_and_every_link_landing(changes_site):
    out, result = changes_site
    assert result.returncode == 0, result.stderr[-3000:]
    assert "what changed: read the older content, Example Content 1.0.0 (3 published detections)" in result.stderr
    assert broken_links(out, SITE_URL) == []  # the detection pages' links land on their entries' anchors
    page = (out / "changes/index.html").read_text()
    assert re.search(r'class="md-tabs__link"[^>]*>\s*What changed\s*<', page)
    assert f'<div class="sc-change sc-change--changed" id="{CHANGED_ID}">' in page
    assert 'href="../endpoint/c0000000-0000-4000-8000-000000000002/"' in page
    assert "encodedcommand-&lt;explained&gt;" in page and "<explained>" not in page  # content is escaped
    assert '<span class="sc-diff__line sc-diff__line--added">+ | where count &gt; 0</span>' in page
    changed = (out / "endpoint" / CHANGED_ID / "index.html").read_text()
    assert f'<a href="../../changes/#{CHANGED_ID}"' in changed
    assert 'class="sc-addition sc-change-notice" data-fidelity-ignore=""' in changed
    added = (out / "cloud/c0000000-0000-4000-8000-000000000004/index.html").read_text()
    assert "<strong>New since Example Content 1.0.0</strong>" in added
    unchanged = (out / "endpoint/c0000000-0000-4000-8000-000000000001/index.html").read_text()
    assert "sc-change-notice" not in unchanged
    assert 'href="changes/"' in (out / "index.html").read_text()  # the home page's card


def test_without_an_older_checkout_there_is_no_page_and_no_tab(golden_site):
    out, result = golden_site
    assert result.returncode == 0
    assert not (out / "changes").exists()
    assert "What changed" not in (out / "index.html").read_text()
    assert "sc-change-notice" not in (out / "endpoint/disable_defender_with_powershell/index.html").read_text()


def test_a_missing_older_checkout_is_an_error_and_the_rest_of_the_site_builds(tmp_path):
    env = dict(CONTENT_DIR=str(GOLDEN_CHANGES / "content"), ATTACK_BUNDLE=str(GOLDEN_CHANGES / "attack.json"),
               CVE_FILE="", SPLUNK_APPS_FILE="", D3FEND_FILE="", CONTENT_FORM="", COMPARE_WITH="missing-older")
    strict = mkdocs_build(tmp_path / "strict", **env)
    assert strict.returncode != 0
    assert re.search(r"^ERROR +- +generator: missing-older: error: the older content to compare with is not a "
                     r"readable directory", strict.stderr, re.MULTILINE)
    lenient = mkdocs_build(tmp_path / "site", strict=False, **env)
    assert lenient.returncode == 0, lenient.stderr[-2000:]
    assert (tmp_path / "site/endpoint" / CHANGED_ID / "index.html").is_file()
    assert not (tmp_path / "site/changes").exists()
    assert "What changed" not in (tmp_path / "site/index.html").read_text()


def test_older_content_is_loaded_with_its_own_form(tmp_path):
    """A 2022 checkout publishes detections/experimental/, which today's folders do not have."""
    older, _ = load_older(GOLDEN_BASIC / "content")
    content, _ = load_content(GOLDEN_BASIC / "content", choose_form(GOLDEN_BASIC / "content").rules.DETECTION_FOLDERS)
    assert any(d.experimental for d in older.content.detections)
    assert {d.source.path for d in older.content.detections} < {d.source.path for d in content.detections}


def test_hostile_text_in_a_change_is_shown_as_text(tmp_path):
    older_dir = tmp_path / "older"
    shutil.copytree(GOLDEN_CHANGES / "older", older_dir)
    source = older_dir / "detections/endpoint/encoded_powershell_command.yml"
    source.write_text(source.read_text()
                      .replace("Finds PowerShell started with an encoded command.",
                               "'</td></table><script>alert(1)</script> [x](javascript:alert(1))'")
                      .replace("by Processes.dest Processes.process |",
                               "by Processes.dest Processes.process | </code></pre><img src=x onerror=alert(1)> |"))
    older, _ = load_older(older_dir)
    inputs = Inputs(GOLDEN_CHANGES / "attack.json")
    pages = {"/".join(p.path): p.text for p in generate(GOLDEN_CHANGES / "content", inputs, "mkdocs", older=older).pages}
    page = pages["changes.md"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    html = markdown.markdown(page, extensions=["md_in_html", "tables", "fenced_code"])
    assert "<script" not in html and "<img" not in html and "href=\"javascript" not in html


# --- Across generations: a field that only moved is no change ---------------------------------------------

_COMMON = """name: Encoded Command
id: 0c000000-0000-4000-8000-0000000000aa
version: 3
author: Example
status: production
type: TTP
description: Finds encoded commands.
data_source:
- Sysmon EventID 1
search: '| tstats count from datamodel=Endpoint.Processes by Processes.dest | `encoded_command_filter`'
how_to_implement: Ingest process events.
known_false_positives: Scripts.
references:
- https://example.com/encoded
"""
_GENERATIONS = {
    "2024-10": _COMMON + """date: '2024-10-01'
tags:
  analytic_story:
  - {story}
  asset_type: Endpoint
  confidence: 80
  impact: 70
  message: An encoded command ran on $dest$.
  mitre_attack_id:
  - T1059.001
  observable:
  - name: dest
    type: Hostname
    role:
    - Victim
  product:
  - Splunk Enterprise
  required_fields:
  - Processes.dest
  risk_score: 56
  security_domain: endpoint
""",
    "ESCU 5": _COMMON + """date: '2024-10-01'
rba:
  message: An encoded command ran on $dest$.
  risk_objects:
  - field: dest
    type: system
    score: 56
  threat_objects: []
tags:
  analytic_story:
  - {story}
  asset_type: Endpoint
  mitre_attack_id:
  - T1059.001
  product:
  - Splunk Enterprise
  security_domain: endpoint
""",
    "ESCU 6": _COMMON + """creation_date: '2020-01-01'
modification_date: '2024-10-01'
finding:
  title: An encoded command ran on $dest$.
  entity:
    field: dest
    type: system
    score: 56
analytic_story:
- {story}
asset_type: Endpoint
mitre_attack_id:
- T1059.001
product:
- Splunk Enterprise
category: endpoint
security_domain: endpoint
""",
}


def _content_of(tmp_path: Path, generation: str, story: str = "Malicious PowerShell"):
    folder = tmp_path / generation.replace(" ", "_") / story.replace(" ", "_") / "detections" / "endpoint"
    folder.mkdir(parents=True)
    (folder / "encoded_command.yml").write_text(_GENERATIONS[generation].format(story=story), encoding="utf-8")
    content, issues = load_content(folder.parent.parent, choose_form(folder.parent.parent).rules.DETECTION_FOLDERS)
    assert [i for i in issues if i.severity is Severity.ERROR] == []
    return content


@pytest.mark.parametrize("older, newer", [("2024-10", "ESCU 5"), ("2024-10", "ESCU 6"), ("ESCU 5", "ESCU 6")])
def test_a_detection_that_only_moved_to_a_newer_schema_has_not_changed(tmp_path, older, newer):
    changes = compare(_content_of(tmp_path, older), _content_of(tmp_path, newer), older)
    assert (changes.added, changes.removed, changes.changed) == ((), (), ())


@pytest.mark.parametrize("older, newer", [("2024-10", "ESCU 5"), ("2024-10", "ESCU 6"), ("ESCU 5", "ESCU 6")])
def test_a_real_change_across_schemas_is_reported_alone(tmp_path, older, newer):
    changes = compare(_content_of(tmp_path, older), _content_of(tmp_path, newer, "Living Off The Land"), older)
    assert [entry.fields for entry in changes.changed] == [
        (ListChange("Analytic stories", ("Living Off The Land",), ("Malicious PowerShell",)),)]
