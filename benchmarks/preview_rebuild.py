"""Where a `mkdocs serve` rebuild's seconds go: the rebuilds after a saved detection, in this process.

    python benchmarks/preview_rebuild.py CONTENT_DIR [--edits N] [--profile K [--profile-out FILE]]
        (with ATTACK_BUNDLE, CVE_FILE, BUILD_CACHE, ... set as for mkdocs)

Copies CONTENT_DIR to a scratch folder, runs the first build of a `mkdocs serve` session of this
repository's mkdocs.yml (the plugin in its serving state), then saves a detection's description N times
(default 5), each followed by the rebuild the server would run (`preview.dirty_builder`). For each rebuild it
prints one line of JSON: when the edited page was shown (early.py), wall and CPU seconds, the seconds Python's
cycle collector took, and the process's resident memory. `--profile K` profiles the K-th rebuild (from 0) with
cProfile, printing the functions that took longest (cProfile roughly doubles the time); `--profile-out FILE`
also saves that profile for `pstats`. Unlike ../shared/tools/preview_latency.py, this leaves out the server
noticing the change and the browser fetching the page: it is the rebuild alone.
"""

from __future__ import annotations

import cProfile
import gc
import io
import json
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EDITED = "detections/endpoint/windows_dism_remove_defender.yml"


class CollectorClock:
    """Seconds spent in Python's cycle collector since the last `take`."""

    def __init__(self) -> None:
        self.seconds, self._started = 0.0, 0.0
        gc.callbacks.append(self._event)

    def _event(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started

    def take(self) -> float:
        seconds, self.seconds = self.seconds, 0.0
        return seconds


def resident_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main(argv: list[str]) -> int:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.livereload import LiveReloadServer

    from generator.site.preview import dirty_builder

    arguments = [argument for index, argument in enumerate(argv)
                 if not argument.startswith("--") and (index == 0 or not argv[index - 1].startswith("--"))]
    option = lambda name, default: int(argv[argv.index(name) + 1]) if name in argv else default  # noqa: E731
    edits, profiled = option("--edits", 5), option("--profile", -1)
    profile_out = argv[argv.index("--profile-out") + 1] if "--profile-out" in argv else None
    scratch = Path(tempfile.mkdtemp(prefix="preview-rebuild-"))
    try:
        content = scratch / "content"
        shutil.copytree(arguments[0], content)
        past = time.time() - 3600  # as files are before an edit: older than the loader's settling time
        for path in content.rglob("*"):
            os.utime(path, (past, past), follow_symlinks=False)
        os.environ["CONTENT_DIR"] = str(content)
        edited = content / EDITED
        original = edited.read_text(encoding="utf-8")
        collector = CollectorClock()
        start, start_cpu = time.perf_counter(), time.process_time()
        config = load_config(config_file=str(ROOT / "mkdocs.yml"), site_dir=str(scratch / "site"))
        config.plugins.on_startup(command="serve", dirty=False)
        config.site_url = "http://127.0.0.1:8000/"
        build(config, serve_url=config.site_url)
        print(json.dumps({"first build": round(time.perf_counter() - start, 2),
                          "cpu": round(time.process_time() - start_cpu, 2), "collector": round(collector.take(), 2),
                          "resident_mib": round(resident_mib())}), flush=True)
        rebuild = dirty_builder(config)
        # mkdocs' server object (not started), so that a rebuild shows the edited page first (early.py): when that
        # happened is each line's "shown first".
        plugin_module = sys.modules["generator.site.plugin"]
        plugin_module_reveal, revealed = plugin_module.reveal, []
        plugin_module.reveal = lambda server, shown=(): (revealed.append(time.perf_counter())
                                                         or plugin_module_reveal(server, shown))
        config.plugins["security-content"].preview.server = LiveReloadServer(
            builder=rebuild, host="127.0.0.1", port=0, root=config.site_dir)
        for number in range(edits):
            edited.write_text(original.replace("description: ", f"description: Edit {number}. ", 1), encoding="utf-8")
            profile = cProfile.Profile() if number == profiled else None
            start, start_cpu = time.perf_counter(), time.process_time()
            if profile is not None:
                profile.enable()
            rebuild()
            if profile is not None:
                profile.disable()
            first = round(revealed.pop() - start, 2) if revealed else None
            print(json.dumps({"rebuild": number, "shown first": first, "seconds": round(time.perf_counter() - start, 2),
                              "cpu": round(time.process_time() - start_cpu, 2),
                              "collector": round(collector.take(), 2), "resident_mib": round(resident_mib()),
                              "load": os.getloadavg()[0]}), flush=True)
            if profile is not None:
                out = io.StringIO()
                pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(50)
                print(out.getvalue(), flush=True)
                if profile_out is not None:
                    profile.dump_stats(profile_out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
