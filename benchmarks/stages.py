"""Where the seconds of one `mkdocs build` go, stage by stage.

    python benchmarks/stages.py [--plain] SITE_DIR     (with CONTENT_DIR, ATTACK_BUNDLE, ... set as for mkdocs)

Runs `mkdocs build` of this repository's mkdocs.yml in this process, with
the functions each stage runs wrapped in a timer, and prints one line of
JSON: the seconds of each stage, the whole build's, and the peak memory.
A stage's time excludes the stages nested in it (a page's theme rendering
excludes the writing of its file), so the stages add up to the build.

  load      reading the content, the ATT&CK bundle and reference files, enriching
  render    the generator's Markdown of each page (its templates)
  exports   the generator's data files (JSON, CSV, layers, feeds)
  markdown  Python-Markdown and the kramdown extension, the sanitizer, the SPL highlighting
  theme     the theme's templates around each page, its security policy
  search    the search index: each page's entry and the index file
  write     writing pages, redirect pages and static files, swapping the new site in for the old
  cache     reading and writing the build cache (generator/site/cache.py)
  other     the rest: starting up, the configuration, the file list, checking anchors

--plain: no timers, only the whole build's time and peak memory (this
process's, and the largest child's: the one converting half of the pages).

The profile is of one process: run it with GENERATOR_PROCESSES=1, or the
conversion of half the pages happens in a child process that is not timed
stage by stage (its share shows as waiting, in markdown).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from functools import wraps
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("load", "render", "exports", "markdown", "theme", "search", "write", "cache", "other")
EXPORT_FOLDERS = ("api", "layers", "feeds")


class Clock:
    """Exclusive time per stage: time spent in a nested stage is taken from the one around it."""

    def __init__(self) -> None:
        self.totals = dict.fromkeys(STAGES, 0.0)
        """Wall-clock seconds."""
        self.cpu = dict.fromkeys(STAGES, 0.0)
        """Seconds of this process's CPU time: on a loaded machine, the steadier figure."""
        self.stack: list[str] = []

    def wrap(self, owner, name: str, stage) -> None:
        original = getattr(owner, name)
        clock = self

        @wraps(original)
        def timed(*args, **kwargs):
            chosen = stage(*args) if callable(stage) else stage
            clock.stack.append(chosen)
            start, start_cpu = time.perf_counter(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
                clock.stack.pop()
                clock.totals[chosen] += elapsed
                clock.cpu[chosen] += elapsed_cpu
                if clock.stack:
                    clock.totals[clock.stack[-1]] -= elapsed
                    clock.cpu[clock.stack[-1]] -= elapsed_cpu

        setattr(owner, name, timed)

    def wrap_property(self, owner, name: str, stage) -> None:
        prop = getattr(owner, name)
        holder = type("Holder", (), {"get": staticmethod(prop.fget)})
        self.wrap(holder, "get", stage)
        setattr(owner, name, property(holder.get))


def _page_stage(page, *_):
    path = page.path
    return "exports" if path[0] in EXPORT_FOLDERS or path == ("feed.xml",) else "render"


def instrument(clock: Clock) -> None:
    import mkdocs.commands.build as build
    import mkdocs.utils
    from material.plugins.search import plugin as search
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page as MkDocsPage
    from mkdocs_redirects import plugin as redirects

    from generator import pipeline, render
    from generator.site import markdown, plugin, policy

    for name in ("load_attack", "load_cves", "load_splunk_apps", "load_d3fend", "load_content", "build_site",
                 "choose_form", "load_older"):
        clock.wrap(pipeline, name, "load")
    clock.wrap_property(render.Page, "text", _page_stage)
    clock.wrap(build, "_populate_page", "markdown")
    clock.wrap(MkDocsPage, "render", "markdown")
    clock.wrap(plugin, "sanitize", "markdown")
    clock.wrap(plugin, "highlight_spl", "markdown")
    clock.wrap(markdown, "highlight_spl", "markdown")
    clock.wrap(build, "_build_page", "theme")
    clock.wrap(build, "_build_theme_template", "theme")
    clock.wrap(plugin, "with_policy", "theme")
    clock.wrap(policy, "with_policy", "theme")
    clock.wrap(search.SearchPlugin, "on_page_context", "search")
    clock.wrap(search.SearchPlugin, "on_post_build", "search")
    for owner, name in ((plugin.SecurityContentPlugin, "_slim_search_index"),  # before and after this work
                        (plugin.SecurityContentPlugin, "_merge_search_index"), (plugin, "page_summary")):
        if hasattr(owner, name):
            clock.wrap(owner, name, "search")
    clock.wrap(mkdocs.utils, "write_file", "write")
    clock.wrap(mkdocs.utils, "clean_directory", "write")
    clock.wrap(Files, "copy_static_files", "write")
    clock.wrap(redirects.RedirectPlugin, "on_post_build", "write")
    for name in ("_on_post_build_redirect_policy", "_on_post_build_redirects"):  # before and after this work
        if hasattr(plugin.SecurityContentPlugin, name):
            clock.wrap(plugin.SecurityContentPlugin, name, "write")
    try:  # the site swapped in whole when complete, and the previous one removed (since the atomic build)
        from generator.site import staging
    except ImportError:
        staging = None
    if staging is not None:
        clock.wrap(staging.StagedSite, "finish", "write")
        clock.wrap(staging, "repair", "write")
    for module_name in ("generator.site.cache",):
        try:
            module = __import__(module_name, fromlist=["*"])
        except ImportError:
            continue
        for name in getattr(module, "TIMED", ()):
            owner, _, attribute = name.rpartition(".")
            clock.wrap(getattr(module, owner) if owner else module, attribute, "cache")


def main(argv: list[str]) -> int:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    plain = "--plain" in argv
    site_dir = [argument for argument in argv if argument != "--plain"][0]
    clock = Clock()
    if not plain:
        instrument(clock)
    start, start_cpu = time.perf_counter(), time.process_time()
    config = load_config(config_file=str(ROOT / "mkdocs.yml"), site_dir=site_dir)
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    config.plugins.on_shutdown()
    total, total_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    clock.totals["other"] += total - sum(clock.totals.values())
    clock.cpu["other"] += total_cpu - sum(clock.cpu.values())
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"total": total, "cpu": total_cpu, "child_cpu": usage.ru_utime + usage.ru_stime,
                      "stages": clock.totals, "stages_cpu": clock.cpu, "peak_mib": own,
                      "child_peak_mib": usage.ru_maxrss / 1024}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
