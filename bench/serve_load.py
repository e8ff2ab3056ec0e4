"""Benchmark: many requests at once to `sitegen serve`, with its listen backlog and with the socket module's 5.

    .venv/bin/python bench/serve_load.py [--content content] [--requests 200] [--work /tmp/serve-load]

Starts `sitegen serve --no-pdf` on the content (the example site by default) in a process of its
own, once per backlog, sends all the requests at once from as many threads (each its own
connection, as a browser opening many files does) for the home page, and prints the requests
answered, the failures, and the median, 99th percentile and slowest time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# serve's own command line, the backlog set first (the class attribute the server reads when it binds).
SERVER = ("import sys; from sitegen.commands import serve, cli; serve.PreviewServer.request_queue_size = int(sys.argv[1]);"
          " sys.exit(cli.main(sys.argv[2:]))")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(content: Path, out: Path, backlog: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(backlog), "serve", str(content), "--out", str(out),
                                "--port", str(port), "--no-pdf"], stdout=subprocess.DEVNULL,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return process, url
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("serve did not start")


def timed(url: str) -> float | None:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
    except OSError:
        return None
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--work", type=Path, default=Path("/tmp/serve-load"))
    args = parser.parse_args()
    from sitegen.commands.serve import BACKLOG

    shutil.rmtree(args.work, ignore_errors=True)
    content = args.work / "content"
    shutil.copytree(args.content, content)
    for backlog in (BACKLOG, 5):
        process, url = start(content, args.work / "out", backlog)
        try:
            with ThreadPoolExecutor(max_workers=args.requests) as pool:
                times = list(pool.map(timed, [url] * args.requests))
        finally:
            process.terminate()
            process.wait(timeout=30)
        answered = sorted(t for t in times if t is not None)
        p99 = answered[int(len(answered) * 0.99) - 1] if answered else float("nan")
        print(f"backlog {backlog:3}: {len(answered)} of {args.requests} answered, {args.requests - len(answered)} failed; "
              f"median {statistics.median(answered):.2f} s, p99 {p99:.2f} s, slowest {answered[-1]:.2f} s")


if __name__ == "__main__":
    main()
