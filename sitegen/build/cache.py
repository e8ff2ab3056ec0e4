"""Incremental builds: each shard's output, kept in the build cache under the key of all it is made from.

A shard's pages, PDFs and open-data files, and what the site-wide pages take from it
(summary.SiteSummary), depend only on its own files, the site's files (site.yaml,
pages/), the site-wide facts, the layouts and static files (the site's and sitegen's
own), sitegen's code and the libraries that write the bytes. The key hashes all of
them, so an entry is either exactly what rendering the shard again would give, or is
not found. After editing one project of a 10,000-project site, one shard is loaded
and rendered; the others are copied from here.

The entries are pickles, as Sphinx keeps its environment: `.sitegen-cache/` is as
trusted as the code that reads it. So a build uses a cache folder only when it is the
user's own and nobody else can write into it (refuse_untrusted: the folder and the
folders in it owned by the user running the build, not writable by group or others)
or swap it for theirs (open_above: nor any folder above it), and creates it closed to
others (0700). Never restore it from a source you would not
run code from (a cache shared with other people's branches, say).

Every key starts with resources.code_digest() (sitegen's code, layouts, static files,
fonts and the libraries that write the bytes), never a version string. The shard and
search entries are those of the last build (the others are swept after it); the PDFs
(render/pdf.py, kept by content) are swept by age and total size (sweep_pdfs).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.base.errors import SitegenError
from sitegen.base.resources import code_digest, site_digests
from sitegen.checks.review.synonyms import SYNONYMS  # the peers' alone: no shard reads it
from sitegen.render.writer import LINKS, replace_atomically
from sitegen.build.shards import Shard
from sitegen.render.summary import Facts, SiteSummary

FORMAT = 2  # of the entries; raise it when ShardOutput changes (2: SiteSummary.digests)
# The PDFs not used for this long are removed after a build, and then the least recently used
# ones past this total (never one the build itself used): enough for two versions of the PDFs
# of a large year's site (its size: docs/scaling.md).
PDF_MAX_DAYS = 30
PDF_MAX_BYTES = 4 * 1024**3


class UntrustedCache(SitegenError):
    """A cache folder someone else could have written; the message (one line) says how to fix it."""


@dataclass
class ShardOutput:
    files: list[tuple[str, bytes]]  # site path → bytes, every file the shard's renderers wrote
    summary: SiteSummary
    cached: bool = False  # taken from the cache (so not put there again)
    # From a worker of this machine: the files are already in the staging folder, only their
    # paths come back (the build's process never holds a shard's bytes).
    paths: list[str] = field(default_factory=list)


def read_entry(path: Path) -> ShardOutput | None:
    """A cache entry, or None: one that cannot be read whole (a killed build, another format) is never used."""
    try:
        with open(path, "rb") as file:
            output = pickle.load(file)
    except Exception:  # noqa: BLE001 - any broken entry is a miss
        return None
    if not isinstance(output, ShardOutput):
        return None
    output.cached = True
    return output


def write_entry(path: Path, output: ShardOutput) -> None:
    replace_atomically(path, pickle.dumps(output, protocol=pickle.HIGHEST_PROTOCOL))


def links_path(entry: Path) -> Path:
    """Beside an entry: where the last build put its files (writer.read_links)."""
    return entry.with_suffix(LINKS)


class ShardCache:
    def __init__(self, cache_dir: Path, content_dir: Path, shown_root: str, renderers: tuple[str, ...]):
        self.folder = cache_dir / "shards"
        root = content_dir.resolve()
        parts = [f"format {FORMAT}", sys.version, code_digest(), shown_root, "\0".join(renderers),
                 *site_digests(root, leave_out=(SYNONYMS,))]
        self.salt = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
        self.used: set[str] = set()

    def key(self, shard: Shard, facts: Facts) -> str:
        key = hashlib.sha256(f"{self.salt}\n{shard.digest}\n{facts!r}".encode("utf-8")).hexdigest()
        self.used.add(key)
        return key

    def entry(self, key: str) -> Path:
        return self.folder / f"{key}.pickle"

    def get(self, key: str) -> ShardOutput | None:
        return read_entry(self.entry(key))

    def put(self, key: str, output: ShardOutput) -> None:
        write_entry(self.entry(key), output)

    def sweep(self) -> None:
        """After a build that succeeded: drop the entries it did not use, so the cache holds one site."""
        if not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            if entry.suffix in (".pickle", LINKS) and entry.stem not in self.used:
                entry.unlink(missing_ok=True)


def open_cache(folder: Path) -> None:
    """Make the cache folder, closed to others, or refuse one that is not trusted (refuse_untrusted)."""
    try:
        folder.mkdir(mode=0o700, parents=True)
    except FileExistsError:
        pass
    refuse_untrusted(folder)


def refuse_untrusted(folder: Path) -> None:
    """The folder must be a folder (not a link) of the current user that group and others cannot
    write, and so must every folder in it that they can reach: its pickles are code."""
    problem = untrusted(folder)
    if problem is None and folder.stat().st_mode & 0o011:  # others may reach the folders inside
        problem = next((p for p in map(untrusted, sorted(e for e in folder.iterdir() if e.is_dir())) if p), None)
    if problem is not None:
        raise UntrustedCache(f"缓存目录 {problem}，其中的缓存会被当作代码读入，sitegen 不使用它。"
                             f"请删除它（下次生成会重建）：rm -r {folder}；若确是自己的，可运行 chmod -R go-w {folder}")
    above = open_above(folder)
    if above is not None:
        raise UntrustedCache(f"缓存目录 {folder} 所在的目录 {above}，别人可以在检查之后把缓存目录换成自己的，"
                             "其中的缓存会被当作代码读入，sitegen 不使用它：请把输出放在只有自己能写的目录里，或用 --no-cache")


def untrusted(folder: Path) -> str | None:
    try:
        info = folder.lstat()
    except OSError as exc:
        return f"{folder} 无法读取（{exc.strerror}）"
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        return f"{folder} 不是目录（是链接或文件）"
    if info.st_uid != os.geteuid():
        return f"{folder} 属于用户 {owner_name(info.st_uid)}，不是当前用户 {owner_name(os.geteuid())}"
    if info.st_mode & 0o022:
        return f"{folder} 可被其他用户写入（权限 {stat.filemode(info.st_mode)}）"
    return None


def open_above(folder: Path) -> str | None:
    """What is wrong with the first folder above `folder` in which someone else could rename the
    cache folder away and put one of their own in its place after it was checked: one owned by
    another user than this one or root, or one that group or others can write without the sticky
    bit (/tmp has it: there only an entry's owner may rename it). A group of this user alone
    (a user private group, as umask 002 makes folders writable by) is not someone else."""
    parent = Path(os.path.realpath(folder.parent))
    for above in (parent, *parent.parents):
        info = above.stat()
        if info.st_uid not in (0, os.geteuid()):
            return f"{above} 属于用户 {owner_name(info.st_uid)}"
        if info.st_mode & stat.S_ISVTX:
            continue
        if info.st_mode & 0o002 or (info.st_mode & 0o020 and shared_group(info.st_gid)):
            return f"{above} 可被其他用户写入（权限 {stat.filemode(info.st_mode)}）"
    return None


def shared_group(gid: int) -> bool:
    """Whether a user other than this one is in group `gid` (as a member, or as their own group)."""
    import grp
    import pwd

    try:
        me = pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:  # a user this machine cannot name (a container's)
        me = None
    try:
        members = set(grp.getgrgid(gid).gr_mem)
    except KeyError:
        return True  # a group this machine cannot name: assume others are in it
    members |= {p.pw_name for p in pwd.getpwall() if p.pw_gid == gid}
    return bool(members - {me})


def owner_name(uid: int) -> str:
    import pwd

    try:
        return f"{pwd.getpwuid(uid).pw_name}（uid {uid}）"
    except KeyError:
        return f"uid {uid}"


def sweep_pdfs(cache_dir: Path, since: float, max_days: float = PDF_MAX_DAYS, max_bytes: int = PDF_MAX_BYTES) -> None:
    """After a build that succeeded (started at `since`): the PDFs not used for max_days go, then
    the least recently used ones until all are within max_bytes, except those this build used
    (a PDF taken from the cache has its time set when read, render/pdf.py)."""
    folder = cache_dir / "pdf"
    if not folder.is_dir():
        return
    entries = []
    for entry in os.scandir(folder):
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        entries.append((info.st_mtime, info.st_size, entry.path))
    entries.sort()
    total = sum(size for _, size, _ in entries)
    oldest = time.time() - max_days * 86400
    for used, size, path in entries:
        if used >= since or (used >= oldest and total <= max_bytes):
            break
        Path(path).unlink(missing_ok=True)
        total -= size
