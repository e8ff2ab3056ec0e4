"""The warning rules, on the real example content and on one small tree each."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from sitegen.checks import WARNING_CODES
from sitegen.checks.pipeline import load_content
from tests.conftest import codes

P1 = "u1/2024/p1.yaml"


def warnings_of(example, code):
    return [f for f in example.findings.warnings if f.code == code]


def test_example_reports_the_known_problems_of_the_real_tables(example):
    scores = {f.loc.file.rsplit("/", 1)[1]: f.message for f in warnings_of(example, "score-total")}
    assert "合计 80，应为 90" in scores["office-building.yaml"]  # 人社办公楼运行维护费
    assert "合计 97，应为 90" in scores["personnel-exams.yaml"]  # 人事考试及各类资格、职称考试考务费
    [cost] = [f for f in warnings_of(example, "cost-over-budget") if "/418001/" in f.loc.file]
    assert cost.loc.file.endswith("public-recruitment.yaml")  # 事业单位公开招聘经费
    assert "112" in cost.message and "100.00" in cost.message
    texts = sorted(f.message for f in warnings_of(example, "text-target-op"))
    assert len(texts) == 2
    assert "有效促进" in texts[0] and "有效发挥" in texts[1]  # 促进高校毕业生就业, 公开招聘持续发挥作用
    assert example.findings.errors == []


def test_example_regional_level_names_are_recognised(example):
    # 社会效益 / 可持续影响 / 服务对象满意度 (without 指标) are the regional spelling of standard names.
    # (the seeds' own: 东莞's 二级 names such as 数量指标(或建筑规模指标) are warned about, rightly)
    assert [w for w in warnings_of(example, "unknown-level2") if "/418001/" in w.loc.file or "/057001/" in w.loc.file] == []
    assert {i.level2_std for i in example.content.indicators()} >= {"社会效益指标", "可持续影响指标"}


def project(indicators: str, budget: str = "10.00") -> dict:
    return {P1: f"name: 测试项目\nbudget: {budget}\ngoals: g\nindicators:\n{indicators}"}


def ind(**keys) -> str:
    base = {"level1": "产出指标", "level2": "数量指标", "name": "x", "op": "≥", "target": "1", "unit": "次"}
    base.update(keys)
    body = ", ".join(f"{k}: {v}" for k, v in base.items() if v is not None)
    return f"  - {{{body}}}\n"


TESTED = ("stated-total",)  # tested on its own below
RULES = [
    ("score-total", project(ind(score=50) + ind(name="y", score=30))),
    ("cost-over-budget", project(ind(level2="成本指标", op="≤", target=8, unit="万元") + ind(name="y", level2="成本指标", op="≤", target=3, unit="万元"))),
    ("direction-op", project(ind(direction="反向", op="≥"))),
    # under 效益 (not a measured 二级 kind), so that the review's vague-target stays out of it
    ("text-target-op", project(ind(level1="效益指标", level2="社会效益指标", target="有效", op="≥"))),
    ("percent-over-100", project(ind(target=120, unit='"%"'))),
    ("missing-target", project(ind(target=None))),
    ("unknown-level1", project(ind(level1="预期产出指标"))),
    ("unknown-level2", project(ind(level2="工作指标"))),
    ("no-indicators", {P1: "name: 测试项目\nbudget: 1\ngoals: g\nindicators: []\n"}),
    ("duplicate-indicator", project(ind() + ind())),
]


@pytest.mark.parametrize("code, files", RULES, ids=[r[0] for r in RULES])
def test_each_rule_fires_alone(site, code, files):
    loaded = load_content(site(files))
    assert codes(loaded) == [code], [f.format() for f in loaded.findings]


def test_stated_total(site):
    loaded = load_content(site({"u1/2024/disclosure.yaml": "stated_total: 11.00\n"}))
    assert codes(loaded) == ["stated-total"]
    assert "11.00" in loaded.findings.items[0].message and "10.00" in loaded.findings.items[0].message


def test_every_rule_is_tested_and_documented():
    """Each tests/test_checks*.py (and test_review*.py) lists the rules it fires alone in RULES (and others in TESTED)."""
    tested = set()
    folder = Path(__file__).parent
    for path in sorted([*folder.glob("test_checks*.py"), *folder.glob("test_review*.py")]):
        module = importlib.import_module(f"tests.{path.stem}")
        tested |= {code for code, _ in getattr(module, "RULES", ())} | set(getattr(module, "TESTED", ()))
    assert tested == set(WARNING_CODES)


def test_same_name_under_another_level2_is_not_a_duplicate(site):
    loaded = load_content(site(project(ind() + ind(level2="成本指标", op="≤", unit="元"))))
    assert codes(loaded) == []


def test_cost_in_another_unit_is_not_summed(site):
    loaded = load_content(site(project(ind(level2="成本指标", op="≤", target=800, unit="元"))))
    assert codes(loaded) == []


def test_money_unit_yuan(site):
    files = project(ind(level2="成本指标", op="≤", target=800, unit="元"), budget="500")
    files["site.yaml"] = "title: t\nbase_url: https://example.org/\nmoney_unit: 元\nreview: {missing-dimension: off, no-cost: off}\n"
    assert codes(load_content(site(files))) == ["cost-over-budget"]
