"""`python -m generator render`: write the Markdown tree of a content directory."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from ..issues import Issue, Severity, has_errors
from ..pipeline import Inputs, generate, load_older
from ..releases import read_releases
from ..write import write_pages


def render(content: Path, inputs: Inputs, out: Path, layout: str = "published", stream: TextIO = sys.stderr,
           compare_with: Path | None = None, releases: str | None = None) -> int:
    """Render and write; report the form chosen and every issue on `stream`. Exit status 1 if any error.

    `compare_with`: an older checkout, for the mkdocs layout's What changed page; `releases`: a tag pattern,
    for its release pages.
    """
    older, older_issues = None, []
    if compare_with is not None and layout != "mkdocs":
        older_issues = [Issue(str(compare_with), None, Severity.WARNING,
                              f"not compared: only the mkdocs layout has a What changed page, not '{layout}'")]
    elif compare_with is not None:
        older, older_issues = load_older(compare_with)
    read, release_issues = None, []
    if releases and layout != "mkdocs":
        release_issues = [Issue(str(content), None, Severity.WARNING,
                                f"releases not read: only the mkdocs layout has release pages, not '{layout}'")]
    elif releases:
        read, release_issues = read_releases(content, releases)
    result = generate(content, inputs, layout, older=older, releases=read)
    print(f"form {result.form.name}: {result.form.reason}", file=stream)
    issues = older_issues + release_issues + result.issues + write_pages(result.pages, out)
    for issue in issues:
        print(issue, file=stream)
    errors = sum(issue.severity is Severity.ERROR for issue in issues)
    warnings = len(issues) - errors
    print(f"wrote {len(result.pages)} pages to {out} ({errors} errors, {warnings} warnings)", file=stream)
    return 1 if has_errors(issues) else 0
