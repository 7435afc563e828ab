"""Benchmark: how the site's build grows with the content, cold and warm, at 1,711 and 10,000 detections.

    python benchmarks/scale.py [--detections N[,N...]] [--no-profile] [--keep DIR]

The content is the October-2024 sources (escu-2024-10: 1,711 published
detections, ATT&CK 15.1, no CVE file) and, for each N, a content of N
detections made from them by ../shared/tools/scale_corpus.py (copies of real
detections with new ids and names). For each, in one run (this machine is
shared and noisy: compare figures of one run), it measures:

  cold     `mkdocs build` with an empty build cache (what a first build does,
           the cache written): seconds, peak memory of the build process and
           of its child converting half of the pages, the site's size, files,
           largest HTML page and how many pages are over the limit (300 KB
           for the October-2024 sources, 1 MB for larger contents), the
           search index raw and gzipped;
  warm     the description of one detection changed, the site built again
           with that cache: seconds; then the same content built without a
           cache, whose site the warm one must equal byte for byte;
  stages   (unless --no-profile) where the seconds of a cold build without
           cache go, in one process (benchmarks/stages.py, GENERATOR_PROCESSES=1).

The 10,000-detection content is made under --keep DIR when given (and reused
from there), else in a temporary folder.
"""

from __future__ import annotations

import filecmp
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SOURCE = SHARED / "corpus" / "escu-2024-10" / "source"
ATTACK = SHARED / "attack" / "enterprise-attack-15.1.json"
EDITED = "detections/endpoint/windows_dism_remove_defender.yml"
MIB = 1024 * 1024
STAGES = ("load", "render", "exports", "markdown", "theme", "search", "write", "cache", "other")


def content_of(detections: int | None, folder: Path) -> Path:
    """A writable content folder: the October-2024 sources, or `detections` of them (scale_corpus.py)."""
    target = folder / (f"content-{detections}" if detections else "content-2024-10")
    if target.is_dir() and detections:
        return target  # made by an earlier run (--keep)
    if detections:
        subprocess.run([sys.executable, str(SHARED / "tools" / "scale_corpus.py"), str(SOURCE), str(target),
                        "--detections", str(detections)], check=True, stdout=subprocess.DEVNULL)
    else:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(SOURCE, target, symlinks=True)
    return target


def build(content: Path, site: Path, cache: Path | None, profile: bool = False) -> dict:
    """One `mkdocs build` (benchmarks/stages.py), timed from outside: seconds, peak memory, stages."""
    shutil.rmtree(site, ignore_errors=True)
    environment = dict(os.environ, NO_MKDOCS_2_WARNING="1", CONTENT_DIR=str(content), ATTACK_BUNDLE=str(ATTACK),
                       CVE_FILE="", SPLUNK_APPS_FILE="", D3FEND_FILE="", COMPARE_WITH="", CONTENT_FORM="",
                       SOURCE_DATE_EPOCH="1700000000", BUILD_CACHE=str(cache) if cache else "")
    if profile:
        environment["GENERATOR_PROCESSES"] = "1"
    start = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "stages.py"),
                             *([] if profile else ["--plain"]), str(site)],
                            cwd=ROOT, env=environment, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"the build failed:\n{result.stderr[-3000:]}")
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    measured["seconds"] = seconds
    return measured


def site_figures(site: Path, limit: int) -> dict:
    files = [path for path in site.rglob("*") if path.is_file()]
    pages = [path for path in files if path.suffix == ".html"]
    largest = max(pages, key=lambda path: path.stat().st_size)
    index = (site / "search" / "search_index.json").read_bytes()
    return {"size": sum(path.stat().st_size for path in files), "files": len(files), "pages": len(pages),
            "largest": (largest.stat().st_size, largest.relative_to(site).as_posix()),
            "over": sum(path.stat().st_size > limit for path in pages),
            "index": (len(index), len(gzip.compress(index, 9)), len(json.loads(index)["docs"]))}


def differing(one: Path, other: Path) -> list[str]:
    """Files that are not byte for byte the same in two sites (or in only one of them)."""
    found: list[str] = []

    def walk(comparison: filecmp.dircmp, prefix: str) -> None:
        found.extend(prefix + name for name in comparison.left_only + comparison.right_only + comparison.funny_files)
        _, mismatch, errors = filecmp.cmpfiles(comparison.left, comparison.right, comparison.common_files,
                                               shallow=False)
        found.extend(prefix + name for name in mismatch + errors)
        for name, sub in comparison.subdirs.items():
            walk(sub, prefix + name + "/")

    walk(filecmp.dircmp(one, other), "")
    return sorted(found)


def edit(content: Path) -> None:
    path = content / EDITED
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("description: ", "description: Edited for the benchmark. ", 1), encoding="utf-8")


def measure(detections: int | None, folder: Path, profile: bool) -> None:
    name = f"{detections:,} detections" if detections else "escu-2024-10 (1,711 detections)"
    limit = 1024 * 1024 if detections else 300 * 1024
    content = content_of(detections, folder)
    cache, sites = folder / "cache", folder / "sites"
    shutil.rmtree(cache, ignore_errors=True)
    cold = build(content, sites / "cold", cache)
    figures = site_figures(sites / "cold", limit)
    edit(content)
    try:
        warm = build(content, sites / "warm", cache)
        uncached = build(content, sites / "uncached", None)
        same = differing(sites / "warm", sites / "uncached")
        stages = build(content, sites / "profile", None, profile=True) if profile else None
    finally:
        content.joinpath(EDITED).write_text((SOURCE / EDITED).read_text(encoding="utf-8"), encoding="utf-8")
    size, largest_page = figures["largest"]
    raw, packed, entries = figures["index"]
    print(f"## {name}")
    for label, run in (("cold (empty cache)", cold), ("cold (no cache)", uncached),
                        ("warm (one detection changed)", warm)):
        print(f"{label + ':':30s} {run['seconds']:6.1f} s, CPU {run['cpu']:.1f} s + {run.get('child_cpu', 0):.1f} s "
              f"(child), peak memory {run['peak_mib']:.0f} MiB (child {run['child_peak_mib']:.0f} MiB)")
    print(f"the warm site is byte for byte the cold one: {'yes' if not same else 'NO: ' + ', '.join(same[:10])}")
    print(f"site: {figures['size'] / MIB:.1f} MiB, {figures['files']:,} files, {figures['pages']:,} HTML pages; "
          f"largest {size / 1024:.0f} KB ({largest_page}); over {limit // 1024:,} KB: {figures['over']}")
    print(f"search index: {entries:,} entries, {raw / MIB:.2f} MiB, {packed / MIB:.2f} MiB gzipped")
    if stages is not None:
        print(f"stages of a cold build without cache, one process ({stages['total']:.1f} s, "
              f"{stages['cpu']:.1f} s of CPU):")
        print("| stage | seconds | CPU seconds |")
        print("| --- | ---: | ---: |")
        for stage in STAGES:
            print(f"| {stage} | {stages['stages'][stage]:.1f} | {stages['stages_cpu'][stage]:.1f} |")
    print(flush=True)


def main(argv: list[str]) -> int:
    sizes: list[int | None] = [None, 10_000]
    if "--detections" in argv:
        sizes = [int(n) if int(n) else None for n in argv[argv.index("--detections") + 1].split(",")]
    profile = "--no-profile" not in argv
    keep = Path(argv[argv.index("--keep") + 1]) if "--keep" in argv else None
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    with tempfile.TemporaryDirectory(prefix="scale-bench-") as scratch:
        for detections in sizes:
            folder = keep if keep and detections else Path(scratch)
            folder.mkdir(parents=True, exist_ok=True)
            measure(detections, folder, profile)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
