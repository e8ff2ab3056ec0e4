"""`sitegen build`: the whole pipeline, one direction, then the swap.

load → model → check → renderers (each writes through one Writer into a
staging folder) → publish. Errors stop the build before anything is
written; a renderer failure leaves the previous output/ untouched.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from sitegen.model import Content
from sitegen.pipeline import Loaded, collector_frozen, load_content
from sitegen.progress import Progress
from sitegen.publish import staged
from sitegen.render import Context
from sitegen.render.checksums import render_checksums
from sitegen.render.data import render_data
from sitegen.render.feeds import render_feeds
from sitegen.render.html import render_html
from sitegen.render.pdf import render_pdfs
from sitegen.render.search import render_search
from sitegen.render.writer import Writer
from sitegen.safety import MARKER, check_output_path


@dataclass(frozen=True)
class Renderer:
    name: str  # shown in the progress display
    run: Callable[[Content, Writer, Context], object]
    # Runs in a thread beside the renderers after it; the build waits for it at the end.
    # For work done by another process (Pagefind), so that it overlaps Python's.
    background: bool = False


PDF = "PDF 表格"  # the renderer `--no-pdf` leaves out


def without(name: str, renderers: tuple[Renderer, ...] | None = None) -> tuple[Renderer, ...]:
    return tuple(r for r in (renderers or RENDERERS) if r.name != name)


RENDERERS: tuple[Renderer, ...] = (
    Renderer("HTML 页面", render_html),
    # Pagefind reads only the .html files, all written by now; no renderer after writes any.
    Renderer("搜索索引", render_search, background=True),
    Renderer("开放数据", render_data),
    Renderer("订阅与索引", render_feeds),  # after the pages it lists in sitemap.xml
    Renderer(PDF, render_pdfs),
    Renderer("校验和", render_checksums),  # after every download it lists
)


class BuildFailed(Exception):
    """The content has errors; nothing was written."""

    def __init__(self, loaded: Loaded):
        super().__init__("content has errors")
        self.loaded = loaded


def build(content_dir: Path, out_dir: Path, progress: Progress | None = None,
          renderers: tuple[Renderer, ...] = RENDERERS, cache_dir: Path | None = None, force: bool = False,
          cluster: str | None = None) -> Loaded:
    """Check, render into a staging folder, swap it into out_dir.

    First of all, out_dir must be a folder a build may replace (safety.check_output_path;
    `force` allows one that sitegen did not write). The PDF cache lives beside out_dir
    (`.sitegen-cache/`) unless cache_dir says otherwise; a failed build removes it again
    when it was the one that created it.
    """
    check_output_path(out_dir, content_dir, force=force)
    progress = progress or Progress(enabled=False)
    cache_dir = cache_dir or out_dir.resolve().parent / ".sitegen-cache"
    with progress.step("读取与检查内容"):
        loaded = load_content(content_dir)
    if not loaded.ok:
        raise BuildFailed(loaded)
    context = Context(content_dir, cache_dir, tuple(loaded.findings.sorted()))
    cache_existed = cache_dir.exists()
    try:
        if cluster is None:
            render(loaded, out_dir, context, renderers, progress, force)
        else:
            render_on_cluster(loaded, out_dir, context, renderers, progress, force, cluster)
    except BaseException:
        if not cache_existed:
            shutil.rmtree(cache_dir, ignore_errors=True)
        raise
    return loaded


def render_on_cluster(loaded: Loaded, out_dir: Path, context: Context, renderers: tuple[Renderer, ...],
                      progress: Progress, force: bool, spec: str) -> None:
    """The same renderers, with the pages and PDFs rendered by a Dask cluster (sitegen/cluster.py)."""
    from sitegen.cluster import connect, environment_facts

    with connect(spec) as cluster:
        with progress.step("连接集群"):
            facts = environment_facts(context.content_dir, with_pdf=any(r.name == PDF for r in renderers))
            cluster.check_workers(facts, context.content_dir)
        render(loaded, out_dir, replace(context, cluster=cluster, digest=facts["content"]), renderers, progress, force)


def render(loaded: Loaded, out_dir: Path, context: Context, renderers: tuple[Renderer, ...], progress: Progress,
           force: bool) -> None:
    # Leaving the pool waits for background work, before a failed build's staging folder is removed.
    with staged(out_dir) as staging, collector_frozen(), ThreadPoolExecutor(max_workers=1) as pool:
        writer = Writer(staging)
        writer.claim(MARKER)  # written by staged(), so that a killed build's folder is known as sitegen's
        background = []
        for renderer in renderers:
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
