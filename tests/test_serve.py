"""`mkdocs serve` runs the generator and picks up an edit under the content directory."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import GOLDEN_BASIC, GOLDEN_CHANGES, ROOT

PAGE = "endpoint/disable_defender_with_powershell/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except OSError:
        return None


def rebuilt(log: Path, after: int, seconds: float) -> bool:
    """Whether the server's log (`log`) says it finished more than `after` rebuilds, within `seconds`: mkdocs
    logs "Reloading browsers" when a rebuild is done (the edited page shows before that: site/early.py)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if log.read_text().count("Reloading browsers") > after:
            return True
        time.sleep(0.3)
    return False


def wait_for(url: str, text: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = fetch(url)
        if page is not None and text in page:
            return True
        time.sleep(0.3)
    return False


def test_serve_shows_an_edited_detection(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(GOLDEN_BASIC / "content", content)
    port = free_port()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SITE_URL=f"http://127.0.0.1:{port}/",
               CONTENT_DIR=str(content), ATTACK_BUNDLE=str(GOLDEN_BASIC / "attack.json"),
               CVE_FILE=str(GOLDEN_BASIC / "cves.json"))
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                                  cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/{PAGE}"
    try:
        assert wait_for(url, "turning off", 60)
        deadline = time.monotonic() + 30
        while "Watching paths for changes" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert str(content) in log.read_text()  # the content directory is watched
        source = content / "detections/endpoint/disable_defender_with_powershell.yml"
        source.write_text(source.read_text().replace("Finds `powershell.exe` turning off",
                                                     "EDITED finds `powershell.exe` turning off"))
        assert wait_for(url, "EDITED finds", 60)

        # A broken edit is reported with its location, and the server keeps serving.
        source.write_text(source.read_text().replace("type: TTP\n", "type: [TTP\n"))
        time.sleep(3)
        assert fetch(f"http://127.0.0.1:{port}/") is not None
    finally:
        server.terminate()
        server.wait(timeout=30)
    output = log.read_text()
    assert "ERROR   -  generator: detections/endpoint/disable_defender_with_powershell.yml:" in output
    assert "error: invalid YAML" in output


FORM_2024 = GOLDEN_BASIC.parent / "form_2024"
WEBCLIENT = "detections/endpoint/powershell_webclient_download.yml"
WEBCLIENT_PAGE = "endpoint/d2024000-0000-4000-8000-000000000001/"


def serve(content, tmp_path, port, config=None, **more_env):
    """`mkdocs serve` of the project's mkdocs.yml (or `config`) on `content`: (the process, its log)."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SITE_URL=f"http://127.0.0.1:{port}/",
               CONTENT_DIR=str(content), ATTACK_BUNDLE=str(FORM_2024 / "attack.json"),
               CVE_FILE=str(FORM_2024 / "cves.json"), SPLUNK_APPS_FILE=str(FORM_2024 / "splunk_apps.json"),
               D3FEND_FILE=str(FORM_2024 / "d3fend.json"), CONTENT_FORM="", **more_env)
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}",
                                   *(["--config-file", str(config)] if config else [])],
                                  cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    return server, log


@contextlib.contextmanager
def serving_a_copy(tmp_path, config=None, **more_env):
    """`mkdocs serve` on a copy of the 2024-04 golden content: (content, base URL, log), once it is up."""
    content = tmp_path / "content"
    shutil.copytree(FORM_2024 / "content", content)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    server, log = serve(content, tmp_path, port, config, **more_env)
    try:
        assert wait_for(base + WEBCLIENT_PAGE, "WebClient", 90)
        yield content, base, log
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_follows_edits_breaks_fixes_additions_and_deletions(tmp_path):
    with serving_a_copy(tmp_path) as (content, base, log):
        source = content / WEBCLIENT
        original = source.read_text()

        # An edit shows on its page, and a renamed title on the pages that list it (its new field is a warning).
        edited = (original.replace("name: PowerShell WebClient Download", "name: PowerShell Cradle Download")
                  .replace("Finds `powershell.exe`", "EDITED finds `powershell.exe`")
                  .replace("type: TTP\n", "type: TTP\nnotes: kept for later\n"))
        source.write_text(edited)
        assert wait_for(base + WEBCLIENT_PAGE, "EDITED finds", 30)
        assert wait_for(base + "stories/living_off_the_land/", "PowerShell Cradle Download", 30)
        assert wait_for(base + "detections/", "PowerShell Cradle Download", 30)

        # A broken file: its address shows where it is broken; every page carries the notice's data. Its warning
        # is not fixed, but unknown while the file does not parse.
        source.write_text(edited.replace("type: TTP\n", "type: [TTP\n"))
        assert wait_for(base + WEBCLIENT_PAGE, "this file has errors", 30)
        error_page = fetch(base + WEBCLIENT_PAGE)
        assert re.search(r"powershell_webclient_download\.yml:\d+: error: invalid YAML", error_page)
        assert re.search(r"&gt; +\d+ \| ", error_page) and "type: [TTP" in error_page  # its lines, one marked
        assert "livereload" in error_page  # the tab reloads itself once the file is fixed
        # The page is shown before the rest of the rebuild (early.py), which brings the notice's data after it.
        assert wait_for(base + "problems.json", '"errors": 1', 30)
        # /problems/ lists it, linked to the page that shows its errors (relative: a site may be served under a path).
        line = original.splitlines().index("type: TTP") + 1
        assert wait_for(base + "problems/", '<a href="../endpoint/d2024000-0000-4000-8000-000000000001/">'
                        f"detections/endpoint/powershell_webclient_download.yml:{line}</a>: error: invalid YAML", 30)

        # Fixed: the page is back and the notice's data says so.
        source.write_text(original)
        assert wait_for(base + WEBCLIENT_PAGE, "PowerShell WebClient Download", 30)
        assert wait_for(base + "problems.json", '"errors": 0', 30)

        # A new file with errors shows them where its page will be, and /problems/ links there; a new file adds
        # its page; a deleted one takes its page away.
        added = content / "detections/endpoint/new_detection.yml"
        new = (original.replace("d2024000-0000-4000-8000-000000000001", "d2024000-0000-4000-8000-0000000000aa")
               .replace("name: PowerShell WebClient Download", "name: Brand New Detection"))
        added.write_text(new.replace("\nsearch: ", "\nsearches: "))
        assert wait_for(base + "endpoint/d2024000-0000-4000-8000-0000000000aa/", "this file has errors", 60)
        new_page = fetch(base + "endpoint/d2024000-0000-4000-8000-0000000000aa/")
        assert "new_detection.yml:1: error: required field" in new_page
        assert "The page is shown as soon as its errors are fixed" in new_page  # not "again": it never was
        # Its warnings are on it too (each problem listed on /problems/ links to a page that shows it).
        assert re.search(r'class="admonition warning"[^>]*>\s*<p class="admonition-title">detections/endpoint/'
                         r"new_detection\.yml:\d+: warning: unknown field 'searches'", new_page)
        assert wait_for(base + "problems/", '<a href="../endpoint/d2024000-0000-4000-8000-0000000000aa/">'
                        "detections/endpoint/new_detection.yml:1</a>: error: required field", 30)
        added.write_text(new)
        assert wait_for(base + "endpoint/d2024000-0000-4000-8000-0000000000aa/", "Brand New Detection", 60)
        added.unlink()
        deadline = time.monotonic() + 60
        while fetch(base + "endpoint/d2024000-0000-4000-8000-0000000000aa/") is not None and time.monotonic() < deadline:
            time.sleep(0.3)
        assert fetch(base + "endpoint/d2024000-0000-4000-8000-0000000000aa/") is None
    output = log.read_text()
    # Problems are printed when they appear and when they are fixed, with a count after every build.
    assert output.count("error: invalid YAML") == 2
    assert "fixed: detections/endpoint/powershell_webclient_download.yml" in output
    assert output.count("unknown field 'notes' is not shown") == 2  # new, then fixed when the file parses again
    assert re.search(r"content: 1 error, \d+ warnings? \(\d+ new, \d+ fixed since the last build\); [1-9]\d* "
                     r"earlier problems? of detections/endpoint/powershell_webclient_download\.yml not checked until it "
                     r"parses\n", output)
    # (A fix saved while the rest of the broken file's rebuild went on is reported with what that rebuild left.)
    assert re.search(r"content: 0 errors, \d+ warnings? \(\d+ new, [1-9]\d* fixed since the last build\)", output)
    # After each rebuild, which files changed: a deleted one too.
    assert re.search(r"rebuilt \d+ of \d+ pages; read again: [^\n]*detections/endpoint/new_detection\.yml", output)
    assert re.search(r"rebuilt \d+ of \d+ pages; [^\n]*gone: detections/endpoint/new_detection\.yml\n", output)


def test_serve_compares_edits_with_the_older_checkout_read_once(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(GOLDEN_CHANGES / "content", content)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SITE_URL=base, CONTENT_DIR=str(content),
               ATTACK_BUNDLE=str(GOLDEN_CHANGES / "attack.json"), CVE_FILE="", SPLUNK_APPS_FILE="", D3FEND_FILE="",
               CONTENT_FORM="", COMPARE_WITH=str(GOLDEN_CHANGES / "older"))
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                                  cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    unchanged = "c0000000-0000-4000-8000-000000000001"
    try:
        assert wait_for(base + "changes/", "Encoded PowerShell Command", 90)
        assert unchanged not in fetch(base + "changes/")
        source = content / "detections/endpoint/disable_defender_with_powershell.yml"
        source.write_text(source.read_text().replace("real-time monitoring", "real-time protection"))
        assert wait_for(base + "changes/", f'id="{unchanged}"', 60)
        assert wait_for(base + f"endpoint/{unchanged}/", "Changed since Example Content 1.0.0", 30)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert log.read_text().count("what changed: read the older content") == 1  # not on the rebuild
