"""The example site as people use it (issue 22, items 4-7), measured in real headless Chromium on
the served build: a 360 px phone, a 1280 px screen, and Chromium's print read back with pdftotext."""

from __future__ import annotations

import re
import subprocess
import urllib.request
from pathlib import Path

import pytest

from sitegen.checks.pipeline import load_content
from tests.conftest import CONTENT
from tests.test_site import PAGE_TYPES, open_page

SELF_EVALUATED = "/jishan-ybj/2020/p01-jiandang-lika-jiaofei-peitao/"
CJK4 = re.compile(r"[\u4e00-\u9fff]{4}")


@pytest.fixture(scope="module")
def content():
    return load_content(CONTENT).content


def tab(browser, width: int, **options):
    context = browser.new_context(viewport={"width": width, "height": 740 if width < 600 else 900}, **options)
    return context, context.new_page()


SQUEEZED = """() => [...document.querySelectorAll('main td, main th')].filter(c => {
  const r = c.getBoundingClientRect();
  const head = c.closest('thead');
  if (head && getComputedStyle(head).position === 'absolute') return false;  // a card list's header, read by screen readers only
  return r.width > 0 && r.width < 56 && /[\\u4e00-\\u9fff]{4}/.test(c.innerText);
}).map(c => c.innerText.trim().slice(0, 10) + ' ' + Math.round(c.getBoundingClientRect().width) + 'px')"""


@pytest.mark.parametrize("path", sorted(set(PAGE_TYPES.values())))
def test_no_cell_is_squeezed_on_a_phone_and_the_target_is_on_screen(browser, site_url, path):
    context, page = tab(browser, 360, is_mobile=True)
    open_page(page, site_url, path)
    assert page.evaluate(SQUEEZED) == []  # no cell of four characters narrower than about 4 characters
    targets = page.eval_on_selector_all("main td.target", "cells => cells.map(c => c.getBoundingClientRect().right)")
    assert all(0 < right <= 360 for right in targets)  # the target column is on screen, not scrolled off
    context.close()


def test_indicator_rows_are_labelled_cards_on_a_phone_and_a_table_on_a_screen(browser, site_url):
    context, page = tab(browser, 360, is_mobile=True)
    open_page(page, site_url, SELF_EVALUATED)
    cells = page.eval_on_selector_all("table.results tbody td[data-label]", """cells => cells.map(c => [
      c.dataset.label, getComputedStyle(c, '::before').content, getComputedStyle(c).display])""")
    assert cells and all(before == f'"{label}"' and display == "block" for label, before, display in cells)
    target = page.locator("table.results td.target").first.bounding_box()
    assert target["x"] + target["width"] <= 360 and target["y"] < 3 * 740
    context.close()
    context, page = tab(browser, 1280)
    open_page(page, site_url, SELF_EVALUATED)
    assert page.evaluate("getComputedStyle(document.querySelector('table.results')).display") == "table"
    assert page.evaluate("getComputedStyle(document.querySelector('table.results td'), '::before').content") == "none"
    context.close()


def test_the_navigation_folds_into_a_menu_on_a_phone(browser, site_url):
    context, page = tab(browser, 360, is_mobile=True)
    open_page(page, site_url, PAGE_TYPES["project"])
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 740 / 10  # not a fifth of the first screen
    assert not page.locator(".nav-wide").is_visible() and not page.locator(".nav-menu a").first.is_visible()
    page.click(".nav-menu summary")  # a <details>: opens without any script
    assert page.locator(".nav-menu a", has_text="按地区").is_visible()
    context.close()
    context, page = tab(browser, 1280)
    open_page(page, site_url, PAGE_TYPES["project"])
    assert page.locator(".nav-wide a", has_text="按地区").is_visible() and not page.locator(".nav-menu").is_visible()
    context.close()


def test_every_unit_year_and_project_page_opens_with_its_summary(browser, site_url, content):
    context, page = tab(browser, 360, is_mobile=True)
    pages = [uy.url for uy in content.unit_years()] + [p.url for p in content.projects()]
    for path in pages:
        open_page(page, site_url, path)
        box = page.evaluate("""() => { const h = document.querySelector('main h1');
          const box = h.nextElementSibling.classList.contains('summary-box') ? h.nextElementSibling
            : h.nextElementSibling.nextElementSibling;
          return box && box.classList.contains('summary-box') ? [box.innerText, box.getBoundingClientRect().bottom] : null; }""")
        assert box, path
        text, bottom = box
        assert bottom <= 740, path  # on the first screen
        assert "绩效指标" in text and ("预算" in text or "资金总额" in text), path
    evaluated = next(p for p in content.projects() if p.url == SELF_EVALUATED)
    open_page(page, site_url, SELF_EVALUATED)
    text = page.inner_text(".summary-box")
    counts = evaluated.evaluation.counts()
    assert f"达成 {counts['达成']}" in text and f"未达成 {counts['未达成']}" in text and "执行率" in text and "%" in text
    context.close()


@pytest.mark.parametrize("width", (360, 1280))
@pytest.mark.parametrize("path", ["/", "/results/"])
def test_chart_labels_are_at_least_12_px(browser, site_url, path, width):
    context, page = tab(browser, width)
    open_page(page, site_url, path)
    heights = page.eval_on_selector_all("svg text", "texts => texts.map(t => t.getBoundingClientRect().height)")
    assert heights and min(heights) >= 12
    widths = page.eval_on_selector_all(".chart svg", "svgs => svgs.map(s => [s.getBoundingClientRect().width, s.parentElement.getBoundingClientRect().width])")
    assert all(svg <= box + 0.5 for svg, box in widths)  # sized to their box
    context.close()


def test_years_and_amounts_are_never_split(browser, site_url):
    context, page = tab(browser, 360, is_mobile=True)
    for path in (SELF_EVALUATED, PAGE_TYPES["unit-year"], "/years/2022/", "/quality/"):
        open_page(page, site_url, path)
        split = page.eval_on_selector_all(".nowrap", "spans => spans.filter(s => s.getClientRects().length > 1).map(s => s.textContent)")
        assert split == [] and page.locator(".nowrap").count() > 0, path
    context.close()


# ---------------------------------------------------------------- print

def printed(page, site_url: str, path: str, pdf: Path) -> list[str]:
    """The page printed by Chromium (A4), each page's text as pdftotext reads it."""
    open_page(page, site_url, path)
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4")
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def test_a_printed_self_evaluation_never_leaves_its_table_header_alone(page, site_url, content, tmp_path):
    project = next(p for p in content.projects() if p.url == SELF_EVALUATED)
    pages = printed(page, site_url, SELF_EVALUATED, tmp_path / "p.pdf")
    first_name = "".join(project.indicators[0].name.split())
    for text in pages:
        flat = "".join(text.split())
        if "偏差原因分析" in flat and "三级指标" in flat:  # the indicator table's header row
            assert first_name in flat  # with its first row on the same page
    header_pages = [n for n, text in enumerate(pages) if "偏差原因分析" in "".join(text.split())]
    assert header_pages and "总分" in "".join(pages[-1].split())


def test_printed_results_have_no_controls_whole_years_and_their_address(page, site_url, tmp_path, content):
    pages = printed(page, site_url, "/results/", tmp_path / "r.pdf")
    text = "\n".join(pages)
    for control in ("↕", "↑", "↓", "筛选（", "菜单", "以表格查看"):
        assert control not in text, control
    assert not re.search(r"\b20[12]\s*\n\s*\d\b", text) and not re.search(r"\b20[12]$", text, re.M)  # no 202/0
    years = {str(p.year) for p in content.projects() if p.evaluation}
    assert all(year in text for year in years)
    flat = "".join(text.split())
    assert "本页网址：https://" in flat and "/results/" in flat


@pytest.mark.parametrize("path, header", [("/results/", "自评年度"), ("/indicators/", "三级指标")])
def test_printed_sortable_tables_keep_their_header_words_from_the_first_page(page, site_url, tmp_path, path, header):
    """results.js moves each header's words into a sort button; print hides controls, never those
    words. A table too long for one page starts under the page's introduction, not a page later."""
    pages = printed(page, site_url, path, tmp_path / "s.pdf")
    assert page.locator("table.sortable th button").count() > 0  # the script ran: the words are in buttons
    assert header in "".join(pages[0].split())


@pytest.mark.parametrize("name", ["home", "unit-year", "project", "quality", "data", "regions", "search"])
def test_every_page_type_prints_its_address_without_navigation(page, site_url, name, tmp_path):
    path = PAGE_TYPES[name]
    pages = printed(page, site_url, path, tmp_path / "x.pdf")
    flat = "".join("".join(pages).split())
    assert "本页网址：" in flat and path.split("?")[0] in flat
    assert "按年度按地区按单位" not in flat and "菜单" not in flat and "跳到正文" not in flat  # no navigation


# ---------------------------------------------------------------- people's words

def test_quality_speaks_chinese_money_first_and_collapses_alike_rows(browser, site_url):
    context, page = tab(browser, 1280)
    open_page(page, site_url, "/quality/")
    groups = page.eval_on_selector_all("main section.quality-group > h2", "hs => hs.map(h => h.textContent)")
    assert groups[0].startswith("金额") and groups[1].startswith("达成与得分")
    visible = page.inner_text("main")  # closed <details> are not rendered
    assert re.findall(r"[a-z][a-z_.-]{2,}", visible) == []  # no rule codes, no key names
    assert page.evaluate("[...document.querySelectorAll('main code')].every(c => c.closest('details'))")
    rows = page.locator("main table.quality tbody tr").count()
    total = int(re.search(r"共 (\d+) 条", visible).group(1))
    assert rows < total and re.search(r"（6 条，6 项指标）", visible)  # six alike warnings are one row
    assert not [title for title in groups if title.startswith("其他")]  # every rule in a group of its kind
    page.locator("details.technical").first.locator("summary").click()
    assert re.search(r"[a-z]+-[a-z]+", page.inner_text("details.technical[open]"))
    context.close()


def test_every_rule_of_the_checks_has_a_group_and_a_plain_title():
    """A rule left out of vocab/quality.yaml falls to the last group, behind the table problems:
    a judgement rule (执行率低却全部满分) would no longer come first."""
    from sitegen.checks import WARNING_CODES
    from sitegen.render.quality import vocabulary

    listed = {code: group["title"] for group in vocabulary() for code in group["rules"]}
    assert set(WARNING_CODES) - set(listed) == set()
    assert listed["full-marks-low-execution"] == listed["missing-actual"] == "达成与得分的判断"
    titles = [title for group in vocabulary() for title in group["rules"].values()]
    assert not [title for title in titles if re.search(r"[A-Za-z]", title)]


POINTED = {
    "u1/2024/p2.yaml": """\
        name: 第二个测试项目
        budget: 5.00
        goals: 完成测试
        indicators:
          - {level1: 产出指标(50分), level2: 数量指标, name: 测试场次, op: ≥, target: 3, unit: 场, score: 50}
          - {level1: 效益指标（30分）, level2: 社会效益指标, name: 测试覆盖率, op: ≥, target: 90, unit: "%", score: 30}
        """,
}


def test_the_level_filter_is_one_choice_for_a_level_written_with_its_points(browser, site, tmp_path):
    """产出指标 and 产出指标(50分) are one 一级指标 in the search filter, and choosing it finds both."""
    from sitegen.build.site import PDF, build, without
    from tests.conftest import served
    from tests.test_site import wait_for_results

    out = tmp_path / "out"
    build(site(POINTED), out, renderers=without(PDF), cache_dir=tmp_path / "cache")
    context, page = tab(browser, 1280)
    with served(out) as url:
        open_page(page, url, "/search/?q=测试")
        levels = page.eval_on_selector_all("#facets input[name=level1]", "boxes => boxes.map(b => b.value)")
        assert levels == ["产出指标", "效益指标"]
        page.evaluate("document.getElementById('results').setAttribute('aria-busy', 'pending')")
        page.check("#facets input[name=level1][value='产出指标']")
        wait_for_results(page)
        titles = page.eval_on_selector_all("#results li h2", "hs => hs.map(h => h.textContent)")
        assert sorted(titles) == ["测试项目", "第二个测试项目"]
        assert "level1=" in page.url
    context.close()


# ---------------------------------------------------------------- provenance and reuse

def test_every_indicator_row_has_an_anchor_and_a_link_to_cite_it(browser, site_url, content):
    context, page = tab(browser, 1280)
    for project in content.projects():
        open_page(page, site_url, project.url)
        rows = page.eval_on_selector_all("main [id^='i-']", """nodes => nodes.map(n => [n.id,
          n.querySelector('a.cite') ? n.querySelector('a.cite').getAttribute('href') : null])""")
        assert len(rows) == len(project.indicators), project.url
        assert all(href == f"#{anchor}" for anchor, href in rows), project.url
    anchor = rows[-1][0]
    page.goto(site_url + project.url + "#" + anchor)
    assert page.evaluate("document.querySelector(':target').id") == anchor
    top = page.evaluate(f"document.getElementById('{anchor}').getBoundingClientRect().top")
    assert 0 <= top < 900
    context.close()


def test_anchors_stay_when_the_page_is_built_again(built, content):
    project = next(p for p in content.projects() if p.url == SELF_EVALUATED)
    html = (built / SELF_EVALUATED.strip("/") / "index.html").read_text(encoding="utf-8")
    from sitegen.render.html import indicator_anchors
    assert all(f'id="{anchor}"' in html for anchor in indicator_anchors(project.indicators).values())


def test_lists_show_each_units_results_status(browser, site_url, content):
    evaluated = {p.agency.id for p in content.projects() if p.evaluation}
    context, page = tab(browser, 1280)
    open_page(page, site_url, "/units/")
    rows = page.eval_on_selector_all("main tbody tr", "rows => rows.map(r => [r.querySelector('a').getAttribute('href'), r.lastElementChild.innerText])")
    by_unit = {href.strip("/").split("/")[-1]: status for href, status in rows}
    assert by_unit and all(by_unit[a.id].startswith("已自评 · 达成") == (a.id in evaluated) for a in content.agencies)
    assert all("自评未公开" in by_unit[a.id] for a in content.agencies if a.id not in evaluated)
    open_page(page, site_url, "/regions/")
    assert page.locator("main li", has_text="已自评").count() == len(evaluated)
    open_page(page, site_url, "/years/2020/")
    assert "已自评" in page.inner_text("main table")
    context.close()


def test_pdfs_open_in_the_browser_and_data_files_show_their_size(browser, site_url, built):
    context, page = tab(browser, 1280)
    open_page(page, site_url, SELF_EVALUATED)
    links = page.eval_on_selector_all("main a[href$='.pdf']", "links => links.map(a => [a.href, a.hasAttribute('download'), a.type])")
    assert links and all(not download and kind == "application/pdf" for _, download, kind in links)
    with urllib.request.urlopen(links[0][0]) as answer:
        assert answer.headers["Content-Type"] == "application/pdf"
    open_page(page, site_url, "/data/")
    cells = page.eval_on_selector_all("main td:has(.size)", "cells => cells.map(c => [new URL(c.querySelector('a').href).pathname, c.querySelector('.size').textContent])")
    assert cells
    for href, size in cells:
        actual = (built / href.lstrip("/")).stat().st_size
        number, unit = size.split()
        assert abs(float(number) * {"B": 1, "KB": 1024, "MB": 1024 * 1024}[unit] - actual) <= 0.06 * actual + 1
    context.close()


def test_department_wide_indicator_rows_have_anchors_too(browser, site_url, content):
    unit_year = next(uy for uy in content.unit_years() if uy.overall and uy.overall.indicators)
    context, page = tab(browser, 1280)
    open_page(page, site_url, unit_year.url)
    rows = page.eval_on_selector_all("main tr[id^='i-']", "rows => rows.map(r => [r.id, r.querySelector('a.cite').getAttribute('href')])")
    assert len(rows) == len(unit_year.overall.indicators) and all(href == f"#{anchor}" for anchor, href in rows)
    assert page.evaluate("new Set([...document.querySelectorAll('[id]')].map(e => e.id)).size") == \
        page.evaluate("document.querySelectorAll('[id]').length")  # no id twice
    context.close()


def test_unit_year_and_project_pages_give_each_downloads_size(built):
    """The downloads are written before the pages, so every unit-year page names the size of its
    PDF (and its pages) and data files, and every project page of its two PDFs, as the files have it."""
    from sitegen.render.html import readable_size

    content = load_content(CONTENT).content
    for unit_year in content.unit_years():
        if not unit_year.projects:
            continue
        html = (built / unit_year.url.strip("/") / "index.html").read_text(encoding="utf-8")
        sizes = re.findall(r'href="[^"]*?([^/"]+\.(?:pdf|csv|xlsx|json))"[^>]*>[^<]*</a> <span class="size nowrap">([^<]+)</span>', html)
        assert {name.rsplit(".", 1)[1] for name, _ in sizes} >= {"pdf", "csv", "xlsx", "json"}, unit_year.url
        for name, shown in sizes:
            [path] = [p for p in (built / unit_year.url.strip("/")).rglob(name)] or list(built.rglob(name))[:1]
            size = readable_size(path.stat().st_size)
            if name.endswith(".pdf"):  # its pages as poppler counts them, then its size
                pages = re.search(r"^Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(path)], capture_output=True,
                                                                    text=True, check=True).stdout, re.M).group(1)
                assert shown == f"{pages} 页 · {size}", name
            else:
                assert shown == size, name
        project = unit_year.projects[0]
        page = (built / project.url.strip("/") / "index.html").read_text(encoding="utf-8")
        assert page.count('type="application/pdf">') >= 2 and page.count('<span class="size nowrap">') >= 2
