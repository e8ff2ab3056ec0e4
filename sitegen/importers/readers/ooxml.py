"""What an .xlsx or .docx must pass before openpyxl or python-docx reads it.

Both are zip files of XML parts. Before any library parses them:

- the sizes the zip declares for its members, summed, must stay under MAX_UNPACKED (Python's
  zipfile holds every member to its declared size and CRC, so a member cannot unpack to more);
- no XML part may have a DTD (`<!DOCTYPE`, `<!ENTITY`): Excel and Word never write one, and
  a DTD is how entity expansion (a "billion laughs") and external entities get in. The
  libraries parse with entity resolution off (openpyxl with defusedxml, python-docx's lxml
  parser with resolve_entities=False); refusing the DTD up front makes it one clear line;
- a worksheet may have at most MAX_ROWS rows and MAX_CELLS cells, counted in its XML; the
  workbook at most MAX_STRINGS shared strings (`<si>`, in any part: openpyxl finds the table by
  its content type, not its name), which openpyxl holds as one list before any cell is read
  (15 million `<si><t>x</t></si>` are 255 MB unpacked, 600 KB packed).

One streaming pass over each part, a megabyte at a time; the parts are read again by the
library afterwards (a 50 MB workbook: about a second more).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from sitegen.importers.grid import BadInput

# What reading a damaged zip raises: zipfile's own errors, zlib's, a short file, a compression
# method it lacks (NotImplementedError) and a member flagged as encrypted (RuntimeError).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError, ValueError)

MAX_UNPACKED = 256 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_ROWS = 200_000
MAX_CELLS = 2_000_000
MAX_STRINGS = 2_000_000
MAX_AREA = 10_000_000  # rows × columns of one grid (every row is as wide as the widest): .xlsx and .xls
CHUNK = 1 << 20
XML_SUFFIXES = (".xml", ".rels", ".vml")


def utf16(text: bytes) -> list[bytes]:
    return [text.decode().encode("utf-16-le"), text.decode().encode("utf-16-be")]


DTD = re.compile(b"|".join(re.escape(form) for word in (b"<!DOCTYPE", b"<!ENTITY") for form in [word, *utf16(word)]))
ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")
MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*ref="\$?([A-Za-z]{1,3})\$?(\d{1,7}):\$?([A-Za-z]{1,3})\$?(\d{1,7})"')


@dataclass
class Facts:
    formulas: set[str] = field(default_factory=set)  # worksheet parts with a formula in them
    strings: int = 0  # shared strings counted so far, in all parts


def guard(path, shown: str) -> Facts:
    """BadInput, one line, for a file over a limit or with a DTD; else what the pass saw."""
    facts = Facts()
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
            check_sizes(members, shown)
            for member in members:
                if member.filename.lower().endswith(XML_SUFFIXES):
                    scan(z, member, shown, facts)
    except ZIP_ERRORS as exc:
        raise BadInput(f"{shown}: 文件已损坏（压缩包不完整或无法解压：{type(exc).__name__}），无法读取") from None
    return facts


def check_sizes(members: list[zipfile.ZipInfo], shown: str) -> None:
    if len(members) > MAX_MEMBERS:
        raise BadInput(f"{shown}: 压缩包中有 {len(members)} 个部件，超过上限 {MAX_MEMBERS}：不像是 Excel 或 Word 文件，不导入")
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED:
        raise BadInput(f"{shown}: 解压后有 {unpacked // (1024 * 1024)} MB，超过导入上限 {MAX_UNPACKED // (1024 * 1024)} MB："
                       "请删去多余的工作表、行或图片，或拆成几个文件再导入")


def scan(z: zipfile.ZipFile, member: zipfile.ZipInfo, shown: str, facts: Facts) -> None:
    """One part, streamed: a DTD refused; rows and cells of a worksheet counted."""
    name = member.filename
    sheet = PurePosixPath(name).parent.name == "worksheets"
    rows = cells = merged = 0
    tail = b""
    with z.open(member) as part:
        while True:
            chunk = part.read(CHUNK)
            data = tail + chunk
            # The body ends before the last `<`: a tag cut by the chunk is counted with the next. The
            # tail keeps one byte more (a UTF-16-BE `<!DOCTYPE` starts with a zero byte), which no
            # tag starts with; the body keeps it too, as the end of the tag before (`<si>` was
            # once cut to `<si` and not counted).
            cut = data.rfind(b"<") if chunk else len(data)
            cut = len(data) if cut < 1 or len(data) - cut > 4096 else cut
            body, tail = data[:cut], data[cut - 1:] if cut < len(data) else b""
            if DTD.search(body):
                raise BadInput(f"{shown}: 文件中的 {name} 含有 DTD（<!DOCTYPE 或 <!ENTITY）：Excel 和 Word 不会写入 DTD，"
                               "这可能是被改动过的文件，不导入（请用 Excel 或 Word 重新另存后再导入）")
            facts.strings += len(SHARED_STRING.findall(body))
            if facts.strings > MAX_STRINGS:
                raise BadInput(f"{shown}: 有 {MAX_STRINGS} 个以上的共享文本（{name}），超过导入上限 {MAX_STRINGS} 个："
                               "请删去多余的工作表或内容，或拆成几个文件")
            if sheet:
                rows += len(ROW.findall(body))
                cells += len(CELL.findall(body))
                merged += sum(merged_cells(m) for m in MERGE.finditer(body))
                if merged > MAX_CELLS:  # openpyxl makes a cell object for each cell of a merged range
                    raise BadInput(f"{shown}: 工作表 {name} 的合并单元格共有 {MAX_CELLS} 格以上，超过导入上限 {MAX_CELLS} 格："
                                   "请取消远处多余的合并，或拆成几个文件")
                if FORMULA.search(body):
                    facts.formulas.add(name)
                limit(shown, name, rows, cells)
            if not chunk:
                break


def merged_cells(match: re.Match) -> int:
    """The number of cells of a merged range's `ref` (A1:CV100000 is 10,000,000)."""
    left, top, right, bottom = column_number(match[1]), int(match[2]), column_number(match[3]), int(match[4])
    return (abs(bottom - top) + 1) * (abs(right - left) + 1)


def column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def limit(shown: str, name: str, rows: int, cells: int) -> None:
    if rows > MAX_ROWS:
        raise BadInput(f"{shown}: 工作表 {name} 有 {MAX_ROWS} 行以上，超过导入上限 {MAX_ROWS} 行：请删去多余的行或拆成几个文件")
    if cells > MAX_CELLS:
        raise BadInput(f"{shown}: 工作表 {name} 有 {MAX_CELLS} 个以上的单元格，超过导入上限 {MAX_CELLS} 个：请删去多余的内容或拆成几个文件")


# ---------------------------------------------------------------- formulas without a saved value


def sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → sheet name, from xl/workbook.xml and its relationships."""
    from lxml import etree

    parser = safe_parser()
    book = etree.fromstring(z.read("xl/workbook.xml"), parser)
    rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"), parser)
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    parts = {}
    for sheet in book.iter("{*}sheet"):
        rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        target = targets.get(rid, "")
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        parts[part] = sheet.get("name", "")
    return parts


def safe_parser():
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def unsaved_formulas(path, facts: Facts) -> dict[str, list[tuple[str, str]]]:
    """Sheet name → (cell, formula) of the formula cells that carry no saved value: Excel saves
    each formula's last result beside it, other programs may not, and openpyxl then gives None."""
    if not facts.formulas:
        return {}
    from lxml import etree

    found: dict[str, list[tuple[str, str]]] = {}
    with zipfile.ZipFile(path) as z:
        try:
            parts = sheet_parts(z)
        except (KeyError, etree.XMLSyntaxError):
            return {}
        for part in sorted(facts.formulas):
            with z.open(part) as stream:
                for _, cell in etree.iterparse(stream, tag="{*}c", resolve_entities=False, no_network=True, load_dtd=False):
                    formula = next((child for child in cell if child.tag.endswith("}f")), None)
                    value = next((child for child in cell if child.tag.endswith("}v") or child.tag.endswith("}is")), None)
                    if formula is not None and (value is None or not "".join(value.itertext())):
                        found.setdefault(parts.get(part, part), []).append((cell.get("r", ""), formula.text or ""))
                    cell.clear()
    return found
