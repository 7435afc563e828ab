from __future__ import annotations

import os
import shutil
import subprocess
import sys
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "escu-2022-03"
ATTACK_10 = SHARED / "attack" / "enterprise-attack-10.1.json"
CORPUS_2024 = SHARED / "corpus" / "escu-2024-04"
ATTACK_14 = SHARED / "attack" / "enterprise-attack-14.1.json"
CORPUS_2024_10 = SHARED / "corpus" / "escu-2024-10"
ATTACK_15 = SHARED / "attack" / "enterprise-attack-15.1.json"
GOLDEN_BASIC = TESTS / "golden" / "basic"

for path in (str(ROOT), str(TESTS)):
    if path not in sys.path:
        sys.path.insert(0, path)

# Builds in tests keep no build cache (it would be shared by every test, in the checkout); the cache's own
# tests (test_cache.py) give each build a folder of its own.
os.environ["BUILD_CACHE"] = ""


SHARED_MISSING = "needs ../shared beside the checkout"
"""The start of the reason of every test skipped for want of ../shared; the run's summary counts them."""


def needs_corpus(corpus: Path = CORPUS, attack: Path = ATTACK_10) -> None:
    """Skip where ../shared is absent; under REQUIRE_CORPUS=1 (CI) fail instead."""
    if not (corpus / "source").is_dir() or not attack.is_file():
        missing = corpus if not (corpus / "source").is_dir() else attack
        message = f"{SHARED_MISSING} ({missing.relative_to(SHARED.parent)} is not there)"
        if os.environ.get("REQUIRE_CORPUS"):
            pytest.fail(message)
        pytest.skip(message)


def run_generator(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the real command line, `python -m generator ...`."""
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A writable copy of the golden content directory, to break in tests."""
    copy = tmp_path / "content"
    shutil.copytree(GOLDEN_BASIC / "content", copy)
    return copy


def render_args(content_dir: Path, out: Path) -> list:
    return ["render", "--layout", "published", "--content", content_dir,
            "--attack", GOLDEN_BASIC / "attack.json", "--cves", GOLDEN_BASIC / "cves.json", "--out", out]


# The suite runs on one worker per core (scripts/test.sh: pytest-xdist, --dist loadgroup). A fixture is built once per
# worker that needs it, so the tests of a file stay on one worker (its module fixtures), and the tests of each costly
# session fixture too, whatever their file: the fixture names the group. The two published sites are groups of their
# own: no test needs both, so each worker can build one.
WORKER_GROUPS = {
    "runs": "hostile suite",  # test_hostile: every case through both CLI layouts and mkdocs
    "corpus_site": "published 2022 site", "corpus_2024_site": "published 2024 site",
    "today_site": "october 2024 site",
    "site_2025": "later schemas", "site_2026": "later schemas", "generations_sites": "later schemas",
    "releases_repository": "releases", "releases_site": "releases",
}
LONGEST_GROUPS = ("hostile suite", "october 2024 site", "published 2022 site", "test_releases_corpus.py",
                  "published 2024 site", "test_accessibility.py", "later schemas", "test_sources.py",
                  "test_converge.py", "test_cache.py")
"""The groups that take longest, longest first (measured: guide/testing.md), handed out before the others: a
worker that starts a long group last keeps the run going alone. scripts/test.sh turns pytest-xdist's own order
(most tests first) off."""


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own, which reads the marks into the test ids
def pytest_collection_modifyitems(config, items):
    """Each test runs on the worker of its costly session fixture's group, else on its file's; the longest groups
    first."""
    groups = {}
    for item in items:
        group = next((WORKER_GROUPS[name] for name in item.fixturenames if name in WORKER_GROUPS), item.path.name)
        item.add_marker(pytest.mark.xdist_group(group))
        groups[item] = group
    rank = {group: number for number, group in enumerate(LONGEST_GROUPS)}
    items.sort(key=lambda item: rank.get(groups[item], len(rank)))  # stable: each group keeps its order


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome on the test item (browser tests screenshot on failure)."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def pytest_terminal_summary(terminalreporter):
    """Say plainly how many tests did not run for want of ../shared, and what that leaves out."""
    skipped = terminalreporter.stats.get("skipped", [])
    without_shared = [report for report in skipped if SHARED_MISSING in str(report.longrepr)]
    if without_shared:
        ran = sum(len(terminalreporter.stats.get(outcome, [])) for outcome in ("passed", "failed", "skipped"))
        terminalreporter.write_line(
            f"{len(without_shared)} of {ran} tests skipped: ../shared is not beside the "
            f"checkout ({SHARED}), so the published corpora, fidelity to the published sites and the builds of real "
            "content were not checked (guide/testing.md); REQUIRE_CORPUS=1 makes this a failure, as in CI.",
            yellow=True, bold=True)
    others = len(skipped) - len(without_shared)
    if others:
        terminalreporter.write_line(f"{others} tests skipped for other reasons (listed above).", yellow=True)


SITE_URL = "https://example.github.io/escu/"


def mkdocs_command(out: Path, strict: bool = True, config: Path | None = None, **env: str) -> dict:
    """The arguments, environment and folder of `python -m mkdocs build` into `out` (see mkdocs_build)."""
    # SOURCE_DATE_EPOCH: the sitemap's timestamp, so that two builds can be compared byte for byte.
    # COMPARE_WITH, RELEASES: no What changed or release pages unless a test asks for them.
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": SITE_URL, "SOURCE_DATE_EPOCH": "1700000000",
                   "COMPARE_WITH": "", "RELEASES": "", **env}
    return {"args": ["build", *(["--strict"] if strict else []), *(["--config-file", str(config)] if config else []),
                     "--site-dir", str(out)], "env": environment, "cwd": str(ROOT)}


def mkdocs_build(out: Path, strict: bool = True, config: Path | None = None,
                 **env: str) -> subprocess.CompletedProcess:
    """`mkdocs build` into `out` of the project's mkdocs.yml, or of `config` (see `site_config`)."""
    command = mkdocs_command(out, strict, config, **env)
    return subprocess.run([sys.executable, "-m", "mkdocs", *command["args"]], cwd=command["cwd"], env=command["env"],
                          capture_output=True, text=True, timeout=600)


def site_config(folder: Path, settings: dict, **top: object) -> Path:
    """The project's mkdocs.yml written into `folder`, with the plugin's `settings` (and top-level `top`) set.

    For what the environment variables cannot say (a list of content sources with their settings): the
    file is read as mkdocs reads it (!ENV resolved now), its folders made absolute, and written as YAML.
    """
    from mkdocs.utils.yaml import get_yaml_loader
    import yaml

    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=get_yaml_loader())
    config.update(docs_dir=str(ROOT / "docs"), site_url=SITE_URL, **top)
    config["theme"]["custom_dir"] = str(ROOT / "overrides")
    plugin = next(item for item in config["plugins"] if isinstance(item, dict) and "security-content" in item)
    plugin["security-content"].update(settings)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def corpus_site(tmp_path_factory):
    """The March-2022 corpus site, built --strict into an empty build cache beside it (`site/../cache`), which
    test_cache.py builds the corpus again from."""
    needs_corpus()
    out = tmp_path_factory.mktemp("corpus-site") / "site"
    result = mkdocs_build(out, CONTENT_DIR=str(CORPUS / "source"), ATTACK_BUNDLE=str(ATTACK_10),
                          CVE_FILE=str(CORPUS / "enrichment" / "cves.json"), BUILD_CACHE=str(out.parent / "cache"))
    return out, result


@pytest.fixture(scope="session")
def corpus_2024_site(tmp_path_factory):
    """The April-2024 corpus site. Not --strict: two of its sources have real errors (see README)."""
    needs_corpus(CORPUS_2024, ATTACK_14)
    out = tmp_path_factory.mktemp("corpus-2024-site") / "site"
    enrichment = CORPUS_2024 / "enrichment"
    result = mkdocs_build(out, strict=False, CONTENT_DIR=str(CORPUS_2024 / "source"), ATTACK_BUNDLE=str(ATTACK_14),
                          CVE_FILE=str(enrichment / "cves.json"), SPLUNK_APPS_FILE=str(enrichment / "splunk_apps.json"),
                          D3FEND_FILE=str(enrichment / "d3fend.json"), CONTENT_FORM="")
    return out, result


@pytest.fixture(scope="session")
def today_site(tmp_path_factory):
    """The October-2024 sources (today's schema), built --strict: one build for the session (test_today.py,
    test_accessibility.py)."""
    needs_corpus(CORPUS_2024_10, ATTACK_15)
    out = tmp_path_factory.mktemp("today-site") / "site"
    result = mkdocs_build(out, CONTENT_DIR=str(CORPUS_2024_10 / "source"), ATTACK_BUNDLE=str(ATTACK_15), CVE_FILE="",
                          SPLUNK_APPS_FILE="", D3FEND_FILE="", CONTENT_FORM="")
    return out, result


@pytest.fixture(scope="session")
def golden_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("golden-site") / "site"
    result = mkdocs_build(out, CONTENT_DIR=str(GOLDEN_BASIC / "content"),
                          ATTACK_BUNDLE=str(GOLDEN_BASIC / "attack.json"),
                          CVE_FILE=str(GOLDEN_BASIC / "cves.json"))
    return out, result




@pytest.fixture(scope="session")
def content_site(tmp_path_factory):
    """The default site: content/ as mkdocs.yml configures it, built with --strict."""
    out = tmp_path_factory.mktemp("content-site") / "site"
    environment = {k: v for k, v in os.environ.items() if k not in ("CONTENT_DIR", "ATTACK_BUNDLE", "CVE_FILE", "SPLUNK_APPS_FILE", "D3FEND_FILE", "CONTENT_FORM", "COMPARE_WITH", "RELEASES")}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                            cwd=ROOT, env=dict(environment, NO_MKDOCS_2_WARNING="1"),
                            capture_output=True, text=True, timeout=600)
    return out, result


# --- Chromium (Debian's), shared by the browser tests: one per session. ---

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
# Flags for a closed network: no background connections, no first-run work.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"no Chromium at {CHROMIUM} (install Debian's chromium package)")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    if os.environ.get("REQUIRE_BROWSER"):
        from playwright.sync_api import sync_playwright
    else:
        sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


GOLDEN_CHANGES = TESTS / "golden" / "changes"


@pytest.fixture(scope="session")
def changes_site(tmp_path_factory):
    """The golden What changed case as a site: content/ compared with older/, built with --strict."""
    out = tmp_path_factory.mktemp("changes-site") / "site"
    result = mkdocs_build(out, CONTENT_DIR=str(GOLDEN_CHANGES / "content"),
                          ATTACK_BUNDLE=str(GOLDEN_CHANGES / "attack.json"), CVE_FILE="", SPLUNK_APPS_FILE="",
                          D3FEND_FILE="", CONTENT_FORM="", COMPARE_WITH=str(GOLDEN_CHANGES / "older"))
    return out, result


GOLDEN_2025 = TESTS / "golden" / "escu_2025"
GOLDEN_2026 = TESTS / "golden" / "escu_2026"


def golden_case_site(case: Path, out: Path) -> tuple[Path, subprocess.CompletedProcess]:
    """A golden case's content as a site, with its own ATT&CK bundle and reference files (none where it has none)."""
    references = {variable: str(case / name) if (case / name).is_file() else ""
                  for variable, name in (("CVE_FILE", "cves.json"), ("SPLUNK_APPS_FILE", "splunk_apps.json"),
                                         ("D3FEND_FILE", "d3fend.json"))}
    return out, mkdocs_build(out, strict=False, CONTENT_DIR=str(case / "content"),
                             ATTACK_BUNDLE=str(case / "attack.json"), CONTENT_FORM="", **references)


@pytest.fixture(scope="session")
def generations_sites(tmp_path_factory):
    """The golden ESCU 5 and ESCU 6 cases as sites: the page kinds only later schemas have (baselines,
    investigations, removed detections). Not --strict: the cases are meant to report warnings."""
    root = tmp_path_factory.mktemp("generations-sites")
    return {case.name: golden_case_site(case, root / case.name) for case in (GOLDEN_2025, GOLDEN_2026)}


@pytest.fixture(scope="session")
def releases_repository(tmp_path_factory) -> Path:
    """A small git repository of content with four releases (tests/releases_repo.py says what each holds)."""
    from releases_repo import make_repository

    return make_repository(tmp_path_factory.mktemp("releases") / "content")


@pytest.fixture(scope="session")
def releases_site(releases_repository, tmp_path_factory):
    """The site of the releases repository with every release read from git (RELEASES=v*)."""
    out = tmp_path_factory.mktemp("releases-site") / "site"
    result = mkdocs_build(out, CONTENT_DIR=str(releases_repository),
                          ATTACK_BUNDLE=str(GOLDEN_CHANGES / "attack.json"), CVE_FILE="", SPLUNK_APPS_FILE="",
                          D3FEND_FILE="", CONTENT_FORM="", RELEASES="v*")
    return out, result


GOLDEN_SOURCES = TESTS / "golden" / "sources"


@pytest.fixture(scope="session")
def golden_sources_site(tmp_path_factory):
    """The golden case of several sources: its upstream and team (extra left out: it conflicts) as a site, built
    --strict and branded (test_sources, test_accessibility)."""
    folder = tmp_path_factory.mktemp("golden-sources")
    (folder / "about.md").write_text("# About the Team's site\n\nRun by the Team.\n")
    (folder / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>\n')
    config = site_config(folder, {
        "content_dirs": [{"path": str(GOLDEN_SOURCES / "upstream")},
                         {"path": str(GOLDEN_SOURCES / "team"), "label": "Team", "overrides": True}],
        "attack_bundle": str(GOLDEN_SOURCES / "attack.json"), "cve_file": "", "splunk_apps_file": "",
        "d3fend_file": "", "introduction": "The Team's detections beside *upstream's*.", "about": "about.md",
        "logo": "logo.svg"}, site_name="Team Detections")
    out = folder / "site"
    return out, mkdocs_build(out, config=config)
