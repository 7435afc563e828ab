"""`mkdocs serve` shows the page of an edited detection before the rest of the rebuild (early.py).

Each test runs a serve session in this process with mkdocs' own live-reload
server object (not started: its epochs are what the browsers' tabs follow),
and looks at the site on disk at the moment the page is revealed.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from mkdocs.livereload import LiveReloadServer

import generator.site.plugin as plugin_module
from generator.site.early import MOST_PAGES, reload_when_done, reveal
from generator.site.preview import Preview
from goldens import tree
from test_incremental import content, differences, edit, session  # noqa: F401 - `content` is a fixture

DETECTION = "detections/endpoint/powershell_webclient_download.yml"
PAGE = Path("endpoint/d2024000-0000-4000-8000-000000000001/index.html")
INDEX = Path("detections/index.html")


@pytest.fixture
def serving(content, tmp_path, monkeypatch):  # noqa: F811 - the imported fixture
    """(content, site, rebuild, server, moments): a session after its first build, its server in the state of a
    rebuild that has started, and what the site held each time a page was revealed."""
    site = tmp_path / "site"
    rebuild, plugin = session(site)
    server = LiveReloadServer(builder=rebuild, host="127.0.0.1", port=0, root=str(site))
    plugin.preview.server = server
    moments: list[dict] = []
    real_reveal = plugin_module.reveal

    def reveal(revealed_server, shown) -> bool:
        moments.append({"page": (site / PAGE).read_bytes(), "index": (site / INDEX).read_text(),
                        "problems": (site / "problems.json").read_text(), "shown": shown})
        revealed = real_reveal(revealed_server, shown)
        # The version of the site each page is served with now (mkdocs' script in it reloads the tab when the
        # server's version passes it).
        moments[-1]["told"] = {name: told_version(revealed_server, site / path) for name, path in
                               (("page", PAGE), ("index", INDEX))}
        return revealed

    monkeypatch.setattr(plugin_module, "reveal", reveal)
    server._wanted_epoch = server._visible_epoch + 1000  # as the server's loop sets it when a rebuild starts
    yield content, site, rebuild, server, moments, plugin
    server.server_close()


def told_version(server: LiveReloadServer, page: Path) -> int:
    """The version of the site a tab loading `page` now is told, from mkdocs' script the server puts in it."""
    with server._epoch_cond:
        served = server._inject_js_into_html(page.read_bytes(), server._visible_epoch).decode()
    return int(re.search(r"livereload\((\d+), \d+\);", served)[1])


def test_an_edited_detection_is_shown_first_and_the_rebuild_then_writes_the_same_page(serving):
    content, site, rebuild, server, moments, _ = serving
    started = server._wanted_epoch
    edit(content / DETECTION, "name: PowerShell WebClient Download", "name: PowerShell Download Cradle")
    rebuild()
    assert len(moments) == 1
    shown = moments[0]
    assert b"PowerShell Download Cradle" in shown["page"]
    assert "PowerShell Download Cradle" not in shown["index"]  # the listings come after it
    assert "PowerShell Download Cradle" in (site / INDEX).read_text()
    assert (site / PAGE).read_bytes() == shown["page"]  # what was shown is what the whole rebuild writes
    # The search plugins outlive a build: the page's entry is in the index once, from the rebuild itself.
    index = json.loads((site / "search/search_index.json").read_text())
    entries = [entry for entry in index["docs"] if entry["location"].split("#")[0] == PAGE.parent.as_posix() + "/"]
    assert len(entries) == 1 and "PowerShell Download Cradle" in entries[0]["title"]
    # The tabs reloaded when the page was written (the server serves again), and reload once more when the
    # server's loop ends the rebuild (it makes the newer version it wants visible).
    assert server._visible_epoch == started
    assert server._wanted_epoch > started
    # A tab that loaded the page when it was shown was told the version the rebuild ends at, so it does not reload
    # again for the same page; a tab on any other page was told the version then, and reloads at the end.
    assert shown["told"] == {"page": server._wanted_epoch, "index": started}


def test_a_broken_detection_shows_its_located_errors_first(serving):
    content, site, rebuild, server, moments, _ = serving
    edit(content / DETECTION, "type: TTP\n", "type: [TTP\n")
    rebuild()
    assert len(moments) == 1
    shown = moments[0]["page"].decode()
    # The heading names the file, its path follows (on a phone a heading of the whole path filled the screen).
    assert re.search(r"<h1[^>]*>powershell_webclient_download\.yml: this file has errors<", shown)
    assert f"<p><code>{DETECTION}</code></p>" in shown
    assert "powershell_webclient_download.yml:" in shown and "invalid YAML" in shown
    assert '"errors": 1' in moments[0]["problems"]  # the notice on every page reads it: written with the page
    assert "PowerShell WebClient Download" in moments[0]["index"]  # the rest had not run yet ...
    assert "PowerShell WebClient Download" not in (site / INDEX).read_text()  # ... and then left the file out
    assert (site / PAGE).read_bytes() == moments[0]["page"]


@pytest.fixture(params=["without a build cache", "with a build cache"])
def cache_or_not(request, tmp_path, monkeypatch):
    """With a cache, a page whose Markdown is back to what an earlier build converted is not converted again."""
    if request.param == "with a build cache":
        monkeypatch.setenv("BUILD_CACHE", str(tmp_path / "cache"))


def test_a_fixed_page_linking_pages_the_broken_build_lacked_ends_with_its_links_and_reports_none_dead(cache_or_not,
                                                                                                     serving):
    content, site, rebuild, server, moments, plugin = serving
    technique = site / "techniques/T1105/index.html"  # only this detection names T1105
    link = 'href="../../techniques/T1105/"'
    edit(content / DETECTION, "type: TTP\n", "type: [TTP\n")
    rebuild()
    assert len(moments) == 1 and not technique.exists()
    edit(content / DETECTION, "type: [TTP\n", "type: TTP\n")
    rebuild()
    # Shown first with the last build's pages, its link to T1105 led nowhere; the rebuild wrote it with its link,
    # so the tab that loaded it then reloads at the end, and no link is reported as leading nowhere.
    assert len(moments) == 2 and link not in moments[1]["page"].decode()
    assert technique.exists() and link in (site / PAGE).read_text()
    assert moments[1]["told"]["page"] < server._wanted_epoch
    assert "/" + PAGE.parent.as_posix() + "/" not in plugin.dead_links  # (other pages' are the content's own)


def table_of_contents(page: bytes) -> str:
    """The page's table of contents (the theme's secondary navigation, up to the page's content), as HTML."""
    html = page.decode()
    return html[html.index('<nav class="md-nav md-nav--secondary"'):html.index('<div class="md-content"')]


def test_a_fixed_detection_shown_first_is_a_content_page_with_its_sections_side_by_side(serving):
    content, site, rebuild, server, moments, _ = serving
    edit(content / DETECTION, "type: TTP\n", "type: [TTP\n")
    rebuild()
    edit(content / DETECTION, "type: [TTP\n", "type: TTP\n")
    rebuild()
    assert len(moments) == 2
    # The published form's h3 "Annotations" among h4 sections: the sections after it are not nested in it, in the
    # page shown first (the last build had the file's error page there) as in the page the rebuild writes.
    shown, written = table_of_contents(moments[1]["page"]), table_of_contents((site / PAGE).read_bytes())
    assert depth(shown, "#annotations") == depth(shown, "#search") == depth(shown, "#description") == 1
    assert shown == written


def depth(toc: str, anchor: str) -> int:
    """How many lists of the table of contents the entry linking `anchor` is in."""
    before = toc[:toc.index(f'href="{anchor}"')]
    return before.count("<ul") - before.count("</ul>")


def test_a_broken_detection_s_old_name_address_leads_to_its_error_page_until_it_is_fixed(serving):
    content, site, rebuild, *_ = serving
    redirect = site / "endpoint/powershell_webclient_download/index.html"
    before = redirect.read_text()
    assert PAGE.parent.name in before
    edit(content / DETECTION, "type: TTP\n", "type: [TTP\n")
    rebuild()
    assert "this file has errors" in (site / PAGE).read_text()
    assert redirect.read_text() == before
    edit(content / DETECTION, "type: [TTP\n", "type: TTP\n")
    rebuild()
    assert redirect.read_text() == before
    edit(content / DETECTION, "name: PowerShell WebClient Download", "name: PowerShell Download Cradle")
    rebuild()
    assert not redirect.exists()  # a detection renamed is no longer at its old name
    assert PAGE.parent.name in (site / "endpoint/powershell_download_cradle/index.html").read_text()


@pytest.mark.parametrize("written_again", ["as it was shown", "changed"])
def test_a_tab_on_a_page_shown_first_reloads_at_the_end_only_if_the_page_changed(tmp_path, written_again):
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    try:
        page, data = tmp_path / "page.html", tmp_path / "problems.json"
        page.write_bytes(b"<html><body>shown first</body></html>")
        data.write_text('{"errors": 0}')
        server._wanted_epoch = started = server._visible_epoch + 10  # a rebuild has started
        assert reveal(server, [page, data])
        told = told_version(server, page)
        assert told > started and told_version(server, tmp_path / "page.html") == told
        if written_again == "changed":
            data.write_text('{"errors": 1}')  # what the page reads: its tab must load it again
        reload_when_done(server)
        assert server._wanted_epoch == told if written_again == "as it was shown" else server._wanted_epoch > told
        assert told_version(server, page) == started  # once the rebuild is done, pages are told the version then
    finally:
        server.server_close()


def test_an_edit_that_is_not_a_detection_shows_nothing_first(serving):
    content, site, rebuild, server, moments, _ = serving
    before = (server._wanted_epoch, server._visible_epoch)
    edit(content / "macros/security_content_ctime.yml", "description:", "description: Edited.")
    rebuild()
    assert moments == []
    assert (server._wanted_epoch, server._visible_epoch) == before  # the server's loop reloads the tabs, once


def test_a_change_of_many_detections_shows_nothing_first(serving):
    content, site, rebuild, server, moments, _ = serving
    detections = sorted((content / "detections").rglob("*.yml"))
    assert len(detections) > MOST_PAGES
    for path in detections:
        path.write_text(path.read_text().replace("description: ", "description: Edited. ", 1))
    rebuild()
    assert moments == []


def test_a_saved_file_that_did_not_change_its_page_shows_nothing_first(serving):
    content, site, rebuild, server, moments, _ = serving
    path = content / DETECTION
    path.write_text(path.read_text() + "\n# a comment\n")  # read again, the same page
    rebuild()
    assert moments == []


@pytest.mark.parametrize("seen", ["when the page is shown", "once the changed pages are known"])
def test_a_newer_save_leaves_the_rest_to_the_next_rebuild_which_ends_as_a_clean_build(serving, tmp_path,
                                                                                      monkeypatch, seen):
    content, site, rebuild, server, moments, plugin = serving
    started = server._wanted_epoch
    index_before = (site / INDEX).read_text()
    revealing, knowing = plugin_module.reveal, Preview.files

    def saved_again_meanwhile(revealed_server, shown) -> bool:
        if seen == "when the page is shown":
            revealed_server._want_rebuild = True  # as the server's watcher marks a save it saw during the rebuild
        return revealing(revealed_server, shown)

    def files_then_saved_again(preview, *arguments):
        found = knowing(preview, *arguments)
        preview.server._want_rebuild = True  # the last point it can stop at: before any page is converted
        return found

    monkeypatch.setattr(plugin_module, "reveal", saved_again_meanwhile)
    if seen == "once the changed pages are known":
        monkeypatch.setattr(Preview, "files", files_then_saved_again)
    edit(content / DETECTION, "name: PowerShell WebClient Download", "name: PowerShell Download Cradle")
    rebuild()
    assert len(moments) == 1 and b"PowerShell Download Cradle" in (site / PAGE).read_bytes()
    assert (site / INDEX).read_text() == index_before  # the rest was left: nothing else written
    assert (server._wanted_epoch, server._visible_epoch) == (started, started)  # no second reload of its own

    # The server's next rebuild (its newer save): it finishes, and the site is a clean build's, byte for byte.
    server._want_rebuild = False
    monkeypatch.setattr(plugin_module, "reveal", revealing)
    monkeypatch.setattr(Preview, "files", knowing)
    edit(content / DETECTION, "Finds `powershell.exe`", "Now finds `powershell.exe`")
    state = plugin.preview
    rebuild()
    assert state.completed and state.rebuilt < 20  # it rebuilt what the two saves changed, not every page
    assert "PowerShell Download Cradle" in (site / INDEX).read_text()
    session(tmp_path / "clean")
    plugin.preview = state
    assert differences(tree(site), tree(tmp_path / "clean")) == []


def test_a_fix_saved_while_the_broken_file_was_shown_brings_its_page_back(serving, tmp_path, monkeypatch, caplog):
    content, site, rebuild, server, moments, plugin = serving
    revealing = plugin_module.reveal

    def saved_again_meanwhile(revealed_server, shown) -> bool:
        revealed_server._want_rebuild = True
        return revealing(revealed_server, shown)

    monkeypatch.setattr(plugin_module, "reveal", saved_again_meanwhile)
    path = content / DETECTION
    original = path.read_text()
    path.write_text(original.replace("type: TTP\n", "type: [TTP\n"))
    with caplog.at_level(logging.INFO):
        rebuild()  # the error page is shown, then the fix comes in
    assert "this file has errors" in (site / PAGE).read_text()
    # The terminal told of the error when the page did, though the rest of the rebuild, which reports at its end,
    # was left to the next one; the next one's report says it is fixed.
    errors = [record.getMessage().removeprefix("generator: ") for record in caplog.records
              if record.levelno == logging.ERROR]  # the plugin's logger names it
    assert len(errors) == 1 and re.match(rf"{DETECTION}:7: error: invalid YAML", errors[0])
    assert errors[0] in plugin.preview.reported
    server._want_rebuild = False
    monkeypatch.setattr(plugin_module, "reveal", revealing)
    path.write_text(original)  # the file as the last complete build read it
    rebuild()
    assert plugin.preview.completed and not server._want_rebuild
    assert len(moments) == 2  # the page came back first too: the session knew the error page was on disk
    assert "this file has errors" not in (site / PAGE).read_text()
    assert errors[0] not in plugin.preview.reported  # reported as fixed
    state = plugin.preview
    session(tmp_path / "clean")
    plugin.preview = state
    assert differences(tree(site), tree(tmp_path / "clean")) == []


def test_a_problem_printed_with_the_page_shown_first_counts_as_new_and_is_not_printed_twice():
    preview = Preview()
    preview.changes(["old warning"])  # the first build
    assert preview.report_early(["old warning", "new error"]) == ["new error"]  # printed as the page is shown
    assert preview.changes(["old warning", "new error"]) == (["new error"], [], [], [])  # counted, not printed again
    # Printed early, then fixed before any rebuild ended: its fix is reported.
    assert preview.report_early(["old warning", "another error"]) == ["another error"]
    assert preview.changes(["old warning"]) == ([], ["another error", "new error"], [], [])


def test_the_problems_of_a_file_that_stops_parsing_are_unknown_not_fixed():
    preview = Preview()
    preview.changes(["a.yml:3: error: x", "a.yml:9: warning: y", "a.yml:10: warning: v", "b.yml:1: warning: z",
                     "da.yml:1: warning: w"])
    # a.yml no longer parses: its problems are unknown, not fixed (da.yml's problem is fixed: another file). Each
    # list is in the order of lines (9 before 10), not of text.
    assert preview.changes(["a.yml:2: error: invalid YAML", "b.yml:1: warning: z"], unparsed=("a.yml",)) == (
        ["a.yml:2: error: invalid YAML"], ["da.yml:1: warning: w"], ["a.yml:2: error: invalid YAML"],
        ["a.yml:3: error: x", "a.yml:9: warning: y", "a.yml:10: warning: v"])
    # It parses again, with x fixed meanwhile: x and the YAML error are fixed; y and v were never gone, so they are
    # not new, but printed again, being out of sight since.
    assert preview.changes(["a.yml:9: warning: y", "a.yml:10: warning: v", "b.yml:1: warning: z"]) == (
        [], ["a.yml:2: error: invalid YAML", "a.yml:3: error: x"], ["a.yml:9: warning: y", "a.yml:10: warning: v"], [])
    # And not again at the next rebuild.
    assert preview.changes(["a.yml:9: warning: y", "a.yml:10: warning: v", "b.yml:1: warning: z"]) == ([], [], [], [])