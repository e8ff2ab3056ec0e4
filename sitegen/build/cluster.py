"""The distributed build: the rendering work of `sitegen build --cluster` on Dask.

`--cluster local:N` starts a `distributed.LocalCluster` of N worker processes
on this machine; `--cluster tcp://HOST:8786` connects to a running scheduler.
This process (the client) keeps what needs the whole site at once and what
makes a build safe: the site-wide pages and files, the search index, the one
Writer that claims every output path, the checksums and the swap.

What goes to the workers, and how the bytes come back: one task a shard
(sitegen/build/shards.py, workers.render_shard). A worker loads the shard's
units itself from the same path (a shared file system on a real cluster;
docs/scaling.md), checks and renders them, and returns the files' bytes and
the shard's summary. Bytes are returned to the client rather than written by
the workers to shared storage: the client must claim every path (no two
outputs at one path), write into its staging folder and swap it in
atomically, and a shard's files are small next to the time they take to render.

Workers must run the same sitegen, WeasyPrint and fonts and see the same
content: a probe on every worker compares them with the client's before any
work is sent, so a cluster can never produce different bytes unnoticed.
A task whose worker dies is retried on another (Dask's own rescheduling);
when retries run out the build fails as any renderer does and output/ is
left untouched.

Nothing of Dask is imported unless `--cluster` is given.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from sitegen.base.errors import SitegenError
from sitegen.build.cache import tree_digest
from sitegen.render import RenderError

LOCAL = re.compile(r"^local(?::(\d+))?$")


class ClusterError(SitegenError):
    """The cluster cannot be used; the message is for the user."""


@dataclass
class Cluster:
    """A connected Dask client, and what the workers must agree with."""

    client: Any
    address: str

    def worker_count(self) -> int:
        return max(1, len(self.client.scheduler_info()["workers"]))

    def submit(self, function: Callable, item: Any):
        return self.client.submit(function, item, pure=False)

    def result(self, future: Any) -> Any:
        try:
            return future.result()
        except Exception as exc:  # KilledWorker, a worker's own exception, a lost connection
            raise RenderError(f"集群上的渲染任务失败（{type(exc).__name__}：{first_line(exc)}）") from exc

    def check_workers(self, expected: dict[str, str], content_dir: Path) -> None:
        """Every worker must make the same bytes as this process would."""
        answers = self.client.run(worker_probe, str(content_dir.resolve()))
        if not answers:
            raise ClusterError(f"集群 {self.address} 没有可用的工作节点")
        for worker, seen in sorted(answers.items()):
            for key, value in expected.items():
                if seen.get(key) != value:
                    raise ClusterError(
                        f"工作节点 {worker} 的 {key} 与本机不同（{cut(seen.get(key))} ≠ {cut(value)}）："
                        "集群各节点须安装同样的 sitegen、WeasyPrint 和字体，并在同一路径看到同样的内容"
                    )


def first_line(exc: BaseException) -> str:
    return cut((str(exc).strip().splitlines() or [""])[0])


def cut(value: Any, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def site_digest(content_dir: Path) -> str:
    """The content and the site's own layouts and static files: what the pages are made from."""
    root = content_dir.resolve()
    return "".join(tree_digest(folder) for folder in (root, root.parent / "layouts", root.parent / "static"))


def environment_facts(content_dir: Path, with_pdf: bool) -> dict[str, str]:
    import sitegen

    facts = {"sitegen": sitegen.__version__, "content": site_digest(content_dir)}
    if with_pdf:
        import uharfbuzz
        import weasyprint

        from sitegen.render.pdf import font_versions

        facts["weasyprint"] = weasyprint.__version__
        facts["uharfbuzz"] = uharfbuzz.__version__  # subsets the PDFs' fonts (render/pdf_fonts.py)
        facts["fonts"] = font_versions()
    return facts


def worker_probe(content_dir: str) -> dict[str, str]:
    """Runs on each worker: what it would make the output from."""
    facts: dict[str, str] = {}
    try:
        facts = environment_facts(Path(content_dir), with_pdf=True)
    except Exception as exc:  # noqa: BLE001 - reported to the client as a difference
        facts["error"] = first_line(exc)
    return facts


def local_spec(spec: str) -> int | None:
    match = LOCAL.match(spec)
    if not match:
        return None
    return int(match[1] or os.cpu_count() or 1)


@contextmanager
def connect(spec: str) -> Iterator[Cluster]:
    """`local:N` or `local` (a LocalCluster on this machine), or a scheduler address."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ClusterError("--cluster 需要 Dask：pip install 'sitegen[cluster]'（dask[distributed]）") from None
    workers = local_spec(spec)
    if workers is None and not spec.startswith(("tcp://", "tls://", "ws://", "wss://", "inproc://")):
        raise ClusterError(f"--cluster 应为 local:N 或调度器地址（如 tcp://10.0.0.5:8786），实际为「{cut(spec)}」")
    if workers is not None and workers < 1:
        raise ClusterError("--cluster local:N 的 N 至少为 1")
    local = None
    try:
        if workers is not None:
            # One thread per worker: WeasyPrint and Jinja are pure Python, threads would share a GIL.
            local = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                 dashboard_address=None, silence_logs=50)
            client = Client(local)
        else:
            client = Client(spec, timeout="10s")
    except OSError as exc:
        if local is not None:
            local.close()
        raise ClusterError(f"无法连接集群 {cut(spec)}：{first_line(exc)}") from None
    try:
        yield Cluster(client, spec)
    finally:
        client.close()
        if local is not None:
            local.close()
