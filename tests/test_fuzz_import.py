"""`sitegen import` fuzzed: random cell texts (every control character, U+2028, U+0085, quotes,
YAML syntax), damaged workbooks, DTDs and entities, random bytes under any name, and trees with
links. Whatever comes: no traceback, exit 0, 1 or 2 only; an import that fails writes nothing;
one that succeeds writes a tree that `sitegen check` reads and whose texts are the cells'.
Bounded here (SITEGEN_FUZZ_EXAMPLES, 15 by default); `scripts/fuzz` runs it long."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sitegen.checks.pipeline import load_content
from sitegen.importers.writer import RAW_UNSAFE
from tests.conftest import run
from tests.test_import_cli import ARGS, FLAT, tree
from tests.test_import_faults import ENV, SITEGEN

EXAMPLES = int(os.environ.get("SITEGEN_FUZZ_EXAMPLES", "15"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
HEADER = ["项目名称", "预算数", "年度绩效目标", "一级指标", "二级指标", "三级指标", "指标值", "计量单位"]
HOSTILE = [chr(c) for c in range(0x20) if c not in (0x0A, 0x0D)] + ["\x7f", "\x85", "\u2028", "\u2029", "\ufeff",
                                                                    "\ufffe", "\\", '"', "'", "#", ": ", "- ", "{", "[", "&a", "*a", "!!python/object", "%", "@", "`", "|", ">"]
cell_text = st.lists(st.one_of(st.sampled_from(HOSTILE), st.characters(blacklist_categories=("Cs",)),
                               st.sampled_from(list("中文指标目标，：；“”"))), min_size=1, max_size=8).map("".join)


def import_into(*args: str) -> tuple[int, str, str, Path]:
    into = Path(tempfile.mkdtemp(prefix="fuzz-import-")) / "content"
    code, out, err = run("import", *args, "--into", str(into), *ARGS, "--agency", "a1")
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err and "内部错误" not in err, err
    if code:
        assert tree(into) == {}, "a failed import wrote files"
    if code == 2:  # refused: one line, naming what
        assert len(err.strip().splitlines()) == 1 and err.startswith("sitegen import: "), err
    return code, out, err, into


@FUZZ
@given(st.lists(cell_text, min_size=3, max_size=3))
def test_any_cell_text_is_written_as_yaml_that_reads_back(tmp_path_factory, texts):
    name, goal, indicator = texts
    folder = tmp_path_factory.mktemp("csv")
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, ["项目" + name, "10.00", "目标" + goal, "产出指标", "数量指标", "指标" + indicator, "5", "个"]])
    (folder / "t.csv").write_text(buffer.getvalue(), encoding="utf-8")
    code, out, err, into = import_into(str(folder / "t.csv"))
    if code == 0:  # YAML that sitegen reads back, printable text and line breaks only
        loaded = load_content(into)
        assert loaded.ok, [f.format() for f in loaded.findings.errors]
        [project] = list(loaded.content.projects())
        written = (into / "a1" / "2022" / f"{project.id}.yaml").read_text(encoding="utf-8")
        assert RAW_UNSAFE.search(written.replace("\n", "")) is None


# OOXML's _xHHHH_ escapes: any code unit, surrogates (alone or paired) and the non-characters too.
escape = st.one_of(st.integers(min_value=0, max_value=0xFFFF), st.integers(min_value=0xD800, max_value=0xDFFF)).map("_x{:04X}_".format)


@FUZZ
@given(st.lists(st.one_of(escape, cell_text), min_size=1, max_size=6).map("".join))
def test_any_escaped_text_in_a_workbook_cell_is_written_or_refused_naming_it(tmp_path_factory, text):
    import openpyxl

    book = openpyxl.load_workbook(FLAT)
    sheet = book.worksheets[0]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "培训次数")
    cell.value = "培训" + "".join(ch for ch in text if ch.isprintable())  # openpyxl refuses control characters
    path = tmp_path_factory.mktemp("escaped") / "t.xlsx"
    book.save(path)
    code, out, err, into = import_into(str(path))
    assert "[yaml-syntax]" not in out, out  # the import's own check read back YAML it could not load
    if code == 2:
        assert f"t.xlsx 表1!{cell.coordinate}: " in err, err
    if code == 0:
        loaded = load_content(into)
        assert loaded.ok, [f.format() for f in loaded.findings.errors]


@FUZZ
@given(st.binary(min_size=1, max_size=64), st.integers(min_value=0), st.sampled_from([".xlsx", ".xls", ".csv", ".pdf", ".docx", ""]))
def test_a_damaged_workbook_under_any_name_is_one_line(tmp_path_factory, garbage, where, suffix):
    data = bytearray(FLAT.read_bytes())
    at = where % len(data)
    data[at:at + len(garbage)] = garbage
    folder = tmp_path_factory.mktemp("damaged")
    (folder / f"t{suffix}").write_bytes(bytes(data))
    import_into(str(folder / f"t{suffix}"))


@FUZZ
@given(st.one_of(st.text(min_size=1, max_size=80), st.integers(min_value=1, max_value=400).map("a".__mul__)))
def test_any_unit_folder_name_is_imported_or_refused_in_one_line(agency):
    """--agency becomes a folder, a URL and a PDF's name: any text, any length (300 characters once
    made the import's own mkdir fail: exit 70)."""
    into = Path(tempfile.mkdtemp(prefix="fuzz-agency-")) / "content"
    code, out, err = run("import", str(FLAT), "--into", str(into), *ARGS, f"--agency={agency}")  # a value may start with -
    assert code in (0, 2) and "Traceback" not in err and "内部错误" not in err, (code, err)
    if code == 2:
        assert tree(into) == {} and len(err.strip().splitlines()) == 1, err
    else:
        assert load_content(into).ok and (into / agency / "2022" / "p01.yaml").is_file()


def damaged(source: Path, damage: list[tuple[int, bytes]], target: Path) -> Path:
    """`source`'s bytes with each (where, garbage) written over them, saved as `target`."""
    data = bytearray(source.read_bytes())
    for where, garbage in damage:
        at = where % len(data)
        data[at:at + len(garbage)] = garbage
    target.write_bytes(bytes(data))
    return target


def import_apart(path: Path, folder: Path, **popen) -> subprocess.CompletedProcess:
    """`sitegen import path` into folder/content, in a process of its own."""
    return subprocess.run([*SITEGEN, "import", str(path), "--into", str(folder / "content"), *ARGS, "--agency", "a1"],
                          capture_output=True, text=True, env=ENV, timeout=120, **popen)


WORD = sorted((Path(__file__).parent / "import_fixtures").glob("*/table.docx"))[0]


@FUZZ
@given(st.binary(min_size=1, max_size=64), st.integers(min_value=0), st.sampled_from([b"", b"&foo;", b"&#0;", b"<"]))
def test_a_damaged_word_file_is_one_line(tmp_path_factory, garbage, where, piece):
    """Bytes of the Word fixture overwritten, or an odd piece put into its document.xml."""
    folder = tmp_path_factory.mktemp("word")
    if piece:
        with zipfile.ZipFile(WORD) as old, zipfile.ZipFile(folder / "t.docx", "w") as new:
            for name in old.namelist():
                data = old.read(name)
                if name == "word/document.xml":
                    tags = [n for n in range(len(data)) if data[n:n + 1] == b">"]
                    at = tags[where % len(tags)] + 1
                    data = data[:at] + piece + data[at:]
                new.writestr(name, data)
    else:
        damaged(WORD, [(where, garbage)], folder / "t.docx")
    import_into(str(folder / "t.docx"))


PDFS = sorted((Path(__file__).parent / "import_fixtures").glob("*/table.pdf"))


@FUZZ
@given(st.sampled_from(PDFS), st.lists(st.tuples(st.integers(min_value=0), st.binary(min_size=1, max_size=16)), min_size=1, max_size=3))
def test_a_damaged_pdf_is_read_or_refused_and_stderr_holds_one_line_at_most(tmp_path_factory, source, damage):
    """pdfminer logged what it worked around ("Data-loss while decompressing corrupted data") to
    stderr, around the import's own line."""
    folder = tmp_path_factory.mktemp("pdf")
    # A process of its own: in this one, pytest's log capture would take what pdfminer logs.
    done = import_apart(damaged(source, damage, folder / "t.pdf"), folder)
    assert done.returncode in (0, 1, 2) and "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) <= 1, done.stderr


XLS = sorted((Path(__file__).parent / "import_fixtures").glob("*/table.xls"))


def limited_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))  # a damaged .xls once took 22 GB


@FUZZ
@given(st.sampled_from(XLS), st.lists(st.tuples(st.integers(min_value=0), st.binary(min_size=1, max_size=16)), min_size=1, max_size=3))
@example(next(x for x in XLS if x.parent.name == "bozhou-2023-qxj-declaration"), [(1690, b"\x00\x01\x00")])  # codepage 1024: LookupError
def test_a_damaged_xls_is_read_or_refused_in_one_line(tmp_path_factory, source, damage):
    """xlrd on damaged records: compound-file errors, short records, numbers out of range, and a
    merged range of 65,536 × 65,536 cells padded out in memory."""
    folder = tmp_path_factory.mktemp("xls")
    done = import_apart(damaged(source, damage, folder / "t.xls"), folder, preexec_fn=limited_memory)
    assert done.returncode in (0, 1, 2) and "Traceback" not in done.stderr and "内部错误" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) <= 1 and "WARNING" not in done.stdout, done.stderr
    if done.returncode:
        assert tree(folder / "content") == {}


ENTITIES = [b'<!DOCTYPE x [<!ENTITY a "b">]>', b'<!DOCTYPE x SYSTEM "file:///etc/passwd">',
            b'<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x">%p;]>',
            b'<!DOCTYPE x [<!ENTITY a "&#x26;#x3C;">]>', "<!DOCTYPE x [<!ENTITY a 'b'>]>".encode("utf-16-le")]


def with_part_changed(folder: Path, part: int, change) -> Path:
    """The flat fixture's workbook with one of its XML parts (the part-th, in any order) changed."""
    with zipfile.ZipFile(FLAT) as old, zipfile.ZipFile(folder / "t.xlsx", "w") as new:
        names = [n for n in old.namelist() if n.endswith((".xml", ".rels"))]
        target = names[part % len(names)]
        for name in old.namelist():
            data = old.read(name)
            new.writestr(name, change(data) if name == target else data)
    return folder / "t.xlsx"


@FUZZ
@given(st.sampled_from([b"&foo;", b"&#0;", b"&#xD800;", b"<!-- x -->", b"<?pi x?>", b"<![CDATA[x]]>", b"\xff\xfe", b"<"]),
       st.integers(min_value=0, max_value=12), st.integers(min_value=0))
def test_odd_xml_in_any_part_is_read_or_refused_in_one_line(tmp_path_factory, piece, part, where):
    def insert(data: bytes) -> bytes:
        tags = [n for n in range(len(data)) if data[n:n + 1] == b">"]
        at = tags[where % len(tags)] + 1
        return data[:at] + piece + data[at:]

    import_into(str(with_part_changed(tmp_path_factory.mktemp("xml"), part, insert)))


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["s", "b", "e", "n", "str", "d", "inlineStr", "x", ""]),
                          st.one_of(st.integers(min_value=-2, max_value=10**20).map(str), st.text(max_size=12))),
                min_size=1, max_size=4))
def test_a_cell_of_any_type_and_value_is_read_or_refused_in_one_line(tmp_path_factory, cells):
    """What a workbook's XML may say of a cell: a shared string that is not there (t="s", <v>5</v>),
    a date or a boolean that is none, a type no program writes."""
    from xml.sax.saxutils import escape

    from tests.test_import_faults_files import raw_xlsx

    row = "".join(f'<c r="{chr(65 + n)}1"{f" t={chr(34)}{kind}{chr(34)}" if kind else ""}><v>{escape(value)}</v></c>'
                  for n, (kind, value) in enumerate(cells))
    text = "".join(ch for ch in row if ch.isprintable())  # XML 1.0 has no control characters
    import_into(str(raw_xlsx(tmp_path_factory.mktemp("cells") / "t.xlsx", f'<row r="1">{text}</row>'.encode())))


@FUZZ
@given(st.sampled_from(ENTITIES), st.integers(min_value=0, max_value=12))
def test_a_dtd_in_any_part_is_refused(tmp_path_factory, dtd, part):
    def declare(data: bytes) -> bytes:  # the DTD after the XML declaration, where a parser reads it
        head, _, rest = data.partition(b"?>") if data.startswith(b"<?xml") else (b"", b"", data)
        return (head + b"?>" if head else b"") + dtd + rest

    code, _, err, _ = import_into(str(with_part_changed(tmp_path_factory.mktemp("dtd"), part, declare)))
    assert code == 2 and "DTD" in err and "passwd" not in err.replace("file:///etc/passwd", "")


@FUZZ
@given(st.lists(st.sampled_from(["link-out", "link-in", "link-loop", "fifo", "file-link", "dir-file"]), min_size=1, max_size=3,
                unique=True))
def test_links_and_odd_files_in_the_tree_never_let_it_write_outside(tmp_path_factory, kinds):
    base = tmp_path_factory.mktemp("tree")
    outside = base / "outside"
    outside.mkdir()
    (outside / "keep.yaml").write_text("name: 外面\n", encoding="utf-8")
    into = base / "content"
    assert run("import", str(FLAT), "--into", str(into), *ARGS)[0] == 0
    year = into / "418001" / "2022"
    for n, kind in enumerate(kinds):
        place = into / f"x{n}"
        if kind == "link-out":
            place.symlink_to(outside)
        elif kind == "link-in":
            place.symlink_to("418001")
        elif kind == "link-loop":
            place.symlink_to(f"x{n}")
        elif kind == "fifo":
            os.mkfifo(year / f"f{n}.yaml")
        elif kind == "file-link" and not (year / "p01.yaml").is_symlink():
            (year / "p01.yaml").unlink()
            (year / "p01.yaml").symlink_to(outside / "keep.yaml")
        elif kind == "dir-file" and not (year / "p02.yaml").is_dir():
            (year / "p02.yaml").unlink()
            (year / "p02.yaml").mkdir()
    code, out, err = run("import", str(FLAT), "--into", str(into), "--force", *ARGS)
    assert code in (0, 1, 2) and "Traceback" not in err and "内部错误" not in err, err
    assert (outside / "keep.yaml").read_text(encoding="utf-8") == "name: 外面\n" and sorted(os.listdir(outside)) == ["keep.yaml"]


def imported_project_text() -> str:
    into = Path(tempfile.mkdtemp(prefix="fuzz-merge-")) / "content"
    assert run("import", str(FLAT), "--into", str(into), *ARGS)[0] == 0
    return (into / "418001" / "2022" / "p01.yaml").read_text(encoding="utf-8")


BASE = None


@FUZZ
@given(st.lists(st.integers(min_value=0, max_value=60), max_size=6), st.booleans(), st.booleans(),
       st.sampled_from(["same", "append", "drop", "target"]))
def test_a_merge_keeps_every_comment_and_gives_the_imported_values(places, budget, inline, change):
    import yaml

    from sitegen.importers.yamlmerge import merge_text

    global BASE
    BASE = BASE or imported_project_text()
    lines = BASE.split("\n")
    starts = [n for n, line in enumerate(lines) if n and (line[:1].isalpha() or line.startswith("  - "))]
    old_lines = list(lines)
    for n, place in enumerate(sorted({starts[p % len(starts)] for p in places}, reverse=True)):
        indent = "  " if old_lines[place].startswith("  - ") else ""
        old_lines.insert(place, f"{indent}# 作者的注释 {n}")
    if inline:
        at = next(n for n, line in enumerate(old_lines) if line.startswith("budget: "))
        old_lines[at] += "  # 原表如此"
    old = "\n".join(old_lines)
    new_lines = list(lines)
    items = [n for n, line in enumerate(new_lines) if line.startswith("  - {")]
    if change == "append":
        new_lines.insert(items[-1] + 1, "  - {level1: 产出指标, level2: 质量指标, name: 新指标, target: 合格}")
    elif change == "drop":
        del new_lines[items[-1]]
    elif change == "target":
        new_lines[items[0]] = new_lines[items[0]].replace("target: ", "target: 9", 1)
    if budget:
        new_lines = [("budget: 1" + line[8:]) if line.startswith("budget: ") else line for line in new_lines]
    new = "\n".join(new_lines)
    merged = merge_text(old, new)
    assert yaml.safe_load(merged) == yaml.safe_load(new)
    kept = [line.strip() for line in merged.split("\n")]
    for line in old_lines:
        if line.strip().startswith("#"):
            assert line.strip() in kept, (line, merged)
    if inline and budget:
        assert "  # 原表如此" in merged
    if merged != old:
        assert [line for line in merged.split("\n") if line.startswith("# 由 sitegen")] == [lines[0]]
