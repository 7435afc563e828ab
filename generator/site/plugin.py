"""The mkdocs plugin: runs the generator for `mkdocs build` and `mkdocs serve`.

It only orchestrates: `pipeline.generate` loads and enriches the content,
`site.layout.render_site` lays the pages out, and the pages are handed to
mkdocs as generated files (nothing is written into docs/). The kramdown
extension is added to mkdocs' Markdown so the published Markdown shows as
it did on the published site.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page as MkDocsPage
from mkdocs.structure.toc import TableOfContents
from pymdownx.emoji import gemoji

from ..exceptions import GeneratorError
from ..issues import Issue, Severity
from ..pipeline import Inputs, generate
from .config import PluginConfig
from .layout import legacy_redirects
from .markdown import KramdownExtension, emoji_character

log = get_plugin_logger(__name__)

# Content warnings go through their own logger, which mkdocs' --strict does not
# count: the sources are not the site's to fix (the published corpus alone has
# dozens). `strict_content: true` sends them through the counted logger instead.
content_log = logging.getLogger("security_content")
if not content_log.handlers:
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    content_log.addHandler(_handler)
    content_log.propagate = False

REQUIRED_EXTENSIONS = ("tables", "attr_list", "md_in_html", "smarty", "fenced_code", "pymdownx.emoji")
EXTENSION_CONFIGS = {
    # GitHub's emoji names (jemoji's, on the published site), shown as characters: nothing is fetched.
    "pymdownx.emoji": {"emoji_index": gemoji, "emoji_generator": emoji_character},
}


class SecurityContentPlugin(BasePlugin[PluginConfig]):
    supports_multiple_instances = False

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path or ".").parent
        self.content_dir = (root / self.config.content_dir).resolve()
        self.attack_bundle = (root / self.config.attack_bundle).resolve()
        self.cve_file = (root / self.config.cve_file).resolve() if self.config.cve_file else None
        optional = {key: (root / value).resolve() if value else None
                    for key, value in (("splunk_apps_file", self.config.splunk_apps_file),
                                       ("d3fend_file", self.config.d3fend_file))}
        self.inputs = Inputs(self.attack_bundle, self.cve_file, form=self.config.form or None, **optional)
        for name in REQUIRED_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
                if name in EXTENSION_CONFIGS:
                    config.mdx_configs[name] = EXTENSION_CONFIGS[name]
        self.dead_links: dict[str, list[str]] = defaultdict(list)
        self.added_redirects: list[str] = []
        self.extension = KramdownExtension(report=self._dead_link)
        config.markdown_extensions.append(self.extension)
        return config

    def on_pre_build(self, config: MkDocsConfig) -> None:
        try:
            generated = generate(self.content_dir, self.inputs, layout="mkdocs")
        except GeneratorError as exc:
            raise PluginError(str(exc)) from None
        self.pages = generated.pages
        self.redirects = legacy_redirects(generated.site)
        for issue in generated.issues:
            self._log(issue)
        self.dead_links.clear()

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        for page in self.pages:
            src_uri = "/".join(page.path)
            if files.get_file_from_path(src_uri) is not None:
                log.warning(f"docs/{src_uri} is kept; it replaces the generated page for {page.url}")
                continue
            files.append(File.generated(config, src_uri, content=page.text))
        self.extension.documents = {_site_url(f): f.src_uri for f in files.documentation_pages()}
        self._add_redirects(config)
        return files

    def _add_redirects(self, config: MkDocsConfig) -> None:
        """Old detection addresses redirect to the current ones, through the mkdocs-redirects plugin."""
        if not self.redirects:
            return
        redirects = config.plugins.get("redirects")
        if redirects is None:
            log.warning(f"{len(self.redirects)} detections moved to new addresses; add the 'redirects' plugin "
                        "(mkdocs-redirects) to mkdocs.yml so that their old addresses keep working")
            return
        maps = redirects.config["redirect_maps"]
        for old in self.added_redirects:  # a rebuild under `mkdocs serve` starts afresh
            maps.pop(old, None)
        self.added_redirects = [old for old in self.redirects if old not in maps]
        maps.update((old, self.redirects[old]) for old in self.added_redirects)

    def on_page_markdown(self, markdown: str, page: MkDocsPage, config: MkDocsConfig, files: Files) -> str:
        self.extension.set_page(_site_url(page.file), page.file.src_uri)
        # The published front matter's `tags` were Jekyll's tag archive; the
        # theme would take them for its own tags and let them outrank titles in
        # search. The site's tag index (/tags/) is built from the model instead.
        if "tags" in page.meta:
            page.meta["published_tags"] = page.meta.pop("tags")
        return markdown

    def on_page_content(self, html: str, page: MkDocsPage, config: MkDocsConfig, files: Files) -> str:
        if self.extension.hidden_ids:  # empty sections are hidden; so are their table of contents entries
            page.toc = _without(page.toc, self.extension.hidden_ids)
        return html

    def on_post_build(self, config: MkDocsConfig) -> None:
        for href, pages in sorted(self.dead_links.items()):
            example = pages[0] if len(pages) == 1 else f"{pages[0]} and {len(pages) - 1} more pages"
            self._log(Issue(example, None, Severity.WARNING, f"{href} is linked but no page serves it; "
                                                            "the link is shown as plain text"))

    def on_serve(self, server, config: MkDocsConfig, builder):
        for path in (self.content_dir, self.attack_bundle, self.cve_file):
            if path is not None and path.exists():
                server.watch(str(path))
        return server

    def _dead_link(self, page_url: str, href: str) -> None:
        self.dead_links[href].append(page_url)

    def _log(self, issue: Issue) -> None:
        if issue.severity is Severity.ERROR:
            log.error(str(issue))
        elif self.config.strict_content:
            log.warning(str(issue))
        else:
            content_log.warning(str(issue))


def _without(toc: TableOfContents, ids: set[str]) -> TableOfContents:
    kept = []
    for link in toc:
        if link.id in ids:
            continue
        link.children = list(_without(TableOfContents(link.children), ids))
        kept.append(link)
    return TableOfContents(kept)


def _site_url(file: File) -> str:
    """The site-absolute URL of a document, independent of use_directory_urls: "/endpoint/x/"."""
    uri = file.src_uri[:-3] if file.src_uri.endswith(".md") else file.src_uri
    if uri == "index" or uri.endswith("/index"):
        uri = uri[: -len("index")]
    return "/" + (uri.rstrip("/") + "/" if uri else "")
