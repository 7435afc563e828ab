"""The hostile-input suite (tests/hostile/): every case through both CLI layouts and `mkdocs build`, then Chromium.

Each case of tests/hostile/cases.yml starts from a copy of tests/hostile/base,
changes one thing and states what must happen; see tests/hostile/README.md.
All cases are run once per session, two at a time, and each case's checks
are a test of its own.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, TESTS, QuietHandler, mkdocs_command

SUITE = TESTS / "hostile"
CASES = yaml.safe_load((SUITE / "cases.yml").read_text(encoding="utf-8"))
SECRET_FILE = "name: SECRET-OUTSIDE\nid: 5ec7e700-0000-4000-8000-000000000000\nversion: 1\ndate: '2024-01-01'\n" \
              "type: TTP\nsearch: '| makeresults'\ndescription: SECRET-OUTSIDE\n"
VICTIM = "a file outside every output directory\n"
OUTPUTS = ("out-published", "out-mkdocs", "site")
ISSUE_LINE = re.compile(r"^(?:[A-Z]+\s+-\s+)?(?:generator: )?(\S.*?: (?:error|warning): .*)$")


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def expand(text: str) -> str:
    """`{{ 'x' * N }}` in a case stands for N copies of x (long inputs stay readable in cases.yml)."""
    return re.sub(r"\{\{ '(.+?)' \* (\d+) \}\}", lambda m: m.group(1) * int(m.group(2)), text)


def prepare(case: dict, root: Path) -> Path:
    """The case's directory: base/ with the case's change applied, plus files outside every output."""
    where = root / slug(case["name"])
    shutil.copytree(SUITE / "base", where, symlinks=True)
    (where / "outside.yml").write_text(SECRET_FILE)
    (where / "victim.txt").write_text(VICTIM)
    (where / "victim-folder").mkdir()
    target = where / case["file"] if "file" in case else None
    if target is not None and not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
    if "move" in case:
        target.rename(where / case["move"])
    if "replace" in case:
        old, new = case["replace"]
        text = target.read_text(encoding="utf-8")
        assert old in text, f"{case['name']}: {old!r} is not in {case['file']}"
        target.write_text(text.replace(old, expand(new), 1), encoding="utf-8")
    if "write" in case:
        target.write_text(expand(case["write"]), encoding="utf-8")
    if "write_bytes" in case:
        target.write_bytes(bytes.fromhex(case["write_bytes"]))
    if "symlink" in case:
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        target.symlink_to(case["symlink"])
    if case.get("fifo"):
        os.mkfifo(target)
    for path, mode in (case.get("mode") or {}).items():
        (where / path).chmod(int(mode, 8))
    for output in OUTPUTS:
        for path, link in (case.get("plant") or {}).items():
            planted = where / output / path
            planted.parent.mkdir(parents=True, exist_ok=True)
            planted.symlink_to(Path(*[".."] * path.count("/")) / link if "/" in path else link)
    return where


def snapshot(where: Path) -> dict[str, str]:
    """Every file and link of the case outside its output directories, with its content or target."""
    found = {}
    for path in sorted(where.rglob("*")):
        relative = path.relative_to(where)
        if relative.parts[0] in OUTPUTS:
            continue
        if path.is_symlink():
            found[str(relative)] = "-> " + os.readlink(path)
        elif path.is_file():
            found[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[str(relative)] = "dir"
    return found


@dataclass
class Run:
    where: Path
    before: dict[str, str]
    after: dict[str, str] = field(default_factory=dict)
    cli: dict[str, subprocess.CompletedProcess] = field(default_factory=dict)
    site: subprocess.CompletedProcess | None = None


REFERENCES = ["--attack", "attack.json", "--cves", "cves.json", "--splunk-apps", "splunk_apps.json",
              "--d3fend", "d3fend.json"]
IMPORTS = ["generator.cli", "mkdocs.__main__", "mkdocs.commands.build", "generator.site.plugin",
           "material.plugins.search.plugin", "mkdocs_redirects.plugin", "markdown.extensions.tables",
           "markdown.extensions.md_in_html", "markdown.extensions.smarty", "markdown.extensions.fenced_code",
           "markdown.extensions.toc"]
"""What the fork server imports once for every case's commands (tests/forkserver.py)."""


def commands(where: Path) -> list[dict]:
    """A case's three commands, in their order: the CLI in both layouts, then `mkdocs build` (as mkdocs_build
    runs it, not --strict)."""
    jobs = []
    for layout in ("published", "mkdocs"):
        jobs.append({"module": "generator", "cwd": str(where), "timeout": 300,
                     "args": ["render", "--layout", layout, "--content", "content", *REFERENCES,
                              "--out", f"out-{layout}"],
                     "env": {**os.environ, "PYTHONPATH": str(ROOT)}})
    build = mkdocs_command(where / "site", strict=False, CONTENT_DIR=str(where / "content"),
                           ATTACK_BUNDLE=str(where / "attack.json"), CVE_FILE=str(where / "cves.json"),
                           SPLUNK_APPS_FILE=str(where / "splunk_apps.json"), D3FEND_FILE=str(where / "d3fend.json"),
                           CONTENT_FORM="")
    jobs.append({"module": "mkdocs", "cwd": build["cwd"], "timeout": 600, "args": build["args"], "env": build["env"]})
    for number, job in enumerate(jobs):
        job["stdout"], job["stderr"] = (str(where.parent / f"{where.name}.{number}.{name}") for name in ("out", "err"))
    return jobs


@pytest.fixture(scope="session")
def runs(tmp_path_factory) -> dict[str, Run]:
    """Every case prepared, its three commands run, and what they printed and changed.

    The commands are those a contributor types, each a process of its own, unprivileged (see unprivileged.py:
    as root, files with mode 000 would be read all the same); a fork server (tests/forkserver.py) starts them,
    so that Python and mkdocs are started and imported once for all of them, not three hundred times, and each
    Jinja template compiled once (tests/template_cache.py)."""
    root = tmp_path_factory.mktemp("hostile")
    prepared = {case["name"]: Run(where := prepare(case, root), snapshot(where)) for case in CASES}
    chains = [commands(run.where) for run in prepared.values()]
    jobs, results, templates = root / "jobs.json", root / "results.json", root / "compiled-templates"
    templates.mkdir()
    jobs.write_text(json.dumps({"parallel": max(2, os.cpu_count() or 2), "imports": IMPORTS,
                                "template_cache": str(templates), "chains": chains}))
    server = subprocess.run([sys.executable, str(TESTS / "unprivileged.py"), "forkserver", str(jobs), str(results)],
                            cwd=root, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join((str(TESTS), str(ROOT)))})
    assert server.returncode == 0, server.stderr[-3000:]
    for run, chain, statuses in zip(prepared.values(), chains, json.loads(results.read_text())):
        done = []
        for job, status in zip(chain, statuses):
            command = [sys.executable, "-m", job["module"], *job["args"]]
            if status is None:
                raise subprocess.TimeoutExpired(command, job["timeout"])
            done.append(subprocess.CompletedProcess(command, status, Path(job["stdout"]).read_text(),
                                                    Path(job["stderr"]).read_text()))
        run.cli = dict(zip(("published", "mkdocs"), done[:2]))
        run.site = done[2]
        run.after = snapshot(run.where)
    return prepared


def issue_lines(output: str, where: Path) -> list[str]:
    """The issue lines of a run's output, with the case's directory left out of paths."""
    lines = []
    for line in output.splitlines():
        match = ISSUE_LINE.match(line.strip())
        if match:
            lines.append(match.group(1).replace(str(where) + "/", ""))
    return lines


class _Live(HTMLParser):
    """What in a page could run or load something: script, handlers, script URLs, frames, forms, pictures from elsewhere."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "form", "style", "link", "meta", "base"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "formaction", "xlink:href", "data") and \
                    value.startswith(("javascript:", "vbscript:", "data:")):
                self.found.append(f"{tag} {name}={value[:30]}")
            if tag == "img" and name == "src" and re.match(r"^([a-z][a-z0-9+.-]*:|//)", value):
                self.found.append(f"img src={value[:40]}")
            if name == "style" and ("url(" in value or "expression(" in value):
                self.found.append(f"{tag} style={value[:30]}")


def live_parts(html: str) -> list[str]:
    """The live parts of a page: anything in its article; handlers, script URLs and pictures anywhere.

    Outside the article are the theme's own scripts, styles and links (their
    sources are fixed by the policy check), and the title from content."""
    article = html.split("<article", 1)[1].split("</article>", 1)[0] if "<article" in html else ""
    parser = _Live()
    parser.feed("<article" + article)
    whole = _Live()
    whole.feed(html)
    return parser.found + [part for part in whole.found if not part.startswith("<")]


@pytest.mark.parametrize("case", CASES, ids=[slug(case["name"]) for case in CASES])
def test_hostile_case(case, runs):
    run = runs[case["name"]]
    expected = sorted(case.get("issues") or [])
    errors = any(": error: " in line for line in expected)
    for layout, result in run.cli.items():
        assert "Traceback" not in result.stderr, result.stderr[-3000:]
        if case.get("fails"):
            assert result.returncode == case["status"] and result.stderr.strip() == f"error: {case['fails']}"
            continue
        wanted = sorted(expected + (case.get(layout) or []))
        assert sorted(issue_lines(result.stderr, run.where)) == wanted, layout
        assert result.returncode == case.get("status", 1 if errors or any(": error: " in line for line in wanted)
                                             else 0), layout

    site = run.site
    assert "Traceback" not in site.stderr, site.stderr[-3000:]
    if case.get("fails"):
        assert site.returncode == 1 and case["fails"] in site.stderr.replace(str(run.where) + "/", "")
    else:
        assert site.returncode == 0, site.stderr[-3000:]
        logged = issue_lines(site.stderr, run.where)
        assert set(expected + (case.get("site") or [])) <= set(logged), site.stderr[-3000:]
        pages = sorted((run.where / "site").rglob("*.html"))
        texts = []
        for page in pages:
            html = page.read_text(encoding="utf-8")
            assert live_parts(html) == [], page.relative_to(run.where)
            # Every page has the site's policy; an old address's redirect page a stricter one of its own, which
            # allows its one script and nothing else (generator/site/redirects.py).
            policies = ('<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; script-src \'self\'',
                        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; script-src \'sha256-')
            assert any(policy in html for policy in policies), page.relative_to(run.where)
            texts.append(html)
        index = json.loads((run.where / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
        for entry in index["docs"]:
            assert live_parts("<article>" + entry["title"] + entry["text"] + "</article>") == [], entry["location"]
        if case.get("shown"):
            assert any(case["shown"] in _visible(html) for html in texts), case["shown"]

    for output in OUTPUTS:
        for path in (run.where / output).rglob("*") if (run.where / output).exists() else ():
            if case.get("secret"):
                assert not path.is_file() or case["secret"] not in path.read_text(errors="replace"), path
    assert run.after == run.before  # nothing outside the output directories changed
    assert (run.where / "victim.txt").read_text() == VICTIM
    assert list((run.where / "victim-folder").iterdir()) == []


def _visible(html: str) -> str:
    """The text of a page as a reader sees it (entities decoded)."""
    class Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []

        def handle_data(self, data):
            self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return "".join(parser.parts)


def test_the_suite_has_at_least_sixty_cases_and_the_guide_says_how_many():
    assert len(CASES) >= 60
    assert len({slug(case["name"]) for case in CASES}) == len(CASES)
    guide = (ROOT / "guide" / "hostile-content.md").read_text(encoding="utf-8")
    assert f"(`tests/hostile/`, {len(CASES)} cases;" in guide


def test_hostile_sites_in_chromium(runs, browser, tmp_path):
    """Every distinct page of every case's site in Chromium, and a search for the hostile text on each site:
    no dialog, no console error (a policy violation is one), no request leaving the local server."""
    served = tmp_path / "served"
    served.mkdir()
    sites = {}
    for name, run in runs.items():
        if run.site is not None and run.site.returncode == 0:
            (served / slug(name)).symlink_to(run.where / "site", target_is_directory=True)
            sites[slug(name)] = run.where / "site"
    handler = functools.partial(QuietHandler, directory=str(served))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}/"
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    current = [""]

    def outside(route):
        problems.append(f"{current[0]}: request to {route.request.url}")
        route.abort()

    page.route(re.compile(r"^(?!" + re.escape(origin) + ").*"), outside)
    page.on("dialog", lambda dialog: (problems.append(f"{current[0]}: dialog {dialog.message!r}"), dialog.dismiss()))
    page.on("console", lambda message: message.type == "error" and problems.append(f"{current[0]}: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"{current[0]}: {error}"))
    seen: set[str] = set()
    loaded = 0
    different_sites: set[frozenset[str]] = set()  # many cases change nothing a page shows (a warning, a loop)
    try:
        for site_slug, site in sorted(sites.items()):
            digests = []
            for html in sorted(site.rglob("*.html")):
                if html.name == "404.html":  # its addresses are for the site root (site_url); not served so here
                    continue
                digest = hashlib.sha256(html.read_bytes()).hexdigest()
                digests.append(digest)
                if digest in seen:
                    continue
                seen.add(digest)
                current[0] = f"{site_slug}/{html.relative_to(site).as_posix()}"
                page.goto(origin + current[0], wait_until="load")
                loaded += 1
            index = site / "search" / "search_index.json"
            digests.append(hashlib.sha256(index.read_bytes()).hexdigest() if index.is_file() else "no index")
            if frozenset(digests) in different_sites:
                continue  # the same pages and search index as a site searched already
            different_sites.add(frozenset(digests))
            current[0] = f"{site_slug}/ (search)"
            page.goto(origin + site_slug + "/", wait_until="load")
            page.keyboard.press("/")
            page.keyboard.type("hostile")
            page.wait_for_timeout(300)
    finally:
        context.close()
        server.shutdown()
        server.server_close()
    assert problems == [], "\n".join(problems)
    assert loaded > len(different_sites) * 2
