"""Stage 2, model: located nodes → typed records.

Each builder parses one file's nodes against its spec (specs.py, from the declarations in
vocab/fields.yaml) and turns the parsed values into records (records.py): every declared value
goes through values_of to the attribute the record class derives from the same declaration
(model/declared.py), so a new field needs its declaration only, no mapping here. What is computed (a one-cell target split,
the kind) and the nested records are built by hand. A record whose file has errors is left out;
the errors are already in `findings`.
"""

from __future__ import annotations

from decimal import Decimal

from typing import Any

from sitegen.content.fields import Invalid, Kind, Parsed, Spec, Target, parse_decimal, parse_record
from sitegen.base.findings import Findings, Loc
from sitegen.content.load import AgencyDir, PageFile, ProjectFile, Tree, YearDir
from sitegen.model.records import (
    Agency, Content, Cost, Evaluation, EvaluationFunding, Funding, Indicator, Midterm, Overall, Page, Project, Site,
    Source, Task, UnitYear,
)
from sitegen.model.declared import empty, is_value
from sitegen.model.specs import (
    AGENCY, COST, DEPARTMENT, DISCLOSURE, EVALUATION, EVALUATION_BUDGET, EVALUATION_FUNDING, EXECUTION, FUNDING, FUNDS,
    INDICATOR, MIDTERM, OVERALL, PROJECT, SITE, SOURCE, TASK,
)
from sitegen.model.targets import split_cell

# A tree without site.yaml: the declared defaults (language, money_unit, score_total, pdf_layout).
DEFAULT_SITE = Site(title="预算绩效目标公开", base_url="http://localhost/", loc=Loc("site.yaml"))


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
    review = child(p, "review")
    return Site(**values_of(p, SITE), loc=p.loc, review=tuple(review.values.items()) if review else ())


def build_agency(folder: AgencyDir, site: Site, findings: Findings) -> Agency | None:
    if folder.node is None:
        return None
    p = parse_record(folder.node, AGENCY, "", findings)
    if not p.ok:
        return None
    agency = Agency(
        id=folder.id, **values_of(p, AGENCY), **values_of(child(p, "department"), DEPARTMENT, "department_"),
        loc=p.loc, locs=p.locs,
    )
    agency.years = [build_unit_year(y, agency, site, findings) for y in folder.years]
    return agency


DECLARATION_TITLE = "项目支出绩效目标申报表"


def build_unit_year(folder: YearDir, agency: Agency, site: Site, findings: Findings) -> UnitYear:
    p = None if folder.disclosure is None else parse_record(folder.disclosure, DISCLOSURE, "", findings)
    v = values_of(p, DISCLOSURE)
    # What the unit-year takes from its unit and the site when disclosure.yaml does not say.
    v["pdf_layout"] = v["pdf_layout"] or agency.pdf_layout or site.pdf_layout
    v["money_unit"] = v["money_unit"] or site.money_unit
    # The declaration form prints its own title, whatever the unit: 项目支出绩效目标申报表.
    default_title = DECLARATION_TITLE if v["pdf_layout"] == "declaration" else f"{folder.year}年{agency.name}部门预算项目支出绩效目标公开表"
    v["title"] = v["title"] or default_title
    unit_year = UnitYear(
        **v,
        agency=agency,
        year=folder.year,
        loc=p.loc if p else Loc(folder.shown),
        locs=p.locs if p else {},
        site_money_unit=site.money_unit,
        provenance=build_sources(p) if p else [],
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


# values_of's (key, kind) of each spec's declared values, found once: it runs for every record
# built, every indicator included. By the spec's identity (a Spec's own hash walks every field),
# the spec kept beside them so that its id stays its own.
VALUE_FIELDS: dict[int, tuple[Spec, tuple[tuple[str, Kind], ...]]] = {}


def values_of(p: Parsed | None, spec: Spec, prefix: str = "") -> dict[str, Any]:
    """Every declared value of `spec` (not a record or a list of them) as the record's attribute
    of that name (after `prefix`, for a record flattened into its owner): its value, or its empty
    value (all empty when the record was not written). A field added to the declaration reaches
    the record here, with no mapping to write."""
    known = VALUE_FIELDS.get(id(spec))
    if known is None:
        known = VALUE_FIELDS[id(spec)] = (spec, tuple((f.key, f.kind) for f in spec.fields if is_value(f)))
    values = p.values if p is not None else {}
    return {prefix + key: values[key] if key in values else empty(kind) for key, kind in known[1]}


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
    return [Source(**values_of(s, SOURCE)) for s in children(p, "source") if s.ok]


def build_funding(records: list[Parsed]) -> list[Funding]:
    return [Funding(**values_of(f, FUNDING)) for f in records]


def build_midterm(p: Parsed | None) -> Midterm | None:
    if p is None:
        return None
    indicators = [build_indicator(r) for r in children(p, "indicators")]
    return Midterm(**values_of(p, MIDTERM), indicators=indicators, loc=p.loc, locs=p.locs)


def build_evaluation(p: Parsed | None, indicators: list[Indicator]) -> Evaluation | None:
    if p is None:
        return None
    budget = child(p, "budget")
    return Evaluation(
        **values_of(p, EVALUATION), **values_of(budget, EVALUATION_BUDGET),
        **values_of(child(p, "execution"), EXECUTION, "execution_"),
        funding=[EvaluationFunding(**values_of(f, EVALUATION_FUNDING)) for f in children(p, "funding")],
        loc=p.loc, locs={**p.locs, **(budget.locs if budget else {})}, indicators=indicators,
    )


def build_overall(node, agency: Agency, year: int, findings: Findings) -> Overall | None:
    p = parse_record(node, OVERALL, "", findings)
    if not p.ok:
        return None
    funds = child(p, "funds")
    indicators = [build_indicator(r) for r in children(p, "indicators")]
    tasks = [Task(**values_of(t, TASK), loc=t.loc) for t in children(p, "tasks")]
    v = values_of(p, OVERALL)
    v["title"] = v["title"] or f"{agency.name}{year}年度部门整体支出绩效目标表"
    return Overall(
        **v, **values_of(funds, FUNDS),
        has_funds=funds is not None, sources=build_funding(children(p, "sources")),
        midterm=build_midterm(child(p, "midterm")), tasks=tasks,
        indicators=indicators, evaluation=build_evaluation(child(p, "evaluation"), indicators),
        loc=p.loc, locs=p.locs, funds_locs=funds.locs if funds else {}, provenance=build_sources(p),
    )


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
    return Page(id=source.id, title=title, markdown=source.text, loc=Loc(source.shown))
