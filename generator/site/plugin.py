"""The mkdocs plugin: runs the generator for `mkdocs build` and `mkdocs serve`.

It only orchestrates: `pipeline.generate` loads and enriches the content,
`site.layout.render_site` lays the pages out, and the pages are handed to
mkdocs as generated files (nothing is written into docs/). The kramdown
extension is added to mkdocs' Markdown so the published Markdown shows as
it did on the published site.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections import Counter
from pathlib import Path, PurePosixPath

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page as MkDocsPage
from mkdocs.structure.toc import TableOfContents
from mkdocs.utils.meta import get_data as get_meta

from ..changes import Older
from ..enrich import Site
from ..exceptions import GeneratorError, RebuildSuperseded
from ..issues import Issue, Severity, counted, tally
from ..pipeline import Inputs, generate, issue_order, load_older
from ..releases import Releases, read_releases
from ..tree import Unreadable
from .. import parallel
from ..render import Branding, Page
from ..sources import ContentSource, SourcesTree, content_source, shown_path
from .config import PluginConfig
from . import cache, convert
from .early import MOST_PAGES, LastBuild, newer_change, reveal
from .layout import CHANGES_URL, finish_listings, legacy_redirects, src_uri
from .compact import compact
from .frame import frame_templates, theme_search_worker, unused_theme_files
from .release_pages import RELEASES_INDEX
from .policy import with_policy
from .redirects import remove_redirects, write_redirects
from .sanitize import plain_title, sanitize
from .pictures import content_pictures, diagram_sources, pictures_key
from .staging import StagedSite, StagingUnavailable, repair
from .search import SearchTerms, page_summary, search_worker, with_search_worker, with_terms, with_word_index
from .markdown import CONTENT_ICONS, KramdownExtension, highlight_spl
from .preview import (
    NOTICE,
    NOTICE_SCRIPT,
    PROBLEMS_DATA,
    PROBLEMS_URI,
    Preview,
    dirty_builder,
    error_page_markdown,
    problem_file,
    problems_data,
    problems_markdown,
    site_url,
    surroundings,
    watch_without_following_links,
)

log = get_plugin_logger(__name__)

# Content warnings go through their own logger, which mkdocs' --strict does not
# count: the sources are not the site's to fix (the published corpus alone has
# dozens). `strict_content: true` sends them through the counted logger instead.
content_log = logging.getLogger("security_content")
build_log = logging.getLogger("mkdocs.commands.build")

if not content_log.handlers:
    _handler = logging.StreamHandler()
    # Named as mkdocs names a plugin's messages (its errors go through the plugin's logger): every line the
    # generator prints starts alike.
    _handler.setFormatter(logging.Formatter("%(levelname)-7s -  generator: %(message)s"))
    content_log.addHandler(_handler)
    content_log.propagate = False
    content_log.setLevel(logging.INFO)


class _ShownSiteDir(logging.Filter):
    """mkdocs' build log names the folder it writes in, the staging folder; readers are told of the site's folder,
    which the staging folder becomes."""

    def __init__(self, staging: str, site: str):
        super().__init__()
        self.staging, self.site = staging, site

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and self.staging in record.msg:
            record.msg = record.msg.replace(self.staging, self.site)
        return True


LOGO_URI = "assets/images/site-logo"
"""Where the `logo` setting's file is served (its suffix added)."""
LOGO_TYPES = (".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp")
THEME_FAVICON = "assets/images/favicon.png"
"""mkdocs-material's own favicon: a site with a logo of its own shows that instead."""

cache_log = logging.getLogger("security_content.cache")
"""The build cache's warnings (a cache that cannot be used is ignored): printed, not counted by --strict."""

REQUIRED_EXTENSIONS = ("tables", "md_in_html", "smarty", "fenced_code")
REFUSED_EXTENSIONS = ("attr_list",)
"""Extensions that would let content (written by strangers) set attributes; the templates' own are applied without."""


STAGED_COMMANDS = ("build", "gh-deploy")
"""The commands that write a site (staged, then swapped in: staging.py)."""


class _NoDirtyBuildWarning(logging.Filter):
    """A preview rebuild is a dirty build on purpose (see preview.py); mkdocs' warning about it is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build is being performed" not in record.getMessage()


class SecurityContentPlugin(BasePlugin[PluginConfig]):
    supports_multiple_instances = False
    preview: Preview | None = None
    """Under `mkdocs serve`: what is kept between rebuilds. The plugin lives as long as the server."""
    conversion: convert.ChildConversion | None = None
    store: cache.BuildCache | None = None
    page_cache: cache.PageCache | None = None
    """This build's use of the build cache (cache.py); None when it is off."""
    KNOWN_PLUGINS = frozenset({"search", "material/search", "security-content", "redirects"})
    """Plugins known to change no page once converted: with any other that does, finished pages are not kept."""

    staged: StagedSite | None = None
    """`mkdocs build`: the folder the site is written to, swapped in for site_dir when complete (staging.py)."""
    shown_site_dir: _ShownSiteDir | None = None
    """While `staged`: the build log names site_dir where mkdocs names the staging folder."""
    keep_site = False
    """`mkdocs build --dirty`: the staging folder starts as a copy of the current site."""
    command: str | None = None
    """The command that runs the plugin: `build`, `gh-deploy`, `serve`, or another program's (mike's `mike`)."""
    in_child = False
    """This copy of the plugin is the child process's of a build, converting its share of the pages (convert.py)."""

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.keep_site = dirty
        self.command = command
        if command == "serve":
            self.preview = Preview()
            logging.getLogger("mkdocs.commands.build").addFilter(_NoDirtyBuildWarning())

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path or ".").parent
        self.root = root
        self.sources = self._sources(root)
        self.attack_bundle = (root / self.config.attack_bundle).resolve()
        self.cve_file = (root / self.config.cve_file).resolve() if self.config.cve_file else None
        optional = {key: (root / value).resolve() if value else None
                    for key, value in (("splunk_apps_file", self.config.splunk_apps_file),
                                       ("d3fend_file", self.config.d3fend_file))}
        branding = Branding(config.site_name, self.config.introduction)
        self.inputs = Inputs(self.attack_bundle, self.cve_file, form=self.config.form or None, branding=branding,
                             **optional)
        self.about = self._file_setting(root, "about")
        self.logo = self._file_setting(root, "logo")
        if self.logo is not None:
            config.theme["logo"] = LOGO_URI + self.logo.suffix.lower()
            if config.theme.get("favicon") in (None, "", THEME_FAVICON):
                config.theme["favicon"] = config.theme["logo"]
        # Not resolved: the older checkout is labelled by its folder's name as given, links included.
        self.compare_with = Path(os.path.abspath(root / self.config.compare_with)) if self.config.compare_with else None
        for name in REQUIRED_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        for name in REFUSED_EXTENSIONS:
            if name in config.markdown_extensions:
                log.warning(f"markdown extension '{name}' is not used: it would let content set HTML attributes")
                config.markdown_extensions.remove(name)
        self.extension = KramdownExtension(report=self._dead_link)
        config.markdown_extensions.append(self.extension)
        # Under mike (a site per release, guide/releases.md), which names the version it builds in this variable,
        # the theme's version selector is on unless mkdocs.yml says otherwise.
        if os.environ.get("MIKE_DOCS_VERSION") and "version" not in config.extra:
            config.extra["version"] = {"provider": "mike"}
        # Only a build stages its site: mike, say, runs the config event only to read site_dir, and builds later
        # in a `mkdocs build` of its own.
        if self.command in STAGED_COMMANDS:
            self._stage(config)
        if self.preview is not None and NOTICE_SCRIPT not in config.extra_javascript:
            config.extra_javascript.append(NOTICE_SCRIPT)
        # The frame's shared files (frame.py): the icons' stylesheet and the theme's setup script, rendered once.
        shared = frame_templates(config.theme.dirs)
        config.theme.static_templates.update(shared)
        self.extension.shared_icons = bool(shared)  # the emoji's icons too
        setting = (self.config.build_cache or "").strip()
        self.cache_folder = root / setting if setting and setting.lower() not in ("false", "off", "no") else None
        return config

    def _sources(self, root: Path) -> tuple[ContentSource, ...]:
        """The content sources the settings name: `content_dirs`, else `content_dir` alone."""
        settings = self.config.content_dirs or [{"path": self.config.content_dir}]
        several = len(settings) > 1

        def file(value: str | None) -> Path | None:
            return (root / value).resolve() if value else None

        return tuple(content_source((root / entry["path"]).resolve(), shown_path(entry["path"]), several=several,
                                    label=entry.get("label"), overrides=bool(entry.get("overrides")),
                                    try_in_splunk=entry.get("try_in_splunk"), repository=entry.get("repository"),
                                    cve_file=file(entry.get("cve_file")),
                                    splunk_apps_file=file(entry.get("splunk_apps_file")),
                                    d3fend_file=file(entry.get("d3fend_file")))
                     for entry in settings)

    def _file_setting(self, root: Path, name: str) -> Path | None:
        """A file a setting names (`about`, `logo`), relative to mkdocs.yml; a missing one stops the build."""
        value = self.config[name]
        if not value:
            return None
        path = (root / value).resolve()
        if not path.is_file():
            raise PluginError(f"{name}: {value} is not a file (relative to the folder of mkdocs.yml)")
        if name == "logo" and path.suffix.lower() not in LOGO_TYPES:
            raise PluginError(f"logo: {value} must be an image ({', '.join(LOGO_TYPES)})")
        return path

    def _stage(self, config: MkDocsConfig) -> None:
        """`mkdocs build` writes into a staging folder beside site_dir, swapped in when it is complete, so that
        an interrupted build leaves the previous site; what interrupted builds left is repaired first."""
        self.site_dir = config.site_dir
        for done in repair(Path(config.site_dir)):
            log.info(done)
        try:
            self.staged = StagedSite(Path(config.site_dir), keep=self.keep_site)
        except StagingUnavailable as exc:
            self.staged = None
            log.warning(f"the site is built in place ({exc}): an interrupted build leaves half a site")
            return
        config.site_dir = str(self.staged.staging)
        self.shown_site_dir = _ShownSiteDir(config.site_dir, self.site_dir)
        build_log.addFilter(self.shown_site_dir)

    def on_pre_build(self, config: MkDocsConfig) -> None:
        if self.preview is None and self.staged is None:
            _unlink_planted_links(Path(config.site_dir))
        preview = self.preview
        last_build = preview.last_build if preview is not None else None
        if preview is not None:
            preview.completed, preview.rebuilt = False, 0
            if not preview.built_once:
                preview.surroundings = surroundings(config)  # the rebuilds compare theirs with it
        older, older_issues = self._older()
        releases, release_issues = self._releases()
        try:
            # While serving, the long listings are split after the edited page is shown (`_show_first`).
            generated = generate(self.sources, self.inputs, layout="mkdocs",
                                 reuse=preview.reuse if preview else None, older=older, releases=releases,
                                 split_listings=preview is None)
        except GeneratorError as exc:
            raise PluginError(str(exc)) from None
        self.pages = generated.pages
        self.unparsed = generated.unparsed
        # Playbook diagrams the content has are served from it (pictures.py); the pages show them.
        self.pictures, picture_issues = content_pictures(SourcesTree(self.sources),
                                                         _diagrams(generated.site, self.sources))
        self.extension.pictures = {source: picture.uri for source, picture in self.pictures.items()}
        site_issues = generated.issues + picture_issues
        self.redirects = legacy_redirects(generated.site)
        self.search_words = SearchTerms(generated.site)
        # Page URL -> the links in it that led nowhere; a preview keeps the unchanged pages' ones.
        self.dead_links: dict[str, list[str]] = preview.dead_links if preview is not None else {}
        self.search_summaries: dict[str, dict | None] = {}
        """src_uri -> the page's search summary (search.py), from its conversion until the page is indexed."""
        if preview is not None:
            issues = older_issues + release_issues + sorted(site_issues, key=issue_order)
            error_pages, error_addresses = self._error_pages(preview, issues, generated.site.unshown)
            # A broken detection's old name address still leads where its page was, now its error page.
            shown_instead = {src_uri(page.url) for page in error_pages}
            for old, new in sorted(preview.redirects.items()):
                if new in shown_instead:
                    self.redirects.setdefault(old, new)
            if last_build is not None:
                self._show_first(preview, last_build, generated.site, error_pages, issues)
                self._render_until_superseded(preview)
            self.pages, clashes = finish_listings(self.pages, generated.site, preview.reuse.renderings)
            site_issues += clashes
        self.issues = older_issues + release_issues + sorted(site_issues, key=issue_order)
        if preview is None or not preview.built_once:
            log.info(f"form {generated.form.name}: {generated.form.reason}")
        if preview is None:
            for issue in self.issues:
                self._log(issue)
            self._stop_a_failing_strict_build(config)
            _unlink_planted_links(Path(config.site_dir))
        else:
            # Each problem's file links to its page there, or to the page showing its errors instead.
            addresses = preview.addresses()
            addresses.update(error_addresses)
            problems = Page(tuple(PROBLEMS_URI.split("/")), problems_markdown(self.issues, addresses),
                            label="problems", url="/problems/")
            self.pages = self.pages + error_pages + [problems]

    def _show_first(self, preview: Preview, last: LastBuild, site: Site, error_pages: list[Page],
                    issues: list[Issue]) -> None:
        """While serving: the page of each content file this rebuild read again (a detection's, or a broken file's
        error page), written and shown before any listing is rendered (early.py), with the problems' data its
        notice reads (`issues`: the problems known so far; the listings add none that is an error)."""
        read = set(self._read_again(preview)[0])
        detections = {page.detection.source.path for page in site.detections}
        broken = {preview.pages_of_sources[path][0] for path in read if path in preview.pages_of_sources}
        first = [page for page in self.pages if page.source is not None and page.source.path in read & detections]
        first += [page for page in error_pages if page.path in broken]
        if first:  # a page that shares its path with another may not be the one the rebuild writes there
            paths = Counter(page.path for page in self.pages + error_pages)
            first = [page for page in first if paths[page.path] == 1]
        if not first or len(first) > MOST_PAGES or preview.server is None:
            return
        shown, written, own = [], [], (self.extension, preview.rebuilt, self.progress)
        # What the page events note of a page is the rebuild's to note when it converts the page itself: a link to
        # a page the last build lacked (a technique page a fixed file brings back) leads nowhere in the page shown
        # first, but not in the page the rebuild writes (the tab then reloads: SettledTabs).
        noted = dict(self.dead_links), dict(self.search_summaries)
        self.extension = last.extension  # the page events convert with the extension of the build whose theme it is
        try:
            for page in first:
                uri, text = "/".join(page.path), page.text
                if preview.on_disk(uri) == text or not last.can_show(uri):
                    continue  # unchanged, or not a page that build made
                if page.source is not None:  # a content page (the last build may have had an error page there)
                    self.content_documents.add(uri)
                written.append(last.write(uri, text))
                preview.shown_early[uri] = text
                shown.append(page.url or uri)
            if shown:
                written.append(last.write_data(PROBLEMS_DATA, problems_data(issues, preview.addresses())))
        except Exception as error:  # noqa: BLE001 - the rebuild goes on, and writes the page as usual
            log.info(f"the edited page could not be shown before the rest ({error}); it is shown when the rebuild "
                     "ends")
            return
        finally:
            self.extension, preview.rebuilt, self.progress = own
            for kept, now in zip(noted, (self.dead_links, self.search_summaries)):
                now.clear()
                now.update(kept)
        if shown and reveal(preview.server, written):
            preview.revealed = True
            log.info(f"shown first: {', '.join(shown)}; the rest of the site follows")
            # The terminal tells of a new problem when the page does: a newer save may stop the rest of the rebuild.
            new = set(preview.report_early([str(issue) for issue in issues]))
            for issue in issues:
                if str(issue) in new:
                    self._log(issue)

    def _read_again(self, preview: Preview) -> tuple[list[str], list[str]]:
        """The content files this build read again (they changed), and those gone since the last, by their shown
        paths."""
        found: tuple[list[str], list[str]] = ([], [])
        for source in self.sources:
            prefix = source.shown_as + "/" if source.shown_as else ""
            load = preview.reuse.sources[source.path].load
            found[0].extend(prefix + path for path in load.read)
            found[1].extend(prefix + path for path in load.gone)
        return found

    def _render_until_superseded(self, preview: Preview) -> None:
        """Once the edited page is shown: every page's Markdown rendered now (it is kept), one page after the other,
        so that a newer save stops the rebuild within a page or so rather than after every listing."""
        if not preview.revealed:
            return
        for number, page in enumerate(self.pages):
            if number % 50 == 0:
                self._stop_if_superseded(preview)
            page.text  # noqa: B018 - rendered, and kept by the page

    @staticmethod
    def _stop_if_superseded(preview: Preview | None) -> None:
        """While serving, once the edited page is shown: a newer change stops this rebuild here, before it converts
        a page (early.py). What the session keeps is then what the last complete build left (what this build had
        noted is put back: `Preview.roll_back`), with this build's renderings beside it; the next rebuild starts at
        once and redoes what changed since that build (the outputs of pages gone are removed again)."""
        if preview is not None and preview.revealed and newer_change(preview.server):
            preview.completed = True
            preview.roll_back()
            preview.reuse.renderings.keep_earlier()
            raise RebuildSuperseded("a newer change came in")

    def _stop_a_failing_strict_build(self, config: MkDocsConfig) -> None:
        """`mkdocs build --strict` with content problems it counts fails now, before any page is converted or
        anything written (the site directory stays as it was): the build could only fail at its end."""
        stopping = [issue for issue in self.issues
                    if issue.severity is Severity.ERROR or self.config.strict_content]
        if config.strict and stopping:
            errors = sum(issue.severity is Severity.ERROR for issue in stopping)
            problems = [counted(count, what) for count, what in
                        ((errors, "error"), (len(stopping) - errors, "counted warning")) if count]
            raise PluginError(f"the content has {' and '.join(problems)} (listed above): with --strict the build "
                              "stops before converting any page, and nothing is written")

    def _older(self) -> tuple[Older | None, list[Issue]]:
        """The older checkout to compare with, if one is set; read once per `mkdocs serve` (it is history)."""
        if self.compare_with is None:
            return None, []
        kept = self.preview.older if self.preview is not None else None
        if kept is not None and kept[0] == self.compare_with:
            return kept[1], kept[2]
        older, issues = load_older(self.compare_with, self.config.compare_with)
        if older is not None:
            count = len(older.content.detections)
            log.info(f"what changed: read the older content, {older.label} ({count} published detections)")
        if self.preview is not None:
            self.preview.older = (self.compare_with, older, issues)
        return older, issues

    def _releases(self) -> tuple[Releases | None, list[Issue]]:
        """The releases (tags matching the `releases` pattern), if set; under `mkdocs serve` read again only
        when a tag moved."""
        if not self.config.releases:
            return None, []
        releases, issues = read_releases(self.sources[0].path, self.config.releases,
                                         self.preview.releases if self.preview is not None else None)
        if releases is not None and (self.preview is None or not self.preview.built_once):
            log.info(f"releases: read {len(releases.notes)} tags matching {self.config.releases!r}, "
                     f"{releases.notes[0].name} to {releases.newest.name}")
        return releases, issues

    def _error_pages(self, preview: Preview, issues: list[Issue],
                     unshown: tuple[tuple[str, str], ...]) -> tuple[list[Page], dict[str, str]]:
        """While serving: a source whose page is gone because of its errors gets a page showing them, where its
        page was, or, for a detection that never had one, where it will be (`Site.unshown`). Returns the pages and
        the address of each source's."""
        pages = []
        present = {page.source.path for page in self.pages if page.source is not None}
        for page in self.pages:
            if page.source is not None:
                preview.pages_of_sources[page.source.path] = (page.path, page.url)
        problems: dict[str, list[Issue]] = {}  # a file's errors and warnings, shown together
        for issue in issues:
            problems.setdefault(issue.path, []).append(issue)
        errors = {path for path, found in problems.items() if any(i.severity is Severity.ERROR for i in found)}
        places = dict(preview.pages_of_sources)
        taken = {page.path for page in self.pages}
        for source_path, url in unshown:  # a new file: its page's address, unless another page is there
            path = tuple(src_uri(url).split("/"))
            if source_path not in places and path not in taken:
                places[source_path] = (path, url)
                taken.add(path)
        addresses = {}
        for source_path, (path, url) in sorted(places.items()):
            if source_path in present or source_path not in errors:
                continue
            try:
                source_text = SourcesTree(self.sources).read_text(source_path)
            except Unreadable:
                source_text = ""
            text = error_page_markdown(source_path, source_text, problems[source_path],
                                       new=source_path not in preview.pages_of_sources)
            pages.append(Page(path, text, label=f"the errors of {source_path}", url=url))
            if url:
                addresses[source_path] = url
        return pages, addresses

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        search = config.plugins.get("material/search")
        for unused in unused_theme_files(files, config.theme.dirs, search.config.lang if search is not None else None):
            files.remove(unused)  # never copied into the site: no reader loads them (frame.py)
        texts: dict[str, str] = {}
        self.content_documents: set[str] = set()
        """The documents made from one content file: their Markdown is guarded against costly blocks."""
        # The pages' Markdown, on both cores where possible; while serving, in this process, which keeps what it
        # rendered for the next rebuild (most pages are the same again).
        rendered = _texts(self.pages) if self.preview is not None else parallel.split_map(_texts, self.pages)
        self._stop_if_superseded(self.preview)
        for page, text in zip(self.pages, rendered):
            src_uri = "/".join(page.path)
            if files.get_file_from_path(src_uri) is not None:
                log.warning(f"docs/{src_uri} is kept; it replaces the generated page for {page.url}")
                continue
            texts[src_uri] = text
            if page.source is not None:
                self.content_documents.add(src_uri)
        if self.about is not None:
            docs_about = files.get_file_from_path("about.md")
            if docs_about is not None:
                files.remove(docs_about)
            about = File("about.md", None, config.site_dir, config.use_directory_urls)
            about.abs_src_path = str(self.about)  # read from where it is, as a page of docs/ would be
            files.append(about)
        if self.logo is not None:
            files.append(File.generated(config, config.theme["logo"], abs_src_path=str(self.logo)))
        for picture in self.pictures.values():
            files.append(File.generated(config, picture.uri, content=picture.data))
        if self.preview is None:
            for src_uri, text in texts.items():
                files.append(File.generated(config, src_uri, content=text))
        else:
            self.preview.keep_committed()
            for file in self.preview.files(config, texts, pictures_key(self.pictures)):
                files.append(file)
            for src_uri in self.preview.removed + self.preview.pictures_gone(self.pictures):
                # a page or picture that went away takes its output with it
                Path(File.generated(config, src_uri, content="").abs_dest_path).unlink(missing_ok=True)
            files.append(File.generated(config, PROBLEMS_DATA,
                                        content=problems_data(self.issues, self.preview.addresses())))
            files.append(File.generated(config, NOTICE_SCRIPT, content=NOTICE))
        self._add_to_nav(config, texts)
        documents = files.documentation_pages()
        self._open_cache(config, documents, files, texts)
        self.converter = convert.Converter(config, self.extension)
        if isinstance(config.nav, list):  # each page outside the navigation is ours from the start (not made twice)
            named = {uri.lstrip("/") for _, uri in cache.nav_entries(config.nav)}
            for file in documents:
                if file.generated_by is not None and file.src_uri not in named:
                    convert.SitePage(None, file, config).converter = self.converter
        self.files = files
        self.progress = (0, len(documents))
        self.extension.documents = {_site_url(f): f.src_uri for f in documents}
        # Generated data files (exports) can be linked too: "/api/detections.json" -> "api/detections.json".
        self.extension.documents.update({"/" + uri + "/": uri for uri in texts if not uri.endswith(".md")})
        self._add_redirects(config)
        if self.preview is None:
            self.pages = []  # their Markdown is in the files now
        return files

    def _open_cache(self, config: MkDocsConfig, documents: list[File], files: Files, texts: dict[str, str]) -> None:
        """The build cache, with this build's key of every generated page (cache.py)."""
        self.store = self.page_cache = None
        if self.cache_folder is None:
            return
        others = self._unknown_page_plugins(config)
        if others:
            log.info(f"the build cache is not used: the plugin {others[0]} may change pages after conversion")
            return
        first = self.cache_first = self.preview is None or not self.preview.built_once
        self.store = cache.BuildCache.open(self.cache_folder, cache_log.warning, new_build=first)
        conversion, finished = cache.fingerprints(config, self.config, serving=self.preview is not None)
        self.page_cache = cache.PageCache(self.store, conversion, finished)
        for file in documents:  # while serving, only the pages this rebuild builds
            if file.generated_by is not None and file.is_modified() and file.src_uri in texts:
                self.page_cache.add(file.src_uri, texts[file.src_uri], guarded=file.src_uri in self.content_documents)
        self.page_cache.add_nav_titles(config.nav, files)

    def _unknown_page_plugins(self, config: MkDocsConfig) -> list[str]:
        """The plugins, other than those known not to, that may change a page after it is converted."""
        return [name for name, plugin in config.plugins.items() if name not in self.KNOWN_PLUGINS and any(
            hasattr(plugin, event) for event in cache.PAGE_EVENTS)]

    @staticmethod
    def _add_to_nav(config: MkDocsConfig, texts: dict[str, str]) -> None:
        """The What changed page and the releases index get a tab each when they exist (before About, if there
        is one); mkdocs.yml cannot name them, since without their setting the pages do not exist and --strict
        would fail on them."""
        for title, uri in (("What changed", src_uri(CHANGES_URL)), ("Releases", RELEASES_INDEX)):
            if uri not in texts or not isinstance(config.nav, list) or any(
                    isinstance(item, dict) and uri in item.values() for item in config.nav):
                continue
            about = [index for index, item in enumerate(config.nav) if isinstance(item, dict) and "About" in item]
            config.nav.insert(about[0] if about else len(config.nav), {title: uri})

    def _add_redirects(self, config: MkDocsConfig) -> None:
        """Old detection addresses redirect to the current ones (redirects.py); while serving, only the
        redirects that are new or changed are written again, and the ones that are gone are removed."""
        wanted, gone = dict(self.redirects), []
        if self.preview is not None:  # the others are on disk from an earlier build of this session
            wanted, gone = self.preview.redirects_to_write(wanted)
        self.redirects_to_write, self.redirects_gone = wanted, gone

    def on_nav(self, nav, config: MkDocsConfig, files: Files):
        self._stop_if_superseded(self.preview)  # the last point before a page is converted or written
        self.nav = nav
        in_nav = {id(page) for page in nav.pages}
        documents = files.documentation_pages()
        for file in documents:
            if file.generated_by is not None and id(file.page) not in in_nav and not isinstance(file.page,
                                                                                                  convert.SitePage):
                convert.SitePage(None, file, config).converter = self.converter  # in place of mkdocs' Page
        page_cache = self.page_cache
        if page_cache is not None:  # what an earlier build converted, with the same inputs and links
            for file in documents:
                if file.generated_by is not None and file.is_modified():
                    self.extension.set_page(_site_url(file), file.src_uri)
                    page_cache.look_up(file.src_uri, self.extension.still_leads)
        # `mkdocs build`: a child process converts the second half of the pages to convert meanwhile (convert.py).
        # It also puts its pages through the theme where it can do that as this process would.
        wanted = (lambda file: page_cache.wants_conversion(file.src_uri)) if page_cache else (lambda file: True)
        finishing = (convert.Finishing(nav, page_cache.packed_conversion if page_cache else None)
                     if convert.can_finish(nav) and not self._unknown_page_plugins(config) else None)
        self.conversion = (None if self.preview is not None
                           else convert.start(config, files, self._found_in, self._entered_child, wanted, finishing))
        return nav

    def _entered_child(self) -> None:
        """In the child process of `mkdocs build` (convert.py), before it converts its share: this copy of the
        plugin reports no progress and writes no cache entries (the child hands them to the parent)."""
        self.in_child = True

    def _found_in(self, src_uri: str) -> tuple[list[str], dict | None, dict[str, str | None]]:
        """What converting a page found besides its HTML: its dead links, search summary and link lookups."""
        return (self.dead_links.get(site_url(src_uri), []), self.search_summaries.get(src_uri),
                dict(self.extension.lookups))

    def on_page_read_source(self, page: MkDocsPage, config: MkDocsConfig) -> str | None:
        """A page whose finished HTML the build cache kept needs nothing of its Markdown."""
        if self.page_cache is not None and not self.in_child and self.page_cache.finished(page.file.src_uri):
            return ""
        return None

    def on_page_markdown(self, markdown: str, page: MkDocsPage, config: MkDocsConfig, files: Files) -> str:
        reused = self._reuse(page)
        if not reused and self.page_cache is not None and not markdown and self.page_cache.finished(page.file.src_uri):
            # Its finished page was to be reused, but could not be read after all: it is converted now.
            markdown, page.meta = get_meta(page.file.content_string)
        if self.preview is None and page.file.generated_by is not None:
            page.file.content_string = ""  # read: a large site's Markdown is not held through the build
        # The published front matter's `tags` were Jekyll's tag archive; the
        # theme would take them for its own tags and let them outrank titles in
        # search. The site's tag index (/tags/) is built from the model instead.
        if "tags" in page.meta:
            page.meta["published_tags"] = page.meta.pop("tags")
        # Listings do not compete in search with the pages they list: they rank below the pages themselves
        # (the tag pages, which list every tag of every page, leave the index: their templates say so).
        if page.file.generated_by is not None and page.file.src_uri not in self.content_documents:
            if not page.file.src_uri.startswith("techniques/") or page.file.src_uri == "techniques/index.md":
                page.meta.setdefault("search", {"boost": 0.1})
        # A listing the published front matter calls wide (`classes: wide`: the Jekyll theme's page without its
        # right column) takes the width of the theme's two sidebars, which would show only the page's own tab and
        # an empty table of contents. On a phone the navigation drawer is still there.
        classes = page.meta.get("classes") or ""  # Jekyll's: a string of names, or a list
        if page.file.generated_by is not None and "wide" in (classes.split() if isinstance(classes, str) else classes):
            _hide(page, "navigation", "toc")
        # The theme writes the title into the header, the navigation and the search index as HTML.
        if page.file.generated_by is not None and isinstance(page.meta.get("title"), str):
            page.meta["title"] = plain_title(page.meta["title"])
        if reused:
            return ""  # what an earlier build converted (and finished) is put back in on_page_content
        converted = self.conversion.result(page) if self.conversion is not None else None
        if converted is not None:
            page.converted = converted  # put back in on_page_content; nothing to convert here
            return ""
        self.extension.set_page(_site_url(page.file), page.file.src_uri,
                                guarded=page.file.src_uri in self.content_documents)
        self.dead_links.pop(_site_url(page.file), None)  # the page's links are looked at again
        if self.page_cache is not None and not self.in_child and page.file.generated_by is not None:
            page.capture = convert.Capture().__enter__()  # what converting it logs is kept with it
        return markdown

    def _reuse(self, page: MkDocsPage) -> bool:
        """Whether the build cache has the page's conversion (and perhaps its finished HTML); if so, it is
        put on the page to be restored, and nothing is converted."""
        if self.page_cache is None or self.in_child:
            return False
        kept = self.page_cache.converted(page.file.src_uri)
        if kept is None:
            return False
        page.converted, finished = kept
        page.from_cache = True
        if isinstance(page, convert.SitePage):
            page.kept = page.converted  # not converted at all
        if finished is not None:  # the theme's work is kept too: the page is written as it was
            page.finished_packed = finished
            page.meta = {"template": cache.FINISHED_TEMPLATE}
        return True

    def on_page_content(self, html: str, page: MkDocsPage, config: MkDocsConfig, files: Files) -> str:
        if self.preview is not None:
            self.preview.rebuilt += 1
        done, total = self.progress
        done += 1
        self.progress = (done, total)
        if total >= 1000 and done % 500 == 0 and not self.in_child:  # a long build says how far it is
            log.info(f"{done} of {total} pages converted or taken from the build cache")
        converted = getattr(page, "converted", None)
        if converted is not None:
            del page.converted
            if converted.dead_links:
                self.dead_links[_site_url(page.file)] = converted.dead_links
            if converted.search is not None:
                self.search_summaries[page.file.src_uri] = converted.search
            if not getattr(page, "from_cache", False) and self.conversion.finishes:
                self.conversion.awaits(page, converted, cache.FINISHED_TEMPLATE)  # finished by the child too
            elif self.page_cache is not None and not getattr(page, "from_cache", False):
                self.page_cache.keep_conversion(page.file.src_uri, converted)  # the child's
            return convert.restore(page, converted, files)
        if self.extension.hidden_ids:  # empty sections are hidden; so are their table of contents entries
            page.toc = _without(page.toc, self.extension.hidden_ids)
        if page.file.src_uri in self.content_documents:
            page.toc = _sections_as_siblings(page.toc, self.extension.folded_ids)
        if page.file.generated_by is None:
            return html  # docs/ pages are the project's own
        page.markdown = ""  # converted: not needed again (a large site holds thousands of pages at once)
        html = sanitize(html)  # a page made from content passes the allow-list
        if self._one_search_entry(config):
            self.search_summaries[page.file.src_uri] = page_summary(page, html)
        capture = getattr(page, "capture", None)
        if capture is not None:
            del page.capture
            capture.__exit__(None, None, None)
            self.page_cache.keep_conversion(page.file.src_uri, self._conversion_of(page, html, capture.records))
        return html

    def _conversion_of(self, page: MkDocsPage, html: str, records: list) -> convert.Converted:
        """What converting `page` here gave (its HTML is `html`), as the build cache keeps it."""
        links = page.links_to_anchors
        found = self._found_in(page.file.src_uri)
        return convert.Converted(
            content=html, toc=page.toc, title=page._title_from_render, present_anchor_ids=page.present_anchor_ids,
            links_to_anchors={file.src_uri: anchors for file, anchors in links.items()} if links is not None else None,
            dead_links=found[0], search=found[1], lookups=found[2], records=records)

    def _one_search_entry(self, config: MkDocsConfig) -> bool:
        """Each generated page is one search entry (search.py), made here: the theme's search plugin is used
        and `search_sections` is off."""
        search = config.plugins.get("material/search") or config.plugins.get("search")
        return not self.config.search_sections and hasattr(getattr(search, "search_index", None),
                                                           "create_entry_for_section")

    @event_priority(10)  # before the search plugin would index the page's every section
    def on_page_context(self, context, page: MkDocsPage, config: MkDocsConfig, nav):
        if page.file.generated_by is not None and not _contents_entries(page.toc):
            # The theme would keep an empty column for a page without sections (a tactic's or tag's listing):
            # the content takes its width.
            _hide(page, "toc")
        packed = getattr(page, "finished_packed", None)
        if packed is not None:  # read with the page's conversion, unpacked only now: one at a time in memory
            del page.finished_packed
            page.finished_page = cache.unpack_text(packed)
        if convert.ChildConversion.awaited(page):
            self._finished_by_child(page)
        if page.file.src_uri not in self.search_summaries:
            return context
        shown = self.search_summaries.pop(page.file.src_uri)
        page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}  # it is indexed here
        if shown is not None:
            search = config.plugins.get("material/search") or config.plugins.get("search")
            search.search_index.entries.append(with_terms(shown, self.search_words.get(page.url)))
        return context

    def _finished_by_child(self, page: MkDocsPage) -> None:
        """The page as the child process finished it (convert.py), kept by the cache; where the child failed to
        send it, the page goes through its own template here."""
        converted, finished = self.conversion.collect(page)
        page.finished_page = cache.unpack_text(finished.page) if finished is not None else None
        if self.page_cache is not None:
            if finished is not None:
                self.page_cache.keep_packed(page.file.src_uri, finished.conversion, finished.page)
            else:
                self.page_cache.keep_conversion(page.file.src_uri, converted)

    def on_env(self, env, config: MkDocsConfig, files: Files):
        theme_worker = theme_search_worker(config.theme.dirs)  # the shared setup script names the site's (frame.py)
        one_entry = self._one_search_entry(config)
        env.globals["sc_search_worker"] = (search_worker(PurePosixPath(theme_worker).name, one_entry)
                                           if theme_worker else None)
        env.globals["sc_content_icons"] = CONTENT_ICONS  # for sc-icons.css: the icons the pages' emoji show
        if self.preview is not None:
            env.bytecode_cache = self.preview.compiled
            self.env = env
        if self.page_cache is not None or (self.conversion is not None and self.conversion.finishes):
            # a page whose finished HTML the cache kept, or the child made, is written as it is
            env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({cache.FINISHED_TEMPLATE: cache.FINISHED_TEMPLATE_SOURCE}),
                                              env.loader])
        return env

    @event_priority(-100)  # the last to change the page: what it returns is the finished page the cache keeps
    def on_post_page(self, output: str, page: MkDocsPage, config: MkDocsConfig) -> str:
        if self.preview is None and page.file.generated_by is not None:
            page.content = None  # written: a large site's HTML is not held until the build ends
        finished = page.__dict__.pop("finished_page", None)
        if finished is not None:
            return output  # as an earlier build, or the child process, finished it
        output = compact(with_search_worker(highlight_spl(output), self._one_search_entry(config)))
        output = with_policy(output) if self.preview is None else output
        if self.page_cache is not None and page.file.generated_by is not None and not self.in_child:
            self.page_cache.keep_finished(page.file.src_uri, output)
        return output

    def on_post_template(self, output_content: str, template_name: str, config: MkDocsConfig) -> str:
        # The theme's own pages (404.html) too; a sitemap has no <head> and is left as it is.
        output_content = with_search_worker(output_content, self._one_search_entry(config))
        return with_policy(output_content) if self.preview is None else output_content

    @event_priority(50)  # before the search plugin writes its index
    def _on_post_build_report(self, config: MkDocsConfig) -> None:
        preview = self.preview
        self._merge_search_index(config)
        if preview is None:
            dead_links = _dead_link_issues(self.dead_links)
            for issue in dead_links:
                self._log(issue)
            content_log.info(f"content: {tally(self.issues + dead_links)}")  # after the list, as serve says it
            return
        current = {_site_url(file) for file in self.files.documentation_pages()}
        for gone in [url for url in self.dead_links if url not in current]:
            del self.dead_links[gone]
        self._report_changes(preview, self.issues + _dead_link_issues(dict(sorted(self.dead_links.items()))))
        preview.built_once = True

    def _merge_search_index(self, config: MkDocsConfig) -> None:
        """While serving: the search index of this rebuild's pages, and the unchanged pages' kept entries."""
        search = config.plugins.get("material/search") or config.plugins.get("search")
        index = getattr(search, "search_index", None)
        if index is None or not hasattr(index, "entries"):
            return
        if self.preview is not None:
            pages = [file.url for file in self.files.documentation_pages()]
            index.entries = self.preview.merge_search(index.entries, pages)
            search.search_index_prev = None

    @event_priority(-50)  # after the search plugin has written its index
    def _on_post_build_search(self, config: MkDocsConfig) -> None:
        """The search index with its words indexed (search.py), for the site's search worker."""
        path = Path(config.site_dir) / "search" / "search_index.json"
        if not self._one_search_entry(config) or not path.is_file():
            return
        index = json.loads(path.read_text(encoding="utf-8"))
        try:
            index = with_word_index(index, self.preview.search_words if self.preview is not None else None)
        except re.error as error:
            raise PluginError(f"mkdocs.yml: the search separator {index['config']['separator']!r} is not a "
                              f"regular expression Python reads ({error}): the search index cannot be made") from None
        path.write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")  # as the theme writes it

    @event_priority(-100)  # after mkdocs-redirects has written its pages
    def _on_post_build_redirects(self, config: MkDocsConfig) -> None:
        """The old detection addresses' redirect pages (redirects.py). The pages of redirects mkdocs.yml
        configures for mkdocs-redirects get a security policy too: their one script is allowed by its hash."""
        site_dir = Path(config.site_dir)
        remove_redirects(site_dir, self.redirects_gone, config.use_directory_urls)
        write_redirects(site_dir, self.redirects_to_write, config.use_directory_urls, policy=self.preview is None,
                        taken={file.dest_path for file in self.files}, warn=log.warning)
        plugin = config.plugins.get("redirects")
        if self.preview is not None or plugin is None:
            return
        for old in sorted(plugin.config["redirect_maps"]):
            path = site_dir / File(old, "", "", config.use_directory_urls).dest_path
            try:
                html = path.read_text(encoding="utf-8")
            except OSError:
                continue
            if "Content-Security-Policy" not in html:
                path.write_text(with_policy(html), encoding="utf-8")

    @event_priority(-200)  # after everything else is written
    def _on_post_build_cache(self, config: MkDocsConfig) -> None:
        self._end_conversion()
        self._close_cache()
        if self.preview is not None:
            self.preview.completed = True  # the last event of a served build: everything is written
            self.preview.committed = None
            self.preview.last_build = LastBuild(config, self.files, self.nav, self.env, self.extension)
            self.preview.settle()

    @event_priority(-1000)  # the very last: everything is written and kept
    def _on_post_build_swap(self, config: MkDocsConfig) -> None:
        if self.staged is not None:
            self.staged.finish()
            self.staged = None
            config.site_dir = self.site_dir
        self._stop_showing_site_dir()

    on_post_build = CombinedEvent(_on_post_build_report, _on_post_build_search, _on_post_build_redirects,
                                  _on_post_build_cache, _on_post_build_swap)

    def on_build_error(self, *, error: Exception) -> None:
        """A build that failed leaves the previous site as it was (`--strict` fails after the site is swapped in,
        as mkdocs leaves a strict build's site written); what it converted is kept for the next build."""
        self._end_conversion(stop=True)
        self._close_cache()
        if self.staged is not None:
            self.staged.discard()
            self.staged = None
        self._stop_showing_site_dir()

    def _stop_showing_site_dir(self) -> None:
        if self.shown_site_dir is not None:
            build_log.removeFilter(self.shown_site_dir)
            self.shown_site_dir = None

    def _end_conversion(self, stop: bool = False) -> None:
        """The child process of this build (convert.py), if any, is done (`stop`: ended now, the build failed)."""
        if self.conversion is not None:
            self.conversion.close(stop)
            self.conversion = None

    def _close_cache(self) -> None:
        """What this build converted is kept for the next (cache.py)."""
        store, pages = self.store, self.page_cache
        if store is None:
            return
        self.store = self.page_cache = None
        store.close()
        if pages is not None and self.cache_first:  # a served site's rebuilds report what they rebuilt
            # Only generated pages are cached: the count differs from the progress lines' by docs/' own pages.
            log.info(f"build cache: {pages.reused} of {len(pages)} generated pages reused "
                     f"({pages.reused_finished} of them finished)")

    def _report_changes(self, preview: Preview, issues: list[Issue]) -> None:
        """While serving: what this rebuild found new or fixed, then a one-line count."""
        first = not preview.built_once
        new, fixed, to_print, unknown = preview.changes([str(issue) for issue in issues], self.unparsed)
        by_text = {str(issue): issue for issue in issues}
        for text in to_print:
            self._log(by_text[text])
        for text in fixed:
            content_log.info(f"fixed: {text}")
        summary = f"content: {tally(issues)}"
        if not first:
            summary += f" ({len(new)} new, {len(fixed)} fixed since the last build)"
        if unknown:
            files = sorted({problem_file(problem) for problem in unknown})
            summary += (f"; {counted(len(unknown), 'earlier problem')} of {_some(files)} not checked until "
                        f"{'it parses' if len(files) == 1 else 'they parse'}")
        content_log.info(summary)
        if not first:
            read, gone = self._read_again(preview)
            changed = [f"{what}: {_some(paths)}" for what, paths in (("read again", read), ("gone", gone)) if paths]
            content_log.info(f"rebuilt {preview.rebuilt} of {self.progress[1]} pages; "
                             + ("; ".join(changed) if changed else "no source file changed"))

    def on_serve(self, server, config: MkDocsConfig, builder):
        watch_without_following_links(server)
        own_files = [path for source in self.sources
                     for path in (source.path, source.cve_file, source.splunk_apps_file, source.d3fend_file)]
        for path in (*own_files, self.attack_bundle, self.cve_file, self.inputs.splunk_apps_file,
                     self.inputs.d3fend_file, self.about, self.logo):
            if path is not None and path.exists():
                server.watch(str(path))
        if self.preview is not None:
            self.preview.server = server
            server.builder = dirty_builder(config)
        return server

    def _dead_link(self, page_url: str, href: str) -> None:
        self.dead_links.setdefault(page_url, []).append(href)

    def _log(self, issue: Issue) -> None:
        if issue.severity is Severity.ERROR:
            log.error(str(issue))
        elif self.config.strict_content:
            log.warning(str(issue))
        else:
            content_log.warning(str(issue))


def _some(paths: list[str]) -> str:
    """The first three of `paths`, and how many more."""
    return ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")


def _diagrams(site, sources: tuple[ContentSource, ...]) -> dict[str, tuple[str, ...]]:
    """The playbook diagrams the pages hot-link (`pictures.diagram_sources`), each looked for in the source of the
    playbook that shows it (the first source's where two playbooks show the same), as `SourcesTree` paths."""
    wanted: dict[str, tuple[str, ...]] = {}
    for source in sources:
        prefix = source.shown_as + "/" if source.shown_as else ""
        own = diagram_sources((page.playbook.playbook, page.playbook.source.path[len(prefix):])
                              for page in site.playbooks if page.playbook.source.origin == source)
        for asked, candidates in own.items():
            wanted.setdefault(asked, tuple(prefix + candidate for candidate in candidates))
    return dict(sorted(wanted.items()))


def _texts(pages: list[Page]) -> list[str]:
    return [page.text for page in pages]


def _unlink_planted_links(site_dir: Path) -> None:
    """Remove symbolic links inside the site directory (the links, not what they point to).

    mkdocs writes through a link it finds there (its clean step leaves a
    linked directory in place), so a link planted in `site/` would have the
    build write outside it. mkdocs replaces everything it finds there anyway.
    """
    if site_dir.is_symlink() or not site_dir.is_dir():
        return
    for folder, directories, files in os.walk(site_dir):
        for name in sorted(directories + files):
            path = Path(folder) / name
            if path.is_symlink() and not name.startswith("."):  # mkdocs neither writes nor cleans hidden files
                log.warning(f"removed the symbolic link {path} (to {os.readlink(path)}): "
                            "the build would have written through it")
                path.unlink()


def _dead_link_issues(dead_links: dict[str, list[str]]) -> list[Issue]:
    """One warning per link target that no page serves, naming the pages (URL -> targets) that link to it."""
    pages_of: dict[str, list[str]] = {}
    for page_url, hrefs in dead_links.items():
        for href in dict.fromkeys(hrefs):
            pages_of.setdefault(href, []).append(page_url)
    issues = []
    for href, pages in sorted(pages_of.items()):
        example = pages[0] if len(pages) == 1 else f"{pages[0]} and {len(pages) - 1} more pages"
        issues.append(Issue(example, None, Severity.WARNING,
                            f"{href} is linked but no page serves it; the link is shown as plain text"))
    return issues


def _without(toc: TableOfContents, ids: set[str]) -> TableOfContents:
    kept = []
    for link in toc:
        if link.id in ids:
            continue
        link.children = list(_without(TableOfContents(link.children), ids))
        kept.append(link)
    return TableOfContents(kept)


def _hide(page: MkDocsPage, *sidebars: str) -> None:
    """The theme leaves out these sidebars of the page (`navigation`, `toc`: its `hide` setting)."""
    hidden = list(page.meta.get("hide") or [])
    page.meta["hide"] = hidden + [sidebar for sidebar in sidebars if sidebar not in hidden]


def _contents_entries(toc: TableOfContents) -> list:
    """The entries the theme's table of contents shows: a page's h1 is its title, not an entry; its sections are."""
    return [entry for top in toc for entry in (top.children if top.level == 1 else [top])]


def _sections_as_siblings(toc: TableOfContents, folded: set[str]) -> TableOfContents:
    """A content page's table of contents with its sections side by side, and each heading inside a folded section
    (`folded`, ids) under the heading before it: the published form's levels skip, and "Annotations" (h3) would
    otherwise hold Search, Macros, RBA, ... (h4)."""
    links: list = []

    def walk(items) -> None:
        for link in items:
            links.append(link)
            walk(link.children)

    walk(toc)
    shaped: list = []
    for link in links:
        nested = link.id in folded and shaped
        link.children = []
        (shaped[-1].children if nested else shaped).append(link)
    return TableOfContents(shaped)


def _site_url(file: File) -> str:
    """The site-absolute URL of a document, independent of use_directory_urls: "/endpoint/x/"."""
    return site_url(file.src_uri)
