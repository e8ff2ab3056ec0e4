"""HTML renderer: the disclosure site's pages from the model.

One method per page type; each gathers what its layout shows and writes one
file. Layouts hold markup only: grouping, sorting and merged cells are
computed here (and in table.py).
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing
import re
import zlib
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

from sitegen.checks import WARNING_CODES
from sitegen.model.compare import changes_since_last_year
from sitegen.base.findings import Finding
from sitegen.model import Agency, Content, Project, UnitYear
from sitegen.model.records import standard_name
from sitegen.model.specs import INDICATOR, LEVEL1_NAMES
from sitegen.model.specs import PROJECT as PROJECT_SPEC  # (Project is the record)
from sitegen.render import Context, results, worker_count
from sitegen.render.cells import filled_columns, pair_rows, project_cells
from sitegen.model.license import license_of
from sitegen.model import money
from sitegen.model.money import money_text
from sitegen.render.charts import overview_charts
from sitegen.render.dates import BUILD_DATE_CSS, build_date_css, build_stamp, print_date
from sitegen.render.data import COLUMNS, download_paths
from sitegen.render.data.columns import site_titled
from sitegen.render.overall import has_project_table, overall_evaluation_pdf_path, overall_pdf_path, overall_values
from sitegen.render.data.overall import OVERALL_RESOURCES, overall_download_paths
from sitegen.render.quality import quality_groups
from sitegen.render.places import places, search_words, vocabulary
from sitegen.render.pdf import evaluation_pdf_path, project_pdf_path, unit_year_evaluation_pdf_path, unit_year_pdf_path
from sitegen.render.search import BUNDLE, search_shards, shard_folder
from sitegen.render.table import indicator_rows
from sitegen.render.templates import environment, render_layout, static_files
from sitegen.render.writer import Writer, store_text
from sitegen.render.summary import SiteSummary, facts_of

FACET_LABELS = {"year": "年度", "region": "地区", "unit": "预算单位", "category": PROJECT_SPEC.field("category").cell_label,
                "level1": INDICATOR.field("level1").cell_label}
LATEST = 10


@dataclass(frozen=True)
class PageJob:
    target: Path  # claimed in the output tree
    template: str
    values: dict
    more: Callable[[], dict] | None = None  # values worth computing in the worker (table rows, charts)


# Pages are rendered by forked processes that each take every n-th page: Jinja is pure
# Python, so a second core halves the step. The queue is handed over by fork, not pickled.
FORK_MIN_PAGES = 64
_queue: list[PageJob] = []
_env = None


def render_queue(env, queue: list[PageJob], context: Context | None = None) -> None:
    global _queue, _env
    workers = max(1, min(worker_count(), len(queue) // FORK_MIN_PAGES))
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        render_share(env, queue, 0, 1)
        return
    _queue, _env = queue, env
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            list(pool.map(render_forked_share, range(workers), [workers] * workers))
    finally:
        _queue, _env = [], None


def render_forked_share(index: int, count: int) -> None:
    render_share(_env, _queue, index, count)


def render_share(env, queue: list[PageJob], index: int, count: int) -> None:
    """Every count-th page from index, rendered and written."""
    for job in queue[index::count]:
        values = {**job.values, **job.more()} if job.more else job.values
        store_text(job.target, render_layout(env, job.template, values))


@dataclass(frozen=True)
class Region:
    name: str
    agencies: list[Agency]

    @property
    def anchor(self) -> str:
        return "region-" + hashlib.sha1(self.name.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class Problem:
    """A warning where it belongs: its unit-year, and its project when it has one."""

    finding: Finding
    unit_year: UnitYear
    project: Project | None

    @property
    def rule(self) -> str:
        return WARNING_CODES.get(self.finding.code, self.finding.code)

    @property
    def overall(self) -> bool:
        """Whether it is about the unit-year's overall.yaml (部门整体支出绩效目标表)."""
        return self.unit_year.overall is not None and self.finding.loc.file == self.unit_year.overall.loc.file


POINTS_NOTE = re.compile(r"\s*[（(][^（）()]*分[）)]\s*$")


def level1_facets(indicators) -> list[str]:
    """The 一级指标 names a search filter offers: the standard name, or the written one without its
    points (产出指标(50分) → 产出指标), so that one level is one choice."""
    names = set()
    for indicator in indicators:
        if indicator.level1_std:
            names.add(indicator.level1_std)
        else:
            bare = POINTS_NOTE.sub("", indicator.level1)
            names.add(standard_name(bare, LEVEL1_NAMES) or bare)
    return sorted(names)


PDF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
PDF_STREAM = re.compile(rb"/FlateDecode[^>]*>>\s*stream\r?\n(.*?)endstream", re.S)


def pdf_page_count(data: bytes) -> int | None:
    """The pages of one of sitegen's own PDFs: its page objects, which WeasyPrint writes inside
    compressed object streams (so each Flate stream is read; fonts and drawings hold no page
    objects). None when none is found: the link then says only the size."""
    found = len(PDF_PAGE.findall(data))
    for stream in PDF_STREAM.findall(data):
        try:
            found += len(PDF_PAGE.findall(zlib.decompressobj().decompress(stream)))
        except zlib.error:
            continue
    return found or None


def readable_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def indicator_anchors(indicators, prefix: str = "i") -> dict:
    """Indicator → the id of its table row, to cite it by a link: from its 一级/二级/三级 names,
    so that it stays when rows are added or moved (a repeated name gets -2, -3 in its order)."""
    anchors: dict = {}
    used: set[str] = set()
    for indicator in indicators:
        names = f"{indicator.level1}\0{indicator.level2}\0{indicator.name}".encode("utf-8")
        base = f"{prefix}-{hashlib.sha1(names).hexdigest()[:8]}"
        anchor, number = base, 2
        while anchor in used:
            anchor, number = f"{base}-{number}", number + 1
        used.add(anchor)
        anchors[indicator] = anchor
    return anchors


def overall_money(overall) -> tuple[str, Decimal | None]:
    """What the summary box of a page with no project table gives as its money, with its label:
    the department-wide table's 资金总额, else its self-evaluation's 全年预算数, else the sum of its
    资金来源 rows (a form that prints only 金额合计); None when the table has none of them."""
    if overall.total is not None:
        return "资金总额", overall.total
    if overall.evaluation and overall.evaluation.adjusted is not None:
        return "全年预算数", overall.evaluation.adjusted
    amounts = [row.amount for row in overall.sources if row.amount is not None]
    return ("资金来源合计", sum(amounts, Decimal(0))) if amounts else ("资金总额", None)


def overall_files(unit_year: UnitYear) -> list[str]:
    """The site paths of a unit-year's department-wide downloads (none without that table)."""
    if unit_year.overall is None:
        return []
    pdfs = [overall_pdf_path(unit_year)] + ([overall_evaluation_pdf_path(unit_year)] if unit_year.overall.evaluation else [])
    return ["/" + path for path in pdfs] + list(overall_download_paths(unit_year).values())


def place_warnings(content: Content, warnings: tuple[Finding, ...]) -> list[Problem]:
    owners: dict[str, tuple[UnitYear, Project | None]] = {}
    for unit_year in content.unit_years():
        owners[unit_year.loc.file] = (unit_year, None)
        if unit_year.overall:
            owners[unit_year.overall.loc.file] = (unit_year, None)
        for project in unit_year.projects:
            owners[project.loc.file] = (unit_year, project)
    return [Problem(w, *owners[w.loc.file]) for w in warnings if w.level == "warning" and w.loc.file in owners]


class SitePages:
    """The pages of one shard's units (queue_units, on their full model) or the site-wide pages
    (queue_site, on the pruned records of every unit and the SiteSummary): sitegen/build/shards.py."""

    def __init__(self, content: Content, writer: Writer, context: Context):
        self.content = content
        self.problems = place_warnings(content, context.warnings)
        self.problems_of: dict[int, list[Problem]] = defaultdict(list)  # id(unit-year or agency) → its problems
        for problem in self.problems:
            self.problems_of[id(problem.unit_year)].append(problem)
            self.problems_of[id(problem.unit_year.agency)].append(problem)
        self.writer = writer
        self.page_counts: dict[Path, int | None] = {}  # a PDF listed by several pages is read once
        self.env = environment(context.site_root)
        self.site_root = context.site_root
        self.context = context
        facts = context.facts or facts_of(content)
        self.common = {"site": content.site, "content": content, "base_path": urlparse(content.site.base_url).path or "/",
                       "has_results": facts.has_results}
        self.latest_year = facts.latest_year
        self.queue: list[PageJob] = []
        self.places_of: dict[int, dict] = {}  # id(agency) → its places for the search index

    def search_places(self, agency: Agency) -> dict:
        """The `place` filter values and the weighted place words of a unit's pages (render/places.py)."""
        found = self.places_of.get(id(agency))
        if found is None:
            found = {"places": places(agency.name, agency.region), "words": search_words(agency.name, agency.region)}
            self.places_of[id(agency)] = found
        return found

    def page(self, path: str, template: str, more: Callable[[], dict] | None = None, **values) -> None:
        """Queue `template` for site path `path` (ending in / for an index.html)."""
        relative = path + "index.html" if path.endswith("/") else path
        target = self.writer.claim(relative)
        canonical = self.content.site.base_url + path.lstrip("/")
        self.queue.append(PageJob(target, template, {**self.common, "page_url": path, "canonical": canonical,
                                                     "print_date": self.print_date(values), **values}, more))

    def print_date(self, values: dict) -> str:
        """数据公开日期 under a printed page's address (render/dates.py; the build's date follows it from
        static/build-date.css): the newest publication date of what the page shows (its unit-year,
        its unit's, its year's, or the site's)."""
        if "project" in values:
            return print_date([values["project"].unit_year])
        if "unit_year" in values:
            return print_date([values["unit_year"]])
        if "agency" in values:
            return print_date(values["agency"].years)
        if "year" in values and "unit_years" in values:  # a year's page: that year's tables
            return print_date(values["unit_years"], whole_site=True)
        return self.site_print_date

    @functools.cached_property
    def site_print_date(self) -> str:
        """The site-wide pages' date: the same for each of them, found once."""
        return print_date(self.content.unit_years(), whole_site=True)

    def queue_units(self) -> None:
        """The pages of every unit of the content, in a stable order: unit, unit-years, projects."""
        self.changes = changes_since_last_year(self.content)
        for agency in self.content.agencies:
            year_results = {(agency.id, uy.year): results.year_status(uy) for uy in agency.years}
            self.page(agency.url, "agency.html", agency=agency, agency_problems=len(self.problems_of[id(agency)]),
                      year_results=year_results, search_places=self.search_places(agency),
                      agency_problem_list=self.problems_of[id(agency)],
                      awaiting=results.awaiting(agency.years, self.latest_year), money_unit=self.content.site.money_unit,
                      unit_summary=results.summarise([p for uy in agency.years for p in uy.projects], self.content.site.money_unit))
            for unit_year in agency.years:
                self.unit_year(unit_year)
                for project in unit_year.projects:
                    self.project(project)

    def queue_site(self, summary: SiteSummary) -> None:
        """The site-wide pages, in a stable order."""
        self.summary = summary
        self.common.update(self.list_results(summary))
        self.common["problem_count"] = len(self.problems)
        self.home()
        self.browse()
        for free_page in self.content.pages:
            self.page(free_page.url, "page.html", page=free_page)
        shards = [shard_folder(n).removeprefix(f"{BUNDLE}/") + "/" for n in range(1, len(search_shards(self.content)))]
        self.page("/search/", "search.html", facet_labels=FACET_LABELS, search_shards=shards, place_words=vocabulary())
        self.data_page()
        self.quality_page()
        if self.common["has_results"]:
            self.results_page()
        self.page("/404.html", "404.html", absolute_links=True)

    @staticmethod
    def list_results(summary: SiteSummary) -> dict:
        """What the site-wide lists say of each unit's self-evaluations (the records are pruned by
        then: SiteSummary.ranking): unit id → its results.Summary, and (unit id, year) → the
        Summary when it is that one year's, True when the unit evaluated more years than that one."""
        unit_results, year_results = {}, {}
        for unit in summary.ranking:
            unit_results[unit.agency.id] = unit.summary
            for year in unit.years:
                year_results[(unit.agency.id, year)] = unit.summary if len(unit.years) == 1 else True
        for agency_id, year in sorted(summary.overall_evaluated):  # department-wide only: evaluated, nothing counted
            unit_results.setdefault(agency_id, results.DEPARTMENT_WIDE)
            year_results.setdefault((agency_id, year), results.DEPARTMENT_WIDE)
        return {"unit_results": unit_results, "year_results": year_results}

    def home(self) -> None:
        unit_years = self.content.unit_years()
        latest = sorted(unit_years, key=lambda uy: (-uy.year, -(uy.published.toordinal() if uy.published else 0), uy.agency.id))
        total = money.cents(money.total([(uy.total, uy.money_unit) for uy in unit_years], self.content.site.money_unit))
        level1, level2 = self.summary.level1, self.summary.level2
        self.page("/", "index.html", lambda: {"charts": overview_charts(self.content, level1, level2)},
                  years=self.years(), regions=self.regions(), latest=latest[:LATEST], total=total,
                  indicator_count=self.summary.indicators, money_unit=self.content.site.money_unit)

    def browse(self) -> None:
        years = self.years()
        self.page("/years/", "years.html", years=years)
        for year, unit_years in years:
            self.page(f"/years/{year}/", "year.html", year=year, unit_years=unit_years,
                      money_unit=self.content.site.money_unit)
        self.page("/regions/", "regions.html", regions=self.regions())
        self.page("/units/", "units.html")

    def years(self) -> list[tuple[int, list[UnitYear]]]:
        by_year: dict[int, list[UnitYear]] = defaultdict(list)
        for unit_year in self.content.unit_years():
            by_year[unit_year.year].append(unit_year)
        return sorted(by_year.items(), reverse=True)

    def regions(self) -> list[Region]:
        by_region: dict[str, list[Agency]] = defaultdict(list)
        for agency in self.content.agencies:
            by_region[agency.region].append(agency)
        return [Region(name, agencies) for name, agencies in sorted(by_region.items())]

    def unit_year(self, unit_year: UnitYear) -> None:
        downloads = download_paths(unit_year)
        self.page(unit_year.url, "unit_year.html", lambda: self.overall_tables(unit_year), unit_year=unit_year,
                  unit_year_pdf=unit_year_pdf_path(unit_year), project_pdfs=[project_pdf_path(p) for p in unit_year.projects],
                  downloads=downloads, problems=self.problems_of[id(unit_year)],
                  sizes=self.file_sizes(["/" + unit_year_pdf_path(unit_year), *downloads.values(), *overall_files(unit_year)]),
                  results=results.summarise(unit_year.projects), evaluation_pdf=unit_year_evaluation_pdf_path(unit_year),
                  awaiting=results.awaiting([unit_year], self.latest_year), money_unit=unit_year.money_unit,
                  search_places=self.search_places(unit_year.agency), **self.overall_links(unit_year))

    @staticmethod
    def overall_tables(unit_year: UnitYear) -> dict:
        values = overall_values(unit_year)
        if unit_year.overall is not None:
            midterm = unit_year.overall.midterm.indicators if unit_year.overall.midterm else []
            values["anchors"] = indicator_anchors(unit_year.overall.indicators) | indicator_anchors(midterm, "m")
        return values

    def overall_links(self, unit_year: UnitYear) -> dict:
        if unit_year.overall is None:
            return {}
        return {"overall_pdf": overall_pdf_path(unit_year), "overall_evaluation_pdf": overall_evaluation_pdf_path(unit_year),
                "overall_downloads": overall_download_paths(unit_year),
                "overall_level1": level1_facets(unit_year.overall.indicators), "overall_money": overall_money(unit_year.overall)}

    def data_page(self) -> None:
        unit_years = [(uy, download_paths(uy)) for uy in self.content.unit_years() if has_project_table(uy)]
        overall = [(uy, overall_download_paths(uy)) for uy in self.content.unit_years() if uy.overall]
        listed = [path for rows in (unit_years, overall) for _, paths in rows for path in paths.values()]
        listed += [*download_paths(None).values(), *overall_download_paths(None).values()]  # the whole site's
        self.page("/data/", "data.html", unit_years=unit_years, everything=download_paths(None), columns=site_titled(COLUMNS, self.content.site.money_unit),
                  license=license_of(self.content.site.license), sizes=self.file_sizes(listed),
                  overall=overall, overall_everything=overall_download_paths(None), overall_resources=OVERALL_RESOURCES)

    def file_sizes(self, paths: list[str]) -> dict[str, str]:
        """Site path → its size as people read it (3.2 KB; a PDF's pages too: 5 页 · 147.3 KB), for
        the files already written: the downloads are rendered before the pages (build/site.py)."""
        sizes = {}
        for path in paths:
            target = self.writer.root / path.lstrip("/")
            if target.is_file():
                size = readable_size(target.stat().st_size)
                pages = self.pdf_pages(target) if target.suffix == ".pdf" else None
                sizes[path] = f"{pages} 页 · {size}" if pages else size
        return sizes

    def pdf_pages(self, target: Path) -> int | None:
        if target not in self.page_counts:
            self.page_counts[target] = pdf_page_count(target.read_bytes())
        return self.page_counts[target]

    def quality_page(self) -> None:
        units = [(agency, quality_groups(self.problems_of[id(agency)], WARNING_CODES))
                 for agency in self.content.agencies if self.problems_of[id(agency)]]
        self.page("/quality/", "quality.html", groups=quality_groups(self.problems, WARNING_CODES), units=units)

    def project(self, project: Project) -> None:
        level1_names = level1_facets(project.indicators)
        description = f"{project.agency.name} {project.year} 年项目支出绩效目标：{project.name}，预算 " \
                      f"{money_text(project.budget, project.unit_year.money_unit)}，{len(project.indicators)} 项绩效指标。"
        self.page(
            project.url, "project.html", lambda: self.project_tables(project), project=project,
            has_scores=any(i.score is not None for i in project.indicators), level1_names=level1_names,
            pdf=project_pdf_path(project), unit_year_pdf=unit_year_pdf_path(project.unit_year), description=description,
            sizes=self.file_sizes(["/" + project_pdf_path(project), "/" + unit_year_pdf_path(project.unit_year)]),
            changes=self.changes.get(id(project)), year_over=results.year_over(project.unit_year, self.latest_year),
            money_unit=project.unit_year.money_unit, search_places=self.search_places(project.agency),
            **self.project_results(project),
        )  # fmt: skip

    def project_results(self, project: Project) -> dict:
        """What the results partials of a project page need; nothing for a project without evaluation."""
        if project.evaluation is None:
            return {}
        return {"outcome_pairs": results.outcome_pairs(project), "evaluation_pdf": evaluation_pdf_path(project),
                "score_sum": results.score_sum(project.indicators, project.evaluation), "result_signs": results.SIGNS, "result_classes": results.CLASSES}

    def results_page(self) -> None:
        units = results.ranking(self.summary.ranking)
        self.page("/results/", "results.html", lambda: {"charts": [results.results_chart(units)]}, units=units,
                  shortfalls=self.summary.shortfalls, result_signs=results.SIGNS,
                  result_classes=results.CLASSES)

    @staticmethod
    def project_tables(project: Project) -> dict:
        """The project page's tables: its indicators (中期 and 年度 side by side when both
        exist), the optional columns it fills, and its cells of contract version 2."""
        midterm = project.midterm.indicators if project.midterm else []
        return {
            "rows": indicator_rows(project.indicators), "cells": project_cells(project),
            "columns": filled_columns(project.indicators, ("score",) if not midterm else ()),
            "pair_rows": pair_rows(midterm, project.indicators) if midterm else [],
            "midterm_columns": filled_columns(midterm),
            "anchors": indicator_anchors(project.indicators) | indicator_anchors(midterm, "m"),
        }  # fmt: skip

    def static(self) -> None:
        for target, source in static_files(self.site_root).items():
            self.writer.write_bytes(target, source.read_bytes())
        self.writer.write_text(BUILD_DATE_CSS, build_date_css(build_stamp(self.context.content_dir)))


def render_unit_pages(content: Content, writer: Writer, context: Context) -> int:
    """A shard's units' pages (sitegen/build/shards.py); returns how many were written."""
    pages = SitePages(content, writer, context)
    pages.queue_units()
    render_queue(pages.env, pages.queue, context)
    return len(pages.queue)


def render_site_pages(content: Content, writer: Writer, context: Context) -> int:
    """The site-wide pages and the static files, from the pruned records and context.summary."""
    pages = SitePages(content, writer, context)
    pages.queue_site(context.summary)
    pages.static()
    render_queue(pages.env, pages.queue, context)
    return len(pages.queue)


def render_html(content: Content, writer: Writer, context: Context) -> int:
    """Every page of a whole content, in one go (the bench, tests); returns how many were written."""
    summary = SiteSummary()
    summary.add(content, list(context.warnings), prune_records=False)
    context = replace(context, summary=summary, facts=summary.facts)
    return render_unit_pages(content, writer, context) + render_site_pages(content, writer, context)
