"""The self-evaluation checks, each fired alone on a small tree, and on the real example forms."""

from __future__ import annotations

import pytest

from sitegen.checks.pipeline import load_content
from tests.conftest import codes
from tests.test_checks import P1, ind, project

BUDGET = "  budget: {adjusted: 10.00, spent: 9.00}\n"


def evaluated(indicators: str, evaluation: str = BUDGET) -> dict:
    files = project(indicators)
    files[P1] += "evaluation:\n" + evaluation
    return files


RULES = [
    ("earned-over-score", evaluated(ind(score=90, actual=1, earned=95))),
    ("not-met-full-score", evaluated(ind(score=90, actual=0, earned=90, deviation="人员减少"))),
    ("not-met-no-deviation", evaluated(ind(score=90, actual=0, earned=80))),
    ("spent-over-adjusted", evaluated(ind(actual=1), "  budget: {adjusted: 10.00, spent: 10.50}\n")),
    ("evaluation-total", evaluated(ind(score=90, actual=1, earned=90),
                                   BUDGET + "  execution: {weight: 10, earned: 10}\n  stated_total: 99\n")),
    ("missing-actual", evaluated(ind())),
]


@pytest.mark.parametrize("code, files", RULES, ids=[r[0] for r in RULES])
def test_each_rule_fires_alone(site, code, files):
    loaded = load_content(site(files))
    assert codes(loaded) == [code], [f.format() for f in loaded.findings]


def test_messages_name_the_indicator_and_the_figures(site):
    files = evaluated(ind(name="全县参合人数", op="≥", target=8755, unit="人", score=90, actual=8676, earned=90, deviation="死亡"))
    [finding] = load_content(site(files)).findings.warnings
    assert "「全县参合人数」" in finding.message and "8676人" in finding.message and "≥8755人" in finding.message
    assert finding.path == "indicators[0].earned"
    assert (finding.loc.file.endswith("p1.yaml"), finding.loc.line) == (True, 5)  # the indicator's row
    total = load_content(site(RULES[4][1])).findings.warnings[0]
    assert "99" in total.message and "100" in total.message and total.path == "evaluation.stated_total"
    spent = load_content(site(RULES[3][1])).findings.warnings[0]
    assert "10.50" in spent.message and "10.00" in spent.message and "测试项目" in spent.message


def test_results_without_evaluation_are_still_checked_but_need_no_actual(site):
    # An indicator may carry results before the evaluation block is written; only the points are checked.
    assert codes(load_content(site(project(ind(score=90))))) == []
    assert codes(load_content(site(project(ind(score=90, actual=1, earned=91))))) == ["earned-over-score"]


def test_a_consistent_self_evaluation_is_quiet(site):
    files = evaluated(
        ind(score=45, actual=2, earned=45) + ind(name="y", score=45, actual=0, earned=40, deviation="延期")
        + ind(name="z", level1="效益指标", level2="社会效益指标", target="及时", op=None, actual="及时"),  # text: not judged, never a warning
        "  budget: {initial: 10.00, adjusted: 10.00, spent: 10.00}\n  execution: {weight: 10, earned: 10}\n"
        "  stated_total: 95\n",
    )
    assert codes(load_content(site(files))) == []


def test_an_inferred_miss_is_a_missed_target_and_says_so(site):
    # 8755 → 8676 with neither op nor direction: missed by the inferred judgement (推定, contract 2.1).
    files = evaluated(ind(op=None, target=8755, unit=None, score=90, actual=8676, earned=90))
    loaded = load_content(site(files))
    assert codes(loaded) == ["not-met-full-score", "not-met-no-deviation"]
    assert all("推定" in f.message for f in loaded.findings.warnings if f.code.startswith("not-met"))
    with_direction = evaluated(ind(op=None, direction="正向", target=8755, unit=None, score=90, actual=8676, earned=90))
    assert codes(load_content(site(with_direction))) == ["not-met-full-score", "not-met-no-deviation"]
