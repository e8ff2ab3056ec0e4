"""PDF renderer: the official table layouts through Jinja and WeasyPrint.

One PDF per unit-year (its whole table) and one per project. Each PDF's
inputs are its HTML (content, layout and CSS) plus the digest of sitegen's
code, layouts, fonts and libraries (base/resources.code_digest); a PDF whose
inputs did not change is copied from the cache instead of rendered again.

In the per-project layout every project is a form of its own (title, unit
row, 合计, 备注) starting on a new page, so the unit-year PDF is its
projects' pages one after another: they are laid out once, for the project
PDFs, and the unit-year PDF is written from the same pages. Each form keeps
its own 第 X 页 共 Y 页. Laying out is two thirds of WeasyPrint's time.
"""

from __future__ import annotations

import copy
import gc
import hashlib
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from pathlib import Path

from sitegen.base.resources import code_digest, font_faces
from sitegen.model import Content, Project, UnitYear
from sitegen.model.records import Source
from sitegen.render import Context, RenderError, worker_count
from sitegen.render.overall import has_project_table, overall_evaluation_pdf_path, overall_pdf_path
from sitegen.render.pdf_fonts import FAMILIES, SubsetFonts, bare_cff_fonts, font_characters, with_shared_fonts
from sitegen.render.results import score_sum
from sitegen.render.cells import (
    after_money_cells,
    column_widths,
    declaration_cells,
    filled_columns,
    money_cells,
    pair_rows,
    project_cells,
)
from sitegen.render.table import indicator_rows
from sitegen.render.templates import BUILTIN_STATIC, environment, render_layout, static_files
from sitegen.render.writer import Writer, replace_atomically

FONT_PACKAGE = "fonts-noto-cjk"
PDF_VARIANT = "pdf/a-3u"
# Column widths (%) of the department-wide form's indicators: 一级 · 二级 · 三级 · 指标解释 · 指标值,
# then as many of 评(扣)分标准 and 备注 as are filled.
OVERALL_WIDTHS = {0: (10, 12, 24, 40, 14), 1: (9, 10, 21, 28, 10, 22), 2: (9, 10, 19, 20, 10, 20, 12)}
# Documents laid out apart with the same fonts go to jobs of at most this many: the fonts are
# made once a job, and the workers of a small site still share a unit-year's documents.
SHARED_FONTS_JOB = 8
# Layouts where every project is a form of its own: the unit-year PDF is their pages.
FORM_PER_PROJECT = ("per-project", "declaration")


@dataclass(frozen=True)
class PdfDocument:
    path: str  # inside the output tree
    html: str  # empty for an assembled document
    label: str  # the PDF's title
    parts: tuple["PdfDocument", ...] = ()  # an assembled document: these documents' pages, in order
    # A document that shares its job's fonts (pdf_fonts.with_shared_fonts): the characters they
    # are subset to, those of all the job's documents; empty for a document laid out on its own.
    font_text: str = ""

    @property
    def source(self) -> str:
        """Everything the PDF is made from, for the cache key."""
        if not self.parts:
            return f"{self.html}\0fonts\0{self.font_text}" if self.font_text else self.html
        return "\0".join(["assembled", self.label, *(part.html for part in self.parts)])


def source_text(sources: list[Source]) -> str:
    """来源 for the PDF's document info (its Subject): each source's title, address and date."""
    unique = list(dict.fromkeys(sources))
    return "；".join(f"{s.title} {s.url}".strip() + (f"（发布日期 {s.published.isoformat()}）" if s.published else "")
                    for s in unique)


def unit_year_pdf_path(unit_year: UnitYear) -> str:
    return f"{unit_year.url}{unit_year.agency.id}-{unit_year.year}.pdf".lstrip("/")


def project_pdf_path(project: Project) -> str:
    return f"{project.url}{project.agency.id}-{project.year}-{project.id}.pdf".lstrip("/")


def evaluation_pdf_path(project: Project) -> str:
    """The project's 绩效自评表, beside its goals PDF."""
    return f"{project.url}{project.agency.id}-{project.year}-{project.id}-selfeval.pdf".lstrip("/")


def unit_year_evaluation_pdf_path(unit_year: UnitYear) -> str:
    return f"{unit_year.url}{unit_year.agency.id}-{unit_year.year}-selfeval.pdf".lstrip("/")


def font_versions() -> str:
    """The installed CJK font files, or a RenderError naming the package to install."""
    faces = font_faces()
    files = sorted({face.file for face in faces if any(f in face.families for f in FAMILIES)})
    missing = [f for f in FAMILIES if not any(f in face.families or f in face.file for face in faces)]
    if missing:
        raise RenderError(
            f"缺少 PDF 所需的中文字体 {'、'.join(missing)}：请安装 Debian 软件包 {FONT_PACKAGE}"
            f"（apt-get install {FONT_PACKAGE}），否则汉字会印成方框"
        )
    return ";".join(f"{path}:{Path(path).stat().st_size}" for path in files)


class PdfLayouts:
    """Turns model records into the HTML WeasyPrint lays out."""

    def __init__(self, content: Content, site_root: Path | None):
        self.site = content.site
        self.env = environment(site_root)
        # The site's own pdf.css when it has one, read only from inside its static/ folder.
        self.css = static_files(site_root)["static/pdf.css"].read_text("utf-8")

    def html(self, unit_year: UnitYear, projects: list[Project], title: str, own_pdf: bool = False) -> str:
        """The layout's HTML for `projects`; `own_pdf`: the project's own PDF, where the flat
        table prints the project's other cells under it."""
        layout = unit_year.pdf_layout
        blocks = [self.block(project) for project in projects]
        total = sum((p.budget for p in projects), Decimal("0.00"))
        created = unit_year.published.isoformat() if unit_year.published else f"{unit_year.year}-01-01"
        # flat prints 分值 in a column of its own; the other optional columns when some project fills them
        columns = filled_columns([i for p in projects for i in p.indicators], ("score",) if layout == "flat" else ())
        return render_layout(self.env, f"pdf/{layout}.html", dict(
            language=self.site.language, title=title, author=unit_year.agency.name,
            created=f"{created}T00:00:00Z", css=self.css, unit_year=unit_year, blocks=blocks, total=total,
            columns=columns, widths=column_widths(layout, columns), own_pdf=own_pdf,
            source=source_text([s for p in projects for s in p.sources] or unit_year.provenance),
        ))  # fmt: skip

    def block(self, project: Project) -> dict:
        """What the layouts print of one project: its rows, and its cells of contract version 2."""
        midterm = project.midterm.indicators if project.midterm else []
        columns, midterm_columns = filled_columns(project.indicators), filled_columns(midterm)
        return {
            "project": project, "rows": indicator_rows(project.indicators), "cells": project_cells(project),
            "midterm_rows": indicator_rows(midterm) if midterm else [], "midterm_columns": midterm_columns,
            "midterm_widths": column_widths("group", midterm_columns),
            # the declaration form: its labelled block, and 中期/年度 side by side when both exist
            "head": declaration_cells(project), "money": money_cells(project), "more": after_money_cells(project),
            "pair_rows": pair_rows(midterm, project.indicators) if midterm else [], "columns": columns,
            "widths": column_widths("pair" if midterm else "group", midterm_columns + columns),
        }  # fmt: skip

    def documents(self, content: Content) -> list[PdfDocument]:
        documents = []
        for unit_year in content.unit_years():
            documents += self.overall_documents(unit_year)
            if not has_project_table(unit_year):
                continue
            title = f"{unit_year.agency.name} {unit_year.year} 年项目支出绩效目标表"
            projects = [self.project_document(unit_year, project) for project in unit_year.projects]
            if unit_year.pdf_layout in FORM_PER_PROJECT and projects:
                projects = list(with_shared_fonts(projects, self.css))
                documents.append(PdfDocument(unit_year_pdf_path(unit_year), "", title, tuple(projects)))
                documents += projects
            else:
                # One table of all the projects, and each project's own PDF: laid out apart, in one
                # job with the same fonts (subsetting and loading fonts is a large part of a small PDF's time).
                whole = PdfDocument(unit_year_pdf_path(unit_year), self.html(unit_year, unit_year.projects, title), title)
                documents += with_shared_fonts([whole, *projects], self.css)
            documents += self.evaluation_documents(unit_year)
        return documents

    def evaluation_documents(self, unit_year: UnitYear) -> list[PdfDocument]:
        """One 项目支出绩效自评表 per evaluated project, and the unit-year's PDF of all of them
        (its forms' pages, each form numbered on its own, as in the per-project layout)."""
        forms = []
        for project in unit_year.projects:
            if project.evaluation is None:
                continue
            label = f"{project.name} 绩效自评表（{unit_year.agency.name} {unit_year.year} 年）"
            forms.append(PdfDocument(evaluation_pdf_path(project), self.evaluation_html(unit_year, project, label), label))
        if not forms:
            return []
        title = f"{unit_year.agency.name} {unit_year.year} 年项目支出绩效自评表"
        forms = with_shared_fonts(forms, self.css)
        return [PdfDocument(unit_year_evaluation_pdf_path(unit_year), "", title, forms), *forms]

    def evaluation_html(self, unit_year: UnitYear, project: Project, title: str) -> str:
        evaluation = project.evaluation
        assert evaluation is not None
        # The form prints the 总分 the agency printed; the checks warn when it differs from the computed one.
        total = evaluation.stated_total if evaluation.stated_total is not None else evaluation.total
        facts = dict(project.facts)
        # 主管部门: the unit's department, else the cell the form printed (a department without a code is a fact)
        department = unit_year.agency.department_name or facts.get("主管部门") or unit_year.agency.name
        block = {"project": project, "rows": indicator_rows(project.indicators), "department": department,
                 "score_sum": score_sum(project.indicators, evaluation), "total": total}
        published = evaluation.published or unit_year.published
        created = published.isoformat() if published else f"{unit_year.year}-01-01"
        return render_layout(self.env, "pdf/evaluation.html", dict(
            language=self.site.language, title=title, author=unit_year.agency.name,
            created=f"{created}T00:00:00Z", css=self.css, unit_year=unit_year, blocks=[block],
            source=source_text(project.sources),
        ))  # fmt: skip

    def project_document(self, unit_year: UnitYear, project: Project) -> PdfDocument:
        label = f"{project.name}（{unit_year.agency.name} {unit_year.year} 年）"
        return PdfDocument(project_pdf_path(project), self.html(unit_year, [project], label, own_pdf=True), label)

    def overall_documents(self, unit_year: UnitYear) -> list[PdfDocument]:
        """The department-wide form of overall.yaml, and its self-evaluation form when evaluated."""
        o = unit_year.overall
        if o is None:
            return []
        name = f"{unit_year.agency.name} {unit_year.year} 年"
        forms = [(overall_pdf_path(unit_year), "overall", f"{name}部门整体支出绩效目标表")]
        if o.evaluation:
            forms.append((overall_evaluation_pdf_path(unit_year), "overall-evaluation", f"{name}部门整体支出绩效自评表"))
        return [PdfDocument(path, self.overall_html(unit_year, form, label), label) for path, form, label in forms]

    def overall_html(self, unit_year: UnitYear, form: str, title: str) -> str:
        o = unit_year.overall
        assert o is not None
        has = {"scoring": any(i.scoring for i in o.indicators), "remark": any(i.remark for i in o.indicators)}
        evaluated = o.evaluation.published if o.evaluation and form == "overall-evaluation" else None
        published = evaluated or o.published or unit_year.published
        created = published.isoformat() if published else f"{unit_year.year}-01-01"
        return render_layout(self.env, f"pdf/{form}.html", dict(
            language=self.site.language, title=title, author=unit_year.agency.name, created=f"{created}T00:00:00Z",
            css=self.css, unit_year=unit_year, rows=indicator_rows(o.indicators), has=has,
            widths=OVERALL_WIDTHS[sum(has.values())], score_total=score_sum(o.indicators, o.evaluation),
            source=source_text(o.provenance or unit_year.provenance),
        ))  # fmt: skip


class PdfCache:
    """PDFs under a digest of their HTML, the print CSS and code_digest(): sitegen's code and
    layouts, the fonts and the versions of WeasyPrint and the libraries it uses (never a version
    string of sitegen, the same for every commit)."""

    def __init__(self, folder: Path, fonts: str, css: str):
        self.folder = folder / "pdf"
        self.salt = f"{code_digest()}\0{fonts}\0{PDF_VARIANT}\0{css}\0"

    def key(self, document: PdfDocument) -> str:
        return hashlib.sha256((self.salt + document.source).encode("utf-8")).hexdigest()

    def get(self, key: str) -> bytes | None:
        """The cached PDF, or None: an entry that cannot be read, is empty or is not a whole
        PDF (a disk that filled up, a killed build before the atomic writes) is never reused."""
        path = self.folder / f"{key}.pdf"
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if not (data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")):
            return None
        try:
            os.utime(path)  # used now: the cache is swept least recently used first (build/cache.py)
        except OSError:
            pass
        return data

    def put(self, key: str, data: bytes) -> None:
        replace_atomically(self.folder / f"{key}.pdf", data)


@dataclass(frozen=True)
class Job:
    """What one worker renders in one go: documents to lay out, which of them to write,
    and optionally one more PDF assembled from all their pages under its own title."""

    htmls: tuple[str, ...]
    wanted: tuple[bool, ...]  # which of them are written as PDFs of their own
    css: str  # the print CSS (static/pdf.css) they are all laid out with
    assembled_title: str | None = None
    font_text: str = ""  # the characters of the fonts when not only the documents' (PdfDocument.font_text)


def layout(html: str, fonts, css):
    from weasyprint import HTML

    return HTML(string=html, base_url=str(BUILTIN_STATIC), url_fetcher=fonts.fetcher).render(
        stylesheets=[fonts.stylesheet, css], font_config=fonts.config, pdf_variant=PDF_VARIANT, pdf_tags=True
    )


def print_css(css: str, fonts):
    """The print CSS parsed once for a job's documents (in each document's <style> it would be
    parsed again for every one), with the job's font configuration and URL
    fetcher, so that @font-face rules of a site's own pdf.css load as they did from the <style>,
    and its URLs resolve against the same base."""
    from weasyprint import CSS

    return CSS(string=css, base_url=str(BUILTIN_STATIC), url_fetcher=fonts.fetcher, font_config=fonts.config)


def write(document) -> bytes:
    return document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True, finisher=bare_cff_fonts)


def render_job(job: Job, subset_fonts: SubsetFonts) -> list[bytes]:
    """The written PDFs in order: the parts marked for writing, then the assembled one.
    The job's documents share fonts subset to all their characters (pdf_fonts.py)."""
    fonts = subset_fonts.for_text(job.font_text or font_characters([job.css, *job.htmls]))
    try:
        css = print_css(job.css, fonts)
        if job.assembled_title is None:  # one document at a time: a job may be a unit-year's 200 projects
            return [write(layout(html, fonts, css)) for html, wanted in zip(job.htmls, job.wanted) if wanted]
        documents = [layout(html, fonts, css) for html in job.htmls]
        results = [write(document) for document, wanted in zip(documents, job.wanted) if wanted]
        assembled = documents[0].copy([page for document in documents for page in document.pages])
        assembled.metadata = copy.copy(assembled.metadata)  # shared with the first part otherwise
        assembled.metadata.title = job.assembled_title
        results.append(write(assembled))
    finally:
        fonts.close()
    return results


# The installed font files, opened once per process.
_worker_fonts: SubsetFonts | None = None


def start_worker() -> None:
    global _worker_fonts
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    _worker_fonts = SubsetFonts()


def start_pool_worker() -> None:
    start_worker()
    # A laid-out table is hundreds of thousands of small objects that live until its PDF is
    # written; at the default threshold (700 allocations) the cyclic collector rescans them
    # all the time. A worker does nothing else, so it collects less often. What the worker
    # inherited from the build is frozen in there.
    gc.freeze()
    gc.set_threshold(100_000, 20, 20)


def render_in_worker(job: Job) -> list[bytes]:
    if _worker_fonts is None:
        start_worker()
    return render_job(job, _worker_fonts)


def render_all(jobs: list[Job], workers: int) -> list[list[bytes]]:
    """Render in a process pool when it pays off; results in the order given. (On a cluster, or
    in a shard's worker process, workers is 1: the shards run in parallel, build/workers.py.)"""
    if workers <= 1 or len(jobs) < 4:
        return [render_in_worker(job) for job in jobs]
    # The biggest jobs first, so that no worker is left with a long one at the end.
    order = sorted(range(len(jobs)), key=lambda i: -sum(len(html) for html in jobs[i].htmls))
    with ProcessPoolExecutor(max_workers=workers, initializer=start_pool_worker,
                             mp_context=multiprocessing.get_context("fork")) as pool:
        done = dict(zip(order, pool.map(render_in_worker, [jobs[i] for i in order])))
    return [done[i] for i in range(len(jobs))]


def plan_jobs(pending: list[PdfDocument], css: str) -> list[tuple[Job, list[PdfDocument]]]:
    """Group the documents to render into jobs; each with the documents its results are for.

    An assembled document lays out all its parts in its job, and writes those of them
    that are pending too; the other pending documents are a job each.
    """
    wanted = {document.path for document in pending}
    planned: list[tuple[Job, list[PdfDocument]]] = []
    covered: set[str] = set()
    for document in pending:
        if document.parts:
            written = [part for part in document.parts if part.path in wanted]
            job = Job(tuple(part.html for part in document.parts),
                      tuple(part.path in wanted for part in document.parts), css,
                      document.label, document.parts[0].font_text)
            planned.append((job, [*written, document]))
            covered.update(part.path for part in written)
    alone = [document for document in pending if not document.parts and document.path not in covered]
    for _, shared in groupby(alone, key=lambda document: document.font_text or document.path):
        shared = list(shared)  # documents with the same fonts (font_text), or one document alone
        for start in range(0, len(shared), SHARED_FONTS_JOB):  # a few jobs, for the workers to share
            group = shared[start:start + SHARED_FONTS_JOB]
            planned.append((Job(tuple(d.html for d in group), (True,) * len(group), css, font_text=group[0].font_text),
                            group))
    return planned


def render_pdfs(content: Content, writer: Writer, context: Context) -> list[str]:
    """Write every PDF; returns the paths that had to be rendered (not taken from the cache)."""
    layouts = PdfLayouts(content, context.site_root)
    cache = PdfCache(context.cache_dir, font_versions(), layouts.css)
    documents = layouts.documents(content)
    pending = []
    for document in documents:
        key = cache.key(document)
        cached = cache.get(key)
        if cached:
            writer.write_bytes(document.path, cached)
        else:
            pending.append((document, key))
    keys = {document.path: key for document, key in pending}
    planned = plan_jobs([document for document, _ in pending], layouts.css)
    results = render_all([job for job, _ in planned], worker_count())
    for (_, documents), written in zip(planned, results):
        for document, data in zip(documents, written):
            cache.put(keys[document.path], data)
            writer.write_bytes(document.path, data)
    return [document.path for document, _ in pending]
