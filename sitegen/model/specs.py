"""The content contract (../shared/content-format.md, version 2) as data.

One `Spec` per kind of record. The same specs parse located nodes
(fields.parse_record), write the JSON Schemas and the `sitegen new`
scaffolds, so the three cannot drift apart. Version 2 only adds keys:
every version-1 file stays valid.
"""

from __future__ import annotations

from decimal import Decimal

from sitegen.content.fields import (
    Choice,
    Date,
    Field,
    Labelled,
    LanguageTag,
    Number,
    Record,
    Records,
    Spec,
    TargetValue,
    Text,
    TextList,
    Url,
)

OPS = (">=", "<=", "=", ">", "<")
OP_ALIASES = {
    "≥": ">=", "≧": ">=", "＞＝": ">=", ">＝": ">=", "大于等于": ">=", "不低于": ">=", "不少于": ">=",
    "≤": "<=", "≦": "<=", "＜＝": "<=", "<＝": "<=", "小于等于": "<=", "不高于": "<=", "不超过": "<=",
    "＝": "=", "==": "=", "等于": "=",
    "＞": ">", "大于": ">", "高于": ">",
    "＜": "<", "小于": "<", "低于": "<",
}
OP_WORDS = {">=": "大于等于", "<=": "小于等于", "=": "等于", ">": "大于", "<": "小于"}
OP_SIGNS = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}
LAYOUTS = ("flat", "per-project", "declaration")
MONEY_UNITS = ("万元", "元")

LEVEL1_NAMES = ("产出指标", "效益指标", "满意度指标", "成本指标")
LEVEL2_NAMES = (
    "数量指标", "质量指标", "时效指标", "成本指标",
    "经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标",
    "服务对象满意度指标",
    "经济成本指标", "社会成本指标", "生态环境成本指标",
)  # fmt: skip

# The target-quality review's rules (contract 2.1; sitegen/checks/review): `review` in site.yaml
# sets each to off, warning (the default) or error.
REVIEW_CODES = ("vague-target", "input-as-goal", "missing-dimension", "no-cost", "satisfaction-as-benefit",
                "quality-as-benefit", "multi-year-as-annual", "soft-target", "process-only",
                "full-marks-low-execution", "always-met-satisfaction")
REVIEW_LEVELS = ("off", "warning", "error")
REVIEW = Spec("review", "目标质量审核", tuple(
    Field(code, code, Choice(REVIEW_LEVELS, {"关闭": "off", "警告": "warning", "错误": "error"}), False,
          f"The review rule {code}: off, warning (default) or error.")
    for code in REVIEW_CODES
))

DEPARTMENT = Spec("department", "主管部门", (
    Field("code", "主管部门编码", Text(), True, "Code of the supervising department, e.g. \"057\"."),
    Field("name", "主管部门名称", Text(), True, "Name of the supervising department."),
))  # fmt: skip

SITE = Spec("site", "站点设置", (
    Field("title", "站点标题", Text(), True, "Site title, e.g. 预算绩效目标公开."),
    Field("base_url", "站点网址", Url(), True, "Absolute URL the site is served from."),
    Field("language", "语言", LanguageTag(), False, "Page language, a BCP 47 tag such as zh-CN.", "zh-CN"),
    Field("money_unit", "金额单位", Choice(MONEY_UNITS), False, "Unit every budget is written in.", "万元"),
    Field("score_total", "分值合计", Number(Decimal(0)), False,
          "Expected sum of indicator scores per project (10 more points are kept for 预算执行率).", Decimal(90)),
    Field("pdf_layout", "表格样式", Choice(LAYOUTS), False, "Default table layout: flat, per-project or declaration.", "flat"),
    Field("description", "站点简介", Text(markdown=True), False, "A sentence about the site, Markdown."),
    Field("review", "目标质量审核", Record(REVIEW), False, "The target-quality review's rules set to off, warning or error by code."),
))  # fmt: skip

AGENCY = Spec("agency", "预算单位", (
    Field("code", "单位编码", Text(), True, "Unit code as published; a string, leading zeros matter."),
    Field("name", "单位名称", Text(), True, "Unit name."),
    Field("region", "行政区划", Text(), True, "Administrative region, e.g. 内蒙古自治区乌海市."),
    Field("department", "主管部门", Record(DEPARTMENT), False, "Supervising department: {code, name}."),
    Field("pdf_layout", "表格样式", Choice(LAYOUTS), False, "Overrides the site's table layout."),
))  # fmt: skip

DISCLOSURE = Spec("disclosure", "年度公开表", (
    Field("title", "表格标题", Text(), False, "Printed title; default <year>年<unit>部门预算项目支出绩效目标公开表."),
    Field("published", "公开日期", Date(), False, "Date of publication, YYYY-MM-DD."),
    Field("stated_total", "合计（原表）", Number(), False, "The 合计 as printed in the source table."),
    Field("notes", "备注", Text(markdown=True), False, "Notes printed under the table, Markdown."),
    Field("pdf_layout", "表格样式", Choice(LAYOUTS), False, "Overrides the unit's table layout."),
    Field("money_unit", "金额单位", Choice(MONEY_UNITS), False, "Overrides the site's money unit."),
))  # fmt: skip

FUNDING = Spec("funding", "资金来源", (
    Field("source", "资金来源", Text(), True, "Source of funds, e.g. 财政拨款."),
    Field("amount", "金额", Number(Decimal(0)), True, "Amount from this source, in the money unit."),
))  # fmt: skip

INDICATOR = Spec("indicator", "绩效指标", (
    Field("level1", "一级指标", Text(), True, "产出指标, 效益指标, 满意度指标 or 成本指标, as written."),
    Field("level2", "二级指标", Text(), True, "e.g. 数量指标, 质量指标, 社会效益指标, as written."),
    Field("name", "三级指标", Text(), True, "The indicator itself."),
    Field("op", "比较符号", Choice(OPS, OP_ALIASES, code="unknown-op"), False,
          "Comparison: >=, <=, =, >, < (also ≥ ≤ ＝ ＞ ＜ and 大于等于 ...)."),
    Field("target", "目标值", TargetValue(), "warn", "Target: a number or text."),
    Field("unit", "计量单位", Text(), False, "Unit of measure, e.g. %, 万元, 人."),
    Field("direction", "指标方向", Choice(("正向", "反向")), False, "正向: more is better; 反向: less is better."),
    Field("kind", "指标性质", Choice(("定量", "定性")), False, "定量 or 定性; derived from target when absent."),
    Field("score", "分值", Number(Decimal(0)), False, "Score (weight) of the indicator."),
    Field("explanation", "指标解释", Text(), False, "What the indicator measures."),
    Field("scoring", "评分标准", Text(), False, "How points are given or taken."),
    Field("basis", "指标值确定依据", Text(), False, "Where the target comes from: 计划标准, 行业标准, 历史标准 ..."),
    Field("last_actual", "上年实际值", TargetValue(), False, "Last year's actual value: a number or text."),
    Field("remark", "备注", Text(), False, "The row's 备注."),
    Field("actual", "实际完成值", TargetValue(), False, "Self-evaluation: what was reached, a number or text."),
    Field("earned", "得分", Number(Decimal(0)), False, "Self-evaluation: the points the indicator earned."),
    Field("deviation", "偏差原因分析及改进措施", Text(), False, "Self-evaluation: why the target was missed, what will change."),
))  # fmt: skip

COST = Spec("cost", "成本构成", (
    Field("item", "成本项目", Text(), True, "Cost item as printed."),
    Field("amount", "成本金额", Number(Decimal(0)), False, "Amount in the money unit."),
    Field("basis", "测算依据", Text(), False, "How the amount was worked out."),
))  # fmt: skip

MIDTERM = Spec("midterm", "中期目标", (
    Field("period", "中期期限", Text(), False, "The medium-term period as written, e.g. 2019年--2021年."),
    Field("budget", "中期资金总额", Number(Decimal(0)), False, "Medium-term budget in the money unit."),
    Field("goals", "中期目标", TextList(), False, "Medium-term goals: one string or a list."),
    Field("indicators", "中期指标", Records(INDICATOR), False, "Medium-term indicators, same records as the year's."),
))  # fmt: skip

EVALUATION_BUDGET = Spec("evaluation_budget", "自评预算执行", (
    Field("initial", "年初预算数", Number(Decimal(0)), False, "Budget at the start of the year."),
    Field("adjusted", "全年预算数", Number(Decimal(0)), True, "Budget for the whole year after adjustments."),
    Field("spent", "全年执行数", Number(Decimal(0)), True, "What was spent in the year."),
))  # fmt: skip

EVALUATION_FUNDING = Spec("evaluation_funding", "自评资金来源", (
    Field("source", "资金来源", Text(), True, "Row under 其中, e.g. 本年财政拨款, 上年结转资金, 其他资金."),
    Field("initial", "年初预算数", Number(Decimal(0)), False, "Budget at the start of the year."),
    Field("adjusted", "全年预算数", Number(Decimal(0)), False, "Budget for the whole year."),
    Field("spent", "全年执行数", Number(Decimal(0)), False, "What was spent."),
))  # fmt: skip

EXECUTION = Spec("execution", "预算执行率得分", (
    Field("weight", "执行率分值", Number(Decimal(0)), False, "Points for 预算执行率, usually 10."),
    Field("earned", "执行率得分", Number(Decimal(0)), False, "Points it earned."),
))  # fmt: skip

EVALUATION = Spec("evaluation", "绩效自评", (
    Field("published", "自评公开日期", Date(), False, "Date the self-evaluation was published, YYYY-MM-DD."),
    Field("budget", "项目资金", Record(EVALUATION_BUDGET), True, "{initial, adjusted, spent} in the money unit."),
    Field("funding", "资金来源（自评）", Records(EVALUATION_FUNDING), False, "Rows under 其中: {source, initial, adjusted, spent}."),
    Field("execution", "预算执行率", Record(EXECUTION), False, "{weight, earned} of 预算执行率."),
    Field("outcome", "实际完成情况", TextList(), False, "What was achieved: text or a list matching goals."),
    Field("process", "项目实施内容及过程概述", Text(markdown=True), False, "How the project was carried out, Markdown."),
    Field("conclusion", "评价结论", Text(markdown=True), False, "The evaluation's conclusion, Markdown."),
    Field("problems", "存在问题", Text(markdown=True), False, "Problems found, Markdown."),
    Field("improvements", "改进措施", Text(markdown=True), False, "What will change, Markdown."),
    Field("stated_total", "总分（原表）", Number(), False, "总分 as printed."),
))  # fmt: skip

PROJECT = Spec("project", "项目", (
    Field("name", "项目名称", Text(), True, "Project name."),
    Field("code", "项目编码", Text(), False, "Project code."),
    Field("category", "项目类别", Text(), False, "Project category, e.g. 部门预算项目."),
    Field("budget", "预算数", Number(Decimal(0)), True, "Budget in the money unit; decimals kept as written."),
    Field("funding", "资金来源", Records(FUNDING), False, "Budget split by source: list of {source, amount}."),
    Field("goals", "年度绩效目标", TextList(), True, "Annual goals: one string or a list."),
    Field("description", "项目概况", Text(markdown=True), False, "Background, Markdown."),
    Field("indicators", "绩效指标", Records(INDICATOR), True, "Indicators in printed order."),
    Field("notes", "备注", Text(markdown=True), False, "Notes, Markdown."),
    Field("order", "排序", Number(), False, "Position in the unit-year table; projects without it follow by id."),
    Field("attribute", "项目属性", Text(), False, "项目属性 / 项目类型 as written: 新增项目, 延续项目 ..."),
    Field("period", "项目期", Text(), False, "项目期 / 起止时间 as written, e.g. 2021—2023年."),
    Field("implementer", "实施单位", Text(), False, "实施单位 when it is not the unit itself."),
    Field("parent", "一级项目名称", Text(), False, "The 一级项目 this project sits under."),
    Field("total_investment", "项目总投资", Number(Decimal(0)), False, "Total investment in the money unit."),
    Field("basis", "立项依据", Text(markdown=True), False, "立项依据 / 政策依据, Markdown."),
    Field("costs", "项目预算成本构成", Records(COST), False, "Cost items: list of {item, amount, basis}."),
    Field("facts", "其他栏目", Labelled(), False, "Every other labelled cell of the form: label as printed → text."),
    Field("midterm", "中期目标（中长期）", Record(MIDTERM), False, "{period, budget, goals, indicators} of the medium term."),
    Field("evaluation", "绩效自评", Record(EVALUATION), False, "The year's self-evaluation, added after the year."),
))  # fmt: skip

FUNDS = Spec("funds", "年度预算安排", (
    Field("total", "资金总额", Number(Decimal(0)), False, "The unit's whole budget for the year."),
    Field("basic", "基本支出", Number(Decimal(0)), False, "Basic expenditure (staff, running costs)."),
    Field("project", "项目支出", Number(Decimal(0)), False, "Project expenditure."),
))  # fmt: skip

TASK = Spec("task", "年度履职目标", (
    Field("duty", "部门职能", Text(), False, "The duty the task serves."),
    Field("task", "年度目标任务", Text(), False, "The year's task."),
    Field("project", "支出项目名称", Text(), False, "The project that pays for it, as printed."),
    Field("amount", "预算金额", Number(Decimal(0)), False, "Budget for the task in the money unit."),
))  # fmt: skip

OVERALL = Spec("overall", "部门整体支出绩效目标", (
    Field("title", "表格标题", Text(), False, "Printed title; default <unit><year>年度部门整体支出绩效目标表."),
    Field("published", "公开日期", Date(), False, "Date of publication, YYYY-MM-DD."),
    Field("funds", "年度预算安排", Record(FUNDS), "warn", "{total, basic, project} in the money unit."),
    Field("sources", "收入构成", Records(FUNDING), False, "Income by source: list of {source, amount}."),
    Field("duties", "部门（单位）职责", Text(markdown=True), False, "The unit's duties, Markdown."),
    Field("goals", "年度总体目标", TextList(), "warn", "The year's overall goals: text or a list."),
    Field("midterm", "中期目标（中长期）", Record(MIDTERM), False, "{period, goals, indicators} of the medium term."),
    Field("tasks", "年度履职目标", Records(TASK), False, "Tasks: list of {duty, task, project, amount}."),
    Field("indicators", "绩效指标", Records(INDICATOR), True, "Unit-level indicators in printed order."),
    Field("evaluation", "绩效自评", Record(EVALUATION), False, "The unit's self-evaluation for the year."),
    Field("notes", "备注", Text(markdown=True), False, "Notes, Markdown."),
))  # fmt: skip

# The files an agency writes, by schema name.
SPECS = {spec.name: spec for spec in (SITE, AGENCY, DISCLOSURE, PROJECT, OVERALL)}
# Every spec, for the docs' completeness test.
ALL_SPECS = (SITE, REVIEW, AGENCY, DEPARTMENT, DISCLOSURE, FUNDING, INDICATOR, COST, MIDTERM, PROJECT,
             EVALUATION, EVALUATION_BUDGET, EVALUATION_FUNDING, EXECUTION, FUNDS, TASK, OVERALL)
