"""Benchmark: the site's search, as a reader meets it, on the 2024-10 corpus.

    python benchmarks/search_speed.py [ROUNDS] [--content DIR | --sites SITE [SITE ...]]

Builds the escu-2024-10 site twice in one run: as the site's search was
before (the theme's own index of every section, `SEARCH_SECTIONS=true`, and
without docs/javascripts/search.js, which is taken out of that build) and as
it is (one entry per page, ids handled). Serves each over HTTP and, in
Chromium (Debian's `chromium`, through Playwright), measures for each:
  index     - bytes of search/search_index.json, raw and gzip-compressed (what
              a server such as GitHub Pages sends);
  usable    - from the page's load event until results show for a query
              entered at once (the page downloads the index and hands it to
              the search worker: the theme's, which indexes it, for "before";
              the site's, which only reads the word index the build made);
  results   - from the last key of a query typed 50 ms per key until the
              result list stops changing (median and worst of the queries);
  ids       - whether a pasted or typed id finds its page among the first ten.
Each figure is the median of ROUNDS fresh page loads (default 3). The server
is local, so network time is not in `usable`: add the download of `index`.
With --content DIR (e.g. the 10,000 detections benchmarks/scale.py makes),
only the site as it is is built, from DIR (with ATT&CK 15.1) and measured.
With --sites SITE [SITE ...], nothing is built: those built sites (say, one
content built at two commits) are measured, in turn at each round.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

TYPED_QUERIES = ("credential dumping", "powershell", "T1003.001", "lsass memory", "rundll32")
# Recorded in the page: when each key went down (or text was pasted) and when the result list changed.
RECORDER = """
window.__keys = []; window.__changes = [];
for (const event of ["keydown", "input"]) {
  document.addEventListener(event, () => window.__keys.push(performance.now()), true);
}
new MutationObserver(() => {
  const list = document.querySelector(".md-search-result__list");
  if (list) {
    new MutationObserver(() => window.__changes.push(performance.now()))
      .observe(list, {childList: true, subtree: true, characterData: true});
  }
}).observe(document, {childList: true, subtree: true});
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


def build(site: Path, before: bool, content: Path = SHARED / "corpus" / "escu-2024-10" / "source") -> None:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", CONTENT_DIR=str(content), CVE_FILE="", SPLUNK_APPS_FILE="",
               D3FEND_FILE="", ATTACK_BUNDLE=str(SHARED / "attack" / "enterprise-attack-15.1.json"),
               SEARCH_SECTIONS="true" if before else "false", BUILD_CACHE="")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", str(site)], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if before:  # the pages still load it; the server answers 404
        (site / "javascripts" / "search.js").unlink()


def serve(site: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def results(page) -> list[str]:
    return page.locator(".md-search-result__article h1").all_inner_texts()


def wait_until_quiet(page, quiet_ms: int = 800) -> None:
    """Until the result list has not changed for `quiet_ms`."""
    page.wait_for_function(
        f"() => performance.now() - Math.max(window.__keys.at(-1) || 0, window.__changes.at(-1) || 0) > {quiet_ms}",
        timeout=60_000)


def clear(page) -> None:
    """Empty the search box with the keyboard (the theme hears keys, not changes of the text)."""
    page.locator(".md-search__input").press("Control+a")
    page.locator(".md-search__input").press("Backspace")
    wait_until_quiet(page)


def measure(browser, base: str, id_queries) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(RECORDER)
    page = context.new_page()
    page.goto(base, wait_until="load")
    loaded = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    page.locator(".md-search__input").fill("lsass")
    page.locator(".md-search-result__item").first.wait_for(timeout=60_000)
    usable = page.evaluate("window.__changes[0]") - loaded
    latencies = []
    for query in TYPED_QUERIES:
        clear(page)
        page.locator(".md-search__input").press_sequentially(query, delay=50)
        wait_until_quiet(page)
        last_key, last_change = page.evaluate("[window.__keys.at(-1), window.__changes.at(-1)]")
        latencies.append(max(last_change - last_key, 0))
    found = {}
    for query, titles in id_queries:
        for how in ("pasted", "typed"):
            clear(page)
            if how == "pasted":
                page.locator(".md-search__input").fill(query)
            else:
                page.locator(".md-search__input").press_sequentially(query, delay=30)
            wait_until_quiet(page)
            found[(query, how)] = bool(set(titles) & set(results(page)[:10]))
    context.close()
    return {"usable": usable, "latencies": latencies, "found": found}


def id_queries_for(site: Path) -> list[tuple[str, tuple[str, ...]]]:
    """Ids as readers enter them, each with the titles of the pages it should find (any of them among the first
    ten will do), from the site's exports. The CVE and the macro are each used by as few detections as any:
    one in the published corpora; in a content of copies (benchmarks/scale.py) the copies use them too."""
    detections = sorted(json.loads((site / "api" / "detections.json").read_text(encoding="utf-8")),
                        key=lambda d: d["name"])
    stories = sorted(json.loads((site / "api" / "stories.json").read_text(encoding="utf-8")), key=lambda s: s["name"])
    users: dict[tuple[str, str], list[str]] = {}
    for detection in detections:
        for cve in detection["cves"]:
            users.setdefault(("cve", cve), []).append(detection["name"])
        for macro in detection["macros"]:
            users.setdefault(("macro", macro), []).append(detection["name"])
    def rarest(kind: str, wanted=lambda name: True) -> tuple[str, tuple[str, ...]]:
        return min(((key[1], tuple(names)) for key, names in sorted(users.items()) if key[0] == kind and wanted(key[1])),
                   key=lambda pair: len(pair[1]))

    cve, cve_users = rarest("cve")
    macro, macro_users = rarest("macro", lambda name: not name.endswith("_filter"))
    detection = detections[len(detections) // 2]
    technique = ("T1003.001: LSASS Memory",)
    return [(detection["id"], (detection["name"],)), (detection["id"].upper(), (detection["name"],)),
            ("T1003.001", technique), ("t1003.001", technique), (cve, cve_users), (cve.lower(), cve_users),
            (macro, macro_users), (stories[0]["name"], (stories[0]["name"],))]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="The site's search as a reader meets it (see the module's text).")
    parser.add_argument("rounds", nargs="?", type=int, default=3, help="page loads measured per site (3)")
    given = parser.add_mutually_exclusive_group()
    given.add_argument("--content", type=Path, help="build only the site as it is, of this content")
    given.add_argument("--sites", type=Path, nargs="+", help="measure these built sites; build nothing")
    arguments = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory(prefix="search-bench-") as scratch_name, sync_playwright() as playwright:
        scratch = Path(scratch_name)
        print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the start", flush=True)
        if arguments.sites:
            variants = tuple((str(site), site, False) for site in arguments.sites)
        else:
            variants = (("before", scratch / "before", True), ("now", scratch / "now", False))
            if arguments.content is not None:
                variants = variants[1:]
            for _, site, before in variants:
                build(site, before, *([arguments.content] if arguments.content is not None else []))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        servers = {name: serve(site) for name, site, _ in variants}
        queries = {name: id_queries_for(site) for name, site, _ in variants}
        runs: dict[str, list[dict]] = {name: [] for name, _, _ in variants}
        try:
            for _ in range(arguments.rounds):  # the sites in turn: a change of the machine's load touches each
                for name, _, _ in variants:
                    runs[name].append(measure(browser, servers[name][1], queries[name]))
        finally:
            for server, _ in servers.values():
                server.shutdown()
        for name, site, _ in variants:
            index = (site / "search" / "search_index.json").read_bytes()
            usable = statistics.median(run["usable"] for run in runs[name])
            latencies = [latency for run in runs[name] for latency in run["latencies"]]
            print(f"{name}: index {len(index) / 1e6:.2f} MB, {len(gzip.compress(index)) / 1e6:.2f} MB gzipped")
            print(f"{name}: usable {usable / 1000:.2f} s after load (median of {arguments.rounds} loads)")
            print(f"{name}: results {statistics.median(latencies):.0f} ms after the last key "
                  f"(median; worst {max(latencies):.0f} ms; {len(latencies)} typed queries)")
            found = runs[name][0]["found"]
            missed = [f"{query!r} {how}" for (query, how), ok in found.items() if not ok]
            print(f"{name}: ids found among the first ten results: {len(found) - len(missed)} of {len(found)}"
                  + (f"; not found: {', '.join(missed)}" if missed else ""))
        browser.close()
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
