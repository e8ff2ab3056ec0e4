"""Running a build's shards: here, a few ahead in forked worker processes, or as Dask tasks.

A shard is rendered whole by one process (render_shard): its units loaded and checked,
their pages, PDFs and open-data files written and read back, the records pruned
(shards.py). A worker of this machine writes straight into the staging folder and the
build claims the paths it returns; a cluster's worker writes into a temporary folder
and the bytes come back, for the build to write. The build takes the outputs in shard
order, and its one Writer refuses a path claimed twice. A worker renders nothing in a
pool of its own: the shards are what runs in parallel (and Dask's worker processes may
not start children).
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import tempfile
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

from sitegen.build import shards
from sitegen.base.findings import ERROR, Findings
from sitegen.checks.pipeline import collector_frozen, load_content
from sitegen.render import Context, worker_count
from sitegen.render.checksums import is_download
from sitegen.render.writer import Writer, place_files, write_links
from sitegen.build.cache import ShardCache, ShardOutput, links_path, read_entry, write_entry
from sitegen.render.renderer import Renderer
from sitegen.render.summary import Facts, SiteSummary



AHEAD_PROJECTS = 4_000  # how far a worker of this machine runs ahead of the build (ShardRunner.outputs)


@dataclass(frozen=True)
class ShardTask:
    """All a worker process (or a Dask worker) needs to render one shard."""

    content_dir: Path
    cache_dir: Path  # the PDF cache: on a real cluster, a folder of the same path on each worker
    shard: shards.Shard
    facts: Facts
    shown: str  # how file names are shown in findings: as the client shows them
    renderers: tuple[Renderer, ...]
    skip: bool  # only load and check (an earlier shard has errors)
    folder: Path | None  # where to write the files (the staging folder); None: a temporary one, read back
    # Its cache entry, read and written by the worker itself (on this machine); None: by the build.
    entry: Path | None = None
    previous: Path | None = None  # the site this build replaces, whose unchanged files it links (place_cached)
    alone: bool = False  # the only shard, rendered in the build's process: its pages and PDFs use every core


def run_shard(task: ShardTask) -> ShardOutput:
    """A shard's output: from its cache entry, or rendered (and then kept there); a worker of this
    machine leaves the files in the staging folder and returns their paths, for the build to claim."""
    output = read_entry(task.entry) if task.entry is not None and not task.skip else None
    if output is None:
        output = render_shard(task)
        if task.entry is not None and not task.skip and not any(f.level == ERROR for f in output.summary.findings):
            write_entry(task.entry, output)
            if task.folder is not None:
                write_links(links_path(task.entry), task.folder, [path for path, _ in output.files])
    if not task.alone and not output.cached:
        # The shard's model is garbage now, and its records point at each other (a project at its
        # unit-year): only the cyclic collector frees them, which a worker runs seldom (below).
        # A shard from the cache made no model: collecting after it would double its time.
        gc.collect()
    if task.folder is None:
        return output
    if output.cached:
        place_cached(task, output.files)
    return ShardOutput([], output.summary, output.cached, [path for path, _ in output.files])


def place_cached(task: ShardTask, files: list[tuple[str, bytes]]) -> None:
    """A cached shard's files into the staging folder: each one the previous site still has as
    the last build put it there (the signature its entry's records keep) is hard-linked from
    there, the others written from the entry's bytes: after one edit, writing every other
    shard's files again would copy most of the site; a link is a name, not a copy.
    A file changed in place in the site since (its size or modification time is not the same)
    is written again, and so is every file where the file system makes no hard links."""
    assert task.folder is not None and task.entry is not None
    place_files(files, task.folder, links_path(task.entry), task.previous, Writer(task.folder).link_or_write)


def render_shard(task: ShardTask) -> ShardOutput:
    """One shard's units: loaded, checked, rendered (unless skipped or they have errors), pruned;
    the files are read back as bytes."""
    loaded = load_content(task.content_dir, only=task.shard.units, shown=task.shown)
    prefixes = tuple(f"{task.shown}{name}/" for name in task.shard.units)
    own = [f for f in loaded.findings if f.loc.file.startswith(prefixes)]  # the site's own come once, in render_shards
    summary = SiteSummary()
    files: list[tuple[str, bytes]] = []
    if not task.alone:
        single_process()
    if not task.skip and not any(f.level == ERROR for f in own):
        with shard_folder(task.folder) as folder:
            writer = Writer(folder)
            context = Context(task.content_dir, task.cache_dir, tuple(Findings(own).sorted()), facts=task.facts,
                              summary=summary)
            with collector_frozen():
                for renderer in task.renderers:
                    if renderer.units is not None:
                        renderer.units(loaded.content, writer, context)
            files = [(path, (writer.root / path).read_bytes()) for path in sorted(writer.written)]
            summary.digests = {path: hashlib.sha256(data).hexdigest() for path, data in files if is_download(path)}
    summary.add(loaded.content, own)
    return ShardOutput(files, summary)


@contextmanager
def shard_folder(folder: Path | None) -> Iterator[Path]:
    if folder is not None:
        folder.mkdir(exist_ok=True)
        yield folder
        return
    with tempfile.TemporaryDirectory(prefix="sitegen-shard-") as temporary:
        yield Path(temporary)


class ShardRunner:
    """Runs shards a few ahead of the build, which takes their outputs in order: in forked worker
    processes (one shard each, whole), on a Dask cluster, or here when there is one shard or core."""

    def __init__(self, cluster, shard_count: int):
        self.cluster = cluster
        if cluster is not None:
            self.workers = cluster.worker_count()
        else:
            self.workers = 1 if shard_count < 2 else worker_count()
        self.pool = None
        if cluster is None and self.workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("fork"),
                                            initializer=start_shard_worker)

    def __enter__(self) -> ShardRunner:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, task: ShardTask):
        if self.cluster is not None:
            return self.cluster.submit(run_shard, task)
        if self.pool is not None:
            return self.pool.submit(run_shard, task)
        return Done(replace(task, alone=True))

    def outputs(self, planned: list[shards.Shard], cache: ShardCache, facts: Facts,
                task: Callable[[shards.Shard, str], ShardTask]) -> Iterator[tuple[shards.Shard, str, ShardOutput]]:
        """(shard, cache key, output) in shard order, a few shards a worker ahead."""
        ahead: deque = deque()
        upcoming = iter(planned)
        # Past a shard being rendered, the workers go on with the next ones: after one edit, all
        # but one come from the cache, each in a few milliseconds, and a worker allowed only a
        # couple ahead would sit idle while the other renders the edited shard. A finished shard
        # waiting here is its summary, so the workers run up to AHEAD_PROJECTS projects a worker
        # ahead (eight shards of 500); a cluster's is all its bytes, so two shards ahead there.
        size = max(1, sum(shard.projects for shard in planned) // max(1, len(planned)))
        window = (2 if self.cluster is not None else max(8, AHEAD_PROJECTS // size)) * self.workers
        while True:
            while len(ahead) < window:
                shard = next(upcoming, None)
                if shard is None:
                    break
                key = cache.key(shard, facts)
                job = task(shard, key)
                # The build itself looks in the cache only for a cluster's shards (workers elsewhere).
                hit = None if job.skip or job.entry is not None else cache.get(key)
                ahead.append((shard, key, hit if hit is not None else self.submit(job)))
            if not ahead:
                return
            shard, key, pending = ahead.popleft()
            yield shard, key, pending if isinstance(pending, ShardOutput) else self.result(pending, shard)

    def result(self, pending, shard: shards.Shard) -> ShardOutput:
        if self.cluster is not None:
            return self.cluster.result(pending, shard)  # checked: the worker's code and the shard's files
        return pending.result()


@dataclass
class Done:
    """A shard rendered in this process, when its output is asked for."""

    task: ShardTask

    def result(self) -> ShardOutput:
        return run_shard(self.task)


def start_shard_worker() -> None:
    single_process()
    # The model a worker loads lives until its shard is done: collect seldom (as render/pdf.py's workers).
    gc.freeze()
    gc.set_threshold(100_000, 20, 20)


def single_process() -> None:
    """In a worker process (forked, or Dask's), a shard is the whole job: its pages and PDFs are
    rendered in it, not in a pool of its own (Dask's worker processes may not have children)."""
    os.environ["SITEGEN_WORKERS"] = "1"
