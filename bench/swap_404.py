"""Benchmark: pages missing while `serve` (or any web server) serves builds being swapped in.

    .venv/bin/python bench/swap_404.py [--builds 20] [--threads 4] [--work /tmp/swap-404]

Builds a small generated site again and again while threads request its pages from a
server on the output folder, once with the swap in one step (renameat2 RENAME_EXCHANGE,
build/publish.py) and once with the two renames used where that call is missing; prints
the requests and the 404s of each.
"""

from __future__ import annotations

import argparse
import sys
import threading
import urllib.error
import urllib.request
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import generate  # noqa: E402 (bench/bench.py, this script's folder)
from sitegen.build import publish  # noqa: E402
from sitegen.build.site import PDF, build, without  # noqa: E402
from sitegen.commands.serve import SiteHandler  # noqa: E402


def run(work: Path, builds: int, threads: int, one_step: bool) -> tuple[int, int]:
    content, out = work / "content", work / "output"
    generate(content, 40, 20)
    build(content, out, renderers=without(PDF), cache_dir=work / "cache")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SiteHandler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/u0000/2025/p00000/"
    counts = {"requests": 0, "404": 0}
    stop = threading.Event()

    def request_in_a_loop():
        while not stop.is_set():
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    response.read()
            except urllib.error.HTTPError as error:
                counts["404"] += error.code == 404
            counts["requests"] += 1

    if not one_step:
        publish.exchange = lambda first, second: False  # as where renameat2 is missing
    workers = [threading.Thread(target=request_in_a_loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    edited = content / "u0001" / "2025" / "p00020.yaml"  # another shard's page changes, not the one asked for
    for number in range(builds):
        edited.write_text(edited.read_text(encoding="utf-8") + f"\n# {number}\n", encoding="utf-8")
        build(content, out, renderers=without(PDF), cache_dir=work / "cache")
    stop.set()
    for worker in workers:
        worker.join()
    server.shutdown()
    return counts["requests"], counts["404"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--builds", type=int, default=20)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--work", type=Path, default=Path("/tmp/swap-404"))
    args = parser.parse_args()
    exchange = publish.exchange
    for one_step in (True, False):
        publish.exchange = exchange
        requests, missing = run(args.work / ("exchange" if one_step else "renames"), args.builds, args.threads, one_step)
        name = "one step (RENAME_EXCHANGE)" if one_step else "two renames"
        print(f"{name}: {args.builds} swaps, {requests} requests, {missing} answered 404")


if __name__ == "__main__":
    main()
