"""Search finds units and places as people type them (issue 22, item 3): in real Chromium on the
served example site, and render/places.py's reading of region names."""

from __future__ import annotations

import pytest

from sitegen.checks.pipeline import load_content
from sitegen.render.places import divisions, places, search_words, short_name
from tests.conftest import CONTENT, FIGURES
from tests.test_site import open_page, search, wait_for_results


@pytest.mark.parametrize("region, expected", [
    ("内蒙古自治区乌海市", ["内蒙古自治区", "乌海市"]),
    ("青海省海北藏族自治州祁连县", ["青海省", "海北藏族自治州", "祁连县"]),
    ("安徽省池州市贵池区", ["安徽省", "池州市", "贵池区"]),
    ("上海市普陀区", ["上海市", "普陀区"]),
])
def test_a_region_is_cut_into_its_divisions(region, expected):
    assert divisions(region) == expected


def test_short_names_leave_out_the_ending_and_the_people():
    assert [short_name(p) for p in ("乌海市", "内蒙古自治区", "海北藏族自治州", "祁连县", "棠溪镇", "沙县")] == \
        ["乌海", "内蒙古", "海北", "祁连", "棠溪", "沙县"]
    # 新区 is an ending, but not of 祁新区, whose short name is 祁新 (found by bench/search_places.py)
    assert [short_name(p) for p in ("浦东新区", "祁新区", "新区")] == ["浦东", "祁新", "新区"]


def test_a_town_comes_from_the_units_name_only_below_its_region():
    assert places("池州市贵池区棠溪镇人民政府", "安徽省池州市贵池区")[-1] == "棠溪镇"
    assert places("中共宁德市委党史和地方志研究室", "福建省宁德市") == ["福建省", "宁德市"]
    assert "乌海" in search_words("乌海市人力资源和社会保障局", "内蒙古自治区乌海市")


def every_result(page, query: str) -> list[dict]:
    """All results of a query, page after page (下一页)."""
    found = search(page, query)
    while page.locator("#pager:not([hidden]) button:has-text('下一页'):not([disabled])").count():
        page.evaluate("document.getElementById('results').setAttribute('aria-busy', 'pending')")
        page.click("#pager button:has-text('下一页')")
        wait_for_results(page)
        found += page.eval_on_selector_all(
            "#results li", "items => items.map(li => ({title: li.querySelector('h2').textContent,"
            " path: new URL(li.querySelector('a').href).pathname, meta: li.querySelector('.meta').textContent}))")
    return found


def units_of(paths: list[str]) -> set[str]:
    return {path.strip("/").split("/")[0] for path in paths}


def test_a_city_typed_with_or_without_its_ending_finds_its_unit_first_and_nothing_else(page, site_url):
    open_page(page, site_url, "/search/")
    for query in ("乌海", "乌海市", "内蒙古", "内蒙古乌海市"):
        paths = [r["path"] for r in every_result(page, query)]
        assert paths[:2] == ["/418001/", "/418001/2022/"], query  # the unit, then its year
        assert units_of(paths) == {"418001"}, query
    assert "乌海市" in page.inner_text("#search-status")


def test_both_units_of_a_city_come_back_and_only_they(page, site_url):
    open_page(page, site_url, "/search/")
    found = every_result(page, "东莞")
    assert units_of([r["path"] for r in found]) == {"dg-jtj", "dg-zhanlanguan"}
    assert {r["path"] for r in found[:2]} == {"/dg-jtj/", "/dg-zhanlanguan/"}
    assert found[0]["meta"].startswith("单位 · 广东省东莞市")


def test_every_place_of_every_unit_finds_exactly_the_units_there(page, site_url):
    """Each division of each unit's region and the town its name begins with, whole and short:
    recall (the units there, each with its page) and precision (no other unit's pages)."""
    agencies = load_content(CONTENT).content.agencies
    where = {a.id: set(search_words(a.name, a.region)) for a in agencies}
    open_page(page, site_url, "/search/")
    queries = sorted({word for words in where.values() for word in words})
    missed, extra = [], []
    for query in queries:
        expected = {unit for unit, words in where.items() if query in words}
        paths = [r["path"] for r in every_result(page, query)]
        missed += [(query, unit) for unit in expected if f"/{unit}/" not in paths]
        extra += [(query, unit) for unit in units_of(paths) - expected]
    FIGURES.append(f"place search on the example: {len(queries)} place names, "
                   f"{len(missed)} units missed, {len(extra)} other units returned")
    assert missed == [] and extra == []


def test_a_unit_year_is_found_by_place_and_year(page, site_url):
    open_page(page, site_url, "/search/")
    paths = [r["path"] for r in search(page, "祁连 2023")]
    assert paths[:2] == ["/057001/", "/057001/2023/"]
    assert units_of(paths) == {"057001"}


def test_a_unit_is_found_by_the_beginning_of_its_name(page, site_url):
    open_page(page, site_url, "/search/")
    assert [r["path"] for r in search(page, "嘉峪关城市博物馆")][0] == "/jyg-csbwg/"
    assert [r["path"] for r in search(page, "东莞市交通")][0] == "/dg-jtj/"


def test_results_page_on_past_twenty(page, site_url):
    open_page(page, site_url, "/search/")
    first = search(page, "满意度")
    status = page.inner_text("#search-status")
    total = int(status.split("找到 ")[1].split(" 项")[0])
    assert total > 20 and len(first) == 20 and "第 1–20 项" in status
    found = every_result(page, "满意度")
    assert len(found) == total and len({r["path"] for r in found}) == total  # the 21st is reached, once
    assert "page=2" in page.url
    assert page.get_attribute("#results", "start") == "21"


def test_a_near_match_says_so(page, site_url):
    open_page(page, site_url, "/search/")
    found = search(page, "工伤坚定")  # 鉴定 mistyped
    assert found and "近似结果" in page.inner_text("#search-status")
    search(page, "工伤鉴定")
    assert "近似" not in page.inner_text("#search-status")


def test_only_the_status_line_is_live(page, site_url):
    open_page(page, site_url, "/search/?q=满意度")
    live = page.eval_on_selector_all("[aria-live]", "nodes => nodes.map(n => n.id)")
    assert live == ["search-status"]
    assert page.evaluate("document.getElementById('results').closest('[aria-live]')") is None


def test_level_filter_offers_each_level_once(page, site_url):
    open_page(page, site_url, "/search/?q=满意度")
    levels = page.eval_on_selector_all("#facets input[name=level1]", "boxes => boxes.map(b => b.value)")
    assert "产出指标" in levels and not [name for name in levels if "分" in name]


def test_a_place_and_words_find_that_places_pages_with_the_words(page, site_url):
    open_page(page, site_url, "/search/")
    found = search(page, "乌海 培训")
    assert found and units_of([r["path"] for r in found]) == {"418001"}
    assert "培训" in page.inner_text("#search-status")
    assert page.locator("#results .excerpt mark", has_text="培训").count() > 0


def test_a_units_name_with_its_places_short_name_finds_that_unit_alone(page, site_url):
    """东莞交通运输局 for 东莞市交通运输局, as people leave out 市/县 inside a unit's name too."""
    open_page(page, site_url, "/search/")
    for query, unit in (("东莞交通运输局", "dg-jtj"), ("东莞交通", "dg-jtj"), ("乌海人力", "418001"),
                        ("稷山医疗保障局", "jishan-ybj"), ("青山教育局", "015001"), ("上海普陀体育", "putuo-tiyu-zhongxin")):
        paths = [r["path"] for r in every_result(page, query)]
        assert paths[0] == f"/{unit}/" and units_of(paths) == {unit}, (query, paths)
        assert "近似" not in page.inner_text("#search-status"), query


def test_a_place_written_together_with_words_or_a_year(page, site_url):
    open_page(page, site_url, "/search/")
    found = search(page, "乌海培训")  # no space between the place and the word
    assert found and units_of([r["path"] for r in found]) == {"418001"}
    assert page.locator("#results .excerpt mark", has_text="培训").count() > 0
    for query in ("东莞2022", "2022年东莞", "东莞/2022"):
        assert units_of([r["path"] for r in search(page, query)]) == {"dg-zhanlanguan"}, query  # dg-jtj has 2019 only
        assert "东莞市 2022 年：" in page.inner_text("#search-status"), query
    assert units_of([r["path"] for r in search(page, "东莞，交通")]) == {"dg-jtj"}
    assert units_of([r["path"] for r in search(page, "海北州")]) == {"057001"}  # 海北藏族自治州


def test_a_place_whose_pages_lack_the_words_says_so_and_stays_in_that_place(page, site_url):
    open_page(page, site_url, "/search/")
    found = search(page, "上海浦东")
    assert units_of([r["path"] for r in found]) == {"putuo-tiyu-zhongxin"}
    assert "近似结果" in page.inner_text("#search-status") and "没有“浦东”" in page.inner_text("#search-status")


def test_a_place_the_site_has_no_unit_in_finds_no_other_place(page, site_url):
    """东城区 shares 东 with 东莞 and 城 with 嘉峪关城市博物馆: neither comes back."""
    open_page(page, site_url, "/search/")
    assert search(page, "东城区") == []
    assert "东城区" in page.inner_text("#search-status")


def test_a_mistyped_unit_name_is_found_in_its_place_and_said_to_be_approximate(page, site_url):
    """居 for 局: Pagefind leaves out a word its index lacks and would find the unit silently."""
    open_page(page, site_url, "/search/")
    found = search(page, "乌海市人力资源和社会保障居")
    assert units_of([r["path"] for r in found]) == {"418001"} and found[0]["path"] == "/418001/"  # the unit first
    assert "近似结果" in page.inner_text("#search-status")


TWO_PUTUO = {
    "site.yaml": "title: 测试站点\nbase_url: https://example.org/\nreview: {missing-dimension: off, no-cost: off}\n",
    "sh/agency.yaml": 'code: "100001"\nname: 上海市普陀区教育局\nregion: 上海市普陀区\n',
    "zs/agency.yaml": 'code: "100002"\nname: 舟山市普陀区教育局\nregion: 浙江省舟山市普陀区\n',
}
for unit in ("sh", "zs"):
    TWO_PUTUO[f"{unit}/2024/p1.yaml"] = (
        "name: 校舍维修\nbudget: 10.00\ngoals: 完成维修\nindicators:\n"
        "  - {level1: 产出指标, level2: 数量指标, name: 维修校舍, op: ≥, target: 2, unit: 所, score: 90}\n")


@pytest.fixture(scope="module")
def two_putuo(tmp_path_factory):
    """Two counties of one name (普陀区 in 上海 and in 舟山), built with the search index and served."""
    from sitegen.build.site import PDF, build, without
    from tests.conftest import served, write_tree

    root = tmp_path_factory.mktemp("putuo")
    build(write_tree(root / "content", TWO_PUTUO), root / "out", renderers=without(PDF), cache_dir=root / "cache")
    with served(root / "out") as url:
        yield url


def test_a_city_and_its_county_find_that_county_not_its_namesake(page, two_putuo):
    open_page(page, two_putuo, "/search/")
    assert units_of([r["path"] for r in search(page, "普陀")]) == {"sh", "zs"}
    for query, unit in (("上海普陀", "sh"), ("舟山 普陀区", "zs"), ("浙江普陀", "zs"), ("舟山普陀教育局", "zs")):
        assert units_of([r["path"] for r in search(page, query)]) == {unit}, query
        assert "近似" not in page.inner_text("#search-status"), query
    search(page, "上海普陀")
    assert page.inner_text("#search-status").startswith("上海市 普陀区：")
    found = search(page, "上海 舟山")  # two places, neither in the other: each one's pages, said so
    assert units_of([r["path"] for r in found]) == {"sh", "zs"} and "近似结果" in page.inner_text("#search-status")
