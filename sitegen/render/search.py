"""Search renderer: Pagefind's extended binary indexes the written pages.

The pages are handed to a `pagefind --service` process in sorted order
(render/pagefind_service.py), so the index does not depend on the order
the file system lists them in.

Project pages are indexed (they carry `data-pagefind-body`), and unit-year
pages that open with a department-wide table (overall.yaml: its duties,
goals, tasks and indicators; the project list on them is ignored, the
projects have their own pages), with the unit, year and budget (资金总额)
as result metadata and year, region, unit, category (部门整体支出 for the
department-wide tables) and 一级指标 as filters. The extended binary is the one that segments
Chinese into words (pip package `pagefind[extended]`). The index is written
into the fresh staging folder, so no stale index files can survive.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path

import cbor2

from sitegen.model import Content
from sitegen.render import Context, RenderError
from sitegen.render.pagefind_service import PagefindService
from sitegen.render.writer import Writer, located

BUNDLE = "pagefind"
# One Pagefind process holds its whole index in memory, about 140 KB a page: past this many
# project pages the index is split into shards by unit, each indexed by a process of its own,
# and the search page merges them at query time (Pagefind's mergeIndex).
SHARD_PAGES = 10_000


def shard_pages() -> int:
    return max(1, int(os.environ.get("SITEGEN_SEARCH_SHARD_PAGES", SHARD_PAGES)))


def search_shards(content: Content) -> list[list[str]]:
    """The units of each search shard, in the site's order; one shard for a site of up to
    shard_pages() projects (whose index is then exactly the one unsharded Pagefind writes)."""
    limit = shard_pages()
    shards: list[list[str]] = [[]]
    size = 0
    for agency in content.agencies:
        pages = sum(len(uy.projects) + (uy.overall is not None) for uy in agency.years)  # a unit-year page with overall.yaml too
        if shards[-1] and size + pages > limit:
            shards.append([])
            size = 0
        shards[-1].append(agency.id)
        size += pages
    return shards


def shard_folder(number: int) -> str:
    """Where shard `number` goes in the output: the first at /pagefind/, the others below it."""
    return BUNDLE if number == 0 else f"{BUNDLE}/shard-{number}"


def render_search(content: Content, writer: Writer, context: Context) -> int:
    """Index the pages already in the output tree that ask for it (data-pagefind-body);
    returns the number of index files."""
    writer.claim_folder(BUNDLE)
    pages = written_pages(writer)
    for number, units in enumerate(search_shards(content)):
        wanted = set(units)
        with PagefindService() as service:
            for relative in pages:
                if relative.split("/", 1)[0] not in wanted:
                    continue
                html = (writer.root / relative).read_text(encoding="utf-8")  # each page read once
                if "data-pagefind-body" in html:
                    service.add_page(page_url(relative), html)
            bundle = service.files()
        if "pagefind.js" not in bundle:
            raise RenderError("Pagefind 没有写出搜索索引")
        folder = writer.root / shard_folder(number)
        for path, data in bundle.items():
            if path.startswith("/") or ".." in path.split("/"):
                raise RenderError(f"Pagefind 给出了索引目录以外的文件名：{path[:60]}")
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            with located(target):
                target.write_bytes(data)
        make_deterministic(folder)
    return sum(1 for _ in (writer.root / BUNDLE).rglob("*"))


def written_pages(writer: Writer) -> list[str]:
    """The HTML pages written so far, in sorted order: Pagefind numbers pages in the order they
    are added, so the order must not depend on the file system."""
    with writer.lock:  # the renderers after this one go on claiming paths meanwhile
        claimed = sorted(writer.written)
    return [relative for relative in claimed if relative.endswith(".html") and (writer.root / relative).is_file()]


def page_url(relative: str) -> str:
    """The URL Pagefind's CLI gives a page: /a/b/ for a/b/index.html."""
    return "/" + relative.removesuffix("index.html")


# ---------------------------------------------------------------- determinism
#
# Pagefind keeps filter values in hash maps seeded at random, so two runs over
# the same pages write the filter files (and so their names, the meta file
# that lists them and the entry file) in different orders. Everything else
# is already stable. The files are gzip'd CBOR after a "pagefind_dcd" tag;
# we sort what was unordered and name the files by their new content.

SIGNATURE = b"pagefind_dcd"


def read_packed(path: Path):
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise RenderError(f"Pagefind 索引文件格式未知：{path.name}")
    return cbor2.loads(raw[len(SIGNATURE):])


def write_packed(folder: Path, prefix: str, suffix: str, value, digits: int) -> str:
    """Write `value` packed as Pagefind does, named by its content; returns the new hash name."""
    data = SIGNATURE + cbor2.dumps(value)
    name = f"{prefix}_{hashlib.sha256(data).hexdigest()[:digits]}"
    with located(folder / f"{name}{suffix}"):
        (folder / f"{name}{suffix}").write_bytes(gzip.compress(data, mtime=0))
    return name


def make_deterministic(bundle: Path) -> None:
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        renamed = {}
        for path in sorted((bundle / "filter").glob(f"{language}_*.pf_filter")):
            name, values = read_packed(path)
            ordered = [name, sorted([value, sorted(pages)] for value, pages in values)]
            path.unlink()
            renamed[path.name.removesuffix(".pf_filter")] = write_packed(bundle / "filter", language, ".pf_filter", ordered, 7)
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = read_packed(meta_path)
        meta[3] = sorted([filter_name, renamed.get(old, old)] for filter_name, old in meta[3])
        meta_path.unlink()
        info["hash"] = write_packed(bundle, f"pagefind.{language}", ".pf_meta", meta, 13).removeprefix("pagefind.")
    with located(entry_path):
        entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
