"""PDF renderer: the official table layouts through Jinja and WeasyPrint.

One PDF per unit-year (its whole table) and one per project. Each PDF's
inputs are its HTML (content, layout and CSS) plus the versions of sitegen,
WeasyPrint and the fonts; a PDF whose inputs did not change is copied from
the cache instead of rendered again.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import shutil
import subprocess
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sitegen import __version__
from sitegen.model import Content, Project, UnitYear
from sitegen.render import Context, RenderError
from sitegen.render.table import indicator_rows
from sitegen.render.templates import BUILTIN_STATIC, environment
from sitegen.render.writer import Writer

FONT_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")
FONT_PACKAGE = "fonts-noto-cjk"
PDF_VARIANT = "pdf/a-3u"


@dataclass(frozen=True)
class PdfDocument:
    path: str  # inside the output tree
    html: str
    label: str  # for messages


def unit_year_pdf_path(unit_year: UnitYear) -> str:
    return f"{unit_year.url}{unit_year.agency.id}-{unit_year.year}.pdf".lstrip("/")


def project_pdf_path(project: Project) -> str:
    return f"{project.url}{project.agency.id}-{project.year}-{project.id}.pdf".lstrip("/")


def font_versions() -> str:
    """The installed CJK font files, or a RenderError naming the package to install."""
    try:
        listing = subprocess.run(
            ["fc-list", "--format", "%{family}\t%{file}\n"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        listing = ""
    files = sorted({line.split("\t")[1] for line in listing.splitlines()
                    if "\t" in line and any(f in line.split("\t")[0] for f in FONT_FAMILIES)})
    missing = [f for f in FONT_FAMILIES if f not in listing]
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
        css_path = site_root / "static" / "pdf.css" if site_root else None
        self.css = (css_path if css_path and css_path.is_file() else BUILTIN_STATIC / "pdf.css").read_text("utf-8")

    def html(self, unit_year: UnitYear, projects: list[Project], title: str) -> str:
        template = self.env.get_template(f"pdf/{unit_year.pdf_layout}.html")
        blocks = [{"project": p, "rows": indicator_rows(p.indicators)} for p in projects]
        total = sum((p.budget for p in projects), Decimal("0.00"))
        created = unit_year.published.isoformat() if unit_year.published else f"{unit_year.year}-01-01"
        return template.render(
            language=self.site.language, title=title, author=unit_year.agency.name,
            created=f"{created}T00:00:00Z", css=self.css, unit_year=unit_year, blocks=blocks, total=total,
        )  # fmt: skip

    def documents(self, content: Content) -> list[PdfDocument]:
        documents = []
        for unit_year in content.unit_years():
            title = f"{unit_year.agency.name} {unit_year.year} 年项目支出绩效目标表"
            documents.append(PdfDocument(unit_year_pdf_path(unit_year), self.html(unit_year, unit_year.projects, title), title))
            for project in unit_year.projects:
                label = f"{project.name}（{unit_year.agency.name} {unit_year.year} 年）"
                documents.append(PdfDocument(project_pdf_path(project), self.html(unit_year, [project], label), label))
        return documents


class PdfCache:
    def __init__(self, folder: Path, fonts: str):
        import weasyprint

        self.folder = folder / "pdf"
        self.salt = f"sitegen {__version__}\0weasyprint {weasyprint.__version__}\0{fonts}\0{PDF_VARIANT}\0"

    def key(self, document: PdfDocument) -> str:
        return hashlib.sha256((self.salt + document.html).encode("utf-8")).hexdigest()

    def get(self, key: str) -> Path | None:
        path = self.folder / f"{key}.pdf"
        return path if path.is_file() else None

    def put(self, key: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f"{key}.tmp"
        temporary.write_bytes(data)
        temporary.replace(self.folder / f"{key}.pdf")


def render_pdf_bytes(html: str, font_config) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(BUILTIN_STATIC)).write_pdf(
        font_config=font_config, pdf_variant=PDF_VARIANT, pdf_tags=True
    )


# One FontConfiguration per process: building it costs more than a small document.
_worker_fonts = None


def start_worker() -> None:
    global _worker_fonts
    from weasyprint.text.fonts import FontConfiguration

    from sitegen.render.pdf_fonts import use_compact_subsets

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    use_compact_subsets()
    _worker_fonts = FontConfiguration()


def render_in_worker(html: str) -> bytes:
    if _worker_fonts is None:
        start_worker()
    return render_pdf_bytes(html, _worker_fonts)


def render_all(htmls: list[str], workers: int) -> list[bytes]:
    """Render in a process pool when it pays off; results in the order given."""
    if workers <= 1 or len(htmls) < 4:
        return [render_in_worker(html) for html in htmls]
    with ProcessPoolExecutor(max_workers=workers, initializer=start_worker,
                             mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(render_in_worker, htmls, chunksize=2))


def worker_count() -> int:
    return max(1, min(len(os.sched_getaffinity(0)), int(os.environ.get("SITEGEN_PDF_WORKERS", "64"))))


def render_pdfs(content: Content, writer: Writer, context: Context) -> list[str]:
    """Write every PDF; returns the paths that had to be rendered (not taken from the cache)."""
    cache = PdfCache(context.cache_dir, font_versions())
    documents = PdfLayouts(content, context.site_root).documents(content)
    pending = []
    for document in documents:
        key = cache.key(document)
        cached = cache.get(key)
        if cached:
            shutil.copyfile(cached, writer.path(document.path))
        else:
            pending.append((document, key))
    results = render_all([document.html for document, _ in pending], worker_count())
    for (document, key), data in zip(pending, results):
        cache.put(key, data)
        writer.write_bytes(document.path, data)
    return [document.path for document, _ in pending]
