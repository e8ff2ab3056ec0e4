"""Goals against results (issue 12): the 自评表 PDF read back, the results pages in Chromium,
the open data's result columns, and the search finding results text."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import textwrap
import unicodedata
from pathlib import Path

import pdfplumber
import pytest

from sitegen.build.site import build
from sitegen.checks.pipeline import load_content
from sitegen.render import Context
from sitegen.render.pdf import evaluation_pdf_path, render_pdfs, unit_year_evaluation_pdf_path
from sitegen.render.writer import Writer
from tests.conftest import CONTENT, FIGURES, MINIMAL, write_tree
from tests.test_pdf import page_texts, pdffonts, pdfinfo
from tests.test_site import AXE, open_page, search

DATA = Path(__file__).parent / "data"
JISHAN = "/jishan-ybj/2020/p01-jiandang-lika-jiaofei-peitao/"
PUTUO = "/putuo-tiyu-zhongxin/2022/p01-weituo-yunying-jiesuan/"


def example_project(url: str):
    return next(p for p in load_content(CONTENT).content.projects() if p.url == url)


def flat(text: str | None) -> str:
    """A cell as compared with the source: wrapped lines joined, full-width signs as half-width
    (the source's text store already normalised them), no spaces."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def pdf_rows(path: Path) -> list[list[str]]:
    """Every row of the form's tables, page by page, as its cells (those a merged cell covers left out)."""
    rows = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                rows += [[flat(c) for c in row if c is not None] for row in table]
    return rows


def grid_rows(path: Path) -> list[list[str]]:
    """The transcribed source form (research grid.tsv): `<` and `^` are cells merged left and up."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        # the form's own signs: >= is printed ≥ (the contract's one spelling of the comparison)
        rows.append([flat(c).replace(">=", "≥").replace("<=", "≤") for c in line.split("\t") if c not in ("<", "^")])
    return rows


# ---------------------------------------------------------------- the 自评表 PDF


def test_selfeval_pdf_reads_back_every_value_of_the_source_form(built):
    """稷山县 2020 (a target missed by 79 people, 2 points off; 总分 printed 94, computed 93)."""
    path = built / evaluation_pdf_path(example_project(JISHAN))
    title, year, *body = grid_rows(DATA / "selfeval_jishan_2020.tsv")
    text = flat(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout)
    assert "项目支出绩效自评表" in text and year[0] in text  # the regional title's 稷山县 is not printed
    expected = []
    for row in body:
        if row[0] == "绩效指标":  # the form's vertical label over the indicator block
            row = row[1:]
        # 执行率 is computed (65.07 / 65.66 = 99.10%), the source rounds it to 99%
        expected.append([kept_out_of_names("99.10%" if cell == "99%" else cell) for cell in row])
    assert pdf_rows(path) == expected


def kept_out_of_names(cell: str) -> str:
    """A source cell as the content keeps it (contract 2.1): without the template numbering before a
    三级 name (指标1:) and the printed weight after a 一级 name (产出指标(50分))."""
    return re.sub(r"^(产出指标|效益指标|满意度指标)\(\d+分\)$", r"\1", re.sub(r"^指标\d+[:：]", "", cell))


def test_selfeval_pdf_indicator_rows_of_a_second_form(built):
    """上海 普陀 2022, money in 元: every indicator row and the 总分 as printed."""
    path = built / evaluation_pdf_path(example_project(PUTUO))
    source = grid_rows(DATA / "selfeval_putuo_2022.tsv")
    start = next(n for n, row in enumerate(source) if row[0] == "绩效指标")
    rows = pdf_rows(path)
    header = rows.index(source[start][1:])
    assert rows[header + 1:] == source[start + 1:]
    assert rows[0] == source[2] and rows[1] == source[3]  # 项目名称; 主管部门 … 实施单位
    # Amounts with thousands separators and two decimals (contract 2.1, Money); the source prints 215,457.6.
    assert rows[3][:4] == ["年度资金总额", "250,000.00", "250,000.00", "215,457.60"]


def test_selfeval_pdfs_meet_the_pdf_standards(built):
    project = example_project(JISHAN)
    for path in (built / evaluation_pdf_path(project), built / unit_year_evaluation_pdf_path(project.unit_year)):
        info = pdfinfo(path)
        assert info["Page size"].startswith("841.89 x 595.2") and info["Tagged"] == "yes"
        fonts = pdffonts(path)
        assert fonts and all("Noto" in f[0] and "CJK-SC" in f[0] and f[-5] == "yes" for f in fonts)  # embedded
    size = (built / evaluation_pdf_path(project)).stat().st_size
    FIGURES.append(f"自评表 PDF (稷山县 2020, one page): {size / 1024:.1f} KB")
    assert size < 120_000


def test_unit_year_selfeval_pdf_is_its_forms_in_order(built):
    content = load_content(CONTENT).content
    for unit_year in content.unit_years():
        evaluated = [p for p in unit_year.projects if p.evaluation]
        path = built / unit_year_evaluation_pdf_path(unit_year)
        if not evaluated:
            assert not path.exists()
            continue
        assembled = page_texts(path)
        assert assembled == [t for p in evaluated for t in page_texts(built / evaluation_pdf_path(p))]
        assert pdfinfo(path)["Title"] == f"{unit_year.agency.name} {unit_year.year} 年项目支出绩效自评表"


def long_deviation_tree(root: Path, layout: str = "") -> Path:
    sentence = "".join(f"第{n:03d}句偏差原因。" for n in range(1, 101))  # 1,000 characters
    assert len(sentence) == 1000
    rows = "".join(
        f"  - {{level1: 产出指标, level2: 数量指标, name: 指标{n}, op: ≥, target: 10, unit: 次, score: 10, "
        f"actual: 8, earned: 8, deviation: \"{sentence if n == 3 else f'原因{n}'}\"}}\n" for n in range(1, 10)
    )
    files = {**MINIMAL, "u1/2024/p1.yaml": f"name: 长偏差\nbudget: 10.00\ngoals: g\nindicators:\n{rows}"
             "evaluation:\n  budget: {adjusted: 10.00, spent: 9.00}\n"}
    if layout:
        files["layouts/pdf/evaluation.html"] = layout
    write_tree(root, {f"content/{k}": v for k, v in files.items() if not k.startswith("layouts/")})
    write_tree(root, {k: v for k, v in files.items() if k.startswith("layouts/")})
    return root / "content"


def test_a_1000_character_deviation_breaks_across_pages_without_losing_text(tmp_path):
    content = long_deviation_tree(tmp_path)
    loaded = load_content(content)
    render_pdfs(loaded.content, Writer(tmp_path / "out"), Context(content, tmp_path / "cache"))
    path = tmp_path / "out" / evaluation_pdf_path(loaded.content.projects()[0])
    pages = [flat(t) for t in page_texts(path)]
    assert len(pages) >= 2
    sentences = [f"第{n:03d}句偏差原因。" for n in range(1, 101)]
    # the row starts on the first page and ends on the next: broken, not moved whole
    assert sentences[0] in pages[0] and sentences[-1] in pages[1] and sentences[-1] not in pages[0]
    assert "".join(pages).count("偏差原因。") == 100 and all(s in "".join(pages) for s in sentences)
    assert all("偏差原因分析及改进措施" in page for page in pages)  # the header row repeated
    assert "指标9" in pages[-1] and "总分" in pages[-1]


def test_selfeval_pdf_says_which_marks_are_inferred(built):
    """The 自评表 has no mark column; the marks this site inferred (推定, contract 2.1) are said under
    it, apart from the form: 稷山's 8755 → 8676 with neither sign nor direction. 普陀 has none."""
    for path in (built / JISHAN.strip("/") / f"jishan-ybj-2020-{JISHAN.strip('/').split('/')[-1]}-selfeval.pdf",
                 built / "jishan-ybj/2020/jishan-ybj-2020-selfeval.pdf"):
        text = flat(" ".join(page_texts(path)))
        assert flat("本站判定（推定，非原表内容）：全县参合人数目标8755、实际8676，未达成（推定）") in text, path
        assert flat("按指标类别推定：以不低于目标为达成") in text
    putuo = built / "putuo-tiyu-zhongxin/2022/putuo-tiyu-zhongxin-2022-selfeval.pdf"
    assert "推定" not in "".join(page_texts(putuo))


def test_an_inferred_cost_mark_is_at_most_in_the_pdf(tmp_path):
    """A 成本 indicator without sign or direction: 80 against 75 is 未达成（推定）, at most."""
    content = write_tree(tmp_path / "site", {**MINIMAL, "u1/2024/p1.yaml": """\
        name: 测试项目
        budget: 10.00
        goals: 完成测试
        indicators:
          - {level1: 成本指标, level2: 经济成本指标, name: 人均成本, target: 75, unit: 元, score: 50, actual: 80, earned: 40}
          - {level1: 产出指标, level2: 数量指标, name: 测试次数, target: 2, unit: 次, score: 50, actual: 3, earned: 50}
        evaluation:
          budget: {adjusted: 10.00, spent: 9.00}
        """})
    loaded = load_content(content)
    render_pdfs(loaded.content, Writer(tmp_path / "out"), Context(content, tmp_path / "cache"))
    text = flat(" ".join(page_texts(tmp_path / "out" / evaluation_pdf_path(loaded.content.projects()[0]))))
    assert flat("人均成本目标75元、实际80元，未达成（推定）；测试次数目标2次、实际3次，达成（推定）") in text
    assert flat("按指标类别推定：成本指标以不超过目标为达成，其他以不低于目标为达成。") in text


def test_a_site_layout_replaces_the_selfeval_form(tmp_path):
    own = (Path(__file__).parent.parent / "layouts/pdf/evaluation.html").read_text(encoding="utf-8")
    content = long_deviation_tree(tmp_path, own.replace("<h1>项目支出绩效自评表</h1>", "<h1>本站自己的自评表</h1>"))
    loaded = load_content(content)
    render_pdfs(loaded.content, Writer(tmp_path / "out"), Context(content, tmp_path / "cache"))
    assert "本站自己的自评表" in page_texts(tmp_path / "out" / evaluation_pdf_path(loaded.content.projects()[0]))[0]


# ---------------------------------------------------------------- pages


def test_project_page_shows_targets_and_results_row_by_row(page, site_url):
    project = example_project(JISHAN)
    open_page(page, site_url, JISHAN)
    table = page.locator("table.results")
    rows = table.locator("tbody tr")
    assert rows.count() == len(project.indicators)
    for n, indicator in enumerate(project.indicators):
        cells = rows.nth(n).locator("td")
        texts = [cells.nth(k).inner_text().strip() for k in range(cells.count())]
        assert texts[0] == indicator.name and texts[1] == indicator.value_text and texts[2] == indicator.actual_text
        assert texts[3].endswith(indicator.met_text) and indicator.met_label in texts[3]  # the word, not only a colour
        assert texts[6] == indicator.deviation
    first = [rows.nth(0).locator("td").nth(k).inner_text() for k in range(7)]
    # 8755 → 8676 with neither op nor direction: inferred (推定, contract 2.1), 2 points off
    assert first[3].endswith("未达成（推定）") and "扣 2 分" in first[5]
    foot = table.locator("tfoot").inner_text()
    assert "99.10%" in foot and "93" in foot and "原表印 94 分" in foot
    assert "65.07 万元" in page.inner_text("main") and "推进了因病致贫问题的基本性解决" in page.inner_text("table.outcome")
    assert page.errors == []


def test_no_row_is_未判定_without_its_reason(page, site_url):
    """Every evaluated project page in Chromium: a 未判定 mark always says why (目标值为文字 …), and
    a number target missed without sign or direction is 未达成（推定）, never 未判定."""
    projects = [p for p in load_content(CONTENT).content.projects() if p.evaluation]
    seen = 0
    for project in projects:
        open_page(page, site_url, project.url)
        marks = page.eval_on_selector_all("table.results tbody tr", "rows => rows.map(r => r.querySelectorAll('td')[3].innerText)")
        assert len(marks) == len(project.indicators), project.url
        for mark, indicator in zip(marks, project.indicators):
            if "未判定" in mark:
                seen += 1
                assert re.search(r"未判定（[^）]+）", mark), (project.url, indicator.name, mark)
            if indicator.inferred:
                assert "（推定）" in mark, (project.url, indicator.name, mark)
    assert seen >= 14  # 普陀 1, 临翔 2, 棠溪镇 11


def test_unit_page_summarises_its_results(built):
    html = (built / "jishan-ybj/index.html").read_text(encoding="utf-8")
    assert "绩效自评（1 个项目）：" in html and "达成率 83.33%</span>（达成 5 · 未达成 1 · 未判定 0 · 扣分 3 项）" in html
    bar = html.split('class="stack-bar"')[1].split("</svg>")[0]
    assert 'width="83.33"' in bar and 'width="16.67"' in bar  # 5 and 1 of 6, in % of the bar


def test_unit_page_lists_projects_whose_year_is_over_without_results(page, site_url, built):
    # The content's newest budget year is 2023, so 乌海 2022 is over and has no self-evaluation.
    open_page(page, site_url, "/418001/")
    listed = page.locator("section.awaiting li a")
    assert listed.count() == 9 and "办公楼运行维护费" in page.inner_text("section.awaiting")
    open_page(page, site_url, "/057001/")  # 2023, the newest year: not over
    assert page.locator("section.awaiting").count() == 0
    html = (built / "418001/2022/window-service/index.html").read_text(encoding="utf-8")
    assert "2022 预算年度已结束，尚未公开绩效自评" in html


def test_unit_year_page_summarises_results(page, site_url):
    open_page(page, site_url, "/jishan-ybj/2020/")
    summary = page.inner_text("section.results-summary")
    # 达成 ÷ (达成 + 未达成) = 5 ÷ 6, the counts and the points lost beside it
    assert "1 / 1" in summary and "83.33%" in summary and "65.07 万元" in summary and "93.00" in summary
    assert "达成 5 · 未达成 1 · 未判定 0 · 扣分 3 项" in summary


def test_lists_of_units_years_and_regions_show_the_counts_beside_the_share(page, site_url):
    """The share is over the judged only (contract 2.1): a list saying 100.00% must say beside it
    that 11 of 棠溪镇's 17 were not judged, and 稷山 that one was missed and 3 lost points."""
    tangxi = "已自评 · 达成 6 · 未达成 0 · 未判定 11（达成率 100.00%）"
    jishan = "已自评 · 达成 5 · 未达成 1 · 扣分 3 项（达成率 83.33%）"
    open_page(page, site_url, "/units/")
    assert page.locator("main tbody tr", has_text="棠溪镇").inner_text().endswith(tangxi)
    assert page.locator("main tbody tr", has_text="稷山县").inner_text().endswith(jishan)
    open_page(page, site_url, "/regions/")
    assert f"（{jishan}）" in page.locator("main li", has_text="稷山县医疗保障局").inner_text()
    # 宁德 published a department-wide self-evaluation for 2018 (no indicators read), none for 2019
    open_page(page, site_url, "/901001033/")
    assert page.locator("main tbody tr", has_text="2018 年").inner_text().endswith("已自评（部门整体）")
    assert page.locator("main tbody tr", has_text="2019 年").first.inner_text().endswith("自评未公开")
    open_page(page, site_url, "/years/2018/")
    assert page.locator("main tbody tr", has_text="宁德").inner_text().endswith("已自评（部门整体）")
    for path in ("/", "/years/2022/"):
        open_page(page, site_url, path)
        row = page.locator("main tbody tr", has_text="棠溪镇").filter(has_text="已自评")  # not the chart's table
        assert row.inner_text().endswith(tangxi), path


def test_summary_box_names_the_points_lost(page, site_url):
    """The box that opens a project and a unit-year page: counts, 扣分 N 项 and 执行率 as a percentage."""
    for path in (JISHAN, "/jishan-ybj/2020/"):
        open_page(page, site_url, path)
        box = " ".join(page.inner_text("section.summary-box").split())
        assert "达成 5 · 未达成 1 · 扣分 3 项" in box and "执行率 99.10%" in box, path
    open_page(page, site_url, PUTUO)  # nothing lost: no 扣分 part
    assert "扣分" not in page.inner_text("section.summary-box")
    # 宁德 2018: a department-wide self-evaluation without indicators is published, never 尚未公开自评
    open_page(page, site_url, "/901001033/2018/")
    box = " ".join(page.inner_text("section.summary-box").split())
    assert "目标达成 自评未列指标" in box and "执行率 92.56%" in box and "尚未公开自评" not in box
    open_page(page, site_url, "/901001033/2019/")  # its goals only: no self-evaluation
    assert "尚未公开自评" in page.inner_text("section.summary-box")


def test_results_page_ranks_units_and_lists_shortfalls(page, site_url):
    content = load_content(CONTENT).content
    open_page(page, site_url, "/results/")
    names = page.eval_on_selector_all("#ranking tbody th a", "links => links.map(a => a.textContent)")
    evaluated = {p.agency.name for p in content.projects() if p.evaluation}
    # 达成 ÷ (达成 + 未达成): 棠溪镇 with 0 missed and 11 of 17 not judged ranks with the 100% ones,
    # never last; 稷山 (5 of 6 judged met) follows them
    assert set(names) == evaluated and names[-1] == "稷山县医疗保障局" and "池州市贵池区棠溪镇人民政府" in names[:3]
    shares = page.eval_on_selector_all("#ranking tbody td:nth-child(11)", "cells => cells.map(c => c.textContent.trim())")
    assert shares == ["100.00%", "100.00%", "100.00%", "83.33%"]
    assert page.locator("#ranking svg.stack-bar").count() == 4
    shortfalls = [(p, i) for p in content.projects() if p.evaluation for i in p.indicators
                  if i.met is False or i.lost_points]
    rows = page.locator("#shortfalls tbody tr")
    assert rows.count() == len(shortfalls) == 3
    assert "建档立卡中有新增死亡人员" in page.inner_text("#shortfalls")
    assert page.locator("svg[role=img]").count() == 1 and page.locator("figure.chart details table").count() == 1
    # filtering (the script in static/) hides rows without a server, and says how many are shown
    page.fill("#filter-text", "看病难")
    assert page.locator("#shortfalls tbody tr:not([hidden])").count() == 1
    assert page.inner_text(".filter-status") == "显示 1 / 3 项"
    page.fill("#filter-text", "")
    page.select_option("#filter-result", "未达成")  # 全县参合人数, 未达成（推定）: no row is 未判定 any more
    assert page.locator("#shortfalls tbody tr:not([hidden])").count() == 1
    assert "未达成（推定）" in page.inner_text("#shortfalls tbody tr:not([hidden])")
    # sorting by 扣分, largest first on the second click
    page.select_option("#filter-result", "")
    button = page.locator("#shortfalls thead th", has_text="扣分").locator("button")
    button.click()
    button.click()
    lost = page.eval_on_selector_all("#shortfalls tbody tr td:nth-child(10)", "cells => cells.map(c => c.textContent)")
    assert lost == ["3", "2", "1"]
    assert page.locator("#shortfalls thead th[aria-sort=descending]").count() == 1
    assert page.errors == []


def test_results_page_without_javascript_is_a_plain_table(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(site_url + "/results/")
    assert tab.locator("#shortfalls tbody tr").count() == 3
    assert not tab.locator("form.table-filter").is_visible()  # the filter needs the script; hidden without it
    assert tab.locator("#shortfalls thead button").count() == 0
    context.close()


@pytest.mark.parametrize("path", ["/results/", JISHAN, "/jishan-ybj/2020/", "/418001/"])
@pytest.mark.parametrize("width", [360, 1280])
def test_results_pages_are_accessible_at_both_widths(browser, site_url, path, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=width == 360, bypass_csp=True)  # to inject axe
    tab = context.new_page()
    open_page(tab, site_url, path)
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]] == []
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


def test_results_script_respects_the_csp(built):
    html = (built / "results/index.html").read_text(encoding="utf-8")
    assert '<script src="../static/results.js" defer></script>' in html
    assert "<script>" not in html and " on" + "click=" not in html
    assert (built / "static/results.js").is_file()


def test_search_finds_a_project_by_its_deviation_and_outcome(page, site_url):
    open_page(page, site_url, "/search/")
    assert search(page, "新增死亡人员")[0]["path"] == JISHAN
    assert search(page, "委托运营方费用结算")[0]["path"] == PUTUO


# ---------------------------------------------------------------- open data


def test_csv_has_target_actual_and_met_for_every_indicator(built):
    text = (built / "data/all.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    [missed] = [r for r in rows if r["indicator"] == "全县参合人数"]
    assert (missed["target"], missed["actual"], missed["earned"], missed["lost_points"], missed["met"]) == \
        ("8755", "8676", "13", "2", "未达成")
    assert missed["met_basis"] == "inferred"
    assert missed["deviation"] == "建档立卡中有新增死亡人员,导致有偏差"
    assert (missed["evaluation_adjusted"], missed["evaluation_spent"], missed["execution_rate"]) == ("65.66", "65.07", "99.10")
    assert (missed["evaluation_total"], missed["evaluation_stated_total"]) == ("93", "94")
    evaluated = [r for r in rows if r["evaluation_spent"]]
    assert {r["met"] for r in evaluated} == {"达成", "未达成", "未判定"}
    assert {r["met_basis"] for r in evaluated if r["met"] == "未判定"} == {""}
    assert {r["met"] for r in rows if not r["evaluation_spent"]} == {""}  # no self-evaluation: nothing judged
    schema = json.loads((built / "data/datapackage.json").read_text(encoding="utf-8"))["resources"][0]["schema"]
    fields = {f["name"]: f for f in schema["fields"]}
    assert fields["met"]["title"] == "目标达成" and fields["actual_number"]["type"] == "number"
    assert list(rows[0]) == [f["name"] for f in schema["fields"]]


def test_json_met_is_true_false_or_null(built):
    document = json.loads((built / "data/all.json").read_text(encoding="utf-8"))
    projects = {p["url"]: p for d in document["disclosures"] for p in d["projects"]}
    jishan = projects[JISHAN]
    assert [i["met"] for i in jishan["indicators"]] == [False, True, True, True, True, True]
    assert [i["met_basis"] for i in jishan["indicators"]] == ["inferred", "equal", "equal", "equal", "equal", "equal"]
    assert jishan["evaluation"]["budget"] == {"initial": None, "adjusted": "65.66", "spent": "65.07"}
    assert jishan["evaluation"]["total"] == "93" and jishan["evaluation"]["stated_total"] == "94"
    assert projects["/418001/2022/window-service/"]["evaluation"] is None


def test_a_missed_target_is_false_in_json_and_未达成_in_csv(tmp_path):
    from sitegen.build.site import PDF, without

    files = {**MINIMAL, "u1/2024/p1.yaml": textwrap.dedent(MINIMAL["u1/2024/p1.yaml"]).replace("score: 90}", "score: 90, actual: 1, earned: 80, deviation: 延期}")
             + "evaluation:\n  budget: {adjusted: 10.00, spent: 9.00}\n"}
    out = tmp_path / "out"
    build(write_tree(tmp_path / "content", files), out, renderers=without(PDF), cache_dir=tmp_path / "c")
    [indicator] = json.loads((out / "data/all.json").read_text(encoding="utf-8"))["disclosures"][0]["projects"][0]["indicators"]
    assert indicator["met"] is False and indicator["actual"] == "1" and indicator["earned"] == "80"
    [row] = csv.DictReader(io.StringIO((out / "data/all.csv").read_bytes().decode("utf-8-sig")))
    assert (row["met"], row["lost_points"], row["deviation"]) == ("未达成", "10", "延期")
    html = (out / "u1/2024/p1/index.html").read_text(encoding="utf-8")
    assert "✗</span> 未达成" in html and "扣 10 分" in html


def test_xlsx_has_the_result_columns_on_evaluated_sheets(built):
    import openpyxl

    book = openpyxl.load_workbook(built / "data/all.xlsx")
    jishan = [row for row in book["jishan-ybj-2020"].iter_rows(values_only=True)]
    start = jishan[0].index("实际完成值")  # after the flat columns and the v2 cells the sheet fills (实施单位)
    assert jishan[0][start:] == ("实际完成值", "得分", "目标达成", "偏差原因分析及改进措施", "全年预算数（万元）",
                                 "全年执行数（万元）", "执行率（%）")
    # 8755 → 8676 without op or direction: the inferred mark says so here as on the page and in the PDF
    assert jishan[1][start:start + 4] == (8676, 13, "未达成（推定）", "建档立卡中有新增死亡人员,导致有偏差")
    assert [row[start + 2] for row in jishan[2:]] == ["达成"] * 5  # equal numbers: met, not inferred
    putuo = next(book["putuo-tiyu-zhongxin-2022"].iter_rows(values_only=True))
    assert putuo[3] == "预算数（元）" and putuo[-3:-1] == ("全年预算数（元）", "全年执行数（元）")
    assert len(next(book["418001-2022"].iter_rows(values_only=True))) == 13  # no self-evaluation: the flat table


# ---------------------------------------------------------------- a site without results


def test_a_site_without_self_evaluations_shows_no_results_views(tmp_path):
    content = write_tree(tmp_path / "content", MINIMAL)
    out = tmp_path / "out"
    build(content, out, cache_dir=tmp_path / "cache")
    assert not list(out.rglob("*selfeval.pdf"))
    assert not (out / "results").exists()
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "绩效结果" not in text and "results.css" not in text and "尚未公开绩效自评" not in text


def test_self_evaluation_warnings_on_the_command_line_and_the_quality_page(built):
    from tests.conftest import run

    code, out, err = run("check", str(CONTENT))
    printed = out + err
    assert "evaluation.stated_total: 项目「建档立卡个人缴费县级配套资金」原表总分（evaluation.stated_total）94" in printed
    assert "三级指标「受益农户满意度」缺少实际完成值（actual） [missing-actual]" in printed
    quality = (built / "quality/index.html").read_text(encoding="utf-8")
    # /quality/ groups by rule, titled in Chinese; the rule codes stay inside each row's details
    assert 'id="rule-evaluation-total"' in quality and "原表自评总分与各项得分之和不一致" in quality
    assert "<code>evaluation-total</code>" in quality and "<code>missing-actual</code>" in quality
