"""The declaration form (申报表 / 批复表), and the cells of contract version 2 in every PDF layout.

The three real forms of the example (东莞 2019 批复表 with 中期 and 年度 indicators, 武汉青山 2020
项目支出绩效目标表, 嘉峪关 2023) are read back from their PDFs with pdfplumber cell by cell and compared with
the source tables as the research transcribed them (tests/data/source_*.tsv, copied from
/work/research/<slug>/grid.tsv: `<` continues a merged cell to the left, `^` from above).
A synthetic project that fills every version-2 cell is built in each of the three layouts.
"""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest

from sitegen.build.site import build
from sitegen.checks.pipeline import load_content
from sitegen.model.money import amount_text
from sitegen.render.pdf import project_pdf_path, unit_year_pdf_path
from tests.conftest import CONTENT, MINIMAL, ROOT, write_tree

DATA = Path(__file__).parent / "data"
DONGGUAN = "dg-jtj/2019/p01-zhenji-lianwanglu-gaizao/"
QINGSHAN = "015001/2020/p03-jiaoyu-jichu-sheshi/"

# ---------------------------------------------------------------- reading PDFs back


def pdf_tables(path: Path) -> list[list[list[str | None]]]:
    """Every table of every page, cells with the line breaks of wrapped text removed (a value
    wrapped inside its cell reads whole); None where a merged cell covers the position."""
    with pdfplumber.open(path) as pdf:
        return [[[None if c is None else c.replace("\n", "") for c in row] for row in table]
                for page in pdf.pages for table in page.extract_tables()]


def filled(rows: list[list[str | None]], columns: range) -> list[list[str]]:
    """Rows with the cells that a merged cell above covers (None) filled from the row above."""
    result: list[list[str]] = []
    for row in rows:
        cells = [c if c is not None or n not in columns or not result else result[-1][n] for n, c in enumerate(row)]
        result.append(["" if c is None else c for c in cells])
    return result


def texts(path: Path) -> list[list[str]]:
    """Every row of every table without the covered positions: what a reader sees, in order."""
    return [[c for c in row if c is not None] for table in pdf_tables(path) for row in table]


def has_run(rows: list[list[str]], cells: list[str]) -> bool:
    """Whether some row holds `cells` side by side."""
    return any(row[n:n + len(cells)] == cells for row in rows for n in range(len(row) - len(cells) + 1))


def source_grid(name: str) -> list[list[str]]:
    """The research's transcription, `^` (merged from above) filled from the row above."""
    grid: list[list[str]] = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        grid.append([grid[-1][n] if c == "^" and grid else c for n, c in enumerate(cells)])
    return grid


def labelled_rows(table: list[list[str | None]]) -> None:
    """No label without its value's cell: every row of the labelled block has a cell beside its label."""
    for row in table:
        assert len(row) >= 2 and row[1] is not None, row


# ---------------------------------------------------------------- the two real forms


def test_dongguan_form_has_every_cell_of_the_source(built):
    path = next((built / DONGGUAN).glob("*.pdf"))
    cells, goals, indicators = pdf_tables(path)
    grid = source_grid("source_dongguan_2019.tsv")
    # the labelled block: the source's 项目名称, 中期 and 年度 money under their contract labels
    assert cells[0][:2] == ["项目名称", grid[3][1]]
    rows = texts(path)
    # 中期市财政预算(万元) 284500.00 and 本年度申请市财政预算资金(万元) 919.00, as every amount prints (Money)
    assert has_run(rows, ["项目资金（万元）", "中期资金总额", amount_text(Decimal(grid[3][4]))])
    assert has_run(rows, ["年度资金总额", amount_text(Decimal(grid[3][6]))])
    labelled_rows(cells)
    # 总体目标: 中期滚动目标(2019年--2021年) and 年度目标, the texts wrapped in their cells read whole
    assert goals[0] == ["总体目标", "中期目标（2019年--2021年）", "年度目标"]
    assert goals[1][1:] == [grid[5][1], grid[5][5]]
    # the indicators, 中期 and 年度 side by side: the source's cells after its 绩效指标 label column
    header, subheader, *body = indicators
    assert [c for c in header if c] == ["一级指标", "中期指标", "年度指标"]
    # (the source's 指标值(或计划水平) / 计划指标值(或计划水平) are the form's 指标值)
    assert subheader == [None, "二级指标", "三级指标", "指标值", "二级指标", "三级指标", "指标值"]
    assert filled(body, range(0, 1)) == [row[1:] for row in grid[7:]]


def test_qingshan_form_has_every_cell_of_the_source(built):
    path = next((built / QINGSHAN).glob("*.pdf"))
    cells, goals, indicators = pdf_tables(path)
    labelled_rows(cells)
    rows = texts(path)
    # Every labelled cell of the source (tests/data/source_qingshan_2020.tsv), as the contract files
    # them: 项目起止时间 is `period`, 资金总额 / 当年资金总额 are 中期 / 年度资金总额 in 万元, the cells
    # with no key of their own are `facts` with the label as printed.
    for pair in (["项目名称", "教育系统基础设施建设和设备购置"], ["实施单位", "武汉市青山区教育局"],
                 ["项目属性", "基础建设、修缮类"], ["项目期", "202001-202012"],
                 ["项目资金（万元）", "中期资金总额", "10,000.00"], ["年度资金总额", "10,000.00"],
                 ["其中：当年财政拨款", "10,000.00"], ["主管部门及编码", "[015001]武汉市青山区教育局"],
                 ["其中:财政拨款", "10000万元"], ["其他资金", ""], ["当年其他资金", ""]):
        assert has_run(rows, pair), pair
    # 主管部门 is printed once, as the source wrote it (a fact), not again from agency.yaml
    assert sum(row[0].startswith("主管部门") for row in rows if row) == 1
    grid = source_grid("source_qingshan_2020.tsv")
    assert goals[1][1:] == [grid[9][1], grid[9][4]]
    # no 中期 indicators (the source's 长期 columns are empty): 一级 · 二级 · 三级 · 指标值 of the 年度 side
    header, *body = indicators
    assert header == ["一级指标", "二级指标", "三级指标", "指标值"]
    assert filled(body, range(0, 1)) == [[row[0], *row[4:7]] for row in grid[12:]]


def test_declaration_unit_year_pdf_is_its_forms(built):
    content = load_content(CONTENT).content
    for unit_year in (uy for uy in content.unit_years() if uy.pdf_layout == "declaration"):
        whole = texts(built / unit_year_pdf_path(unit_year))
        assert whole == [row for p in unit_year.projects for row in texts(built / project_pdf_path(p))]


def test_a_declaration_pdf_is_small_and_embeds_its_fonts(built):
    path = next((built / DONGGUAN).glob("*.pdf"))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "841.89 x 595.27" in info and "Pages:           1" in info
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)
    assert path.stat().st_size < 100_000

# ---------------------------------------------------------------- every v2 cell, in each layout

FULL = """\
    name: 全要素项目
    budget: 20.00
    goals: [年度目标甲, 年度目标乙]
    attribute: 延续项目
    period: 2023—2025年
    implementer: 某某服务中心
    parent: 人才发展专项
    total_investment: 60.00
    basis: 依据《某某条例》第十二条
    costs:
      - {item: 培训费, amount: 12.00, basis: 按120人次每人1000元测算}
      - {item: 资料费, amount: 8.00}
    facts:
      项目分类: 专项工作经费
      资金性质: 一般公共预算
      监督管理单位: 某某市文化广电和旅游局（负责项目资金的监督检查和绩效运行监控的单位）
    midterm:
      period: 2023年-2025年
      budget: 60.00
      goals: 三年培训三百六十人次
      indicators:
        - {level1: 产出指标, level2: 数量指标, name: 培训人次, op: ≥, target: 360, unit: 人次, remark: 三年合计}
        - {level1: 产出指标, level2: 质量指标, name: 长期合格率, target: 95, unit: "%"}
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 培训人次, op: ≥, target: 120, unit: 人次, score: 50,
         explanation: 本年度组织参加培训的人次，含线上线下两种方式，以签到表和平台记录为准,
         scoring: 完成得满分，每少十人扣五分, basis: 计划标准, last_actual: 110, remark: 含线上}
      - {level1: 效益指标, level2: 社会效益指标, name: 技能提升, target: 明显提升, score: 40}
"""
PLAIN = """\
    name: 普通项目
    budget: 5.00
    goals: 完成
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 次数, op: ≥, target: 2, unit: 次, score: 90}
"""
FULL_PAIRS = [  # label and value as every layout prints them, side by side
    ["项目属性", "延续项目"], ["项目期", "2023—2025年"], ["实施单位", "某某服务中心"], ["一级项目名称", "人才发展专项"],
    ["项目总投资（万元）", "60.00"], ["立项依据", "依据《某某条例》第十二条"], ["项目分类", "专项工作经费"],
    ["资金性质", "一般公共预算"], ["监督管理单位", "某某市文化广电和旅游局（负责项目资金的监督检查和绩效运行监控的单位）"],
    ["培训费", "12.00", "按120人次每人1000元测算"], ["资料费", "8.00", ""],
]
OPTIONAL = ["本年度组织参加培训的人次，含线上线下两种方式，以签到表和平台记录为准", "完成得满分，每少十人扣五分",
            "计划标准", "110人次"]
OPTIONAL_HEADERS = ["指标解释", "评(扣)分标准", "指标值确定依据", "上年实际值"]


@pytest.fixture(scope="module", params=["flat", "per-project", "declaration"])
def full_site(request, tmp_path_factory) -> tuple[str, Path]:
    root = tmp_path_factory.mktemp(request.param)
    content = write_tree(root / "content", {**MINIMAL, "u1/2024/p1.yaml": FULL, "u1/2024/p2.yaml": PLAIN,
                                            "u1/2024/disclosure.yaml": f"pdf_layout: {request.param}\n"})
    build(content, root / "out", cache_dir=root / "cache")
    return request.param, root / "out"


def test_every_cell_is_in_the_project_pdf_with_its_label(full_site):
    layout, out = full_site
    rows = texts(next(out.glob("u1/2024/p1/*.pdf")))
    for pair in FULL_PAIRS:
        assert has_run(rows, pair), (layout, pair)
    midterm_goal = ["中期目标（2023年-2025年）", "三年培训三百六十人次"]
    if layout == "declaration":
        assert has_run(rows, ["总体目标", "中期目标（2023年-2025年）", "年度目标"])
        assert has_run(rows, ["三年培训三百六十人次", "年度目标甲年度目标乙"])
        assert has_run(rows, ["项目资金（万元）", "中期资金总额", "60.00"]) and has_run(rows, ["年度资金总额", "20.00"])
        # 中期 beside 年度, matched by name; each side with the optional columns it fills
        assert has_run(rows, ["数量指标", "培训人次", "≥360人次", "三年合计", "数量指标", "培训人次", "≥120人次",
                              *OPTIONAL, "50", "含线上"])
        assert has_run(rows, ["质量指标", "长期合格率", "95%", ""])
        assert has_run(rows, ["备注", "二级指标", "三级指标", "指标值", *OPTIONAL_HEADERS, "分值", "备注"])
    else:
        assert has_run(rows, midterm_goal) and has_run(rows, ["中期资金总额（万元）", "60.00"])
        assert has_run(rows, ["产出指标", "数量指标", "培训人次", "≥360人次", "三年合计"])  # the 中期绩效指标 table
        assert has_run(rows, ["质量指标", "长期合格率", "95%", ""])
        if layout == "flat":
            assert has_run(rows, ["计量单位", "分值", *OPTIONAL_HEADERS, "备注"])
            assert has_run(rows, ["人次", "50", *OPTIONAL, "含线上"])
        else:
            assert has_run(rows, ["指标值", *OPTIONAL_HEADERS, "分值", "备注"])
            assert has_run(rows, ["≥120人次", *OPTIONAL, "50", "含线上"])


def test_optional_columns_only_where_some_project_fills_them(full_site):
    layout, out = full_site
    plain = texts(next(out.glob("u1/2024/p2/*.pdf")))
    assert not any("指标解释" in row or "项目总投资（万元）" in row for row in plain)  # nothing it leaves empty
    if layout == "declaration":  # the form's own cells are printed, an empty one stays empty
        assert has_run(plain, ["项目属性", ""]) and has_run(plain, ["项目期", ""])
        assert has_run(plain, ["二级指标", "三级指标", "指标值", "分值"])  # its one optional column, filled
    else:
        assert not any("项目属性" in row for row in plain)
    whole = texts(next(out.glob("u1/2024/u1-2024.pdf")))
    if layout == "flat":  # one table for both projects: the columns some project fills, the v1 one's empty
        assert has_run(whole, ["分值", *OPTIONAL_HEADERS, "备注"]) and has_run(whole, ["次", "90", "", "", "", "", ""])
        assert not any("项目属性" in row for row in whole)  # the other cells are in the project's own PDF
    else:  # a form per project: the unit-year PDF is their pages
        own = texts(next(out.glob("u1/2024/p1/*.pdf")))
        assert whole == own + plain

# ---------------------------------------------------------------- a site's own form


def site_with_layout(tmp_path: Path, layout_text: str) -> Path:
    site_root = tmp_path / "mysite"
    write_tree(site_root / "content", {**MINIMAL, "u1/2024/disclosure.yaml": "pdf_layout: declaration\n"})
    (site_root / "layouts/pdf").mkdir(parents=True)
    (site_root / "layouts/pdf/declaration.html").write_text(layout_text, encoding="utf-8")
    return site_root


def test_site_layout_replaces_the_declaration_form(tmp_path):
    builtin = (ROOT / "layouts/pdf/declaration.html").read_text(encoding="utf-8")
    site_root = site_with_layout(tmp_path, builtin.replace("<h1>{{ unit_year.title }}</h1>", "<h1>本站自己的申报表</h1>"))
    build(site_root / "content", tmp_path / "out", cache_dir=tmp_path / "cache")
    rows = subprocess.run(["pdftotext", str(next((tmp_path / "out").glob("u1/2024/p1/*.pdf"))), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "本站自己的申报表" in rows and "项目支出绩效目标申报表" not in rows and "测试次数" in rows


@pytest.mark.parametrize("broken, line, words", [
    ('{% extends "pdf/base.html" %}\n{% block body %}\n{% for block in %}\n{% endblock %}\n', 3, "Expected an expression"),
    ('{% extends "pdf/base.html" %}\n{% block body %}\n{{ blocks[0].project.nothing.here }}\n{% endblock %}\n', 3, "nothing"),
    ('{% extends "pdf/base.html" %}\n{% block body %}\n{% include "pdf/partials/missing.html" %}\n{% endblock %}\n', 3, "missing"),
], ids=["syntax", "undefined", "missing-include"])
def test_broken_site_layout_is_one_located_line(tmp_path, broken, line, words):
    site_root = site_with_layout(tmp_path, broken)
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "sitegen", "build", str(site_root / "content"), "--out", str(out)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [message] = [m for m in result.stderr.splitlines() if "layouts/pdf/" in m]
    assert f"/layouts/pdf/declaration.html:{line}: " in message and words in message, message
    assert not out.exists()  # a failed build writes nothing

JIAYUGUAN_LABELS = {"二级项目名称": "项目名称", "项目类型": "项目属性", "项目总投资": "项目总投资（万元）",
                    "预算申报数": "年度资金总额", "中央补助安排": "其中：中央补助安排", "省级财政安排": "其中：省级财政安排",
                    "其他资金": "其中：其他资金", "政策依据": "立项依据", "项目实施单位": "实施单位"}


def printed_amount(value: str) -> str:
    """A source cell `20万元` or `0` as the form prints the amount (20.00, 0.00: the unit is in its
    label); text as written."""
    figure = value.removesuffix("万元")
    return amount_text(Decimal(figure)) if re.fullmatch(r"\d+(\.\d+)?", figure) else figure


def test_jiayuguan_form_has_every_labelled_cell_of_the_source(built):
    path = next((built / "jyg-csbwg/2023/p01-bowuguan-mianfei-kaifang").glob("*.pdf"))
    rows = texts(path)
    grid = source_grid("source_jiayuguan_2023.tsv")
    block = grid[2:grid.index(["年度绩效目标", *grid[25][1:]])]
    for cells in block:
        label, value = (cells[1], cells[2]) if cells[0] == "项目实施计划" else (cells[0], cells[1])
        if label in ("项目开始日期", "项目完成日期"):  # one 项目期 cell, from the two dates
            assert any(value in row[1] for row in rows if row[:1] == ["项目期"]), label
            continue
        assert has_run(rows, [JIAYUGUAN_LABELS.get(label, label), printed_amount(value)]), (label, value)
    assert has_run(rows, ["项目期", "2023-01-01至2023-12-31"])
    assert has_run(rows, ["年度目标"]) and has_run(rows, ["", grid[25][1]])  # 中期目标 empty, 年度目标 as printed
    *_, indicators = pdf_tables(path)
    header, *body = indicators
    assert header == ["一级指标", "二级指标", "三级指标", "指标值"]  # 指标目标值 in the source
    assert filled(body, range(0, 1)) == grid[27:]


def long_declaration(count: int) -> str:
    rows = lambda side: "".join(  # noqa: E731
        f"  {'  ' if side else ''}- {{level1: {'产出指标' if n <= count // 2 else '效益指标'}, level2: 数量指标, "
        f"name: 第{n:02d}项指标, op: ≥, target: {n * (3 if side else 1)}, unit: 次}}\n" for n in range(1, count + 1))
    return (f"name: 长申报表\nbudget: 40.00\ngoals: 很多指标\nmidterm:\n  period: 三年\n  goals: 中期\n  indicators:\n"
            f"{rows(True)}indicators:\n{rows(False)}")


def test_long_declaration_repeats_its_header_and_keeps_its_rows(tmp_path):
    content = write_tree(tmp_path / "content", {**MINIMAL, "u1/2024/p1.yaml": long_declaration(40),
                                                "u1/2024/disclosure.yaml": "pdf_layout: declaration\n"})
    build(content, tmp_path / "out", cache_dir=tmp_path / "cache")
    path = next((tmp_path / "out").glob("u1/2024/p1/*.pdf"))
    from tests.test_pdf import page_tables  # told where a table that continues on the next page ends

    with pdfplumber.open(path) as pdf:
        pages = [[[[None if c is None else c.replace("\n", "") for c in row] for row in table]
                  for table in page_tables(page)] for page in pdf.pages]
    assert len(pages) >= 2
    body = []
    for tables in pages:
        header, subheader, *rows = tables[-1] if tables[-1][0][0] == "一级指标" else tables[0]
        assert [c for c in header if c] == ["一级指标", "中期指标", "年度指标"]  # on every page
        assert subheader[1:] == ["二级指标", "三级指标", "指标值"] * 2
        body += rows
    assert [(r[2], r[3], r[5], r[6]) for r in body] == [
        (f"第{n:02d}项指标", f"≥{n * 3}次", f"第{n:02d}项指标", f"≥{n}次") for n in range(1, 41)]
    # 一级 merged over its 20 rows (split where the page breaks), 二级 on each side too
    assert {r[0] for r in body} <= {"产出指标", "效益指标", "", None} and body[0][0] == "产出指标"
    assert [r[2] for r in body if r[0] == "效益指标"] == ["第21项指标"]
    assert sum(r[1] == "数量指标" for r in body) < 40 and sum(r[4] == "数量指标" for r in body) < 40


def test_declaration_pdf_is_tagged_with_its_merged_cells(built):
    from tests.test_pdf import structure_elements

    elements = structure_elements(next((built / DONGGUAN).glob("*.pdf")))
    tags = [tag for tag, _ in elements]
    assert tags.count("/Table") == 3  # the labelled block, 总体目标, the indicators
    rowspans = [a["/RowSpan"] for tag, a in elements if tag == "/TD" and "/RowSpan" in a]
    assert [span for span in rowspans if span > 1] == [4, 2]  # 预期产出指标 over 4 rows, 效果指标 over 2
