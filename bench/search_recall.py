"""Benchmark: the search page's recall on a large generated site, in real headless Chromium.

    .venv/bin/python bench/search_recall.py [--projects 100000] [--sample 200] [--work DIR] [--reuse]
    .venv/bin/python bench/search_recall.py --places [--work DIR]

--places measures place queries instead (recall and precision, bench/search_places.py).

Generates the tree of bench/bench.py (names 第NNNNN号项目运行经费, alike but for the number),
builds it without PDFs and without the search index, then indexes it alone (render_search,
timed, with the peak memory of this process and of the Pagefind processes sampled together),
serves the site and searches a sample of project names by their full name on /search/: each
must be among the first 10 results. Prints recall, the time of the search step and of the
queries, and how Pagefind splits a name into words when indexing and when searching.
--reuse takes the content and output an earlier run left in --work (the index is made again).
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import os
import random
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import Memory, claim_work, generate  # noqa: E402  (bench/bench.py: this script's folder comes first on the path)
from sitegen.build.site import PDF, build, without  # noqa: E402
from sitegen.checks.pipeline import Loaded, load_content  # noqa: E402
from sitegen.render import Context  # noqa: E402
from sitegen.render.search import BUNDLE, render_search, search_shards  # noqa: E402
from sitegen.render.writer import Writer  # noqa: E402

SEED = 15  # the sample is the same on every run
TOP = 10


class SearchMemory(Memory):
    """bench.py's sampler (all processes, PSS summed), also keeping the largest Pagefind process."""

    pagefind = 0

    def sample(self) -> None:
        super().sample()
        import psutil

        for process in self.me.children(recursive=True):
            try:
                if process.name().startswith("pagefind"):
                    self.pagefind = max(self.pagefind, process.memory_info().rss)
            except psutil.Error:
                continue


def build_site(content: Path, out: Path, cache: Path, projects: int, per_unit: int) -> Loaded:
    generate(content, projects, per_unit)
    shutil.rmtree(out, ignore_errors=True)
    os.sync()
    renderers = tuple(r for r in without(PDF) if r.run is not render_search)  # the index is made apart, timed
    start = time.perf_counter()
    loaded = build(content, out, renderers=renderers, cache_dir=cache)
    print(f"build without PDFs and search index: {time.perf_counter() - start:.1f} s")
    return loaded  # kept for the index: loading a 100,000-project site again would hold it twice


def load_site(content: Path) -> Loaded:
    start = time.perf_counter()
    loaded = load_content(content)
    print(f"load + check: {time.perf_counter() - start:.1f} s, {len(loaded.content.projects())} projects")
    return loaded


def index_site(loaded: Loaded, content: Path, out: Path, cache: Path) -> None:
    shutil.rmtree(out / BUNDLE, ignore_errors=True)  # the work folder's own index of an earlier run
    shutil.rmtree(cache / "search", ignore_errors=True)  # and its bundles: the step is measured cold
    writer = Writer(out)
    writer.written = {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    shards = search_shards(loaded.content)
    page = (out / "search" / "index.html").read_text(encoding="utf-8")
    listed = len(json.loads(html.unescape(re.search(r"data-pagefind-shards='([^']*)'", page).group(1))))
    if listed != len(shards) - 1:
        sys.exit(f"the search page lists {listed + 1} shards, the index would have {len(shards)}: --reuse needs the "
                 "SITEGEN_SEARCH_SHARD_PAGES of the run that built the site")
    before = psutil.Process().memory_info().rss
    memory = SearchMemory()
    memory.reset()
    start = time.perf_counter()
    files = render_search(loaded.content, writer, Context(content, cache))
    seconds = time.perf_counter() - start
    total, _ = memory.reset()
    memory.stop.set()
    size = sum(p.stat().st_size for p in (out / BUNDLE).rglob("*") if p.is_file())
    print(f"search step (render_search): {seconds:.1f} s, {len(shards)} shards, {files} files, {size / 1e6:.0f} MB; "
          f"peak memory {total:.0f} MB all processes together (this process {before / 1e6:.0f} MB before the step, "
          f"most of it the loaded site), largest Pagefind process {memory.pagefind / 1e6:.0f} MB")


def indexed_words(out: Path, url: str) -> list[str]:
    """The words Pagefind's indexer made of the page's title, from its fragment (words are
    separated by U+200B in the stored content of a segmented language)."""
    for bundle in sorted((out / BUNDLE).glob("**/fragment")):
        for path in bundle.iterdir():
            data = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])
            if data["url"] == url:
                title = data["meta"]["title"]
                start = data["content"][: len(title) * 2 + 10].split(".")[0]
                return [word for word in start.replace(" ", "").split("\u200b") if word]
    return []


def check_recall(out: Path, sample: list, top: int) -> bool:
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM, CHROMIUM_ARGS, start_server
    from tests.test_site import open_page, search

    server, url = start_server(out)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.set_default_timeout(600_000)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            start = time.perf_counter()
            open_page(page, url, "/search/")
            print(f"search page ready (every shard merged): {time.perf_counter() - start:.1f} s")
            name, where = sample[0]
            words = page.evaluate("q => [...new Intl.Segmenter('zh-CN', {granularity: 'word'}).segment(q)]"
                                  ".filter(s => s.isWordLike).map(s => s.segment)", name)
            print(f"segmentation of {name}: index {' / '.join(indexed_words(out, where))}; query (Chromium's "
                  f"Intl.Segmenter, as Pagefind's search) {' / '.join(words)}")
            misses, times, firsts, totals = [], [], 0, []
            for number, (name, where) in enumerate(sample, 1):
                if number % 50 == 0:
                    print(f"  {number} queries, {len(misses)} missed, {sum(times):.0f} s", flush=True)
                start = time.perf_counter()
                paths = [r["path"] for r in search(page, name)[:top]]
                times.append(time.perf_counter() - start)
                total = re.search(r"(\d+) 项", page.inner_text("#search-status"))
                totals.append(int(total.group(1)) if total else 0)
                firsts += bool(paths) and paths[0] == where
                if where not in paths:
                    misses.append((name, where, paths[:3]))
            browser.close()
    finally:
        server.shutdown()
    found = len(sample) - len(misses)
    print(f"recall: {found}/{len(sample)} = {found / len(sample):.1%} in the top {top}; query time median "
          f"{statistics.median(times):.2f} s, max {max(times):.2f} s, total {sum(times):.0f} s")
    # Each name is one project's: the other results are the imprecision a reader wades through.
    print(f"precision: the project first for {firsts}/{len(sample)} = {firsts / len(sample):.1%}; results per query "
          f"median {statistics.median(totals):.0f}, max {max(totals)} (one is right)")
    for miss in misses[:10]:
        print("  missed:", *miss)
    if errors:
        print("  page errors:", *errors[:5])
    return not misses and not errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--per-unit", type=int, default=20)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out-recall")
    parser.add_argument("--reuse", action="store_true", help="the content and site an earlier run left in --work")
    parser.add_argument("--places", action="store_true", help="recall and precision of place names (search_places.py)")
    args = parser.parse_args()
    claim_work(args.work)
    if args.places:
        from search_places import run_places

        sys.exit(0 if run_places(args.work) else 1)
    content, out, cache = args.work / "content", args.work / "output", args.work / "cache"
    print(f"{args.projects} projects, {args.per_unit} per unit-year")
    loaded = load_site(content) if args.reuse else build_site(content, out, cache, args.projects, args.per_unit)
    index_site(loaded, content, out, cache)
    projects = loaded.content.projects()
    sample = [(p.name, p.url) for p in random.Random(SEED).sample(projects, min(args.sample, len(projects)))]
    del loaded, projects
    sys.exit(0 if check_recall(out, sample, TOP) else 1)


if __name__ == "__main__":
    main()
