"""`mkdocs serve`: rebuild only what an edit changed, and show problems where the reader looks.

What a preview keeps from one rebuild to the next (the plugin lives as long
as the server): what each source file gave, the reference files read and the
pages rendered (`pipeline.Reuse`), a digest of each
generated page's Markdown, each page's search index entries and dead links,
the page each source file had, and the problems last reported. With these a
rebuild is an mkdocs "dirty" build in which only the pages whose Markdown
changed are converted, rendered and written; the search index is put
together again from the kept entries, in the order a clean build writes it,
so the served site is the one `mkdocs build` would write.

None of this runs for `mkdocs build`.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import html
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException
from watchdog.observers.polling import PollingEmitter, PollingObserver
from mkdocs.structure.files import File

from ..exceptions import RebuildSuperseded
from ..issues import Issue, Severity, tally
from ..releases import ReleaseCache
from ..pipeline import Reuse
from .early import LastBuild, reload_when_done

_REPOSITORY = "raw.githubusercontent.com/splunk/security_content/"
"""Pages that hot-link a picture of the content's repository show the site's copy when it has one."""
PROBLEMS_URI = "problems.md"
PROBLEMS_DATA = "problems.json"
NOTICE_SCRIPT = "assets/javascripts/preview-problems.js"


class GeneratedFile(File):
    """A generated page that knows whether its Markdown changed since the previous build."""

    unchanged = False

    def is_modified(self) -> bool:
        return not self.unchanged


class CompiledTemplates(jinja2.BytecodeCache):
    """The theme's templates compiled once a session: each rebuild loads the configuration again, and with it a
    new Jinja environment, which would compile them all again. Jinja compares each template's source with the
    checksum it was compiled from, so an edited template is compiled again."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


@dataclass
class Preview:
    """The state of one `mkdocs serve` session (see the module's docstring)."""

    reuse: Reuse = field(default_factory=Reuse)
    """What each source file gave, the reference files read, the pages rendered: a rebuild does what changed."""
    digests: dict[str, str] = field(default_factory=dict)
    """src_uri -> digest of the Markdown served for it."""
    texts: dict[str, str] = field(default_factory=dict)
    """src_uri -> the Markdown served for it (the string itself: one reused by the next build has its digest)."""
    pictures_key: str = ""
    """The digest of the pictures the site served (`files`), part of a digest of a page that hot-links one."""
    search_entries: dict[str, list] = field(default_factory=dict)
    """Page URL ("endpoint/x/") -> its search index entries."""
    search_words: dict = field(default_factory=dict)
    """A search entry's words, as search.with_word_index reads them: a rebuild reads only the changed ones."""
    dead_links: dict[str, list[str]] = field(default_factory=dict)
    """Page URL -> the links in it that led nowhere."""
    pages_of_sources: dict[str, tuple[tuple[str, ...], str | None]] = field(default_factory=dict)
    """Source path -> (path, URL) of its page in the last build that had it."""
    reported: set[str] | None = None
    """The problems printed after the last build (None before the first), and those printed early since."""
    printed_early: set[str] = field(default_factory=set)
    """The problems printed early (`report_early`) since the last report: new, though already printed."""
    unknown: set[str] = field(default_factory=set)
    """The problems the last report kept as unknown: their file did not parse (see `changes`)."""
    built_once: bool = False
    redirects: dict[str, str] = field(default_factory=dict)
    """The old-address redirects of the last build (docs-relative paths)."""
    removed: list[str] = field(default_factory=list)
    """src_uris the previous build had and this one does not: their output is deleted."""
    older: tuple | None = None
    """(path, changes.Older or None, its issues): the older checkout compared with, read on the first build only."""
    releases: ReleaseCache = field(default_factory=ReleaseCache)
    """The releases read from git: read again only when a tag moved."""
    completed: bool = False
    """The last build ran to its end (a build that stopped half way leaves the next one to rebuild everything)."""
    surroundings: str | None = None
    """A digest of what every page is made with besides the content: mkdocs.yml, docs/ and the theme's folder."""
    rebuilt: int = 0
    """Pages converted by the current build (what the terminal reports)."""
    compiled: CompiledTemplates = field(default_factory=CompiledTemplates)
    """The theme's templates, compiled."""
    settled: bool = False
    """The first build's objects are out of the cycle collector's way (`settle`)."""
    served_pictures: set[str] = field(default_factory=set)
    """The site paths of the content's pictures the last build served (pictures.py)."""
    last_build: LastBuild | None = None
    """What the last complete build put its pages through the theme with: an edited page is shown first with it
    (early.py). None before the first build ends, and when the next rebuilds every page."""
    server: Any = None
    """mkdocs' live-reload server (set when it starts)."""
    revealed: bool = False
    """This rebuild showed a page first: the other tabs reload once more when it is done."""
    shown_early: dict[str, str] = field(default_factory=dict)
    """src_uri -> the Markdown of a page shown first (early.py) since the last build that wrote its pages: what is
    on disk for it, which `texts` does not say when the build that showed it stopped half way."""
    committed: tuple | None = None
    """What `files`, `pictures_gone` and `redirects_to_write` replace, as the last complete build left it, until
    this build's pages are written (`roll_back`)."""

    def keep_committed(self) -> None:
        """This rebuild is about to say which pages changed: what the session knew until now is kept aside."""
        self.committed = (self.texts, self.pictures_key, self.digests, self.shown_early, self.redirects,
                          self.served_pictures)

    def roll_back(self) -> None:
        """This rebuild stops before writing its pages: the session knows the site as the last complete build left
        it (plus the pages shown first), so the next rebuild converts every page that changed since then."""
        if self.committed is not None:
            (self.texts, self.pictures_key, self.digests, self.shown_early, self.redirects,
             self.served_pictures) = self.committed
            self.committed = None

    def addresses(self) -> dict[str, str]:
        """Source path -> the address of its page (or of the page showing its errors), for the problems' data."""
        return {source: url for source, (_, url) in self.pages_of_sources.items() if url}

    def on_disk(self, src_uri: str) -> str | None:
        """The Markdown of the page served at `src_uri`, as far as the session knows."""
        return self.shown_early.get(src_uri, self.texts.get(src_uri))

    def settle(self) -> None:
        """Once the first build of the session is done: what it made and keeps for the rebuilds (each file's model,
        the rendered pages, ...) is left out of Python's cycle collector from then on.

        The collector would otherwise walk all of it again, several times each
        rebuild: seconds at 10,000 detections. What of it becomes garbage later
        is still freed, by reference counting (models and texts hold no
        cycles); the cycles among the first build's own mkdocs objects (files,
        pages, navigation), once replaced, are the one thing never freed.
        """
        if not self.settled:
            gc.collect()
            gc.freeze()
            # What is left to collect is small now: a full collection every tenth of the younger ones (Python's
            # default) would come several times a rebuild, each walking every page and file mkdocs holds.
            young, middle, full = gc.get_threshold()
            gc.set_threshold(young, middle, max(full, 100))
            self.settled = True

    def full_build_needed(self, surroundings: str) -> str | None:
        """Why the next build must rebuild every page, or None; forgets what the pages were when one must.

        A page's HTML also depends on the site's configuration, navigation and
        theme, which its Markdown does not show; when they changed, or when the
        last build stopped half way, no page can be kept.
        """
        reason = None
        if self.built_once and not self.completed:
            reason = "the last build did not finish"
        elif self.built_once and surroundings != self.surroundings:
            reason = "mkdocs.yml, docs/ or the theme changed"
        self.surroundings = surroundings
        if reason:
            self.digests, self.texts, self.redirects, self.search_entries = {}, {}, {}, {}
            self.last_build = None  # nothing is shown before the rest: every page changes
        return reason

    # -- which pages changed --------------------------------------------------------------------

    def files(self, config: MkDocsConfig, texts: dict[str, str], pictures: str = "") -> list[GeneratedFile]:
        """The generated files of this build, each marked unchanged when its Markdown is.

        A page whose Markdown is the same is rebuilt anyway when it had a
        link that led nowhere and a new page now serves it, or when it
        hot-links a picture of the content's repository and which of those the
        site serves (`pictures`, a digest) changed. When a page went away,
        every page is rebuilt: links to it may be anywhere.
        """
        same_pictures = pictures == self.pictures_key
        # A text that is the very string of the last build (a page rendered then, reused now) has its digest.
        digests = {uri: self.digests[uri] if same_pictures and self.texts.get(uri) is text and uri in self.digests
                   else hashlib.blake2b(text.encode("utf-8") + (pictures.encode() if _REPOSITORY in text else b""),
                                        digest_size=16).hexdigest()
                   for uri, text in texts.items()}
        self.texts, self.pictures_key = texts, pictures
        self.removed = sorted(self.digests.keys() - digests.keys())
        incremental = self.built_once and not self.removed
        added = {site_url(uri).rstrip("/") for uri in digests.keys() - self.digests.keys()}
        relinked = {url for url, hrefs in self.dead_links.items()
                    if any(href.split("#", 1)[0].rstrip("/") in added for href in hrefs)}
        files = []
        for uri, text in texts.items():
            file = GeneratedFile.generated(config, uri, content=text)
            file.unchanged = (incremental and self.digests.get(uri) == digests[uri]
                              and site_url(uri) not in relinked and uri not in self.shown_early)
            files.append(file)
        self.digests, self.shown_early = digests, {}
        return files

    def pictures_gone(self, pictures: dict) -> list[str]:
        """The site paths of the pictures the last build served and this one does not (their copies go)."""
        served = {picture.uri for picture in pictures.values()}
        gone, self.served_pictures = sorted(self.served_pictures - served), served
        return gone

    def redirects_to_write(self, redirects: dict[str, str]) -> tuple[dict[str, str], list[str]]:
        """(redirects new or changed since the last build, old addresses no longer redirected).

        The others are on disk already from an earlier build of this session.
        """
        changed = {old: new for old, new in redirects.items() if self.redirects.get(old) != new}
        gone = sorted(self.redirects.keys() - redirects.keys())
        self.redirects = dict(redirects)
        return changed, gone

    # -- the search index -------------------------------------------------------------------------

    def merge_search(self, entries: list[dict], pages_in_order: list[str]) -> list[dict]:
        """The whole index: this build's entries for the pages it built, the kept ones for the others."""
        built: dict[str, list] = {}
        for entry in entries:
            built.setdefault(entry["location"].split("#", 1)[0], []).append(entry)
        self.search_entries.update(built)
        wanted = set(pages_in_order)
        for url in [url for url in self.search_entries if url not in wanted]:
            del self.search_entries[url]
        return [entry for url in pages_in_order for entry in self.search_entries.get(url, ())]

    # -- problems -------------------------------------------------------------------------------

    def report_early(self, problems: list[str]) -> list[str]:
        """Those of `problems` (what a rebuild knows when it shows the edited page first) not reported yet: reported
        now, so the end of this rebuild, or of the next one if a newer save stops this one, reports them as
        fixed when they are gone, and does not report them again while they are not."""
        previous = self.reported or set()
        new = [problem for problem in problems if problem not in previous]
        self.reported = previous | set(new)
        self.printed_early.update(new)
        return new

    def changes(self, problems: list[str], unparsed: tuple[str, ...] = ()) -> tuple[list[str], list[str], list[str],
                                                                                      list[str]]:
        """(new, fixed, those to print, unknown) since the last report, each in the order of files and lines; on the
        first build every problem is new. A problem printed early is new here too, though not printed again. A
        problem of a file in `unparsed` (that no longer parses) is not fixed but unknown: still reported, so
        neither fixed nor new when the file parses again with it, but printed again then (it was out of sight)."""
        current, printed = set(problems), self.reported or set()  # printed early too: gone, it is fixed
        early, self.printed_early = self.printed_early, set()
        gone = printed - current
        unknown = {problem for problem in gone if problem_file(problem) in unparsed}
        back, self.unknown = self.unknown & current, unknown
        self.reported = current | unknown
        new = [p for p in problems if p not in printed - early]
        to_print = [p for p in problems if (p in new and p not in early) or p in back]
        return new, sorted(gone - unknown, key=problem_order), to_print, sorted(unknown, key=problem_order)


_PROBLEM = re.compile(r"(.*?)(?::(\d+))?: (?:error|warning): ")


def problem_order(problem: str) -> tuple:
    """A problem's place as printed (`Issue.__str__`): by file, then line (a file's own problems first)."""
    match = _PROBLEM.match(problem)
    return (match.group(1), int(match.group(2) or 0), problem) if match else (problem, 0, problem)


def problem_file(problem: str) -> str:
    """The file a problem, as printed, is in."""
    return problem_order(problem)[0]


def site_url(src_uri: str) -> str:
    """The site-absolute URL of a document, independent of use_directory_urls: "/endpoint/x/"."""
    uri = src_uri[:-3] if src_uri.endswith(".md") else src_uri
    if uri == "index" or uri.endswith("/index"):
        uri = uri[: -len("index")]
    return "/" + (uri.rstrip("/") + "/" if uri else "")


def error_page_markdown(path: str, text: str, issues: list[Issue], new: bool = False) -> str:
    """The page a source file's address shows while the file has errors: each of its problems (its warnings too)
    and its lines (of `text`). `new`: the file never had a page (the address is the one it will have)."""
    lines: list[str] = []
    text_lines = text.splitlines()
    again = "" if new else " again"
    # The heading names the file; its whole path (an absolute one for a source outside the project) follows in
    # smaller type, where on a phone it does not fill the screen.
    name = path.rsplit("/", 1)[-1]
    parts = [f"# {html.escape(name)}: this file has errors", ""]
    if name != path:
        parts += [f"<p><code>{html.escape(path)}</code></p>", ""]
    parts += [f"The page is shown{again} as soon as its errors are fixed; this tab reloads by itself.", ""]
    for issue in issues:
        kind = "failure" if issue.severity is Severity.ERROR else "warning"
        parts += [f'<div class="admonition {kind}" markdown="0">',
                  f'<p class="admonition-title">{html.escape(str(issue))}</p>']
        if issue.line and text_lines:
            first, last = max(1, issue.line - 3), min(len(text_lines), issue.line + 3)
            numbered = []
            for number in range(first, last + 1):
                marker = "&gt;" if number == issue.line else " "
                numbered.append(f"{marker} {number:4d} | {html.escape(text_lines[number - 1])}")
            parts.append("<pre><code>" + "\n".join(numbered) + "</code></pre>")
        parts += ["</div>", ""]
    lines.extend(parts)
    return "\n".join(lines) + "\n"


def problems_markdown(problems: list[Issue], pages: dict[str, str] | None = None) -> str:
    """The page that lists every current problem of the content (linked from the notice on every page): one item
    per problem, its file linked to the page that shows it where there is one (`pages`: source path -> the
    site-absolute address of its page, or of the page showing its errors)."""
    if not problems:
        return "# Problems in the content\n\nNone: the content has no errors or warnings.\n"
    items = []
    for problem in problems:
        address = (pages or {}).get(problem.path)
        shown = html.escape(problem.where)
        if address:  # relative to /problems/, so that a site served under a path finds it
            shown = f'<a href="..{html.escape(address, quote=True)}">{shown}</a>'
        items.append(f"<li><code>{shown}: {problem.severity.value}: {html.escape(problem.message)}</code></li>")
    return "\n".join(["# Problems in the content", "", tally(problems) + ".", "",
                      '<ul class="sc-problems">', *items, "</ul>", ""])


def problems_data(problems: list[Issue], pages: dict[str, str] | None = None) -> str:
    """What the notice on every page reads: the number of errors and warnings, the first errors, and the errors
    of each file by the address of its page (`pages`: source path -> site-absolute address), so that a page whose
    own file has errors names those."""
    errors = [p for p in problems if p.severity is Severity.ERROR]
    by_page: dict[str, list[str]] = {}
    for error in errors:
        address = (pages or {}).get(error.path)
        if address:
            by_page.setdefault(address, []).append(str(error))
    return json.dumps({"errors": len(errors), "warnings": len(problems) - len(errors),
                       "first": [str(e) for e in errors[:3]], "pages": by_page}, sort_keys=True)


NOTICE = """// Under `mkdocs serve` only: a notice on every page while the content has errors; on a page whose own file
// has some, the first of those.
(function () {
  var root = new URL(window.__md_scope || "/", location.href);  // the site's root, set by the theme
  fetch(new URL("problems.json", root), {cache: "no-store"}).then(function (r) { return r.json(); })
    .then(function (data) {
      if (!data.errors) { return; }
      var here = "/" + location.pathname.slice(root.pathname.length).replace(/index\\.html$/, "");
      var own = (data.pages || {})[here] || [];
      var notice = document.createElement("div");
      notice.className = "sc-preview-notice";
      notice.setAttribute("role", "alert");
      var link = document.createElement("a");
      link.href = new URL("problems/", root).href;
      link.textContent = data.errors + (data.errors === 1 ? " error" : " errors") + " in the content" +
        (own.length ? ", " + own.length + " in this page's file" : "");
      notice.appendChild(link);
      notice.appendChild(document.createTextNode(": " + (own[0] || data.first[0] || "")));
      document.body.insertBefore(notice, document.body.firstChild);
    }).catch(function () {});
})();
"""


def dirty_builder(config: MkDocsConfig):
    """A rebuild for the live-reload server: a dirty build of a freshly loaded configuration.

    `mkdocs serve` (without --dirty) rebuilds everything; this one relies on
    the generated files telling which pages changed.
    """
    from mkdocs.commands.build import build

    config_file, site_dir, serve_url = config.config_file_path, config.site_dir, config.site_url
    log = logging.getLogger("mkdocs.commands.serve")

    def rebuild(config: MkDocsConfig | None = None) -> None:
        log.info("Building documentation...")
        try:
            fresh = load_config(config_file=config_file, site_dir=site_dir)
            fresh.site_url = serve_url
            preview = fresh.plugins["security-content"].preview  # the same plugin object all session long
            if preview is not None:
                preview.revealed = False
            reason = preview.full_build_needed(surroundings(fresh)) if preview is not None else None
            if reason:
                log.info(f"rebuilding every page: {reason}")
            build(fresh, serve_url=serve_url, dirty=not reason)
            if preview is not None and preview.revealed:
                reload_when_done(preview.server)
        except RebuildSuperseded:
            log.info("a newer change came in: the rest of this rebuild is left to the next one")
        except MkDocsException as exc:
            # What stopped it is logged already (an unreadable bundle, a broken mkdocs.yml); the next change
            # rebuilds, and the server keeps serving the last site meanwhile. No traceback: nothing is wrong here.
            log.error(f"the rebuild stopped ({exc}); the site is rebuilt at the next change")

    return rebuild


def watch_without_following_links(server) -> None:
    """Make the watches added from now on poll with lstat, which does not follow links.

    mkdocs' watcher polls every watched folder with os.stat, which follows
    links: a link that loops (`detections/endpoint/loop -> ..`) is walked forty
    levels deep at every poll, two such links take the poll exponential time
    (it never ends, and no change is seen again), and a link to a folder that
    appears is taken for a folder, whose events mkdocs ignores. With lstat a
    link is an entry like a file: its appearing, going or changing target is a
    change, and nothing is walked through it. The loader never follows a link
    to a folder either (tree.py), so nothing it reads goes unwatched.
    """
    observer = getattr(server, "observer", None)
    if isinstance(observer, PollingObserver) and hasattr(observer, "_emitter_class"):  # watchdog 2 to 7
        observer._emitter_class = functools.partial(PollingEmitter, stat=os.lstat, listdir=os.scandir)


def surroundings(config: MkDocsConfig) -> str:
    """A digest of what pages are made with besides the content: mkdocs.yml and the files of docs/ and of the
    theme's own folder (names, sizes and times; nothing is followed through a link)."""
    digest = hashlib.blake2b(digest_size=16)
    try:
        digest.update(Path(config.config_file_path).read_bytes())
    except (OSError, TypeError):
        digest.update(b"no configuration file")
    folders = [config.docs_dir] + ([config.theme.custom_dir] if config.theme.custom_dir else [])
    for folder in folders:
        for where, directories, files in os.walk(folder):
            directories.sort()
            for name in sorted(files):
                try:
                    found = os.lstat(os.path.join(where, name))
                except OSError:
                    continue
                digest.update(f"{os.path.relpath(os.path.join(where, name), folder)}\0{found.st_size}\0"
                              f"{found.st_mtime_ns}\0{found.st_ino}\n".encode())
    return digest.hexdigest()
