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
        assert "绩效指标" in text and re.search(r"\d (万元|元)", text), path  # its money, with its unit
    evaluated = next(p for p in content.projects() if p.url == SELF_EVALUATED)
    open_page(page, site_url, SELF_EVALUATED)
    text = page.inner_text(".summary-box")
    counts = evaluated.evaluation.counts()
    assert f"达成 {counts['达成']}" in text and f"未达成 {counts['未达成']}" in text and "执行率" in text and "%" in text
    context.close()


@pytest.mark.parametrize("width", (360, 1280))
@pytest.mark.parametrize("path", ["/", "/results/", "peer"])
def test_chart_labels_are_at_least_12_px(browser, site_url, built, path, width):
    if path == "peer":  # a peer page's spread of targets, drawn as a chart too
        path = "/peers/" + sorted(p.name for p in (built / "peers").iterdir() if p.is_dir() and p.name not in ("k", "kind"))[0] + "/"
    context, page = tab(browser, width)
    open_page(page, site_url, path)
    heights = page.eval_on_selector_all("svg text", "texts => texts.map(t => t.getBoundingClientRect().height)")
    assert heights and min(heights) >= 12
    widths = page.eval_on_selector_all(".chart svg", "svgs => svgs.map(s => [s.getBoundingClientRect().width, s.parentElement.getBoundingClientRect().width])")
    assert all(svg <= box + 0.5 for svg, box in widths)  # sized to their box
    context.close()


# A figure and its unit, or a date, broken over two lines in the rendered page: each match's text
# range has client rectangles on more than one line.
SPLIT = """() => {
  const pattern = /\\d{4}-\\d{2}-\\d{2}|\\d[\\d,.]*\\s?(?:万元|元|年|%|项|个|页|分|条|KB|MB)/g;
  const split = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const box = node.parentElement;
    if (box.closest('[hidden], details:not([open]) > :not(summary)') || !box.getClientRects().length) continue;
    for (const match of node.data.matchAll(pattern)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom)));
      if (lines.size > 1) split.push(match[0] + ' in ' + node.data.trim().slice(0, 30));
    }
  }
  return split;
}"""
PHONE_PAGES = sorted({*PAGE_TYPES.values(), "/indicators/", "/901001033/2018/", "/putuo-tiyu-zhongxin/2022/", "/units/",
                      "/dg-jtj/2019/", "/putuo-tiyu-zhongxin/2022/p01-weituo-yunying-jiesuan/"})


def test_no_figure_is_split_from_its_unit_on_a_phone(browser, site_url):
    """Every page type at 360 px, the site's words and the authors' (indicator values, notes, the
    review's messages): 2023 / 年, 25.00 / 万元 and 2019-04- / 29 never end one line and start the next."""
    context, page = tab(browser, 360, is_mobile=True)
    split = {}
    for path in PHONE_PAGES:
        open_page(page, site_url, path)
        page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")  # what a reader opens too
        split[path] = page.evaluate(SPLIT)
    context.close()
    assert {path: found for path, found in split.items() if found} == {}


@pytest.mark.parametrize("path", ["/units/", "/years/2022/", "/901001033/", "/dg-jtj/2019/", SELF_EVALUATED, "/901001033/2018/", "peer"])
def test_lists_and_money_tables_fit_a_phone(browser, site_url, built, path):
    """The lists of units and unit-years, a unit-year's projects, the self-evaluations' money and a
    peer page's tables: every cell on the phone's screen (the budget, the results status and the
    peers' median never scrolled off to the right)."""
    if path == "peer":
        path = "/peers/" + sorted(p.name for p in (built / "peers").iterdir() if p.is_dir() and p.name not in ("k", "kind"))[0] + "/"
    context, page = tab(browser, 360, is_mobile=True)
    open_page(page, site_url, path)
    cells = page.eval_on_selector_all("main table:not(.pairs) :is(td, th)", """cells => cells
      .filter(c => c.getClientRects().length && !c.closest('thead'))
      .map(c => [c.innerText.trim().slice(0, 12), Math.round(c.getBoundingClientRect().right)])""")
    context.close()
    assert cells and [cell for cell in cells if cell[1] > 360] == []


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


def test_a_long_printed_table_repeats_its_header_words_on_every_page(page, site_url, content, tmp_path):
    """/indicators/ prints over twenty pages: each page of rows starts under the column names (the
    header's words are in sort buttons, and Chromium printed the repeated copies blank)."""
    pages = printed(page, site_url, "/indicators/", tmp_path / "i.pdf")
    names = {agency.name for agency in content.agencies}
    with_rows = ["".join(text.split()) for text in pages if any(name in "".join(text.split()) for name in names)]
    assert len(with_rows) > 10
    assert [n for n, flat in enumerate(with_rows) if not ("三级指标" in flat and "达成情况" in flat)] == []
    assert all("审核链接" not in flat for flat in with_rows)  # the column of the rows' # links is not printed


def test_printed_result_words_are_never_one_character_a_line(browser, site_url):
    """Printed (an A4 page's width), the short columns of the sortable tables keep 未判定 on one line."""
    context, tab = tab_at(browser, 794)
    for path in ("/indicators/", "/results/"):
        open_page(tab, site_url, path)
        tab.emulate_media(media="print")
        broken = tab.eval_on_selector_all("table.sortable td", """cells => cells.filter(c => {
          const text = c.firstChild;
          if (!text || text.nodeType !== 3 || !/^(未判定|未达成|达成)/.test(text.data)) return false;
          const range = document.createRange();
          range.selectNodeContents(text);
          return new Set([...range.getClientRects()].map(r => Math.round(r.bottom))).size > 1;
        }).length""")
        assert broken == 0, path
    context.close()


def test_a_printed_heading_and_its_introduction_go_with_their_table(page, site_url, tmp_path):
    pages = ["".join(text.split()) for text in printed(page, site_url, "/results/", tmp_path / "h.pdf")]
    [table_page] = [flat for flat in pages if "未达成或扣分的绩效指标" in flat]  # the table's caption
    assert "未达成和扣分的指标共" in table_page  # its heading and the line under it, not left a page before


def tab_at(browser, width: int):
    context = browser.new_context(viewport={"width": width, "height": 1123})
    return context, context.new_page()


@pytest.mark.parametrize("name", ["home", "unit-year", "project", "quality", "data", "regions", "search"])
def test_every_page_type_prints_its_address_without_navigation(page, site_url, name, tmp_path):
    path = PAGE_TYPES[name]
    pages = printed(page, site_url, path, tmp_path / "x.pdf")
    flat = "".join("".join(pages).split())
    assert "本页网址：" in flat and path.split("?")[0] in flat
    if "?" in path:  # a search prints its own address, its words as typed
        assert f"本页网址：https://budget-goals.example.org{path}" in flat
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


def test_a_unit_years_target_review_speaks_chinese(browser, site_url):
    """The 目标质量 section of a unit-year page is read by the same people as /quality/: no rule
    codes or key names on screen (东莞 2019 has vague-target and missing-dimension findings),
    the code and the check's own wording a click away."""
    context, page = tab(browser, 1280)
    open_page(page, site_url, "/dg-jtj/2019/")
    review = page.locator("section.review")
    visible = review.inner_text()
    assert "时效指标" in visible and re.findall(r"[a-z][a-z_.-]{2,}", visible) == []
    assert page.evaluate("[...document.querySelectorAll('section.review code')].every(c => c.closest('details'))")
    review.locator("details.technical summary").first.click()
    assert re.search(r"[a-z]+-[a-z]+", review.locator("details.technical[open]").inner_text())
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
    overall = {uy.agency.id for uy in content.unit_years() if uy.overall and uy.overall.evaluation} - evaluated
    assert overall  # 宁德 2018: a department-wide self-evaluation only
    context, page = tab(browser, 1280)
    open_page(page, site_url, "/units/")
    rows = page.eval_on_selector_all("main tbody tr", "rows => rows.map(r => [r.querySelector('a').getAttribute('href'), r.lastElementChild.innerText])")
    by_unit = {href.strip("/").split("/")[-1]: status for href, status in rows}
    assert by_unit and all(by_unit[a.id].startswith("已自评 · 达成") == (a.id in evaluated) for a in content.agencies)
    assert all(by_unit[a.id] == "已自评（部门整体）" for a in content.agencies if a.id in overall)
    assert all("自评未公开" in by_unit[a.id] for a in content.agencies if a.id not in evaluated | overall)
    open_page(page, site_url, "/regions/")
    assert page.locator("main li", has_text="已自评").count() == len(evaluated | overall)
    for unit_year in (uy for uy in content.unit_years() if uy.agency.id in overall):  # each year its own status
        open_page(page, site_url, unit_year.agency.url)
        row = page.locator("main tbody tr", has_text=f"{unit_year.year} 年").inner_text()
        assert ("已自评（部门整体）" in row) == bool(unit_year.overall and unit_year.overall.evaluation), row
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
        assert (answer.headers.get("Content-Disposition") or "inline").startswith("inline")  # shown, not saved
    open_page(page, site_url, "/data/")
    cells = page.eval_on_selector_all("main td:has(.size)", "cells => cells.map(c => [new URL(c.querySelector('a').href).pathname, c.querySelector('.size').textContent])")
    assert cells
    # every file of the download tables, the whole site's (全部) too, with its type and its size
    unsized = page.eval_on_selector_all("main table a[download]", "links => links.filter(a => !a.type || !a.parentElement.querySelector('.size')).map(a => a.href)")
    assert unsized == [] and {"/data/all.csv", "/data/all-overall.json"} <= {href for href, _ in cells}
    for href, size in cells:
        actual = (built / href.lstrip("/")).stat().st_size
        number, unit = size.split()
        assert abs(float(number) * {"B": 1, "KB": 1024, "MB": 1024 * 1024}[unit] - actual) <= 0.06 * actual + 1
    context.close()


def test_department_wide_pages_open_with_their_own_money_and_self_evaluation(browser, site_url, content):
    """A unit-year with only the department-wide table: its summary box gives that table's money and
    its self-evaluation, not 未列明 and 尚未公开自评 beside a published 自评表."""
    from sitegen.render.templates import money

    context, page = tab(browser, 360, is_mobile=True)
    for unit_year in (uy for uy in content.unit_years() if uy.overall and not uy.projects):
        open_page(page, site_url, unit_year.url)
        text = page.inner_text(".summary-box")
        o, e = unit_year.overall, unit_year.overall.evaluation
        amounts = [r.amount for r in o.sources if r.amount is not None]
        total = o.total if o.total is not None else e.adjusted if e and e.adjusted is not None else sum(amounts) if amounts else None
        assert total is not None and money(total, unit_year.money_unit) in text, unit_year.url
        assert "项目" not in text and "未列明" not in text, unit_year.url
        if e:
            assert "尚未公开自评" not in text and f"执行率\n{money(e.execution_rate)}%" in text, unit_year.url
        if amounts:  # the 资金来源 rows are on the page too
            assert all(money(a, unit_year.money_unit) in page.inner_text("main section.overall") for a in amounts)
    context.close()


def test_department_wide_downloads_give_their_size(built, content):
    from sitegen.render.html import overall_files, readable_size

    for unit_year in (uy for uy in content.unit_years() if uy.overall):
        html = (built / unit_year.url.strip("/") / "index.html").read_text(encoding="utf-8")
        for path in overall_files(unit_year):
            name = path.rsplit("/", 1)[1]
            shown = re.search(rf'href="[^"]*?{re.escape(name)}" type="[^"]+"( download)?>[^<]*</a> <span class="size nowrap">([^<]+)</span>', html)
            assert shown, (unit_year.url, name)
            assert shown.group(2).endswith(readable_size((built / path.lstrip("/")).stat().st_size)), name


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


# ---------------------------------------------------------------- the printed date

def test_printed_pages_carry_the_newest_date_of_what_they_show(page, site_url, content, built, tmp_path):
    """Without SOURCE_DATE_EPOCH, the newest publication date of the tables a page shows: the
    department-wide table's, the self-evaluations' and the sources' count (a page of only a
    department-wide table printed none); a site-wide page the newest of all."""
    from sitegen.render.dates import publication_dates

    newest = max(day for uy in content.unit_years() for day in publication_dates(uy, evaluations=False))
    flat = "".join("".join(printed(page, site_url, "/results/", tmp_path / "r.pdf")).split())
    assert f"数据公开日期{newest.isoformat()}" in flat
    for folder in ("indicators", "peers", "quality", "data"):  # the index's pages (pages_out.py) too
        html = (built / folder / "index.html").read_text(encoding="utf-8")
        assert f" · 数据公开日期 {newest.isoformat()}<span class=\"print-date\"></span></p>" in html, folder
    for unit_year in content.unit_years():
        html = (built / unit_year.url.strip("/") / "index.html").read_text(encoding="utf-8")
        footer = re.sub(r"<[^>]+>", "", re.search(r'<p class="print-only">(.*?)<span class="print-date"></span></p>', html).group(1))
        dates = publication_dates(unit_year)
        assert footer.endswith(f" · 数据公开日期 {max(dates).isoformat()}" if dates else unit_year.url), unit_year.url
    assert any(uy.overall and not uy.projects and publication_dates(uy) for uy in content.unit_years())
    for year in {uy.year for uy in content.unit_years()}:  # a year's page: that year's tables
        dates = [d for uy in content.unit_years() if uy.year == year for d in publication_dates(uy, evaluations=False)]
        html = (built / f"years/{year}/index.html").read_text(encoding="utf-8")
        footer = re.sub(r"<[^>]+>", "", re.search(r'<p class="print-only">(.*?)<span class="print-date"></span></p>', html).group(1))
        assert footer.endswith(f" · 数据公开日期 {max(dates).isoformat()}" if dates else f"/years/{year}/"), year


def test_a_build_date_is_printed_on_every_page_and_kept_out_of_its_bytes(site, tmp_path, monkeypatch, browser):
    """SOURCE_DATE_EPOCH is the build's date on every printed page, from static/build-date.css: a
    build with another date over the same cache prints the new one, its pages' bytes unchanged."""
    from sitegen.build.site import PDF, build, without
    from tests.conftest import served

    content, out, cache = site(), tmp_path / "out", tmp_path / "cache"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14
    build(content, out, renderers=without(PDF), cache_dir=cache)
    pages = sorted(p.relative_to(out) for p in out.rglob("*.html") if "pagefind" not in p.parts)
    before = {p: (out / p).read_bytes() for p in pages}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1765065600")  # 2025-12-07
    build(content, out, renderers=without(PDF), cache_dir=cache)
    assert {p: (out / p).read_bytes() for p in pages} == before
    context = browser.new_context()
    tab = context.new_page()
    with served(out) as url:
        for path in ("/u1/2024/p1/", "/indicators/", "/"):
            flat = "".join("".join(printed(tab, url, path, tmp_path / "p.pdf")).split())
            assert f"本页网址：https://example.org{path}" in flat and "网站生成日期2025-12-07" in flat, path
    context.close()


def test_a_page_without_a_publication_date_prints_the_contents_date(page, site_url, content, tmp_path):
    """Outside SOURCE_DATE_EPOCH, the date of the content's newest commit (none outside git)."""
    import subprocess as run

    assert not publication_dates_of(content, SELF_EVALUATED)
    stamp = run.run(["git", "-C", str(CONTENT), "log", "-1", "--format=%cI", "--", "."], capture_output=True, text=True).stdout[:10]
    flat = "".join("".join(printed(page, site_url, SELF_EVALUATED, tmp_path / "j.pdf")).split())
    if stamp:  # the example in its git checkout
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", stamp) and f"{SELF_EVALUATED}·内容更新日期{stamp}" in flat
    else:
        assert flat.endswith(SELF_EVALUATED)


def publication_dates_of(content, path: str) -> list:
    from sitegen.render.dates import publication_dates

    return publication_dates(next(p for p in content.projects() if p.url == path).unit_year)
