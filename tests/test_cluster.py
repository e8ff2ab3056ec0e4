"""`sitegen build --cluster`: a real Dask LocalCluster gives the bytes a local build gives,
survives a killed worker or fails leaving output/ as it was, and costs nothing when not asked for."""

from __future__ import annotations

import os
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
def generated(tmp_path_factory) -> tuple[Path, Path]:
    """A generated 500-project tree and its local build without PDFs."""
    root = tmp_path_factory.mktemp("generated")
    generate(root / "content", 500, 20)
    local = root / "local"
    build(root / "content", local, renderers=without(PDF), cache_dir=root / "cache")
    return root / "content", local


def test_generated_tree_on_a_local_cluster_is_byte_identical(generated, tmp_path):
    content, local = generated
    out = tmp_path / "output"
    build(content, out, renderers=without(PDF), cache_dir=tmp_path / "cache", cluster="local:2")
    assert_same_tree(local, out)


class Scheduler:
    """A LocalCluster the test owns, so that it can kill one of its workers mid-build."""

    def __init__(self, **config):
        import dask
        from distributed import Client, LocalCluster

        with dask.config.set(config):
            self.cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=50)
        self.client = Client(self.cluster)

    def kill_a_busy_worker(self, timeout: float = 60) -> int:
        """SIGKILL the process of a worker that is running a task; returns its pid."""
        deadline = time.monotonic() + timeout
        pids = self.client.run(os.getpid)
        while time.monotonic() < deadline:
            busy = [worker for worker, tasks in self.client.processing().items() if tasks]
            if busy and busy[0] in pids:
                os.kill(pids[busy[0]], signal.SIGKILL)
                return pids[busy[0]]
            time.sleep(0.02)
        raise AssertionError("no task ever ran on the cluster")

    def close(self):
        self.client.close()
        self.cluster.close()


def build_while_killing(scheduler: Scheduler, content: Path, out: Path, cache: Path):
    outcome: dict = {}

    def target():
        try:
            build(content, out, renderers=without(PDF), cache_dir=cache, cluster=scheduler.cluster.scheduler_address)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    outcome["killed"] = scheduler.kill_a_busy_worker()
    thread.join(timeout=300)
    assert not thread.is_alive()
    return outcome


def test_a_killed_worker_is_retried_and_the_output_is_the_same(generated, tmp_path):
    content, local = generated
    scheduler = Scheduler()
    try:
        outcome = build_while_killing(scheduler, content, tmp_path / "output", tmp_path / "cache")
    finally:
        scheduler.close()
    assert "error" not in outcome, outcome.get("error")
    assert_same_tree(local, tmp_path / "output")


def test_when_retries_run_out_the_build_fails_and_output_is_untouched(generated, tmp_path):
    content, _ = generated
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


def test_workers_that_would_make_other_bytes_are_refused(tmp_path):
    from sitegen.build.cluster import ClusterError, connect

    with connect("local:1") as cluster:
        with pytest.raises(ClusterError, match="sitegen"):
            cluster.check_workers({"sitegen": "0.0-not-this-one"}, CONTENT)
        cluster.check_workers({"sitegen": __import__("sitegen").__version__}, CONTENT)  # the same: accepted


@pytest.mark.parametrize("spec, message", [("nonsense", "调度器地址"), ("local:0", "至少为 1"),
                                           ("tcp://127.0.0.1:9", "无法连接集群")])
def test_a_bad_cluster_is_one_line_and_writes_nothing(tmp_path, spec, message):
    code, out, err = run("build", str(CONTENT), "--out", str(tmp_path / "output"), "--no-pdf", "--cluster", spec)
    assert code == 1 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "output").exists()


def test_without_cluster_nothing_of_dask_is_imported(tmp_path):
    script = (
        "import sys; from pathlib import Path; from sitegen.build.site import PDF, build, without; "
        f"build(Path({str(CONTENT)!r}), Path({str(tmp_path / 'out')!r}), renderers=without(PDF)); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
