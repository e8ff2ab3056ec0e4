"""`sitegen import` as a user runs it: what it writes, what it refuses, what it reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run

FIXTURES = Path(__file__).parent / "import_fixtures"
FLAT = FIXTURES / "seed-neimenggu-wuhai-2022-flat" / "table.xlsx"
ARGS = ("--year", "2022", "--region", "内蒙古自治区乌海市")


def tree(root: Path) -> dict[str, bytes]:
    """The content as the loader sees it: the import's lock and backups (dot names) left out."""
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)}


def test_import_writes_a_tree_that_checks_and_says_what_it_guessed(tmp_path):
    into = tmp_path / "content"
    code, out, err = run("import", str(FLAT), "--into", str(into), *ARGS)
    assert code == 0, err
    assert (into / "418001" / "agency.yaml").exists() and len(list((into / "418001" / "2022").glob("p*.yaml"))) == 9
    assert "单位目录 418001，取自表中的单位编码" in out and "已写入" in out
    first = into / "418001" / "2022" / "p01.yaml"
    assert first.read_text(encoding="utf-8").startswith("# 由 sitegen import 导入：table.xlsx 表1 第 4–15 行")
    code, out, _ = run("check", str(into))
    assert code == 0 and "0 个错误" in out


def test_dry_run_writes_nothing(tmp_path):
    into = tmp_path / "content"
    code, out, _ = run("import", str(FLAT), "--into", str(into), "--dry-run", *ARGS)
    assert code == 0 and "将写入" in out and not into.exists()


def test_reimport_is_unchanged_and_a_changed_file_is_a_conflict_unless_force(tmp_path):
    into = tmp_path / "content"
    assert run("import", str(FLAT), "--into", str(into), *ARGS)[0] == 0
    before = tree(into)
    code, out, _ = run("import", str(FLAT), "--into", str(into), *ARGS)
    assert code == 0 and "已写入" not in out and tree(into) == before
    edited = into / "418001" / "2022" / "p01.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("budget: 65.00", "budget: 66.00"), encoding="utf-8")
    after_edit = tree(into)
    code, out, err = run("import", str(FLAT), "--into", str(into), *ARGS)
    assert code == 1 and "p01.yaml 已存在且这些键不同（budget）" in out and tree(into) == after_edit
    code, out, _ = run("import", str(FLAT), "--into", str(into), "--force", *ARGS)
    assert code == 0 and tree(into) == before
    # --force kept the author's edited file, and the report says where and how to restore it.
    [backup] = (into / ".sitegen-import-backup").iterdir()
    assert (backup / "418001" / "2022" / "p01.yaml").read_bytes() == after_edit["418001/2022/p01.yaml"]
    assert f"备份：被替换的 1 个文件原样保存在 {backup}/；恢复：cp -a {backup}/. {into}/" in out


@pytest.mark.parametrize("make,message", [
    (lambda d: (d / "sheet.xlsx").write_bytes(b"PK\x03\x04 broken"), "已损坏"),
    (lambda d: __import__("openpyxl").Workbook().save(d / "sheet.xlsx"), "没有找到绩效目标表"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, make, message):
    make(tmp_path)
    into = tmp_path / "content"
    code, out, err = run("import", str(tmp_path / "sheet.xlsx"), "--into", str(into), *ARGS)
    assert code == 2 and message in err and "sheet.xlsx" in err and "Traceback" not in err
    assert not into.exists()


def test_one_bad_file_among_good_ones_writes_nothing(tmp_path):
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4\n")
    into = tmp_path / "content"
    code, _, err = run("import", str(FLAT), str(tmp_path / "bad.pdf"), "--into", str(into), *ARGS)
    assert code == 2 and "bad.pdf" in err and not into.exists()


def test_table_without_year_or_code_asks_for_the_option(tmp_path):
    into = tmp_path / "content"
    code, _, err = run("import", str(FLAT), "--into", str(into))
    assert code == 2 and "--year" in err and not into.exists()


@pytest.mark.parametrize("target", ["file", "site", "foreign"])
def test_unsafe_into_is_refused(tmp_path, target):
    into = tmp_path / "x"
    if target == "file":
        into.write_text("x")
    else:
        into.mkdir()
        (into / ("index.html" if target == "foreign" else ".sitegen-output")).write_text("x")
    code, _, err = run("import", str(FLAT), "--into", str(into), *ARGS)
    assert code == 2 and "--into" in err and not (into / "418001").exists()
