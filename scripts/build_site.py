"""Build the site of Splunk's security_content at a pinned tag, with this repository's own content beside it.

What the Pages workflow (.github/workflows/pages.yml) runs, and what anyone can run locally:

    python scripts/build_site.py --repository https://github.com/splunk/security_content --tag v4.42.0 \
        --attack enterprise-attack.json [--content acme ...] [--site-dir site] [--releases 'v*']

1. checks the repository out at the tag (a shallow clone into --checkout; a checkout left there by an
   earlier run is moved to the tag instead), and makes sure what is checked out is that tag; with
   --releases, the whole history and every tag, and the site shows the releases the pattern matches
   (RELEASES, guide/releases.md);
2. builds with `mkdocs build --strict`, with the checkout as the first content source and each
   --content folder after it (CONTENT_DIRS), the ATT&CK bundle given (ATTACK_BUNDLE; nothing is
   downloaded here: the workflow gets the bundle in a step of its own), and the reference files given
   (none by default). SECURITY_CONTENT names the checkout, for a mkdocs.yml that lists its sources itself.
   SITE_URL, if set, says where the site is served (the workflow sets it to the Pages address).

The exit status is the build's (2 when the checkout or an input is not usable).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


class Stop(Exception):
    """A problem that ends the run, with the message to show."""


def _git(*args: str, cwd: Path | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise Stop(f"git {' '.join(args)}: {result.stderr.strip() or 'failed'}")
    return result.stdout.strip()


def _address(repository: str) -> str:
    """A repository as git should fetch it: a local folder as a file:// URL (so that a shallow clone works)."""
    return Path(repository).resolve().as_uri() if Path(repository).is_dir() else repository


def _has_tag(repository: str, tag: str) -> bool:
    return bool(_git("ls-remote", "--tags", _address(repository), f"refs/tags/{tag}"))


def check_out(repository: str, tag: str, checkout: Path, every_tag: bool = False) -> str:
    """`repository` at `tag` in `checkout`; the commit checked out. `every_tag`: with the whole history and
    every tag (for the release pages), not only the tag's own commit."""
    if not _has_tag(repository, tag):
        hint = f"; did you mean v{tag}?" if not tag.startswith("v") and _has_tag(repository, "v" + tag) else ""
        raise Stop(f"{repository} has no tag {tag}{hint}")
    if (checkout / ".git").is_dir():
        if every_tag:
            shallow = _git("rev-parse", "--is-shallow-repository", cwd=checkout) == "true"
            _git("fetch", "--quiet", *(["--unshallow"] if shallow else []), "--tags", _address(repository),
                 cwd=checkout)
        else:
            _git("fetch", "--quiet", "--depth", "1", _address(repository), f"refs/tags/{tag}:refs/tags/{tag}",
                 cwd=checkout)
        _git("checkout", "--quiet", "--detach", f"refs/tags/{tag}", cwd=checkout)
    elif checkout.exists() and any(checkout.iterdir()):
        raise Stop(f"{checkout}: not empty and not a checkout of an earlier run; give --checkout another folder")
    else:
        depth = [] if every_tag else ["--depth", "1"]
        _git("clone", "--quiet", *depth, "--branch", tag, _address(repository), str(checkout))
    commit = _git("rev-parse", "HEAD", cwd=checkout)
    if commit != _git("rev-parse", f"refs/tags/{tag}^{{commit}}", cwd=checkout):
        raise Stop(f"{checkout}: HEAD is not the tag {tag}")
    return commit


def build_environment(checkout: Path, contents: list[Path], attack: Path, references: dict[str, Path | None]
                      ) -> dict[str, str]:
    """The environment of the build: the sources, the ATT&CK bundle, the reference files ("" for none)."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SECURITY_CONTENT=str(checkout), ATTACK_BUNDLE=str(attack),
               CONTENT_DIRS=":".join(str(folder) for folder in (checkout, *contents)))
    env.update({name: str(path.resolve()) if path else "" for name, path in references.items()})
    return env


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Build the site of security_content at a pinned tag, with "
                                                 "content of your own beside it (mkdocs build --strict).")
    parser.add_argument("--repository", required=True, help="security_content's address, or a local clone")
    parser.add_argument("--tag", required=True, help="the release to build, e.g. v4.42.0")
    parser.add_argument("--attack", type=Path, required=True, help="the ATT&CK Enterprise bundle (a file)")
    parser.add_argument("--content", type=Path, action="append", default=[], metavar="DIR",
                        help="a content folder of your own, shown after security_content's (repeatable)")
    parser.add_argument("--checkout", type=Path, default=PROJECT / ".security_content",
                        help="where to check the repository out (default: .security_content)")
    parser.add_argument("--config", type=Path, default=PROJECT / "mkdocs.yml", help="the mkdocs configuration")
    parser.add_argument("--site-dir", type=Path, default=PROJECT / "site", help="where to write the site")
    parser.add_argument("--cves", type=Path, help="a CVE file (CVE_FILE); default: none")
    parser.add_argument("--splunk-apps", type=Path, help="a Splunk apps file (SPLUNK_APPS_FILE); default: none")
    parser.add_argument("--d3fend", type=Path, help="a D3FEND file (D3FEND_FILE); default: none")
    parser.add_argument("--releases", metavar="PATTERN", default="",
                        help="show the releases whose tags match PATTERN side by side, e.g. 'v*' (RELEASES; the "
                             "checkout then has the whole history); default: none")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        for path, what in ((args.attack, "ATT&CK bundle"), (args.config, "mkdocs configuration")):
            if not path.is_file():
                raise Stop(f"{path}: the {what} is not a file")
        for folder in args.content:
            if not folder.is_dir():
                raise Stop(f"{folder}: the content folder is not a folder")
        checkout = args.checkout.resolve()
        commit = check_out(args.repository, args.tag, checkout, every_tag=bool(args.releases))
    except Stop as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    print(f"security_content {args.tag} ({commit[:12]}) in {checkout}", file=sys.stderr)
    env = build_environment(checkout, [folder.resolve() for folder in args.content], args.attack.resolve(),
                            {"CVE_FILE": args.cves, "SPLUNK_APPS_FILE": args.splunk_apps, "D3FEND_FILE": args.d3fend})
    if args.releases:
        env["RELEASES"] = args.releases
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(args.config.resolve()),
               "--site-dir", str(args.site_dir.resolve())]
    return subprocess.run(command, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
