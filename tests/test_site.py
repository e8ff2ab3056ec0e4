"""The built example site in real headless Chromium, served on 127.0.0.1."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

from sitegen.build.site import PDF, build, without
from sitegen.checks.pipeline import load_content
from tests.conftest import CONTENT, FIGURES, MINIMAL, start_server, write_tree

PAGE_TYPES = {
    "home": "/",
    "years": "/years/",
    "year": "/years/2022/",
    "regions": "/regions/",
    "units": "/units/",
    "agency": "/418001/",
    "unit-year": "/418001/2022/",
    "project": "/418001/2022/window-service/",
    "project-long": "/057001/2023/training/",
    "project-declaration": "/015001/2020/p03-jiaoyu-jichu-sheshi/",
    "project-midterm": "/dg-jtj/2019/p01-zhenji-lianwanglu-gaizao/",
    "project-results": "/jishan-ybj/2020/p01-jiandang-lika-jiaofei-peitao/",
    "unit-year-overall": "/dg-zhanlanguan/2022/",
    "unit-year-overall-evaluation": "/901001033/2018/",  # a department-wide self-evaluation
    "unit-year-yuan": "/putuo-tiyu-zhongxin/2022/",  # a unit that publishes in 元
    "indicators": "/indicators/",
    "results": "/results/",
    "free-page": "/pages/how-to-read/",
    "search": "/search/?q=工伤鉴定",
    "data": "/data/",
    "quality": "/quality/",
    "404": "/404.html",
}
AXE = Path(__import__("axe_playwright_python").__file__).parent / "axe.min.js"
WIDTHS = (360, 1280)


def wait_for_results(page) -> None:
    """The search script has finished its run. A selector, not wait_for_function: that evaluates
    a string, which the pages' Content-Security-Policy forbids."""
    page.wait_for_selector("#results[aria-busy='false']", state="attached")


def open_page(page, site_url: str, path: str):
    response = page.goto(site_url + path)
    assert response.ok, (path, response.status)
    if path.startswith("/search/"):
        wait_for_results(page)
    return page


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_page_type_loads_without_console_errors(page, site_url, name):
    open_page(page, site_url, PAGE_TYPES[name])
    assert page.title()
    assert page.errors == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGE_TYPES)
def test_no_accessibility_violations(browser, site_url, name, width):
    """axe-core's every rule, at a phone's width and a desktop's (injecting axe needs the CSP off)."""
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    tab = context.new_page()
    open_page(tab, site_url, PAGE_TYPES[name])
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    context.close()
    assert [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]] == []


def test_scroll_boxes_are_reached_and_scrolled_by_keyboard(browser, site_url):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    tab = context.new_page()
    open_page(tab, site_url, PAGE_TYPES["project-midterm"])  # its 中期/年度 table scrolls; the others are cards
    box = tab.locator("main .table-wrap:has(table.pairs)").first
    assert box.get_attribute("role") == "region" and box.get_attribute("aria-label") == "绩效指标：中期与年度"
    assert tab.evaluate("(b) => b.scrollWidth > b.clientWidth", box.element_handle())  # it does scroll
    for _ in range(60):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.classList.contains('table-wrap')"):
            break
    else:
        raise AssertionError("the table's scroll box is never reached with Tab")
    tab.keyboard.press("ArrowRight")
    tab.wait_for_timeout(300)
    assert tab.evaluate("document.activeElement.scrollLeft") > 0
    context.close()


def test_every_header_cell_has_a_scope(built):
    """The site's own tables and the ones written in Markdown."""
    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.missing = 0
            self.count = 0

        def handle_starttag(self, tag, attrs):
            if tag == "th":
                self.count += 1
                self.missing += "scope" not in dict(attrs)

    total = 0
    for path in built.rglob("*.html"):
        cells = Cells()
        cells.feed(path.read_text(encoding="utf-8"))
        assert cells.missing == 0, path
        total += cells.count
    assert total > 300
    assert '<th scope="col">' in (built / "pages/how-to-read/index.html").read_text(encoding="utf-8")


def test_print_shows_the_content_without_navigation_and_tables_whole(page, site_url, tmp_path):
    content = load_content(CONTENT).content
    project = next(p for p in content.projects() if p.url == PAGE_TYPES["project-long"])
    open_page(page, site_url, project.url)
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header nav')).display") == "none"
    assert page.evaluate("[...document.querySelectorAll('.table-wrap')].every(b => b.scrollWidth <= b.clientWidth)")
    pdf = tmp_path / "print.pdf"
    page.pdf(path=str(pdf), format="A4")
    text = "".join(__import__("subprocess").run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                                check=True).stdout.split())
    assert "按地区" not in text and "跳到正文" not in text and "搜索" not in text  # no navigation
    missing = [i.name for i in project.indicators if "".join(i.name.split()) not in text]
    assert missing == [] and "".join(project.indicators[-1].value_text.split()) in text  # the last column too


def test_every_page_carries_the_content_security_policy(built):
    pages = [p for p in built.rglob("*.html") if "pagefind" not in p.parts]
    policy = ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; script-src \'self\' '
              "'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'\">")
    assert len(pages) >= 25 and all(policy in p.read_text(encoding="utf-8") for p in pages)


def csp_context(browser):
    """A context that records every Content-Security-Policy violation and every request."""
    context = browser.new_context()
    context.add_init_script("window.__violations = []; document.addEventListener('securitypolicyviolation',"
                            " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));")
    return context


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_the_policy_is_kept_by_every_page_type(browser, site_url, name):
    context = csp_context(browser)
    tab = context.new_page()
    messages = []
    tab.on("console", lambda m: messages.append(m.text) if m.type in ("error", "warning") else None)
    open_page(tab, site_url, PAGE_TYPES[name])
    if name == "search":  # Pagefind's script and WebAssembly ran under the policy
        assert tab.locator("#results li").count() >= 1
    assert tab.evaluate("window.__violations") == [] and messages == []
    context.close()


def test_search_works_under_the_policy(browser, site_url):
    context = csp_context(browser)
    tab = context.new_page()
    open_page(tab, site_url, "/search/")
    [first, *_] = search(tab, "人力资源社保窗口经办经费")
    assert first["title"] == "人力资源社保窗口经办经费"
    assert tab.evaluate("window.__violations") == []
    context.close()


def test_a_remote_image_in_markdown_is_never_loaded(browser, tmp_path):
    content = write_tree(tmp_path / "content", {**MINIMAL, "pages/x.md": "# 页面\n\n![跟踪](https://tracker.example/pixel.png)\n"})
    build(content, tmp_path / "out", renderers=without(PDF))
    server, url = start_server(tmp_path / "out")
    context = csp_context(browser)
    tab = context.new_page()
    failed, answered = [], []
    tab.on("requestfailed", lambda request: failed.append((request.url, request.failure)))
    tab.on("response", lambda response: answered.append(response.url))
    tab.goto(url + "/pages/x/")
    tab.wait_for_timeout(300)
    assert failed == [("https://tracker.example/pixel.png", "csp")]  # blocked by the policy, never sent
    assert not [r for r in answered if "tracker.example" in r]
    assert tab.evaluate("window.__violations") == ["img-src https://tracker.example/pixel.png"]
    context.close()
    server.shutdown()


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_phone_width_does_not_scroll_sideways(browser, site_url, name):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    tab = context.new_page()
    open_page(tab, site_url, PAGE_TYPES[name])
    assert tab.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def search(page, query: str) -> list[dict]:
    wait_for_results(page)
    page.fill("#q", query)
    page.evaluate("document.getElementById('results').setAttribute('aria-busy', 'pending')")
    page.click("#search-form button")
    wait_for_results(page)
    return page.eval_on_selector_all(
        "#results li", "items => items.map(li => ({title: li.querySelector('h2').textContent,"
        " path: new URL(li.querySelector('a').href).pathname, meta: li.querySelector('.meta').textContent}))")


def test_search_finds_every_project_and_every_indicator(page, site_url):
    content = load_content(CONTENT).content
    open_page(page, site_url, "/search/")
    queries = [(p.name, p.url) for p in content.projects()]
    queries += [(i.name, p.url) for p in content.projects() for i in p.indicators]
    misses = [(query, url) for query, url in queries if url not in [r["path"] for r in search(page, query)[:10]]]
    recall = 1 - len(misses) / len(queries)
    FIGURES.append(f"search recall: {len(queries) - len(misses)}/{len(queries)} = {recall:.1%} "
                   f"(every project name and every 三级指标, right project in the first 10 results)")
    assert misses == []


def test_result_shows_project_unit_year_and_budget(page, site_url):
    open_page(page, site_url, "/search/")
    [first, *_] = search(page, "人力资源社保窗口经办经费")
    assert first["title"] == "人力资源社保窗口经办经费"
    assert first["meta"] == "乌海市人力资源和社会保障局 · 2022 年 · 预算 65.00 万元"


def test_exact_phrase_results_come_first(page, site_url):
    content = load_content(CONTENT).content
    phrase = "办事群众满意度"
    containing = {p.url for p in content.projects() if any(phrase in i.name for i in p.indicators)}
    open_page(page, site_url, "/search/")
    paths = [r["path"] for r in search(page, phrase)]
    assert len(paths) > len(containing)  # the words alone match more projects
    assert set(paths[:len(containing)]) == containing


def test_facets_narrow_results(page, site_url):
    open_page(page, site_url, "/search/")
    everything = search(page, "满意度")
    assert {"2022 年", "2023 年"} <= {r["meta"].split(" · ")[1] for r in everything}  # more as content is added
    wait_for_results(page)
    page.evaluate("document.getElementById('results').setAttribute('aria-busy', 'pending')")
    page.check("#facets input[name=year][value='2023']")
    wait_for_results(page)
    narrowed = page.eval_on_selector_all("#results .meta", "items => items.map(i => i.textContent)")
    assert narrowed and all("2023 年" in m for m in narrowed)
    assert sum("祁连县" in m for m in narrowed) == 6
    assert "year=2023" in page.url  # the filtered search can be shared as a link


def test_search_page_without_javascript_points_to_browsing(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(site_url + "/search/")
    notice = tab.inner_text("main")
    assert "需要浏览器启用 JavaScript" in notice and "按年度" in notice
    context.close()


def test_project_page_reads_like_the_official_table(page, site_url):
    open_page(page, site_url, "/418001/2022/window-service/")
    table = page.locator("table.indicators")
    assert table.locator("caption").inner_text() == "绩效指标（12 项）"
    assert table.locator("thead th[scope=col]").count() == 6
    rowgroups = table.locator("tbody th[scope=rowgroup]")
    assert rowgroups.first.inner_text() == "产出指标" and rowgroups.first.get_attribute("rowspan") == "9"
    assert "65.00 万元" in page.inner_text(".facts")


# ---------------------------------------------------------------- without a browser


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        for key in ("href", "src"):
            if values.get(key) and not (tag == "link" and values.get("rel") == "canonical"):
                self.links.append(values[key])


def test_no_broken_internal_links(built):
    pages = {}
    for path in built.rglob("*.html"):
        parser = Links()
        parser.feed(path.read_text(encoding="utf-8"))
        pages["/" + path.relative_to(built).as_posix()] = parser
    broken = []
    for page_path, parser in pages.items():
        for link in parser.links:
            target = urlparse(urljoin(page_path, link))
            if target.scheme in ("http", "https", "mailto", "data") or link.startswith("data:"):
                continue
            file_path = unquote(target.path) + ("index.html" if target.path.endswith("/") else "")
            if not (built / file_path.lstrip("/")).is_file():
                broken.append((page_path, link))
            elif target.fragment and target.fragment not in pages.get(file_path, Links()).ids:
                broken.append((page_path, link))
    assert len(pages) >= 25 and broken == []


def test_project_page_is_light(built):
    page = built / "418001/2022/window-service/index.html"
    html = page.read_text(encoding="utf-8")
    weight = len(html.encode()) + (built / "static/site.css").stat().st_size
    FIGURES.append(f"project page weight: {weight / 1000:.1f} KB of HTML and CSS")
    assert weight <= 50_000
    assert "pagefind" not in re.sub(r"data-pagefind-[a-z]+", "", html)  # search assets only on the search page


def test_theme_overrides_layouts_and_static_file_by_file(tmp_path):
    site_root = tmp_path / "mysite"
    write_tree(site_root / "content", MINIMAL)
    write_tree(site_root, {"layouts/404.html": "{% extends 'base.html' %}{% block main %}<h1>本站自己的 404</h1>{% endblock %}",
                           "static/site.css": "body { color: #123; }"})
    out = tmp_path / "out"
    build(site_root / "content", out, cache_dir=tmp_path / "cache")
    assert "本站自己的 404" in (out / "404.html").read_text(encoding="utf-8")
    assert (out / "static/site.css").read_text(encoding="utf-8") == "body { color: #123; }"
    assert (out / "static/search.js").is_file()  # the other files stay built-in
    assert "找不到这个页面" not in (out / "404.html").read_text(encoding="utf-8")


def test_hostile_names_render_as_text_everywhere(browser, tmp_path):
    hostile = "<script>alert(1)</script>"
    project = MINIMAL["u1/2024/p1.yaml"].replace("name: 测试项目", f"name: '{hostile}'").replace(
        "name: 测试次数", "name: '<img src=x onerror=alert(2)>'")
    content = write_tree(tmp_path / "content", {**MINIMAL, "u1/2024/p1.yaml": project,
                                                "pages/x.md": "# 页面\n\n<script>alert(3)</script> [链接](javascript:alert(4))\n"})
    out = tmp_path / "out"
    build(content, out, cache_dir=tmp_path / "cache")
    server, url = start_server(out)
    context = browser.new_context()
    dialogs = []
    context.on("page", lambda p: p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss())))
    tab = context.new_page()
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in ("/", "/u1/2024/", "/u1/2024/p1/", "/pages/x/"):
        tab.goto(url + path)
        assert tab.locator("script", has_text="alert").count() == 0
    tab.goto(url + "/u1/2024/p1/")
    assert tab.inner_text("h1") == hostile
    assert "<img src=x onerror=alert(2)>" in tab.inner_text("table.indicators")
    tab.goto(url + "/pages/x/")
    assert "<script>alert(3)</script>" in tab.inner_text("main")
    assert tab.locator("a[href^='javascript']").count() == 0
    open_page(tab, url, "/search/")  # the search script is ready once its first run is done
    results = search(tab, "alert")
    assert [r["title"] for r in results] == [hostile]
    assert dialogs == []
    context.close()
    server.shutdown()
