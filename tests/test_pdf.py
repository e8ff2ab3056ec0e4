"""The PDFs, read back: every indicator in its row, totals, page format,
embedded fonts, metadata, determinism, page breaks and the cache.

Everything here renders real PDFs with WeasyPrint and reads them with
pdfplumber and poppler's pdfinfo/pdffonts.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest

from sitegen.build.site import build
from sitegen.checks.pipeline import load_content
from sitegen.model.money import amount_text
from sitegen.render import Context
from sitegen.render.overall import has_project_table
from sitegen.render.pdf import project_pdf_path, render_pdfs, unit_year_pdf_path
from sitegen.render.pdf_fonts import SubsetFonts
from sitegen.render.writer import Writer
from sitegen.base.safety import MARKER, MARKER_TEXT
from tests.conftest import CONTENT, MINIMAL, write_tree

FLAT_HEADER = ["项目名称", "项目单位", "项目类别", "预算数", "年度绩效目标", "一级指标", "二级指标",
               "三级指标", "指标性质", "指标方向", "目标值", "计量单位", "分值"]


HEADER_WORDS = {"三级指标", "绩效指标"}


CSS_TEXT = (Path(__file__).parent.parent / "static/pdf.css").read_text(encoding="utf-8")  # the built-in print CSS
LAYOUT_COLUMNS = {"flat": (7, 7), "per-project": (6, 6)}  # (merged columns, 三级指标 column)


def table_rows(pdf_path: Path, layout: str) -> list[list[str]]:
    """Every body row of every page's table: repeated header rows skipped, line breaks inside
    cells removed, and in indicator rows the cells that a merged cell above covers
    (pdfplumber gives None, or '' where the merged cell continues from the previous page)
    filled from the row above."""
    merged, name_column = LAYOUT_COLUMNS[layout]
    rows: list[list[str]] = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            for table in page_tables(page):
                for raw in table:
                    cells = [(c or "").replace("\n", "") for c in raw]
                    if HEADER_WORDS & set(cells) or len(cells) <= name_column:
                        continue  # a repeated header, or the narrower block of a project's other cells
                    if rows and cells[name_column]:
                        filled = [cell or above for cell, above in zip(cells[:merged], rows[-1])]
                        cells = filled + cells[merged:]
                    rows.append(cells)
    return rows


def page_tables(page) -> list:
    """The page's tables. A merged cell that continues on the next page has no bottom rule,
    so pdfplumber is told where the table ends (the bottom of its vertical rules)."""
    bottoms = [edge["bottom"] for edge in page.edges if edge["orientation"] == "v"]
    return page.extract_tables({"explicit_horizontal_lines": [max(bottoms)]} if bottoms else {})


def header_rows(pdf_path: Path) -> list[list[str]]:
    with pdfplumber.open(pdf_path) as pdf:
        return [[(c or "").replace("\n", "") for c in page.extract_tables()[0][0]] for page in pdf.pages]


def pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def pdffonts(path: Path) -> list[list[str]]:
    result = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    # poppler warns, among others, when a font's declared type does not match the embedded file
    assert not result.stderr, (path, result.stderr)
    return [line.split() for line in result.stdout.splitlines()[2:]]


def example_projects():
    return load_content(CONTENT).content.projects()


# The declaration forms are read back in tests/test_declaration.py.
@pytest.mark.parametrize("project", [p for p in example_projects() if p.unit_year.pdf_layout != "declaration"],
                         ids=lambda p: p.id)
def test_every_indicator_is_in_its_row(built, project):
    path = built / project_pdf_path(project)
    rows = table_rows(path, project.unit_year.pdf_layout)
    if project.unit_year.pdf_layout == "flat":
        assert header_rows(path)[0] == FLAT_HEADER
        body = [r for r in rows if r[0] != "合计"]
        expected = [[i.level1, i.level2, i.name, i.nature, i.op_word, i.target_text, i.unit,
                     "" if i.score is None else str(i.score)] for i in project.indicators]
        assert [r[5:] for r in body] == expected
        assert body[0][:4] == [project.name, f"{project.agency.code}-{project.agency.name}",
                               project.category, amount_text(project.budget)]
        [total] = [r for r in rows if r[0] == "合计"]
        assert total[3] == amount_text(project.budget)
    else:
        unit_row, total, *body = rows
        assert unit_row[:2] == [project.agency.department_code, project.agency.name]
        assert total[1:3] == ["合计", amount_text(project.budget)]
        expected = [[i.level1, i.level2, f"{n}.{i.name}", i.value_text]
                    for n, i in zip(numbers(project), project.indicators)]
        assert [r[4:8] for r in body] == expected
        # the optional columns a project fills follow (分值 for the self-evaluated ones)
        for row, indicator in zip(body, project.indicators):
            assert indicator.score is None or str(indicator.score) in row[8:], row
        assert body[0][:3] == [project.agency.code, project.name, amount_text(project.budget)]


def numbers(project) -> list[int]:
    """1, 2, … within each run of the same 一级/二级, as the form numbers 三级指标."""
    result, previous = [], None
    for i in project.indicators:
        key = (i.level1, i.level2)
        result.append(result[-1] + 1 if key == previous else 1)
        previous = key
    return result


@pytest.mark.parametrize("agency, year, total", [("418001", 2022, "438.00"), ("057001", 2023, "78.00")])
def test_unit_year_pdf_has_every_project_and_the_total(built, agency, year, total):
    content = load_content(CONTENT).content
    unit_year = next(uy for uy in content.unit_years() if uy.agency.id == agency and uy.year == year)
    path = built / unit_year_pdf_path(unit_year)
    rows = table_rows(path, unit_year.pdf_layout)
    names = [i.name for p in unit_year.projects for i in p.indicators]
    if unit_year.pdf_layout == "flat":
        assert [r[7] for r in rows if r[0] != "合计"] == names
        assert [r[3] for r in rows if r[0] == "合计"] == [total]
    else:
        assert [r[6].split(".", 1)[1] for r in rows if r[1] != "合计" and r[6]] == names
        assert sum(float(r[2]) for r in rows if r[1] == "合计") == float(total)


def all_pdfs(built: Path) -> list[Path]:
    pdfs = sorted(built.rglob("*.pdf"))
    content = load_content(CONTENT).content
    # a goals PDF per project and per unit-year with projects; a 自评表 per evaluated project and per unit-year
    # that has one; the department-wide form per overall.yaml and its 自评表 when evaluated
    evaluated = [p for p in content.projects() if p.evaluation]
    overall = [uy.overall for uy in content.unit_years() if uy.overall]
    expected = len(content.projects()) + sum(map(has_project_table, content.unit_years())) + len(evaluated) \
        + len({id(p.unit_year) for p in evaluated}) + len(overall) + sum(o.evaluation is not None for o in overall)
    assert len(pdfs) == expected
    return pdfs


def test_a4_landscape_with_metadata(built):
    for path in all_pdfs(built):
        info = pdfinfo(path)
        assert info["Page size"].startswith("841.89 x 595.27"), path
        assert info["Author"] in {a.name for a in load_content(CONTENT).content.agencies}
        assert info["CreationDate"].endswith(tuple(f"{year} UTC" for year in range(2015, 2031)))
        assert info["Title"]


def test_fonts_are_embedded_noto_cjk_only(built):
    for path in all_pdfs(built):
        for font in pdffonts(path):
            name, emb = font[0], font[-5]
            # sitegen's subsets, never the installed faces through a fallback
            assert "Noto" in name and "CJK-SC-Subset" in name, (path, font)
            assert emb == "yes", (path, font)
            assert font[1:4] == ["CID", "Type", "0C"], (path, font)  # a bare CID-keyed CFF, as declared


def test_every_character_has_a_glyph_and_text_can_be_copied(built):
    """pdftotext gets the text back, so every glyph maps to the right character."""
    project = next(p for p in example_projects() if p.id == "training")
    text = subprocess.run(["pdftotext", "-raw", str(built / project_pdf_path(project)), "-"],
                          capture_output=True, text=True, check=True).stdout
    for indicator in project.indicators:
        assert indicator.name in text.replace("\n", "")


def test_one_page_project_pdf_is_small(built):
    project = next(p for p in example_projects() if p.id == "window-service")
    path = built / project_pdf_path(project)
    assert pdfinfo(path)["Pages"] == "1"
    assert path.stat().st_size <= 100_000


def test_two_builds_give_byte_identical_pdfs(built, tmp_path):
    again = tmp_path / "output"
    build(CONTENT, again, cache_dir=tmp_path / "other-cache")  # a cold cache: rendered again
    for path in all_pdfs(built):
        assert (again / path.relative_to(built)).read_bytes() == path.read_bytes(), path


def indicators_yaml(count: int) -> str:
    rows = "".join(
        f"  - {{level1: 产出指标, level2: 数量指标, name: 第{n:02d}项测试指标, op: ≥, target: {n}, unit: 次}}\n"
        for n in range(1, count + 1)
    )
    return f"name: 长项目\nbudget: 40.00\ngoals: 很多指标\nindicators:\n{rows}"


@pytest.mark.parametrize("layout", ["flat", "per-project"])
def test_long_project_spans_pages_with_the_header_repeated(tmp_path, layout):
    content = write_tree(tmp_path / "content", {
        **MINIMAL, "u1/2024/p1.yaml": indicators_yaml(40), "u1/2024/disclosure.yaml": f"pdf_layout: {layout}\n",
    })
    out = tmp_path / "out"
    build(content, out, cache_dir=tmp_path / "cache")
    [path] = out.glob("u1/2024/p1/*.pdf")
    headers = header_rows(path)
    assert len(headers) >= 2
    assert all(h == headers[0] for h in headers)  # the header row on every page
    assert headers[0][0] in ("项目名称", "单位编码")
    names = [r[7 if layout == "flat" else 6] for r in table_rows(path, layout)]
    found = [n for n in names if "测试指标" in n]
    assert [n.split(".")[-1] for n in found] == [f"第{n:02d}项测试指标" for n in range(1, 41)]


@pytest.mark.parametrize("layout", ["flat", "per-project"])
def test_editing_one_project_rerenders_only_its_pdfs(tmp_path, layout):
    files = {**MINIMAL, "u1/2024/p2.yaml": MINIMAL["u1/2024/p1.yaml"].replace("测试项目", "第二个项目"),
             "u1/2024/disclosure.yaml": f"pdf_layout: {layout}\n"}
    content = write_tree(tmp_path / "content", files)
    cache = tmp_path / "cache"

    def render(name: str) -> list[str]:
        loaded = load_content(content)
        return render_pdfs(loaded.content, Writer(tmp_path / name), Context(content, cache))

    assert sorted(render("first")) == ["u1/2024/p1/u1-2024-p1.pdf", "u1/2024/p2/u1-2024-p2.pdf", "u1/2024/u1-2024.pdf"]
    assert render("second") == []
    p2 = content / "u1/2024/p2.yaml"
    p2.write_text(p2.read_text(encoding="utf-8").replace("10.00", "12.00"), encoding="utf-8")
    assert sorted(render("third")) == ["u1/2024/p2/u1-2024-p2.pdf", "u1/2024/u1-2024.pdf"]
    assert (tmp_path / "third/u1/2024/p1/u1-2024-p1.pdf").read_bytes() == \
        (tmp_path / "first/u1/2024/p1/u1-2024-p1.pdf").read_bytes()
    # A character new to the unit-year: in either layout its projects share fonts subset to
    # all their characters, so p1 is written again, as a clean build writes it.
    p2.write_text(p2.read_text(encoding="utf-8").replace("第二个项目", "第二个鑫项目"), encoding="utf-8")
    assert sorted(render("fourth")) == ["u1/2024/p1/u1-2024-p1.pdf", "u1/2024/p2/u1-2024-p2.pdf", "u1/2024/u1-2024.pdf"]
    cache = tmp_path / "cold-cache"
    render("clean")
    for name in ("u1/2024/p1/u1-2024-p1.pdf", "u1/2024/p2/u1-2024-p2.pdf", "u1/2024/u1-2024.pdf"):
        assert (tmp_path / "fourth" / name).read_bytes() == (tmp_path / "clean" / name).read_bytes(), name


def test_a_flat_unit_years_pdfs_share_their_fonts_whatever_the_jobs(tmp_path, monkeypatch):
    """The unit-year's table and its projects' own PDFs are laid out apart with fonts made once a
    job; how many documents a job takes changes no byte."""
    import sitegen.render.pdf as pdf

    files = {**MINIMAL, **{f"u1/2024/p{n}.yaml": MINIMAL["u1/2024/p1.yaml"].replace("测试项目", f"第{n}个项目")
                           for n in range(2, 5)}}
    content = write_tree(tmp_path / "content", files)
    loaded = load_content(content).content
    documents = pdf.PdfLayouts(loaded, None).documents(loaded)
    assert len({d.font_text for d in documents}) == 1 and documents[0].font_text
    monkeypatch.setattr(pdf, "SHARED_FONTS_JOB", 3)
    assert [len(job.htmls) for job, _ in pdf.plan_jobs(documents, "")] == [3, 2]
    render_pdfs(loaded, Writer(tmp_path / "three"), Context(content, tmp_path / "c3"))
    monkeypatch.setattr(pdf, "SHARED_FONTS_JOB", 1)
    render_pdfs(loaded, Writer(tmp_path / "one"), Context(content, tmp_path / "c1"))
    made = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*.pdf"))
    assert len(made) == 5
    for name in made:
        assert (tmp_path / "three" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), name


def page_texts(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() for page in pdf.pages]


def test_per_project_unit_year_pdf_is_its_project_forms_in_order(built):
    """In the per-project layout the unit-year PDF is written from the pages laid out for the
    project PDFs: the same forms, in the printed order, each numbered on its own, under the
    unit-year's title."""
    unit_year = next(uy for uy in load_content(CONTENT).content.unit_years() if uy.pdf_layout == "per-project")
    forms = [page_texts(built / project_pdf_path(p)) for p in unit_year.projects]
    assembled = page_texts(built / unit_year_pdf_path(unit_year))
    assert assembled == [text for form in forms for text in form]
    assert any(len(form) > 1 for form in forms)  # one form spans two pages: 第 2 页 共 2 页
    for form in forms:
        assert [text.splitlines()[-1].replace(" ", "") for text in form] == \
            [f"第{n}页共{len(form)}页" for n in range(1, len(form) + 1)]
    info = pdfinfo(built / unit_year_pdf_path(unit_year))
    assert info["Title"] == f"{unit_year.agency.name} {unit_year.year} 年项目支出绩效目标表"
    assert info["Tagged"] == "yes" and info["Pages"] == str(len(assembled))


def test_missing_fonts_stop_the_build_with_the_package_name(tmp_path, site):
    """A real fontconfig without the CJK fonts: the build names the package instead of printing boxes."""
    config = tmp_path / "fonts.conf"
    config.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                      f"<dir>{tmp_path}</dir><cachedir>{tmp_path}/fc-cache</cachedir></fontconfig>")
    out = tmp_path / "output"
    out.mkdir()
    (out / "index.html").write_text("previous", encoding="utf-8")
    (out / MARKER).write_text(MARKER_TEXT, encoding="utf-8")  # an earlier build's
    env = {**os.environ, "FONTCONFIG_FILE": str(config)}
    result = subprocess.run([sys.executable, "-m", "sitegen", "build", str(site()), "--out", str(out)],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 1
    assert "fonts-noto-cjk" in result.stderr and "Traceback" not in result.stderr
    assert (out / "index.html").read_text(encoding="utf-8") == "previous"


def rasterize(pdf: bytes, folder: Path, name: str) -> list[bytes]:
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-gray", str(source), str(folder / name)], check=True)
    return [page.read_bytes() for page in sorted(folder.glob(f"{name}-*.pgm"))]


def pdfium_pages(pdf: bytes) -> list:
    """The pages as PDFium (Chromium's PDF viewer) draws them, in grey."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    return [document[i].render(scale=50 / 72, grayscale=True).to_pil() for i in range(len(document))]


def weasyprint_own(document) -> bytes:
    """The PDF WeasyPrint makes of a document with the installed fonts, as it embeds them
    (without sitegen's @font-face rules the CSS's "… Subset" families fall back to them)."""
    from weasyprint import CSS, HTML

    from sitegen.render.pdf import PDF_VARIANT
    from sitegen.render.templates import BUILTIN_STATIC

    css = CSS(filename=str(BUILTIN_STATIC / "pdf.css"))
    pages = [HTML(string=part.html, base_url=str(BUILTIN_STATIC)).render(stylesheets=[css], pdf_variant=PDF_VARIANT)
             for part in (document.parts or (document,))]
    assembled = pages[0].copy([page for part in pages for page in part.pages])
    return assembled.write_pdf(pdf_variant=PDF_VARIANT)


def ours(document) -> bytes:
    from sitegen.render.pdf import plan_jobs, render_in_worker

    [(job, documents)] = [(job, ds) for job, ds in plan_jobs([document], CSS_TEXT) if ds[-1] is document]
    return render_in_worker(job)[-1]


@pytest.mark.parametrize("path_part", ["/window-service/", "/training/", "057001-2023.pdf"])
def test_subset_fonts_draw_exactly_what_weasyprint_draws(tmp_path, path_part):
    """Text extraction cannot see a wrong glyph (ToUnicode maps codes, not outlines), so compare
    pictures with WeasyPrint's own output from the installed fonts: every page drawn by poppler
    is pixel-identical, and PDFium draws the same glyphs (its anti-aliasing of a bare CFF differs
    by a few grey levels; a wrong or missing glyph differs by far more)."""
    from PIL import ImageChops

    from sitegen.render.pdf import PdfLayouts

    content = load_content(CONTENT).content
    [document] = [d for d in PdfLayouts(content, CONTENT).documents(content) if path_part in d.path]
    mine, reference = ours(document), weasyprint_own(document)
    assert b"/CIDFontType0C" in mine and b"/CIDFontType0C" not in reference
    assert len(mine) < len(reference) / 3
    pages, theirs = rasterize(mine, tmp_path, "ours"), rasterize(reference, tmp_path, "reference")
    assert len(pages) == len(theirs) >= 1
    assert pages == theirs
    for page, their in zip(pdfium_pages(mine), pdfium_pages(reference), strict=True):
        assert ImageChops.difference(page, their).getextrema()[1] <= 64


def test_subset_fonts_keep_every_outline_with_cid_equal_to_glyph_id():
    """The subset of each face: glyphs renumbered from 0 with CID = glyph id (so a viewer that
    selects by CID and one that selects by glyph id draw the same), each character drawn with
    its outline and advance in the installed font."""
    from fontTools.pens.recordingPen import RecordingPen
    from fontTools.ttLib import TTFont

    from sitegen.render.pdf_fonts import installed_faces, subset

    text = "项目支出绩效目标表第页共合计（万元）≥95%"
    fonts = SubsetFonts()
    faces = installed_faces()
    assert sorted(fonts.faces) == [("Noto Sans CJK SC", 400), ("Noto Sans CJK SC", 700),
                                   ("Noto Serif CJK SC", 400), ("Noto Serif CJK SC", 700)]
    for key in [("Noto Serif CJK SC", 400), ("Noto Sans CJK SC", 700)]:
        small = TTFont(io.BytesIO(subset(fonts.faces[key], text)))
        path, index = faces[key]
        full = TTFont(path, fontNumber=index, lazy=True)
        order = small.getGlyphOrder()
        assert order == [".notdef", *(f"cid{gid:05d}" for gid in range(1, len(order)))]
        assert len(set(text)) < len(order) <= len(set(text)) + 3  # .notdef, and what HarfBuzz adds (≤ for ≥)
        for character in text:
            drawn = []
            for font in (small, full):
                name = font.getBestCmap()[ord(character)]
                pen = RecordingPen()
                font.getGlyphSet()[name].draw(pen)
                drawn.append((pen.value, font["hmtx"][name][0]))
            assert drawn[0] == drawn[1] and drawn[0][0], character


def test_a_part_rendered_alone_is_the_part_rendered_with_its_unit_year(tmp_path):
    """A project PDF of the per-project layout, written from its unit-year's job (fonts of all
    its projects' characters) or, its cache entry lost, rendered alone: the same bytes."""
    from sitegen.render.pdf import PdfLayouts, plan_jobs, render_in_worker

    content = load_content(CONTENT).content
    [unit_year] = [d for d in PdfLayouts(content, CONTENT).documents(content) if d.path.endswith("057001-2023.pdf")]
    [(job, documents)] = plan_jobs([unit_year, unit_year.parts[1]], CSS_TEXT)
    written = dict(zip([d.path for d in documents], render_in_worker(job)))
    assert ours(unit_year.parts[1]) == written[unit_year.parts[1].path]


def test_no_font_files_are_left_behind(tmp_path, site):
    """WeasyPrint writes each job's @font-face fonts into a temporary folder: all removed, also
    by the pool's worker processes (5 jobs here), which exit without collecting their garbage."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    project = MINIMAL["u1/2024/p1.yaml"]
    files = {f"u1/2024/p{n}.yaml": project.replace("测试项目", f"第{n}个项目") for n in range(2, 5)}
    env = {**os.environ, "TMPDIR": str(temporary), "SITEGEN_WORKERS": "2"}
    command = [sys.executable, "-m", "sitegen", "build", str(site(files)), "--out", str(tmp_path / "out")]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "out").rglob("*.pdf"))) == 5
    assert list(temporary.glob("weasyprint-*")) == []


def structure_elements(path: Path) -> list[tuple[str, dict]]:
    """(tag, attributes) of every structure element, in document order."""
    from pypdf import PdfReader

    found: list[tuple[str, dict]] = []

    def walk(node) -> None:
        node = node.get_object()
        if not hasattr(node, "get"):
            return
        attributes = {}
        owners = node.get("/A")
        for owner in (owners.get_object() if isinstance(owners.get_object(), list) else [owners]) if owners else []:
            attributes.update({k: int(v) for k, v in owner.get_object().items() if k in ("/RowSpan", "/ColSpan")})
        if node.get("/S"):
            found.append((str(node["/S"]), attributes))
        kids = node.get("/K")
        if kids is not None:
            for kid in kids.get_object() if isinstance(kids.get_object(), list) else [kids]:
                walk(kid)

    walk(PdfReader(path).trailer["/Root"]["/StructTreeRoot"])
    return found


def test_pdfs_are_tagged_tables_with_their_merged_cells(built):
    project = next(p for p in example_projects() if p.id == "window-service")
    path = built / project_pdf_path(project)
    assert pdfinfo(path)["Tagged"] == "yes"
    elements = structure_elements(path)
    tags = [tag for tag, _ in elements]
    assert tags.count("/TH") == 13 and tags.count("/Table") == 1
    rowspans = [a["/RowSpan"] for tag, a in elements if tag == "/TD" and "/RowSpan" in a]
    rows = len(project.indicators)
    # five project cells over every row, then 一级 产出 over 9 rows and its 二级 runs (3, 2, 3)
    assert rowspans[:5] == [rows] * 5 and rowspans[5:9] == [9, 3, 2, 3]


def test_pdf_a_3u_metadata_from_the_content(built):
    from pypdf import PdfReader

    project = next(p for p in example_projects() if p.id == "arbitration")
    root = PdfReader(built / project_pdf_path(project)).trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="U"' in xmp
    assert "<xmp:CreateDate>2023-01-01T00:00:00Z</xmp:CreateDate>" in xmp
    assert "祁连县人力资源和社会保障局本级" in xmp and root["/Lang"] == "zh-CN"


def test_site_theme_overrides_the_pdf_layouts_and_css(tmp_path):
    """layouts/ and static/ beside content/ replace the built-in PDF files too, not only the HTML ones."""
    site_root = tmp_path / "mysite"
    write_tree(site_root / "content", MINIMAL)
    flat = (Path(__file__).parent.parent / "layouts/pdf/flat.html").read_text(encoding="utf-8")
    write_tree(site_root, {
        "layouts/pdf/flat.html": flat.replace("<h1>{{ unit_year.title }}</h1>", "<h1>本站自己的表头</h1>"),
        "static/pdf.css": (Path(__file__).parent.parent / "static/pdf.css").read_text(encoding="utf-8")
        .replace("size: A4 landscape;", "size: A4 portrait;"),
    })
    out = tmp_path / "out"
    build(site_root / "content", out, cache_dir=tmp_path / "cache")
    [path] = out.glob("u1/2024/p1/*.pdf")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "本站自己的表头" in text
    assert pdfinfo(path)["Page size"].startswith("595.27")  # the site's own pdf.css: portrait


def test_a_site_base_layout_that_prints_the_css_in_a_style_element_still_works(tmp_path):
    """pdf/base.html printed the print CSS in a <style> until the CSS was parsed once a job; a
    site's own copy of that base layout still builds, into the same PDFs."""
    base = (Path(__file__).parent.parent / "layouts/pdf/base.html").read_text(encoding="utf-8")
    assert "{{ css" not in base
    old_base = base.replace("</head>", "<style>{{ css|safe }}</style>\n</head>")
    site_root = tmp_path / "mysite"
    write_tree(site_root / "content", MINIMAL)
    write_tree(site_root, {"layouts/pdf/base.html": old_base})
    write_tree(tmp_path / "plain/content", MINIMAL)
    build(site_root / "content", tmp_path / "old", cache_dir=tmp_path / "cache-old")
    build(tmp_path / "plain/content", tmp_path / "ours", cache_dir=tmp_path / "cache-ours")
    olds, ours = sorted((tmp_path / "old").rglob("*.pdf")), sorted((tmp_path / "ours").rglob("*.pdf"))
    assert olds and [p.read_bytes() for p in olds] == [p.read_bytes() for p in ours]


def test_a_pdf_build_asks_fc_list_once_a_process(site, tmp_path):
    """The code digest's font files, the PDF renderer's font check and the faces it subsets all
    read one listing: a wrapper put before the real fc-list on PATH logs the process that ran it."""
    import shutil

    real = shutil.which("fc-list")
    if real is None:
        pytest.skip("fontconfig's fc-list is not installed")
    log = tmp_path / "fc-list.log"
    wrapper = tmp_path / "bin" / "fc-list"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho "$PPID" >> "{log}"\nexec "{real}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    env = {**os.environ, "PATH": f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run([sys.executable, "-m", "sitegen", "build", str(site()), "--out", str(tmp_path / "out")],
                          env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert any((tmp_path / "out").rglob("*.pdf"))
    callers = log.read_text(encoding="utf-8").split()
    assert callers and len(callers) == len(set(callers)), callers
