"""Word tables (.docx) with python-docx: one grid per table.

The merges are read from the table's XML itself: `w:gridSpan` (a cell over
several grid columns), `w:vMerge` (restart / continue: a cell over several
rows) and `w:gridBefore` (a row starting to the right). The paragraphs
printed before a table (its title, `单位：万元`) become rows above it; a
`备注` paragraph after a table belongs to the table above.
"""

from __future__ import annotations

import re
from pathlib import Path

from sitegen.importers.grid import BadInput, Grid, Merge
from sitegen.importers.readers import ooxml
from sitegen.importers.readers.ooxml import MAX_AREA

MAX_COLUMNS = 16_384  # as many as a worksheet has (XFD); Word itself allows 63

NOTE = re.compile(r"^\s*(备\s*注|注)\s*[:：]")


def read(path: Path, shown: str) -> list[Grid]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    ooxml.guard(path, shown)  # sizes and DTDs, before python-docx parses anything
    try:
        with open(path, "rb") as stream:  # by content: the file's name does not matter
            document = docx.Document(stream)
    except (PackageNotFoundError, *ooxml.ZIP_ERRORS, KeyError, XMLSyntaxError) as exc:
        raise BadInput(f"{shown}: 无法读取 Word 文件（文件已损坏或不是 .docx：{type(exc).__name__}）") from None
    grids: list[Grid] = []
    lines: list[str] = []  # paragraphs since the last table
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1] if isinstance(block.tag, str) else ""
        if tag == "p":
            text = paragraph_text(block)
            if text.strip():
                lines.append(text.strip())
        elif tag == "tbl":
            below = [line for line in lines if NOTE.match(line)] if grids else []
            if grids and below:
                grids[-1] = grids[-1].with_lines([], below)
            above = [line for line in lines if line not in below]
            grids.append(table_grid(block, shown, f"表{len(grids) + 1}").with_lines(above, []))
            lines = []
    if grids and lines:
        grids[-1] = grids[-1].with_lines([], lines)
    return grids


def paragraph_text(p) -> str:
    # Comments and processing instructions have no string tag: only elements are text, and a
    # text element's whole text (itertext: also what follows a comment inside it).
    return "".join("".join(t.itertext()) for t in p.iter() if isinstance(t.tag, str) and t.tag.endswith(("}t", "}tab")))


def cell_text(tc) -> str:
    """The cell's paragraphs, one line each (nested tables are left out)."""
    lines = []
    for p in tc.iterchildren():
        if isinstance(p.tag, str) and p.tag.endswith("}p"):
            lines.append(paragraph_text(p))
    return "\n".join(lines).strip()


def table_grid(tbl, shown: str, name: str) -> Grid:
    rows: list[list[str]] = []
    merges: list[Merge] = []
    open_down: dict[int, list[int]] = {}  # grid column → [top row, width] of a vertical merge still open
    width = 0
    for r, tr in enumerate(tbl.tr_lst):
        within_limits(shown, name, r, 0, tr.grid_before, width)
        row: list[str] = [""] * tr.grid_before
        seen: set[int] = set()
        for tc in tr.tc_lst:
            col, span = len(row), tc.grid_span
            within_limits(shown, name, r, col, span, width)
            row += [cell_text(tc)] + [""] * (span - 1)
            if tc.vMerge == "continue" and col in open_down:
                row[col] = ""
                seen.add(col)
                continue
            close(open_down, col, r, merges)
            if tc.vMerge == "restart":
                open_down[col] = [r, span]
                seen.add(col)
            elif span > 1:
                merges.append(Merge(r, col, r, col + span - 1))
        for col in [c for c in open_down if c not in seen]:
            close(open_down, col, r, merges)
        rows.append(row)
        width = max(width, len(row))
    for col in list(open_down):
        close(open_down, col, len(rows), merges)
    return Grid(shown, name, rows, merges)


def within_limits(shown: str, name: str, r: int, col: int, span: int, width: int) -> None:
    """Refuse a row that would reach past MAX_COLUMNS, or a table past MAX_AREA, before its cells are
    made: a damaged gridSpan (w:val="2000000000") asked for two billion of them."""
    if span > MAX_COLUMNS - col:
        raise BadInput(f"{shown} {name} 第{r + 1}行: 单元格横跨 {span} 列，一行超过 {MAX_COLUMNS} 列：文件可能已损坏，"
                       "请在 Word 中检查这张表格或另存后再导入")
    if (r + 1) * max(width, col + span) > MAX_AREA:
        raise BadInput(f"{shown} {name} 第{r + 1}行: 表格超过导入上限（{MAX_AREA} 格）：请拆成几个文件")


def close(open_down: dict[int, list[int]], col: int, row: int, merges: list[Merge]) -> None:
    """End the vertical merge open at `col` on the row above `row`."""
    started = open_down.pop(col, None)
    if started is None:
        return
    top, span = started
    if row - 1 > top or span > 1:
        merges.append(Merge(top, col, row - 1, col + span - 1))
