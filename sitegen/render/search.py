"""Search renderer: Pagefind's extended binary indexes the written pages.

Project pages are indexed (they carry `data-pagefind-body`), and unit-year
pages that open with a department-wide table (overall.yaml: its duties,
goals, tasks and indicators; the project list on them is ignored, the
projects have their own pages), with the unit, year and budget (资金总额)
as result metadata and year, region, unit, category (部门整体支出 for the
department-wide tables) and 一级指标 as filters. The extended binary is the one that segments
Chinese into words (pip package `pagefind[extended]`). The index is written
into the fresh staging folder, so no stale index files can survive.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import cbor2

from sitegen.model import Content
from sitegen.render import Context, RenderError
from sitegen.render.writer import Writer, located

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
    check_complete(writer.root / BUNDLE)
    try:
        make_deterministic(writer.root / BUNDLE)
    except (ValueError, EOFError, KeyError, IndexError, TypeError, gzip.BadGzipFile) as exc:  # cut short: a full disk
        raise RenderError(f"Pagefind 在 {writer.root / BUNDLE} 写出的搜索索引不完整，无法读取"
                          f"（{type(exc).__name__}；磁盘是否已满？）") from exc
    return sum(1 for _ in (writer.root / BUNDLE).rglob("*"))


def check_complete(bundle: Path) -> None:
    """Pagefind exits 0 even when its writes fail (a full disk), so a file it left empty or cut
    short would be published as a broken search: every file must have bytes, every packed one
    (gzip: .pf_* and the .pagefind WebAssembly) must unpack whole."""
    for path in sorted(bundle.rglob("*")):
        if not path.is_file():
            continue
        packed = path.suffix.startswith(".pf_") or path.suffix == ".pagefind"
        if path.stat().st_size == 0 or (packed and not unpacks(path)):
            raise RenderError(f"Pagefind 写出的搜索索引文件不完整：{path}（磁盘是否已满？）")


def unpacks(path: Path) -> bool:
    try:
        gzip.decompress(path.read_bytes())
    except (OSError, EOFError):
        return False
    return True


# ---------------------------------------------------------------- determinism
#
# Pagefind keeps filter values in hash maps seeded at random, so two runs over
# the same pages write the filter files (and so their names, the meta file
# that lists them and the entry file) in different orders. Everything else
# is already stable. The files are gzip'd CBOR after a "pagefind_dcd" tag;
# we sort what was unordered and name the files by their new content.

SIGNATURE = b"pagefind_dcd"


def read_packed(path: Path):
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise RenderError(f"Pagefind 索引文件格式未知：{path.name}")
    return cbor2.loads(raw[len(SIGNATURE):])


def write_packed(folder: Path, prefix: str, suffix: str, value, digits: int) -> str:
    """Write `value` packed as Pagefind does, named by its content; returns the new hash name."""
    data = SIGNATURE + cbor2.dumps(value)
    name = f"{prefix}_{hashlib.sha256(data).hexdigest()[:digits]}"
    with located(folder / f"{name}{suffix}"):
        (folder / f"{name}{suffix}").write_bytes(gzip.compress(data, mtime=0))
    return name


def make_deterministic(bundle: Path) -> None:
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        renamed = {}
        for path in sorted((bundle / "filter").glob(f"{language}_*.pf_filter")):
            name, values = read_packed(path)
            ordered = [name, sorted([value, sorted(pages)] for value, pages in values)]
            path.unlink()
            renamed[path.name.removesuffix(".pf_filter")] = write_packed(bundle / "filter", language, ".pf_filter", ordered, 7)
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = read_packed(meta_path)
        meta[3] = sorted([filter_name, renamed.get(old, old)] for filter_name, old in meta[3])
        meta_path.unlink()
        info["hash"] = write_packed(bundle, f"pagefind.{language}", ".pf_meta", meta, 13).removeprefix("pagefind.")
    with located(entry_path):
        entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
