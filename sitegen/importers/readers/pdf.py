"""PDFs with a text layer, with pdfplumber: one grid per table on each page.

pdfplumber finds a table's cells from its ruling lines. A cell that spans
several grid lines is a merged range: the columns and rows of the grid are
the distinct x and y edges of all cells, and each cell covers the span
between its own edges. Texts are assembled from the characters: a line
that ends at the cell's right edge was wrapped by the layout and is joined
to the next (no space between Chinese characters); a line that ends short
ended a paragraph, and the line break is kept. Lines outside the tables
(title, `单位：万元`, `备注：…`) become rows of the grid, page numbers do not.
A PDF without any text is a scan: OCR is not supported, and the import says so.
"""

from __future__ import annotations

import bisect
import logging
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sitegen.importers.grid import BadInput, Grid, Merge

EDGE_TOLERANCE = 2.0  # points: edges closer than this are one ruling line
MAX_PADDING = 6.0  # points: more white on a cell's left is centring, not padding
PAGE_NUMBER = re.compile(r"^(第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?|-\s*\d+\s*-|\d+\s*/\s*\d+)$")
NOTE = re.compile(r"^\s*(备\s*注|注)\s*[:：]")
ASCII_WORD = re.compile(r"[A-Za-z0-9]")
NO_LINE_START = set("、，。；：！？）》」』】”’,.;:!?)%％")


def read(path: Path, shown: str) -> list[Grid]:
    with libraries_quiet():
        return read_pages(path, shown)


@contextmanager
def libraries_quiet() -> Iterator[None]:
    """pdfminer logs what it works around in a damaged file ("Data-loss while decompressing
    corrupted data", "Could not get FontBBox …") to stderr, lines around the import's one line;
    what matters of it reaches the user as that line, or as the check's findings."""
    loggers = [logging.getLogger(name) for name in ("pdfminer", "pdfplumber")]  # their modules' loggers are children
    before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, before):
            logger.setLevel(level)


def read_pages(path: Path, shown: str) -> list[Grid]:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(path)
        pages = pdf.pages
    except PdfminerException as exc:
        raise BadInput(pdf_problem(shown, exc)) from None
    except (PDFSyntaxError, ValueError, KeyError, TypeError, OSError) as exc:
        raise BadInput(f"{shown}: 无法读取 PDF 文件（文件已损坏：{type(exc).__name__}）") from None
    with pdf:
        try:
            if not any(page.chars for page in pages):
                raise BadInput(f"{shown}: PDF 中没有文字（扫描件或图片）：不支持 OCR 识别，请提供原始的 Excel、Word 文件或可复制文字的 PDF")
            grids: list[Grid] = []
            columns: list[float] = []
            for number, page in enumerate(pages, start=1):
                found, columns = page_grids(page, shown, f"第{number}页", columns)
                grids += found
        except PdfminerException as exc:
            raise BadInput(pdf_problem(shown, exc)) from None
    return grids


def pdf_problem(shown: str, exc: Exception) -> str:
    cause = exc.args[0] if exc.args else exc
    if "Password" in type(cause).__name__ or "Encrypt" in type(cause).__name__:
        return f"{shown}: PDF 有密码保护，请提供没有密码的文件"
    return f"{shown}: 无法读取 PDF 文件（文件已损坏：{type(cause).__name__}）"


def page_grids(page, shown: str, name: str, columns: list[float]) -> tuple[list[Grid], list[float]]:
    """The page's grids, and the column edges of its last table (a table that goes on over the
    page break keeps the columns it had: its next page may only have cells in some of them)."""
    tables = find_tables(page)
    inside: list[list[dict]] = [[] for _ in tables]
    outside: list[dict] = []
    for char in page.chars:
        x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        for i, table in enumerate(tables):
            x0, top, x1, bottom = table.bbox
            if x0 <= x <= x1 and top <= y <= bottom:
                inside[i].append(char)
                break
        else:
            outside.append(char)
    lines = [line for line in text_lines(outside, page.width) if not PAGE_NUMBER.match(line[1])]
    grids = []
    for i, table in enumerate(tables):
        top, bottom = table.bbox[1], table.bbox[3]
        following = tables[i + 1].bbox[1] if i + 1 < len(tables) else float("inf")
        above = [text for y, text in lines if y < top and (i == 0 or y > tables[i - 1].bbox[3])]
        below = [text for y, text in lines if bottom < y < following and (i + 1 == len(tables) or NOTE.match(text))]
        suffix = f"表{i + 1}" if len(tables) > 1 else ""
        xs = cluster([c[0] for c in table.cells] + [c[2] for c in table.cells])
        if i > 0 or above or not within(xs, columns):
            columns = xs
        grids.append(table_grid(table, inside[i], shown, name + suffix, columns).with_lines(above, below))
    if not tables and lines:
        grids.append(Grid(shown, name, [[text] for _, text in lines]))
    return grids, columns


def within(xs: list[float], columns: list[float]) -> bool:
    """Every edge of `xs` is one of `columns`."""
    return bool(columns) and all(abs(columns[nearest(columns, x)] - x) <= EDGE_TOLERANCE for x in xs)


def find_tables(page) -> list:
    """The ruled tables, top to bottom. A table whose last rule is missing (a page break)
    is closed at the bottom of its vertical rules."""
    bottoms = [edge["bottom"] for edge in page.edges if edge["orientation"] == "v"]
    settings = {"explicit_horizontal_lines": [max(bottoms)]} if bottoms else {}
    return sorted(page.find_tables(settings), key=lambda t: t.bbox[1])


def cluster(values: list[float]) -> list[float]:
    edges: list[float] = []
    for value in sorted(values):
        if not edges or value - edges[-1] > EDGE_TOLERANCE:
            edges.append(value)
    return edges


def nearest(edges: list[float], value: float) -> int:
    i = bisect.bisect_left(edges, value - EDGE_TOLERANCE)
    return min(i, len(edges) - 1)


def table_grid(table, chars: list[dict], shown: str, name: str, xs: list[float]) -> Grid:
    cells = table.cells
    ys = cluster([c[1] for c in cells] + [c[3] for c in cells])
    rows = [[""] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    merges = []
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    spans = []
    for bbox in cells:
        x0, top, x1, bottom = bbox
        left, right = nearest(xs, x0), nearest(xs, x1) - 1
        first, last = nearest(ys, top), nearest(ys, bottom) - 1
        if right < left or last < first:
            continue
        spans.append((first, left, bbox))
        if (first, left) != (last, right):
            merges.append(Merge(first, left, last, right))
        for r in range(first, last + 1):
            for c in range(left, right + 1):
                owner[(r, c)] = (first, left)
    by_cell: dict[tuple[int, int], list[dict]] = {}
    for char in chars:
        r = bisect.bisect_right(ys, (char["top"] + char["bottom"]) / 2) - 1
        c = bisect.bisect_right(xs, (char["x0"] + char["x1"]) / 2) - 1
        key = owner.get((r, c))
        if key is not None:
            by_cell.setdefault(key, []).append(char)
    for first, left, bbox in spans:
        rows[first][left] = cell_text(by_cell.get((first, left), []), bbox)
    return Grid(shown, name, rows, merges)


def group_lines(chars: list[dict]) -> list[list[dict]]:
    """Characters into lines, top to bottom, each left to right."""
    lines: list[list[dict]] = []
    for char in sorted(chars, key=lambda ch: (round(ch["top"]), ch["x0"])):
        if lines and abs(char["top"] - lines[-1][0]["top"]) < char["size"] * 0.5:
            lines[-1].append(char)
        else:
            lines.append([char])
    return [sorted(line, key=lambda ch: ch["x0"]) for line in lines]


def line_text(line: list[dict]) -> str:
    """A line's characters, with a space where the gap between two is wide."""
    text = ""
    for before, char in zip([None] + line[:-1], line):
        if before is not None and char["x0"] - before["x1"] > char["size"] * 0.3 and not text.endswith(" "):
            text += " "
        text += char["text"]
    return text.strip()


def first_word_width(line: list[dict]) -> float:
    """How wide the start of a line is up to where it could have been broken: one Chinese
    character or a run of Latin letters and digits, with the punctuation that may not start
    a line (、，。) which the layout carries over with it."""
    end = 0
    if ASCII_WORD.match(line[0]["text"]):
        while end + 1 < len(line) and ASCII_WORD.match(line[end + 1]["text"]):
            end += 1
    while end + 1 < len(line) and line[end + 1]["text"] in NO_LINE_START:
        end += 1
    return line[end]["x1"] - line[0]["x0"]


def wrapped(before: list[dict], after: list[dict], limit: float) -> bool:
    """The layout broke the line: the next line's first word would not have fit after it."""
    return before[-1]["x1"] + first_word_width(after) > limit


def cell_text(chars: list[dict], bbox: tuple[float, float, float, float]) -> str:
    lines = [line for line in group_lines(chars) if line_text(line)]
    if not lines:
        return ""
    # The cell's padding, seen on its left; centred text would overstate it, hence the cap.
    padding = min(MAX_PADDING, max(0.0, min(line[0]["x0"] for line in lines) - bbox[0]))
    limit = bbox[2] - padding - 1
    text = line_text(lines[0])
    for before, line in zip(lines, lines[1:]):
        text += joiner(text, line_text(line)) if wrapped(before, line, limit) else "\n"
        text += line_text(line)
    return text


def joiner(before: str, after: str) -> str:
    """A wrapped line joins the next without a space, except between two Latin words."""
    return " " if before and after and ASCII_WORD.match(before[-1]) and ASCII_WORD.match(after[0]) else ""


def text_lines(chars: list[dict], page_width: float) -> list[tuple[float, str]]:
    """Lines outside the tables as (middle y, text), wrapped lines of a paragraph joined."""
    lines = group_lines(chars)
    widest = max((line[-1]["x1"] for line in lines), default=0)
    result: list[tuple[float, str]] = []
    previous = None
    for line in lines:
        text = line_text(line)
        if not text:
            continue
        y = (line[0]["top"] + line[0]["bottom"]) / 2
        size = line[0]["size"]
        if previous is not None and wrapped(previous, line, widest + 1) and line[0]["top"] - previous[0]["bottom"] < size:
            result[-1] = (result[-1][0], result[-1][1] + joiner(result[-1][1], text) + text)
        else:
            result.append((y, text))
        previous = line
    return result
