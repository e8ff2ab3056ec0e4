"""Every indicator of the site in one static table, PAGE_SIZE rows a page, in content order:
/indicators/ (page 1), /indicators/<n>/, each with its CSV and JSON twins (rows.csv, rows.json)
and a permalink per row (#i-<unit>-<year>-<project>-<position>). The table filters and sorts in the
browser (static/results.js, a progressive enhancement: without JavaScript it is a plain table), and
every page is read from the build's IndicatorIndex, so memory holds one page.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json

from sitegen.checks.review import WARNING_CODES as REVIEW_RULES
from sitegen.model import Content
from sitegen.model.specs import INDICATOR, PROJECT
from sitegen.render import Context
from sitegen.render.data import spreadsheet_safe
from sitegen.render.indicator_index import IndicatorIndex, IndicatorRow
from sitegen.render.pages_out import PageWriter
from sitegen.render.templates import relative_link
from sitegen.render.writer import Writer

PAGE_SIZE = 1000
FIND_LIMIT = 200  # matches the search over every page lists at a time (static/indicators.js), then 更多
FIELDS = (  # the twins' columns: (name, title, value)
    ("agency_id", "单位目录", lambda r: r.unit), ("agency_name", "预算单位", lambda r: r.unit_name),
    ("year", "年度", lambda r: r.year), ("project_id", "项目编号", lambda r: r.project),
    ("project_name", PROJECT.field("name").cell_label, lambda r: r.project_name), ("position", "指标序号", lambda r: r.position + 1),
    ("level1", INDICATOR.field("level1").cell_label, lambda r: r.level1),
    ("level2", INDICATOR.field("level2").cell_label, lambda r: r.level2),
    ("name", INDICATOR.field("name").cell_label, lambda r: r.name), ("target", "指标值", lambda r: r.value),
    ("unit", INDICATOR.field("unit").cell_label, lambda r: r.measure),
    ("actual", INDICATOR.field("actual").cell_label, lambda r: r.actual),
    ("met", "达成情况", lambda r: r.met), ("review", "目标质量审核", lambda r: r.findings),
    ("permalink", "链接", lambda r: anchor(r)),
)


def anchor(row: IndicatorRow) -> str:
    return f"i-{row.unit}-{row.year}-{row.project}-{row.position + 1}"


def page_path(number: int) -> str:
    return "/indicators/" if number == 1 else f"/indicators/{number}/"


def twins(rows: list[IndicatorRow], base_url: str, number: int) -> tuple[str, str]:
    """The page's rows as CSV (Excel-safe cells, a byte order mark for Excel) and JSON."""
    out = io.StringIO()
    table = csv.writer(out, lineterminator="\r\n")
    names = [name for name, _, _ in FIELDS]
    table.writerow(names)
    link = base_url + page_path(number).lstrip("/")
    records = []
    for row in rows:
        values = [get(row) for _, _, get in FIELDS]
        values[-1] = f"{link}#{values[-1]}"
        table.writerow([spreadsheet_safe(v) for v in values])
        records.append(dict(zip(names, values)))
    document = {"page": number, "fields": [{"name": n, "title": t} for n, t, _ in FIELDS], "rows": records}
    # compact: the json module's C encoder (indenting would take its pure-Python one, ten times slower)
    return "\ufeff" + out.getvalue(), json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def page_rows(out: PageWriter, index: IndicatorIndex, first: int, last: int, unit_keys: dict[str, str]) -> str:
    """A digest of the rows first…last (rowids), in order, hashed in SQLite's pass over them. A
    unit's rows are what its shard is made of, which its shard key hashes (build/cache.py), and lie
    together in content order: while the units that overlap the page have the keys they had and
    begin and end where they did, and the codes soft-target by peers adds after the shards (it
    compares units: one short column, read) are the same, the last build's digest is taken unread."""
    spans = index.db.execute("SELECT unit, lo, hi, n FROM temp.spans WHERE hi >= ? AND lo <= ? ORDER BY lo",
                             (first, last)).fetchall()
    read = lambda: index.digest("WHERE rowid BETWEEN ? AND ?", (first, last), ordered=True)  # noqa: E731
    if not all(unit in unit_keys and hi - lo + 1 == n for unit, lo, hi, n in spans):
        return read()
    codes = [f"{rowid} {found}" for rowid, found in index.db.execute(
        "SELECT rowid, findings FROM rows WHERE rowid BETWEEN ? AND ? AND findings != '' ORDER BY rowid", (first, last))]
    made_of = [f"{first} {last}", *(f"{unit} {unit_keys[unit]} {lo} {hi}" for unit, lo, hi, _ in spans)]
    return out.remembered(hashlib.sha256("\n".join([*made_of, "", *codes]).encode("utf-8")).hexdigest(), read)


def render_indicators(content: Content, writer: Writer, context: Context) -> int:
    """Every page of the table and its twins, from context.summary.index; returns the pages written."""
    index: IndicatorIndex = context.summary.index
    out = PageWriter(content, writer, context, "indicators")
    total = index.count()
    pages = max(1, -(-total // PAGE_SIZE))
    unit_keys = context.summary.unit_keys
    index.db.execute("DROP TABLE IF EXISTS temp.spans")
    index.db.execute("CREATE TEMP TABLE spans AS SELECT unit, MIN(rowid) AS lo, MAX(rowid) AS hi, COUNT(*) AS n FROM rows GROUP BY unit")
    index.db.execute("CREATE INDEX temp.spans_lo ON spans (lo)")
    for number in range(1, pages + 1):
        first = (number - 1) * PAGE_SIZE + 1  # rowids run 1…total in content order: a range, not an OFFSET scan
        where, args = "WHERE rowid BETWEEN ? AND ?", (first, first + PAGE_SIZE - 1)
        path = page_path(number)
        # All a page and its twins are made of besides the base: its rows in order, and the counts it prints.
        digest = out.made_of(path, "indicators.html", f"{page_rows(out, index, first, first + PAGE_SIZE - 1, unit_keys)}\0"
                                                      f"{number}\0{pages}\0{total}\0{PAGE_SIZE}\0{FIND_LIMIT}")
        twins_at = (f"{path.lstrip('/')}rows.csv", f"{path.lstrip('/')}rows.json")
        # Each linked from the site being replaced when the last build made it of the same and it is
        # still as made; the rows are read only for the others.
        linked = [out.reuse_page(path, digest), *(out.reuse(twin, digest) for twin in twins_at)]
        if all(linked):
            continue
        rows = list(index.rows(where, args))
        if not linked[0]:
            home = relative_link("/", path)  # the links of a thousand rows, without a url() call each
            out.page(path, "indicators.html", digest=digest,
                     rows=[(r, anchor(r), [REVIEW_RULES.get(c, c) for c in r.findings.split(",") if c],
                            f"{home}{r.unit}/{r.year}/{r.project}/") for r in rows],
                     number=number, pages=pages, total=total, first=first, last=first + len(rows) - 1,
                     base="/indicators/", page_size=PAGE_SIZE, find_limit=FIND_LIMIT)
        for twin, text, done in zip(twins_at, twins(rows, content.site.base_url, number), linked[1:]):
            if not done:
                out.text(twin, text, digest)
    out.finish()
    return out.count
