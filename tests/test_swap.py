"""The swap: output/ and the new build exchanged in one step (renameat2 RENAME_EXCHANGE), so a
page being served never goes missing and a build killed at any point leaves a whole site."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

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


LOOK_ALL_THE_TIME = """
import os, sys
path, stop = sys.argv[1], sys.argv[2]
looks = missing = 0
while not os.path.exists(stop):
    for _ in range(1000):
        looks += 1
        try:
            os.stat(path)
        except FileNotFoundError:
            missing += 1
print(looks, missing)
"""


def test_a_process_looking_all_the_time_never_misses_the_site_during_swaps(site, tmp_path):
    """A process of its own looks at output/index.html about a million times a second through
    twelve swaps (the HTTP test above asks a few hundred times: the two renames of before missed
    2 requests in 34,753). With the two renames it finds nothing a few to thousands of times."""
    content, out = site(), tmp_path / "output"
    build(content, out, renderers=without(PDF), cache_dir=tmp_path / "cache")
    stop = tmp_path / "stop"
    looker = subprocess.Popen([sys.executable, "-c", LOOK_ALL_THE_TIME, str(out / "index.html"), str(stop)],
                              stdout=subprocess.PIPE, text=True)
    try:
        for number in range(12):
            named(content, f"第{number}版")
            build(content, out, renderers=without(PDF), cache_dir=tmp_path / "cache")
    finally:
        stop.touch()
        looks, missing = map(int, looker.communicate(timeout=60)[0].split())
    assert looks > 10_000 and missing == 0, (looks, missing)


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


# A build killed (SIGKILL: no handler runs) at each step of the publish, after the staging folder
# is complete: just before the exchange, just after it, once the folder for the previous site's
# removal is made, once the previous site is renamed to it, and before its remover starts.
KILLED_AT = """
import os, signal, sys, tempfile
from pathlib import Path
from sitegen.build import publish
from sitegen.build.site import PDF, build, without

point = sys.argv[4]
def die():
    os.kill(os.getpid(), signal.SIGKILL)
def around(owner, name, before=False, after=False, when=lambda *args, **kwargs: True):
    real = getattr(owner, name)
    def step(*args, **kwargs):
        if before and when(*args, **kwargs):
            die()
        result = real(*args, **kwargs)
        if after and when(*args, **kwargs):
            die()
        return result
    setattr(owner, name, step)
if point == "before exchange":
    around(publish, "exchange", before=True)
elif point == "after exchange":
    around(publish, "exchange", after=True)
elif point == "after the removal's folder is made":
    around(tempfile, "mkdtemp", after=True, when=lambda *args, **kwargs: publish.GONE in kwargs.get("prefix", ""))
elif point == "after the previous site is renamed":
    around(Path, "rename", after=True, when=lambda self, target: publish.GONE in Path(target).name)
elif point == "before the remover starts":
    around(publish, "remove_in_background", before=True)
build(Path(sys.argv[1]), Path(sys.argv[2]), renderers=without(PDF), cache_dir=Path(sys.argv[3]))
"""


@pytest.mark.parametrize("point", ["before exchange", "after exchange", "after the removal's folder is made",
                                   "after the previous site is renamed", "before the remover starts"])
def test_a_build_killed_at_any_step_of_the_publish_leaves_a_whole_site_and_the_next_build_tidies_up(site, tmp_path, point):
    content, out, cache = site(), tmp_path / "output", tmp_path / "cache"
    named(content, "第一版")
    build(content, out, renderers=without(PDF), cache_dir=cache)
    files = names_in(out)
    named(content, "第二版")
    result = subprocess.run([sys.executable, "-c", KILLED_AT, str(content), str(out), str(cache), point],
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300)
    assert result.returncode == -9, result.stderr  # it did reach the point
    page = (out / "u1/2024/p1/index.html").read_text(encoding="utf-8")
    assert ("第一版" if point == "before exchange" else "第二版") in page and (out / MARKER).is_file()
    assert whole(out) and names_in(out) == files
    named(content, "第三版")
    build(content, out, renderers=without(PDF), cache_dir=cache)
    assert "第三版" in (out / "u1/2024/p1/index.html").read_text(encoding="utf-8") and whole(out)
    for remover in publish.removing:  # the previous site is removed by a process of its own
        remover.wait(timeout=60)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "content", "output"]  # nothing left beside it


def names_in(out: Path) -> list[str]:
    """The site's files but the search index's (named by their contents, which changed)."""
    return sorted(name for name in (p.relative_to(out).as_posix() for p in out.rglob("*")) if not name.startswith("pagefind/"))


def whole(out: Path) -> bool:
    """Every file SHA256SUMS lists is there with its checksum."""
    listed = [line.split("  ", 1) for line in (out / "SHA256SUMS").read_text(encoding="utf-8").splitlines()]
    return bool(listed) and all(hashlib.sha256((out / name.lstrip("*")).read_bytes()).hexdigest() == digest
                                for digest, name in listed)


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
