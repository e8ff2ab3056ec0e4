"""The tables with one row per indicator: `flat` (one table for the unit and year, the project
cells merged down over their rows) and, through per_project.py, `per-project`.

Row by row: a 合计 row or a unit row gives the printed total; a row whose
project cell starts (the first cell of a merge, or a new name) starts a
project; any other row goes on with the project above, whether its cell is
merged, repeated or left empty. Consecutive rows with the same project name
and budget are one project (a table repeats the project after a page break).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sitegen.base.findings import Loc
from sitegen.importers import cells
from sitegen.importers.forms import Found, Header, code_and_name, is_header_row, lines_above, note_text, year_of
from sitegen.importers.forms import flat_cells
from sitegen.importers.forms.table import Levels, check_weights, first_text, indicator_rows, row_kind
from sitegen.importers.grid import Grid
from sitegen.importers.labels import form_allowed, is_total
from sitegen.model import Evaluation, Indicator, Project

PROJECT_KEYS = ("project", "agency", "unit_code", "code", "category", "attribute", "budget", "money_unit", "goals", "implementer",
                "period", "parent", "ev_initial", "ev_adjusted", "ev_spent", "total_investment", "project_basis", "costs",
                "facts", "midterm_period", "midterm_budget", "midterm_goals")


@dataclass
class Draft:
    """A project being read: its first row's cells and its indicators."""

    first: int
    last: int
    values: dict[str, str]
    facts: list[tuple[str, str]]
    indicators: list[Indicator] = field(default_factory=list)
    midterm: list[Indicator] = field(default_factory=list)  # rows whose 指标期限 is 中期


@dataclass
class Totals:
    """Printed totals (合计 rows, a unit row's amount) by row."""

    rows: list[tuple[int, Decimal]] = field(default_factory=list)


def recognise(grid: Grid, header: Header) -> Found | None:
    if not form_allowed("flat"):
        return None
    if header.top < header.row or "unit_code" in header.columns:
        return None  # per-project: its project labels stand above the indicator labels
    return read(grid, header, "flat", "flat")


def read(grid: Grid, header: Header, form: str, layout: str) -> Found:
    found = Found(form, grid, (header.top, grid.height - 1), layout=layout)
    header = flat_cells.keyed(header)
    above = lines_above(grid, header.top)
    read_lines(found, above, header, grid)
    drafts, totals, units = walk(grid, header, found)
    flat_cells.money_unit_of(found, [(d.first, d.values.get("money_unit", "")) for d in drafts], header)
    agency_from(found, drafts, units)
    found.projects = [(project(found, d, header), (d.first, d.last)) for d in drafts]
    check_weights(found, [i for d in drafts for i in d.indicators])
    for note in found.row_notes:
        if note not in found.notes.split("\n"):
            found.notes = "\n".join(n for n in (found.notes, note) if n)
    found.stated_total = stated_total(found, totals, drafts)
    if drafts:
        found.rows = (header.top, max(d.last for d in drafts))
    return found


def read_lines(found: Found, above: list[str], header: Header, grid: Grid) -> None:
    titles = [t for t in above if not cells.money_unit(t) and not note_text(t)]
    found.title = titles[0] if titles else ""
    for text in above + list(header.labels.values()):
        unit = cells.money_unit(text)
        if unit:
            found.money_unit = found.money_unit or unit
    found.year = year_of(above)
    if found.year:
        found.year_from = f"{grid.source} 表头「{next(t for t in above if str(found.year) in t)}」"


def single_text(grid: Grid, row: int) -> str | None:
    """The row's text when it is one line (a title, a 备注 line), else None."""
    texts = [grid.own(row, c) for c in range(grid.width) if grid.own(row, c)]
    if len(texts) != 1:
        return None
    m = grid.merge_at(row, 0)
    return texts[0] if grid.own(row, 0) and (grid.width == 1 or (m and m.left == 0 and m.right + 1 >= grid.used_width)) else None


def walk(grid: Grid, header: Header, found: Found) -> tuple[list[Draft], Totals, list[tuple[str, str, int]]]:
    drafts: list[Draft] = []
    totals = Totals()
    units: list[tuple[str, str, int]] = []  # (code, name, row) of unit / department rows
    levels = {False: Levels(), True: Levels()}  # the year's indicators, the 中期 ones
    project_column = header.columns.get("project", [None])[0]
    left = range(0, header.first_indicator_column)
    # A two-row header (per-project) has the unit row and the 合计 row inside it.
    for r in range(header.top + 1 if header.top < header.row else header.row + 1, grid.height):
        if grid.is_empty_row(r):
            continue
        if row_kind(grid, r, found) == "signature":
            continue  # 填报人：… under the table: no project
        line = single_text(grid, r)
        if line is not None and (note_text(line) is not None or project_column is None or not grid.own(r, project_column) or r > header.row + 1):
            note = note_text(line)
            if note is not None and note not in found.notes.split("\n"):
                found.notes = "\n".join(n for n in (found.notes, note) if n)
            continue
        if any(is_total(grid.own(r, c)) for c in left):
            amount = cells.decimal(first_text(grid, r, header, "budget"))
            if amount is not None:
                totals.rows.append((r, amount))
            continue
        if is_header_row(grid, r):
            continue
        starts = project_column is not None and bool(grid.own(r, project_column))
        if not first_text(grid, r, header, "name") and not first_text(grid, r, header, "goals") and (starts or not drafts or unit_row(grid, r, header)):
            unit = unit_of(grid, r, header)
            if unit:
                units.append((*unit, r))
                amount = cells.decimal(first_text(grid, r, header, "budget"))
                if amount is not None:
                    totals.rows.append((r, amount))
                continue
        if starts and not same_project(drafts, grid, r, header):
            drafts.append(start(grid, r, header))
            levels = {False: Levels(), True: Levels()}
        if not drafts:
            continue
        drafts[-1].last = r
        term = first_text(grid, r, header, "term")
        midterm = flat_cells.is_midterm(term)
        indicators = indicator_rows(grid, r, header, levels[midterm], found)
        flat_cells.keep_term(term, indicators)
        (drafts[-1].midterm if midterm else drafts[-1].indicators).extend(indicators)
    return drafts, totals, units


def unit_row(grid: Grid, r: int, header: Header) -> bool:
    """A row naming a unit (代码 + 名称) without goals or indicators: the unit row of a per-project
    table, or a department row (`820-马踏镇部门`) above its units' projects."""
    return unit_of(grid, r, header) is not None


def unit_of(grid: Grid, r: int, header: Header) -> tuple[str, str] | None:
    code = first_text(grid, r, header, "unit_code")
    name = first_text(grid, r, header, "project") if "unit_code" in header.columns else ""
    if code and name:
        return code, name
    agency = first_text(grid, r, header, "agency")
    if agency and not first_text(grid, r, header, "project"):
        parsed = code_and_name(agency)
        return parsed if parsed[0] else None
    return None


def same_project(drafts: list[Draft], grid: Grid, r: int, header: Header) -> bool:
    if not drafts:
        return False
    values = drafts[-1].values
    return (header.value(grid, r, header.columns["project"][0]) == values.get("project")
            and first_text(grid, r, header, "budget") in ("", values.get("budget")))


def start(grid: Grid, r: int, header: Header) -> Draft:
    values = {key: first_text(grid, r, header, key) for key in PROJECT_KEYS if key in header.columns}
    facts = [(cells.squeeze(label), header.value(grid, r, c)) for c, label in header.extra.items()
             if c < header.first_indicator_column and header.value(grid, r, c)]
    return Draft(r, r, values, facts)


def agency_from(found: Found, drafts: list[Draft], units: list[tuple[str, str, int]]) -> None:
    """The unit: from the project rows' 项目单位 / 单位编码, else the unit row; a unit row with
    another code is the department (主管部门)."""
    for draft in drafts:
        agency = draft.values.get("agency", "")
        code, name = code_and_name(agency) if agency else ("", "")
        code = code or draft.values.get("unit_code", "")
        if code or name:
            found.agency_code, found.agency_name = code, name
            break
    for code, name, row in units:
        if code == found.agency_code:
            found.agency_name = found.agency_name or name
        elif not found.department:
            if not found.agency_name:
                found.agency_name = name
            department_name = name.removesuffix("本级") if name.endswith("本级") else name
            if department_name != name:
                found.guesses.append(f"{found.where(row)}: 单位行「{code} {name}」：主管部门编码 {code}，主管部门名称取「{department_name}」（去掉「本级」）")
            found.department = (code, department_name)


def project(found: Found, draft: Draft, header: Header) -> Project:
    v = draft.values
    where = found.where(draft.first, 0)
    budget = cells.decimal(v.get("budget", ""))
    if budget is None:
        found.warnings.append(f"{where}: 项目「{v.get('project', '')}」的预算数「{v.get('budget', '')}」不是数字，记为 0.00，请核对")
        budget = Decimal("0.00")
    own_export = flat_cells.is_own_export(header)
    code = v.get("code", "")
    loc = found.loc(draft.first)
    facts, costs, figures = flat_cells.read(found, draft.first, v, header)
    return Project(
        id="", name=v.get("project", ""), code=code, category=v.get("category", ""), budget=budget, funding=[],
        goals=flat_cells.goals_of(v.get("goals", ""), own_export), description="",
        indicators=draft.indicators, notes="", order=None, loc=loc, locs={},
        attribute=v.get("attribute", ""), period=v.get("period", ""), implementer=v.get("implementer", ""),
        parent=v.get("parent", ""), total_investment=figures.get("total_investment"), basis=v.get("project_basis", ""),
        costs=costs, facts=(*draft.facts, *facts), evaluation=results(v, loc),
        midterm=flat_cells.midterm_of(v, draft.midterm, own_export, figures.get("midterm_budget"), loc),
    )  # fmt: skip


def results(v: dict[str, str], loc: Loc) -> Evaluation | None:
    """The year's budget figures of a flat table that carries results (全年预算数 · 全年执行数)."""
    adjusted, spent = cells.decimal(v.get("ev_adjusted", "")), cells.decimal(v.get("ev_spent", ""))
    if adjusted is None or spent is None:
        return None
    return Evaluation(published=None, initial=cells.decimal(v.get("ev_initial", "")), adjusted=adjusted, spent=spent,
                      funding=[], execution_weight=None, execution_earned=None, outcome=[], process="", conclusion="",
                      problems="", improvements="", stated_total=None, loc=loc, locs={})


def stated_total(found: Found, totals: Totals, drafts: list[Draft]) -> Decimal | None:
    """The printed total of the unit-year: a 合计 (or unit row amount) that is not just one project's own."""
    budgets = {d.first: cells.decimal(d.values.get("budget", "")) for d in drafts}
    for row, amount in totals.rows:
        following = next((d for d in drafts if d.first > row), None)
        if len(drafts) > 1 or following is None or budgets.get(following.first) != amount:
            return amount
    return None
