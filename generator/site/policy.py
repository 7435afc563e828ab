"""A Content Security Policy in every page `mkdocs build` writes: if anything got past the sanitizer, it still runs nothing.

Scripts may come only from the site itself, plus any inline script the
finished page still has, each allowed by the hash of its text (computed on
the finished page: the sanitizer has already removed every script that came
from content). With the project's overrides the theme's pages have none: its
inline scripts are files every page shares (frame.py).
Everything else loads from the site only (a picture from another host is
shown as a link to it, see markdown.py).
Under `mkdocs serve` no policy is added: the live-reload script the server
injects changes with every reload.
"""

from __future__ import annotations

import base64
import hashlib
import re

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.DOTALL | re.IGNORECASE)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_SOURCE = re.compile(r"\bsrc\s*=", re.IGNORECASE)


def inline_scripts(html: str) -> list[str]:
    """The text of each inline script of a finished page that a browser would run.

    A regular expression is exact here: in HTML a script element's text ends
    at the first `</script`, and text from content that merely looks like a
    script tag is escaped (`&lt;script`) by the time the page is finished.
    """
    scripts = []
    for attributes, text in _SCRIPT.findall(html):
        kind = _TYPE.search(attributes)
        runs = kind is None or kind[1].lower() in ("text/javascript", "module")
        if runs and not _SOURCE.search(attributes):
            scripts.append(text)
    return scripts


def script_hash(text: str) -> str:
    """The policy's source expression that allows the inline script whose text is `text`."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def policy(html: str) -> str:
    """The policy for one finished page."""
    hashes = sorted({script_hash(text) for text in inline_scripts(html)})
    return "; ".join([
        "default-src 'self'",
        " ".join(["script-src 'self'", *hashes]),
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
    """`html` with its policy as the first element of its head (before any script), and its referrer policy:
    a link to another site does not tell it which page it was followed from."""
    marker = "<head>"
    at = html.find(marker)
    if at < 0:
        return html
    at += len(marker)
    meta = (f'\n    <meta http-equiv="Content-Security-Policy" content="{policy(html)}">'
            '\n    <meta name="referrer" content="same-origin">')
    return html[:at] + meta + html[at:]
