"""What a reader's open tabs show while `mkdocs serve` rebuilds after a save (early.py): real Chromium, the real
server and mkdocs' own live-reload script.

The edited detection's page is shown before the rest of the rebuild, and every other open tab reloads once more when
the rest is written. To see those two moments apart without timing anything, the test's configuration adds a hook
(hold_rebuild.py) that keeps the rest of a rebuild from writing while a file exists.
"""

from __future__ import annotations

import re
from contextlib import closing

from conftest import ROOT
from test_serve import WEBCLIENT, WEBCLIENT_PAGE, serving_a_copy

OLD_NAME, NEW_NAME = "PowerShell WebClient Download", "PowerShell Cradle Download"
WAIT = 60_000  # ms: generous, for a loaded machine; nothing here is timed


def told_version(page) -> int:
    """The version of the site the tab was told when its page was served (mkdocs' live-reload script reloads it
    when the server's version passes that)."""
    return int(re.search(r"livereload\((\d+), \d+\);", page.content())[1])


def test_open_tabs_show_the_edited_page_first_and_all_end_on_the_finished_site(browser, tmp_path):
    hold = tmp_path / "hold"
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {ROOT / 'docs'}\n"
                      f"theme:\n  custom_dir: {ROOT / 'overrides'}\nhooks:\n  - {ROOT / 'tests/hold_rebuild.py'}\n")
    with (serving_a_copy(tmp_path, config, HOLD_REBUILD=str(hold)) as (content, base, log),
          closing(browser.new_context(viewport={"width": 1280, "height": 900})) as context):
        detection, index = context.new_page(), context.new_page()
        detection.goto(base + WEBCLIENT_PAGE)
        index.goto(base + "detections/")
        index.get_by_text(OLD_NAME).first.wait_for(timeout=WAIT)
        source = content / WEBCLIENT
        renamed = source.read_text().replace(f"name: {OLD_NAME}", f"name: {NEW_NAME}")

        # Renamed, the rest of the rebuild held: the detection's tab shows the new name by itself, and the index's
        # tab reloads too, still listing the old name.
        hold.touch()
        with index.expect_event("load", timeout=WAIT):
            source.write_text(renamed)
            detection.locator("article h1", has_text=NEW_NAME).wait_for(timeout=WAIT)
        assert NEW_NAME not in index.content()
        # The rest written: the index's tab reloads by itself once more, and lists the new name.
        hold.unlink()
        index.get_by_text(NEW_NAME).first.wait_for(timeout=WAIT)

        # A broken save, the rest held: the detection's tab shows where, with the notice of errors on it. When the
        # rest is written, the index's tab reloads; the detection's does not (its page is written again as it was
        # shown): it was told the version of the site the rebuild ended at.
        hold.touch()
        source.write_text(renamed.replace("type: TTP\n", "type: [TTP\n"))
        detection.locator("article h1", has_text="this file has errors").wait_for(timeout=WAIT)
        detection.locator(".sc-preview-notice", has_text="1 error in the content").wait_for(timeout=WAIT)
        detection.wait_for_load_state()
        index.wait_for_load_state()
        detection.evaluate("window.scNotReloaded = true")
        with index.expect_event("load", timeout=WAIT):
            hold.unlink()
        assert told_version(detection) == told_version(index)
        assert detection.evaluate("window.scNotReloaded") is True
        detection.locator(".sc-preview-notice", has_text="1 error in the content").wait_for(timeout=WAIT)
        # Fixed, the rest held: the page is back by itself, and the notice's data written with it says no errors.
        hold.touch()
        with detection.expect_response(lambda response: response.url.endswith("/problems.json")
                                       and response.json()["errors"] == 0, timeout=WAIT):
            source.write_text(renamed)
        detection.locator("article h1", has_text=NEW_NAME).wait_for(timeout=WAIT)
        assert detection.locator(".sc-preview-notice").count() == 0
        hold.unlink()
    assert "shown first: " in log.read_text()
