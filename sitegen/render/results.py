"""Goals against results: the figures the results views show, computed once here.

The layouts (layouts/partials/results*.html, layouts/results.html) only print
them. Everything comes from the model's computed results (Indicator.met,
Evaluation.total / execution_rate / counts()); nothing is judged here.

"The year is over" is decided from the content, never from the clock, so the
same content builds the same pages: a budget year is over when the content
already holds a later budget year (of any unit). The newest year's projects
are not expected to have results yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sitegen.model import money
from sitegen.model import MET, NOT_JUDGED, NOT_MET, Agency, Content, Evaluation, Indicator, Project, UnitYear
from sitegen.render.charts import Chart, bar_chart

LABELS = (MET, NOT_MET, NOT_JUDGED)
# The plain mark beside the word, so the result never relies on colour alone.
SIGNS = {MET: "✓", NOT_MET: "✗", NOT_JUDGED: "–"}
CLASSES = {MET: "met", NOT_MET: "not-met", NOT_JUDGED: "not-judged"}
# A unit-year's status in the lists when only its department-wide table was self-evaluated: it has
# self-evaluated (not 自评未公开), with no project indicator to count.
DEPARTMENT_WIDE = "部门整体"


def year_status(unit_year: UnitYear) -> Summary | str | None:
    """A unit-year's self-evaluation as the lists show it: its projects' summary, else
    DEPARTMENT_WIDE when only its department-wide table was self-evaluated, else None."""
    return summarise(unit_year.projects) or (DEPARTMENT_WIDE if overall_evaluated(unit_year) else None)


def overall_evaluated(unit_year: UnitYear) -> bool:
    return bool(unit_year.overall and unit_year.overall.evaluation)


def has_results(content: Content) -> bool:
    """Whether the site publishes any self-evaluation; a site without one shows no results views."""
    return any(p.evaluation for p in content.projects())


def latest_year(content: Content) -> int | None:
    return max((uy.year for uy in content.unit_years()), default=None)


def year_over(unit_year: UnitYear, newest: int | None) -> bool:
    """Whether the budget year is over: `newest` is latest_year(content), asked once per build."""
    return newest is not None and unit_year.year < newest


def awaiting(unit_years: list[UnitYear], newest: int | None) -> list[Project]:
    """Projects whose budget year is over and that still have no self-evaluation."""
    return [p for uy in unit_years if year_over(uy, newest) for p in uy.projects if p.evaluation is None]


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class StackPart:
    """One part of the 达成 / 未达成 / 未判定 stacked bar: its count and its width in % of the bar."""

    label: str
    count: int
    width: Decimal
    css: str


@dataclass(frozen=True)
class Summary:
    """What a group of self-evaluated projects reached, for one unit-year or one unit."""

    projects: list[Project]  # those with an evaluation
    counts: dict[str, int]
    lost: int  # indicators that lost points (得分 below 分值)
    adjusted: Decimal  # in `unit`
    spent: Decimal
    average_total: Decimal | None
    unit: str = ""  # the money unit of adjusted and spent

    @property
    def indicators(self) -> int:
        return sum(self.counts.values())

    @property
    def judged(self) -> int:
        return self.counts[MET] + self.counts[NOT_MET]

    @property
    def met_share(self) -> Decimal | None:
        """达成率 = 达成 ÷ (达成 + 未达成): the not judged are counted beside it, never in it (contract 2.1)."""
        return percent(self.counts[MET], self.judged)

    @property
    def stack(self) -> list[StackPart]:
        """The stacked bar of the counts, widths in % of all the indicators evaluated."""
        return [StackPart(label, self.counts[label], percent(self.counts[label], self.indicators) or Decimal(0), CLASSES[label])
                for label in LABELS if self.counts[label]]

    @property
    def execution_rate(self) -> Decimal | None:
        return percent(self.spent, self.adjusted) if self.adjusted else None


def summarise(projects: list[Project], unit: str | None = None) -> Summary | None:
    """What these projects reached; their money in `unit` (default: the first one's unit-year's,
    which is every one's for a unit-year)."""
    evaluated = [p for p in projects if p.evaluation]
    if not evaluated:
        return None
    unit = unit or evaluated[0].unit_year.money_unit
    counts = dict.fromkeys(LABELS, 0)
    for project in evaluated:
        for label, count in project.evaluation.counts().items():  # type: ignore[union-attr]
            counts[label] += count
    totals = [p.evaluation.total for p in evaluated if p.evaluation.total is not None]  # type: ignore[union-attr]
    average = (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.01")) if totals else None
    return Summary(
        evaluated, counts, sum(1 for p in evaluated for i in p.indicators if i.lost_points),
        money.total([(p.evaluation.adjusted, p.unit_year.money_unit) for p in evaluated], unit),  # type: ignore[union-attr]
        money.total([(p.evaluation.spent, p.unit_year.money_unit) for p in evaluated], unit),  # type: ignore[union-attr]
        average, unit,
    )


@dataclass(frozen=True)
class UnitResult:
    agency: Agency
    years: list[int]
    summary: Summary


def unit_results(content: Content) -> list[UnitResult]:
    """Each unit with self-evaluations, in content order (a shard's part of the ranking)."""
    results = []
    for agency in content.agencies:
        summary = summarise([p for uy in agency.years for p in uy.projects],
                            agency.years[0].site_money_unit if agency.years else None)
        if summary:
            years = sorted({p.year for p in summary.projects})
            results.append(UnitResult(agency, years, summary))
    return results


def ranking(units: list[UnitResult]) -> list[UnitResult]:
    """Units with self-evaluations, by share of targets met (highest first), then by name."""
    return sorted(units, key=lambda r: (r.summary.met_share is None, -(r.summary.met_share or 0), r.agency.name, r.agency.id))


@dataclass(frozen=True)
class Shortfall:
    project: Project
    indicator: Indicator

    @property
    def lost(self) -> Decimal | None:
        i = self.indicator
        return i.score - i.earned if i.lost_points else None  # type: ignore[operator]


def shortfalls(content: Content) -> list[Shortfall]:
    """Indicators that missed their target (computed) or lost points (the agency's verdict), in site order."""
    return [Shortfall(p, i) for p in content.projects() if p.evaluation for i in p.indicators
            if i.met is False or i.lost_points]


def results_chart(units: list[UnitResult]) -> Chart:
    shares = {r.agency.name: r.summary.met_share for r in units if r.summary.met_share is not None}
    return bar_chart("chart-met-share", "各单位绩效指标达成率（%）", "%", shares)  # type: ignore[arg-type]


def outcome_pairs(project: Project) -> list[tuple[str, str]]:
    """预期目标 beside 实际完成情况, row by row; the longer list keeps its extra rows."""
    outcome = project.evaluation.outcome if project.evaluation else []
    goals = [g for g in project.goals if g.strip()]
    length = max(len(goals), len(outcome))
    return [(goals[n] if n < len(goals) else "", outcome[n] if n < len(outcome) else "") for n in range(length)]


def score_sum(indicators: list[Indicator], evaluation: Evaluation | None) -> Decimal | None:
    """The 分值 of the 总分 row: the indicators' scores plus the 执行率 weight; None when nothing is scored.
    For a project or a unit's overall table alike."""
    scores = [i.score for i in indicators if i.score is not None]
    if evaluation and evaluation.execution_weight is not None:
        scores.append(evaluation.execution_weight)
    return sum(scores, Decimal(0)) if scores else None
