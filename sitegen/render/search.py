"""Search renderer: Pagefind's extended binary indexes the written pages.

The pages are handed to a `pagefind --service` process in sorted order
(render/pagefind_service.py), so the index does not depend on the order
the file system lists them in.

Every unit page, unit-year page and project page is indexed (they carry
`data-pagefind-body`): a unit-year page with its department-wide table
(overall.yaml: duties, goals, tasks, indicators), without its project list
(the projects have their own pages). Results carry the unit, year, budget
and kind (单位, 年度公开表, 部门整体支出, 项目; also a sort key, units first)
as metadata; year, region, unit, category, 一级指标 (the standard name, or
the written one without its points) and place (each division of the unit's
region and the town its name begins with, render/places.py) are filters,
and the places with their short names are weighted text. static/places.js
answers a query that names a place or a unit with those filters, so only
that place's units, years and projects come back. The extended binary is the one that segments
Chinese into words (pip package `pagefind[extended]`). The index is written
into the fresh staging folder, so no stale index files can survive.

Past SHARD_PAGES indexed pages the index is split by unit into shards, indexed
PARALLEL_SHARDS at a time, each by a Pagefind process of its own; index_shard
makes one shard's bundle from that shard's pages alone, byte for byte the same
whatever else is indexed beside it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path
from typing import Iterable, Iterator

import cbor2

from sitegen.model import Content
from sitegen.render import Context, RenderError, worker_count
from sitegen.render.pagefind_service import PagefindService
from sitegen.render.writer import LINKS, Writer, link_or_store, located, place_files, replace_atomically

BUNDLE = "pagefind"
# One Pagefind process holds its whole index in memory, and building it (the last step) takes
# time and memory that grow faster than the pages. So past this many pages the index is split
# into shards by unit, each indexed by a process of its own, and the search page merges them at
# query time (Pagefind's mergeIndex). Smaller shards index as fast, hold much less memory each
# and make an edit re-index little; they cost the browser a slower first search and the disk a
# larger index (the figures, bench/search_recall.py: docs/scaling.md, "The search index in shards").
SHARD_PAGES = 1_000
# Shards indexed at once: each is one Pagefind process, so this bounds the memory of the step.
PARALLEL_SHARDS = 2


def shard_pages() -> int:
    return max(1, int(os.environ.get("SITEGEN_SEARCH_SHARD_PAGES", SHARD_PAGES)))


def parallel_shards() -> int:
    return max(1, min(worker_count(), int(os.environ.get("SITEGEN_SEARCH_PARALLEL", PARALLEL_SHARDS))))


def search_shards(content: Content) -> list[list[str]]:
    """The units of each search shard, in the site's order; one shard for a site of up to
    shard_pages() indexed pages (whose index is then exactly the one unsharded Pagefind writes)."""
    limit = shard_pages()
    shards: list[list[str]] = [[]]
    size = 0
    for agency in content.agencies:
        pages = 1 + sum(1 + len(uy.projects) for uy in agency.years)  # the unit's page, each year's and each project's
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
    """Index the pages already in the output tree that ask for it (data-pagefind-body), up to
    parallel_shards() shards at once; returns the number of index files."""
    writer.claim_folder(BUNDLE)
    by_unit: dict[str, list[str]] = {}
    for relative in written_pages(writer):
        by_unit.setdefault(relative.split("/", 1)[0], []).append(relative)

    cache = BundleCache(context.cache_dir)
    made_of = context.summary.unit_keys if context.summary is not None else {}

    def shard(number: int, units: list[str]) -> int:
        relatives = sorted(r for unit in units for r in by_unit.get(unit, []))
        if all(unit in made_of for unit in units):  # a build's shards: known without reading a page
            key = cache.key("units", ((unit, made_of[unit]) for unit in units))
            pages = None
        else:
            pages = list(indexed_pages(writer.root, relatives))
            key = cache.key("pages", pages)
        bundle = cache.get(key)
        previous = context.previous  # a cached bundle's files may still be in the previous site
        if bundle is None:
            bundle = index_shard(pages if pages is not None else indexed_pages(writer.root, relatives))
            cache.put(key, bundle)
            previous = None
        # Here, so that the others are written meanwhile; a cached bundle's files that the previous
        # site still has as the last build put them are linked from there (writer.place_files).
        files = [(f"{shard_folder(number)}/{path}", data) for path, data in sorted(bundle.items())]
        place_files(files, writer.root, cache.links(key), previous, bundle_writer(writer.root))
        return len(bundle)

    with ThreadPoolExecutor(max_workers=parallel_shards()) as pool:
        running = [pool.submit(shard, number, units) for number, units in enumerate(search_shards(content))]
        files = sum(done.result() for done in running)
    cache.sweep()
    return files


class BundleCache:
    """Each shard's bundle under a digest of what it is made of (in a build, its units' shard keys,
    build/cache.py; otherwise its pages), Pagefind's version and sitegen's code: after editing one
    project only its search shard is indexed again (incremental builds). Kept as CBOR, which
    reading cannot turn into code."""

    def __init__(self, cache_dir: Path):
        from sitegen.base.resources import code_digest

        self.folder = cache_dir / "search"
        self.salt = f"{code_digest()}\0{metadata.version('pagefind')}\0".encode("utf-8")
        self.used: set[str] = set()

    def key(self, kind: str, parts: Iterable[tuple[str, str]]) -> str:
        """The digest of `parts`, (name, text) pairs of one kind: (URL, HTML) or (unit, shard key)."""
        digest = hashlib.sha256(self.salt + kind.encode("ascii") + b"\0")
        for name, text in parts:
            data = text.encode("utf-8")
            digest.update(f"{len(name)}:{name}{len(data)}:".encode("utf-8") + data)
        key = digest.hexdigest()
        self.used.add(key)
        return key

    def get(self, key: str) -> dict[str, bytes] | None:
        try:
            bundle = cbor2.loads((self.folder / f"{key}.cbor").read_bytes())
        except Exception:  # noqa: BLE001 - an entry that cannot be read whole is a miss
            return None
        if not isinstance(bundle, dict) or not all(isinstance(k, str) and isinstance(v, bytes) for k, v in bundle.items()):
            return None
        return bundle

    def put(self, key: str, bundle: dict[str, bytes]) -> None:
        replace_atomically(self.folder / f"{key}.cbor", cbor2.dumps(bundle))

    def links(self, key: str) -> Path:
        """Where the last build put the bundle's files (writer.read_links)."""
        return self.folder / f"{key}{LINKS}"

    def sweep(self) -> None:
        if self.folder.is_dir():
            for entry in self.folder.iterdir():
                if entry.suffix in (".cbor", LINKS) and entry.stem not in self.used:
                    entry.unlink(missing_ok=True)


def index_shard(pages: Iterable[tuple[str, str]]) -> dict[str, bytes]:
    """One shard's bundle, path → bytes, from its pages ((URL, HTML) in sorted order): a pure
    function of those pages, so a build may keep a shard's bundle and index again only the
    shards whose pages changed."""
    with PagefindService() as service:
        service.add_pages(pages)
        bundle = service.files()
    if "pagefind.js" not in bundle:
        raise RenderError("Pagefind 没有写出搜索索引")
    for path in bundle:
        if path.startswith("/") or ".." in path.split("/"):
            raise RenderError(f"Pagefind 给出了索引目录以外的文件名：{path[:60]}")
    return deterministic(bundle)


def indexed_pages(root: Path, pages: list[str]) -> Iterator[tuple[str, str]]:
    """(URL, HTML) of the pages that ask to be indexed; each page read once, when it is sent."""
    for relative in pages:
        html = (root / relative).read_text(encoding="utf-8")
        if "data-pagefind-body" in html:
            yield page_url(relative), html


def bundle_writer(root: Path):
    """How place_files puts a bundle's files into the tree at `root` (in the folder search
    claimed, so they are not claimed one by one): linked or written, each folder made once, as
    a bundle's thousands of files are in a few folders."""
    made: set[Path] = set()

    def put(path: str, data: bytes, same: str | None) -> bool:
        target = root / path
        with located(target):
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            return link_or_store(target, data, same)

    return put


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


def unpack(data: bytes, name: str):
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise RenderError(f"Pagefind 索引文件格式未知：{name}")
    return cbor2.loads(raw[len(SIGNATURE):])


def pack(prefix: str, value, digits: int) -> tuple[str, bytes]:
    """`value` packed as Pagefind does, and its name by its content: (hash name, bytes)."""
    data = SIGNATURE + cbor2.dumps(value)
    return f"{prefix}_{hashlib.sha256(data).hexdigest()[:digits]}", gzip.compress(data, mtime=0)


def deterministic(bundle: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle with its filter files, meta file and entry rewritten in a stable order."""
    files = dict(bundle)
    rewritten: dict[str, bytes] = {}  # apart, so that a new name can never meet an old one
    entry = json.loads(files.pop("pagefind-entry.json"))
    for language, info in entry["languages"].items():
        renamed = {}
        for path in sorted(p for p in bundle if p.startswith(f"filter/{language}_") and p.endswith(".pf_filter")):
            name, values = unpack(files.pop(path), path)
            new_name, data = pack(language, [name, sorted([value, sorted(pages)] for value, pages in values)], 7)
            rewritten[f"filter/{new_name}.pf_filter"] = data
            renamed[path.removeprefix("filter/").removesuffix(".pf_filter")] = new_name
        meta_path = f"pagefind.{info['hash']}.pf_meta"
        meta = unpack(files.pop(meta_path), meta_path)
        meta[3] = sorted([filter_name, renamed.get(old, old)] for filter_name, old in meta[3])
        new_name, data = pack(f"pagefind.{language}", meta, 13)
        rewritten[f"{new_name}.pf_meta"] = data
        info["hash"] = new_name.removeprefix("pagefind.")
    rewritten["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return files | rewritten
