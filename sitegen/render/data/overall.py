"""Open data of overall.yaml: the department-wide tables as resources of their own.

Two tables, each with its own columns (so the project CSV keeps its shape):
one row per unit indicator (the unit-year's funds, goals and duties
repeated; a table without indicators keeps one row), and one row per task
(年度履职目标). Per unit-year and for the whole site, as CSV, one XLSX with
both sheets, and JSON with the whole record as written; the Data Package
lists both CSVs with their schemas. Same rules as the project files (files.py): UTF-8 with BOM,
formula-safe text cells, decimals exactly as written, dates from the content.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable

from sitegen.checks.overall import task_project
from sitegen.model import Indicator, Site, Task, UnitYear
from sitegen.render.data.archive import Deflater
from sitegen.model.specs import INDICATOR
from sitegen.render.data.columns import Column, csv_cell, csv_text, declared
from sitegen.render.data.common import (
    DATA, JSON_CLOSE, SITE_NAME, SiteMeta, build_date, in_order, json_open, schema_of, unit_year_name,
)
from sitegen.render.data.documents import indicator_json, json_bytes, plain, site_json
from sitegen.render.data.xlsx import SHEET_TAIL, Workbook, rows_xml, sheet_head
from sitegen.render.writer import Writer


# The columns are columns.Column whose getters take (unit-year, the row's indicator or task, its number).


def o(attribute: str) -> Callable:
    return lambda uy, row, n: getattr(uy.overall, attribute)


def r(attribute: str) -> Callable:
    return lambda uy, row, n: getattr(row, attribute) if row is not None else None


def overall_column(key: str, get: Callable | None = None) -> Column:
    """An indicator field's column, as its declaration names it, titled as the form prints it (评(扣)分标准)."""
    f = INDICATOR.field(key)
    return declared(f, get or r(key), f.cell_label)


UNIT_COLUMNS = (
    Column("agency_id", "单位目录", "string", lambda uy, row, n: uy.agency.id, "The unit's folder and permalink id."),
    Column("agency_code", "部门预算编码", "string", lambda uy, row, n: uy.agency.code),
    Column("agency_name", "部门（单位）名称", "string", lambda uy, row, n: uy.agency.name),
    Column("region", "行政区划", "string", lambda uy, row, n: uy.agency.region),
    Column("year", "预算年度", "integer", lambda uy, row, n: uy.year),
    Column("money_unit", "金额单位", "string", lambda uy, row, n: uy.money_unit),
)  # fmt: skip

INDICATOR_COLUMNS = UNIT_COLUMNS + (
    Column("title", "表格标题", "string", o("title")),
    Column("funds_total", "资金总额", "number", o("total"), "In money_unit; empty when the table prints no money."),
    Column("funds_basic", "基本支出", "number", o("basic")),
    Column("funds_project", "项目支出", "number", o("project")),
    Column("duties", "部门（单位）职责", "string", o("duties"), "Markdown, as written."),
    Column("goals", "年度总体目标", "string", lambda uy, row, n: "\n".join(uy.overall.goals), "Goals, one per line."),
    Column("indicator_number", "指标序号", "integer", lambda uy, row, n: n if row else None, "1, 2, … in printed order; empty for a table without indicators."),
    overall_column("level1"),
    overall_column("level2"),
    overall_column("name"),
    overall_column("explanation"),
    overall_column("op"),
    overall_column("target", lambda uy, row, n: row.target_text if row else None),
    Column("target_number", "目标值（数值）", "number", lambda uy, row, n: row.target.number if row and row.target else None),
    overall_column("unit"),
    Column("value", "指标值", "string", r("value_text"), "op + target + unit as the form prints it, e.g. ≥60%."),
    overall_column("scoring"),
    overall_column("score"),
    overall_column("remark"),
    overall_column("actual", lambda uy, row, n: row.actual.text if row and row.actual else None),
    overall_column("earned"),
    Column("met", "达成情况", "string", lambda uy, row, n: row.met_label if row and uy.overall.evaluation else None,
           "达成, 未达成 or 未判定, computed from target and actual; empty without a self-evaluation."),
    overall_column("deviation"),
    Column("url", "网址", "string", lambda uy, row, n: uy.url, "The unit-year page, relative to the site."),
    Column("met_basis", "判定依据", "string", lambda uy, row, n: row.met_basis or None if row and uy.overall.evaluation else None,
           "What `met` rests on: op, direction, equal or inferred (推定); empty when not judged."),
)  # fmt: skip

TASK_COLUMNS = UNIT_COLUMNS + (
    Column("task_number", "序号", "integer", lambda uy, row, n: n, "1, 2, … in printed order."),
    Column("duty", "部门职能", "string", r("duty")),
    Column("task", "年度目标任务", "string", r("task")),
    Column("project", "支出项目名称", "string", r("project"), "As printed."),
    Column("amount", "预算金额", "number", r("amount"), "In money_unit."),
    Column("project_url", "项目网址", "string", lambda uy, row, n: linked_url(uy, row),
           "The project page when a project of the unit-year has this name; else empty."),
    Column("url", "网址", "string", lambda uy, row, n: uy.url, "The unit-year page, relative to the site."),
)  # fmt: skip

# (resource, file suffix, columns, title): the Data Package and the data page list them.
OVERALL_RESOURCES = (
    ("overall-indicators", "overall-indicators", INDICATOR_COLUMNS, "部门整体支出绩效目标：每行一个绩效指标"),
    ("overall-tasks", "overall-tasks", TASK_COLUMNS, "部门整体支出绩效目标：每行一项年度履职目标"),
)


def linked_url(unit_year: UnitYear, task: Task) -> str | None:
    project = task_project(task, unit_year.projects)
    return project.url if project else None


def indicator_rows(unit_year: UnitYear) -> list[list[Any]]:
    indicators: list[Indicator | None] = list(unit_year.overall.indicators) or [None]  # type: ignore[union-attr]
    return [[c.get(unit_year, i, n) for c in INDICATOR_COLUMNS] for n, i in enumerate(indicators, start=1)]


def task_rows(unit_year: UnitYear) -> list[list[Any]]:
    return [[c.get(unit_year, t, n) for c in TASK_COLUMNS] for n, t in enumerate(unit_year.overall.tasks, start=1)]  # type: ignore[union-attr]


def csv_rows(table: list[list[Any]]) -> bytes:
    """CSV rows, UTF-8, as the project CSV's: CRLF, formula-safe, decimals as written."""
    return csv_text([[csv_cell(v) for v in row] for row in table]).encode("utf-8")


def csv_head(columns: tuple[Column, ...]) -> bytes:
    """A file's start: the BOM (for Excel), the column names."""
    return b"\xef\xbb\xbf" + csv_rows([[c.name for c in columns]])


SHEETS = ("绩效指标", "年度履职目标")  # the workbook's tabs, one per table of OVERALL_RESOURCES


def overall_json(unit_year: UnitYear) -> dict:
    o, agency = unit_year.overall, unit_year.agency
    assert o is not None
    e = o.evaluation
    return {
        "agency": {"id": agency.id, "code": agency.code, "name": agency.name, "region": agency.region},
        "year": unit_year.year, "url": unit_year.url, "money_unit": unit_year.money_unit, "title": o.title,
        "published": o.published.isoformat() if o.published else None,
        "funds": {"total": plain(o.total), "basic": plain(o.basic), "project": plain(o.project)} if o.has_funds else None,
        "sources": [{"source": f.source, "amount": plain(f.amount)} for f in o.sources],
        "duties": o.duties, "goals": o.goals,
        "midterm": {"period": o.midterm.period, "goals": o.midterm.goals,
                    "indicators": [indicator_json(i) for i in o.midterm.indicators]} if o.midterm else None,
        "tasks": [{"duty": t.duty, "task": t.task, "project": t.project, "amount": plain(t.amount),
                   "project_url": linked_url(unit_year, t)} for t in o.tasks],
        "indicators": [{**indicator_json(i), "remark": i.remark, "actual": i.actual.text if i.actual else None,
                        "earned": plain(i.earned), "deviation": i.deviation,
                        "met": i.met_label if e else None, "met_basis": i.met_basis or None} for i in o.indicators],
        "evaluation": evaluation_json(e) if e else None,
        "notes": o.notes,
        "source": [s.as_json() for s in (o.provenance or unit_year.provenance)],
    }  # fmt: skip


def evaluation_json(e) -> dict:
    return {
        "published": e.published.isoformat() if e.published else None,
        "budget": {"initial": plain(e.initial), "adjusted": plain(e.adjusted), "spent": plain(e.spent)},
        "execution_rate": plain(e.execution_rate),
        "funding": [{"source": f.source, "initial": plain(f.initial), "adjusted": plain(f.adjusted), "spent": plain(f.spent)}
                    for f in e.funding],
        "execution": {"weight": plain(e.execution_weight), "earned": plain(e.execution_earned)},
        "outcome": e.outcome, "conclusion": e.conclusion, "problems": e.problems, "improvements": e.improvements,
        "total": plain(e.total), "stated_total": plain(e.stated_total), "counts": e.counts(),
    }  # fmt: skip


def overall_download_paths(unit_year: UnitYear | None) -> dict[str, str]:
    """Kind → site path of the overall downloads of one unit-year (None: the whole site)."""
    return overall_paths_of(SITE_NAME if unit_year is None else unit_year_name(unit_year))


def overall_paths_of(base: str) -> dict[str, str]:
    base = f"/{DATA}/{base}-overall"
    return {"indicators": f"{base}-indicators.csv", "tasks": f"{base}-tasks.csv",
            "xlsx": f"{base}.xlsx", "json": f"{base}.json"}


@dataclass(frozen=True)
class OverallData:
    """One unit-year's department-wide open data as plain values, no model object inside (as
    data.UnitYearData): its files are made from these, and the site's from every unit-year's."""

    name: str  # the unit-year's base name, e.g. 901001033-2019
    site: str  # the JSON `site` member
    created: datetime
    tables: tuple[list[list[Any]], list[list[Any]]]  # the rows of OVERALL_RESOURCES' tables: for the XLSX
    csv_bodies: tuple[bytes, bytes]  # the same, as CSV rows without the header
    record: bytes  # its JSON object: one item of the files' `overall`

    def csv_file(self, k: int) -> bytes:
        return csv_head(OVERALL_RESOURCES[k][2]) + self.csv_bodies[k]

    def json_file(self) -> bytes:
        return json_open(self.site, "overall") + self.record + JSON_CLOSE

    def xlsx_file(self) -> bytes:
        out = io.BytesIO()
        book = Workbook(out, list(SHEETS), self.created)
        for name, (_, _, columns, _), rows in zip(SHEETS, OVERALL_RESOURCES, self.tables):
            with book.stream_sheet(name) as sheet:
                sheet.add([[c.title for c in columns], *rows])
        book.close()
        return out.getvalue()


def overall_data(unit_year: UnitYear, site: Site) -> OverallData:
    tables = (indicator_rows(unit_year), task_rows(unit_year))
    return OverallData(name=unit_year_name(unit_year), site=site_json(site), created=build_date([unit_year]), tables=tables,
                       csv_bodies=(csv_rows(tables[0]), csv_rows(tables[1])),
                       record=json_bytes(overall_json(unit_year)))


def write_overall_data(writer: Writer, data: OverallData) -> list[str]:
    paths = overall_paths_of(data.name)
    writer.write_bytes(paths["indicators"], data.csv_file(0))
    writer.write_bytes(paths["tasks"], data.csv_file(1))
    writer.write_bytes(paths["xlsx"], data.xlsx_file())
    writer.write_bytes(paths["json"], data.json_file())
    return list(paths.values())


def write_overall_site_data(writer: Writer, meta: SiteMeta, parts: Iterable[OverallData]) -> list[str]:
    """The site-wide department-wide files, streamed as the parts go by (each read once, in
    meta.overall's order); nothing when no unit-year has overall.yaml. The XLSX's second sheet
    follows its first in the zip: it waits, deflated, in a temporary file (in memory while small)."""
    if not meta.overall:
        for _ in parts:
            raise ValueError("部门整体数据多了一份：目录里没有")
        return []
    paths = overall_download_paths(None)
    with writer.open(paths["indicators"]) as indicators, writer.open(paths["tasks"]) as tasks, \
            writer.open(paths["json"]) as document, writer.open(paths["xlsx"]) as xlsx, \
            tempfile.SpooledTemporaryFile(max_size=8 << 20) as waiting:
        indicators.write(csv_head(INDICATOR_COLUMNS))
        tasks.write(csv_head(TASK_COLUMNS))
        document.write(json_open(meta.site, "overall"))
        book = Workbook(xlsx, list(SHEETS), meta.overall_created)
        later = Deflater(waiting)  # type: ignore[arg-type]
        later.write((sheet_head(None) + rows_xml([[c.title for c in TASK_COLUMNS]])[0]).encode("utf-8"))
        task_row = 2
        with book.stream_sheet(SHEETS[0]) as sheet:
            sheet.add([[c.title for c in INDICATOR_COLUMNS]])
            for n, part in enumerate(in_order(parts, meta.overall, "部门整体数据")):
                indicators.write(part.csv_bodies[0])
                tasks.write(part.csv_bodies[1])
                document.write(b"," + part.record if n else part.record)
                sheet.add(part.tables[0])
                later.write(rows_xml(part.tables[1], task_row)[0].encode("utf-8"))
                task_row += len(part.tables[1])
        later.write(SHEET_TAIL.encode("utf-8"))
        book.put_file(SHEETS[1], later.close(), waiting)  # type: ignore[arg-type]
        book.close()
        document.write(JSON_CLOSE)
    return list(paths.values())


def overall_resources(names: tuple[str, ...]) -> list[dict]:
    """The Data Package's resources of the department-wide tables: every unit-year's, then the site's."""
    if not names:
        return []
    return [{"name": f"{base}-{suffix}".lower(), "path": f"{base}-{suffix}.csv", "title": title, "format": "csv",
             "mediatype": "text/csv", "encoding": "utf-8-sig", "schema": schema_of(columns)}  # as the project CSV's
            for _, suffix, columns, title in OVERALL_RESOURCES for base in (*names, SITE_NAME)]
