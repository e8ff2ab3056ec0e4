"""Recognisers: one per form, each found by its header labels, each giving model records.

`recognise(grids)` tries every form on every grid (a sheet, a Word table, a
PDF page): the form that finds its labels reads the grid. A PDF page that
only continues the table of the page before (no title, the same header or
none) is joined to it first, so a project merged over a page break stays
one project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from sitegen.base.findings import Loc
from sitegen.importers import labels
from sitegen.importers.cells import decimal
from sitegen.importers.grid import Grid, Merge, with_inferred_merges
from sitegen.importers.labels import INDICATOR_LABELS, PROJECT_LABELS, Match, indicator_key, label_text, project_key
from sitegen.model import Overall, Project

YEAR = re.compile(r"(20\d{2})\s*[)）]?\s*年")  # 2024年, (2024)年度
SHEET_YEAR = re.compile(r"(?:^|\D)(20\d{2})(?:\D|$)")
CODE_NAME = re.compile(r"^\s*[\[【(（]?\s*([0-9A-Za-z]{2,20})\s*[\]】)）]?\s*[-－—_ ：:]*\s*(\S.*)$")
NAME_CODE = re.compile(r"^(\S.*?)\s*[(（]\s*([0-9A-Za-z]{3,20})\s*[)）]$")
PAGE = re.compile(r"^第\d+页")  # the grids of a PDF: only pages continue one another


@dataclass
class Found:
    """What one table gave: the unit, the year, and records for the tree."""

    form: str  # flat, per-project, declaration, evaluation, overall
    grid: Grid
    rows: tuple[int, int]  # first and last row read, from 0
    layout: str | None = None
    agency_code: str = ""
    agency_name: str = ""
    department: tuple[str, str] | None = None
    year: int | None = None
    year_from: str = ""
    title: str = ""
    money_unit: str | None = None
    stated_total: Decimal | None = None
    notes: str = ""
    projects: list[tuple[Project, tuple[int, int]]] = field(default_factory=list)  # with their rows
    overall: Overall | None = None
    warnings: list[str] = field(default_factory=list)
    guesses: list[str] = field(default_factory=list)
    row_notes: list[str] = field(default_factory=list)  # notes printed among the indicator rows (注：…)
    weights: dict[str, tuple[Decimal, int]] = field(default_factory=dict)  # 一级 → weight printed after it, row

    def where(self, row: int, col: int = 0) -> str:
        return self.grid.where(row, col)

    def loc(self, row: int, col: int = 0) -> Loc:
        return Loc(f"{self.grid.source} {self.grid.name}".strip(), row + 1, col + 1)


# ---------------------------------------------------------------- headers


@dataclass
class Header:
    row: int  # the header's last row
    top: int  # its first row
    columns: dict[str, list[int]]  # key → columns, left to right
    extra: dict[int, str]  # other labelled columns: column → label as printed
    labels: dict[int, str]  # every column's label as printed
    band_texts: frozenset[str] = frozenset()  # every text of the header rows (a repeated header's cells)
    matches: dict[int, Match] = field(default_factory=dict)  # how each column's label was matched (--explain)
    recipients: tuple[int, ...] = ()  # target columns, one per recipient of the funds (recipient_columns)

    def value(self, grid: Grid, row: int, col: int) -> str:
        """A data cell's text; empty where a header label merged down over it shows through
        (绩效指标 over the unit row of a per-project table)."""
        m = grid.merge_at(row, col)
        if m is not None and m.top < row and (self.top <= m.top <= self.row or grid.own(m.top, m.left) in self.band_texts):
            return ""
        return grid.text(row, col)

    @property
    def first_indicator_column(self) -> int:
        """Columns left of it describe the project, columns right of it the indicator."""
        return min(self.columns.get("level1", self.columns.get("name", [0])))


def find_header(grid: Grid, need: tuple[str, ...] = ("level1", "level2", "name"), band: int = 3, start: int = 0) -> Header | None:
    """The first row with the indicator labels in `need`, and the project labels up to `band`
    rows above it (a header over two merged rows, or 单位编码 … over the 合计 row). A --map's
    header_row is the header, when it names the 三级 column."""
    mapping = labels.MAPPING
    stop = grid.height
    if mapping is not None:
        need = ("name",)
        if mapping.header_row is not None:
            start, stop = mapping.header_row - 1, min(mapping.header_row, grid.height)
    row = next((r for r in range(start, stop) if all(k in row_keys(grid, r) for k in need)), None)
    if row is None and mapping is None:
        row = next((r for r in range(start, stop) if levelless(row_keys(grid, r))), None)
    if row is None:
        return None
    above = [t for t in range(max(0, row - band), row) if sum(1 for c in range(grid.width) if project_key(grid.own(t, c))) >= 2]
    return make_header(grid, row, above[0] if above else row)


def row_keys(grid: Grid, r: int) -> set[str | None]:
    return {indicator_key(grid.text(r, c)) for c in range(grid.width)}


# What an indicator header without 一级 and 二级 columns still prints (重庆 表十二: 指标 | 指标权重 | 计量单位 |
# 指标性质 | 指标值): the name, the target and one more indicator column. Tried only when no row of the
# grid has the three levels; the indicators' level1 and level2 stay empty.
LEVELLESS_MORE = ("unit", "sign", "score")


def levelless(keys: set[str | None]) -> bool:
    return "name" in keys and "target" in keys and any(k in keys for k in LEVELLESS_MORE)


def best_match(text: str, lowest: bool) -> Match | None:
    """The field a header cell names: the better of its indicator and project matches (on the
    header's lowest row an indicator label wins a tie; above it, a project label)."""
    found = [m for m in (INDICATOR_LABELS.match(text), PROJECT_LABELS.match(text)) if m]
    if not found:
        return None
    if len(found) == 2 and found[0].score == found[1].score:
        return found[0] if lowest else found[1]
    return max(found, key=lambda m: m.score)


NUMBER_ONLY = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")


def label_above(grid: Grid, top: int, c: int) -> tuple[Match, str] | None:
    """A header cell that prints only a number (the section's score, 四川: 年度绩效指标完成情况 … | 50) names
    no column: the column's label is the nearest text above that names a field (自评得分 at the form's top)."""
    for r in range(top - 1, -1, -1):
        text = grid.own(r, c)
        if not text or grid.is_continuation(r, c) or NUMBER_ONLY.match(text) or decimal(text) is not None:
            continue
        found = best_match(text, True)
        return (found, text) if found else None
    return None


def make_header(grid: Grid, row: int, top: int) -> Header:
    columns: dict[str, list[int]] = {}
    extra: dict[int, str] = {}
    labels = {}
    matches: dict[int, Match] = {}
    for c in range(grid.width):
        found, label = None, ""
        for r in range(row, top - 1, -1):  # the lowest label of the column wins: 一级指标 under 绩效指标
            text = grid.text(r, c)
            if not text:
                continue
            found = best_match(text, r == row)
            label = label or text
            if found:
                label = text
                break
        if not label or (c > 0 and grid.is_continuation(row, c) and grid.merge_at(row, c).left < c):
            continue
        if found is None and NUMBER_ONLY.match(label):
            found, label = label_above(grid, top, c) or (None, label)
        labels[c] = label
        if found:
            matches[c] = found
        elif label_text(label):
            extra[c] = label
    best = {}
    for c, found in matches.items():
        best[found.key] = max(best.get(found.key, 0), found.score)
    for c, found in matches.items():
        # a looser match gives way to an exact one; `sign` may be several columns (指标性质 · 指标方向性)
        if found.score == 5 or found.score >= best[found.key] or found.key == "sign":
            columns.setdefault(found.key, []).append(c)
        else:
            extra[c] = labels[c]
    recipients = recipient_columns(columns, extra)
    if recipients:
        columns["target"] = list(recipients)
        extra = {c: label for c, label in extra.items() if c not in recipients}
    band = frozenset(grid.own(r, c) for r in range(top, row + 1) for c in range(grid.width) if grid.own(r, c))
    return Header(row, top, columns, extra, labels, band, matches, recipients)


def recipient_columns(columns: dict[str, list[int]], extra: dict[int, str]) -> tuple[int, ...]:
    """A header with no target column whose last columns name no field: one target column per
    recipient of the funds (福建's 专项资金绩效目标表: 指标方向 | 笏石街道办 | 埭头镇, a column for each
    街道 or 镇 the money goes to). The indicator rows read them with table.recipient_target."""
    if "target" in columns or "name" not in columns:
        return ()
    last_known = max(c for cols in columns.values() for c in cols)
    return tuple(sorted(c for c, label in extra.items() if c > last_known and not labels.is_computed(label)))


def is_header_row(grid: Grid, row: int) -> bool:
    hits = sum(1 for c in range(grid.width) if indicator_key(grid.own(row, c)) or project_key(grid.own(row, c)))
    return hits >= 3


# ---------------------------------------------------------------- title lines


def lines_above(grid: Grid, row: int) -> list[str]:
    """The texts printed above the header: the title, the year, the money unit."""
    seen: list[str] = []
    for r in range(row):
        for c in range(grid.width):
            text = grid.own(r, c)
            if text and text not in seen:
                seen.append(text)
    return seen


def year_of(texts: list[str]) -> int | None:
    for text in texts:
        match = YEAR.search(text)
        if match:
            return int(match.group(1))
    return None


def code_and_name(text: str) -> tuple[str, str]:
    """`418001-乌海市人力资源和社会保障局`, `[015001]武汉市青山区教育局`, `武汉市青山区教育局（015001）`
    (as sitegen's own declaration prints it) → (code, name); ('', text) else."""
    match = CODE_NAME.match(text.strip())
    if match and any(ch.isdigit() for ch in match.group(1)):
        return match.group(1), match.group(2).strip()
    match = NAME_CODE.match(text.strip())
    if match and sum(ch.isdigit() for ch in match.group(2)) >= 3:
        return match.group(2), match.group(1).strip()
    return "", re.sub(r"^[-－—]\s*(?=\S)", "", text.strip())  # `-稷山县医疗保障局`: sitegen's export, no code


def note_text(text: str) -> str | None:
    """The text of a note line (备注, 注, 填报说明 …: vocabulary.yaml, rows.notes) without its label;
    None for any other line, and for a bare 备注 (a heading)."""
    from sitegen.importers.forms.rows import note_text as row_note

    note = row_note(text)
    return None if note is None or "".join(text.split()) == "备注" else note


# ---------------------------------------------------------------- pages


def continues(previous: Grid, grid: Grid) -> bool:
    """A page that only goes on with the table before it: same file, same columns, and it starts
    with the previous header or with rows that are no header or title at all."""
    pages = PAGE.match(previous.name) and PAGE.match(grid.name)
    if not pages or previous.source != grid.source or previous.width != grid.width or grid.height == 0:
        return False
    first = next((r for r in range(grid.height) if not grid.is_empty_row(r)), None)
    if first is None:
        return False
    if first == 0 and repeated_header(previous, grid):
        return True
    spans_all = grid.merge_at(first, 0) is not None and grid.merge_at(first, 0).width == grid.width
    return first == 0 and not spans_all and find_header(grid) is None


def repeated_header(previous: Grid, grid: Grid) -> int:
    """How many rows at the top of `grid` repeat the header of `previous` (0: none)."""
    header = find_header(previous)
    if header is None:
        return 0
    band = previous.rows[header.top: header.row + 1]
    return len(band) if grid.rows[: len(band)] == band else 0


def join(previous: Grid, grid: Grid) -> Grid:
    """`grid` appended below `previous`, a repeated header left out; a merge that the page break cut
    is not rejoined (its cell is empty on the new page, which reads as 'same as above')."""
    skip = repeated_header(previous, grid)
    shift = previous.height - skip
    merges = previous.merges + [Merge(m.top + shift, m.left, m.bottom + shift, m.right) for m in grid.merges if m.top >= skip]
    return Grid(previous.source, previous.name, previous.rows + grid.rows[skip:], merges, previous.notes)


def stack(previous: Grid, grid: Grid) -> Grid:
    """`grid` below `previous` as one table (widths padded), its merges shifted."""
    shift = previous.height
    merges = previous.merges + [Merge(m.top + shift, m.left, m.bottom + shift, m.right) for m in grid.merges]
    return Grid(previous.source, previous.name, previous.rows + grid.rows, merges, previous.notes)


FORM_NAMES = frozenset(label_text(word) for word in labels.words("declaration", "name"))  # 项目名称, 专项资金名称 …


def project_name_row(grid: Grid, r: int) -> bool:
    """A 项目名称 label beside its value in this row (a declaration's labelled block)."""
    if not any("名称" in cell for cell in grid.rows[r]):
        return False  # most rows: no label to compare (a 1,000-row flat sheet is read row by row here)
    texts = [grid.text(r, c) for c in range(grid.width) if not (grid.is_continuation(r, c) and grid.merge_at(r, c).top == r)]
    return any(label_text(text) in FORM_NAMES and texts[i + 1]
               and not project_key(texts[i + 1]) and not indicator_key(texts[i + 1])  # a header's next label
               for i, text in enumerate(texts[:-1]))


def indicator_header_row(grid: Grid, r: int) -> bool:
    if not any("指标" in cell for cell in grid.rows[r]):
        return False
    keys = row_keys(grid, r)
    return {"level1", "level2", "name"} <= keys or levelless(keys)


def names_a_project(grid: Grid, rows: int) -> bool:
    return any(project_name_row(grid, r) for r in range(min(rows, grid.height)))


def cut(grid: Grid, top: int, bottom: int) -> Grid:
    """Rows top..bottom-1 of a grid, as a grid of their own (merges inside them kept)."""
    merges = [Merge(m.top - top, m.left, m.bottom - top, m.right) for m in grid.merges if top <= m.top and m.bottom < bottom]
    return Grid(grid.source, grid.name, grid.rows[top:bottom], merges, grid.notes)


def split_forms(grid: Grid) -> list[Grid]:
    """Forms one under the other on a sheet (one 申报表 or 自评表 a project): a new one starts with the
    title lines above a 项目名称 row that comes after an indicator header."""
    starts, seen_header = [0], False
    for r in range(grid.height):
        if project_name_row(grid, r) and seen_header:
            top = r
            # the lines above the new form are its title; a 备注 line is the note of the form above
            while top - 1 > starts[-1] and (grid.is_empty_row(top - 1) or title_row(grid, top - 1)
                                           and note_text(grid.own(top - 1, 0)) is None or unit_row(grid, top - 1)):
                top -= 1
            starts.append(top)
            seen_header = False
        elif indicator_header_row(grid, r):
            seen_header = True
    if len(starts) == 1:
        return [grid]
    return [cut(grid, top, bottom) for top, bottom in zip(starts, starts[1:] + [grid.height])]


UNIT_WORDS = tuple(sorted({label_text(word) for word in labels.words("declaration", "unit_lines")
                           + labels.words("declaration", "unit_cells")}, key=len, reverse=True))


def unit_row(grid: Grid, r: int) -> bool:
    """A line naming the unit above a form (编制单位: | 813-潼南区五桂镇 | 单位:万元): the new form's, not
    the last row of the form above."""
    first = label_text(grid.own(r, 0))
    word = next((w for w in UNIT_WORDS if first.startswith(w)), None)
    return word is not None and (first == word or first[len(word)] in ":：")


def title_row(grid: Grid, r: int) -> bool:
    texts = [grid.own(r, c) for c in range(grid.width) if grid.own(r, c)]
    return len(texts) == 1 and bool(grid.own(r, 0))


def join_parts(grids: list[Grid]) -> list[Grid]:
    """One form printed as several tables (a Word file, a PDF page: the labelled block, 总体目标, the
    indicators): a table naming a project without an indicator header takes the tables after it,
    up to and including the one with the indicator header, when they name no project of their own."""
    joined: list[Grid] = []
    grids = [merged(grid) for grid in grids]
    for grid in (part for whole in grids for part in split_forms(whole)):
        previous = joined[-1] if joined else None
        if previous is not None and previous.source == grid.source and cover(previous) and find_header(grid) is not None:
            # the cover's lines are the form's title lines; an empty row between keeps them apart, as
            # the cover's page is from the form's
            joined[-1] = stack(stack(widened(previous, grid.width), blank_row(grid.width, grid)), grid)
            continue
        if previous is not None and previous.source == grid.source and find_header(previous) is None \
                and names_a_project(previous, previous.height):
            header = find_header(grid)
            if not names_a_project(grid, header.row if header else grid.height):
                joined[-1] = stack(previous, grid)
                continue
        joined.append(grid)
    return joined


def cover(grid: Grid) -> bool:
    """A table of one column of lines before a form (a Word cover: title, 申报项目名称:…, 编报单位:…,
    编报时间:…): no header, no label beside a value."""
    return 0 < grid.height <= 12 and grid.width == 1 and find_header(grid) is None and YEAR.search(grid.own(0, 0)) is not None


def widened(lines: Grid, width: int) -> Grid:
    """A one-column table as lines across `width` columns (each row one merged cell)."""
    if width <= 1:
        return lines
    rows = [row + [""] * (width - 1) for row in lines.rows]
    merges = [Merge(r, 0, r, width - 1) for r in range(lines.height)]
    return Grid(lines.source, lines.name, rows, merges, lines.notes)


def blank_row(width: int, like: Grid) -> Grid:
    return Grid(like.source, like.name, [[""] * width], [], like.notes)


def merged(grid: Grid) -> Grid:
    """A grid saved without merges (CSV) with the merges its form implies (grid.with_inferred_merges)."""
    if grid.merges:
        return grid
    header = find_header(grid)
    return with_inferred_merges(grid, header.row) if header else grid  # the block: every row above the indicator labels


def join_pages(grids: list[Grid]) -> list[Grid]:
    joined: list[Grid] = []
    for grid in grids:
        if joined and continues(joined[-1], grid):
            joined[-1] = join(joined[-1], grid)
        else:
            joined.append(grid)
    return joined
