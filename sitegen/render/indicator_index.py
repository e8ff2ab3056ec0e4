"""Every indicator of the site as one small row, gathered shard by shard, and kept on disk.

A shard keeps one IndicatorRow a project indicator (SiteSummary.indicator_rows, a chunk a shard;
the build's a Spill); once every shard is in, the build loads them into a temporary SQLite file
(IndicatorIndex), which groups and sorts them without holding them: soft-target by peers runs over
it (checks/review/peers.py), and the peer pages (peers.py) and the all-indicators table
(indicators.py) are written from it a bounded page at a time. Memory holds one group or one page,
whatever the site's size; the file goes when the build ends.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import tempfile
import weakref
from collections import defaultdict
from decimal import Decimal
from typing import Iterable, Iterator, NamedTuple

from sitegen.base.findings import Finding, Findings
from sitegen.checks.review import peers as review_peers
from sitegen.checks.review.synonyms import Synonyms
from sitegen.checks.review.vocabulary import identity, is_percent, level2_kind, more_is_better
from sitegen.checks.base import indicator_path
from sitegen.model import Content, Site


class IndicatorRow(NamedTuple):
    unit: str  # the unit's folder
    unit_name: str
    year: int
    project: str  # the project's id
    project_name: str
    position: int  # in the project's indicators, from 0
    level1: str
    level2: str
    name: str
    key: str  # the same indicator across units and years (review/vocabulary.identity)
    kind: str  # its 二级 kind (社会效益 for 社会效益指标), or the 二级 name as written
    value: str  # 指标值 as printed: ≥95%
    number: str | None  # the target's number, as written
    measure: str  # 计量单位
    better: int | None  # 1 more is better, 0 less, None neither
    percent: bool
    actual: str
    met: str  # 达成 / 未达成 / 未判定
    findings: str  # the review's codes found on this row, comma-separated
    file: str
    line: int
    col: int
    path: str


def slug(key: str) -> str:
    """A peer page's name: stable while the indicator's identity is."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


BUCKET = 2  # hex characters of a slug that name its index page: at most 256 pages


def peer_link(indicator) -> str:
    """Where a project page's row links (其他单位的同一指标): the index page of its slug's first
    BUCKET characters, where every indicator of the site has its row (an anchor), with a link to its
    peer page when other units or years share it. A shard cannot know whether they do (other shards
    hold the other units), so the link goes to a page that is always there."""
    name = slug(identity(indicator))
    return f"/peers/k/{name[:BUCKET]}/#{name}"


def rows_of(content: Content, findings: Iterable[Finding]) -> list[IndicatorRow]:
    """The rows of a shard's (or a whole content's) project indicators, in content order."""
    from sitegen.checks.review import WARNING_CODES

    codes: dict[tuple[str, str], list[str]] = defaultdict(list)
    for finding in findings:
        if finding.code in WARNING_CODES and finding.path.startswith("indicators["):
            codes[(finding.loc.file, finding.path.split(".")[0])].append(finding.code)
    rows = []
    for project in content.projects():
        for position, indicator in enumerate(project.indicators):
            path = indicator_path(position)
            loc = indicator.locs.get("target", indicator.loc)
            target = indicator.target
            kind = level2_kind(indicator.level2)
            better = more_is_better(indicator)
            rows.append(IndicatorRow(
                project.agency.id, project.agency.name, project.year, project.id, project.name, position,
                indicator.level1, indicator.level2, indicator.name, identity(indicator),
                kind[0] if kind else indicator.level2, indicator.value_text,
                target.text if target is not None and target.number is not None else None, indicator.unit,
                None if better is None else int(better), is_percent(indicator.unit), indicator.actual_text,
                indicator.met_label, ",".join(sorted(set(codes.get((project.loc.file, path), [])))),
                loc.file, loc.line, loc.col, f"{path}.target",
            ))
    return rows


COLUMNS = IndicatorRow._fields


class RowsDigest:
    """A SQLite aggregate: the digest of some rows, whatever order they come in (the sum of each
    row's own digest; a page whose order is not in its values adds the rowid)."""

    def __init__(self):
        self.total = 0

    def step(self, *values) -> None:
        row = hashlib.blake2b(repr(values).encode("utf-8"), digest_size=20).digest()
        self.total = (self.total + int.from_bytes(row, "big")) % (1 << 160)

    def finalize(self) -> str:
        return f"{self.total:040x}"


class IndicatorIndex:
    """The rows of every shard in a temporary SQLite file, in content order (rowid)."""

    def __init__(self, chunks: Iterable[list[IndicatorRow]], synonyms: Synonyms | None = None):
        # A folder of its own, removed by close() or when the index is collected, and only by this
        # process: the page renderers fork, and a child must not remove its parent's file.
        self.folder = tempfile.mkdtemp(prefix="sitegen-indicators-")
        self.removal = weakref.finalize(self, remove_if_owner, self.folder, os.getpid())
        self.db = sqlite3.connect(os.path.join(self.folder, "rows.sqlite"))
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        # key: the identity the site compares by (the site's synonyms applied); raw: the identity by
        # the contract's rule alone, which the project pages link by (peer_link)
        self.synonyms = synonyms or Synonyms()
        self.db.execute(f"CREATE TABLE rows ({', '.join(COLUMNS)}, raw)")
        marks = ", ".join("?" * (len(COLUMNS) + 1))
        for chunk in chunks:
            self.db.executemany(f"INSERT INTO rows VALUES ({marks})", ((*row, row.key) for row in chunk))
        if self.synonyms:
            self.db.create_function("synonym", 1, self.synonyms.key, deterministic=True)
            self.db.execute("UPDATE rows SET key = synonym(key)")
        self.db.execute("CREATE INDEX by_key ON rows (key, year, unit, project, position)")  # a peer page's order
        self.db.execute("CREATE INDEX by_place ON rows (file, path)")
        self.db.create_aggregate("rows_digest", -1, RowsDigest)
        self.db.commit()

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM rows").fetchone()[0]

    def rows(self, where: str = "", args: tuple = (), order: str = "rowid") -> Iterator[IndicatorRow]:
        sql = f"SELECT {', '.join(COLUMNS)} FROM rows {where} ORDER BY {order}"
        for values in self.db.execute(sql, args):
            yield IndicatorRow(*values)

    def digest(self, where: str, args: tuple = (), ordered: bool = False) -> str:
        """A digest of every value of the rows `where` selects (and of their order, by rowid, when
        `ordered`): what a page made of them is made of, without reading them into Python."""
        columns = ", ".join(("rowid", *COLUMNS) if ordered else COLUMNS)
        return self.db.execute(f"SELECT rows_digest({columns}) FROM rows {where}", args).fetchone()[0]

    def peer_rows(self) -> Iterator[review_peers.PeerRow]:
        """Percentage number targets with a direction, sorted by indicator and year."""
        where = "WHERE percent = 1 AND better IS NOT NULL AND number IS NOT NULL"
        for r in self.rows(where, order="key, year, unit, file, line"):
            yield review_peers.PeerRow(r.key, r.year, r.unit, r.unit_name, Decimal(r.number), bool(r.better), r.name,
                                       r.value, r.file, r.line, r.col, r.path)

    def mark(self, file: str, path: str, code: str) -> None:
        """A finding found after the shards (soft-target by peers) on its row."""
        row = self.db.execute("SELECT rowid, findings FROM rows WHERE file = ? AND path = ?", (file, path)).fetchone()
        if row:
            codes = sorted(set(filter(None, row[1].split(","))) | {code})
            self.db.execute("UPDATE rows SET findings = ? WHERE rowid = ?", (",".join(codes), row[0]))

    def close(self) -> None:
        self.db.close()
        self.removal()


def remove_if_owner(folder: str, owner: int) -> None:
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)


def index_site(summary, site: Site, findings: Findings, synonyms: Synonyms | None = None) -> IndicatorIndex:
    """The build's index of every shard's rows, and the rules that compare units run over it: their
    findings are added to `findings` at the level site.yaml sets, and marked on their rows."""
    from sitegen.checks import add

    index = IndicatorIndex(summary.indicator_rows, synonyms)
    flags = list(review_peers.peer_flags(index.peer_rows()))
    add(findings, flags, site)
    if site.review_level("soft-target") != "off":
        for flag in flags:
            index.mark(flag.loc.file, flag.path, flag.code)
    index.db.commit()
    return index
