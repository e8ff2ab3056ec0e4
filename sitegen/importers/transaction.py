"""Writing an import into the content tree: one lock, no links, every file or none, a backup.

- One import at a time per tree: `flock` on `<into>/.sitegen-import.lock`, held from the
  moment the tree is read (existing ids, merges, the check) until the files are in place;
  a second import waits, saying so. The kernel releases the lock when the process ends,
  however it ends; the file itself is removed at the end of each import.
- Never through a link: every folder on the way down is opened relative to the one above
  it with O_NOFOLLOW, and a link there (or a link as the file itself) is refused before
  anything is written, naming the path. Links inside the tree still load (the loader
  allows them); the import only refuses to write through them.
- All or nothing: every file is first written in full to a temporary file beside it
  (fsynced), then the files that exist are backed up, then each temporary file is renamed
  over its target. Any failure on the way (a full disk, a signal) undoes what this import
  did: temporary files removed, replaced files put back, new files and folders removed.
- Backups: each file that is replaced is kept (a hard link, so it costs no space; a copy
  where links are not possible) under `<into>/.sitegen-import-backup/<time>/<its path>`.
  The loader skips names starting with a dot, so backups and the lock never become content.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from sitegen.base import signals
from sitegen.importers.grid import BadInput

LOCK_NAME = ".sitegen-import.lock"
BACKUP_DIR = ".sitegen-import-backup"
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def is_own(name: str) -> bool:
    """The lock, the backups and a temporary file of an import (another one may be writing a new
    tree right now): not the user's files."""
    return name in (LOCK_NAME, BACKUP_DIR) or (name.startswith(".") and ".sitegen-import-" in name and name.endswith(".tmp"))


class Refused(BadInput):
    """A path the import will not write (a link, a device, a file where a folder should be)."""


class WriteFailed(BadInput):
    """An OSError while writing; everything this import wrote was undone. One line for the user."""


def reason(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "磁盘空间不足"
    if exc.errno == errno.EFBIG:
        return "超出文件大小限制"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "没有写入权限"
    return exc.strerror or type(exc).__name__


# ---------------------------------------------------------------- the lock


@contextmanager
def locked(into: Path, say=lambda line: print(line, file=sys.stderr)) -> Iterator[None]:
    """Hold the tree's import lock. The lock file is removed at the end, and a folder `into` made
    only to hold it is removed again when nothing else was put into it (a failed import or a
    dry run leaves no trace)."""
    made = missing_folders(into)
    opened: list[int] = []  # the lock file's descriptor, recorded before a signal can unwind
    try:
        acquire(into, say, opened)
        yield
    finally:
        for fd in opened:
            let_go(fd, into / LOCK_NAME)
        for folder in reversed(made):
            try:
                folder.rmdir()
            except OSError:
                break  # not empty: something was written


def missing_folders(into: Path) -> list[Path]:
    """`into` and the folders above it that do not exist yet, top first."""
    missing = []
    for folder in [into, *into.parents]:
        if os.path.lexists(folder):
            break
        missing.append(folder)
    return list(reversed(missing))


def acquire(into: Path, say, opened: list[int]) -> None:
    """Lock `into`'s lock file; its descriptor is left in `opened`. A signal may come at any
    moment, also between creating the file and locking it: `opened` holds the descriptor from
    the moment it exists, so that the caller's cleanup (let_go) removes a file this import made."""
    waited = False
    while True:
        lock = into / LOCK_NAME
        with signals.held():
            fd = open_lock(into, lock)
            if fd is None:
                continue
            opened.append(fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not waited:
                say(f"sitegen import: 另一个导入正在写入 {into}，等待它结束…")
                waited = True
            fcntl.flock(fd, fcntl.LOCK_EX)
        if same_file(fd, lock):
            return
        opened.remove(fd)  # the lock file was removed while we waited: lock the one there now
        os.close(fd)


def open_lock(into: Path, lock: Path) -> int | None:
    """The lock file's descriptor, made if missing; None when the folder vanished meanwhile."""
    try:
        into.mkdir(parents=True, exist_ok=True)
        return os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Refused(f"{lock} 是符号链接：sitegen import 不会通过链接写入，请删除它") from None
        if exc.errno == errno.ENOENT:
            return None  # the folder was removed by the import that held the lock: make it again
        raise WriteFailed(f"写入 {exc.filename or lock} 失败：{reason(exc)}") from None


def let_go(fd: int, lock: Path) -> None:
    """Remove the lock file when it is this import's to remove, then unlock. It is when this import
    holds the lock, or when nobody does (made, then a signal before it was locked). Removed before
    the unlock, so that no lock file stays in the tree: an import waiting on it then finds it gone
    and locks a new one (acquire)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pass  # another import holds it: its file
    else:
        if same_file(fd, lock):
            quietly(os.unlink, lock)
    os.close(fd)


def same_file(fd: int, path: Path) -> bool:
    try:
        there = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)


# ---------------------------------------------------------------- the files


@dataclass
class Planned:
    path: Path  # as shown: <into>/<rel>
    rel: tuple[str, ...]
    data: bytes
    folder_fd: int = -1
    temp: str = ""
    existed: bool = False
    mode: int = 0o644
    backup: tuple[int, str] | None = None  # the backup's folder fd and name
    done: bool = False


@dataclass
class Result:
    backup: Path | None = None  # the folder with the replaced files, None when nothing was replaced
    replaced: list[Path] = field(default_factory=list)


class Transaction:
    """Open folders, made folders and temporary files of one import, for the undo."""

    def __init__(self, into: Path):
        self.into = into
        self.fds: dict[tuple[str, ...], int] = {}
        self.made: list[tuple[int, str]] = []  # (parent fd, name) of folders this import created
        self.backup_root: Path | None = None

    def close(self) -> None:
        for fd in self.fds.values():
            os.close(fd)
        self.fds.clear()

    def folder(self, rel: tuple[str, ...], create: bool) -> int:
        """An fd of the folder `rel` under the tree, each step opened without following a link."""
        if rel in self.fds:
            return self.fds[rel]
        if not rel:
            fd = os.open(self.into, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        else:
            parent = self.folder(rel[:-1], create)
            fd = self.open_child(parent, rel, create)
        self.fds[rel] = fd
        return fd

    def open_child(self, parent: int, rel: tuple[str, ...], create: bool) -> int:
        name = rel[-1]
        shown = self.into.joinpath(*rel)
        try:
            info = os.stat(name, dir_fd=parent, follow_symlinks=False)
        except FileNotFoundError:
            if not create:
                raise
            os.mkdir(name, 0o755, dir_fd=parent)
            self.made.append((parent, name))
            return os.open(name, DIR_FLAGS, dir_fd=parent)
        refuse_kind(shown, info, folder=True)
        return os.open(name, DIR_FLAGS, dir_fd=parent)


def refuse_kind(shown: Path, info: os.stat_result, folder: bool) -> None:
    if stat.S_ISLNK(info.st_mode):
        raise Refused(f"{shown} 是符号链接：sitegen import 不会通过链接写入（也不会写到内容目录之外），请改为真实的{'目录' if folder else '文件'}或删除链接")
    if folder and not stat.S_ISDIR(info.st_mode):
        raise Refused(f"{shown} 不是目录：无法在其中写入")
    if not folder and not stat.S_ISREG(info.st_mode):
        raise Refused(f"{shown} 不是普通文件：sitegen import 不会覆盖它")


def refuse_links(into: Path, paths: list[Path]) -> None:
    """Refuse, before anything is read or written, a path under `into` that goes through a link
    or ends at one (or at anything but a regular file)."""
    for path in paths:
        rel = relative(into, path)
        here = into
        for n, name in enumerate(rel):
            here = here / name
            try:
                info = os.lstat(here)
            except FileNotFoundError:
                break
            refuse_kind(here, info, folder=n < len(rel) - 1)


def relative(into: Path, path: Path) -> tuple[str, ...]:
    rel = path.relative_to(into).parts
    if not rel or any(part in ("", ".", "..") for part in rel):
        raise Refused(f"{path}: 不在导入目录 {into} 之内")
    return rel


def write_all(into: Path, files: dict[Path, str]) -> Result:
    """Write every file or none; see the module docstring. WriteFailed or Refused when not."""
    planned = [Planned(path, relative(into, path), text.encode("utf-8")) for path, text in files.items()]
    t = Transaction(into)
    at = planned[0].path if planned else into
    try:
        try:
            for p in planned:
                at = p.path
                prepare(t, p)
            at = into / BACKUP_DIR
            backup = back_up(t, [p for p in planned if p.existed])
            for p in planned:
                at = p.path
                os.replace(p.temp, p.rel[-1], src_dir_fd=p.folder_fd, dst_dir_fd=p.folder_fd)
                p.done = True
            for fd in set(p.folder_fd for p in planned):
                os.fsync(fd)
        except BaseException as exc:
            undo(t, planned)
            if isinstance(exc, OSError):
                raise WriteFailed(f"写入 {at} 失败：{reason(exc)}（本次导入写入的文件已全部撤回）") from None
            raise
        return Result(backup, [p.path for p in planned if p.existed])
    finally:
        t.close()


def prepare(t: Transaction, p: Planned) -> None:
    """The folders, then the whole text in a temporary file beside the target, fsynced."""
    p.folder_fd = t.folder(p.rel[:-1], create=True)
    name = p.rel[-1]
    try:
        info = os.stat(name, dir_fd=p.folder_fd, follow_symlinks=False)
        refuse_kind(p.path, info, folder=False)
        p.existed, p.mode = True, stat.S_IMODE(info.st_mode)
    except FileNotFoundError:
        pass
    temp = f".{name}.sitegen-import-{os.getpid()}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=p.folder_fd)
    p.temp = temp
    try:
        if p.existed:
            os.fchmod(fd, p.mode)
        view = memoryview(p.data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def back_up(t: Transaction, replaced: list[Planned]) -> Path | None:
    """Keep each file about to be replaced under .sitegen-import-backup/<time>/."""
    if not replaced:
        return None
    root = t.folder((BACKUP_DIR,), create=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    name, n = stamp, 1
    while True:
        try:
            os.mkdir(name, 0o700, dir_fd=root)
            break
        except FileExistsError:
            n += 1
            name = f"{stamp}-{n}"
    t.made.append((root, name))
    t.backup_root = t.into / BACKUP_DIR / name
    for p in replaced:
        folder = t.folder((BACKUP_DIR, name, *p.rel[:-1]), create=True)
        keep(p.folder_fd, p.rel[-1], folder)
        p.backup = (folder, p.rel[-1])
    return t.backup_root


def keep(src_fd: int, name: str, dst_fd: int) -> None:
    """A hard link of the file (no space, no copy); its bytes copied where links are not possible."""
    try:
        os.link(name, name, src_dir_fd=src_fd, dst_dir_fd=dst_fd, follow_symlinks=False)
        return
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
    source = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=src_fd)
    try:
        target = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=dst_fd)
        try:
            while chunk := os.read(source, 1 << 20):
                view = memoryview(chunk)
                while view:
                    view = view[os.write(target, view):]
            os.fsync(target)
        finally:
            os.close(target)
    finally:
        os.close(source)


def undo(t: Transaction, planned: list[Planned]) -> None:
    """Put the tree back as it was before this import; best effort on each step."""
    for p in reversed(planned):
        name = p.rel[-1]
        if p.done and p.backup:
            quietly(os.replace, p.backup[1], name, src_dir_fd=p.backup[0], dst_dir_fd=p.folder_fd)
        elif p.done:
            quietly(os.unlink, name, dir_fd=p.folder_fd)
        if p.temp and not p.done:
            quietly(os.unlink, p.temp, dir_fd=p.folder_fd)
    for p in planned:  # backups of files that were never replaced
        if p.backup and not p.done:
            quietly(os.unlink, p.backup[1], dir_fd=p.backup[0])
    for parent, name in reversed(t.made):  # empty again: rmdir fails on anything someone else put there
        quietly(os.rmdir, name, dir_fd=parent)


def quietly(action, *args, **kwargs) -> None:
    try:
        action(*args, **kwargs)
    except OSError:
        pass
