"""What the build runs of a renderer: its site-wide part and its part for each shard's units."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sitegen.model import Content
from sitegen.render import Context
from sitegen.render.writer import Writer


@dataclass(frozen=True)
class Renderer:
    name: str  # shown in the progress display
    # The site-wide part: on the pruned records of every unit, with context.summary (shards.py).
    run: Callable[[Content, Writer, Context], object] | None
    # The part for each shard's units, on their full model, before they are let go.
    units: Callable[[Content, Writer, Context], object] | None = None
    # Runs in a thread beside the renderers after it; the build waits for it at the end.
    # For work done by another process (Pagefind), so that it overlaps Python's.
    background: bool = False
