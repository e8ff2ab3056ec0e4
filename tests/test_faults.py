"""Signals and faults: a real build stopped by SIGTERM or SIGINT, one killed outright, a full
disk (a real tmpfs, and a patched write), and cache entries that must not be reused."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from sitegen.build.site import PDF, build, without
from sitegen.build.publish import sweep
from sitegen.render.pdf import PdfCache
from sitegen.base.safety import MARKER, MARKER_TEXT
from tests.conftest import CONTENT, ROOT, run, write_tree
from tests.test_safety import snapshot


def previous_site(folder: Path) -> Path:
    write_tree(folder, {"index.html": "previous site", MARKER: MARKER_TEXT})
    return folder


def start_build(tmp_path: Path, *args: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "SITEGEN_WORKERS": "2", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "sitegen", "build", str(CONTENT), "--out", str(tmp_path / "output"), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path, **popen)


def wait_until(condition, seconds: float = 120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def in_pdf_step(tmp_path: Path, process: subprocess.Popen) -> list[int]:
    """Wait until the build is rendering PDFs in its worker processes; returns their pids."""
    def workers():
        staging = list(tmp_path.glob("output.building-*"))
        # The units' open data is written just before their PDFs (the example is one shard).
        done_before_pdfs = staging and any(staging[0].rglob("data/*.xlsx"))
        forked = [pid for pid in child_pids_of(process.pid) if cmdline(pid) == cmdline(process.pid)]
        return forked if done_before_pdfs and len(forked) >= 2 else None

    return wait_until(workers)


def child_pids_of(pid: int) -> list[int]:
    try:
        return [child.pid for child in psutil.Process(pid).children()]
    except psutil.Error:
        return []


def cmdline(pid: int) -> list[str]:
    try:
        return psutil.Process(pid).cmdline()
    except psutil.Error:
        return []


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


@pytest.mark.parametrize("signum, code, words", [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "已中断")])
def test_a_signal_mid_pdf_ends_workers_removes_staging_and_keeps_the_output(tmp_path, signum, code, words):
    """Only the main process gets the signal (as from `timeout` or a CI runner), cold cache."""
    before = snapshot(previous_site(tmp_path / "output"))
    process = start_build(tmp_path)
    workers = in_pdf_step(tmp_path, process)
    stopped = time.monotonic()
    process.send_signal(signum)
    # communicate() returns only when every holder of the pipes is gone: a stray worker would hang it.
    out, err = process.communicate(timeout=30)
    assert process.returncode == code
    assert time.monotonic() - stopped < 10
    [line] = err.decode().strip().splitlines()
    assert words in line and "保持不变" in line and out == b""
    wait_until(lambda: not any(running(pid) for pid in workers), 10)
    assert snapshot(tmp_path / "output") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]  # no staging folder, no cache it created


def test_sigterm_to_the_whole_process_group(tmp_path):
    """What a CI runner cancelling a job does: every process gets SIGTERM at once."""
    before = snapshot(previous_site(tmp_path / "output"))
    process = start_build(tmp_path, start_new_session=True)
    workers = in_pdf_step(tmp_path, process)
    os.killpg(process.pid, signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 143, err.decode()
    assert len(err.decode().strip().splitlines()) == 1, err.decode()  # seen once with 2+ lines, under heavy load
    wait_until(lambda: not any(running(pid) for pid in workers), 10)
    assert snapshot(tmp_path / "output") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_workers_of_a_build_killed_outright_end_too(tmp_path):
    """SIGKILL to the main process only (the OOM killer picks one process): its workers, adopted by
    init, stayed for ever, one blocked writing its result to a pipe nobody read."""
    before = snapshot(previous_site(tmp_path / "output"))
    process = start_build(tmp_path, start_new_session=True)
    workers = in_pdf_step(tmp_path, process)
    process.kill()
    try:
        process.communicate(timeout=30)  # returns once no worker holds the pipes
        wait_until(lambda: not any(running(pid) for pid in workers), 15)
    finally:
        for pid in workers:  # a failed test leaves no process behind
            if running(pid):
                os.kill(pid, signal.SIGKILL)
    assert snapshot(tmp_path / "output") == before


def test_a_worker_killed_outright_fails_the_build_in_one_line(tmp_path):
    """The OOM killer picking a worker: was "内部错误 BrokenProcessPool …（这是 sitegen 的缺陷）", exit 70."""
    before = snapshot(previous_site(tmp_path / "output"))
    process = start_build(tmp_path)
    workers = in_pdf_step(tmp_path, process)
    os.kill(workers[0], signal.SIGKILL)
    _, err = process.communicate(timeout=60)
    [line] = err.decode().strip().splitlines()
    assert process.returncode == 1, line
    assert line.startswith("sitegen build: 一个工作进程意外结束") and line.endswith("output/ 保持不变"), line
    assert snapshot(tmp_path / "output") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_the_next_build_removes_what_a_killed_build_left(tmp_path):
    previous_site(tmp_path / "output")
    process = start_build(tmp_path, start_new_session=True)
    in_pdf_step(tmp_path, process)
    os.killpg(process.pid, signal.SIGKILL)  # no handler runs: the OOM killer, a power cut
    process.communicate(timeout=30)
    [left] = tmp_path.glob("output.building-*")
    assert (left / MARKER).is_file()
    wait_until(lambda: not child_pids_of(process.pid), 10)
    # Beside it: a folder of the user's with a look-alike name, and a build running right now.
    mine = write_tree(tmp_path / "output.building-notes", {"keep.txt": "我的"})
    running_build = write_tree(tmp_path / "output.building-live", {MARKER: MARKER_TEXT})
    lock = os.open(running_build, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        code, _, err = run("build", str(CONTENT), "--out", str(tmp_path / "output"), "--no-pdf")
    finally:
        os.close(lock)
    assert code == 0, err
    assert not left.exists()
    assert (mine / "keep.txt").read_text(encoding="utf-8") == "我的" and (running_build / MARKER).is_file()


def test_a_swap_cut_short_puts_the_previous_site_back(tmp_path):
    """Killed between the swap's two renames, the previous site sits aside and output/ is missing:
    the next build puts it back first. Once output/ exists, a site left aside is removed."""
    aside = previous_site(tmp_path / "output.old-abc123")
    sweep(tmp_path / "output")
    assert (tmp_path / "output/index.html").read_text(encoding="utf-8") == "previous site"
    assert not aside.exists()
    previous_site(tmp_path / "output.old-def456")
    sweep(tmp_path / "output")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_the_previous_site_is_removed_after_the_swap_without_the_build_waiting(tmp_path):
    previous_site(tmp_path / "output")
    write_tree(tmp_path / "output", {f"u{n}/p{m}/index.html": "旧" for n in range(20) for m in range(20)})
    build(CONTENT, tmp_path / "output", renderers=without(PDF), cache_dir=tmp_path / "cache")
    assert "人力资源社保窗口经办经费" in (tmp_path / "output/418001/2022/index.html").read_text(encoding="utf-8")
    wait_until(lambda: sorted(p.name for p in tmp_path.iterdir()) == ["cache", "output"], 30)


def test_a_removal_cut_short_is_finished_by_the_next_build_and_never_put_back(tmp_path):
    """The remover takes the marker last, so what a stopped removal leaves is still known as sitegen's."""
    half_gone = previous_site(tmp_path / "output.gone-abc123")
    sweep(tmp_path / "output")  # no site at all: a half-removed one is still not put in its place
    assert not (tmp_path / "output").exists() and not half_gone.exists()
    previous_site(tmp_path / "output")
    previous_site(tmp_path / "output.gone-def456")
    sweep(tmp_path / "output")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


# ---------------------------------------------------------------- a full disk


@pytest.fixture
def small_disk(tmp_path):
    """A real 2 MB-or-less tmpfs, when this machine lets us mount one (root in a container may)."""
    mounted = []

    def mount(kilobytes: int) -> Path:
        folder = tmp_path / f"disk{kilobytes}"
        folder.mkdir()
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kilobytes}k", "tmpfs", str(folder)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:  # lazily: a worker of the build that has not exited yet may hold a file there
        subprocess.run(["umount", "--lazy", str(folder)], check=False)


# Full in the HTML, open-data and PDF steps, and in Pagefind's (which exits 0 all the same).
@pytest.mark.parametrize("kilobytes, args", [(40, ()), (100, ()), (400, ()), (400, ("--no-pdf",))])
def test_a_full_disk_is_one_located_line_and_leaves_nothing(small_disk, site, kilobytes, args):
    disk = small_disk(kilobytes)
    before = snapshot(previous_site(disk / "output"))
    code, out, err = run("build", str(site()), "--out", str(disk / "output"), *args)
    assert code == 1, (out, err)
    [line] = err.strip().splitlines()
    assert "Traceback" not in err and "保持不变" in line
    # Python's writes say ENOSPC; Pagefind (another program) may only leave its index cut short.
    assert any(words in line for words in ("磁盘空间不足", "No space left", "os error 28", "磁盘是否已满")), line
    assert str(disk) in line, line  # where it happened
    assert snapshot(disk / "output") == before
    assert sorted(p.name for p in disk.iterdir()) == ["output"]  # no staging folder, no cache


def test_a_full_temporary_folder_is_one_line_too(small_disk, site, tmp_path, monkeypatch):
    """The indicators' index is a SQLite file in the temporary folder; when that folder is full,
    SQLite says so in its own words (not an OSError): still one line, and the site as it was."""
    disk = small_disk(40)
    monkeypatch.setattr(tempfile, "tempdir", str(disk))
    out = previous_site(tmp_path / "output")
    before = snapshot(out)
    code, _, err = run("build", str(site()), "--out", str(out), "--no-pdf")
    assert code == 1, err
    [line] = err.strip().splitlines()
    assert "Traceback" not in err and "磁盘空间不足" in line and "保持不变" in line, line
    assert str(disk) in line, line  # where it happened
    assert snapshot(out) == before


def test_a_write_failing_with_enospc_names_the_file(tmp_path, site, monkeypatch):
    """The same without a tmpfs: the XLSX write fails half-way, as on a full disk."""
    out = previous_site(tmp_path / "output")
    before = snapshot(out)
    original = Path.write_bytes

    def half_then_full(self, data):
        if self.suffix != ".xlsx":
            return original(self, data)
        original(self, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_bytes", half_then_full)
    code, _, err = run("build", str(site()), "--out", str(out), "--no-pdf")
    assert code == 1
    [line] = err.strip().splitlines()
    assert line.startswith("sitegen build: 磁盘空间不足 ") and "/data/u1-2024.xlsx" in line and "保持不变" in line
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "output"]


# ---------------------------------------------------------------- the PDF cache


def test_bad_cache_entries_are_rendered_again(tmp_path, site):
    content = site()
    cache = tmp_path / "cache"
    build(content, tmp_path / "first", cache_dir=cache)
    entries = sorted((cache / "pdf").glob("*.pdf"))
    assert len(entries) == 2 and not list((cache / "pdf").glob("*.tmp"))
    good = {entry.name: entry.read_bytes() for entry in entries}
    entries[0].write_bytes(b"")  # what a full disk left once
    entries[1].write_bytes(good[entries[1].name][:1000])  # cut short
    shutil.rmtree(cache / "shards")  # else the whole shard comes from there (the next test)
    build(content, tmp_path / "second", cache_dir=cache)
    assert {entry.name: entry.read_bytes() for entry in entries} == good
    pdfs = lambda out: {p.name: p.read_bytes() for p in out.rglob("*.pdf")}
    assert pdfs(tmp_path / "second") == pdfs(tmp_path / "first")


def test_bad_shard_cache_entries_are_rendered_again(tmp_path, site):
    content = site()
    cache = tmp_path / "cache"
    build(content, tmp_path / "first", cache_dir=cache)
    [entry] = (cache / "shards").glob("*.pickle")
    good = entry.read_bytes()
    for broken in (b"", good[: len(good) // 2], b"not a pickle"):
        entry.write_bytes(broken)
        build(content, tmp_path / "again", cache_dir=cache, force=True)
        assert entry.read_bytes() == good
        assert tree_bytes(tmp_path / "again") == tree_bytes(tmp_path / "first")


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_cache_write_that_fails_leaves_the_old_entry_and_no_temporary_file(tmp_path, monkeypatch):
    cache = PdfCache(tmp_path, "fonts", "css")
    cache.put("k", b"%PDF-1.7 old %%EOF")

    def full(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError) as failed:
        cache.put("k", b"%PDF-1.7 new %%EOF")
    assert failed.value.errno == errno.ENOSPC
    assert cache.get("k") == b"%PDF-1.7 old %%EOF"
    assert [p.name for p in (tmp_path / "pdf").iterdir()] == ["k.pdf"]


def test_an_unreadable_folder_is_a_located_error(site, monkeypatch):
    """As root every folder is readable, so the refusal is injected where a user would meet it."""
    content = site()
    original = Path.iterdir

    def refuse(self):
        if self.name == "2024":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return original(self)

    monkeypatch.setattr(Path, "iterdir", refuse)
    code, out, err = run("check", str(content))
    [error] = [line for line in out.splitlines() if ": error: " in line]
    assert code == 1 and "u1/2024/" in error and "无法读取目录" in error and "Traceback" not in out + err
