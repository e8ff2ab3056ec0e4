"""Atom feed, sitemap.xml, robots.txt, canonical links and Open Graph tags."""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from sitegen.build.site import PDF, build, without
from tests.conftest import MINIMAL, write_tree

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def git(folder: Path, *args: str, when: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, env=env)


def entries(out: Path) -> dict[str, str]:
    feed = ET.parse(out / "feed.xml").getroot()
    return {e.find(f"{ATOM}id").text: e.find(f"{ATOM}updated").text for e in feed.iter(f"{ATOM}entry")}


def test_feed_entry_updates_when_its_content_changes(tmp_path):
    site = tmp_path / "site"
    files = {**MINIMAL, "u2/agency.yaml": 'code: "2"\nname: 第二单位\nregion: 某地\n',
             "u2/2025/q.yaml": MINIMAL["u1/2024/p1.yaml"]}
    write_tree(site / "content", files)
    git(site, "init", "-q", when="2024-03-01T10:00:00+08:00")
    git(site, "add", "-A", when="2024-03-01T10:00:00+08:00")
    git(site, "commit", "-qm", "first", when="2024-03-01T10:00:00+08:00")
    build(site / "content", tmp_path / "a", renderers=without(PDF), cache_dir=tmp_path / "cache")
    first = entries(tmp_path / "a")
    assert first == {"https://example.org/u1/2024/": "2024-03-01T02:00:00Z", "https://example.org/u2/2025/": "2024-03-01T02:00:00Z"}
    project = site / "content/u2/2025/q.yaml"
    project.write_text(project.read_text(encoding="utf-8").replace("10.00", "11.00"), encoding="utf-8")
    git(site, "commit", "-qam", "edit", when="2024-05-02T09:30:00+00:00")
    build(site / "content", tmp_path / "b", renderers=without(PDF), cache_dir=tmp_path / "cache")
    second = entries(tmp_path / "b")
    assert second["https://example.org/u2/2025/"] == "2024-05-02T09:30:00Z"
    assert second["https://example.org/u1/2024/"] == first["https://example.org/u1/2024/"]
    feed = ET.parse(tmp_path / "b/feed.xml").getroot()
    assert feed.find(f"{ATOM}updated").text == "2024-05-02T09:30:00Z"


def test_without_git_the_publication_date_is_used(tmp_path, site):
    content = site({"u1/2024/disclosure.yaml": "published: 2024-06-30\n"})
    build(content, tmp_path / "out", renderers=without(PDF), cache_dir=tmp_path / "cache")
    assert entries(tmp_path / "out") == {"https://example.org/u1/2024/": "2024-06-30T00:00:00Z"}


def test_sitemap_robots_canonical_and_open_graph(built):
    pages = {str(p.relative_to(built)) for p in built.rglob("*.html")} - {"404.html"}
    locs = [e.text for e in ET.parse(built / "sitemap.xml").getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert sorted(locs) == sorted("https://budget-goals.example.org/" + p.removesuffix("index.html") for p in pages)
    assert "Sitemap: https://budget-goals.example.org/sitemap.xml" in (built / "robots.txt").read_text()
    project = (built / "418001/2022/window-service/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://budget-goals.example.org/418001/2022/window-service/">' in project
    assert '<meta property="og:title" content="人力资源社保窗口经办经费">' in project
    assert 'property="og:description" content="乌海市人力资源和社会保障局 2022 年项目支出绩效目标' in project


def test_a_site_of_more_pages_than_one_sitemap_takes_gets_a_sitemap_index(tmp_path, site, monkeypatch):
    """The protocol takes 50,000 URLs a file: beyond, sitemap.xml is an index of sitemaps/N.xml
    that list every page once, in order, each within the limit."""
    import sitegen.render.feeds as feeds

    content = site({f"u1/2024/p{n}.yaml": MINIMAL["u1/2024/p1.yaml"].replace("测试项目", f"第{n}个项目")
                    for n in range(2, 6)})
    build(content, tmp_path / "one", renderers=without(PDF), cache_dir=tmp_path / "cache")
    single = ET.parse(tmp_path / "one/sitemap.xml").getroot()
    assert single.tag == f"{SITEMAP_NS}urlset" and not (tmp_path / "one/sitemaps").exists()
    every = [e.text for e in single.iter(f"{SITEMAP_NS}loc")]
    monkeypatch.setattr(feeds, "SITEMAP_URLS", 4)
    build(content, tmp_path / "split", renderers=without(PDF), cache_dir=tmp_path / "cache")
    index = ET.parse(tmp_path / "split/sitemap.xml").getroot()
    assert index.tag == f"{SITEMAP_NS}sitemapindex"
    parts = [e.text for e in index.iter(f"{SITEMAP_NS}loc")]
    assert parts == [f"https://example.org/sitemaps/{n}.xml" for n in range(1, len(parts) + 1)] and len(parts) >= 3
    listed = []
    for part in parts:
        urls = [e.text for e in ET.parse(tmp_path / "split" / part.removeprefix("https://example.org/")).getroot()
                .iter(f"{SITEMAP_NS}loc")]
        assert 0 < len(urls) <= 4
        listed += urls
    assert listed == every and len(every) == len(set(every)) > 8
    assert "Sitemap: https://example.org/sitemap.xml" in (tmp_path / "split/robots.txt").read_text()
