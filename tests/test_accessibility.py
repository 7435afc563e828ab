"""Accessibility, in a real Chromium: axe-core on every page kind, light and dark, on a wide screen and a phone;
the phone layouts of the ATT&CK matrix and the filtered indexes; the skip link and visible focus.

axe-core is a pinned test dependency (package.json, package-lock.json), installed by scripts/test.sh with
`npm ci` into node_modules/. The site's Content Security Policy allows no injected script, so the contexts that
run axe bypass it (bypass_csp); every other browser test, and the site itself, keep it. What is checked and why
is in guide/accessibility.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT
from test_browser import served, settled_result_titles

serving = contextlib.contextmanager(served)
"""A built site served for the length of a `with` block (for the sites only one test looks at)."""

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
SIZES = {"wide": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SCHEMES = {"light": "default", "dark": "slate"}
COLOUR_RULES = ("color-contrast", "link-in-text-block")
"""The rules whose outcome a colour scheme can change: the dark scheme is the same page in other colours (the
theme switches a palette), so in it these are run; the light scheme runs every rule."""


@dataclass(frozen=True)
class PageKind:
    """A kind of page of the site and how to find one on a built site: an address, the largest page of a glob
    (the most content is where problems hide), or the record of an export whose page is largest."""

    name: str
    address: str = ""
    glob: str = ""
    export: str = ""

    def find(self, site: Path) -> str | None:
        """The page's address relative to the site's root ("endpoint/x/"), or None where the site has none."""
        if self.glob:
            pages = sorted(site.glob(self.glob), key=lambda page: (-page.stat().st_size, str(page)))
            return pages[0].parent.relative_to(site).as_posix() + "/" if pages else None
        if self.export:
            data = site / "api" / f"{self.export}.json"
            records = json.loads(data.read_text(encoding="utf-8")) if data.is_file() else []
            sized = [(len((site / record["url"] / "index.html").read_bytes()), record["url"]) for record in records
                     if (site / record["url"] / "index.html").is_file()]
            return max(sized, key=lambda item: (item[0], item[1]))[1] if sized else None
        return self.address if (site / self.address / "index.html").is_file() else None


# Every kind of page a built site has: a kind added to the site is one line here.
PAGE_KINDS = (
    PageKind("home", address=""),
    PageKind("detections index", address="detections/"),
    PageKind("stories index", address="stories/"),
    PageKind("playbooks index", address="playbooks/"),
    PageKind("data sources index", address="data_sources/"),
    PageKind("macros index", address="macros/"),
    PageKind("lookups index", address="lookups/"),
    PageKind("ATT&CK matrix", address="techniques/"),
    PageKind("tags index", address="tags/"),
    PageKind("exports", address="exports/"),
    PageKind("about", address="about/"),
    PageKind("detection", export="detections"),
    PageKind("story", export="stories"),
    PageKind("playbook", export="playbooks"),
    PageKind("data source", export="data_sources"),
    PageKind("macro", glob="macros/*/index.html"),
    PageKind("lookup", glob="lookups/*/index.html"),
    PageKind("technique", glob="techniques/T*/index.html"),
    PageKind("tag page", glob="tags/*/index.html"),
    PageKind("tactic listing", glob="detections/*/index.html"),
)
CHANGES_KINDS = (PageKind("What changed", address="changes/"),)
"""The kinds only a site compared with an older checkout has (built from tests/golden/changes)."""
GENERATION_KINDS = {
    "escu_2025": (PageKind("investigations index", address="investigations/"),
                  PageKind("investigation", glob="investigations/*/index.html")),
    "escu_2026": (PageKind("baselines index", address="baselines/"),
                  PageKind("baseline", glob="baselines/*/index.html"),
                  PageKind("removed detections index", address="removed/"),
                  PageKind("removed detection", glob="deprecated/*/index.html")),
}
"""The kinds only content of the later schemas has (the golden ESCU 5 and ESCU 6 cases)."""
RELEASE_KINDS = (PageKind("releases index", address="releases/"),
                 PageKind("release", glob="releases/v*/index.html"),
                 PageKind("Am I up to date?", address="releases/up-to-date/"),
                 PageKind("a detection no longer in the content", glob="releases/detections/*/index.html"))
"""The kinds only a site with releases has (the releases repository of tests/releases_repo.py)."""
SOURCES_KINDS = (PageKind("home of several sources", address=""),
                 PageKind("detections index with the source filter", address="detections/"),
                 PageKind("a detection replacing another source's (its badge and notice)",
                          address="endpoint/0b0a1c2d-0000-4000-8000-000000000101/"),
                 PageKind("a team's own kind of detection", glob="hunts/*/index.html"),
                 PageKind("Overrides", address="overrides/"))
"""The kinds only a site of several sources has, or that it changes (tests/golden/sources, guide/sources.md)."""


def axe_source() -> str:
    if not AXE.is_file():
        message = f"axe-core is not installed ({AXE}): run `npm ci` (scripts/test.sh does)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


def settle(pages: list) -> None:
    """Wait until the scripts of each of `pages` are done: its exports read, the theme's transitions over.

    The pages wait at once: each gets at least its 250 ms after loading, in one wait for all."""
    for page in pages:
        page.wait_for_load_state("load")
        if page.locator(".sc-filters").count():
            page.locator(".sc-filters .sc-filters__count").first.wait_for(timeout=20_000)
    pages[0].wait_for_timeout(250)


def scheme_of(page) -> str:
    return page.evaluate("document.body.getAttribute('data-md-color-scheme')")


def choose_scheme(chosen: list[tuple[object, str]]) -> None:
    """Switch each page of `chosen` ((page, scheme) pairs) to its scheme with the theme's own toggle, as a reader
    does (the theme remembers it): a page not in its scheme is clicked, at most twice, each click followed by
    300 ms, in one wait for every page clicked."""
    for _ in range(2):
        clicked = [page for page, scheme in chosen if scheme_of(page) != scheme]
        if not clicked:
            return
        for page in clicked:
            page.locator("label.md-header__button[for^='__palette']:visible").first.click()
        clicked[0].wait_for_timeout(300)
    assert [scheme_of(page) for page, _ in chosen] == [scheme for _, scheme in chosen]


def transitions_over(page) -> None:
    """Wait until no transition or animation runs: axe-core reads the colours of the moment, and the theme fades
    the search's results and a changed scheme in (on a loaded machine, past any fixed wait)."""
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")


def start_axe(page, rules: tuple[str, ...] = ()) -> None:
    """Start axe-core (check_pages puts it in every page its contexts load) on the page as it is now, without
    waiting (see serious_violations): every rule, or only `rules`."""
    # axe.run does most of its work before it returns its promise: started from a timer, the evaluation returns at
    # once and the pages' renderers run axe side by side.
    page.evaluate("""rules => { window.scAxe = new Promise(resolve => setTimeout(() => resolve(axe.run(document,
        rules.length ? {resultTypes: ['violations'], runOnly: {type: 'rule', values: rules}}
                     : {resultTypes: ['violations']})), 0)); }""",
                  list(rules))


def serious_violations(page) -> list[dict]:
    """The serious and critical violations axe-core found on the page (start_axe started it)."""
    found = page.evaluate("""async () => (await window.scAxe).violations.map(v => ({id: v.id, impact: v.impact,
        help: v.help, nodes: v.nodes.map(n => ({target: n.target.join(' '),
                                              why: (n.failureSummary || '').split('\\n').slice(1).join(' ').trim()}))}))""")
    return [violation for violation in found if violation["impact"] in FAILING_IMPACTS]


def describe(where: str, violations: list[dict]) -> list[str]:
    """One line per rule and page, with its first nodes: rule, impact, how many, which nodes and why."""
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        shown = "; ".join(f"{node['target']} ({node['why'][:160]})" for node in nodes[:3])
        more = f" and {len(nodes) - 3} more" if len(nodes) > 3 else ""
        lines.append(f"{where}: {violation['id']} ({violation['impact']}, {len(nodes)} nodes: {violation['help']}): "
                     f"{shown}{more}")
    return lines


def check_pages(browser, base: str, pages: dict[str, str], sizes: tuple[str, ...] = tuple(SIZES)) -> list[str]:
    """Run axe on each of `pages` ({kind: address under base}) in both schemes at `sizes` (of SIZES; every one
    unless told); the problems found.

    Each size and scheme is a browser context of its own (the theme remembers the scheme per context), which puts
    axe in every page it loads; the four pages load and run axe at once, each in its own renderer. The dark
    scheme runs the colour rules (COLOUR_RULES)."""
    source = axe_source()
    contexts, views = [], []
    try:
        for size in (SIZES[name] for name in sizes):
            for scheme_name, scheme in SCHEMES.items():
                context = browser.new_context(viewport=size, bypass_csp=True)  # only here: to inject axe
                context.add_init_script(script=source)  # each page's renderer compiles it while the page loads
                contexts.append(context)
                views.append((f"{size['width']}x{size['height']}, {scheme_name}", scheme, context.new_page()))
        problems = []
        for kind, address in pages.items():
            for _, _, page in views:
                page.goto(base + address, wait_until="commit")  # the four load side by side; settle waits
            settle([page for _, _, page in views])
            choose_scheme([(page, scheme) for _, scheme, page in views])
            for _, scheme, page in views:
                start_axe(page, COLOUR_RULES if scheme == SCHEMES["dark"] else ())
            for label, _, page in views:
                problems += describe(f"{kind} ({address or '/'}) at {label}", serious_violations(page))
        return problems
    finally:
        for context in contexts:
            context.close()


def pages_of(site: Path, kinds) -> tuple[dict[str, str], list[str]]:
    found, missing = {}, []
    for kind in kinds:
        address = kind.find(site)
        if address is None:
            missing.append(kind.name)
        else:
            found[kind.name] = address
    return found, missing


@pytest.fixture(scope="module")
def served_sample_site(content_site, tmp_path_factory):
    yield from served(content_site, tmp_path_factory)


@pytest.fixture(scope="module")
def served_today_site(today_site, tmp_path_factory):
    yield from served(today_site, tmp_path_factory)


@pytest.fixture(scope="module")
def served_changes(changes_site, tmp_path_factory):
    yield from served(changes_site, tmp_path_factory)


def test_no_serious_violation_on_any_page_kind_of_the_sample_site(browser, content_site, served_sample_site):
    pages, missing = pages_of(content_site[0], PAGE_KINDS)
    assert missing == [], f"the sample site has no page of these kinds: {missing}"
    problems = check_pages(browser, served_sample_site, pages)
    assert problems == [], "\n".join(problems)


def test_no_serious_violation_on_any_page_kind_of_the_october_2024_site(browser, today_site, served_today_site):
    """On a wide screen only (the slowest of these passes): at a phone's size the same pages take the phone's
    styles, which the sample site's pass checks on every page kind, and the phone tests below check on this
    site's longest tables and filters."""
    pages, missing = pages_of(today_site[0], PAGE_KINDS)
    assert missing == [], f"the October-2024 site has no page of these kinds: {missing}"
    problems = check_pages(browser, served_today_site, pages, sizes=("wide",))
    assert problems == [], "\n".join(problems)


def test_no_serious_violation_on_what_changed(browser, changes_site, served_changes):
    pages, missing = pages_of(changes_site[0], CHANGES_KINDS)
    assert missing == []
    problems = check_pages(browser, served_changes, pages)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("case", sorted(GENERATION_KINDS))
def test_no_serious_violation_on_the_page_kinds_of_later_schemas(browser, generations_sites, case, tmp_path_factory):
    site, result = generations_sites[case]
    assert result.returncode == 0, result.stderr[-3000:]
    pages, missing = pages_of(site, GENERATION_KINDS[case])
    assert missing == []
    with serving((site, result), tmp_path_factory) as base:
        problems = check_pages(browser, base, pages)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("site, kinds", [("releases_site", RELEASE_KINDS), ("golden_sources_site", SOURCES_KINDS)])
def test_no_serious_violation_on_the_release_pages_and_those_of_several_sources(browser, request, site, kinds,
                                                                                 tmp_path_factory):
    built = request.getfixturevalue(site)  # a session fixture: only the sites the tests chosen need are built
    assert built[1].returncode == 0, built[1].stderr[-3000:]
    pages, missing = pages_of(built[0], kinds)
    assert missing == []
    with serving(built, tmp_path_factory) as base:
        problems = check_pages(browser, base, pages)
    assert problems == [], "\n".join(problems)


def check_after(browser, address: str, act, what: str) -> list[str]:
    """Run axe on the page at `address` in both schemes once `act(page)` has made it show what only a reader's
    action shows (its colours too: the dark scheme runs COLOUR_RULES); the problems found."""
    problems = []
    for scheme_name, scheme in SCHEMES.items():
        context = browser.new_context(viewport=SIZES["wide"], bypass_csp=True)  # to inject axe
        try:
            context.add_init_script(script=axe_source())
            page = context.new_page()
            page.goto(address)
            choose_scheme([(page, scheme)])
            act(page)
            transitions_over(page)
            start_axe(page, COLOUR_RULES if scheme == SCHEMES["dark"] else ())
            problems += describe(f"{what} at {scheme_name}", serious_violations(page))
        finally:
            context.close()
    return problems


def test_no_serious_violation_in_the_search_s_results_and_their_count_is_announced(browser, served_sample_site):
    """The search's results, which only a query shows (their matched words are coloured); the count above them is
    a status a screen reader says as it changes."""
    def search(page):
        page.keyboard.press("/")
        page.locator(".md-search__input").fill("powershell")
        page.locator(".md-search-result__item mark").first.wait_for()
        assert page.locator(".md-search-result__meta").get_attribute("role") == "status"

    problems = check_after(browser, served_sample_site, search, "the search's results")
    assert problems == [], "\n".join(problems)


def test_no_serious_violation_on_the_answer_of_am_i_up_to_date(browser, releases_site, tmp_path_factory):
    """The page's table of results, which only a comparison shows (its statuses are coloured)."""
    from test_releases import PASTED

    def compare(page):
        page.select_option("#sc-uptodate-release", label="v1.0.0 (2021-02-01)")
        page.fill("#sc-uptodate-list", PASTED)
        page.click("#sc-uptodate-compare")
        page.locator(".sc-uptodate__table tbody tr").first.wait_for()

    with serving(releases_site, tmp_path_factory) as base:
        problems = check_after(browser, base + "releases/up-to-date/", compare, "the answer")
    assert problems == [], "\n".join(problems)


def test_no_serious_violation_on_the_previews_error_and_problems_pages(browser, tmp_path):
    from test_serve import WEBCLIENT, WEBCLIENT_PAGE, rebuilt, serving_a_copy, wait_for

    with serving_a_copy(tmp_path) as (content, base, log):
        source = content / WEBCLIENT
        done = log.read_text().count("Reloading browsers")
        source.write_text(source.read_text().replace("type: TTP\n", "type: [TTP\n"))
        assert wait_for(base + WEBCLIENT_PAGE, "this file has errors", 60)
        assert rebuilt(log, done, 60)  # the rest of the site too: no tab reloads while the pages are checked
        # The error page, the list of problems, and a page carrying the notice of errors.
        problems = check_pages(browser, base, {"the preview's error page": WEBCLIENT_PAGE,
                                               "the preview's problems page": "problems/",
                                               "a page with the preview's notice": "detections/"})
        # On a phone the notice's long file path wraps, inside the screen.
        with contextlib.closing(browser.new_context(viewport=SIZES["phone"])) as context:
            page = context.new_page()
            page.goto(base + WEBCLIENT_PAGE)
            notice = page.locator(".sc-preview-notice")
            notice.wait_for()
            assert notice.evaluate("e => e.scrollWidth <= e.clientWidth") and no_sideways_scrolling(page)
    assert problems == [], "\n".join(problems)


# --- The phone layouts, the skip link, focus and the dark scheme, asserted on geometry and computed styles. ---

@pytest.fixture
def view(browser, request):
    """A page of the given size ({"width": ..., "height": ...}; the wide screen by default), scripts on."""
    contexts = []

    def open_page(size=SIZES["wide"], javascript: bool = True):
        context = browser.new_context(viewport=size, java_script_enabled=javascript)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


BROKEN_WORDS = """root => {
    // Each word (letters between spaces, hyphens and slashes) of the texts under root that the layout has put on
    // more than one line: a word broken inside.
    const broken = [], walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        for (const match of node.textContent.matchAll(/[^\\s\\-\\/]+/g)) {
            const range = document.createRange();
            range.setStart(node, match.index);
            range.setEnd(node, match.index + match[0].length);
            const tops = new Set(Array.from(range.getClientRects(), rect => Math.round(rect.top)));
            if (tops.size > 1) broken.push(match[0]);
        }
    }
    return broken;
}"""
"""A word a <wbr> splits ("Kernel<wbr>Callback<wbr>Table") is several text nodes, each checked on its own."""


def box(locator) -> dict:
    return locator.evaluate("e => { const r = e.getBoundingClientRect(); "
                            "return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; }")


def no_sideways_scrolling(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_the_matrix_on_a_phone_stacks_the_tactics_with_the_filters_folded(view, served_today_site):
    page = view(SIZES["phone"])
    page.goto(served_today_site + "techniques/")
    page.locator("#sc-matrix-filters .sc-filters__count").wait_for()
    fold = page.locator("#sc-matrix-filters details.sc-filters__fold")
    assert not fold.evaluate("d => d.open") and not page.locator("#sc-matrix-filters select").first.is_visible()
    assert no_sideways_scrolling(page)
    assert page.locator(".sc-matrix__scroll").evaluate("e => e.scrollWidth <= e.clientWidth")
    columns = page.locator(".sc-matrix__tactic")
    boxes = [box(columns.nth(i)) for i in range(columns.count())]
    assert len(boxes) == 14
    assert all(b["left"] >= 0 and b["right"] <= 390 for b in boxes), boxes  # each as wide as the screen at most
    assert all(later["top"] >= earlier["bottom"] for earlier, later in zip(boxes, boxes[1:]))  # one under another
    # The list of tactics is on the first screen, and leads to each.
    jump = page.locator(".sc-matrix__jump")
    assert jump.is_visible() and box(jump)["bottom"] <= 844
    jump.get_by_role("link", name="Impact", exact=True).click()
    heading = box(page.locator("#tactic-impact"))
    assert 0 <= heading["top"] < 844 / 2, heading
    fold.locator("summary").click()  # unfolded, the filters work as on a wide screen
    page.select_option("#sc-matrix-filters select[name=type]", "TTP")
    assert fold.locator("summary").inner_text() == "Filters (1 chosen)"
    assert "techniques/?type=TTP#tactic-impact" in page.url  # the state kept in the address, the place too


@pytest.mark.parametrize("size", ["wide", "phone"])
def test_no_name_in_the_matrix_is_broken_inside_a_word(view, served_today_site, size):
    page = view(SIZES[size])
    page.goto(served_today_site + "techniques/")
    page.locator("#sc-matrix-filters .sc-filters__count").wait_for()
    grid = page.locator(".sc-matrix__grid")
    assert grid.evaluate(BROKEN_WORDS) == []
    grid.evaluate("g => g.querySelectorAll('details').forEach(d => { d.open = true; })")  # every sub-technique shown
    assert grid.evaluate(BROKEN_WORDS) == []
    if size == "wide":  # and every tactic still fits the screen, sub-techniques open
        assert page.locator(".sc-matrix__scroll").evaluate("e => e.scrollWidth <= e.clientWidth")


ZOOMED = {"width": 640, "height": 400}
"""A 1,280x800 window at 200 % zoom, as the page sees it (with a device scale factor of 2)."""
TABLET = {"width": 768, "height": 1024}


@pytest.mark.parametrize("size", ["zoomed", "tablet", "wide"])
def test_no_source_or_sourcetype_in_the_data_sources_index_is_broken_inside_a_word(browser, served_today_site,
                                                                                   size):
    """The theme's code breaks anywhere in a narrow column: "aws:cloudtrai|l", 280 words at 640 px."""
    viewport, scale = {"zoomed": (ZOOMED, 2), "tablet": (TABLET, 1), "wide": (SIZES["wide"], 1)}[size]
    with contextlib.closing(browser.new_context(viewport=viewport, device_scale_factor=scale)) as context:
        page = context.new_page()
        page.goto(served_today_site + "data_sources/")
        page.wait_for_load_state("load")
        table = page.locator("article table")
        assert table.locator("code").count() > 100
        assert table.evaluate(BROKEN_WORDS) == []
        assert no_sideways_scrolling(page)


def test_the_detections_index_on_a_phone_folds_its_filters_and_reads_without_sideways_scrolling(view,
                                                                                                served_today_site):
    page = view(SIZES["phone"])
    page.goto(served_today_site + "detections/")
    count = page.locator("#sc-filters .sc-filters__count")
    count.wait_for()
    fold = page.locator("#sc-filters details.sc-filters__fold")
    assert not fold.evaluate("d => d.open") and box(count)["bottom"] <= 844  # the list starts on the first screen
    assert no_sideways_scrolling(page)
    table = page.locator("article table[data-sc-stacked]")
    assert table.locator("thead").is_hidden()
    wrapper = table.locator("xpath=ancestor::div[contains(@class, 'md-typeset__scrollwrap')]")
    assert wrapper.evaluate("e => e.scrollWidth <= e.clientWidth")
    rows = table.locator("tbody tr")
    first = [box(rows.nth(i)) for i in range(20)]
    assert all(0 <= b["left"] and b["right"] <= 390 for b in first), first
    cell = rows.first.locator("td").nth(1)
    assert cell.get_attribute("data-label") == "Technique"
    assert cell.evaluate("td => getComputedStyle(td, '::before').content").startswith('"Technique')
    fold.locator("summary").click()
    page.select_option("#sc-filters select[name=type]", "TTP")
    assert fold.locator("summary").inner_text() == "Filters (1 chosen)"
    assert set(page.locator("article table tbody tr:not([hidden]) td:nth-child(3)").all_inner_texts()) == {"TTP"}


@pytest.mark.parametrize("address", ["detections/", "stories/", "playbooks/", "techniques/"])
def test_the_filters_opened_on_a_phone_fit_its_screen(view, served_today_site, address):
    """Real content's long names in the filters' lists (data sources, techniques, stories) stay inside the screen:
    a wrapped column of controls had been as wide as its widest list."""
    page = view(SIZES["phone"])
    page.goto(served_today_site + address)
    page.locator(".sc-filters .sc-filters__count").first.wait_for()
    page.locator(".sc-filters details.sc-filters__fold > summary").first.click()
    controls = page.locator(".sc-filters .sc-filters__controls").first
    assert controls.is_visible()
    boxes = [box(control) for control in controls.locator("select, button").all()]
    assert len(boxes) > 3 and all(b["left"] >= 0 and b["right"] <= 390 for b in boxes), boxes
    assert no_sideways_scrolling(page)
    # Each tall enough for a finger (they were 23 to 24 px), and the selects in one column beside their names
    # (some names had sat beside their select, others above it).
    assert all(b["bottom"] - b["top"] >= 40 for b in boxes), boxes
    lefts = {round(b["left"]) for b in (box(select) for select in controls.locator("select").all())}
    assert len(lefts) == 1, lefts


@pytest.mark.parametrize("address, heading, name_column", [
    ("detections/endpoint/", "Name", True),  # the Endpoint detections (a type)
    ("categories/endpoint/", "Name", True),  # the Endpoint data model
    ("endpoint/001266a6-9d5b-11eb-829b-acde48001122/", "Risk Score", False),  # a detection's risk table
])
def test_a_table_too_wide_for_a_phone_reads_as_labelled_blocks(view, served_today_site, address, heading,
                                                               name_column):
    """Listings other than the filtered indexes, and a detection's long risk message, had tables of 400 to 530 px
    that scrolled sideways at 390. A listing's first column is each row's linked name, so it is not labelled."""
    wide = view(SIZES["wide"])
    wide.goto(served_today_site + address)
    table = f"article table:has(th:text-is('{heading}'))"
    wide.locator(table).wait_for()
    wide.wait_for_timeout(300)
    assert wide.locator(table).get_attribute("data-sc-stacked") is None  # a wide screen keeps the table
    page = view(SIZES["phone"])
    page.goto(served_today_site + address)
    stacked = page.locator(table + "[data-sc-stacked]")
    stacked.wait_for()
    assert no_sideways_scrolling(page)
    assert page.locator(".md-typeset__scrollwrap").evaluate_all(
        "boxes => boxes.filter(b => b.scrollWidth > b.clientWidth + 1).length") == 0
    assert stacked.locator("thead").is_hidden()
    cells = stacked.locator("tbody tr").first.locator("td")
    labels = [cells.nth(i).get_attribute("data-label") for i in range(cells.count())]
    headings = stacked.locator("thead th").all_inner_texts()
    assert labels == ([None] + headings[1:] if name_column else headings), labels
    labelled = cells.nth(1)
    assert labelled.evaluate("td => getComputedStyle(td, '::before').content") == f'"{headings[1]}: "'
    assert labelled.evaluate("td => getComputedStyle(td).display") == "block"


def test_the_filters_list_their_values_in_the_order_a_reader_looks_for_them(view, served_today_site):
    """Capitals had all come first: "AWS User Monitoring" before "Abnormal ...", "osquery" after "Zeek"."""
    page = view(SIZES["wide"])
    page.goto(served_today_site + "detections/")
    page.locator("#sc-filters .sc-filters__count").wait_for()
    for name in ("data_source", "story", "product"):
        values = page.locator(f"#sc-filters select[name={name}] option").all_inner_texts()[1:]  # after "any"
        initials = [value[0].casefold() for value in values]
        assert len(values) >= 3 and initials == sorted(initials), (name, values[:10])


def test_the_indexes_keep_their_table_on_a_wide_screen_and_without_javascript(view, served_today_site):
    wide = view(SIZES["wide"])
    wide.goto(served_today_site + "detections/")
    wide.locator("#sc-filters .sc-filters__count").wait_for()
    assert wide.locator("#sc-filters details.sc-filters__fold").evaluate("d => d.open")
    plain = view(SIZES["phone"], javascript=False)
    plain.goto(served_today_site + "detections/")
    for page in (wide, plain):
        assert page.locator("article table thead").is_visible()
        assert page.locator("article table tbody tr").first.evaluate("r => getComputedStyle(r).display") == "table-row"
    assert plain.locator("article table[data-sc-stacked]").count() == 0


@pytest.mark.parametrize("address", ["detections/", "stories/", "playbooks/"])
def test_an_index_s_table_of_short_rows_spans_the_page_as_its_filters_do(view, served_sample_site, address):
    """As wide as its longest row, a short index's table had left a third of a wide screen empty beside it."""
    page = view(SIZES["wide"])
    page.goto(served_sample_site + address)
    page.locator("#sc-filters .sc-filters__count").wait_for()
    filters, table = (page.locator(selector).evaluate("e => e.getBoundingClientRect().width")
                      for selector in ("#sc-filters", "article table"))
    assert table >= filters - 1 > 1000


def test_a_detection_s_sections_are_reached_from_its_top_where_the_table_of_contents_is_hidden(view,
                                                                                              served_sample_site):
    """On a phone the theme shows a page's table of contents in its drawer only for a page of the navigation,
    which a detection page is not: the page lists its sections, folded, under its title."""
    address = served_sample_site + "endpoint/3f2a9c1e-6b4d-4e8a-9f10-2c7d5e8b1a01/"
    phone = view(SIZES["phone"])
    phone.goto(address)
    fold = phone.locator("article .sc-page-toc")
    fold.locator("summary").click()
    links = fold.locator("a")
    assert links.first.is_visible() and links.count() > 10
    assert [links.nth(i).get_attribute("href") for i in range(3)] == ["#description", "#data-source", "#annotations"]
    fold.get_by_role("link", name="Search", exact=True).click()
    phone.wait_for_url(re.compile(r"#search$"))
    assert 48 <= phone.locator("#search").evaluate("e => e.getBoundingClientRect().top") < 200  # under the header
    wide = view(SIZES["wide"])  # the theme's table of contents beside the page: no list of its own
    wide.goto(address)
    wide.locator("article .sc-page-toc").wait_for(state="attached")
    assert not wide.locator("article .sc-page-toc").is_visible()


def test_the_tag_index_s_letters_are_targets_a_finger_finds_on_a_phone(view, served_sample_site):
    page = view(SIZES["phone"])
    page.goto(served_sample_site + "tags/")
    sizes = page.locator(".sc-jump-list a").evaluate_all(
        "links => links.map(a => [a.textContent, a.getBoundingClientRect().width, a.getBoundingClientRect().height])")
    assert len(sizes) > 5 and all(width >= 24 and height >= 24 for _, width, height in sizes), sizes


def test_the_facts_the_site_adds_continue_the_published_list_of_a_detection(view, served_sample_site):
    page = view(SIZES["wide"])
    page.goto(served_sample_site + "endpoint/3f2a9c1e-6b4d-4e8a-9f10-2c7d5e8b1a01/")
    tops = page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('article li > strong'),
        s => [s.textContent, s.parentElement.getBoundingClientRect().top]))""")
    first_added = page.locator("article .sc-facts li").first
    assert first_added.locator("strong").inner_text() == "Status"
    added = first_added.evaluate("li => li.getBoundingClientRect().top")
    # Author, ID (the published list's last item), Status (the first of the site's): one item's height apart.
    assert abs((added - tops["ID"]) - (tops["ID"] - tops["Author"])) < 1


SIDEBARS = """() => Array.from(document.querySelectorAll('.md-sidebar'), e => e.getBoundingClientRect().width > 0
    ? e.dataset.mdType : null).filter(Boolean)"""
"""The theme's sidebars a wide screen shows (by their data-md-type: navigation, toc)."""


@pytest.mark.parametrize("address, shown", [
    ("detections/", []), ("categories/endpoint/", []), ("data_sources/", []),
    ("detections/defense_evasion/", ["navigation"]),
    ("endpoint/d6f2b006-0041-11ec-8885-acde48001122/", ["navigation", "toc"]),
])
def test_a_listing_takes_the_width_its_empty_sidebars_would_take(view, served_today_site, address, shown):
    """On a wide screen, listings the published front matter calls wide, and the site's own indexes, show neither
    of the theme's sidebars (the navigation would list only the page's own tab, the table of contents nothing); a
    page without sections (a tactic's listing) no table of contents; a detection page both. (The drawer of a
    phone is tested on a wide listing above.)"""
    page = view(SIZES["wide"])
    page.goto(served_today_site + address)
    page.wait_for_load_state("load")
    assert page.evaluate(SIDEBARS) == shown
    width = page.locator(".md-content").evaluate("e => e.getBoundingClientRect().width")
    assert width > {0: 1100, 1: 900, 2: 0}[len(shown)] and (len(shown) < 2 or width < 800)


def focused(page) -> dict:
    """The focused element: its tag, text, whether it is in the article, and how its focus shows. The theme's
    hidden toggles (the palette's radio buttons) show their focus on the label beside them; its search box
    shows it by opening the search."""
    return page.evaluate("""() => {
        const e = document.activeElement;
        const shown = e.tagName === 'INPUT' && e.nextElementSibling && e.nextElementSibling.tagName === 'LABEL'
            && getComputedStyle(e).opacity === '0' ? e.nextElementSibling : e;
        const style = getComputedStyle(shown), r = shown.getBoundingClientRect();
        const search = document.querySelector('[data-md-toggle=search]');
        return {tag: e.tagName, text: (e.getAttribute('aria-label') || e.textContent || e.value || '').trim().slice(0, 40),
                inArticle: !!e.closest('article'), outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
                shadow: style.boxShadow, visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight,
                opacity: Number(style.opacity),
                searchOpened: e.classList.contains('md-search__input') && !!search && search.checked};
    }""")


UNDER_COPY_BUTTON = """() => Array.from(document.querySelectorAll('pre'), pre => {
    // How many characters of each code block lie under its copy button.
    const nav = pre.querySelector('.md-code__nav'), code = pre.querySelector('code');
    if (!nav || !code) return 0;
    const button = nav.getBoundingClientRect(), walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    let under = 0;
    while (walker.nextNode()) {
        const text = walker.currentNode;
        for (let i = 0; i < text.length; i++) {
            if (!text.data[i].trim()) continue;
            const range = document.createRange();
            range.setStart(text, i);
            range.setEnd(text, i + 1);
            const r = range.getBoundingClientRect();
            if (r.right > button.left && r.left < button.right && r.bottom > button.top && r.top < button.bottom) under++;
        }
    }
    return under;
})"""


@pytest.mark.parametrize("size", ["wide", "phone"])
def test_no_code_runs_under_its_copy_button(view, served_sample_site, size):
    """The theme keeps the copy button over the code's top right corner; a search's wrapped first line ran under
    it (on a phone, every search's)."""
    page = view(SIZES[size])
    page.goto(served_sample_site + "endpoint/3f2a9c1e-6b4d-4e8a-9f10-2c7d5e8b1a01/")
    page.locator("pre .md-code__nav").first.wait_for()
    under = page.evaluate(UNDER_COPY_BUTTON)
    assert len(under) >= 2 and under == [0] * len(under), under


def test_a_first_visit_shows_the_scheme_the_system_prefers_and_the_toggle_is_remembered(browser, served_sample_site):
    for system, first, other in (("light", "default", "slate"), ("dark", "slate", "default")):
        with contextlib.closing(browser.new_context(viewport=SIZES["wide"], color_scheme=system)) as context:
            page = context.new_page()
            # The scheme as the page is first shown: applied by the header's script, before the theme's bundle.
            page.route("**/assets/javascripts/bundle.*.min.js", lambda route: route.abort())
            page.goto(served_sample_site + "detections/")
            assert scheme_of(page) == first
            page.unroute("**/assets/javascripts/bundle.*.min.js")
            page.goto(served_sample_site + "stories/")
            page.wait_for_load_state("load")
            choose_scheme([(page, other)])
            page.goto(served_sample_site + "detections/")
            assert scheme_of(page) == other  # the reader's choice outlasts the system's preference


FOCUSED = """() => { const e = document.activeElement;
    return {label: e.getAttribute('aria-label') || e.textContent.trim().slice(0, 40),
            inDrawer: !!e.closest('.md-sidebar--primary'), expanded: e.getAttribute('aria-expanded')}; }"""


def test_the_navigation_drawer_opens_and_closes_with_the_keyboard_and_its_links_are_no_tab_stops_while_closed(
        view, served_sample_site):
    page = view(SIZES["phone"])
    page.goto(served_sample_site + "detections/")
    page.wait_for_load_state("load")
    stops = []
    for _ in range(40):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
    assert not [stop for stop in stops if stop["inDrawer"]], stops  # off the screen, they had been 10 stops
    assert stops[1] == {"label": "Navigation", "inDrawer": False, "expanded": "false"}  # after the skip link
    drawer = page.locator("#__drawer")
    button = page.locator("label.md-header__button[for='__drawer']")
    button.focus()
    page.keyboard.press("Enter")
    focused = page.evaluate(FOCUSED)
    assert drawer.is_checked() and focused["inDrawer"] and focused["label"] == "Home"
    assert button.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    assert not drawer.is_checked() and page.evaluate(FOCUSED) == {"label": "Navigation", "inDrawer": False,
                                                                    "expanded": "false"}
    page.keyboard.press(" ")
    assert drawer.is_checked() and page.evaluate(FOCUSED)["inDrawer"]


IN_PAGE = """() => { const e = document.activeElement;
    return {label: (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 40),
            where: e.closest('.md-sidebar--primary') ? 'drawer' : e.closest('.md-header') ? 'header'
                 : e.closest('.md-content, .md-sidebar--secondary, .md-tabs, .md-footer, .md-top') ? 'page' : e.tagName}; }"""


@pytest.mark.parametrize("size", ["phone", "zoomed"])
def test_while_the_drawer_is_open_tab_goes_round_the_drawer_alone(browser, served_sample_site, size):
    """The open drawer and its shade cover the rest: Tab went on from its last link to the links under it, out of
    sight, and then to the header's controls under the shade (its search opened behind it)."""
    viewport, scale = (SIZES["phone"], 1) if size == "phone" else (ZOOMED, 2)
    with contextlib.closing(browser.new_context(viewport=viewport, device_scale_factor=scale)) as context:
        page = context.new_page()
        page.goto(served_sample_site + "detections/")
        page.wait_for_load_state("load")
        page.locator("label.md-header__button[for='__drawer']").focus()
        page.keyboard.press("Enter")
        stops = []
        for _ in range(30):
            page.keyboard.press("Tab")
            stops.append(page.evaluate(IN_PAGE))
        places = {stop["where"] for stop in stops}
        assert "drawer" in places and places <= {"drawer", "BODY"}, stops  # BODY: the browser's own controls
        page.keyboard.press("Escape")  # closed, the page is the page again
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert page.evaluate(IN_PAGE)["where"] != "drawer"
        assert page.locator(".md-content").evaluate("e => e.inert") is False


@pytest.mark.parametrize("size", ["wide", "zoomed"])
@pytest.mark.parametrize("address", ["detections/", "endpoint/3f2a9c1e-6b4d-4e8a-9f10-2c7d5e8b1a01/"])
def test_shift_tab_never_leaves_the_focus_under_the_header(browser, served_sample_site, address, size):
    """Going back up a page with Shift+Tab, the browser scrolled each link just into view: under the sticky header
    and tabs (7 of 40 stops of a detection page at 1,280 px), or under the theme's "Back to top" button. That
    button, a Tab stop the theme takes the focus from when it hides it, sent the focus back to the top of the
    page now and then: the walk ended there."""
    viewport, scale = (SIZES["wide"], 1) if size == "wide" else (ZOOMED, 2)
    with contextlib.closing(browser.new_context(viewport=viewport, device_scale_factor=scale)) as context:
        page = context.new_page()
        page.goto(served_sample_site + address)
        page.locator(".md-top[tabindex='-1']").wait_for(state="attached")  # the site's scripts have set it up
        page.locator("footer a").last.focus()
        hidden, stops = [], 0
        for _ in range(60):
            page.keyboard.press("Shift+Tab")
            page.wait_for_timeout(50)  # the theme's "Back to top" button shows as the page scrolls up
            seen = page.evaluate("""() => {
                const e = document.activeElement, r = e.getBoundingClientRect();
                if (e === document.body || e.closest('.md-header')) return {end: e.tagName};  // never covered
                const at = document.elementFromPoint(r.left + Math.min(r.width / 2, 5), r.top + r.height / 2);
                return {text: (e.textContent || '').trim().slice(0, 40), top: Math.round(r.top),
                        shown: r.bottom > 0 && r.top < innerHeight && !!at && (e.contains(at) || at.contains(e)),
                        under: at ? at.className : ''};
            }""")
            if "end" in seen:  # up to the header: the whole page is done (on, the search would open and wrap round)
                break
            stops += 1
            if not seen["shown"]:
                hidden.append(seen)
        assert stops >= 20 and seen.get("end") != "BODY", (stops, seen)  # up the page, never lost on the way
        assert hidden == []


def until(page, expression: str, failure: str) -> None:
    """Wait until `expression` is true in the page, for up to five seconds. Polled from here: the site's Content
    Security Policy refuses the evaluated string Playwright's own waiting polls with."""
    for _ in range(50):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(failure)


def open_search(page) -> None:
    """Press "/" and wait until the search has the focus, and a moment more: the theme opens it in its own time,
    and its Escape key closes it only once it has seen the focus arrive (a reader takes longer than that)."""
    page.keyboard.press("/")
    until(page, "document.activeElement.classList.contains('md-search__input')", "the search did not open")
    page.wait_for_timeout(300)


def focus_given_back(page) -> None:
    """Wait until the focus has left the search for an element of the page (the theme takes it away in its own
    time)."""
    until(page, "document.activeElement !== document.body && !document.activeElement.closest('.md-search')",
          "the focus stayed on the page's <body>")


@pytest.mark.parametrize("size", ["wide", "phone"])
@pytest.mark.parametrize("arrow", [False, True], ids=["from the box", "from a result"])
def test_escape_in_the_search_gives_the_focus_back_to_where_the_reader_was(view, served_sample_site, size, arrow):
    """The theme's Escape left the focus on the page's <body>: the next Tab started again at the top of the page.
    A result the arrow keys reach shows its focus (the theme's tint alone is 1.1:1 against the page)."""
    page = view(SIZES[size])
    page.goto(served_sample_site + "detections/")
    page.wait_for_load_state("load")
    rows = page.locator("article table tbody tr")
    rows.first.locator("a").first.focus()
    open_search(page)
    # Set at once, as a paste does: typed key by key, the answer to each key replaces the list, and takes the focus
    # with it if the arrow keys had moved it there (a reader's ArrowDown comes later than the test's).
    page.locator(".md-search__input").fill("lsass")
    assert any("LSASS" in title for title in settled_result_titles(page))
    if arrow:
        page.keyboard.press("ArrowDown")
        result = focused(page)
        assert result["tag"] == "A" and "LSASS" in result["text"] and result["outline"] == "solid" \
            and result["outlineWidth"] >= 1, result
    page.keyboard.press("Escape")
    focus_given_back(page)
    assert page.evaluate("document.activeElement.closest('tr') && document.activeElement.closest('tr').rowIndex") == 1
    page.keyboard.press("Tab")  # on along the row, not from the top of the page
    assert page.evaluate("!!document.activeElement.closest('article table')")


def test_escape_in_a_search_opened_from_nowhere_leaves_the_page_where_it_is(view, served_sample_site):
    """The focus is given back only to where it was when the search opened: a reader who had clicked the page's
    text further down was sent back up to a link focused before an earlier search."""
    page = view(SIZES["wide"])
    page.goto(served_sample_site + "endpoint/3f2a9c1e-6b4d-4e8a-9f10-2c7d5e8b1a01/")
    page.wait_for_load_state("load")
    page.locator("article a:visible").first.focus()
    open_search(page)
    page.keyboard.press("Escape")
    focus_given_back(page)  # an earlier search's
    page.mouse.wheel(0, 2000)  # read on down the page, the focus nowhere (as after a click on its text)
    page.evaluate("document.activeElement.blur()")
    page.wait_for_timeout(300)
    where = page.evaluate("scrollY")
    assert where > 300 and page.evaluate("document.activeElement === document.body")
    open_search(page)
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert page.evaluate("document.activeElement === document.body") and page.evaluate("scrollY") == where


@pytest.mark.parametrize("address, first_in_content", [
    ("", "Security Content"),  # the home page's first link, in its first card
    ("detections/", "Filters"),  # the detections index's filters: one Tab after the skip link
    ("techniques/", "Filters"),
    ("endpoint/3f2a9c1e-6b4d-4e8a-9f10-2c7d5e8b1a01/", None),  # a published page: its Markdown has no title
])
def test_a_skip_link_is_the_first_tab_stop_and_leads_to_the_content(view, served_sample_site, address,
                                                                     first_in_content):
    page = view()
    page.goto(served_sample_site + address)
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["tag"] == "A" and skip["text"] == "Skip to content" and skip["visible"], skip
    page.wait_for_timeout(400)  # the theme fades it in
    assert focused(page)["opacity"] == 1
    assert page.locator("a.md-skip:visible").count() == 1  # one skip link, not the theme's as well
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#sc-content$"), timeout=5_000)
    page.keyboard.press("Tab")
    landed = focused(page)
    assert landed["inArticle"], landed
    if landed["text"] == "¶":  # the title's permalink, where the page's Markdown has its title
        page.keyboard.press("Tab")
        landed = focused(page)
    if first_in_content == "Security Content":
        assert "detections" in landed["text"], landed
    elif first_in_content:
        assert landed["text"].startswith(first_in_content), landed


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("address", ["detections/", "techniques/", "endpoint/3f2a9c1e-6b4d-4e8a-9f10-2c7d5e8b1a01/"])
def test_focus_is_visible_on_every_control(view, served_sample_site, address, scheme):
    page = view()
    page.goto(served_sample_site + address)
    page.wait_for_load_state("load")
    choose_scheme([(page, SCHEMES[scheme])])
    page.reload()  # the scheme stays; Tab starts from the top of the page again
    page.wait_for_load_state("load")
    def shows(now: dict) -> bool:  # an outline or a shadow on something on the screen, or the search opened
        return now["searchOpened"] or now["visible"] and (
            (now["outline"] != "none" and now["outlineWidth"] > 0) or now["shadow"] != "none")

    seen, invisible = [], []
    for _ in range(60):
        page.keyboard.press("Tab")
        now = focused(page)
        for _ in range(20):  # the theme opens its search, and fades some outlines in, a moment after the focus
            if now["tag"] == "BODY" or shows(now):
                break
            page.wait_for_timeout(100)
            now = focused(page)
        if now["tag"] == "BODY":
            break
        seen.append(now)
        if not shows(now):
            invisible.append(now)
    assert len(seen) >= 20, seen
    assert invisible == [], [(now["tag"], now["text"], now["visible"]) for now in invisible]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_scheme_toggle_stops_on_the_scheme_in_use_and_the_arrow_keys_switch_it(view, served_sample_site, scheme):
    """The theme checked none of the toggle's radio buttons: Tab stopped on the first, hidden in the dark scheme
    (the focus showed nowhere), and each button was named for the scheme it does not choose."""
    page = view()
    page.goto(served_sample_site)
    page.wait_for_load_state("load")
    choose_scheme([(page, SCHEMES[scheme])])
    page.reload()
    page.wait_for_load_state("load")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "__palette":
            break
    toggle = page.evaluate("""() => { const e = document.activeElement, label = e.nextElementSibling;
        return {name: e.name, checked: e.checked, scheme: e.dataset.mdColorScheme, label: e.getAttribute('aria-label'),
                shown: !!label && !label.hidden && label.getBoundingClientRect().width > 0}; }""")
    assert toggle == {"name": "__palette", "checked": True, "scheme": SCHEMES[scheme], "shown": True,
                      "label": f"Switch to {scheme} mode"}
    page.keyboard.press("ArrowDown" if scheme == "light" else "ArrowUp")  # the radio group's other choice
    other = "dark" if scheme == "light" else "light"
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') === '{SCHEMES[other]}'")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == f"Switch to {other} mode"


def luminance(colour: str) -> float:
    """The relative luminance (WCAG 2) of a computed colour, "rgb(r, g, b)"."""
    channels = [int(value) / 255 for value in re.findall(r"\d+", colour)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_heat_scale_and_the_controls_keep_their_meaning_and_contrast_in_both_schemes(view, served_sample_site,
                                                                                          scheme):
    page = view()
    page.goto(served_sample_site + "techniques/")
    page.locator("#sc-matrix-filters .sc-filters__count").wait_for()
    choose_scheme([(page, SCHEMES[scheme])])
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    legend = page.locator(".sc-matrix__legend li").evaluate_all(
        "items => items.map(i => [getComputedStyle(i).color, getComputedStyle(i).backgroundColor])")
    # More detections, further from the page's background: "no detection" is the closest shade to it.
    distance = [abs(luminance(shade) - luminance(background)) for _, shade in legend]
    assert distance == sorted(distance) and len(set(distance)) == 6, (scheme, legend, background)
    assert all(contrast(text, shade) >= 4.5 for text, shade in legend), legend
    # The filters' controls take the scheme's colours; the button does not look disabled.
    select = page.locator("#sc-matrix-filters select").first
    select_colours = select.evaluate("s => [getComputedStyle(s).color, getComputedStyle(s).backgroundColor]")
    assert abs(luminance(select_colours[1]) - luminance(background)) < 0.05, (select_colours, background)
    assert contrast(*select_colours) >= 4.5
    button = page.locator("#sc-matrix-filters").get_by_role("button", name="Clear filters")
    assert contrast(button.evaluate("b => getComputedStyle(b).color"), background) >= 4.5


def test_the_matrix_s_numbers_say_what_they_count_to_a_screen_reader(view, served_sample_site):
    """A covered technique read "Active Scanning, link, 1"; a tactic "Reconnaissance 3/10" (its explanation only a
    tooltip). Words only a screen reader reads say what the numbers count; the filters still count in <b>."""
    page = view()
    page.goto(served_sample_site + "techniques/")
    page.locator("#sc-matrix-filters .sc-filters__count").wait_for()
    read = page.locator(".sc-matrix__grid li[title] > b:not([hidden])").evaluate_all(
        "bs => bs.map(b => [b.textContent, b.querySelector('.sc-hidden').getBoundingClientRect().width])")
    assert read and all(re.fullmatch(r"detections: \d+", text) and width <= 1 for text, width in read), read
    tactics = page.locator(".sc-matrix__tactic h2 > span").evaluate_all("ss => ss.map(s => s.textContent)")
    assert tactics and all(re.fullmatch(r"with a detection: \d+/\d+", text) for text in tactics), tactics
    page.select_option("#sc-matrix-filters select[name=type]", "TTP")  # recounted, the words kept
    assert all(re.fullmatch(r"detections: \d+", text) for text in page.locator(
        ".sc-matrix__grid li[title] > b:not([hidden])").evaluate_all("bs => bs.map(b => b.textContent)"))
