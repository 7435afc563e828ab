"""Shared by the golden tests and tests/regenerate_goldens.py.

A golden case is a folder under tests/golden/ with `content/` (or several content sources, listed in
`sources.yml` as mkdocs.yml's `content_dirs` lists them), `attack.json`,
optional `cves.json`, `splunk_apps.json` and `d3fend.json`, an optional `older/` (an older checkout
of the content: the mkdocs layout then has its What changed page), an optional
`issues.txt` (the problems the case is meant to report, one per line, as
printed), and `expected/<layout>/`: the whole tree the generator must write
for that layout.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml

from generator.pipeline import load_older
from generator.sources import ContentSource, content_source
from generator.issues import Issue, Severity
from generator.pipeline import Inputs, generate
from generator.write import MANIFEST, write_pages

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = sorted((case, layout.name) for case in GOLDEN.iterdir()
               if (case / "content").is_dir() or (case / "sources.yml").is_file()
               for layout in sorted((case / "expected").iterdir()) if layout.is_dir())
"""(case folder, layout) pairs, e.g. (tests/golden/basic, "published")."""


def _optional(path: Path) -> Path | None:
    return path if path.exists() else None


def case_content(case: Path) -> Path | tuple[ContentSource, ...]:
    """The case's content folder, or the sources its `sources.yml` lists (paths shown relative to the case)."""
    listed = case / "sources.yml"
    if not listed.is_file():
        return case / "content"
    entries = yaml.safe_load(listed.read_text(encoding="utf-8"))
    return tuple(content_source(case / entry["path"], entry["path"], several=len(entries) > 1,
                                label=entry.get("label"), overrides=entry.get("overrides", False))
                 for entry in entries)


def render_case(case: Path, layout: str, out: Path) -> list[Issue]:
    """Render one golden case in one layout into `out`; the issues that `issues.txt` does not expect.

    Each expected issue that was not reported comes back as an error naming it.
    """
    inputs = Inputs(case / "attack.json", _optional(case / "cves.json"), _optional(case / "splunk_apps.json"),
                    _optional(case / "d3fend.json"))
    older, older_issues = load_older(case / "older", "older") if (case / "older").is_dir() else (None, [])
    result = generate(case_content(case), inputs, layout, older=older)
    issues = older_issues + result.issues + write_pages(result.pages, out)
    (out / MANIFEST).unlink()
    expected_file = case / "issues.txt"
    expected = expected_file.read_text(encoding="utf-8").splitlines() if expected_file.exists() else []
    unexpected = []
    for issue in issues:
        if str(issue) in expected:
            expected.remove(str(issue))
        else:
            unexpected.append(issue)
    return unexpected + [Issue(expected_file.name, None, Severity.ERROR, f"expected issue not reported: {line}")
                         for line in expected]


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def tree_differences(expected: Path, actual: Path) -> str:
    """'' when both trees hold the same files with the same bytes, else a readable report."""
    want, got = tree(expected), tree(actual)
    report = []
    for name in sorted(set(want) - set(got)):
        report.append(f"missing: {name}")
    for name in sorted(set(got) - set(want)):
        report.append(f"unexpected: {name}")
    for name in sorted(set(want) & set(got)):
        if want[name] != got[name]:
            diff = difflib.unified_diff(want[name].decode().splitlines(), got[name].decode().splitlines(),
                                        f"expected/{name}", f"actual/{name}", lineterm="", n=1)
            report.append("\n".join(list(diff)[:30]))
    return "\n".join(report)
