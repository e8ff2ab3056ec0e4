"""What every open-data file shares: where the files go, their names and dates, the start and end of
the JSON downloads, the check of the parts' order, the site-wide facts (SiteMeta) and the Table
Schema of a CSV's columns. The project files (files.py) and the department-wide ones (overall.py)
both build on this module and on nothing of each other's but what files.py takes from overall.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Iterator

from sitegen.model import UnitYear
from sitegen.render.data.columns import Column

DATA = "data"
SITE_NAME = "all"


def unit_year_name(unit_year: UnitYear) -> str:
    return f"{unit_year.agency.id}-{unit_year.year}"


def paths_of(base: str) -> dict[str, str]:
    return {fmt: f"/{DATA}/{base}.{fmt}" for fmt in ("csv", "xlsx", "json")}


def build_date(unit_years: list[UnitYear]) -> datetime:
    """The newest publication date in the content (never the clock), for file metadata."""
    dates = [uy.published for uy in unit_years if uy.published] or [datetime(max((uy.year for uy in unit_years), default=2000), 1, 1).date()]
    newest = max(dates)
    return datetime(newest.year, newest.month, newest.day)


def json_open(site: str, member: str) -> bytes:
    """The start of a JSON download, `{"site":…,"<member>":[`, before the unit-years' objects."""
    return f'{{"site":{site},"{member}":['.encode("utf-8")


JSON_CLOSE = b"]}\n"


@dataclass(frozen=True)
class SiteMeta:
    """What the site-wide files need besides the parts, known before the first part: small."""

    title: str
    base_url: str
    site: str  # the JSON `site` member
    created: datetime  # the site-wide workbooks' date
    names: tuple[str, ...]  # the unit-years with a project table, in the order of their parts
    sheets: tuple[str, ...]  # their XLSX tabs
    overall: tuple[str, ...]  # the unit-years with a department-wide table (overall.yaml), in order
    overall_created: datetime
    licenses: tuple[dict, ...] = ()  # the Data Package's `licenses` (site.yaml `license`)
    money_unit: str = "万元"  # the site's: budget_site_unit's title names it


def in_order(parts: Iterable, names: tuple[str, ...], what: str) -> Iterator:
    """The parts, checked against the names the site-wide files were started with."""
    count = 0
    for count, part in enumerate(parts, start=1):
        if count > len(names) or part.name != names[count - 1]:
            raise ValueError(f"{what}的第 {count} 份是「{part.name}」，与目录不符")
        yield part
    if count != len(names):
        raise ValueError(f"{what}少了：目录有 {len(names)} 份，只来了 {count} 份")


def schema_of(columns: Iterable[Column]) -> dict:
    """The Table Schema of a CSV's columns: the Data Package's and the data page's."""
    return {"fields": [{"name": c.name, "title": c.title, "type": c.type, **({"description": c.description} if c.description else {})}
                       for c in columns], "missingValues": [""]}


