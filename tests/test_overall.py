"""The department-wide table (overall.yaml): the unit-year page in Chromium, the PDF forms
read back cell by cell, the open data and the search index, on the example content and on
one small tree whose unit has projects beside its overall table."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import openpyxl
import pdfplumber
import pytest

from sitegen.build.site import build
from sitegen.checks.pipeline import load_content
from sitegen.model.money import amount_text
from sitegen.render.overall import overall_evaluation_pdf_path, overall_pdf_path
from sitegen.render.data.overall import INDICATOR_COLUMNS, TASK_COLUMNS
from sitegen.render.table import indicator_rows
from tests.conftest import CONTENT, MINIMAL, served, write_tree
from tests.test_pdf import page_tables
from tests.test_site import AXE, search

NINGDE = "/901001033/2019/"
NINGDE_EVALUATED = "/901001033/2018/"

LONG = "".join(
    f"  - {{level1: 效益指标, level2: 社会效益指标, name: 第{n:02d}项单位指标, op: ≥, target: {n}, unit: 次}}\n"
    for n in range(1, 38)
)
OVERALL = f"""\
title: 测试单位2024年度部门整体支出绩效目标表
published: 2024-02-01
funds: {{total: 100.00, basic: 60.00, project: 40.00}}
sources: [{{source: 财政拨款, amount: 95.00}}, {{source: 其他资金, amount: 5.00}}]
duties: 负责全市就业服务和职业培训工作
goals: [保障机构正常运转, 组织就业招聘活动]
midterm:
  period: 2024年-2026年
  goals: [三年举办招聘会40场]
  indicators:
    - {{level1: 产出指标, level2: 数量指标, name: 三年招聘会场次, op: ≥, target: 40, unit: 场}}
tasks:
  - {{duty: 就业服务, task: 组织招聘会, project: 测试项目, amount: 10.00}}
  - {{duty: 机构运转, task: 按时发放工资, project: 基本支出, amount: 60.00}}
  - {{duty: "=SUM(A1)", task: 开展技能培训, project: 技能培训补贴}}
indicators:
  - {{level1: 产出指标, level2: 数量指标, name: 招聘会场次, explanation: 全年举办的招聘会, op: ≥, target: 12, unit: 场, scoring: 每少一场扣1分, score: 20, actual: 14, earned: 20}}
  - {{level1: 产出指标, level2: 数量指标, name: 培训人数, op: ≥, target: 500, unit: 人, score: 20, actual: 450, earned: 15, deviation: 疫情停课两月, remark: 含线上培训}}
  - {{level1: 产出指标, level2: 时效指标, name: 工资发放, target: 按月发放, score: 10, actual: 按月发放, earned: 10}}
{LONG}evaluation:
  budget: {{initial: 100.00, adjusted: 104.00, spent: 98.80}}
  funding: [{{source: 本年财政拨款, initial: 95.00, adjusted: 99.00, spent: 94.05}}]
  execution: {{weight: 10, earned: 9.5}}
  outcome: [机构正常运转, 举办招聘会14场]
  conclusion: 基本完成年度目标
  stated_total: 54.5
"""
TREE = {
    **MINIMAL,
    "u1/2024/p2.yaml": MINIMAL["u1/2024/p1.yaml"].replace("测试项目", "技能培训补助资金").replace("10.00", "5.00"),
    "u1/2024/overall.yaml": OVERALL,
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """The small tree built once with every renderer (HTML, PDF, open data, search)."""
    root = tmp_path_factory.mktemp("overall")
    out = root / "output"
    build(write_tree(root / "content", TREE), out, cache_dir=root / "cache")
    return out


@pytest.fixture(scope="module")
def tree_url(tree):
    with served(tree) as url:
        yield url


def unit_year(content_dir: Path, agency: str, year: int):
    return next(uy for uy in load_content(content_dir).content.unit_years() if uy.agency.id == agency and uy.year == year)


# ---------------------------------------------------------------- the page, in Chromium


def test_the_unit_year_page_opens_with_the_department_wide_table(page, tree_url):
    page.goto(tree_url + "/u1/2024/")
    headings = page.eval_on_selector_all("main h2", "hs => hs.map(h => h.textContent)")
    assert headings[:2] == ["部门整体支出绩效目标", "项目支出绩效目标"]
    legend = page.eval_on_selector_all(".funds-bar .legend li", "items => items.map(li => li.textContent.trim())")
    assert legend == ["基本支出 60.00 万元（60.00%）", "项目支出 40.00 万元（40.00%）",
                      "测试项目 10.00 万元（25.00%）", "技能培训补助资金 5.00 万元（12.50%）", "未单独公开的项目 25.00 万元（62.50%）"]
    widths = page.eval_on_selector_all(".funds-bar > svg", "svgs => svgs.map(s => [...s.querySelectorAll('rect')].map(r => +r.getAttribute('width')))")
    assert widths == [[360.0, 240.0], [150.0, 75.0, 375.0]]  # of 600: the bars draw what the text says
    titles = page.eval_on_selector_all(".funds-bar > svg title", "ts => ts.map(t => t.textContent)")
    assert titles[0] == "基本支出 60.00 万元（60.00%）；项目支出 40.00 万元（40.00%）"
    assert page.get_attribute(".funds-bar a", "href") == "p1/"
    assert "财政拨款" in page.inner_text(".facts") and "95.00 万元" in page.inner_text(".facts")
    assert "负责全市就业服务和职业培训工作" in page.inner_text(".duties")
    midterm = page.locator("table.indicators").first
    assert midterm.locator("caption").inner_text() == "中期绩效指标（1 项）"
    assert midterm.locator("tbody td").all_inner_texts() == ["三年招聘会场次", "≥40场"]


def test_each_task_links_its_project_when_the_names_match(page, tree_url):
    page.goto(tree_url + "/u1/2024/")
    rows = page.eval_on_selector_all("table.tasks tbody tr", """rows => rows.map(r => [...r.cells].map(c =>
        c.querySelector('a') ? c.textContent + ' → ' + c.querySelector('a').getAttribute('href') : c.textContent))""")
    assert rows == [["就业服务", "组织招聘会", "测试项目 → p1/", "10.00"], ["机构运转", "按时发放工资", "基本支出", "60.00"],
                    ["=SUM(A1)", "开展技能培训", "技能培训补贴", ""]]  # no match: the warning names 技能培训补助资金


def test_the_evaluation_shows_target_actual_and_the_computed_result(page, tree_url):
    page.goto(tree_url + "/u1/2024/")
    rows = page.eval_on_selector_all(".evaluation table.indicators tbody tr", """rows => rows.map(r =>
        [...r.querySelectorAll('td')].slice(0, 4).map(c => c.textContent))""")
    assert rows[:3] == [["招聘会场次", "≥12场", "14场", "达成"], ["培训人数", "≥500人", "450人", "未达成（扣分）"],
                        ["工资发放", "按月发放", "按月发放", "未判定（目标值为文字）"]]
    assert "达成 1 项，未达成 1 项，未判定 38 项" in page.inner_text(".result-counts")
    assert page.inner_text(".evaluation tfoot").split() == ["总分", "54.5"]  # 20 + 15 + 10 + 9.5, as stated
    money = page.eval_on_selector_all(".evaluation table:first-of-type tbody tr", "rows => rows.map(r => r.innerText.split('\\t'))")
    assert money[0] == ["年度资金总额", "100.00", "104.00", "98.80", "95.00%", "10", "9.5"]


@pytest.mark.parametrize("width", [360, 1280])
def test_axe_finds_nothing_and_phones_do_not_scroll_sideways(browser, tree_url, site_url, width):
    """Every axe-core rule (injecting axe needs the CSP off), and without it no console error:
    nothing on the page breaks the Content-Security-Policy."""
    urls = (tree_url + "/u1/2024/", site_url + NINGDE, site_url + NINGDE_EVALUATED, site_url + "/dg-zhanlanguan/2022/")
    for bypass_csp in (False, True):
        context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 400, bypass_csp=bypass_csp)
        tab = context.new_page()
        errors: list[str] = []
        tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        for url in urls:
            assert tab.goto(url).ok
            assert tab.evaluate("document.documentElement.scrollWidth") <= width, url
            if bypass_csp:
                tab.add_script_tag(path=str(AXE))
                result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
                assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]] == [], url
        assert errors == [] or bypass_csp, errors
        context.close()


def test_the_example_page_has_the_real_table(page, site_url):
    page.goto(site_url + NINGDE)
    assert page.inner_text("h1") == "中共宁德市委党史和地方志研究室 2019 年预算绩效目标"
    assert [d.strip() for d in page.eval_on_selector_all(".facts dd", "ds => ds.map(d => d.textContent)")] == \
        ["171.41 万元", "110.61 万元", "60.80 万元"]
    assert page.inner_text("table.tasks tfoot").split() == ["合计", "232.21"]
    assert "下载部门整体支出绩效目标表 PDF" in page.inner_text(".downloads")
    assert page.locator("section.projects").count() == 0  # no project tables were published for it
    page.goto(site_url + NINGDE_EVALUATED)
    assert "本表未列年度预算安排" in page.inner_text("main")
    assert "目标3完成情况:基本完成,达成率为97%" in page.inner_text(".evaluation")
    assert page.get_attribute("a[href$='-overall-evaluation.pdf']", "href") == "901001033-2018-overall-evaluation.pdf"


def test_search_finds_the_unit_by_its_duties_goals_and_tasks(page, site_url):
    page.goto(site_url + "/search/")
    o = unit_year(CONTENT, "901001033", 2019).overall
    for query in (o.tasks[0].duty, o.goals[3].split(":", 1)[1], o.tasks[1].task, o.tasks[0].project):
        results = search(page, query)
        assert NINGDE in [r["path"] for r in results][:3], query
    [hit] = [r for r in search(page, o.tasks[0].duty) if r["path"] == NINGDE]
    assert hit["title"] == "中共宁德市委党史和地方志研究室 2019 年部门整体支出绩效目标"
    assert hit["meta"] == "部门整体支出 · 中共宁德市委党史和地方志研究室 · 2019 年 · 资金总额 171.41 万元"


def test_the_quality_page_names_the_department_wide_table(built):
    html = (built / "quality/index.html").read_text(encoding="utf-8")
    section = html.split('id="901001033"', 1)[1].split("</section>", 1)[0]  # the unit's index of rules
    assert section.count("部门整体目标表") == 2 and 'href="#rule-overall-tasks-over-funds"' in section
    group = html.split('id="rule-overall-tasks-over-funds"', 1)[1].split("</section>", 1)[0]
    assert '<td data-label="项目">部门整体支出绩效目标表</td>' in group and "中共宁德市委党史和地方志研究室" in group


# ---------------------------------------------------------------- the PDF forms, read back


def pdf_rows(path: Path) -> list[list[str]]:
    """Every row of every table on every page, as printed: the cells a merged cell covers
    (None) left out, line breaks inside a cell removed, so a wrapped value reads whole.
    A merged cell that continues from the previous page reads '' there, and is left out too."""
    with pdfplumber.open(path) as pdf:
        rows = [[(c or "").replace("\n", "") for c in row] for page in pdf.pages for table in page_tables(page) for row in table]
        raw = [[c for c in row] for page in pdf.pages for table in page_tables(page) for row in table]
    return [[c for c, r in zip(row, raw_row) if r is not None] for row, raw_row in zip(rows, raw)]


def split_merged(rows: list[list[str]], width: int) -> tuple[list[str], list[list[str]]]:
    """The texts of the merged 一级/二级 cells in order, and each row's own last `width` cells."""
    return [c for r in rows for c in r[:-width] if c], [r[-width:] for r in rows]


def expected_indicator_rows(indicators, cells) -> list[list[str]]:
    return [[s.text for s in (r.level1, r.level2) if s] + cells(r.indicator) for r in indicator_rows(indicators)]


def test_the_example_form_reads_back_cell_by_cell(built):
    uy = unit_year(CONTENT, "901001033", 2019)
    o = uy.overall
    rows = pdf_rows(built / overall_pdf_path(uy))
    assert rows == [
        ["部门（单位）名称", "中共宁德市委党史和地方志研究室", "部门预算编码", "901001033"],
        ["年度预算安排（万元）", "资金总额", "171.41"], ["项目支出", "60.80"], ["基本支出", "110.61"],
        ["年度总体目标", "".join(o.goals)],
        ["年度履职目标"], ["部门职能", "年度目标任务", "支出项目名称", "预算金额（万元）"],
        *[[t.duty, t.task, t.project, amount_text(t.amount)] for t in o.tasks],
        ["一级指标", "二级指标", "三级指标", "指标解释", "指标值"],
        *expected_indicator_rows(o.indicators, lambda i: [i.name, i.explanation, i.value_text]),
    ]
    assert rows[-4][-1] == "≥60%"
    text = subprocess.run(["pdftotext", "-layout", str(built / overall_pdf_path(uy)), "-"], capture_output=True, text=True).stdout
    assert "部门整体支出绩效目标表" in text and "（2019年度）" in text and "第1页共1页" in text.replace(" ", "")


def test_the_example_self_evaluation_form_reads_back(built):
    uy = unit_year(CONTENT, "901001033", 2018)
    rows = pdf_rows(built / overall_evaluation_pdf_path(uy))
    assert rows[:3] == [
        ["部门（单位）名称", "中共宁德市委党史和地方志研究室", "部门预算编码", "901001033"],
        ["部门资金（元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["年度资金总额", "2,537,695.00", "2,751,417.82", "2,546,673.98", "", "92.56%", ""],
    ]
    assert rows[4] == ["其中：②市级财政资金", "2,537,695.00", "2,751,417.82", "2,546,673.98", "", "", ""]
    assert rows[-2:] == [["年度总体目标", "预期目标", "实际完成情况"],
                         ["".join(uy.overall.goals), "".join(uy.overall.evaluation.outcome)]]


def test_a_long_form_repeats_its_header_and_keeps_every_row(tree):
    uy = unit_year(tree.parent / "content", "u1", 2024)
    path = tree / overall_pdf_path(uy)
    header = ["一级指标", "二级指标", "三级指标", "指标解释", "指标值", "评(扣)分标准", "备注"]
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) >= 2
        later = [[(c or "").replace("\n", "") for c in page.extract_tables()[0][0] if c is not None] for page in pdf.pages[1:]]
    assert all(first == header for first in later)  # the header row on every page
    rows = [r for r in pdf_rows(path) if r != header]
    body = rows[rows.index(["部门职能", "年度目标任务", "支出项目名称", "预算金额（万元）"]) + 4:]
    expected = expected_indicator_rows(uy.overall.indicators, lambda i: [i.name, i.explanation, i.value_text, i.scoring, i.remark])
    assert split_merged(body, 5) == split_merged(expected, 5)
    assert body[0] == ["产出指标", "数量指标", "招聘会场次", "全年举办的招聘会", "≥12场", "每少一场扣1分", ""]
    assert rows[1:5] == [["年度预算安排（万元）", "资金总额", "100.00"], ["项目支出", "40.00"], ["基本支出", "60.00"], ["其中：财政拨款", "95.00"]]


def test_the_self_evaluation_form_has_results_and_the_total(tree):
    uy = unit_year(tree.parent / "content", "u1", 2024)
    rows = pdf_rows(tree / overall_evaluation_pdf_path(uy))
    assert rows[2] == ["年度资金总额", "100.00", "104.00", "98.80", "10", "95.00%", "9.5"]
    header = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    start = rows.index(header)
    body = [r for r in rows[start:] if r != header]
    assert body[:3] == [["产出指标", "数量指标", "招聘会场次", "≥12场", "14场", "20", "20", ""],
                        ["培训人数", "≥500人", "450人", "20", "15", "疫情停课两月"], ["时效指标", "工资发放", "按月发放", "按月发放", "10", "10", ""]]
    assert ["总分", "60", "54.5", ""] in body  # 分值 20 + 20 + 10 + 执行率 10
    assert ["评价结论", "基本完成年度目标"] in rows


def test_forms_are_a4_landscape_tagged_with_fonts_embedded(tree):
    for path in sorted(tree.glob("u1/2024/*overall*.pdf")):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        assert "841.89 x 595.27" in info and "Tagged:          yes" in info and "2024 UTC" in info
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
        assert not fonts.stderr
        assert all(line.split()[-5] == "yes" and "Noto" in line for line in fonts.stdout.splitlines()[2:])


def test_forms_are_deterministic_and_a_site_replaces_them(tmp_path, tree):
    root = tmp_path / "site"
    write_tree(root / "content", TREE)
    write_tree(root / "layouts", {"pdf/overall.html": '{% extends "pdf/base.html" %}{% block body %}<p>本站自己的表式 '
                                  '{{ unit_year.overall.title }}</p>{% endblock %}\n'})
    build(root / "content", tmp_path / "out", cache_dir=tmp_path / "cache")
    evaluation = "u1/2024/u1-2024-overall-evaluation.pdf"
    assert (tmp_path / "out" / evaluation).read_bytes() == (tree / evaluation).read_bytes()  # a cold cache, same bytes
    text = subprocess.run(["pdftotext", str(tmp_path / "out/u1/2024/u1-2024-overall.pdf"), "-"], capture_output=True, text=True).stdout
    assert "本站自己的表式 测试单位2024年度部门整体支出绩效目标表" in text


# ---------------------------------------------------------------- open data


def read_csv(path: Path) -> list[dict]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_overall_csvs_have_one_row_per_indicator_and_per_task(built):
    o = unit_year(CONTENT, "901001033", 2019).overall
    indicators = read_csv(built / "data/901001033-2019-overall-indicators.csv")
    assert list(indicators[0]) == [c.name for c in INDICATOR_COLUMNS]
    assert [(r["indicator"], r["value"], r["explanation"]) for r in indicators] == \
        [(i.name, i.value_text, i.explanation) for i in o.indicators]
    assert {(r["funds_total"], r["funds_basic"], r["funds_project"]) for r in indicators} == {("171.41", "110.61", "60.8")}
    tasks = [r for r in read_csv(built / "data/all-overall-tasks.csv") if r["agency_id"] == "901001033"]
    assert list(tasks[0]) == [c.name for c in TASK_COLUMNS]
    assert [(r["year"], r["task_number"], r["project"], r["amount"]) for r in tasks] == \
        [("2019", str(n), t.project, format(t.amount, "f")) for n, t in enumerate(o.tasks, start=1)]
    evaluated = read_csv(built / "data/901001033-2018-overall-indicators.csv")
    assert len(evaluated) == 1 and evaluated[0]["indicator_number"] == "" and evaluated[0]["goals"].count("\n") == 2


def test_overall_json_xlsx_and_data_package(tree):
    document = json.loads((tree / "data/all-overall.json").read_text(encoding="utf-8"))
    [o] = document["overall"]
    assert o["funds"] == {"total": "100.00", "basic": "60.00", "project": "40.00"}
    assert [t["project_url"] for t in o["tasks"]] == ["/u1/2024/p1/", None, None]
    assert [i["met"] for i in o["indicators"][:3]] == ["达成", "未达成", "未判定"]
    assert o["evaluation"]["execution_rate"] == "95.00" and o["evaluation"]["total"] == "54.5"
    book = openpyxl.load_workbook(tree / "data/u1-2024-overall.xlsx")
    assert book.sheetnames == ["绩效指标", "年度履职目标"]
    tasks = book["年度履职目标"]
    assert [c.value for c in tasks[1]] == [c.title for c in TASK_COLUMNS]
    assert [c.value for c in tasks[2]][6:10] == [1, "就业服务", "组织招聘会", "测试项目"] and tasks.cell(2, 11).value == 10
    package = json.loads((tree / "data/datapackage.json").read_text(encoding="utf-8"))
    resources = {r["path"]: r for r in package["resources"]}
    assert [f["name"] for f in resources["u1-2024-overall-tasks.csv"]["schema"]["fields"]] == [c.name for c in TASK_COLUMNS]
    assert [f["name"] for f in resources["all-overall-indicators.csv"]["schema"]["fields"]] == [c.name for c in INDICATOR_COLUMNS]
    assert {"u1-2024.csv", "all.csv"} <= set(resources)
    assert {r["encoding"] for r in package["resources"]} == {"utf-8-sig"}  # every CSV starts with the BOM
    tasks_csv = read_csv(tree / "data/u1-2024-overall-tasks.csv")
    assert tasks_csv[2]["duty"] == "'=SUM(A1)" and tasks_csv[2]["amount"] == ""  # formula-safe; no amount stays empty
    assert tasks.cell(4, 8).value == "=SUM(A1)" and tasks.cell(4, 8).quotePrefix  # text, never a formula


def test_a_unit_year_with_only_its_overall_table_has_no_empty_project_files(built):
    assert not (built / "data/901001033-2019.csv").exists() and not (built / "901001033/2019/901001033-2019.pdf").exists()
    assert "901001033-2019.csv" not in (built / "data/index.html").read_text(encoding="utf-8")
    assert "901001033-2019-overall-tasks.csv" in (built / "data/index.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- sitegen new overall


def test_new_overall_scaffold_loads_names_every_key_and_validates(tmp_path):
    import re

    import jsonschema
    import yaml

    from sitegen.model import OVERALL
    from sitegen.base.resources import SCHEMA_DIR
    from tests.conftest import run

    content = tmp_path / "content"
    run("new", "agency", "a1", "--code", "1", "--name", "测试局", "--region", "某省", "--content", str(content))
    (content / "site.yaml").write_text("title: t\nbase_url: https://example.org/\n", encoding="utf-8")
    assert run("new", "overall", "a1", "2025", "--content", str(content))[0] == 0
    text = (content / "a1/2025/overall.yaml").read_text(encoding="utf-8")
    for f in OVERALL.fields:
        assert re.search(rf"^\s*#? ?{f.key}:", text, re.M) and f.label in text, f.key
    schema = json.loads((SCHEMA_DIR / "overall.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(yaml.safe_load(text), schema)
    loaded = load_content(content)
    assert loaded.findings.errors == [] and loaded.content.unit_years()[0].overall.indicators[0].op == ">="
    assert run("new", "overall", "a1", "2025", "--content", str(content))[0] == 1  # never overwritten


def test_the_dongguan_approval_form_keeps_sources_tasks_and_the_medium_term(built, page, site_url):
    uy = unit_year(CONTENT, "dg-zhanlanguan", 2022)
    o = uy.overall
    rows = pdf_rows(built / overall_pdf_path(uy))
    assert rows[:8] == [
        ["部门（单位）名称", "东莞展览馆", "部门预算编码", ""],  # no code printed: the cell stays, empty
        ["年度预算安排（万元）", "资金总额", ""], ["项目支出", ""], ["基本支出", ""],
        ["其中：市财政拨款", "2,377.15"], ["其中：其他资金", "0.00"],
        ["年度总体目标", ""], ["中期目标（2022年--2024年）", o.midterm.goals[0]],
    ]
    assert [r for r in rows if len(r) == 4 and r[1] in {t.task for t in o.tasks}] == \
        [["", t.task, "", amount_text(t.amount)] for t in o.tasks]
    page.goto(site_url + "/dg-zhanlanguan/2022/")
    assert page.inner_text("table.tasks tfoot").split() == ["合计", "2,377.15"]  # as the printed 金额合计
    assert "中期目标（2022年--2024年）" in page.eval_on_selector_all("main h3", "hs => hs.map(h => h.textContent)")


def test_a_broken_site_form_of_the_department_wide_table_is_one_located_line(tmp_path):
    """A site's own layouts/pdf/overall.html with an undefined value: one line naming it, nothing written."""
    import subprocess
    import sys

    from tests.conftest import MINIMAL, ROOT, write_tree
    from tests.test_checks_overall import overall

    site_root = tmp_path / "mysite"
    write_tree(site_root / "content", {**MINIMAL, **overall()})
    (site_root / "layouts/pdf").mkdir(parents=True)
    (site_root / "layouts/pdf/overall.html").write_text(
        '{% extends "pdf/base.html" %}\n{% block body %}\n{{ unit_year.overall.nothing.here }}\n{% endblock %}\n',
        encoding="utf-8")
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "sitegen", "build", str(site_root / "content"), "--out", str(out)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    [message] = [m for m in result.stderr.splitlines() if "layouts/pdf/" in m]
    assert "/layouts/pdf/overall.html:3: " in message and "nothing" in message, message
    assert not out.exists()
