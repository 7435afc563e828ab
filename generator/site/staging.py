"""Where `mkdocs build` writes: a staging folder beside site_dir, swapped in whole when the build is complete.

mkdocs empties site_dir and then writes every page into it, so a build that is
killed leaves half a site. Here the build writes into `.<site>.building-<pid>-<token>`
beside it instead. When everything is written the folder is renamed
`.<site>.ready-...-<inode>` (complete: from now on the swap is finished, never undone),
the hidden entries mkdocs keeps in site_dir (`.git` of a deploy checkout, say)
are moved into it, and the two folders are exchanged in one system call
(Linux `renameat2` with RENAME_EXCHANGE); where that is not available, site_dir
is renamed `.<site>.old-...` and the new folder renamed in its place. The old
site is then deleted.

So a reader of site_dir sees the previous site or the new one, never a mix;
with the fallback, site_dir is missing for the moment between two renames.
The next build repairs what an interrupted one left: a `ready` folder is
swapped in (or dropped, when site_dir is the folder its name records: the
exchange happened, and it holds the previous site),
an `old` folder is put back if site_dir is missing and deleted otherwise, a
`building` folder is deleted. Folders of a build whose process still runs are
left alone.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import secrets
import shutil
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class StagingUnavailable(Exception):
    """The site cannot be staged beside site_dir (its parent is not writable, or is another file system)."""


class StagedSite:
    """One build's staging folder and how it becomes site_dir."""

    def __init__(self, site_dir: Path, keep: bool = False):
        """Make the staging folder; with `keep` (`mkdocs build --dirty`), start it as a copy of the current site."""
        self.site = Path(os.path.realpath(site_dir))  # a site_dir that is a link: the folder it leads to
        self.token = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.staging = self._named("building")
        if os.path.lexists(self.site) and not self.site.is_dir():
            raise StagingUnavailable(f"{self.site} is not a folder")
        try:
            self.site.parent.mkdir(parents=True, exist_ok=True)  # as mkdocs would make it
            os.mkdir(self.staging, 0o755)
        except OSError as exc:
            raise StagingUnavailable(f"cannot make {self.staging}: {exc.strerror}") from None
        if self.site.is_dir() and os.stat(self.site).st_dev != os.stat(self.staging).st_dev:
            os.rmdir(self.staging)
            raise StagingUnavailable(f"{self.site} is on another file system than its folder")
        if keep and self.site.is_dir():
            shutil.copytree(self.site, self.staging, dirs_exist_ok=True, ignore=_links)

    def _named(self, state: str, inode: int | None = None) -> Path:
        suffix = f"-{inode}" if inode is not None else ""
        return self.site.parent / f".{self.site.name}.{state}-{self.token}{suffix}"

    def finish(self) -> None:
        """Put the complete staging folder in place of site_dir (see the module's docstring)."""
        ready = self._named("ready", os.stat(self.staging).st_ino)  # the new site is the folder of that inode
        os.rename(self.staging, ready)
        _swap_in(ready, self.site, self.token)

    def discard(self) -> None:
        """A failed build: the previous site stays as it was."""
        _remove(self.staging)


def repair(site_dir: Path) -> list[str]:
    """Finish or undo what interrupted builds left beside `site_dir`; what was done, for the log."""
    site = Path(os.path.realpath(site_dir))
    pattern = re.compile(r"\." + re.escape(site.name) + r"\.(building|ready|old)-([0-9]+)-([0-9a-f]{8})(?:-([0-9]+))?")
    try:
        names = sorted(os.listdir(site.parent))
    except OSError:
        return []
    found: dict[str, list[tuple[Path, str, int | None]]] = {"ready": [], "old": [], "building": []}
    for name in names:
        match = pattern.fullmatch(name)
        path = site.parent / name
        if match is None or path.is_symlink() or not path.is_dir() or _running(int(match[2])):
            continue
        found[match[1]].append((path, f"{match[2]}-{match[3]}", int(match[4]) if match[4] else None))
    done = []
    for path, token, inode in found["ready"]:  # complete builds first: what they replace is what `old` folders hold
        if site.is_dir() and os.stat(site).st_ino == inode:
            _remove(path)  # the exchange happened: site_dir is the new site, and this is the previous one
            done.append(f"removed the previous site left in {path.name} by an interrupted build")
        else:
            _swap_in(path, site, token)
            done.append(f"finished putting in place the complete site an interrupted build left in {path.name}")
    for path, _, _ in found["old"]:
        if site.is_dir():
            _remove(path)
            done.append(f"removed the previous site left in {path.name} by an interrupted build")
        else:
            os.rename(path, site)
            done.append(f"put back the previous site from {path.name} (an interrupted build had moved it)")
    for path, _, _ in found["building"]:
        _remove(path)
        done.append(f"removed the unfinished site an interrupted build left in {path.name}")
    return done


def _swap_in(ready: Path, site: Path, token: str) -> None:
    """Exchange the complete folder `ready` with `site` (or rename it there), then delete the previous site."""
    if site.is_dir():
        for name in sorted(os.listdir(site)):
            if name.startswith(".") and not os.path.lexists(ready / name):
                os.rename(site / name, ready / name)  # kept across builds, as mkdocs keeps them
        if _exchange(ready, site):
            _remove(ready)  # now the previous site
        else:
            old = site.parent / f".{site.name}.old-{token}"
            os.rename(site, old)
            os.rename(ready, site)
            _remove(old)
    else:
        os.rename(ready, site)


def _exchange(one: Path, other: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where that is not possible."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    if renameat2(_AT_FDCWD, os.fsencode(one), _AT_FDCWD, os.fsencode(other), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # a kernel or file system without it: the caller renames twice
    raise OSError(code, os.strerror(code), str(one), None, str(other))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)  # never follows a link inside it


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _links(folder: str, names: list[str]) -> list[str]:
    """Left out of the copy of a site kept for a dirty build: links (mkdocs would write through them)."""
    return [name for name in names if os.path.islink(os.path.join(folder, name))]
