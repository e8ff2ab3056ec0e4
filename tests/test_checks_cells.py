"""The checks of contract version 2's project cells, each fired alone on a small tree."""

from __future__ import annotations

import pytest

from sitegen.checks.pipeline import load_content
from tests.conftest import codes
from tests.test_checks import P1, ind, project


def with_keys(extra: str, indicators: str | None = None, budget: str = "10.00") -> dict:
    files = project(indicators or ind(), budget)
    files[P1] += extra
    return files


RULES = [
    ("costs-total", with_keys("costs:\n  - {item: 培训费, amount: 6.00}\n  - {item: 印刷费, amount: 3.00}\n")),
    ("soft-target", project(ind(op="≥", target=90, unit='"%"', last_actual=95))),
    ("investment-below-budget", with_keys("total_investment: 8.00\n")),
    ("midterm-below-budget", with_keys("midterm: {period: 2023年-2025年, budget: 9.00}\n")),
]


@pytest.mark.parametrize("code, files", RULES, ids=[r[0] for r in RULES])
def test_each_rule_fires_alone(site, code, files):
    loaded = load_content(site(files))
    assert codes(loaded) == [code], [f.format() for f in loaded.findings]


def test_messages_name_the_row(site):
    loaded = load_content(site(project(ind(name="培训人数", direction="正向", target=100, unit="人", last_actual=130))))
    [finding] = loaded.findings.warnings
    assert "培训人数" in finding.message and "130人" in finding.message and finding.path == "indicators[0].target"
    costs = load_content(site(with_keys("costs:\n  - {item: 培训费, amount: 6.00}\n")))
    assert "培训费" in costs.findings.warnings[0].message


def test_cells_that_add_up_are_quiet(site):
    files = with_keys(
        "costs:\n  - {item: 培训费, amount: 6.00}\n  - {item: 印刷费, amount: 4.00}\n"
        "total_investment: 30.00\nmidterm: {period: 2023年-2025年, budget: 30.00}\n",
        ind(op="≥", target=95, unit='"%"', last_actual=95) + ind(name="y", op="≤", target=5, unit="天", last_actual=6),
    )
    assert codes(load_content(site(files))) == []


def test_midterm_indicators_get_the_row_checks(site):
    files = with_keys("midterm:\n  indicators:\n    - {level1: 产出指标, level2: 数量指标, name: 中期次数}\n")
    [finding] = load_content(site(files)).findings.warnings
    assert finding.code == "missing-target" and finding.path == "midterm.indicators[0]"
    assert finding.message.startswith("中期指标：") and "中期次数" in finding.message


def test_last_actual_written_as_one_cell_is_compared(site):
    """`last_actual: 98%` beside a target in % is the number 98, as an `actual` would be."""
    loaded = load_content(site(project(ind(op="≥", target=95, unit='"%"', last_actual='"98%"'))))
    assert codes(loaded) == ["soft-target"] and "98%" in loaded.findings.warnings[0].message
    [indicator] = loaded.content.indicators()
    assert (indicator.last_actual.text, indicator.last_actual.number) == ("98", 98)
