"""One Markdown converter for every page (generator/site/convert.py) gives the pages mkdocs' own conversion,
a new converter for each page, gives."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import ATTACK_10, CORPUS, ROOT, SITE_URL, TESTS, mkdocs_command, needs_corpus
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


FAILING_CHILD = """
import json, sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
from generator.site import convert

def fails(*arguments):
    raise RuntimeError("the child fails while it finishes its pages")

collect, asked = convert.ChildConversion.collect, []

def collected(self, page):
    converted, found = collect(self, page)
    asked.append(found is not None)
    return converted, found

convert._finish = fails  # in the child, forked later
convert.ChildConversion.collect = collected
config = load_config(config_file=sys.argv[1], site_dir=sys.argv[2])
config.plugins.on_startup(command="build", dirty=False)
build(config)
print(json.dumps(asked))
"""


def test_pages_the_child_fails_to_finish_are_finished_here(corpus_site, tmp_path):
    """The child process converts its share of the pages and sends that, then fails while it puts them through the
    theme: this process finishes them with their own template, and the site is the site the child finishes.
    (In a process of its own: this one may run threads, and then forks no child.)"""
    needs_corpus()
    command = mkdocs_command(tmp_path / "site", CONTENT_DIR=str(CORPUS / "source"), ATTACK_BUNDLE=str(ATTACK_10),
                             CVE_FILE=str(CORPUS / "enrichment" / "cves.json"), CONTENT_FORM="", BUILD_CACHE="")
    result = subprocess.run([sys.executable, "-c", FAILING_CHILD, str(ROOT / "mkdocs.yml"), str(tmp_path / "site")],
                            cwd=command["cwd"], env=command["env"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    asked = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(asked) > convert.MIN_PAGES / 2 and not any(asked)  # the child's pages, none finished by it
    same_sites(tree(corpus_site[0]), tree(tmp_path / "site"))


def test_the_child_finishes_pages_only_where_every_shown_title_is_set_in_mkdocs_yml(tmp_path):
    """A page the navigation names without a title shows the title its conversion finds, in every page's
    navigation: another process, which has not converted it, would show another."""
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.nav import get_navigation

    def navigation(entries):
        config = MkDocsConfig()
        config.load_dict({"site_name": "test", "docs_dir": str(tmp_path), "nav": entries})
        config.validate()
        files = Files([File(name, str(tmp_path), str(tmp_path / "site"), True) for name in ("index.md", "b.md")])
        return get_navigation(files, config)

    assert convert.can_finish(navigation([{"Home": "index.md"}, {"B": "b.md"}]))
    assert not convert.can_finish(navigation([{"Home": "index.md"}, "b.md"]))
