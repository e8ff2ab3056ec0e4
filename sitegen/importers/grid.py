"""The one shape every reader gives: a grid of cell texts with its merged ranges.

A sheet of a workbook, a table of a Word file or a table on a PDF page all
become a `Grid`: rows of texts (as the cell shows them: `65.00` when the cell
is formatted with two decimals), the merged ranges, and names for messages
(`表1!C7`). Lines printed outside a table (a title, `单位：万元`, a 备注 line)
are rows of the grid too, one text in the first column, so the recognisers
see a Word or PDF table the way they see a sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sitegen.base.errors import SitegenError


class BadInput(SitegenError):
    """A file that cannot be imported: the message is one Chinese line naming the file (and cell)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Merge:
    """A merged range, rows and columns counted from 0, both ends included."""

    top: int
    left: int
    bottom: int
    right: int

    def covers(self, row: int, col: int) -> bool:
        return self.top <= row <= self.bottom and self.left <= col <= self.right

    @property
    def height(self) -> int:
        return self.bottom - self.top + 1

    @property
    def width(self) -> int:
        return self.right - self.left + 1


def column_letters(col: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as a spreadsheet names it."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass
class Grid:
    """One table: `rows` of texts, all as long as the widest, and its merges.

    `source` is the file as shown in messages, `name` the sheet, table or
    page (表1, 第2页); an address is `表1!C7`. The text of a merged range is
    in its top-left cell; the other cells of the range are empty, and
    `text()` gives the range's text for any of them.
    """

    source: str
    name: str
    rows: list[list[str]]
    merges: list[Merge] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the reader chose, for the report (encoding …)

    def __post_init__(self) -> None:
        width = max((len(r) for r in self.rows), default=0)
        width = max([width] + [m.right + 1 for m in self.merges])
        self.rows = [list(r) + [""] * (width - len(r)) for r in self.rows]
        self.rows += [[""] * width for _ in range(max((m.bottom + 1 for m in self.merges), default=0) - len(self.rows))]
        # Each row's merges, not each cell's: one merged range of 100 columns × 100,000 rows
        # (within the area limit) was ten million dict entries and over 4 GB.
        self._merges_in_row: dict[int, list[Merge]] = {}
        for m in self.merges:
            for r in range(m.top, m.bottom + 1):
                self._merges_in_row.setdefault(r, []).append(m)

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    @property
    def used_width(self) -> int:
        """The columns that hold any text or merge (a Word table may carry an empty column at its right)."""
        if getattr(self, "_used_width", None) is None:
            used = [c for c in range(self.width) if any(row[c].strip() for row in self.rows)]
            self._used_width = max([used[-1] + 1 if used else 0] + [m.right + 1 for m in self.merges if m.width > 1 or m.height > 1])
        return self._used_width

    def merge_at(self, row: int, col: int) -> Merge | None:
        """The merged range over this cell; of ranges that overlap (a damaged file), the last."""
        for m in reversed(self._merges_in_row.get(row, ())):
            if m.left <= col <= m.right:
                return m
        return None

    def own(self, row: int, col: int) -> str:
        """The text written in this very cell (empty inside a merge but its first cell)."""
        return self.rows[row][col].strip()

    def text(self, row: int, col: int) -> str:
        """The text shown at this cell: a merged range's text for all its cells."""
        m = self.merge_at(row, col)
        if m is not None:
            return self.rows[m.top][m.left].strip()
        return self.rows[row][col].strip()

    def is_continuation(self, row: int, col: int) -> bool:
        """Inside a merged range, below or right of its first cell."""
        m = self.merge_at(row, col)
        return m is not None and (m.top, m.left) != (row, col)

    def is_empty_row(self, row: int) -> bool:
        return not any(cell.strip() for cell in self.rows[row])

    def with_lines(self, above: list[str], below: list[str]) -> "Grid":
        """This grid with text lines printed before and after it, each one cell across the table."""
        if not above and not below:
            return self
        width = max(self.width, 1)
        shift = len(above)
        rows = [[line] + [""] * (width - 1) for line in above] + self.rows
        rows += [[line] + [""] * (width - 1) for line in below]
        merges = [Merge(m.top + shift, m.left, m.bottom + shift, m.right) for m in self.merges]
        if width > 1:
            lines = list(range(shift)) + list(range(shift + self.height, len(rows)))
            merges += [Merge(r, 0, r, width - 1) for r in lines]
        return Grid(self.source, self.name, rows, merges, self.notes)

    def address(self, row: int, col: int) -> str:
        cell = f"{column_letters(col)}{row + 1}"
        return f"{self.name}!{cell}" if self.name else cell

    def where(self, row: int, col: int) -> str:
        """For messages: the file and the cell, `a.xlsx 表1!C7`."""
        return f"{self.source} {self.address(row, col)}"


def with_inferred_merges(grid: Grid, header_row: int) -> Grid:
    """A table saved without its merges (CSV): the merges a printed form implies, put back.

    Above the indicator header (the labelled block), a text runs right over the empty cells after
    it (`项目名称 | 教育… | | 实施单位`), and a first-column label runs down over the rows whose first
    cell is empty (资金情况 over 年度资金总额 · 其中 · 其他资金). Any row with only its first cell
    filled is a line across the table (a title, `注：…`). Indicator rows are left as they are: an
    empty cell there is an empty value.
    """
    if grid.merges or grid.width < 2:
        return grid
    merges: list[Merge] = []
    for r in range(grid.height):
        texts = [c for c in range(grid.width) if grid.rows[r][c].strip()]
        if texts == [0]:
            merges.append(Merge(r, 0, r, grid.width - 1))
        elif r < header_row and texts:
            for n, c in enumerate(texts):
                right = (texts[n + 1] if n + 1 < len(texts) else grid.width) - 1
                if right > c:
                    merges.append(Merge(r, c, r, right))
    covered = {(m.top, c) for m in merges for c in range(m.left, m.right + 1)}
    r = 0
    while r < header_row:
        bottom = r
        if grid.rows[r][0].strip() and (r, 0) not in {(m.top, m.left) for m in merges if m.width == grid.width}:
            while bottom + 1 < header_row and not grid.rows[bottom + 1][0].strip() and any(
                    cell.strip() for cell in grid.rows[bottom + 1]) and (bottom + 1, 0) not in covered:
                bottom += 1
        if bottom > r:
            merges = [m for m in merges if not (m.left == 0 and r <= m.top <= bottom)]
            merges.append(Merge(r, 0, bottom, 0))
        r = bottom + 1
    return Grid(grid.source, grid.name, grid.rows, merges, grid.notes)
