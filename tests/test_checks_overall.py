"""The checks of overall.yaml (部门整体支出绩效目标表), each fired alone on a small tree.

MINIMAL's unit u1 has one project, 测试项目, budget 10.00, in 2024.
"""

from __future__ import annotations

import pytest

from sitegen.checks.pipeline import load_content
from tests.conftest import codes

O = "u1/2024/overall.yaml"
FUNDS = "funds: {total: 100.00, basic: 60.00, project: 40.00}\n"
GOALS = "goals: [保障机构正常运转, 完成年度重点工作]\n"
TASKS = "tasks:\n  - {duty: 就业服务, task: 组织招聘会, project: 测试项目, amount: 10.00}\n"
INDICATORS = "indicators:\n  - {level1: 产出指标, level2: 数量指标, name: 招聘会场次, op: ≥, target: 12, unit: 场}\n"


def overall(funds: str = FUNDS, goals: str = GOALS, tasks: str = TASKS, indicators: str = INDICATORS) -> dict:
    return {O: funds + goals + tasks + indicators}


def task(project: str, amount: str = "10.00") -> str:
    return f"  - {{duty: 就业服务, task: 组织招聘会, project: {project}, amount: {amount}}}\n"


RULES = [
    ("overall-funds-split", overall(funds="funds: {total: 100.00, basic: 60.00, project: 30.00}\n")),
    ("overall-tasks-over-funds", overall(tasks="tasks:\n" + task("测试项目") + task("基本支出", "95.00"))),
    ("overall-projects-over-funds", overall(funds="funds: {total: 68.00, basic: 60.00, project: 8.00}\n")),
    ("overall-no-funds", overall(funds="")),
    ("overall-no-goals", overall(goals="goals: []\n")),
    ("overall-no-indicators", overall(indicators="indicators: []\n")),
    ("overall-unknown-project", overall(tasks="tasks:\n" + task("测试项目经费"))),
]


@pytest.mark.parametrize("code, files", RULES, ids=[r[0] for r in RULES])
def test_each_rule_fires_alone(site, code, files):
    loaded = load_content(site(files))
    assert codes(loaded) == [code], [f.format() for f in loaded.findings]


def test_a_complete_table_is_quiet(site):
    loaded = load_content(site(overall()))
    assert codes(loaded) == [], [f.format() for f in loaded.findings]


def test_the_checks_catch_a_unit_whose_projects_add_up_to_more_than_its_project_funds(site):
    files = overall(funds="funds: {total: 70.00, basic: 55.00, project: 15.00}\n")
    files["u1/2024/p2.yaml"] = "name: 第二个项目\nbudget: 7.50\ngoals: g\nindicators:\n" \
                               "  - {level1: 产出指标, level2: 数量指标, name: x, target: 1, unit: 次, score: 90}\n"
    loaded = load_content(site(files))
    [finding] = loaded.findings.warnings
    assert finding.code == "overall-projects-over-funds"
    assert "2 个项目" in finding.message and "17.50" in finding.message and "15.00" in finding.message
    assert finding.loc.file.endswith("overall.yaml") and finding.loc.line == 1 and finding.path == "funds.project"


def test_projects_of_another_year_are_not_counted(site):
    files = overall(funds="funds: {total: 68.00, basic: 60.00, project: 8.00}\n", tasks="")
    files[O.replace("2024", "2025")] = files.pop(O)
    assert codes(load_content(site(files))) == []  # u1 has no project in 2025


def test_messages_name_the_row_and_the_figures(site):
    loaded = load_content(site(overall(
        funds="funds: {total: 100.00, basic: 60.00, project: 30.00}\n",
        tasks="tasks:\n" + task("测试项目") + task("测试项目经费", "95.00"),
    )))  # fmt: skip
    found = {f.code: f for f in loaded.findings.warnings}
    split = found["overall-funds-split"]
    assert "60.00" in split.message and "30.00" in split.message and "90.00" in split.message and "100.00" in split.message
    over = found["overall-tasks-over-funds"]
    assert "2 行" in over.message and "105.00" in over.message and over.loc.line == 4  # the list, under `tasks:`
    unknown = found["overall-unknown-project"]
    assert "第 2 行" in unknown.message and "「测试项目经费」" in unknown.message and "最接近的是「测试项目」" in unknown.message
    assert unknown.path == "tasks[1].project" and unknown.loc.line == 5


def test_the_nearest_project_is_named(site):
    files = overall(tasks="tasks:\n" + task("就业补助资金"))
    files["u1/2024/p2.yaml"] = "name: 就业创业补助资金\nbudget: 5.00\ngoals: g\nindicators:\n" \
                               "  - {level1: 产出指标, level2: 数量指标, name: x, target: 1, unit: 次, score: 90}\n"
    [finding] = load_content(site(files)).findings.warnings
    assert "最接近的是「就业创业补助资金」" in finding.message


def test_task_names_match_loosely_and_basic_budget_is_not_a_project(site):
    files = overall(tasks="tasks:\n" + task("测试 项目") + task("基本支出", "50.00"))
    assert codes(load_content(site(files))) == []


def test_unit_indicators_get_the_row_checks(site):
    ind = "indicators:\n  - {level1: 产出指标, level2: 数量指标, name: 到位率, target: 120, unit: \"%\"}\n" \
          "  - {level1: 预期产出指标, level2: 质量指标, name: 审稿率}\n"
    found = load_content(site(overall(indicators=ind))).findings.warnings
    assert [(f.code, f.path) for f in found] == [
        ("percent-over-100", "indicators[0].target"), ("missing-target", "indicators[1]"), ("unknown-level1", "indicators[1].level1"),
    ]
    assert all(f.loc.file.endswith("overall.yaml") for f in found)


def test_no_tasks_check_without_project_tables(site):
    files = overall(tasks="tasks:\n" + task("另一个项目"))
    files["u1/2024/p1.yaml"] = None
    assert codes(load_content(site(files))) == []


def test_the_units_self_evaluation_gets_the_project_rules(site):
    """overall.yaml's evaluation: spent above the adjusted budget, points above the score."""
    rows = "indicators:\n  - {level1: 产出指标, level2: 数量指标, name: 招聘会场次, op: ≥, target: 12, unit: 场, " \
           "actual: 12, score: 10, earned: 12}\n"
    evaluation = "evaluation:\n  budget: {adjusted: 100.00, spent: 101.00}\n"
    loaded = load_content(site(overall(indicators=rows + evaluation)))
    found = sorted(f.code for f in loaded.findings.warnings)
    assert found == ["earned-over-score", "spent-over-adjusted"], [f.format() for f in loaded.findings]
    assert all(f.loc.file.endswith("overall.yaml") for f in loaded.findings.warnings)
    assert any("招聘会场次" in f.message for f in loaded.findings.warnings)
