"""Open data: CSV, JSON, XLSX and a Frictionless Data Package, per unit-year and for the site.

Everything goes under /data/. The CSV columns are declared once, in COLUMNS,
which also gives the Data Package's table schema and the docs. CSV is UTF-8
with a BOM (so Excel reads Chinese), one row per indicator with the project
columns repeated (a project without indicators keeps one row), and text
cells that a spreadsheet would run as a formula get a leading apostrophe.
The JSON carries the full model with every value exactly as written.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable

from sitegen.model import Content, Evaluation, Indicator, Midterm, Project, UnitYear
from sitegen.render import Context
from sitegen.render.overall import has_project_table
from sitegen.render.templates import money
from sitegen.render.writer import Writer

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATA = "data"
SITE_NAME = "all"


@dataclass(frozen=True)
class Column:
    name: str
    title: str  # Chinese, for the Data Package and the docs
    type: str  # Table Schema type: string, number, integer
    get: Callable[[Project, Indicator | None, int], Any]
    description: str = ""


def ind(attribute: str) -> Callable:
    return lambda project, indicator, index: getattr(indicator, attribute) if indicator else None


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
    return lines((c.item, money(c.amount) + (f"; 测算依据: {c.basis}" if c.basis else "")) for c in project.costs)


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
    Column("attribute", "项目属性", "string", lambda p, i, n: p.attribute),
    Column("period", "项目期", "string", lambda p, i, n: p.period),
    Column("implementer", "实施单位", "string", lambda p, i, n: p.implementer, "Empty when it is the unit itself."),
    Column("parent_project", "一级项目名称", "string", lambda p, i, n: p.parent),
    Column("total_investment", "项目总投资", "number", lambda p, i, n: p.total_investment, "In money_unit."),
    Column("project_basis", "立项依据", "string", lambda p, i, n: p.basis, "Markdown."),
    Column("costs", "项目预算成本构成", "string", lambda p, i, n: costs_text(p),
           "One cost item a line: `成本项目: 金额; 测算依据: …`, in printed order."),
    Column("facts", "其他栏目", "string", lambda p, i, n: lines(p.facts),
           "Every other labelled cell of the form, one a line: `label as printed: text`, in printed order."),
    Column("midterm_period", "中期期限", "string", midterm_value(lambda m: m.period)),
    Column("midterm_budget", "中期资金总额", "number", midterm_value(lambda m: m.budget), "In money_unit."),
    Column("midterm_goals", "中期目标", "string", midterm_value(lambda m: "\n".join(m.goals)), "Goals, one per line."),
)  # fmt: skip
# The indicator cells of contract version 2, right after `scoring`.
INDICATOR_CELLS = (
    Column("indicator_basis", "指标值确定依据", "string", ind("basis")),
    Column("last_actual", "上年实际值", "string", lambda p, i, n: i.last_actual.text if i and i.last_actual else None,
           "As written: a number or text, in the indicator's unit."),
    Column("last_actual_number", "上年实际值（数值）", "number",
           lambda p, i, n: i.last_actual.number if i and i.last_actual else None, "Last year's value when it is a number."),
    Column("remark", "备注", "string", ind("remark")),
    Column("term", "指标期限", "string", lambda p, i, n: term(p, i),
           "年度 for the year's indicators, 中期 for midterm.indicators (numbered on their own)."),
)  # fmt: skip

COLUMNS = (
    Column("agency_id", "单位目录", "string", lambda p, i, n: p.agency.id, "The unit's folder and permalink id."),
    Column("agency_code", "单位编码", "string", lambda p, i, n: p.agency.code),
    Column("agency_name", "单位名称", "string", lambda p, i, n: p.agency.name),
    Column("region", "行政区划", "string", lambda p, i, n: p.agency.region),
    Column("department_code", "主管部门编码", "string", lambda p, i, n: p.agency.department_code),
    Column("department_name", "主管部门名称", "string", lambda p, i, n: p.agency.department_name),
    Column("year", "预算年度", "integer", lambda p, i, n: p.year),
    Column("project_id", "项目目录", "string", lambda p, i, n: p.id, "The project's file name and permalink id."),
    Column("project_code", "项目编码", "string", lambda p, i, n: p.code),
    Column("project_name", "项目名称", "string", lambda p, i, n: p.name),
    Column("category", "项目类别", "string", lambda p, i, n: p.category),
    Column("budget", "预算数", "number", lambda p, i, n: p.budget, "In money_unit, decimals as written."),
    Column("money_unit", "金额单位", "string", lambda p, i, n: p.unit_year.money_unit),
    Column("goals", "年度绩效目标", "string", lambda p, i, n: "\n".join(p.goals), "Goals, one per line."),
    *PROJECT_CELLS,
    Column("indicator_number", "指标序号", "integer", lambda p, i, n: n if i else None, "1, 2, … in printed order; empty for a project without indicators."),
    Column("level1", "一级指标", "string", ind("level1")),
    Column("level2", "二级指标", "string", ind("level2")),
    Column("indicator", "三级指标", "string", ind("name")),
    Column("nature", "指标性质", "string", ind("nature"), "正向, 反向 or 定性, as the flat table prints it."),
    Column("op", "比较符号", "string", ind("op"), ">=, <=, =, > or <."),
    Column("op_word", "指标方向", "string", ind("op_word"), "大于等于, 小于等于, 等于, 大于 or 小于."),
    Column("target", "目标值", "string", lambda p, i, n: i.target_text if i else None, "As written: a number or text."),
    Column("target_number", "目标值（数值）", "number", lambda p, i, n: i.target.number if i and i.target else None, "The target when it is a number."),
    Column("unit", "计量单位", "string", ind("unit")),
    Column("direction", "指标方向（正向/反向）", "string", ind("direction")),
    Column("kind", "定量/定性", "string", ind("kind")),
    Column("score", "分值", "number", ind("score")),
    Column("value", "指标值", "string", ind("value_text"), "op + target + unit as the per-project table prints it, e.g. ≥8次."),
    Column("actual", "实际完成值", "string", lambda p, i, n: i.actual.text if i and i.actual else None, "Self-evaluation: as written, a number or text."),
    Column("actual_number", "实际完成值（数值）", "number", lambda p, i, n: i.actual.number if i and i.actual else None, "The actual when it is a number."),
    Column("earned", "得分", "number", ind("earned"), "Self-evaluation: the points the indicator earned."),
    Column("lost_points", "扣分", "number", lambda p, i, n: lost(i), "分值 − 得分 where the agency took points off."),
    Column("met", "目标达成", "string", lambda p, i, n: met_label(p, i), "Computed: 达成, 未达成 or 未判定 (text, or no actual); empty without a self-evaluation."),
    Column("deviation", "偏差原因分析及改进措施", "string", ind("deviation")),
    Column("evaluation_initial", "年初预算数", "number", lambda p, i, n: ev(p, "initial"), "Self-evaluation, in money_unit."),
    Column("evaluation_adjusted", "全年预算数", "number", lambda p, i, n: ev(p, "adjusted"), "Self-evaluation, in money_unit."),
    Column("evaluation_spent", "全年执行数", "number", lambda p, i, n: ev(p, "spent"), "Self-evaluation, in money_unit."),
    Column("execution_rate", "执行率（%）", "number", lambda p, i, n: ev(p, "execution_rate"), "Computed: spent / adjusted × 100."),
    Column("execution_earned", "执行率得分", "number", lambda p, i, n: ev(p, "execution_earned")),
    Column("evaluation_total", "自评总分", "number", lambda p, i, n: ev(p, "total"), "Computed: the indicators' 得分 plus the 执行率 得分."),
    Column("evaluation_stated_total", "自评总分（原表）", "number", lambda p, i, n: ev(p, "stated_total"), "总分 as printed."),
    Column("explanation", "指标解释", "string", ind("explanation")),
    Column("scoring", "评分标准", "string", ind("scoring")),
    *INDICATOR_CELLS,
    Column("url", "网址", "string", lambda p, i, n: p.url, "The project page, relative to the site."),
)  # fmt: skip


def entries(projects: list[Project]) -> list[tuple[Project, Indicator | None, int]]:
    """(project, indicator, number) of every row: the year's indicators (one empty row for a
    project without any), then the project's midterm.indicators, numbered on their own."""
    result: list[tuple[Project, Indicator | None, int]] = []
    for project in projects:
        result += [(project, i, n) for n, i in enumerate(project.indicators or [None], start=1)]
        if project.midterm:
            result += [(project, i, n) for n, i in enumerate(project.midterm.indicators, start=1)]
    return result


def rows(projects: list[Project]) -> list[list[Any]]:
    return [[column.get(p, i, n) for column in COLUMNS] for p, i, n in entries(projects)]


def spreadsheet_safe(value: Any) -> Any:
    """Text a spreadsheet would treat as a formula gets a leading apostrophe, shown as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(spreadsheet_safe(value) if isinstance(value, str) else value)


def csv_body(projects: list[Project]) -> str:
    """The rows without the header: the site-wide file joins the unit-years' bodies."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([[csv_cell(v) for v in row] for row in rows(projects)])
    return out.getvalue()


def csv_bytes(bodies: list[str]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow([column.name for column in COLUMNS])
    return ("\ufeff" + out.getvalue() + "".join(bodies)).encode("utf-8")


# ---------------------------------------------------------------- JSON


def plain(value: Any) -> Any:
    """Decimals as strings, so 65.00 stays 65.00 for every JSON reader."""
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def indicator_json(indicator: Indicator) -> dict:
    return {
        "level1": indicator.level1, "level2": indicator.level2, "name": indicator.name,
        "op": indicator.op, "target": indicator.target_text if indicator.target else None,
        "target_number": plain(indicator.target.number) if indicator.target else None,
        "unit": indicator.unit, "direction": indicator.direction, "kind": indicator.kind,
        "score": plain(indicator.score), "explanation": indicator.explanation, "scoring": indicator.scoring,
        "actual": indicator.actual.text if indicator.actual else None,
        "actual_number": plain(indicator.actual.number) if indicator.actual else None,
        "earned": plain(indicator.earned), "deviation": indicator.deviation,
        "met": indicator.met,  # true / false / null (not judged), computed
        "basis": indicator.basis, "last_actual": indicator.last_actual.text if indicator.last_actual else None,
        "last_actual_number": plain(indicator.last_actual.number) if indicator.last_actual else None,
        "remark": indicator.remark,
    }  # fmt: skip


def evaluation_json(evaluation: Evaluation | None) -> dict | None:
    if evaluation is None:
        return None
    e = evaluation
    return {
        "published": e.published.isoformat() if e.published else None,
        "budget": {"initial": plain(e.initial), "adjusted": plain(e.adjusted), "spent": plain(e.spent)},
        "funding": [{"source": f.source, "initial": plain(f.initial), "adjusted": plain(f.adjusted), "spent": plain(f.spent)}
                    for f in e.funding],
        "execution": {"weight": plain(e.execution_weight), "earned": plain(e.execution_earned),
                      "rate": plain(e.execution_rate)},
        "outcome": e.outcome, "process": e.process, "conclusion": e.conclusion, "problems": e.problems,
        "improvements": e.improvements, "stated_total": plain(e.stated_total), "total": plain(e.total),
        "counts": e.counts(),
    }  # fmt: skip


def project_json(project: Project) -> dict:
    return {
        "id": project.id, "url": project.url, "name": project.name, "code": project.code,
        "category": project.category, "budget": plain(project.budget),
        "funding": [{"source": f.source, "amount": plain(f.amount)} for f in project.funding],
        "goals": project.goals, "description": project.description, "notes": project.notes,
        "indicators": [indicator_json(i) for i in project.indicators],
        "evaluation": evaluation_json(project.evaluation),
        "attribute": project.attribute, "period": project.period, "implementer": project.implementer,
        "parent": project.parent, "total_investment": plain(project.total_investment), "basis": project.basis,
        "costs": [{"item": c.item, "amount": plain(c.amount), "basis": c.basis} for c in project.costs],
        "facts": dict(project.facts),  # in printed order, labels as printed
        "midterm": midterm_json(project.midterm) if project.midterm else None,
    }  # fmt: skip


def midterm_json(midterm: Midterm) -> dict:
    return {"period": midterm.period, "budget": plain(midterm.budget), "goals": midterm.goals,
            "indicators": [indicator_json(i) for i in midterm.indicators]}


def unit_year_json(unit_year: UnitYear) -> dict:
    agency = unit_year.agency
    return {
        "agency": {"id": agency.id, "code": agency.code, "name": agency.name, "region": agency.region,
                   "department": {"code": agency.department_code, "name": agency.department_name}
                   if agency.department_code else None},
        "year": unit_year.year, "title": unit_year.title, "url": unit_year.url,
        "published": unit_year.published.isoformat() if unit_year.published else None,
        "money_unit": unit_year.money_unit, "total": plain(unit_year.total),
        "stated_total": plain(unit_year.stated_total), "notes": unit_year.notes,
        "projects": [project_json(p) for p in unit_year.projects],
    }  # fmt: skip


def json_text(value: Any) -> str:
    # Compact, because only then does the json module use its C encoder (ten times faster).
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_bytes(disclosures: list[str], content: Content) -> bytes:
    """The document around already encoded unit-years: the site-wide file reuses theirs."""
    site = json_text({"title": content.site.title, "base_url": content.site.base_url})
    return f'{{"site":{site},"disclosures":[{",".join(disclosures)}]}}\n'.encode("utf-8")


# ---------------------------------------------------------------- XLSX

FLAT_HEADERS = ("项目名称", "项目单位", "项目类别", "预算数", "年度绩效目标", "一级指标", "二级指标",
                "三级指标", "指标性质", "指标方向", "目标值", "计量单位", "分值")
# After the flat table's columns, on the sheet of a unit-year that has a self-evaluation.
RESULT_HEADERS = ("实际完成值", "得分", "目标达成", "偏差原因分析及改进措施", "全年预算数", "全年执行数", "执行率（%）")


def decimals_format(value: Decimal) -> str:
    places = max(0, -value.as_tuple().exponent)  # type: ignore[operator]
    return "0." + "0" * places if places else "0"


class Sheets:
    """One XLSX workbook; a format per number of decimals, one for text that looks like a formula."""

    def __init__(self, out: io.BytesIO, created: datetime):
        import xlsxwriter

        # Every cell is written with an explicit type, so no string ever becomes a formula or a URL.
        self.book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                              "strings_to_numbers": False, "strings_to_urls": False})
        self.book.set_properties({"created": created, "author": "sitegen"})
        self.quoted = self.book.add_format({"quote_prefix": True})
        self.number_formats: dict[str, Any] = {}

    def put(self, sheet, row: int, column: int, value: Any) -> None:
        if isinstance(value, Decimal):
            pattern = decimals_format(value)
            if pattern not in self.number_formats:
                self.number_formats[pattern] = self.book.add_format({"num_format": pattern})
            sheet.write_number(row, column, float(value), self.number_formats[pattern])
        elif isinstance(value, str) and value:
            sheet.write_string(row, column, value, self.quoted if value.startswith(FORMULA_STARTS) else None)
        elif isinstance(value, (int, float)):
            sheet.write_number(row, column, value)

    def add(self, table: SheetRows) -> None:
        sheet = self.book.add_worksheet(table.title)
        sheet.freeze_panes(1, 0)
        for row, values in enumerate(table.rows):
            for column, value in enumerate(values):
                self.put(sheet, row, column, value)


@dataclass(frozen=True)
class SheetRows:
    """A unit-year's worksheet as plain values, its header row first: made once, written into the
    unit-year's workbook and the site's."""

    title: str
    rows: list[list[Any]]


def sheet_rows(unit_year: UnitYear) -> SheetRows:
    table = entries(unit_year.projects)
    extra = xlsx_extra_columns(table)
    with_results = any(p.evaluation for p in unit_year.projects)
    rows: list[list[Any]] = [[*FLAT_HEADERS, *(c.title for c in extra), *(RESULT_HEADERS if with_results else ())]]
    for project, indicator, number in table:
        values = [project.name, f"{project.agency.code}-{project.agency.name}", project.category, project.budget,
                  "\n".join(project.goals)]
        if indicator:
            target = indicator.target.number if indicator.target else None
            values += [indicator.level1, indicator.level2, indicator.name, indicator.nature, indicator.op_word,
                       target if target is not None else indicator.target_text, indicator.unit, indicator.score]
        else:
            values += [None] * (len(FLAT_HEADERS) - len(values))
        values += [c.get(project, indicator, number) for c in extra]
        if with_results:
            values += result_cells(project, indicator)
        rows.append(values)
    return SheetRows(f"{unit_year.agency.id}-{unit_year.year}"[:31], rows)


# A column whose every row says this value is left out: it is what a reader (and the import) takes
# without it. 万元 is the import's unit when a table states none (importers/plan.py).
UNSAID = {"money_unit": "万元", "term": ANNUAL}


def xlsx_extra_columns(table: list[tuple[Project, Indicator | None, int]]) -> list[Column]:
    """The columns some row of the sheet fills beyond the flat table's own: 金额单位 when the
    unit-year is not in 万元, the cells of version 2, 指标解释 and 评分标准; 指标期限 only when there
    are 中期 rows (else all are 年度)."""
    def filled(column: Column) -> bool:
        return any(column.get(p, i, n) not in (None, "", UNSAID.get(column.name)) for p, i, n in table)

    candidates = (*(c for c in COLUMNS if c.name == "money_unit"), *PROJECT_CELLS,
                  *(c for c in COLUMNS if c.name in ("explanation", "scoring")), *INDICATOR_CELLS)
    return [c for c in candidates if c.name != "last_actual_number" and filled(c)]


def result_cells(project: Project, indicator: Indicator | None) -> list[Any]:
    actual = indicator.actual if indicator else None
    e = project.evaluation
    return [(actual.number if actual.number is not None else actual.text) if actual else None,
            indicator.earned if indicator else None, met_label(project, indicator), indicator.deviation if indicator else None,
            e.adjusted if e else None, e.spent if e else None, e.execution_rate if e else None]


def xlsx_bytes(tables: list[SheetRows], created: datetime) -> bytes:
    """Reproducible: in memory, XlsxWriter dates every zip entry 1980-01-01 and writes
    `created` as both the created and the modified property (tested byte for byte)."""
    out = io.BytesIO()
    sheets = Sheets(out, created)
    for table in tables:
        sheets.add(table)
    sheets.book.close()
    return out.getvalue()


# ---------------------------------------------------------------- Data Package


def table_schema() -> dict:
    return {"fields": [{"name": c.name, "title": c.title, "type": c.type, **({"description": c.description} if c.description else {})}
                       for c in COLUMNS], "missingValues": [""]}


def datapackage(content: Content, csv_names: list[str], more: list[dict] | None = None) -> dict:
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "budget-performance-goals",
        "title": content.site.title,
        "description": "项目支出绩效目标表：每行一个三级指标，项目各列重复。Project expenditure performance goals, one row per indicator.",
        "homepage": content.site.base_url,
        "resources": [
            # utf-8-sig: UTF-8 starting with a byte order mark (for Excel), as frictionless itself
            # describes these files; a reader decoding with "utf-8" would see "\ufeffagency_id".
            {"name": name.removesuffix(".csv").lower(), "path": name, "format": "csv", "mediatype": "text/csv",
             "encoding": "utf-8-sig", "schema": table_schema()}
            for name in csv_names
        ] + (more or []),  # the department-wide tables, with their own schemas (overall_data.py)
    }


# ---------------------------------------------------------------- files


def unit_year_name(unit_year: UnitYear) -> str:
    return f"{unit_year.agency.id}-{unit_year.year}"


def download_paths(unit_year: UnitYear | None) -> dict[str, str]:
    """Format → site path of the downloads for one unit-year (None: the whole site)."""
    base = SITE_NAME if unit_year is None else unit_year_name(unit_year)
    return {fmt: f"/{DATA}/{base}.{fmt}" for fmt in ("csv", "xlsx", "json")}


def build_date(unit_years: list[UnitYear]) -> datetime:
    """The newest publication date in the content (never the clock), for file metadata."""
    dates = [uy.published for uy in unit_years if uy.published] or [datetime(max((uy.year for uy in unit_years), default=2000), 1, 1).date()]
    newest = max(dates)
    return datetime(newest.year, newest.month, newest.day)


@dataclass(frozen=True)
class UnitYearData:
    """A unit-year's part of the site-wide files, kept when its shard's model is let go."""

    csv_body: str
    json_text: str
    sheet: SheetRows


def unit_year_data(unit_year: UnitYear) -> UnitYearData:
    return UnitYearData(csv_body(unit_year.projects), json_text(unit_year_json(unit_year)), sheet_rows(unit_year))


def write_downloads(writer: Writer, paths: dict[str, str], parts: list[UnitYearData], unit_years: list[UnitYear],
                    content: Content) -> list[str]:
    writer.write_bytes(paths["csv"], csv_bytes([p.csv_body for p in parts]))
    writer.write_bytes(paths["json"], json_bytes([p.json_text for p in parts], content))
    writer.write_bytes(paths["xlsx"], xlsx_bytes([p.sheet for p in parts], build_date(unit_years)))
    return list(paths.values())


def table_unit_years(content: Content) -> list[UnitYear]:
    return [uy for uy in content.unit_years() if has_project_table(uy)]


def render_unit_data(content: Content, writer: Writer, context: Context) -> list[str]:
    """A shard's unit-years' downloads; their parts of the site-wide files go to context.summary."""
    written = []
    for unit_year in table_unit_years(content):
        parts = unit_year_data(unit_year)
        context.summary.data.append(parts)
        written += write_downloads(writer, download_paths(unit_year), [parts], [unit_year], content)
    return written


def render_site_data(content: Content, writer: Writer, context: Context) -> list[str]:
    """The site-wide downloads from every unit-year's parts, the department-wide tables, the Data Package."""
    from sitegen.render.overall_data import render_overall_data  # it builds on this module

    unit_years = table_unit_years(content)
    written = write_downloads(writer, download_paths(None), context.summary.data, unit_years, content)
    csv_names = [unit_year_name(uy) + ".csv" for uy in unit_years] + [SITE_NAME + ".csv"]
    overall_written, overall_resources = render_overall_data(content, writer)
    writer.write_text(f"{DATA}/datapackage.json",
                      json.dumps(datapackage(content, csv_names, overall_resources), ensure_ascii=False, indent=2) + "\n")
    return written + overall_written


def render_data(content: Content, writer: Writer, context: Context) -> list[str]:
    """Every download of a whole content, in one go (the bench, tests); returns the site paths written."""
    from sitegen.shards import SiteSummary

    context = replace(context, summary=SiteSummary())
    return render_unit_data(content, writer, context) + render_site_data(content, writer, context)
