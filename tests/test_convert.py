"""One Markdown converter for every page (generator/site/convert.py) gives the pages mkdocs' own conversion,
a new converter for each page, gives."""

from __future__ import annotations

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import ATTACK_10, CORPUS, ROOT, TESTS, needs_corpus
from generator.site import convert
from goldens import tree

CASE = TESTS / "golden" / "form_2024"


def built(site) -> dict[str, bytes]:
    config = load_config(config_file=str(ROOT / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    return tree(site)


@pytest.mark.parametrize("corpus", [False, True], ids=["golden", "2022 corpus"])
def test_pages_converted_by_one_converter_are_the_pages_mkdocs_converts(corpus, tmp_path, monkeypatch):
    if corpus:
        needs_corpus()
        variables = {"CONTENT_DIR": str(CORPUS / "source"), "ATTACK_BUNDLE": str(ATTACK_10),
                     "CVE_FILE": str(CORPUS / "enrichment" / "cves.json"), "SPLUNK_APPS_FILE": "", "D3FEND_FILE": ""}
    else:
        variables = {"CONTENT_DIR": str(CASE / "content"), "ATTACK_BUNDLE": str(CASE / "attack.json"),
                     "CVE_FILE": str(CASE / "cves.json"), "SPLUNK_APPS_FILE": str(CASE / "splunk_apps.json"),
                     "D3FEND_FILE": str(CASE / "d3fend.json")}
    for name, value in {**variables, "CONTENT_FORM": "", "COMPARE_WITH": "", "NO_MKDOCS_2_WARNING": "1",
                        "SOURCE_DATE_EPOCH": "1700000000"}.items():
        monkeypatch.setenv(name, value)
    shared = built(tmp_path / "shared")
    monkeypatch.setattr(convert, "SHARED_EXTENSIONS", frozenset())  # no extension is known: mkdocs' own way
    own = built(tmp_path / "own")
    assert sorted(shared) == sorted(own)
    assert [path for path in shared if shared[path] != own[path]] == []
