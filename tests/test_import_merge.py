"""A 自评表 merged into the project file an author wrote: matched by code or name, results matched by
三级指标, every value of the author's file kept (loaded models compared), conflicts refused unless
--force; and the YAML writer's round trip (load → write → load) over every project the tests know."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from sitegen.importers import writer
from sitegen.checks.pipeline import load_content
from tests.conftest import run
from tests.test_import_fixtures import FIXTURES, SITE, overall_view, project_view

sys_path_fixtures = str(FIXTURES)
JISHAN = FIXTURES / "jishan-2020-selfeval"
ARGS = ("--agency", "jishan-ybj", "--region", "山西省运城市稷山县")

# The goals file an author keeps for the project, before the year ends: comments, description,
# an op written as ≥, a direction, an explanation, its own indicator order and one indicator the
# self-evaluation does not list.
AUTHOR = """\
# 2020 年度绩效目标（作者手写）
name: 建档立卡个人缴费县级配套资金
code: XM-2020-07
budget: 65.66
funding:
  - {source: 当年财政拨款, amount: 65.66}
goals: 提高医疗保障水平,推进因病致贫问题的根本性解决
description: |-
  为建档立卡贫困人口代缴个人缴费部分。

  由县财政配套。
implementer: 稷山县医疗保险服务中心
notes: 作者的备注
indicators:
  - {level1: 产出指标, level2: 质量指标, name: 资金是否全部纳入医保统筹, op: "≥", target: 100, unit: "%", score: 15, direction: 正向}
  - {level1: 产出指标, level2: 数量指标, name: 全县参合人数, target: 8755, unit: 人, score: 15, explanation: 参保的建档立卡人数}
  - {level1: 产出指标, level2: 时效指标, name: 资金是否全部及时纳入, target: 100, unit: "%", score: 10}
  - {level1: 产出指标, level2: 成本指标, name: 配套资金每人每年, target: 75, unit: 元, score: 10}  # 按省定标准
  - {level1: 效益指标, level2: 社会效益指标, name: 是否解决建档立卡人员看病难贵问题, target: 95, unit: "%", score: 30}
  - {level1: 效益指标, level2: 可持续影响指标, name: 长效机制, target: 建立, score: 0}
"""
AGENCY = 'code: ""\nname: 稷山县医疗保障局\nregion: 山西省运城市稷山县\n'


def author_tree(tmp_path: Path, text: str = AUTHOR) -> Path:
    into = tmp_path / "content"
    year = into / "jishan-ybj" / "2020"
    year.mkdir(parents=True)
    (into / "site.yaml").write_text(SITE, encoding="utf-8")
    (into / "jishan-ybj" / "agency.yaml").write_text(AGENCY, encoding="utf-8")
    (year / "disclosure.yaml").write_text("title: 作者的标题\n", encoding="utf-8")
    (year / "medical.yaml").write_text(text, encoding="utf-8")
    return into


def only_project(into: Path):
    loaded = load_content(into)
    assert loaded.ok, [f.format() for f in loaded.findings.errors]
    (project,) = loaded.content.projects()
    return project


def without_results(view: dict) -> dict:
    view = dict(view, evaluation=None)
    view["indicators"] = [dict(i, actual=None, earned=None, deviation="") for i in view["indicators"]]
    return view


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_selfeval_merges_into_the_authors_file_keeping_every_value(tmp_path, fmt):
    into = author_tree(tmp_path)
    before = only_project(into)
    code, out, err = run("import", str(JISHAN / f"table.{fmt}"), "--into", str(into), *ARGS)
    assert code == 0, out + err
    assert "自评表并入" in out and "medical.yaml（按项目名称匹配）" in out
    assert "「是否满意」在" in out and "已追加" in out  # a row the author's file does not have
    assert not (into / "jishan-ybj" / "2020" / "p01.yaml").exists()
    assert (into / "jishan-ybj" / "2020" / "disclosure.yaml").read_text(encoding="utf-8") == "title: 作者的标题\n"
    after = only_project(into)
    kept = project_view(after)
    kept["indicators"] = kept["indicators"][:len(before.indicators)]  # the appended row is new
    assert without_results(kept) == without_results(project_view(before))
    assert after.description == before.description and after.notes == "作者的备注"
    e = after.evaluation
    assert (e.initial, e.adjusted, e.spent, e.execution_weight, e.execution_earned, e.stated_total) == (
        None, Decimal("65.66"), Decimal("65.07"), Decimal("10"), Decimal("9"), Decimal("94"))
    assert [(f.source, f.adjusted, f.spent) for f in e.funding] == [
        ("当年财政拨款", Decimal("65.66"), Decimal("65.07")), ("上年结转资金", None, None), ("其他资金", None, None)]
    assert e.outcome == ["提高医疗保障水平,推进了因病致贫问题的基本性解决"]
    results = {i.name: (i.actual.text if i.actual else None, i.earned, i.deviation) for i in after.indicators}
    assert results["全县参合人数"] == ("8676", Decimal("13"), "建档立卡中有新增死亡人员,导致有偏差")
    assert results["资金是否全部纳入医保统筹"] == ("100", Decimal("15"), "")
    assert results["长效机制"] == (None, None, "")  # not in the self-evaluation: left as it was
    assert results["是否满意"] == ("95", Decimal("9"), "")
    text = (into / "jishan-ybj" / "2020" / "medical.yaml").read_text(encoding="utf-8")
    assert text.startswith("# 2020 年度绩效目标（作者手写）\n")
    # Merged in the file's own text: the comment where it was, the author's ≥, the results added.
    assert "name: 配套资金每人每年, target: 75, unit: 元, score: 10, actual: 75, earned: 10}  # 按省定标准\n" in text
    assert 'name: 资金是否全部纳入医保统筹, op: "≥", target: 100, unit: "%", score: 15, direction: 正向, actual: 100' in text
    assert "# 由 sitegen import 并入自评：" in text and "description: |-\n  为建档立卡贫困人口代缴个人缴费部分。\n\n" in text
    # Once more: nothing changes.
    snapshot = files(into)
    code, out, _ = run("import", str(JISHAN / f"table.{fmt}"), "--into", str(into), *ARGS)
    assert code == 0 and files(into) == snapshot and "已写入" not in out


def test_a_result_the_author_wrote_differently_is_a_conflict_unless_force(tmp_path):
    text = AUTHOR.replace("explanation: 参保的建档立卡人数}", "explanation: 参保的建档立卡人数, actual: 8700}")
    into = author_tree(tmp_path, text)
    snapshot = files(into)
    code, out, _ = run("import", str(JISHAN / "table.xlsx"), "--into", str(into), *ARGS)
    assert code == 1 and files(into) == snapshot
    assert "指标「全县参合人数」的实际完成值（actual）已写为「8700」，自评表为「8676」：未覆盖" in out
    code, out, _ = run("import", str(JISHAN / "table.xlsx"), "--into", str(into), *ARGS, "--force")
    assert code == 0
    merged = {i.name: i.actual.text for i in only_project(into).indicators if i.actual}
    assert merged["全县参合人数"] == "8676"


def test_matched_by_code_when_the_form_prints_one(tmp_path):
    import sys

    sys.path.insert(0, sys_path_fixtures)
    from make import read_tables, write_xlsx

    lines = (JISHAN / "grid.tsv").read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("项目名称"))
    width = lines[at].count("\t")
    lines.insert(at + 1, "项目编码\tXM-2020-07" + "\t<" * (width - 1))
    grid = tmp_path / "grid.tsv"
    grid.write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_xlsx(read_tables(grid), tmp_path / "coded.xlsx")
    into = author_tree(tmp_path, AUTHOR.replace("name: 建档立卡个人缴费县级配套资金", "name: 建档立卡缴费配套（作者的简称）"))
    code, out, err = run("import", str(tmp_path / "coded.xlsx"), "--into", str(into), *ARGS)
    assert code == 0, out + err
    assert "medical.yaml（按项目编码 XM-2020-07匹配）" in out
    assert only_project(into).evaluation.spent == Decimal("65.07")


def trees() -> list[Path]:
    root = Path(__file__).parent.parent / "content"
    return [root] + sorted(p / "expected" for p in FIXTURES.iterdir() if (p / "expected").is_dir())


@pytest.mark.parametrize("source", trees(), ids=lambda p: p.parent.name if p.name == "expected" else p.name)
def test_writer_round_trip_keeps_every_value(tmp_path, source):
    root = tmp_path / "content"
    shutil.copytree(source, root)
    if not (root / "site.yaml").exists():
        (root / "site.yaml").write_text(SITE, encoding="utf-8")
    original = load_content(root)
    assert original.ok
    for project in original.content.projects():
        Path(project.loc.file).write_text(writer.project_yaml([], project), encoding="utf-8")
    overalls = [uy.overall for uy in original.content.unit_years() if uy.overall]
    for o in overalls:
        Path(o.loc.file).write_text(writer.overall_yaml([], o), encoding="utf-8")
    rewritten = load_content(root)
    assert rewritten.ok, [f.format() for f in rewritten.findings.errors]
    want = [dict(project_view(p), id=p.id, order=p.order) for p in original.content.projects()]
    got = [dict(project_view(p), id=p.id, order=p.order) for p in rewritten.content.projects()]
    assert got == want
    assert [overall_view(uy.overall) for uy in rewritten.content.unit_years()] == [
        overall_view(uy.overall) for uy in original.content.unit_years()]


def test_department_selfeval_merges_into_overall_yaml(tmp_path):
    """The 宁德 部门整体支出绩效自评表 into the unit's overall.yaml (the 2019 目标表's, imported as that year)."""
    into = tmp_path / "content"
    shutil.copytree(FIXTURES / "fujian-ningde-2019-overall" / "expected", into)
    (into / "site.yaml").write_text(SITE, encoding="utf-8")
    path = into / "901001033" / "2019" / "overall.yaml"
    path.write_text("# 作者的注释\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    before = load_content(into).content.unit_years()[0].overall
    table = FIXTURES / "fujian-ningde-2018-overall-selfeval" / "table.xlsx"
    code, out, err = run("import", str(table), "--into", str(into), "--year", "2019")
    assert code == 0, out + err
    assert f"自评表并入 {path}（按单位和年度匹配）" in out
    after = load_content(into).content.unit_years()[0].overall
    for key in ("title", "total", "basic", "project", "duties", "goals"):
        assert getattr(after, key) == getattr(before, key), key
    assert [(t.duty, t.task, t.project, t.amount) for t in after.tasks] == [(t.duty, t.task, t.project, t.amount) for t in before.tasks]
    assert [(i.name, i.target.text, i.explanation) for i in after.indicators] == [
        (i.name, i.target.text, i.explanation) for i in before.indicators]
    assert after.notes.startswith("财政资金小计 历年结余结转：213722.82")
    assert (after.evaluation.adjusted, after.evaluation.spent) == (Decimal("2751417.82"), Decimal("2546673.98"))
    assert path.read_text(encoding="utf-8").startswith("# 作者的注释\n")
    snapshot = files(into)
    assert run("import", str(table), "--into", str(into), "--year", "2019")[0] == 0 and files(into) == snapshot


def test_goals_table_and_selfeval_imported_together_are_one_project(tmp_path):
    """The goals table (a flat workbook written from the author's project) and the 自评表 in one run."""
    import sys

    sys.path.insert(0, sys_path_fixtures)
    from make import read_tables, write_xlsx

    header = "项目名称\t项目单位\t预算数\t年度绩效目标\t一级指标\t二级指标\t三级指标\t目标值\t计量单位\t分值"
    rows = [("产出指标", "数量指标", "全县参合人数", "8755", "人", "15"),
            ("产出指标", "质量指标", "资金是否全部纳入医保统筹", "100", "%", "15")]
    lines = ["2020年稷山县医疗保障局项目支出绩效目标表" + "\t<" * 9, header]
    for n, row in enumerate(rows):
        project = ("建档立卡个人缴费县级配套资金", "稷山县医疗保障局", "65.66", "提高医疗保障水平,推进因病致贫问题的根本性解决")
        lines.append("\t".join((project if n == 0 else ("^",) * 4) + row))
    grid = tmp_path / "grid.tsv"
    grid.write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_xlsx(read_tables(grid), tmp_path / "goals.xlsx")
    into = tmp_path / "content"
    code, out, err = run("import", str(JISHAN / "table.xlsx"), str(tmp_path / "goals.xlsx"), "--into", str(into), *ARGS)
    assert code == 0, out + err
    assert "并入同时导入的" in out
    (project,) = only_project_list(into)
    assert project.evaluation.spent == Decimal("65.07")
    assert [(i.name, i.actual.text, i.earned) for i in project.indicators[:2]] == [
        ("全县参合人数", "8676", Decimal("13")), ("资金是否全部纳入医保统筹", "100", Decimal("15"))]


def only_project_list(into: Path):
    loaded = load_content(into)
    assert loaded.ok, [f.format() for f in loaded.findings.errors]
    return loaded.content.projects()


# ---------------------------------------------------------------- re-importing into a tree that exists


def comment_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


def test_reimporting_the_sites_own_xlsx_with_force_keeps_comments_title_and_totals(tmp_path):
    """all.xlsx does not carry a unit-year's title, stated_total or notes, nor any comment: --force
    replaces the values that differ, in place, and keeps all of those (the example content)."""
    from sitegen.render.data import build_date, xlsx_bytes
    from tests.conftest import CONTENT

    into = tmp_path / "content"
    shutil.copytree(CONTENT, into)
    before = load_content(into)
    xlsx = tmp_path / "all.xlsx"
    xlsx.write_bytes(xlsx_bytes(before.content.unit_years(), build_date(before.content.unit_years())))
    originals = {p: p.read_text(encoding="utf-8") for p in into.rglob("*.yaml")}
    code, out, err = run("import", str(xlsx), "--into", str(into), "--force")
    assert code == 0, out + err
    for path, text in originals.items():
        now = path.read_text(encoding="utf-8").splitlines()
        assert all(line in [n.strip() for n in now] for line in comment_lines(text)), path
    after = load_content(into)
    assert after.ok, [f.format() for f in after.findings.errors]
    kept = {(uy.agency.id, uy.year): (uy.title, uy.stated_total, uy.notes) for uy in before.content.unit_years()}
    assert {(uy.agency.id, uy.year): (uy.title, uy.stated_total, uy.notes) for uy in after.content.unit_years()} == kept
    assert any(stated for _, stated, _ in kept.values()) and any(title for title, _, _ in kept.values())
    # What changed are the values the table gives otherwise (order), never a value the table does
    # not have; the replaced files are in the backup. The PDF's form stays the author's (the XLSX
    # is a flat table: --force once made every PDF flat).
    assert "备份：被替换的" in out
    layouts = {(uy.agency.id, uy.year): uy.pdf_layout for uy in before.content.unit_years()}
    assert {(uy.agency.id, uy.year): uy.pdf_layout for uy in after.content.unit_years()} == layouts
    assert {"declaration", "per-project"} <= set(layouts.values())
    # Again, without --force: nothing differs any more, nothing is written.
    snapshot = files(into)
    code, out, _ = run("import", str(xlsx), "--into", str(into))
    assert code == 0 and "已写入" not in out and files(into) == snapshot


MERGE_OLD = """\
# 作者的说明
name: 项目
budget: 10.00   # 原表如此
indicators:
  # 第一组
  - {level1: 产出指标, level2: 数量指标, name: 甲, op: "≥", target: 1, unit: 个,
     remark: 作者加的}
  - {level1: 产出指标, level2: 数量指标, name: 乙, target: 2}
notes: |
  第一行
  # 这不是注释
"""


def test_the_merge_keeps_the_authors_text_and_replaces_only_what_differs():
    from sitegen.importers.yamlmerge import merge_text

    new = ("# 由 sitegen import 导入：t.xlsx 表1 第 1–3 行（flat 表式）\nname: 项目\nbudget: 12.00\norder: 1\nindicators:\n"
           '  - {level1: 产出指标, level2: 数量指标, name: 甲, op: ">=", target: 1, unit: 个}\n'
           "  - {level1: 产出指标, level2: 数量指标, name: 乙, target: 3}\n"
           "  - {level1: 产出指标, level2: 质量指标, name: 丙, target: 合格}\n")
    merged = merge_text(MERGE_OLD, new)
    assert merged == (
        "# 作者的说明\n# 由 sitegen import 导入：t.xlsx 表1 第 1–3 行（flat 表式）\nname: 项目\nbudget: 12.00   # 原表如此\norder: 1\n"
        "indicators:\n  # 第一组\n"
        '  - {level1: 产出指标, level2: 数量指标, name: 甲, op: "≥", target: 1, unit: 个,\n     remark: 作者加的}\n'
        "  - {level1: 产出指标, level2: 数量指标, name: 乙, target: 3}\n"
        "  - {level1: 产出指标, level2: 质量指标, name: 丙, target: 合格}\n"
        "notes: |\n  第一行\n  # 这不是注释\n")
    assert merge_text(MERGE_OLD, MERGE_OLD.replace("# 作者的说明\n", "")) == MERGE_OLD  # nothing differs: byte for byte
    # A list that gets shorter is replaced whole; its comments go above it, the inline one with its line.
    shorter = "name: 项目\nindicators:\n  - {level1: 产出指标, level2: 数量指标, name: 乙, target: 2}\n"
    merged = merge_text(MERGE_OLD, shorter)
    assert "\n# 第一组\nindicators:\n  - {level1: 产出指标, level2: 数量指标, name: 乙, target: 2}\nnotes: |" in merged
    assert "budget: 10.00   # 原表如此" in merged


def test_a_file_with_anchors_is_written_anew_not_edited_through_an_alias():
    from sitegen.importers.yamlmerge import merge_text

    # Editing budget's text in place would change order too (the alias is the anchored node).
    assert merge_text("budget: &x 1\norder: *x\n", "budget: 2\norder: 1\n") == "budget: 2\norder: 1\n"
    assert merge_text("budget: 1  # 注\nname: 甲&乙*丙\n", "budget: 2\nname: 甲&乙*丙\n") == "budget: 2  # 注\nname: 甲&乙*丙\n"
