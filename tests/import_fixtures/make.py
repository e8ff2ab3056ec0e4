"""Rebuild the import fixtures: each grid.tsv → the files agencies publish.

    python tests/import_fixtures/make.py [--research /work/research] [SLUG ...]

A fixture folder holds `grid.tsv` (the table as printed: one row a line,
cells by tabs, `^` a cell merged with the one above, `<` with the one on
its left, `\\n` a line break inside a cell, an empty line between two
tables), `SOURCE.md` (where the table was published) and `expected/` (the
hand-checked content tree). From the grid this script writes
`table.xlsx` (merged ranges, numbers stored as numbers with their
decimals), `table.xls` (LibreOffice's conversion of it), `table.docx`
(merged cells; the title lines above the table as paragraphs) and
`table.pdf` (a text PDF with ruled cells, printed by WeasyPrint).

With --research, folders from the research notes (grid.tsv, SOURCE.md,
content/) are copied in first. The generated files are committed: the
tests never run this script and never need the research folder.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from sitegen.importers.grid import Grid, Merge  # noqa: E402

NUMBER = re.compile(r"^-?(?:[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d{0,4}|0)(?:\.(\d+))?$|^-?[1-9]\d*\.(\d+)$")


# ---------------------------------------------------------------- grid.tsv


def read_tables(path: Path) -> list[Grid]:
    """The tables of a grid.tsv, each with its merges."""
    blocks: list[list[list[str]]] = [[]]
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        if not line.strip("\t ") and "\t" not in line:
            if blocks[-1]:
                blocks.append([])
            continue
        blocks[-1].append([cell.replace("\\n", "\n") for cell in line.split("\t")])
    return [marked_grid(rows, path.parent.name) for rows in blocks if rows]


def marked_grid(marked: list[list[str]], name: str) -> Grid:
    width = max(len(r) for r in marked)
    marked = [r + [""] * (width - len(r)) for r in marked]
    rows = [["" if c in ("^", "<") else c for c in r] for r in marked]
    merges = []
    for r, row in enumerate(marked):
        for c, cell in enumerate(row):
            if cell in ("^", "<"):
                continue
            right = c
            while right + 1 < width and marked[r][right + 1] == "<":
                right += 1
            bottom = r
            while bottom + 1 < len(marked) and marked[bottom + 1][c] == "^":
                bottom += 1
            if (right, bottom) != (c, r):
                merges.append(Merge(r, c, bottom, right))
    return Grid(name, "", rows, merges)


def title_rows(grid: Grid) -> int:
    """How many leading rows are one text across the whole table (title, 年度, 单位：万元)."""
    count = 0
    for r in range(grid.height):
        m = grid.merge_at(r, 0)
        across = m is not None and m.left == 0 and m.right == grid.width - 1 and m.height == 1
        if not (across or (grid.width == 1)) or not grid.own(r, 0):
            break
        count += 1
    return count


def note_rows(grid: Grid) -> int:
    """Trailing rows printed under the table: one text across it starting with 备注 / 注."""
    count = 0
    for r in range(grid.height - 1, -1, -1):
        m = grid.merge_at(r, 0)
        if not (m and m.width == grid.width and m.height == 1 and re.match(r"^(备\s*注|注)", grid.own(r, 0))):
            break
        count += 1
    return count


# ---------------------------------------------------------------- writers


def number_cell(text: str) -> tuple[float, str] | None:
    """A cell that a spreadsheet would hold as a number, with the format that shows it as printed."""
    match = NUMBER.match(text.strip())
    if not match:
        return None
    decimals = match.group(1) or match.group(2) or ""
    pattern = ("#,##0" if "," in text else "0") + ("." + "0" * len(decimals) if decimals else "")
    return float(text.replace(",", "")), pattern


def write_xlsx(tables: list[Grid], path: Path) -> None:
    """All tables on one sheet, one empty row between them, as a unit keeps its forms."""
    import openpyxl
    from openpyxl.styles import Alignment

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "表1"
    offset = 0
    for grid in tables:
        for r, row in enumerate(grid.rows):
            for c, text in enumerate(row):
                if not text:
                    continue
                cell = sheet.cell(offset + r + 1, c + 1)
                number = number_cell(text)
                if number:
                    cell.value, cell.number_format = number
                else:
                    cell.value = text
                    cell.data_type = "s"  # `=100%` is text as printed, not a formula
                cell.alignment = Alignment(wrap_text=True, vertical="center")
        for m in grid.merges:
            sheet.merge_cells(start_row=offset + m.top + 1, start_column=m.left + 1,
                              end_row=offset + m.bottom + 1, end_column=m.right + 1)
        offset += grid.height + 1
    book.save(path)


def write_xls(xlsx: Path, path: Path) -> None:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(["soffice", "--headless", "--convert-to", "xls", "--outdir", out, str(xlsx)],
                       check=True, capture_output=True, timeout=120)
        shutil.move(str(Path(out) / (xlsx.stem + ".xls")), path)


def write_docx(tables: list[Grid], path: Path) -> None:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for grid in tables:
        head, tail = title_rows(grid), note_rows(grid)
        for r in range(head):
            document.add_paragraph(grid.own(r, 0))
        body = range(head, grid.height - tail)
        table = document.add_table(rows=len(body), cols=grid.width)
        table.style = "Table Grid"
        for m in grid.merges:
            if m.top >= head and m.bottom < grid.height - tail:
                table.cell(m.top - head, m.left).merge(table.cell(m.bottom - head, m.right))
        for i, r in enumerate(body):
            for c in range(grid.width):
                text = grid.own(r, c)
                if text and not grid.is_continuation(r, c):
                    cell = table.cell(i, c)
                    lines = text.split("\n")
                    cell.paragraphs[0].text = lines[0]
                    for line in lines[1:]:
                        cell.add_paragraph(line)
        for r in range(grid.height - tail, grid.height):
            document.add_paragraph(grid.own(r, 0))
    document.save(path)


PDF_CSS = """
@page { size: A4 landscape; margin: 14mm 12mm; }
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 9pt; }
h1 { font-size: 14pt; text-align: center; margin: 0 0 2mm; }
p.line { margin: 0 0 2mm; }
table { border-collapse: collapse; width: 100%; margin-bottom: 4mm; }
td { border: 0.6pt solid #000; padding: 1.5pt 3pt; vertical-align: middle; }
tr, td { break-inside: avoid; }
.form { break-after: page; }
.form:last-child { break-after: auto; }
"""


def header_end(grid: Grid, head: int) -> int:
    """The row after the column headings of a one-table form (flat), which the PDF repeats on
    every page as printed forms do; 0 for forms whose header is not a single band."""
    for r in range(head, min(grid.height, head + 2)):
        if "一级指标" in grid.rows[r] and "项目名称" in grid.rows[r]:
            return r + 1
    return 0


def table_html(grid: Grid) -> str:
    head, tail = title_rows(grid), note_rows(grid)
    parts = []
    for r in range(head):
        tag = "h1" if r == 0 else "p"
        parts.append(f'<{tag} class="line">{html.escape(grid.own(r, 0))}</{tag}>')
    parts.append("<table>")
    header = header_end(grid, head)
    for r in range(head, grid.height - tail):
        if r == head and header:
            parts.append("<thead>")
        if r == header:
            parts.append("</thead><tbody>" if header else "<tbody>")
        cells = []
        for c in range(grid.width):
            if grid.is_continuation(r, c):
                continue
            m = grid.merge_at(r, c)
            span = ""
            if m:
                bottom = min(m.bottom, grid.height - tail - 1)
                span = (f' rowspan="{bottom - m.top + 1}"' if bottom > m.top else "") + (
                    f' colspan="{m.width}"' if m.width > 1 else "")
            text = "<br>".join(html.escape(line) for line in grid.own(r, c).split("\n"))
            cells.append(f"<td{span}>{text}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    for r in range(grid.height - tail, grid.height):
        parts.append(f'<p class="line">{html.escape(grid.own(r, 0))}</p>')
    return '<div class="form">' + "".join(parts) + "</div>"


def write_pdf(tables: list[Grid], path: Path) -> None:
    import weasyprint

    body = "".join(table_html(grid) for grid in tables)
    document = f'<html lang="zh-CN"><head><meta charset="utf-8"><style>{PDF_CSS}</style></head><body>{body}</body></html>'
    weasyprint.HTML(string=document).write_pdf(path)


# ---------------------------------------------------------------- folders


def copy_research(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "grid.tsv", target / "grid.tsv")
    shutil.copy(source / "SOURCE.md", target / "SOURCE.md")
    if (target / "expected").exists():
        shutil.rmtree(target / "expected")
    shutil.copytree(source / "content", target / "expected")


def build(folder: Path) -> None:
    tables = read_tables(folder / "grid.tsv")
    write_xlsx(tables, folder / "table.xlsx")
    write_xls(folder / "table.xlsx", folder / "table.xls")
    write_docx(tables, folder / "table.docx")
    write_pdf(tables, folder / "table.pdf")
    print(f"{folder.name}: {len(tables)} table(s) → table.xlsx, table.xls, table.docx, table.pdf")


def arguments(option: str, folders: str) -> argparse.Namespace:
    """This script's and the corpus's: `option` (args.source), a folder of `folders` to copy the
    complete ones from first, and the slugs of the folders to build."""
    parser = argparse.ArgumentParser(description=sys.modules["__main__"].__doc__.splitlines()[0])
    parser.add_argument(option, dest="source", type=Path, help=f"copy complete {folders} folders from here first")
    parser.add_argument("slugs", nargs="*")
    return parser.parse_args()


def complete_folders(root: Path | None, needed: tuple[str, ...], slugs: list[str]) -> list[Path]:
    """The folders under root with every one of `needed`, those named in slugs (none named: all)."""
    if root is None:
        return []
    return [source for source in sorted(p for p in root.iterdir() if p.is_dir())
            if all((source / name).exists() for name in needed) and (not slugs or source.name in slugs)]


def grid_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if (p / "grid.tsv").exists())


def main() -> None:
    args = arguments("--research", "research")
    for source in complete_folders(args.source, ("grid.tsv", "SOURCE.md", "content"), args.slugs):
        copy_research(source, HERE / source.name)
    for folder in grid_folders(HERE):
        if not args.slugs or folder.name in args.slugs:
            build(folder)


if __name__ == "__main__":
    main()
