"""The build in shards: groups of whole units, each loaded, checked and rendered on its own.

A site of 100,000 projects does not fit one model in memory (a project with its
indicators and their positions is tens of kilobytes). So `build` plans shards of whole unit folders
(about SHARD_PROJECTS projects each, in the order of the content folder); each is
loaded, checked and rendered — its units' pages, PDFs and open-data files — by one
worker process (build/workers.py), which keeps what the site-wide pages need
(SiteSummary, with the records pruned) and lets the rest go. Peak memory is a
shard's model per worker plus a small record per project, whatever the site's size.

A unit's pages show two facts of the whole site (Facts): whether any project has
a self-evaluation (the 绩效结果 links) and the newest budget year (a year is over
when a later one exists). They are guessed from the files before any shard is
loaded, and checked against what the shards found; a wrong guess renders the
shards again with the true facts, so a guess can cost time, never a wrong page.

What a shard renders depends only on its own files, the site's files, the facts,
the layouts and sitegen itself, which is what its key (ShardCache.key) hashes: an
incremental build (build/cache.py) takes an unchanged shard's output as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from sitegen.render.summary import Facts

# 100: an edit renders 100 projects again; larger shards make a clean build a little faster and
# every edit slower (docs/scaling.md)
SHARD_PROJECTS = 100
YEAR_FOLDER = re.compile(r"^\d{4}$")
NOT_PROJECTS = ("agency.yaml", "disclosure.yaml", "overall.yaml")


def shard_projects() -> int:
    return max(1, int(os.environ.get("SITEGEN_SHARD_PROJECTS", SHARD_PROJECTS)))


@dataclass(frozen=True)
class Shard:
    number: int
    units: frozenset[str]  # folder names
    projects: int  # project files, as counted by the plan
    digest: str  # every file of its folders: names and bytes


@dataclass(frozen=True)
class Plan:
    shards: list[Shard]
    guess: Facts  # from the files, before anything is loaded


def plan(root: Path, size: int | None = None) -> Plan:
    """Consecutive unit folders, in sorted order, in shards of about `size` projects (a bigger
    unit is a shard of its own). Whatever load_tree would not read as a unit (pages/, files,
    hidden entries) belongs to no shard."""
    size = size or shard_projects()
    shards: list[Shard] = []
    group: list[tuple[str, int, str]] = []
    evaluated, years = False, []
    for folder in unit_folders(root):
        files = folder_files(folder)
        projects = 0
        for relative, data in files:
            parts = relative.split("/")
            if len(parts) == 2 and YEAR_FOLDER.match(parts[0]):
                years.append(int(parts[0]))
                if parts[1].endswith(".yaml") and parts[1] not in NOT_PROJECTS:
                    projects += 1
                    evaluated = evaluated or b"evaluation:" in data
        if group and sum(p for _, p, _ in group) + projects > size:
            shards.append(make_shard(len(shards), group))
            group = []
        group.append((folder.name, projects, files_digest(files)))
    if group:
        shards.append(make_shard(len(shards), group))
    return Plan(shards, Facts(evaluated, max(years, default=None)))


def make_shard(number: int, group: list[tuple[str, int, str]]) -> Shard:
    digest = group_digest([(name, d) for name, _, d in group])
    return Shard(number, frozenset(name for name, _, _ in group), sum(p for _, p, _ in group), digest)


def files_digest(files: list[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for relative, data in files:
        digest.update(f"{len(relative)}:{relative}:{len(data)}:".encode("utf-8") + data)
    return digest.hexdigest()


def group_digest(units: list[tuple[str, str]]) -> str:
    """A shard's digest from its units' (folder name, files_digest), in the folders' order."""
    return hashlib.sha256("\n".join(f"{name} {d}" for name, d in units).encode("utf-8")).hexdigest()


def shard_digest(root: Path, units: frozenset[str]) -> str:
    """The digest `plan` gives the shard of these units, from the files as this process sees them
    now: a cluster's worker returns it with the shard's output, which the build compares. Only
    these units' folders are looked at (as load.top_entries does for a shard), never the listing
    of every unit folder of the site; they are tested as unit_folders tests them."""
    inside = root.resolve()
    folders = [root / name for name in sorted(units)]
    folders = [folder for folder in folders if folder.is_dir() and stays_inside(folder, inside)]
    return group_digest([(folder.name, files_digest(folder_files(folder))) for folder in folders])


def unit_folders(root: Path) -> list[Path]:
    """The folders load_tree reads as units. One linked from outside the content folder is left
    out: load_tree reports it, with every shard, and the build stops."""
    try:
        entries = sorted(root.iterdir())
    except OSError:
        return []  # load_tree reports it
    inside = root.resolve()
    return [e for e in entries if not e.name.startswith(".") and e.name != "pages" and e.is_dir() and stays_inside(e, inside)]


def stays_inside(path: Path, inside: Path) -> bool:
    if not path.is_symlink():
        return True
    try:
        return path.resolve().is_relative_to(inside)
    except (OSError, RuntimeError):  # a loop of links: the loader reports it
        return False


def folder_files(folder: Path, inside: Path | None = None, prefix: str = "") -> list[tuple[str, bytes]]:
    """(path relative to the unit folder, bytes) of every file below it, in sorted order. Links are
    followed as the loader follows them, only while they stay inside the content folder; one that
    leads out, or back up to a folder it is in (a loop), is hashed by where it points, never read."""
    inside = inside or folder.parent.resolve()
    try:
        here = folder.resolve()
        entries = sorted(folder.iterdir())
    except (OSError, RuntimeError):
        return [(prefix, b"unreadable")]  # the loader reports it
    found = []
    for entry in entries:
        relative = f"{prefix}{entry.name}"
        if not stays_inside(entry, inside) or (entry.is_symlink() and here.is_relative_to(entry.resolve())):
            found.append((relative, b"link:" + os.fsencode(os.readlink(entry))))
        elif entry.is_dir():
            found += folder_files(entry, inside, relative + "/")
        else:
            try:
                found.append((relative, entry.read_bytes()))
            except OSError:
                found.append((relative, b"unreadable"))
    return found
