"""Random requests to `sitegen serve`, sent as bytes: request lines, targets, versions and headers.

Whatever is sent, the server answers (a status line, or for a line without an HTTP version an
HTTP/0.9-style page), with a status it means, never a file outside the site, and prints nothing
on its terminal; it keeps serving. Bounded here (SITEGEN_FUZZ_EXAMPLES, 15 by default);
`scripts/fuzz` runs it long.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_serve import raw_bytes, raw_request, start_serve

EXAMPLES = int(os.environ.get("SITEGEN_FUZZ_EXAMPLES", "15"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
STATUSES = {b"200", b"301", b"400", b"404", b"414", b"431", b"501", b"505"}

SEGMENTS = st.one_of(
    st.sampled_from(["..", ".", "%2e%2e", "%2E%2e%2f", "..%2f", "%00", "%", "%zz", "%FF", "%C0%AF", "%E4%B8", "%ED%A0%80",
                     "a" * 300, "%E6%B5%8B" * 90, "u1", "2024", "p1", "index.html", "404.html", "__sitegen", "version",
                     "reload.js", "%0d%0a", "\\", "中", "?", "#", "?%00", ";", "", "etc", "passwd", "~", "%5c..%5c"]),
    st.text(max_size=8))
TARGETS = st.one_of(
    st.builds(lambda start, parts: start + "/".join(parts), st.sampled_from(["/", "//", "", "http://evil.example/", "*", "/./"]),
              st.lists(SEGMENTS, max_size=12)).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.binary(max_size=60))
METHODS = st.one_of(st.sampled_from([b"GET", b"HEAD", b"POST", b"OPTIONS", b"get", b"CONNECT", b""]), st.binary(max_size=8))
VERSIONS = st.sampled_from([b" HTTP/1.1", b" HTTP/1.0", b"", b" HTTP/0.9", b" HTTP/2.0", b" HTTP/1.1 x", b" http/1.1", b" HTTP/1"])
HOSTS = st.sampled_from(["127.0.0.1", "localhost", "[::1]", "evil.example", "", "127.0.0.1.evil.example", "LOCALHOST.",
                         "10.0.0.5", "[::1", "a:b:c", "localhost\x00", "\u00e9vil.example"])
HEADERS = st.lists(st.one_of(
    HOSTS.map(lambda host: b"Host: " + host.encode("utf-8")),
    st.binary(max_size=40).filter(lambda line: b"\n" not in line and b"\r" not in line),
    st.sampled_from([b"Connection: keep-alive", b"Content-Length: 99999", b"Transfer-Encoding: chunked", b"Range: bytes=0-1",
                     b"If-Modified-Since: garbage", b"Expect: 100-continue", b" folded", b"X: " + b"y" * 70000])),
    max_size=6)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("fuzz-serve")
    _, url, process, log = start_serve(tmp_path)
    yield url, process
    process.terminate()
    process.wait(timeout=10)
    text = log.read_text(encoding="utf-8")
    assert "Traceback" not in text and "请求出错" not in text, text


@FUZZ
@given(method=METHODS, target=TARGETS, version=VERSIONS, headers=HEADERS, empty_lines=st.integers(0, 10))
def test_any_request_is_answered_and_never_outside_the_site(server, method, target, version, headers, empty_lines):
    url, process = server
    line = method + b" " + target + version
    request = b"\r\n" * empty_lines + line + b"\r\n" + b"".join(header + b"\r\n" for header in headers) + b"\r\n"
    answer = raw_bytes(url, request)
    if b"\n" in line or b"\r" in line:  # the line was split: what the server sees is another request
        assert answer or not request.strip()
    else:
        assert answer, request[:200]
    if answer:  # always a status line: the stdlib answered a line without a version as HTTP/0.9
        assert answer[:9] == b"HTTP/1.0 " and answer[9:12] in STATUSES, answer[:200]
    assert b"root:x:0:0" not in answer and b"[project]" not in answer  # /etc/passwd, sitegen's pyproject.toml
    assert process.poll() is None


def test_the_server_still_serves_after_the_fuzz(server):
    url, process = server
    assert raw_request(url, "/u1/2024/p1/").endswith("200 OK") and process.poll() is None
