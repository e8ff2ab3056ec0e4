"""The open data's columns: declared once, in COLUMNS, which also gives the Data Package's
table schema and the docs; and the rows of a unit-year, computed once for its CSV and XLSX.

One row per indicator with the project columns repeated (a project without indicators keeps
one row), then the project's midterm.indicators. Text cells that a spreadsheet would run as a
formula get a leading apostrophe in the CSV (a quote-prefix style in the XLSX).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from operator import attrgetter
from decimal import Decimal
from typing import Any, Callable

from sitegen.content.fields import Field, Number
from sitegen.model import Indicator, Project
from sitegen.model.specs import AGENCY, DEPARTMENT, EVALUATION, EVALUATION_BUDGET, EXECUTION, INDICATOR, PROJECT
from sitegen.model.specs import MIDTERM as MIDTERM_SPEC  # (MIDTERM here is the word 中期)
from sitegen.model import money
from sitegen.model.money import figure_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset(FORMULA_STARTS)


@dataclass(frozen=True)
class Column:
    name: str
    title: str  # Chinese, for the Data Package and the docs
    type: str  # Table Schema type: string, number, integer
    get: Callable[[Project, Indicator | None, int], Any]
    description: str = ""


def declared(f: Field, get: Callable, title: str | None = None) -> Column:
    """The open-data column of a content field, as its declaration (model/vocab/fields.yaml) names it."""
    column = f.column
    assert column is not None, f"{f.key} declares no open-data column"
    return Column(column.name, title or column.title, "number" if isinstance(f.kind, Number) else "string", get,
                  column.description)


class ind:
    """A cell that is one attribute of the row's indicator (tables fetches them all at once)."""

    def __init__(self, attribute: str):
        self.attribute = attribute

    def __call__(self, project: Project, indicator: Indicator | None, index: int) -> Any:
        return getattr(indicator, self.attribute) if indicator else None


def ev(project: Project, attribute: str) -> Any:
    return getattr(project.evaluation, attribute) if project.evaluation else None


def lost(indicator: Indicator | None) -> Decimal | None:
    if indicator is None or not indicator.lost_points:
        return None
    return indicator.score - indicator.earned  # type: ignore[operator]


def met_label(project: Project, indicator: Indicator | None) -> str | None:
    """达成 / 未达成 / 未判定 for the rows of a self-evaluation (or a row that has an actual)."""
    if indicator is None or (project.evaluation is None and indicator.actual is None):
        return None
    return indicator.met_label


def lines(pairs) -> str:
    """`label: value` lines, one per pair, in printed order."""
    return "\n".join(f"{label}: {value}" if value else f"{label}:" for label, value in pairs)


def costs_text(project: Project) -> str:
    return lines((c.item, figure_text(c.amount) + (f"; 测算依据: {c.basis}" if c.basis else "")) for c in project.costs)


def source_lines(project: Project, part: str) -> str:
    """One part of the project's sources (its own `source`, else its unit-year's), one a line."""
    values = [s.url if part == "url" else s.title if part == "title" else (s.published.isoformat() if s.published else "")
              for s in project.sources]
    return "\n".join(values) if any(values) else ""


def midterm_value(get: Callable) -> Callable:
    return lambda project, indicator, number: get(project.midterm) if project.midterm else None


def term(project: Project, indicator: Indicator | None) -> str | None:
    """Which goals a row's indicator belongs to: 年度, or 中期 for midterm.indicators."""
    if indicator is None:
        return None
    midterm = project.midterm.indicators if project.midterm else []
    return MIDTERM if any(indicator is m for m in midterm) else ANNUAL


MIDTERM, ANNUAL = "中期", "年度"
# The project cells of contract version 2, right after `goals`.
PROJECT_CELLS = (
    declared(PROJECT.field("attribute"), lambda p, i, n: p.attribute),
    declared(PROJECT.field("period"), lambda p, i, n: p.period),
    declared(PROJECT.field("implementer"), lambda p, i, n: p.implementer),
    declared(PROJECT.field("parent"), lambda p, i, n: p.parent),
    declared(PROJECT.field("total_investment"), lambda p, i, n: p.total_investment),
    declared(PROJECT.field("basis"), lambda p, i, n: p.basis),
    declared(PROJECT.field("costs"), lambda p, i, n: costs_text(p)),
    declared(PROJECT.field("facts"), lambda p, i, n: lines(p.facts)),
    declared(MIDTERM_SPEC.field("period"), midterm_value(lambda m: m.period)),
    declared(MIDTERM_SPEC.field("budget"), midterm_value(lambda m: m.budget)),
    declared(MIDTERM_SPEC.field("goals"), midterm_value(lambda m: "\n".join(m.goals))),
)  # fmt: skip
# The indicator cells of contract version 2, right after `scoring`.
INDICATOR_CELLS = (
    declared(INDICATOR.field("basis"), ind("basis")),
    declared(INDICATOR.field("last_actual"), lambda p, i, n: i.last_actual.text if i and i.last_actual else None),
    Column("last_actual_number", "上年实际值（数值）", "number",
           lambda p, i, n: i.last_actual.number if i and i.last_actual else None, "Last year's value when it is a number."),
    declared(INDICATOR.field("remark"), ind("remark")),
    Column("term", "指标期限", "string", lambda p, i, n: term(p, i),
           "年度 for the year's indicators, 中期 for midterm.indicators (numbered on their own)."),
)  # fmt: skip

COLUMNS = (
    Column("agency_id", "单位目录", "string", lambda p, i, n: p.agency.id, "The unit's folder and permalink id."),
    declared(AGENCY.field("code"), lambda p, i, n: p.agency.code),
    declared(AGENCY.field("name"), lambda p, i, n: p.agency.name),
    declared(AGENCY.field("region"), lambda p, i, n: p.agency.region),
    declared(DEPARTMENT.field("code"), lambda p, i, n: p.agency.department_code),
    declared(DEPARTMENT.field("name"), lambda p, i, n: p.agency.department_name),
    Column("year", "预算年度", "integer", lambda p, i, n: p.year),
    Column("project_id", "项目目录", "string", lambda p, i, n: p.id, "The project's file name and permalink id."),
    declared(PROJECT.field("code"), lambda p, i, n: p.code),
    declared(PROJECT.field("name"), lambda p, i, n: p.name),
    declared(PROJECT.field("category"), lambda p, i, n: p.category),
    declared(PROJECT.field("budget"), lambda p, i, n: p.budget),
    Column("money_unit", "金额单位", "string", lambda p, i, n: p.unit_year.money_unit),
    declared(PROJECT.field("goals"), lambda p, i, n: "\n".join(p.goals)),
    *PROJECT_CELLS,
    Column("indicator_number", "指标序号", "integer", lambda p, i, n: n if i else None, "1, 2, … in printed order; empty for a project without indicators."),
    declared(INDICATOR.field("level1"), ind("level1")),
    declared(INDICATOR.field("level2"), ind("level2")),
    declared(INDICATOR.field("name"), ind("name")),
    Column("nature", "指标性质", "string", ind("nature"), "正向, 反向 or 定性, as the flat table prints it."),
    declared(INDICATOR.field("op"), ind("op")),
    Column("op_word", "指标方向", "string", ind("op_word"), "大于等于, 小于等于, 等于, 大于 or 小于."),
    declared(INDICATOR.field("target"), ind("target_text")),
    Column("target_number", "目标值（数值）", "number", lambda p, i, n: i.target.number if i and i.target else None, "The target when it is a number."),
    declared(INDICATOR.field("unit"), ind("unit")),
    declared(INDICATOR.field("direction"), ind("direction")),
    declared(INDICATOR.field("kind"), ind("kind")),
    declared(INDICATOR.field("score"), ind("score")),
    Column("value", "指标值", "string", ind("value_text"), "op + target + unit as the per-project table prints it, e.g. ≥8次."),
    declared(INDICATOR.field("actual"), lambda p, i, n: i.actual.text if i and i.actual else None),
    Column("actual_number", "实际完成值（数值）", "number", lambda p, i, n: i.actual.number if i and i.actual else None, "The actual when it is a number."),
    declared(INDICATOR.field("earned"), ind("earned")),
    Column("lost_points", "扣分", "number", lambda p, i, n: lost(i), "分值 − 得分 where the agency took points off."),
    Column("met", "目标达成", "string", lambda p, i, n: met_label(p, i), "Computed: 达成, 未达成 or 未判定 (text, or no actual); empty without a self-evaluation."),
    declared(INDICATOR.field("deviation"), ind("deviation")),
    declared(EVALUATION_BUDGET.field("initial"), lambda p, i, n: ev(p, "initial")),
    declared(EVALUATION_BUDGET.field("adjusted"), lambda p, i, n: ev(p, "adjusted")),
    declared(EVALUATION_BUDGET.field("spent"), lambda p, i, n: ev(p, "spent")),
    Column("execution_rate", "执行率（%）", "number", lambda p, i, n: ev(p, "execution_rate"), "Computed: spent / adjusted × 100."),
    declared(EXECUTION.field("earned"), lambda p, i, n: ev(p, "execution_earned")),
    Column("evaluation_total", "自评总分", "number", lambda p, i, n: ev(p, "total"), "Computed: the indicators' 得分 plus the 执行率 得分."),
    declared(EVALUATION.field("stated_total"), lambda p, i, n: ev(p, "stated_total")),
    declared(INDICATOR.field("explanation"), ind("explanation")),
    declared(INDICATOR.field("scoring"), ind("scoring")),
    *INDICATOR_CELLS,
    Column("url", "网址", "string", lambda p, i, n: p.url, "The project page, relative to the site."),
    # Contract 2.1, after every column of before (their order does not change):
    Column("met_basis", "判定依据", "string", lambda p, i, n: i.met_basis if met_label(p, i) else None,
           "What `met` rests on: op, direction, equal, or inferred (推定: a number target without op or direction, "
           "judged at most for 成本 kinds, at least otherwise); empty when not judged."),
    Column("source_url", "来源网址", "string", lambda p, i, n: source_lines(p, "url"),
           "Where the table was published (`source`), one address a line."),
    Column("source_title", "来源标题", "string", lambda p, i, n: source_lines(p, "title"), "The source's title, one a line."),
    Column("source_published", "来源发布日期", "string", lambda p, i, n: source_lines(p, "date"),
           "The source's publication date (YYYY-MM-DD), one a line."),
    Column("budget_site_unit", "预算数（站点金额单位）", "number",  # its title names the unit: site_titled
           lambda p, i, n: money.convert(p.budget, p.unit_year.money_unit, p.unit_year.site_money_unit),
           "The budget in the site's money_unit (the JSON's site.money_unit), exact: the column to add up "
           "across unit-years written in 元 and in 万元."),
)  # fmt: skip


# The columns that change from row to row of a project. Every other column is the project's own:
# it is computed (and made a CSV cell) once per project, not once per indicator row, which would
# be most of the open data's time.
ROW_COLUMNS = frozenset({
    "indicator_number", "level1", "level2", "indicator", "nature", "op", "op_word", "target", "target_number",
    "unit", "direction", "kind", "score", "value", "actual", "actual_number", "earned", "lost_points", "met",
    "deviation", "explanation", "scoring", "indicator_basis", "last_actual", "last_actual_number", "remark", "term",
    "met_basis",
})  # fmt: skip
PROJECT_GETTERS = [(k, c.get) for k, c in enumerate(COLUMNS) if c.name not in ROW_COLUMNS]
# The row's cells that are attributes of its indicator, fetched in one attrgetter call (in C),
# and the others, each by its getter.
ATTRIBUTES = [(k, c.get.attribute) for k, c in enumerate(COLUMNS) if c.name in ROW_COLUMNS and isinstance(c.get, ind)]
ATTRIBUTE_POSITIONS = [k for k, _ in ATTRIBUTES]
fetch = attrgetter(*(attribute for _, attribute in ATTRIBUTES))
ROW_GETTERS = [(k, c.get) for k, c in enumerate(COLUMNS) if c.name in ROW_COLUMNS and not isinstance(c.get, ind)]
def site_titled(columns: list[Column], money_unit: str) -> list[Column]:
    """The columns as the Data Package and /data/ describe them: budget_site_unit's title names the
    site's unit (预算数（万元）), every money column its unit (contract 2.1, Money)."""
    return [replace(c, title=f"预算数（{money_unit}）") if c.name == "budget_site_unit" else c for c in columns]


POSITION = {c.name: k for k, c in enumerate(COLUMNS)}


def project_entries(project: Project) -> list[tuple[Indicator | None, int]]:
    """(indicator, number) of a project's rows: the year's indicators (one empty row for a project
    without any), then its midterm.indicators, numbered on their own."""
    result = [(i, n) for n, i in enumerate(project.indicators or [None], start=1)]
    if project.midterm:
        result += [(i, n) for n, i in enumerate(project.midterm.indicators, start=1)]
    return result


def entries(projects: list[Project]) -> list[tuple[Project, Indicator | None, int]]:
    """(project, indicator, number) of every row of these projects."""
    return [(project, i, n) for project in projects for i, n in project_entries(project)]


def spreadsheet_safe(value: Any) -> Any:
    """Text a spreadsheet would treat as a formula gets a leading apostrophe, shown as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_cell(value: Any) -> Any:
    """A value as handed to the csv module: None stays None (it writes an empty cell), decimals
    as written, formula-like text with its apostrophe."""
    if type(value) is str:
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def tables(projects: list[Project]) -> tuple[list[list[Any]], list[list[Any]]]:
    """Every row of these projects twice, in COLUMNS order: its values (for the XLSX) and its CSV
    cells. The inner loop is what ~150,000 rows of a 10,000-project site cost: csv_cell inlined."""
    values, cells = [], []
    width = len(COLUMNS)
    for project in projects:
        project_values, project_cells = [None] * width, [None] * width
        for k, get in PROJECT_GETTERS:
            project_values[k] = value = get(project, None, 0)
            project_cells[k] = csv_cell(value)
        for indicator, number in project_entries(project):
            row_values, row_cells = project_values.copy(), project_cells.copy()
            if indicator is not None:  # without one, every attribute cell stays empty
                for k, value in zip(ATTRIBUTE_POSITIONS, fetch(indicator)):
                    if value is not None:
                        row_values[k] = value
                        kind = type(value)
                        if kind is str:
                            row_cells[k] = "'" + value if value[:1] in FORMULA_FIRST else value
                        else:
                            row_cells[k] = format(value, "f") if kind is Decimal else value
            for k, get in ROW_GETTERS:
                row_values[k] = value = get(project, indicator, number)
                if value is not None:
                    row_cells[k] = csv_cell(value)
            values.append(row_values)
            cells.append(row_cells)
    return values, cells


def rows(projects: list[Project]) -> list[list[Any]]:
    return tables(projects)[0]


def csv_text(cells: list[list[Any]], header: bool = False) -> str:
    """CSV rows (CRLF, as Excel writes them), after the column names when `header`."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow([column.name for column in COLUMNS])
    writer.writerows(cells)
    return out.getvalue()


# The site-wide CSV and every unit-year's: UTF-8 with a BOM (so Excel reads Chinese), the column names.
CSV_HEAD = ("\ufeff" + csv_text([], header=True)).encode("utf-8")
