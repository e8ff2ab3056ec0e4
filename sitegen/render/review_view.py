"""What the layouts need of the review and the peers: filters and globals of the Jinja environment
(templates.environment adds them), so that the pages' partials stay markup."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from sitegen.checks.review import WARNING_CODES as REVIEW_RULES
from sitegen.render.indicator_index import peer_link, slug


def plain(value: Decimal | None) -> str:
    """A computed figure without trailing zeros: 80, 46.1, -0.5 (never 8E+1 or 0.500)."""
    return "" if value is None else format(value.normalize(), "f")


def review_section(problems: list) -> dict:
    """A unit-year's review findings (html.Problem) for its 目标质量 section: per project, and a count by rule."""
    found = [p for p in problems if p.finding.code in REVIEW_RULES]
    counts = Counter(p.finding.code for p in found)
    by_owner: dict[str, tuple[str, str, list]] = {}
    for problem in found:
        if problem.project is not None:
            owner = (problem.project.url, problem.project.name)
        else:
            owner = ("", "部门整体支出绩效目标表" if problem.overall else "（全表）")
        by_owner.setdefault(owner[0] + owner[1], (owner[0], owner[1], []))[2].append(problem)
    return {
        "count": len(found),
        "by_rule": [(code, label, counts[code]) for code, label in REVIEW_RULES.items() if counts[code]],
        "owners": list(by_owner.values()),
    }


def years_side_by_side(agency, problems: list) -> list[dict]:
    """A unit's years in columns, with each year's review findings; its budget (site_total) and
    results (the agency page's year_results) are the ones the rest of the site shows."""
    review = Counter(id(p.unit_year) for p in problems if p.finding.code in REVIEW_RULES)
    return [{"unit_year": unit_year, "review": review[id(unit_year)]} for unit_year in agency.years]


FILTERS = {"plain": plain, "peer_slug": lambda kind: slug(kind)[:8]}
GLOBALS = {"peer_link": peer_link, "review_section": review_section, "review_rules": REVIEW_RULES,
           "years_side_by_side": years_side_by_side}
