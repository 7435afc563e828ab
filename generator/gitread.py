"""Read releases straight from a git repository's objects: tags, trees and file contents.

Nothing is checked out and nothing is written to the repository: one
long-running `git cat-file --batch` process answers every question (a tag's
commit and date, a tree's entries, a file's bytes). Trees are cached by their
object id, so the folders two tags share are walked once; the caller reads
each distinct file content once across all tags by asking for blob ids.
"""

from __future__ import annotations

import datetime
import fnmatch
import os
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .issues import Issue, Severity
from .slug import numbered_order


class GitError(Exception):
    """git could not answer (not a repository, git missing, a broken object): the message says which."""


@dataclass(frozen=True)
class Tag:
    """A release tag: its name, the commit it names, its date and the tree of its content folder."""

    name: str
    commit: str
    date: str
    """YYYY-MM-DD: the tagger's date for an annotated tag, the commit's for a lightweight one."""
    timestamp: int
    tree: str
    """The tree of the content folder at this tag (the repository's root tree when the content is the root)."""


FileEntry = tuple[str, str]
"""(path relative to the content folder, e.g. "detections/endpoint/x.yml"; blob id)."""


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    # Reads only: no lock files, no prompts, no pager, the messages in English.
    env.update(GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0", GIT_PAGER="cat", LC_ALL="C")
    return env


def _git(directory: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(directory), *args], capture_output=True, text=True,
                              env=_environment(), timeout=120)
    except FileNotFoundError:
        raise GitError("git is not installed (the releases are read with it)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} did not answer within 120 s") from None
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


class Repository:
    """A git working tree's repository, read through one `git cat-file --batch` process.

    Use as a context manager; the process ends with it.
    """

    def __init__(self, content_dir: Path):
        self.content_dir = content_dir
        try:
            top, prefix = _git(content_dir, "rev-parse", "--show-toplevel", "--show-prefix").split("\n")[:2]
        except GitError as exc:
            if "not a git repository" in str(exc):
                raise GitError("is not in a git repository, so no releases can be read from it") from None
            raise
        self.top = Path(top)
        self.prefix = prefix.rstrip("/")
        """The content folder relative to the repository's top ("" when it is the top)."""
        self._trees: dict[str, tuple[tuple[str, str, str], ...]] = {}
        self._files_under: dict[str, tuple[FileEntry, ...]] = {}
        self._lock = threading.Lock()
        self._process = subprocess.Popen(["git", "-C", str(self.top), "cat-file", "--batch"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                         env=_environment())

    def __enter__(self) -> "Repository":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.stdin.close()
            self._process.wait(timeout=30)
        self._process.stdout.close()

    # -- the object store ------------------------------------------------------------------------

    def _read_answer(self, name: str) -> tuple[str, str, bytes] | None:
        out = self._process.stdout
        header = out.readline()
        if not header:
            raise GitError("git cat-file ended unexpectedly")
        parts = header.split()
        if len(parts) != 3:  # "<name> missing" or "<name> ambiguous"
            return None
        sha, kind, size = parts[0].decode(), parts[1].decode(), int(parts[2])
        data = out.read(size)
        out.read(1)  # the newline after the object
        return sha, kind, data

    def object(self, name: str) -> tuple[str, str, bytes] | None:
        """(id, type, bytes) of the object `name` (an id or a revision such as "v1^{commit}"), None if missing."""
        if "\n" in name:
            return None
        with self._lock:
            self._process.stdin.write(name.encode() + b"\n")
            self._process.stdin.flush()
            return self._read_answer(name)

    def objects(self, names: list[str]) -> list[tuple[str, str, bytes] | None]:
        """`object` of each name, all asked at once (a thread writes the questions while the answers are read)."""
        names = [name for name in names if "\n" not in name]

        def ask() -> None:
            try:
                for start in range(0, len(names), 1000):
                    self._process.stdin.write("".join(n + "\n" for n in names[start:start + 1000]).encode())
                self._process.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass

        with self._lock:
            writer = threading.Thread(target=ask, daemon=True)
            writer.start()
            answers = [self._read_answer(name) for name in names]
            writer.join()
        return answers

    def tree(self, sha: str) -> tuple[tuple[str, str, str], ...]:
        """A tree's entries as (mode, name, id), read once per id."""
        entries = self._trees.get(sha)
        if entries is None:
            found = self.object(sha)
            if found is None or found[1] != "tree":
                raise GitError(f"tree {sha} is missing from the repository")
            entries = self._trees[sha] = tuple(_tree_entries(found[2]))
        return entries

    def read_trees(self, roots: Iterable[str]) -> None:
        """Read the trees below each of `roots` in a few batches, one level of folders at a time."""
        pending = list(dict.fromkeys(sha for sha in roots if sha not in self._trees))
        while pending:
            below: list[str] = []
            for sha, answer in zip(pending, self.objects(pending)):
                if answer is None or answer[1] != "tree":
                    continue  # tree() reports it when it is needed
                entries = self._trees[sha] = tuple(_tree_entries(answer[2]))
                below.extend(child for mode, _, child in entries if mode == "40000" and child not in self._trees)
            pending = list(dict.fromkeys(below))

    def files(self, tree: str, folders: Iterable[str], suffix: str = ".yml") -> list[FileEntry]:
        """The files ending in `suffix` at any depth of each of `folders` (e.g. "detections") of `tree`, by path.

        Symbolic links and submodules are not files of the content and are left out.
        """
        found: list[FileEntry] = []
        root = {name: (mode, sha) for mode, name, sha in self.tree(tree)}
        for folder in folders:
            mode, sha = root.get(folder, ("", ""))
            if mode == "40000":
                found.extend((f"{folder}/{path}", blob) for path, blob in self._under(sha, suffix))
        return sorted(found)

    def _under(self, tree: str, suffix: str) -> tuple[FileEntry, ...]:
        key = tree + suffix
        cached = self._files_under.get(key)
        if cached is None:
            entries: list[FileEntry] = []
            for mode, name, sha in self.tree(tree):
                if mode == "40000":
                    prefix = name + "/"
                    entries.extend((prefix + path, blob) for path, blob in self._under(sha, suffix))
                elif mode in ("100644", "100755") and name.endswith(suffix):
                    entries.append((name, sha))
            cached = self._files_under[key] = tuple(entries)
        return cached

    def blobs(self, ids: list[str]) -> dict[str, bytes]:
        """The bytes of each blob id (those missing are left out)."""
        return {sha: data for sha, answer in zip(ids, self.objects(ids))
                if answer is not None and answer[1] == "blob" for data in (answer[2],)}

    # -- tags ------------------------------------------------------------------------------------

    def tag_names(self, pattern: str = "*") -> list[str]:
        """The tags whose name matches `pattern` (shell wildcards, as `git tag -l`; `*` also matches "/")."""
        names = _git(self.top, "for-each-ref", "--format=%(refname:strip=2)", "refs/tags").splitlines()
        return sorted(name for name in names if fnmatch.fnmatchcase(name, pattern))

    def is_shallow(self) -> bool:
        """Whether the repository is a shallow clone (`git clone --depth 1`), which has one tag or none."""
        return _git(self.top, "rev-parse", "--is-shallow-repository").strip() == "true"

    def tag(self, name: str) -> Tag:
        """The tag `name` resolved to its commit, date and content tree; GitError says why it cannot be."""
        ref = f"refs/tags/{name}"
        named = self.object(ref)
        if named is None:
            raise GitError("names an object that is missing from the repository")
        commit = self.object(ref + "^{commit}")
        if commit is None:
            raise GitError(f"names a {named[1]}, not a commit")
        headers = _headers(commit[2])
        timestamp = _timestamp(_headers(named[2]).get("tagger") if named[1] == "tag" else None) \
            or _timestamp(headers.get("committer"))
        date = _date(_headers(named[2]).get("tagger") if named[1] == "tag" else headers.get("committer"))
        tree = headers.get("tree", "")
        if self.prefix:
            found = self.object(f"{commit[0]}:{self.prefix}")
            if found is None or found[1] != "tree":
                raise GitError(f"has no folder {self.prefix}/ (the content folder)")
            tree = found[0]
        return Tag(name, commit[0], date, timestamp or 0, tree)


def _tree_entries(data: bytes):
    position = 0
    while position < len(data):
        space = data.index(b" ", position)
        nul = data.index(b"\0", space)
        yield (data[position:space].decode(), data[space + 1:nul].decode("utf-8", "surrogateescape"),
               data[nul + 1:nul + 21].hex())
        position = nul + 21


def _headers(data: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in data.split(b"\n\n", 1)[0].decode("utf-8", "replace").split("\n"):
        key, _, value = line.partition(" ")
        headers.setdefault(key, value)
    return headers


def _timestamp(signature: str | None) -> int | None:
    """The seconds of "Name <mail> 1590537600 +0200"."""
    try:
        return int(signature.rsplit(" ", 2)[1]) if signature else None
    except (IndexError, ValueError):
        return None


def _date(signature: str | None) -> str:
    """YYYY-MM-DD of a signature, in its own time zone (as `git log --date=short` shows it)."""
    try:
        seconds, zone = signature.rsplit(" ", 2)[1:]
        offset = (int(zone[1:3]) * 60 + int(zone[3:5])) * (-1 if zone[0] == "-" else 1)
        moment = datetime.datetime.fromtimestamp(int(seconds), datetime.timezone(datetime.timedelta(minutes=offset)))
        return moment.date().isoformat()
    except (AttributeError, IndexError, ValueError):
        return ""


def read_tags(repository: Repository, pattern: str) -> tuple[list[Tag], list[Issue]]:
    """The tags matching `pattern`, oldest first (by date, then name), and one located error per broken tag."""
    tags, issues = [], []
    for name in repository.tag_names(pattern):
        try:
            tags.append(repository.tag(name))
        except GitError as exc:
            issues.append(Issue(f"{repository.top}: tag {name}", None, Severity.ERROR,
                                f"{exc}; this release is left out"))
    return sorted(tags, key=lambda tag: (tag.timestamp, numbered_order(tag.name))), issues  # v4.10.0 after v4.9.1
