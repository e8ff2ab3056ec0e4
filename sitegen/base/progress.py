"""A progress display on a terminal; silent when output is piped or in CI."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Iterator


class Progress:
    def __init__(self, enabled: bool | None = None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.console = None
        if self.enabled:
            from rich.console import Console

            self.console = Console(stderr=True)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        if not self.console:
            yield
            return
        start = time.perf_counter()
        with self.console.status(f"{name}…"):
            yield
        self.console.print(f"[green]✓[/green] {name}（{time.perf_counter() - start:.2f} 秒）")
