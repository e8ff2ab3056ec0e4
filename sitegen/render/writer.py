"""The one object that writes into the output tree.

It refuses paths that would climb out of the tree and a second write to
the same path, so two renderers can never silently overwrite each other.
The tree is a fresh staging folder that only the Writer's users fill, with
no symbolic links, so the check is on the path's parts alone (resolving
every path against the disk was a fifth of the HTML step).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from sitegen.base.errors import SitegenError


class WriteError(SitegenError):
    pass


class Writer:
    def __init__(self, root: Path):
        self.root = root.resolve()
        self.written: set[str] = set()
        self.digests: dict[str, str] = {}  # SHA-256 of each file written as a stream (open), taken as it went
        self.lock = threading.Lock()  # a background renderer (search) claims its folder from a thread

    def path(self, relative: str) -> Path:
        """Claim `relative` and create its folder; the caller writes the file."""
        target = self.claim(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def claim(self, relative: str) -> Path:
        """Claim `relative` only: whoever writes it creates its folder."""
        with self.lock:
            return self.root / self._claim(relative)

    def claim_written(self, paths: list[str]) -> None:
        """Claim the paths of files already written into the tree (by a shard's worker process)."""
        with self.lock:
            for relative in paths:
                self._claim(relative)

    def _claim(self, relative: str) -> str:
        # The parts as PurePosixPath would see them ("a//./b" is a/b), split by hand: a large
        # site's build claims every one of its tens of thousands of paths.
        parts = [part for part in relative.split("/") if part not in ("", ".")]
        if not parts or ".." in parts:
            raise WriteError(f"refusing to write outside the output tree: {relative!r}")
        key = "/".join(parts)
        if key in self.written:
            raise WriteError(f"two outputs claim the same path: {key}")
        self.written.add(key)
        return key

    def claim_folder(self, relative: str) -> Path:
        """Reserve a folder that an outside tool (Pagefind) fills; nothing else may write there."""
        with self.lock:
            folder = self.root / self._claim(relative)
            folder.parent.mkdir(parents=True, exist_ok=True)
            if any(written.startswith(relative.strip("/") + "/") for written in self.written - {relative.strip("/")}):
                raise WriteError(f"the folder {relative} is already used by another output")
            return folder

    def write_text(self, relative: str, text: str) -> Path:
        return store_text(self.claim(relative), text)

    def write_bytes(self, relative: str, data: bytes) -> Path:
        target = self.claim(relative)
        with located(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return target

    def link_or_write(self, relative: str, data: bytes, same: Path | str | None) -> bool:
        """Claim `relative` and make it a hard link to `same`, a file known to hold `data` (the
        previous build's, workers.place_cached), or, without one or when the file system
        refuses the link, write `data` there. True when linked."""
        target = self.claim(relative)
        with located(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            return link_or_store(target, data, same)

    @contextmanager
    def open(self, relative: str) -> Iterator[Stream]:
        """Claim `relative` and write it as a stream (a site-wide download, written part by part
        so it is never whole in memory); the file is complete when the block ends."""
        target = self.claim(relative)
        with located(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            file = target.open("wb")
        stream = Stream(file, target)
        try:
            yield stream
        finally:
            with located(target):
                file.close()
        self.digests[target.relative_to(self.root).as_posix()] = stream.digest.hexdigest()


class Stream:
    """A binary file of the output tree whose OS errors name it (see located), hashed as it is
    written front to back: SHA256SUMS need not read a site-wide download of hundreds of MB again."""

    def __init__(self, file: BinaryIO, path: Path):
        self.file, self.path = file, path
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        with located(self.path):
            return self.file.write(data)


def store_text(target: Path, text: str) -> Path:
    """Write a claimed path: UTF-8, LF line ends, its folder created."""
    with located(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
    return target


@contextmanager
def located(path: Path) -> Iterator[None]:
    """An OS error while writing `path` names it: a full disk's ENOSPC comes from write(),
    which knows no file name, and the user must learn where it happened."""
    try:
        yield
    except OSError as exc:
        if exc.filename:
            raise
        raise OSError(exc.errno, exc.strerror, str(path)) from exc


def replace_atomically(target: Path, data: bytes) -> None:
    """A cache entry: written to a temporary file of this process, then renamed over `target`, so
    that a reader (another build) sees the whole old entry or the whole new one, never a part."""
    with located(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f"{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


# Where a build put files that a later build may link instead of writing again (incremental
# builds: a cached shard's files, a cached search bundle's): site path → signature (device,
# inode, size, modification time) of the file as it was written into the staging folder, which
# the swap made the site. A file of the previous site with that signature still holds the same
# bytes, unless someone changed it in place keeping its size and time to the nanosecond.

LINKS = ".links"  # the suffix of such records, beside the cache entry whose files they place


def place_files(files: list[tuple[str, bytes]], root: Path, records: Path, previous: Path | None, put) -> None:
    """Put `files` (site path, bytes) below `root` by put(path, data, same), True when it linked
    `same`: the previous site's file at that path if the records show it is still the one a
    build put there, else None. When any file was written anew, the records are made again."""
    links = read_links(records) if previous is not None else {}
    linked = sum(put(path, data, same_file(previous, links, path)) for path, data in files)
    if linked < len(files):
        write_links(records, root, [path for path, _ in files])


def signature(path: Path | str) -> list[int] | None:
    try:
        stat = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return [stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns]


def read_links(records: Path) -> dict[str, list[int]]:
    """The records kept at `records`; none when they cannot be read (every file is written)."""
    try:
        links = json.loads(records.read_bytes())
    except (OSError, ValueError):
        return {}
    return links if isinstance(links, dict) else {}


def write_links(records: Path, root: Path | str, paths) -> None:
    """Record where the files at `paths` (site paths) below `root` are now."""
    links = {path: signature(os.path.join(root, path)) for path in paths}
    replace_atomically(records, json.dumps(links, separators=(",", ":")).encode("ascii"))


def link_or_store(target: Path, data: bytes, same: Path | str | None) -> bool:
    """`target` (its folder made) as a hard link to `same`, a file known to hold `data`, or,
    without one or where the file system refuses the link, `data` written there. True when linked."""
    if same is not None:
        try:
            os.link(same, target)
            return True
        except OSError:  # no hard links on this file system, or too many: write it
            pass
    target.write_bytes(data)
    return False


def same_file(previous: Path | None, links: dict[str, list[int]], path: str) -> str | None:
    """The previous site's file at `path` when it is still the one the records say was put there."""
    if previous is None or path not in links:
        return None
    same = os.path.join(previous, path)
    return same if signature(same) == links[path] else None
