"""`sitegen build`: the whole pipeline, one direction, then the swap.

load → model → check → renderers, shard by shard (shards.py: each unit's pages, PDFs
and open data, by worker processes or a Dask cluster, build/workers.py), then the
site-wide renderers from what the shards kept → publish. Everything is written
through one Writer into a staging folder; content errors, found in any shard, and
renderer failures leave the previous output/ untouched.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path

from sitegen.base.errors import SitegenError
from sitegen.base.findings import ERROR, Findings
from sitegen.base.progress import Progress
from sitegen.base.safety import MARKER, check_output_path
from sitegen.build import shards
from sitegen.build.cache import ShardCache, open_cache, sweep_pdfs
from sitegen.build.publish import staged
from sitegen.build.workers import ShardRunner, ShardTask
from sitegen.checks.review.synonyms import site_synonyms
from sitegen.checks.pipeline import Loaded, collector_frozen, load_content
from sitegen.content.load import display_root
from sitegen.model import Content
from sitegen.render import Context
from sitegen.render.renderer import Renderer
from sitegen.render.checksums import render_checksums
from sitegen.render.data import render_site_data, render_unit_data
from sitegen.render.feeds import render_feeds
from sitegen.render.html import render_site_pages, render_unit_pages
from sitegen.render.indicator_index import index_site
from sitegen.render.indicators import render_indicators
from sitegen.render.peers import render_peers
from sitegen.render.pdf import render_pdfs
from sitegen.render.search import render_search
from sitegen.render.summary import Facts, SiteSummary, Spill
from sitegen.render.writer import Writer


PDF = "PDF 表格"  # the renderer `--no-pdf` leaves out
HTML = "HTML 页面"
SHARDS = "各单位"  # the progress display's name of the shards' step, "各单位 3/20"
INDEX = "指标索引"


def without(name: str, renderers: tuple[Renderer, ...] | None = None) -> tuple[Renderer, ...]:
    return tuple(r for r in (renderers or RENDERERS) if r.name != name)


def only(name: str) -> Renderer:
    return next(r for r in RENDERERS if r.name == name)


RENDERERS: tuple[Renderer, ...] = (
    # The downloads first: the pages say each file's size, read from the file written.
    Renderer("开放数据", render_site_data, render_unit_data),
    Renderer(PDF, None, render_pdfs),
    Renderer(HTML, render_site_pages, render_unit_pages),
    Renderer("同行比较", render_peers),  # from context.summary.index, like the table after it
    Renderer("指标总表", render_indicators),
    # Pagefind reads only the .html files, all written by now; no renderer after writes any.
    Renderer("搜索索引", render_search, background=True),
    Renderer("订阅与索引", render_feeds),  # after the pages it lists in sitemap.xml
    Renderer("校验和", render_checksums),  # after every download it lists
)


class BuildFailed(SitegenError):
    """The content has errors; nothing was written."""

    exit_code = 1

    def __init__(self, loaded: Loaded):
        super().__init__("content has errors")
        self.loaded = loaded


class WorkerLost(SitegenError):
    """A worker process ended in the middle of its work, killed from outside (the OOM killer, kill):
    not a defect of sitegen to report, and nothing was published."""

    exit_code = 1

    def __init__(self):
        super().__init__("一个工作进程意外结束（被终止，或内存不足被系统结束；可用 SITEGEN_WORKERS=1 少用内存）")


class FactsChanged(Exception):
    """The shards found other site-wide facts than the plan guessed: render them again."""

    def __init__(self, facts: Facts):
        super().__init__("site facts changed")
        self.facts = facts


def build(content_dir: Path, out_dir: Path, progress: Progress | None = None,
          renderers: tuple[Renderer, ...] = RENDERERS, cache_dir: Path | None = None, force: bool = False,
          cluster: str | None = None, use_cache: bool = True) -> Loaded:
    """Check, render into a staging folder, swap it into out_dir.

    First of all, out_dir must be a folder a build may replace (safety.check_output_path;
    `force` allows one that sitegen did not write). The cache lives beside out_dir
    (`.sitegen-cache/`) unless cache_dir says otherwise, and is used only when nobody else
    can write it (cache.open_cache); a failed build removes it again when it was the one
    that created it. `use_cache=False` (`--no-cache`): a cache of this build's own, empty at
    the start and removed at the end; the cache folder is neither read nor written.
    """
    check_output_path(out_dir, content_dir, force=force)
    progress = progress or Progress(enabled=False)
    if not use_cache:
        with tempfile.TemporaryDirectory(prefix="sitegen-cache-") as temporary:
            return build(content_dir, out_dir, progress, renderers, Path(temporary) / "cache", force, cluster)
    cache_dir = cache_dir or default_cache_dir(out_dir)
    context = Context(content_dir, cache_dir)
    cache_existed = cache_dir.exists()
    started = time.time()
    try:
        open_cache(cache_dir)
        try:
            if cluster is None:
                loaded = render_retrying(out_dir, context, renderers, progress, force)
            else:
                loaded = render_on_cluster(out_dir, context, renderers, progress, force, cluster)
        except BrokenProcessPool as broken:
            raise WorkerLost() from broken
    except BaseException:
        if not cache_existed:
            shutil.rmtree(cache_dir, ignore_errors=True)
        raise
    sweep_pdfs(cache_dir, started)
    return loaded


def default_cache_dir(out_dir: Path) -> Path:
    return out_dir.resolve().parent / ".sitegen-cache"


def render_on_cluster(out_dir: Path, context: Context, renderers: tuple[Renderer, ...],
                      progress: Progress, force: bool, spec: str) -> Loaded:
    """The same renderers, with the pages and PDFs rendered by a Dask cluster (sitegen/build/cluster.py)."""
    from sitegen.build.cluster import connect

    with connect(spec, context.content_dir) as cluster:
        with progress.step("连接集群"):
            cluster.check_workers()
        context = replace(context, cluster=cluster)
        return render_retrying(out_dir, context, renderers, progress, force)


def render_retrying(out_dir: Path, context: Context, renderers: tuple[Renderer, ...], progress: Progress,
                    force: bool) -> Loaded:
    plan = shards.plan(context.content_dir)
    try:
        return render(plan, plan.guess, out_dir, context, renderers, progress, force)
    except FactsChanged as changed:  # the guess was wrong: once more, with what the shards found
        return render(plan, changed.facts, out_dir, context, renderers, progress, force)


def render(plan: shards.Plan, facts: Facts, out_dir: Path, context: Context, renderers: tuple[Renderer, ...],
           progress: Progress, force: bool) -> Loaded:
    synonyms = site_synonyms(context.site_root)  # a bad file stops the build before any work
    # Leaving the pool waits for background work, before a failed build's staging folder is removed.
    with staged(out_dir) as staging, ThreadPoolExecutor(max_workers=1) as pool:
        writer = Writer(staging)
        writer.claim(MARKER)  # written by staged(), so that a killed build's folder is known as sitegen's
        context = replace(context, previous=out_dir.resolve())
        site, summary, cache = render_shards(plan, facts, writer, context, renderers, progress)
        findings = Findings(summary.findings)
        with progress.step(INDEX):  # every shard's indicator rows on disk, and the rules that compare units
            summary.index = index_site(summary, site.site, findings, synonyms)
        loaded = Loaded(Content(site.site, summary.agencies, site.pages), findings)
        if not loaded.ok:
            raise BuildFailed(loaded)
        if summary.facts != facts:
            raise FactsChanged(summary.facts)
        context = replace(context, warnings=tuple(findings.sorted()), facts=facts, summary=summary)
        background = []
        with collector_frozen():
            for renderer in renderers:
                if renderer.run is None:
                    continue
                if renderer.background:
                    background.append((renderer.name, pool.submit(renderer.run, loaded.content, writer, context)))
                    continue
                with progress.step(renderer.name):
                    renderer.run(loaded.content, writer, context)
            for name, running in background:
                with progress.step(name):
                    running.result()
        # Again just before the swap: someone may have put files there while the build ran.
        check_output_path(out_dir, context.content_dir, force=force)
        summary.data.close()
        summary.overall.close()
        summary.indicator_rows.close()
        summary.index.close()
    cache.sweep()
    return loaded


def render_shards(plan: shards.Plan, facts: Facts, writer: Writer, context: Context, renderers: tuple[Renderer, ...],
                  progress: Progress) -> tuple[Content, SiteSummary, ShardCache]:
    """Load, check and render the units shard by shard, a few shards ahead in worker processes
    (or on the cluster); their files are written and their summaries kept in shard order. A shard
    whose key is in the cache (build/cache.py) is copied from there, its files that
    context.previous (the site being replaced) still has as they were put there linked. Once a shard has an
    error, the shards after it are only checked, so that every error is still reported at once."""
    site = load_content(context.content_dir, only=frozenset())  # site.yaml, pages/ and the files beside the units
    summary = SiteSummary(findings=list(site.findings), data=Spill(), overall=Spill(), indicator_rows=Spill())
    shown = display_root(context.content_dir)
    names = tuple(r.name for r in renderers if r.units is not None)
    cache = ShardCache(context.cache_dir, context.content_dir, shown, names)
    state = {"failed": not site.ok}

    def task(shard: shards.Shard, key: str) -> ShardTask:
        # Here and in forked workers a shard writes straight into the staging folder (removed with
        # it when the build fails or is stopped: a path two shards wrote fails the build when it is
        # claimed the second time) and keeps its own cache entry; on a cluster, the worker writes
        # into a temporary folder of its own and the files come back as bytes.
        local = context.cluster is None
        return ShardTask(context.content_dir, context.cache_dir, shard, facts, shown, renderers, skip=state["failed"],
                         folder=writer.root if local else None,
                         entry=cache.entry(key) if local else None, previous=context.previous if local else None)

    with ShardRunner(context.cluster, len(plan.shards)) as runner:
        outputs = runner.outputs(plan.shards, cache, facts, task)
        for number in range(len(plan.shards)):
            with progress.step(f"{SHARDS} {number + 1}/{len(plan.shards)}"):  # waiting for the shard included
                shard, key, output = next(outputs)
                writer.claim_written(output.paths)
                for path, data in output.files:
                    writer.write_bytes(path, data)
                summary.merge(output.summary)
                summary.unit_keys.update(dict.fromkeys(shard.units, key))
                if any(f.level == ERROR for f in output.summary.findings):
                    state["failed"] = True
                elif context.cluster is not None and not state["failed"] and not output.cached:
                    cache.put(key, output)  # a worker of this machine keeps its own entry
    return site.content, summary, cache
