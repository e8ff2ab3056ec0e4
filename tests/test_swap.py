"""The swap: output/ and the new build exchanged in one step (renameat2 RENAME_EXCHANGE), so a
page being served never goes missing and a build killed at any point leaves a whole site."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

from sitegen.build import publish
from sitegen.build.site import PDF, build, without
from sitegen.base.safety import MARKER
from tests.conftest import MINIMAL, ROOT, start_server, write_tree

PROJECT = MINIMAL["u1/2024/p1.yaml"]


def named(content: Path, name: str) -> None:
    (content / "u1/2024/p1.yaml").write_text(PROJECT.replace("测试项目", name).replace("        ", ""), encoding="utf-8")


def test_a_page_being_served_never_goes_missing_while_builds_swap(site, tmp_path):
    content, out = site(), tmp_path / "output"
    build(content, out, renderers=without(PDF), cache_dir=tmp_path / "cache")
    server, url = start_server(out)
    statuses: dict[int, int] = {}
    seen: set[str] = set()
    stop = threading.Event()

    def request_in_a_loop():
        while not stop.is_set():
            for page in ("/u1/2024/p1/", "/index.html"):
                try:
                    with urllib.request.urlopen(url + page, timeout=10) as response:
                        body = response.read().decode("utf-8")
                        statuses[response.status] = statuses.get(response.status, 0) + 1
                        seen.update(n for n in ("第一版", "第二版") if n in body)
                except urllib.error.HTTPError as error:
                    statuses[error.code] = statuses.get(error.code, 0) + 1

    thread = threading.Thread(target=request_in_a_loop)
    thread.start()
    try:
        for number in range(12):
            named(content, "第一版" if number % 2 else "第二版")
            build(content, out, renderers=without(PDF), cache_dir=tmp_path / "cache")
    finally:
        stop.set()
        thread.join(timeout=30)
        server.shutdown()
    assert set(statuses) == {200} and statuses[200] > 100, statuses
    assert seen == {"第一版", "第二版"}  # the swaps happened under the requests


KILLED_AFTER_EXCHANGE = """
import os, signal, sys
from pathlib import Path
from sitegen.build import publish
from sitegen.build.site import PDF, build, without

exchange = publish.exchange
def exchange_then_die(first, second):
    exchange(first, second)
    os.kill(os.getpid(), signal.SIGKILL)  # no handler runs: between the exchange and what follows
publish.exchange = exchange_then_die
build(Path(sys.argv[1]), Path(sys.argv[2]), renderers=without(PDF), cache_dir=Path(sys.argv[3]))
"""


def test_a_build_killed_right_after_the_exchange_leaves_the_new_site_whole(site, tmp_path):
    content, out = site(), tmp_path / "output"
    named(content, "第一版")
    build(content, out, renderers=without(PDF), cache_dir=tmp_path / "cache")
    named(content, "第二版")
    result = subprocess.run([sys.executable, "-c", KILLED_AFTER_EXCHANGE, str(content), str(out), str(tmp_path / "cache")],
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300)
    assert result.returncode == -9, result.stderr
    assert "第二版" in (out / "u1/2024/p1/index.html").read_text(encoding="utf-8") and (out / MARKER).is_file()
    [left] = tmp_path.glob("output.building-*")  # the previous site, under the staging folder's name
    assert "第一版" in (left / "u1/2024/p1/index.html").read_text(encoding="utf-8")
    build(content, out, renderers=without(PDF), cache_dir=tmp_path / "cache")  # the next build removes it
    assert not left.exists()


def test_where_the_exchange_is_not_supported_two_renames_still_swap(site, tmp_path, monkeypatch):
    content, out = site(), tmp_path / "output"
    build(content, out, renderers=without(PDF), cache_dir=tmp_path / "cache")
    monkeypatch.setattr(publish, "exchange", lambda first, second: False)  # as on a file system without it
    named(content, "第二版")
    build(content, out, renderers=without(PDF), cache_dir=tmp_path / "cache")
    assert "第二版" in (out / "u1/2024/p1/index.html").read_text(encoding="utf-8")


def test_exchange_swaps_two_real_folders(tmp_path):
    first = write_tree(tmp_path / "a", {"one.txt": "1"})
    second = write_tree(tmp_path / "b", {"two.txt": "2"})
    assert publish.exchange(first, second)
    assert sorted(p.name for p in first.iterdir()) == ["two.txt"] and sorted(p.name for p in second.iterdir()) == ["one.txt"]
