"""Target tables sent down with a transfer of funds (下达 notices), whatever the region: the money printed
as one row of label · amount pairs, a target column per recipient of the funds, a 指标方向 column giving
the sign, a budget under a 下达… label, a subtitle line under the title. The form is written as a real
.xlsx and .docx (make.py, as the fixtures are) and imported by the CLI."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from sitegen.importers.labels import words
from tests.conftest import import_grid, run


TRANSFER = [
    ["附件3", "<", "<", "<", "<", "<", "<", "<"],
    ["某区2024年市级农村供水专项资金绩效目标表", "<", "<", "<", "<", "<", "<", "<"],
    ["（某区农村供水保障工程）", "<", "<", "<", "<", "<", "<", "<"],
    ["专项名称", "市级农村供水专项资金", "<", "<", "<", "<", "<", "<"],
    ["下达地方或单位", "某区人民政府", "<", "<", "<", "<", "<", "<"],
    ["项目资金（万元）", "年度资金总额", "50", "其中：中央资金", "30", "自筹资金", "20", "<"],
    ["总体目标", "完成3个村供水改造", "<", "<", "<", "<", "<", "<"],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "指标方向", "甲镇", "乙镇", "丙镇"],
    ["^", "产出指标", "数量指标", "改造供水管网(公里)", "≥", "5", "5", "5"],
    ["^", "^", "质量指标", "工程验收是否合格", "是/否", "是", "是", "是"],
    ["^", "效益指标", "社会效益指标", "受益人口(人)", "≥", "1200", "800", "1500"],
    ["^", "满意度指标", "服务对象满意度指标", "群众满意度(%)", "≤", "10%", "10%", "10%"],
]


def imported(tmp_path: Path, rows: list[list[str]], fmt: str):
    return import_grid(tmp_path, "\n".join("\t".join(row) for row in rows) + "\n", fmt, agency="mouqu", region="某省某市某区")


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_a_transfer_target_table(tmp_path, fmt):
    loaded, said = imported(tmp_path, TRANSFER, fmt)
    assert loaded.content.agencies[0].name == "某区人民政府"  # 下达地方或单位: the only unit printed
    (project,) = loaded.content.projects()
    # The money on one row: the section's label, then its total and its sources, all of the year.
    assert project.budget == Decimal("50")
    assert [(f.source, f.amount) for f in project.funding] == [("中央资金", Decimal("30")), ("自筹资金", Decimal("20"))]
    assert list(project.facts) == [("下达地方或单位", "某区人民政府")]  # no figure taken for a label
    assert project.notes == "（某区农村供水保障工程）"  # the line under the title is not dropped
    rows = [(i.level2, i.name, i.op, i.target.text if i.target else None, i.unit, i.remark) for i in project.indicators]
    assert rows == [
        # one column per town, the same value in each: that value is the target; 指标方向 is the op
        ("数量指标", "改造供水管网(公里)", ">=", "5", "", ""),
        ("质量指标", "工程验收是否合格", None, "是", "", ""),  # 是/否 is the kind of the answer, no comparison
        # values that differ are no one target: each town's is kept, and the row reported
        ("社会效益指标", "受益人口(人)", ">=", None, "", "甲镇：1200；乙镇：800；丙镇：1500"),
        ("服务对象满意度指标", "群众满意度(%)", "<=", "10", "%", ""),
    ]
    assert said.count("的目标值不同") == 1 and "各列（甲镇、乙镇、丙镇）" in said


def test_a_money_section_over_several_rows_keeps_its_two_sides(tmp_path):
    """Only a section printed on one row is the year's alone: merged down over rows, its first money
    pair is still 中期 and the second 年度."""
    rows = [row[:] for row in TRANSFER]
    rows[5:6] = [["项目资金（万元）", "中期资金总额", "<", "150", "年度资金总额", "<", "50", "<"],
                 ["^", "其中：中央资金", "<", "90", "其中：中央资金", "<", "30", "<"]]
    loaded, _ = imported(tmp_path, rows, "xlsx")
    (project,) = loaded.content.projects()
    assert (project.budget, project.midterm.budget) == (Decimal("50"), Decimal("150"))
    assert [(f.source, f.amount) for f in project.funding] == [("中央资金", Decimal("30"))]


@pytest.mark.parametrize("label", ["下达中央预算内投资（万元）", "下达资金（万元）"])
def test_budget_labels_of_a_transfer_are_vocabulary(tmp_path, label):
    assert any(label.startswith(word) for word in words("declaration", "money", "totals"))
    rows = [["某专项2023年中央预算内投资计划绩效目标表", "<", "<", "<", "<"],
            ["专项名称", "某专项", "<", "<", "<"],
            [label, "2350", "<", "<", "<"],
            ["总体目标", "建成处理设施", "<", "<", "<"],
            ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
            ["^", "产出指标", "数量指标", "建成项目个数", "1"]]
    loaded, _ = imported(tmp_path, rows, "docx")
    (project,) = loaded.content.projects()
    assert project.budget == Decimal("2350") and list(project.facts) == []


def test_explain_names_the_recipient_columns(tmp_path):
    imported(tmp_path, TRANSFER, "xlsx")  # the form, written as form.xlsx and imported
    code, out, _ = run("import", str(tmp_path / "form.xlsx"), "--explain")
    assert code == 0
    for column, town in (("F", "甲镇"), ("G", "乙镇"), ("H", "丙镇")):
        assert f"列 {column}「{town}」→ target（" in out
    assert "列 E「指标方向」→ sign" in out


@pytest.mark.parametrize("number, year", [("附件2-1", "(2024)年度"), ("附件2", "（2024年度）"), ("附表3", "2024年度")])
def test_an_attachment_number_and_the_year_alone_are_neither_title_nor_note(tmp_path, number, year):
    rows = [[number, "<", "<", "<", "<"], ["项目绩效目标表", "<", "<", "<", "<"], [year, "<", "<", "<", "<"],
            ["项目名称", "某项目", "<", "<", "<"], ["下达资金（万元）", "12", "<", "<", "<"],
            ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
            ["^", "产出指标", "数量指标", "建成项目个数", "1"]]
    loaded, _ = imported(tmp_path, rows, "xlsx")
    (unit_year,) = loaded.content.unit_years()
    assert (unit_year.title, unit_year.year, unit_year.projects[0].notes) == ("项目绩效目标表", 2024, "")


def test_a_money_section_without_a_total_gives_the_sum_of_its_sources(tmp_path):
    """资金来源 | 资金总额 is a row of headings: no total is printed, the sources are; the budget is their sum,
    said as a guess (not 0.00)."""
    rows = [["某县2020年省级财政水利发展资金绩效目标表", "<", "<", "<", "<"],
            ["专项(项目)名称", "农村饮水工程", "<", "<", "<"],
            ["县级主管部门", "某县水利局", "<", "<", "<"],
            ["资金情况(万元)", "资金来源", "<", "资金总额", "<"],
            ["^", "其中:财政拨款", "<", "500", "<"],
            ["^", "自筹资金", "<", "20", "<"],
            ["总体目标", "改善9200人饮水条件", "<", "<", "<"],
            ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
            ["^", "产出指标", "数量指标", "新建管网长度", "≥10公里"]]
    loaded, said = imported(tmp_path, rows, "xlsx")
    (project,) = loaded.content.projects()
    assert project.budget == Decimal("520")
    assert [(f.source, f.amount) for f in project.funding] == [("财政拨款", Decimal("500")), ("自筹资金", Decimal("20"))]
    assert "预算数 520 为各资金来源之和" in said and "预算数记为 0.00" not in said
