"""`sitegen import` under faults: two imports at once, links out of the tree, a full disk,
--force and its backups, folders of files. Each hostile input is made here, for real: real
processes, real links, a real (small tmpfs) full file system."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from sitegen.importers.plan import copy_for_check
from sitegen.importers.report import grouped
from tests.conftest import run
from tests.test_import_cli import ARGS, FLAT, tree

SITEGEN = [sys.executable, "-m", "sitegen"]
ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}


def sitegen(*args: str, env: dict | None = None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([*SITEGEN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env or ENV, **kwargs)


def wait_for_line(process: subprocess.Popen, text: str, seconds: float = 60) -> str:
    """Read the process's stderr until a line with `text` comes (or fail)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([process.stderr], [], [], end - time.monotonic())
        if ready:
            line = process.stderr.readline()
            if text in line:
                return line
            assert line, f"ended without saying {text!r}"
    raise AssertionError(f"no line with {text!r} within {seconds} s")


def projects(into: Path, agency: str) -> list[str]:
    return sorted(p.name for p in (into / agency / "2022").glob("p*.yaml"))


# ---------------------------------------------------------------- the lock


def test_two_imports_at_once_both_keep_their_tables(tmp_path):
    into = tmp_path / "content"
    into.mkdir()
    (into / "site.yaml").write_text("title: 测试\nbase_url: https://example.org/\n", encoding="utf-8")
    # The test holds the tree's lock, so both imports are surely running when it is released.
    with open(into / ".sitegen-import.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        first = sitegen("import", str(FLAT), "--into", str(into), "--agency", "u1", *ARGS)
        second = sitegen("import", str(FLAT), "--into", str(into), "--agency", "u2", *ARGS)
        for process in (first, second):
            assert "另一个导入正在写入" in wait_for_line(process, "等待它结束")
        assert not (into / "u1").exists() and not (into / "u2").exists()
        fcntl.flock(held, fcntl.LOCK_UN)
    for process in (first, second):
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert len(projects(into, "u1")) == 9 and len(projects(into, "u2")) == 9
    assert not (into / ".sitegen-import.lock").exists()
    assert run("check", str(into))[0] == 0


@pytest.mark.parametrize("attempt", range(3))
def test_two_imports_into_a_new_tree_at_once_both_keep_their_tables(tmp_path, attempt):
    """Neither sees the other's lock or temporary files as a foreign folder's content."""
    into = tmp_path / "new" / "content"
    processes = [sitegen("import", str(FLAT), "--into", str(into), "--agency", agency, *ARGS) for agency in ("u1", "u2")]
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert len(projects(into, "u1")) == 9 and len(projects(into, "u2")) == 9 and run("check", str(into))[0] == 0


def test_two_imports_of_one_unit_year_the_second_sees_the_first(tmp_path):
    into = tmp_path / "content"
    edited = tmp_path / "edited.xlsx"
    book = openpyxl.load_workbook(FLAT)
    sheet = book.worksheets[0]
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == 65:
                cell.value = 66  # another budget: the same projects, different files
    book.save(edited)
    processes = [sitegen("import", str(table), "--into", str(into), *ARGS) for table in (FLAT, edited)]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in processes]
    codes = sorted(code for code, _, _ in results)
    # Whichever came second found the first's files: a conflict, said as such, nothing lost.
    assert codes == [0, 1], results
    loser = next(out for code, out, _ in results if code == 1)
    assert "已存在且这些键不同（budget）" in loser
    assert len(projects(into, "418001")) == 9 and run("check", str(into))[0] == 0


# ---------------------------------------------------------------- links


def test_a_folder_linked_out_of_the_tree_is_refused_naming_it(tmp_path):
    into, elsewhere = tmp_path / "content", tmp_path / "elsewhere"
    assert run("import", str(FLAT), "--into", str(into), *ARGS)[0] == 0
    shutil.move(into / "418001", elsewhere)
    (into / "418001").symlink_to(elsewhere)
    before = tree(elsewhere)
    (elsewhere / "2022" / "p01.yaml").unlink()
    code, out, err = run("import", str(FLAT), "--into", str(into), "--force", *ARGS)
    assert code == 2 and f"{into}/418001 是符号链接" in err and len(err.strip().splitlines()) == 1
    assert not (elsewhere / "2022" / "p01.yaml").exists() and len(tree(elsewhere)) == len(before) - 1


def test_force_never_overwrites_a_file_linked_out_of_the_tree(tmp_path):
    into = tmp_path / "content"
    assert run("import", str(FLAT), "--into", str(into), *ARGS)[0] == 0
    outside = tmp_path / "precious.txt"
    outside.write_text("not yours\n", encoding="utf-8")
    target = into / "418001" / "2022" / "p01.yaml"
    target.unlink()
    target.symlink_to(outside)
    code, _, err = run("import", str(FLAT), "--into", str(into), "--force", *ARGS)
    assert code == 2 and f"{target} 是符号链接" in err and "Traceback" not in err
    assert outside.read_text(encoding="utf-8") == "not yours\n" and target.is_symlink()


def test_the_check_copy_follows_no_link_and_copies_no_more_than_the_tree(tmp_path):
    into = tmp_path / "content"
    assert run("import", str(FLAT), "--into", str(into), *ARGS)[0] == 0
    (into / "big").symlink_to("/usr/share")
    (into / "418001" / "2022" / "zero.yaml").symlink_to("/dev/zero")
    (into / "loop").symlink_to("..")
    (into / "inside").symlink_to("418001")
    os.mkfifo(into / "418001" / "2022" / "fifo.yaml")
    copy = tmp_path / "copy"
    copy.mkdir()
    copy_for_check(into, copy / "content", copy / "outside")
    copied = [p for p in (copy / "content").rglob("*") if not p.is_symlink() and p.is_file()]
    assert sum(p.stat().st_size for p in copied) <= sum(len(data) for data in tree(into).values())
    assert (copy / "content" / "inside").resolve() == (copy / "content" / "418001").resolve()
    assert not (copy / "content" / "big").exists() and not (copy / "content" / "loop").exists()
    assert (copy / "content" / "418001" / "2022" / "fifo.yaml").stat().st_size == 0
    # Through the command: the tree's own links out are check errors; it ends at once, exit 1.
    (into / "418001" / "2022" / "fifo.yaml").unlink()
    process = sitegen("import", str(FLAT), "--into", str(into), *ARGS)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 1 and "符号链接指向内容目录之外" in out, (out, err)


# ---------------------------------------------------------------- a full disk


@contextlib.contextmanager
def tmpfs(mount: Path, options: str):
    """A tmpfs mounted at `mount` (made) for the block; the test is skipped where mounting is not allowed."""
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount)], capture_output=True)
    if made.returncode:
        pytest.skip(f"cannot mount a tmpfs ({options}) here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=True)


@pytest.fixture
def small_disk(tmp_path):
    """A 96 KiB tmpfs: room for the tree, not for a second one."""
    with tmpfs(tmp_path / "disk", "size=96k,mode=0755") as mount:
        yield mount


def test_a_file_size_limit_writes_nothing_and_says_so(tmp_path):
    """RLIMIT_FSIZE (the other way a write fails part way, without a mount): Python ignores
    SIGXFSZ, so a write past the limit is an OSError (EFBIG), here in the check's copy."""
    import resource

    into = tmp_path / "content"
    limit = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (1500, 1500))  # noqa: E731
    process = sitegen("import", str(FLAT), "--into", str(into), *ARGS, preexec_fn=limit)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 2 and "Traceback" not in err, err
    assert "失败：超出文件大小限制" in err.splitlines()[0] and not into.exists()


def test_a_read_only_file_system_is_one_line(tmp_path):
    with tmpfs(tmp_path / "ro", "size=64k,ro") as mount:
        code, _, err = run("import", str(FLAT), "--into", str(mount / "content"), *ARGS)
    assert code == 2 and err.splitlines()[0] == f"sitegen import: 写入 {mount}/content 失败：没有写入权限（未写入任何文件）"


def fill(disk: Path, leave: int) -> None:
    """Fill the disk until about `leave` bytes are free."""
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    (disk / "filler").write_bytes(b"x" * max(0, free - leave))


def test_a_full_disk_writes_nothing_and_names_the_file(small_disk):
    into = small_disk / "content"
    fill(small_disk, 5 * 4096)  # a few of the twelve files fit, not all
    code, out, err = run("import", str(FLAT), "--into", str(into), *ARGS)
    assert code == 2 and "Traceback" not in err, err
    line = err.splitlines()[0]
    assert line.startswith(f"sitegen import: 写入 {into}/") and "失败：磁盘空间不足（本次导入写入的文件已全部撤回）" in line
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


def test_a_full_temporary_folder_leaves_the_tree_as_it_was(tmp_path):
    """The check runs on a copy in the temporary folder: when that is full, one line and the tree
    untouched (the tree is on another disk, so nothing stops the write but the copy)."""
    into = tmp_path / "content"
    assert run("import", str(FLAT), "--into", str(into), *ARGS)[0] == 0
    for path in (into / "418001" / "2022").glob("p*.yaml"):
        path.write_text(re.sub(r"^budget: ", "budget: 1", path.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    before = {p: p.read_bytes() for p in into.rglob("*") if p.is_file()}
    with tmpfs(tmp_path / "tmp", "size=16k,mode=1777") as temp:
        process = sitegen("import", str(FLAT), "--into", str(into), "--force", *ARGS, env={**ENV, "TMPDIR": str(temp)})
        out, err = process.communicate(timeout=120)
        assert sorted(temp.iterdir()) == []
    assert process.returncode == 2 and len(err.strip().splitlines()) == 1, err
    assert f"写入检查用的临时副本（{temp}/sitegen-import-" in err and "失败：磁盘空间不足；内容目录未改动" in err
    assert {p: p.read_bytes() for p in into.rglob("*") if p.is_file()} == before


def test_a_full_disk_during_force_puts_every_file_back(small_disk):
    into = small_disk / "content"
    assert run("import", str(FLAT), "--into", str(into), *ARGS)[0] == 0
    for path in sorted((into / "418001" / "2022").glob("p*.yaml")):
        edited = re.sub(r"^budget: ", "budget: 1", path.read_text(encoding="utf-8"), flags=re.M)
        path.write_text(edited + "# 作者的改动\n", encoding="utf-8")
    before = tree(into)
    fill(small_disk, 3 * 4096)
    code, _, err = run("import", str(FLAT), "--into", str(into), "--force", *ARGS)
    assert code == 2 and "磁盘空间不足" in err
    assert tree(into) == before
    assert sorted(p.name for p in into.iterdir() if p.name.startswith(".")) == []
    assert not [p for p in into.rglob("*.tmp")]


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8])
def test_sigterm_at_any_moment_leaves_the_tree_as_before_or_as_imported(tmp_path, delay):
    """The signal comes `delay` seconds after the import got the lock: while it reads the tree,
    checks, writes its temporary files or renames them."""
    into = tmp_path / "content"
    assert run("import", str(FLAT), "--into", str(into), *ARGS)[0] == 0
    for path in sorted((into / "418001" / "2022").glob("p*.yaml")):
        path.write_text(re.sub(r"^budget: ", "budget: 1", path.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    before = tree(into)
    shutil.copytree(into, tmp_path / "expected")
    assert run("import", str(FLAT), "--into", str(tmp_path / "expected"), "--force", *ARGS)[0] == 0
    imported = tree(tmp_path / "expected")
    with open(into / ".sitegen-import.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        process = sitegen("import", str(FLAT), "--into", str(into), "--force", *ARGS)
        wait_for_line(process, "等待它结束")
        (into / ".sitegen-import.lock").unlink()  # as an import ends: the waiting one takes a new lock
    time.sleep(delay)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=120)
    assert "Traceback" not in err
    # Done (0): as imported. Unwound (143): as before, or as imported when the signal came after
    # the last rename (while the report was printed). Killed outright (-15: before sitegen's
    # handler is in place or after it is gone): one or the other. Never anything between.
    expected = {0: [imported], 128 + signal.SIGTERM: [before, imported], -signal.SIGTERM: [before, imported]}
    assert tree(into) in expected[process.returncode], (process.returncode, err)
    assert not [p for p in into.rglob("*.tmp")] and not (into / ".sitegen-import.lock").exists()


# ---------------------------------------------------------------- nothing imported, folders, warnings


def header_only(path: Path) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "2022"
    book.active.append(["项目名称", "一级指标", "二级指标", "三级指标", "指标值"])
    book.save(path)
    return path


def test_an_import_that_imports_nothing_is_no_success(tmp_path):
    into = tmp_path / "content"
    code, out, err = run("import", str(header_only(tmp_path / "t.xlsx")), "--into", str(into), "--agency", "a1", "--year", "2022")
    assert code == 1 and "有表头但没有项目行" in out and "未导入：没有导入任何项目" in out
    assert not into.exists()


def test_a_folder_imports_each_file_on_its_own_and_says_which(tmp_path):
    folder = tmp_path / "tables"
    folder.mkdir()
    shutil.copy(FLAT, folder / "a-good.xlsx")
    (folder / "b-broken.xlsx").write_bytes(b"PK\x03\x04 broken")
    header_only(folder / "c-empty.xlsx")
    (folder / "~$a-good.xlsx").write_bytes(b"office lock file")
    into = tmp_path / "content"
    code, out, err = run("import", str(folder), "--into", str(into), *ARGS)
    assert code == 2, (out, err)
    assert f"{folder}/a-good.xlsx：已写入 12 个文件" in out
    assert f"{folder}/b-broken.xlsx：拒绝：{folder}/b-broken.xlsx: 文件已损坏" in out
    assert f"{folder}/c-empty.xlsx：未导入：没有导入任何项目" in out
    assert "共 3 个文件：1 个已导入，1 个未导入，1 个拒绝" in out and "~$" not in out
    assert len(projects(into, "418001")) == 9 and run("check", str(into))[0] == 0
    # Again: the good file has nothing to change, the others still fail, the exit says so.
    code, out, _ = run("import", str(folder), "--into", str(into), *ARGS)
    assert code == 2 and f"{folder}/a-good.xlsx：已写入 0 个文件，11 个未变" in out


def test_one_warning_per_kind_and_file_with_its_places():
    lines = [f"a.xlsx 表1!C{row}: 项目「p{row}」的预算数「x」不是数字，记为 0.00，请核对" for row in (5, 7, 9)]
    lines += ["a.xlsx 表1!A3: 这一行有内容但没有三级指标，未作为指标导入，请核对", "b.xlsx 表1!C5: 项目「q」的预算数「y」不是数字，记为 0.00，请核对"]
    assert grouped(lines) == [
        "a.xlsx: 项目「…」的预算数「…」不是数字，记为 0.00，请核对（3 处：表1!C5「p5」「x」、表1!C7「p7」「x」、表1!C9「p9」「x」）",
        "a.xlsx 表1!A3: 这一行有内容但没有三级指标，未作为指标导入，请核对",
        "b.xlsx 表1!C5: 项目「q」的预算数「y」不是数字，记为 0.00，请核对",
    ]


def test_a_self_evaluation_never_reads_a_fifo_or_device_of_the_tree(tmp_path):
    """The merge loads the tree from the import's own copy: a fifo named like a project file (which
    would block any reader) and a link to /dev/zero are never opened."""
    from tests.test_import_merge import ARGS as JISHAN_ARGS
    from tests.test_import_merge import JISHAN, author_tree

    into = author_tree(tmp_path)
    os.mkfifo(into / "jishan-ybj" / "2020" / "waiting.yaml")
    (into / "jishan-ybj" / "2020" / "zero.yaml").symlink_to("/dev/zero")
    process = sitegen("import", str(JISHAN / "table.xlsx"), "--into", str(into), *JISHAN_ARGS)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 2 and "内容目录有错误，不能并入自评表" in err and "Traceback" not in err, err


# ---------------------------------------------------------------- ids


@pytest.mark.parametrize("length", [65, 240, 300])
def test_an_agency_id_too_long_for_check_or_the_file_system_is_one_line(tmp_path, length):
    """300 characters passed the name pattern and made the import's own mkdir fail: exit 70."""
    into = tmp_path / "content"
    code, out, err = run("import", str(FLAT), "--into", str(into), "--agency", "a" * length, *ARGS)
    assert code == 2 and "Traceback" not in err and "内部错误" not in err, err
    assert err.splitlines()[0] == (f"sitegen import: {FLAT}: 单位目录名「{'a' * 40}…」有 {length} 个字符，最多 64 个"
                                   "（它会成为网址和 PDF 文件名的一部分），请用 --agency 指定一个短的（未写入任何文件）")
    assert not into.exists()


def test_a_name_with_control_characters_is_shown_escaped_on_one_line(tmp_path):
    """A refusal quotes what it refuses: a line break or a terminal's escape sequence in it was
    printed as it is (two lines; the terminal turned red)."""
    into = tmp_path / "content"
    code, _, err = run("import", str(FLAT), "--into", str(into), *ARGS, "--agency", "u1\x1b[31m\nu2\u2028")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "\x1b" not in err, err
    assert "单位目录名「u1\\x1b[31m\\x0au2\\u2028」只能用 ASCII 字母、数字、- 和 _" in err and not into.exists()
