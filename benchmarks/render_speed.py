"""Benchmark: rendering a content directory vs. merely parsing its YAML with libyaml.

    python benchmarks/render_speed.py [CONTENT_DIR ATTACK_BUNDLE [CVE_FILE]]

Defaults to both published corpora in ../shared (escu-2022-03 in the 2022-03
form, escu-2024-04 with its enrichment files in the 2024-04 form). For each,
in one run, it times several times over and interleaved (this machine is
shared and noisy):
  parse  - reading and parsing every YAML file the render reads, with
           yaml.load(..., Loader=yaml.CSafeLoader) and nothing else;
  render - the whole `python -m generator render --layout published` work
           (load, ATT&CK and CVE files, enrich, render, write) into a fresh
           temporary directory, in this process.
It prints the best time of each and their ratio (target: render <= 1.3x parse),
then the same for a render kept in one process (the generator otherwise
parses, renders and writes on two cores where it can fork; see
generator/parallel.py), then the same as whole processes, as a user runs
them (target <= 2x): `python -m generator render ...` against a Python
process that imports PyYAML and parses the same files (the floor of any
command that reads them).
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import parallel  # noqa: E402
from generator.commands.render import render  # noqa: E402
from generator.forms import choose_form  # noqa: E402
from generator.pipeline import Inputs  # noqa: E402

SHARED = ROOT.parent / "shared"


def source_files(content: Path) -> list[Path]:
    """The YAML files the loader reads for the content's form, in its order."""
    files: list[Path] = []
    for folder in choose_form(content).rules.DETECTION_FOLDERS:
        files += sorted((content / folder.path).glob("*.yml"))
    for folder in ("stories", "macros", "lookups"):
        files += sorted((content / folder).glob("*.yml"))
    files += sorted((content / "playbooks").glob("**/*.yml"))
    return files


def time_parse(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return time.perf_counter() - start


# Output goes to memory-backed storage where there is some: on this machine's
# disk, creating ~1,000 files right after deleting the previous run's took from
# 0.03 s to 0.8 s depending on the kernel's journal, which would time the disk
# rather than the generator.
SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None


def time_render(content: Path, inputs: Inputs) -> float:
    """Seconds for one whole render; content errors are the sources' and do not stop it."""
    out = Path(tempfile.mkdtemp(prefix="render-bench-", dir=SCRATCH))
    try:
        start = time.perf_counter()
        render(content, inputs, out / "site", stream=io.StringIO())
        elapsed = time.perf_counter() - start
        if not any((out / "site" / "_posts").iterdir()):
            raise SystemExit(f"{content}: nothing was rendered; benchmark not valid")
    finally:
        shutil.rmtree(out)
    return elapsed


PARSE_PROCESS = """
import sys, yaml
for path in sys.stdin.read().splitlines():
    with open(path, encoding="utf-8") as stream:
        yaml.load(stream.read(), Loader=yaml.CSafeLoader)
"""


def time_parse_process(files: list[Path]) -> float:
    listing = "\n".join(str(path) for path in files)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", PARSE_PROCESS], input=listing, text=True, check=True)
    return time.perf_counter() - start


def time_render_process(content: Path, inputs: Inputs) -> float:
    out = Path(tempfile.mkdtemp(prefix="render-bench-", dir=SCRATCH))
    command = [sys.executable, "-m", "generator", "render", "--layout", "published", "--content", str(content),
               "--attack", str(inputs.attack_bundle), "--out", str(out / "site")]
    for option, path in (("--cves", inputs.cve_file), ("--splunk-apps", inputs.splunk_apps_file),
                         ("--d3fend", inputs.d3fend_file)):
        if path is not None:
            command += [option, str(path)]
    try:
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start
    finally:
        shutil.rmtree(out)


def corpora(argv: list[str]) -> list[tuple[Path, Inputs]]:
    if len(argv) >= 2:
        return [(Path(argv[0]), Inputs(Path(argv[1]), Path(argv[2]) if len(argv) > 2 else None))]
    march, april = SHARED / "corpus" / "escu-2022-03", SHARED / "corpus" / "escu-2024-04"
    return [
        (march / "source", Inputs(SHARED / "attack" / "enterprise-attack-10.1.json",
                                  march / "enrichment" / "cves.json")),
        (april / "source", Inputs(SHARED / "attack" / "enterprise-attack-14.1.json",
                                  april / "enrichment" / "cves.json", april / "enrichment" / "splunk_apps.json",
                                  april / "enrichment" / "d3fend.json")),
    ]


def measure(content: Path, inputs: Inputs) -> None:
    files = source_files(content)
    parse_times: list[float] = []
    render_times: dict[bool, list[float]] = {True: [], False: []}
    process_times: dict[str, list[float]] = {"parse": [], "render": []}
    for _ in range(7):  # interleaved, so all of them see the same machine load
        parse_times.append(time_parse(files))
        for two_cores in (True, False):
            parallel.enabled = two_cores
            render_times[two_cores].append(time_render(content, inputs))
        process_times["parse"].append(time_parse_process(files))
        process_times["render"].append(time_render_process(content, inputs))
    parallel.enabled = True
    parse = min(parse_times)
    print(f"content: {content} (form {choose_form(content).name}, {len(files)} YAML files); "
          f"output written under {SCRATCH or tempfile.gettempdir()}")
    print(f"parse only (CSafeLoader):     best {parse:.3f} s, median {statistics.median(parse_times):.3f} s")
    for two_cores, label in ((True, "full render"), (False, "full render, one process")):
        times = render_times[two_cores]
        print(f"{label + ':':29s} best {min(times):.3f} s, median {statistics.median(times):.3f} s,"
              f" ratio {min(times) / parse:.2f}")
    print(f"ratio render/parse: {min(render_times[True]) / parse:.2f} (target <= 1.30)")
    parse_process, render_process = min(process_times["parse"]), min(process_times["render"])
    print(f"as processes: parse {parse_process:.3f} s, render {render_process:.3f} s, "
          f"ratio {render_process / parse_process:.2f} (target <= 2.00)")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("  (PYTHONDONTWRITEBYTECODE is set: each render process compiles the generator's modules from source, "
              "which an installed package has compiled)")


def main(argv: list[str]) -> int:
    for content, inputs in corpora(argv):
        measure(content, inputs)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
