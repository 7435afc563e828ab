"""Command line: `python -m generator render --layout published --content DIR ...`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .commands.render import render
from .exceptions import GeneratorError
from .forms import FORMS
from .pipeline import LAYOUTS, Inputs


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m generator",
                                     description="Generate documentation pages from security_content YAML.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    cmd = commands.add_parser("render", help="write the Markdown pages of a content directory")
    cmd.add_argument("--layout", choices=sorted(LAYOUTS), default="published",
                     help="'published': the Jekyll tree of the published site; 'mkdocs': the documents of the mkdocs site")
    cmd.add_argument("--content", type=Path, required=True, help="content directory (security_content layout)")
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
                     help="a tag pattern (e.g. 'v*'): every matching tag of the content's git repository is read "
                          "and compared; the mkdocs layout gets release pages and each detection's history")
    cmd.add_argument("--out", type=Path, required=True, help="output directory")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "render":
            inputs = Inputs(args.attack, args.cves, args.splunk_apps, args.d3fend, args.form)
            return render(args.content, inputs, args.out, args.layout, compare_with=args.compare_with,
                          releases=args.releases)
    except GeneratorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
