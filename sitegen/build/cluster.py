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

Workers must run the same sitegen, layouts, fonts and libraries and see the
same content. Every task returns, with the shard's output, the worker's
address, its code digest (base/resources.code_digest with the site's own
files, worker_digest) and the digest of the shard's files as it read them;
the client compares both with its own before it uses anything of the result
(Cluster.result), so a worker that joins in the middle of a build is held to
it as the first ones are. A mismatch fails the build with one line naming the
worker; nothing of its results is written or cached. A probe on the workers
present at the start (check_workers) only makes a wrong cluster fail at once.
This is against a worker set up differently, not a hostile one: results are
pickles, and the scheduler and the workers must be trusted as this machine is
(docs/scaling.md, "Trust").

Before the Client is made, `connect` asks the address for its identity over
Dask's protocol with a deadline (identify): a service that is not a Dask
scheduler, silent or answering garbage, is one line within HANDSHAKE seconds.

A task whose worker dies is retried on another (Dask's own rescheduling);
when retries run out the build fails as any renderer does and output/ is
left untouched.

Nothing of Dask is imported unless `--cluster` is given.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from sitegen.base.errors import SitegenError
from sitegen.base.resources import current_code_digest, site_digests
from sitegen.build import shards
from sitegen.render import RenderError

LOCAL = re.compile(r"^local(?::(\d+))?$")
HANDSHAKE = 10  # seconds for a scheduler to answer who it is
WORKERS_ANSWER = 30  # seconds for the workers present at the start to say what they run (fontconfig's first look included)


class ClusterError(SitegenError):
    """The cluster cannot be used; the message is for the user."""


@dataclass
class Cluster:
    """A connected Dask client, and what the workers must agree with."""

    client: Any
    address: str
    content_dir: Path = Path("content")
    expected: str = field(init=False, default="")  # worker_digest of this process

    def __post_init__(self) -> None:
        self.expected = worker_digest(str(self.content_dir.resolve()))

    def worker_count(self) -> int:
        return max(1, len(self.client.scheduler_info()["workers"]))

    def submit(self, function: Callable, task: Any):
        return self.client.submit(run_verified, function, task, pure=False)

    def result(self, future: Any, shard: shards.Shard | None = None) -> Any:
        """The task's result, once the worker that made it is known to run the same code (and,
        for `shard`'s task, to have read the same files as the plan); a ClusterError naming the
        worker otherwise."""
        try:
            answer = future.result()
        except Exception as exc:  # KilledWorker, a worker's own exception, a lost connection
            raise RenderError(f"集群上的渲染任务失败（{type(exc).__name__}：{first_line(exc)}）") from exc
        if not isinstance(answer, Verified):
            raise ClusterError(f"集群返回了无法核对的结果（{type(answer).__name__}）：工作节点运行的不是本机的 sitegen")
        self.verify(answer.worker, answer.digest)
        if shard is not None and answer.shard != shard.digest:
            raise ClusterError(f"工作节点 {answer.worker} 读到的单位 {cut('、'.join(sorted(shard.units)))} 的文件与本机不同："
                               "各节点须在同一路径看到同样的内容（共享文件系统），其结果未被使用")
        return answer.value

    def verify(self, worker: str, digest: str) -> None:
        if digest != self.expected:
            raise ClusterError(
                f"工作节点 {worker} 运行的 sitegen 代码、版式、字体或库与本机不同（摘要 {digest[:12]} ≠ {self.expected[:12]}），"
                "其结果未被使用：集群各节点须安装同样的 sitegen、WeasyPrint 和字体，并在同一路径看到同样的站点文件"
            )

    def check_workers(self) -> None:
        """The workers present now, before any work is sent: a wrong cluster fails at once. Within
        WORKERS_ANSWER seconds: Client.run waits for ever on a worker that is stopped (a frozen
        machine, a process in SIGSTOP) and Dask gives up on it only after minutes."""
        try:  # what Client.run runs, under the deadline its sync() takes and run() does not pass on
            answers = self.client.sync(self.client._run, worker_digest, str(self.content_dir.resolve()),
                                       callback_timeout=WORKERS_ANSWER)
        except TimeoutError:
            count = len(self.client.scheduler_info()["workers"])
            raise ClusterError(f"集群 {cut(self.address)} 的 {count} 个工作节点在 {WORKERS_ANSWER} 秒内没有全部应答："
                               "有工作节点停住了或连不上，请检查后再试") from None
        if not answers:
            raise ClusterError(f"集群 {self.address} 没有可用的工作节点")
        for worker, digest in sorted(answers.items()):
            self.verify(worker, digest)


@dataclass(frozen=True)
class Verified:
    """A task's value, with who made it and from what (compared by Cluster.result)."""

    worker: str
    digest: str  # worker_digest
    shard: str  # shards.shard_digest of its units' files, as the worker read them
    value: Any


def run_verified(function: Callable, task: Any) -> Verified:
    """Runs on a worker: a shard's task (workers.ShardTask), with the worker's address and digests."""
    from distributed import get_worker

    root = Path(task.content_dir).resolve()
    current_code_digest()  # the task's PDFs are cached under the digest of the code as it is now
    shard = shards.shard_digest(root, task.shard.units)
    value = function(task)
    return Verified(get_worker().address, worker_digest(str(root)), shard, value)


def worker_digest(content_dir: str) -> str:
    """sitegen's code digest and the site's own files besides the units (site.yaml, pages/, the
    site's layouts/ and static/): all a shard's bytes are made from but its units' files. Of the
    files as they are now: a worker's process outlives changes to its checkout."""
    parts = [current_code_digest(), *site_digests(Path(content_dir))]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def first_line(exc: BaseException) -> str:
    return cut((str(exc).strip().splitlines() or [""])[0])


def cut(value: Any, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def local_spec(spec: str) -> int | None:
    match = LOCAL.match(spec)
    if not match:
        return None
    return int(match[1] or os.cpu_count() or 1)


@contextmanager
def connect(spec: str, content_dir: Path) -> Iterator[Cluster]:
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
            identify(spec)
            client = Client(spec, timeout=f"{HANDSHAKE}s")
    except ClusterError:
        raise
    except Exception as exc:  # OSError, Dask's TimeoutError, a reply it cannot read
        if local is not None:
            local.close()
        raise ClusterError(f"无法连接集群 {cut(spec)}：{type(exc).__name__} {first_line(exc)}") from None
    try:
        yield Cluster(client, spec, content_dir)
    finally:
        client.close()
        if local is not None:
            local.close()


def identify(address: str, timeout: float = HANDSHAKE) -> None:
    """Ask `address` who it is over Dask's protocol (the comm handshake, then the `identity` op), all
    within `timeout` seconds: Client(address, timeout=…) bounds only the TCP connect, and a silent
    service kept it waiting for ever, one answering garbage made it raise MemoryError."""
    from distributed.comm.core import CommClosedError

    if address.startswith("tls://") and not tls_settings():
        raise ClusterError(f"{cut(address)} 是 TLS 地址，但本机没有 Dask 的 TLS 设置：请设置 DASK_DISTRIBUTED__COMM__TLS__CA_FILE、"
                           "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT 和 …__CLIENT__KEY（见 docs/scaling.md）")
    try:
        # In a thread of its own: asyncio.run refuses a thread whose event loop is running (a
        # caller's, an embedding application's), and the wait_for ends the thread in time.
        with ThreadPoolExecutor(max_workers=1) as pool:
            reply = pool.submit(asyncio.run, asyncio.wait_for(scheduler_identity(address, timeout), timeout)).result()
    except (asyncio.TimeoutError, TimeoutError):
        raise ClusterError(no_answer(address, timeout)) from None
    except CommClosedError:  # an OSError, whose text is Dask's description of the connection
        raise ClusterError(f"{cut(address)} 没有应答就关闭了连接：它不是 Dask 调度器，或只收 TLS 连接（tls://）") from None
    except OSError as exc:
        # Dask retries a connection closed during its handshake until its own deadline, then
        # raises an OSError of its own ("Timed out trying to connect"): on a busy machine that is
        # what a service closing every connection looks like.
        if str(exc).startswith("Timed out"):
            raise ClusterError(no_answer(address, timeout)) from None
        raise ClusterError(f"无法连接集群 {cut(address)}：{first_line(exc) or type(exc).__name__}") from None
    except Exception as exc:  # noqa: BLE001 - garbage of any shape: MemoryError, a codec's errors
        raise ClusterError(f"{cut(address)} 的应答不是 Dask 协议（{type(exc).__name__}）：请确认地址和端口是 Dask 调度器的") from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise ClusterError(f"{cut(address)} 不是 Dask 调度器（它自称 {cut(reply, 40)}）：请确认地址和端口")


def no_answer(address: str, timeout: float) -> str:
    return f"{cut(address)} 在 {timeout:g} 秒内没有以 Dask 调度器的身份应答：请确认地址和端口是 Dask 调度器的"


def tls_settings() -> bool:
    """Whether Dask's settings give this client a certificate to connect to a tls:// address with
    (without, Dask fails with a TypeError that says nothing of the settings)."""
    from distributed.security import Security

    return Security().get_connection_args("client").get("ssl_context") is not None


async def scheduler_identity(address: str, timeout: float) -> Any:
    from distributed.comm import connect as open_comm
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.security import Security

    scheme, location = parse_address(address)
    if scheme in ("tcp", "tls"):  # Dask's connect retries a refused port until the timeout: ask once first
        _, writer = await asyncio.open_connection(*parse_host_port(location, 8786))
        writer.close()
    comm = await open_comm(address, timeout=timeout, **Security().get_connection_args("client"))
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()
    finally:
        comm.abort()
