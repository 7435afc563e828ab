"""Benchmark: building a corpus site vs. a naive mkdocs-material build of the same pages.

    python benchmarks/site_speed.py [ROUNDS] [--only escu-2022-03|escu-2024-10]

For the March-2022 corpus and for today's sources (escu-2024-10), in one run,
alternating (this machine is shared and noisy), it times:
  naive - the published-layout Markdown pages (for 2022 the published site's
          own, for 2024-10 what `render --layout published` writes) copied as
          plain files into a default mkdocs-material site with an automatic
          navigation, built with `mkdocs build`;
  ours  - `mkdocs build` of this repository's mkdocs.yml with CONTENT_DIR,
          ATTACK_BUNDLE and CVE_FILE pointing at the corpus sources, cold:
          with an empty build cache each round (the cost of filling it
          included);
  warm  - our build again on the cache the last cold build filled, nothing
          changed (every page reused).
It prints the best time of each, the ratio of cold and warm to naive (target:
cold <= 0.25x naive) and the size of each built site (target: ours <= 50 MiB).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--quiet"]


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def naive_project(scratch: Path, published: Path) -> Path:
    """Published-layout pages as plain files in a default mkdocs-material project."""
    project = scratch / "naive"
    docs = project / "docs"
    for page in sorted(published.rglob("*.md")):
        target = docs / page.relative_to(published)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, target)
    shutil.copyfile(published / "index.markdown", docs / "index.md")
    (project / "mkdocs.yml").write_text("site_name: Naive\ntheme:\n  name: material\n")
    return project


def timed_build(command: list[str], cwd: Path, site: Path, env: dict[str, str]) -> float:
    shutil.rmtree(site, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run(command + ["--site-dir", str(site)], cwd=cwd, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def corpora(scratch: Path, only: str | None) -> list[tuple[str, Path, dict[str, str]]]:
    """(name, published-layout pages, our build's variables) per corpus (`only`: that one)."""
    march = SHARED / "corpus" / "escu-2022-03"
    today = SHARED / "corpus" / "escu-2024-10" / "source"
    attack_15 = SHARED / "attack" / "enterprise-attack-15.1.json"
    rendered = scratch / "published-2024-10"
    if only in (None, "escu-2024-10"):
        subprocess.run([sys.executable, "-m", "generator", "render", "--layout", "published", "--content", str(today),
                        "--attack", str(attack_15), "--out", str(rendered)], cwd=ROOT, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return [
        ("escu-2022-03", march / "published",
         dict(CONTENT_DIR=str(march / "source"), ATTACK_BUNDLE=str(SHARED / "attack" / "enterprise-attack-10.1.json"),
              CVE_FILE=str(march / "enrichment" / "cves.json"), SPLUNK_APPS_FILE="", D3FEND_FILE="")),
        ("escu-2024-10", rendered,
         dict(CONTENT_DIR=str(today), ATTACK_BUNDLE=str(attack_15), CVE_FILE="", SPLUNK_APPS_FILE="", D3FEND_FILE="")),
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rounds", nargs="?", type=int, default=2, metavar="ROUNDS",
                        help="builds of each kind, alternating; the best is kept (default 2)")
    parser.add_argument("--only", choices=("escu-2022-03", "escu-2024-10"), help="one corpus only")
    args = parser.parse_args(argv)  # --help and a mistyped argument stop here, before minutes of building
    only, rounds = args.only, args.rounds
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    mib = 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="site-bench-") as scratch_name:
        scratch = Path(scratch_name)
        for name, published, variables in corpora(scratch, only):
            if only and name != only:
                continue
            project = naive_project(scratch / name, published)
            naive_times, our_times, warm_times = [], [], []
            cache = scratch / "build-cache"
            ours_env = dict(env, **variables, BUILD_CACHE=str(cache))
            for _ in range(rounds):
                naive_times.append(timed_build(MKDOCS, project, scratch / "naive-site", env))
                shutil.rmtree(cache, ignore_errors=True)  # cold: nothing kept from an earlier build
                our_times.append(timed_build(MKDOCS, ROOT, scratch / "our-site", ours_env))
            naive_size, our_size = size_of(scratch / "naive-site"), size_of(scratch / "our-site")
            pages = sum(1 for _ in (scratch / "our-site").rglob("index.html"))
            for _ in range(rounds):
                warm_times.append(timed_build(MKDOCS, ROOT, scratch / "warm-site", ours_env))
            naive, ours, warm = min(naive_times), min(our_times), min(warm_times)
            print(f"{name}: naive mkdocs-material build: best {naive:.1f} s, site {naive_size / mib:.0f} MiB")
            print(f"{name}: our build, cold ({pages} pages):   best {ours:.1f} s, site {our_size / mib:.0f} MiB "
                  "(target <= 50 MiB)")
            print(f"{name}: our build, warm (nothing changed): best {warm:.1f} s")
            print(f"{name}: ratio cold/naive: {ours / naive:.2f} (target <= 0.25); warm/naive: {warm / naive:.2f}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
