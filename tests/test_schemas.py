"""Every generation of the schema, read by its own keys: located errors for contradictory mixes, located
warnings for keys no generation has, and issues at the real line whichever generation wrote the key.

The content is the golden ESCU 6 case (`tests/golden/escu_2026/`, see its README), edited per test.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import SHARED, TESTS, needs_corpus
from generator.enrich import called_lookups
from generator.forms import choose_form
from generator.load import content_label, load_content
from generator.pipeline import Inputs, generate
from test_errors import edit, line_of

CASE = TESTS / "golden" / "escu_2026"
DETECTION = "detections/endpoint/credential_dump_via_registry.yml"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CASE / "content", copy)
    return copy


def issues_of(content: Path, layout: str = "published", **inputs) -> list[str]:
    result = generate(content, Inputs(CASE / "attack.json", **inputs), layout)
    return [str(issue) for issue in result.issues]


def _unlocated(issue: str) -> str:
    return re.sub(r"^([^:]+):\d+:", r"\1:", issue)


def new_issues(content: Path) -> list[str]:
    """The issues besides the two the golden case is meant to report (wherever an edit moved them)."""
    expected = {_unlocated(line) for line in (CASE / "issues.txt").read_text(encoding="utf-8").splitlines()}
    return [issue for issue in issues_of(content) if _unlocated(issue) not in expected]


def test_the_golden_case_reports_only_what_it_is_meant_to(content):
    assert new_issues(content) == []


def test_date_beside_the_escu6_dates_is_an_error_at_the_later_key(content):
    edit(content, DETECTION, "creation_date: '2021-05-11'\n", "date: '2025-01-01'\ncreation_date: '2021-05-11'\n")
    line, date = line_of(content, DETECTION, "creation_date:"), line_of(content, DETECTION, "date: '2025")
    assert new_issues(content) == [
        f"{DETECTION}:{line}: error: 'date' (the schema before ESCU 6, line {date}) and 'creation_date' (ESCU 6) "
        "are both given; 'date' is the date shown"]


def test_a_field_both_under_tags_and_at_the_top_is_an_error_and_the_tags_one_is_used(content, tmp_path):
    edit(content, DETECTION, "threat_group:\n", "tags:\n    mitre_attack_id:\n        - T1078\nthreat_group:\n")
    line, tags = line_of(content, DETECTION, "mitre_attack_id:"), line_of(content, DETECTION, "    mitre_attack_id")
    assert [i for i in new_issues(content) if "mitre_attack_id" in i] == [
        f"{DETECTION}:{line}: error: 'mitre_attack_id' is given both under 'tags' (line {tags}, the schema before "
        "ESCU 6) and at the top level (ESCU 6); the one under 'tags' is used"]
    generated = generate(content, Inputs(CASE / "attack.json"), "published")
    page = next(p for p in generated.site.detections if p.detection.source.path == DETECTION)
    assert [t.id for t in page.techniques] == ["T1078"]


def test_escu5_rba_beside_an_escu6_finding_is_an_error(content):
    edit(content, DETECTION, "finding:\n", "rba:\n    message: x $dest$\n    risk_objects: []\nfinding:\n")
    line = line_of(content, DETECTION, "finding:")
    assert new_issues(content) == [
        f"{DETECTION}:{line}: error: 'rba' (ESCU 5) and 'finding' (ESCU 6) both describe its risk-based alerting; "
        "give one"]


def test_older_risk_fields_beside_rba_are_an_error(content):
    relative = "detections/endpoint/fork_encoded_command.yml"
    edit(content, relative, "  asset_type: Endpoint\n", "  asset_type: Endpoint\n  impact: 80\n")
    assert new_issues(content) == [
        f"{relative}:{line_of(content, relative, 'rba:')}: error: 'tags.impact' (the schema before ESCU 5) and "
        "'rba' (ESCU 5) both describe its risk-based alerting; give one"]


def test_a_key_no_generation_has_is_a_warning_with_the_closest_known_key_or_what_was_meant(content):
    story = "stories/credential_dumping.yml"
    edit(content, DETECTION, "threat_group:\n", "treat_objects: []\nthreat_group:\n")
    edit(content, story, "usecase:", "detections:\n    - Credential Dump Via Registry\nuse_case:")
    assert sorted(new_issues(content)) == [
        f"{DETECTION}:{line_of(content, DETECTION, 'treat_objects')}: warning: unknown field 'treat_objects' is not "
        "shown; did you mean 'threat_objects'?",
        f"{story}:{line_of(content, story, 'detections:')}: warning: unknown field 'detections' is not shown; "
        "a detection joins a story by naming it in its own 'analytic_story'",  # a story does not list them
        f"{story}:{line_of(content, story, 'use_case')}: warning: unknown field 'use_case' is not shown; "
        "did you mean 'usecase'?"]


def test_issues_point_at_top_level_keys_in_escu6_files(content):
    edit(content, DETECTION, "    - Credential Dumping\n", "    - Credential Dumpin\n")
    edit(content, DETECTION, "    - T1003.002\n", "    - T1003.2\n")
    story, technique = line_of(content, DETECTION, "Credential Dumpin"), line_of(content, DETECTION, "T1003.2")
    assert sorted(new_issues(content)) == [
        f"{DETECTION}:{story}: warning: no story is named 'Credential Dumpin'; did you mean 'Credential Dumping'?",
        f"{DETECTION}:{technique}: error: 'T1003.2' is not an ATT&CK technique id (T and four digits, and .NNN for a "
        "sub-technique, as in T1003.001); it is left out"]
    assert f"{DETECTION}:{line_of(content, DETECTION, 'CVE-2099-2026')}: warning: CVE-2099-2026 is shown " \
           "without summary and score: no CVE file was given" in issues_of(content)


def test_without_build_yml_the_built_in_app_macros_are_used(content):
    (content / "build.yml").unlink()
    # get_asset is among the built-in app macros; the CIM lookup is then unknown, a warning.
    assert new_issues(content) == [
        f"{DETECTION}:{line_of(content, DETECTION, 'search:')}: warning: the search uses lookup "
        "'identity_lookup_expanded' but no lookup file defines it (it may come from another Splunk app)"]


def test_build_yml_replaces_the_built_in_list(content):
    edit(content, "build.yml", "          - get_asset\n", "          - get_identity\n")
    assert new_issues(content) == [
        f"{DETECTION}:{line_of(content, DETECTION, 'search:')}: error: the search uses macro `get_asset` but no "
        "macro file defines it"]


def test_a_key_given_twice_is_a_warning_when_the_values_agree_and_an_error_when_they_differ(content):
    relative = "data_sources/sysmon_eventid_1.yml"
    edit(content, relative, "sourcetype: XmlWinEventLog\n", "sourcetype: XmlWinEventLog\nsourcetype: XmlWinEventLog\n")
    first = line_of(content, relative, "sourcetype:")
    assert new_issues(content) == [f"{relative}:{first + 1}: warning: key 'sourcetype' is given twice in the same "
                                   f"mapping (first on line {first}), with the same value"]
    edit(content, relative, "sourcetype: XmlWinEventLog\nsourcetype: XmlWinEventLog\n",
         "sourcetype: XmlWinEventLog\nsourcetype: other\n")
    assert new_issues(content) == [f"{relative}:{first + 1}: error: key 'sourcetype' is given twice in the same "
                                   f"mapping (first on line {first}); the last one is used"]


def test_an_escu6_playbook_is_read_from_its_top_level_keys(content):
    (content / "playbooks").mkdir()
    (content / "playbooks" / "isolate_host.yml").write_text(
        "name: Isolate Host\nid: 9c2026aa-0000-4000-8000-000000000001\nversion: 1\ncreation_date: '2026-01-01'\n"
        "modification_date: '2026-05-13'\nauthor: Example\ntype: Response\ndescription: Isolates a host.\n"
        "playbook: isolate_host\nhow_to_implement: Configure the EDR asset.\nreferences: []\napp_list:\n- EDR\n"
        "platform_tags:\n- Containment\nvpe_type: Modern\nplaybook_type: Automation\nproduct:\n- Splunk SOAR\n"
        "use_cases:\n- Endpoint\ndefend_technique_id:\n- D3-NI\ndetections:\n- RDP To Rare Host\n- No Such Detection\n",
        encoding="utf-8")
    generated = generate(content, Inputs(CASE / "attack.json"), "published")
    page = generated.site.playbooks[0]
    assert page.playbook.use_cases == ("Endpoint",) and page.playbook.vpe_type == "Modern"
    assert [d.name for d in page.detections] == ["RDP To Rare Host"]
    relative = "playbooks/isolate_host.yml"
    assert f"{relative}:{line_of(content, relative, '- No Such')}: warning: no published detection is named " \
           "'No Such Detection'" in [str(i) for i in generated.issues]


def test_a_null_story_is_shown_without_a_link_on_the_site(content, tmp_path):
    edit(content, DETECTION, "    - Credential Dumping\n", "    - Credential Dumping\n    -\n")
    generated = generate(content, Inputs(CASE / "attack.json"), "mkdocs")
    page = next(p for p in generated.pages if p.path == ("endpoint", "c2026000-0000-4000-8000-000000000001.md"))
    assert "* None (the source names a story that is empty)\n" in page.text and "(None)" not in page.text


def test_a_score_that_is_not_a_number_is_an_error_and_its_cell_is_empty(content):
    edit(content, DETECTION, "        score: 50\n", "        score: high\n")  # the finding's entity
    line = line_of(content, DETECTION, "score: high")
    assert new_issues(content) == [
        f"{DETECTION}:{line}: error: field 'finding.entity.score' must be a number, not text"]
    generated = generate(content, Inputs(CASE / "attack.json"), "mkdocs")
    page = _page(generated, ("endpoint", "c2026000-0000-4000-8000-000000000001.md"))
    assert "| user | user |  | $user$ saved a registry hive" in page and "None" not in page


def test_an_escu6_lookup_is_linked_in_its_folder_on_the_site_and_by_its_name_as_published(content):
    edit(content, DETECTION, "    | lookup identity", "    | lookup rare_hosts dest OUTPUT rare\n    | lookup identity")
    site = _page(generate(content, Inputs(CASE / "attack.json"), "mkdocs"),
                 ("endpoint", "c2026000-0000-4000-8000-000000000001.md"))
    file, data = (f"https://github.com/splunk/security_content/{view}/develop/lookups/csv" for view in ("blob", "tree"))
    assert f"* [rare\\_hosts]({file}/rare_hosts.yml) with [data]({data}/rare_hosts.csv)\n" in site  # as the form views
    published = generate(content, Inputs(CASE / "attack.json"), "published")
    page = next(p.text for p in published.pages if "credential_dump_via_registry" in p.text and p.path[0] == "_posts")
    published_folder = "https://github.com/splunk/security_content/blob/develop/lookups"
    assert f"* [rare_hosts]({published_folder}/rare_hosts.yml) with [data](" in page


def test_a_baseline_whose_description_ends_with_a_list_keeps_its_facts_apart(content):
    import markdown

    baseline = "baselines/rdp_host_pairs.yml"
    edit(content, baseline, "description: Records which hosts open remote desktop sessions to which.",
         "description: |-\n    Records which hosts open remote desktop sessions:\n\n    - from where\n    - to where")
    text = _page(generate(content, Inputs(CASE / "attack.json"), "mkdocs"), ("baselines", "rdp_host_pairs.md"))
    html = markdown.markdown(text.split("---\n", 2)[2], extensions=["md_in_html"])
    assert "<li>to where</li>\n</ul>" in html and "<ul>\n<li><strong>Status</strong>: production</li>" in html


def test_what_the_escu6_migration_left_for_an_author_is_shown_on_the_site(content):
    relative = "detections/cloud/risky_login_correlation.yml"
    rationale = "    manual_review_rationale: A content author must supply the *finding* entity.\n"
    (content / relative).write_text((content / relative).read_text() + "MANUAL_REVIEW:\n    rba: {}\n" + rationale)
    assert new_issues(content) == []  # a key of the real content, not an unknown one
    generated = generate(content, Inputs(CASE / "attack.json"), "mkdocs")
    page = _page(generated, ("cloud", "c2026000-0000-4000-8000-000000000004.md"))
    assert ('<p class="admonition-title">Risk-based alerting to be written</p>\n\n'
            "A content author must supply the *finding* entity.\n") in page


def test_each_macro_and_lookup_has_a_page_of_what_its_file_says_and_of_the_detections_using_it(content):
    edit(content, "lookups/kvstore/rdp_pairs.yml", "version: 3", "version: 3\nmin_matches: [odd]")  # as written
    assert new_issues(content) == []  # what only these pages show is read as it is: no new error
    generated = generate(content, Inputs(CASE / "attack.json"), "mkdocs")
    lookup = _page(generated, ("lookups", "kvstore", "rdp_pairs.md"))
    for shown in ("- **Type**: kvstore\n", "- **Fields**: \\_key, src, dest, firstTimeSeen\n",
                  "- **Minimum matches**: odd\n", "- **Version**: 3\n", "- **Modified**: 2026-05-13\n",
                  "/lookups/kvstore/rdp_pairs.yml)\n",
                  "| [RDP To Rare Host](/network/c2026000-0000-4000-8000-000000000002/) |"):
        assert shown in lookup, shown
    macro = _page(generated, ("macros", "security_content_summariesonly.md"))
    assert "```spl\nsummariesonly=false allow_old_summaries=true\n```" in macro
    assert "- **Author**: Example Team\n" in macro
    assert "| [Credential Dump Via Registry](/endpoint/c2026000-0000-4000-8000-000000000001/) |" in macro
    detection = _page(generated, ("network", "c2026000-0000-4000-8000-000000000002.md"))
    assert "**Its macros and lookups on this site**: [rdp\\_pairs](/lookups/kvstore/rdp_pairs/)\n" in detection
    assert "## Baselines\n\n* [RDP Host Pairs](/baselines/rdp_host_pairs/)\n" in lookup  # the one that fills it
    assert "No published detection uses it." in _page(generated, ("lookups", "csv", "rare_hosts.md"))
    published = generate(content, Inputs(CASE / "attack.json"), "published")
    assert not [page.path for page in published.pages if page.path[0] in ("macros", "lookups")]


def test_a_lookup_used_by_its_file_s_name_or_through_a_macro_lists_the_detection(content):
    edit(content, DETECTION, "    | lookup identity", "    | inputlookup rare_hosts.csv\n    | lookup identity")
    edit(content, "macros/security_content_summariesonly.yml", "definition: ", "definition: lookup rdp_pairs src ")
    generated = generate(content, Inputs(CASE / "attack.json"), "mkdocs")
    credential_dump = "| [Credential Dump Via Registry](/endpoint/c2026000-0000-4000-8000-000000000001/) |"
    assert credential_dump in _page(generated, ("lookups", "csv", "rare_hosts.md"))  # by its file, rare_hosts.csv
    lookup = _page(generated, ("lookups", "kvstore", "rdp_pairs.md"))  # through the macro the detection calls
    assert credential_dump in lookup
    assert "**Macros that use it**: [security\\_content\\_summariesonly](/macros/security_content_summariesonly/)" \
        in lookup


def test_the_label_of_an_escu6_checkout_comes_from_build_yml(content):
    assert content_label(content) == "Example Content Updates 6.1.0"


SPLUNK_LOOKUP_CALL = re.compile(r"lookup (?:update=true)?(?:append=t)?\s*([^\s]*)")
"""The published April-2024 generator's pattern (security_content_docs, bin/site_gen.py, add_lookups)."""


@pytest.mark.parametrize("search", [
    "| inputlookup a | lookup update=true b x | lookup a y",
    "| inputlookup append=t a | outputlookup a",
    "| lookup update=true\n  a x OUTPUT y | lookup   b",
    "| eval lookup=1 | lookup c.csv x",
    "| inputlookup a where x=1 | search [| inputlookup b | fields x]",
])
def test_lookups_are_found_in_the_published_generators_order_with_repeats(search):
    assert called_lookups(search) == [name for name in SPLUNK_LOOKUP_CALL.findall(search) if name]


def test_keys_no_generation_has_are_rare_in_the_published_corpora():
    """Unknown keys are warnings, not silence, and the corpora have few: each is a real slip."""
    needs_corpus()
    found = {}
    for corpus in ("escu-2022-03", "escu-2024-04", "escu-2024-10", "escu-2025-02"):
        source = SHARED / "corpus" / corpus / "source"
        _, issues = load_content(source, choose_form(source).rules.DETECTION_FOLDERS)
        found[corpus] = sorted(re.sub(r"^.*unknown field '([^']+)'.*$", r"\1", str(i)) for i in issues
                               if "unknown field" in i.message)
    assert found == {
        "escu-2022-03": ["tags.Consequence"] * 2 + ["tags.analytics_story"] * 5,
        "escu-2024-04": ["tags.CVE"],
        "escu-2024-10": ["data_sources", "data_sources", "tags.CVE"],
        "escu-2025-02": [],
    }


def _page(generated, path: tuple[str, ...]) -> str:
    return next(page.text for page in generated.pages if page.path == path)


def test_a_story_with_status_deprecated_is_shown_marked_and_listed_nowhere(content):
    story = "stories/cloud_account_takeover.yml"
    edit(content, story, "status: production\n", "status: deprecated\n")
    edit(content, DETECTION, "    - Credential Dumping\n", "    - Credential Dumping\n    - Cloud Account Takeover\n")
    generated = generate(content, Inputs(CASE / "attack.json"), "mkdocs")
    assert [str(issue) for issue in generated.issues if "Cloud Account Takeover" in str(issue)] == []
    page = _page(generated, ("stories", "cloud_account_takeover.md"))
    assert '<p class="admonition-title">Deprecated story</p>' in page and "Try in Splunk" not in page
    assert "* [Cloud Account Takeover](/stories/cloud_account_takeover) <span class=\"sc-status " \
           "sc-status--deprecated\" data-fidelity-ignore=\"\">deprecated</span>\n" in \
        _page(generated, ("endpoint", "c2026000-0000-4000-8000-000000000001.md"))
    assert "Cloud Account Takeover" not in _page(generated, ("stories.md",))
    assert ("stories", "cloud_security.md") not in [p.path for p in generated.pages]  # its only story's category
    assert [] == [p.path for p in generate(content, Inputs(CASE / "attack.json"), "published").pages
                  if "cloud_account_takeover" in "/".join(p.path)]  # the published sites had no deprecated story


def test_a_deprecated_story_under_a_live_story_s_name_has_no_page_and_a_warning_at_its_name(content):
    (content / "stories" / "deprecated").mkdir()
    old = "stories/deprecated/credential_dumping.yml"
    (content / old).write_text("# the story as it was before it was written again\nname: Credential Dumping\n"
                               "id: 52026000-0000-4000-8000-000000000099\nversion: 1\ndate: '2019-01-01'\n"
                               "author: Someone\ndescription: The old story.\nnarrative: Old.\n")
    generated = generate(content, Inputs(CASE / "attack.json"), "mkdocs")
    assert f"{old}:2: warning: the deprecated story 'Credential Dumping' has no page: the story in " \
           "stories/credential_dumping.yml has its address" in [str(issue) for issue in generated.issues]
    assert "Deprecated story" not in _page(generated, ("stories", "credential_dumping.md"))
