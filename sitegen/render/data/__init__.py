"""Open data: CSV, JSON, XLSX and a Frictionless Data Package, per unit-year and for the site.

Everything goes under /data/. columns.py declares the columns (the CSV's, the Data Package's
schema, the docs) and computes a unit-year's rows once; documents.py is the JSON (the full model,
every value exactly as written); sheet.py lays out a unit-year's XLSX sheet and xlsx.py writes it;
files.py makes each unit-year's parts and files and streams the site's from the parts; overall.py does the
same for the department-wide tables (overall.yaml); common.py is what both share (paths, dates, SiteMeta).
"""

from sitegen.render.data.columns import (
    COLUMNS, FORMULA_STARTS, INDICATOR_CELLS, PROJECT_CELLS, Column, csv_cell, entries, rows, spreadsheet_safe,
)
from sitegen.render.data.documents import indicator_json, json_text, plain, project_json, unit_year_json
from sitegen.render.data.common import DATA, SITE_NAME, SiteMeta, build_date, json_open, schema_of, unit_year_name
from sitegen.render.data.files import (
    UnitYearData, datapackage, download_paths, render_data, render_site_data, render_unit_data, site_meta,
    unit_year_data, write_site_data, write_unit_year_data, xlsx_bytes,
)
from sitegen.render.data.overall import OVERALL_RESOURCES, overall_data, overall_download_paths, overall_resources
from sitegen.render.data.sheet import FLAT_HEADERS, RESULT_HEADERS, xlsx_extra_columns

__all__ = [
    "COLUMNS", "DATA", "FLAT_HEADERS", "FORMULA_STARTS", "INDICATOR_CELLS", "OVERALL_RESOURCES", "PROJECT_CELLS", "RESULT_HEADERS",
    "SITE_NAME", "Column", "SiteMeta", "UnitYearData", "build_date", "csv_cell", "datapackage", "download_paths",
    "entries", "indicator_json", "json_open", "json_text", "overall_data", "overall_download_paths", "overall_resources",
    "plain", "project_json", "render_data", "render_site_data", "schema_of",
    "render_unit_data", "rows",
    "site_meta", "spreadsheet_safe", "unit_year_data", "unit_year_json", "unit_year_name",
    "write_site_data", "write_unit_year_data", "xlsx_bytes", "xlsx_extra_columns",
]  # fmt: skip
