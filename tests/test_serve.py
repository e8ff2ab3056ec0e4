"""`sitegen serve` as a user runs it: a subprocess on 127.0.0.1 that rebuilds and reloads."""

from __future__ import annotations

import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

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


def start_serve(tmp_path: Path, host: str = "127.0.0.1"):
    """`sitegen serve` in a process of its own, its output in a log file; once the first page is served."""
    content = write_tree(tmp_path / "content", MINIMAL)
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as file:
        process = subprocess.Popen(
            [sys.executable, "-m", "sitegen", "serve", str(content), "--out", str(tmp_path / "out"), "--port", str(port),
             "--host", host, "--no-pdf"], stdout=file, stderr=subprocess.STDOUT, text=True)
    url = f"http://{ {'0.0.0.0': '127.0.0.1', '::': '[::1]', '::1': '[::1]'}.get(host, host)}:{port}"
    wait_for(lambda: "测试项目" in fetch(url + "/u1/2024/p1/"))
    return content, url, process, log


@pytest.fixture
def served(tmp_path):
    content, url, process, log = start_serve(tmp_path)
    yield content, url, process
    process.terminate()
    process.wait(timeout=10)
    assert "Traceback" not in log.read_text(encoding="utf-8")


def raw_request(url: str, target: str, host: str | None = "127.0.0.1", more: str = "") -> str:
    """The status line the server answers to `GET target`, sent as bytes (urllib would quote it);
    `more`: header lines to add. An empty string: the server closed the connection unanswered."""
    return raw_answer(url, target, host, more).split(b"\r\n", 1)[0].decode("latin-1")


def raw_answer(url: str, target: str, host: str | None = "127.0.0.1", more: str = "") -> bytes:
    headers = (f"Host: {host}\r\n" if host is not None else "") + more
    return raw_bytes(url, f"GET {target} HTTP/1.1\r\n{headers}Connection: close\r\n\r\n".encode("latin-1"))


def raw_bytes(url: str, data: bytes) -> bytes:
    """All the server answers to `data`, the connection then half-closed by the client."""
    address, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((address.strip("[]"), int(port)), timeout=10) as connection:
        answer = b""
        try:
            connection.sendall(data)
            connection.shutdown(socket.SHUT_WR)
        except OSError:  # answered and closed before all of `data` was read: the answer counts
            pass
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except ConnectionResetError:  # the unread rest of `data` made the close a reset
            pass
    return answer


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


BAD_TARGETS = ["/%00", "/u1/%00/", "/a%00b.html", "/%FF", "/%ED%A0%80", "/%0d%0aSet-Cookie:x", "/%1b[31m", "*",
               "http://127.0.0.1/", "u1/2024/p1/"]


def test_bad_paths_are_400_and_never_a_traceback(tmp_path):
    content, url, process, log = start_serve(tmp_path)
    try:
        answers = {target: raw_request(url, target) for target in BAD_TARGETS}
        assert raw_request(url, "/u1/2024/p1/").endswith("200 OK")  # still serving
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert {target: line.split(" ")[1] for target, line in answers.items()} == dict.fromkeys(BAD_TARGETS, "400")
    assert "Traceback" not in log.read_text(encoding="utf-8")


# Names no file system holds: a part longer than 255 bytes, a path longer than 4096. Path.is_dir
# raised ENAMETOOLONG for them: the connection was closed unanswered.
TOO_LONG = ["/" + "a" * 300, "/" + "a" * 300 + ".html", "/u1/" + "%E6%B5%8B" * 100 + "/", "/a" * 3000,
            "/" + "/".join(["b" * 250] * 20) + "/"]


def test_garbage_and_floods_are_answered_never_dropped(served, tmp_path):
    _, url, process = served
    page = b"GET /u1/2024/p1/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    expected = {  # what the answer starts with: a status line, also to a line without a version
        b"\r\n" + page + b"\r\n": b"HTTP/1.0 200",  # the stdlib closed unanswered after the empty line
        b"\r\n\n\r\n" + page + b"\r\n": b"HTTP/1.0 200",
        b"\r\n" + b"a" * 70000 + b"\r\n\r\n": b"HTTP/1.0 414",
        page + b"".join(b"X-%d: y\r\n" % i for i in range(200)) + b"\r\n": b"HTTP/1.0 431",
        page + b"X: " + b"y" * 70000 + b"\r\n\r\n": b"HTTP/1.0 431",
        b"HEAD /u1/2024/p1/ HTTP/1.1\r\n\r\n": b"HTTP/1.0 200",
        b"POST /u1/2024/p1/ HTTP/1.1\r\n\r\n": b"HTTP/1.0 501",
        b"GET / HTTP/9.9\r\n\r\n": b"HTTP/1.0 505",
        b"HEAD / HTTP/0.9\r\n\r\n": b"HTTP/1.0 505",  # was answered by closing: HTTP/0.9 has no HEAD, no status
        b"GET /u1/2024/p1/\r\n\r\n": b"HTTP/1.0 200",  # an HTTP/0.9 line: was a bare page
        b"GET / HTTP/0.9\r\nX: " + b"y" * 70000 + b"\r\n\r\n": b"HTTP/1.0 431",  # was a bare page
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n": b"HTTP/1.0 400",  # TLS to a plain port
        b" \r\n\r\n": b"HTTP/1.0 400",  # blanks only: was closed unanswered
        b"\r\n" * 12 + page + b"\r\n": b"HTTP/1.0 400",  # more empty lines than are skipped
    }
    answers = {data[:30]: raw_bytes(url, data)[:len(start)] for data, start in expected.items()}
    assert answers == {data[:30]: start for data, start in expected.items()}
    assert process.poll() is None
    assert "请求出错" not in (tmp_path / "serve.log").read_text(encoding="utf-8")


def test_names_too_long_for_the_system_are_404_not_a_closed_connection(served, tmp_path):
    _, url, process = served
    answers = {target[:20]: raw_request(url, target) for target in TOO_LONG}
    assert answers == {target[:20]: "HTTP/1.0 404 Not Found" for target in TOO_LONG}
    assert raw_request(url, "/" + "a" * 70000).split(" ")[1] == "414"  # the stdlib's limit of a request line
    assert raw_request(url, "/u1/2024/p1/").endswith("200 OK") and process.poll() is None
    assert "请求出错" not in (tmp_path / "serve.log").read_text(encoding="utf-8")


def test_a_folder_without_its_slash_is_redirected(served):
    """The page's links are relative: served at /u1/2024/p1 they would point one level too high."""
    _, url, _ = served
    answer = raw_answer(url, "/u1/2024/p1?x=1").decode("latin-1")
    assert answer.startswith("HTTP/1.0 301") and "\r\nLocation: /u1/2024/p1/?x=1\r\n" in answer
    assert raw_request(url, "//u1/2024/p1").split(" ")[1] == "301"
    assert "\r\nLocation: /u1/2024/p1/\r\n" in raw_answer(url, "//u1/2024/p1").decode("latin-1")  # not //u1: another host


def test_a_host_of_another_site_is_400(served):
    _, url, _ = served
    port = url.rsplit(":", 1)[1]
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example", "localhost.evil.example"):
        assert raw_request(url, "/u1/2024/p1/", host).split(" ")[1] == "400", host
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST", f"[::1]:{port}", "localhost.", None):
        assert raw_request(url, "/u1/2024/p1/", host).split(" ")[1] == "200", host
    # Two Host headers: which one a proxy or a browser's cache believes is not ours to guess.
    assert raw_request(url, "/u1/2024/p1/", f"127.0.0.1:{port}", "Host: evil.example\r\n").split(" ")[1] == "400"
    assert raw_request(url, "/u1/2024/p1/", "evil.example", f"Host: 127.0.0.1:{port}\r\n").split(" ")[1] == "400"


def test_200_requests_at_once_are_all_answered(served):
    """Times: bench/serve_load.py (a backlog of 5: 2 of 200 requests failed, the slowest took 31 s)."""
    _, url, _ = served

    def status(_):
        with urllib.request.urlopen(url + "/u1/2024/p1/", timeout=30) as response:
            response.read()
            return response.status

    with ThreadPoolExecutor(max_workers=200) as pool:
        assert list(pool.map(status, range(200))) == [200] * 200


def test_128_connections_wait_while_the_server_is_busy(served):
    """The listen backlog, measured on the kernel's queue: with the server stopped (SIGSTOP) nothing
    is accepted, so the connections the kernel completes are the ones its queue holds (backlog + 1
    on Linux); past that it drops the SYN and the client waits for a retransmit (1 s, 3 s, 7 s…).
    With the socket module's default of 5, 6 got through."""
    _, url, process = served
    port = int(url.rsplit(":", 1)[1])
    waiting = []
    process.send_signal(signal.SIGSTOP)
    try:
        for _ in range(200):
            try:
                waiting.append(socket.create_connection(("127.0.0.1", port), timeout=0.5))
            except (TimeoutError, socket.timeout):
                break
        for connection in waiting:
            connection.sendall(b"GET /u1/2024/p1/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    finally:
        process.send_signal(signal.SIGCONT)
    try:
        assert len(waiting) >= 128
        for connection in waiting:  # and each is answered once the server goes on
            connection.settimeout(30)
            assert connection.recv(12) == b"HTTP/1.0 200"
    finally:
        for connection in waiting:
            connection.close()


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_bound_beyond_this_machine_a_warning_is_printed(tmp_path, host):
    content, url, process, log = start_serve(tmp_path, host=host)
    try:
        assert raw_request(url, "/u1/2024/p1/", socket.gethostname()).endswith("200 OK")
        assert raw_request(url, "/u1/2024/p1/", "evil.example").split(" ")[1] == "400"
    finally:
        process.terminate()
        process.wait(timeout=10)
    lines = log.read_text(encoding="utf-8").splitlines()
    assert sum(line.startswith(f"警告：预览服务器监听 {host}，") for line in lines) == 1, lines


def test_on_ipv6_loopback_it_serves_without_warning(tmp_path):
    """The stdlib's server binds IPv4 only: `--host ::1` ended in "address family not supported"."""
    content, url, process, log = start_serve(tmp_path, host="::1")
    try:
        assert url.startswith("http://[::1]:") and raw_request(url, "/u1/2024/p1/", url[7:]).endswith("200 OK")
    finally:
        process.terminate()
        process.wait(timeout=10)
    text = log.read_text(encoding="utf-8")
    assert f"预览地址：{url}/ " in text and "警告：预览服务器" not in text


@pytest.mark.parametrize("host", ["192.0.2.1", "no-such-host.invalid"])
def test_an_address_that_cannot_be_bound_is_one_line_before_any_build(tmp_path, host):
    """192.0.2.1 is a documentation address (RFC 5737) no machine has; the site was built first."""
    content = write_tree(tmp_path / "content", MINIMAL)
    result = subprocess.run([sys.executable, "-m", "sitegen", "serve", str(content), "--out", str(tmp_path / "out"),
                             "--port", str(free_port()), "--host", host], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(f"sitegen serve: 无法在 http://{host}:")
    assert not (tmp_path / "out").exists()


def test_on_loopback_no_warning_is_printed(served, tmp_path):
    assert "警告：预览服务器" not in (tmp_path / "serve.log").read_text(encoding="utf-8")


def test_a_site_inside_a_hidden_folder_is_watched_and_hidden_files_are_not(tmp_path):
    from sitegen.commands.serve import Preview

    content = write_tree(tmp_path / ".sites" / "content", MINIMAL)
    preview = Preview(content, tmp_path / ".sites" / "out", with_pdf=False)
    builds = []
    preview.rebuild = lambda: builds.append(time.monotonic())  # count the rebuilds, build nothing
    stop = threading.Event()
    watcher = threading.Thread(target=preview.watch, args=(stop,))
    watcher.start()
    try:
        time.sleep(1.5)  # the watches are set
        (content / "u1" / ".p1.yaml.swp").write_text("an editor's file", encoding="utf-8")
        (content / "u1" / ".notes").mkdir()
        (content / "u1" / ".notes" / "a.yaml").write_text("hidden", encoding="utf-8")
        time.sleep(2)
        assert builds == []
        (content / P1).write_text((content / P1).read_text(encoding="utf-8") + "\n", encoding="utf-8")
        wait_for(lambda: builds, 10)
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert len(builds) == 1


def test_a_refusal_while_rebuilding_is_its_one_line_and_the_site_stays(served, tmp_path):
    """A SitegenError met by a rebuild (here the cache folder made writable by others, a real
    UntrustedCache) is shown as its own line, not as a defect of sitegen, and serving goes on."""
    content, url, process = served
    cache = tmp_path / ".sitegen-cache"
    project = content / P1
    good = project.read_text(encoding="utf-8")
    cache.chmod(0o777)
    project.write_text(good.replace("测试项目", "未生成的项目"), encoding="utf-8")
    page = wait_for(lambda: (lambda html: html if 'role="alert"' in html else None)(fetch(url + "/u1/2024/p1/")))
    assert f"缓存目录 {cache} 可被其他用户写入" in page and "测试项目" in page  # the last good site
    log = (tmp_path / "serve.log").read_text(encoding="utf-8")
    failed = [line for line in log.splitlines() if line.startswith("生成失败：")]
    assert len(failed) == 1 and "缓存目录" in failed[0] and "内部错误" not in log, log
    cache.chmod(0o700)
    project.write_text(good.replace("测试项目", "修好后的项目"), encoding="utf-8")
    wait_for(lambda: "修好后的项目" in fetch(url + "/u1/2024/p1/"))
    assert 'role="alert"' not in fetch(url + "/u1/2024/p1/") and process.poll() is None


def test_clients_that_reset_the_connection_leave_no_trace(served, tmp_path):
    """A browser cancelling a download (a reset before or during the answer): nothing on the
    terminal. Without PreviewServer.handle_error the stdlib printed a traceback for each."""
    _, url, process = served
    port = int(url.rsplit(":", 1)[1])
    for _ in range(20):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close: RST
            connection.sendall(b"GET /u1/2024/p1/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert raw_request(url, "/u1/2024/p1/").endswith("200 OK") and process.poll() is None
    time.sleep(0.5)  # the aborted answers' threads are done
    log = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert "Traceback" not in log and "请求出错" not in log and "Exception" not in log, log
