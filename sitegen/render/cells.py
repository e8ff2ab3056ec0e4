"""The cells of contract version 2 as every layout prints them.

What the layouts share: the labelled project cells (项目属性, 项目期 …), the
optional indicator columns (printed only when filled), and the declaration
form's rows with the 中期 and 年度 indicators side by side. Computed here so
the PDF and HTML layouts hold markup only and print the same values.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from sitegen.model import INDICATOR, PROJECT, Indicator, Project
from sitegen.model.specs import MIDTERM
from sitegen.render.table import Span, run_lengths
from sitegen.model.money import amount_text as money, figure_text


def last_actual_text(indicator: Indicator) -> str:
    """上年实际值 with the row's unit when it is a number (95 → 95%), else as written."""
    last = indicator.last_actual
    if last is None:
        return ""
    return f"{last.text}{indicator.unit}" if last.is_numeric else last.text


@dataclass(frozen=True)
class IndicatorColumn:
    key: str
    label: str
    get: Callable[[Indicator], str]
    weight: int  # relative width in the PDF forms


def column(key: str, get: Callable[[Indicator], str], weight: int) -> IndicatorColumn:
    """An optional indicator column, labelled as its field's declaration says (model/vocab/fields.yaml)."""
    return IndicatorColumn(key, INDICATOR.field(key).cell_label, get, weight)


# In the order the 申报表 prints them after 指标值.
INDICATOR_COLUMNS = (
    column("explanation", lambda i: i.explanation, 14),
    column("scoring", lambda i: i.scoring, 14),
    column("basis", lambda i: i.basis, 9),
    column("last_actual", last_actual_text, 7),
    column("score", lambda i: figure_text(i.score), 5),
    column("remark", lambda i: i.remark, 8),
)


def filled_columns(indicators: list[Indicator], leave_out: tuple[str, ...] = ()) -> list[IndicatorColumn]:
    """The optional columns some indicator fills; the empty ones are left out."""
    return [c for c in INDICATOR_COLUMNS if c.key not in leave_out and any(c.get(i) for i in indicators)]


# Column widths in percent of each table before its optional indicator columns, and the text
# columns that give up room to them (the narrow code and figure columns keep theirs).
BASE_WIDTHS = {
    # 预算数 and 金额 hold 250,000.00 on its one line (pdf.css never splits an amount)
    "flat": ((8, 9, 6, 7, 14, 6, 7, 12, 5, 6, 9, 6, 4), (0, 1, 4, 7)),
    "per-project": ((7, 14, 8, 25, 8, 10, 18, 10), (1, 3, 6)),
    "group": ((12, 16, 44, 28), (1, 2)),  # 一级 · 二级 · 三级 · 指标值
    "pair": ((10, 12, 22, 11, 12, 22, 11), (1, 2, 4, 5)),  # 一级 · 中期 二级 · 三级 · 指标值 · 年度 …
}


def column_widths(table: str, columns: list[IndicatorColumn]) -> list[str]:
    """The table's widths as written when it prints no optional column. Otherwise the optional
    columns take their room from the text columns, at most 60% of it."""
    base, shrinkable = BASE_WIDTHS.get(table, ((), ()))
    if not columns or not base:  # (the declaration sizes its tables per project)
        return [str(w) for w in base]
    room = sum(base[i] for i in shrinkable)
    extra = [Decimal(c.weight) for c in columns]
    scale = min(Decimal(1), Decimal(room) * Decimal("0.6") / sum(extra))
    extra = [w * scale for w in extra]
    keep = (room - sum(extra)) / room
    kept = [Decimal(w) * keep if i in shrinkable else Decimal(w) for i, w in enumerate(base)]
    return [format(w.quantize(Decimal("0.01")), "f") for w in (*kept, *extra)]


def label(key: str) -> str:
    """A project cell's label, as its field's declaration says."""
    return PROJECT.field(key).cell_label


@dataclass(frozen=True)
class Cell:
    label: str
    text: str
    markdown: bool = False


def project_cells(project: Project) -> list[Cell]:
    """The labelled cells of version 2 the project fills, in the form's order; facts last."""
    unit = project.unit_year.money_unit
    cells = [
        Cell(label("attribute"), project.attribute),
        Cell(label("period"), project.period),
        Cell(label("implementer"), project.implementer),
        Cell(label("parent"), project.parent),
        Cell(f"{label('total_investment')}（{unit}）", money(project.total_investment)),
        Cell(label("basis"), project.basis, markdown=True),
    ]
    return [c for c in cells if c.text] + [Cell(label, text) for label, text in project.facts]


def department_text(project: Project) -> str:
    """主管部门及代码: the supervising department, or the unit itself when it has none."""
    agency = project.agency
    name, code = (agency.department_name, agency.department_code) if agency.department_code else (agency.name, agency.code)
    return f"{name}（{code}）" if code else name


def declaration_cells(project: Project) -> list[Cell]:
    """The labelled block of the 申报表 above 项目资金: the form's own cells are always printed
    (an empty one stays empty); 主管部门 is left to the facts when they print it as written."""
    cells = [Cell(label("name"), project.name)]
    if not any(label.startswith("主管部门") for label, _ in project.facts):
        cells.append(Cell("主管部门及代码", department_text(project)))
    cells += [
        Cell(label("implementer"), project.implementer or project.agency.name),
        Cell(label("attribute"), project.attribute),
        Cell(label("period"), project.period),
    ]
    if project.parent:
        cells.append(Cell(label("parent"), project.parent))
    return cells


def money_cells(project: Project) -> list[Cell]:
    """The rows under 项目资金: 中期资金总额 when given, 年度资金总额, and the funding under 其中."""
    cells = []
    if project.midterm and project.midterm.budget is not None:
        cells.append(Cell(MIDTERM.field("budget").cell_label, money(project.midterm.budget)))
    cells.append(Cell("年度资金总额", money(project.budget)))
    cells += [Cell(f"其中：{f.source}", money(f.amount)) for f in project.funding]
    return cells


def after_money_cells(project: Project) -> list[Cell]:
    """项目总投资, 立项依据, then every fact with its own label, as the 申报表 prints them."""
    unit = project.unit_year.money_unit
    cells = []
    if project.total_investment is not None:
        cells.append(Cell(f"{label('total_investment')}（{unit}）", money(project.total_investment)))
    if project.basis:
        cells.append(Cell(label("basis"), project.basis, markdown=True))
    return cells + [Cell(label, text) for label, text in project.facts]


# ---------------------------------------------------------------- 中期 and 年度 side by side


@dataclass(frozen=True)
class PairRow:
    """One row of the declaration's indicator table: a 中期 and a 年度 indicator, either may be None."""

    level1: Span | None  # None where the cell above spans this row
    midterm: Indicator | None
    midterm_level2: Span | None  # None where merged above (or the side is empty)
    annual: Indicator | None
    annual_level2: Span | None
    # The rows where the merged cells covering this row start, for the HTML table's headers=
    level1_at: int = 0
    midterm_level2_at: int = 0
    annual_level2_at: int = 0


def pairs(midterm: list[Indicator], annual: list[Indicator]) -> list[tuple[Indicator | None, Indicator | None]]:
    """Both lists in their printed order, an annual indicator beside the 中期 one of the same
    一级 and 三级 name; a 中期 indicator skipped over to reach a match gets a row of its own."""
    pending = list(midterm)
    result: list[tuple[Indicator | None, Indicator | None]] = []
    for indicator in annual:
        at = next((n for n, m in enumerate(pending) if (m.level1, m.name) == (indicator.level1, indicator.name)), None)
        if at is None:
            result.append((None, indicator))
            continue
        result += [(m, None) for m in pending[:at]]
        result.append((pending[at], indicator))
        pending = pending[at + 1 :]
    return result + [(m, None) for m in pending]


def side_runs(level1s: list[str], side: list[Indicator | None]) -> list[int]:
    """二级 rowspans of one side: runs of the same 一级/二级; an empty cell never merges."""
    keys = [(l1, i.level2) if i else ("", position) for position, (l1, i) in enumerate(zip(level1s, side))]
    return [length if indicator else 0 for length, indicator in zip(run_lengths(keys), side)]


def starts(runs: list[int]) -> list[int]:
    """For each row, the row where the merged cell covering it starts."""
    result, start = [], 0
    for position, length in enumerate(runs):
        start = position if length else start
        result.append(start)
    return result


def grouped_pairs(midterm: list[Indicator], annual: list[Indicator]) -> list[tuple[Indicator | None, Indicator | None]]:
    """The pairs within each 一级指标, the 一级 in the order they first appear (年度 first), so
    that a 中期 indicator without a 年度 one stays under its own 一级 and the 一级 cells merge."""
    level1s = list(dict.fromkeys(i.level1 for i in [*annual, *midterm]))
    return [pair for l1 in level1s
            for pair in pairs([m for m in midterm if m.level1 == l1], [a for a in annual if a.level1 == l1])]


def pair_rows(midterm: list[Indicator], annual: list[Indicator]) -> list[PairRow]:
    matched = grouped_pairs(midterm, annual)
    level1s = [(a or m).level1 for m, a in matched]  # type: ignore[union-attr]
    level1_runs = run_lengths([(l1,) for l1 in level1s])
    mid_runs = side_runs(level1s, [m for m, _ in matched])
    annual_runs = side_runs(level1s, [a for _, a in matched])
    level1_at, mid_at, annual_at = starts(level1_runs), starts(mid_runs), starts(annual_runs)
    return [
        PairRow(
            Span(l1, level1_runs[n]) if level1_runs[n] else None,
            m, Span(m.level2, mid_runs[n]) if m and mid_runs[n] else None,
            a, Span(a.level2, annual_runs[n]) if a and annual_runs[n] else None,
            level1_at[n], mid_at[n], annual_at[n],
        )  # fmt: skip
        for n, (l1, (m, a)) in enumerate(zip(level1s, matched))
    ]
