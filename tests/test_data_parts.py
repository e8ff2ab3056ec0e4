"""Open data built from parts (#15): each unit-year's data made once, the site's files streamed
from the parts. The files are checked against what they were before, computed here the plain,
slow way from the model: CSV and JSON byte for byte, the XLSX cell by cell as openpyxl (and
LibreOffice) read it."""

from __future__ import annotations

import csv
import gc
import io
import json
import pickle
import subprocess
import weakref
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from sitegen.model import Project
from sitegen.render import Context
from sitegen.render.data import (
    COLUMNS, FLAT_HEADERS, RESULT_HEADERS, build_date, datapackage, entries, render_data, site_meta, unit_year_data,
    unit_year_json, unit_year_name, write_site_data, write_unit_year_data, xlsx_extra_columns,
)
from sitegen.render.data.columns import FORMULA_STARTS, ROW_COLUMNS, ind, rows
from sitegen.render.data.files import data_unit_years, datapackage_text
from sitegen.render.data.xlsx import MAX_TEXT, sheet_part, write_workbook
from sitegen.render.data.overall import overall_data, overall_resources, write_overall_data
from sitegen.render.writer import WriteError, Writer
from tests.conftest import CONTENT


@pytest.fixture(scope="module")
def example_content(example):
    """The example's model (conftest's `example` is what loading it gave: the model and the findings)."""
    assert example.ok
    return example.content


@pytest.fixture(scope="module")
def data(example_content, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("data")
    render_data(example_content, Writer(out), Context(CONTENT, out / "cache"))
    return out / "data"


# ---------------------------------------------------------------- what the files were before, the slow way


def old_csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return str(value)


def expected_csv(projects: list[Project]) -> bytes:
    """Every cell by its column's getter, as the declaration says (no shortcut of columns.tables)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in COLUMNS])
    writer.writerows([[old_csv_cell(c.get(p, i, n)) for c in COLUMNS] for p, i, n in entries(projects)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def expected_json(document: dict) -> bytes:
    return (json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def met_text(project, indicator, number):
    """目标达成 as the pages print it: 未达成（推定） when the model inferred the mark (contract 2.1)."""
    met = COLUMNS[[c.name for c in COLUMNS].index("met")].get(project, indicator, number)
    return f"{met}（推定）" if met and indicator.met_basis == "inferred" else met


def expected_sheet(unit_year) -> list[list]:
    """The sheet as XlsxWriter wrote it before, from the model: headers, then a row per entry."""
    table = entries(unit_year.projects)
    extra = xlsx_extra_columns(rows(unit_year.projects))
    with_results = any(p.evaluation for p in unit_year.projects)
    money = {"预算数", "项目总投资", "中期资金总额", "全年预算数", "全年执行数"}
    headers = [*FLAT_HEADERS, *(c.title for c in extra), *(RESULT_HEADERS if with_results else ())]
    result = [[f"{h}（{unit_year.money_unit}）" if h in money else h for h in headers]]
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
            actual, e = indicator.actual if indicator else None, project.evaluation
            values += [(actual.number if actual.number is not None else actual.text) if actual else None,
                       indicator.earned if indicator else None,
                       met_text(project, indicator, number),
                       indicator.deviation if indicator else None,
                       e.adjusted if e else None, e.spent if e else None, e.execution_rate if e else None]
        result.append(values)
    return result


def read_cells(sheet) -> dict[str, tuple]:
    """Every filled cell: value, type, number format, quote prefix."""
    return {c.coordinate: (c.value, c.data_type, c.number_format, bool(c.quotePrefix))
            for row in sheet.iter_rows() for c in row if c.value is not None}


def expected_cells(table: list[list]) -> dict[str, tuple]:
    cells = {}
    for y, row in enumerate(table, start=1):
        for x, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            coordinate = f"{openpyxl.utils.get_column_letter(x)}{y}"
            if isinstance(value, Decimal):
                places = max(0, -value.as_tuple().exponent)
                cells[coordinate] = (float(value), "n", "0." + "0" * places if places else "0", False)
            elif isinstance(value, str):
                cells[coordinate] = (value, "s", "General", value.startswith(FORMULA_STARTS))
            else:
                cells[coordinate] = (value, "n", "General", False)
    return cells


# ---------------------------------------------------------------- the files, against before


def test_csv_files_are_byte_for_byte_what_the_columns_declare(example_content, data):
    unit_years = data_unit_years(example_content)
    assert len(unit_years) >= 5
    for unit_year in unit_years:
        assert (data / f"{unit_year_name(unit_year)}.csv").read_bytes() == expected_csv(unit_year.projects)
    assert (data / "all.csv").read_bytes() == expected_csv([p for uy in unit_years for p in uy.projects])


def test_json_files_are_byte_for_byte_the_json_modules(example_content, data):
    site = {"title": example_content.site.title, "base_url": example_content.site.base_url, "money_unit": example_content.site.money_unit}
    unit_years = data_unit_years(example_content)
    for unit_year in unit_years:
        expected = expected_json({"site": site, "disclosures": [unit_year_json(unit_year)]})
        assert (data / f"{unit_year_name(unit_year)}.json").read_bytes() == expected
    assert (data / "all.json").read_bytes() == expected_json({"site": site, "disclosures": [unit_year_json(uy) for uy in unit_years]})


def test_the_data_package_is_the_json_modules_indented_text(example_content, data):
    meta = site_meta(example_content)
    names = [f"{n}.csv" for n in meta.names] + ["all.csv"]
    from sitegen.render import findings_data

    more = overall_resources(meta.overall) + [findings_data.resource()]  # the findings file: issue 23
    expected = json.dumps(datapackage(meta, names, more), ensure_ascii=False, indent=2) + "\n"
    assert (data / "datapackage.json").read_text(encoding="utf-8") == expected
    assert datapackage_text(meta, names, []) == json.dumps(datapackage(meta, names), ensure_ascii=False, indent=2) + "\n"
    for names, more in (([], []), ([], overall_resources(meta.overall)), (["a.csv"], [])):  # the empty list's `[]`
        assert datapackage_text(meta, names, more) == json.dumps(datapackage(meta, names, more), ensure_ascii=False, indent=2) + "\n"


def test_every_sheet_has_the_cells_xlsxwriter_wrote(example_content, data):
    """Values, types, number formats (65.00 shows 0.00) and quote prefixes, as the model says."""
    site = openpyxl.load_workbook(data / "all.xlsx")
    unit_years = data_unit_years(example_content)
    assert site.sheetnames == [unit_year_name(uy)[:31] for uy in unit_years]
    for unit_year in unit_years:
        expected = expected_cells(expected_sheet(unit_year))
        own = openpyxl.load_workbook(data / f"{unit_year_name(unit_year)}.xlsx")
        [sheet] = own.worksheets
        assert sheet.title == unit_year_name(unit_year)[:31] and sheet.freeze_panes == "A2"
        assert read_cells(sheet) == expected, unit_year_name(unit_year)
        # all.xlsx holds the very same sheet: cell by cell what openpyxl reads from the unit-year's own workbook
        assert read_cells(site[sheet.title]) == read_cells(sheet) and site[sheet.title].freeze_panes == "A2"
    assert any(v == (65.0, "n", "0.00", False) for v in read_cells(site["418001-2022"]).values())


def test_all_xlsx_stores_each_unit_years_deflated_sheet_as_is(example_content, data):
    """Compressed once: the zip entry of a sheet in all.xlsx is byte for byte the one in its own workbook."""
    with zipfile.ZipFile(data / "all.xlsx") as site:
        assert site.testzip() is None  # every CRC right
        for n, unit_year in enumerate(data_unit_years(example_content), start=1):
            with zipfile.ZipFile(data / f"{unit_year_name(unit_year)}.xlsx") as own:
                assert own.testzip() is None
                mine, theirs = own.getinfo("xl/worksheets/sheet1.xml"), site.getinfo(f"xl/worksheets/sheet{n}.xml")
                assert (mine.CRC, mine.compress_size, mine.file_size) == (theirs.CRC, theirs.compress_size, theirs.file_size)
                assert raw_entry(data / f"{unit_year_name(unit_year)}.xlsx", mine) == raw_entry(data / "all.xlsx", theirs)


def raw_entry(path: Path, info: zipfile.ZipInfo) -> bytes:
    """The deflated bytes of a zip entry, as stored."""
    data = path.read_bytes()
    start = info.header_offset + 30 + int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little") + \
        int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    return data[start:start + info.compress_size]


def test_the_department_wide_workbooks_read_back(example_content, data):
    """Both sheets of all-overall.xlsx (the second one streamed after the first) hold every
    unit-year's rows in order, as their own workbooks do."""
    site = openpyxl.load_workbook(data / "all-overall.xlsx")
    assert site.sheetnames == ["绩效指标", "年度履职目标"]
    with zipfile.ZipFile(data / "all-overall.xlsx") as archive:
        assert archive.testzip() is None
    names = site_meta(example_content).overall
    assert len(names) >= 2
    for sheet_name in site.sheetnames:
        together = [list(r) for r in site[sheet_name].iter_rows(values_only=True)]
        parts = [[list(r) for r in openpyxl.load_workbook(data / f"{n}-overall.xlsx")[sheet_name].iter_rows(values_only=True)]
                 for n in names]
        assert together[0] == parts[0][0] and site[sheet_name].freeze_panes == "A2"
        assert together[1:] == [row for part in parts for row in part[1:]]
        assert len(together) > 2


def test_libreoffice_reads_all_xlsx_as_openpyxl_does(data, tmp_path):
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1", "--outdir", str(tmp_path),
                    str(data / "all.xlsx")], check=True, capture_output=True, timeout=180)
    book = openpyxl.load_workbook(data / "all.xlsx")
    # the options: comma, ", UTF-8, from line 1, …, cells as shown (formatted), -1: every sheet to a file of its own
    for sheet in book.worksheets[:3]:
        [converted] = tmp_path.glob(f"all-{sheet.title}.csv")
        seen = list(csv.reader(io.StringIO(converted.read_text(encoding="utf-8"), newline="")))
        texts = [[c.value for c in row] for row in sheet.iter_rows()]
        assert seen[0] == texts[0]  # the headers
        # text cells as written (numbers LibreOffice formats with their number format: 65.00)
        assert [[v for v in row if isinstance(v, str)] for row in texts] == \
            [[v for v, t in zip(row, text) if isinstance(t, str)] for row, text in zip(seen, texts)]
        # 预算数 shown as written: LibreOffice applies each cell's number format (65.00, 132.912)
        for row, cells in zip(seen[1:], list(sheet.iter_rows())[1:]):
            budget = cells[3]
            places = len(budget.number_format.partition(".")[2])
            assert row[3] == f"{budget.value:.{places}f}", (row[3], budget.number_format)


# ---------------------------------------------------------------- the parts


def test_the_site_files_stream_from_parts_made_anywhere(example_content, data, tmp_path):
    """Parts pickled (as a Dask worker or a cache returns them) make the same files, byte for byte;
    write_site_data keeps no part: each is gone once the next is asked for."""
    writer = Writer(tmp_path)
    alive: list[weakref.ref] = []

    def parts(unit_years, make, write):
        for unit_year in unit_years:
            gc.collect()
            assert sum(ref() is not None for ref in alive) <= 1  # only the one before, still in the generator's hands
            part = pickle.loads(pickle.dumps(make(unit_year, example_content.site)))
            write(writer, part)
            alive.append(weakref.ref(part))
            yield part

    overall = [uy for uy in example_content.unit_years() if uy.overall]
    from sitegen.render import findings_data

    write_site_data(writer, site_meta(example_content), parts(data_unit_years(example_content), unit_year_data, write_unit_year_data),
                    parts(overall, overall_data, write_overall_data), [findings_data.resource()])
    made = sorted(p.relative_to(tmp_path / "data") for p in (tmp_path / "data").iterdir())
    rendered = sorted(p.relative_to(data) for p in data.iterdir() if not p.name.startswith("findings."))  # not from parts
    assert made == rendered and len(made) > 40
    for name in made:
        assert (tmp_path / "data" / name).read_bytes() == (data / name).read_bytes(), name


def test_parts_out_of_order_are_refused(example_content, tmp_path):
    unit_years = data_unit_years(example_content)
    parts = [unit_year_data(uy, example_content.site) for uy in unit_years[:2]]
    with pytest.raises(ValueError, match="与目录不符"):
        write_site_data(Writer(tmp_path / "a"), site_meta(example_content), reversed(parts))
    with pytest.raises(ValueError, match="少了"):
        write_site_data(Writer(tmp_path / "b"), site_meta(example_content), parts)


def test_the_columns_computed_once_a_project_read_no_indicator():
    """columns.tables computes the columns outside ROW_COLUMNS once a project, with no indicator:
    none of them may be an indicator's attribute (the CSV comparisons above check the rest)."""
    assert {c.name for c in COLUMNS if isinstance(c.get, ind)} <= ROW_COLUMNS
    assert ROW_COLUMNS <= {c.name for c in COLUMNS}


def test_a_part_is_plain_bytes(example_content):
    part = unit_year_data(data_unit_years(example_content)[0], example_content.site)
    assert {type(v).__name__ for v in vars(part).values()} == {"str", "datetime", "bytes", "SheetPart"}
    assert part.created == build_date([data_unit_years(example_content)[0]])


# ---------------------------------------------------------------- the XLSX writer on its own


HOSTILE = ["=1+1", "-3", "@SUM(A1)", "\tx", "<r>rich?</r>", "a & b < c > d", "_x0041_ stays", "ctrl\x01\x1f end",
           "  leading and trailing  ", "换行\n保留", "😀 emoji", '"quoted"', "\ufffe"]


def test_hostile_text_reads_back_as_written(tmp_path):
    """Escaped for XML and for Excel's _xHHHH_ (what openpyxl does not undo, it shows as escaped);
    a quote prefix on what looks like a formula; nothing becomes a formula, a rich string or markup."""
    rows = [["文本"], *([text] for text in HOSTILE), ["x" * (MAX_TEXT + 10)]]
    path = tmp_path / "t.xlsx"
    with path.open("wb") as out:
        write_workbook(out, ["t"], [sheet_part("t", rows)], build_date([]))
    sheet = openpyxl.load_workbook(path)["t"]
    got = {c.row: c for c in sheet["A"]}
    for y, text in enumerate(HOSTILE, start=2):
        cell = got[y]
        assert cell.data_type == "s" and cell.quotePrefix == text.startswith(FORMULA_STARTS), text
        if text.startswith("ctrl"):
            assert cell.value == "ctrl_x0001__x001F_ end"  # Excel reads the controls back; openpyxl shows the escape
        elif text.startswith("_x0041_"):
            assert cell.value == "_x005F_x0041_ stays"  # Excel shows _x0041_; openpyxl the escaped escape
        elif text == "\ufffe":
            assert cell.value == "_xFFFE_"
        else:
            assert cell.value == text
    assert len(got[len(HOSTILE) + 2].value) == MAX_TEXT  # what Excel holds; the CSV and JSON keep it all


def test_numbers_keep_their_decimals_and_types(tmp_path):
    values = [Decimal("65.00"), Decimal("3"), Decimal("0.125"), Decimal("1E+2"), 2025, 1.5, True, Decimal("-0.50")]
    path = tmp_path / "n.xlsx"
    with path.open("wb") as out:
        write_workbook(out, ["n"], [sheet_part("n", [["h"] * len(values), values])], build_date([]))
    cells = list(openpyxl.load_workbook(path)["n"].iter_rows(min_row=2))[0]
    assert [(c.value, c.number_format) for c in cells] == [
        (65, "0.00"), (3, "0"), (0.125, "0.000"), (100, "0"), (2025, "General"), (1.5, "General"), (1, "General"), (-0.5, "0.00")]
    assert all(c.data_type == "n" for c in cells)


def test_the_workbook_refuses_what_excel_would(tmp_path):
    for names in (["a" * 32], ["a:b"], ["Same", "same"]):
        with pytest.raises(ValueError, match="工作表名"):
            write_workbook(io.BytesIO(), names, [], build_date([]))


def test_writer_open_streams_a_claimed_file(tmp_path):
    writer = Writer(tmp_path)
    with writer.open("data/x.bin") as out:
        out.write(b"a")
        out.write(b"b")
    assert (tmp_path / "data/x.bin").read_bytes() == b"ab"
    with pytest.raises(WriteError):
        writer.open("data/x.bin").__enter__()
    with pytest.raises(WriteError):
        writer.open("../out.bin").__enter__()
