"""Settings of the mkdocs plugin (`plugins: - security-content: ...` in mkdocs.yml)."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c


class PluginConfig(base.Config):
    content_dir = c.Type(str, default="content")
    """The content directory, in the security_content layout; relative to mkdocs.yml."""

    attack_bundle = c.Type(str, default="content/attack/enterprise-attack.json")
    """MITRE ATT&CK Enterprise as a STIX 2.x bundle; relative to mkdocs.yml."""

    cve_file = c.Optional(c.Type(str))
    """CVE summaries and scores, {"CVE-…": {"summary": …, "cvss": …}}; relative to mkdocs.yml."""

    form = c.Optional(c.Type(str))
    """The published form the pages take ("2022-03" or "2024-04"); empty: chosen from the content."""

    splunk_apps_file = c.Optional(c.Type(str))
    """Splunkbase names and URLs of add-ons by `supported_tas` id (2024-04 form); relative to mkdocs.yml."""

    d3fend_file = c.Optional(c.Type(str))
    """D3FEND technique, definition and category by id (2024-04 form); relative to mkdocs.yml."""

    compare_with = c.Optional(c.Type(str))
    """An older checkout of the content (security_content layout); relative to mkdocs.yml. Given, the site gets
    a What changed page (/changes/) and each added or changed detection links to its entry; empty: no page."""

    releases = c.Optional(c.Type(str))
    """A tag pattern (shell wildcards, e.g. "v*"): every matching tag of the git repository `content_dir` is in
    is read from git objects and compared; the site gets the release pages (/releases/), each detection's
    history and the "Am I up to date?" page. Empty: none of them."""

    strict_content = c.Type(bool, default=False)
    """Count content warnings (unknown story names, lookups from other apps) as mkdocs warnings,
    so that `mkdocs build --strict` fails on them. Content errors always count."""

    search_sections = c.Type(bool, default=False)
    """Index every section of every generated page, as the theme does by default. Off, each generated page is
    one search entry (title, the start of its description, the ids and names it is found by): for the
    2024-10 corpus a sixth of the download, usable in a fraction of the time."""

    build_cache = c.Optional(c.Type(str))
    """The folder of the build cache (cache.py), relative to mkdocs.yml; empty (or "false"): no cache."""
