"""A Content Security Policy in every page `mkdocs build` writes: if anything got past the sanitizer, it still runs nothing.

Scripts may come only from the site itself, plus the theme's own inline
scripts, each allowed by the hash of its text (computed on the finished page:
the sanitizer has already removed every script that came from content).
Everything else loads from the site only (a picture from another host is
shown as a link to it, see markdown.py).
Under `mkdocs serve` no policy is added: the live-reload script the server
injects changes with every reload.
"""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

class _InlineScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.texts: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            values = dict(attrs)
            runs = "src" not in values and values.get("type", "text/javascript") in ("text/javascript", "module")
            self._current = [] if runs else None

    def handle_data(self, data):
        if self._current is not None:
            self._current.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._current is not None:
            self.texts.append("".join(self._current))
            self._current = None


def policy(html: str) -> str:
    """The policy for one finished page."""
    parser = _InlineScripts()
    parser.feed(html)
    hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"
                     for text in parser.texts})
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' " + " ".join(hashes),
        "style-src 'self' 'unsafe-inline'",  # the theme sets styles from its scripts; styles run no code
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "frame-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ])


def with_policy(html: str) -> str:
    """`html` with its policy as the first element of its head (before any script)."""
    marker = "<head>"
    at = html.find(marker)
    if at < 0:
        return html
    at += len(marker)
    meta = f'\n    <meta http-equiv="Content-Security-Policy" content="{policy(html)}">'
    return html[:at] + meta + html[at:]
