"""Contract version 2 in the model: every new key loads, in order, located; results are computed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sitegen.model import MET, NOT_JUDGED, NOT_MET, split_cell
from sitegen.checks.pipeline import load_content
from tests.conftest import codes

DECLARATION = """\
    name: 文化旅游宣传推广
    code: "620201-23-001"
    budget: 50.00
    goals: [开展宣传推广活动]
    attribute: 延续项目
    period: 2023年
    implementer: 嘉峪关市文化和旅游局
    parent: 文化旅游发展
    total_investment: 150.00
    basis: 《嘉峪关市文化旅游发展规划》
    costs:
      - {item: 宣传费, amount: 30.00, basis: 按合同}
      - {item: 活动费, amount: 20.00}
    facts:
      资金用途: 业务类项目
      项目分类: 专项工作经费
      监督管理单位: 嘉峪关文旅局
    midterm:
      period: 2023年-2025年
      budget: 150.00
      goals: 三年宣传推广
      indicators:
        - {level1: 产出指标, level2: 数量指标, name: 宣传活动场次, target: ≥30场}
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 宣传活动场次, target: "≥10场", basis: 计划标准, last_actual: 8, remark: 按季度}
      - {level1: 产出指标, level2: 质量指标, name: 满意度, target: "＞＝９５％", actual: "96%", score: 20, earned: 20}
      - {level1: 效益指标, level2: 社会效益指标, name: 宣传效果, target: 明显, actual: 明显}
      - {level1: 产出指标, level2: 时效指标, name: 完成时间, op: "<=", target: 12, unit: 月, actual: 13, earned: 5, score: 10, deviation: 招标延迟}
    evaluation:
      published: 2024-05-31
      budget: {initial: 50.00, adjusted: 48.00, spent: 36.00}
      funding:
        - {source: 本年财政拨款, initial: 50.00, adjusted: 48.00, spent: 36.00}
      execution: {weight: 10, earned: 7.5}
      outcome: [完成宣传推广活动 12 场]
      stated_total: 32.5
    """


@pytest.fixture
def declared(site):
    return load_content(site({"u1/2024/p1.yaml": DECLARATION}))


def test_every_v2_cell_loads(declared):
    assert declared.findings.errors == []
    [project] = declared.content.projects()
    assert (project.attribute, project.period, project.implementer, project.parent) == (
        "延续项目", "2023年", "嘉峪关市文化和旅游局", "文化旅游发展")
    assert project.total_investment == Decimal("150.00") and project.basis.startswith("《")
    assert [(c.item, c.amount, c.basis) for c in project.costs] == [
        ("宣传费", Decimal("30.00"), "按合同"), ("活动费", Decimal("20.00"), "")]
    assert project.facts == (("资金用途", "业务类项目"), ("项目分类", "专项工作经费"), ("监督管理单位", "嘉峪关文旅局"))
    assert project.midterm.period == "2023年-2025年" and project.midterm.budget == Decimal("150.00")
    [mid] = project.midterm.indicators
    assert (mid.op, mid.target.text, mid.unit) == (">=", "30", "场")
    first = project.indicators[0]
    assert (first.basis, first.last_actual.text, first.remark) == ("计划标准", "8", "按季度")


def test_one_cell_targets_are_stored_split(declared):
    first, second, third, _ = declared.content.projects()[0].indicators
    assert (first.op, first.target.text, first.unit, first.kind) == (">=", "10", "场", "定量")
    assert (second.op, second.target.text, second.unit) == (">=", "95", "%")  # full-width signs and digits
    assert second.value_text == "≥95%" and second.actual.text == "96"
    assert third.target.text == "明显" and third.kind == "定性"


def test_results_are_computed_never_written(declared):
    project = declared.content.projects()[0]
    assert [i.met_label for i in project.indicators] == [NOT_JUDGED, MET, NOT_JUDGED, NOT_MET]
    late = project.indicators[3]
    assert late.lost_points and late.deviation == "招标延迟"
    evaluation = project.evaluation
    assert evaluation.execution_rate == Decimal("75.00")
    assert evaluation.total == Decimal("32.5")  # 20 + 5 + 7.5
    assert evaluation.counts() == {MET: 1, NOT_MET: 1, NOT_JUDGED: 2}


@pytest.mark.parametrize("cell, parts", [
    ("≥95%", (">=", "95", "%")), ("≤10元/卷", ("<=", "10", "元/卷")), ("=300天", ("=", "300", "天")),
    ("100%", (None, "100", "%")), ("大于等于 8 次", (">=", "8", "次")), ("＜5", ("<", "5", "")),
    ("按月及时发放", None), ("±3%以内", None), ("1次 ≥130人", None),
])
def test_split_cell(cell, parts):
    split = split_cell(cell)
    assert (split and (split.op, split.number, split.unit)) == parts


def test_met_by_direction_and_without(site):
    """Contract 2.1: a number target without op or direction is judged by its kind (推定): at most
    for 成本, at least otherwise; a written op or direction wins; text is never judged."""
    rows = "".join(
        f"  - {{level1: {l1}, level2: {l2}, name: n{i}, target: {t}, actual: {a}{extra}}}\n"
        for i, (l1, l2, t, a, extra) in enumerate([
            ("产出指标", "数量指标", 10, 12, ", direction: 正向"), ("产出指标", "数量指标", 10, 12, ", direction: 反向"),
            ("产出指标", "数量指标", 10, 10, ""), ("产出指标", "数量指标", 10, 11, ""), ("产出指标", "数量指标", 8755, 8676, ""),
            ("成本指标", "经济成本指标", 10, 11, ""), ("产出指标", "成本指标", 10, 9, ""), ("产出指标", "数量指标", 10, 9, ", op: '<='"),
            ("产出指标", "数量指标", 10, "未完成", ", op: '>='"), ("产出指标", "数量指标", "及时", "及时", ""),
        ])
    )
    loaded = load_content(site({"u1/2024/p1.yaml": f"name: x\nbudget: 1\ngoals: g\nindicators:\n{rows}"}))
    indicators = loaded.content.indicators()
    assert [i.met for i in indicators] == [True, False, True, True, False, False, True, True, None, None]
    assert [i.met_basis for i in indicators] == [
        "direction", "direction", "equal", "inferred", "inferred", "inferred", "inferred", "op", "", ""]
    assert [i.met_text for i in indicators[3:6]] == ["达成（推定）", "未达成（推定）", "未达成（推定）"]
    assert indicators[8].met_text == "未判定（完成值为文字或单位不同）"
    assert indicators[9].met_text == "未判定（目标值为文字）"


def test_a_written_op_or_unit_that_differs_keeps_the_target_as_written(site):
    row = "  - {level1: 产出指标, level2: 数量指标, name: n, op: '<=', target: '≥8次', unit: 次}\n"
    [indicator] = load_content(site({"u1/2024/p1.yaml": f"name: x\nbudget: 1\ngoals: g\nindicators:\n{row}"})).content.indicators()
    assert (indicator.op, indicator.target.text, indicator.unit) == ("<=", "≥8次", "次")


def test_new_keys_get_did_you_mean(site):
    loaded = load_content(site({"u1/2024/p1.yaml": DECLARATION.replace("    implementer:", "    implementor:")}))
    [error] = loaded.findings.errors
    assert error.code == "unknown-key" and "implementer" in error.message and error.loc.line == 7


def test_facts_keep_labels_and_refuse_duplicates(site):
    text = DECLARATION.replace("  项目分类: 专项工作经费", "  资金用途: 又一次")
    [error] = load_content(site({"u1/2024/p1.yaml": text})).findings.errors
    assert error.code == "duplicate-key" and "资金用途" in error.message


def test_evaluation_needs_its_budget(site):
    text = DECLARATION.replace("      budget: {initial: 50.00, adjusted: 48.00, spent: 36.00}\n", "")
    [error] = load_content(site({"u1/2024/p1.yaml": text})).findings.errors
    assert error.code == "missing-key" and "budget" in error.message


OVERALL = """\
    funds: {total: 100.00, basic: 60.00, project: 40.00}
    sources: [{source: 财政拨款, amount: 100.00}]
    duties: 负责全市人力资源和社会保障工作
    goals: [保障机构正常运转, 完成年度重点工作]
    tasks:
      - {duty: 就业服务, task: 组织招聘会, project: 测试项目, amount: 10.00}
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 招聘会场次, target: "≥12场"}
    """


def test_overall_yaml_loads_beside_the_projects(site):
    loaded = load_content(site({"u1/2024/overall.yaml": OVERALL}))
    assert loaded.findings.errors == []
    [unit_year] = loaded.content.unit_years()
    overall = unit_year.overall
    assert (overall.total, overall.basic, overall.project) == (Decimal("100.00"), Decimal("60.00"), Decimal("40.00"))
    assert overall.title == "测试单位2024年度部门整体支出绩效目标表"
    assert [(t.duty, t.project, t.amount) for t in overall.tasks] == [("就业服务", "测试项目", Decimal("10.00"))]
    assert overall.indicators[0].value_text == "≥12场"
    assert [p.id for p in unit_year.projects] == ["p1"]  # overall.yaml is not a project


def test_overall_errors_are_located(site):
    loaded = load_content(site({"u1/2024/overall.yaml": OVERALL.replace("basic: 60.00", "basic: 六十")}))
    [error] = loaded.findings.errors
    assert error.loc.file.endswith("overall.yaml") and error.loc.line == 1 and "basic" in error.message


@pytest.mark.parametrize("name", ["overall.yml", "Disclosure.yaml"])
def test_reserved_names_cannot_be_projects(site, name):
    loaded = load_content(site({f"u1/2024/{name}": "name: x\n"}))
    assert "reserved-id" in codes(loaded, "error")
