"""The goals table's checks (contract version 1): scores, totals, targets.

Each rule is a small function over one project or one unit-year.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Iterable

from sitegen.checks.base import Flag, ProjectRule, UnitYearRule, flag, fmt, indicator_path, named
from sitegen.model.money import money_text
from sitegen.base.findings import quoted
from sitegen.model import Content, Indicator, Project, UnitYear

NUMERIC_OPS = (">=", "<=", ">", "<")
COST_LEVELS = ("成本指标", "经济成本指标")


# ---------------------------------------------------------------- project rules


def score_total(project: Project, content: Content) -> Iterable[Flag]:
    scores = [i.score for i in project.indicators if i.score is not None]
    if not scores:
        return
    expected = content.site.score_total
    total = sum(scores, Decimal(0))
    if total != expected:
        yield flag("score-total", f"指标分值（score）合计 {fmt(total)}，应为 {fmt(expected)}（score_total）", project, "indicators")


def cost_over_budget(project: Project, content: Content) -> Iterable[Flag]:
    money_unit = project.unit_year.money_unit
    costs = [
        i for i in project.indicators
        if is_cost(i) and i.unit.strip() == money_unit and i.target and i.target.is_numeric
    ]  # fmt: skip
    total = sum((i.target.number for i in costs), Decimal(0))  # type: ignore[union-attr,misc]
    if costs and total > project.budget:
        rows = "、".join(f"{quoted(i.name, 20)} {fmt(i.target.number)}" for i in costs)  # type: ignore[union-attr]
        message = (f"成本指标中以{money_unit}计的目标值（target）合计 {money_text(total, money_unit)}，"
                   f"超过项目预算数（budget）{money_text(project.budget, money_unit)}：{rows}")
        yield flag("cost-over-budget", message, project, "budget")


def is_cost(indicator: Indicator) -> bool:
    return indicator.level1_std == "成本指标" or indicator.level2_std in COST_LEVELS


def no_indicators(project: Project, content: Content) -> Iterable[Flag]:
    if not project.indicators:
        yield flag("no-indicators", "项目没有任何绩效指标（indicators 为空）", project, "indicators")


def duplicate_indicator(project: Project, content: Content) -> Iterable[Flag]:
    """The same 三级指标 twice under one 一级/二级.

    Real tables name an activity once under 数量指标 and again under 成本指标
    (its count and its cost); that is not a duplicate, so the key includes
    the levels.
    """
    counts = Counter(i.identity for i in project.indicators)
    seen: set = set()
    for position, indicator in enumerate(project.indicators):
        key = indicator.identity
        if counts[key] > 1 and key in seen:
            levels = f"{quoted(indicator.level1, 20)}/{quoted(indicator.level2, 20)}"
            message = f"三级指标（name）{quoted(indicator.name)}在 {levels} 下重复出现"
            yield flag("duplicate-indicator", message, indicator, "name", f"{indicator_path(position)}.name")
        seen.add(key)


def indicator_rules(project: Project, content: Content) -> Iterable[Flag]:
    for position, indicator in enumerate(project.indicators):
        path = indicator_path(position)
        for rule in INDICATOR_RULES:
            yield from rule(indicator, path)


# ---------------------------------------------------------------- indicator rules


def direction_op(indicator: Indicator, path: str) -> Iterable[Flag]:
    wrong = {"反向": (">=", ">"), "正向": ("<=", "<")}.get(indicator.direction or "", ())
    if indicator.op in wrong:
        message = f"指标方向（direction）为{indicator.direction}，比较符号（op）却是 {indicator.op}（{indicator.op_word}）"
        yield flag("direction-op", named(indicator) + message, indicator, "op", f"{path}.op")


def text_target_op(indicator: Indicator, path: str) -> Iterable[Flag]:
    target = indicator.target
    if target and not target.is_numeric and indicator.op in NUMERIC_OPS:
        message = f"目标值（target）{quoted(target.text)}是文字，却用了数值比较 {indicator.op}（{indicator.op_word}）"
        yield flag("text-target-op", named(indicator) + message, indicator, "target", f"{path}.target")


def percent_over_100(indicator: Indicator, path: str) -> Iterable[Flag]:
    target = indicator.target
    if target and target.number is not None and indicator.unit.strip() == "%" and target.number > 100:
        yield flag("percent-over-100", f"{named(indicator)}目标值（target）{target.text}% 超过 100%", indicator, "target", f"{path}.target")


def missing_target(indicator: Indicator, path: str) -> Iterable[Flag]:
    if indicator.target is None:
        yield Flag("missing-target", f"{named(indicator)}缺少目标值（target）", indicator.loc, path)


# Each level's key, its name in messages and what a standard name is (a 二级 has too many to list).
LEVELS = (("level1", "一级指标", "（产出指标、效益指标、满意度指标、成本指标）"), ("level2", "二级指标", ""))


def unknown_levels(indicator: Indicator, path: str) -> Iterable[Flag]:
    for key, level, standard in LEVELS:
        if getattr(indicator, f"{key}_std") is None:
            message = f"{named(indicator)}{level}（{key}）{quoted(getattr(indicator, key))}不在标准名称中{standard}"
            yield flag(f"unknown-{key}", message, indicator, key, f"{path}.{key}")


INDICATOR_RULES = (direction_op, text_target_op, percent_over_100, missing_target, unknown_levels)


# ---------------------------------------------------------------- unit-year rules


def stated_total(unit_year: UnitYear, content: Content) -> Iterable[Flag]:
    stated = unit_year.stated_total
    if stated is not None and stated != unit_year.total:
        unit = unit_year.money_unit
        message = f"原表合计（stated_total）{money_text(stated, unit)} 与各项目预算数之和 {money_text(unit_year.total, unit)} 不一致"
        yield flag("stated-total", message, unit_year, "stated_total")


PROJECT_RULES: tuple[ProjectRule, ...] = (no_indicators, score_total, cost_over_budget, duplicate_indicator, indicator_rules)
UNIT_YEAR_RULES: tuple[UnitYearRule, ...] = (stated_total,)

WARNING_CODES = {
    "score-total": "分值合计不等于 score_total",
    "stated-total": "原表合计与项目预算之和不一致",
    "cost-over-budget": "成本指标合计超过预算",
    "direction-op": "指标方向与比较符号矛盾",
    "text-target-op": "文字目标值用了数值比较",
    "percent-over-100": "百分比目标值超过 100%",
    "missing-target": "缺少目标值",
    "unknown-level1": "一级指标名称不标准",
    "unknown-level2": "二级指标名称不标准",
    "no-indicators": "项目没有绩效指标",
    "duplicate-indicator": "三级指标重复",
}
