"""What the unit-year page shows of overall.yaml, computed for the layouts.

The funds split is a small SVG bar (基本支出 beside 项目支出, and under it the
项目支出 split into the project tables published beside it); the figures
are printed as text next to the bar and in a table, so nothing is only a
picture. Each task's 支出项目名称 is linked to the project page when a
project of the unit-year has that name (the same match the checks use).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sitegen.checks.overall import task_project
from sitegen.model import Indicator, Overall, Project, Task, UnitYear
from sitegen.model.money import percent_text
from sitegen.model.specs import FUNDS
from sitegen.render.table import indicator_rows

BAR_WIDTH = 600  # the SVG's drawing width; it scales to the page
BAR_HEIGHT = 22
COLOURS = ("#0b5cad", "#b45309", "#4d7c0f", "#7c3aed", "#be123c", "#0f766e")
REST = "#8c959f"


@dataclass(frozen=True)
class Segment:
    label: str
    value: Decimal
    x: float
    width: float
    colour: str
    share: str  # of the bar's whole, as printed beside it: 64.50%
    url: str = ""  # the project page, for the split of 项目支出


@dataclass(frozen=True)
class FundsBar:
    """One row of the funds chart: its segments laid end to end over BAR_WIDTH."""

    title: str
    segments: list[Segment]
    y: int


@dataclass(frozen=True)
class TaskRow:
    task: Task
    project: Project | None  # the project page to link, when the name matches


def has_project_table(unit_year: UnitYear) -> bool:
    """Whether the unit-year has a project table to publish: a unit-year with only its
    overall.yaml (no project files) gets no empty project PDF, CSV or JSON."""
    return bool(unit_year.projects) or unit_year.overall is None


def overall_pdf_path(unit_year: UnitYear) -> str:
    return f"{unit_year.url}{unit_year.agency.id}-{unit_year.year}-overall.pdf".lstrip("/")


def overall_evaluation_pdf_path(unit_year: UnitYear) -> str:
    return f"{unit_year.url}{unit_year.agency.id}-{unit_year.year}-overall-evaluation.pdf".lstrip("/")


def segments(parts: list[tuple[str, Decimal, str, str]], whole: Decimal) -> list[Segment]:
    laid, x = [], 0.0
    for label, value, colour, url in parts:
        share = value * 100 / whole if whole > 0 else Decimal(0)
        width = float(share) * BAR_WIDTH / 100
        laid.append(Segment(label, value, round(x, 1), round(width, 1), colour, percent_text(share), url))
        x += width
    return laid


def funds_bars(unit_year: UnitYear) -> list[FundsBar]:
    """资金总额 as 基本支出 + 项目支出; then 项目支出 as the projects published here and the rest."""
    o = unit_year.overall
    if o is None or o.basic is None or o.project is None:
        return []
    whole = max(o.total or Decimal(0), o.basic + o.project)
    total, basic, project = (FUNDS.field(key).cell_label for key in ("total", "basic", "project"))
    bars = [FundsBar(total, segments([(basic, o.basic, COLOURS[0], ""), (project, o.project, COLOURS[1], "")], whole), 0)]
    if unit_year.projects and o.project > 0:
        parts = [(p.name, p.budget, COLOURS[2 + i % 4], p.url) for i, p in enumerate(unit_year.projects)]
        rest = o.project - unit_year.total
        if rest > 0:
            parts.append(("未单独公开的项目", rest, REST, ""))
        bars.append(FundsBar(project, segments(parts, max(o.project, unit_year.total)), 1))
    return bars


def task_rows(unit_year: UnitYear) -> list[TaskRow]:
    o = unit_year.overall
    return [TaskRow(t, task_project(t, unit_year.projects)) for t in (o.tasks if o else [])]


def tasks_total(overall: Overall) -> Decimal | None:
    amounts = [t.amount for t in overall.tasks if t.amount is not None]
    return sum(amounts, Decimal(0)) if amounts else None


def overall_values(unit_year: UnitYear) -> dict:
    """The values unit_year.html's overall partial reads (empty when the unit-year has no overall.yaml)."""
    o = unit_year.overall
    if o is None:
        return {}
    return {
        "funds_bars": funds_bars(unit_year), "task_rows": task_rows(unit_year), "tasks_total": tasks_total(o),
        "overall_rows": indicator_rows(o.indicators) if o.indicators else [], "overall_has": filled(o.indicators),
        "midterm_rows": indicator_rows(o.midterm.indicators) if o.midterm and o.midterm.indicators else [],
        "midterm_has": filled(o.midterm.indicators) if o.midterm else {},
    }  # fmt: skip


def filled(indicators: list[Indicator]) -> dict[str, bool]:
    """Which optional columns of the indicator table some row fills; the others are left out."""
    return {"explanation": any(i.explanation for i in indicators), "scoring": any(i.scoring for i in indicators),
            "remark": any(i.remark for i in indicators), "scores": any(i.score is not None for i in indicators)}
