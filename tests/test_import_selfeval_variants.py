"""Regional variants of the 项目支出绩效自评表 the importer reads by general rules, not by file: a money
block with 年初预算数 and no 全年预算数 column, a weight printed inside a heading (`分值(10分)`,
`预算执行情况(20分)`), headings with a bracketed qualifier (`预算数(A)`), a 年度总体目标 row with its two
texts and no 预期目标 / 实际完成情况 headings, goals printed one a row, a 得分计算方法 column. Each form is written as a real
.xlsx (tests/import_fixtures/make.py) and imported with the CLI."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tests.conftest import import_grid


# 年初预算数(A) only; 分值(10分); the goals row without headings; 计分方法 for the scoring column.
INITIAL_ONLY = """\
项目支出绩效自评表(2024年度)	<	<	<	<	<	<	<	<
项目名称	乡村道路养护	<	<	<	<	<	<	<
主管部门	某县交通运输局	<	<	<	实施单位	某县公路养护中心	<	<
项目资金(万元)		<	<	年初预算数(A)	全年执行数(B)	分值(10分)	执行率(B/A)	得分
^	年度资金总额:	<	<	200	180		90%	9
^	其中:财政拨款	<	<	200	180
年度总体目标	完成全县农村公路养护120公里	<	<	<	养护农村公路126公里,路况良好	<	<	<
绩效指标	一级指标	二级指标	三级指标	分值	年度指标值(A)	全年实际值(B)	得分计算方法	得分
^	产出指标(50分)	数量指标	养护里程	50	120	126	达到指标值记满分	50
^	满意度指标(40分)	服务对象满意度指标	群众满意度	40	90	95	达到指标值记满分	40
总分	<	<	<	<	<	<	<	99
"""

# 预算数(A) · 执行数(B) · 得分(20分*执行率) under a section that prints the weight: 预算执行情况(20分);
# 年度目标完成情况 with one goal a row.
SECTION_WEIGHT = """\
2024年度项目支出绩效自评表	<	<	<	<	<	<
项目名称	乡村道路养护	<	<	<	<	<
主管部门	某县交通运输局	<	实施单位	某县公路养护中心	<	<
预算执行情况(万元)\\n(20分)		预算数(A)	执行数(B)	执行率(B/A)	得分\\n(20分*执行率)	<
^	年度财政资金总额	50	40	80	16	<
年度目标完成情况	预期目标	<	<	目标实际完成情况	<	<
^	目标1:养护农村公路120公里	<	<	目标1:养护农村公路126公里	<	<
^	目标2:路况优良率90%	<	<	目标2:路况优良率95%	<	<
年度绩效目标\\n(80分)	一级指标	二级指标	三级指标	年初目标值(A)	实际完成值(B)	得分
^	产出指标(80分)	数量指标	养护里程	120	126	80
"""


def imported(tmp_path: Path, grid_text: str):
    loaded, out = import_grid(tmp_path, grid_text)
    (project,) = loaded.content.unit_years()[0].projects
    return project, out


def test_a_form_without_a_full_year_budget_column_takes_the_initial_budget(tmp_path):
    project, out = imported(tmp_path, INITIAL_ONLY)
    e = project.evaluation
    assert (e.initial, e.adjusted, e.spent) == (Decimal("200"), Decimal("200"), Decimal("180"))
    assert project.budget == Decimal("200")
    assert "全年预算数（evaluation.budget.adjusted）取年初预算数" in out
    # The 其中 rows keep what is printed: no 全年预算数 is made up for them.
    assert [(f.source, f.initial, f.adjusted, f.spent) for f in e.funding] == [("财政拨款", Decimal("200"), None, Decimal("180"))]


def test_a_weight_printed_in_the_heading_is_the_execution_weight(tmp_path):
    project, _ = imported(tmp_path, INITIAL_ONLY)
    assert (project.evaluation.execution_weight, project.evaluation.execution_earned) == (Decimal("10"), Decimal("9"))
    assert "分值" not in project.notes  # the heading is the weight's column, not a note


def test_a_goals_row_without_headings_is_the_goal_then_what_was_done(tmp_path):
    project, _ = imported(tmp_path, INITIAL_ONLY)
    assert project.goals == ["完成全县农村公路养护120公里"]
    assert project.evaluation.outcome == ["养护农村公路126公里,路况良好"]
    assert project.facts == (("主管部门", "某县交通运输局"),)


def test_the_scoring_column_is_scoring(tmp_path):
    project, _ = imported(tmp_path, INITIAL_ONLY)
    assert [(i.level1, i.name, i.scoring, i.remark) for i in project.indicators] == [
        ("产出指标", "养护里程", "达到指标值记满分", ""), ("满意度指标", "群众满意度", "达到指标值记满分", "")]


def test_headings_with_a_bracketed_qualifier_and_a_section_weight(tmp_path):
    project, _ = imported(tmp_path, SECTION_WEIGHT)
    e = project.evaluation
    assert (e.initial, e.adjusted, e.spent) == (None, Decimal("50"), Decimal("40"))
    assert (e.execution_weight, e.execution_earned) == (Decimal("20"), Decimal("16"))
    assert project.budget == Decimal("50")


def test_goals_printed_one_a_row_under_their_headings_are_a_list(tmp_path):
    project, _ = imported(tmp_path, SECTION_WEIGHT)
    assert project.goals == ["目标1:养护农村公路120公里", "目标2:路况优良率90%"]
    assert project.evaluation.outcome == ["目标1:养护农村公路126公里", "目标2:路况优良率95%"]
    assert project.facts == (("主管部门", "某县交通运输局"),)


# The unit named on a line above the form; the 主管部门 cell names the department it sits under.
UNIT_LINE = """\
2024年度项目支出绩效自评表	<	<	<	<	<	<
单位名称:某县公路养护中心 填报日期:2025年3月1日	<	<	<	<	<	<
项目名称	乡村道路养护	<	<	<	<	<
主管部门	{department}	<	实施单位	{implementer}	<	<
预算执行情况(万元)\\n(20分)		预算数(A)	执行数(B)	执行率(B/A)	得分\\n(20分*执行率)	<
^	年度财政资金总额	50	40	80	16	<
年度绩效目标\\n(80分)	一级指标	二级指标	三级指标	年初目标值(A)	实际完成值(B)	得分
^	产出指标(80分)	数量指标	养护里程	120	126	80
"""


def test_a_unit_line_above_the_form_sits_under_the_department_cell(tmp_path):
    loaded, _ = import_grid(tmp_path, UNIT_LINE.format(department="某县交通运输局", implementer="某县公路养护中心"))
    agency = loaded.content.agencies[0]
    assert (agency.name, agency.department_code, agency.department_name) == ("某县公路养护中心", "", "某县交通运输局")


def test_a_department_cell_printed_as_the_implementer_too_is_the_unit_itself(tmp_path):
    # 主管部门 | 县公路中心 | 实施单位 | 县公路中心: the unit by a short name, not a department above it
    loaded, _ = import_grid(tmp_path, UNIT_LINE.format(department="县公路中心", implementer="县公路中心"))
    agency = loaded.content.agencies[0]
    assert (agency.name, agency.department_name) == ("某县公路养护中心", "")


def test_a_sector_department_is_not_the_units_department(tmp_path):
    # 业务主管部门 | 县民宗委: the department over the project's line of work, not the one the unit sits under
    grid = UNIT_LINE.format(department="某县民宗委", implementer="某县公路养护中心").replace("主管部门\t", "业务主管部门\t")
    loaded, _ = import_grid(tmp_path, grid)
    assert loaded.content.agencies[0].department_name == ""


# 原因 merged down the money rows: one 填报说明 beside them all; 备注 a cell of each row.
MERGED_REASON = """\
项目支出绩效自评表(2024年度)	<	<	<	<	<	<	<
项目名称	乡村道路养护	<	<	<	<	<	<
主管部门	某县交通运输局	<	<	实施单位	某县公路养护中心	<	<
预算执行情况(10分)	年度预算数(万元)	年初预算	调整后预算数	预算执行数	得分	原因	备注
^	总额	200	200	180	9	1.执行率未达到90%的需说明原因;2.调整预算的应单独说明	总额的备注
^	其中:财政资金	200	200	180	/	^	财政资金的备注
^	其他资金	0	0	0	/	^	
绩效指标(90分)	一级指标	二级指标	三级指标	指标值	完成值	权重	得分
^	产出指标	数量指标	养护里程	120	126	90	90
"""


def test_a_cell_merged_down_the_money_rows_is_one_note(tmp_path):
    project, _ = imported(tmp_path, MERGED_REASON)
    assert project.notes.split("\n") == ["1.执行率未达到90%的需说明原因;2.调整预算的应单独说明", "总额 备注：总额的备注",
                                         "其中:财政资金 备注：财政资金的备注"]
