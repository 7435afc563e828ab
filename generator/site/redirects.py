"""Old addresses of detections, each a page that sends the reader to the detection's address today.

The 2024 form serves detections by id (`/endpoint/<id>/`); the published
site redirected the older `/endpoint/<slug>/` there, and so does this one.
A redirect page holds only what a redirect needs: a refresh to the new
address (which works without JavaScript), a script that keeps the part of
the address after `#` (the refresh drops it), the canonical address for
search engines, and a link for a reader whose browser follows neither. Its
security policy allows that one script and nothing else.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Callable

from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from .policy import script_hash


def redirect_page(target: str, policy: bool = True) -> str:
    """The page that sends a reader to `target` (relative to the page), with its security policy."""
    address = html.escape(target)
    script = f"location.replace({json.dumps(target)}+location.hash)"
    head = (f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            f'script-src {script_hash(script)}">\n' if policy else "")
    return (f'<!doctype html>\n<html lang="en">\n<head>\n{head}<meta charset="utf-8">\n<title>Redirecting</title>\n'
            f'<link rel="canonical" href="{address}">\n<meta http-equiv="refresh" content="0; url={address}">\n'
            f'<script>{script}</script>\n</head>\n<body><a href="{address}">{address}</a></body>\n</html>\n')


def write_redirects(site_dir: Path, redirects: dict[str, str], use_directory_urls: bool, policy: bool,
                    taken: set[str], warn: Callable[[str], None]) -> None:
    """Write a redirect page at each old address (docs-relative, "endpoint/x.md") to its new one.

    An old address where the site has a file of its own (`taken`: the files' paths in the site) keeps the
    file, and is reported.
    """
    for old, new in sorted(redirects.items()):
        source, target = File(old, "", "", use_directory_urls), File(new, "", "", use_directory_urls)
        path = site_dir / source.dest_path
        if source.dest_path in taken:
            warn(f"/{source.url} is both a page of the site and the old address of /{target.url}; "
                 "the page is kept")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(redirect_page(get_relative_url(target.url, source.url), policy), encoding="utf-8")


def remove_redirects(site_dir: Path, olds: list[str], use_directory_urls: bool) -> None:
    """Remove the redirect pages of old addresses that no longer redirect (while serving)."""
    for old in olds:
        (site_dir / File(old, "", "", use_directory_urls).dest_path).unlink(missing_ok=True)
