"""Readers: one per file type, each turning a file into grids (see ../grid.py).

The type is told by the file's first bytes, not its name: agencies rename
an .xlsx to .xls, and some systems save HTML or CSV under .xls. Each
reader's library is imported only when a file of its type comes.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

from sitegen.importers.grid import BadInput, Grid

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
MAX_FILE_BYTES = 50 * 1024 * 1024


def file_type(path: Path, shown: str) -> str:
    """xlsx, xls, docx, pdf or csv, from the content; BadInput for anything else."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(2048)
    except OSError as exc:
        raise BadInput(f"{shown}: 无法读取文件：{exc.strerror}") from None
    if size == 0:
        raise BadInput(f"{shown}: 文件是空的")
    if size > MAX_FILE_BYTES:
        raise BadInput(f"{shown}: 文件过大（{size} 字节，上限 {MAX_FILE_BYTES}）")
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(ZIP):
        return zip_type(path, shown)
    if head.startswith(OLE):
        return ole_type(path, shown)
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html", b"<table")):
        raise BadInput(f"{shown}: 这是网页（HTML）文件，不是 Excel 文件：请用 Excel 打开后另存为 .xlsx 再导入")
    if path.suffix.lower() in TEXT_SUFFIXES or path.suffix.lower() in (".xls", ".xlsx"):
        return "csv"
    suffix = path.suffix.lower()
    if suffix in (".pdf", ".docx"):  # the name promises a type the content is not: say so, not "unsupported"
        raise BadInput(f"{shown}: 文件名是 {suffix}，但内容不是 PDF、Excel 或 Word 文件（可能是文本或已损坏）："
                       "如果是 CSV 表格，请改名为 .csv 后再导入")
    raise BadInput(f"{shown}: 不支持的文件类型（可导入 .xlsx、.xls、.docx、.pdf、.csv）")


def zip_type(path: Path, shown: str) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    # NotImplementedError: a damaged header that claims a newer zip version ("zip file version 6.4").
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, ValueError):
        raise BadInput(f"{shown}: 文件已损坏（压缩包不完整），无法读取") from None
    if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    if "content.xml" in names:
        raise BadInput(f"{shown}: 这是 OpenDocument 文件（.ods/.odt）：请另存为 .xlsx 或 .docx 再导入")
    raise BadInput(f"{shown}: 不支持的文件类型（压缩包中不是 Excel 或 Word 文档）")


def ole_type(path: Path, shown: str) -> str:
    """An OLE compound file: an .xls, an old .doc, or an encrypted .xlsx/.docx."""
    data = path.read_bytes()
    if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
        raise BadInput(f"{shown}: 文件有密码保护，请去掉密码后再导入")
    if "WordDocument".encode("utf-16-le") in data:
        raise BadInput(f"{shown}: 这是旧版 Word 文件（.doc）：请在 Word 中另存为 .docx 再导入")
    return "xls"


def read_file(path: Path, shown: str) -> tuple[str, list[Grid]]:
    """The file's type and its grids."""
    kind, grids, _ = read_file_warned(path, shown)
    return kind, grids


def read_file_warned(path: Path, shown: str) -> tuple[str, list[Grid], list[str]]:
    """The file's type, its grids, and what the reader warns about (formula cells of an .xlsx
    without a saved value)."""
    # The libraries' own warnings ("Data Validation extension is not supported", "… contains invalid
    # dependency definitions") went to stderr as Python warnings with their source lines, around
    # the import's one line; what the import makes of a file is in its report.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_by_type(path, shown)


def read_by_type(path: Path, shown: str) -> tuple[str, list[Grid], list[str]]:
    kind = file_type(path, shown)
    if kind == "xlsx":
        from sitegen.importers.readers import xlsx

        return (kind, *xlsx.read_warned(path, shown))
    if kind == "xls":
        from sitegen.importers.readers import xls as reader
    elif kind == "docx":
        from sitegen.importers.readers import docx as reader
    elif kind == "pdf":
        from sitegen.importers.readers import pdf as reader
    else:
        from sitegen.importers.readers import csv as reader
    return kind, reader.read(path, shown), []
