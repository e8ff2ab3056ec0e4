"""Money (contract 2.1): one table's amounts as written with its unit; amounts of several tables
converted to the site's unit wherever they meet; thousands separators and two decimals everywhere.

The example site mixes 元 (普陀 2022: 250000.00 元; 宁德 2018) and 万元 units.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest

from sitegen.model.money import amount_text, cents_text, convert, money_text, percent_text, total

PUTUO = "putuo-tiyu-zhongxin"


@pytest.mark.parametrize("value, text", [
    (Decimal("3969840"), "3,969,840.00"), (Decimal("65.00"), "65.00"), (Decimal("60.8"), "60.80"),
    (Decimal("-1234.5"), "-1,234.50"), (Decimal("89.974"), "89.974"), (None, ""),
])
def test_amounts_have_separators_and_two_decimals(value, text):
    """A table's own amounts: two decimals, and never a digit the agency wrote dropped (89.974 万元)."""
    assert amount_text(value) == text


def test_amounts_where_tables_meet_are_to_the_cent():
    assert cents_text(Decimal("396.984")) == "396.98" and cents_text(Decimal("0.005")) == "0.01"
    assert cents_text(convert(Decimal("3969840"), "元", "万元")) == "396.98"


def test_money_and_percent_texts():
    assert money_text(Decimal("3969840"), "元") == "3,969,840.00 元"
    assert money_text(Decimal("396.98"), "万元") == "396.98 万元"
    assert percent_text(Decimal("99.1")) == "99.10%" and percent_text(None) == ""


def test_conversion_is_exact_decimal():
    assert convert(Decimal("250000.00"), "元", "万元") == Decimal("25")
    assert amount_text(convert(Decimal("250000.00"), "元", "万元")) == "25.00"
    assert convert(Decimal("0.1"), "万元", "元") == Decimal("1000.00")  # never 999.9999…
    assert str(convert(Decimal("65.00"), "万元", "元")) == "650000.00"  # no exponent
    assert total([(Decimal("1.5"), "万元"), (Decimal("5000"), "元")], "万元") == Decimal("2.0")


def cell_after(html: str, name: str) -> str:
    """The 合计 cell of a unit-years table row naming `name`."""
    row = re.search(rf"<tr>.*?{name}.*?</tr>", html)
    assert row, name
    return re.findall(r'<td class="num"[^>]*>([^<]*)</td>', row.group(0))[-1]


def test_lists_where_unit_years_meet_are_in_the_site_unit(built):
    """普陀 publishes in 元: 250000.00 元 is 25.00 万元 on the home, year and unit pages."""
    for page in ("index.html", "years/2022/index.html", f"{PUTUO}/index.html"):
        html = (built / page).read_text(encoding="utf-8")
        assert cell_after(html, "普陀区体育事业管理中心") == "25.00", page
        assert "合计（万元）" in html and "250000" not in html and "250,000" not in html
        assert "金额单位：万元" in html  # the page's own figures are in 万元
    home = (built / "index.html").read_text(encoding="utf-8")
    assert "<dt>预算合计（万元）</dt><dd>11,800.95</dd>" in home


def test_a_table_in_yuan_shows_its_own_unit(built):
    page = (built / f"{PUTUO}/2022/index.html").read_text(encoding="utf-8")
    assert "金额单位：元" in page and "金额单位：万元" not in page  # the footer too
    assert '<td class="num">250,000.00</td>' in page
    project = (built / f"{PUTUO}/2022/p01-weituo-yunying-jiesuan/index.html").read_text(encoding="utf-8")
    assert "250,000.00 元" in project and "万元" not in project.split("<footer")[1]


def test_the_open_data_keeps_plain_numbers(built):
    rows = list(csv.DictReader(io.StringIO((built / "data/all.csv").read_bytes().decode("utf-8-sig"))))
    putuo = [r for r in rows if r["agency_id"] == PUTUO]
    assert {(r["budget"], r["money_unit"]) for r in putuo} == {("250000.00", "元")}


def test_the_feed_prints_each_unit_year_in_its_own_unit(built):
    feed = (built / "feed.xml").read_text(encoding="utf-8")
    assert "预算合计 250,000.00 元" in feed and "预算合计 438.00 万元" in feed


def test_the_site_wide_csv_has_a_column_to_add_up_in_the_site_unit(built):
    """budget stays as written in its table's unit; budget_site_unit is the same budget in the
    site's unit, exact, so the site-wide downloads can be summed across 元 and 万元 tables."""
    rows = list(csv.DictReader(io.StringIO((built / "data/all.csv").read_bytes().decode("utf-8-sig"))))
    by_unit = {r["agency_id"]: r for r in rows}
    assert (by_unit[PUTUO]["budget"], by_unit[PUTUO]["budget_site_unit"]) == ("250000.00", "25.00")
    assert by_unit["jishan-ybj"]["budget_site_unit"] == "65.66"
    assert '"money_unit":"万元"' in (built / "data/all.json").read_text(encoding="utf-8")[:200]


def test_a_pdf_amount_is_never_split_and_stays_in_its_column(built):
    """普陀's per-project PDF printed 250,000./00 over two lines (break-all in a 6% column): the
    amount reads back whole, and its words lie between the rules of its column."""
    import subprocess

    import pdfplumber

    path = built / f"{PUTUO}/2022/{PUTUO}-2022.pdf"
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert text.count("250,000.00") == 2 and "250,000.\n" not in text  # 合计 and the project
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        rules = sorted({round(r["x0"], 1) for r in page.rects if r["width"] < 1}
                       | {round(line["x0"], 1) for line in page.lines if abs(line["x0"] - line["x1"]) < 0.5})
        amounts = [w for w in page.extract_words() if w["text"] == "250,000.00"]
        assert len(amounts) == 2
        assert all(not any(w["x0"] < x < w["x1"] for x in rules) for w in amounts), rules


def test_charts_name_their_unit_and_draw_converted_amounts(page, site_url):
    """The home page's money charts in Chromium: caption and table header name 万元, and 普陀's
    250,000.00 元 is drawn as 25.00 (converted), beside 10,000.00 with its separator; the bar's
    length follows the converted figure (25 of 10,000 is a sliver, never the longest bar)."""
    from tests.test_site import open_page

    open_page(page, site_url, "/")
    captions = page.eval_on_selector_all("figure.chart figcaption", "cs => cs.map(c => c.textContent)")
    money = [c for c in captions if "预算" in c]
    assert money and all(c.endswith("万元）") for c in money), captions
    chart = page.locator("figure:has(#chart-unit-caption)")
    assert "数值（万元）" in chart.locator("thead").text_content()  # in the closed 以表格查看
    texts = chart.locator("svg text").all_text_contents()
    assert "25.00" in texts and "10,000.00" in texts and not any("250" in t for t in texts)
    widths = chart.locator("svg rect").evaluate_all("rs => rs.map(r => r.getBoundingClientRect().width)")
    assert max(widths) == widths[0] and widths[texts.index("25.00") // 2] < widths[0] / 100


def test_check_messages_print_amounts_as_the_pages_do(tmp_path):
    """A warning names amounts with the one formatter and the table's unit (/quality/ shows it):
    1,200,000.00 元, never 1200000 beside 1500000.00."""
    from sitegen.checks.pipeline import load_content
    from tests.conftest import MINIMAL, write_tree

    content = write_tree(tmp_path / "site", {**MINIMAL, "u1/2024/disclosure.yaml": "money_unit: 元\n", "u1/2024/p1.yaml": """\
        name: 测试项目
        budget: 1500000.00
        goals: 完成测试
        costs:
          - {item: 培训费, amount: 1000000}
          - {item: 印刷费, amount: 200000}
        indicators:
          - {level1: 产出指标, level2: 数量指标, name: 测试次数, op: ≥, target: 2, unit: 次, score: 90, actual: 2, earned: 90}
        evaluation:
          budget: {adjusted: 1500000.00, spent: 1600000.5}
        """})
    messages = {f.code: f.message for f in load_content(content).findings.warnings}
    assert "金额合计 1,200,000.00 元，与项目预算数（budget）1,500,000.00 元 不一致" in messages["costs-total"]
    assert "1,600,000.50 元 超过全年预算数（evaluation.budget.adjusted）1,500,000.00 元" in messages["spent-over-adjusted"]


@pytest.mark.parametrize("layout", ["flat", "per-project"])
def test_a_long_amount_in_yuan_stays_in_its_pdf_column(tmp_path, layout):
    """12,345,678.90 元 in the narrow money column of either layout: whole, between its column's rules."""
    import subprocess

    import pdfplumber

    from sitegen.checks.pipeline import load_content
    from sitegen.render import Context
    from sitegen.render.pdf import render_pdfs, unit_year_pdf_path
    from sitegen.render.writer import Writer
    from tests.conftest import MINIMAL, write_tree

    content = write_tree(tmp_path / "site", {**MINIMAL, "u1/2024/disclosure.yaml": f"money_unit: 元\npdf_layout: {layout}\n",
                                             "u1/2024/p1.yaml": MINIMAL["u1/2024/p1.yaml"].replace("10.00", "12345678.90")})
    loaded = load_content(content)
    render_pdfs(loaded.content, Writer(tmp_path / "out"), Context(content, tmp_path / "cache"))
    path = tmp_path / "out" / unit_year_pdf_path(loaded.content.unit_years()[0])
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert text.count("12,345,678.90") == 2  # the project and 合计
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        rules = {round(r["x0"], 1) for r in page.rects if r["width"] < 1} | {
            round(line["x0"], 1) for line in page.lines if abs(line["x0"] - line["x1"]) < 0.5}
        amounts = [w for w in page.extract_words() if w["text"] == "12,345,678.90"]
        assert len(amounts) == 2 and not [w for w in amounts for x in rules if w["x0"] < x < w["x1"]], sorted(rules)


def test_the_site_unit_column_names_its_unit_in_the_data_package_and_on_the_data_page(built):
    """budget_site_unit was titled 预算数（站点金额单位）, a unit a reader has to look up: now the site's own."""
    import json

    package = json.loads((built / "data/datapackage.json").read_text(encoding="utf-8"))
    titles = [f["title"] for r in package["resources"] for f in r.get("schema", {}).get("fields", []) if f["name"] == "budget_site_unit"]
    assert titles and set(titles) == {"预算数（万元）"}
    page = (built / "data/index.html").read_text(encoding="utf-8")
    assert "<code>budget_site_unit</code></th><td>预算数（万元）</td>" in page and "站点金额单位" not in page
