"""soft-target by peers: a percentage target strictly below the lowest target that at least two
other units set for the same indicator in the same year (contract 2.1; for a less-is-better
indicator, strictly above the highest). Counts depend on a unit's size and are never compared.

It needs every unit, so it never runs inside one shard of the build: `sitegen check` runs it over
the whole content (peer_findings), the build over the small rows every shard keeps (PeerRow,
grouped on disk by the site's indicator index, render/indicator_index.py), in both cases through
soft_by_peers over one indicator-and-year at a time: memory holds one group, never the site.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Iterator, NamedTuple

from sitegen.base.findings import Loc, quoted
from sitegen.checks.base import Flag, fmt, indicator_path
from sitegen.checks.review.synonyms import Synonyms
from sitegen.checks.review.vocabulary import identity, is_percent, more_is_better
from sitegen.model import Content

MIN_OTHER_UNITS = 2


class PeerRow(NamedTuple):
    key: str  # vocabulary.identity
    year: int
    unit: str  # the unit's folder
    unit_name: str
    number: Decimal
    better: bool  # more is better
    name: str  # 三级指标 as written
    target: str  # as printed: ≥95%
    file: str
    line: int
    col: int
    path: str


def peer_rows(content: Content) -> Iterator[PeerRow]:
    """The rows soft-target by peers compares: percentage number targets with a direction."""
    for project in content.projects():
        for position, indicator in enumerate(project.indicators):
            row = peer_row(indicator, project.agency, project.year, f"{indicator_path(position)}.target")
            if row is not None:
                yield row


def peer_row(indicator, agency, year: int, path: str) -> PeerRow | None:
    target = indicator.target
    if target is None or target.number is None or not is_percent(indicator.unit):
        return None
    better = more_is_better(indicator)
    if better is None:
        return None
    loc = indicator.locs.get("target", indicator.loc)
    return PeerRow(identity(indicator), year, agency.id, agency.name, target.number, better, indicator.name,
                   indicator.value_text, loc.file, loc.line, loc.col, path)


def soft_by_peers(group: list[PeerRow]) -> Iterator[Flag]:
    """The flags of one indicator in one year, every unit's rows together. Linear in the group: each
    unit's least and most demanding targets, then the two units that set the extremes."""
    lowest: dict[str, Decimal] = {}
    highest: dict[str, Decimal] = {}
    for row in group:
        lowest[row.unit] = min(row.number, lowest.get(row.unit, row.number))
        highest[row.unit] = max(row.number, highest.get(row.unit, row.number))
    if len(lowest) < MIN_OTHER_UNITS + 1:
        return
    floors = sorted((n, unit) for unit, n in lowest.items())[:2]  # the lowest two units' lowest targets
    ceilings = sorted(((-n, unit) for unit, n in highest.items()))[:2]  # the highest two's highest
    count = len(lowest) - 1
    for row in group:
        if row.better:
            floor = floors[1][0] if floors[0][1] == row.unit else floors[0][0]  # the lowest of the other units
            soft = row.number < floor
        else:
            floor = -(ceilings[1][0] if ceilings[0][1] == row.unit else ceilings[0][0])  # the highest of the others
            soft = row.number > floor
        if soft:
            side = "最低" if row.better else "最高"
            yield Flag(
                "soft-target",
                f"三级指标{quoted(row.name)}：目标值 {row.target} {'低于' if row.better else '高于'}同年其他 {count} 个单位"
                f"同一指标所定目标的{side}值 {fmt(floor)}%：目标比同行宽松。"
                f"建议：至少与同行{side}目标持平，如 {'≥' if row.better else '≤'}{fmt(floor)}%",
                Loc(row.file, row.line, row.col), row.path,
            )


def grouped(rows: Iterable[PeerRow]) -> Iterator[list[PeerRow]]:
    """Rows already sorted by (key, year) as lists of one group each."""
    group: list[PeerRow] = []
    for row in rows:
        if group and (row.key, row.year) != (group[0].key, group[0].year):
            yield group
            group = []
        group.append(row)
    if group:
        yield group


def peer_flags(rows: Iterable[PeerRow]) -> Iterator[Flag]:
    """Every soft-target by peers of rows sorted by (key, year)."""
    for group in grouped(rows):
        yield from soft_by_peers(group)


def content_peer_flags(content: Content, synonyms: Synonyms | None = None) -> Iterator[Flag]:
    """`sitegen check` over the whole content (in memory anyway), by the site's synonyms if any."""
    rows = peer_rows(content)
    if synonyms:
        rows = (row._replace(key=synonyms.key(row.key)) for row in rows)
    rows = sorted(rows, key=lambda r: (r.key, r.year, r.unit, r.file, r.line))
    return peer_flags(rows)
