"""`sitegen build`: staging, the swap, failure safety and determinism."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

from sitegen.build.site import HTML, PDF, RENDERERS, BuildFailed, Renderer, build, only, without
from sitegen.base.safety import MARKER, MARKER_TEXT
from tests.conftest import CONTENT, MINIMAL, run, write_tree


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_build_example_writes_the_index(tmp_path):
    out = tmp_path / "output"
    code, stdout, _ = run("build", str(CONTENT), "--out", str(out))
    assert code == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "438.00" in index and "78.00" in index
    assert "人力资源社保窗口经办经费" in (out / "418001/2022/index.html").read_text(encoding="utf-8")
    assert "劳保监察及根治欠薪工作经费" in (out / "057001/2023/index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".sitegen-cache", "output"]  # no staging folder left


def test_two_builds_give_the_same_bytes(tmp_path):
    build(CONTENT, tmp_path / "a")
    build(CONTENT, tmp_path / "b")
    digest = tree_digest(tmp_path / "a")
    assert digest == tree_digest(tmp_path / "b")
    assert (tmp_path / "a" / MARKER).read_text(encoding="utf-8") == MARKER_TEXT  # part of every build
    assert MARKER not in (tmp_path / "a/SHA256SUMS").read_text()  # not a download


def previous_output(tmp_path: Path) -> Path:
    """A site an earlier build wrote: its marker says so."""
    out = tmp_path / "output"
    out.mkdir()
    (out / "index.html").write_text("previous site", encoding="utf-8")
    (out / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    return out


PREVIOUS = {"index.html": hashlib.sha256(b"previous site").hexdigest(), MARKER: hashlib.sha256(MARKER_TEXT.encode()).hexdigest()}


def test_content_error_leaves_previous_output_untouched(tmp_path, site):
    out = previous_output(tmp_path)
    content = site({"u1/2024/p1.yaml": "name: a\nbudget: 六十五\ngoals: g\nindicators: []\n"})
    code, _, err = run("build", str(content), "--out", str(out))
    assert code == 1 and "六十五" in err and "保持不变" in err
    assert (out / "index.html").read_text(encoding="utf-8") == "previous site"


def test_renderer_failure_leaves_previous_output_untouched(tmp_path):
    out = previous_output(tmp_path)

    def explode(content, writer, root):
        writer.write_text("half-written.html", "…")
        raise RuntimeError("renderer failed half-way")

    with pytest.raises(RuntimeError):
        build(CONTENT, out, renderers=(*RENDERERS, Renderer("broken", explode)))
    assert tree_digest(out) == PREVIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]  # no staging folder, no cache it created


def test_background_renderer_failure_fails_the_build(tmp_path):
    """Search runs in a thread beside the later renderers; its failure must still stop the swap,
    and the staging folder is only removed once it has stopped writing."""
    out = previous_output(tmp_path)
    finished = []

    def slow_failure(content, writer, root):
        time.sleep(0.5)  # still running when the foreground renderers are done
        writer.write_text("late.html", "…")
        finished.append(True)
        raise RuntimeError("background renderer failed")

    renderers = (Renderer("broken", slow_failure, background=True), *without(PDF))
    with pytest.raises(RuntimeError, match="background renderer failed"):
        build(CONTENT, out, renderers=renderers)
    assert finished
    assert tree_digest(out) == PREVIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]  # no staging folder left


def test_pages_rendered_by_forked_processes_are_the_same(tmp_path, monkeypatch):
    """The HTML step splits its pages over processes on a large site; the result must not depend on it."""
    from sitegen.render import html

    files = dict(MINIMAL)
    for number in range(2, 40):
        files[f"u1/2024/p{number}.yaml"] = MINIMAL["u1/2024/p1.yaml"].replace("测试项目", f"第{number}个项目")
    content = write_tree(tmp_path / "content", files)
    renderers = (only(HTML),)  # the HTML step alone
    monkeypatch.setattr(html, "FORK_MIN_PAGES", 10**9)
    build(content, tmp_path / "one", renderers=renderers)
    monkeypatch.setattr(html, "FORK_MIN_PAGES", 1)
    monkeypatch.setenv("SITEGEN_WORKERS", "2")
    build(content, tmp_path / "forked", renderers=renderers)
    one = tree_digest(tmp_path / "one")
    assert len(one) > 40 and tree_digest(tmp_path / "forked") == one


def test_a_failing_page_in_a_forked_process_fails_the_build(tmp_path, monkeypatch):
    from sitegen.render import html

    site_root = tmp_path / "site"
    write_tree(site_root / "content", MINIMAL)
    write_tree(site_root, {"layouts/page.html": "{{ no_such_value }}"})
    (site_root / "content/pages").mkdir()
    (site_root / "content/pages/about.md").write_text("# 关于\n", encoding="utf-8")
    monkeypatch.setattr(html, "FORK_MIN_PAGES", 1)
    monkeypatch.setenv("SITEGEN_WORKERS", "2")
    with pytest.raises(Exception, match="no_such_value"):
        build(site_root / "content", tmp_path / "out", renderers=(only(HTML),))
    assert not (tmp_path / "out").exists()


def test_build_replaces_stale_files(tmp_path):
    out = previous_output(tmp_path)
    (out / "stale.html").write_text("old", encoding="utf-8")
    build(CONTENT, out)
    assert not (out / "stale.html").exists()


def test_build_failed_carries_the_findings(site, tmp_path):
    with pytest.raises(BuildFailed) as failed:
        build(site({"u1/agency.yaml": None}), tmp_path / "out")
    assert [f.code for f in failed.value.loaded.findings.errors] == ["missing-agency"]
    assert not (tmp_path / "out").exists()
