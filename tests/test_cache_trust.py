"""The caches: keyed by a digest of the code, layouts and fonts that make the output (a changed
layout or renderer never serves a stale PDF), swept by age and size, skipped by --no-cache, and
used only from a folder nobody else can write (their entries are pickles, that is code)."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from sitegen.base.resources import code_digest
from sitegen.build import shards
from sitegen.build.cache import PDF_MAX_DAYS, ShardCache, sweep_pdfs
from sitegen.build.site import PDF, build, without
from sitegen.content.load import display_root
from tests.conftest import ROOT, run


def pdf_texts(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): "".join(page.extract_text() for page in PdfReader(p).pages)
            for p in sorted(out.rglob("*.pdf"))}


def sitegen_copy(where: Path, edit: dict[str, tuple[str, str]]) -> Path:
    """sitegen's code, layouts and static files copied to `where`, with `edit`: path → (old, new)."""
    for name in ("sitegen", "layouts", "static", "schema"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, where / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name, (old, new) in edit.items():
        text = (where / name).read_text(encoding="utf-8")
        assert old in text, f"{name} has no {old!r}"
        (where / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    return where


def build_with(code: Path, content: Path, out: Path) -> None:
    """`sitegen build` in a process of its own that imports sitegen from `code`."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    result = subprocess.run([sys.executable, "-m", "sitegen", "build", str(content), "--out", str(out)],
                            capture_output=True, text=True, env=env, cwd=out.parent, timeout=600)
    assert result.returncode == 0, result.stderr


def test_a_changed_builtin_layout_or_renderer_never_serves_a_stale_pdf(site, tmp_path):
    """The same content and cache folder, built by sitegen, by a copy with one built-in layout
    changed, and by a copy with the PDF renderer's code changed: each build's PDFs are its own."""
    content = site()
    out = tmp_path / "site" / "output"
    out.parent.mkdir()
    layout = sitegen_copy(tmp_path / "layout", {"layouts/pdf/base.html": (
        "{% block body %}{% endblock %}", "{% block body %}{% endblock %}<p>布局第二版</p>")})
    code = sitegen_copy(tmp_path / "code", {"sitegen/render/pdf.py": (
        "HTML(string=html,", "HTML(string=html.replace('</body>', '<p>代码第二版</p></body>'),")})

    build_with(ROOT, content, out)
    first = pdf_texts(out)
    assert first and not any("第二版" in text for text in first.values())
    build_with(layout, content, out)
    assert sorted(pdf_texts(out)) == sorted(first)
    assert all("布局第二版" in text for text in pdf_texts(out).values())
    build_with(code, content, out)
    assert all("代码第二版" in text and "布局第二版" not in text for text in pdf_texts(out).values())
    build_with(ROOT, content, out)  # and back: the first build's PDFs, from the cache
    assert pdf_texts(out) == first
    assert (out.parent / ".sitegen-cache" / "pdf").is_dir()


def test_a_site_layout_override_changes_the_cached_pdfs(site, tmp_path):
    content = site()
    out = tmp_path / "output"
    build(content, out)
    assert not any("本站版式" in text for text in pdf_texts(out).values())
    own = content.parent / "layouts" / "pdf" / "base.html"
    own.parent.mkdir(parents=True)
    builtin = (ROOT / "layouts" / "pdf" / "base.html").read_text(encoding="utf-8")
    own.write_text(builtin.replace("</body>", "<p>本站版式</p></body>"), encoding="utf-8")
    build(content, out)
    assert all("本站版式" in text for text in pdf_texts(out).values())


def test_the_digest_is_of_the_code_not_the_version_string():
    import sitegen

    digest = code_digest()
    assert len(digest) == 64 and sitegen.__version__ not in digest
    for name in ("sitegen/render/pdf.py", "sitegen/build/cache.py", "sitegen/render/search.py"):
        assert "__version__" not in (ROOT / name).read_text(encoding="utf-8"), name


def test_pdfs_are_swept_by_age_then_least_recently_used_beyond_the_size(tmp_path):
    folder = tmp_path / "cache" / "pdf"
    folder.mkdir(parents=True)
    now = time.time()
    ages = {"ancient": PDF_MAX_DAYS + 5, "old": 10, "older": 12, "recent": 1, "this-build": 0}
    for name, days in ages.items():
        path = folder / f"{name}.pdf"
        path.write_bytes(b"%PDF-" + b"x" * 995)
        stamp = now - days * 86400 if days else now + 1
        os.utime(path, (stamp, stamp))
    sweep_pdfs(tmp_path / "cache", since=now)  # by age only: the total is far below the limit
    assert sorted(p.stem for p in folder.iterdir()) == ["old", "older", "recent", "this-build"]
    sweep_pdfs(tmp_path / "cache", since=now, max_bytes=2500)  # the least recently used first
    assert sorted(p.stem for p in folder.iterdir()) == ["recent", "this-build"]
    sweep_pdfs(tmp_path / "cache", since=now, max_bytes=0)  # never what this build used
    assert sorted(p.stem for p in folder.iterdir()) == ["this-build"]


def test_a_pdf_taken_from_the_cache_counts_as_used(site, tmp_path):
    content = site()
    build(content, tmp_path / "a", cache_dir=tmp_path / "cache")
    entries = list((tmp_path / "cache" / "pdf").glob("*.pdf"))
    assert entries
    for entry in entries:
        os.utime(entry, (1, 1))  # 1970: long unused
    shutil.rmtree(tmp_path / "cache" / "shards")  # so that the shard is rendered, its PDFs from the PDF cache
    build(content, tmp_path / "b", cache_dir=tmp_path / "cache")
    assert sorted((tmp_path / "cache" / "pdf").glob("*.pdf")) == sorted(entries)
    assert pdf_texts(tmp_path / "a") == pdf_texts(tmp_path / "b")


# ---------------------------------------------------------------- whose cache folder

def planted_entry(content: Path, cache: Path, marker: Path) -> None:
    """A pickle at the very key the next build looks up, which writes `marker` when it is loaded."""
    names = tuple(r.name for r in without(PDF) if r.units is not None)
    plan = shards.plan(content)
    key = ShardCache(cache, content, display_root(content), names).key(plan.shards[0], plan.guess)
    entry = cache / "shards" / f"{key}.pickle"
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_bytes(pickle.dumps(Exploit(marker)))


class Exploit:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return exec, (f"open({str(self.marker)!r}, 'w').write('ran')",)


def build_cli(content: Path, out: Path, *extra: str) -> tuple[int, str]:
    code, _, err = run("build", str(content), "--out", str(out), "--no-pdf", *extra)
    return code, err


def test_a_cache_folder_others_can_write_is_refused_and_its_pickles_never_loaded(site, tmp_path):
    content = site()
    cache = tmp_path / ".sitegen-cache"
    marker = tmp_path / "ran"
    cache.mkdir(mode=0o700)
    planted_entry(content, cache, marker)
    code, err = build_cli(content, tmp_path / "output")  # the folder is the user's own: the entry is read
    assert code == 0 and marker.exists(), err  # (so the planted entry does reach the loader)
    marker.unlink()
    shutil.rmtree(tmp_path / "output")

    planted_entry(content, cache, marker)
    os.chmod(cache, 0o777)
    code, err = build_cli(content, tmp_path / "output")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert str(cache) in err and "可被其他用户写入" in err and "chmod -R go-w" in err
    assert not marker.exists() and not (tmp_path / "output").exists()


def test_a_folder_inside_the_cache_that_others_can_write_is_refused(site, tmp_path):
    content = site()
    cache = tmp_path / ".sitegen-cache"
    (cache / "shards").mkdir(parents=True)
    os.chmod(cache, 0o755)
    os.chmod(cache / "shards", 0o757)
    code, err = build_cli(content, tmp_path / "output")
    assert code == 2 and str(cache / "shards") in err and len(err.strip().splitlines()) == 1, err


AS_ROOT = pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")


def nobodys_folder(folder: Path) -> Path:
    """`folder` made (0755) and given to user nobody (uid 65534)."""
    folder.mkdir(mode=0o755)
    os.chown(folder, 65534, 65534)
    return folder


@AS_ROOT
def test_a_cache_folder_of_another_user_is_refused(site, tmp_path):
    content = site()
    cache = nobodys_folder(tmp_path / ".sitegen-cache")
    marker = tmp_path / "ran"
    planted_entry(content, cache, marker)
    os.chown(cache / "shards", 65534, 65534)
    code, err = build_cli(content, tmp_path / "output")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "uid 65534" in err and "rm -r" in err and not marker.exists()


def test_a_new_cache_folder_is_closed_to_others(site, tmp_path):
    content = site()
    code, err = build_cli(content, tmp_path / "output")
    assert code == 0, err
    assert (tmp_path / ".sitegen-cache").stat().st_mode & 0o777 == 0o700


def test_no_cache_neither_reads_nor_writes_the_cache(site, tmp_path):
    content = site()
    code, err = build_cli(content, tmp_path / "output", "--no-cache")
    assert code == 0, err
    assert not (tmp_path / ".sitegen-cache").exists()
    cache = tmp_path / ".sitegen-cache"
    cache.mkdir(mode=0o700)
    marker = tmp_path / "ran"
    planted_entry(content, cache, marker)
    before = sorted(p.relative_to(cache) for p in cache.rglob("*"))
    code, err = build_cli(content, tmp_path / "output", "--no-cache")
    assert code == 0 and not marker.exists(), err
    assert sorted(p.relative_to(cache) for p in cache.rglob("*")) == before


def test_the_digest_covers_the_fonts_and_the_libraries_that_write_output(tmp_path, monkeypatch):
    from sitegen.base import resources

    versions = resources.library_versions()
    for name in ("weasyprint", "pagefind", "orjson", "jinja2", "markdown-it-py"):
        assert f"\n{name} " in versions, name
    assert "xlsxwriter" not in versions
    [real] = [name for name in resources.font_files() if name.endswith("NotoSansCJK-Regular.ttc")] or [None]
    if real is None:
        pytest.skip("fonts-noto-cjk is not installed")
    font = tmp_path / "font.ttc"
    font.write_bytes(Path(real).read_bytes()[:64 * 1024])
    monkeypatch.setattr(resources, "font_files", lambda: [str(font)])
    before = resources.font_digest()
    data = bytearray(font.read_bytes())
    data[40] ^= 1  # a checksum in the first font's table directory: another version of the font
    font.write_bytes(bytes(data))
    assert resources.font_digest() != before


def test_a_cache_folder_that_is_a_link_is_refused(site, tmp_path):
    """Even a link to a folder of the user's own, closed to others: whoever made the link can point
    it elsewhere between the check and the reading."""
    content = site()
    own = tmp_path / "own-cache"
    own.mkdir(mode=0o700)
    marker = tmp_path / "ran"
    planted_entry(content, own, marker)
    (tmp_path / ".sitegen-cache").symlink_to(own)
    code, err = build_cli(content, tmp_path / "output")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "链接" in err and str(tmp_path / ".sitegen-cache") in err
    assert not marker.exists() and not (tmp_path / "output").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="acting as another user needs root")
def test_a_cache_folder_another_user_made_first_in_a_shared_folder_is_refused(site, tmp_path):
    """In a folder like /tmp (everyone may write, sticky), user nobody makes `.sitegen-cache/`
    first, closed to others but theirs, with a pickle at the key the build looks up."""
    import tempfile

    content = site()
    shared = Path(tempfile.mkdtemp(dir="/tmp", prefix="sitegen-shared-"))
    try:
        os.chmod(shared, 0o1777)
        marker = tmp_path / "ran"
        staging = tmp_path / "made-here"
        planted_entry(content, staging, marker)
        [entry] = (staging / "shards").iterdir()
        cache = shared / ".sitegen-cache"
        subprocess.run(["sh", "-c", 'umask 022 && mkdir "$1" "$1/shards" && cat > "$2"', "sh", str(cache),
                        str(cache / "shards" / entry.name)], input=entry.read_bytes(), user=65534, group=65534,
                       check=True, timeout=60)
        assert (cache / "shards").stat().st_uid == 65534
        code, err = build_cli(content, shared / "site")
        assert code == 2 and len(err.strip().splitlines()) == 1, err
        assert str(cache) in err and "uid 65534" in err and not marker.exists()
        assert not (shared / "site").exists()
    finally:
        shutil.rmtree(shared)


def test_a_cache_folder_in_a_folder_others_can_write_is_refused(site, tmp_path):
    """Whoever can write the folder the cache is in can rename the user's own cache folder away
    and put theirs in its place once it has been checked. /tmp's sticky bit forbids that."""
    content = site()
    folder = tmp_path / "x"
    folder.mkdir()
    for mode in (0o777, 0o775 if shared_group_of(folder) else 0o757):
        os.chmod(folder, mode)
        code, err = build_cli(content, folder / "site")
        assert code == 2 and len(err.strip().splitlines()) == 1, err
        assert f"{folder} 可被其他用户写入" in err and "--no-cache" in err, err
        assert not (folder / "site").exists()
    os.chmod(folder, 0o1777)  # as /tmp
    code, err = build_cli(content, folder / "site")
    assert code == 0, err
    assert build_cli(content, folder / "site", "--no-cache")[0] == 0


def shared_group_of(folder: Path) -> bool:
    from sitegen.build.cache import shared_group

    return shared_group(folder.stat().st_gid)


@AS_ROOT
def test_a_cache_folder_in_a_folder_of_another_user_is_refused(site, tmp_path):
    content = site()
    folder = nobodys_folder(tmp_path / "theirs")
    code, err = build_cli(content, folder / "site")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert f"{folder} 属于用户 nobody（uid 65534）" in err or f"{folder} 属于用户 uid 65534" in err, err
    assert not (folder / "site").exists() and not (folder / ".sitegen-cache").exists()
