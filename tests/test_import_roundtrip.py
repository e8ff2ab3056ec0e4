"""Round trips: what sitegen itself publishes imports back into the same model.

- the site's XLSX download (output/data/all.xlsx: one sheet per unit-year, the flat columns, the
  version-2 cells some row fills, 金额单位 for a unit-year not in 万元, the results) for the whole
  example content, and a small site that fills every one of its columns; what the XLSX does not
  carry is listed in NOT_CARRIED;
- each layout's unit-year PDF (flat: 418001 2022; per-project: 057001 2023).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from sitegen.checks.pipeline import load_content
from sitegen.render.data import FLAT_HEADERS, INDICATOR_CELLS, PROJECT_CELLS, build_date, rows, xlsx_bytes, xlsx_extra_columns
from tests.conftest import CONTENT, MINIMAL, run, write_tree
from tests.test_declaration import FULL, PLAIN
from tests.test_import_fixtures import SITE, indicator_view

REGIONS = {"418001": "内蒙古自治区乌海市", "057001": "青海省海北藏族自治州祁连县"}

# What the site's XLSX does not carry, and why: none of these has a column (render/data.py writes
# FLAT_HEADERS, the version-2 cells some row fills, RESULT_HEADERS) or a line above the header, so
# the import cannot give them back. They are for the export to add, not for the import to guess;
# the XLSX round trip compares every other value, field by field (`carried`).
NOT_CARRIED = {
    "project id": "the file name; the import names the files p01, p02 … in printed order (order: 1, 2 …)",
    "project code, funding, description, notes": "no column (项目编码 is in the CSV and JSON, not in the XLSX)",
    "agency id": "the folder: the import takes the unit's code when the table prints one, else the sheet's name",
    "agency region, department": "no column: the import infers the region from the unit's name",
    "unit-year title, published, notes, pdf_layout, stated_total": "no title line, no 备注 line, no 合计 row",
    "evaluation initial, funding, execution weight and earned, outcome, process, conclusion, problems, "
    "improvements, stated_total, published": "RESULT_HEADERS carry 全年预算数 and 全年执行数 only",
    "indicator kind where the target implies another (定量 for a number)":
        "指标性质 prints the direction, and 定性 only without one: the import reads kind from the target",
    "a goal with a line break in it": "the goals cell holds one goal a line",
    "a fact or cost text whose next line reads `label: text`": "其他栏目 and 项目预算成本构成 hold one item a line",
}


def printed(value) -> str | None:
    return None if value is None else str(value)  # decimals as printed: 65.00 stays 65.00


def carried(loaded) -> dict:
    """Every value the XLSX carries, by unit-year (the unit's code and name, the year): its money
    unit, and per project in printed order its cells, facts in order, costs, midterm, indicators
    (with their version-2 cells) and the evaluation budget figures."""
    # A unit-year with only its department-wide table has no sheet in all.xlsx (overall tables
    # have their own downloads).
    return {(uy.agency.code, uy.agency.name, uy.year): (uy.money_unit, [project_carried(p) for p in uy.projects])
            for uy in loaded.content.unit_years() if uy.projects}


def project_carried(p) -> dict:
    m, e = p.midterm, p.evaluation
    return {
        **{f: getattr(p, f) for f in ("name", "category", "goals", "attribute", "period", "implementer", "parent",
                                      "basis", "facts")},
        "budget": printed(p.budget), "total_investment": printed(p.total_investment),
        "costs": [(c.item, printed(c.amount), c.basis) for c in p.costs],
        "indicators": [indicator_view(i) for i in p.indicators],
        "midterm": (m.period, printed(m.budget), m.goals, [indicator_view(i) for i in m.indicators]) if m else None,
        "evaluation": (printed(e.adjusted), printed(e.spent)) if e else None,
    }


def projects_view(loaded, fields: tuple[str, ...]) -> dict:
    return {
        (uy.agency.id, uy.year): [
            {**{f: getattr(p, f) for f in fields}, "budget_text": str(p.budget),
             "indicators": [indicator_view(i) for i in p.indicators]}
            for p in uy.projects
        ]
        for uy in loaded.content.unit_years()
    }


def imported(tmp_path: Path, *args: str):
    into = tmp_path / "content"
    into.mkdir()
    (into / "site.yaml").write_text(SITE, encoding="utf-8")
    code, out, err = run("import", *args, "--into", str(into))
    assert code == 0, out + err
    loaded = load_content(into)
    assert loaded.ok, [f.format() for f in loaded.findings.errors]
    return loaded, out


def assert_round_trip(example, loaded) -> None:
    got, want = carried(loaded), carried(example)
    assert got.keys() == want.keys()
    for key in want:  # unit-year by unit-year, project by project: a difference names its place
        (got_unit, got_projects), (want_unit, want_projects) = got[key], want[key]
        assert got_unit == want_unit, (key, "money_unit")
        assert len(got_projects) == len(want_projects), key
        for n, (mine, theirs) in enumerate(zip(got_projects, want_projects)):
            for field in theirs:
                assert mine[field] == theirs[field], (key, n, field)
    for uy in loaded.content.unit_years():  # the import writes the printed order; the example may leave it out
        assert [p.order for p in uy.projects] == list(range(1, len(uy.projects) + 1))


def test_the_site_xlsx_imports_back_to_the_same_model(built, tmp_path):
    example = load_content(CONTENT)
    loaded, out = imported(tmp_path, str(built / "data" / "all.xlsx"))
    assert_round_trip(example, loaded)
    # The example's version-2 units fill these columns: the comparison above is not of empty values.
    projects = list(example.content.projects())
    assert any(p.facts for p in projects) and any(p.midterm and p.midterm.indicators for p in projects)
    assert any(p.total_investment is not None and p.basis for p in projects)
    assert any(p.evaluation for p in projects)
    assert {"元", "万元"} <= {uy.money_unit for uy in example.content.unit_years() if uy.projects}
    assert "预算年度 2022，取自工作表名「418001-2022」" in out


# A project beside FULL (every cell of version 2): a cost without an amount, facts with an empty
# text and a label with a colon in it, numbered goals, a 中期 without indicators, no year indicators.
SPARSE = """\
    name: 稀疏项目
    budget: 3.50
    goals: [1.完成甲, 2.完成乙]
    costs:
      - {item: 差旅费, basis: 按实结算}
      - {item: 印刷费, amount: 1.50}
    facts:
      其中:财政拨款: 3.50万元
      其他资金: ""
    midterm: {period: 2024年—2026年, budget: 10.50, goals: 三年完成}
    indicators: []
"""


def test_every_column_of_the_xlsx_imports_back(tmp_path):
    """Every column the XLSX may have, each filled (the example leaves costs, 指标解释, 评分标准 and the
    indicators' version-2 cells empty), in 元 (金额单位): the real export of a small site, imported back."""
    content = write_tree(tmp_path / "site", {**MINIMAL, "u1/2024/p1.yaml": FULL, "u1/2024/p2.yaml": PLAIN,
                                             "u1/2024/p3.yaml": SPARSE, "u1/2024/disclosure.yaml": "money_unit: 元\n"})
    example = load_content(content)
    assert example.ok, [f.format() for f in example.findings.errors]
    xlsx = tmp_path / "u1.xlsx"
    xlsx.write_bytes(xlsx_bytes(example.content.unit_years(), build_date(example.content.unit_years())))
    headers = [c.value for c in openpyxl.load_workbook(xlsx).worksheets[0][1]]
    every = [c.title for c in xlsx_extra_columns(rows(list(example.content.projects())))]
    # the money columns name the table's unit (预算数（元）), and the import reads them back in it
    money = {"预算数", "项目总投资", "中期资金总额"}
    assert headers == [f"{h}（元）" if h in money else h for h in [*FLAT_HEADERS, *every]]
    assert set(every) >= {c.title for c in (*PROJECT_CELLS, *INDICATOR_CELLS) if c.name != "last_actual_number"}
    assert {"指标解释", "评分标准", "金额单位"} <= set(every)
    loaded, _ = imported(tmp_path, str(xlsx))
    assert_round_trip(example, loaded)
    assert loaded.content.unit_years()[0].money_unit == "元"


def test_a_money_unit_column_gives_the_unit_and_a_cell_that_disagrees_is_warned_of(tmp_path):
    """Another table's 金额单位 column reads as sitegen's does; against a `单位：万元` line above the
    table, or as no unit at all, a cell is warned of by its place and the table keeps the line's unit."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "2024"
    sheet.append(["单位：万元"])
    sheet.append(["项目名称", "项目单位", "预算数", "金额单位", "一级指标", "二级指标", "三级指标", "目标值"])
    sheet.append(["甲项目", "100001-测试单位", "10.00", "元", "产出指标", "数量指标", "培训次数", "2"])
    sheet.append(["乙项目", "100001-测试单位", "5.00", "美元", "产出指标", "数量指标", "印刷份数", "3"])
    path = tmp_path / "t.xlsx"
    book.save(path)
    loaded, out = imported(tmp_path, str(path), "--agency", "t1", "--region", "测试省测试市")
    assert loaded.content.unit_years()[0].money_unit == "万元"
    assert "t.xlsx 2024!D3: 金额单位「元」与表中的「万元」不同，全表按「万元」记（money_unit），请核对" in out
    assert "t.xlsx 2024!D4: 金额单位「美元」不是「元」或「万元」，请核对" in out
    assert [p.facts for p in loaded.content.projects()] == [(), ()]  # the column is read, not kept as a fact

    sheet.delete_rows(1)
    sheet.delete_rows(3)
    book.save(path)
    again = tmp_path / "again"
    again.mkdir()
    loaded, out = imported(again, str(path), "--agency", "t1", "--region", "测试省测试市")
    assert loaded.content.unit_years()[0].money_unit == "元" and "金额单位" not in out


@pytest.mark.parametrize("agency,year", [("418001", 2022), ("057001", 2023)])
def test_the_unit_year_pdf_imports_back_to_the_same_model(built, tmp_path, agency, year):
    example = load_content(CONTENT)
    pdf = built / agency / str(year) / f"{agency}-{year}.pdf"
    loaded, out = imported(tmp_path, str(pdf), "--region", REGIONS[agency], "--year", str(year))
    fields = ("name", "category", "budget", "goals", "order")
    got, want = projects_view(loaded, fields), projects_view(example, fields)
    assert got[(agency, year)] == want[(agency, year)]
    unit_year = loaded.content.unit_years()[0]
    original = next(uy for uy in example.content.unit_years() if uy.agency.id == agency)
    assert unit_year.title == original.title
    assert unit_year.pdf_layout == original.pdf_layout
    assert (unit_year.agency.code, unit_year.agency.name) == (original.agency.code, original.agency.name)
    assert unit_year.notes == original.notes


def test_a_cell_of_those_columns_that_does_not_read_is_kept_as_a_fact(tmp_path):
    """Another table with 项目总投资 · 项目预算成本构成 · 其他栏目 · 中期资金总额 · 指标期限 columns, its cells
    not in sitegen's lines: each is kept whole under its label (in column order), with a warning where
    a figure or cost was meant; a 指标期限 that is neither 年度 nor 中期 stays in the 备注."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "2024"
    sheet.append(["项目名称", "项目单位", "预算数", "项目总投资", "项目预算成本构成", "其他栏目", "一级指标", "二级指标",
                  "三级指标", "目标值", "中期资金总额", "指标期限"])
    sheet.append(["甲项目", "100001-测试单位", "10.00", "约二十万", "培训费若干", "另见附件", "产出指标", "数量指标",
                  "培训次数", "2", "三十", "长期"])
    sheet.append([None, None, None, None, None, None, "产出指标", "质量指标", "合格率", "95", None, "中期"])
    path = tmp_path / "t.xlsx"
    book.save(path)
    loaded, out = imported(tmp_path, str(path), "--agency", "t1", "--region", "测试省测试市")
    (project,) = loaded.content.projects()
    assert project.facts == (("项目总投资", "约二十万"), ("项目预算成本构成", "培训费若干"), ("其他栏目", "另见附件"),
                             ("中期资金总额", "三十"))
    assert project.total_investment is None and project.costs == []
    assert [(i.name, i.remark) for i in project.indicators] == [("培训次数", "指标期限：长期")]
    assert [i.name for i in project.midterm.indicators] == ["合格率"] and project.midterm.budget is None
    assert "t.xlsx 2024!D2: 项目总投资「约二十万」不是数字，记入 facts，请核对" in out
    assert "t.xlsx 2024!E2: 项目预算成本构成「培训费若干」不是「成本项目: 金额; 测算依据: …」的行，整格记入 facts，请核对" in out
    assert "t.xlsx 2024!K2: 中期资金总额「三十」不是数字，记入 facts，请核对" in out
