"""The open-data files: each unit-year's, built from its parts, and the site's, streamed from them.

A unit-year's open data is a pure function of the unit-year and the site's settings
(unit_year_data): plain bytes, picklable, so it can be cached per shard or made on a Dask worker.
The site-wide all.csv, all.json and all.xlsx are the unit-years' parts put together
(write_site_data), written as streams while the parts go by: nothing site-wide is ever whole
in memory, and no unit-year is rendered twice.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Iterable, Iterator

import orjson

from sitegen.model import Content, Site, UnitYear
from sitegen.model.license import license_of
from sitegen.render import Context
from sitegen.render.data.columns import COLUMNS, CSV_HEAD, csv_text, site_titled, tables
from sitegen.render.data.common import (
    DATA, JSON_CLOSE, SITE_NAME, SiteMeta, build_date, in_order, json_open, paths_of, schema_of, unit_year_name,
)
from sitegen.render.data.overall import overall_data, overall_resources, write_overall_data, write_overall_site_data
from sitegen.render.data.documents import json_bytes, site_json, unit_year_json
from sitegen.render.data.sheet import sheet_rows
from sitegen.render.data.xlsx import SheetPart, sheet_part, write_workbook
from sitegen.render.overall import has_project_table
from sitegen.render.writer import Writer

def sheet_name(unit_year: UnitYear) -> str:
    return unit_year_name(unit_year)[:31]  # the longest tab name Excel takes


def download_paths(unit_year: UnitYear | None) -> dict[str, str]:
    """Format → site path of the downloads for one unit-year (None: the whole site)."""
    return paths_of(SITE_NAME if unit_year is None else unit_year_name(unit_year))


EMPTY_SHEET = sheet_part("Sheet1", [])  # a workbook has at least one sheet (XlsxWriter's default name)


@dataclass(frozen=True)
class UnitYearData:
    """One unit-year's open data, no model object inside: its three files are made from these
    parts (csv_file, json_file, xlsx_file), and the site's files from every unit-year's."""

    name: str  # the files' base name, e.g. 418001-2022
    site: str  # the JSON `site` member (site_json)
    created: datetime  # its workbook's date, from the content
    csv_body: bytes  # its CSV rows without the header, UTF-8
    disclosure: bytes  # its JSON object, UTF-8: one item of the files' `disclosures`
    sheet: SheetPart  # its XLSX sheet, deflated

    def csv_file(self) -> bytes:
        return CSV_HEAD + self.csv_body

    def json_file(self) -> bytes:
        return json_open(self.site, "disclosures") + self.disclosure + JSON_CLOSE

    def xlsx_file(self) -> bytes:
        out = io.BytesIO()
        write_workbook(out, [self.sheet.name], [self.sheet], self.created)
        return out.getvalue()


def unit_year_data(unit_year: UnitYear, site: Site) -> UnitYearData:
    values, cells = tables(unit_year.projects)  # every row computed once, for the CSV and the XLSX
    return UnitYearData(
        name=unit_year_name(unit_year), site=site_json(site), created=build_date([unit_year]),
        csv_body=csv_text(cells).encode("utf-8"), disclosure=json_bytes(unit_year_json(unit_year)),
        sheet=unit_year_sheet(unit_year, values),
    )  # fmt: skip


def unit_year_sheet(unit_year: UnitYear, values: list | None = None) -> SheetPart:
    """Its XLSX sheet, from its rows (columns.tables) when they are at hand."""
    with_results = any(p.evaluation for p in unit_year.projects)
    if values is None:
        values = tables(unit_year.projects)[0]
    return sheet_part(sheet_name(unit_year), sheet_rows(values, with_results))


def xlsx_bytes(unit_years: list[UnitYear], created: datetime) -> bytes:
    """One workbook of these unit-years' sheets, in memory (for a few: the tests, the import's)."""
    out = io.BytesIO()
    write_workbook(out, [sheet_name(uy) for uy in unit_years], [unit_year_sheet(uy) for uy in unit_years], created)
    return out.getvalue()


def write_unit_year_data(writer: Writer, data: UnitYearData) -> list[str]:
    """Write one unit-year's CSV, XLSX and JSON; returns their site paths."""
    paths = paths_of(data.name)
    writer.write_bytes(paths["csv"], data.csv_file())
    writer.write_bytes(paths["xlsx"], data.xlsx_file())
    writer.write_bytes(paths["json"], data.json_file())
    return list(paths.values())


def data_unit_years(content: Content) -> list[UnitYear]:
    """The unit-years that have project open data, in the order of their parts."""
    return [uy for uy in content.unit_years() if has_project_table(uy)]


def site_meta(content: Content) -> SiteMeta:
    unit_years, overall = data_unit_years(content), [uy for uy in content.unit_years() if uy.overall]
    return SiteMeta(
        title=content.site.title, base_url=content.site.base_url, site=site_json(content.site),
        created=build_date(unit_years), names=tuple(map(unit_year_name, unit_years)),
        sheets=tuple(map(sheet_name, unit_years)), overall=tuple(map(unit_year_name, overall)),
        overall_created=build_date(overall), licenses=site_licenses(content.site), money_unit=content.site.money_unit,
    )  # fmt: skip


def site_licenses(site: Site) -> tuple[dict, ...]:
    found = license_of(site.license)
    return (found.datapackage(),) if found else ()


def write_site_data(writer: Writer, meta: SiteMeta, parts: Iterable[UnitYearData], overall_parts: Iterable = (),
                    more: list[dict] | None = None) -> list[str]:
    """all.csv, all.json and all.xlsx, then the department-wide all-overall files, then
    datapackage.json: each file a stream fed while the parts go by, each iterable read once,
    in the order of meta's names. Returns the site paths written."""
    paths = download_paths(None)
    with writer.open(paths["csv"]) as csv_out, writer.open(paths["json"]) as json_out, writer.open(paths["xlsx"]) as xlsx_out:
        csv_out.write(CSV_HEAD)
        json_out.write(json_open(meta.site, "disclosures"))

        def sheets() -> Iterator[SheetPart]:  # the workbook pulls the parts; their CSV and JSON go along
            for n, part in enumerate(in_order(parts, meta.names, "开放数据")):
                csv_out.write(part.csv_body)
                json_out.write(b"," + part.disclosure if n else part.disclosure)
                yield part.sheet
            if not meta.names:
                yield EMPTY_SHEET

        write_workbook(xlsx_out, list(meta.sheets) or [EMPTY_SHEET.name], sheets(), meta.created)
        json_out.write(JSON_CLOSE)
    written = [*paths.values(), *write_overall_site_data(writer, meta, overall_parts)]
    csv_names = (*(f"{name}.csv" for name in meta.names), f"{SITE_NAME}.csv")
    with writer.open(f"{DATA}/datapackage.json") as package:
        package.write(datapackage_bytes(meta, csv_names, overall_resources(meta.overall) + (more or [])))
    return written


def render_unit_data(content: Content, writer: Writer, context: Context) -> list[str]:
    """A shard's unit-years' downloads, project and department-wide; their parts of the site's
    files go to context.summary (summary.SiteSummary), for render_site_data."""
    written: list[str] = []
    for unit_year in data_unit_years(content):
        data = unit_year_data(unit_year, content.site)
        written += write_unit_year_data(writer, data)
        context.summary.data.append(data)
    for unit_year in content.unit_years():
        if unit_year.overall:
            overall = overall_data(unit_year, content.site)
            written += write_overall_data(writer, overall)
            context.summary.overall.append(overall)
    return written


def render_site_data(content: Content, writer: Writer, context: Context) -> list[str]:
    """The site's downloads and the Data Package, streamed from every unit-year's parts, and the
    findings file (findings_data.py) the data-quality page's warnings are published in."""
    from sitegen.render import findings_data

    written = write_site_data(writer, site_meta(content), context.summary.data, context.summary.overall,
                              [findings_data.resource()])
    return written + findings_data.write_findings(writer, context.warnings, context.summary.index)


def render_data(content: Content, writer: Writer, context: Context) -> list[str]:
    """Every download of a whole content in one go (the bench, tests); returns the site paths written."""
    from sitegen.render.summary import SiteSummary

    context = replace(context, summary=SiteSummary())
    return render_unit_data(content, writer, context) + render_site_data(content, writer, context)


# ---------------------------------------------------------------- Data Package


def datapackage(meta: SiteMeta, csv_names: list[str], more: list[dict] | None = None) -> dict:
    schema = schema_of(site_titled(COLUMNS, meta.money_unit))  # the project CSVs share their columns: one schema, serialised for each
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "budget-performance-goals",
        "title": meta.title,
        "description": "项目支出绩效目标表：每行一个三级指标，项目各列重复。Project expenditure performance goals, one row per indicator.",
        "homepage": meta.base_url,
        **({"licenses": list(meta.licenses)} if meta.licenses else {}),
        "resources": [
            # utf-8-sig: UTF-8 starting with a byte order mark (for Excel), as frictionless itself
            # describes these files; a reader decoding with "utf-8" would see "\ufeffagency_id".
            {"name": name.removesuffix(".csv").lower(), "path": name, "format": "csv", "mediatype": "text/csv",
             "encoding": "utf-8-sig", "schema": schema}
            for name in csv_names
        ] + (more or []),  # the department-wide tables, with their own schemas (overall.py)
    }


def datapackage_bytes(meta: SiteMeta, csv_names: Iterable[str], more: list[dict]) -> bytes:
    """datapackage.json, indented by two spaces and ended by a line end as json.dumps(…, indent=2)
    writes it (tested), by orjson as the other JSON downloads: the json module's indenting encoder
    is pure Python, slow over a schema repeated for every unit-year's CSV."""
    package = datapackage(meta, list(csv_names), more)
    return orjson.dumps(package, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def datapackage_text(meta: SiteMeta, csv_names: list[str], more: list[dict]) -> str:
    return datapackage_bytes(meta, csv_names, more).decode("utf-8")
