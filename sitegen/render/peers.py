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
indicator whose rows are as they were (group_digest, hashed in SQLite's pass over them) has its
pages linked from the site being replaced without reading its rows.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
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
    groups = Groups(index, context, out)
    for (key,) in index.db.cursor().execute("SELECT key FROM shared ORDER BY slug"):  # streamed, not fetched
        peer_pages(out, index, shared_of(index, key), groups)
    anchors(index)
    buckets = [b for (b,) in index.db.execute(f"SELECT DISTINCT substr(anchor, 1, {BUCKET}) FROM anchors ORDER BY 1")]
    for bucket in buckets:  # every indicator of the site has its row on one of these
        listed = [Shared(*r[2:], anchor=r[0], alias=r[1]) for r in index.db.execute(
            "SELECT anchor, alias, identities.* FROM anchors JOIN identities USING (key) "
            "WHERE anchor BETWEEN ? AND ? ORDER BY kind, name, anchor", (bucket, bucket + "g"))]
        out.page(f"/peers/k/{bucket}/", "peers_bucket.html", bucket=bucket, listed=listed)
    out.finish()
    groups.finish()
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


class Groups:
    """What each shared indicator's pages are made of: every value of its rows (their spread, names
    and counts follow from them), hashed by SQLite's pass over them (IndicatorIndex.digest).

    The build cache keeps them (pages/peers-groups.sqlite) with the shard key of every unit and the
    indicators it has rows in. A unit whose shard key is unchanged has the same rows (the key hashes
    all they are made of), so after an edit only the indicators that a changed, added or removed unit
    has or had rows in are hashed again; the others keep their digest without their rows being read.
    Kept in SQLite, so that neither this build's units nor the last one's are held in memory."""

    def __init__(self, index: IndicatorIndex, context: Context, out: PageWriter):
        self.index = index
        self.path = context.cache_dir / "pages" / "peers-groups.sqlite"
        # the pages' base and the synonyms (which move rows between indicators without a shard changing)
        self.salt = hashlib.sha256(f"{out.base}\0{index.synonyms.digest_part()}".encode("utf-8")).hexdigest()
        db = index.db
        db.execute("DROP TABLE IF EXISTS temp.unit_keys")
        db.execute("DROP TABLE IF EXISTS temp.known")
        db.execute("CREATE TEMP TABLE unit_keys (unit PRIMARY KEY, shard)")
        db.executemany("INSERT INTO temp.unit_keys VALUES (?, ?)", sorted(context.summary.unit_keys.items()))
        db.execute("CREATE TEMP TABLE known (slug PRIMARY KEY, digest)")
        if context.previous is not None and self.path.is_file() and context.summary.unit_keys:
            self.recall()

    def recall(self) -> None:
        """The last build's digests of the indicators that no changed unit has or had rows in."""
        db = self.index.db
        try:
            db.commit()  # (no ATTACH inside a transaction)
            db.execute("ATTACH DATABASE ? AS last", (str(self.path),))
            if db.execute("SELECT salt FROM last.salt").fetchone() != (self.salt,):
                return
            db.execute("""CREATE TEMP TABLE changed AS SELECT unit FROM temp.unit_keys AS now
                WHERE NOT EXISTS (SELECT 1 FROM last.units AS was WHERE was.unit = now.unit AND was.shard = now.shard)
                UNION SELECT unit FROM last.units WHERE unit NOT IN (SELECT unit FROM temp.unit_keys)""")
            db.execute("""INSERT INTO temp.known SELECT slug, digest FROM last.groups WHERE slug NOT IN (
                SELECT slug FROM last.unit_groups WHERE unit IN (SELECT unit FROM temp.changed)
                UNION SELECT slug(key) FROM rows WHERE unit IN (SELECT unit FROM temp.changed))""")
        except sqlite3.DatabaseError:  # not a file this code wrote: every digest is taken again
            db.execute("DELETE FROM temp.known")
        finally:
            db.execute("DROP TABLE IF EXISTS temp.changed")
            db.commit()
            if any(name == "last" for _, name, _ in db.execute("PRAGMA database_list")):
                db.execute("DETACH DATABASE last")

    def digest(self, shared: Shared) -> str:
        known = self.index.db.execute("SELECT digest FROM temp.known WHERE slug = ?", (shared.slug,)).fetchone()
        digest = known[0] if known else self.index.digest("WHERE key = ?", (shared.key,))
        self.index.db.execute("INSERT OR REPLACE INTO temp.known VALUES (?, ?)", (shared.slug, digest))
        return digest

    def finish(self) -> None:
        """This build's digests, units and their indicators, for the next build (a new file, renamed over the last)."""
        db = self.index.db
        fresh = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        fresh.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fresh.unlink(missing_ok=True)
        db.commit()
        db.execute("ATTACH DATABASE ? AS next", (str(fresh),))
        try:
            db.execute("CREATE TABLE next.salt (salt)")
            db.execute("INSERT INTO next.salt VALUES (?)", (self.salt,))
            db.execute("CREATE TABLE next.units AS SELECT unit, shard FROM temp.unit_keys")
            db.execute("""CREATE TABLE next.unit_groups AS SELECT DISTINCT unit, slug FROM rows JOIN shared USING (key)""")
            db.execute("CREATE INDEX next.unit_groups_unit ON unit_groups (unit)")
            db.execute("CREATE TABLE next.groups AS SELECT slug, digest FROM temp.known WHERE slug IN (SELECT slug FROM shared)")
            db.commit()
        finally:
            db.execute("DETACH DATABASE next")
        os.replace(fresh, self.path)


def peer_pages(out: PageWriter, index: IndicatorIndex, shared: Shared, groups: Groups) -> None:
    """One indicator's pages; linked from the site being replaced when its rows are as they were,
    else read in one pass over its rows in order, a page at a time."""
    pages = max(1, -(-shared.rows // PAGE_SIZE))
    base = f"/peers/{shared.slug}/"
    paths = [base if number == 1 else f"{base}{number}/" for number in range(1, pages + 1)]
    made_of = groups.digest(shared)
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
