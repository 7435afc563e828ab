"""The persistent build cache: what one build of the site keeps for the next (`mkdocs build`, `mkdocs serve`).

Where: one SQLite file in the folder the plugin's `build_cache` setting names (`.cache/security-content`
beside mkdocs.yml by default; the `BUILD_CACHE` environment variable overrides it, and empty turns the
cache off).

What: for each generated page, what converting its Markdown gave (its HTML, table of contents, anchors,
links, dead links, search summary and messages) and the finished page the theme made of it. Each is
kept under a key of everything it depends on, so nothing stale is ever used:

- the page's address and its Markdown, which holds all that the content, the ATT&CK bundle, the
  reference files and the generator's templates put in the page;
- the generator's own files, the version of every installed package, Python's version;
- mkdocs' configuration as loaded (settings given by environment variables included), and for the
  finished page also the theme's settings, the navigation and the files of the theme's overrides;
- the answer of each link lookup the page made (does a page serve /stories/x/?), asked again before an
  entry is used: a page that linked to a page that is gone, or to one that was not there, is converted
  again.

Each entry is stored with a digest of its bytes, checked when it is read. A cache file that cannot be
read, is not a cache of this format, or holds an entry that does not match its digest is not trusted:
there is one warning, the build goes on as if there were no cache, and a fresh cache replaces it. Entries
that no build used in the last few builds are removed.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import sqlite3
import sys
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

FORMAT = "security-content-build-cache 2"
"""Changes whenever what is stored, or how, changes: a cache of another format is ignored and replaced."""
FILE_NAME = "cache.sqlite"
KEEP_BUILDS = 5
"""An entry no build used in this many builds (a `mkdocs serve` session counts as one) is removed."""
BATCH = 500
"""New entries are written in transactions of this many, so that a large first build holds few in memory."""

TIMED = ("BuildCache.get", "BuildCache.put", "BuildCache.put_text", "BuildCache.put_packed", "BuildCache.close", "BuildCache.open", "environment_key")
"""What benchmarks/stages.py times as the cache's share of a build."""


def digest(*parts: str | bytes) -> str:
    """A short, stable digest of the parts (each one delimited, so ("ab", "c") differs from ("a", "bc"))."""
    hasher = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


@lru_cache(maxsize=1)  # the code and packages of a running process do not change (mkdocs serve: once)
def environment_key() -> str:
    """What every entry depends on besides its own inputs: the generator's files (code and templates),
    the installed packages' versions (mkdocs, the theme, Markdown, ...), Python's version, the format."""
    import generator

    parts: list[str | bytes] = [FORMAT, sys.version]
    package = Path(generator.__file__).parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            parts += [path.relative_to(package).as_posix(), path.read_bytes()]
    versions = sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions())
    return digest(*parts, *versions)


def folder_key(folder: str | os.PathLike | None) -> str:
    """A digest of every file under `folder` (the theme's overrides), or of nothing when there is none."""
    if not folder or not Path(folder).is_dir():
        return digest("")
    root = Path(folder)
    parts: list[str | bytes] = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            parts += [path.relative_to(root).as_posix(), path.read_bytes()]
    return digest(*parts)


def plain(value: Any) -> Any:
    """A configuration value as JSON-able data for a key: mappings, sequences, scalars; objects by their type
    and, for those that have one, their own settings (a plugin's config, a Markdown extension's)."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if hasattr(value, "items"):
        try:
            return {str(key): plain(item) for key, item in sorted(value.items(), key=lambda pair: str(pair[0]))}
        except TypeError:
            pass
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(item) for item in value]
        return sorted(items, key=json.dumps) if isinstance(value, (set, frozenset)) else items
    described: dict[str, Any] = {"type": f"{type(value).__module__}.{type(value).__qualname__}"}
    if hasattr(value, "config") and hasattr(value.config, "items"):
        described["config"] = plain(value.config)
    elif hasattr(value, "getConfigs"):
        described["config"] = plain(value.getConfigs())
    return described


class BuildCache:
    """One build's use of the cache file: `get` and `put` entries, then `close` (writes and tidies up).

    Every failure to read or write is a warning (`warn`, once) and leaves the build as it would be without
    a cache; nothing here raises.
    """

    def __init__(self, folder: Path, warn: Callable[[str], None]):
        self.folder = folder
        self.path = folder / FILE_NAME
        self._warn = warn
        self._warned = False
        self._connection: sqlite3.Connection | None = None
        self._trusted = False
        """Entries may be read (the file is a healthy cache of this format)."""
        self._replace = False
        """The file is not a usable cache: a new one is written in its place."""
        self._pending: list[tuple[str, bytes, str]] = []
        self._used: set[str] = set()
        self._build = 0
        self.hits = 0
        self.misses = 0

    @classmethod
    def open(cls, folder: Path, warn: Callable[[str], None], new_build: bool = True) -> "BuildCache":
        """The cache in `folder`; `new_build`: this build counts as one more (a `mkdocs serve` session's
        rebuilds count as its first build, so that the pages they do not touch are kept)."""
        cache = cls(folder, warn)
        cache._open(new_build)
        return cache

    def _open(self, new_build: bool) -> None:
        try:
            if self.folder.is_symlink() or self.path.is_symlink() or (self.path.exists() and not self.path.is_file()):
                self._fail(f"the build cache {self.path} is not a regular file; it is not used")
                return
            self.folder.mkdir(parents=True, exist_ok=True)
            existed = self.path.exists()
            self._connection = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            if existed:
                self._check_format()
            if not existed or self._replace:
                self._start_fresh()
            self._build = self._counter() + (1 if new_build or not existed else 0)
            self._set("build", str(self._build))
        except (sqlite3.Error, OSError, ValueError) as error:
            self._fail(f"the build cache {self.path} cannot be used ({error}); it is ignored")

    def _check_format(self) -> None:
        connection = self._connection
        try:
            found = connection.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
            connection.execute("SELECT count(*) FROM entries").fetchone()
        except sqlite3.DatabaseError as error:
            if _busy(error):
                raise  # another build is writing it: not used by this one, and left as it is
            self._warn_once(f"the build cache {self.path} cannot be read ({error}); it is ignored and replaced")
            self._replace = True
            return
        if found is None or found[0] != FORMAT:
            self._warn_once(f"the build cache {self.path} is of another format "
                            f"({found[0] if found else 'none'}); it is ignored and replaced")
            self._replace = True
            return
        self._trusted = True

    def _start_fresh(self) -> None:
        """A new, empty cache file in place of the old one (written beside it, then moved over it)."""
        if self._connection is not None:
            self._connection.close()
        fresh = self.folder / (FILE_NAME + ".new")
        fresh.unlink(missing_ok=True)
        connection = sqlite3.connect(fresh, timeout=5, isolation_level=None)
        connection.executescript(
            "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT);"
            "CREATE TABLE entries (key TEXT PRIMARY KEY, value BLOB NOT NULL, digest TEXT NOT NULL,"
            " used INTEGER NOT NULL);")
        connection.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
        connection.close()
        os.replace(fresh, self.path)
        self._connection = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        self._trusted, self._replace = True, False

    def _counter(self) -> int:
        found = self._connection.execute("SELECT value FROM meta WHERE name = 'build'").fetchone()
        return int(found[0]) if found else 0

    def _set(self, name: str, value: str) -> None:
        self._connection.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    # -- entries ------------------------------------------------------------------------------------

    def get(self, key: str) -> Any | None:
        """The value kept under `key`, or None (none kept, or the cache is not to be trusted)."""
        packed = self.get_packed(key)
        if packed is None:
            return None
        try:
            return unpack(packed)
        except (zlib.error, ValueError) as error:
            self._distrust(f"the build cache {self.path} holds an entry that cannot be read ({error}); "
                           "it is ignored and replaced")
            return None

    def has(self, key: str) -> bool:
        """Whether an entry is kept under `key` (it is checked when read)."""
        if not self._trusted:
            return False
        try:
            return self._connection.execute("SELECT 1 FROM entries WHERE key = ?", (key,)).fetchone() is not None
        except sqlite3.Error as error:
            self._unreadable(error)
            return False

    def keep(self, key: str) -> None:
        """The entry under `key` (if any) is still current, though this build did not read it: it is kept as long
        as the entries this build read (a page's conversion, while the page's finished HTML is what is reused)."""
        if self._trusted:
            self._used.add(key)

    def _unreadable(self, error: sqlite3.Error) -> None:
        if _busy(error):
            self._fail(f"the build cache {self.path} is in use by another build ({error}); it is not used")
        else:
            self._distrust(f"the build cache {self.path} cannot be read ({error}); it is ignored and replaced")

    def get_packed(self, key: str) -> bytes | None:
        """The value kept under `key`, checked against its digest but still packed (`unpack` it): a finished
        page is read when its conversion is skipped and used only when the theme's turn comes."""
        if not self._trusted:
            return None
        try:
            row = self._connection.execute("SELECT value, digest FROM entries WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as error:
            self._unreadable(error)
            return None
        if row is None:
            self.misses += 1
            return None
        if digest(row[0]) != row[1]:
            self._distrust(f"the build cache {self.path} holds an entry that does not match its digest; "
                           "it is ignored and replaced")
            return None
        self._used.add(key)
        self.hits += 1
        return row[0]

    def put(self, key: str, value: Any) -> None:
        """Keep `value` (JSON-able) under `key` for later builds."""
        if self._connection is not None:
            self.put_packed(key, pack(value))

    def put_text(self, key: str, text: str) -> None:
        """Keep `text` under `key` as it is (`unpack_text` reads it back): a finished page is read back whole."""
        if self._connection is not None:
            self.put_packed(key, pack_text(text))

    def put_packed(self, key: str, stored: bytes) -> None:
        """Keep what `pack` or `pack_text` made (in this process or another) under `key`."""
        if self._connection is None:
            return
        self._pending.append((key, stored, digest(stored)))
        self._used.add(key)
        if len(self._pending) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self._pending or self._connection is None:
            return
        rows = [(key, stored, checked, self._build) for key, stored, checked in self._pending]
        self._pending = []
        try:
            with self._transaction():
                self._connection.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error as error:
            self._fail(f"the build cache {self.path} cannot be written ({error}); this build's pages are not kept")

    def _transaction(self):
        connection = self._connection

        class Transaction:
            def __enter__(self):
                connection.execute("BEGIN IMMEDIATE")

            def __exit__(self, kind, error, trace):
                connection.execute("COMMIT" if kind is None else "ROLLBACK")
                return False

        return Transaction()

    def close(self) -> None:
        """Write what is new, mark what this build used, remove what no recent build used."""
        if self._connection is None:
            return
        try:
            if self._replace:
                self._start_fresh()
                self._set("build", str(self._build))
            self._flush()
            if self._connection is not None:
                with self._transaction():
                    self._connection.executemany("UPDATE entries SET used = ? WHERE key = ?",
                                                 [(self._build, key) for key in self._used])
                    self._connection.execute("DELETE FROM entries WHERE used <= ?", (self._build - KEEP_BUILDS,))
        except (sqlite3.Error, OSError) as error:
            self._warn_once(f"the build cache {self.path} cannot be written ({error})")
        finally:
            if self._connection is not None:
                self._connection.close()
            self._connection = None

    # -- failures -----------------------------------------------------------------------------------

    def _distrust(self, message: str) -> None:
        """Stop reading the file (what was read was checked); it is replaced when the build ends."""
        self._warn_once(message)
        self._trusted = False
        self._replace = True

    def _fail(self, message: str) -> None:
        """Stop using the cache for this build."""
        self._warn_once(message)
        self._trusted = False
        self._pending = []
        if self._connection is not None:
            try:
                self._connection.close()
            except sqlite3.Error:
                pass
        self._connection = None

    def _warn_once(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            self._warn(message)


def pack(value: Any) -> bytes:
    """A JSON-able value as an entry keeps it (`unpack` reads it back)."""
    return zlib.compress(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"), 1)


def pack_text(text: str) -> bytes:
    """A text as an entry keeps it (`unpack_text` reads it back)."""
    return zlib.compress(text.encode("utf-8"), 1)


def unpack(packed: bytes) -> Any:
    """A value `get_packed` gave (it matched its digest, so it is what was written)."""
    return json.loads(zlib.decompress(packed))


def unpack_text(packed: bytes) -> str:
    """A text `put_text` kept, as `get_packed` gave it."""
    return zlib.decompress(packed).decode("utf-8")


def _busy(error: sqlite3.Error) -> bool:
    return isinstance(error, sqlite3.OperationalError) and ("locked" in str(error) or "busy" in str(error))


# -- the pages of the site ----------------------------------------------------------------------------

PAGE_EVENTS = ("on_pre_page", "on_page_read_source", "on_page_markdown", "on_page_content", "on_page_context",
               "on_post_page", "on_env", "on_template_context")
"""Events through which a plugin could change a page after the cache's key of it is taken."""

FINISHED_TEMPLATE = "security-content/finished-page.html"
"""The template of a page whose finished HTML was made before its turn (kept by the cache, or made by the child
process of convert.py): it writes that HTML as it is, or where there is none after all (`finished_page` None),
the page's own template (its `template`, restored before the page is rendered)."""
FINISHED_TEMPLATE_SOURCE = ('{% if page.finished_page is not none %}{{ page.finished_page }}'
                            '{% else %}{% include page.meta.template | default("main.html") %}{% endif %}')
"""(The theme's environment does not escape.)"""

_PATHS = frozenset({"config_file_path", "site_dir", "docs_dir", "dev_addr", "watch", "strict"})
"""Settings that are where things are, or how a build reports, not what a page shows (the pages' Markdown,
which the content's paths lead to, is part of each key)."""
_CONVERSION = ("markdown_extensions", "mdx_configs", "use_directory_urls", "validation")
"""Settings that Markdown conversion reads."""
_OWN_SETTINGS = ("search_sections",)
"""This plugin's settings that change a page's conversion or its finished HTML beyond its Markdown."""


def fingerprints(config, own_settings, serving: bool) -> tuple[str, str]:
    """(what conversion depends on, what a finished page depends on) in this configuration, besides the page.

    Conversion: the environment, the Markdown settings, this plugin's search setting. A finished page: all
    of that, every other setting as loaded (theme, palette, navigation, site URL, scripts, other plugins'
    settings), the files of the theme's overrides, the titles of navigation entries that take their page's
    title, and whether the site is served (`mkdocs serve` pages have no security policy).
    """
    settings = {name: value for name, value in config.items() if name not in _PATHS and name != "plugins"}
    plugins = {name: plain(plugin.config) for name, plugin in config.plugins.items()
               if not hasattr(plugin.config, "content_dir")}
    own = {name: plain(own_settings[name]) for name in _OWN_SETTINGS}
    conversion = digest(environment_key(), json.dumps({name: plain(settings.get(name)) for name in _CONVERSION},
                                                      sort_keys=True), json.dumps(own, sort_keys=True))
    theme = config.theme
    finished = digest(conversion, json.dumps(plain(settings), sort_keys=True), json.dumps(plugins, sort_keys=True),
                      json.dumps({"name": theme.name, "options": plain(dict(theme))}, sort_keys=True),
                      folder_key(theme.custom_dir), "serve" if serving else "build")
    return conversion, finished


def nav_entries(nav) -> list[tuple[str | None, str]]:
    """(title, document) of each page mkdocs.yml's navigation names; the title None where the entry takes the
    page's own title."""
    found: list[tuple[str | None, str]] = []
    for item in nav if isinstance(nav, list) else []:
        if isinstance(item, str):
            found.append((None, item))
        elif isinstance(item, dict):
            for title, value in item.items():
                found.extend(nav_entries(value) if isinstance(value, list) else
                             [(title, value)] if isinstance(value, str) else [])
    return found


class PageCache:
    """The build cache's side of each generated page: was it converted and finished by an earlier build,
    with the same inputs (and its links still leading where they led)? And keeping this build's."""

    def __init__(self, store: BuildCache, conversion_key: str, finished_key: str):
        self.store = store
        self._conversion_key, self._finished_key = conversion_key, finished_key
        self._keys: dict[str, str] = {}
        """src_uri -> the page's key: its address and Markdown, under this configuration."""
        self._found: dict[str, dict] = {}
        """src_uri -> what an earlier conversion of the page found (its `facts`), where it can be used."""
        self._finished: set[str] = set()
        """src_uris whose finished page is kept."""
        self.reused = 0
        self.reused_finished = 0
        """Pages whose earlier conversion, and finished page, this build used."""

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, src_uri: str, markdown: str, guarded: bool) -> None:
        self._keys[src_uri] = digest(self._conversion_key, src_uri, markdown, "guarded" if guarded else "")

    def add_nav_titles(self, nav, files) -> None:
        """Pages the navigation names by their own title make every finished page depend on their Markdown."""
        untitled = []
        for uri in [uri for title, uri in nav_entries(nav) if title is None]:
            file = files.get_file_from_path(uri)
            untitled += [uri, file.content_bytes if file is not None else b""]
        if untitled:
            self._finished_key = digest(self._finished_key, *untitled)

    def look_up(self, src_uri: str, still_leads: Callable[[dict], bool]) -> None:
        """Find what an earlier build kept of this page; `still_leads(lookups)`: its links lead where they did."""
        key = self._keys.get(src_uri)
        if key is None:
            return
        found = self.store.get("facts:" + key)
        if found is None or not still_leads(found["lookups"]):
            return
        finished = self.store.has(self._finished_entry(key))
        if finished or self.store.has("body:" + key):
            self._found[src_uri] = found
            if finished:
                self._finished.add(src_uri)

    def wants_conversion(self, src_uri: str) -> bool:
        return src_uri not in self._found

    def finished(self, src_uri: str) -> bool:
        """Whether the page's finished HTML is kept (as far as `look_up` could tell: it is checked when read)."""
        return src_uri in self._finished

    def converted(self, src_uri: str):
        """(the earlier conversion of the page, its finished page still packed or None), or None: convert it."""
        from .convert import from_data

        found = self._found.pop(src_uri, None)
        if found is None:
            return None
        key = self._keys[src_uri]
        finished = self.store.get_packed(self._finished_entry(key)) if src_uri in self._finished else None
        kept_body = None
        if finished is None:
            kept_body = self.store.get("body:" + key)
            if kept_body is None:
                return None
        else:  # the conversion is still this page's: a change of the theme alone will need it
            self.store.keep("body:" + key)
        self.reused += 1
        self.reused_finished += finished is not None
        return from_data(found, kept_body), finished

    def keep_conversion(self, src_uri: str, converted) -> None:
        key = self._keys.get(src_uri)
        if key is not None:
            self.keep_packed(src_uri, self.packed_conversion(converted))

    @staticmethod
    def packed_conversion(converted) -> tuple[bytes, bytes]:
        """What `keep_conversion` keeps of a conversion, packed (the child process of convert.py packs its own)."""
        from .convert import body, facts

        return pack(facts(converted)), pack(body(converted))

    def keep_packed(self, src_uri: str, conversion: tuple[bytes, bytes], finished: bytes | None = None) -> None:
        """Keep a conversion and perhaps its finished page, as `packed_conversion` and `pack_text` made them."""
        key = self._keys.get(src_uri)
        if key is not None:
            self.store.put_packed("facts:" + key, conversion[0])
            self.store.put_packed("body:" + key, conversion[1])
            if finished is not None:
                self.store.put_packed(self._finished_entry(key), finished)

    def keep_finished(self, src_uri: str, html: str) -> None:
        key = self._keys.get(src_uri)
        if key is not None:
            self.store.put_text(self._finished_entry(key), html)

    def _finished_entry(self, key: str) -> str:
        return "page:" + digest(key, self._finished_key)
