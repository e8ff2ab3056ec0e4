"""Checks of overall.yaml, the department-wide table (部门整体支出绩效目标表).

The funds must split as printed (基本支出 + 项目支出 = 资金总额), the tasks and
the unit's project tables must fit in them, and each task's 支出项目名称
should name one of the unit's projects. Some regions print no money in this
table, so missing funds or goals are warnings, never errors. The unit
indicators get the same row checks as a project's.
"""

from __future__ import annotations

import difflib
import unicodedata
from decimal import Decimal
from typing import Iterable

from sitegen.checks import goals, results
from sitegen.checks.base import Flag, UnitYearRule, flag
from sitegen.model.money import money_text
from sitegen.model import Content, Overall, Project, Task, UnitYear

# 支出项目名称 that stand for the basic budget, not a project of their own.
BASIC_NAMES = ("基本支出", "人员经费", "公用经费", "人员经费和公用经费")


def plain_name(name: str) -> str:
    """A project name compared loosely: full-width and half-width signs alike, no spaces."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def task_project(task: Task, projects: list[Project]) -> Project | None:
    """The project a task's 支出项目名称 names, when one of the unit-year's has that name."""
    wanted = plain_name(task.project)
    if not wanted:
        return None
    return next((p for p in projects if plain_name(p.name) == wanted), None)


def nearest_name(name: str, projects: list[Project]) -> str:
    """The project name most like `name` (the ratio difflib gives), for the warning's hint."""
    wanted = plain_name(name)
    return max(projects, key=lambda p: difflib.SequenceMatcher(None, wanted, plain_name(p.name)).ratio()).name


def funds_loc(overall: Overall, key: str):
    return overall.funds_locs.get(key) or overall.locs.get("funds", overall.loc)


# ---------------------------------------------------------------- rules


def funds_split(unit_year: UnitYear, content: Content) -> Iterable[Flag]:
    o = unit_year.overall
    if o is None or None in (o.total, o.basic, o.project):
        return
    if o.basic + o.project != o.total:  # type: ignore[operator]
        unit = unit_year.money_unit
        yield Flag(
            "overall-funds-split",
            f"基本支出（funds.basic）{money_text(o.basic, unit)} + 项目支出（funds.project）{money_text(o.project, unit)} = "
            f"{money_text(o.basic + o.project, unit)}，与资金总额（funds.total）{money_text(o.total, unit)} 不一致",  # type: ignore[operator]
            funds_loc(o, "total"),
            "funds.total",
        )


def tasks_over_funds(unit_year: UnitYear, content: Content) -> Iterable[Flag]:
    o = unit_year.overall
    amounts = [t.amount for t in o.tasks if t.amount is not None] if o else []
    if not o or not amounts:
        return
    funds = o.total if o.total is not None else (o.basic + o.project if None not in (o.basic, o.project) else None)  # type: ignore[operator]
    total = sum(amounts, Decimal(0))
    if funds is not None and total > funds:
        unit = unit_year.money_unit
        message = f"年度履职目标（tasks）{len(amounts)} 行预算金额合计 {money_text(total, unit)}，超过资金总额 {money_text(funds, unit)}"
        yield flag("overall-tasks-over-funds", message, o, "tasks")


def projects_over_funds(unit_year: UnitYear, content: Content) -> Iterable[Flag]:
    """The unit's project tables of the year add up to more than the 项目支出 it declared."""
    o = unit_year.overall
    if o is None or o.project is None or not unit_year.projects:
        return
    if unit_year.total > o.project:
        yield Flag(
            "overall-projects-over-funds",
            f"本单位本年度 {len(unit_year.projects)} 个项目的预算数合计 {money_text(unit_year.total, unit_year.money_unit)}，"
            f"超过部门整体目标表的项目支出（funds.project）{money_text(o.project, unit_year.money_unit)}",
            funds_loc(o, "project"),
            "funds.project",
        )


def missing_parts(unit_year: UnitYear, content: Content) -> Iterable[Flag]:
    o = unit_year.overall
    if o is None:
        return
    if not o.has_funds or (o.total, o.basic, o.project) == (None, None, None):
        yield flag("overall-no-funds", "部门整体目标表没有年度预算安排（funds：资金总额、基本支出、项目支出）", o, "funds")
    if not [g for g in o.goals if g.strip()]:
        yield flag("overall-no-goals", "部门整体目标表没有年度总体目标（goals 缺少或为空）", o, "goals")
    if not o.indicators:
        yield flag("overall-no-indicators", "部门整体目标表没有任何绩效指标（indicators 为空）", o, "indicators")


def unknown_task_project(unit_year: UnitYear, content: Content) -> Iterable[Flag]:
    """A task paid from a project the unit published no table for (only when it published some)."""
    o = unit_year.overall
    if o is None or not unit_year.projects:
        return
    for position, task in enumerate(o.tasks):
        name = task.project.strip()
        if not name or plain_name(name) in BASIC_NAMES or task_project(task, unit_year.projects):
            continue
        yield Flag(
            "overall-unknown-project",
            f"年度履职目标第 {position + 1} 行的支出项目名称（project）「{name}」不是本单位 {unit_year.year} 年任何项目的名称；"
            f"最接近的是「{nearest_name(name, unit_year.projects)}」",
            task.loc,
            f"tasks[{position}].project",
        )


def indicator_rows(unit_year: UnitYear, content: Content) -> Iterable[Flag]:
    """The unit indicators' rows, by the same rules as a project's (the record has the same shape)."""
    o = unit_year.overall
    if o is None:
        return
    yield from goals.duplicate_indicator(o, content)  # type: ignore[arg-type]
    yield from goals.indicator_rules(o, content)  # type: ignore[arg-type]


def overall_results(unit_year: UnitYear, content: Content) -> Iterable[Flag]:
    """The self-evaluation of the whole unit, by the same rules as a project's (checks/results.py)."""
    o = unit_year.overall
    if o is not None:
        yield from results.evaluation_flags(o.indicators, o.evaluation, "部门整体支出", unit_year.money_unit)


PROJECT_RULES: tuple = ()
UNIT_YEAR_RULES: tuple[UnitYearRule, ...] = (
    missing_parts, funds_split, tasks_over_funds, projects_over_funds, unknown_task_project, indicator_rows,
    overall_results,
)
WARNING_CODES = {
    "overall-funds-split": "基本支出与项目支出之和不等于资金总额",
    "overall-tasks-over-funds": "年度履职目标金额合计超过资金总额",
    "overall-projects-over-funds": "项目预算合计超过部门整体项目支出",
    "overall-no-funds": "部门整体目标表没有年度预算安排",
    "overall-no-goals": "部门整体目标表没有年度总体目标",
    "overall-no-indicators": "部门整体目标表没有绩效指标",
    "overall-unknown-project": "履职目标的支出项目不在本单位项目中",
}
