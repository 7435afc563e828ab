"""Benchmark: converting the site's pages with Python-Markdown's inline pass and with the skipping one.

    python benchmarks/inline_speed.py [ROUNDS] [--content DIR]

Renders the October-2024 sources (or DIR) into the site's Markdown documents
(`python -m generator render --layout mkdocs`), then converts every document
in this process with the site's Markdown extensions, ROUNDS times each way,
alternating (this machine is shared and noisy; CPU seconds are the steadier
figure): with Python-Markdown's own inline processors, and with the ones of
generator/site/inline.py, which pass over patterns a text cannot match. It
prints the best CPU seconds of each, their ratio, and whether every page's
HTML is the same both ways (it must be).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import markdown
from markdown.extensions.toc import TocExtension

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.site import inline  # noqa: E402
from generator.site.markdown import KramdownExtension  # noqa: E402

SHARED = ROOT.parent / "shared"
SOURCE = SHARED / "corpus" / "escu-2024-10" / "source"
ATTACK = SHARED / "attack" / "enterprise-attack-15.1.json"


def convert_all(documents: list[tuple[str, str]], skipping: bool) -> tuple[float, list[str]]:
    """CPU seconds to convert every (path, Markdown) with one converter, and the pages' HTML."""
    install = inline.install
    if not skipping:
        inline.install = lambda md: None  # Python-Markdown's own inline processors stay
    try:
        extension = KramdownExtension(documents={})
        converter = markdown.Markdown(extensions=["tables", "md_in_html", "smarty", "fenced_code",
                                                  TocExtension(permalink=True), extension])
        pages = []
        start = time.process_time()
        for path, text in documents:
            extension.set_page("/" + path, path, guarded=True)
            pages.append(converter.reset().convert(text))
        return time.process_time() - start, pages
    finally:
        inline.install = install


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rounds", nargs="?", type=int, default=2)
    parser.add_argument("--content", type=Path, default=SOURCE)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "docs"
        subprocess.run([sys.executable, "-m", "generator", "render", "--layout", "mkdocs", "--content",
                        str(arguments.content), "--attack", str(ATTACK), "--out", str(out)],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        documents = [(path.relative_to(out).as_posix(), path.read_text(encoding="utf-8"))
                     for path in sorted(out.rglob("*.md"))]
    print(f"{len(documents)} documents, {sum(len(text) for _, text in documents) / 2**20:.1f} MiB of Markdown; "
          f"load average {os.getloadavg()[0]:.1f}")
    best: dict[bool, float] = {}
    pages: dict[bool, list[str]] = {}
    for _ in range(arguments.rounds):
        for skipping in (False, True):
            seconds, pages[skipping] = convert_all(documents, skipping)
            best[skipping] = min(seconds, best.get(skipping, seconds))
            print(f"  {'skipping' if skipping else 'Python-Markdown'}: {seconds:.2f} s CPU", flush=True)
    different = sum(a != b for a, b in zip(pages[False], pages[True]))
    print(f"Python-Markdown's inline pass: best {best[False]:.2f} s CPU; skipping: best {best[True]:.2f} s CPU; "
          f"ratio {best[True] / best[False]:.2f}; pages that differ: {different} (load average "
          f"{os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
