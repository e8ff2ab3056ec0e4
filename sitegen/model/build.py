"""Stage 2, model: located nodes → typed records.

Each builder parses one file's nodes against its spec (specs.py, from the declarations in
vocab/fields.yaml) and turns the parsed values into records (records.py): every declared field
that a record keeps under its own key goes through values_of, so a new field needs its
declaration and its record attribute, no mapping here. What is computed (a one-cell target split,
the kind) and the nested records are built by hand. A record whose file has errors is left out;
the errors are already in `findings`.
"""

from __future__ import annotations

from decimal import Decimal

from typing import Any

from sitegen.content.fields import (
    Invalid, Kind, Labelled, Parsed, Record, Records, Spec, Target, Text, TextList, parse_decimal, parse_record,
)
from sitegen.base.findings import Findings, Loc
from sitegen.content.load import AgencyDir, PageFile, ProjectFile, Tree, YearDir
from sitegen.model.records import (
    Agency, Content, Cost, Evaluation, EvaluationFunding, Funding, Indicator, Midterm, Overall, Page, Project, Site,
    Source, Task, UnitYear,
)
from sitegen.model.specs import AGENCY, COST, DISCLOSURE, INDICATOR, MIDTERM, OVERALL, PROJECT, SITE, TASK
from sitegen.model.targets import split_cell

DEFAULT_SITE = Site("预算绩效目标公开", "http://localhost/", "zh-CN", "万元", Decimal(90), "flat", "", Loc("site.yaml"))


def build_content(tree: Tree, findings: Findings) -> Content:
    builder = ContentBuilder(findings)
    for folder in tree.agencies:
        builder.add(tree, folder)
    return builder.content(tree)


class ContentBuilder:
    """The model, one unit at a time: `load_tree(..., each_agency=builder.add)` hands over each
    unit's folder as soon as it is parsed, so its YAML nodes are freed before the next folder is
    read. The nodes of a whole tree are several times the model (figures: docs/scaling.md)."""

    def __init__(self, findings: Findings):
        self.findings = findings
        self.site: Site | None = None
        self.agencies: list[Agency] = []

    def add(self, tree: Tree, folder: AgencyDir) -> None:
        if self.site is None:
            self.site = build_site(tree, self.findings)
        agency = build_agency(folder, self.site, self.findings)
        if agency:
            self.agencies.append(agency)

    def content(self, tree: Tree) -> Content:
        site = self.site if self.site is not None else build_site(tree, self.findings)
        return Content(site, self.agencies, [build_page(p) for p in tree.pages])


def build_site(tree: Tree, findings: Findings) -> Site:
    if tree.site is None:
        return DEFAULT_SITE
    p = parse_record(tree.site, SITE, "", findings)
    if not p.ok:
        return DEFAULT_SITE
    v = p.values
    review = child(p, "review")
    return Site(
        v["title"], v["base_url"], v["language"], v["money_unit"], v["score_total"],
        v["pdf_layout"], v.get("description", ""), p.loc, v.get("license", ("", "")),
        tuple(review.values.items()) if review else (),
    )  # fmt: skip


def build_agency(folder: AgencyDir, site: Site, findings: Findings) -> Agency | None:
    if folder.node is None:
        return None
    p = parse_record(folder.node, AGENCY, "", findings)
    if not p.ok:
        return None
    v = p.values
    dept = child(p, "department")
    dept_values = dept.values if dept else {}
    agency = Agency(
        folder.id, v["code"], v["name"], v["region"], dept_values.get("code", ""), dept_values.get("name", ""),
        v.get("pdf_layout"), p.loc, p.locs,
    )  # fmt: skip
    agency.years = [build_unit_year(y, agency, site, findings) for y in folder.years]
    return agency


DECLARATION_TITLE = "项目支出绩效目标申报表"


def build_unit_year(folder: YearDir, agency: Agency, site: Site, findings: Findings) -> UnitYear:
    v: dict = {}
    locs: dict[str, Loc] = {}
    loc = Loc(folder.shown)
    provenance: list[Source] = []
    if folder.disclosure is not None:
        p = parse_record(folder.disclosure, DISCLOSURE, "", findings)
        v, locs, loc = p.values, p.locs, p.loc
        provenance = build_sources(p)
    layout = v.get("pdf_layout") or agency.pdf_layout or site.pdf_layout
    # The declaration form prints its own title, whatever the unit: 项目支出绩效目标申报表.
    default_title = DECLARATION_TITLE if layout == "declaration" else f"{folder.year}年{agency.name}部门预算项目支出绩效目标公开表"
    unit_year = UnitYear(
        agency=agency,
        year=folder.year,
        title=v.get("title") or default_title,
        published=v.get("published"),
        stated_total=v.get("stated_total"),
        notes=v.get("notes", ""),
        pdf_layout=layout,
        money_unit=v.get("money_unit") or site.money_unit,
        loc=loc,
        locs=locs,
        site_money_unit=site.money_unit,
        provenance=provenance,
    )
    for project_file in folder.projects:
        project = build_project(project_file, findings)
        if project:
            project.unit_year = unit_year
            unit_year.projects.append(project)
    unit_year.projects.sort(key=lambda p: p.sort_key)
    if folder.overall is not None:
        unit_year.overall = build_overall(folder.overall, agency, folder.year, findings)
    return unit_year


def empty(kind: Kind) -> Any:
    """What a record holds for a field that was not written: "" for text, [] for a list, () for
    labelled cells, None for numbers, dates and choices."""
    if isinstance(kind, Text):
        return ""
    if isinstance(kind, TextList):
        return []
    if isinstance(kind, Labelled):
        return ()
    return None


def values_of(p: Parsed, spec: Spec) -> dict[str, Any]:
    """Every declared field of `spec` that a record holds as parsed (not a record or a list of
    them): its value, or its empty value. A field added to the declaration reaches the record
    here, with no mapping to write."""
    return {f.key: p.values.get(f.key, empty(f.kind)) for f in spec.fields if not isinstance(f.kind, (Record, Records))}


def child(p: Parsed, key: str) -> Parsed | None:
    found = p.children.get(key)
    return found if isinstance(found, Parsed) else None


def children(p: Parsed, key: str) -> list[Parsed]:
    found = p.children.get(key)
    return found if isinstance(found, list) else []


def build_project(source: ProjectFile, findings: Findings) -> Project | None:
    if source.node is None:
        return None
    p = parse_record(source.node, PROJECT, "", findings)
    if not p.ok:
        return None
    indicators = [build_indicator(r) for r in children(p, "indicators")]
    return Project(
        id=source.id, **values_of(p, PROJECT), loc=p.loc, locs=p.locs,
        funding=build_funding(children(p, "funding")),
        indicators=indicators,
        costs=[Cost(**values_of(c, COST), loc=c.loc) for c in children(p, "costs")],
        midterm=build_midterm(child(p, "midterm")),
        evaluation=build_evaluation(child(p, "evaluation"), indicators),
        provenance=build_sources(p),
    )


def build_sources(p: Parsed) -> list[Source]:
    """`source`: one record or a list, in written order."""
    return [Source(s.values["url"], s.values.get("title", ""), s.values.get("published"))
            for s in children(p, "source") if s.ok]


def build_funding(records: list[Parsed]) -> list[Funding]:
    return [Funding(f.values["source"], f.values["amount"]) for f in records]


def build_midterm(p: Parsed | None) -> Midterm | None:
    if p is None:
        return None
    indicators = [build_indicator(r) for r in children(p, "indicators")]
    return Midterm(**values_of(p, MIDTERM), indicators=indicators, loc=p.loc, locs=p.locs)


def build_evaluation(p: Parsed | None, indicators: list[Indicator]) -> Evaluation | None:
    if p is None:
        return None
    v = p.values
    budget = child(p, "budget")
    b = budget.values if budget else {}
    execution = child(p, "execution")
    e = execution.values if execution else {}
    funding = [
        EvaluationFunding(f.values["source"], f.values.get("initial"), f.values.get("adjusted"), f.values.get("spent"))
        for f in children(p, "funding")
    ]
    return Evaluation(
        published=v.get("published"), initial=b.get("initial"), adjusted=b["adjusted"], spent=b["spent"],
        funding=funding, execution_weight=e.get("weight"), execution_earned=e.get("earned"),
        outcome=v.get("outcome", []), process=v.get("process", ""), conclusion=v.get("conclusion", ""),
        problems=v.get("problems", ""), improvements=v.get("improvements", ""),
        stated_total=v.get("stated_total"), loc=p.loc, locs={**p.locs, **(budget.locs if budget else {})},
        indicators=indicators,
    )  # fmt: skip


def build_overall(node, agency: Agency, year: int, findings: Findings) -> Overall | None:
    p = parse_record(node, OVERALL, "", findings)
    if not p.ok:
        return None
    v = p.values
    funds = child(p, "funds")
    f = funds.values if funds else {}
    indicators = [build_indicator(r) for r in children(p, "indicators")]
    tasks = [Task(**values_of(t, TASK), loc=t.loc) for t in children(p, "tasks")]
    return Overall(
        title=v.get("title") or f"{agency.name}{year}年度部门整体支出绩效目标表",
        published=v.get("published"), total=f.get("total"), basic=f.get("basic"), project=f.get("project"),
        has_funds=funds is not None, sources=build_funding(children(p, "sources")), duties=v.get("duties", ""),
        goals=v.get("goals", []), midterm=build_midterm(child(p, "midterm")), tasks=tasks,
        indicators=indicators, evaluation=build_evaluation(child(p, "evaluation"), indicators),
        notes=v.get("notes", ""), loc=p.loc, locs=p.locs, funds_locs=funds.locs if funds else {},
        provenance=build_sources(p),
    )  # fmt: skip


def build_indicator(p: Parsed) -> Indicator:
    v = values_of(p, INDICATOR)
    # What is computed from what was written: a one-cell target split, the kind from the target.
    v["op"], v["target"], v["unit"] = split_target(v["op"], v["target"], v["unit"])
    v["kind"] = v["kind"] or ("定量" if v["target"] is not None and v["target"].is_numeric else "定性")
    v["last_actual"], v["actual"] = split_actual(v["last_actual"], v["unit"]), split_actual(v["actual"], v["unit"])
    return Indicator(**v, loc=p.loc, locs=p.locs)


def split_target(op: str | None, target: Target | None, unit: str) -> tuple[str | None, Target | None, str]:
    """A target written as one cell (`≥95%`) stored as its parts, as the contract says.

    Only when the parts do not contradict what the author wrote beside it: an
    explicit `op` or `unit` that differs keeps the target as written.
    """
    if target is None or target.is_numeric:
        return op, target, unit
    cell = split_cell(target.text)
    if cell is None or (op and cell.op and cell.op != op) or (unit and cell.unit and cell.unit != unit):
        return op, target, unit
    number = cell_number(cell.number)
    if number is None:
        return op, target, unit
    return op or cell.op, Target(cell.number, number), unit or cell.unit


def split_actual(actual: Target | None, unit: str) -> Target | None:
    """`96%` against a target in % is the number 96; an actual with another unit or a
    comparison stays as written (not judged). The same for 上年实际值 (last_actual)."""
    if actual is None or actual.is_numeric:
        return actual
    cell = split_cell(actual.text)
    number = cell_number(cell.number) if cell and not cell.op and cell.unit in ("", unit) else None
    return actual if number is None else Target(cell.number, number)


def cell_number(text: str) -> Decimal | None:
    try:
        return parse_decimal(text, "", "")
    except Invalid:
        return None  # too many digits to be a figure: kept as text


def build_page(source: PageFile) -> Page:
    title = source.id
    for line in source.text.splitlines():
        if line.startswith("# "):
            title = line[2:].strip()
            break
    return Page(source.id, title, source.text, Loc(source.shown))
