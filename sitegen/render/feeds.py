"""Feeds and indexing: an Atom feed of disclosures, sitemap.xml and robots.txt.

A feed entry is one unit-year. Its `updated` date must move when its
content changes, but never with the clock (the same content gives the same
bytes): it is the date of the last git commit that touched the unit-year's
files (agency.yaml, disclosure.yaml, the projects), or, outside git, the
publication date, or 1 January of the budget year.
"""

from __future__ import annotations

import subprocess
from datetime import date, datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from sitegen.model import Content, UnitYear
from sitegen.model.money import money_text
from sitegen.render import Context
from sitegen.render.writer import Writer

FEED = "feed.xml"
SITEMAP = "sitemap.xml"
SITEMAP_URLS = 50_000  # the sitemaps.org protocol's limit for one file


def commit_dates(content_dir: Path) -> dict[Path, datetime]:
    """Each file under content_dir → the date of the last commit that changed it (empty outside git)."""
    try:
        top = subprocess.run(["git", "-C", str(content_dir), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=True).stdout.strip()
        log = subprocess.run(["git", "-C", top, "log", "--format=%x00%cI", "--name-only", "--", str(content_dir.resolve())],
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    dates: dict[Path, datetime] = {}
    for block in log.split("\0")[1:]:
        stamp, *names = block.strip().splitlines()
        when = datetime.fromisoformat(stamp).astimezone(timezone.utc)
        for name in names:
            dates.setdefault((Path(top) / name).resolve(), when)  # newest commit first
    return dates


def fallback_date(unit_year: UnitYear) -> datetime:
    day = unit_year.published or date(unit_year.year, 1, 1)
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def updated(unit_year: UnitYear, dates: dict[Path, datetime]) -> datetime:
    if not dates:  # not in git: no file to look up (resolving them is a third of the step at 10,000 projects)
        return fallback_date(unit_year)
    files = [Path(f).resolve() for f in (unit_year.agency.loc.file, unit_year.loc.file,
                                         *(p.loc.file for p in unit_year.projects))]
    known = [dates[f] for f in files if f in dates]
    return max(known) if known else fallback_date(unit_year)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def overall_summary(unit_year) -> str:
    o = unit_year.overall
    funds = f"资金总额 {money_text(o.total, unit_year.money_unit)}，" if o.total is not None else ""
    return f"{unit_year.agency.name} {unit_year.year} 年部门整体支出绩效目标：{funds}{len(o.indicators)} 项单位绩效指标{'，含自评' if o.evaluation else ''}。"


def atom(content: Content, when: dict[int, datetime]) -> str:
    site = content.site
    entries = sorted(((when[id(uy)], uy) for uy in content.unit_years()),
                     key=lambda pair: (pair[0], pair[1].agency.id, pair[1].year), reverse=True)
    newest = entries[0][0] if entries else datetime(2000, 1, 1, tzinfo=timezone.utc)
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{escape(site.language)}">',
             f"<title>{escape(site.title)}</title>", f"<id>{escape(site.base_url)}</id>",
             f'<link rel="self" href={quoteattr(site.base_url + FEED)}/>', f"<link href={quoteattr(site.base_url)}/>",
             f"<updated>{stamp(newest)}</updated>", "<author><name>sitegen</name></author>"]
    for when, unit_year in entries:
        url = site.base_url + unit_year.url.lstrip("/")
        summary = (f"{unit_year.agency.name}（{unit_year.agency.region}）{unit_year.year} 年：{len(unit_year.projects)} 个项目，"
                   f"{unit_year.indicator_count} 项绩效指标，预算合计 {money_text(unit_year.total, unit_year.money_unit)}。")
        kind = "项目支出绩效目标"
        if unit_year.overall:  # the department-wide table opens the page, and the entry
            kind, summary = "预算绩效目标", overall_summary(unit_year) + (summary if unit_year.projects else "")
        lines += ["<entry>", f"<title>{escape(unit_year.agency.name)} {unit_year.year} 年{kind}</title>",
                  f"<id>{escape(url)}</id>", f"<link href={quoteattr(url)}/>", f"<updated>{stamp(when)}</updated>",
                  f"<author><name>{escape(unit_year.agency.name)}</name></author>",
                  f"<summary>{escape(summary)}</summary>", "</entry>"]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def sitemaps(content: Content, writer: Writer, when: dict[int, datetime]) -> dict[str, str]:
    """Site path → text of the sitemaps: sitemap.xml alone up to SITEMAP_URLS pages; beyond, the
    pages in sitemaps/1.xml, 2.xml … of SITEMAP_URLS each, and sitemap.xml their index (the
    protocol takes no more in one file: a province's site has more pages than that)."""
    lastmod = {uy.url: when[id(uy)] for uy in content.unit_years()}
    for unit_year in content.unit_years():
        for project in unit_year.projects:
            lastmod[project.url] = lastmod[unit_year.url]
    pages = sorted("/" + p.removesuffix("index.html") for p in writer.written
                   if p.endswith(".html") and p != "404.html" and not p.startswith("pagefind/"))
    urls = []
    for page in pages:
        modified = f"<lastmod>{lastmod[page].date().isoformat()}</lastmod>" if page in lastmod else ""
        urls.append(f"<url><loc>{escape(content.site.base_url + page.lstrip('/'))}</loc>{modified}</url>")
    if len(urls) <= SITEMAP_URLS:
        return {SITEMAP: xml_list("urlset", urls)}
    parts = {f"sitemaps/{n + 1}.xml": xml_list("urlset", urls[start:start + SITEMAP_URLS])
             for n, start in enumerate(range(0, len(urls), SITEMAP_URLS))}
    index = [f"<sitemap><loc>{escape(content.site.base_url + path)}</loc></sitemap>" for path in parts]
    return {SITEMAP: xml_list("sitemapindex", index), **parts}


def xml_list(root: str, items: list[str]) -> str:
    return "\n".join(['<?xml version="1.0" encoding="utf-8"?>',
                      f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">', *items, f"</{root}>"]) + "\n"


def render_feeds(content: Content, writer: Writer, context: Context) -> None:
    dates = commit_dates(context.content_dir)
    when = {id(uy): updated(uy, dates) for uy in content.unit_years()}  # id(unit-year) → its date
    writer.write_text(FEED, atom(content, when))
    for path, text in sitemaps(content, writer, when).items():
        writer.write_text(path, text)
    writer.write_text("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {content.site.base_url}{SITEMAP}\n")
