"""The whole pipeline as one function: load -> enrich -> render (no disk writes)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from .attack import load_attack
from .changes import Changes, Older, compare
from .cves import load_cves
from .enrich import Site, build_site
from .exceptions import ConfigurationError
from .forms import Choice, choose_form
from .issues import Issue, Severity
from .load import LoadCache, content_label, load_content
from .references import load_d3fend, load_splunk_apps
from .releases import Releases
from .render import Page, unique_paths


def _render_published(site: Site, rules, changes: Changes | None, releases: Releases | None,
                      ) -> tuple[list[Page], list[Issue]]:
    return unique_paths(rules.pages(site))  # the published sites had no What changed or release pages


def _render_site(site: Site, rules, changes: Changes | None, releases: Releases | None,
                 ) -> tuple[list[Page], list[Issue]]:
    from .site.layout import render_site  # the mkdocs layout; imported only when asked for

    return render_site(site, rules, changes, releases)


LAYOUTS = {"published": _render_published, "mkdocs": _render_site}
"""published: the Jekyll tree of the published site. mkdocs: the documents of the mkdocs site."""


@dataclass(frozen=True)
class Inputs:
    """Everything a run reads besides the content directory; None where a file is not given."""

    attack_bundle: Path
    cve_file: Path | None = None
    splunk_apps_file: Path | None = None
    d3fend_file: Path | None = None
    form: str | None = None
    """A form name (see `forms.FORMS`), or None to choose it from the content."""


@dataclass(frozen=True)
class Generated:
    site: Site
    pages: list[Page]
    issues: list[Issue]
    """Every problem found, sorted by file and line."""
    form: Choice
    changes: Changes | None = None
    """What changed since the older checkout, when one was given (mkdocs layout only)."""


def generate(content_dir: Path, inputs: Inputs, layout: str = "published", cache: LoadCache | None = None,
             older: Older | None = None, releases: Releases | None = None) -> Generated:
    """Load, enrich and render one content directory. Raises only ConfigurationError.

    `cache` keeps what each source file gave, for the next call (`mkdocs serve`).
    `older` (see `load_older`) gives the mkdocs layout its What changed page; `releases`
    (`releases.read_releases`) its release pages and each detection's history.
    """
    if not Path(content_dir).is_dir():
        raise ConfigurationError(f"{content_dir}: content directory not found")
    if layout not in LAYOUTS:
        raise ConfigurationError(f"unknown layout {layout!r} (choose from {', '.join(sorted(LAYOUTS))})")
    form = choose_form(Path(content_dir), inputs.form)
    techniques, version, attack_issues = load_attack(inputs.attack_bundle)
    cves = load_cves(inputs.cve_file)
    apps = load_splunk_apps(inputs.splunk_apps_file)
    d3fend = load_d3fend(inputs.d3fend_file)
    content, load_issues = load_content(Path(content_dir), form.rules.DETECTION_FOLDERS, cache)
    site, link_issues = build_site(content, techniques, cves, form.rules, apps, d3fend, version)
    changes = None
    if older is not None and layout == "mkdocs":
        published = replace(content, detections=tuple(page.detection for page in site.detections))
        changes = compare(older.content, published, older.label)
    pages, render_issues = LAYOUTS[layout](site, form.rules, changes, releases)
    issues = sorted(attack_issues + load_issues + link_issues + render_issues, key=issue_order)
    return Generated(site, pages, issues, form, changes)


def load_older(directory: Path, shown_as: str | None = None) -> tuple[Older | None, list[Issue]]:
    """Load an older checkout's published detections, in the form its own layout calls for (What changed).

    Returns None and an error when it is not a readable directory. Its own
    problems are not the reader's concern (it is history): they become at
    most one warning, counting them.
    """
    where = shown_as or str(directory)
    try:
        readable = directory.is_dir() and os.access(directory, os.R_OK | os.X_OK)
    except OSError:
        readable = False
    if not readable:
        return None, [Issue(where, None, Severity.ERROR,
                            "the older content to compare with is not a readable directory; "
                            "the What changed page is left out")]
    form = choose_form(directory)
    content, issues = load_content(directory, form.rules.DETECTION_FOLDERS)
    published = tuple(d for d in content.detections if form.rules.is_published(d))
    summary = []
    if issues:
        errors = sum(issue.severity is Severity.ERROR for issue in issues)
        summary.append(Issue(where, None, Severity.WARNING,
                             f"the older content has {errors} errors and {len(issues) - errors} warnings of its own "
                             "(not listed; what they left out is not compared)"))
    return Older(content_label(directory), replace(content, detections=published)), summary


def issue_order(issue: Issue) -> tuple:
    """Issues are reported by file, line, severity and message."""
    return (issue.path, issue.line or 0, issue.severity.value, issue.message)
