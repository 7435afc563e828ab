"""Bad input: one located message per problem, other pages still written, exit status from errors only."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from conftest import GOLDEN_BASIC, render_args, run_generator

DETECTION = "detections/endpoint/disable_defender_with_powershell.yml"
GOOD_PAGE = "_posts/2021-12-24-exploit_of_example_portal.md"


def edit(content: Path, relative: str, old: str, new: str) -> None:
    path = content / relative
    text = path.read_text()
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1))


def line_of(content: Path, relative: str, needle: str) -> int:
    lines = (content / relative).read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


UNPUBLISHED_FOLDER = "detections/deprecated: warning: not read: "
"""The golden content's own warning: the 2022-03 form does not publish its deprecated folder (tests/golden/basic)."""


def render(content: Path, out: Path):
    """Render; the problems reported, but for the golden content's own folder warning."""
    result = run_generator(*render_args(content, out))
    messages = [line for line in result.stderr.splitlines() if (": error: " in line or ": warning: " in line)
                and not line.startswith(UNPUBLISHED_FOLDER)]
    return result, messages


def test_malformed_yaml_is_located_and_other_pages_are_written(content, tmp_path):
    (content / "detections/endpoint/broken.yml").write_text("name: Broken\nsearch: '| tstats\ntags: [\n")

    result, messages = render(content, tmp_path / "out")

    assert result.returncode == 1
    assert len(messages) == 1
    # The quote opened on line 2 is never closed: the parser notices at the end of the file, the message points
    # at the quote.
    assert messages[0] == ("detections/endpoint/broken.yml:2: error: invalid YAML: while scanning a quoted scalar "
                           "that starts on this line: found unexpected end of stream (line 4)")
    assert (tmp_path / "out" / GOOD_PAGE).is_file()


def test_missing_required_field(content, tmp_path):
    edit(content, DETECTION, "author: Example Author, Example Org\ntype: TTP\n", "author: Example Author, Example Org\n")

    result, messages = render(content, tmp_path / "out")

    assert messages == [
        f"{DETECTION}:1: error: required field 'type' is missing; the detection is left out",
        # the playbook that names it now links to nothing, and says why
        "playbooks/contain_defender_tampering.yml:17: warning: the detection 'Disable Defender With PowerShell' is "
        f"in {DETECTION}, which has errors (see that file's messages): it is linked once they are fixed",
    ]
    assert result.returncode == 1
    assert not (tmp_path / "out/_posts/2022-01-10-disable_defender_with_powershell.md").exists()
    assert (tmp_path / "out" / GOOD_PAGE).is_file()


def test_every_unusable_field_of_a_file_is_reported_at_once(content, tmp_path):
    # Each of these alone leaves the detection out; a contributor fixing them should not meet them one by one.
    edit(content, DETECTION, "name: Disable Defender With PowerShell\n", "")
    edit(content, DETECTION, "version: 2\n", "version: [2]\n")
    edit(content, DETECTION, "date: '2022-01-10'\n", "date: last week\n")
    edit(content, DETECTION, "search: '| tstats", "searches: '| tstats")

    result, messages = render(content, tmp_path / "out")

    assert messages == [
        f"{DETECTION}:1: error: required field 'name' is missing; the detection is left out",
        f"{DETECTION}:1: error: required field 'search' is missing; the detection is left out",
        f"{DETECTION}:2: error: field 'version' must be a number, not a list; the detection is left out",
        f"{DETECTION}:3: error: field 'date' must be a date (YYYY-MM-DD), not 'last week'; the detection is left out",
        f"{DETECTION}:{line_of(content, DETECTION, 'searches:')}: warning: unknown field 'searches' is not shown; "
        "did you mean 'search'?",
        # Its name is unusable: nothing tells the playbook that names it where the detection went.
        "playbooks/contain_defender_tampering.yml:17: warning: no published detection is named "
        "'Disable Defender With PowerShell'",
    ]
    assert result.returncode == 1
    assert not (tmp_path / "out/_posts/2022-01-10-disable_defender_with_powershell.md").exists()


def test_a_detection_left_out_for_its_errors_still_gets_the_problems_linking_it_finds(content, tmp_path):
    # Without its search the detection has no page, but its technique ids, stories and CVEs are checked now,
    # not after the search is back.
    edit(content, DETECTION, "search: '| tstats", "searches: '| tstats")
    edit(content, DETECTION, "  - T1562\n", "  - T99\n")
    edit(content, DETECTION, "  - Defense Evasion Basics\n", "  - Defense Evasion Basic\n")
    edit(content, DETECTION, "  confidence: 90\n", "  confidence: 90\n  cve:\n  - CVE-2099-0404\n")

    result, messages = render(content, tmp_path / "out")

    assert messages == [
        f"{DETECTION}:1: error: required field 'search' is missing; the detection is left out",
        f"{DETECTION}:{line_of(content, DETECTION, 'searches:')}: warning: unknown field 'searches' is not shown; "
        "did you mean 'search'?",
        f"{DETECTION}:{line_of(content, DETECTION, '- Defense Evasion Basic')}: warning: no story is named "
        "'Defense Evasion Basic'; did you mean 'Defense Evasion Basics'?",
        f"{DETECTION}:{line_of(content, DETECTION, '- CVE-2099-0404')}: warning: CVE-2099-0404 is not in the CVE "
        "file; it is shown without summary and score",
        f"{DETECTION}:{line_of(content, DETECTION, '- T99')}: error: 'T99' is not an ATT&CK technique id (T and "
        "four digits, and .NNN for a sub-technique, as in T1003.001); it is left out",
        "playbooks/contain_defender_tampering.yml:17: warning: the detection 'Disable Defender With PowerShell' is "
        f"in {DETECTION}, which has errors (see that file's messages): it is linked once they are fixed",
    ]
    assert result.returncode == 1

    # Without a CVE file, the one warning counts the CVEs shown by id: those of the detection left out are not.
    without_cves = render_args(content, tmp_path / "again")
    del without_cves[without_cves.index("--cves"):without_cves.index("--cves") + 2]
    stderr = run_generator(*without_cves).stderr
    assert ("detections/web/exploit_of_example_portal.yml:20: warning: CVE-2099-0001 and 1 more are shown without "
            "summary and score: no CVE file was given") in stderr.splitlines()


def test_an_unusable_item_of_a_list_leaves_out_that_item_alone(content, tmp_path):
    edit(content, DETECTION, "  - name: dest\n    type: Hostname\n", "  - type: Hostname\n")

    result, messages = render(content, tmp_path / "out")

    line = line_of(content, DETECTION, "  - type: Hostname")
    assert messages == [f"{DETECTION}:{line}: error: required field 'tags.observable[1].name' is missing; "
                        "'tags.observable[1]' is left out"]
    assert result.returncode == 1
    # the observable is left out (the 2022 form does not show observables), the detection's page written
    assert "Set-MpPreference" in (tmp_path / "out/_posts/2022-01-10-disable_defender_with_powershell.md").read_text()


def test_wrong_types_are_each_reported(content, tmp_path):
    edit(content, DETECTION, "references:\n- https://example.com/defender-settings\n- https://example.com/a?b=1&c=2\n",
         "references: 5\n")
    edit(content, DETECTION, "  impact: 70\n", "  impact: high\n")

    result, messages = render(content, tmp_path / "out")

    assert messages == [
        f"{DETECTION}:{line_of(content, DETECTION, 'references:')}: error: field 'references' must be a list, not a number",
        f"{DETECTION}:{line_of(content, DETECTION, 'impact:')}: error: field 'tags.impact' must be a number, not text",
    ]
    assert result.returncode == 1
    assert (tmp_path / "out/_posts/2022-01-10-disable_defender_with_powershell.md").is_file()


def test_an_attack_id_the_bundle_lacks_is_shown_with_a_warning_at_its_list_item(content, tmp_path):
    edit(content, DETECTION, "  - T1562\n", "  - T9999\n")

    result, messages = render(content, tmp_path / "out")

    line = line_of(content, DETECTION, "- T9999")
    assert messages == [f"{DETECTION}:{line}: warning: ATT&CK technique 'T9999' is not in the ATT&CK bundle (its "
                        "version unknown); it is shown by its id alone (a newer bundle may have it)"]
    assert result.returncode == 0
    page = (tmp_path / "out/_posts/2022-01-10-disable_defender_with_powershell.md").read_text()
    assert "| [T9999](https://attack.mitre.org/techniques/T9999/) |  |  |" in page


def test_a_malformed_attack_id_is_an_error_at_its_list_item(content, tmp_path):
    edit(content, DETECTION, "  - T1562\n", "  - T99\n")

    result, messages = render(content, tmp_path / "out")

    line = line_of(content, DETECTION, "- T99")
    assert messages == [f"{DETECTION}:{line}: error: 'T99' is not an ATT&CK technique id (T and four "
                        "digits, and .NNN for a sub-technique, as in T1003.001); it is left out"]
    assert result.returncode == 1


def test_undefined_macro(content, tmp_path):
    (content / "macros/cloudtrail.yml").unlink()

    result, messages = render(content, tmp_path / "out")

    relative = "detections/cloud/cloud_login_from_new_country.yml"
    assert messages == [f"{relative}:{line_of(content, relative, 'search:')}: error: "
                        "the search uses macro `cloudtrail` but no macro file defines it"]
    assert result.returncode == 1
    assert "(1 error, 1 warning)" in result.stderr.splitlines()[-1]  # and the golden content's own folder warning


def test_a_macro_file_that_does_not_parse_is_named_where_its_macro_is_used(content, tmp_path):
    # The detection's page lacks the macro because of the macro file's error, which is reported once, there; the
    # detection only points at it (a warning, so one broken file does not count as an error per detection).
    (content / "macros/cloudtrail.yml").write_text("name: cloudtrail\ndefinition: 'sourcetype=aws\n")

    result, messages = render(content, tmp_path / "out")

    relative = "detections/cloud/cloud_login_from_new_country.yml"
    assert messages == [
        f"{relative}:{line_of(content, relative, 'search:')}: warning: the search uses macro `cloudtrail`, but its "
        "file macros/cloudtrail.yml has errors (see that file's messages): the page lists the macro once they are "
        "fixed",
        "macros/cloudtrail.yml:2: error: invalid YAML: while scanning a quoted scalar that starts on this line: "
        "found unexpected end of stream (line 3)"]
    assert result.returncode == 1


def test_what_names_a_story_or_lookup_left_out_for_its_errors_points_at_that_file(content, tmp_path):
    # A story and a lookup whose files do not parse (their names read from their `name:` lines): what names them
    # is told which file to fix, not that nothing has the name.
    edit(content, "stories/defense_evasion_basics.yml", "\ndescription: Techniques", "\ndescription: [Techniques")
    (content / "lookups/host_reputation.yml").write_text("name: host_reputation\ndescription: [A KV store\n")

    result, messages = render(content, tmp_path / "out")

    rare_host = "detections/experimental/endpoint/powershell_download_to_rare_host.yml"
    story = "stories/defense_evasion_basics.yml"
    fixed = "which has errors (see that file's messages): it is linked once they are fixed"
    assert messages == [
        f"{DETECTION}:{line_of(content, DETECTION, '- Defense Evasion Basics')}: warning: the story 'Defense "
        f"Evasion Basics' is in {story}, {fixed}",
        f"{rare_host}:{line_of(content, rare_host, 'search:')}: warning: the search uses lookup 'host_reputation', "
        "but its file lookups/host_reputation.yml has errors (see that file's messages): the page lists the lookup "
        "once they are fixed",
        f"{rare_host}:{line_of(content, rare_host, '- Defense Evasion Basics')}: warning: the story 'Defense "
        f"Evasion Basics' is in {story}, {fixed}",
        "lookups/host_reputation.yml:2: error: invalid YAML: while parsing a flow sequence that starts on this line: "
        "did not find expected ',' or ']' (line 3)",
        f"{story}:{line_of(content, story, 'description:')}: error: invalid YAML: while parsing a flow sequence "
        "that starts on this line: did not find expected ',' or ']' (line 7)"]
    assert result.returncode == 1


def test_what_names_a_data_source_or_baseline_left_out_for_its_errors_points_at_that_file(tmp_path):
    # ESCU 6: detections name their data sources and baselines.
    case = GOLDEN_BASIC.parent / "escu_2026"
    content = tmp_path / "content"
    shutil.copytree(case / "content", content)
    edit(content, "data_sources/sysmon_eventid_1.yml", "description: Process", "description: [Process")
    baseline = "baselines/rdp_host_pairs.yml"
    text = (content / baseline).read_text()
    (content / baseline).write_text(text.replace("\nsearch:", "\nsearched:", 1))

    result = run_generator("render", "--content", content, "--attack", case / "attack.json", "--out",
                           tmp_path / "out")

    fixed = "which has errors (see that file's messages): it is linked once they are fixed"
    fork = "detections/endpoint/fork_encoded_command.yml"
    rdp = "detections/network/rdp_to_rare_host.yml"
    assert (f"{fork}:{line_of(content, fork, '- Sysmon EventID 1')}: warning: the data source 'Sysmon EventID 1' "
            f"is in data_sources/sysmon_eventid_1.yml, {fixed}") in result.stderr
    assert (f"{rdp}:{line_of(content, rdp, '- RDP Host Pairs')}: warning: the baseline 'RDP Host Pairs' is in "
            f"{baseline}, {fixed}") in result.stderr
    assert "no data source is named" not in result.stderr and "no baseline is named" not in result.stderr
    assert f"{baseline}:1: error: required field 'search' is missing; the baseline is left out" in result.stderr
    # The site's page of the detection says so too.
    run_generator("render", "--layout", "mkdocs", "--content", content, "--attack", case / "attack.json", "--out",
                  tmp_path / "site")
    page = next((tmp_path / "site" / "network").glob("*.md")).read_text()
    assert "* RDP Host Pairs (its file has errors)" in page


def test_a_macro_nothing_defines_while_a_macro_file_has_errors(content, tmp_path):
    # The broken file is not named after the macro, but it may be the one that defines it.
    (content / "macros/cloudtrail.yml").unlink()
    (content / "macros/aws_logs.yml").write_text("- not a mapping\n")

    result, messages = render(content, tmp_path / "out")

    relative = "detections/cloud/cloud_login_from_new_country.yml"
    assert messages == [
        f"{relative}:{line_of(content, relative, 'search:')}: error: the search uses macro `cloudtrail` but no "
        "macro file defines it (unless macros/aws_logs.yml does: that file has errors)",
        "macros/aws_logs.yml:1: error: the file must hold a mapping of fields, not a list"]
    assert result.returncode == 1


def test_a_macro_nothing_defines_while_several_macro_files_have_errors(content, tmp_path):
    (content / "macros/cloudtrail.yml").unlink()
    for name in ("a", "b", "c", "d"):
        (content / f"macros/{name}.yml").write_text("name: [\n")

    result, messages = render(content, tmp_path / "out")

    relative = "detections/cloud/cloud_login_from_new_country.yml"
    assert messages[0] == (
        f"{relative}:{line_of(content, relative, 'search:')}: error: the search uses macro `cloudtrail` but no "
        "macro file defines it (unless one of the 4 macro files with errors does: macros/a.yml, macros/b.yml, "
        "macros/c.yml, ...)")
    assert [message.split(":", 1)[0] for message in messages[1:]] == [f"macros/{name}.yml" for name in "abcd"]


def test_a_filter_macro_not_named_after_the_detection_is_a_warning(content, tmp_path):
    edit(content, DETECTION, "`disable_defender_with_powershell_filter`", "`defender_tamper_filter`")

    result, messages = render(content, tmp_path / "out")

    assert messages == [f"{DETECTION}:{line_of(content, DETECTION, 'search:')}: warning: the search's filter macro is "
                        "`defender_tamper_filter`, not `disable_defender_with_powershell_filter`, which Splunk's "
                        "build makes for this detection: the site's page names `defender_tamper_filter`, the "
                        "published layout `disable_defender_with_powershell_filter` (rename the macro in the search, "
                        "or the detection)"]
    assert result.returncode == 0
    page = (tmp_path / "out" / "_posts" / "2022-01-10-disable_defender_with_powershell.md").read_text()
    assert "Note that `disable_defender_with_powershell_filter` is a empty macro" in page  # as published
    site = tmp_path / "site"
    run_generator(*render_args(content, site)[:2], "mkdocs", *render_args(content, site)[3:])
    page = (site / "endpoint" / "disable_defender_with_powershell.md").read_text()
    assert "Note that `defender_tamper_filter` is a empty macro" in page  # the one the search calls


def test_cve_missing_from_the_cve_file(content, tmp_path):
    relative = "detections/web/exploit_of_example_portal.yml"
    edit(content, relative, "  - CVE-2099-0002\n", "  - CVE-2099-7777\n")

    result, messages = render(content, tmp_path / "out")

    line = line_of(content, relative, "CVE-2099-7777")
    assert messages == [f"{relative}:{line}: warning: CVE-2099-7777 is not in the CVE file; "
                        "it is shown without summary and score"]
    assert result.returncode == 0
    page = (tmp_path / "out" / "_posts" / "2021-12-24-exploit_of_example_portal.md").read_text()
    assert "| [CVE-2099-7777](https://nvd.nist.gov/vuln/detail/CVE-2099-7777) |  |  |" in page


def test_warnings_alone_exit_zero(content, tmp_path):
    edit(content, DETECTION, "  - Defense Evasion Basics\n", "  - Defense Evasion Basic\n")
    relative = "detections/experimental/endpoint/powershell_download_to_rare_host.yml"
    edit(content, relative, "lookup update=true host_reputation", "lookup update=true other_app_lookup")

    result, messages = render(content, tmp_path / "out")

    assert messages == [
        f"{DETECTION}:{line_of(content, DETECTION, 'Defense Evasion Basic')}: warning: no story is named "
        "'Defense Evasion Basic'; did you mean 'Defense Evasion Basics'?",
        f"{relative}:{line_of(content, relative, 'search:')}: warning: the search uses lookup 'other_app_lookup' "
        "but no lookup file defines it (it may come from another Splunk app)",
    ]
    assert result.returncode == 0
    assert "(0 errors, 3 warnings)" in result.stderr  # and the golden content's own folder warning


def test_two_sources_for_one_page_warn_and_keep_the_first(content, tmp_path):
    twin = content / "detections/endpoint/zz_twin.yml"
    twin.write_text((content / DETECTION).read_text().replace("version: 2", "version: 99")
                    .replace("-000000000001", "-000000000099"))

    result, messages = render(content, tmp_path / "out")

    assert messages == [f"detections/endpoint/zz_twin.yml:1: warning: gives the same page "
                        f"_posts/2022-01-10-disable_defender_with_powershell.md as {DETECTION}; only {DETECTION} is written"]
    assert result.returncode == 0
    page = (tmp_path / "out/_posts/2022-01-10-disable_defender_with_powershell.md").read_text()
    assert "*version*: **2**" in page


def test_all_problems_are_reported_not_only_the_first(content, tmp_path):
    (content / "stories/bad.yml").write_text("- just\n- a list\n")
    (content / "macros/bad.yml").write_text("name: [\n")
    edit(content, DETECTION, "  - T1562\n", "  - T0\n")

    result, messages = render(content, tmp_path / "out")

    assert [m.split(": error: ")[0] for m in messages] == [
        f"{DETECTION}:{line_of(content, DETECTION, 'T0')}", "macros/bad.yml:2", "stories/bad.yml:1"]
    assert result.returncode == 1


def test_a_text_where_a_list_belongs_is_shown_as_published(content, tmp_path):
    relative = "playbooks/enrich_indicators.yml"
    edit(content, relative, "app_list: []", "app_list: None")

    result, messages = render(content, tmp_path / "out")

    assert messages == [f"{relative}:{line_of(content, relative, 'app_list')}: warning: field 'app_list' should be a "
                        "list, not text; each of its characters is shown as an item"]
    assert "  - N\n  - o\n  - n\n  - e\n" in (tmp_path / "out/_playbooks/enrich_indicators.md").read_text()


def test_an_id_where_a_list_of_ids_belongs_is_read_as_a_list_of_that_one_id(content, tmp_path):
    # Each of its characters would be an error of its own ("'T' is not an ATT&CK technique id", ...); the
    # published generator failed on it.
    edit(content, DETECTION, "  mitre_attack_id:\n  - T1562.001\n  - T1562\n", "  mitre_attack_id: T1562.001\n")
    web = "detections/web/exploit_of_example_portal.yml"
    edit(content, web, "  cve:\n  - CVE-2099-0001\n  - CVE-2099-0002\n", "  cve: CVE-2099-0001\n")

    result, messages = render(content, tmp_path / "out")

    assert messages == [
        f"{DETECTION}:{line_of(content, DETECTION, 'mitre_attack_id')}: warning: field 'tags.mitre_attack_id' should "
        "be a list, not text; it is read as a list of one item ('T1562.001')",
        f"{web}:{line_of(content, web, 'cve:')}: warning: field 'tags.cve' should be a list, not text; it is read as a "
        "list of one item ('CVE-2099-0001')"]
    assert result.returncode == 0
    page = (tmp_path / "out/_posts/2022-01-10-disable_defender_with_powershell.md").read_text()
    assert "[T1562.001](https://attack.mitre.org/techniques/T1562/001/)" in page


def test_a_version_that_is_not_a_number_is_shown_as_written_with_a_warning(content, tmp_path):
    edit(content, DETECTION, "version: 2\n", "version: two\n")
    web = "detections/web/exploit_of_example_portal.yml"
    edit(content, web, "version: 3\n", "version: '3'\n")  # a number, quoted: nothing to say

    result, messages = render(content, tmp_path / "out")

    assert messages == [f"{DETECTION}:3: warning: field 'version' should be a number, not text ('two'); it is shown "
                        "as written"]
    assert result.returncode == 0
    assert "*version*: **two**" in (tmp_path / "out/_posts/2022-01-10-disable_defender_with_powershell.md").read_text()


def test_configuration_problems_stop_the_run_with_a_message(tmp_path):
    result = run_generator("render", "--content", tmp_path / "nowhere", "--attack", tmp_path / "x.json",
                           "--out", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.strip().endswith("content directory not found")
    assert "Traceback" not in result.stderr

    (tmp_path / "content").mkdir()
    (tmp_path / "bundle.json").write_text(textwrap.dedent("""{"type": "not-a-bundle"}"""))
    result = run_generator("render", "--content", tmp_path / "content", "--attack", tmp_path / "bundle.json",
                           "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "not a STIX bundle" in result.stderr
    assert "Traceback" not in result.stderr


def test_without_a_cve_file_cves_are_shown_by_id_with_one_warning(content, tmp_path):
    args = render_args(content, tmp_path / "out")
    cves_at = args.index("--cves")
    del args[cves_at:cves_at + 2]

    result = run_generator(*args)
    messages = [line for line in result.stderr.splitlines() if (": warning: " in line or ": error: " in line)
                and not line.startswith(UNPUBLISHED_FOLDER)]

    relative = "detections/web/exploit_of_example_portal.yml"
    assert messages == [  # said once, at the first, with how many there are
        f"{relative}:{line_of(content, relative, '- CVE-2099-0001')}: warning: CVE-2099-0001 and 1 more are shown "
        "without summary and score: no CVE file was given",
    ]
    assert result.returncode == 0
    page = (tmp_path / "out/_posts/2021-12-24-exploit_of_example_portal.md").read_text()
    assert "| [CVE-2099-0001](https://nvd.nist.gov/vuln/detail/CVE-2099-0001) |  |  |" in page


def test_symbolic_links_leading_out_or_nowhere_are_located_errors(content, tmp_path):
    secret = tmp_path / "secret.yml"
    secret.write_text("name: Secret Outside\nid: x\nversion: 1\ndate: '2024-01-01'\ntype: TTP\nsearch: x\n")
    (content / "detections/endpoint/outside.yml").symlink_to(secret)
    (content / "detections/endpoint/loop_a.yml").symlink_to(content / "detections/endpoint/loop_b.yml")
    (content / "detections/endpoint/loop_b.yml").symlink_to(content / "detections/endpoint/loop_a.yml")
    inside = content / "detections/endpoint/inside.yml"
    inside.symlink_to(content / DETECTION)

    result, messages = render(content, tmp_path / "out")

    assert "detections/endpoint/outside.yml: error: is a symbolic link to a file outside the content directory; " \
           "it is not read" in messages
    assert "detections/endpoint/loop_a.yml: error: is a symbolic link that leads nowhere (a loop or a missing " \
           "file); it is not read" in messages
    assert "Secret Outside" not in "".join(p.read_text() for p in (tmp_path / "out").rglob("*.md"))
    assert result.returncode == 1 and (tmp_path / "out" / GOOD_PAGE).is_file()


def test_where_a_new_detection_left_out_for_its_errors_will_have_its_page(content):
    """`Site.unshown`: where `mkdocs serve` shows the errors of a detection that never had a page. From the fields
    of a file that parses; from its top-level `name:` and `id:` lines when it does not parse; nowhere when they are
    unusable."""
    from generator.pipeline import Inputs, generate

    original = (content / DETECTION).read_text()
    folder = content / "detections/endpoint"
    (folder / "a_missing_search.yml").write_text(
        original.replace("name: Disable Defender With PowerShell", "name: A Missing Search").replace("\nsearch:", "\nsearches:"))
    (folder / "b_bad_yaml.yml").write_text(
        original.replace("name: Disable Defender With PowerShell", "name: 'B Bad YAML'").replace("type: TTP", "type: [TTP"))
    (folder / "c_no_name.yml").write_text(original.replace("name: Disable Defender With PowerShell\n", "")
                                          .replace("\nsearch:", "\nsearches:"))
    (folder / "d_name_in_a_list.yml").write_text(
        original.replace("name: Disable Defender With PowerShell", "name: [D]").replace("type: TTP", "type: [TTP"))

    generated = generate(content, Inputs(GOLDEN_BASIC / "attack.json", GOLDEN_BASIC / "cves.json"), "mkdocs")

    assert generated.site.unshown == (("detections/endpoint/a_missing_search.yml", "/endpoint/a_missing_search/"),
                                      ("detections/endpoint/b_bad_yaml.yml", "/endpoint/b_bad_yaml/"))
    # The file that does not parse reports its YAML alone, not what the lines read from it lack.
    assert [issue.message.split(":")[0] for issue in generated.issues
            if issue.path == "detections/endpoint/b_bad_yaml.yml"] == ["invalid YAML"]


def test_a_playbook_left_out_for_its_errors_still_has_the_detections_it_names_checked(content, tmp_path):
    playbook = "playbooks/contain_defender_tampering.yml"
    edit(content, playbook, "id: 9a0a1c2d-0000-4000-8000-000000000001\n", "")
    edit(content, playbook, "  - Exploit of Example Portal\n", "  - Exploit of Example Portl\n")

    result, messages = render(content, tmp_path / "out")

    assert messages == [
        f"{playbook}:1: error: required field 'id' is missing; the playbook is left out",
        f"{playbook}:{line_of(content, playbook, 'Example Portl')}: warning: no published detection is named "
        "'Exploit of Example Portl'",
    ]


def test_a_baseline_left_out_for_its_errors_still_has_its_stories_and_detections_checked(tmp_path):
    golden = GOLDEN_BASIC.parent / "escu_2025"
    content = tmp_path / "content"
    shutil.copytree(golden / "content", content)
    baseline = "baselines/command_line_lengths.yml"
    edit(content, baseline, "search: '| tstats", "searches: '| tstats")
    edit(content, baseline, "  - Malicious PowerShell\n", "  - Malicious PowerShel\n")

    result = run_generator("render", "--layout", "mkdocs", "--content", content, "--attack", golden / "attack.json",
                           "--out", tmp_path / "out")

    assert [line for line in result.stderr.splitlines() if line.startswith(baseline)] == [
        f"{baseline}:1: error: required field 'search' is missing; the baseline is left out",
        f"{baseline}:{line_of(content, baseline, 'searches:')}: warning: unknown field 'searches' is not shown; "
        "did you mean 'search'?",
        f"{baseline}:{line_of(content, baseline, 'PowerShel')}: warning: no story is named 'Malicious PowerShel'; "
        "did you mean 'Malicious PowerShell'?",
        f"{baseline}:{line_of(content, baseline, 'Is Gone')}: warning: no published detection is named "
        "'A Detection That Is Gone'",
    ]


def test_text_yaml_reads_as_a_mapping_is_located_with_how_to_quote_it(content, tmp_path):
    """`- Splunk: Cloud` is a mapping to YAML ({"Splunk": "Cloud"}): the message says to quote it."""
    edit(content, DETECTION, "  - Splunk Cloud\n", "  - Splunk: Cloud\n")
    result, messages = render(content, tmp_path / "out")
    assert messages == [f"{DETECTION}:{line_of(content, DETECTION, 'Splunk: Cloud')}: error: item 2 of 'tags.product' "
                        "must be text, not a mapping (YAML reads text with ': ' in it as a mapping: quote it, "
                        '"Splunk: Cloud")']
    assert result.returncode == 1 and (tmp_path / "out" / GOOD_PAGE).is_file()
