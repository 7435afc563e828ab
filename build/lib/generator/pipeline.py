"""The whole pipeline as one function: load -> enrich -> render (no disk writes)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .attack import load_attack
from .cves import load_cves
from .enrich import Site, build_site
from .exceptions import ConfigurationError
from .issues import Issue
from .load import load_content
from .render import Page, render_published

def _render_site(site: Site) -> tuple[list[Page], list[Issue]]:
    from .site.layout import render_site  # the mkdocs layout; imported only when asked for

    return render_site(site)


LAYOUTS = {"published": render_published, "mkdocs": _render_site}
"""published: the Jekyll tree of the published site. mkdocs: the documents of the mkdocs site."""


@dataclass(frozen=True)
class Generated:
    site: Site
    pages: list[Page]
    issues: list[Issue]
    """Every problem found, sorted by file and line."""


def generate(content_dir: Path, attack_bundle: Path, cve_file: Path | None, layout: str = "published") -> Generated:
    """Load, enrich and render one content directory. Raises only ConfigurationError."""
    if not Path(content_dir).is_dir():
        raise ConfigurationError(f"{content_dir}: content directory not found")
    if layout not in LAYOUTS:
        raise ConfigurationError(f"unknown layout {layout!r} (choose from {', '.join(sorted(LAYOUTS))})")
    techniques = load_attack(attack_bundle)
    cves = load_cves(cve_file)
    content, load_issues = load_content(Path(content_dir))
    site, link_issues = build_site(content, techniques, cves)
    pages, render_issues = LAYOUTS[layout](site)
    issues = sorted(load_issues + link_issues + render_issues, key=_issue_order)
    return Generated(site, pages, issues)


def _issue_order(issue: Issue) -> tuple:
    return (issue.path, issue.line or 0, issue.severity.value, issue.message)
