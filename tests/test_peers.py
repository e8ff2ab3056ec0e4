"""Peers and the all-indicators table (issue 23): built from four units in shards of one project
each (so every comparison crosses shards), served, and read in Chromium."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest

from sitegen.render.indicator_index import IndicatorRow
from sitegen.render.peers import spreads
from tests.conftest import served, start_server, write_tree

SITE = "title: 同行测试\nbase_url: https://example.org/peers-site/\n"
AGENCY = 'code: "{code}"\nname: 单位{code}\nregion: 测试省测试市\n'


def table(satisfaction: int, trained: int, name: str = "参训人员满意度") -> str:
    return (
        "name: 培训项目\nbudget: 10.00\ngoals: 培训\nindicators:\n"
        f"  - {{level1: 产出指标, level2: 数量指标, name: 培训人数, op: ≥, target: {trained}, unit: 人}}\n"
        "  - {level1: 产出指标, level2: 成本指标, name: 人均培训成本, op: ≤, target: 300, unit: 元/人}\n"
        "  - {level1: 效益指标, level2: 社会效益指标, name: 就业率提升, op: ≥, target: 5, unit: \"%\"}\n"
        f"  - {{level1: 满意度指标, level2: 服务对象满意度指标, name: {name}, op: ≥, target: {satisfaction}, unit: \"%\"}}\n"
    )


FILES = {
    "site.yaml": SITE,
    **{f"u{n}/agency.yaml": AGENCY.format(code=f"10000{n}") for n in (1, 2, 3, 4)},
    "u1/2023/train.yaml": table(85, 100),
    "u1/2024/train.yaml": table(80, 100, "1.参训人员 满意度"),  # the same indicator, numbered and spaced
    "u2/2024/train.yaml": table(90, 120),
    "u3/2024/train.yaml": table(92, 110),
    "u4/2024/train.yaml": table(95, 5000),
}


@pytest.fixture(scope="module")
def peers_site(tmp_path_factory):
    from sitegen.build.site import PDF, build, without

    root = tmp_path_factory.mktemp("peers")
    content = write_tree(root / "content", FILES)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SITEGEN_SHARD_PROJECTS", "1")  # five shards: every peer is in another shard
        loaded = build(content, root / "output", renderers=without(PDF))
    return root / "output", loaded


@pytest.fixture(scope="module")
def peers_url(peers_site):
    with served(peers_site[0]) as url:
        yield url


def read(out, path: str) -> str:
    return (out / path).read_text(encoding="utf-8")


def test_soft_target_by_peers_across_shards(peers_site):
    out, loaded = peers_site
    [soft] = [f for f in loaded.findings.warnings if f.code == "soft-target"]
    assert soft.loc.file.endswith("u1/2024/train.yaml") and "其他 3 个单位" in soft.message and "最低值 90%" in soft.message
    quality = read(out, "quality/index.html")
    assert "<code>soft-target</code>" in quality and "最低值 90%" in re.sub(r"<[^>]+>", "", quality)  # 90% in a nowrap span
    findings = list(csv.DictReader(io.StringIO(read(out, "data/findings.csv").lstrip("\ufeff"))))
    [row] = [r for r in findings if r["rule"] == "soft-target"]
    assert row["indicator"] == "1.参训人员 满意度" and row["file"].endswith("u1/2024/train.yaml") and row["line"] == "8"
    assert {r["name"] for r in json.loads(read(out, "data/datapackage.json"))["resources"]} >= {"findings"}


def test_peer_pages_for_what_two_units_or_two_years_share(peers_site):
    out, _ = peers_site
    index = read(out, "peers/index.html")
    # 培训人数, 人均培训成本, 就业率提升 and 参训人员满意度: all four shared, each kind counted
    for kind in ("数量", "成本", "社会效益", "满意度"):
        assert f">{kind}</a>" in index
    pages = [p for p in (out / "peers").iterdir() if p.is_dir() and p.name not in ("k", "kind")]
    assert len(pages) == 4
    satisfaction = next(read(out, f"peers/{p.name}/index.html") for p in pages
                        if "参训人员满意度" in read(out, f"peers/{p.name}/index.html").split("<h1>")[1][:40])
    # each unit's row, by year; the spread in text: 2024's four targets 80, 90, 92, 95
    assert satisfaction.count("<tr") >= 1 + 5 + 3
    assert ('<th scope="row" class="num" data-label="年度">2024</th><td data-label="计量单位">%</td><td class="num" data-label="目标数">4</td>'
            '<td class="num" data-label="最低">80</td><td class="num" data-label="中位数">91</td><td class="num" data-label="最高">95</td>') in satisfaction
    assert "宽于同行" in satisfaction and "<svg" in satisfaction and 'role="img"' in satisfaction


def test_outliers_by_tukeys_fences():
    rows = [IndicatorRow("u", "单位", 2024, "p", "项目", 0, "产出指标", "数量指标", "培训人数", "k", "数量", "", str(n), "人",
                         1, False, "", "未判定", "", "f", 1, 1, "indicators[0].target") for n in (100, 110, 120, 5000)]
    [spread] = spreads(rows)
    assert (spread.lowest, spread.median, spread.highest) == (100, 115, 5000)
    assert spread.outlier(Decimal(5000)) and not spread.outlier(Decimal(100))
    assert spreads(rows[:3])[0].fences is None  # under four targets nothing is called an outlier


def test_the_indicator_table_and_its_twins(peers_site):
    out, _ = peers_site
    html = read(out, "indicators/index.html")
    assert html.count('data-result="') == 20 and 'id="i-u1-2023-train-1"' in html and "宽于同行" not in html
    rows = list(csv.DictReader(io.StringIO(read(out, "indicators/rows.csv").lstrip("\ufeff"))))
    document = json.loads(read(out, "indicators/rows.json"))
    assert len(rows) == len(document["rows"]) == 20
    soft = [r for r in rows if "soft-target" in r["review"]]
    assert [r["name"] for r in soft] == ["1.参训人员 满意度"]
    assert soft[0]["permalink"] == "https://example.org/peers-site/indicators/#i-u1-2024-train-4"


def test_unit_year_and_unit_pages_show_the_review(peers_site):
    out, _ = peers_site
    unit_year = read(out, "u1/2024/index.html")
    assert "目标质量" in unit_year and "同行比较" in unit_year
    agency = read(out, "u1/index.html")
    assert "各年度对照" in agency and ">2023</a>" in agency and ">2024</a>" in agency


def test_in_chromium_peer_rows_sort_and_project_links_resolve(peers_url, page):
    page.goto(f"{peers_url}/u1/2024/train/")
    link = page.locator("a.peer-link").nth(3)  # the satisfaction row
    assert link.inner_text() == "其他单位的同一指标"
    link.click()
    page.wait_for_load_state()
    target = page.evaluate("location.hash").lstrip("#")
    row = page.locator(f"tr[id='{target}']")
    assert row.count() == 1 and "参训人员" in row.inner_text()
    row.locator("a").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("参训人员")
    table = page.locator("table.sortable")
    years = lambda: table.locator("tbody tr td:first-child").all_inner_texts()
    header = table.locator("thead th").nth(0).locator("button")
    header.click()
    assert years() == sorted(years())
    header.click()
    assert years() == sorted(years(), reverse=True)
    assert page.errors == []


def test_in_chromium_the_indicator_table_filters(peers_url, page):
    page.goto(f"{peers_url}/indicators/")
    form = page.locator("form.table-filter")
    assert form.is_visible()
    page.fill("#filter-text", "满意度")
    visible = page.locator("#indicators tbody tr:not([hidden])")
    assert visible.count() == 5
    assert "显示 5 / 20 项" in page.locator(".filter-status").inner_text()
    page.fill("#filter-text", "")
    assert page.locator("#indicators tbody tr:not([hidden])").count() == 20
    assert page.errors == []


def test_without_javascript_the_tables_are_whole(browser, peers_url):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(f"{peers_url}/indicators/")
    assert tab.locator("#indicators tbody tr").count() == 20 and not tab.locator("form.table-filter").is_visible()
    context.close()


def test_a_site_can_make_peer_soft_targets_an_error(tmp_path):
    """`review: {soft-target: error}`: the finding found across shards fails the build, which writes nothing."""
    from sitegen.build.site import PDF, BuildFailed, build, without

    content = write_tree(tmp_path / "content", {**FILES, "site.yaml": SITE + "review: {soft-target: error}\n"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SITEGEN_SHARD_PROJECTS", "1")
        with pytest.raises(BuildFailed) as failed:
            build(content, tmp_path / "output", renderers=without(PDF))
    [error] = failed.value.loaded.findings.errors
    assert error.code == "soft-target" and error.loc.file.endswith("u1/2024/train.yaml")
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize("width", (360, 1280))
@pytest.mark.parametrize("path", ("/peers/", "peer", "/peers/k/", "/indicators/", "/u1/2024/", "/u1/"))
def test_no_accessibility_violations(browser, peers_site, peers_url, path, width):
    """axe-core's every rule on the new pages and sections (injecting axe needs the CSP off)."""
    from tests.test_site import AXE

    out = peers_site[0]
    if path == "peer":
        path = "/peers/" + next(p.name for p in (out / "peers").iterdir() if p.is_dir() and p.name not in ("k", "kind")) + "/"
    elif path == "/peers/k/":
        path = "/peers/k/" + sorted(p.name for p in (out / "peers/k").iterdir())[0] + "/"
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    tab = context.new_page()
    assert tab.goto(peers_url + path).ok
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    context.close()
    assert [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]] == []


def test_in_chromium_the_table_in_pages_is_searched_on_every_page(browser, tmp_path):
    """Seven rows a page (20 indicators: 3 pages, each with its twins); 找 on page 2 reads all three."""
    from sitegen.build.site import PDF, build, without
    from sitegen.render import indicators

    content = write_tree(tmp_path / "content", FILES)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(indicators, "PAGE_SIZE", 7)
        build(content, tmp_path / "output", renderers=without(PDF))
    out = tmp_path / "output"
    assert [len(json.loads(read(out, f"indicators/{p}rows.json"))["rows"]) for p in ("", "2/", "3/")] == [7, 7, 6]
    server, url = start_server(out)
    context = browser.new_context()
    tab = context.new_page()
    try:
        tab.goto(f"{url}/indicators/2/")
        assert tab.locator("#indicators tbody tr").count() == 7
        tab.fill("#find-everywhere", "满意度")
        tab.click("form.find-everywhere button")
        tab.locator(".find-status", has_text="在全部").wait_for()  # (wait_for_function would evaluate: the CSP refuses)
        assert tab.locator(".find-status").inner_text() == "在全部 3 页中找到 5 项"
        links = tab.locator(".find-results a")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        assert len(hrefs) == 5 and all("#i-" in h for h in hrefs)
        links.last.click()
        tab.wait_for_load_state()
        anchor = tab.evaluate("location.hash").lstrip("#")
        assert "满意度" in tab.locator(f"tr[id='{anchor}']").inner_text()
    finally:
        context.close()
        server.shutdown()


def test_an_edit_elsewhere_reuses_the_unchanged_pages(tmp_path):
    """Pages whose rows did not change are hard-linked from the site being replaced, not rendered;
    the page an edit changes is rendered again, and its twins with it."""
    from sitegen.build.site import PDF, build, without

    content = write_tree(tmp_path / "content", {**FILES, "u5/agency.yaml": AGENCY.format(code="100005"),
                                                "u5/2025/other.yaml": table(90, 100, "其他满意度")})
    out = tmp_path / "output"
    build(content, out, renderers=without(PDF))
    peer = next(p for p in (out / "peers").iterdir() if p.is_dir() and p.name not in ("k", "kind")
                and "参训人员满意度" in (p / "index.html").read_text(encoding="utf-8"))
    before = {name: (out / name).stat().st_ino for name in (f"peers/{peer.name}/index.html", "indicators/index.html",
                                                           "indicators/rows.csv")}
    (content / "u5/2025/other.yaml").write_text(table(90, 101, "其他满意度"), encoding="utf-8")  # 培训人数 changes
    build(content, out, renderers=without(PDF))
    assert (out / f"peers/{peer.name}/index.html").stat().st_ino == before[f"peers/{peer.name}/index.html"]  # linked
    assert (out / "indicators/index.html").stat().st_ino != before["indicators/index.html"]  # its row changed
    assert "101" in (out / "indicators/rows.csv").read_text(encoding="utf-8-sig")


def test_a_page_changed_in_the_published_site_is_rendered_again_not_linked(tmp_path):
    """The digests are kept in the build cache with each file's signature, as the shard cache keeps
    its files': a page edited in place in output/ since the last build is made again, and the
    published site holds no record of its own."""
    from sitegen.build.site import PDF, build, without

    content = write_tree(tmp_path / "content", FILES)
    out = tmp_path / "output"
    build(content, out, renderers=without(PDF))
    assert not list(out.glob(".sitegen-pages*"))
    page = out / "peers/index.html"
    made = page.read_text(encoding="utf-8")
    page.write_text(made.replace("同行比较", "同行比较（改过）"), encoding="utf-8")
    twin = out / "indicators/rows.csv"
    twin_inode = twin.stat().st_ino
    build(content, out, renderers=without(PDF))
    assert page.read_text(encoding="utf-8") == made  # made again, not the edited file linked
    assert twin.stat().st_ino == twin_inode  # the twin, unchanged in place, still linked


def test_a_peer_page_in_pages_has_every_row_once_in_order(tmp_path):
    """Two rows a page: 参训人员满意度's five rows on three pages, read in one pass over the index."""
    from sitegen.build.site import PDF, build, without
    from sitegen.render import peers

    content = write_tree(tmp_path / "content", FILES)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(peers, "PAGE_SIZE", 2)
        build(content, tmp_path / "output", renderers=without(PDF))
    out = tmp_path / "output"
    [folder] = [p for p in (out / "peers").iterdir() if p.is_dir() and p.name not in ("k", "kind")
                and "<h1>参训人员满意度</h1>" in (p / "index.html").read_text(encoding="utf-8")]
    pages = [folder / "index.html", folder / "2/index.html", folder / "3/index.html"]
    rows = [re.findall(r'<tr(?: class="flagged")?><td class="num" data-label="年度">(\d+)</td><td data-label="预算单位"><a href="[^"]*">([^<]*)</a>', p.read_text(encoding="utf-8"))
            for p in pages]
    assert rows == [[("2023", "单位100001"), ("2024", "单位100001")], [("2024", "单位100002"), ("2024", "单位100003")],
                    [("2024", "单位100004")]]
    assert not (folder / "4").exists() and "目标值的分布" not in pages[1].read_text(encoding="utf-8")


def test_an_edit_renders_again_the_pages_of_the_indicator_it_changes_only(tmp_path):
    """u4's 培训人数 target: its indicator's page is made again with the new figure; the others are linked."""
    from sitegen.build.site import PDF, build, without

    content = write_tree(tmp_path / "content", FILES)
    out = tmp_path / "output"
    build(content, out, renderers=without(PDF))

    def pages() -> dict[str, tuple[int, str]]:
        return {p.name: ((p / "index.html").stat().st_ino, (p / "index.html").read_text(encoding="utf-8"))
                for p in (out / "peers").iterdir() if p.is_dir() and p.name not in ("k", "kind")}

    before = pages()
    (content / "u4/2024/train.yaml").write_text(table(95, 4000), encoding="utf-8")
    build(content, out, renderers=without(PDF))
    after = pages()
    changed = [name for name in before if before[name][0] != after[name][0]]
    assert len(changed) == 1 and "<h1>培训人数</h1>" in after[changed[0]][1]
    assert ">4000<" in after[changed[0]][1] and ">5000<" not in after[changed[0]][1]
    assert all(before[name][1] == after[name][1] for name in before if name not in changed)


def test_a_table_page_of_units_not_edited_follows_the_marks_their_peers_change(tmp_path):
    """Four rows a page, a shard a unit: u1's page keeps its shard, but soft-target by peers on its
    row goes when u2's edit lowers the floor (and comes to u2's); the pages of u3 and u4 are linked."""
    from sitegen.build.site import PDF, build, without
    from sitegen.render import indicators

    content = write_tree(tmp_path / "content", FILES)
    out = tmp_path / "output"

    def run_build():
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(indicators, "PAGE_SIZE", 4)
            patch.setenv("SITEGEN_SHARD_PROJECTS", "1")
            build(content, out, renderers=without(PDF))

    def soft(page: str) -> list[str]:
        rows = csv.DictReader(io.StringIO(read(out, f"indicators/{page}rows.csv").lstrip("\ufeff")))
        return [f"{r['agency_id']} {r['year']}" for r in rows if "soft-target" in r["review"]]

    from sitegen.checks.review import WARNING_CODES

    label = WARNING_CODES["soft-target"]
    run_build()
    assert soft("2/") == ["u1 2024"] and soft("3/") == [] and label in read(out, "indicators/2/index.html")
    inodes = {page: (out / f"indicators/{page}index.html").stat().st_ino for page in ("4/", "5/")}
    (content / "u2/2024/train.yaml").write_text(table(70, 120), encoding="utf-8")
    run_build()
    assert soft("2/") == [] and soft("3/") == ["u2 2024"]
    assert label not in read(out, "indicators/2/index.html") and label in read(out, "indicators/3/index.html")
    assert {page: (out / f"indicators/{page}index.html").stat().st_ino for page in ("4/", "5/")} == inodes
