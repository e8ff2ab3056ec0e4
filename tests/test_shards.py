"""The build in shards (sitegen/build/shards.py) and incremental builds (sitegen/build/cache.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.bench import generate
from sitegen.build.site import PDF, BuildFailed, build, without
from sitegen.checks.pipeline import load_content
from sitegen.build.shards import plan
from sitegen.render.summary import PrunedError, SiteSummary
from tests.conftest import CONTENT, write_tree

NO_PDF = without(PDF)


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def cache_keys(cache: Path) -> set[str]:
    return {p.stem for p in (cache / "shards").glob("*.pickle")}


def search_keys(cache: Path) -> set[str]:
    return {p.stem for p in (cache / "search").glob("*.cbor")}


@pytest.fixture
def sixty_projects(tmp_path):
    """60 projects in 6 units of 10 (flat and per-project layouts alternate)."""
    generate(tmp_path / "content", 60, 10)
    return tmp_path / "content"


def test_the_plan_groups_whole_units_in_content_order(sixty_projects, monkeypatch):
    monkeypatch.setenv("SITEGEN_SHARD_PROJECTS", "25")
    shards = plan(sixty_projects).shards
    assert [sorted(s.units) for s in shards] == [["u0000", "u0001"], ["u0002", "u0003"], ["u0004", "u0005"]]
    assert [s.projects for s in shards] == [20, 20, 20]
    assert plan(sixty_projects, size=1000).shards[0].units == frozenset(f"u{n:04d}" for n in range(6))
    assert plan(sixty_projects, size=1).shards[0].projects == 10  # a bigger unit is a shard of its own


def test_the_example_in_one_shard_per_unit_is_byte_identical_to_one_shard(tmp_path, monkeypatch):
    shutil.copytree(CONTENT, tmp_path / "content")
    monkeypatch.setenv("SITEGEN_SHARD_PROJECTS", "1")
    loaded = build(tmp_path / "content", tmp_path / "many", renderers=NO_PDF, cache_dir=tmp_path / "c1")
    # One shard a unit, but a unit with no project table (overall.yaml only) joins the one before.
    assert len(loaded.content.agencies) >= len(plan(tmp_path / "content").shards) > 5
    monkeypatch.setenv("SITEGEN_SHARD_PROJECTS", "100000")
    build(tmp_path / "content", tmp_path / "one", renderers=NO_PDF, cache_dir=tmp_path / "c2")
    assert tree_bytes(tmp_path / "many") == tree_bytes(tmp_path / "one")


def test_the_sites_own_findings_are_reported_once_whatever_the_shards(site, tmp_path, monkeypatch):
    content = site({"stray.txt": "x", "u2/agency.yaml": 'code: "2"\nname: 乙单位\nregion: 某市\n',
                    "u2/2024/p1.yaml": "name: 乙项目\nbudget: 1\ngoals: g\nindicators: []\n"})
    monkeypatch.setenv("SITEGEN_SHARD_PROJECTS", "1")
    assert len(plan(content).shards) == 2
    loaded = build(content, tmp_path / "out", renderers=NO_PDF)
    whole = load_content(content)
    assert sorted(f.format() for f in loaded.findings) == sorted(f.format() for f in whole.findings)
    assert sum("stray.txt" in f.loc.file for f in loaded.findings) == 1


def test_an_error_in_a_later_shard_fails_the_build_and_writes_nothing(sixty_projects, tmp_path, monkeypatch):
    monkeypatch.setenv("SITEGEN_SHARD_PROJECTS", "10")
    for name in ("u0002/2025/p00020.yaml", "u0005/2025/p00050.yaml"):  # every error is reported, from each shard
        broken = sixty_projects / name
        broken.write_text(broken.read_text(encoding="utf-8").replace("budget: ", "budgte: "), encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build(sixty_projects, tmp_path / "out", renderers=NO_PDF, cache_dir=tmp_path / "cache")
    errors = sorted((Path(f.loc.file).name, f.code) for f in failed.value.loaded.findings.errors)
    assert errors == [("p00020.yaml", "unknown-key"), ("p00050.yaml", "unknown-key")]
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob("out.building-*"))


def test_the_site_wide_pages_cannot_read_what_a_shard_let_go(sixty_projects):
    content = load_content(sixty_projects).content
    SiteSummary().add(content, [])
    project = content.projects()[0]
    assert len(project.indicators) == 14  # the count stays: the feeds print it
    for reach in (lambda: list(project.indicators), lambda: project.goals[0], lambda: bool(project.evaluation),
                  lambda: content.indicators()):
        with pytest.raises(PrunedError):
            reach()
    assert project.name and project.url and project.budget  # what the site-wide pages list


def test_after_editing_one_project_one_shard_is_rendered_and_the_site_is_as_a_clean_build(sixty_projects, tmp_path,
                                                                                           monkeypatch):
    monkeypatch.setenv("SITEGEN_SHARD_PROJECTS", "20")
    monkeypatch.setenv("SITEGEN_SEARCH_SHARD_PAGES", "25")  # three search shards too
    cache = tmp_path / "cache"
    build(sixty_projects, tmp_path / "out", renderers=NO_PDF, cache_dir=cache)
    first, first_search = cache_keys(cache), search_keys(cache)
    assert len(first) == len(first_search) == 3
    edited = sixty_projects / "u0003" / "2025" / "p00035.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("budget: 36.00", "budget: 37.00"), encoding="utf-8")
    build(sixty_projects, tmp_path / "out", renderers=NO_PDF, cache_dir=cache)
    assert len(cache_keys(cache) - first) == 1 and len(cache_keys(cache)) == 3  # one shard again; the old entry swept
    assert len(search_keys(cache) - first_search) == 1 and len(search_keys(cache)) == 3  # one search shard indexed
    build(sixty_projects, tmp_path / "clean", renderers=NO_PDF, cache_dir=tmp_path / "fresh")
    assert tree_bytes(tmp_path / "out") == tree_bytes(tmp_path / "clean")
    assert "37.00" in (tmp_path / "out" / "u0003" / "2025" / "p00035" / "index.html").read_text(encoding="utf-8")


def test_an_unchanged_shards_files_are_linked_from_the_site_it_replaces(sixty_projects, tmp_path, monkeypatch):
    """After one edit, the files of the shards that did not change are the previous site's files
    (hard links: the same inodes, nothing copied); the edited shard's are new; the site is as a
    clean build."""
    monkeypatch.setenv("SITEGEN_SHARD_PROJECTS", "20")
    cache, out = tmp_path / "cache", tmp_path / "out"
    build(sixty_projects, out, renderers=NO_PDF, cache_dir=cache)
    kept, edited_page = out / "u0000" / "2025" / "p00001" / "index.html", out / "u0003" / "2025" / "p00035" / "index.html"
    before = {path: path.stat().st_ino for path in (kept, edited_page)}
    edit_budget(sixty_projects / "u0003" / "2025" / "p00035.yaml", "36.00", "37.00")
    build(sixty_projects, out, renderers=NO_PDF, cache_dir=cache)
    assert kept.stat().st_ino == before[kept]  # (the old site's name for it is removed in the background)
    assert edited_page.stat().st_ino != before[edited_page]
    edit_budget(sixty_projects / "u0003" / "2025" / "p00035.yaml", "37.00", "38.00")  # and once more: still linked
    build(sixty_projects, out, renderers=NO_PDF, cache_dir=cache)
    assert kept.stat().st_ino == before[kept]
    build(sixty_projects, tmp_path / "clean", renderers=NO_PDF, cache_dir=tmp_path / "fresh")
    assert tree_bytes(out) == tree_bytes(tmp_path / "clean")


def test_an_unchanged_search_shards_files_are_linked_from_the_site_it_replaces(sixty_projects, tmp_path, monkeypatch):
    """The search bundle of a search shard whose units did not change is linked file by file from
    the previous site; the edited shard's bundle is indexed and written anew."""
    monkeypatch.setenv("SITEGEN_SHARD_PROJECTS", "20")
    monkeypatch.setenv("SITEGEN_SEARCH_SHARD_PAGES", "25")  # three search shards: pagefind/, shard-1/, shard-2/
    cache, out = tmp_path / "cache", tmp_path / "out"
    build(sixty_projects, out, renderers=NO_PDF, cache_dir=cache)
    first = {p.relative_to(out).as_posix(): p.stat().st_ino for p in (out / "pagefind").rglob("*") if p.is_file()}
    edit_budget(sixty_projects / "u0005" / "2025" / "p00055.yaml", "56.00", "57.00")  # the last units: the last shard
    build(sixty_projects, out, renderers=NO_PDF, cache_dir=cache)
    now = {p.relative_to(out).as_posix(): p.stat().st_ino for p in (out / "pagefind").rglob("*") if p.is_file()}
    kept = {path for path in now if now[path] == first.get(path)}
    assert kept and any(path.startswith("pagefind/shard-1/") for path in kept)
    assert not any(path.startswith("pagefind/shard-2/") for path in kept)  # indexed again
    build(sixty_projects, tmp_path / "clean", renderers=NO_PDF, cache_dir=tmp_path / "fresh")
    assert tree_bytes(out) == tree_bytes(tmp_path / "clean")


def test_a_file_changed_in_the_site_since_is_written_again_not_linked(sixty_projects, tmp_path, monkeypatch):
    """Someone edits a page of the published site in place (a deploy script, an editor): the
    next build does not take that file over; it writes the page again from the cache."""
    monkeypatch.setenv("SITEGEN_SHARD_PROJECTS", "20")
    cache, out = tmp_path / "cache", tmp_path / "out"
    build(sixty_projects, out, renderers=NO_PDF, cache_dir=cache)
    page = out / "u0000" / "2025" / "p00001" / "index.html"
    right, inode = page.read_bytes(), page.stat().st_ino
    with open(page, "r+b") as file:  # in place: the same inode and size, another modification time
        file.write(b"<!-- changed -->")
    edit_budget(sixty_projects / "u0003" / "2025" / "p00035.yaml", "36.00", "37.00")
    build(sixty_projects, out, renderers=NO_PDF, cache_dir=cache)
    assert page.read_bytes() == right and page.stat().st_ino != inode
    build(sixty_projects, tmp_path / "clean", renderers=NO_PDF, cache_dir=tmp_path / "fresh")
    assert tree_bytes(out) == tree_bytes(tmp_path / "clean")


def edit_budget(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert f"budget: {old}" in text
    path.write_text(text.replace(f"budget: {old}", f"budget: {new}"), encoding="utf-8")


def test_a_change_every_page_shows_renders_every_shard_again(sixty_projects, tmp_path, monkeypatch):
    """The first self-evaluation of a site adds 绩效结果 to every page; a site layout changes them all."""
    monkeypatch.setenv("SITEGEN_SHARD_PROJECTS", "20")
    cache = tmp_path / "cache"
    build(sixty_projects, tmp_path / "out", renderers=NO_PDF, cache_dir=cache)
    first = cache_keys(cache)
    evaluated = sixty_projects / "u0001" / "2025" / "p00012.yaml"
    evaluated.write_text(evaluated.read_text(encoding="utf-8") + EVALUATION, encoding="utf-8")
    build(sixty_projects, tmp_path / "out", renderers=NO_PDF, cache_dir=cache)
    assert not cache_keys(cache) & first
    build(sixty_projects, tmp_path / "clean", renderers=NO_PDF, cache_dir=tmp_path / "fresh")
    assert tree_bytes(tmp_path / "out") == tree_bytes(tmp_path / "clean")
    assert "/results/" in (tmp_path / "out" / "u0005" / "index.html").read_text(encoding="utf-8")

    second = cache_keys(cache)
    layout = (Path(__file__).parent.parent / "layouts" / "404.html").read_text(encoding="utf-8")
    write_tree(tmp_path / "layouts", {"404.html": layout.replace("项目和指标。</p>", "项目和指标。</p><p>本站自定义</p>")})
    build(sixty_projects, tmp_path / "out", renderers=NO_PDF, cache_dir=cache)
    assert not cache_keys(cache) & second
    assert "本站自定义" in (tmp_path / "out" / "404.html").read_text(encoding="utf-8")


EVALUATION = """evaluation:
  budget: {initial: 13.00, adjusted: 13.00, spent: 12.00}
"""


def test_links_back_up_the_tree_are_hashed_not_followed(tmp_path):
    """A link to a folder the unit is in (.., ../..) stays inside the content folder but would be
    walked for ever: the plan hashes it by where it points and goes on."""
    from sitegen.build.shards import folder_files

    unit = tmp_path / "content" / "u1"
    (unit / "2024").mkdir(parents=True)
    (unit / "agency.yaml").write_text("code: '1'\n", encoding="utf-8")
    (unit / "2024" / "up").symlink_to("..")
    (unit / "2024" / "top").symlink_to("../..")
    files = dict(folder_files(unit))
    assert files == {"agency.yaml": b"code: '1'\n", "2024/up": b"link:..", "2024/top": b"link:../.."}
