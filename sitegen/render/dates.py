"""The dates a printed page carries under its address, never the clock (the same content makes the
same pages):

- the newest publication date of the tables the page shows (数据公开日期), in the page itself;
- the build's date (网站生成日期: SOURCE_DATE_EPOCH), else the date of the content's newest git
  commit (内容更新日期), in one small print stylesheet (static/build-date.css) that every page
  links: a page's bytes never change with the date, so the build cache keeps every page.
"""

from __future__ import annotations

import os
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

from sitegen.model import UnitYear

BUILD_DATE_CSS = "static/build-date.css"


def build_stamp(content_dir: Path) -> str:
    """网站生成日期 from SOURCE_DATE_EPOCH (reproducible-builds.org), else 内容更新日期 from the newest
    commit that touched the content, else nothing (not in git)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return "网站生成日期 " + datetime.fromtimestamp(int(epoch), timezone.utc).date().isoformat()
    try:
        stamp = subprocess.run(["git", "-C", str(content_dir), "log", "-1", "--format=%cI", "--", "."],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    return "内容更新日期 " + datetime.fromisoformat(stamp).astimezone(timezone.utc).date().isoformat() if stamp else ""


def build_date_css(stamp: str) -> str:
    """The print stylesheet that writes `stamp` after a printed page's address (base.html's .print-date)."""
    text = f" · {stamp}" if stamp else ""
    return f'/* Written by each build (render/dates.py). */\n.print-date::after {{ content: "{text}"; }}\n'


def print_date(unit_years: list[UnitYear], whole_site: bool = False) -> str:
    """数据公开日期: the newest publication date of these unit-years' tables (whole_site: a site-wide page)."""
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
