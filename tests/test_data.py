"""Open data: CSV, XLSX, JSON, the Data Package, SHA256SUMS and the data-quality page."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from sitegen.build.site import build
from sitegen.checks.pipeline import load_content
from sitegen.render.data import COLUMNS, FLAT_HEADERS
from sitegen.render.overall import has_project_table
from tests.conftest import CONTENT, MINIMAL, write_tree

HOSTILE = '=HYPERLINK("http://x","y")'


def read_csv(path: Path) -> list[dict]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_site_csv_has_every_indicator_in_the_documented_order(built):
    content = load_content(CONTENT).content
    rows = read_csv(built / "data/all.csv")
    assert list(rows[0]) == [c.name for c in COLUMNS]
    # the year's indicators, then the project's midterm.indicators (指标期限 中期)
    expected = [(p.name, p.budget, i.name, i.target_text, i.unit) for p in content.projects()
                for i in [*p.indicators, *(p.midterm.indicators if p.midterm else [])]]
    assert [(r["project_name"], Decimal(r["budget"]), r["indicator"], r["target"], r["unit"]) for r in rows] == expected
    assert {r["budget"] for r in rows if r["project_id"] == "window-service"} == {"65.00"}
    training = next(r for r in rows if r["project_id"] == "training")
    assert training["goals"].count("\n") == 2  # three goals, line breaks kept inside one cell


def test_unit_year_csv_and_json(built):
    rows = read_csv(built / "data/057001-2023.csv")
    assert len(rows) == 95 and {r["agency_code"] for r in rows} == {"057001"}
    document = json.loads((built / "data/057001-2023.json").read_text(encoding="utf-8"))
    [disclosure] = document["disclosures"]
    assert disclosure["total"] == "78.00" and disclosure["agency"]["department"]["code"] == "057"
    assert sum(len(p["indicators"]) for p in disclosure["projects"]) == 95
    everything = json.loads((built / "data/all.json").read_text(encoding="utf-8"))
    assert [d["total"] for d in everything["disclosures"]] == \
        [format(uy.total, "f") for uy in load_content(CONTENT).content.unit_years() if has_project_table(uy)]
    assert {"78.00", "438.00"} <= {d["total"] for d in everything["disclosures"]}


def test_xlsx_has_the_official_columns_numbers_and_a_frozen_header(built):
    workbook = openpyxl.load_workbook(built / "data/all.xlsx")
    # one sheet per unit-year with a goals table (a department-wide table alone has its own downloads)
    assert workbook.sheetnames == [f"{uy.agency.id}-{uy.year}" for uy in load_content(CONTENT).content.unit_years() if uy.projects]
    sheet = workbook["418001-2022"]
    # the money column names the sheet's unit, as the printed 金额（万元） does
    assert [c.value for c in sheet[1]] == [f"{h}（万元）" if h == "预算数" else h for h in FLAT_HEADERS]
    assert sheet.freeze_panes == "A2"
    first = [c for c in sheet[2]]
    assert first[0].value == "人力资源社保窗口经办经费"
    assert first[3].value == 65 and first[3].data_type == "n" and first[3].number_format == "0.00"
    assert sheet.max_row == 1 + 101
    targets = [row[10].value for row in sheet.iter_rows(min_row=2)]
    assert 46.1 in targets and "按月及时发放" in targets


def test_xlsx_says_the_money_unit_of_a_unit_year_not_in_wanyuan(built):
    """A unit-year in 元 (money_unit) gets a 金额单位 column right after the flat table's, 元 on every
    row; one in 万元 (the unit a table without one is read in) has none, as before."""
    workbook = openpyxl.load_workbook(built / "data/all.xlsx")
    units = {uy.agency.id + f"-{uy.year}": uy.money_unit for uy in load_content(CONTENT).content.unit_years() if uy.projects}
    assert "元" in units.values() and "万元" in units.values()
    for name, unit in units.items():
        headers = [c.value for c in workbook[name][1]]
        if unit == "万元":
            assert "金额单位" not in headers, name
            continue
        assert headers[len(FLAT_HEADERS)] == "金额单位", name
        column = [row[len(FLAT_HEADERS)] for row in workbook[name].iter_rows(min_row=2, values_only=True)]
        assert column and set(column) == {unit}, name


def test_xlsx_dates_come_from_the_content_not_the_clock(built):
    """Properties dated by the content (its newest published date, else 1 January of its latest
    year), zip entries by the fixed 1980 date."""
    with zipfile.ZipFile(built / "data/all.xlsx") as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode("utf-8")
    stamp = "2020-01-20T00:00:00Z"  # the newest published date of the example (武汉市青山区教育局 2020)
    assert f">{stamp}</dcterms:created>" in core and f">{stamp}</dcterms:modified>" in core


def test_data_package_validates(built):
    result = subprocess.run([sys.executable, "-m", "frictionless", "validate", "datapackage.json"],
                            cwd=built / "data", capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:]
    package = json.loads((built / "data/datapackage.json").read_text(encoding="utf-8"))
    unit_years = load_content(CONTENT).content.unit_years()
    csvs = {f"{uy.agency.id}-{uy.year}.csv" for uy in unit_years if has_project_table(uy)}
    overall = {f"{name}-overall-{table}.csv" for name in ["all"] + [f"{uy.agency.id}-{uy.year}" for uy in unit_years if uy.overall]
               for table in ("indicators", "tasks")}
    assert {r["path"] for r in package["resources"]} == {"all.csv", *csvs, *overall, "findings.csv"}  # findings: issue 23


def test_data_package_declares_the_byte_order_mark(built):
    """Read as the Data Package declares: frictionless and a strict reader (Python's own codec
    of the declared name, nothing detected) both see agency_id as the first header, no BOM."""
    import frictionless

    package = json.loads((built / "data/datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        names = [f["name"] for f in resource["schema"]["fields"]]  # the department-wide tables have their own
        if "-overall-" not in resource["path"] and resource["path"] != "findings.csv":  # those have their own
            assert names == [c.name for c in COLUMNS]
        path = built / "data" / resource["path"]
        with path.open(encoding=resource["encoding"], newline="") as file:
            assert next(csv.reader(file)) == names
        with frictionless.Resource(str(path.name), basepath=str(built / "data"), encoding=resource["encoding"]) as table:
            assert table.header == names
    with frictionless.Package(str(built / "data/datapackage.json")).get_resource("all") as table:
        # One row per indicator (a project without indicators keeps one), then one per 中期 indicator.
        expected = sum(max(1, len(p.indicators)) + len(p.midterm.indicators if p.midterm else [])
                       for p in load_content(CONTENT).content.projects())
        assert table.header[0] == "agency_id" and len(table.read_rows()) == expected


def test_sha256sums_verify_every_download(built):
    listed = [line.split("  ", 1)[1] for line in (built / "SHA256SUMS").read_text().splitlines()]
    downloads = sorted(str(p.relative_to(built)) for p in built.rglob("*")
                       if p.suffix in (".pdf", ".csv", ".xlsx", ".json") and "pagefind" not in p.parts)
    # every PDF, 3 files per unit-year with a project table and for the site, the Data Package;
    # 4 files (2 CSVs, XLSX, JSON) per unit-year with overall.yaml and for the site
    unit_years = load_content(CONTENT).content.unit_years()
    tables, overall = sum(map(has_project_table, unit_years)), sum(uy.overall is not None for uy in unit_years)
    # and (issue 23) the findings file's CSV and JSON, and each page of the all-indicators table's twins
    twins = 2 * len(list(built.glob("indicators/**/rows.csv")))
    assert listed == downloads and len(listed) == len(list(built.rglob("*.pdf"))) + 3 * (tables + 1) + 1 + 4 * (overall + 1) + 2 + twins
    check = subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=built, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def test_two_builds_give_the_same_sha256sums(built, tmp_path):
    build(CONTENT, tmp_path / "again", cache_dir=tmp_path / "cache")
    assert (tmp_path / "again/SHA256SUMS").read_bytes() == (built / "SHA256SUMS").read_bytes()


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    project = MINIMAL["u1/2024/p1.yaml"].replace("name: 测试项目", f"name: '{HOSTILE}'").replace(
        "name: 测试次数", 'name: "-1+1, \\"引号\\"\\n换行"').replace("goals: 完成测试", "goals: '@SUM(A1)'")
    content = write_tree(root / "content", {**MINIMAL, "u1/2024/p1.yaml": project})
    build(content, root / "out", cache_dir=root / "cache")
    return root / "out"


def test_formulas_are_written_as_text(hostile_site):
    [row] = read_csv(hostile_site / "data/all.csv")
    assert row["project_name"] == "'" + HOSTILE and row["goals"] == "'@SUM(A1)"
    assert row["indicator"] == "'-1+1, \"引号\"\n换行"  # commas, quotes and line breaks survive the round trip
    sheet = openpyxl.load_workbook(hostile_site / "data/all.xlsx")["u1-2024"]
    name = sheet["A2"]
    assert name.value == HOSTILE and name.data_type == "s" and name.quotePrefix
    assert sheet["H2"].value == '-1+1, "引号"\n换行'
    json_name = json.loads((hostile_site / "data/all.json").read_text(encoding="utf-8"))["disclosures"][0]["projects"][0]["name"]
    assert json_name == HOSTILE  # the JSON keeps what the author wrote


def test_libreoffice_opens_the_csv_with_chinese_and_no_formula(built, hostile_site, tmp_path):
    for label, source in (("example", built / "data/all.csv"), ("hostile", hostile_site / "data/all.csv")):
        target = tmp_path / label
        target.mkdir()
        shutil.copy(source, target / "all.csv")
        # Excel reads the BOM; LibreOffice's import asks for the character set (its dialog offers
        # UTF-8) and, headless, takes it from the filter options: 44 = comma, 34 = ", 76 = UTF-8.
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                        "--infilter=CSV:44,34,76", "--convert-to", "xlsx", "--outdir", str(target), str(target / "all.csv")],
                       check=True, capture_output=True, timeout=180)
        sheet = openpyxl.load_workbook(target / "all.xlsx").active
        cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
        assert all(c.data_type != "f" for c in cells)
        values = {str(c.value) for c in cells}
        assert "agency_name" in values
    example = openpyxl.load_workbook(tmp_path / "example/all.xlsx").active
    assert "乌海市人力资源和社会保障局" in {str(c.value) for row in example.iter_rows() for c in row}


def test_data_quality_page_lists_the_real_problems(built):
    html = (built / "quality/index.html").read_text(encoding="utf-8")
    for text in ("指标分值（score）合计 80，应为 90", "指标分值（score）合计 97，应为 90", "合计 112.00 万元，超过项目预算数（budget）100.00 万元",
                 "「有效发挥」是文字", "「有效促进」是文字"):
        assert text in re.sub(r"<[^>]+>", "", html)  # the words as read: a figure and its unit sit in a nowrap span
    assert 'href="../418001/2022/office-building/"' in html and "score-total" in html
    assert "数据质量提示" in (built / "index.html").read_text(encoding="utf-8")
    assert "条</a>" in (built / "418001/index.html").read_text(encoding="utf-8")


def test_the_open_data_columns_of_content_fields_are_their_declarations():
    """One declaration per field (model/vocab/fields.yaml): a field's open-data column takes its
    name, title and description from it, and its type from the field's kind."""
    from sitegen.content.fields import Number
    from sitegen.model import ALL_SPECS

    by_name = {c.name: c for c in COLUMNS}
    declared = [f for spec in ALL_SPECS for f in spec.fields if f.column]
    assert len(declared) >= 40
    for f in declared:
        column = by_name[f.column.name]
        assert (column.title, column.description) == (f.column.title, f.column.description), f.key
        assert column.type == ("number" if isinstance(f.kind, Number) else "string"), f.key
