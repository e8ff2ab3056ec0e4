"""The build in shards: groups of whole units, each loaded, checked and rendered on its own.

A site of 100,000 projects does not fit one model in memory (36 KB a project with
its indicators and their positions). So `build` plans shards of whole unit folders
(about SHARD_PROJECTS projects each, in the order of the content folder); each is
loaded, checked and rendered — its units' pages, PDFs and open-data files — by one
worker process (shard_workers.py), which keeps what the site-wide pages need
(SiteSummary, with the records pruned) and lets the rest go. Peak memory is a
shard's model per worker plus a small record per project, whatever the site's size.

A unit's pages show two facts of the whole site (Facts): whether any project has
a self-evaluation (the 绩效结果 links) and the newest budget year (a year is over
when a later one exists). They are guessed from the files before any shard is
loaded, and checked against what the shards found; a wrong guess renders the
shards again with the true facts, so a guess can cost time, never a wrong page.

What a shard renders depends only on its own files, the site's files, the facts,
the layouts and sitegen itself, which is what its key (ShardCache.key) hashes: an
incremental build (shard_cache.py) takes an unchanged shard's output as it was.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.findings import Finding
from sitegen.model import Agency, Content, Project

# 100: an edit renders 100 projects again (500: 11 % slower an edit at 10,000 projects, 10 % faster a
# clean build; docs/scaling.md)
SHARD_PROJECTS = 100
YEAR_FOLDER = re.compile(r"^\d{4}$")
NOT_PROJECTS = ("agency.yaml", "disclosure.yaml", "overall.yaml")


def shard_projects() -> int:
    return max(1, int(os.environ.get("SITEGEN_SHARD_PROJECTS", SHARD_PROJECTS)))


@dataclass(frozen=True)
class Facts:
    """What every unit's pages show of the whole site."""

    has_results: bool  # some project has a self-evaluation
    latest_year: int | None  # the newest budget year

    def merge(self, other: Facts) -> Facts:
        years = [y for y in (self.latest_year, other.latest_year) if y is not None]
        return Facts(self.has_results or other.has_results, max(years, default=None))


NO_FACTS = Facts(False, None)


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
        digest = hashlib.sha256()
        projects = 0
        for relative, data in files:
            digest.update(f"{len(relative)}:{relative}:{len(data)}:".encode("utf-8") + data)
            parts = relative.split("/")
            if len(parts) == 2 and YEAR_FOLDER.match(parts[0]):
                years.append(int(parts[0]))
                if parts[1].endswith(".yaml") and parts[1] not in NOT_PROJECTS:
                    projects += 1
                    evaluated = evaluated or b"evaluation:" in data
        if group and sum(p for _, p, _ in group) + projects > size:
            shards.append(make_shard(len(shards), group))
            group = []
        group.append((folder.name, projects, digest.hexdigest()))
    if group:
        shards.append(make_shard(len(shards), group))
    return Plan(shards, Facts(evaluated, max(years, default=None)))


def make_shard(number: int, group: list[tuple[str, int, str]]) -> Shard:
    digest = hashlib.sha256("\n".join(f"{name} {d}" for name, _, d in group).encode("utf-8")).hexdigest()
    return Shard(number, frozenset(name for name, _, _ in group), sum(p for _, p, _ in group), digest)


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
    leads out is hashed by where it points, never read."""
    inside = inside or folder.parent.resolve()
    found = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return [(prefix, b"unreadable")]  # the loader reports it
    for entry in entries:
        relative = f"{prefix}{entry.name}"
        if not stays_inside(entry, inside):
            found.append((relative, b"link:" + os.fsencode(os.readlink(entry))))
        elif entry.is_dir():
            found += folder_files(entry, inside, relative + "/")
        else:
            try:
                found.append((relative, entry.read_bytes()))
            except OSError:
                found.append((relative, b"unreadable"))
    return found


# ---------------------------------------------------------------- what the site-wide pages keep


@dataclass
class SiteSummary:
    """What the site-wide pages and files need from every shard, gathered before its model is let go."""

    agencies: list[Agency] = field(default_factory=list)  # pruned (prune())
    findings: list[Finding] = field(default_factory=list)
    facts: Facts = NO_FACTS
    indicators: int = 0
    level1: Counter = field(default_factory=Counter)
    level2: Counter = field(default_factory=Counter)
    ranking: list = field(default_factory=list)  # results.UnitResult, in content order
    shortfalls: list = field(default_factory=list)  # results.Shortfall, in content order
    # The unit-years' parts of the site's open data, in content order (added by render_unit_data):
    # a shard's in a list, the build's in a Spill.
    data: list | Spill = field(default_factory=list)  # data.UnitYearData
    overall: list | Spill = field(default_factory=list)  # overall_data.OverallData
    # Unit id → its shard's cache key, set by the build: the key covers everything the unit's pages
    # are made of, so the search index keys its bundles by them without reading the pages.
    unit_keys: dict[str, str] = field(default_factory=dict)
    # Site path → SHA-256 of each download a shard wrote, taken from its bytes when they were made
    # (and kept in its cache entry): SHA256SUMS need not read the files again.
    digests: dict[str, str] = field(default_factory=dict)

    def merge(self, other: SiteSummary) -> None:
        """Another shard's summary after this one's (a shard's own, or one from the cache)."""
        self.agencies += other.agencies
        self.findings += other.findings
        self.facts = self.facts.merge(other.facts)
        self.indicators += other.indicators
        self.level1.update(other.level1)
        self.level2.update(other.level2)
        self.ranking += other.ranking
        self.shortfalls += other.shortfalls
        self.data.extend(other.data)
        self.overall.extend(other.overall)
        self.digests.update(other.digests)

    def add(self, content: Content, findings: list[Finding], prune_records: bool = True) -> None:
        from sitegen.render import results

        indicators = content.indicators()
        self.indicators += len(indicators)
        self.level1.update(i.level1_std or i.level1 for i in indicators)
        self.level2.update(i.level2_std or i.level2 for i in indicators)
        self.ranking += results.unit_results(content)
        self.shortfalls += results.shortfalls(content)
        self.facts = self.facts.merge(facts_of(content))
        self.findings += findings
        if prune_records:
            for agency in content.agencies:
                prune(agency)
        self.agencies += content.agencies


class Spill:
    """A list written to an unnamed temporary file as it grows and read back once, in order: the
    site's open data is streamed from every unit-year's parts, which memory holds one at a time."""

    def __init__(self):
        self.file = tempfile.TemporaryFile(prefix="sitegen-parts-")  # gone when closed, or when the build is killed
        self.count = 0

    def append(self, item) -> None:
        pickle.dump(item, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def extend(self, items) -> None:
        for item in items:
            self.append(item)

    def __iter__(self):
        self.file.seek(0)
        for _ in range(self.count):
            yield pickle.load(self.file)

    def close(self) -> None:
        self.file.close()


def facts_of(content: Content) -> Facts:
    return Facts(any(p.evaluation for p in content.projects()), max((uy.year for uy in content.unit_years()), default=None))


class PrunedError(AssertionError):
    pass


class Pruned:
    """Stands for a record's detail once its shard is done: the site-wide pages must take what
    they show from the SiteSummary, and any code that reaches for the detail fails loudly here
    instead of showing a wrong count."""

    __slots__ = ("what", "length")

    def __init__(self, what: str, length: int | None = None):
        self.what = what
        self.length = length  # a list's length stays known: the feeds count a unit-year's indicators

    def fail(self, *args) -> None:
        raise PrunedError(f"{self.what}: 分片完成后已释放（站点级页面应使用 SiteSummary）")

    def __len__(self) -> int:
        if self.length is None:
            self.fail()
        return self.length  # type: ignore[return-value]

    __iter__ = __bool__ = __getitem__ = __contains__ = fail

    def __getattr__(self, name: str):
        if name.startswith("__"):  # what pickle and copy look for
            raise AttributeError(name)
        self.fail()


DETAIL = ("funding", "goals", "description", "indicators", "notes", "costs", "facts", "midterm", "evaluation", "locs",
          "basis")
PRUNED = {name: Pruned(f"Project.{name}") for name in DETAIL}


def prune(agency: Agency) -> None:
    """Keep a unit's agency, unit-year and project records, with their names, budgets and places,
    and drop each project's detail (its indicators above all)."""
    for unit_year in agency.years:
        for project in unit_year.projects:
            prune_project(project)


def prune_project(project: Project) -> None:
    count = len(project.indicators)
    for name, stand_in in PRUNED.items():
        setattr(project, name, stand_in)
    project.indicators = Pruned("Project.indicators", count)  # type: ignore[assignment]
