"""What every page shares is written once: the theme's frame around each page made small.

The theme repeats in every page its icons (inline SVG), its setup script, its
palette script, its configuration (a block of JSON) and its search dialog.
The overrides (`overrides/partials/`) replace each with a reference to a
file the pages share: the icons' stylesheet, the setup script and the
search dialog's script are static templates (rendered once per build from
the same settings as the pages), named here.
The theme's files no reader needs are left out of the site: the source maps
of its minified scripts and styles, and the search languages the search
plugin does not use.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from mkdocs.structure.files import File

FRAME_TEMPLATES = ("assets/stylesheets/sc-icons.css", "assets/javascripts/sc-frame.js",
                   "assets/javascripts/sc-search.js")
"""The static templates of overrides/ that the frame's pages refer to."""

SEARCH_WORKERS = "assets/javascripts/workers/search.*.min.js"
LUNR_FOLDER = "assets/javascripts/lunr/"


def frame_templates(theme_dirs: Iterable[str]) -> list[str]:
    """The frame's static templates the theme's folders have (a site without the project's overrides has none)."""
    dirs = [Path(folder) for folder in theme_dirs]
    return [name for name in FRAME_TEMPLATES if any((folder / name).is_file() for folder in dirs)]


def theme_search_worker(theme_dirs: Iterable[str]) -> str | None:
    """The theme's search worker ("assets/javascripts/workers/search.<hash>.min.js"): the setup script names the
    site's worker in its place (search.search_worker)."""
    for folder in theme_dirs:
        found = sorted(Path(folder).glob(SEARCH_WORKERS))
        if found:
            return found[0].relative_to(folder).as_posix()
    return None


def lunr_files_needed(languages: Iterable[str]) -> set[str]:
    """The files of the theme's lunr folder that its search worker loads for `languages` (the search plugin's
    `lang`): none for English alone; the stemmer support, each other language and, for several, lunr.multi."""
    languages = list(languages)
    needed = {f"min/lunr.{language}.min.js" for language in languages if language != "en"}
    if "ja" in languages:
        needed.add("tinyseg.js")
    if "hi" in languages or "th" in languages:
        needed.add("wordcut.js")
    if len(languages) > 1:
        needed.add("min/lunr.multi.min.js")
    if needed:
        needed.add("min/lunr.stemmer.support.min.js")
    return needed


def unused_theme_files(files: Iterable[File], theme_dirs: Iterable[str],
                       languages: Iterable[str] | None) -> list[File]:
    """The theme's files no reader of the site loads: source maps, and lunr's languages the search does not use
    (`languages` None: no theme search, every language kept). Files of docs/ are the site's own, and kept."""
    needed = lunr_files_needed(languages) if languages is not None else None
    theme = {str(Path(folder)) for folder in theme_dirs}
    unused = []
    for file in files:
        if file.generated_by is not None or file.src_dir is None or str(Path(file.src_dir)) not in theme:
            continue
        uri = file.src_uri
        if uri.startswith("assets/") and uri.endswith(".map"):
            unused.append(file)
        elif needed is not None and uri.startswith(LUNR_FOLDER) and uri[len(LUNR_FOLDER):] not in needed:
            unused.append(file)
    return unused
