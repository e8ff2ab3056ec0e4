"""Changes since last year, on a generated two-year fixture."""

from __future__ import annotations

from decimal import Decimal

from sitegen.build.site import PDF, build, without
from sitegen.model.compare import changes_since_last_year
from sitegen.checks.pipeline import load_content
from tests.conftest import MINIMAL, write_tree


def roads(budget: str, *indicators: str) -> str:
    """The project 道路养护 of one year: its budget and its indicators (one flow mapping each)."""
    rows = "".join(f"  - {{{indicator}}}\n" for indicator in indicators)
    return f"name: 道路养护\nbudget: {budget}\ngoals: 养护道路\nindicators:\n{rows}"


# What changes from one year to the next: the budget, the mileage's target, one indicator swapped.
MILEAGE = "level1: 产出指标, level2: 数量指标, name: 养护里程, op: ≥, target: {}, unit: 公里"
QUALITY = 'level1: 产出指标, level2: 质量指标, name: 合格率, op: ≥, target: 90, unit: "%"'
LAST_YEAR = roads("10.00", MILEAGE.format(100), QUALITY,
                  'level1: 满意度指标, level2: 服务对象满意度指标, name: 群众满意度, op: ≥, target: 85, unit: "%"')
THIS_YEAR = roads("12.50", MILEAGE.format(120), QUALITY,
                  'level1: 效益指标, level2: 社会效益指标, name: 通行时间缩短, op: ≥, target: 5, unit: "%"')


def two_years(tmp_path):
    files = {**MINIMAL, "u1/2023/roads.yaml": LAST_YEAR, "u1/2024/roads.yaml": THIS_YEAR}
    return write_tree(tmp_path / "content", files)


def test_changes_are_computed(tmp_path):
    content = load_content(two_years(tmp_path)).content
    changes = changes_since_last_year(content)
    roads = next(p for p in content.projects() if p.id == "roads" and p.year == 2024)
    change = changes[id(roads)]
    assert change.previous.year == 2023 and change.budget_change == Decimal("2.50")
    assert [i.name for i in change.added] == ["通行时间缩短"]
    assert [i.name for i in change.removed] == ["群众满意度"]
    assert [(c.before.value_text, c.after.value_text) for c in change.targets] == [("≥100公里", "≥120公里")]
    assert len(changes) == 1  # p1 exists in 2024 only, the 2023 project has no previous year


def test_project_page_shows_the_changes(tmp_path):
    out = tmp_path / "out"
    build(two_years(tmp_path), out, renderers=without(PDF), cache_dir=tmp_path / "cache")
    html = (out / "u1/2024/roads/index.html").read_text(encoding="utf-8")
    assert "与 2023 年相比" in html and "预算增加 2.50" in html
    assert "≥100公里" in html and "≥120公里" in html
    assert "新增指标（1 项）" in html and "通行时间缩短" in html and "删去的指标（1 项）" in html
    assert 'href="../../2023/roads/"' in html
    assert "与 2023 年相比" not in (out / "u1/2024/p1/index.html").read_text(encoding="utf-8")


def test_home_page_charts_match_the_model(built):
    import re
    from collections import Counter

    content = load_content(__import__("tests.conftest", fromlist=["CONTENT"]).CONTENT).content
    html = (built / "index.html").read_text(encoding="utf-8")
    assert html.count('<svg role="img"') == 4 and "<script" not in html.split('class="charts"')[1]
    titles = re.findall(r'<title id="chart-[a-z0-9]+-title">([^<]*)</title>', html)
    assert "乌海市人力资源和社会保障局 438.00；" in titles[0] and "祁连县人力资源和社会保障局本级 78.00；" in titles[0]
    # a disclosure in 元 is counted in the site's 万元: 250000.00 元 is 25.00 万元
    assert re.search("上海市普陀区体育事业管理中心 25.00(；|$)", titles[0])
    level1 = Counter(i.level1_std or i.level1 for i in content.indicators())  # a regional name as written
    assert titles[2].endswith("；".join(f"{name} {count}" for name, count in level1.most_common()))
    assert html.count("以表格查看") == 4  # a table equivalent for each chart
