"""Several content sources in one site (guide/sources.md): combined before anything is rendered, each
conflict decided, every item showing its source; a team's tree beside Splunk's October-2024 content."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import CORPUS_2024_10, GOLDEN_SOURCES, ROOT, SHARED, TESTS, mkdocs_build, needs_corpus, run_generator, site_config
from generator.exceptions import ConfigurationError
from generator.folders import detection_folders
from generator.forms import choose_form
from generator.issues import Severity
from generator.load import load_content
from generator.pipeline import Inputs, generate
from generator.site.config import PluginConfig
from generator.models import Source
from generator.sources import content_source, with_source

ACME = TESTS / "sources" / "acme"
ATTACK_15 = SHARED / "attack" / "enterprise-attack-15.1.json"
SPLUNK_LABEL = "Splunk ESCU October 2024"
TUNED_ID = "773b66fe-4dd9-11ec-8289-acde48001122"
"""The Splunk detection ACME's tree has a tuned copy of (detections/endpoint/add_or_set_windows_defender_exclusion.yml)."""


def golden_sources(*, team_overrides: bool = True, order=("upstream", "team", "extra"), **team):
    """The golden case's sources (tests/golden/sources), shown by their folder names; `team` changes its settings."""
    settings = {"team": dict({"label": "Team", "overrides": team_overrides}, **team)}
    return tuple(content_source(GOLDEN_SOURCES / name, name, several=True, **settings.get(name, {}))
                 for name in order)


def generated(sources, layout="mkdocs", **inputs):
    return generate(sources, Inputs(GOLDEN_SOURCES / "attack.json", **inputs), layout)


def detection(result, name):
    return next(page for page in result.site.detections if page.name == name)


# --- combining: conflicts decided before linking ------------------------------------------------------------


def test_a_tuned_copy_replaces_the_upstream_detection_and_everything_links_across_sources():
    result = generated(golden_sources())
    tuned = detection(result, "Disable Defender With PowerShell")
    assert tuned.detection.source.path == "team/detections/endpoint/disable_defender_with_powershell.yml"
    assert [page.name for page in result.site.detections].count("Disable Defender With PowerShell") == 1
    [replacement] = result.replacements
    assert replacement.kind == "detection" and replacement.shown is tuned.detection
    assert replacement.replaced.source.path == "upstream/detections/endpoint/disable_defender_with_powershell.yml"

    stories = {story.name: [page.name for page in story.detections] for story in result.site.stories}
    assert stories["Defense Evasion Basics"] == ["Cleared Security Log", "Disable Defender With PowerShell",
                                                  "Extra DNS Long Labels", "Extra DNS Tunnel",
                                                  "Team Office Spawns PowerShell"]
    assert stories["Team Watchlist"] == ["Disable Defender With PowerShell", "Team Office Spawns PowerShell",
                                         "Team Rare Parent Process"]
    [playbook] = result.site.playbooks
    assert [page.detection.source.origin.label for page in playbook.detections] == ["ES Content Updates 4.42.0",
                                                                                      "Team"]
    team_detection = detection(result, "Team Office Spawns PowerShell")
    assert [macro.name for macro in team_detection.macros] == ["security_content_ctime", "team_edr"]
    assert team_detection.macros[0].source.path == "upstream/macros/security_content_ctime.yml"  # the copy: once
    assert [ref.definition.source.path for ref in team_detection.data_sources] == [
        "upstream/data_sources/sysmon_eventid_1.yml"]


def test_the_same_page_in_two_sources_is_an_error_naming_both_files_and_the_first_is_kept():
    result = generated(golden_sources())
    errors = [issue for issue in result.issues if issue.severity is Severity.ERROR or "not read" in issue.message]
    assert [str(issue) for issue in errors] == [
        "extra/data_sources/sysmon_eventid_1.yml:1: error: data source 'Sysmon EventID 1' of source 'extra' has the "
        "page /data_sources/sysmon_eventid_1/, as upstream/data_sources/sysmon_eventid_1.yml of source "
        "'ES Content Updates 4.42.0' does; the site shows that one. Give each its own name, or mark the source "
        "whose version the site should show as overriding (`overrides: true` in its `content_dirs` item, "
        "`--overrides LABEL` on the command line)",
        "extra/detections/api: warning: not read: its detections would be served at /api/…, among the site's own "
        "pages; rename the folder"]
    [data_source] = result.site.data_sources
    assert data_source.data_source.source.path == "upstream/data_sources/sysmon_eventid_1.yml"


def test_without_overrides_a_shared_id_is_an_error_at_the_later_file_and_the_earlier_detection_is_shown():
    result = generated(golden_sources(team_overrides=False))
    conflicts = [str(issue) for issue in result.issues if "has id" in issue.message]
    assert conflicts == [
        "team/detections/endpoint/disable_defender_with_powershell.yml:2: error: detection 'Disable Defender "
        "With PowerShell' of source 'Team' has id 0b0a1c2d-0000-4000-8000-000000000101, as "
        "upstream/detections/endpoint/disable_defender_with_powershell.yml of source 'ES Content Updates 4.42.0' "
        "does; the site shows that one. Give each its own id, or mark the source whose version the site should "
        "show as overriding (`overrides: true` in its `content_dirs` item, `--overrides LABEL` on the command line)"]
    shown = detection(result, "Disable Defender With PowerShell")
    assert shown.detection.source.path.startswith("upstream/") and not result.replacements
    ids = [page.detection.id for page in result.site.detections]
    assert len(ids) == len(set(ids))


def test_the_overriding_source_wins_wherever_it_is_listed_and_two_overriding_sources_conflict():
    first = generated(golden_sources(order=("team", "upstream", "extra")))
    assert detection(first, "Disable Defender With PowerShell").detection.source.path.startswith("team/")
    [replacement] = first.replacements
    assert replacement.replaced.source.path.startswith("upstream/")

    both = golden_sources()
    both = (replace(both[0], overrides=True), *both[1:])
    result = generated(both)
    assert [r.kind for r in result.replacements] == ["data source"]  # upstream's now overrides extra's too
    assert any("has id 0b0a1c2d-0000-4000-8000-000000000101" in issue.message for issue in result.issues)


def test_each_source_is_labelled_by_its_setting_its_app_or_its_folder_and_labels_and_folders_are_unique():
    upstream, team, extra = golden_sources()
    assert (upstream.label, team.label, extra.label) == ("ES Content Updates 4.42.0", "Team", "extra")
    with pytest.raises(ConfigurationError, match="labelled 'Team' like"):
        generated((upstream, team, replace(extra, label="Team")))
    with pytest.raises(ConfigurationError, match="the same folder as the source 'Team'"):
        generated((upstream, team, replace(extra, path=team.path, label="Again")))
    with pytest.raises(ConfigurationError, match="nowhere: content directory not found"):
        generated((upstream, content_source(GOLDEN_SOURCES / "nowhere", "nowhere", several=True)))


def test_on_a_site_of_several_sources_each_page_is_found_by_its_source_s_label():
    from generator.site.search import SearchTerms

    site = generated(golden_sources()).site
    terms = SearchTerms(site)
    pages = [(page, page.detection.source) for page in site.detections] + [(page, page.story.source)
                                                                          for page in site.stories]
    assert {source.origin.label for _, source in pages} == {"ES Content Updates 4.42.0", "Team", "extra"}
    for page, source in pages:
        assert terms.get(page.url.lstrip("/")).split(" · ")[-1] == source.origin.label
    alone = generate(GOLDEN_SOURCES / "team", Inputs(GOLDEN_SOURCES / "attack.json"), "mkdocs").site
    alone_terms = SearchTerms(alone)
    # One source: no label among a page's terms (its description's words, one part of them, may say "team").
    assert alone.detections and all("Team" not in alone_terms.get(page.url.lstrip("/")).split(" · ")
                                    for page in alone.detections)


def test_splunk_content_keeps_the_button_and_its_repository_and_another_source_has_neither():
    pages = {"/".join(page.path): page.text for page in generated(golden_sources()).pages}
    upstream = pages["endpoint/0b0a1c2d-0000-4000-8000-000000000102.md"]
    team = pages["endpoint/7e4a0000-0000-4000-8000-000000000201.md"]
    assert "[Try in Splunk Security Cloud]" in upstream and "[Try in Splunk Security Cloud]" not in team
    assert "](https://github.com/splunk/security_content/tree/develop/detections/endpoint/" in upstream
    assert "[*source*]" not in team and "github.com/splunk/security_content/tree" not in team
    assert "[Try in Splunk" not in pages["playbooks/team_contain_host.md"]

    told = {"/".join(page.path): page.text for page in generated(golden_sources(
        try_in_splunk=True, repository="https://git.example.com/team/content/")).pages}
    team = told["endpoint/7e4a0000-0000-4000-8000-000000000201.md"]
    assert "[Try in Splunk Security Cloud]" in team
    assert ("[*source*](https://git.example.com/team/content/detections/endpoint/team_office_spawns_powershell.yml)"
            in team)


def test_a_source_looks_references_up_in_its_own_files_first(tmp_path):
    own = tmp_path / "cves.json"
    own.write_text(json.dumps({"CVE-2024-0001": {"summary": "The team's own summary.", "cvss": 7.5}}))
    team = tmp_path / "team"
    shutil.copytree(GOLDEN_SOURCES / "team", team)
    source = team / "detections/endpoint/team_office_spawns_powershell.yml"
    source.write_text(source.read_text().replace("  security_domain: endpoint\n",
                                                 "  security_domain: endpoint\n  cve:\n  - CVE-2024-0001\n"))
    upstream, _, extra = golden_sources()
    site_cves = tmp_path / "site-cves.json"
    site_cves.write_text("{}")
    sources = (upstream, content_source(team, "team", several=True, label="Team", cve_file=own), extra)
    result = generated(sources, cve_file=site_cves)
    [cve] = detection(result, "Team Office Spawns PowerShell").cves
    assert (cve.id, cve.summary) == ("CVE-2024-0001", "The team's own summary.")
    assert not any("CVE-2024-0001" in issue.message for issue in result.issues)


def test_pages_listings_and_exports_say_their_source_and_a_site_of_one_source_does_not():
    pages = {"/".join(page.path): page.text for page in generated(golden_sources()).pages}
    assert "**Content source**: Team" in pages["endpoint/7e4a0000-0000-4000-8000-000000000201.md"]
    assert "**Content source**: Team" in pages["stories/team_watchlist.md"]
    assert '<span class="sc-source" data-fidelity-ignore="">Team</span>' in pages["detections.md"]
    records = json.loads(pages["api/detections.json"])
    assert sorted((record["name"], record["content_source"], record["source"]) for record in records) == [
        ("Cleared Security Log", "ES Content Updates 4.42.0", "detections/endpoint/cleared_security_log.yml"),
        ("Disable Defender With PowerShell", "Team", "detections/endpoint/disable_defender_with_powershell.yml"),
        ("Extra DNS Long Labels", "extra", "detections/network/dns/extra_dns_long_labels.yml"),
        ("Extra DNS Tunnel", "extra", "detections/network/extra_dns_tunnel.yml"),
        ("Team Office Spawns PowerShell", "Team", "detections/endpoint/team_office_spawns_powershell.yml"),
        ("Team Rare Parent Process", "Team", "detections/hunts/team_rare_parent_process.yml")]
    assert pages["api/detections.csv"].splitlines()[0].endswith(",url,content_source")
    assert {record["content_source"] for record in json.loads(pages["api/stories.json"])} == {
        "ES Content Updates 4.42.0", "Team"}

    one = {"/".join(page.path): page.text for page in generated(GOLDEN_SOURCES / "upstream").pages}
    assert "content_source" not in one["api/detections.json"] and "Content source" not in one["index.md"]
    assert "sc-source" not in one["detections.md"]


def test_the_overrides_page_shows_what_the_tuned_copy_changed_and_the_page_links_it():
    pages = {"/".join(page.path): page.text for page in generated(golden_sources()).pages}
    tuned = pages["endpoint/0b0a1c2d-0000-4000-8000-000000000101.md"]
    assert ("**Replaces the version of ES Content Updates 4.42.0** (detections/endpoint/"
            "disable\\_defender\\_with\\_powershell.yml): [see the differences]"
            "(/overrides/#0b0a1c2d-0000-4000-8000-000000000101)") in tuned
    overrides = pages["overrides.md"]
    assert '<div class="sc-change sc-change--changed" id="0b0a1c2d-0000-4000-8000-000000000101"' in overrides
    assert "<tr><td>Version</td><td>2</td><td>3</td></tr>" in overrides
    assert "<li><strong>Analytic stories</strong>: added Team Watchlist</li>" in overrides
    assert re.search(r'sc-diff__line--added">\+ [^\n]*Processes.dest!=&#34;build-\*&#34;', overrides)
    assert "[Overrides](/overrides/)" in pages["index.md"]


def test_a_team_macro_that_replaces_splunk_s_is_on_the_overrides_page(tmp_path):
    """A macro has no id: the overrides page's anchor for it is made from its name (it raised an AttributeError)."""
    shutil.copytree(GOLDEN_SOURCES, tmp_path / "case")
    macro = tmp_path / "case" / "team" / "macros" / "security_content_ctime.yml"
    macro.write_text(macro.read_text().replace("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"))
    sources = tuple(replace(source, path=tmp_path / "case" / source.path.name) for source in golden_sources())
    result = generated(sources)
    assert [r.kind for r in result.replacements] == ["detection", "macro"]
    overrides = next(page.text for page in result.pages if page.path == ("overrides.md",))
    assert '<div class="sc-change sc-change--changed" id="security_content_ctime"' in overrides
    assert ('sc-diff__line--added">+ definition: convert timeformat=&#34;%Y-%m-%<ins class="sc-diff__words">d '
            '</ins>%H:%M:%S&#34; ctime($field$)') in overrides  # "dT" became "d "


@pytest.mark.parametrize("repository, listed", [
    (None, "* team_edr\n"),  # no repository, no link (it was linked as a file of Splunk's that does not exist)
    ("https://git.example.com/team/content/blob/main",
     "* [team_edr](https://git.example.com/team/content/blob/main/macros/team_edr.yml)\n"),
])
def test_a_team_macro_is_linked_in_the_team_s_repository_or_not_at_all(repository, listed):
    result = generated(golden_sources(repository=repository))
    page = next(page.text for page in result.pages if page.path == ("endpoint", "7e4a0000-0000-4000-8000-000000000201.md"))
    assert listed in page
    # Splunk's macro keeps the link the published pages had.
    assert "* [security_content_ctime](https://github.com/splunk/security_content/blob/develop/macros/" \
           "security_content_ctime.yml)\n" in page


@pytest.mark.parametrize("status, banner", [
    ("experimental", "This detection has been marked experimental by its authors. It may not have been tested"),
    ("deprecated", "This detection has been marked deprecated by its authors. It will no longer be maintained"),
])
def test_a_team_s_experimental_or_deprecated_detection_is_not_said_to_be_marked_by_splunk(tmp_path, status, banner):
    shutil.copytree(GOLDEN_SOURCES, tmp_path / "case")
    for name in ("team/detections/endpoint/team_office_spawns_powershell.yml",
                 "upstream/detections/endpoint/cleared_security_log.yml"):
        path = tmp_path / "case" / name
        path.write_text(path.read_text().replace("status: production", f"status: {status}"))
    sources = tuple(replace(source, path=tmp_path / "case" / source.path.name) for source in golden_sources())
    for layout in ("mkdocs", "published"):
        pages = {page.source.path: page.text for page in generated(sources, layout).pages
                 if page.source is not None and "/detections/" in page.source.path}
        team = pages["team/detections/endpoint/team_office_spawns_powershell.yml"]
        splunk = pages["upstream/detections/endpoint/cleared_security_log.yml"]
        assert banner in team and "Splunk Threat Research" not in team
        assert f"marked {status} by the Splunk Threat Research team" in splunk  # Splunk's, as published


def test_the_command_line_takes_labelled_sources_and_overrides(tmp_path):
    result = run_generator("render", "--layout", "mkdocs", "--content", GOLDEN_SOURCES / "upstream",
                           "--content", f"Team={GOLDEN_SOURCES / 'team'}", "--overrides", "Team",
                           "--attack", GOLDEN_SOURCES / "attack.json", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    records = json.loads((tmp_path / "out/api/detections.json").read_text())
    assert {record["content_source"] for record in records} == {"ES Content Updates 4.42.0", "Team"}
    assert (tmp_path / "out/overrides.md").is_file()

    unknown = run_generator("render", "--content", GOLDEN_SOURCES / "upstream", "--content", GOLDEN_SOURCES / "team",
                            "--overrides", "Nobody", "--attack", GOLDEN_SOURCES / "attack.json",
                            "--out", tmp_path / "other")
    assert unknown.returncode == 2
    assert "--overrides Nobody: no --content source has this label or folder" in unknown.stderr
    assert not (tmp_path / "other").exists()


@pytest.mark.parametrize("value, message", [
    ([{"label": "x"}], "item 1: 'path' must name the source's folder"),
    ([{"path": "x", "overides": True}], "item 1: unknown setting 'overides'"),
    (["a", {"path": "b", "overrides": "yes"}], "item 2: 'overrides' must be true or false, not 'yes'"),
    (7, "expected a list of folders, or folders separated by ':'"),
])
def test_a_wrong_content_dirs_setting_is_named(value, message):
    config = PluginConfig()
    config.load_dict({"content_dirs": value})
    errors, _ = config.validate()
    assert [(key, str(error)) for key, error in errors] == [("content_dirs", message)] or message in str(errors)


def test_content_dirs_from_the_environment_are_folders_separated_by_colons():
    config = PluginConfig()
    config.load_dict({"content_dirs": "../security_content:team:"})
    assert config.validate() == ([], [])
    assert [entry["path"] for entry in config["content_dirs"]] == ["../security_content", "team"]


# --- folders of a team's own under detections/ -------------------------------------------------------------


def test_a_folder_of_its_own_is_a_kind_served_and_listed_and_a_subfolder_takes_its_parents_kind():
    result = generated(golden_sources())
    hunt = detection(result, "Team Rare Parent Process")
    assert (hunt.detection.kind, hunt.url) == ("hunts", "/hunts/7e4a0000-0000-4000-8000-000000000202/")
    nested = detection(result, "Extra DNS Long Labels")
    assert (nested.detection.kind, nested.url) == ("network", "/network/3c3c0000-0000-4000-8000-000000000303/")
    pages = {"/".join(page.path): page.text for page in result.pages}
    assert "hunts/7e4a0000-0000-4000-8000-000000000202.md" in pages
    assert "[Team Rare Parent Process](/hunts/7e4a0000-0000-4000-8000-000000000202/)" in pages["detections.md"]
    assert not any(page.name == "Extra API Abuse" for page in result.site.detections)


def test_no_folder_under_detections_is_passed_over_without_a_word(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(GOLDEN_SOURCES / "upstream", content)
    for folder in ("detections/My Hunts", "detections/stories", "detections/acme/windows", "detections/empty"):
        (content / folder).mkdir(parents=True)
    kept = (content / "detections/endpoint/cleared_security_log.yml").read_text()
    (content / "detections/My Hunts/a.yml").write_text(kept.replace("000000000102", "000000000901"))
    (content / "detections/stories/b.yml").write_text(kept.replace("000000000102", "000000000902"))
    (content / "detections/acme/windows/c.yml").write_text(kept.replace("000000000102", "000000000903")
                                                             .replace("Cleared Security Log", "Nested Acme"))
    (content / "detections/loose.yml").write_text(kept)
    (content / "detections/linked").symlink_to(GOLDEN_SOURCES / "team/detections/endpoint")
    result = generate(content, Inputs(GOLDEN_SOURCES / "attack.json"), "published")
    assert [str(issue) for issue in result.issues if "not read" in issue.message] == [
        "detections: warning: not read: 1 file directly in detections/ (e.g. loose.yml): a detection's folder "
        "(detections/<kind>/) says its kind",
        "detections/My Hunts: warning: not read: its name cannot be part of an address (letters, digits, '_' and "
        "'-' only, a letter or digit first)",
        "detections/linked: warning: not read: a symbolic link to a folder (list the folder it leads to as a "
        "content source of its own instead)",
        "detections/stories: warning: not read: its detections would be served at /stories/…, among the site's "
        "own pages; rename the folder"]
    assert detection(result, "Nested Acme").url == "/acme/0b0a1c2d-0000-4000-8000-000000000903/"


def test_folders_are_found_through_the_content_tree_and_each_refusal_is_said_once(tmp_path):
    """A team's folder is found and read through the tree (tree.py): a link in it to a file outside is the
    loader's one error, a linked folder inside a folder read is the loader's one warning, and a linked folder
    where no folder is read gets the hint to list it as a source."""
    content, outside = tmp_path / "content", tmp_path / "outside"
    shutil.copytree(GOLDEN_SOURCES / "upstream", content)
    shutil.copytree(GOLDEN_SOURCES / "team/detections/hunts", outside)
    (content / "detections/acme").mkdir()
    kept = (content / "detections/endpoint/cleared_security_log.yml").read_text()
    (content / "detections/acme/a.yml").write_text(kept.replace("000000000102", "000000000904")
                                                   .replace("Cleared Security Log", "Acme Own")
                                                   .replace("cleared_security_log_filter", "acme_own_filter"))
    (content / "detections/acme/planted.yml").symlink_to(outside / "team_rare_parent_process.yml")
    (content / "detections/acme/elsewhere").symlink_to(outside)
    (content / "detections/more/deeper").mkdir(parents=True)
    (content / "detections/more/deeper/linked").symlink_to(outside)
    result = generate(content, Inputs(GOLDEN_SOURCES / "attack.json"), "published")
    about_links = [str(issue) for issue in result.issues if "acme/" in issue.path or "more/" in issue.path]
    assert about_links == [
        "detections/acme/elsewhere: warning: is a symbolic link to a folder outside the content directory; "
        "nothing in it is read",
        "detections/acme/planted.yml: error: is a symbolic link to a file outside the content directory; it is "
        "not read",
        "detections/more/deeper/linked: warning: not read: a symbolic link to a folder (list the folder it leads "
        "to as a content source of its own instead)"]
    assert detection(result, "Acme Own").url == "/acme/0b0a1c2d-0000-4000-8000-000000000904/"


def test_the_2022_form_names_the_deprecated_folder_it_does_not_publish():
    result = generate(TESTS / "golden" / "basic" / "content", Inputs(TESTS / "golden" / "basic" / "attack.json"))
    assert "detections/deprecated: warning: not read: the March-2022 site did not publish deprecated detections" in [
        str(issue) for issue in result.issues]


# --- the site: mkdocs build --------------------------------------------------------------------------------


def test_a_strict_build_with_a_conflict_stops_before_converting_and_writes_nothing(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "earlier.html").write_text("the site of an earlier build")
    result = mkdocs_build(out, CONTENT_DIRS=":".join(str(GOLDEN_SOURCES / name) for name in ("upstream", "extra")),
                          ATTACK_BUNDLE=str(GOLDEN_SOURCES / "attack.json"), CVE_FILE="", SPLUNK_APPS_FILE="",
                          D3FEND_FILE="")
    assert result.returncode != 0
    assert (f"{GOLDEN_SOURCES / 'extra'}/data_sources/sysmon_eventid_1.yml:1: error: data source 'Sysmon EventID 1'"
            in result.stderr)
    assert f"as {GOLDEN_SOURCES / 'upstream'}/data_sources/sysmon_eventid_1.yml of source" in result.stderr
    assert "with --strict the build stops before converting any page, and nothing is written" in result.stderr
    assert "Cleaning site directory" not in result.stderr  # mkdocs went no further than the plugin's pre_build
    assert [path.name for path in out.iterdir()] == ["earlier.html"]
    assert [path.name for path in tmp_path.iterdir()] == ["site"]  # no staging folder left beside it (staging.py)

    lenient = mkdocs_build(out, strict=False, CONTENT_DIRS=":".join(
        str(GOLDEN_SOURCES / name) for name in ("upstream", "extra")), ATTACK_BUNDLE=str(GOLDEN_SOURCES / "attack.json"),
        CVE_FILE="", SPLUNK_APPS_FILE="", D3FEND_FILE="")
    assert lenient.returncode == 0, lenient.stderr[-3000:]
    assert "Process creation events from Sysmon" in (out / "data_sources/sysmon_eventid_1/index.html").read_text()


def test_the_site_of_two_sources_builds_strict_branded_as_mkdocs_yml_says(golden_sources_site):
    out, result = golden_sources_site
    assert result.returncode == 0, result.stderr[-3000:]
    home = (out / "index.html").read_text()
    assert "<h1 id=\"team-detections\">Team Detections" in home
    assert "The Team's detections beside <em>upstream's</em>." in home
    assert 'href="detections/?source=Team"' in home
    assert 'src="assets/images/site-logo.svg"' in home and (out / "assets/images/site-logo.svg").is_file()
    about = (out / "about/index.html").read_text()
    assert "Run by the Team." in about and "splunk/security_content" not in about
    feed = (out / "feed.xml").read_text()
    assert "<title>Team Detections: detections</title>" in feed
    tuned = (out / "endpoint/0b0a1c2d-0000-4000-8000-000000000101/index.html").read_text()
    assert 'href="../../overrides/#0b0a1c2d-0000-4000-8000-000000000101"' in tuned
    assert "Try in Splunk" not in tuned
    # The sources are configured by absolute paths: no page or export shows the build machine's folders, only a
    # file's path inside its source (the Overrides page named both files by their folders as configured).
    leaked = sorted(str(path.relative_to(out)) for path in out.rglob("*")
                    if path.is_file() and str(GOLDEN_SOURCES).encode() in path.read_bytes())
    assert leaked == []
    overrides = (out / "overrides/index.html").read_text()
    assert "· detections/endpoint/" in overrides
    # The words a change added and removed are marked in the built page too (its markup is cleaned there).
    assert '<td>Example Author, Example Org<ins class="sc-diff__words">; tuned by the Team</ins></td>' in overrides
    assert re.search(r'sc-diff__line--added">\+ [^\n]*<ins class="sc-diff__words">Processes\.dest', overrides)


# --- Splunk's October-2024 content and a team's tree -------------------------------------------------------


def corpus_sources(overrides: bool) -> list[dict]:
    return [{"path": str(CORPUS_2024_10 / "source"), "label": SPLUNK_LABEL, "try_in_splunk": True},
            {"path": str(ACME), "overrides": overrides}]


@pytest.fixture(scope="module")
def acme_site(tmp_path_factory):
    needs_corpus(CORPUS_2024_10, ATTACK_15)
    folder = tmp_path_factory.mktemp("acme-site")
    config = site_config(folder, {"content_dirs": corpus_sources(True), "attack_bundle": str(ATTACK_15),
                                  "cve_file": "", "splunk_apps_file": "", "d3fend_file": "", "form": ""})
    out = folder / "site"
    return out, mkdocs_build(out, config=config)


def expected_detections():
    """Every published detection of both trees, each as the site should show it: (source label, detection)."""
    shown = {}
    for folder, label in ((CORPUS_2024_10 / "source", SPLUNK_LABEL), (ACME, "ACME SOC detections 1.2.0")):
        rules = choose_form(folder).rules
        content, _ = load_content(folder, detection_folders(folder, rules)[0])
        for detection_ in content.detections:
            if rules.is_published(detection_):
                shown[detection_.id] = (label, detection_)  # ACME's tuned copy replaces Splunk's
    return shown


def test_every_detection_of_both_is_shown_once_with_its_fields_and_its_source(acme_site):
    out, result = acme_site
    assert result.returncode == 0, result.stderr[-3000:]
    expected = expected_detections()
    assert sum(label != SPLUNK_LABEL for label, _ in expected.values()) >= 4  # the team's, tuned copy included
    records = json.loads((out / "api/detections.json").read_text())
    assert len(records) == len({record["id"] for record in records}) == len(expected)
    for record in records:
        label, detection_ = expected[record["id"]]
        assert (record["name"], record["content_source"]) == (detection_.name, label)
        page = (out / record["url"] / "index.html").read_text()
        assert html.escape(detection_.name, quote=False) in page, record["url"]
        assert f"<strong>Content source</strong>: {html.escape(label, quote=False)}" in page, record["url"]
        assert detection_.id in page
        for technique in detection_.tags.mitre_attack_id:
            assert technique in page, (record["url"], technique)
        for story in detection_.tags.analytic_story:
            assert html.escape(story, quote=False) in page, (record["url"], story)
        assert ("Try in Splunk" in page) == (label == SPLUNK_LABEL), record["url"]


def test_stories_of_either_source_list_the_detections_of_both_and_the_filters_agree(acme_site):
    out, result = acme_site
    assert result.returncode == 0, result.stderr[-3000:]
    records = json.loads((out / "api/detections.json").read_text())
    for story, slug in (("ACME Initial Access", "acme_initial_access"),
                        ("Windows Defense Evasion Tactics", "windows_defense_evasion_tactics")):
        members = [record for record in records if story in record["stories"]]
        page = (out / "stories" / slug / "index.html").read_text()
        rows = page.split("<h4 id=\"detections\">", 1)[1].split("</table>", 1)[0].count("<tr>") - 1
        assert rows == len(members), story  # the story's filter (by the export) shows all its rows
        assert {record["content_source"] for record in members} == {SPLUNK_LABEL, "ACME SOC detections 1.2.0"} \
            or story == "ACME Initial Access"
        for record in members:
            assert html.escape(record["name"], quote=False) in page, (story, record["name"])
    acme_story = [record for record in records if "ACME Initial Access" in record["stories"]]
    assert TUNED_ID in {record["id"] for record in acme_story}  # ACME's story names its copy of Splunk's


def test_the_tuned_copy_says_what_it_replaces_and_links_the_differences(acme_site):
    out, result = acme_site
    assert result.returncode == 0, result.stderr[-3000:]
    page = (out / "endpoint" / TUNED_ID / "index.html").read_text()
    assert "acme_deploy.exe" in page
    assert f"Replaces the version of {SPLUNK_LABEL}" in page
    assert f'href="../../overrides/#{TUNED_ID}"' in page
    overrides = (out / "overrides/index.html").read_text()
    assert f'id="{TUNED_ID}"' in overrides and "acme_deploy.exe" in overrides


def test_splunk_and_the_team_with_a_shared_id_fail_strict_in_seconds_naming_both_files(tmp_path):
    needs_corpus(CORPUS_2024_10, ATTACK_15)
    out = tmp_path / "site"
    result = mkdocs_build(out, CONTENT_DIRS=f"{CORPUS_2024_10 / 'source'}:{ACME}", ATTACK_BUNDLE=str(ATTACK_15),
                          CVE_FILE="", SPLUNK_APPS_FILE="", D3FEND_FILE="")
    assert result.returncode != 0
    [error] = [line for line in result.stderr.splitlines() if f"has id {TUNED_ID}" in line]
    assert f"{ACME}/detections/endpoint/add_or_set_windows_defender_exclusion.yml:2: error:" in error
    assert f"as {CORPUS_2024_10 / 'source'}/detections/endpoint/add_or_set_windows_defender_exclusion.yml" in error
    assert "Cleaning site directory" not in result.stderr and list(tmp_path.iterdir()) == []  # nor a staging folder


# --- the preview and the reader ------------------------------------------------------------------------------


def test_the_preview_follows_an_edit_in_either_source_and_shows_a_broken_file_of_the_second(tmp_path):
    from test_serve import fetch, free_port, wait_for

    upstream, team = tmp_path / "upstream", tmp_path / "team"
    shutil.copytree(GOLDEN_SOURCES / "upstream", upstream)
    shutil.copytree(GOLDEN_SOURCES / "team", team)
    (team / "detections/endpoint/disable_defender_with_powershell.yml").unlink()  # the tuned copy needs overrides
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SITE_URL=base, CONTENT_DIRS=f"{upstream}:{team}",
               ATTACK_BUNDLE=str(GOLDEN_SOURCES / "attack.json"), CVE_FILE="", SPLUNK_APPS_FILE="", D3FEND_FILE="")
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                                  cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    team_page = base + "endpoint/7e4a0000-0000-4000-8000-000000000201/"
    upstream_page = base + "endpoint/0b0a1c2d-0000-4000-8000-000000000102/"
    try:
        assert wait_for(team_page, "An Office application started PowerShell", 90)
        team_file = team / "detections/endpoint/team_office_spawns_powershell.yml"
        original = team_file.read_text()
        team_file.write_text(original.replace("An Office application", "EDITED, an Office application"))
        assert wait_for(team_page, "EDITED, an Office application", 30)
        assert "this file has errors" not in fetch(team_page)
        upstream_file = upstream / "detections/endpoint/cleared_security_log.yml"
        upstream_file.write_text(upstream_file.read_text().replace("was cleared.", "was cleared (EDITED)."))
        assert wait_for(upstream_page, "was cleared (EDITED).", 30)

        team_file.write_text(original.replace("type: Anomaly\n", "type: [Anomaly\n"))
        assert wait_for(team_page, "this file has errors", 30)
        assert "type: [Anomaly" in fetch(team_page)  # the second source's file, found by its shown path
        # The page is shown before the rest of the rebuild (site/early.py); the problems page follows.
        assert wait_for(base + "problems/", f"{team}/detections/endpoint/team_office_spawns_powershell.yml", 30)
    finally:
        server.terminate()
        server.wait(timeout=30)
    [watching] = [line for line in log.read_text().splitlines() if "Watching paths for changes" in line]
    assert f"'{upstream}'" in watching and f"'{team}'" in watching


@pytest.fixture(scope="module")
def served_sources(golden_sources_site, tmp_path_factory):
    from test_browser import _serve

    out, result = golden_sources_site
    assert result.returncode == 0, result.stderr[-3000:]
    yield from _serve(out, tmp_path_factory)


def test_the_indexes_filter_by_content_source(browser, served_sources):
    page = browser.new_page()
    try:
        page.goto(served_sources + "detections/?source=Team")
        facet = page.locator("select[name=source]")
        facet.wait_for()
        assert facet.input_value() == "Team"
        assert page.locator(".sc-filters__count").inner_text() == "3 of 4 detections"
        visible = page.locator("table tbody tr:visible td:first-child a")
        assert sorted(visible.all_inner_texts()) == ["Disable Defender With PowerShell",
                                                      "Team Office Spawns PowerShell", "Team Rare Parent Process"]
        facet.select_option("ES Content Updates 4.42.0")
        assert page.locator(".sc-filters__count").inner_text() == "1 of 4 detections"
        assert "source=ES+Content+Updates+4.42.0" in page.url
        page.goto(served_sources + "stories/")
        page.locator("select[name=source]").wait_for()
        assert page.locator("select[name=source] option").all_inner_texts() == [
            "any", "ES Content Updates 4.42.0 (1)", "Team (1)"]
    finally:
        page.close()


# --- marking each file as its source's ----------------------------------------------------------------------


@pytest.mark.parametrize("golden", ["basic", "escu_2025", "escu_2026"])
def test_a_model_marked_as_its_sources_is_what_replace_would_make(golden):
    """`with_source` copies a model's fields instead of making it again (`of_source` marks every file): the copy
    must be what `dataclasses.replace` gives, field for field, for every kind of model."""
    content_dir = TESTS / "golden" / golden / "content"
    content, _ = load_content(content_dir, detection_folders(content_dir, choose_form(content_dir).rules)[0])
    kinds = set()
    for items in vars(content).values():
        for item in items if isinstance(items, tuple) else (items,) if items is not None else ():
            marked = Source("team/" + item.source.path, item.source.text, content_source(content_dir))
            made, expected = with_source(item, marked), replace(item, source=marked)
            assert type(made) is type(expected) and vars(made) == vars(expected) and made == expected
            assert hash(made) == hash(expected) and made.source is marked and item.source is not marked
            kinds.add(type(item).__name__)
    assert len(kinds) >= 5, kinds
