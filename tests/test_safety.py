"""Output paths a build may not replace: one case per rule, each asserting every file is still there.

`sitegen build` swaps its output folder in whole and deletes the previous one, so a
wrong `--out` must be refused before any work, by the CLI, by `serve`, and by build().
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from sitegen.build import publish
from sitegen.build.site import HTML, PDF, build, only, without
from sitegen.base.safety import MARKER, MARKER_TEXT, UnsafeOutput, check_output_path
from tests.conftest import MINIMAL, run, write_tree


def snapshot(root: Path) -> dict[str, str]:
    """Every file and link under root, with its bytes' hash (links by their target)."""
    seen = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            key = str(path.relative_to(root))
            if path.is_symlink():
                seen[key] = "link:" + os.readlink(path)
            elif path.is_file():
                seen[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                seen[key] = "folder"
    return seen


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A site folder as an author has it: content, layouts, static, notes and a git work tree."""
    root = tmp_path / "proj"
    write_tree(root / "content", MINIMAL)
    write_tree(root, {"layouts/404.html": "{% extends 'base.html' %}", "static/extra.css": "p {}",
                      "notes/todo.md": "不要删除我", ".git/HEAD": "ref: refs/heads/main\n"})
    home = tmp_path / "users" / "alice"
    write_tree(home, {".bashrc": "# mine", "documents/letter.txt": "亲爱的"})
    monkeypatch.setenv("HOME", str(home))
    return root


def refused(tmp_path: Path, *args: str, words: tuple[str, ...] = ()) -> str:
    before = snapshot(tmp_path)
    code, out, err = run(*args)
    assert code == 1, (out, err)
    assert "网站已生成" not in out and "Traceback" not in err
    [line] = err.strip().splitlines()  # one line
    for word in words:
        assert word in line, line
    assert snapshot(tmp_path) == before  # every file still there, nothing added
    return line


def test_out_is_the_content_folder(tmp_path, project):
    line = refused(tmp_path, "build", str(project / "content"), "--out", str(project / "content"),
                   words=("就是内容目录", "--out"))
    assert line.count(str(project / "content")) == 2  # both paths named


def test_out_contains_the_content_folder(tmp_path, project):
    refused(tmp_path, "build", str(project / "content"), "--out", str(project),
            words=(str(project), str(project / "content"), "包含内容目录", "--out"))


def test_out_dot_dot_from_inside_the_site_folder(tmp_path, project, monkeypatch):
    monkeypatch.chdir(project)
    refused(tmp_path, "build", "content", "--out", "..", words=("..", str(tmp_path), "包含内容目录"))


def test_out_inside_the_content_folder(tmp_path, project):
    refused(tmp_path, "build", str(project / "content"), "--out", str(project / "content/site"),
            words=("位于内容目录", str(project / "content")))


def test_out_is_or_contains_or_lies_inside_layouts_or_static(tmp_path, project):
    refused(tmp_path, "build", str(project / "content"), "--out", str(project / "layouts"), words=("layouts/",))
    refused(tmp_path, "build", str(project / "content"), "--out", str(project / "static/out"), words=("static/",))


def test_out_is_the_home_directory(tmp_path, project):
    refused(tmp_path, "build", str(project / "content"), "--out", str(tmp_path / "users/alice"), words=("用户主目录",))


def test_out_contains_a_home_directory(tmp_path, project):
    refused(tmp_path, "build", str(project / "content"), "--out", str(tmp_path / "users"),
            words=("包含用户主目录", str(tmp_path / "users/alice")))


def test_out_is_the_root_folder(tmp_path, project, monkeypatch):
    def must_not_run(target):
        raise AssertionError("the build went on to the swap")

    monkeypatch.setattr(publish, "staged", must_not_run)
    monkeypatch.setattr("sitegen.build.site.staged", must_not_run)
    refused(tmp_path, "build", str(project / "content"), "--out", "/", words=("根目录",))


def test_out_is_a_regular_file(tmp_path, project):
    (tmp_path / "afile").write_text("我的文件", encoding="utf-8")
    refused(tmp_path, "build", str(project / "content"), "--out", str(tmp_path / "afile"), words=("不是目录", "afile"))


def test_out_is_a_folder_sitegen_did_not_write(tmp_path, project):
    docs = write_tree(project / "docs", {"guide.md": "# 指南", "img/logo.svg": "<svg/>"})
    line = refused(tmp_path, "build", str(project / "content"), "--out", str(docs), words=(MARKER, "--force", "--out"))
    assert str(docs) in line


def test_force_replaces_a_foreign_folder_and_leaves_the_marker(tmp_path, project):
    docs = write_tree(project / "docs", {"guide.md": "# 指南"})
    code, _, err = run("build", str(project / "content"), "--out", str(docs), "--no-pdf", "--force")
    assert code == 0, err
    assert not (docs / "guide.md").exists()
    assert (docs / MARKER).read_text(encoding="utf-8") == MARKER_TEXT
    code, _, err = run("build", str(project / "content"), "--out", str(docs), "--no-pdf")  # now it is sitegen's
    assert code == 0, err


def test_force_never_allows_the_dangerous_cases(tmp_path, project):
    refused(tmp_path, "build", str(project / "content"), "--out", str(project), "--force", words=("包含内容目录",))
    refused(tmp_path, "build", str(project / "content"), "--out", str(tmp_path / "users/alice"), "--force")


def test_an_empty_folder_and_a_new_one_are_fine(tmp_path, project):
    (tmp_path / "empty").mkdir()
    for out in (tmp_path / "empty", tmp_path / "new/site"):
        build(project / "content", out, renderers=without(PDF))
        assert (out / "index.html").is_file() and (out / MARKER).is_file()


def test_a_link_to_the_content_folder_is_the_content_folder(tmp_path, project):
    (tmp_path / "out").symlink_to(project / "content")
    refused(tmp_path, "build", str(project / "content"), "--out", str(tmp_path / "out"), words=("就是内容目录", "即"))


def test_a_marker_that_is_a_link_does_not_count(tmp_path, project):
    docs = write_tree(project / "docs", {"guide.md": "# 指南", "real-marker": MARKER_TEXT})
    (docs / MARKER).symlink_to(docs / "real-marker")
    refused(tmp_path, "build", str(project / "content"), "--out", str(docs), words=("--force",))


def test_serve_refuses_the_same_paths_before_serving(tmp_path, project):
    refused(tmp_path, "serve", str(project / "content"), "--out", str(project / "content"), "--port", "0",
            words=("sitegen serve", "就是内容目录"))
    write_tree(project / "docs", {"guide.md": "# 指南"})
    refused(tmp_path, "serve", str(project / "content"), "--out", str(project / "docs"), "--port", "0", words=("--force",))


def test_build_function_checks_too(tmp_path, project):
    with pytest.raises(UnsafeOutput):
        build(project / "content", project)
    with pytest.raises(UnsafeOutput):
        check_output_path(project / "content/x", project / "content")
    check_output_path(project / "output", project / "content")  # the usual place is fine


# ---------------------------------------------------------------- the other commands that write


def test_new_never_replaces_a_file_nor_writes_through_a_link(tmp_path, project):
    content = project / "content"
    (tmp_path / "elsewhere").mkdir()
    (content / "u9").symlink_to(tmp_path / "elsewhere")  # a unit folder leading out
    (content / "u1/2025").mkdir()
    (content / "u1/2025/p.yaml").symlink_to(tmp_path / "elsewhere/new.yaml")  # dangling: open() would create it
    before = snapshot(tmp_path)
    code, _, err = run("new", "agency", "u9", "--code", "9", "--name", "n", "--region", "r", "--content", str(content))
    assert code == 1 and "符号链接" in err
    code, _, err = run("new", "project", "u1", "2025", "p", "--content", str(content))
    assert code == 1 and "不会覆盖" in err
    code, _, err = run("new", "agency", "u1", "--code", "1", "--name", "n", "--region", "r", "--content", str(content))
    assert code == 1 and "不会覆盖" in err
    assert snapshot(tmp_path) == before


def test_schema_never_replaces_a_file_it_did_not_write(tmp_path):
    folder = write_tree(tmp_path / "schemas", {"project.schema.json": '{"mine": true}\n'})
    before = snapshot(tmp_path)
    code, _, err = run("schema", "--out", str(folder))
    assert code == 1 and "project.schema.json" in err and "不会覆盖" in err
    assert snapshot(tmp_path) == before  # not even the other three were written
    (folder / "project.schema.json").unlink()
    (folder / "site.schema.json").symlink_to(tmp_path / "target.json")
    code, _, err = run("schema", "--out", str(folder))
    assert code == 1 and not (tmp_path / "target.json").exists()
    (folder / "site.schema.json").unlink()
    assert run("schema", "--out", str(folder))[0] == 0
    assert run("schema", "--out", str(folder))[0] == 0  # its own files it replaces


def test_build_checks_again_just_before_the_swap(tmp_path, project):
    """Files put into the output folder while the build ran are not swept away."""
    from sitegen.render.renderer import Renderer

    out = tmp_path / "out"
    out.mkdir()

    def meanwhile(content, writer, context):
        (out / "mine.txt").write_text("放进来的", encoding="utf-8")

    with pytest.raises(UnsafeOutput):
        build(project / "content", out, renderers=(only(HTML), Renderer("meanwhile", meanwhile)))
    assert (out / "mine.txt").read_text(encoding="utf-8") == "放进来的"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "proj", "users"]
