"""`sitegen serve` as a user runs it: a subprocess on 127.0.0.1 that rebuilds and reloads."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import MINIMAL, write_tree

P1 = "u1/2024/p1.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.read().decode("utf-8")


def wait_for(condition, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.fixture
def served(tmp_path):
    content = write_tree(tmp_path / "content", MINIMAL)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", str(content), "--out", str(tmp_path / "out"), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: "测试项目" in fetch(url + "/u1/2024/p1/"))
    yield content, url, process
    process.terminate()
    process.wait(timeout=10)


def test_edit_rebuilds_and_a_yaml_error_shows_on_the_page(served):
    content, url, process = served
    project = content / P1
    good = project.read_text(encoding="utf-8")
    project.write_text(good.replace("测试项目", "改过的项目"), encoding="utf-8")
    wait_for(lambda: "改过的项目" in fetch(url + "/u1/2024/p1/"))
    project.write_text(good.replace("budget: 10.00", "budget: 六十五"), encoding="utf-8")
    page = wait_for(lambda: (lambda html: html if 'role="alert"' in html else None)(fetch(url + "/u1/2024/p1/")))
    assert "p1.yaml:2:9: error: budget:" in page and "六十五" in page
    assert "改过的项目" in page  # the last good site stays online
    assert process.poll() is None  # the server survived the error
    project.write_text(good, encoding="utf-8")
    wait_for(lambda: 'role="alert"' not in fetch(url + "/u1/2024/p1/"))
    assert "测试项目" in fetch(url + "/u1/2024/p1/")
    assert "找不到这个页面" in fetch(url + "/no/such/page/")


def test_open_page_reloads_by_itself(served, browser):
    content, url, _ = served
    tab = browser.new_page()
    errors = []  # the reload script is a file of the preview: the pages' CSP allows it
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.goto(url + "/u1/2024/p1/")
    assert tab.inner_text("h1") == "测试项目"
    tab.wait_for_timeout(1500)  # the page has seen the current version
    project = content / P1
    project.write_text(project.read_text(encoding="utf-8").replace("测试项目", "自动刷新"), encoding="utf-8")
    # A selector, not wait_for_function (a string evaluated, which the pages' CSP forbids).
    tab.wait_for_selector("h1:text-is('自动刷新')", timeout=60_000)
    assert errors == []
    tab.close()
