"""Checks of the cells contract version 2 added to a project: 成本构成, 中期/总投资 (上年实际值: review/rules.py)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Iterable

from sitegen.checks.base import Flag, fmt, indicator_path
from sitegen.base.findings import quoted
from sitegen.model import Content, Project


def costs_total(project: Project, content: Content) -> Iterable[Flag]:
    amounts = [c.amount for c in project.costs if c.amount is not None]
    if not amounts:
        return
    total = sum(amounts, Decimal(0))
    if total != project.budget:
        items = "、".join(quoted(c.item, 20) for c in project.costs[:5]) + ("……" if len(project.costs) > 5 else "")
        yield Flag(
            "costs-total",
            f"成本构成（costs：{items}）金额合计 {fmt(total)}，与项目预算数（budget）{fmt(project.budget)} 不一致",
            project.locs.get("costs", project.loc),
            "costs",
        )


def below_budget(project: Project, content: Content) -> Iterable[Flag]:
    investment = project.total_investment
    if investment is not None and investment < project.budget:
        yield Flag(
            "investment-below-budget",
            f"项目总投资（total_investment）{fmt(investment)} 低于本年预算数（budget）{fmt(project.budget)}",
            project.locs.get("total_investment", project.loc),
            "total_investment",
        )
    midterm = project.midterm
    if midterm and midterm.budget is not None and midterm.budget < project.budget:
        yield Flag(
            "midterm-below-budget",
            f"中期资金总额（midterm.budget）{fmt(midterm.budget)} 低于本年预算数（budget）{fmt(project.budget)}",
            midterm.locs.get("budget", midterm.loc),
            "midterm.budget",
        )


def midterm_indicators(project: Project, content: Content) -> Iterable[Flag]:
    """The goals table's row checks (missing target, unknown names …) on the 中期 indicators too."""
    from sitegen.checks.goals import INDICATOR_RULES

    for position, indicator in enumerate(project.midterm.indicators if project.midterm else []):
        for rule in INDICATOR_RULES:
            for flag in rule(indicator, indicator_path(position, "midterm.")):
                yield replace(flag, message=f"中期指标：{flag.message}")


PROJECT_RULES = (costs_total, below_budget, midterm_indicators)  # soft-target: checks/review
UNIT_YEAR_RULES = ()
WARNING_CODES = {
    "costs-total": "成本构成合计与预算数不一致",
    "investment-below-budget": "项目总投资低于本年预算",
    "midterm-below-budget": "中期资金低于本年预算",
}
