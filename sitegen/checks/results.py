"""Checks of a self-evaluation (绩效自评): results against targets, points, money spent.

The rules read the computed results of the model (Indicator.met, Evaluation.total),
never a written verdict. `evaluation_flags` takes any owner's indicators and
evaluation, so the department-wide table's self-evaluation can use the same rules.
"""

from __future__ import annotations

from typing import Iterable

from sitegen.checks.base import Flag, flag, fmt, indicator_path
from sitegen.model.money import money_text
from sitegen.model import Content, Evaluation, Indicator, Project


def earned_over_score(indicator: Indicator, path: str) -> Iterable[Flag]:
    if indicator.earned is not None and indicator.score is not None and indicator.earned > indicator.score:
        message = f"三级指标「{indicator.name}」的得分（earned）{fmt(indicator.earned)} 超过分值（score）{fmt(indicator.score)}"
        yield flag("earned-over-score", message, indicator, "earned", f"{path}.earned")


def reached(indicator: Indicator) -> str:
    """'实际完成值 8676 / 目标 ≥8755': both figures, for a message about a missed target."""
    inferred = "（推定：未写比较符号和指标方向，按指标类别判断）" if indicator.met_basis == "inferred" else ""
    return f"实际完成值（actual）{indicator.actual_text} 未达到目标 {indicator.value_text}{inferred}"


def not_met_full_score(indicator: Indicator, path: str) -> Iterable[Flag]:
    if indicator.met is False and indicator.earned is not None and indicator.score is not None \
            and indicator.earned >= indicator.score:
        message = f"三级指标「{indicator.name}」{reached(indicator)}，却得了满分（earned {fmt(indicator.earned)}）"
        yield flag("not-met-full-score", message, indicator, "earned", f"{path}.earned")


def not_met_no_deviation(indicator: Indicator, path: str) -> Iterable[Flag]:
    if indicator.met is False and not indicator.deviation.strip():
        message = f"三级指标「{indicator.name}」{reached(indicator)}，没有写偏差原因（deviation）"
        yield flag("not-met-no-deviation", message, indicator, "actual", f"{path}.deviation")  # at the figure it explains


def missing_actual(indicator: Indicator, path: str) -> Iterable[Flag]:
    if indicator.actual is None:
        yield Flag("missing-actual", f"三级指标「{indicator.name}」缺少实际完成值（actual）", indicator.loc, f"{path}.actual")


# Per indicator, in this order; missing-actual only where the owner has a self-evaluation.
INDICATOR_RULES = (earned_over_score, not_met_full_score, not_met_no_deviation)


def spent_over_adjusted(evaluation: Evaluation, owner: str, unit: str) -> Iterable[Flag]:
    if evaluation.spent > evaluation.adjusted:
        message = (f"{owner}全年执行数（evaluation.budget.spent）{money_text(evaluation.spent, unit)} 超过全年预算数"
                   f"（evaluation.budget.adjusted）{money_text(evaluation.adjusted, unit)}")
        yield flag("spent-over-adjusted", message, evaluation, "spent", "evaluation.budget.spent")


def evaluation_total(evaluation: Evaluation, owner: str) -> Iterable[Flag]:
    stated, total = evaluation.stated_total, evaluation.total
    if stated is None or stated == total:
        return
    computed = "没有任何得分（earned）" if total is None else f"各指标得分（earned）加执行率得分（execution.earned）为 {fmt(total)}"
    message = f"{owner}原表总分（evaluation.stated_total）{fmt(stated)}，{computed}"
    yield flag("evaluation-total", message, evaluation, "stated_total", "evaluation.stated_total")


def evaluation_flags(indicators: list[Indicator], evaluation: Evaluation | None, owner: str = "",
                     unit: str = "") -> Iterable[Flag]:
    """Every self-evaluation warning of one owner (a project, or a unit's overall table); its money in `unit`."""
    for position, indicator in enumerate(indicators):
        path = indicator_path(position)
        for rule in INDICATOR_RULES:
            yield from rule(indicator, path)
        if evaluation is not None:
            yield from missing_actual(indicator, path)
    if evaluation is not None:
        yield from spent_over_adjusted(evaluation, owner, unit)
        yield from evaluation_total(evaluation, owner)


def project_results(project: Project, content: Content) -> Iterable[Flag]:
    return evaluation_flags(project.indicators, project.evaluation, f"项目「{project.name}」", project.unit_year.money_unit)


PROJECT_RULES = (project_results,)
UNIT_YEAR_RULES = ()
WARNING_CODES = {
    "earned-over-score": "得分超过分值",
    "not-met-full-score": "未达成目标却得满分",
    "not-met-no-deviation": "未达成目标而无偏差原因",
    "spent-over-adjusted": "执行数超过全年预算数",
    "evaluation-total": "自评原表总分与计算总分不一致",
    "missing-actual": "缺少实际完成值",
}
