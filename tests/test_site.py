"""The mkdocs site: a real `mkdocs build --strict`, links under a project path, fidelity to the published site."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import yaml

from conftest import ATTACK_10, CORPUS, CORPUS_2024, SHARED, SITE_URL, TESTS, mkdocs_command
from generator.slug import slugify
from goldens import tree
from sitecheck import broken_links

def test_corpus_builds_strict(corpus_site):
    out, result = corpus_site
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out / "endpoint" / "windows_dism_remove_defender" / "index.html").is_file()


def test_corpus_links_resolve_under_the_project_path(corpus_site):
    out, _ = corpus_site
    assert broken_links(out, SITE_URL) == []


def test_dead_links_are_reported_and_not_linked(corpus_site):
    out, result = corpus_site
    assert re.search(r"^WARNING +- .*/endpoint/detect_kerberoasting/: warning: Initial ESCU implementation by Jose "
                     r"Hernandez and Patrick Bareiss is linked but no page serves it; the link is shown as plain "
                     r"text$", result.stderr, re.MULTILINE)
    # A story page no story file gives: each detection naming it says so already, the link is not reported again.
    assert re.search(r"disable_defender_mpengine_registry.yml:\d+: warning: no story is named 'IceID'; did you mean "
                     r"'IcedID'\?$", result.stderr, re.MULTILINE)
    assert "/stories/" not in "\n".join(line for line in result.stderr.splitlines() if "no page serves it" in line)
    page = (out / "endpoint" / "disable_defender_mpengine_registry" / "index.html").read_text()
    assert "<li>IceID</li>" in page and "stories/iceid" not in page


def test_tag_anchors_with_a_slash_are_reported_once_and_land(corpus_site):
    out, result = corpus_site
    reported = re.findall(r"^WARNING +- +generator: /tags/: warning: (.*)$", result.stderr, re.MULTILINE)
    assert reported == ["tag '/etc/passwd and /etc/shadow' and 10 more tags are linked with a '/' in their anchors "
                        "(/tags/#/etc/passwd-and-/etc/shadow), which the published site did not have; the tag index "
                        "gives their headings those ids, so the links land"]
    assert '<h3 id="scheduled-task/job">Scheduled Task/Job</h3>' in (out / "tags" / "index.html").read_text()


def fidelity_exceptions(form: str) -> dict[str, str]:
    """The pages listed as deliberately not rendered the way kramdown did, for one form, with the reasons."""
    deviations = yaml.safe_load((TESTS / "fidelity_deviations.yml").read_text(encoding="utf-8"))
    return deviations[form]


def fidelity(site: Path, *kramdown: Path) -> tuple[int, int, set[str]]:
    check = subprocess.run([sys.executable, SHARED / "tools" / "fidelity.py", site, *kramdown, "--diff", "9999"],
                           capture_output=True, text=True, timeout=300)
    equivalent, total = map(int, re.search(r"fidelity: (\d+) equivalent of (\d+) pages", check.stdout).groups())
    return equivalent, total, set(re.findall(r"^--- \S+ \((/[^)]*)\)$", check.stdout, re.MULTILINE))


def test_every_page_shows_as_published_except_the_listed_ones(corpus_site):
    out, _ = corpus_site
    equivalent, total, differing = fidelity(out)
    assert total == 595
    assert differing == set(fidelity_exceptions("March-2022"))
    assert equivalent == total - len(differing)


def test_2024_corpus_site_shows_every_page_as_published_except_the_listed_ones(corpus_2024_site):
    out, result = corpus_2024_site
    assert result.returncode == 0, result.stderr[-3000:]
    equivalent, total, differing = fidelity(out, CORPUS_2024 / "kramdown")
    assert total == 1282
    assert differing == set(fidelity_exceptions("April-2024"))
    assert equivalent == total - len(differing)


def test_2024_corpus_site_links_resolve_and_old_addresses_redirect(corpus_2024_site):
    out, _ = corpus_2024_site
    assert broken_links(out, SITE_URL) == []
    detection = out / "endpoint" / "0d370304-5f26-11ec-a4bb-acde48001122" / "index.html"
    assert detection.is_file()
    old = (out / "endpoint" / "linux_edit_cron_table_parameter" / "index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=../0d370304-5f26-11ec-a4bb-acde48001122/">' in old


def test_no_two_pages_of_the_2024_site_share_a_title_but_those_the_content_names_alike(corpus_2024_site):
    """A tab, the history and the search name each page apart: the detection type, the data model and the playbook
    use case named Endpoint, or the story and the tactic named Lateral Movement, had one title. Only pages the
    content itself gives one name (two detections, a detection and a story) still share theirs."""
    out, _ = corpus_2024_site
    pages: dict[str, list[str]] = {}
    for page in sorted(out.rglob("index.html")):
        text = page.read_text(encoding="utf-8")
        if 'http-equiv="refresh"' in text[:2000]:
            continue  # an old address's redirect
        title = re.search(r"<title>([^<]*)</title>", text).group(1).removesuffix(" - Security Content")
        pages.setdefault(html.unescape(title), []).append(page.parent.relative_to(out).as_posix())
    named = Counter(record["name"] for kind in ("detections", "stories", "playbooks")
                    for record in json.loads((out / "api" / f"{kind}.json").read_text(encoding="utf-8")))
    shared = {title: where for title, where in pages.items() if len(where) > 1}
    assert {title: where for title, where in shared.items() if named[title] != len(where)} == {}
    assert len(pages) > 2500 and "Living Off The Land" in shared  # a detection and a story of that name


def test_2024_annotations_open_as_details_and_emoji_are_characters(corpus_2024_site):
    out, _ = corpus_2024_site
    page = (out / "endpoint" / "0d370304-5f26-11ec-a4bb-acde48001122" / "index.html").read_text()
    annotations = page.split('<h3 id="annotations">', 1)[1].split('<h4 id="search">', 1)[0]
    assert annotations.count("<details") == 5 and "markdown=" not in annotations
    assert '<details hidden="hidden">\n<summary>CVE</summary>' in annotations  # empty: hidden, still in the page
    assert re.search(r'<td><a href="https://attack.mitre.org/techniques/T1053/003/"[^>]*>T1053.003</a></td>', annotations)
    assert "<li>Installation</li>" in annotations and "<li>DE.AE</li>" in annotations
    # The theme's own icon, inline: it shows without an emoji font and without fetching anything.
    assert '<span class="twemoji sc-emoji sc-emoji--information" title=":information_source:"><svg' in page


ONE_PROCESS_OWN_CONVERTERS = """
from generator.site import convert
from mkdocs.__main__ import cli

convert.SHARED_EXTENSIONS = frozenset()  # no extension is known: a new converter for each page, as mkdocs does
cli()
"""


def test_pages_converted_on_two_cores_are_the_pages_mkdocs_converts_in_one_process(corpus_site, tmp_path):
    """The session's corpus site (two processes, one Markdown converter each: generator/site/convert.py) against
    the corpus built in one process with a new converter for each page, as mkdocs converts pages: the same files
    and the same messages. (One build for both: where they differ, tests/test_convert.py's small case and
    GENERATOR_PROCESSES=1 alone tell which it is.)"""
    out, result = corpus_site
    # The build reports its progress once per 500 pages, from this process only: the child's copy of the plugin
    # knows it is the child's (its log is replayed here).
    progress = [int(done) for done in re.findall(r"(\d+) of \d+ pages converted or taken from the build cache",
                                                 result.stderr)]
    assert progress and progress == sorted(set(progress)) and progress[0] == 500, progress
    command = mkdocs_command(tmp_path / "serial", GENERATOR_PROCESSES="1", CONTENT_DIR=str(CORPUS / "source"),
                             ATTACK_BUNDLE=str(ATTACK_10), CVE_FILE=str(CORPUS / "enrichment" / "cves.json"))
    serial = subprocess.run([sys.executable, "-c", ONE_PROCESS_OWN_CONVERTERS, *command["args"]], cwd=command["cwd"],
                            env=command["env"], capture_output=True, text=True, timeout=600)
    assert serial.returncode == 0, serial.stderr[-3000:]
    one, two = tree(tmp_path / "serial"), tree(out)
    assert sorted(one) == sorted(two)
    assert [path for path in one if one[path] != two[path]] == []
    def messages(stderr: str) -> list[str]:
        return sorted(line for line in stderr.splitlines() if "WARNING" in line or "ERROR" in line)

    assert messages(result.stderr) == messages(serial.stderr)  # the child's messages are reported too


def test_golden_content_builds_strict_with_every_index(golden_site):
    out, result = golden_site
    assert result.returncode == 0, result.stderr[-3000:]
    for page in ("index.html", "detections/index.html", "stories/index.html", "playbooks/index.html",
                 "tags/index.html", "techniques/index.html", "techniques/T1562.001/index.html",
                 "detections/defense_evasion/index.html", "stories/vulnerability/index.html",
                 "endpoint/disable_defender_with_powershell/index.html"):
        assert (out / page).is_file(), page
    assert broken_links(out, SITE_URL) == []
    # The log names the site's folder (not the folder built in and swapped in), and ends with the content's count.
    assert f"Building documentation to directory: {out}\n" in result.stderr
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert warnings and f"content: 0 errors, {len(warnings)} warning" in result.stderr


def test_the_2022_baselines_and_investigations_have_pages(corpus_site):
    """Before ESCU 5 a baseline or investigation was a file in detections/ of that type; the published site left
    them out, the site shows each at /baselines/<name>/ or /investigations/<name>/, linked to its stories.
    (detections/deprecated/ is not read in the March-2022 form, baselines or not: the site says so.)"""
    out, _ = corpus_site
    typed = {}
    for path in sorted((CORPUS / "source" / "detections").rglob("*.yml")):
        if "deprecated" in path.parts:
            continue
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        if document.get("type") in ("Baseline", "Investigation"):
            typed[path] = document
    assert len(typed) == 99
    for path, document in typed.items():
        folder = "baselines" if document["type"] == "Baseline" else "investigations"
        page = out / folder / slugify(document["name"]) / "index.html"
        assert page.is_file(), path
        html = page.read_text(encoding="utf-8")
        assert document["id"] in html, path
    stories = yaml.safe_load((CORPUS / "source" / "stories" / "apache_struts_vulnerability.yml").read_text())
    investigation = (out / "investigations" / "investigate_web_posts_from_src" / "index.html").read_text()
    assert f'href="../../stories/{slugify(stories["name"])}/"' in investigation
    story = (out / "stories" / slugify(stories["name"]) / "index.html").read_text(encoding="utf-8")
    assert 'href="../../investigations/investigate_web_posts_from_src/"' in story  # and back
