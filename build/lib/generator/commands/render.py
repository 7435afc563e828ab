"""`python -m generator render`: write the Markdown tree of a content directory."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from ..issues import Severity, has_errors
from ..pipeline import generate
from ..write import write_pages


def render(content: Path, attack: Path, cves: Path | None, out: Path, layout: str = "published",
           stream: TextIO = sys.stderr) -> int:
    """Render and write; report every issue on `stream`. Exit status 1 if any error."""
    result = generate(content, attack, cves, layout)
    issues = result.issues + write_pages(result.pages, out)
    for issue in issues:
        print(issue, file=stream)
    errors = sum(issue.severity is Severity.ERROR for issue in issues)
    warnings = len(issues) - errors
    print(f"wrote {len(result.pages)} pages to {out} ({errors} errors, {warnings} warnings)", file=stream)
    return 1 if has_errors(issues) else 0
