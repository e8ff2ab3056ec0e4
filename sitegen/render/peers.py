"""The peer pages (contract 2.1, "Peers"): every indicator that at least two units or two years
share, by the contract's identity rule, on a page of its own: each unit's target, unit, actual and
mark by year, the spread of the targets drawn with a text equivalent, the outliers marked.

/peers/                 the index: these indicators by 二级 kind, with counts
/peers/kind/<k>/[n/]    one kind's indicators, PAGE_SIZE a page
/peers/<slug>/[n/]      one indicator's rows, PAGE_SIZE a page (the spread on its first)
/peers/k/<cc>/          every indicator whose slug starts with cc, shared or not, each row an
                        anchor: where the project pages link (indicator_index.peer_link), since a
                        shard cannot know whether another shard's units share its indicators.
Everything is read from the build's IndicatorIndex, one page at a time. After an edit, an
indicator whose rows are as they were (group_digest) has its pages linked from the site being
replaced without reading its rows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Iterable

from sitegen.model import Content
from sitegen.render import Context
from sitegen.render.indicator_index import BUCKET, IndicatorIndex, IndicatorRow, slug
from sitegen.render.pages_out import PageWriter
from sitegen.render.templates import relative_link
from sitegen.render.writer import Writer

PAGE_SIZE = 500  # rows of a peer page, indicators of a kind page
SHARED = "units >= 2 OR years >= 2"
SOFT = "soft-target"


@dataclass(frozen=True)
class Shared:
    key: str
    slug: str
    kind: str
    name: str
    units: int
    years: int
    rows: int
    anchor: str = ""  # on an index page of slugs: the row's id, the slug project pages link by
    alias: str = ""  # …and the name written there, when the site's synonyms join it to this indicator


@dataclass(frozen=True)
class Spread:
    """One year's targets of one indicator, in its most common 计量单位."""

    year: int
    measure: str
    count: int
    lowest: Decimal
    median: Decimal
    highest: Decimal
    fences: tuple[Decimal, Decimal] | None  # Tukey's: below or above is an outlier; None under 4 targets

    def outlier(self, number: Decimal) -> bool:
        return self.fences is not None and not self.fences[0] <= number <= self.fences[1]


def spread_of(year: int, measure: str, numbers: Iterable[Decimal], count: int) -> Spread:
    """A year's spread from its `count` targets in ascending order, read once and not kept: the
    positions the lowest, the quartiles, the median and the highest need are known in advance
    (quartiles as statistics.quantiles(method="inclusive") puts them)."""
    wanted = {0, count - 1}
    for share in (Decimal("0.25"), Decimal("0.5"), Decimal("0.75")):
        at = (count - 1) * share
        wanted |= {int(at), min(int(at) + 1, count - 1)}
    kept = {i: n for i, n in enumerate(numbers) if i in wanted}

    def quantile(share: str) -> Decimal:
        at = (count - 1) * Decimal(share)
        low = int(at)
        high = min(low + 1, count - 1)
        return kept[low] + (kept[high] - kept[low]) * (at - low)

    fences = None
    if count >= 4:
        q1, q3 = quantile("0.25"), quantile("0.75")
        reach = (q3 - q1) * Decimal("1.5")
        fences = (q1 - reach, q3 + reach)
    return Spread(year, measure, count, kept[0], quantile("0.5").normalize(), kept[count - 1], fences)


def dominant(counts: dict[str, int]) -> str:
    """The 计量单位 most targets use (then the first by name): the one a spread can compare."""
    return sorted(counts, key=lambda m: (-counts[m], m))[0]


def spreads(rows: list[IndicatorRow]) -> list[Spread]:
    """The spreads of some rows in memory (the tests'); the pages' come from the index (index_spreads)."""
    result = []
    for year in sorted({r.year for r in rows}):
        numbered = [r for r in rows if r.year == year and r.number is not None]
        if numbered:
            measure = dominant({m: sum(r.measure == m for r in numbered) for m in {r.measure for r in numbered}})
            numbers = sorted(Decimal(r.number) for r in numbered if r.measure == measure)
            result.append(spread_of(year, measure, numbers, len(numbers)))
    return result


def index_spreads(index: IndicatorIndex, key: str) -> list[Spread]:
    """One indicator's spreads, each year's targets streamed in order from the index."""
    counts: dict[int, dict[str, int]] = {}
    for year, measure, count in index.db.execute(
            "SELECT year, measure, COUNT(*) FROM rows WHERE key = ? AND number IS NOT NULL GROUP BY year, measure", (key,)):
        counts.setdefault(year, {})[measure] = count
    result = []
    for year in sorted(counts):
        measure = dominant(counts[year])
        numbers = (Decimal(n) for (n,) in index.db.execute(
            "SELECT number FROM rows WHERE key = ? AND year = ? AND measure = ? AND number IS NOT NULL "
            "ORDER BY CAST(number AS REAL), number", (key, year, measure)))
        result.append(spread_of(year, measure, numbers, counts[year][measure]))
    return result


CHART_WIDTH, CHART_LEFT, CHART_RIGHT, CHART_ROW = 400, 80, 370, 48  # pixels of the SVG's own box


def chart(spread_list: list[Spread]) -> dict:
    """The spread as an inline SVG: for each year, a line from the lowest to the highest target with
    the median marked, on one scale for every year, the figures written beside them."""
    if not spread_list:
        return {}
    low = min(s.lowest for s in spread_list)
    high = max(s.highest for s in spread_list)
    width = high - low or Decimal(1)

    def x(value: Decimal) -> int:
        return round(CHART_LEFT + (value - low) / width * (CHART_RIGHT - CHART_LEFT))

    rows = [{"spread": s, "y": 30 + CHART_ROW * n, "x1": x(s.lowest), "x2": x(s.highest), "xm": x(s.median)}
            for n, s in enumerate(spread_list)]
    return {"rows": rows, "width": CHART_WIDTH, "height": 30 + CHART_ROW * len(rows)}


def marks(row: IndicatorRow, by_year: dict[int, Spread]) -> list[str]:
    found = []
    spread = by_year.get(row.year)
    if spread and row.number is not None and row.measure == spread.measure and spread.outlier(Decimal(row.number)):
        found.append("离群")
    if SOFT in row.findings.split(","):
        found.append("宽于同行" if row.percent else "低于上年")
    return found


def render_peers(content: Content, writer: Writer, context: Context) -> int:
    """Every peer page of the site, from context.summary.index; returns how many were written."""
    index: IndicatorIndex = context.summary.index
    out = PageWriter(content, writer, context, "peers")
    index.db.create_function("slug", 1, slug, deterministic=True)
    index.db.execute("DROP TABLE IF EXISTS identities")
    index.db.execute("DROP TABLE IF EXISTS shared")
    # its name: the spelling most rows use (then the first in order), not 1.参训人员 满意度 for 参训人员满意度
    index.db.execute("""CREATE TABLE identities AS SELECT key, slug(key) AS slug, MIN(kind) AS kind,
        (SELECT name FROM rows AS same WHERE same.key = rows.key GROUP BY name ORDER BY COUNT(*) DESC, name LIMIT 1) AS name,
        COUNT(DISTINCT unit) AS units, COUNT(DISTINCT year) AS years, COUNT(*) AS rows FROM rows GROUP BY key""")
    index.db.execute(f"CREATE TABLE shared AS SELECT * FROM identities WHERE {SHARED}")
    index.db.execute("CREATE INDEX identities_slug ON identities (slug)")
    index.db.execute("CREATE INDEX identities_key ON identities (key)")  # the index pages of slugs join by it
    index.db.execute("CREATE INDEX shared_kind ON shared (kind, units DESC, name, slug)")
    kinds = index.db.execute("SELECT kind, COUNT(*), SUM(rows) FROM shared GROUP BY kind ORDER BY COUNT(*) DESC, kind").fetchall()
    out.page("/peers/", "peers_index.html", kinds=[(kind, slug(kind)[:8], n, rows) for kind, n, rows in kinds],
             total=sum(n for _, n, _ in kinds))
    for kind, count, _ in kinds:
        kind_pages(out, index, kind, count)
    unit_keys = context.summary.unit_keys
    for (key,) in index.db.cursor().execute("SELECT key FROM shared ORDER BY slug"):  # streamed, not fetched
        peer_pages(out, index, shared_of(index, key), unit_keys)
    anchors(index)
    buckets = [b for (b,) in index.db.execute(f"SELECT DISTINCT substr(anchor, 1, {BUCKET}) FROM anchors ORDER BY 1")]
    for bucket in buckets:  # every indicator of the site has its row on one of these
        listed = [Shared(*r[2:], anchor=r[0], alias=r[1]) for r in index.db.execute(
            "SELECT anchor, alias, identities.* FROM anchors JOIN identities USING (key) "
            "WHERE anchor BETWEEN ? AND ? ORDER BY kind, name, anchor", (bucket, bucket + "g"))]
        out.page(f"/peers/k/{bucket}/", "peers_bucket.html", bucket=bucket, listed=listed)
    out.finish()
    return out.count


def anchors(index: IndicatorIndex) -> None:
    """Where the project pages link (indicator_index.peer_link): the slug of each identity by the
    contract's rule, with the identity the site compares it by; the same but for names the site's
    synonyms join, which keep the name written (alias)."""
    index.db.execute("DROP TABLE IF EXISTS anchors")
    if index.synonyms:
        index.db.execute("""CREATE TABLE anchors AS SELECT slug(raw) AS anchor, key,
            CASE WHEN raw = key THEN '' ELSE MIN(name) END AS alias FROM rows GROUP BY raw""")
    else:
        index.db.execute("CREATE TABLE anchors AS SELECT slug AS anchor, key, '' AS alias FROM identities")
    index.db.execute("CREATE INDEX anchors_anchor ON anchors (anchor)")


def shared_of(index: IndicatorIndex, key: str) -> Shared:
    return Shared(*index.db.execute("SELECT * FROM shared WHERE key = ?", (key,)).fetchone())


def kind_pages(out: PageWriter, index: IndicatorIndex, kind: str, count: int) -> None:
    pages = max(1, -(-count // PAGE_SIZE))
    base = f"/peers/kind/{slug(kind)[:8]}/"
    for number in range(1, pages + 1):
        listed = [Shared(*r) for r in index.db.execute(
            "SELECT * FROM shared WHERE kind = ? ORDER BY units DESC, name, slug LIMIT ? OFFSET ?",
            (kind, PAGE_SIZE, (number - 1) * PAGE_SIZE))]
        out.page(base if number == 1 else f"{base}{number}/", "peers_kind.html", kind=kind, listed=listed,
                 number=number, pages=pages, base=base, count=count)


def group_digest(out: PageWriter, index: IndicatorIndex, key: str, unit_keys: dict[str, str]) -> str:
    """What one indicator's pages are made of besides the page base: its rows (their spread, names,
    counts and marks follow from them), hashed in SQLite's pass over them. A unit's rows are what its
    shard is made of, which its shard key hashes (build/cache.py): while the units it has rows in
    have the keys they had, with the same synonyms, the last build's digest is taken unread."""
    units = [unit for (unit,) in index.db.execute("SELECT DISTINCT unit FROM rows WHERE key = ? ORDER BY unit", (key,))]
    read = lambda: index.digest("WHERE key = ?", (key,))  # noqa: E731
    if not all(unit in unit_keys for unit in units):
        return read()
    made_of = "\n".join(f"{unit} {unit_keys[unit]}" for unit in units)
    return out.remembered(hashlib.sha256(f"{key}\0{index.synonyms.digest_part()}\0{made_of}".encode("utf-8")).hexdigest(), read)


def peer_pages(out: PageWriter, index: IndicatorIndex, shared: Shared, unit_keys: dict[str, str]) -> None:
    """One indicator's pages; linked from the site being replaced when its rows are as they were,
    else read in one pass over its rows in order, a page at a time."""
    pages = max(1, -(-shared.rows // PAGE_SIZE))
    base = f"/peers/{shared.slug}/"
    paths = [base if number == 1 else f"{base}{number}/" for number in range(1, pages + 1)]
    made_of = group_digest(out, index, shared.key, unit_keys)
    digests = [out.made_of(path, "peer.html", f"{shared.key}\0{made_of}") for path in paths]
    todo = [not out.reuse_page(path, digest) for path, digest in zip(paths, digests)]
    if not any(todo):
        return
    spread_list = index_spreads(index, shared.key)
    by_year = {s.year: s for s in spread_list}
    ordered = index.rows("WHERE key = ?", (shared.key,), order="year, unit, project, position")  # the index's order
    for number, (path, digest, needed) in enumerate(zip(paths, digests, todo), start=1):
        rows = list(islice(ordered, PAGE_SIZE))
        if not needed:
            continue
        home = relative_link("/", path)  # the rows' links, without two url() calls each
        out.page(path, "peer.html", digest=digest, shared=shared,
                 rows=[(r, marks(r, by_year), f"{home}{r.unit}/", f"{home}{r.unit}/{r.year}/{r.project}/") for r in rows], spreads=spread_list,
                 chart=chart(spread_list) if number == 1 else {}, number=number, pages=pages, base=base)
