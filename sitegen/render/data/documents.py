"""The open data's JSON: the full model of a unit-year, every value exactly as written."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson

from sitegen.model import Evaluation, Indicator, Midterm, Project, Site, UnitYear

def plain(value: Any) -> Any:
    """Decimals as strings, so 65.00 stays 65.00 for every JSON reader."""
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def indicator_json(indicator: Indicator) -> dict:
    return {
        "level1": indicator.level1, "level2": indicator.level2, "name": indicator.name,
        "op": indicator.op, "target": indicator.target_text if indicator.target else None,
        "target_number": plain(indicator.target.number) if indicator.target else None,
        "unit": indicator.unit, "direction": indicator.direction, "kind": indicator.kind,
        "score": plain(indicator.score), "explanation": indicator.explanation, "scoring": indicator.scoring,
        "actual": indicator.actual.text if indicator.actual else None,
        "actual_number": plain(indicator.actual.number) if indicator.actual else None,
        "earned": plain(indicator.earned), "deviation": indicator.deviation,
        "met": indicator.met,  # true / false / null (not judged), computed
        "met_basis": indicator.met_basis or None,  # op, direction, equal, inferred (推定)
        "basis": indicator.basis, "last_actual": indicator.last_actual.text if indicator.last_actual else None,
        "last_actual_number": plain(indicator.last_actual.number) if indicator.last_actual else None,
        "remark": indicator.remark,
    }  # fmt: skip


def evaluation_json(evaluation: Evaluation | None) -> dict | None:
    if evaluation is None:
        return None
    e = evaluation
    return {
        "published": e.published.isoformat() if e.published else None,
        "budget": {"initial": plain(e.initial), "adjusted": plain(e.adjusted), "spent": plain(e.spent)},
        "funding": [{"source": f.source, "initial": plain(f.initial), "adjusted": plain(f.adjusted), "spent": plain(f.spent)}
                    for f in e.funding],
        "execution": {"weight": plain(e.execution_weight), "earned": plain(e.execution_earned),
                      "rate": plain(e.execution_rate)},
        "outcome": e.outcome, "process": e.process, "conclusion": e.conclusion, "problems": e.problems,
        "improvements": e.improvements, "stated_total": plain(e.stated_total), "total": plain(e.total),
        "counts": e.counts(),
    }  # fmt: skip


def project_json(project: Project) -> dict:
    return {
        "id": project.id, "url": project.url, "name": project.name, "code": project.code,
        "category": project.category, "budget": plain(project.budget),
        "funding": [{"source": f.source, "amount": plain(f.amount)} for f in project.funding],
        "goals": project.goals, "description": project.description, "notes": project.notes,
        "indicators": [indicator_json(i) for i in project.indicators],
        "evaluation": evaluation_json(project.evaluation),
        "attribute": project.attribute, "period": project.period, "implementer": project.implementer,
        "parent": project.parent, "total_investment": plain(project.total_investment), "basis": project.basis,
        "costs": [{"item": c.item, "amount": plain(c.amount), "basis": c.basis} for c in project.costs],
        "facts": dict(project.facts),  # in printed order, labels as printed
        "midterm": midterm_json(project.midterm) if project.midterm else None,
        "source": [s.as_json() for s in project.provenance],  # its own; the unit-year's is on the disclosure
    }  # fmt: skip


def midterm_json(midterm: Midterm) -> dict:
    return {"period": midterm.period, "budget": plain(midterm.budget), "goals": midterm.goals,
            "indicators": [indicator_json(i) for i in midterm.indicators]}


def unit_year_json(unit_year: UnitYear) -> dict:
    agency = unit_year.agency
    return {
        "agency": {"id": agency.id, "code": agency.code, "name": agency.name, "region": agency.region,
                   "department": {"code": agency.department_code, "name": agency.department_name}
                   if agency.department_code else None},
        "year": unit_year.year, "title": unit_year.title, "url": unit_year.url,
        "published": unit_year.published.isoformat() if unit_year.published else None,
        "money_unit": unit_year.money_unit, "total": plain(unit_year.total),
        "stated_total": plain(unit_year.stated_total), "notes": unit_year.notes,
        "source": [s.as_json() for s in unit_year.provenance],
        "projects": [project_json(p) for p in unit_year.projects],
    }  # fmt: skip


def json_bytes(value: Any) -> bytes:
    """Compact UTF-8 JSON, by orjson: the same bytes as the json module's
    dumps(ensure_ascii=False, separators=(",", ":")) (tested), and faster than its C encoder."""
    return orjson.dumps(value)


def json_text(value: Any) -> str:
    return json_bytes(value).decode("utf-8")


def site_json(site: Site) -> str:
    """The `site` member that opens every JSON download."""
    return json_text({"title": site.title, "base_url": site.base_url, "money_unit": site.money_unit})
