"""The target-quality review's rules over one project or one unit-year (contract 2.1).

Each rule is a function yielding Flags whose message names the indicator, says why, and ends
with what a good target would look like (建议：…). What counts as vague, an input or a process
ratio is in vocabulary.yaml; these functions only apply it. Peers are in peers.py: they need
every unit, which a shard of the build does not have.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Callable, Iterable, Iterator

from sitegen.base.findings import quoted
from sitegen.checks.base import Flag, flag, fmt, indicator_path, named
from sitegen.checks.review.vocabulary import (
    flat, identity, is_cost, is_percent, is_satisfaction, level1_class, level2_class, more_is_better, vocabulary,
)
from sitegen.model import Content, Indicator, Project, UnitYear


# ---------------------------------------------------------------- one indicator


def vague(indicator: Indicator) -> str | None:
    """The hint when the indicator's 指标值 has no number and no graded standard where its 二级
    kind asks for a measure; None otherwise (a missing target is another warning)."""
    words = vocabulary()
    cls = level2_class(indicator)
    if cls not in words.measured_classes or indicator.target is None or indicator.target.is_numeric:
        return None
    text = flat(indicator.target.text)
    if words.not_a_target.match(text):
        return None
    if words.number.search(text) or words.graded.search(text) or words.graded.search(flat(indicator.scoring)):
        return None
    if words.number.search(flat(indicator.scoring)):
        return None  # the 评(扣)分标准 states the measure
    return words.vague_hints[cls]


def vague_targets(indicators: list[Indicator], owner: str = "") -> Iterator[Flag]:
    for position, indicator in enumerate(indicators):
        hint = vague(indicator)
        if hint:
            message = (f"{named(indicator)}{indicator.level2}要求可衡量的指标值，目标值（target）{quoted(indicator.target_text)}"
                       f"没有数值，也没有分级标准，无法据以判断是否完成。建议：{hint}")
            yield flag("vague-target", message, indicator, "target", f"{indicator_path(position, owner)}.target")


def is_input(indicator: Indicator, budget: Decimal | None) -> bool:
    """Money, staff or materials put in, set as an 产出 or 效益 (never a 成本 indicator)."""
    words = vocabulary()
    if level1_class(indicator) not in ("产出", "效益") or is_cost(indicator):
        return False
    name = flat(indicator.name)
    if words.not_input_names.search(name):
        return False
    if words.input_names.search(name):
        return True
    target = indicator.target
    return (budget is not None and target is not None and target.number == budget
            and flat(indicator.unit) in words.money_units)


def inputs_as_goals(indicators: list[Indicator], budget: Decimal | None, owner: str = "") -> Iterator[Flag]:
    for position, indicator in enumerate(indicators):
        if is_input(indicator, budget):
            message = (f"{named(indicator)}衡量的是投入的资金、人员或物资，却作为{indicator.level1}填报：投入到位不等于项目交付了什么。"
                       "建议：改为项目产出的数量、质量或带来的效益，如 培训人数 ≥500 人、验收合格率 =100%")
            yield flag("input-as-goal", message, indicator, "name", indicator_path(position, owner))


def quality_under_benefit(indicators: list[Indicator], owner: str = "") -> Iterator[Flag]:
    words = vocabulary()
    for position, indicator in enumerate(indicators):
        if level1_class(indicator) == "效益" and not is_satisfaction(indicator) and words.quality_names.search(flat(indicator.name)):
            message = (f"{named(indicator)}是产出的质量（合格率、故障率之类），却填在{indicator.level1}下：效益应是项目带来的变化。"
                       "建议：移到 产出指标 / 质量指标，效益下写受益对象得到的改变，如 群众就医等候时间缩短 ≥20%")
            yield flag("quality-as-benefit", message, indicator, "level1", indicator_path(position, owner))


def spans_years(period: str) -> bool:
    """Whether a 项目期 as written runs two years or more: 2021—2023年, 2019-2021, 3年; not
    202001-202012 or 2023.07-2024.01 (seven months)."""
    text = flat(period)
    count = re.fullmatch(r"([1-9]\d?)年", text)
    if count:
        return int(count[1]) >= 2
    ends = re.findall(r"((?:19|20)\d\d)(?:[.\-/年]?(\d{1,2})(?!\d))?", text)
    if len(ends) < 2:
        return False
    (y1, m1), (y2, m2) = ends[0], ends[-1]
    if m1 and m2 and 1 <= int(m1) <= 12 and 1 <= int(m2) <= 12:
        return (int(y2) - int(y1)) * 12 + int(m2) - int(m1) + 1 > 12
    return int(y2) - int(y1) >= 1


def multi_year_figures(project: Project) -> dict[str, Decimal]:
    """What an annual target must not simply repeat: the 中期 figure of the same indicator,
    and for money the 中期 budget and the total investment."""
    figures: dict[str, Decimal] = {}
    if project.midterm:
        for indicator in project.midterm.indicators:
            if indicator.target is not None and indicator.target.number is not None:
                figures[identity(indicator)] = indicator.target.number
    return figures


def multi_year_as_annual(project: Project, content: Content) -> Iterable[Flag]:
    if not spans_years(project.period):
        return
    figures = multi_year_figures(project)
    money = {f for f in (project.total_investment, project.midterm.budget if project.midterm else None) if f is not None}
    for position, indicator in enumerate(project.indicators):
        target = indicator.target
        if target is None or target.number is None or is_percent(indicator.unit) or target.number == 0:
            continue
        midterm = figures.get(identity(indicator))
        is_money = flat(indicator.unit) in vocabulary().money_units
        if target.number == midterm or (is_money and target.number in money):
            what = "中期目标" if target.number == midterm else "中期资金或项目总投资"
            message = (f"{named(indicator)}年度目标值（target）{target.text}{indicator.unit}等于{what}，而项目期 {quoted(project.period)} "
                       "跨越多年：把全期的量当成了一年的量。建议：写明本年度应完成的部分，如 全期 3 座中本年完成 1 座")
            yield flag("multi-year-as-annual", message, indicator, "target", f"{indicator_path(position)}.target")


# ---------------------------------------------------------------- one table


def missing_dimension(project: Project, content: Content) -> Iterable[Flag]:
    indicators = project.indicators
    if not indicators:
        return  # no-indicators says it
    present = {level1_class(i) for i in indicators} | {"满意度" for i in indicators if is_satisfaction(i)}
    missing = [k for k in ("产出", "效益", "满意度") if k not in present]
    reasons = []
    if missing:
        reasons.append("没有" + "、".join(f"{k}指标" for k in missing))
    if len(indicators) < 3:
        reasons.append(f"只有 {len(indicators)} 项指标")
    if reasons:
        message = (f"项目{quoted(project.name)}{'，'.join(reasons)}：绩效目标应至少从产出、效益、满意度三个方面、以三项以上指标来衡量。"
                   "建议：补齐缺少的维度，如 效益指标 / 社会效益指标、满意度指标 / 服务对象满意度 ≥90%")
        yield flag("missing-dimension", message, project, "indicators")


def no_cost(project: Project, content: Content) -> Iterable[Flag]:
    if not project.indicators or project.year < vocabulary().cost_dimension_from:
        return
    if not any(is_cost(i) for i in project.indicators):
        message = (f"项目{quoted(project.name)}没有成本指标：{vocabulary().cost_dimension_from} 年起的绩效目标表有成本维度"
                   "（财预〔2021〕101号）。建议：加上 成本指标 / 经济成本指标，如 人均培训成本 ≤300 元/人")
        yield flag("no-cost", message, project, "indicators")


def satisfaction_as_benefit(project: Project, content: Content) -> Iterable[Flag]:
    benefits = [i for i in project.indicators if level1_class(i) == "效益"]
    if benefits and all(is_satisfaction(i) for i in benefits):
        names = "、".join(quoted(i.name, 20) for i in benefits[:3])
        message = (f"项目{quoted(project.name)}的效益指标只有满意度类的条目（{names}）：满意度是另一个维度，不是项目带来的效益。"
                   "建议：效益下写受益对象得到的改变，如 受益人口数 ≥1000 人、空气质量优良天数比例 ≥85%")
        yield flag("satisfaction-as-benefit", message, benefits[0], "level1", indicator_path(project.indicators.index(benefits[0])))


def process_only(project: Project, content: Content) -> Iterable[Flag]:
    words = vocabulary()
    indicators = project.indicators
    if indicators and all(words.process_names.search(flat(i.name)) for i in indicators):
        names = "、".join(quoted(i.name, 20) for i in indicators[:3])
        message = (f"项目{quoted(project.name)}的指标全是资金过程比率（{names}）：它们说明钱拨了、发了，没说办成了什么。"
                   "建议：加上产出和效益，如 保障人数 ≥230 人、按期发放月份 =12 个月、服务对象满意度 ≥90%")
        yield flag("process-only", message, project, "indicators")


def full_marks_low_execution(project: Project, content: Content) -> Iterable[Flag]:
    evaluation = project.evaluation
    if evaluation is None or evaluation.execution_rate is None:
        return
    rate = evaluation.execution_rate
    scored = [i for i in project.indicators if i.score is not None]
    if rate >= vocabulary().low_execution or not scored:
        return
    if all(i.earned is not None and i.earned >= i.score for i in scored):  # type: ignore[operator]
        message = (f"项目{quoted(project.name)}的 {len(scored)} 项指标全部得满分，而预算执行率只有 {fmt(rate)}%"
                   f"（低于 {vocabulary().low_execution}%）：钱没花完，目标却都完成了，说明目标定得过低或自评偏宽。"
                   "建议：按实际完成值重新评分，并在偏差原因（deviation）中说明资金结余的原因")
        yield flag("full-marks-low-execution", message, evaluation, "spent", "evaluation.budget.spent")


# ---------------------------------------------------------------- across the unit's years


def earlier_actual(indicator: Indicator, project: Project) -> tuple[str, Decimal, str] | None:
    """Last year's result of the same indicator: its `last_actual`, else the previous year's
    self-evaluation of the same project id. (text, number, where it comes from)"""
    written = last_actual(indicator)
    if written is not None:
        return written
    previous = previous_project(project)
    if previous is None or previous.evaluation is None:
        return None
    key = identity(indicator)
    for old in previous.indicators:
        if identity(old) == key and old.actual is not None and old.actual.number is not None and old.unit == indicator.unit:
            return old.actual.text, old.actual.number, f"{previous.year} 年自评的实际完成值（actual）"
    return None


def last_actual(indicator: Indicator) -> tuple[str, Decimal, str] | None:
    """The indicator's own `last_actual` when it is a number, as earlier_actual gives it."""
    last = indicator.last_actual
    if last is not None and last.number is not None:
        return last.text, last.number, "上年实际值（last_actual）"
    return None


def previous_project(project: Project) -> Project | None:
    for unit_year in project.agency.years:
        if unit_year.year == project.year - 1:
            return next((p for p in unit_year.projects if p.id == project.id), None)
    return None


def soft_flag(indicator: Indicator, path: str, before: tuple[str, Decimal, str]) -> Flag | None:
    """soft-target when the target is below what was reached before (above, for less-is-better)."""
    target, better = indicator.target, more_is_better(indicator)
    if target is None or target.number is None or better is None:
        return None
    text, number, source = before
    if not ((better and number > target.number) or (not better and number < target.number)):
        return None
    message = (f"{named(indicator)}目标值（target）{target.text}{indicator.unit}{'低于' if better else '高于'}{source}{text}{indicator.unit}"
               f"：已经做到的水平定成了目标。建议：目标值至少{'不低于' if better else '不高于'}上年实际，"
               f"如 {indicator.op_sign or ('≥' if better else '≤')}{text}{indicator.unit}")
    return flag("soft-target", message, indicator, "target", path)


def soft_targets(indicators: list[Indicator], earlier: Callable[[Indicator], tuple[str, Decimal, str] | None]) -> Iterator[Flag]:
    """soft-target of each indicator against what `earlier` says was reached before it."""
    for position, indicator in enumerate(indicators):
        before = earlier(indicator)
        found = soft_flag(indicator, f"{indicator_path(position)}.target", before) if before else None
        if found:
            yield found


def soft_by_history(project: Project, content: Content) -> Iterable[Flag]:
    yield from soft_targets(project.indicators, lambda indicator: earlier_actual(indicator, project))


def satisfaction_years(project: Project, indicator: Indicator) -> list[tuple[int, Indicator]]:
    """The same indicator of the same unit, in every year with a self-evaluation (any project)."""
    key = identity(indicator)
    found = []
    for unit_year in project.agency.years:
        if unit_year.year > project.year:
            continue
        for other in unit_year.projects:
            if other.evaluation is None:
                continue
            match = next((i for i in other.indicators if identity(i) == key), None)
            if match is not None:
                found.append((unit_year.year, match))
                break
    return found


def always_met_satisfaction(project: Project, content: Content) -> Iterable[Flag]:
    words = vocabulary()
    if project.evaluation is None:
        return
    for position, indicator in enumerate(project.indicators):
        if not is_satisfaction(indicator):
            continue
        years = satisfaction_years(project, indicator)
        if len(years) < words.always_met_years or years[-1][0] != project.year:
            continue
        high = all(i.actual is not None and i.actual.number is not None and is_percent(i.unit)
                   and i.actual.number >= words.always_met_floor and i.met for _, i in years)
        surveyed = any(words.survey_words.search(flat(i.basis + i.explanation + i.scoring)) for _, i in years)
        if high and not surveyed:
            shown = "、".join(f"{year} 年 {i.actual.text}%" for year, i in years)  # type: ignore[union-attr]
            message = (f"{named(indicator)}连续 {len(years)} 年自评都达到 {words.always_met_floor}% 以上并达成（{shown}），"
                       "而指标值确定依据（basis）没有写明调查方法：无从知道满意度是怎样得出的。"
                       "建议：在 basis 中写明调查方式和样本，如 第三方问卷调查，抽样 300 户")
            yield flag("always-met-satisfaction", message, indicator, "actual", f"{indicator_path(position)}.actual")


# ---------------------------------------------------------------- registered


def one_indicator_rules(indicators: list[Indicator], budget: Decimal | None) -> Iterator[Flag]:
    yield from vague_targets(indicators)
    yield from inputs_as_goals(indicators, budget)
    yield from quality_under_benefit(indicators)


def indicator_rules(project: Project, content: Content) -> Iterable[Flag]:
    yield from one_indicator_rules(project.indicators, project.budget)


def overall_rules(unit_year: UnitYear, content: Content) -> Iterable[Flag]:
    """The one-indicator rules on the department-wide table (contract: Scope)."""
    overall = unit_year.overall
    if overall is None:
        return
    yield from one_indicator_rules(overall.indicators, None)
    yield from soft_targets(overall.indicators, last_actual)  # its last_actual: a unit has no project id to follow


PROJECT_RULES = (indicator_rules, multi_year_as_annual, soft_by_history, missing_dimension, no_cost,
                 satisfaction_as_benefit, process_only, full_marks_low_execution, always_met_satisfaction)
UNIT_YEAR_RULES = (overall_rules,)
