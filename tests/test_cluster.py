"""`sitegen build --cluster`: a real Dask LocalCluster gives the bytes a local build gives,
survives a killed worker or fails leaving output/ as it was, and costs nothing when not asked for."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bench.bench import generate
from sitegen.build.site import PDF, build, without
from sitegen.render import RenderError
from tests.conftest import CONTENT, ROOT, run

distributed = pytest.importorskip("distributed")


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def assert_same_tree(left: Path, right: Path) -> None:
    a, b = files_of(left), files_of(right)
    assert sorted(a) == sorted(b)
    different = [name for name in a if a[name] != b[name]]
    assert different == [], different[:10]


def test_example_on_a_local_cluster_is_byte_identical(built, tmp_path):
    """Every page, PDF, download and the search index, rendered by two worker processes."""
    out = tmp_path / "output"
    build(CONTENT, out, cache_dir=tmp_path / "cache", cluster="local:2")
    assert_same_tree(built, out)


@pytest.fixture(scope="module")
def generated_build(tmp_path_factory) -> tuple[Path, Path]:
    """A generated 500-project tree and its local build without PDFs."""
    root = tmp_path_factory.mktemp("generated")
    generate(root / "content", 500, 20)
    local = root / "local"
    build(root / "content", local, renderers=without(PDF), cache_dir=root / "cache")
    return root / "content", local


def test_generated_tree_on_a_local_cluster_is_byte_identical(generated_build, tmp_path):
    content, local = generated_build
    out = tmp_path / "output"
    build(content, out, renderers=without(PDF), cache_dir=tmp_path / "cache", cluster="local:2")
    assert_same_tree(local, out)


class Scheduler:
    """A LocalCluster the test owns, so that it can kill one of its workers mid-build."""

    def __init__(self, n_workers: int = 2, **config):
        import dask
        from distributed import Client, LocalCluster

        with dask.config.set(config):
            self.cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=50)
        self.client = Client(self.cluster)
        self.workers = set(self.client.scheduler_info()["workers"])

    def kill_a_busy_worker(self, timeout: float = 60) -> int:
        """SIGKILL the process of a worker that is running a task; returns its pid."""
        pids = self.client.run(os.getpid)
        busy = self.a_busy_worker(timeout)
        os.kill(pids[busy], signal.SIGKILL)
        return pids[busy]

    def a_busy_worker(self, timeout: float = 60) -> str:
        """The address of a worker of the cluster running a task, once one does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = [worker for worker, tasks in self.client.processing().items() if tasks and worker in self.workers]
            if busy:
                return busy[0]
            time.sleep(0.02)
        raise AssertionError("no task ever ran on the cluster")

    def close(self):
        self.client.close()
        self.cluster.close()


def build_in_a_thread(scheduler: Scheduler, content: Path, out: Path, cache: Path) -> tuple[threading.Thread, dict]:
    """A build on the scheduler's cluster, started; what it raised lands in outcome["error"]."""
    outcome: dict = {}

    def target():
        try:
            build(content, out, renderers=without(PDF), cache_dir=cache, cluster=scheduler.cluster.scheduler_address)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


def build_while_killing(scheduler: Scheduler, content: Path, out: Path, cache: Path):
    thread, outcome = build_in_a_thread(scheduler, content, out, cache)
    outcome["killed"] = scheduler.kill_a_busy_worker()
    thread.join(timeout=300)
    assert not thread.is_alive()
    return outcome


def test_a_killed_worker_is_retried_and_the_output_is_the_same(generated_build, tmp_path):
    content, local = generated_build
    scheduler = Scheduler()
    try:
        outcome = build_while_killing(scheduler, content, tmp_path / "output", tmp_path / "cache")
    finally:
        scheduler.close()
    assert "error" not in outcome, outcome.get("error")
    assert_same_tree(local, tmp_path / "output")


def test_when_retries_run_out_the_build_fails_and_output_is_untouched(generated_build, tmp_path):
    content, _ = generated_build
    out = tmp_path / "output"
    build(CONTENT, out, renderers=without(PDF), cache_dir=tmp_path / "cache")
    before = files_of(out)
    scheduler = Scheduler(**{"distributed.scheduler.allowed-failures": 0})
    try:
        outcome = build_while_killing(scheduler, content, out, tmp_path / "cache")
    finally:
        scheduler.close()
    assert isinstance(outcome.get("error"), RenderError), outcome
    assert files_of(out) == before
    assert [p.name for p in tmp_path.iterdir() if ".building-" in p.name] == []


def test_a_bad_cluster_address_is_one_line_and_writes_nothing(tmp_path):
    for spec, message in [("nonsense", "调度器地址"), ("local:0", "至少为 1"), ("tcp://127.0.0.1:9", "无法连接集群")]:
        code, out, err = run("build", str(CONTENT), "--out", str(tmp_path / "output"), "--no-pdf", "--cluster", spec)
        assert code == 2 and message in err and "Traceback" not in err, err
        assert len(err.strip().splitlines()) == 1, err
        assert not (tmp_path / "output").exists()


class NotDask:
    """A TCP server on 127.0.0.1 that accepts and then says nothing, or answers with other bytes."""

    def __init__(self, reply: bytes):
        import socket

        self.reply = reply
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.address = f"tcp://127.0.0.1:{self.socket.getsockname()[1]}"
        self.connections: list = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections.append(connection)
            if self.reply == b"close":
                connection.close()
            elif self.reply:
                connection.sendall(self.reply)

    def close(self):
        self.socket.close()
        for connection in self.connections:
            connection.close()


@pytest.mark.parametrize("reply", [b"", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" * 4, bytes(range(256)) * 64,
                                   b"close"], ids=["silent", "http", "binary", "closes"])
def test_cluster_at_a_service_that_is_not_dask_is_one_line_within_15_seconds(tmp_path, reply):
    service = NotDask(reply)
    try:
        started = time.monotonic()
        code, _, err = run("build", str(CONTENT), "--out", str(tmp_path / "output"), "--no-pdf", "--cluster", service.address)
        took = time.monotonic() - started
    finally:
        service.close()
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert service.address in err and "Dask" in err and "<TCP" not in err, err
    assert took < 15, took
    assert service.connections  # it was really asked
    assert not (tmp_path / "output").exists()


def test_a_tls_address_without_tls_settings_says_so(tmp_path, monkeypatch):
    """Dask without a client certificate raised a TypeError, reported as a reply that is not Dask's."""
    for name in [n for n in os.environ if n.startswith("DASK_DISTRIBUTED__COMM__TLS")]:
        monkeypatch.delenv(name)
    service = NotDask(b"")
    address = service.address.replace("tcp://", "tls://")
    try:
        code, _, err = run("build", str(CONTENT), "--out", str(tmp_path / "output"), "--no-pdf", "--cluster", address)
    finally:
        service.close()
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert address in err and "TLS 设置" in err and "DASK_DISTRIBUTED__COMM__TLS__CA_FILE" in err, err
    assert not (tmp_path / "output").exists()


# ---------------------------------------------------------------- workers running other code

@pytest.fixture(scope="module")
def other_code(tmp_path_factory) -> Path:
    """A copy of sitegen whose project page layout says 坏节点: a worker set up from another commit."""
    from tests.test_cache_trust import sitegen_copy

    title = '<h1 data-pagefind-meta="title">'
    return sitegen_copy(tmp_path_factory.mktemp("other") / "code", {"layouts/project.html": (title, f"<p>坏节点</p>{title}")})


def start_worker(address: str, code: Path, wrap: tuple[str, ...] = (), **env: str) -> subprocess.Popen:
    """A `dask worker` process that imports sitegen from `code` (with `env` besides, started
    through the command `wrap`), once it has joined the scheduler."""
    from distributed import Client

    env = {**os.environ, "PYTHONPATH": str(code), **env}
    worker = subprocess.Popen([*wrap, sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                               "--no-nanny", "--no-dashboard"], env=env, cwd=code,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with Client(address) as client:
        deadline = time.monotonic() + 60
        while worker.pid not in client.run(os.getpid, on_error="ignore").values():
            assert time.monotonic() < deadline, "the worker never joined"
            time.sleep(0.1)
    return worker


def stop(process: subprocess.Popen) -> None:
    process.kill()
    process.wait(timeout=30)


def cache_holds(cache: Path, text: str) -> list[str]:
    needle = text.encode("utf-8")
    return [p.name for p in cache.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_a_worker_running_other_code_is_refused_before_any_work(other_code, generated_build, tmp_path):
    content, _ = generated_build
    code, err, scheduler = build_with_a_worker(content, tmp_path / "output", other_code, workers=1)
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "工作节点 tcp://127.0.0.1:" in err and "代码" in err and "未被使用" in err
    assert not (tmp_path / "output").exists()
    assert no_task_ran(scheduler)  # refused by the check at the start, not by a first result


def build_with_a_worker(content: Path, out: Path, code: Path, workers: int = 0, wrap: tuple[str, ...] = (),
                        **env: str) -> tuple[int, str, Scheduler]:
    """`sitegen build --no-pdf --cluster` on a Scheduler of `workers` workers joined by one
    start_worker(code, wrap, **env); its exit code and stderr, and the scheduler, closed."""
    scheduler = Scheduler(n_workers=workers)
    worker = start_worker(scheduler.cluster.scheduler_address, code, wrap, **env)
    try:
        exit_code, _, err = run("build", str(content), "--out", str(out), "--no-pdf", "--cluster",
                                scheduler.cluster.scheduler_address)
    finally:
        stop(worker)
        scheduler.close()
    return exit_code, err, scheduler


def no_task_ran(scheduler: Scheduler) -> bool:
    """No shard's task was ever given to the scheduler (its task prefixes outlive the tasks)."""
    return "run_verified" not in scheduler.cluster.scheduler.task_prefixes


def test_a_stopped_worker_is_one_line_in_a_bounded_time(generated_build, tmp_path, monkeypatch):
    """A worker that joined and then stopped answering (a frozen machine): SIGSTOP."""
    from sitegen.build import cluster

    content, _ = generated_build
    monkeypatch.setattr(cluster, "WORKERS_ANSWER", 5)
    scheduler = Scheduler(n_workers=0)
    worker = start_worker(scheduler.cluster.scheduler_address, ROOT)
    os.kill(worker.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        code, _, err = run("build", str(content), "--out", str(tmp_path / "output"), "--no-pdf",
                           "--cluster", scheduler.cluster.scheduler_address)
        took = time.monotonic() - started
    finally:
        stop(worker)
        scheduler.close()
    assert code == 2 and len(err.strip().splitlines()) == 1 and "5 秒内没有全部应答" in err, err
    assert took < 30, took
    assert not (tmp_path / "output").exists() and no_task_ran(scheduler)


def test_a_worker_that_sees_other_content_at_the_same_path_is_not_used(generated_build, tmp_path):
    """A worker whose mount of the content is stale (another name for one project): in a mount
    namespace of its own, a changed copy of the content is mounted over the content's path."""
    content, _ = generated_build
    stale = tmp_path / "stale"
    shutil.copytree(content, stale)
    project = stale / "u0000" / "2025" / "p00000.yaml"
    text = project.read_text(encoding="utf-8")
    assert "第00000号项目运行经费" in text
    project.write_text(text.replace("第00000号项目运行经费", "陈旧副本项目运行经费"), encoding="utf-8")
    wrap = ("unshare", "--mount", "--propagation", "private", "sh", "-c", 'mount --bind "$1" "$2" && shift 2 && exec "$@"',
            "sh", str(stale), str(content))
    probe = subprocess.run([*wrap, "true"], capture_output=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip(f"no mount namespace here: {probe.stderr.decode(errors='replace').strip()}")
    out, cache = tmp_path / "output", tmp_path / ".sitegen-cache"  # the CLI build's, beside its output
    code, err, _ = build_with_a_worker(content, out, ROOT, wrap=wrap)
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "工作节点 tcp://127.0.0.1:" in err and "u0000" in err and "文件与本机不同" in err, err
    assert not out.exists() and cache_holds(cache, "陈旧副本") == []


def test_a_worker_with_other_fonts_is_refused_before_any_work(generated_build, tmp_path):
    """A worker machine without fonts-noto-cjk: its fontconfig lists the DejaVu fonts only."""
    content, _ = generated_build
    fonts = tmp_path / "fonts.conf"
    fonts.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>'
                     f"<dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{tmp_path / 'fc'}</cachedir></fontconfig>\n",
                     encoding="utf-8")
    listed = subprocess.run(["fc-list", "--format", "%{file}\n"], env={**os.environ, "FONTCONFIG_FILE": str(fonts)},
                            capture_output=True, text=True, timeout=60).stdout.split()
    if not listed or not Path("/usr/share/fonts/truetype/dejavu").is_dir():
        pytest.skip("fontconfig or the DejaVu fonts are missing")
    assert not any("CJK" in name for name in listed)
    code, err, scheduler = build_with_a_worker(content, tmp_path / "output", ROOT, FONTCONFIG_FILE=str(fonts))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "字体" in err, err
    assert not (tmp_path / "output").exists() and no_task_ran(scheduler)


def test_a_worker_whose_checkout_changed_under_it_is_refused(generated_build, tmp_path):
    """A `dask worker` passes the check and builds; then its checkout is updated (one layout
    changed) while it keeps running. Its layouts are read from disk at each render: the digest
    it reports must be of the files as they are now, not the one it worked out first."""
    from sitegen.build.cluster import ClusterError
    from tests.test_cache_trust import sitegen_copy

    content, local = generated_build
    code = sitegen_copy(tmp_path / "code", {})
    scheduler = Scheduler(n_workers=0)
    worker = start_worker(scheduler.cluster.scheduler_address, code)
    out, cache = tmp_path / "output", tmp_path / "cache"
    try:
        build(content, out, renderers=without(PDF), cache_dir=cache, cluster=scheduler.cluster.scheduler_address)
        assert_same_tree(local, out)
        layout = code / "layouts" / "project.html"
        title = '<h1 data-pagefind-meta="title">'
        layout.write_text(layout.read_text(encoding="utf-8").replace(title, f"<p>坏节点</p>{title}", 1), encoding="utf-8")
        shutil.rmtree(cache / "shards")  # so that the shards are rendered again, by the worker
        with pytest.raises(ClusterError, match="工作节点 tcp://127.0.0.1:"):
            build(content, out, renderers=without(PDF), cache_dir=cache, cluster=scheduler.cluster.scheduler_address)
    finally:
        stop(worker)
        scheduler.close()
    assert_same_tree(local, out)
    assert cache_holds(cache, "坏节点") == []


def test_a_late_worker_running_other_code_fails_the_build_and_nothing_of_it_is_cached(other_code, generated_build, tmp_path):
    """The good worker passes the check at the start and leaves once it runs a task; the shards
    left go to a worker of other code that joined after the check: its first result fails the
    build, naming it, and the cache holds nothing it made."""
    from sitegen.build.cluster import ClusterError

    content, local = generated_build
    out, cache = tmp_path / "output", tmp_path / "cache"
    scheduler = Scheduler(n_workers=1)
    thread, outcome = build_in_a_thread(scheduler, content, out, cache)
    worker = None
    try:
        good = scheduler.a_busy_worker()  # the check is passed: a task runs
        worker = start_worker(scheduler.cluster.scheduler_address, other_code)
        scheduler.client.retire_workers([good], close_workers=True)  # what is left goes to the late one
        thread.join(timeout=300)
    finally:
        if worker is not None:
            stop(worker)
        scheduler.close()
    assert not thread.is_alive()
    error = outcome.get("error")
    assert isinstance(error, ClusterError), outcome
    assert "工作节点 tcp://127.0.0.1:" in str(error) and "\n" not in str(error)
    assert not out.exists()
    assert cache_holds(cache, "坏节点") == []
    build(content, out, renderers=without(PDF), cache_dir=cache)  # a local build with what the cache kept
    assert_same_tree(local, out)


def test_workers_of_the_same_code_and_site_pass_the_check():
    from sitegen.build.cluster import connect

    with connect("local:1", CONTENT) as cluster:
        cluster.check_workers()


def test_without_cluster_nothing_of_dask_is_imported(tmp_path):
    script = (
        "import sys; from pathlib import Path; from sitegen.build.site import PDF, build, without; "
        f"build(Path({str(CONTENT)!r}), Path({str(tmp_path / 'out')!r}), renderers=without(PDF)); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_handshake_works_beside_a_running_event_loop(tmp_path):
    """An application that embeds sitegen and runs its own event loop in this thread."""
    import asyncio

    from sitegen.build.cluster import ClusterError, identify

    service = NotDask(b"")

    outcome: dict = {}

    async def inside_a_loop():
        try:
            identify(service.address, timeout=2)
        except ClusterError as exc:
            outcome["error"] = str(exc)

    thread = threading.Thread(target=asyncio.run, args=(inside_a_loop(),))  # a loop of its own, running
    try:
        thread.start()
        thread.join(timeout=30)
    finally:
        service.close()
    assert "没有以 Dask 调度器的身份应答" in outcome.get("error", ""), outcome
