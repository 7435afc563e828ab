"""What readers see, in a real headless Chromium (Debian's) driven by Playwright.

The corpus site is built with site_url https://example.github.io/escu/ and
served from http://127.0.0.1:<port>/escu/, as GitHub Pages serves a project
site. A failing test saves a screenshot under test-artifacts/.
"""

from __future__ import annotations

import functools
import json
import os
import random
import re
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import material
import pytest

from conftest import ROOT, QuietHandler
from generator.site.layout import TACTIC_ORDER, heat

playwright_api = pytest.importorskip("playwright.sync_api") if not os.environ.get("REQUIRE_BROWSER") else \
    __import__("playwright.sync_api", fromlist=["sync_playwright"])

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def served_site(corpus_site, tmp_path_factory):
    yield from served(corpus_site, tmp_path_factory)


@pytest.fixture(scope="session")
def served_2024_site(corpus_2024_site, tmp_path_factory):
    yield from served(corpus_2024_site, tmp_path_factory)


def served(built, tmp_path_factory):
    """A session's built site, (folder, mkdocs' result), served under /escu/."""
    out, result = built
    assert result.returncode == 0, result.stderr[-2000:]
    yield from _serve(out, tmp_path_factory)


def _serve(out: Path, tmp_path_factory):
    """Serve a built site at http://127.0.0.1:<port>/escu/, as GitHub Pages serves a project site."""
    root = tmp_path_factory.mktemp("webroot")
    (root / "escu").symlink_to(out, target_is_directory=True)
    handler = functools.partial(QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/escu/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


DISM = "endpoint/windows_dism_remove_defender/"


def test_detection_page_shows_one_attack_table_with_every_technique(page, served_site):
    page.goto(served_site + DISM)
    tables = page.locator("article table").filter(has_text="Technique")
    assert tables.count() == 1
    rows = tables.first.locator("tbody tr")
    assert [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())] == ["T1562.001", "T1562"]
    assert tables.first.locator("th").all_inner_texts() == ["ID", "Technique", "Tactic"]


def test_try_in_splunk_link_looks_like_a_button(page, served_site):
    page.goto(served_site + DISM)
    button = page.get_by_role("link", name="Try in Splunk Security Cloud")
    style = button.evaluate("""e => { const s = getComputedStyle(e);
        return {display: s.display, background: s.backgroundColor, radius: parseFloat(s.borderTopLeftRadius),
                padding: parseFloat(s.paddingLeft), color: s.color}; }""")
    assert style["display"] == "inline-block"
    assert style["background"] not in ("rgba(0, 0, 0, 0)", "transparent")
    assert style["radius"] > 0 and style["padding"] > 0
    assert style["color"] != style["background"]


def test_macros_are_a_list(page, served_site):
    page.goto(served_site + DISM)
    intro = page.locator("article p", has_text="The SPL above uses the following Macros:")
    items = intro.locator("xpath=following-sibling::*[1][self::ul]/li")
    assert items.all_inner_texts() == ["security_content_ctime", "security_content_summariesonly"]


def search(page, query: str) -> list[str]:
    """Titles of every result the theme's search lists for `query` (it shows them ten at a time)."""
    page.locator("input.md-search__input").fill(query)
    page.locator(".md-search-result__item").first.wait_for(timeout=20_000)
    meta = page.locator(".md-search-result__meta").inner_text()
    expected = int(re.search(r"(\d+) matching", meta).group(1)) if re.search(r"\d+ matching", meta) else 1
    items = page.locator(".md-search-result__item")
    scroller = page.locator(".md-search__scrollwrap")
    for _ in range(100):  # the theme adds results each time the list is scrolled to its end
        if items.count() >= expected:
            break
        scroller.evaluate("e => { e.scrollTop = Math.max(0, e.scrollHeight - e.clientHeight - 400); }")
        page.wait_for_timeout(50)
        scroller.evaluate("e => { e.scrollTop = e.scrollHeight; }")
        page.wait_for_timeout(100)
    return page.locator(".md-search-result__article h1").all_inner_texts()


def test_search_for_a_technique_id_lists_the_detection(page, served_site):
    page.goto(served_site)
    titles = search(page, "T1562.001")
    assert titles[0] == "T1562.001: Disable or Modify Tools"
    assert "Windows DISM Remove Defender" in titles


def test_search_finds_a_detection_by_name_and_by_uuid(page, served_site):
    page.goto(served_site)
    assert search(page, "Windows DISM Remove Defender")[0] == "Windows DISM Remove Defender"
    assert search(page, "8567da9e-47f0-11ec-99a9-acde48001122")[0] == "Windows DISM Remove Defender"


def results_for(page, query: str, how: str) -> list[str]:
    """Titles of the first results for `query`, pasted (the box's text set at once, as a mouse paste does:
    no key event) or typed key by key, once the list has stopped changing."""
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("")
    if how == "pasted":
        box.fill(query)
    else:
        box.press_sequentially(query, delay=20)
    return settled_result_titles(page)


def settled_result_titles(page) -> list[str]:
    """The titles of the results on screen once the list has stopped changing: typed key by key, a query is
    searched at each key, and each answer replaces the list (with the element that had the focus in it)."""
    page.locator(".md-search-result__item").first.wait_for(timeout=20_000)
    titles, previous = None, []
    for _ in range(40):
        page.wait_for_timeout(150)
        titles = page.locator(".md-search-result__article h1").all_inner_texts()
        if titles == previous:
            break
        previous = titles
    return titles


TOKEN_EXPOSURE = "Splunk Authentication Token Exposure in Debug Log"


@pytest.mark.parametrize("how", ["pasted", "typed"])
@pytest.mark.parametrize("query, expected, rank", [
    ("9a67e749-d291-40dd-8376-d422e7ecf8b5", TOKEN_EXPOSURE, 1),  # the detection's id
    ("9A67E749-D291-40DD-8376-D422E7ECF8B5", TOKEN_EXPOSURE, 1),
    ("CVE-2024-29945", TOKEN_EXPOSURE, 1),
    ("cve-2024-29945", TOKEN_EXPOSURE, 1),
    ("t1003.001", "T1003.001: LSASS Memory", 1),
    # A macro only one detection uses finds it among the first on screen; a story's name finds the story first
    # (its detections have the same words in their names).
    ("aws_ecr_users", "AWS ECR Container Upload Unknown User", 3),
    ("Log4Shell CVE-2021-44228", "Log4Shell CVE-2021-44228", 1),  # the whole title: before pages named after it
])
def test_ids_are_found_however_they_are_entered(page, served_2024_site, query, expected, rank, how):
    page.goto(served_2024_site)
    assert expected in results_for(page, query, how)[:rank]


def numbers_index(seed: int = 2, documents: int = 3000, words: int = 30) -> list[dict]:
    """Pages of random numbers: an index on which lunr (which the theme's search runs) merges different
    nodes of its word graph, and a prefix query then fails ("Invalid query", no results). Seed 2 does."""
    numbers = random.Random(seed)
    return [{"location": f"page{i}/", "title": f"page {i}",
             "text": " ".join(str(numbers.randrange(10 ** numbers.randrange(2, 7))) for _ in range(words))}
            for i in range(documents)]


def test_prefix_queries_do_not_fail_on_an_index_that_breaks_lunr(page, served_2024_site):
    index = json.loads(page.request.get(served_2024_site + "search/search_index.json").text())
    page.goto(served_2024_site + "about/")
    theme_worker = next((Path(material.__file__).parent / "templates" / "assets" / "javascripts" / "workers")
                        .glob("search.*.min.js")).name
    # What the site's pages use: the theme's configuration, as the shared setup script
    # (overrides/assets/javascripts/sc-frame.js) made it.
    config = json.loads(page.evaluate("document.getElementById('__config').textContent"))
    assert config["search"] == f"{served_2024_site}javascripts/site-search-worker.js"
    failed = []
    page.on("console", lambda message: failed.append(message.text) if "Invalid query" in message.text else None)
    queries = ["1*", "2*", "3*", "4*", "5*", "6*", "7*", "8*", "9*", "12*", "23*", "34*", "45*", "56*", "67*",
               "78*", "89*", "91*"]

    def found(worker: str, config: dict = index["config"]) -> list[int]:
        return page.evaluate("""async ([worker, data, queries]) => {
            const search = new Worker(worker);
            const ask = message => new Promise(done => { search.onmessage = e => done(e.data);
                                                         search.postMessage(message); });
            await ask({type: 0, data});
            const counts = [];
            for (const query of queries) counts.push((await ask({type: 2, data: query})).data.items.length);
            search.terminate();
            return counts; }""", [worker, {"config": config, "docs": numbers_index(),
                                           "options": {"suggest": False}}, queries])

    found(f"../assets/javascripts/workers/{theme_worker}")
    page.wait_for_timeout(200)
    assert failed, "the theme's own worker no longer fails on this index: is search-worker.js still needed?"
    counts = []
    for worker, config in ((f"../javascripts/search-worker.js?theme={theme_worker}", index["config"]),  # sections
                           ("../javascripts/site-search-worker.js", written_config(index["config"], numbers_index()))):
        failed.clear()
        counts.append(found(worker, config))
        page.wait_for_timeout(200)
        assert failed == [] and all(count > 0 for count in counts[-1]), (worker, counts[-1])
    assert counts[0] == counts[1]  # both complete each query's number to the same pages


def test_a_typed_query_lists_the_pages_with_its_words_marked(page, served_2024_site):
    page.goto(served_2024_site)
    titles = results_for(page, "lsass memory", "typed")
    assert "T1003.001: LSASS Memory" in titles[:10]
    first = page.locator(".md-search-result__item").first
    assert first.locator("h1 mark").all_inner_texts() == ["LSASS", "Memory"]
    marked = first.locator("p mark").all_inner_texts()  # in the excerpt: the words and their completions
    assert marked and all(word.lower().startswith(("lsass", "memory")) for word in marked), marked
    assert page.locator(".md-search-result .sc-search-terms").count() == 0  # the lookup words are not sent
    # A word the query requires, and one it rules out.
    assert all("Defender" not in title for title in results_for(page, "dism -defender", "typed"))
    assert "Windows DISM Remove Defender" in results_for(page, "dism", "typed")
    page.locator("input.md-search__input").fill("+nosuchword dism")
    page.locator(".md-search-result__meta", has_text="No matching documents").wait_for(timeout=20_000)


def test_the_site_search_worker_groups_a_hand_written_page_s_sections_under_it(page, served_2024_site):
    """A hand-written page keeps the theme's entry per section: found by a section, the page lists it."""
    index = json.loads(page.request.get(served_2024_site + "search/search_index.json").text())
    page.goto(served_2024_site + "about/")
    docs = [{"location": "guide/", "title": "Guide", "text": "<p>How to read the site.</p>"},
            {"location": "guide/#lookups", "title": "Lookups", "text": "<p>A lookup is a table.</p><p>Other.</p>"},
            {"location": "endpoint/x/", "title": "Uses a lookup", "text": "<p>Reads a table.</p>"}]
    result = ask_worker(page, index["config"], docs, "lookup")
    groups = [[(item["location"], item["title"], item["text"]) for item in group] for group in result["data"]["items"]]
    assert groups == [
        [("endpoint/x/", "Uses a <mark>lookup</mark>", "<p>Reads a table.</p>")],  # the whole word in its title
        # The section's paragraph with the match (of two), and the page it is a section of.
        [("guide/#lookups", "<mark>Lookups</mark>", "<p>A <mark>lookup</mark> is a table.</p>"),
         ("guide/", "Guide", "<p>How to read the site.</p>")]]
    assert result["data"]["suggest"] == ["lookup"]


def test_a_marked_word_leaves_the_punctuation_and_quotes_around_it_out(page, served_2024_site):
    index = json.loads(page.request.get(served_2024_site + "search/search_index.json").text())
    page.goto(served_2024_site + "about/")
    docs = [{"location": "endpoint/x/", "title": "Reads a table.",
             "text": "<p>Reads a table. Then &quot;table&quot;, and table&amp;chair.</p>"}]
    result = ask_worker(page, index["config"], docs, "table")
    [[item]] = result["data"]["items"]
    assert item["title"] == "Reads a <mark>table</mark>."
    # A character reference is not a word's punctuation: it is kept whole, outside the mark.
    assert item["text"] == ("<p>Reads a <mark>table</mark>. Then &quot;<mark>table</mark>&quot;, "
                            "and <mark>table</mark>&amp;chair.</p>")


def ask_worker(page, config: dict, docs: list[dict], query: str) -> dict:
    """The site's search worker's answer to `query`, in `page` (a page one folder below the site's root), over an
    index of `docs` with the site's search settings (`config`)."""
    result = page.evaluate("""async ([data, query]) => {
        const search = new Worker("../javascripts/site-search-worker.js");
        const ask = message => new Promise(done => { search.onmessage = e => done(e.data);
                                                     search.postMessage(message); });
        await ask({type: 0, data});
        const answer = await ask({type: 2, data: query});
        search.terminate();
        return answer; }""", [{"config": written_config(config, docs), "docs": docs, "options": {"suggest": True}},
                              query])
    assert result["type"] == 3
    return result


def written_config(config: dict, docs: list[dict]) -> dict:
    """The index's `config` with the word index of `docs` (search.py), as a build writes it."""
    from generator.site.search import with_word_index

    return with_word_index({"config": {k: v for k, v in config.items() if k != "words"}, "docs": docs})["config"]


def test_search_excerpts_come_from_the_description_and_listings_rank_below_pages(page, served_2024_site):
    page.goto(served_2024_site)
    results_for(page, "Windows DISM Remove Defender", "pasted")
    first = page.locator(".md-search-result__item").first
    assert first.locator("h1").inner_text() == "Windows DISM Remove Defender"
    excerpt = first.locator(".md-search-result__article p").first.inner_text()
    assert excerpt.startswith("The following analytic identifies the use of the Windows Disk Image Utility"), excerpt
    assert "Try in Splunk" not in page.locator(".md-search-result").inner_text()
    # The lookup words (ids, search values) find the page but are not shown; found by one, it shows its excerpt.
    assert not first.locator(".sc-search-terms").is_visible()
    results_for(page, "8567da9e-47f0-11ec-99a9-acde48001122", "pasted")
    excerpt = page.locator(".md-search-result__item").first.locator(".md-search-result__article p").first
    assert excerpt.inner_text().startswith("The following analytic identifies the use of the Windows Disk Image")
    index = json.loads(page.request.get(served_2024_site + "search/search_index.json").text())
    dism = [doc["location"] for doc in index["docs"] if "8567da9e-47f0-11ec-99a9-acde48001122" in doc["location"]]
    assert dism == ["endpoint/8567da9e-47f0-11ec-99a9-acde48001122/"]  # one entry, not one per section


def test_story_page_links_open_the_detection(page, served_site):
    page.goto(served_site + "stories/windows_defense_evasion_tactics/")
    page.locator("article").get_by_role("link", name="Windows DISM Remove Defender", exact=True).click()
    page.wait_for_url(re.compile(r"/escu/endpoint/windows_dism_remove_defender/$"))
    assert page.locator("article h1").inner_text() == "Windows DISM Remove Defender"


def test_technique_matrix_links_to_technique_pages(page, served_site):
    page.goto(served_site + "techniques/")
    cell = page.locator("article .sc-matrix li[title='T1562.001'] > a")
    assert cell.count() == 1 and cell.is_visible()  # a covered sub-technique shows without a click
    cell.click()
    page.wait_for_url(re.compile(r"/escu/techniques/T1562\.001/$"))
    assert "Disable or Modify Tools" in page.locator("article h1").inner_text()
    assert page.locator("article").get_by_role("link", name="Windows DISM Remove Defender", exact=True).count() == 1


CRON = "endpoint/0d370304-5f26-11ec-a4bb-acde48001122/"


def test_2024_annotations_open_and_close_and_empty_ones_are_not_shown(page, served_2024_site):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(served_2024_site + CRON)
    blocks = page.locator("article details:not(.sc-page-toc)")  # not the list of sections a narrow screen shows
    assert blocks.count() == 5
    visible = [blocks.nth(i) for i in range(5) if blocks.nth(i).is_visible()]
    assert [b.locator("summary").inner_text() for b in visible] == ["ATT&CK", "Kill Chain Phase", "NIST", "CIS20"]
    attack = visible[0]
    assert not attack.locator("table").is_visible()
    attack.locator("summary").click()
    assert attack.locator("table").is_visible()
    assert attack.locator("tbody tr td").first.inner_text() == "T1053.003"
    attack.locator("summary").click()
    page.wait_for_timeout(300)  # the theme animates the closing
    assert not attack.locator("table").is_visible()
    # The note's emoji is the theme's icon, drawn without an emoji font; nothing came from another host.
    assert page.locator('article span.sc-emoji--information svg').first.is_visible()
    assert [url for url in requests if not url.startswith("http://127.0.0.1:")] == []


def test_2024_old_detection_address_redirects(page, served_2024_site):
    page.goto(served_2024_site + "endpoint/linux_edit_cron_table_parameter/")
    page.wait_for_url(re.compile(r"/escu/endpoint/0d370304-5f26-11ec-a4bb-acde48001122/$"))
    assert page.locator("article h1").inner_text() == "Linux Edit Cron Table Parameter"


def test_an_open_tab_follows_edits_and_recovers_from_a_broken_file(page, tmp_path):
    from test_serve import WEBCLIENT, WEBCLIENT_PAGE, serving_a_copy

    with serving_a_copy(tmp_path) as (content, base, _):
        source = content / WEBCLIENT
        original = source.read_text()
        page.goto(base + WEBCLIENT_PAGE)
        source.write_text(original.replace("Finds `powershell.exe`", "Reloaded finds `powershell.exe`"))
        page.get_by_text("Reloaded finds").wait_for(timeout=30_000)  # no navigation: live reload did it

        source.write_text(original.replace("type: TTP\n", "type: [TTP\n"))
        page.locator("article h1", has_text="this file has errors").wait_for(timeout=30_000)
        notice = page.locator(".sc-preview-notice")
        notice.wait_for(timeout=10_000)
        assert "1 error in the content" in notice.inner_text()

        source.write_text(original)
        page.locator("article h1", has_text="PowerShell WebClient Download").wait_for(timeout=30_000)
        assert page.locator(".sc-preview-notice").count() == 0

        # An error that leaves the page shown: the notice on the page names it, on another page the first of all.
        source.write_text(original.replace("- T1105", "- T11O5"))
        own = page.locator(".sc-preview-notice", has_text="1 error in the content, 1 in this page's file: "
                                                           f"{WEBCLIENT}:44: error: 'T11O5' is not an ATT&CK")
        own.wait_for(timeout=30_000)
        assert page.locator("article h1").inner_text() == "PowerShell WebClient Download"
        page.goto(base + "detections/")
        notice = page.locator(".sc-preview-notice")
        notice.wait_for(timeout=10_000)
        assert notice.inner_text().startswith(f"1 error in the content: {WEBCLIENT}:44: error: 'T11O5'")


def test_the_theme_works_under_the_content_security_policy(page, served_site):
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith(("http://127.0.0.1:", "data:")) else None)
    page.goto(served_site + DISM)
    policy = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    # The theme's inline scripts are files the pages share (generator/site/frame.py): scripts come from the site only.
    assert "script-src 'self';" in policy and "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]
    # Search (its worker included), the palette toggle and the tabs still work.
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator(".md-search__input").fill("T1562.001")
    page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    page.keyboard.press("Escape")
    page.goto(served_site + DISM)
    scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") != scheme
    page.locator(".md-tabs__link", has_text="Analytic Stories").click()
    page.wait_for_url(re.compile(r"/escu/stories/$"))
    assert violations == [] and outside == []


def test_exports_are_reachable_from_home_and_download(page, served_2024_site):
    page.goto(served_2024_site)
    page.locator("article").get_by_role("link", name=re.compile(r"^Exports")).click()
    page.wait_for_url(re.compile(r"/escu/exports/$"))
    article = page.locator("article")
    downloaded = {}
    for name in ("api/detections.json", "api/detections.csv", "layers/all.json", "feed.xml"):
        response = page.request.get(article.get_by_role("link", name=name, exact=True).evaluate("a => a.href"))
        assert response.ok, name
        downloaded[name] = response.text()
    detections = json.loads(downloaded["api/detections.json"])
    assert len(detections) == downloaded["api/detections.csv"].count("\r\n") - 1 > 1000
    assert json.loads(downloaded["layers/all.json"])["versions"] == {"layer": "4.5", "navigator": "4.9.5",
                                                                      "attack": "14"}
    assert downloaded["feed.xml"].startswith('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">')
    story_layer = article.get_by_role("link", name="Log4Shell CVE-2021-44228", exact=True).first
    response = page.request.get(story_layer.evaluate("a => a.href"))
    assert response.ok and json.loads(response.text())["name"] == "Story: Log4Shell CVE-2021-44228"


def test_a_detection_links_its_techniques_to_the_site_and_technique_pages_show_attack(page, served_2024_site):
    page.goto(served_2024_site + CRON)
    page.locator("summary", has_text="ATT&CK").click()
    link = page.locator("article .sc-site-techniques a").first
    technique_id = link.inner_text().split(" ", 1)[0]
    assert page.locator("article table a", has_text=technique_id).first.get_attribute("href").startswith(
        "https://attack.mitre.org/")  # the published link stays beside it
    link.click()
    page.wait_for_url(re.compile(rf"/escu/techniques/{re.escape(technique_id)}/$"))
    article = page.locator("article")
    assert "Platforms" in article.inner_text() and article.locator("h2", has_text="ATT&CK data sources").count() == 1
    rows = article.locator("table").last.locator("tbody tr td:first-child a").all_inner_texts()
    assert len(rows) == len(set(rows)) > 0  # each detection once


def test_searches_are_highlighted_as_spl_in_the_theme_colours_with_a_copy_button(page, served_2024_site):
    page.goto(served_2024_site + CRON)
    block = page.locator("article div.highlight.language-spl").first
    command = block.locator("code span.k").first
    assert command.inner_text() in ("search", "tstats", "from", "inputlookup")
    plain = block.locator("code").first  # text outside the spans is plain
    colour = lambda locator: locator.evaluate("e => getComputedStyle(e).color")  # noqa: E731
    assert colour(command) != colour(plain)
    assert block.locator("button[data-md-type=copy]").count() == 1


def test_the_detections_index_filters_sorts_counts_and_keeps_its_state_in_the_address(page, served_2024_site):
    page.goto(served_2024_site + "detections/")
    count = page.locator("#sc-filters .sc-filters__count")
    count.wait_for()  # once the index's other parts are in its table (split.py)
    rows = page.locator("article table tbody tr")
    total = rows.count()
    assert count.inner_text() == f"{total:,} of {total:,} detections"
    records = json.loads(page.request.get(served_2024_site + "api/detections.json").text())
    assert total == len(records) and page.locator(".sc-pages:visible").count() == 0

    page.select_option("#sc-filters select[name=type]", "TTP")
    shown = page.locator("article table tbody tr:not([hidden])")
    ttp = shown.count()
    assert 0 < ttp < total and count.inner_text() == f"{ttp:,} of {total:,} detections"
    assert set(shown.locator("td:nth-child(3)").all_inner_texts()) == {"TTP"}
    assert page.url.endswith("detections/?type=TTP")

    # Each value's count is of the detections the other choices leave: what choosing it shows.
    offered = page.locator("#sc-filters select[name=tactic] option[value=Execution]").inner_text()
    page.select_option("#sc-filters select[name=tactic]", "Execution")
    both = shown.count()
    assert 0 < both < ttp and offered == f"Execution ({both:,})"
    assert page.locator("#sc-filters select[name=type] option[value=TTP]").inner_text() == f"TTP ({both:,})"
    page.select_option("#sc-filters select[name=sort]", "date")
    linked = page.url
    assert linked.endswith("?type=TTP&tactic=Execution&sort=date")

    records = json.loads(page.request.get(served_2024_site + "api/detections.json").text())
    date_of = {record["name"]: tuple(int(part) for part in record["date"].split("-")) for record in records}
    # Sorted by date, each row says its date after its name (the table has no date column).
    cells = shown.locator("td:first-child").evaluate_all("""cells => cells.map(cell => {
        const copy = cell.cloneNode(true), date = copy.querySelector("time.sc-filters__date");
        if (date) date.remove();
        copy.querySelectorAll(".sc-status").forEach(badge => badge.remove());
        return [copy.textContent.trim(), date && !date.hidden ? date.textContent : null];
    })""")
    dates = [date_of[name] for name, _ in cells]
    assert dates == sorted(dates, reverse=True) and len(cells) == both
    assert [written for _, written in cells] == ["%04d-%02d-%02d" % date for date in dates]

    page.goto(linked)  # a filtered view can be linked
    assert page.locator("#sc-filters select[name=type]").input_value() == "TTP"
    assert page.locator("#sc-filters select[name=tactic]").input_value() == "Execution"
    assert count.inner_text() == f"{both:,} of {total:,} detections"

    page.locator("#sc-filters").get_by_role("button", name="Clear filters").click()
    assert count.inner_text() == f"{total:,} of {total:,} detections"
    assert page.url.endswith("detections/?sort=date")  # the order chosen stays
    assert page.locator("#sc-filters select[name=tactic] option[value=Execution]").inner_text() != offered
    page.select_option("#sc-filters select[name=sort]", "")
    assert page.locator("article time.sc-filters__date:visible").count() == 0  # by name, no dates


def test_the_detections_index_says_so_while_it_reads_its_other_parts(page, served_2024_site):
    """The filters come once the index's other parts are read (split.py): until then the page says why there are
    none yet, rather than showing nothing."""
    held = []
    page.route("**/detections/page/**", lambda route: held.append(route))  # the parts' requests wait until let go
    page.goto(served_2024_site + "detections/")
    reading = page.locator("#sc-filters .sc-filters__reading")
    reading.wait_for()
    assert reading.inner_text() == "Reading the rest of the list for the filters\u2026"
    parts = page.locator(".sc-pages").first.locator("a[href]").count()
    for _ in range(100):  # the requests reach the handler while the page waits
        if len(held) >= parts:
            break
        page.wait_for_timeout(50)
    assert page.locator("#sc-filters select").count() == 0 and len(held) == parts > 0
    for route in held:
        route.continue_()
    page.locator("#sc-filters .sc-filters__count").wait_for()
    assert reading.count() == 0 and page.locator("#sc-filters select").count() > 5


def test_a_linked_filter_value_is_read_as_a_reader_writes_it_or_said_to_match_nothing(page, served_2024_site):
    """An address written by hand (`?technique=T1059.001`, `?tactic=execution`) chooses the value it stands for; one
    that nothing has is said so, and everything is shown (it was dropped without a word)."""
    page.goto(served_2024_site + "detections/?technique=T1059.001&tactic=execution")
    count = page.locator("#sc-filters .sc-filters__count")
    count.wait_for()
    rows = page.locator("article table tbody tr")
    total = rows.count()
    assert page.locator("#sc-filters select[name=technique]").input_value() == "T1059.001 PowerShell"
    assert page.locator("#sc-filters select[name=tactic]").input_value() == "Execution"
    shown = page.locator("article table tbody tr:not([hidden])").count()
    assert 0 < shown < total and count.inner_text() == f"{shown:,} of {total:,} detections"
    assert page.locator(".sc-filters__unknown").count() == 0

    page.goto(served_2024_site + "detections/?technique=T9999&type=TTP")
    count.wait_for()
    assert page.locator(".sc-filters__unknown").inner_text() == \
        "Nothing here has Technique \u201cT9999\u201d, so that filter is not applied."
    assert page.locator("#sc-filters select[name=technique]").input_value() == ""
    assert page.locator("#sc-filters select[name=type]").input_value() == "TTP"  # the others still apply


@pytest.mark.parametrize("listing, facet, field", [("stories", "category", "categories"),
                                                     ("playbooks", "use_case", "use_cases")])
def test_the_stories_and_playbooks_indexes_filter_count_and_keep_their_state(page, served_2024_site, listing,
                                                                              facet, field):
    records = json.loads(page.request.get(served_2024_site + f"api/{listing}.json").text())
    page.goto(served_2024_site + f"{listing}/")
    count = page.locator("#sc-filters .sc-filters__count")
    rows = page.locator("article table tbody tr")
    total = rows.count()
    assert count.inner_text() == f"{total:,} of {total:,} {listing}"
    values = sorted({value for record in records for value in record[field]})
    value = values[-1]
    page.select_option(f"#sc-filters select[name={facet}]", value)
    expected = sorted(record["name"] for record in records if value in record[field])
    shown = page.locator("article table tbody tr:not([hidden]) td:first-child").all_inner_texts()
    assert sorted(name.strip() for name in shown) == expected and 0 < len(expected) < total
    assert count.inner_text() == f"{len(expected):,} of {total:,} {listing}"
    page.select_option("#sc-filters select[name=sort]", "date")
    linked = page.url
    page.goto(linked)  # a filtered view can be linked
    assert page.locator(f"#sc-filters select[name={facet}]").input_value() == value
    assert count.inner_text() == f"{len(expected):,} of {total:,} {listing}"


def test_the_tag_index_jumps_by_letter_and_links_the_big_tags_pages(page, served_2024_site):
    page.goto(served_2024_site)
    page.locator(".md-tabs").get_by_role("link", name="Tags", exact=True).click()
    page.wait_for_url(re.compile(r"/escu/tags/$"))
    page.locator(".sc-jump-list").get_by_role("link", name="S", exact=True).click()
    assert page.url.endswith("/tags/#tags-s")
    assert page.locator("#tags-s").evaluate("h => h.getBoundingClientRect().top") < 200  # scrolled to it
    records = json.loads(page.request.get(served_2024_site + "api/detections.json").text())
    tagged = {" ".join(record["name"].split()) for record in records if "Splunk Enterprise" in record["products"]}
    page.locator("article").get_by_role("link", name=re.compile(r"^All \d+ pages tagged Splunk Enterprise$")).click()
    page.wait_for_url(re.compile(r"/escu/tags/splunk-enterprise/$"))
    listed = set(page.locator("article li a").all_inner_texts())
    parts = page.locator(".sc-pages").first.locator("a").evaluate_all("links => links.map(link => link.href)")
    for address in parts:  # a tag of more than 500 pages lists them in parts (split.py)
        page.goto(address)
        listed |= set(page.locator("article li a").all_inner_texts())
    assert tagged <= listed and len(tagged) > 1000 and len(parts) >= 2
    page.goto(served_2024_site + "tags/#lsass-memory")  # a published tag link lands on its heading
    assert page.locator("#lsass-memory").evaluate("h => h.getBoundingClientRect().top") < 200


def matrix_cells(page) -> list[tuple[str, str, str]]:
    """(id, shade class, count shown) of each technique of the matrix, as the reader's page has them."""
    return [tuple(cell) for cell in page.locator(".sc-matrix__grid li[title]").evaluate_all(
        "cells => cells.map(c => { const n = c.querySelector(':scope > b');"
        " return [c.title, c.className, n && !n.hidden ? n.lastChild.textContent : ''] })")]


def expected_cells(cells, records: list[dict], chosen=lambda record: True) -> list[tuple[str, str, str]]:
    """The cells as they should be over the detections of the export that `chosen` selects."""
    covering: dict[str, set[str]] = {}
    for record in filter(chosen, records):  # detections by address, as the pages count them
        for technique in record["techniques"]:
            covering.setdefault(technique["id"], set()).add(record["url"])
    counts = {technique_id: len(urls) for technique_id, urls in covering.items()}
    return [(technique_id, f"heat-{heat(counts.get(technique_id, 0))}", str(counts.get(technique_id, "")))
            for technique_id, _, _ in cells]


def test_the_attack_matrix_shows_every_tactic_at_1280_by_800_with_a_legend(page, served_2024_site):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(served_2024_site + "techniques/")
    page.locator("#sc-matrix-filters select").first.wait_for()
    heads = page.locator(".sc-matrix__tactic h2")
    # Each tactic's count, after the words only a screen reader reads.
    assert [re.sub(r"\s+with a detection:\s*\d+/\d+$", "", text) for text in heads.all_inner_texts()] == \
        list(TACTIC_ORDER)
    for i in range(heads.count()):
        box = heads.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 800, box
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert page.locator(".sc-matrix__scroll").evaluate("box => box.scrollWidth <= box.clientWidth")
    legend = page.locator(".sc-matrix__legend li")
    assert legend.all_inner_texts() == ["no detection", "1 detection", "2–4 detections", "5–9 detections",
                                        "10–24 detections", "25 or more detections"]
    shades = legend.evaluate_all("items => items.map(i => getComputedStyle(i).backgroundColor)")
    assert len(set(shades)) == 6 and legend.first.is_visible()  # uncovered has a shade of its own
    uncovered = page.locator(".sc-matrix__grid li.heat-0").first
    assert uncovered.evaluate("li => getComputedStyle(li).backgroundColor") == shades[0]

    page.set_viewport_size({"width": 900, "height": 800})  # narrower: the matrix scrolls, not the page
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert page.locator(".sc-matrix__scroll").evaluate("box => box.scrollWidth > box.clientWidth")


def test_the_attack_matrix_filters_recount_reshade_and_keep_their_state_in_the_address(page, served_2024_site):
    records = json.loads(page.request.get(served_2024_site + "api/detections.json").text())
    page.goto(served_2024_site + "techniques/")
    count = page.locator("#sc-matrix-filters .sc-filters__count")
    count.wait_for()
    total = len({record["url"] for record in records})
    assert count.inner_text() == f"{total:,} of {total:,} detections"
    everything = matrix_cells(page)
    assert everything == expected_cells(everything, records)  # the script agrees with the page it was given

    page.select_option("#sc-matrix-filters select[name=type]", "Anomaly")
    anomalies = matrix_cells(page)
    assert anomalies == expected_cells(everything, records, lambda r: r["type"] == "Anomaly") != everything
    assert page.url.endswith("techniques/?type=Anomaly")
    story = next(r["stories"][0] for r in records if r["type"] == "Anomaly" and r["stories"])
    page.select_option("#sc-matrix-filters select[name=story]", story)
    both = matrix_cells(page)
    chosen = lambda r: r["type"] == "Anomaly" and story in r["stories"]  # noqa: E731
    assert both == expected_cells(everything, records, chosen) != anomalies
    shown = len({r["url"] for r in records if chosen(r)})
    assert count.inner_text() == f"{shown:,} of {total:,} detections"
    covered = {technique_id for technique_id, shade, _ in both if shade != "heat-0"}
    assert page.locator(".sc-matrix__summary b").inner_text() == str(len(covered))
    linked = page.url
    assert "type=Anomaly&story=" in linked

    page.goto(linked)  # a filtered matrix can be linked
    count.wait_for()
    assert page.locator("#sc-matrix-filters select[name=type]").input_value() == "Anomaly"
    assert page.locator("#sc-matrix-filters select[name=story]").input_value() == story
    assert matrix_cells(page) == both and count.inner_text() == f"{shown:,} of {total:,} detections"


@pytest.fixture
def page_without_javascript(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def test_without_javascript_the_detections_index_s_parts_list_every_detection(page_without_javascript,
                                                                               served_2024_site):
    page = page_without_javascript
    records = json.loads(page.request.get(served_2024_site + "api/detections.json").text())
    page.goto(served_2024_site + "detections/")
    parts = page.locator(".sc-pages").first.locator("a").evaluate_all("links => links.map(link => link.href)")
    assert len(parts) == -(-len(records) // 500) - 1  # parts of 500 rows; this is the first
    names = page.locator("article table tbody td:first-child a").all_inner_texts()
    assert len(names) == 500
    for address in parts:
        page.goto(address)
        names += page.locator("article table tbody td:first-child a").all_inner_texts()
        assert page.locator(".sc-pages").count() == 2  # above and below the part's rows
    assert sorted(" ".join(name.split()) for name in names) == sorted(" ".join(record["name"].split())
                                                                      for record in records)


def test_without_javascript_the_attack_matrix_shows_every_detections_counts(page_without_javascript,
                                                                            served_2024_site):
    page = page_without_javascript
    records = json.loads(page.request.get(served_2024_site + "api/detections.json").text())
    page.goto(served_2024_site + "techniques/")
    cells = matrix_cells(page)
    assert len(cells) > 700 and cells == expected_cells(cells, records)
    assert page.locator("#sc-matrix-filters").inner_html() == ""


def test_a_covered_sub_technique_shows_without_a_click_and_opens_its_page(page, served_2024_site):
    page.goto(served_2024_site)
    page.locator("article").get_by_role("link", name=re.compile(r"ATT&CK techniques covered$")).click()
    page.wait_for_url(re.compile(r"/escu/techniques/$"))
    sub = page.locator(".sc-matrix__grid details li[title] > a").first
    assert sub.is_visible()
    technique_id = sub.evaluate("a => a.parentElement.title")
    summary = sub.locator("xpath=ancestor::details[1]/summary")
    assert re.fullmatch(r"[1-9]\d*/\d+ sub-techniques", summary.inner_text())
    sub.click()
    page.wait_for_url(re.compile(rf"/escu/techniques/{re.escape(technique_id)}/$"))
    assert page.locator("article h1").inner_text().startswith(technique_id)
CHANGED = "c0000000-0000-4000-8000-000000000002"


@pytest.fixture(scope="session")
def served_changes_site(changes_site, tmp_path_factory):
    yield from served(changes_site, tmp_path_factory)


def test_what_changed_is_reached_from_home_and_a_detection_links_to_its_visible_diff(page, served_changes_site):
    page.goto(served_changes_site)
    assert page.locator(".md-tabs").get_by_role("link", name="What changed").is_visible()
    page.get_by_role("link", name="What changed since Example Content 1.0.0").click()
    page.wait_for_url("**/changes/")
    page.locator("article").get_by_role("link", name="Encoded PowerShell Command").click()
    page.wait_for_url(f"**/endpoint/{CHANGED}/")

    page.get_by_role("link", name="see what changed").click()
    page.wait_for_url(f"**/changes/#{CHANGED}")
    entry = page.locator(f"[id='{CHANGED}']")
    top = entry.evaluate("e => e.getBoundingClientRect().top")
    header = page.locator(".md-header").evaluate("e => e.getBoundingClientRect().bottom")
    assert header <= top < page.viewport_size["height"] / 2  # scrolled to, below the sticky header
    added = entry.locator(".sc-diff__line--added", has_text="| where count > 0")
    removed = entry.locator(".sc-diff__line--removed")
    assert added.is_visible() and removed.is_visible()
    background = lambda locator: locator.evaluate("e => getComputedStyle(e).backgroundColor")  # noqa: E731
    assert len({background(added), background(removed), background(entry.locator("pre code"))}) == 3
    assert entry.get_by_role("cell", name="Anomaly").is_visible()  # the type, before


@pytest.mark.parametrize("width", [1280, 390])
def test_the_frames_shared_icons_are_painted(browser, served_site, width):
    """The header's icons are empty <svg>s painted by the shared icon stylesheet (overrides/partials/sc-icons.html):
    each shown one has its mask, its size, and the colour of the text around it."""
    context = browser.new_context(viewport={"width": width, "height": 900 if width > 400 else 844})
    page = context.new_page()
    page.goto(served_site + DISM)
    shown = page.evaluate("""() => [...document.querySelectorAll("header svg.sc-icon")]
        .filter(icon => icon.getBoundingClientRect().width > 0)
        .map(icon => { const style = getComputedStyle(icon);
                       return [icon.getAttribute("class"), style.maskImage || style.webkitMaskImage,
                               icon.getBoundingClientRect().width, style.backgroundColor, style.color]; })""")
    context.close()
    classes = {name for name, *_ in shown}
    assert {"sc-icon sc-icon--material-menu" if width < 1000 else "sc-icon sc-icon--material-library",
            "sc-icon sc-icon--material-weather-night"} <= classes, shown
    for name, mask, size, background, colour in shown:
        assert mask.startswith('url("data:image/svg+xml'), (name, mask)
        assert size >= 16 and background == colour, (name, size, background, colour)
