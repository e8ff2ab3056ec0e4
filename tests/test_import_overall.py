"""The department-wide forms beyond the fixtures: a 部门整体支出绩效自评表 printed without an
indicator table (宁德 2018's block alone), written as a real .xlsx and imported."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

from sitegen.checks.pipeline import load_content
from tests.conftest import run

FIXTURES = Path(__file__).parent / "import_fixtures"
sys.path.insert(0, str(FIXTURES))
from make import read_tables, write_xlsx  # noqa: E402


def test_department_selfeval_without_indicator_table(tmp_path):
    lines = (FIXTURES / "fujian-ningde-2018-overall-selfeval" / "grid.tsv").read_text(encoding="utf-8").splitlines()
    lines = [line for line in lines if not line.startswith("年度绩效指标完成情况")]  # no indicator table
    grid = tmp_path / "grid.tsv"
    grid.write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_xlsx(read_tables(grid), tmp_path / "selfeval.xlsx")
    into = tmp_path / "content"
    code, out, err = run("import", str(tmp_path / "selfeval.xlsx"), "--into", str(into), "--region", "福建省宁德市")
    assert code == 0, out + err
    overall = load_content(into).content.unit_years()[0].overall
    e = overall.evaluation
    assert (e.initial, e.adjusted, e.spent) == (Decimal("2537695"), Decimal("2751417.82"), Decimal("2546673.98"))
    assert overall.indicators == [] and len(overall.goals) == 3
    assert "超过一百亿元" in out  # 万元 printed over figures in 元
