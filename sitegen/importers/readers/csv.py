"""CSV and tab-separated text: one grid, no merges.

Encodings, in the order tried: a BOM (UTF-8, UTF-16 as Excel's "Unicode
text" writes it), then UTF-8, then GB18030 (a superset of GBK and GB2312,
what Excel on a Chinese Windows saves as "CSV"). Which one was used is
part of the grid's name, so the report can say it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sitegen.importers.grid import BadInput, Grid
from sitegen.importers.readers.ooxml import MAX_AREA, MAX_ROWS

DELIMITERS = ",\t;"
DELIMITER_NAMES = {",": "逗号", "\t": "制表符", ";": "分号"}


def decode(data: bytes, shown: str) -> tuple[str, str]:
    """The text and the encoding it was read with."""
    if data.startswith(b"\xef\xbb\xbf"):
        return strict(data[3:], "utf-8", 3, shown, "以 UTF-8 的 BOM 开头"), "UTF-8 (BOM)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return strict(data, "utf-16", 0, shown, "以 UTF-16 的 BOM 开头"), "UTF-16"
    for encoding, name in (("utf-8", "UTF-8"), ("gb18030", "GB18030/GBK")):
        try:
            return data.decode(encoding), name
        except UnicodeDecodeError:
            continue
    raise BadInput(f"{shown}: 无法识别文件编码（不是 UTF-8，也不是 GBK/GB18030），请另存为 UTF-8 CSV")


def strict(data: bytes, encoding: str, offset: int, shown: str, said: str) -> str:
    """The text in the encoding its BOM names; BadInput saying where it stops being that."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        at = offset + exc.start + 1  # counted from 1, as a person counts
        line = data[:exc.start].count(b"\n" if encoding == "utf-8" else "\n".encode("utf-16-le")) + 1
        raise BadInput(f"{shown}: 文件{said}，但第 {line} 行（第 {at} 字节起）不是有效的 {encoding.upper()} 编码："
                       "请用原来的程序另存为 UTF-8 CSV") from None


def read(path: Path, shown: str) -> list[Grid]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"{shown}: 无法读取文件：{exc.strerror}") from None
    text, encoding = decode(data, shown)
    if "\x00" in text:
        raise BadInput(f"{shown}: 不是文本文件（含有二进制数据）")
    delimiter = sniff(text)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if len(rows) > MAX_ROWS:
        raise BadInput(f"{shown}: 有 {len(rows)} 行，超过导入上限 {MAX_ROWS} 行：请删去多余的行或拆成几个文件")
    # The grid makes every row as wide as the widest: one line of 200,000 commas over 100,000
    # short lines (a 400 KB file) asked for twenty billion cells.
    widest = max(range(len(rows)), key=lambda n: len(rows[n]), default=0)
    if rows and len(rows) * len(rows[widest]) > MAX_AREA:
        raise BadInput(f"{shown}: 第 {widest + 1} 行有 {len(rows[widest])} 列，全表 {len(rows)} 行 × {len(rows[widest])} 列，"
                       f"超过导入上限（{MAX_AREA} 格）：请删去多余的分隔符或拆成几个文件")
    return [Grid(shown, "", rows, notes=[f"编码 {encoding}，分隔符 {DELIMITER_NAMES[delimiter]}"])]


def sniff(text: str) -> str:
    """The delimiter that splits the first lines most consistently (a comma when unsure)."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in DELIMITERS}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
