"""The typed records renderers read: the one source of truth.

Built from located nodes by model/build.py; every value keeps where it was
written (`loc`, `locs`) so the checks can point at it. What the contract
says is computed (a result met or not, 执行率, totals) is a property here,
never a stored value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sitegen.content.fields import Target
from sitegen.base.findings import Loc
from sitegen.model import money
from sitegen.model.declared import declared
from sitegen.model.specs import (
    AGENCY, COST, DISCLOSURE, EVALUATION, EVALUATION_FUNDING, FUNDING, INDICATOR, LEVEL1_NAMES, LEVEL2_NAMES, MIDTERM,
    OP_SIGNS, OP_WORDS, OVERALL, PROJECT, SITE, SOURCE, TASK,
)
from sitegen.model.targets import judge

MET, NOT_MET, NOT_JUDGED = "达成", "未达成", "未判定"
INFERRED = "inferred"  # met_basis of a judgement by the indicator's kind (推定)


def standard_name(name: str, known: tuple[str, ...]) -> str | None:
    """The standard 一级/二级 name a written one stands for; None when unknown.

    The suffix-less regional spelling (社会效益 for 社会效益指标) is the same
    indicator class and is recognised, so facets and checks group them.
    """
    name = "".join(name.split())
    if name in known:
        return name
    if name + "指标" in known:
        return name + "指标"
    return None


@declared(INDICATOR, eq=False, slots=True)
class Indicator:
    """One row of 绩效指标: its declared values (level1 … deviation; `kind` is filled from the
    target when not written), where each was written, and the judgement computed from them."""

    loc: Loc
    locs: dict[str, Loc] = field(repr=False)
    # The standard 一级/二级 names (standard_name), which the checks, the facets and the charts
    # each ask for. Set once here rather than by cached_property: a cached_property's first
    # write turns the instance's key-sharing __dict__ into a full one, 770 bytes an indicator.
    level1_std: str | None = field(init=False, repr=False)
    level2_std: str | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.level1_std = standard_name(self.level1, LEVEL1_NAMES)
        self.level2_std = standard_name(self.level2, LEVEL2_NAMES)

    @property
    def identity(self) -> tuple[str, str, str]:
        """Which indicator this is within a project: the same 三级 under the same 一级/二级."""
        return (self.level1, self.level2, self.name)

    @property
    def op_word(self) -> str:
        return OP_WORDS.get(self.op or "", "")

    @property
    def op_sign(self) -> str:
        return OP_SIGNS.get(self.op or "", "")

    @property
    def nature(self) -> str:
        """指标性质 as the flat table prints it: the direction when written, else 定性 for text targets."""
        if self.direction:
            return self.direction
        return "定性" if self.kind == "定性" else ""

    @property
    def target_text(self) -> str:
        return self.target.text if self.target else ""

    @property
    def value_text(self) -> str:
        """指标值 as the per-project table prints it: ≥8次, 100%, ≤10元/卷."""
        if not self.target:
            return ""
        return f"{self.op_sign}{self.target.text}{self.unit}"

    @property
    def actual_text(self) -> str:
        """实际完成值 as printed beside the target: the number with the indicator's unit, or the text."""
        if not self.actual:
            return ""
        return f"{self.actual.text}{self.unit}" if self.actual.is_numeric else self.actual.text

    @property
    def judgement(self) -> tuple[bool | None, str]:
        """(met, basis) by the contract's rule: basis is op, direction, equal or inferred (推定:
        a number target without op or direction, judged at most for 成本 kinds, at least
        otherwise); (None, "") when not judged."""
        if self.actual is None or self.target is None:
            return None, ""
        if self.actual.number is None or self.target.number is None:
            return None, ""
        return judge(self.actual.number, self.target.number, self.op, self.direction, self.is_cost)

    @property
    def is_cost(self) -> bool:
        """A 成本 kind (its 一级 or 二级 name says 成本): an inferred mark is at most, not at least."""
        return "成本" in self.level1 or "成本" in self.level2

    @property
    def inferred(self) -> bool:
        """Whether the mark is inferred (推定): a number target without op or direction, missed or passed."""
        return self.judgement[1] == INFERRED

    @property
    def met(self) -> bool | None:
        """Whether the actual reached the target; None: not judged."""
        return self.judgement[0]

    @property
    def met_basis(self) -> str:
        """What the mark rests on: op, direction, equal, inferred; empty when not judged."""
        return self.judgement[1]

    @property
    def met_label(self) -> str:
        """达成 / 未达成 / 未判定: the key the counts use."""
        return {True: MET, False: NOT_MET, None: NOT_JUDGED}[self.met]

    @property
    def met_text(self) -> str:
        """The mark as pages print it: 达成（推定） for an inferred one, 未判定 with its reason."""
        met, basis = self.judgement
        if met is None:
            return f"{NOT_JUDGED}（{self.not_judged_reason}）"
        return self.met_label + ("（推定）" if basis == INFERRED else "")

    @property
    def not_judged_reason(self) -> str:
        """Why no mark: the reason a reader needs beside 未判定."""
        if self.target is None:
            return "缺少目标值"
        if self.actual is None:
            return "缺少实际完成值"
        if self.target.number is None:
            return "目标值为文字"
        return "完成值为文字或单位不同"

    @property
    def lost_points(self) -> bool:
        """The agency's own verdict: it took points off (得分 below 分值)."""
        return self.earned is not None and self.score is not None and self.earned < self.score


@declared(SOURCE, frozen=True)
class Source:
    """Where a published table came from (`source`): shown as 来源, kept in the open data."""

    @property
    def text(self) -> str:
        """来源 as one line: the title (or the address), and the publication date."""
        date_text = f"（发布日期 {self.published.isoformat()}）" if self.published else ""
        return f"{self.title or self.url}{date_text}"

    def as_json(self) -> dict:
        return {"url": self.url, "title": self.title, "published": self.published.isoformat() if self.published else None}


@declared(FUNDING, eq=False)
class Funding:
    """A row of 资金来源 (a project's funding, a unit's income sources)."""


@declared(COST, eq=False)
class Cost:
    loc: Loc


@declared(MIDTERM, eq=False)
class Midterm:
    indicators: list[Indicator]
    loc: Loc
    locs: dict[str, Loc] = field(repr=False)


def execution_rate(spent: Decimal | None, adjusted: Decimal | None) -> Decimal | None:
    """执行率 = 全年执行数 / 全年预算数, as a percentage with two decimals; None without both."""
    if spent is None or not adjusted:
        return None
    return (spent * 100 / adjusted).quantize(Decimal("0.01"))


@declared(EVALUATION_FUNDING, eq=False)
class EvaluationFunding:
    """A row under 其中 of the self-evaluation's 项目资金."""

    @property
    def execution_rate(self) -> Decimal | None:
        """The row's 执行率, printed beside its figures in the 自评表."""
        return execution_rate(self.spent, self.adjusted)


@declared(EVALUATION, flatten={"budget": "", "execution": "execution_"}, eq=False)
class Evaluation:
    """绩效自评: what was spent and reached; the indicators' results live on the indicators.
    `budget` is kept as initial, adjusted, spent; `execution` as execution_weight, execution_earned."""

    funding: list[EvaluationFunding]
    loc: Loc
    locs: dict[str, Loc] = field(repr=False)
    indicators: list[Indicator] = field(default_factory=list, repr=False)  # the owner's

    @property
    def execution_rate(self) -> Decimal | None:
        return execution_rate(self.spent, self.adjusted)

    @property
    def total(self) -> Decimal | None:
        """The computed 总分: the indicators' 得分 plus the 执行率 得分; None when nothing was scored."""
        parts = [i.earned for i in self.indicators if i.earned is not None]
        if self.execution_earned is not None:
            parts.append(self.execution_earned)
        return sum(parts, Decimal(0)) if parts else None

    def counts(self) -> dict[str, int]:
        """How many indicators met, did not meet, or could not be judged."""
        result = {MET: 0, NOT_MET: 0, NOT_JUDGED: 0}
        for indicator in self.indicators:
            result[indicator.met_label] += 1
        return result


@declared(PROJECT, eq=False, slots=True)
class Project:
    """One project: its declared values (name … facts; facts are (label as printed, text) in
    printed order), its nested records, and its place in the site."""

    id: str
    funding: list[Funding]
    indicators: list[Indicator]
    loc: Loc
    locs: dict[str, Loc] = field(repr=False)
    costs: list[Cost] = field(default_factory=list)
    midterm: Midterm | None = None
    evaluation: Evaluation | None = None
    provenance: list[Source] = field(default_factory=list)  # its own `source`
    unit_year: "UnitYear" = field(init=False, repr=False)

    @property
    def sources(self) -> list[Source]:
        """Its 来源: its own `source`, else its unit-year's."""
        return self.provenance or self.unit_year.provenance

    @property
    def agency(self) -> "Agency":
        return self.unit_year.agency

    @property
    def year(self) -> int:
        return self.unit_year.year

    @property
    def url(self) -> str:
        return f"{self.unit_year.url}{self.id}/"

    @property
    def sort_key(self) -> tuple:
        return (self.order is None, self.order or 0, self.id)


@declared(AGENCY, flatten={"department": "department_"}, eq=False)
class Agency:
    """A unit (agency.yaml); `department` is kept as department_code, department_name."""

    id: str
    loc: Loc
    locs: dict[str, Loc] = field(repr=False)
    years: list["UnitYear"] = field(default_factory=list, repr=False)

    @property
    def url(self) -> str:
        return f"/{self.id}/"


@declared(TASK, eq=False)
class Task:
    loc: Loc


@declared(OVERALL, flatten={"funds": ""}, eq=False)
class Overall:
    """部门（单位）整体支出绩效目标: what the whole unit's budget of the year is for. `funds` is
    kept as total (资金总额), basic (基本支出), project (项目支出)."""

    has_funds: bool
    sources: list[Funding]
    midterm: Midterm | None
    tasks: list[Task]
    indicators: list[Indicator]
    evaluation: Evaluation | None
    loc: Loc
    locs: dict[str, Loc] = field(repr=False)
    funds_locs: dict[str, Loc] = field(default_factory=dict, repr=False)
    provenance: list[Source] = field(default_factory=list)  # its own `source` (the unit-year's when empty)


@declared(DISCLOSURE, eq=False)
class UnitYear:
    """One unit's disclosure for one budget year (disclosure.yaml): its table as a whole. The
    builder fills title, pdf_layout and money_unit from the unit and the site when not written."""

    agency: Agency
    year: int
    loc: Loc
    locs: dict[str, Loc] = field(repr=False)
    projects: list[Project] = field(default_factory=list)
    overall: Overall | None = None
    site_money_unit: str = "万元"  # where its amounts meet others' (lists, totals, charts)
    provenance: list[Source] = field(default_factory=list)  # `source` of disclosure.yaml

    @property
    def url(self) -> str:
        return f"/{self.agency.id}/{self.year}/"

    @property
    def total(self) -> Decimal:
        return sum((p.budget for p in self.projects), Decimal("0.00"))

    @property
    def sources(self) -> list[Source]:
        """Its 来源: its disclosure's `source`, else its projects' own (one attachment a project)."""
        if self.provenance:
            return self.provenance
        return list(dict.fromkeys(s for p in self.projects for s in p.provenance))

    @property
    def site_total(self) -> Decimal:
        """The total in the site's money unit, to the cent, for the lists where unit-years meet."""
        return money.cents(money.convert(self.total, self.money_unit, self.site_money_unit))

    @property
    def indicator_count(self) -> int:
        return sum(len(p.indicators) for p in self.projects)


@dataclass(eq=False)
class Page:
    id: str
    title: str
    markdown: str
    loc: Loc

    @property
    def url(self) -> str:
        return f"/pages/{self.id}/"


@declared(SITE, eq=False)
class Site:
    """site.yaml; license is (name or SPDX id, url), empty when the site names none."""

    loc: Loc
    review: tuple[tuple[str, str], ...] = ()  # (rule code, off|warning|error) as site.yaml sets it

    def review_level(self, code: str) -> str:
        return dict(self.review).get(code, "warning")


@dataclass(eq=False)
class Content:
    site: Site
    agencies: list[Agency]
    pages: list[Page]

    def unit_years(self) -> list[UnitYear]:
        return [uy for agency in self.agencies for uy in agency.years]

    def projects(self) -> list[Project]:
        return [p for uy in self.unit_years() for p in uy.projects]

    def indicators(self) -> list[Indicator]:
        return [i for p in self.projects() for i in p.indicators]
