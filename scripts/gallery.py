"""Screenshots of a built site for guide/accessibility.md's gallery, at a wide screen's and a phone's size.

    .venv/bin/python scripts/gallery.py SITE_DIR [OUT_DIR]

SITE_DIR is a built site (`mkdocs build --site-dir SITE_DIR`); the pictures go to OUT_DIR (docs/images/ by
default), named a11y-<what>-<size>-<scheme>.png. Debian's Chromium takes them through Playwright; `pngquant`
(Debian's package), where it is installed, reduces each to 64 colours (a screenshot of flat colours loses
nothing visible, and the file is a third of the size).
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
# (name, address, size, scheme, what to do first): what the guide shows.
SHOTS = (
    ("matrix", "techniques/", WIDE, "default", None),
    ("matrix", "techniques/", PHONE, "slate", None),
    ("detections", "detections/", PHONE, "default", None),
    ("detections", "detections/", WIDE, "slate", None),
    ("skip-link", "detections/", WIDE, "default", "Tab"),
)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


def take(site: Path, out: Path) -> list[Path]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    written = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            for name, address, size, scheme, key in SHOTS:
                context = browser.new_context(viewport=size)
                page = context.new_page()
                page.goto(base + address)
                page.wait_for_load_state("networkidle")
                if page.evaluate("document.body.getAttribute('data-md-color-scheme')") != scheme:
                    page.locator("label.md-header__button[for^='__palette']:visible").first.click()
                    page.reload()
                    page.wait_for_load_state("networkidle")
                if key:
                    page.keyboard.press(key)
                page.wait_for_timeout(600)
                path = out / f"a11y-{name}-{size['width']}-{'dark' if scheme == 'slate' else 'light'}.png"
                page.screenshot(path=str(path))
                written.append(path)
                context.close()
            browser.close()
    finally:
        server.shutdown()
    if shutil.which("pngquant"):
        for path in written:
            subprocess.run(["pngquant", "--force", "--strip", "--ext", ".png", "64", str(path)], check=True)
    return written


def main(argv: list[str]) -> int:
    if not argv or not Path(argv[0]).is_dir():
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "images"
    out.mkdir(parents=True, exist_ok=True)
    for path in take(Path(argv[0]), out):
        print(f"{path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
