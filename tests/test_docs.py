"""The README and the guide: short enough to read, every guide page listed, every link and anchor resolving."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT

GUIDE = ROOT / "guide"
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
FENCED = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
"""Code blocks: their lines are not headings (a heading's code spans are part of its anchor)."""


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted(GUIDE.glob("*.md"))]


def github_anchor(heading: str) -> str:
    """The id GitHub gives a Markdown heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*]|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip()).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(document: Path) -> set[str]:
    text = FENCED.sub("", document.read_text(encoding="utf-8"))
    return {github_anchor(heading) for heading in re.findall(r"^#{1,6} (.+)$", text, re.MULTILINE)}


def links(document: Path) -> list[str]:
    return LINK.findall(CODE.sub("", document.read_text(encoding="utf-8")))


def test_the_readme_reads_in_five_minutes():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 250


def test_every_guide_page_is_listed_in_the_readme():
    listed = {target for target in links(ROOT / "README.md") if target.startswith("guide/")}
    pages = {f"guide/{page.name}" for page in GUIDE.glob("*.md")}
    assert pages and pages <= {target.split("#")[0] for target in listed}


def broken_links(paths: list[Path], root: Path) -> list[str]:
    """Each link of these documents to a file that does not exist or a heading it does not have."""
    broken = []
    for document in paths:
        for target in links(document):
            if re.match(r"[a-z]+:", target):  # https:, mailto: — not ours to check offline
                continue
            path, _, anchor = target.partition("#")
            linked = (document.parent / path).resolve() if path else document
            if not linked.exists():
                broken.append(f"{document.relative_to(root)}: {target} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                broken.append(f"{document.relative_to(root)}: {target} (no such heading)")
    return broken


def test_every_link_between_the_documents_resolves():
    assert broken_links(documents(), ROOT) == []


def test_the_anchor_rule_is_githubs():
    assert github_anchor("What changed") == "what-changed"
    assert github_anchor("Settings: your content, ATT&CK and reference files") == \
        "settings-your-content-attck-and-reference-files"
    assert github_anchor("Your own `security_content` checkout") == "your-own-security_content-checkout"
    assert github_anchor("Markdown conversion: `benchmarks/inline_speed.py`") == \
        "markdown-conversion-benchmarksinline_speedpy"


def test_a_broken_link_is_found(tmp_path):
    """The check can fail: a dead file link and a dead anchor are both found; code is not read as links."""
    (tmp_path / "other.md").write_text("## A heading\n")
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n## With `code`\n\n```\n# not a heading\n```\n\n"
                    "[gone](missing.md) [here](#title) [nowhere](#nothing) `[code](skipped.md)` [span](#with-code)\n"
                    "[fenced](#not-a-heading)\n"
                    "[there](other.md#a-heading) [not there](other.md#b) [web](https://example.org/x)\n")
    assert broken_links([page], tmp_path) == ["page.md: missing.md (no such file)",
                                              "page.md: #nothing (no such heading)",
                                              "page.md: #not-a-heading (no such heading)",
                                              "page.md: other.md#b (no such heading)"]
