"""Command line: `python -m generator render --layout published --content DIR ...`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .commands.render import render
from .exceptions import GeneratorError
from .pipeline import LAYOUTS


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
    cmd.add_argument("--out", type=Path, required=True, help="output directory")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "render":
            return render(args.content, args.attack, args.cves, args.out, args.layout)
    except GeneratorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
