"""Symbolic links: content, layouts and static files are read only from inside their own
folders. A link leading out is an error naming the link, never its target's text; links
that stay inside work. Git stores links, so one merged contribution could otherwise
publish any file of the build machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.build.site import PDF, build, without
from sitegen.checks.pipeline import load_content
from sitegen.render.templates import LayoutError
from tests.conftest import MINIMAL, run, write_tree

SECRET = "SECRET-LINE root:x:0:0:root:/root:/bin/bash"
PROJECT = MINIMAL["u1/2024/p1.yaml"]


@pytest.fixture
def outside(tmp_path) -> Path:
    """Files outside the site: a private text, a valid project, a folder with an agency."""
    return write_tree(tmp_path / "elsewhere", {"secret.txt": SECRET + "\n", "leak.yaml": PROJECT,
                                               "agency/agency.yaml": MINIMAL["u1/agency.yaml"]})


def link(path: Path, target: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


CASES = {
    # name: (link inside content, target outside)
    "page to a private file": ("pages/passwd.md", "secret.txt"),
    "project to a file outside": ("u1/2024/leak.yaml", "leak.yaml"),
    "project to a plain-text file": ("u1/2024/notes.yaml", "secret.txt"),
    "agency folder outside": ("u2", "agency"),
    "year folder outside": ("u1/2023", "agency"),
    "site.yaml outside": ("site.yaml", "secret.txt"),
    "agency.yaml outside": ("u1/agency.yaml", "secret.txt"),
    "disclosure.yaml outside": ("u1/2024/disclosure.yaml", "leak.yaml"),
    "pages folder outside": ("pages", "agency"),
    "overall.yaml outside": ("u1/2024/overall.yaml", "leak.yaml"),
}


@pytest.mark.parametrize("name", CASES)
def test_a_link_leading_out_of_content_is_an_error_naming_the_link(site, outside, tmp_path, name):
    where, target = CASES[name]
    content = site({where: None} if where in MINIMAL else {})
    link(content / where, outside / target)
    loaded = load_content(content)
    errors = [f for f in loaded.findings.errors if f.code == "link-outside"]
    assert len(errors) == 1 and errors[0].loc.file.endswith(where), [e.format() for e in errors]
    code, out, err = run("build", str(content), "--out", str(tmp_path / "out"), "--no-pdf")
    assert code == 1 and not (tmp_path / "out").exists()
    assert "SECRET" not in out + err and str(outside) not in out + err  # neither the text nor where it leads


def test_links_inside_the_content_folder_work(site, tmp_path):
    content = site({"pages/about.md": "# 关于\n"})
    link(content / "u1/2024/p2.yaml", Path("p1.yaml"))  # relative, inside
    link(content / "pages/alias.md", content / "pages/about.md")
    link(content / "u3", content / "u1")  # a whole unit folder, inside
    loaded = load_content(content)
    assert loaded.findings.errors == []
    assert sorted(p.url for p in loaded.content.projects()) == ["/u1/2024/p1/", "/u1/2024/p2/", "/u3/2024/p1/", "/u3/2024/p2/"]
    assert sorted(p.id for p in loaded.content.pages) == ["about", "alias"]


def test_a_link_loop_is_an_error_not_a_hang(site):
    content = site()
    link(content / "u1/2024/a.yaml", Path("b.yaml"))
    link(content / "u1/2024/b.yaml", Path("a.yaml"))
    loaded = load_content(content)
    assert sorted(f.code for f in loaded.findings.errors) == ["link-outside", "link-outside"]


@pytest.fixture
def site_root(tmp_path) -> Path:
    root = tmp_path / "mysite"
    write_tree(root / "content", MINIMAL)
    (root / "layouts").mkdir()
    (root / "static").mkdir()
    return root


def test_a_layout_linked_outside_is_refused(site_root, outside, tmp_path):
    link(site_root / "layouts/404.html", outside / "secret.txt")
    with pytest.raises(LayoutError) as failed:
        build(site_root / "content", tmp_path / "out", renderers=without(PDF))
    message = str(failed.value)
    assert "layouts/404.html" in message and "符号链接" in message and "SECRET" not in message
    assert not (tmp_path / "out").exists()
    code, _, err = run("build", str(site_root / "content"), "--out", str(tmp_path / "out"), "--no-pdf")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "SECRET" not in err


def test_a_pdf_form_linked_outside_is_refused(site_root, outside, tmp_path):
    link(site_root / "layouts/pdf/flat.html", outside / "secret.txt")
    code, _, err = run("build", str(site_root / "content"), "--out", str(tmp_path / "out"))
    assert code == 1 and "layouts/pdf/flat.html" in err and "SECRET" not in err


@pytest.mark.parametrize("where", ["static/site.css", "static/pdf.css", "static/img"])
def test_a_static_file_or_folder_linked_outside_is_refused(site_root, outside, tmp_path, where):
    link(site_root / where, outside / ("agency" if where == "static/img" else "secret.txt"))
    code, _, err = run("build", str(site_root / "content"), "--out", str(tmp_path / "out"))
    assert code == 1, err
    assert where in err and "SECRET" not in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_layout_and_static_links_inside_their_folders_work(site_root, tmp_path):
    write_tree(site_root, {"layouts/my404.html": "{% extends 'base.html' %}{% block main %}<h1>自己的 404</h1>{% endblock %}",
                           "static/images/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"})
    link(site_root / "layouts/404.html", Path("my404.html"))
    link(site_root / "static/img", Path("images"))
    link(site_root / "static/images/again", Path(".."))  # a loop back up, walked once
    build(site_root / "content", tmp_path / "out", renderers=without(PDF))
    assert "自己的 404" in (tmp_path / "out/404.html").read_text(encoding="utf-8")
    assert (tmp_path / "out/static/img/logo.svg").is_file() and (tmp_path / "out/static/images/logo.svg").is_file()
