"""One Markdown converter for every page (generator/site/convert.py) gives the pages mkdocs' own conversion,
a new converter for each page, gives."""

from __future__ import annotations

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import ATTACK_10, CORPUS, ROOT, SITE_URL, TESTS, needs_corpus
from generator.site import convert
from goldens import tree

CASE = TESTS / "golden" / "form_2024"


def built(site) -> dict[str, bytes]:
    config = load_config(config_file=str(ROOT / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    return tree(site)


def build_own_way(tmp_path, monkeypatch, variables: dict[str, str], shared: bool = False):
    """The site built in this process with a new converter for each page, as mkdocs converts pages; `shared`:
    first (a tree of) the site built with one converter, in the same settings."""
    for name, value in {**variables, "CONTENT_FORM": "", "COMPARE_WITH": "", "RELEASES": "", "SITE_URL": SITE_URL,
                        "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}.items():
        monkeypatch.setenv(name, value)
    one_converter = built(tmp_path / "shared") if shared else None
    monkeypatch.setattr(convert, "SHARED_EXTENSIONS", frozenset())  # no extension is known: mkdocs' own way
    return one_converter, built(tmp_path / "own")


def same_sites(shared: dict[str, bytes], own: dict[str, bytes]) -> None:
    assert sorted(shared) == sorted(own)
    assert [path for path in shared if shared[path] != own[path]] == []


def test_pages_converted_by_one_converter_are_the_pages_mkdocs_converts(tmp_path, monkeypatch):
    shared, own = build_own_way(tmp_path, monkeypatch, {
        "CONTENT_DIR": str(CASE / "content"), "ATTACK_BUNDLE": str(CASE / "attack.json"),
        "CVE_FILE": str(CASE / "cves.json"), "SPLUNK_APPS_FILE": str(CASE / "splunk_apps.json"),
        "D3FEND_FILE": str(CASE / "d3fend.json")}, shared=True)
    same_sites(shared, own)


def test_the_2022_corpus_converted_by_one_converter_is_the_corpus_mkdocs_converts(corpus_site, tmp_path, monkeypatch):
    """The session's corpus site (one converter per process) against the corpus converted as mkdocs does."""
    needs_corpus()
    _, own = build_own_way(tmp_path, monkeypatch, {
        "CONTENT_DIR": str(CORPUS / "source"), "ATTACK_BUNDLE": str(ATTACK_10),
        "CVE_FILE": str(CORPUS / "enrichment" / "cves.json")})
    same_sites(tree(corpus_site[0]), own)
