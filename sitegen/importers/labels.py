"""The header labels real tables print, region by region, and the key each stands for.

A column is found by its label, never by its position. Labels are compared
without spaces, line breaks, full-width forms and a money unit in brackets
(`金额（万元）` is 金额, and says 万元).
"""

from __future__ import annotations

import re

from sitegen.importers.cells import squeeze

# Indicator columns: the key in the contract's indicator record. `sign` is a column that may hold
# 正向/反向 (direction), 定量/定性 (kind) or 大于等于/≥ (op), whatever its label says: regions print
# 指标性质 for the direction (乌海) or for the sign (井研); each cell is read for what it holds.
INDICATOR = {
    "level1": ("一级指标", "一级指标名称"),
    "level2": ("二级指标", "二级指标名称"),
    "name": ("三级指标", "三级指标名称", "指标名称", "指标内容", "绩效指标名称", "具体指标"),
    "target": ("目标值", "指标值", "年度指标值", "年度目标值", "指标目标值", "绩效指标值", "绩效目标值", "预期目标值", "目标值(指标值)", "年度指标值(A)",
               "指标值(或计划水平)", "计划指标值(或计划水平)", "计划指标值"),
    "unit": ("计量单位", "度量单位", "单位", "指标单位"),
    "sign": ("指标性质", "指标方向", "指标方向性", "指标属性", "指标类型", "计算符号", "比较符号", "符号", "运算符号", "指标值类型"),
    "score": ("分值", "权重", "指标分值", "指标权重", "权重(%)", "分值(权重)"),
    "explanation": ("指标解释", "指标说明", "指标内涵", "指标定义"),
    "scoring": ("评(扣)分标准", "评分标准", "扣分标准", "评分规则", "评(扣)分规则", "评分方法"),
    "basis": ("指标值确定依据", "指标标准或依据", "指标值设定依据", "目标值确定依据", "指标值设定依据及数据来源", "确定依据", "指标依据"),
    "last_actual": ("上年实际值", "上年实际实现值", "上年完成值", "上年度实际值", "上年实际完成值", "历史值"),
    "remark": ("备注",),
    "actual": ("实际完成值", "完成值", "全年实际值", "实际值", "实际完成情况值", "全年完成值", "实际完成指标值(B)", "实际完成值(B)"),
    "earned": ("得分", "自评得分", "实际得分"),
    "deviation": ("偏差原因分析及改进措施", "未完成原因分析", "偏差原因分析", "原因分析及改进措施", "未完成原因和改进措施", "偏差原因", "未完成原因分析及改进措施"),
}

# Project columns of the tables with one row per indicator (flat, per-project).
PROJECT = {
    "project": ("项目名称", "二级项目名称", "单位及项目名称", "项目", "项目(单位)名称"),
    "agency": ("项目单位", "单位名称", "预算单位", "预算单位名称", "单位"),
    "unit_code": ("单位编码", "单位代码", "预算单位编码"),
    "code": ("项目编码", "项目代码", "编码"),
    "category": ("项目类别", "项目分类名称"),
    "attribute": ("项目属性", "项目类型"),
    "budget": ("预算数", "金额", "预算金额", "项目金额", "资金总额", "年度资金总额", "预算资金", "项目预算数", "项目预算", "年度预算", "年度预算数", "预算安排"),
    "goals": ("年度绩效目标", "绩效目标", "年度目标", "项目绩效目标", "年度总体目标", "总体目标", "绩效目标内容"),
    "implementer": ("实施单位", "项目实施单位", "项目执行单位"),
    "period": ("项目期", "起止时间", "项目起止时间"),
    "parent": ("一级项目名称", "一级项目"),
    # A flat table with the year's results (sitegen's own XLSX after a self-evaluation).
    "ev_initial": ("年初预算数",),
    "ev_adjusted": ("全年预算数", "调整后预算数"),
    "ev_spent": ("全年执行数", "预算执行数"),
}

# The cells of contract version 2 that a flat table prints in columns of their own, as sitegen's
# own XLSX titles them (render/data.py: PROJECT_CELLS, INDICATOR_CELLS), and its 金额单位. Read by
# the flat table only (flat_cells.py): a declaration prints these labels in its labelled block
# (block.py), and as project labels they would make a block row above the indicators look like a
# header row.
FLAT_CELLS = {
    "money_unit": ("金额单位",),  # 元 or 万元: the unit of the row's amounts
    "total_investment": ("项目总投资", "总投资"),
    "project_basis": ("立项依据", "政策依据", "项目立项依据"),
    "costs": ("项目预算成本构成", "预算成本构成"),  # `成本项目: 金额; 测算依据: …`, a line each
    "facts": ("其他栏目",),  # `label: text`, a line each
    "midterm_period": ("中期期限",),
    "midterm_budget": ("中期资金总额",),
    "midterm_goals": ("中期目标", "中期绩效目标"),
    "term": ("指标期限",),  # 年度, or 中期 for midterm.indicators
}

# Columns that are computed from the others, never written (目标达成, 执行率): read, not kept.
COMPUTED = ("目标达成", "是否达成", "执行率", "执行率(%)", "预算执行率", "预算执行率(%)")

BRACKETED_UNIT = re.compile(r"[(（]\s*(万元|元)\s*[)）]")
# A declaration prints its two indicator groups as 二级指标(长期) … 二级指标(年度): the same column.
BRACKETED_PERIOD = re.compile(r"[(（]\s*(长期|中期|年度|当年)\s*[)）]$")
TRAILING = re.compile(r"[:：*＊]+$")
LEADING = re.compile(r"^[*＊]+")  # 湖南: `*指标值`, `*部门(单位)职责` mark the required cells


def label_text(text: str) -> str:
    """The label as compared: no spaces, half-width, no money unit in brackets, no trailing colon."""
    return BRACKETED_PERIOD.sub("", LEADING.sub("", TRAILING.sub("", BRACKETED_UNIT.sub("", squeeze(text)))))


def _index(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {label_text(label): key for key, labels in table.items() for label in labels}


INDICATOR_LABELS = _index(INDICATOR)
PROJECT_LABELS = _index(PROJECT)
FLAT_CELL_LABELS = _index(FLAT_CELLS)


def indicator_key(text: str) -> str | None:
    return INDICATOR_LABELS.get(label_text(text))


def project_key(text: str) -> str | None:
    return PROJECT_LABELS.get(label_text(text))


def flat_cell_key(text: str) -> str | None:
    return FLAT_CELL_LABELS.get(label_text(text))


def is_computed(text: str) -> bool:
    return label_text(text) in (label_text(one) for one in COMPUTED)


def is_total(text: str) -> bool:
    """合计 / 总计 / 合 计 rows."""
    return label_text(text) in ("合计", "总计", "小计", "合计金额")
