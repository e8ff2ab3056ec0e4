"""Benchmark: how `sitegen serve` learns of a change, the old way against watchfiles.

    .venv/bin/python bench/serve_watch.py [--projects 10000] [--work /tmp/serve-watch]

Prints, for a generated content tree: the CPU time of one poll of the former fingerprint (walk
and stat the whole tree, every 0.5 s) and so the CPU a second it cost while idle; and for
watchfiles (inotify), the CPU a second while idle and the time from writing a file to the
change being reported.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import generate  # noqa: E402 (bench/bench.py, this script's folder)


def fingerprint(roots: list[Path]) -> tuple:
    """What serve polled every 0.5 s before watchfiles."""
    entries = []
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                path = os.path.join(folder, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                entries.append((path, stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/serve-watch"))
    args = parser.parse_args()
    content = args.work / "content"
    generate(content, args.projects, 20)
    files = sum(len(f) for _, _, f in os.walk(content))
    print(f"{args.projects} projects, {files} files")

    polls = 5
    started = cpu()
    for _ in range(polls):
        fingerprint([content])
    per_poll = (cpu() - started) / polls
    print(f"polling: {per_poll * 1000:.0f} ms CPU a poll, {per_poll / 0.5 * 100:.0f} % of a core while idle (every 0.5 s)")

    from watchfiles import watch

    stop = threading.Event()
    seen: list[float] = []

    def watcher():
        for _ in watch(content, stop_event=stop, debounce=1600, step=50, rust_timeout=1000, yield_on_timeout=False):
            seen.append(time.monotonic())

    thread = threading.Thread(target=watcher)
    thread.start()
    time.sleep(3)  # the watches are set
    started = cpu()
    time.sleep(5)
    idle = (cpu() - started) / 5
    print(f"watchfiles: {idle * 100:.2f} % of a core while idle")
    latencies = []
    for number in range(5):
        before = len(seen)
        target = content / "u0000" / "2025" / "p00000.yaml"
        written = time.monotonic()
        target.write_text(target.read_text(encoding="utf-8") + f"\n# {number}\n", encoding="utf-8")
        while len(seen) == before:
            time.sleep(0.005)
        latencies.append(seen[-1] - written)
        time.sleep(0.3)
    stop.set()
    thread.join()
    print(f"watchfiles: a change reported after {min(latencies) * 1000:.0f}-{max(latencies) * 1000:.0f} ms "
          f"(polling: 0-500 ms plus a poll's {per_poll * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
