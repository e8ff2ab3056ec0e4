"""Checks of the cells contract version 2 added to a project: 成本构成, 中期/总投资 (上年实际值: review/rules.py)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Iterable

from sitegen.checks.base import Flag, flag, indicator_path
from sitegen.model.money import money_text
from sitegen.base.findings import quoted
from sitegen.model import Content, Project


def costs_total(project: Project, content: Content) -> Iterable[Flag]:
    amounts = [c.amount for c in project.costs if c.amount is not None]
    if not amounts:
        return
    total = sum(amounts, Decimal(0))
    if total != project.budget:
        items = "、".join(quoted(c.item, 20) for c in project.costs[:5]) + ("……" if len(project.costs) > 5 else "")
        unit = project.unit_year.money_unit
        message = f"成本构成（costs：{items}）金额合计 {money_text(total, unit)}，与项目预算数（budget）{money_text(project.budget, unit)} 不一致"
        yield flag("costs-total", message, project, "costs")


def below_budget(project: Project, content: Content) -> Iterable[Flag]:
    """The money of more than one year (total investment, medium term) below this year's budget."""
    midterm = project.midterm
    wholes = (("investment-below-budget", "项目总投资", project.total_investment, project, "total_investment", "total_investment"),
              ("midterm-below-budget", "中期资金总额", midterm and midterm.budget, midterm, "budget", "midterm.budget"))
    for code, what, amount, record, key, path in wholes:
        if amount is not None and amount < project.budget:
            unit = project.unit_year.money_unit
            message = f"{what}（{path}）{money_text(amount, unit)} 低于本年预算数（budget）{money_text(project.budget, unit)}"
            yield flag(code, message, record, key, path)


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
