"""Recognition as data (vocabulary.yaml), row kinds, values, and the escape hatch (--explain, --map),
on real files written with openpyxl and read back by the importer."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from sitegen.checks.pipeline import load_content
from sitegen.importers import cells
from sitegen.importers.forms import rows
from sitegen.importers.labels import INDICATOR_LABELS, PROJECT_LABELS
from sitegen.importers.vocabulary import VOCABULARY, load_vocabulary
from tests.conftest import run

FIXTURES = Path(__file__).parent / "import_fixtures"


def test_every_label_list_lives_in_the_vocabulary_file():
    data = load_vocabulary()
    assert data == VOCABULARY
    for field in ("level1", "level2", "name", "target", "actual", "deviation"):
        assert data["indicator"][field], field
    assert "项目支出名称" in data["declaration"]["name"] and "单位(专项)名称" in data["declaration"]["name"]
    assert "一级" in data["indicator"]["level1"] and "指标值及单位" in data["indicator"]["target"]


@pytest.mark.parametrize("text, key, how", [
    ("一级指标", "level1", "完全一致"),
    ("一 级\n指 标", "level1", "完全一致"),  # spaces and line breaks of a tall cell
    ("一级", "level1", "完全一致"),
    ("年度指标值(A)", "target", "完全一致"),
    ("指标分值(%)", "score", "去掉括号"),
    ("未完成原因分析及改进", "deviation", "截短"),  # cut short on the printed page
    ("本年度绩效目标值", "target", "包含"),
    ("ＦＯＯ", None, None),
])
def test_labels_match_tolerantly(text, key, how):
    found = INDICATOR_LABELS.match(text)
    assert (found.key if found else None) == key
    assert (found.how if found else None) == how


def test_a_truncated_label_that_fits_two_fields_matches_none():
    assert INDICATOR_LABELS.match("指标值设") is not None  # 指标值设定依据: basis only
    assert INDICATOR_LABELS.match("绩效指") is None  # 绩效指标名称 (name) or 绩效指标值 (target): not a guess


def test_project_name_synonyms():
    assert PROJECT_LABELS.match("项目支出名称").key == "project"
    assert PROJECT_LABELS.match("单位（专项）名称").key == "project"


@pytest.mark.parametrize("name, kept", [
    ("指标1:安置小区物业费", "安置小区物业费"), ("指标 2：资金到位率", "资金到位率"), ("1、培训人次", "培训人次"),
    ("（1）培训人次", "培训人次"), ("1.5米宽道路长度", "1.5米宽道路长度"), ("2023年完成率", "2023年完成率"),
])
def test_template_numbering_leaves_names(name, kept):
    assert rows.without_numbering(name) == kept


@pytest.mark.parametrize("name", ["指标2:", "……", "/", "无", "本项目不适用此指标", "指标3：…"])
def test_template_rows_left_empty_are_filler(name):
    assert rows.is_filler(name)


def test_weights_leave_level_names():
    assert rows.level_name("产出指标(50分)") == ("产出指标", 50)
    assert rows.level_name("产出指标\n（50分）")[0] == "产出指标"
    assert rows.level_name("数量指标(必填硬性指标)") == ("数量指标(必填硬性指标)", None)


def test_notes_and_signatures():
    assert rows.note_text("注：1.一级指标分值统一设置为…") == "1.一级指标分值统一设置为…"
    assert rows.note_text("其他需要说明事项") == ""
    assert rows.note_text("注册人数") is None
    assert rows.is_signature("填报人：张三 联系电话：1234")
    assert not rows.is_signature("填报质量")


@pytest.mark.parametrize("text, op, target, unit", [
    ("═100%", "=", "100", "%"), ("⩾95%", ">=", "95", "%"), ("＞＝90%", ">=", "90", "%"), ("不低于95%", ">=", "95", "%"),
    ("不超过10万元", "<=", "10", "万元"), ("95%以上", ">=", "95", "%"), ("≥266米", ">=", "266", "米"),
    ("2025年年底前", None, "2025年年底前", ""), ("12月底前", None, "12月底前", ""), ("3年", None, "3", "年"),
    ("±3%以内", None, "±3%以内", ""),
])
def test_values_as_a_careful_person_reads_them(text, op, target, unit):
    assert cells.split_value(text) == cells.Value(op, target, unit)


# ---------------------------------------------------------------- the escape hatch, on real files

UNSEEN = [
    ["某县2024年项目考核表"],
    ["项目", "大类", "小类", "考核内容", "预期值"],
    ["道路养护", "产出指标", "数量指标", "养护里程", "≥120公里"],
    ["道路养护", "满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"],
]


def unseen_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "表1"
    for row in UNSEEN:
        sheet.append(row)
    book.save(path)
    return path


def content(tmp_path: Path) -> Path:
    into = tmp_path / "content"
    into.mkdir()
    (into / "site.yaml").write_text("title: 测试\nbase_url: https://example.org/\n", encoding="utf-8")
    return into


def test_an_unrecognised_table_names_the_labels_it_lacks_and_points_at_explain(tmp_path):
    into = content(tmp_path)
    code, out, err = run("import", str(unseen_workbook(tmp_path / "t.xlsx")), "--into", str(into))
    assert code == 2
    assert "表头中没有 一级指标" in err and "三级指标" in err and "--explain" in err and "--map" in err
    assert "\n" not in err.strip().splitlines()[0]
    assert sorted(p.name for p in into.iterdir()) == ["site.yaml"]


def test_explain_prints_the_grid_as_read_and_writes_nothing(tmp_path):
    into = content(tmp_path)
    table = FIXTURES / "jishan-2020-selfeval" / "table.xlsx"
    code, out, _ = run("import", str(table), "--into", str(into), "--explain")
    assert code == 0
    assert "合并：" in out and "[表头]" in out and "[指标]" in out and "[注]" in out or "[表块]" in out
    assert "→ level1（一级指标；与词表一致）" in out
    assert "识别为：evaluation 自评表" in out
    assert sorted(p.name for p in into.iterdir()) == ["site.yaml"]


def test_map_imports_a_table_nobody_has_seen(tmp_path):
    into = content(tmp_path)
    mapping = tmp_path / "map.yaml"
    mapping.write_text("labels:\n  大类: level1\n  小类: level2\n  考核内容: name\n  预期值: target\nheader_row: 2\nform: flat\n",
                       encoding="utf-8")
    code, out, err = run("import", str(unseen_workbook(tmp_path / "t.xlsx")), "--into", str(into), "--map", str(mapping),
                         "--agency", "x1", "--region", "某省某县")
    assert code == 0, out + err
    loaded = load_content(into)
    assert loaded.ok, [f.format() for f in loaded.findings.errors]
    project = loaded.content.unit_years()[0].projects[0]
    assert project.name == "道路养护"
    assert [(i.level1, i.name, i.op, i.target.text, i.unit) for i in project.indicators] == [
        ("产出指标", "养护里程", ">=", "120", "公里"), ("满意度指标", "群众满意度", ">=", "90", "%")]
    # The map is for that import only: the vocabulary is as before.
    assert INDICATOR_LABELS.match("考核内容") is None


@pytest.mark.parametrize("text, message", [
    ("labels: [a]\n", "labels"), ("labels: {考核内容: nom}\n", "「nom」不认识"), ("labels: {a: name}\nheader_row: 0\n", "header_row"),
    ("labels: {a: name}\nform: foo\n", "form「foo」"), ("labels: {a: name}\nother: 1\n", "「other」"), ("labels: {a\n", "YAML"),
])
def test_a_bad_map_is_one_clear_line(tmp_path, text, message):
    mapping = tmp_path / "map.yaml"
    mapping.write_text(text, encoding="utf-8")
    code, _, err = run("import", str(unseen_workbook(tmp_path / "t.xlsx")), "--into", str(content(tmp_path)), "--map", str(mapping))
    assert code == 2 and message in err and "Traceback" not in err


TEMPLATE = [
    ["2024年项目绩效目标表"],
    ["项目名称", "预算数", "一级", "二级", "三级", "指标值及单位", "分值"],
    ["道路养护", "100", "产出指标\n(50分)", "数量指标", "指标1:养护里程", "不低于120公里", "30"],
    ["道路养护", "100", "产出指标\n(50分)", "时效指标", "（1）完工时间", "2024年年底前", "20"],
    ["道路养护", "100", "产出指标\n(50分)", "质量指标", "指标2:", "", ""],
    ["道路养护", "100", "产出指标\n(50分)", "成本指标", "……", "", ""],
    ["道路养护", "100", "满意度指标", "服务对象满意度指标", "本项目不适用此指标", "", ""],
    ["注：1.一级指标分值统一设置为产出指标60分。"],
    ["填报人：张三", "", "联系电话：（号码略）"],
]


def template_workbook(path: Path, rows_: list[list[str]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "表1"
    for row in rows_:
        sheet.append(row)
    for r, row in enumerate(rows_, start=1):
        if len(row) == 1:
            sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=7)
    book.save(path)
    return path


def test_template_material_never_becomes_an_indicator(tmp_path):
    into = content(tmp_path)
    code, out, err = run("import", str(template_workbook(tmp_path / "t.xlsx", TEMPLATE)), "--into", str(into),
                         "--agency", "x1", "--region", "某省某县")
    assert code == 0, out + err
    loaded = load_content(into)
    assert loaded.ok, [f.format() for f in loaded.findings.errors]
    unit_year = loaded.content.unit_years()[0]
    (project,) = unit_year.projects
    assert [(i.level1, i.level2, i.name, i.op, i.target.text, i.unit) for i in project.indicators] == [
        ("产出指标", "数量指标", "养护里程", ">=", "120", "公里"),
        ("产出指标", "时效指标", "完工时间", None, "2024年年底前", "")]
    assert "1.一级指标分值统一设置为产出指标60分。" in unit_year.notes
    assert "张三" not in (into / "x1" / "2024" / "p01.yaml").read_text(encoding="utf-8")
    # The printed weight (50) differs from the level's scores (30 + 20 = 50): nothing to report; change one.
    assert "印有分值" not in out


def test_a_printed_weight_that_differs_from_the_scores_is_reported(tmp_path):
    rows_ = [list(row) for row in TEMPLATE]
    rows_[3][6] = "10"
    into = content(tmp_path)
    code, out, err = run("import", str(template_workbook(tmp_path / "t.xlsx", rows_)), "--into", str(into),
                         "--agency", "x1", "--region", "某省某县")
    assert code == 0, out + err
    assert "一级指标「产出指标」印有分值 50 分，其下三级指标分值合计 40 分" in out


def test_a_table_with_a_header_and_no_indicator_rows_is_refused(tmp_path):
    into = content(tmp_path)
    code, out, err = run("import", str(template_workbook(tmp_path / "t.xlsx", TEMPLATE[:2])), "--into", str(into),
                         "--agency", "x1", "--region", "某省某县")
    assert code == 1 and "没有导入任何项目" in (out + err) and "--explain" in (out + err)
    assert sorted(p.name for p in into.iterdir()) == ["site.yaml"]


def test_a_csv_declaration_gets_the_merges_its_form_implies(tmp_path):
    """A 申报表 saved as CSV (GB18030, as Excel on a Chinese Windows saves it) has no merged cells."""
    rows_ = [
        ["项目支出绩效目标申报表", "", "", "", ""],
        ["(2024年度)", "", "", "", ""],
        ["项目名称", "道路养护", "", "实施单位", "某县交通运输局"],
        ["资金情况(万元)", "年度资金总额:", "", "100", ""],
        ["", "其中:财政拨款", "", "100", ""],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
        ["", "产出指标", "数量指标", "养护里程", "≧120公里"],
        ["", "", "时效指标", "完工时间", "2024年年底前"],
        ["填报人：张三", "", "", "", ""],
    ]
    path = tmp_path / "t.csv"
    path.write_bytes("\r\n".join(",".join(row) for row in rows_).encode("gb18030"))
    into = content(tmp_path)
    code, out, err = run("import", str(path), "--into", str(into), "--agency", "x1", "--region", "某省某县")
    assert code == 0, out + err
    loaded = load_content(into)
    (project,) = loaded.content.unit_years()[0].projects
    assert (project.name, str(project.budget), [(f.source, str(f.amount)) for f in project.funding]) == (
        "道路养护", "100", [("财政拨款", "100")])
    assert [(i.level2, i.name, i.op, i.target.text, i.unit) for i in project.indicators] == [
        ("数量指标", "养护里程", ">=", "120", "公里"), ("时效指标", "完工时间", None, "2024年年底前", "")]


def test_unit_lines_name_the_unit_and_never_a_money_unit():
    from sitegen.importers.forms.declaration.block import unit_line

    assert unit_line("部门：湘潭市环境卫生管理处") == "湘潭市环境卫生管理处"
    assert unit_line("填报单位：某局（盖章）") == "某局"
    assert unit_line("填报单位:(盖章) 单位:万元") is None
    assert unit_line("单位：万元") is None


def test_tick_boxes_give_the_ticked_option():
    assert cells.ticked("1、持续性项目 ☑ 2、新增性项目 □") == "持续性项目"
    assert cells.ticked("新增项目□ 延续项目R") == "延续项目"  # Wingdings: R a ticked box once the font is lost
    assert cells.ticked("1、部门预算项目 £ 2、区直专项 £ 3、上级转移支付项目 R") == "上级转移支付项目"
    assert cells.ticked("延续项目") is None and cells.ticked("口径R") is None


def test_label_lines_above_a_form_split_into_their_labels():
    from sitegen.importers.forms.declaration import line_parts

    assert line_parts("单位名称:昌宁县供销合作社联合社 填报日期:2023年4月15日") == ["单位名称:昌宁县供销合作社联合社", "填报日期:2023年4月15日"]
    assert line_parts("填报单位(盖章): 单位负责人:谭呈祥") == ["填报单位(盖章):", "单位负责人:谭呈祥"]
    assert line_parts("编 报 时 间 : 2021年1月28日") == ["编 报 时 间 : 2021年1月28日"]


def levelless_form(name: str, budget: str) -> list[list[str]]:
    """重庆 表十二: a labelled block, then `指标 | 指标权重 | 计量单位 | 指标性质 | 指标值` — no 一级/二级 columns."""
    return [["表十二", "", "", "", "", ""], ["2023年一般性项目绩效目标表(一级项目)"] + [""] * 5,
            ["编制单位:", "813-某镇", "", "", "单位:万元", ""], ["专项资金名称", name, "", "", "", ""],
            ["业务主管部门", "813-某镇", "", "", "", ""], ["当年预算", budget, "", "", "", ""],
            ["当年绩效目标", "按时足额发放", "", "", "", ""],
            ["绩效指标", "指标", "指标权重", "计量单位", "指标性质", "指标值"],
            ["", "发放人数", "20", "人", "≥", "80"], ["", "促进社会和谐", "20", "", "定性", ""], [""] * 6]


def test_a_form_without_level_columns_imports_each_stacked_form(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in levelless_form("甲补助", "229.66") + levelless_form("乙补助", "9.31"):
        sheet.append(row)
    book.save(tmp_path / "t.xlsx")
    into = content(tmp_path)
    code, out, err = run("import", str(tmp_path / "t.xlsx"), "--into", str(into), "--region", "重庆市某区")
    assert code == 0, out + err
    loaded = load_content(into)
    unit_year = loaded.content.unit_years()[0]
    assert (unit_year.agency.id, unit_year.year, unit_year.title) == ("813", 2023, "2023年一般性项目绩效目标表(一级项目)")
    assert [(p.name, str(p.budget), p.goals, dict(p.facts)) for p in unit_year.projects] == [
        ("甲补助", "229.66", ["按时足额发放"], {"业务主管部门": "813-某镇"}),
        ("乙补助", "9.31", ["按时足额发放"], {"业务主管部门": "813-某镇"})]
    assert [(i.level1, i.level2, i.name, i.op, i.target.text if i.target else None, i.unit, i.kind)
            for i in unit_year.projects[0].indicators] == [
        ("", "", "发放人数", ">=", "80", "人", "定量"), ("", "", "促进社会和谐", None, None, "", "定性")]
