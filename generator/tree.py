"""The content tree: which source files a content directory holds, and their text.

Every source file is found and read through a `ContentTree`, so that what may
be read is decided in one place. A tree lists the `.yml` files under a folder
as sorted paths relative to its root (the paths issues are reported at), with
a located issue for each entry it cannot or must not read, and reads a file's
text or says why it cannot. `DirectoryTree` is a folder on disk; a tree over a
git commit or over several folders offers the same four methods.

`DirectoryTree` never reads outside its root. It walks and opens relative to
open folders with O_NOFOLLOW, so no symbolic link is followed by accident,
even one planted while a build runs: a link to a file inside the root is read
(through the file's own path), and everything else a link may lead to (out of
the root, to a folder, round in a loop, nowhere) is reported and left out.
Folders reached through links are never walked, so no walk can loop.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Hashable, Protocol

from .issues import Issue, Severity

SUFFIX = ".yml"

LINK_OUTSIDE = "is a symbolic link to a file outside the content directory; it is not read"
LINK_NOWHERE = "is a symbolic link that leads nowhere (a loop or a missing file); it is not read"
LINK_NOT_A_FILE = "is a symbolic link to something that is not a file; it is not read"
LINK_TO_FOLDER = "is a symbolic link to a folder; links to folders are not followed, so nothing in it is read"
FOLDER_LINK_OUTSIDE = "is a symbolic link to a folder outside the content directory; nothing in it is read"
NOT_A_FILE = "is not a regular file (a pipe, socket or device); it is not read"
FOLDER_NAMED_AS_FILE = "is a folder, not a file; it is not read"
VANISHED = "was removed while the content was being read; it is left out"

SETTLING_NS = 3_000_000_000
"""A file changed this recently may change again without its size or time changing (file times are coarse:
2 s on FAT); its stamp is not trusted until it is older than this."""


class Unreadable(Exception):
    """Why a listed file cannot be read; `severity` says whether the run has an error."""

    def __init__(self, message: str, severity: Severity = Severity.ERROR):
        super().__init__(message)
        self.message = message
        self.severity = severity


class TooLarge(Unreadable):
    """A file over the size asked for (`size` bytes); it is not read."""

    def __init__(self, size: int):
        super().__init__(f"is {size} bytes, more than may be read", Severity.WARNING)
        self.size = size


@dataclass(frozen=True)
class Listing:
    """The .yml files under a folder, sorted, and the issues of what was left out."""

    paths: tuple[str, ...]
    """Relative to the tree's root, with `/` separators."""
    issues: tuple[Issue, ...]


class ContentTree(Protocol):
    """What the loader needs of a content directory, wherever its files are kept."""

    def yaml_files(self, folder: str, recursive: bool = False) -> Listing:
        """The .yml files directly in `folder` (and in its subfolders, if `recursive`); nothing when it is absent."""

    def read_text(self, path: str) -> str:
        """The text of a listed file, or Unreadable."""

    def read_bytes(self, path: str, limit: int) -> bytes:
        """The bytes of a file of at most `limit` bytes; Unreadable (TooLarge when it is larger)."""

    def stamp(self, path: str) -> Hashable | None:
        """A value that changes whenever the file's text may have; None when that cannot be told (read it)."""

    def is_dir(self, folder: str) -> bool:
        """Whether `folder` is a folder of the tree (not a link to one)."""

    def exists(self, path: str) -> bool:
        """Whether something is at `path` (a file, a link, ...), to be read or refused by `read_text`."""


def file_stamp(path: str | os.PathLike) -> Hashable | None:
    """A value that changes whenever the file at `path` may have changed; None when that cannot be told."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    if found.st_mtime_ns > time.time_ns() - SETTLING_NS:
        return None  # changed a moment ago: it may change again within the same file time
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)


class DirectoryTree:
    """A content directory on disk (see the module's docstring)."""

    def __init__(self, root: Path | str):
        # The content directory itself may be a link: it is where the user pointed us, so it is resolved once.
        self.root = os.path.realpath(root)

    def __repr__(self) -> str:
        return f"DirectoryTree({self.root!r})"

    # -- listing ------------------------------------------------------------------------------------

    def yaml_files(self, folder: str, recursive: bool = False) -> Listing:
        paths: list[str] = []
        issues: list[Issue] = []
        parts = _parts(folder)
        try:
            fd = self._open_folder(parts)
        except _Missing:
            return Listing((), ())
        except _Refused as refused:
            return Listing((), (Issue(refused.path or "/".join(parts) or ".", None, refused.severity, refused.message),))
        pending = [(fd, "/".join(parts))]
        while pending:
            fd, where = pending.pop()
            try:
                for name, kind in self._entries(fd, where, issues):
                    relative = f"{where}/{name}" if where else name
                    if kind == "dir" and not recursive and name.endswith(SUFFIX):
                        issues.append(Issue(relative, None, Severity.WARNING, FOLDER_NAMED_AS_FILE))
                    elif kind == "dir":
                        if recursive:
                            try:
                                pending.append((self._open_child_folder(fd, name, relative), relative))
                            except _Missing:
                                pass
                            except _Refused as refused:
                                issues.append(Issue(refused.path or relative, None, refused.severity, refused.message))
                    elif kind == "file" and name.endswith(SUFFIX):
                        paths.append(relative)
                    elif kind == "link":
                        self._listed_link(relative, name.endswith(SUFFIX), paths, issues)
                    elif kind == "special" and name.endswith(SUFFIX):
                        issues.append(Issue(relative, None, Severity.ERROR, NOT_A_FILE))
            finally:
                os.close(fd)
        return Listing(tuple(sorted(paths)), tuple(sorted(issues, key=lambda issue: (issue.path, issue.message))))

    @staticmethod
    def _entries(fd: int, where: str, issues: list[Issue]) -> list[tuple[str, str]]:
        """(name, kind) of each entry of an open folder, sorted; kind is dir, file, link or special."""
        found = []
        try:
            with os.scandir(fd) as entries:  # kinds are asked while the listing's own descriptor is open
                for entry in entries:
                    try:
                        if entry.is_symlink():
                            kind = "link"
                        elif entry.is_dir(follow_symlinks=False):
                            kind = "dir"
                        elif entry.is_file(follow_symlinks=False):
                            kind = "file"
                        else:
                            kind = "special"
                    except OSError:  # removed since the folder was listed
                        continue
                    found.append((entry.name, kind))
        except OSError as exc:
            issues.append(Issue(where or ".", None, Severity.ERROR, _folder_unreadable(exc)))
        return sorted(found)

    def _listed_link(self, relative: str, is_source: bool, paths: list[str], issues: list[Issue]) -> None:
        """A link among the entries: listed when it leads to a file inside the root; otherwise reported.

        Links with other names than .yml are not sources: only those to a folder or nowhere are reported
        (someone may have meant them to be walked)."""
        try:
            _, target = self._resolve_link(relative)
        except _Refused as refused:
            problem = refused
        else:
            if stat.S_ISREG(target.st_mode):
                if is_source:
                    paths.append(relative)
                return
            to_folder = stat.S_ISDIR(target.st_mode) and not is_source  # a source's link: "not a file"
            problem = _Refused(LINK_TO_FOLDER, Severity.WARNING) if to_folder else _Refused(LINK_NOT_A_FILE)
        if is_source:
            issues.append(Issue(relative, None, Severity.ERROR, problem.message))
        elif problem.message in (LINK_TO_FOLDER, LINK_NOWHERE, FOLDER_LINK_OUTSIDE):
            issues.append(Issue(relative, None, Severity.WARNING, problem.message))

    def _resolve_link(self, relative: str) -> tuple[str, os.stat_result]:
        """(the path relative to the root that a link leads to, its stat); _Refused when it leads out or nowhere."""
        try:
            target = os.path.realpath(os.path.join(self.root, relative), strict=True)
        except (OSError, RuntimeError):
            raise _Refused(LINK_NOWHERE) from None
        if os.path.commonpath([target, self.root]) != self.root:
            raise _Refused(FOLDER_LINK_OUTSIDE if os.path.isdir(target) else LINK_OUTSIDE)
        try:
            return os.path.relpath(target, self.root), os.stat(target)
        except OSError:
            raise _Refused(LINK_NOWHERE) from None

    # -- reading ------------------------------------------------------------------------------------

    def read_bytes(self, path: str, limit: int) -> bytes:
        return self._read_bytes(path, limit)

    def read_text(self, path: str) -> str:
        data = self._read_bytes(path)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Unreadable(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text  # as text mode reads it

    def _read_bytes(self, path: str, limit: int | None = None) -> bytes:
        try:
            parts = _parts(path)
        except ValueError:
            raise Unreadable("is not a path inside the content directory") from None
        try:
            fd = self._open_file(parts)
        except _Link:
            # A link is read through the path of the file it leads to, which must be inside the root;
            # that path has no links left in it, so opening it again without following any is exact.
            try:
                real, target = self._resolve_link("/".join(parts))
            except _Refused as refused:
                raise Unreadable(refused.message, refused.severity) from None
            if not stat.S_ISREG(target.st_mode):
                raise Unreadable(LINK_NOT_A_FILE) from None
            try:
                fd = self._open_file(_parts(real))
            except _Link:
                raise Unreadable("changed into a symbolic link while it was being read; it is not read") from None
        with os.fdopen(fd, "rb") as handle:
            found = os.fstat(handle.fileno())
            if not stat.S_ISREG(found.st_mode):
                raise Unreadable(NOT_A_FILE)
            if limit is not None and found.st_size > limit:
                raise TooLarge(found.st_size)
            try:
                data = handle.read() if limit is None else handle.read(limit + 1)
            except OSError as exc:
                raise Unreadable(f"cannot be read: {exc.strerror}") from None
            if limit is not None and len(data) > limit:  # it grew since
                raise TooLarge(len(data))
            return data

    def stamp(self, path: str) -> Hashable | None:
        try:
            return file_stamp(os.path.join(self.root, *_parts(path)))
        except ValueError:
            return None

    def is_dir(self, folder: str) -> bool:
        try:
            os.close(self._open_folder(_parts(folder)))
            return True
        except (_Missing, _Refused):
            return False

    def exists(self, path: str) -> bool:
        try:
            parts = _parts(path)
            folder = self._open_folder(parts[:-1])
        except (ValueError, _Missing, _Refused):
            return False
        try:
            os.lstat(parts[-1], dir_fd=folder)
            return True
        except (OSError, IndexError):
            return False
        finally:
            os.close(folder)

    # -- opening without following links --------------------------------------------------------------

    def _open_folder(self, parts: tuple[str, ...]) -> int:
        """An open folder below the root, reached without following any link; _Missing or _Refused."""
        try:
            fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as exc:
            raise _Refused(_folder_unreadable(exc)) from None
        for index, part in enumerate(parts):
            try:
                child = self._open_child_folder(fd, part, "/".join(parts[: index + 1]))
            finally:
                os.close(fd)
            fd = child
        return fd

    def _open_child_folder(self, fd: int, name: str, relative: str) -> int:
        """The folder `name` in the open folder `fd` (at `relative`); _Missing, or _Refused naming `relative`."""
        try:
            return self._open_child(fd, name, relative)
        except _Refused as refused:
            refused.path = refused.path or relative
            raise

    def _open_child(self, fd: int, name: str, relative: str) -> int:
        try:
            return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                raise _Missing from None
            try:
                found = os.lstat(name, dir_fd=fd)
            except OSError:
                raise _Missing from None
            if stat.S_ISLNK(found.st_mode):
                _, target = self._resolve_link(relative)  # _Refused when it leads out or nowhere
                if stat.S_ISDIR(target.st_mode):
                    raise _Refused(LINK_TO_FOLDER, Severity.WARNING) from None
                raise _Missing from None  # a link to a file where a folder is expected: no folder here
            if not stat.S_ISDIR(found.st_mode):
                raise _Missing from None  # a file where a folder could be: there is no such folder
            raise _Refused(_folder_unreadable(exc)) from None

    def _open_file(self, parts: tuple[str, ...]) -> int:
        """An open file below the root, reached without following any link; _Link when it is one."""
        if not parts:
            raise Unreadable(NOT_A_FILE)
        try:
            folder = self._open_folder(parts[:-1])
        except _Missing:
            raise Unreadable(VANISHED, Severity.WARNING) from None
        except _Refused as refused:
            raise Unreadable(refused.message, refused.severity) from None
        try:
            # O_NONBLOCK: a pipe put where a file was must not block the build; it is refused after fstat.
            return os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise _Link from None
            if exc.errno == errno.ENOENT:
                raise Unreadable(VANISHED, Severity.WARNING) from None
            raise Unreadable(f"cannot be read: {exc.strerror}") from None
        finally:
            os.close(folder)


class _Missing(Exception):
    """The folder is not there (or is not a folder): it has no files."""


class _Link(Exception):
    """The file asked for is a symbolic link."""


class _Refused(Exception):
    """A folder or link that is not walked or read, and why; `path` is where (set where it is known)."""

    def __init__(self, message: str, severity: Severity = Severity.ERROR, path: str = ""):
        super().__init__(message)
        self.message = message
        self.severity = severity
        self.path = path


def _folder_unreadable(exc: OSError) -> str:
    return f"is a folder that cannot be read ({exc.strerror}); nothing in it is read"


def _parts(path: str) -> tuple[str, ...]:
    """The components of a relative path (empty and '.' parts dropped); ValueError for '..' or a NUL."""
    parts = tuple(part for part in path.split("/") if part not in ("", "."))
    if ".." in parts or "\0" in path:
        raise ValueError(f"not a path inside the tree: {path!r}")
    return parts
