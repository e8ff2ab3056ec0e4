"""Hostile and odd files, made here: DTDs and entities in .xlsx and .docx, zip bombs, a cell at
XFD1048576, too many rows, an .xlsx under another name, formulas without a saved value,
`_x000B_` escapes, a BOM before invalid UTF-8. Each ends in one line and exit 2, or in the
right text; never a traceback, never a file read that the table names."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sitegen.importers.readers import read_file, read_file_warned
from tests.conftest import run
from tests.test_import_cli import ARGS, FLAT
from tests.test_import_faults import ENV, SITEGEN

FIXTURES = Path(__file__).parent / "import_fixtures"
WORD = next(FIXTURES.glob("*/table.docx"))


def rewrite(source: Path, target: Path, change) -> Path:
    """A copy of a zip with `change(name, bytes) -> bytes` applied to each member."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, change(info.filename, old.read(info.filename)))
    return target


def with_dtd(dtd: bytes, member: str, body=lambda data: data):
    def change(name: str, data: bytes) -> bytes:
        if name != member:
            return data
        declaration, rest = data.split(b"?>", 1) if data.startswith(b"<?xml") else (b"", data)
        head = declaration + b"?>" if declaration else b""
        return head + dtd + body(rest)
    return change


def first_sheet(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return next(n for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml"))


LAUGHS = b'<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
    b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10) for n in range(1, 10)) + b"]>"


@pytest.mark.parametrize("kind", ["harmless", "laughs", "external"])
@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_a_dtd_is_refused_in_one_line(tmp_path, kind, fmt):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42", encoding="utf-8")
    dtds = {"harmless": b'<!DOCTYPE x [<!ENTITY a "b">]>', "laughs": LAUGHS,
            "external": b'<!DOCTYPE x [<!ENTITY e SYSTEM "file://%s">]>' % str(secret).encode()}
    source = FLAT if fmt == "xlsx" else WORD
    member = first_sheet(source) if fmt == "xlsx" else "word/document.xml"
    hostile = rewrite(source, tmp_path / f"t.{fmt}", with_dtd(dtds[kind], member))
    into = tmp_path / "content"
    code, out, err = run("import", str(hostile), "--into", str(into), *ARGS, "--agency", "a1")
    assert code == 2 and "Traceback" not in err, err
    assert f"文件中的 {member} 含有 DTD" in err.splitlines()[0] and len(err.strip().splitlines()) == 1
    assert "TOP-SECRET" not in out + err and not into.exists()


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_an_undefined_entity_without_a_dtd_is_one_line(tmp_path, fmt):
    source = FLAT if fmt == "xlsx" else WORD
    member = first_sheet(source) if fmt == "xlsx" else "word/document.xml"
    marker = b"</sheetData>" if fmt == "xlsx" else b"<w:t>"
    text = b'<row r="999"><c r="A999" t="inlineStr"><is><t>&foo;</t></is></c></row></sheetData>' if fmt == "xlsx" else b"<w:t>&foo;"
    hostile = rewrite(source, tmp_path / f"t.{fmt}", lambda name, data: data.replace(marker, text, 1) if name == member else data)
    code, _, err = run("import", str(hostile), "--into", str(tmp_path / "content"), *ARGS, "--agency", "a1")
    assert code == 2 and "已损坏" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_external_entities_stay_unresolved_in_the_libraries_too(tmp_path):
    """Behind the DTD check: the parsers themselves never read a file an entity names."""
    import docx
    from openpyxl.xml.functions import fromstring

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42", encoding="utf-8")
    xml = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://%s">]><x>&e;</x>' % str(secret).encode()
    try:
        text = "".join(fromstring(xml).itertext())
    except Exception as exc:  # defusedxml refuses the entity: also fine
        text = type(exc).__name__
    assert "TOP-SECRET" not in text
    from docx.oxml.parser import parse_xml

    assert "TOP-SECRET" not in "".join(parse_xml(xml).itertext())
    assert docx  # python-docx's own parser, the one docx.Document uses


def test_a_comment_in_word_xml_is_no_crash(tmp_path):
    hostile = rewrite(WORD, tmp_path / "t.docx",
                      lambda name, data: data.replace(b"<w:t>", b"<w:t><!-- x -->", 3) if name == "word/document.xml" else data)
    kind, grids = read_file(hostile, "t.docx")
    assert kind == "docx" and grids == read_file(WORD, "t.docx")[1]


def flagged_encrypted(source: Path, target: Path, member: str) -> Path:
    """A copy of a zip in which one member carries the "encrypted" flag (bit 0 of its general-purpose
    flags, in its local header and its central-directory entry), as a damaged file may."""
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as z:
        info = z.getinfo(member)
    data[info.header_offset + 6] |= 1
    name = member.encode()
    entry = data.index(b"PK\x01\x02")  # the central directory: one entry a member, its name at +46
    while data[entry + 46:entry + 46 + len(name)] != name:
        entry = data.index(b"PK\x01\x02", entry + 46)
    data[entry + 8] |= 1
    target.write_bytes(bytes(data))
    return target


def test_a_word_file_with_a_member_flagged_encrypted_is_one_line(tmp_path):
    """zipfile raises RuntimeError for an encrypted member: python-docx reads the thumbnail
    (docProps/thumbnail.jpeg) too, which the XML scan skips; it was exit 70 (found by the fuzz)."""
    hostile = flagged_encrypted(WORD, tmp_path / "t.docx", "docProps/thumbnail.jpeg")
    with zipfile.ZipFile(hostile) as z, pytest.raises(RuntimeError):
        z.read("docProps/thumbnail.jpeg")  # the file is what the test means
    code, _, err = run("import", str(hostile), *ARGS, "--into", str(tmp_path / "content"))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "t.docx" in err and "RuntimeError" in err, err
    assert not (tmp_path / "content").exists()


@pytest.mark.parametrize("name", ["table.xls", "table.csv", "table.pdf", "table"])
def test_an_xlsx_under_another_name_is_read_by_content(tmp_path, name):
    shutil.copy(FLAT, tmp_path / name)
    kind, grids = read_file(tmp_path / name, name)
    assert kind == "xlsx" and [g.rows for g in grids] == [g.rows for g in read_file(FLAT, name)[1]]
    code, _, err = run("import", str(tmp_path / name), "--into", str(tmp_path / "content"), *ARGS)
    assert code == 0, err


@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
def test_text_named_pdf_or_docx_is_named_as_such(tmp_path, suffix):
    """Not "unsupported file type (.pdf can be imported)", which contradicts itself."""
    path = tmp_path / f"t{suffix}"
    path.write_text("项目名称,一级指标\n甲,产出指标\n", encoding="utf-8")
    code, _, err = run("import", str(path), "--into", str(tmp_path / "content"), *ARGS, "--agency", "a1")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert f"t{suffix}: 文件名是 {suffix}，但内容不是 PDF、Excel 或 Word 文件（可能是文本或已损坏）：如果是 CSV 表格，请改名为 .csv 后再导入" in err


def test_a_docx_named_pdf_is_read_by_content(tmp_path):
    shutil.copy(WORD, tmp_path / "table.pdf")
    kind, grids = read_file(tmp_path / "table.pdf", "table.pdf")
    assert kind == "docx" and [g.rows for g in grids] == [g.rows for g in read_file(WORD, "table.pdf")[1]]


# ---------------------------------------------------------------- limits


def raw_xlsx(path: Path, sheet_data: bytes, dimension: str = "A1", strings: int = 0, after: bytes = b"") -> Path:
    """A minimal workbook written by hand: one sheet with `sheet_data` inside <sheetData> (and
    `after` after it: merges); with `strings`, a shared-string table of that many (registered as
    Excel does, so openpyxl reads it)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>",
        "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        '<sheet name="表1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    }
    if strings:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace("</Types>", (
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace("</Relationships>", (
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
        if strings:
            with z.open("xl/sharedStrings.xml", "w") as part:
                part.write(f'<?xml version="1.0"?><sst xmlns="{main}">'.encode())
                for start in range(0, strings, 100_000):
                    part.write(b"<si><t>x</t></si>" * min(100_000, strings - start))
                part.write(b"</sst>")
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<?xml version="1.0"?><worksheet xmlns="{main}"><dimension ref="{dimension}"/><sheetData>'.encode())
            sheet.write(sheet_data)
            sheet.write(b"</sheetData>" + after + b"</worksheet>")
    return path


def test_one_cell_at_xfd1048576_is_refused_at_once(tmp_path):
    path = raw_xlsx(tmp_path / "far.xlsx", b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
                    b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>', "A1:XFD1048576")
    assert path.stat().st_size < 12_000
    started = time.monotonic()
    code, _, err = run("import", str(path), "--into", str(tmp_path / "content"), *ARGS, "--agency", "a1")
    assert code == 2 and "far.xlsx 表1!XFD1048576: 表的范围到 XFD1048576（1048576 行 × 16384 列），超过导入上限" in err
    assert time.monotonic() - started < 10


def test_more_rows_than_the_limit_are_refused_before_reading(tmp_path):
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(1, 200_002))
    path = raw_xlsx(tmp_path / "long.xlsx", rows)
    started = time.monotonic()
    code, _, err = run("import", str(path), "--into", str(tmp_path / "content"), *ARGS, "--agency", "a1")
    assert code == 2 and "工作表 xl/worksheets/sheet1.xml 有 200000 行以上，超过导入上限 200000 行" in err
    assert time.monotonic() - started < 20  # openpyxl would take minutes on it


def test_a_csv_of_too_many_rows_is_refused(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("项目名称,一级指标\n" + "a,b\n" * 200_001, encoding="utf-8")
    code, _, err = run("import", str(path), "--into", str(tmp_path / "content"), *ARGS, "--agency", "a1")
    assert code == 2 and "long.csv: 有 200002 行，超过导入上限 200000 行" in err


def test_a_cell_of_a_shared_string_that_is_not_there_is_one_line(tmp_path):
    path = raw_xlsx(tmp_path / "sst.xlsx", b'<row r="1"><c r="A1" t="s"><v>5</v></c></row>')
    code, _, err = run("import", str(path), "--into", str(tmp_path / "content"), *ARGS, "--agency", "a1")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "内部错误" not in err, err
    assert "sst.xlsx: 无法读取 Excel 文件（文件已损坏或不是 .xlsx：IndexError）" in err


def test_too_many_shared_strings_are_refused_before_reading(tmp_path):
    """openpyxl holds every shared string in one list before it reads a cell: 15 million tiny ones
    (600 KB packed) ran for minutes, past 800 MB, within every other limit."""
    cell = b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    _, [grid] = read_file(raw_xlsx(tmp_path / "few.xlsx", cell, strings=3), "few.xlsx")
    assert grid.rows == [["x"]]  # the table is read as Excel's own
    path = raw_xlsx(tmp_path / "strings.xlsx", cell, strings=2_000_001)
    started = time.monotonic()
    code, _, err = run("import", str(path), "--into", str(tmp_path / "content"), *ARGS, "--agency", "a1")
    assert code == 2 and "strings.xlsx: 有 2000000 个以上的共享文本（xl/sharedStrings.xml），超过导入上限 2000000 个" in err, err
    assert time.monotonic() - started < 20


def test_a_zip_that_claims_a_newer_version_is_one_line(tmp_path):
    """The central directory's "version needed to extract" of a member set to 6.4: Python's zipfile
    raises NotImplementedError on opening the file (found by the fuzz: exit 70)."""
    data = bytearray(FLAT.read_bytes())
    at = data.index(b"PK\x01\x02") + 6  # the first central directory entry's version needed
    data[at:at + 2] = (64).to_bytes(2, "little")
    path = tmp_path / "v64.xlsx"
    path.write_bytes(bytes(data))
    code, _, err = run("import", str(path), "--into", str(tmp_path / "content"), *ARGS)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "v64.xlsx: 文件已损坏（压缩包不完整），无法读取" in err, err


def test_what_pdfminer_works_around_in_a_damaged_pdf_stays_off_stderr(tmp_path):
    """One zero byte in a content stream (found by the fuzz): pdfminer logged "Data-loss while
    decompressing corrupted data" and more to stderr, lines around the import's one line."""
    data = bytearray((FIXTURES / "bozhou-2023-qxj-declaration" / "table.pdf").read_bytes())
    data[754] = 0
    (tmp_path / "t.pdf").write_bytes(bytes(data))
    done = subprocess.run([*SITEGEN, "import", str(tmp_path / "t.pdf"), "--into", str(tmp_path / "content"), *ARGS, "--agency", "a1"],
                          capture_output=True, text=True, env=ENV, timeout=120)  # its own process: pytest captures logging
    assert done.returncode in (0, 1, 2) and len(done.stderr.strip().splitlines()) <= 1, done.stderr
    assert "Data-loss" not in done.stderr


def test_the_libraries_warnings_stay_off_stderr(tmp_path):
    """A processing instruction inside a relationship (found by the fuzz): openpyxl's UserWarning
    "… contains invalid dependency definitions" was printed with its source line before the
    import's one line."""
    def change(name: str, data: bytes) -> bytes:
        return data.replace(b"<Relationship ", b"<?pi x?><Relationship ", 1) if name == "xl/_rels/workbook.xml.rels" else data

    path = rewrite(FLAT, tmp_path / "t.xlsx", change)
    done = subprocess.run([*SITEGEN, "import", str(path), "--into", str(tmp_path / "content"), *ARGS],
                          capture_output=True, text=True, env=ENV, timeout=120)  # its own process: pytest captures warnings
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Warning" not in done.stderr and "t.xlsx: 无法读取 Excel 文件" in done.stderr


def test_an_xls_merged_range_of_every_row_and_column_is_refused_by_its_area(tmp_path):
    """A damaged MERGEDCELLS record (rows 0–65535 × columns 0–65535): xlrd padded every row to the
    widest, 4 billion cells (22 GB when it was found by the fuzz)."""
    import struct

    from tests.test_fuzz_import import limited_memory

    data = bytearray((FIXTURES / "bozhou-2023-qxj-declaration" / "table.xls").read_bytes())
    at = next(n for n in range(len(data)) if data[n:n + 2] == b"\xe5\x00"
              and struct.unpack_from("<H", data, n + 2)[0] == 2 + 8 * struct.unpack_from("<H", data, n + 4)[0] > 2)
    struct.pack_into("<HHHH", data, at + 6, 0, 0xFFFF, 0, 0xFFFF)  # the record's first range
    (tmp_path / "m.xls").write_bytes(bytes(data))
    done = subprocess.run([*SITEGEN, "import", str(tmp_path / "m.xls"), "--into", str(tmp_path / "content"), *ARGS, "--agency", "a1"],
                          capture_output=True, text=True, env=ENV, timeout=120, preexec_fn=limited_memory)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "m.xls 表1!CRXP65536: 表的范围到 CRXP65536（65536 行 × 65536 列），超过导入上限（10000000 格）" in done.stderr


def test_a_merged_range_of_millions_of_cells_is_refused_before_reading(tmp_path):
    """A1:CV100000 is within the area limit, but openpyxl makes a cell object for each of its ten
    million cells: 97 s and past 4 GB. The pre-read pass counts merged cells as cells."""
    cell = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    path = raw_xlsx(tmp_path / "merge.xlsx", cell, after=b'<mergeCells count="1"><mergeCell ref="A1:CV100000"/></mergeCells>')
    started = time.monotonic()
    code, _, err = run("import", str(path), "--into", str(tmp_path / "content"), *ARGS, "--agency", "a1")
    assert code == 2 and "merge.xlsx: 工作表 xl/worksheets/sheet1.xml 的合并单元格共有 2000000 格以上，超过导入上限 2000000 格" in err, err
    assert time.monotonic() - started < 10


def test_a_word_cell_spanning_two_billion_columns_is_refused_before_it_is_made(tmp_path):
    """A damaged w:gridSpan: the reader padded the row with that many empty cells (16 GB)."""
    import re

    from tests.test_fuzz_import import limited_memory

    def change(name: str, data: bytes) -> bytes:
        return re.sub(rb'<w:gridSpan w:val="\d+"/>', b'<w:gridSpan w:val="2000000000"/>', data, count=1) if name == "word/document.xml" else data

    path = rewrite(WORD, tmp_path / "span.docx", change)
    assert b"2000000000" in zipfile.ZipFile(path).read("word/document.xml")
    done = subprocess.run([*SITEGEN, "import", str(path), "--into", str(tmp_path / "content"), *ARGS, "--agency", "a1"],
                          capture_output=True, text=True, env=ENV, timeout=120, preexec_fn=limited_memory)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "span.docx 表1 第" in done.stderr and "单元格横跨 2000000000 列，一行超过 16384 列" in done.stderr


def test_a_csv_line_of_200000_fields_over_short_lines_is_refused_by_its_area(tmp_path):
    """400 KB: every row was padded to the widest, twenty billion cells (a MemoryError, exit 70)."""
    from tests.test_fuzz_import import limited_memory

    path = tmp_path / "wide.csv"
    path.write_text("项目名称,一级指标\n" + "," * 200_000 + "\n" + "a\n" * 100_000, encoding="utf-8")
    done = subprocess.run([*SITEGEN, "import", str(path), "--into", str(tmp_path / "content"), *ARGS, "--agency", "a1"],
                          capture_output=True, text=True, env=ENV, timeout=120, preexec_fn=limited_memory)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "wide.csv: 第 2 行有 200001 列，全表 100002 行 × 200001 列，超过导入上限（10000000 格）" in done.stderr


def test_a_zip_bomb_is_refused_by_its_declared_size(tmp_path):
    path = raw_xlsx(tmp_path / "bomb.xlsx", b"")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z, z.open("xl/media/zeros.bin", "w", force_zip64=True) as member:
        zeros = bytes(1 << 20)
        for _ in range(257):
            member.write(zeros)
    assert path.stat().st_size < 2_000_000
    code, _, err = run("import", str(path), "--into", str(tmp_path / "content"), *ARGS, "--agency", "a1")
    assert code == 2 and "bomb.xlsx: 解压后有 257 MB，超过导入上限 256 MB" in err


# ---------------------------------------------------------------- cell texts


def test_a_formula_without_a_saved_value_is_a_warning_naming_the_cell(tmp_path):
    book = openpyxl.load_workbook(FLAT)
    sheet = book.worksheets[0]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == 65)
    cell.value = "=60+5"  # openpyxl saves the formula without its result, as some programs do
    book.save(tmp_path / "f.xlsx")
    kind, _, warnings = read_file_warned(tmp_path / "f.xlsx", "f.xlsx")
    assert warnings == [f"f.xlsx {sheet.title}!{cell.coordinate}: 公式格（=60+5）没有保存计算结果，按空格导入：请在 Excel 中打开并保存后再导入，"
                        "或在导入的文件中填写这个值"]
    code, out, _ = run("import", str(tmp_path / "f.xlsx"), "--into", str(tmp_path / "content"), *ARGS)
    assert f"警告：f.xlsx {sheet.title}!{cell.coordinate}: 公式格（=60+5）没有保存计算结果" in out.replace(str(tmp_path) + "/", "")


def test_escaped_characters_in_cells_are_decoded(tmp_path):
    path = raw_xlsx(tmp_path / "x.xlsx", '<row r="1"><c r="A1" t="inlineStr"><is><t>a_x000B_b_x005F_x000B_c_x2028_d</t></is></c></row>'.encode())
    _, [grid] = read_file(path, "x.xlsx")
    assert grid.rows == [["a\x0bb_x000B_c\u2028d"]]


def test_a_lone_surrogate_escape_is_refused_naming_the_cell(tmp_path):
    """_xD800_ decodes to half a surrogate pair: no YAML carries it (libyaml refuses the escape), so
    the import once wrote files that did not load. A whole pair is the one character it encodes."""
    cells = b'<row r="1"><c r="A1" t="inlineStr"><is><t>a_xD83D__xDE00_b</t></is></c></row>'
    _, [grid] = read_file(raw_xlsx(tmp_path / "pair.xlsx", cells), "pair.xlsx")
    assert grid.rows == [["a\U0001F600b"]]
    book = openpyxl.load_workbook(FLAT)
    sheet = book.worksheets[0]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "培训次数")
    cell.value = "培训_xD800_次数"
    book.save(tmp_path / "lone.xlsx")
    into = tmp_path / "content"
    code, out, err = run("import", str(tmp_path / "lone.xlsx"), "--into", str(into), *ARGS)
    assert code == 2 and "Traceback" not in err and not into.exists(), err
    assert err.splitlines()[0] == (f"sitegen import: {tmp_path / 'lone.xlsx'} {sheet.title}!{cell.coordinate}: 转义 _xD800_ 是半个 UTF-16 代理对，"
                                   "不是字符，无法写入 YAML：请在 Excel 中改正这个单元格后再导入（未写入任何文件）")


def test_a_bom_before_invalid_utf8_is_named_as_such(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "项目名称,一级指标\n".encode() + b"\xff\xfe bad\n")
    code, _, err = run("import", str(path), "--into", str(tmp_path / "content"), *ARGS, "--agency", "a1")
    assert code == 2 and "UTF-16" not in err
    assert "t.csv: 文件以 UTF-8 的 BOM 开头，但第 2 行（第 30 字节起）不是有效的 UTF-8 编码" in err


# ---------------------------------------------------------------- progress


def test_a_large_file_shows_progress_on_a_terminal_only(tmp_path):
    large = tmp_path / "large.xlsx"
    shutil.copy(FLAT, large)
    with zipfile.ZipFile(large, "a", zipfile.ZIP_STORED) as z:
        z.writestr("xl/media/noise.bin", os.urandom(3 * 1024 * 1024))
    args = [*SITEGEN, "import", str(large), "--into", str(tmp_path / "content"), "--dry-run", *ARGS]
    piped = subprocess.run(args, capture_output=True, text=True, env=ENV, timeout=120)
    assert piped.returncode == 0 and "读取 " + str(large) not in piped.stderr
    pid, fd = pty.fork()
    if pid == 0:  # the child: sitegen on a terminal
        os.execve(sys.executable, args, ENV)
    shown = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    assert os.waitpid(pid, 0)[1] == 0
    # rich's status line, then its ✓ line (wrapped at the terminal's width: the path is long);
    # every step after the reading shows too (a 200,000-row table spends most of its time there)
    text = shown.decode().replace("\r\n", "")
    assert "读取 " in text and f"{large}（" in text and "✓" in text
    for later in ("中的表格", "生成 YAML 文件", "检查导入后的内容（12 个文件）"):
        assert later in text and later not in piped.stderr, later
