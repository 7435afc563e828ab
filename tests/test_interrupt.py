"""Nothing is lost on interruption: `mkdocs build` and `render` killed at any moment leave the previous output
intact or fully replaced, and the next run repairs what they left.

Two kinds of test: the real commands killed (SIGKILL) at random moments, several times; and each step of the
two commits (generator/site/staging.py, generator/write.py) interrupted in turn, which reaches the few
milliseconds a random kill rarely hits.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SITE_URL, TESTS
from generator.render import Page
from generator.site import staging
from generator import write
from generator.write import JOURNAL, MANIFEST, write_pages
from goldens import tree

CASE = TESTS / "golden" / "form_2024"
KILLS = 5
USER_FILES = {"notes.txt": "the user's own notes\n", "_posts/my-own-post.md": "a page the user wrote\n"}


class Crash(BaseException):
    """Stands for the process being killed at that point (raised instead of a system call)."""


def crash_at(monkeypatch, module, names: list[str], when: int) -> list[str]:
    """Make the `when`-th call (0-based) among `module`'s functions `names` raise Crash; returns the calls made."""
    calls: list[str] = []
    for name in names:
        owner, attribute = (module.os, name[3:]) if name.startswith("os.") else \
            (module.shutil, name[7:]) if name.startswith("shutil.") else (module, name)
        real = getattr(owner, attribute)

        def wrapper(*args, _real=real, _name=name, **kwargs):
            if len(calls) == when:
                calls.append(_name)
                raise Crash(_name)
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(owner, attribute, wrapper)
    return calls


def site_with(folder: Path, text: str) -> Path:
    (folder / "sub").mkdir(parents=True)
    (folder / "index.html").write_text(text)
    (folder / "sub" / "page.html").write_text(text + " page")
    return folder


# --- mkdocs' site_dir: staged beside it, swapped in ----------------------------------------------------------

SWAP_STEPS = ["os.rename", "_exchange", "shutil.rmtree", "_remove"]


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_a_swap_interrupted_at_each_step_leaves_one_whole_site_and_is_repaired(tmp_path, monkeypatch, exchange):
    old_site = tree(site_with(tmp_path / "old", "old"))
    new_site = tree(site_with(tmp_path / "new", "new"))
    if not exchange:
        monkeypatch.setattr(staging, "_exchange", lambda one, other: False)
    for when in range(12):
        root = tmp_path / f"run{when}"
        site = site_with(root / "site", "old")
        (site / ".git").mkdir()  # kept across builds, as mkdocs keeps hidden entries
        (site / ".git" / "HEAD").write_text("ref\n")
        staged = staging.StagedSite(site)
        shutil.copytree(tmp_path / "new", staged.staging, dirs_exist_ok=True)
        with monkeypatch.context() as patch:
            calls = crash_at(patch, staging, SWAP_STEPS, when)
            try:
                staged.finish()
                finished = True
            except Crash:
                finished = False
        seen = tree(site) if site.is_dir() else None
        visible = {name: data for name, data in (seen or {}).items() if not name.startswith(".")}
        if exchange or seen is not None:
            assert visible in (old_site, new_site), (when, calls)  # never a mix
        committed = finished or when > 0  # the first call renames the complete folder `ready`: no way back
        done = staging.repair(site)
        after = tree(site)
        assert {k: v for k, v in after.items() if not k.startswith(".")} == (new_site if committed else old_site), \
            (when, calls)
        assert after[".git/HEAD"] == b"ref\n"
        assert sorted(path.name for path in root.iterdir()) == ["site"], (when, calls, done)
        if finished:
            break
    assert finished, "the swap has more steps than the test interrupts"


def test_a_build_left_half_way_is_removed_and_a_running_one_is_left_alone(tmp_path):
    site = site_with(tmp_path / "site", "old")
    before = tree(site)
    left = tmp_path / ".site.building-999999999-0123abcd"  # no such process
    running = tmp_path / f".site.building-{os.getppid()}-0123abcd"
    for folder in (left, running):
        site_with(folder, "half")
    assert staging.repair(site) == [f"removed the unfinished site an interrupted build left in {left.name}"]
    assert not left.exists() and running.exists() and tree(site) == before


# --- the command line's writer: a journal, then moves ---------------------------------------------------------

WRITE_STEPS = ["os.replace", "os.unlink", "os.mkdir", "_remove_staging"]


def pages(version: str) -> list[Page]:
    common = [Page(("index.md",), f"home {version}\n"), Page(("_posts", "same.md"), "unchanged\n")]
    if version == "A":
        return common + [Page(("_posts", f"a{n}.md"), f"A {n}\n") for n in range(3)]
    return common + [Page(("_posts", f"a{n}.md"), f"B {n}\n") for n in range(2)] + [Page(("b.md",), "B only\n")]


def written(out: Path) -> dict[str, bytes]:
    return {name: data for name, data in tree(out).items() if not name.startswith(".") and name not in USER_FILES}


def test_a_render_interrupted_at_each_step_is_intact_or_committed_and_the_next_run_finishes_it(tmp_path, monkeypatch):
    reference = {}
    for version in ("A", "B"):
        write_pages(pages(version), tmp_path / version)
        reference[version] = written(tmp_path / version)
    for when in range(40):
        out = tmp_path / f"run{when}"
        for name, text in USER_FILES.items():
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            (out / name).write_text(text)
        assert write_pages(pages("A"), out) == []
        with monkeypatch.context() as patch:
            calls = crash_at(patch, write, WRITE_STEPS, when)
            try:
                write_pages(pages("B"), out)
                finished = True
            except Crash:
                finished = False
        committing = (out / JOURNAL).exists() and '"moves"' in (out / JOURNAL).read_text()
        if not committing:
            assert written(out) in (reference["A"], reference["B"]), (when, calls)
        assert write_pages(pages("B"), out) == [], (when, calls)  # the next run: finished, then its own
        assert written(out) == reference["B"], (when, calls)
        assert {name: (out / name).read_text() for name in USER_FILES} == USER_FILES
        assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [MANIFEST], (when, calls)
        if finished:
            break
    assert finished, "the writer has more steps than the test interrupts"


def test_the_next_run_finishes_an_interrupted_commit_whatever_it_writes(tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_pages(pages("A"), out)
    with monkeypatch.context() as patch:
        crash_at(patch, write, ["os.replace"], 2)  # the commit's journal saved, one page moved, then killed
        with pytest.raises(Crash):
            write_pages(pages("B"), out)
    assert '"moves"' in (out / JOURNAL).read_text()
    assert write_pages([Page(("other.md",), "else\n")], out) == []
    assert written(out) == {"other.md": b"else\n"}  # B was finished, then replaced by this run's pages


# --- the real commands, killed ---------------------------------------------------------------------------------

def killed_at_random(command: list[str], environment: dict, seconds: float, rng: random.Random) -> float:
    """Run `command` and kill its whole process group after a random delay up to `seconds`; the delay."""
    delay = rng.uniform(0.0, seconds)
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return delay


def timed(command: list[str], environment: dict) -> float:
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return time.monotonic() - started


def content_versions(tmp_path: Path) -> tuple[Path, Path]:
    """The golden 2024 content, and a copy with a detection edited and a story removed."""
    first, second = tmp_path / "content-a", tmp_path / "content-b"
    shutil.copytree(CASE / "content", first)
    shutil.copytree(CASE / "content", second)
    detection = second / "detections/endpoint/powershell_webclient_download.yml"
    detection.write_text(detection.read_text().replace("Finds `powershell.exe`", "Now finds `powershell.exe`"))
    (second / "stories/dormant_story.yml").unlink()
    return first, second


def test_mkdocs_build_killed_at_random_moments(tmp_path):
    first, second = content_versions(tmp_path)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    base = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": SITE_URL, "SOURCE_DATE_EPOCH": "1700000000",
            "COMPARE_WITH": "", "ATTACK_BUNDLE": str(CASE / "attack.json"), "CVE_FILE": str(CASE / "cves.json"),
            "SPLUNK_APPS_FILE": str(CASE / "splunk_apps.json"), "D3FEND_FILE": str(CASE / "d3fend.json"),
            "CONTENT_FORM": ""}
    site = tmp_path / "out" / "site"

    def command(out: Path) -> list[str]:
        return [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(out)]

    reference = {}
    for name, content in (("A", first), ("B", second)):
        seconds = timed(command(tmp_path / f"site-{name}"), {**base, "CONTENT_DIR": str(content)})
        reference[name] = tree(tmp_path / f"site-{name}")
    assert reference["A"] != reference["B"]
    # The builds of `site` keep a build cache (the references keep none): a cache a killed build was writing
    # gives the next build nothing it should not reuse.
    cached = {**base, "BUILD_CACHE": str(tmp_path / "build-cache")}
    timed(command(site), {**cached, "CONTENT_DIR": str(first)})
    assert tree(site) == reference["A"]
    delays = []
    for _ in range(KILLS):
        delays.append(killed_at_random(command(site), {**cached, "CONTENT_DIR": str(second)}, seconds * 1.2, rng))
        assert tree(site) in (reference["A"], reference["B"]), f"seed {seed}, delays {delays}"
    timed(command(site), {**cached, "CONTENT_DIR": str(second)})
    assert tree(site) == reference["B"], f"seed {seed}"
    assert sorted(path.name for path in site.parent.iterdir()) == ["site"], f"seed {seed}: leftovers"


def test_render_killed_at_random_moments(tmp_path):
    first, second = content_versions(tmp_path)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "out"

    def command(content: Path, where: Path) -> list[str]:
        return [sys.executable, "-m", "generator", "render", "--layout", "mkdocs", "--content", str(content),
                "--attack", str(CASE / "attack.json"), "--cves", str(CASE / "cves.json"), "--out", str(where)]

    reference = {}
    for name, content in (("A", first), ("B", second)):
        seconds = timed(command(content, tmp_path / f"out-{name}"), environment)
        reference[name] = written(tmp_path / f"out-{name}")
    timed(command(first, out), environment)
    for name, text in USER_FILES.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    delays = []
    for _ in range(KILLS):
        delays.append(killed_at_random(command(second, out), environment, seconds * 1.2, rng))
        journal = out / JOURNAL
        if not (journal.exists() and '"moves"' in journal.read_text()):
            assert written(out) in (reference["A"], reference["B"]), f"seed {seed}, delays {delays}"
    timed(command(second, out), environment)
    assert written(out) == reference["B"], f"seed {seed}"
    assert {name: (out / name).read_text() for name in USER_FILES} == USER_FILES
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [MANIFEST], f"seed {seed}"
