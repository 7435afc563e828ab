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
