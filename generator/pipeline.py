"""The whole pipeline as one function: load -> enrich -> render (no disk writes)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Hashable, Sequence

from .attack import load_attack
from .cves import load_cves
from .enrich import DetectionPages, References, Site, build_site, with_typed_saved_searches
from .exceptions import ConfigurationError
from .folders import detection_folders
from .forms import Choice, choose_form
from .issues import Issue, Severity, tally
from .load import content_label, load_content
from .references import load_d3fend, load_splunk_apps
from .render import Branding, Page, Renderings, unique_paths
from .sources import ContentSource, Replacement, SourceCache, combine, content_source, of_source, source_problems
from .tree import file_stamp

if TYPE_CHECKING:  # what only the mkdocs layout uses is imported when it is used (`render` starts sooner)
    from .changes import Changes, Older
    from .releases import Releases


def _render_published(site: Site, rules, renderings: Renderings | None = None,
                      **additions) -> tuple[list[Page], list[Issue]]:
    # the published sites had no What changed or release pages, no branding
    return unique_paths(rules.pages(site, renderings=renderings))


def _render_site(site: Site, rules, **additions) -> tuple[list[Page], list[Issue]]:
    from .site.layout import render_site  # the mkdocs layout; imported only when asked for

    return render_site(site, rules, **additions)


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
    branding: Branding = Branding()
    """The site's name and texts (mkdocs layout)."""


@dataclass(frozen=True)
class Generated:
    site: Site
    pages: list[Page]
    issues: list[Issue]
    """Every problem found, sorted by file and line."""
    form: Choice
    changes: Changes | None = None
    """What changed since the older checkout, when one was given (mkdocs layout only)."""
    sources: tuple[ContentSource, ...] = ()
    replacements: tuple[Replacement, ...] = ()
    """What sources with `overrides` replaced of other sources."""
    unparsed: tuple[str, ...] = ()
    """The files that do not parse or cannot be read, sorted: their other problems are unknown until they do."""


class ReadFiles:
    """Reference files (the ATT&CK bundle, CVEs, add-ons, D3FEND) as read before, while each file's stamp is the
    same: the ATT&CK bundle alone takes a second or more to read."""

    def __init__(self) -> None:
        self._kept: dict[tuple[Callable, Path], tuple[Hashable, Any]] = {}

    def read(self, load: Callable[[Path], Any], path: Path) -> Any:
        stamp = file_stamp(path)
        kept = self._kept.get((load, path))
        if kept is not None and stamp is not None and kept[0] == stamp:
            return kept[1]
        value = load(path)
        if stamp is not None:
            self._kept[(load, path)] = (stamp, value)
        return value


@dataclass
class Reuse:
    """What a long-lived process (`mkdocs serve`) keeps from one `generate` to the next, so that a rebuild does
    the work of what changed: what each source file gave (one `SourceCache` per source folder), the reference
    files read, the detection pages linked, the pages rendered."""

    sources: dict[Path, SourceCache] = field(default_factory=dict)
    references: ReadFiles = field(default_factory=ReadFiles)
    linked: DetectionPages = field(default_factory=DetectionPages)
    renderings: Renderings = field(default_factory=lambda: Renderings(remember=True))


def generate(content: Path | Sequence[ContentSource], inputs: Inputs, layout: str = "published",
             reuse: Reuse | None = None, older: Older | None = None,
             releases: Releases | None = None, split_listings: bool = True) -> Generated:
    """Load, enrich and render a content directory, or several (`sources`). Raises only ConfigurationError.

    Each source is loaded in its own schema generation (the layout of its
    folder; all in the form asked for, if one is), then they are combined
    (`sources.combine`); the site takes the form of the first.
    `reuse` keeps what this call made for the next (`mkdocs serve`), and gives what the last one made.
    `older` (see `load_older`) gives the mkdocs layout its What changed page; `releases`
    (`releases.read_releases`, of the first source's repository) its release pages and each detection's history.
    `split_listings` False (mkdocs layout): the long listings are left whole, and no listing is rendered yet;
    the caller finishes them (`site.layout.finish_listings`).
    """
    sources = (content_source(Path(content)),) if isinstance(content, (str, Path)) else tuple(content)
    problems = source_problems(sources) if sources else ["no content directory given"]
    if problems:
        raise ConfigurationError("; ".join(problems))
    if layout not in LAYOUTS:
        raise ConfigurationError(f"unknown layout {layout!r} (choose from {', '.join(sorted(LAYOUTS))})")
    if reuse is not None:
        reuse.renderings.next_build()
    form = choose_form(sources[0].path, inputs.form)
    if len(sources) > 1 and not inputs.form:
        form = replace(form, reason=f"{form.reason}, in the first source, '{sources[0].label}'")
    def read(load: Callable[[Path], Any], path: Path | None) -> Any:
        return reuse.references.read(load, path) if reuse is not None and path is not None else load(path)

    techniques, version, attack_issues = read(load_attack, inputs.attack_bundle)
    cves = read(load_cves, inputs.cve_file)
    apps = read(load_splunk_apps, inputs.splunk_apps_file)
    d3fend = read(load_d3fend, inputs.d3fend_file)
    loaded, load_issues = [], []
    for source in sources:
        rules = (form if inputs.form else choose_form(source.path)).rules
        folders, folder_issues = detection_folders(source.path, rules)
        cache = reuse.sources.setdefault(source.path, SourceCache()) if reuse is not None else None
        source_content, issues = load_content(source.path, folders, cache.load if cache is not None else None)
        source_content, issues = of_source(source_content, folder_issues + issues, source, cache)
        loaded.append((source, source_content))
        load_issues += issues
    combined, replacements, conflicts = combine(loaded, form.rules) if len(loaded) > 1 else (loaded[0][1], (), [])
    own = {source: References(read(load_cves, source.cve_file), read(load_splunk_apps, source.splunk_apps_file),
                              read(load_d3fend, source.d3fend_file))
           for source in sources if source.cve_file or source.splunk_apps_file or source.d3fend_file}
    if layout == "mkdocs":  # the 2020-2024 baselines and investigations, files in detections/, get pages
        combined = with_typed_saved_searches(combined, form.rules)
    site, link_issues = build_site(combined, techniques, cves, form.rules, apps, d3fend, version, own,
                                   reuse.linked if reuse is not None else None)
    changes = None
    if older is not None and layout == "mkdocs":
        from .changes import compare

        published = replace(combined, detections=tuple(page.detection for page in site.detections))
        changes = compare(older.content, published, older.label)
    renderings = reuse.renderings if reuse is not None else None
    pages, render_issues = LAYOUTS[layout](site, form.rules, changes=changes, releases=releases,
                                           replacements=replacements, branding=inputs.branding, sources=sources,
                                           renderings=renderings, split_listings=split_listings)
    issues = sorted(attack_issues + load_issues + conflicts + link_issues + render_issues, key=issue_order)
    unparsed = tuple(sorted(item.source.path for item in combined.unread if not item.parsed))
    return Generated(site, pages, issues, form, changes, sources, replacements, unparsed)


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
    folders, folder_issues = detection_folders(directory, form.rules)
    content, issues = load_content(directory, folders)
    issues = folder_issues + issues
    published = tuple(d for d in content.detections if form.rules.is_published(d))
    summary = []
    if issues:
        summary.append(Issue(where, None, Severity.WARNING,
                             f"the older content has {tally(issues, ' and ')} of its own "
                             "(not listed; what they left out is not compared)"))
    from .changes import Older

    return Older(content_label(directory), replace(content, detections=published)), summary


def issue_order(issue: Issue) -> tuple:
    """Issues are reported by file, line, severity and message."""
    return (issue.path, issue.line or 0, issue.severity.value, issue.message)
