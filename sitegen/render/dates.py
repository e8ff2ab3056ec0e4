"""The date a printed page carries under its address. Never the clock (the same content makes the
same pages): the build's SOURCE_DATE_EPOCH when it sets one (网站生成日期; the build cache keys its
entries by it, build/cache.py), else the newest publication date of the tables the page shows
(数据公开日期), else none."""

from __future__ import annotations

import os
from datetime import date, datetime, timezone

from sitegen.model import UnitYear


def build_date() -> date | None:
    """The build's date from SOURCE_DATE_EPOCH (reproducible-builds.org), None when unset."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return datetime.fromtimestamp(int(epoch), timezone.utc).date() if epoch.isdigit() else None


def print_date(unit_years: list[UnitYear], whole_site: bool = False) -> str:
    """What a printed page of these unit-years says after its address (whole_site: a site-wide page)."""
    built = build_date()
    if built:
        return f"网站生成日期 {built.isoformat()}"
    dates = [day for unit_year in unit_years for day in publication_dates(unit_year, evaluations=not whole_site)]
    return f"数据公开日期 {max(dates).isoformat()}" if dates else ""


def publication_dates(unit_year: UnitYear, evaluations: bool = True) -> list[date]:
    """Every date a unit-year's tables say they were published: the disclosure's, the department-wide
    table's and the self-evaluations', and their sources' (contract 2.1 `source.published`). The
    site-wide pages leave out the projects' self-evaluations (evaluations=False): those records are
    pruned by then (render/summary.py), and a dated one's source carries its date in the example."""
    overall = unit_year.overall
    sources = [*unit_year.sources, *(s for p in unit_year.projects for s in p.provenance), *(overall.provenance if overall else ())]
    dated = [unit_year, *sources, *(p.evaluation for p in unit_year.projects if evaluations and p.evaluation)]
    if overall:
        dated += [overall] + ([overall.evaluation] if overall.evaluation else [])
    return [record.published for record in dated if record.published]
