"""Whole-tree golden tests: small sources under tests/golden/<case>/ rendered and compared byte for byte."""

from __future__ import annotations

import pytest

from goldens import CASES, GOLDEN, render_case, tree, tree_differences


@pytest.mark.parametrize("case, layout", CASES, ids=[f"{case.name}-{layout}" for case, layout in CASES])
def test_case_renders_to_its_expected_tree(case, layout, tmp_path):
    issues = render_case(case, layout, tmp_path / "out")

    assert [str(i) for i in issues] == []
    assert tree_differences(case / "expected" / layout, tmp_path / "out") == ""


def test_published_case_exercises_every_branch():
    """The golden case is only worth having if it covers each section and branch of each page kind."""
    pages = {name: data.decode() for name, data in tree(GOLDEN / "basic" / "expected" / "published").items()}
    posts = {name: text for name, text in pages.items() if name.startswith("_posts/")}
    banner = "### ⚠️ WARNING THIS IS A EXPERIMENTAL DETECTION"

    def posts_with(marker: str) -> int:
        return sum(marker in text for text in posts.values())

    assert 0 < posts_with(banner) < len(posts)
    assert 0 < posts_with("#### [ATT&CK]") < len(posts)  # pages with and without techniques
    assert posts_with("(https://attack.mitre.org/techniques/T1562/001/)") == 1  # a sub-technique
    assert 0 < posts_with("#### CVE") < len(posts)
    assert 0 < posts_with("#### Lookups") < len(posts)
    assert posts_with("with [data]()") == 1  # a lookup without a CSV file
    assert 0 < posts_with("#### RBA") < len(posts)
    assert posts_with("- **Datamodel**: \n") == 1  # no datamodel
    assert posts_with("/User/Endpoint), [Network_Traffic]") == 1  # several datamodels
    assert any(text.count("](/stories/") >= 2 for text in posts.values())  # several stories
    assert posts_with("#### Reference\n\n\n#### Test Dataset") == 1  # no references
    assert posts_with("&#34;") >= 1  # detection pages are escaped like the published ones
    assert not any("Baseline Of Traffic" in text or "Old Detection" in text for text in pages.values())

    stories = {name: text for name, text in pages.items() if name.startswith("_stories/")}
    assert any('"turn off the lights"' in text for text in stories.values())  # story pages are not escaped
    assert "| [Quiet Story]() | None | None |" in pages["_pages/stories.md"]

    playbooks = [text for name, text in pages.items() if name.startswith("_playbooks/")]
    assert sum("* [" in text.split("#### How To Implement")[0] for text in playbooks) == 1  # with and without detections
    assert "| None |" in pages["_pages/playbooks.md"]
    assert "#### How To Implement\nNone\n" in pages["_playbooks/enrich_indicators.md"]  # empty field shows None


def _pages(case: str, layout: str) -> dict[str, str]:
    return {name: data.decode() for name, data in tree(GOLDEN / case / "expected" / layout).items()}


def test_the_later_schemas_cases_show_each_new_section_in_both_layouts():
    """ESCU 5 (rba) and ESCU 6 (findings) make the April-2024 RBA section; the site adds the rest."""
    published_2025, published_2026 = _pages("escu_2025", "published"), _pages("escu_2026", "published")
    rba = published_2025["_posts/2025-01-20-e2025000-0000-4000-8000-00000000000a.md"]
    assert "| dest | system | 64 | An encoded PowerShell command ran on $dest$ as $user$ and fetched $url$. |" in rba
    assert "| url | url |" in rba and "Risk Score = (Impact * Confidence/100)" not in rba
    assert "* [None](None)\n" in rba and "old_process_filter.yml" not in rba
    hunting = published_2025["_posts/2025-02-03-e2025000-0000-4000-8000-000000000003.md"]
    assert "#### RBA" not in hunting and "Risk Score = (Impact * Confidence/100)" in hunting
    finding = published_2026["_posts/2026-05-13-c2026000-0000-4000-8000-000000000001.md"]
    assert "| user | user | 50 | $user$ saved a registry hive with credentials on $dest$ |" in finding
    assert "| dest | system | 50 | A registry hive with credentials was saved on $dest$ |" in finding
    assert "- **Last Updated**: 2026-05-13" in finding and "| process | process |" in finding

    site_2025, site_2026 = _pages("escu_2025", "mkdocs"), _pages("escu_2026", "mkdocs")
    assert "From ESCU Default Configuration TTP" in site_2025["endpoint/e2025000-0000-4000-8000-00000000000a.md"]
    assert {"baselines/index.md", "investigations/index.md", "api/baselines.json"} <= set(site_2025)
    assert "[User Logins In The Last Day](/investigations/" in site_2025["stories/cloud_account_takeover.md"]
    page = site_2026["endpoint/c2026000-0000-4000-8000-000000000001.md"]
    for shown in ("- **Created**: 2021-05-11", "- **Last Updated**: 2026-05-13", "[Registry Hive Reads - Initial]",
                  "(experimental test)", "PORTED MANUAL TEST", "- **Threat groups**: Example Spider"):
        assert shown in page, shown
    assert "- **Modified**:" not in page  # the date "Last Updated" shows, once
    baseline = site_2026["baselines/registry_hive_reads_-_initial.md"]
    assert "[Credential Dump Via Registry](/endpoint/c2026000-0000-4000-8000-000000000001/)" in baseline
    assert "From Default Baseline (schedules/default\\_baseline.yml), which it names." in baseline
    removed = site_2026["deprecated/0d2026aa-0000-4000-8000-000000000001.md"]
    assert "THIS DETECTION WAS REMOVED" in removed and "(/endpoint/c2026000-0000-4000-8000-000000000001/)" in removed
    assert "| [RDP From Anywhere](/deprecated/0d2026aa-0000-4000-8000-000000000002/) | 5.4.0 |" in \
        site_2026["removed/index.md"]
