"""The department-wide forms beyond the fixtures: a 部门整体支出绩效自评表 printed without an
indicator table (宁德 2018's block alone), written as a real .xlsx and imported."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

from sitegen.checks.pipeline import load_content
from tests.conftest import import_grid, run

FIXTURES = Path(__file__).parent / "import_fixtures"
sys.path.insert(0, str(FIXTURES))
from make import read_tables, write_xlsx  # noqa: E402


def test_department_selfeval_without_indicator_table(tmp_path):
    lines = (FIXTURES / "fujian-ningde-2018-overall-selfeval" / "grid.tsv").read_text(encoding="utf-8").splitlines()
    lines = [line for line in lines if not line.startswith("年度绩效指标完成情况")]  # no indicator table
    grid = tmp_path / "grid.tsv"
    grid.write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_xlsx(read_tables(grid), tmp_path / "selfeval.xlsx")
    into = tmp_path / "content"
    code, out, err = run("import", str(tmp_path / "selfeval.xlsx"), "--into", str(into), "--region", "福建省宁德市")
    assert code == 0, out + err
    overall = load_content(into).content.unit_years()[0].overall
    e = overall.evaluation
    assert (e.initial, e.adjusted, e.spent) == (Decimal("2537695"), Decimal("2751417.82"), Decimal("2546673.98"))
    assert overall.indicators == [] and len(overall.goals) == 3
    assert "超过一百亿元" in out  # 万元 printed over figures in 元


# A 部门整体 form with a label line above its block (湖北: 填报日期:…) and a 填报人 cell in it.
DATED = """\
部门整体支出绩效目标申报表	<	<	<
填报日期:2024年1月5日	<	<	<
部门(单位)名称	某县交通运输局	填报人	张三
年度预算安排(万元)	资金总额	100	<
^	基本支出	60	<
^	项目支出	40	<
年度总体目标	养护县乡公路200公里	<	<
一级指标	二级指标	三级指标	指标值
产出指标	数量指标	养护里程	≥200公里
"""


def test_a_label_line_above_a_department_wide_form_is_its_first_note(tmp_path):
    loaded, _ = import_grid(tmp_path, DATED)
    overall = loaded.content.unit_years()[0].overall
    assert overall.notes.splitlines() == ["填报日期：2024年1月5日", "填报人：张三"]


# 湖北's grouped money block: a source row printed with no amount.
GROUPED = """\
部门整体支出绩效目标申报表	<	<	<	<	<
(2024年度)	<	<	<	<	<
部门(单位)名称	某县交通运输局	<	<	<	<
总体资金情况	部门总体资金情况	<	<	单位:万元	<
^		<	当年金额	上年金额	占比
^	收入构成	财政拨款	100		
^	^	其他资金			
^	^	合计	100		100%
^	支出构成	基本支出	60		60%
^	^	项目支出	40		40%
年度总体目标	养护县乡公路200公里	<	<	<	<
一级指标	二级指标	三级指标	指标值	<	<
产出指标	数量指标	养护里程	≥200公里	<	<
"""


def test_a_source_row_printed_without_an_amount_is_kept_as_printed(tmp_path):
    loaded, _ = import_grid(tmp_path, GROUPED)
    overall = loaded.content.unit_years()[0].overall
    assert overall.notes.splitlines()[0] == "其他资金 当年金额："
