"""Errors in a site's own layouts: one located line, exit 1, no traceback (unless --debug),
nothing written; `serve` shows it in its banner and keeps watching."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import MINIMAL, ROOT, run, write_tree
from tests.test_safety import snapshot
from tests.test_serve import fetch, free_port, wait_for

BROKEN = {
    # layout file: (its text, the line the message must end with)
    "project.html": ("{% extends 'base.html' %}\n{% block main %}\n<h1>{{ project.name }}</h1>\n<p>{{ project.code } }}</p>\n{% endblock %}\n",
                     "layouts/project.html:4: 模板语法错误: unexpected '}'"),
    "page.html": ("{% extends 'base.html' %}\n{% block main %}\n{{ no_such_value }}\n{% endblock %}\n",
                  "layouts/page.html:3: 模板错误: 未定义的名称 no_such_value"),
    "agency.html": ("{% extends 'base.html' %}\n{% block main %}{{ agency.nickname }}{% endblock %}\n",
                    "layouts/agency.html:2: 模板错误: Agency 没有属性 nickname"),
    "partials/breadcrumbs.html": ("<nav>\n{% for label in trail %}\n", "layouts/partials/breadcrumbs.html:2: 模板语法错误: Unexpected end of template. Jinja was looking for the following tags: 'endfor' or 'else'."),
    "index.html": ("{% extends 'base.html' %}\n{% block main %}{% include 'partials/missing.html' %}{% endblock %}\n",
                   "layouts/index.html:2: 模板错误: 找不到模板 partials/missing.html"),
    "pdf/flat.html": ("{% extends 'pdf/base.html' %}\n{% block body %}\n{% for x in %}{% endfor %}\n{% endblock %}\n",
                      "layouts/pdf/flat.html:3: 模板语法错误: Expected an expression, got 'end of statement block'"),
}


def broken_site(tmp_path, layout: str):
    root = tmp_path / "mysite"
    write_tree(root / "content", {**MINIMAL, "pages/about.md": "# 关于\n"})
    write_tree(root, {f"layouts/{layout}": BROKEN[layout][0]})
    return root


@pytest.mark.parametrize("layout", BROKEN)
def test_layout_error_is_one_located_line(tmp_path, layout, monkeypatch):
    root = broken_site(tmp_path, layout)
    monkeypatch.chdir(root)
    before = snapshot(tmp_path)
    code, out, err = run("build", "content", "--out", "output")
    assert code == 1, err
    [line] = err.strip().splitlines()
    assert line.startswith(BROKEN[layout][1]) and line.endswith("（未生成网站；output/ 保持不变）"), line
    assert "Traceback" not in err and out == ""
    assert snapshot(tmp_path) == before  # nothing written, not even the cache folder


def test_layout_error_in_a_forked_html_worker_is_located_too(tmp_path, monkeypatch):
    from sitegen.render import html

    root = broken_site(tmp_path, "page.html")
    monkeypatch.setattr(html, "FORK_MIN_PAGES", 1)
    monkeypatch.setenv("SITEGEN_WORKERS", "2")
    monkeypatch.chdir(root)
    code, _, err = run("build", "content", "--out", "output", "--no-pdf")
    assert code == 1 and err.startswith(BROKEN["page.html"][1])


def test_debug_shows_the_traceback(tmp_path, monkeypatch):
    root = broken_site(tmp_path, "page.html")
    monkeypatch.chdir(root)
    for args in (("--debug", "build"), ("build", "--debug")):
        code, _, err = run(*args, "content", "--out", "output", "--no-pdf")
        assert code == 1 and "Traceback" in err and err.strip().endswith("保持不变）")


def test_serve_shows_a_layout_error_in_its_banner_and_keeps_watching(tmp_path):
    root = tmp_path / "mysite"
    content = write_tree(root / "content", MINIMAL)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", str(content), "--out", str(root / "out"),
                                "--port", str(port), "--no-pdf"], cwd=root, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: "测试项目" in fetch(url + "/u1/2024/p1/"))
        write_tree(root, {"layouts/project.html": BROKEN["project.html"][0]})
        page = wait_for(lambda: (lambda html: html if 'role="alert"' in html else None)(fetch(url + "/u1/2024/p1/")))
        assert "layouts/project.html:4: 模板语法错误: unexpected &#x27;}&#x27;" in page
        assert "测试项目" in page  # the last good site stays online
        (root / "layouts/project.html").write_text(BROKEN["page.html"][0].replace("no_such_value", "project.name ~ '（改）'"),
                                                   encoding="utf-8")
        # Still watching: the fixed layout is built and the banner goes (the swap comes a moment
        # before the preview forgets the error, so both are waited for).
        wait_for(lambda: (lambda html: "测试项目（改）" in html and 'role="alert"' not in html)(fetch(url + "/u1/2024/p1/")))
        assert process.poll() is None
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0]
    assert "Traceback" not in output
