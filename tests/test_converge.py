"""The preview converges: under a real `mkdocs serve`, after each change a contributor's git workflow makes, the
served site equals a clean build of the same files, byte for byte.

The content is a git repository in a temporary folder: the 2024-04 golden content and some hundred copies of
its detection, so that a checkout of another commit changes hundreds of files while a build stays short. After
each step the test waits until the server is idle and compares the folder it serves with a clean build of the
same files (made here, as `mkdocs serve` makes its first build, with the same address, without a build cache);
it keeps waiting while they differ, up to a limit, so a lost rebuild or a stale page fails the test. The server
keeps a build cache (generator/site/cache.py), and a second server started on that cache at the end must
serve the same site.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import ROOT, TESTS
from goldens import tree
from test_serve import fetch, free_port

CASE = TESTS / "golden" / "form_2024"
COPIES = 40
"""Copies of the golden detection in the first commit (each has a page, the cost of a build)."""
MACROS = 200
"""Macro files in the first commit (no page of their own: a checkout changes hundreds of files cheaply)."""
SETTLE_SECONDS = 90
"""How long a step may take to show (a rebuild of every page, on a loaded 2-core machine, included)."""
REFERENCES = ("attack.json", "cves.json", "splunk_apps.json", "d3fend.json")


def git(repo: Path, *args: str) -> str:
    environment = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
                   "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com"}
    return subprocess.run(["git", *args], cwd=repo, env=environment, check=True, capture_output=True,
                          text=True).stdout


def copy_of(template: str, number: int, description: str) -> str:
    """The golden detection as a detection of its own: a new id, name and description."""
    new_id = uuid.uuid5(uuid.NAMESPACE_URL, f"converge/{number}")
    text = template.replace("d2024000-0000-4000-8000-000000000001", str(new_id))
    text = text.replace("name: PowerShell WebClient Download", f"name: PowerShell WebClient Download {number}")
    return re.sub(r"^description: .*?\n(?=\S)", f"description: {description}\n", text, count=1, flags=re.S | re.M)


def macro(number: int, description: str) -> str:
    return f"name: converge_{number:03d}\ndefinition: eval converge={number}\ndescription: {description}\n"


def mkdocs_yml(folder: Path) -> Path:
    """The project's mkdocs.yml and a copy of docs/ in `folder` (so the test can edit them); the theme's folder is
    the project's."""
    shutil.copytree(ROOT / "docs", folder / "docs")
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("custom_dir: overrides", f"custom_dir: {ROOT / 'overrides'}")
    assert "docs_dir: docs\n" in text and str(ROOT / "overrides") in text
    path = folder / "mkdocs.yml"
    path.write_text(text, encoding="utf-8")
    return path


class Session:
    """One `mkdocs serve` on the repository, and clean builds to compare it with."""

    def __init__(self, tmp_path: Path, repo: Path, config: Path):
        self.tmp_path, self.repo, self.config = tmp_path, repo, config
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.runs = 0
        self.cache = tmp_path / "build-cache"
        """The server's build cache (the clean builds keep none)."""
        self.environment = {
            "NO_MKDOCS_2_WARNING": "1", "SITE_URL": self.url, "SOURCE_DATE_EPOCH": "1700000000",
            "CONTENT_DIR": str(repo / "content"), "ATTACK_BUNDLE": str(repo / "attack.json"),
            "CVE_FILE": str(repo / "cves.json"), "SPLUNK_APPS_FILE": str(repo / "splunk_apps.json"),
            "D3FEND_FILE": str(repo / "d3fend.json"), "CONTENT_FORM": "", "COMPARE_WITH": "", "SEARCH_SECTIONS": "",
        }
        self.references: dict[str, dict[str, bytes]] = {}
        self.server: subprocess.Popen | None = None
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.pending = None

    def start(self) -> None:
        """Start a server (again: a new one, on the same build cache, serving from a new folder)."""
        self.runs += 1
        self.temporary = self.tmp_path / f"serve-tmp-{self.runs}"  # mkdocs serves a folder it makes here
        self.temporary.mkdir()
        self.log = self.tmp_path / f"serve-{self.runs}.log"
        with self.log.open("w") as output:
            self.server = subprocess.Popen(
                [sys.executable, "-m", "mkdocs", "serve", "-f", str(self.config), "-a", f"127.0.0.1:{self.port}"],
                cwd=self.tmp_path, env={**os.environ, **self.environment, "TMPDIR": str(self.temporary),
                                        "BUILD_CACHE": str(self.cache)},
                stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + SETTLE_SECONDS
        while "Watching paths for changes" not in self.log.read_text() and time.monotonic() < deadline:
            assert self.server.poll() is None, self.log.read_text()[-3000:]
            time.sleep(0.2)
        assert "Watching paths for changes" in self.log.read_text(), self.log.read_text()[-3000:]

    def stop(self, finished: bool = True) -> None:
        if finished:
            self.pool.shutdown()
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=30)
            self.server = None

    def served(self) -> Path:
        [folder] = self.temporary.glob("mkdocs_*")
        return folder

    def start_reference(self) -> None:
        """Start the clean build of the files as they are now (on the other core while the server rebuilds)."""
        self.pending = self.pool.submit(self.reference)

    def reference(self) -> dict[str, bytes]:
        """A clean build of the files as they are now, as `mkdocs serve` makes its first build."""
        inputs = hashlib.sha256()
        for path in sorted(p for folder in (self.repo, self.config.parent / "docs") for p in folder.rglob("*")
                           if ".git" not in p.parts) + [self.config]:
            inputs.update(str(path).encode() + b"\0")
            if path.is_symlink():
                inputs.update(b"-> " + os.readlink(path).encode())
            elif path.is_file():
                inputs.update(path.read_bytes())
        key = inputs.hexdigest()
        if key not in self.references:
            out = self.tmp_path / "clean"
            shutil.rmtree(out, ignore_errors=True)
            clean = {**self.environment, "BUILD_CACHE": ""}
            saved = {name: os.environ.get(name) for name in clean}
            os.environ.update(clean)
            try:
                config = load_config(config_file=str(self.config), site_dir=str(out))
                config.plugins.on_startup(command="serve", dirty=False)
                config.site_url = self.url
                build(config, serve_url=self.url)
            finally:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
            self.references[key] = tree(out)
        return self.references[key]

    def idle(self, since: int) -> bool:
        """The server finished a build after log offset `since` and has printed nothing for a while."""
        text = self.log.read_text()
        quiet = time.time() - self.log.stat().st_mtime > 1.0
        done = ("Serving on", "Reloading browsers", "error happened during the rebuild") if since == 0 else \
            ("Reloading browsers", "error happened during the rebuild")
        return quiet and any(marker in text[since:] for marker in done)

    def converges(self, step: str, since: int) -> list[str]:
        """Wait until the served site equals the clean build; the differences left if it never does."""
        wanted = self.pending.result()
        deadline = time.monotonic() + SETTLE_SECONDS
        differences = ["the server never finished a build"]
        while time.monotonic() < deadline:
            assert self.server.poll() is None, self.log.read_text()[-3000:]
            if self.idle(since):
                differences = _differences(wanted, tree(self.served()))
                if not differences:
                    return []
            time.sleep(0.5)
        return [f"{step}:"] + differences[:20]

    def mark(self) -> int:
        return len(self.log.read_text())


def _differences(wanted: dict[str, bytes], served: dict[str, bytes]) -> list[str]:
    return ([f"missing: {name}" for name in sorted(wanted.keys() - served.keys())]
            + [f"stale: {name}" for name in sorted(served.keys() - wanted.keys())]
            + [f"differs: {name}" for name in sorted(wanted.keys() & served.keys()) if wanted[name] != served[name]])


@pytest.fixture
def repository(tmp_path) -> Path:
    """A git repository of content with two commits, `first` and `second` (hundreds of files apart)."""
    if shutil.which("git") is None:
        if os.environ.get("CI"):  # the preview's guarantee is tested in CI, not skipped
            pytest.fail("git is not installed")
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    shutil.copytree(CASE / "content", repo / "content")
    for name in REFERENCES:
        shutil.copy(CASE / name, repo / name)
    template = (CASE / "content/detections/endpoint/powershell_webclient_download.yml").read_text(encoding="utf-8")
    copies = repo / "content/detections/endpoint"
    for number in range(COPIES):
        (copies / f"copy_{number:03d}.yml").write_text(copy_of(template, number, f"Copy {number} of the cradle."))
    for number in range(MACROS):
        (repo / f"content/macros/converge_{number:03d}.yml").write_text(macro(number, "A macro of the first commit."))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first")
    git(repo, "tag", "first")
    # The second commit: every copy's description edited, a fifth of them removed, as many new ones.
    for number in range(COPIES):
        path = copies / f"copy_{number:03d}.yml"
        if number % 5 == 0:
            path.unlink()
        else:
            path.write_text(copy_of(template, number, f"Copy {number}, edited in the second commit."))
    for number in range(COPIES, COPIES + COPIES // 5):
        (copies / f"copy_{number:03d}.yml").write_text(copy_of(template, number, f"New copy {number}."))
    for number in range(MACROS):
        path = repo / f"content/macros/converge_{number:03d}.yml"
        if number % 5 == 0:
            path.unlink()
        else:
            path.write_text(macro(number, "A macro edited in the second commit."))
    for number in range(MACROS, MACROS + MACROS // 5):
        (repo / f"content/macros/converge_{number:03d}.yml").write_text(macro(number, "A new macro."))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "second")
    git(repo, "tag", "second")
    git(repo, "checkout", "-q", "first")
    return repo


def test_the_preview_converges_through_a_git_workflow(repository, tmp_path):
    session = Session(tmp_path, repository, mkdocs_yml(tmp_path))
    copies = repository / "content/detections/endpoint"
    template = (CASE / "content/detections/endpoint/powershell_webclient_download.yml").read_text(encoding="utf-8")
    failures: list[str] = []

    def step(name: str, change) -> None:
        since = session.mark()
        started = time.monotonic()
        change()
        session.start_reference()
        failures.extend(session.converges(name, since))
        print(f"{name}: {time.monotonic() - started:.1f} s", file=sys.stderr)

    def editor_save(path: Path, text: str) -> None:
        """As many editors save: a temporary file beside the original, renamed over it."""
        temporary = path.with_name(f".{path.name}.swp")
        temporary.write_text(text)
        os.replace(temporary, path)

    def two_step_save(path: Path, text: str) -> None:
        path.write_text(text[: len(text) // 2])
        time.sleep(0.1)
        path.write_text(text)

    def burst(path: Path) -> None:
        for number in range(50):
            path.write_text(copy_of(template, 7, f"Save {number} of a burst."))
            time.sleep(0.02)

    def replace_bundle() -> None:
        bundle = json.loads((repository / "attack.json").read_text(encoding="utf-8"))
        for item in bundle["objects"]:
            if item.get("name") == "Ingress Tool Transfer":
                item["name"] = "Ingress Tool Transfer (renamed)"
        replacement = repository / "attack.json.new"
        replacement.write_text(json.dumps(bundle), encoding="utf-8")
        os.replace(replacement, repository / "attack.json")

    def bundle_in_two_steps() -> None:
        """The bundle rewritten in place: the server may read it half written (a located error), then whole."""
        text = (repository / "attack.json").read_text(encoding="utf-8").replace("(renamed)", "(renamed again)")
        (repository / "attack.json").write_text(text[: len(text) // 2], encoding="utf-8")
        time.sleep(1.0)
        (repository / "attack.json").write_text(text, encoding="utf-8")

    def edit_config() -> None:
        config = session.config.read_text(encoding="utf-8")
        session.config.write_text(config.replace("site_name: Security Content", "site_name: Security Content Preview"))

    session.start_reference()
    session.start()
    try:
        failures.extend(session.converges("the first build", 0))
        step("checkout of another commit", lambda: git(repository, "checkout", "-q", "second"))
        step("a revert", lambda: (git(repository, "checkout", "-q", "-B", "work"),
                                  git(repository, "revert", "--no-edit", "HEAD")))
        victim = copies / "copy_003.yml"
        kept = victim.read_text()
        step("a file deleted", victim.unlink)
        step("the file created again", lambda: victim.write_text(kept))
        step("a rename", lambda: git(repository, "mv", "content/detections/endpoint/copy_004.yml",
                                     "content/detections/endpoint/renamed_copy.yml"))
        step("an editor-style save", lambda: editor_save(copies / "copy_005.yml",
                                                         copy_of(template, 5, "Saved through a temporary file.")))
        step("a save in two steps", lambda: two_step_save(copies / "copy_006.yml",
                                                          copy_of(template, 6, "Saved in two steps.")))
        step("a burst of 50 saves", lambda: burst(copies / "copy_007.yml"))
        step("the ATT&CK bundle replaced", replace_bundle)
        step("two folder links that loop", lambda: ((copies / "loop").symlink_to(".."),
                                                    (repository / "content/stories/loop").symlink_to("..")))
        step("the ATT&CK bundle written in two steps", bundle_in_two_steps)
        step("mkdocs.yml edited", edit_config)
        about = tmp_path / "docs" / "about.md"
        step("a hand-written page edited", lambda: about.write_text(about.read_text() + "\nEdited while serving.\n"))
        page = fetch(session.url + "endpoint/" + str(uuid.uuid5(uuid.NAMESPACE_URL, "converge/5")) + "/")
        assert page is not None and "Saved through a temporary file." in page  # what is served is that folder
        # A new server on the build cache the first one kept: its first build reuses the kept pages.
        session.stop(finished=False)
        session.start_reference()
        session.start()
        failures.extend(session.converges("a second server on the same build cache", 0))
        assert re.search(r"build cache: [1-9]\d* of \d+ generated pages reused", session.log.read_text()), \
            session.log.read_text()[-3000:]
    finally:
        session.stop()
    assert failures == [], "\n".join(failures)
