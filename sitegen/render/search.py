"""Search renderer: Pagefind's extended binary indexes the written pages.

Only project pages are indexed (they carry `data-pagefind-body`), with the
unit, year and budget as result metadata and year, region, unit, category
and 一级指标 as filters. The extended binary is the one that segments
Chinese into words (pip package `pagefind[extended]`). The index is written
into the fresh staging folder, so no stale index files can survive.
"""

from __future__ import annotations

import subprocess
import sys

from sitegen.model import Content
from sitegen.render import Context, RenderError
from sitegen.render.writer import Writer

BUNDLE = "pagefind"


def pagefind_command(site: str) -> list[str]:
    return [sys.executable, "-m", "pagefind", "--site", site, "--output-subdir", BUNDLE, "--silent"]


def render_search(content: Content, writer: Writer, context: Context) -> int:
    """Index the pages already in the output tree; returns the number of indexed files."""
    writer.claim_folder(BUNDLE)
    try:
        result = subprocess.run(pagefind_command(str(writer.root)), capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(f"无法运行 Pagefind 建立搜索索引：{exc}（请安装 pagefind[extended]）") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise RenderError("Pagefind 建立搜索索引失败：" + " / ".join(detail))
    if not (writer.root / BUNDLE / "pagefind.js").is_file():
        raise RenderError("Pagefind 没有写出搜索索引")
    return sum(1 for _ in (writer.root / BUNDLE).rglob("*"))
