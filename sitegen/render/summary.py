"""What the site-wide pages need from the whole site, gathered shard by shard (sitegen/build/shards.py):
the facts a unit's pages show, and the summary each shard leaves once its model is let go."""

from __future__ import annotations

import pickle
import tempfile
from collections import Counter
from dataclasses import dataclass, field

from sitegen.base.findings import Finding
from sitegen.model import Agency, Content, Project
from sitegen.render import indicator_index, results


@dataclass(frozen=True)
class Facts:
    """What every unit's pages show of the whole site."""

    has_results: bool  # some project has a self-evaluation
    latest_year: int | None  # the newest budget year

    def merge(self, other: Facts) -> Facts:
        years = [y for y in (self.latest_year, other.latest_year) if y is not None]
        return Facts(self.has_results or other.has_results, max(years, default=None))


NO_FACTS = Facts(False, None)


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
    # (unit id, year) of the department-wide self-evaluations: a unit-year that published one has
    # self-evaluated, even with no project evaluated (the lists must not say 自评未公开).
    overall_evaluated: set = field(default_factory=set)
    # The unit-years' parts of the site's open data, in content order (added by render_unit_data):
    # a shard's in a list, the build's in a Spill.
    data: list | Spill = field(default_factory=list)  # data.UnitYearData
    overall: list | Spill = field(default_factory=list)  # data.overall.OverallData
    # Every project indicator as a small row (indicator_index.IndicatorRow), a list of them a shard:
    # the peer pages, the all-indicators table and soft-target by peers read them (the build's: a Spill).
    indicator_rows: list | Spill = field(default_factory=list)
    index: object = None  # indicator_index.IndicatorIndex, made by the build once every shard is in
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
        self.overall_evaluated |= other.overall_evaluated
        self.data.extend(other.data)
        self.overall.extend(other.overall)
        self.indicator_rows.extend(other.indicator_rows)
        self.digests.update(other.digests)

    def add(self, content: Content, findings: list[Finding], prune_records: bool = True) -> None:
        indicators = content.indicators()
        self.indicators += len(indicators)
        self.level1.update(i.level1_std or i.level1 for i in indicators)
        self.level2.update(i.level2_std or i.level2 for i in indicators)
        self.ranking += results.unit_results(content)
        self.shortfalls += results.shortfalls(content)
        self.overall_evaluated |= {(uy.agency.id, uy.year) for uy in content.unit_years() if results.overall_evaluated(uy)}
        self.facts = self.facts.merge(facts_of(content))
        self.findings += findings
        self.indicator_rows.append(indicator_index.rows_of(content, findings))
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
