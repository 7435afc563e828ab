"""Settings of the mkdocs plugin (`plugins: - security-content: ...` in mkdocs.yml)."""

from __future__ import annotations

from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c

SOURCE_SETTINGS = {"path": str, "label": str, "overrides": bool, "try_in_splunk": bool, "repository": str,
                   "cve_file": str, "splunk_apps_file": str, "d3fend_file": str}
"""What each item of `content_dirs` may set (see `sources.ContentSource`); only `path` is required."""


class ContentDirs(c.BaseConfigOption[list]):
    """Several content sources: a list whose items are folders or mappings of `SOURCE_SETTINGS`, or text
    naming folders separated by ':' (as the CONTENT_DIRS environment variable gives them).

    Validated into a list of mappings, each with every setting (None where not given)."""

    def __init__(self) -> None:
        super().__init__()
        self.default = []

    def run_validation(self, value: Any) -> list[dict[str, Any]]:
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = [part for part in value.split(":") if part]
        if not isinstance(value, list):
            raise base.ValidationError(f"expected a list of folders, or folders separated by ':', not {value!r}")
        return [self._source(index, item) for index, item in enumerate(value, start=1)]

    @staticmethod
    def _source(index: int, item: Any) -> dict[str, Any]:
        if isinstance(item, str):
            item = {"path": item}
        if not isinstance(item, dict):
            raise base.ValidationError(f"item {index}: expected a folder or a mapping with 'path', not {item!r}")
        unknown = sorted(set(item) - set(SOURCE_SETTINGS))
        if unknown:
            raise base.ValidationError(f"item {index}: unknown setting {unknown[0]!r} "
                                       f"(known: {', '.join(SOURCE_SETTINGS)})")
        if not isinstance(item.get("path"), str) or not item["path"].strip():
            raise base.ValidationError(f"item {index}: 'path' must name the source's folder")
        settings = {}
        for key, kind in SOURCE_SETTINGS.items():
            value = item.get(key)
            if value is not None and not isinstance(value, kind):
                raise base.ValidationError(f"item {index}: {key!r} must be {'true or false' if kind is bool else 'text'}"
                                           f", not {value!r}")
            settings[key] = value
        return settings


class PluginConfig(base.Config):
    content_dir = c.Type(str, default="content")
    """The content directory, in the security_content layout; relative to mkdocs.yml."""

    content_dirs = ContentDirs()
    """Several content directories in one site, in order (the first decides the form); naming any, it replaces
    `content_dir`. Each a folder relative to mkdocs.yml, or a mapping of SOURCE_SETTINGS (see guide/sources.md)."""

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

    introduction = c.Type(str, default="")
    """The home page's introduction, in Markdown; empty: the default, which describes Splunk's content."""

    about = c.Optional(c.Type(str))
    """A Markdown file (relative to mkdocs.yml) shown as the About page instead of docs/about.md."""

    logo = c.Optional(c.Type(str))
    """An image file (relative to mkdocs.yml) shown as the site's logo (and favicon, unless the theme sets one)."""

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
