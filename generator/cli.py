"""Command line: `python -m generator render --layout published --content DIR ...`."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from . import __version__
from .commands.render import render
from .exceptions import ConfigurationError, GeneratorError
from .forms import FORMS
from .pipeline import LAYOUTS, Inputs
from .sources import ContentSource, content_source, shown_path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m generator",
                                     description="Generate documentation pages from security_content YAML.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    cmd = commands.add_parser("render", help="write the Markdown pages of a content directory")
    cmd.add_argument("--layout", choices=sorted(LAYOUTS), default="published",
                     help="'published' (the default): the Jekyll tree of the published site; 'mkdocs': the "
                          "documents of the mkdocs site")
    cmd.add_argument("--content", action="append", required=True, metavar="[LABEL=]DIR",
                     help="content directory (security_content layout); given again, each is a source of one "
                          "site, labelled LABEL (default: its app's title, else its folder's name); the first "
                          "decides the form")
    cmd.add_argument("--overrides", action="append", default=[], metavar="LABEL",
                     help="the source of this label (or folder) replaces other sources' items that have the same "
                          "id or page (a tuned copy), instead of that being an error")
    cmd.add_argument("--attack", type=Path, required=True, help="MITRE ATT&CK STIX bundle (enterprise-attack.json)")
    cmd.add_argument("--cves", type=Path, help="CVE JSON file: {\"CVE-…\": {\"summary\": …, \"cvss\": …}}")
    cmd.add_argument("--form", choices=list(FORMS),
                     help="published form: '2022-03' (security_content docs, March 2022) or '2024-04' "
                          "(research.splunk.com, April 2024); default: chosen from the content, "
                          "2022-03 when it has detections/experimental/, otherwise 2024-04")
    cmd.add_argument("--splunk-apps", type=Path,
                     help="Splunkbase names of add-ons: {\"Splunk_TA_…\": {\"name\": …, \"url\": …}} (2024-04 form)")
    cmd.add_argument("--d3fend", type=Path,
                     help="D3FEND techniques: {\"D3-…\": {\"technique\": …, \"definition\": …, "
                          "\"category\": …}} (2024-04 form)")
    cmd.add_argument("--compare-with", type=Path, metavar="DIR",
                     help="an older checkout of the content: the mkdocs layout gets a What changed page "
                          "(changes.md) and each added or changed detection links to its entry")
    cmd.add_argument("--releases", metavar="PATTERN",
                     help="a tag pattern (e.g. 'v*'): every matching tag of the content's git repository (of the "
                          "first --content, where there are several) is read and compared; the mkdocs layout gets "
                          "release pages and each detection's history")
    cmd.add_argument("--out", type=Path, required=True,
                     help="output directory (made if missing; files the generator did not write are kept)")
    return parser


def _sources(given: list[str], overriding: list[str]) -> Path | tuple[ContentSource, ...]:
    """The content directory (one `--content`), or the sources (several), each `[LABEL=]DIR`."""
    labelled = []
    for value in given:
        label, equals, folder = value.partition("=")
        labelled.append((label, folder) if equals and label and not Path(value).is_dir() else (None, value))
    if len(labelled) == 1 and not overriding:
        return Path(labelled[0][1])
    sources = tuple(content_source(Path(folder).resolve(), shown_path(folder), several=len(labelled) > 1,
                                   label=label) for label, folder in labelled)
    for name in overriding:
        matches = [i for i, (source, (_, folder)) in enumerate(zip(sources, labelled))
                   if name in (source.label, folder, source.shown_as)]
        if not matches:
            raise ConfigurationError(f"--overrides {name}: no --content source has this label or folder")
        sources = tuple(replace(source, overrides=True) if i in matches else source for i, source in enumerate(sources))
    return sources


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "render":
            inputs = Inputs(args.attack, args.cves, args.splunk_apps, args.d3fend, args.form)
            return render(_sources(args.content, args.overrides), inputs, args.out, args.layout,
                          compare_with=args.compare_with, releases=args.releases)
    except GeneratorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
