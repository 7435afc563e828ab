"""Benchmark: a site of two content sources against one merged tree of the same files.

    python benchmarks/sources_speed.py [--rounds N] [--rebuild] [--mkdocs]

Splunk's October-2024 sources (../shared/corpus/escu-2024-10/source) and the team tree tests/sources/acme
(with `overrides`, so its tuned copy replaces Splunk's detection), against one folder holding both (the
team's files copied over Splunk's: the tuned copy takes the place of Splunk's file, as the override does).
Both give the same detections. In one run, interleaved (the machine is shared and noisy), it times
`pipeline.generate` in the mkdocs layout (load, combine, link, render every page's text) N times each and
prints the median and best of each and their ratio; with --mkdocs, one `mkdocs build` of each too; with
--rebuild, what the preview redoes after a detection is saved (a warm `generate` with its caches, the pages'
text included, as `mkdocs serve` asks for it): an edit in either source against an edit in the merged tree.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.pipeline import Inputs, Reuse, generate  # noqa: E402
from generator.sources import content_source  # noqa: E402

SPLUNK = ROOT.parent / "shared" / "corpus" / "escu-2024-10" / "source"
TEAM = ROOT / "tests" / "sources" / "acme"
ATTACK = ROOT.parent / "shared" / "attack" / "enterprise-attack-15.1.json"


def _generate(content, reuse: Reuse | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    result = generate(content, Inputs(ATTACK), "mkdocs", reuse=reuse)
    for page in result.pages:
        page.text  # the pages' text is rendered when asked for
    return time.perf_counter() - start, len(result.site.detections)


SPLUNK_EDITED = "detections/endpoint/windows_dism_remove_defender.yml"
TEAM_EDITED = "detections/acme/acme_vpn_login_from_new_country.yml"


def _edit(path: Path, round_: int) -> None:
    """A saved edit: the description changed (and so the file's size and time)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("description: ", f"description: Edit {round_}. ", 1), encoding="utf-8")


def _rebuilds(scratch: Path, rounds: int) -> dict[str, list[float]]:
    """Warm rebuilds after one edit: in the first source, in the second, in the merged tree (interleaved)."""
    splunk, team, merged = scratch / "r-splunk", scratch / "r-team", scratch / "r-merged"
    shutil.copytree(SPLUNK, splunk)
    shutil.copytree(TEAM, team)
    shutil.copytree(SPLUNK, merged)
    shutil.copytree(TEAM, merged, dirs_exist_ok=True)
    two = (content_source(splunk, "splunk", several=True), content_source(team, "acme", several=True, overrides=True))
    caches_two, caches_merged = Reuse(), Reuse()
    _generate(two, caches_two)  # the first build, which fills the caches
    _generate(merged, caches_merged)
    times: dict[str, list[float]] = {"edit in the first of two sources": [], "edit in the second of two sources": [],
                                     "edit in the merged tree": []}
    for round_ in range(rounds):
        _edit(splunk / SPLUNK_EDITED, round_)
        times["edit in the first of two sources"].append(_generate(two, caches_two)[0])
        _edit(team / TEAM_EDITED, round_)
        times["edit in the second of two sources"].append(_generate(two, caches_two)[0])
        _edit(merged / (SPLUNK_EDITED if round_ % 2 else TEAM_EDITED), round_)
        times["edit in the merged tree"].append(_generate(merged, caches_merged)[0])
    return times


def _mkdocs(out: Path, **env: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--site-dir", str(out)], cwd=ROOT, check=True,
                   capture_output=True, env=dict(os.environ, NO_MKDOCS_2_WARNING="1", ATTACK_BUNDLE=str(ATTACK),
                                                 CVE_FILE="", SPLUNK_APPS_FILE="", D3FEND_FILE="", **env))
    return time.perf_counter() - start


def main() -> int:
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 5
    with tempfile.TemporaryDirectory() as scratch:
        merged = Path(scratch) / "merged"
        shutil.copytree(SPLUNK, merged)
        shutil.copytree(TEAM, merged, dirs_exist_ok=True)
        two = (content_source(SPLUNK, "splunk", several=True),
               content_source(TEAM, "acme", several=True, overrides=True))
        times: dict[str, list[float]] = {"two sources": [], "merged tree": []}
        counts = {}
        for _ in range(rounds):
            for name, content in (("two sources", two), ("merged tree", merged)):
                seconds, counts[name] = _generate(content)
                times[name].append(seconds)
        for name, measured in times.items():
            print(f"generate, {name}: {counts[name]} detections, median {statistics.median(measured):.2f} s, "
                  f"best {min(measured):.2f} s ({rounds} runs)")
        ratio = statistics.median(times["two sources"]) / statistics.median(times["merged tree"])
        print(f"two sources / merged tree (medians): {ratio:.2f}")
        if "--rebuild" in sys.argv:
            for name, measured in _rebuilds(Path(scratch), rounds).items():
                print(f"rebuild after an {name}: median {statistics.median(measured):.2f} s, "
                      f"best {min(measured):.2f} s ({rounds} runs)")
        if "--mkdocs" in sys.argv:
            # The two sources through CONTENT_DIRS cannot say `overrides`: the team's tree without its tuned copy.
            team = Path(scratch) / "acme"
            shutil.copytree(TEAM, team)
            (team / "detections/endpoint/add_or_set_windows_defender_exclusion.yml").unlink()
            alike = Path(scratch) / "alike"
            shutil.copytree(SPLUNK, alike)
            shutil.copytree(team, alike, dirs_exist_ok=True)
            separate = _mkdocs(Path(scratch) / "site-two", CONTENT_DIRS=f"{SPLUNK}:{team}")
            together = _mkdocs(Path(scratch) / "site-merged", CONTENT_DIR=str(alike), CONTENT_DIRS="")
            print(f"mkdocs build: two sources {separate:.1f} s, merged tree {together:.1f} s, "
                  f"ratio {separate / together:.2f} (one run each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
