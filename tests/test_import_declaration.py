"""The declaration form's cells that the published fixtures do not all have: 一级项目名称, 项目总投资,
立项依据, a 成本构成 table, other labelled cells kept as facts in printed order. The form is written as
a real .xlsx and .docx (make.py, as the fixtures are) and imported by the CLI."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest

from sitegen.checks.pipeline import load_content
from tests.conftest import import_grid, run

FIXTURES_DIR = Path(__file__).parent / "import_fixtures"
sys.path.insert(0, str(FIXTURES_DIR))
from make import read_tables, write_docx, write_xlsx  # noqa: E402

FORM = "\n".join("\t".join(row) for row in [
    ["项目支出绩效目标申报表", "<", "<", "<", "<", "<", "<"],
    ["（2024年度）", "<", "<", "<", "<", "<", "<"],
    ["项目名称", "农村公路养护", "<", "<", "项目编码", "43000024T000001", "<"],
    ["主管部门及代码", "[305]某县交通运输局", "<", "<", "实施单位", "【305001】某县公路事务中心", "<"],
    ["项目属性", "延续项目", "<", "<", "项目期", "2024—2026年", "<"],
    ["一级项目名称", "交通运输专项", "<", "<", "项目总投资", "300.00", "<"],
    ["项目资金（万元）", "中期资金总额", "<", "300.00", "年度资金总额", "<", "100.00"],
    ["^", "其中：财政拨款", "<", "300.00", "其中：财政拨款", "<", "80.00"],
    ["^", "其他资金", "<", "", "其他资金", "<", "20.00"],
    ["立项依据", "《某县农村公路条例》第十条", "<", "<", "<", "<", "<"],
    ["资金性质", "一般公共预算", "<", "<", "监督管理单位", "某县财政局", "<"],
    ["项目预算成本构成", "成本项目", "<", "金额", "测算依据", "<", "<"],
    ["^", "日常养护", "<", "60.00", "200公里×0.3万元/公里", "<", "<"],
    ["^", "应急抢修", "<", "40.00", "按上年实际", "<", "<"],
    ["总体目标", "中期目标（2024—2026年）", "<", "<", "年度目标", "<", "<"],
    ["^", "县乡公路优良路率达到85%", "<", "<", "目标1：养护县乡公路200公里\\n目标2：抢修及时", "<", "<"],
])


def form_tables(tmp_path: Path):
    grid_file = tmp_path / "grid.tsv"
    rows = FORM.split("\n") + [
        "绩效指标\t一级指标\t二级指标\t三级指标\t指标值\t计量单位\t备注",
        "^\t产出指标\t数量指标\t养护里程\t≥200\t公里\t",
        "^\t^\t时效指标\t抢修到场时间\t≤24\t小时\t汛期",
        "^\t满意度指标\t服务对象满意度指标\t群众满意度\t≥90%\t\t",
    ]
    grid_file.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return read_tables(grid_file)


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_declaration_block_cells(tmp_path, fmt):
    source = tmp_path / f"form.{fmt}"
    (write_xlsx if fmt == "xlsx" else write_docx)(form_tables(tmp_path), source)
    into = tmp_path / "content"
    into.mkdir()
    (into / "site.yaml").write_text("title: t\nbase_url: https://example.org/\n", encoding="utf-8")
    code, out, err = run("import", str(source), "--into", str(into), "--region", "某省某县")
    assert code == 0, out + err
    loaded = load_content(into)
    assert loaded.ok
    agency = loaded.content.agencies[0]
    assert (agency.id, agency.code, agency.name) == ("305001", "305001", "某县公路事务中心")
    assert (agency.department_code, agency.department_name) == ("305", "某县交通运输局")
    (project,) = loaded.content.unit_years()[0].projects
    assert (project.name, project.code, project.attribute, project.period, project.parent) == (
        "农村公路养护", "43000024T000001", "延续项目", "2024—2026年", "交通运输专项")
    assert project.implementer == ""  # the 实施单位 is the unit itself
    assert (project.budget, project.total_investment) == (Decimal("100.00"), Decimal("300.00"))
    assert [(f.source, f.amount) for f in project.funding] == [("财政拨款", Decimal("80.00")), ("其他资金", Decimal("20.00"))]
    assert project.basis == "《某县农村公路条例》第十条"
    assert [(c.item, c.amount, c.basis) for c in project.costs] == [
        ("日常养护", Decimal("60.00"), "200公里×0.3万元/公里"), ("应急抢修", Decimal("40.00"), "按上年实际")]
    # 主管部门及代码 shows the department: agency.yaml's, not a fact.
    assert list(project.facts) == [
        ("中期资金总额 其中：财政拨款", "300.00"),
        ("中期资金总额 其他资金", ""), ("资金性质", "一般公共预算"), ("监督管理单位", "某县财政局")]
    assert project.goals == ["目标1：养护县乡公路200公里", "目标2：抢修及时"]
    m = project.midterm
    assert (m.period, m.budget, m.goals, m.indicators) == ("2024—2026年", Decimal("300.00"), ["县乡公路优良路率达到85%"], [])
    rows = [(i.level1, i.level2, i.name, i.op, i.target.text, i.unit, i.remark) for i in project.indicators]
    assert rows == [
        ("产出指标", "数量指标", "养护里程", ">=", "200", "公里", ""),
        ("产出指标", "时效指标", "抢修到场时间", "<=", "24", "小时", "汛期"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", ">=", "90", "%", ""),
    ]


def word_table(document, rows: list[list[str]]):
    table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    return table


def add_form(document, name: str) -> None:
    """One 申报表 as three Word tables under its title paragraphs."""
    document.add_paragraph("项目支出绩效目标申报表")
    document.add_paragraph("（2024年度）")
    word_table(document, [["项目名称", name], ["主管部门", "【612】某镇人民政府"],
                          ["实施单位", "某镇村镇建设服务中心"], ["年度资金总额", "12.50"]])
    goals = word_table(document, [["总体目标", "年度目标"], ["", "维修村道3公里"]])
    goals.cell(0, 0).merge(goals.cell(1, 0)).text = "总体目标"
    word_table(document, [["一级指标", "二级指标", "三级指标", "指标值"],
                          ["产出指标", "数量指标", "维修村道里程", "≥3公里"],
                          ["满意度指标", "服务对象满意度指标", "村民满意度", "≥90%"]])


def import_word_forms(tmp_path: Path, *names: str) -> Path:
    """Imports a Word file of one form (add_form) per name; the content folder it made."""
    import docx

    document = docx.Document()
    for name in names:
        add_form(document, name)
    source = tmp_path / "forms.docx"
    document.save(source)
    into = tmp_path / "content"
    code, out, err = run("import", str(source), "--into", str(into), "--region", "某省某县", "--agency", "612001")
    assert code == 0, out + err
    return into


def test_a_form_printed_as_several_word_tables_is_one_form(tmp_path):
    """Word files (and sitegen's own declaration PDF) print the block, 总体目标 and the indicators as
    three tables: they are one project."""
    into = import_word_forms(tmp_path, "村道维修")
    (project,) = load_content(into).content.projects()
    assert (project.name, project.budget, project.goals, project.implementer) == (
        "村道维修", Decimal("12.50"), ["维修村道3公里"], "某镇村镇建设服务中心")
    assert [(i.name, i.op, i.target.text, i.unit) for i in project.indicators] == [
        ("维修村道里程", ">=", "3", "公里"), ("村民满意度", ">=", "90", "%")]
    assert load_content(into).content.agencies[0].name == "某镇人民政府"


def test_two_forms_in_one_word_file_are_two_projects(tmp_path):
    into = import_word_forms(tmp_path, "村道维修", "桥梁维修")
    assert [p.name for p in load_content(into).content.projects()] == ["村道维修", "桥梁维修"]


def test_two_forms_one_under_the_other_on_a_sheet_are_two_projects(tmp_path):
    """As units keep their 申报表: one sheet, one form under the other (make.py writes them so)."""
    grid = tmp_path / "grid.tsv"
    form = (FIXTURES_DIR / "ningxia-2019-cqcz-declaration" / "grid.tsv").read_text(encoding="utf-8").strip("\n")
    second = form.replace("学校体育设施向社会免费开放", "校园足球场地维护")
    grid.write_text(form + "\n\n" + second + "\n", encoding="utf-8")
    write_xlsx(read_tables(grid), tmp_path / "forms.xlsx")
    into = tmp_path / "content"
    code, out, err = run("import", str(tmp_path / "forms.xlsx"), "--into", str(into), "--region", "宁夏回族自治区")
    assert code == 0, out + err
    projects = load_content(into).content.projects()
    assert [p.name for p in projects] == ["学校体育设施向社会免费开放", "校园足球场地维护"]
    assert [len(p.indicators) for p in projects] == [7, 7]


# A label line printed right above the block (湖南: 填报单位(盖章): 单位负责人:…).
LINE_ABOVE = """\
绩效目标申报表	<	<	<	<
(2024年度)	<	<	<	<
填报单位(盖章): 单位负责人:张三 填报日期:2024年1月5日	<	<	<	<
项目名称	村道维修	<	<	<
主管部门	某县交通运输局	<	专项负责人	李四
年度资金总额	12.50	<	<	<
年度目标	维修村道3公里	<	<	<
一级指标	二级指标	三级指标	指标值	备注
产出指标	数量指标	维修村道里程	≥3公里
"""


def test_label_lines_above_the_form_are_its_first_facts_in_printed_order(tmp_path):
    loaded, _ = import_grid(tmp_path, LINE_ABOVE)
    (project,) = loaded.content.projects()
    assert list(project.facts) == [("单位负责人", "张三"), ("填报日期", "2024年1月5日"),
                                   ("主管部门", "某县交通运输局"), ("专项负责人", "李四")]


def test_a_covers_label_lines_stay_after_the_forms_cells(tmp_path):
    """A Word cover (a table of lines on a page of its own before the form) is not printed with the
    form's block: its 编报时间 stays after the form's cells."""
    import docx

    document = docx.Document()
    word_table(document, [["某县部门专项申报表2024年度"], ["编报单位:某县交通运输局"], ["编报时间:2024年1月5日"]])
    word_table(document, [["项目名称", "村道维修", "主管部门", "某县交通运输局"], ["年度资金总额", "12.50", "专项负责人", "李四"],
                          ["年度目标", "维修村道3公里", "", ""],
                          ["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "维修村道里程", "≥3公里"]])
    source = tmp_path / "form.docx"
    document.save(source)
    into = tmp_path / "content"
    code, out, err = run("import", str(source), "--into", str(into), "--region", "某省某县", "--agency", "x1")
    assert code == 0, out + err
    (project,) = load_content(into).content.projects()
    assert list(project.facts) == [("主管部门", "某县交通运输局"), ("专项负责人", "李四"), ("编报时间", "2024年1月5日")]


def test_a_pdf_goal_keeps_the_line_the_author_started_and_joins_the_wrapped_ones(tmp_path):
    """A PDF goal's line breaks are where the cell wrapped, except after a short line that ends a
    sentence: the author's own new line (上海: the last sentence of a long goal on a line of its own).
    The lines are printed as the transcribed PDF's were, one a line."""
    from make import write_pdf

    lines = ["完成全县农村公路日常养护工作，确保全县公路路况良好并", "及时抢修水毁路段，保障群众出行安全，道路畅通无阻。",
             "年底前完成验收。", "开展日常工作。"]
    grid = tmp_path / "grid.tsv"
    grid.write_text("\n".join("\t".join(row) for row in [
        ["项目支出绩效目标申报表", "<", "<", "<"], ["（2024年度）", "<", "<", "<"],
        ["项目名称", "农村公路养护", "<", "<"], ["主管部门", "某县交通运输局", "<", "<"],
        ["年度资金总额", "100", "<", "<"], ["年度目标", "\\n".join(lines), "<", "<"],
        ["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "养护里程", "≥200公里"],
    ]) + "\n", encoding="utf-8")
    source = tmp_path / "form.pdf"
    write_pdf(read_tables(grid), source)
    into = tmp_path / "content"
    code, out, err = run("import", str(source), "--into", str(into), "--region", "某省某县", "--agency", "x1")
    assert code == 0, out + err
    (project,) = load_content(into).content.projects()
    assert project.goals == ["".join(lines[:3]) + "\n" + lines[3]]


def test_a_weight_printed_as_a_percentage_is_its_points(tmp_path):
    grid = "\n".join("\t".join(row) for row in [
        ["项目绩效目标表(2024年度)", "<", "<", "<", "<"],
        ["项目名称", "农村公路养护", "<", "<", "<"], ["主管部门", "某县交通运输局", "<", "<", "<"],
        ["年度资金总额", "100", "<", "<", "<"], ["年度目标", "养护县乡公路200公里", "<", "<", "<"],
        ["一级指标", "二级指标", "三级指标", "指标值", "权重"],
        ["产出指标", "数量指标", "养护里程", "≥200公里", "30%"],
        ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "70％"],
    ]) + "\n"
    loaded, _ = import_grid(tmp_path, grid)
    (project,) = loaded.content.projects()
    assert [i.score for i in project.indicators] == [Decimal("30"), Decimal("70")]
