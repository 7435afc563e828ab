"""`python -m generator render`: write the Markdown tree of a content directory."""

from __future__ import annotations

import gc
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence, TextIO

from ..issues import Issue, Severity, counted, has_errors, tally
from ..pipeline import Inputs, generate, load_older
from ..sources import ContentSource
from ..write import check_output, write_pages


def render(content: Path | Sequence[ContentSource], inputs: Inputs, out: Path, layout: str = "published",
           stream: TextIO = sys.stderr, compare_with: Path | None = None, releases: str | None = None) -> int:
    """Render and write a content directory, or several sources; report the form chosen and every issue on
    `stream`. Exit status 1 if any error.

    `compare_with`: an older checkout, for the mkdocs layout's What changed page; `releases`: a tag pattern,
    for its release pages (the tags of the first source's repository, where there are several).
    """
    with _collector_paused():
        return _render(content, inputs, out, layout, stream, compare_with, releases)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off for one render, back as it was after.

    A render keeps every file's parsed data and model alive until it ends,
    and the collector would walk all of them again and again as they are
    made (about 6% of a render of the 2024 corpus). Rendering makes almost no
    cycles (66 objects of them after that render): reference counting frees the rest as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _render(content: Path | Sequence[ContentSource], inputs: Inputs, out: Path, layout: str, stream: TextIO,
            compare_with: Path | None, releases: str | None) -> int:
    check_output(out)  # before the work of rendering, which would be lost
    older, older_issues = None, []
    if compare_with is not None and layout != "mkdocs":
        older_issues = [Issue(str(compare_with), None, Severity.WARNING,
                              f"not compared: only the mkdocs layout has a What changed page, not '{layout}'")]
    elif compare_with is not None:
        older, older_issues = load_older(compare_with)
    read, release_issues = None, []
    primary = content if isinstance(content, (str, Path)) else content[0].path
    if releases and layout != "mkdocs":
        release_issues = [Issue(str(primary), None, Severity.WARNING,
                                f"releases not read: only the mkdocs layout has release pages, not '{layout}'")]
    elif releases:
        from ..releases import read_releases  # git and the comparison: imported only when asked for

        read, release_issues = read_releases(Path(primary), releases)
    result = generate(content, inputs, layout, older=older, releases=read)
    print(f"form {result.form.name}: {result.form.reason}", file=stream)
    issues = older_issues + release_issues + result.issues + write_pages(result.pages, out)
    for issue in issues:
        print(issue, file=stream)
    print(f"wrote {counted(len(result.pages), 'page')} to {out} ({tally(issues)})", file=stream)
    return 1 if has_errors(issues) else 0
