"""Benchmark: every release of ../shared/history/security_content.bundle read from git and compared.

    python benchmarks/releases_speed.py [ROUNDS] [PATTERN]

Clones the bundle into a temporary folder once, then for each round, in a fresh
process (nothing cached from the round before), reads every tag matching
PATTERN (default v*) the way the site does (`releases.read_releases`) and
times its parts: git (tags, trees, the file contents, through one `git
cat-file --batch`), the models (each distinct file parsed and made into its
model once, on both cores), the comparison (release notes and histories); the parts are timed again alone. It
prints the best round's times and CPU time (target: the whole in at most 30 s
on 2 cores), how many files the tags hold and how many distinct ones were
read, and the time of reading again with the cache `mkdocs serve` keeps (what
each rebuild costs when no tag moved).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT.parent / "shared" / "history" / "security_content.bundle"

ROUND = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from generator import releases as r
from generator.gitread import Repository, read_tags

def cpu():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

content, pattern = Path(sys.argv[1]), sys.argv[2]
times = {}
# The whole, as the site does it: git, models, comparison.
start, cpu_start = time.perf_counter(), cpu()
cache = r.ReleaseCache()
compared, _ = r.read_releases(content, pattern, cache)
times["total"] = time.perf_counter() - start
times["cpu"] = cpu() - cpu_start
# Its parts, measured again alone: git (tags, trees, every distinct content), the comparison.
start, cpu_start = time.perf_counter(), cpu()
with Repository(content) as repository:
    tags, _ = read_tags(repository, pattern)
    repository.read_trees(tag.tree for tag in tags)
    files = {tag.name: repository.files(tag.tree, r.FOLDERS) for tag in tags}
    distinct = sorted({entry for entries in files.values() for entry in entries})
    blobs = repository.blobs(sorted({blob for _, blob in distinct}))
times["git"] = time.perf_counter() - start
times["git_cpu"] = cpu() - cpu_start
start, cpu_start = time.perf_counter(), cpu()
r.compare_releases([notes.release for notes in compared.notes], pattern)
times["compare"] = time.perf_counter() - start
times["compare_cpu"] = cpu() - cpu_start
times["models"] = times["total"] - times["git"] - times["compare"]
times["models_cpu"] = times["cpu"] - times["git_cpu"] - times["compare_cpu"]
start = time.perf_counter()
r.read_releases(content, pattern, cache)  # what a `mkdocs serve` rebuild does when no tag moved
times["again"] = time.perf_counter() - start
print(json.dumps({"times": times, "tags": len(tags), "entries": sum(map(len, files.values())),
                  "distinct": len(distinct), "blobs": len(blobs), "histories": len(compared.histories)}))
"""


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    pattern = sys.argv[2] if len(sys.argv) > 2 else "v*"
    with tempfile.TemporaryDirectory() as scratch:
        content = Path(scratch) / "security_content"
        subprocess.run(["git", "clone", "-q", str(BUNDLE), str(content)], check=True)
        results = []
        for number in range(rounds):
            done = subprocess.run([sys.executable, "-c", ROUND, str(content), pattern, str(ROOT)], check=True,
                                  capture_output=True, text=True)
            results.append(json.loads(done.stdout))
            times = results[-1]["times"]
            print(f"round {number + 1}: " + ", ".join(f"{name} {value:.2f} s" for name, value in times.items()))
    print("(CPU time: this process and its children, git and the second core's worker included; wall time "
          "depends on what else the machine runs)")
    best = min(results, key=lambda result: result["times"]["total"])
    times = best["times"]
    least_cpu = min(result["times"]["cpu"] for result in results)
    print(f"{best['tags']} tags matching {pattern!r}: {best['entries']} files in all, {best['distinct']} distinct "
          f"(path, content) read and made into models, {best['blobs']} distinct contents, "
          f"{best['histories']} detection histories")
    print(f"best of {rounds}: {times['total']:.1f} s (of which, measured alone: git {times['git']:.1f} s, comparison "
          f"{times['compare']:.1f} s; the models the rest, {times['models']:.1f} s), {times['cpu']:.1f} s of CPU "
          f"(both cores; git {times['git_cpu']:.1f} s, models {times['models_cpu']:.1f} s, comparison "
          f"{times['compare_cpu']:.1f} s; the least of all rounds {least_cpu:.1f} s); target <= 30 s. "
          f"Read again with the cache (a mkdocs serve rebuild): {times['again'] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
