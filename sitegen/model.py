"""Stage 2, model: located nodes → typed records, the one source of truth.

The specs below are the content contract (../shared/content-format.md) as
data. Renderers read only the records built here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from decimal import Decimal

from sitegen.fields import (
    Choice,
    Date,
    Field,
    LanguageTag,
    Number,
    Parsed,
    Record,
    Records,
    Spec,
    Target,
    TargetValue,
    Text,
    TextList,
    Url,
    parse_record,
)
from sitegen.findings import Findings, Loc
from sitegen.load import AgencyDir, PageFile, ProjectFile, Tree, YearDir

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
LAYOUTS = ("flat", "per-project")
MONEY_UNITS = ("万元", "元")

LEVEL1_NAMES = ("产出指标", "效益指标", "满意度指标", "成本指标")
LEVEL2_NAMES = (
    "数量指标", "质量指标", "时效指标", "成本指标",
    "经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标",
    "服务对象满意度指标",
    "经济成本指标", "社会成本指标", "生态环境成本指标",
)  # fmt: skip

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
    Field("pdf_layout", "表格样式", Choice(LAYOUTS), False, "Default table layout: flat or per-project.", "flat"),
    Field("description", "站点简介", Text(markdown=True), False, "A sentence about the site, Markdown."),
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
))  # fmt: skip

SPECS = {spec.name: spec for spec in (SITE, AGENCY, DISCLOSURE, PROJECT)}


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


# ---------------------------------------------------------------- records


@dataclass(eq=False)
class Indicator:
    level1: str
    level2: str
    name: str
    op: str | None
    target: Target | None
    unit: str
    direction: str | None
    kind: str
    score: Decimal | None
    explanation: str
    scoring: str
    loc: Loc
    locs: dict[str, Loc] = field(repr=False)

    # Cached: the checks, the facets and the charts each ask for every indicator.
    @cached_property
    def level1_std(self) -> str | None:
        return standard_name(self.level1, LEVEL1_NAMES)

    @cached_property
    def level2_std(self) -> str | None:
        return standard_name(self.level2, LEVEL2_NAMES)

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


@dataclass(eq=False)
class Funding:
    source: str
    amount: Decimal


@dataclass(eq=False)
class Project:
    id: str
    name: str
    code: str
    category: str
    budget: Decimal
    funding: list[Funding]
    goals: list[str]
    description: str
    indicators: list[Indicator]
    notes: str
    order: Decimal | None
    loc: Loc
    locs: dict[str, Loc] = field(repr=False)
    unit_year: "UnitYear" = field(init=False, repr=False)

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


@dataclass(eq=False)
class Agency:
    id: str
    code: str
    name: str
    region: str
    department_code: str
    department_name: str
    pdf_layout: str | None
    loc: Loc
    locs: dict[str, Loc] = field(repr=False)
    years: list["UnitYear"] = field(default_factory=list, repr=False)

    @property
    def url(self) -> str:
        return f"/{self.id}/"


@dataclass(eq=False)
class UnitYear:
    """One unit's disclosure for one budget year: its table as a whole."""

    agency: Agency
    year: int
    title: str
    published: date | None
    stated_total: Decimal | None
    notes: str
    pdf_layout: str
    money_unit: str
    loc: Loc
    locs: dict[str, Loc] = field(repr=False)
    projects: list[Project] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"/{self.agency.id}/{self.year}/"

    @property
    def total(self) -> Decimal:
        return sum((p.budget for p in self.projects), Decimal("0.00"))

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


@dataclass(eq=False)
class Site:
    title: str
    base_url: str
    language: str
    money_unit: str
    score_total: Decimal
    pdf_layout: str
    description: str
    loc: Loc


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


# ---------------------------------------------------------------- building


DEFAULT_SITE = Site("预算绩效目标公开", "http://localhost/", "zh-CN", "万元", Decimal(90), "flat", "", Loc("site.yaml"))


def build_content(tree: Tree, findings: Findings) -> Content:
    site = build_site(tree, findings)
    agencies = [a for a in (build_agency(d, site, findings) for d in tree.agencies) if a]
    pages = [build_page(p) for p in tree.pages]
    return Content(site, agencies, pages)


def build_site(tree: Tree, findings: Findings) -> Site:
    if tree.site is None:
        return DEFAULT_SITE
    p = parse_record(tree.site, SITE, "", findings)
    if not p.ok:
        return DEFAULT_SITE
    v = p.values
    return Site(
        v["title"], v["base_url"], v["language"], v["money_unit"], v["score_total"],
        v["pdf_layout"], v.get("description", ""), p.loc,
    )  # fmt: skip


def build_agency(folder: AgencyDir, site: Site, findings: Findings) -> Agency | None:
    if folder.node is None:
        return None
    p = parse_record(folder.node, AGENCY, "", findings)
    if not p.ok:
        return None
    v = p.values
    department = p.children.get("department")
    dept = department.values if isinstance(department, Parsed) else {}
    agency = Agency(
        folder.id, v["code"], v["name"], v["region"], dept.get("code", ""), dept.get("name", ""),
        v.get("pdf_layout"), p.loc, p.locs,
    )  # fmt: skip
    agency.years = [build_unit_year(y, agency, site, findings) for y in folder.years]
    return agency


def build_unit_year(folder: YearDir, agency: Agency, site: Site, findings: Findings) -> UnitYear:
    v: dict = {}
    locs: dict[str, Loc] = {}
    loc = Loc(folder.shown)
    if folder.disclosure is not None:
        p = parse_record(folder.disclosure, DISCLOSURE, "", findings)
        v, locs, loc = p.values, p.locs, p.loc
    unit_year = UnitYear(
        agency=agency,
        year=folder.year,
        title=v.get("title") or f"{folder.year}年{agency.name}部门预算项目支出绩效目标公开表",
        published=v.get("published"),
        stated_total=v.get("stated_total"),
        notes=v.get("notes", ""),
        pdf_layout=v.get("pdf_layout") or agency.pdf_layout or site.pdf_layout,
        money_unit=v.get("money_unit") or site.money_unit,
        loc=loc,
        locs=locs,
    )
    for project_file in folder.projects:
        project = build_project(project_file, findings)
        if project:
            project.unit_year = unit_year
            unit_year.projects.append(project)
    unit_year.projects.sort(key=lambda p: p.sort_key)
    return unit_year


def build_project(source: ProjectFile, findings: Findings) -> Project | None:
    if source.node is None:
        return None
    p = parse_record(source.node, PROJECT, "", findings)
    if not p.ok:
        return None
    v = p.values
    indicator_records = p.children.get("indicators", [])
    funding_records = p.children.get("funding", [])
    return Project(
        id=source.id,
        name=v["name"],
        code=v.get("code", ""),
        category=v.get("category", ""),
        budget=v["budget"],
        funding=[Funding(f.values["source"], f.values["amount"]) for f in funding_records],
        goals=v["goals"],
        description=v.get("description", ""),
        indicators=[build_indicator(r) for r in indicator_records],
        notes=v.get("notes", ""),
        order=v.get("order"),
        loc=p.loc,
        locs=p.locs,
    )


def build_indicator(p: Parsed) -> Indicator:
    v = p.values
    target = v.get("target")
    kind = v.get("kind") or ("定量" if target is not None and target.is_numeric else "定性")
    return Indicator(
        level1=v["level1"], level2=v["level2"], name=v["name"], op=v.get("op"), target=target,
        unit=v.get("unit", ""), direction=v.get("direction"), kind=kind, score=v.get("score"),
        explanation=v.get("explanation", ""), scoring=v.get("scoring", ""), loc=p.loc, locs=p.locs,
    )  # fmt: skip


def build_page(source: PageFile) -> Page:
    title = source.id
    for line in source.text.splitlines():
        if line.startswith("# "):
            title = line[2:].strip()
            break
    return Page(source.id, title, source.text, Loc(source.shown))
