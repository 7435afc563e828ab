"""`mkdocs serve` runs the generator and picks up an edit under the content directory."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

from conftest import GOLDEN_BASIC, ROOT

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
