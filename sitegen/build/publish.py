"""Stage 5, publish: build beside output/, then swap it in.

A build writes into a fresh folder next to the target (same file system,
so the final rename is atomic). Only when every renderer succeeded are the
two folders exchanged in one step (renameat2 with RENAME_EXCHANGE, Linux 3.15
and the usual local file systems): there is no moment without an output/, so
a page being served never goes missing and a build killed at any point leaves
a whole site there. Where the exchange is not supported (another system, a
file system without it) the old output is moved aside and the new one
renamed into place, two renames, with the window that implies (a request
between them finds nothing; a kill between them leaves the previous site
aside, which the next build puts back first). On any failure the staging
folder is removed and output/ is exactly as it was. output/ stays a real
folder: nothing changes for a web server pointed at it.

The staging folder carries sitegen's marker from the start and is locked
(flock) while its build runs, so a folder left by a killed build is known
as sitegen's own and unlocked: the next build removes it. Nothing else
beside the output is ever touched. Which folder may be replaced at all is
decided before, by safety.check_output_path. The previous site, once renamed
aside, is removed by a process of its own that the build does not wait for.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sitegen.base.safety import MARKER, MARKER_TEXT, is_own_output
from sitegen.base.signals import held

STAGING = ".building-"  # <output>.building-XXXX: a build in progress
OLD = ".old-"  # <output>.old-XXXX: the previous site, moved aside during the swap
GONE = ".gone-"  # <output>.gone-XXXX: the previous site after the swap, being removed


@contextmanager
def staged(target: Path) -> Iterator[Path]:
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep(target)
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}{STAGING}", dir=target.parent))
    lock = os.open(staging, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # held by this build and its forked workers
        try:
            (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            yield staging
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        swap(staging, target)
    finally:
        os.close(lock)


def swap(staging: Path, target: Path) -> None:
    os.chmod(staging, 0o755)  # mkdtemp makes it 0700; a web server must read it
    if not target.exists():
        with held():
            staging.rename(target)
        return
    with held():  # a signal in the middle would leave no site at all (the two renames)
        if not target.is_symlink() and exchange(staging, target):
            old = staging  # its name now holds the previous site: one of ours, the next sweep removes it
        else:
            old = move_aside_and_rename(staging, target)
    gone = Path(tempfile.mkdtemp(prefix=f"{target.name}{GONE}", dir=target.parent))
    try:
        old.rename(gone)  # over the empty folder; never put back by a sweep, as `old` is: it may be half removed
    except FileNotFoundError:  # a concurrent build's sweep took it first
        gone.rmdir()
        return
    remove_in_background(gone)


def move_aside_and_rename(staging: Path, target: Path) -> Path:
    old = Path(tempfile.mkdtemp(prefix=f"{target.name}{OLD}", dir=target.parent))
    old.rmdir()
    target.rename(old)
    try:
        staging.rename(target)
    except OSError:
        old.rename(target)  # put the previous site back before reporting
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return old


RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100
UNSUPPORTED = (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP)


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one atomic step (renameat2(2) with RENAME_EXCHANGE); False where this
    system or file system has no such call, an OSError for any other failure."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(second))


# Everything but the marker first, the marker last: a removal cut short (the machine stopped)
# leaves a folder the next build's sweep still knows as sitegen's, and finishes.
REMOVER = """import os, shutil, sys
folder, marker = sys.argv[1], sys.argv[2]
for entry in os.scandir(folder):
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path, ignore_errors=True)
    elif entry.name != marker:
        os.unlink(entry.path)
shutil.rmtree(folder, ignore_errors=True)
"""
removing: list[subprocess.Popen] = []


def remove_in_background(folder: Path) -> None:
    """A previous site is tens of thousands of files: removing them would be a large part of
    the build after one edit. A process in a session of its own does it (Ctrl+C in the terminal
    does not reach it) while the build returns."""
    removing[:] = [process for process in removing if process.poll() is None]
    try:
        removing.append(subprocess.Popen([sys.executable, "-c", REMOVER, str(folder), MARKER],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, start_new_session=True))
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def sweep(target: Path) -> None:
    """Remove what killed builds of `target` left beside it: staging folders no build holds,
    previous sites moved aside, previous sites whose removal was cut short. Only folders with
    sitegen's name pattern and its marker (or the empty folder made for a previous site's
    removal); a previous site moved aside is put back instead when the swap was cut short before
    the new one."""
    for entry in sorted(target.parent.iterdir()):
        moved_aside = entry.name.startswith(target.name + OLD)
        if not (moved_aside or entry.name.startswith((target.name + STAGING, target.name + GONE))):
            continue
        if entry.is_symlink() or not entry.is_dir():
            continue
        if not is_own_output(entry):
            if entry.name.startswith(target.name + GONE):
                remove_if_empty(entry)  # made for a previous site, the build killed before it was moved there
            continue
        if moved_aside and not target.exists():
            entry.rename(target)
            continue
        remove_unless_locked(entry)


def remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass  # not empty: not one of ours


def remove_unless_locked(folder: Path) -> None:
    try:
        lock = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        shutil.rmtree(folder, ignore_errors=True)
    except BlockingIOError:
        pass  # another build is writing it right now
    finally:
        os.close(lock)
