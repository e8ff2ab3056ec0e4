"""The example content carries both seeds completely: every project, every
indicator, every value, unit and score, and the totals.

The expected rows come from tests/data/*.tsv, transcribed from
../shared/seeds independently of content/.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
OP_WORDS = {"大于等于": ">=", "小于等于": "<=", "等于": "=", "大于": ">", "小于": "<", "": None}


def read_tables(name: str) -> list[tuple[str, str, list[list[str]]]]:
    """[(project name, budget, rows)] from a transcription file."""
    projects: list[tuple[str, str, list[list[str]]]] = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("== "):
            project, budget = line[3:].split("\t")
            projects.append((project, budget, []))
        else:
            projects[-1][2].append(line.split("\t"))
    return projects


def unit_year(example, agency_id: str, year: int):
    agency = next(a for a in example.content.agencies if a.id == agency_id)
    return next(uy for uy in agency.years if uy.year == year)


def test_example_content_has_no_errors(example):
    assert example.findings.errors == []


def test_wuhai_2022_flat_table_is_complete(example):
    expected = read_tables("seed_wuhai_2022.tsv")
    uy = unit_year(example, "418001", 2022)
    assert uy.agency.code == "418001" and uy.agency.name == "乌海市人力资源和社会保障局"
    assert uy.pdf_layout == "flat"
    assert [p.name for p in uy.projects] == [name for name, _, _ in expected]
    for project, (name, budget, rows) in zip(uy.projects, expected):
        assert str(project.budget) == budget, name
        got = [
            [i.level1, i.level2, i.name, i.nature, i.op_word, i.target_text, i.unit, str(i.score)]
            for i in project.indicators
        ]
        assert got == rows, name
    assert sum(len(rows) for _, _, rows in expected) == 101
    assert uy.indicator_count == 101
    assert str(uy.total) == "438.00" and uy.stated_total == Decimal("438.00")


def test_wuhai_ops_match_the_words_printed(example):
    uy = unit_year(example, "418001", 2022)
    for project, (_, _, rows) in zip(uy.projects, read_tables("seed_wuhai_2022.tsv")):
        for indicator, row in zip(project.indicators, rows):
            assert indicator.op == OP_WORDS[row[4]], indicator.name


def test_qilian_2023_per_project_tables_are_complete(example):
    expected = read_tables("seed_qilian_2023.tsv")
    uy = unit_year(example, "057001", 2023)
    assert uy.agency.code == "057001"
    assert (uy.agency.department_code, uy.agency.department_name) == ("057", "祁连县人力资源和社会保障局")
    assert uy.pdf_layout == "per-project"
    assert [p.name for p in uy.projects] == [name for name, _, _ in expected]
    for project, (name, budget, rows) in zip(uy.projects, expected):
        assert str(project.budget) == budget, name
        got = [[i.level1, i.level2, i.name, i.value_text] for i in project.indicators]
        assert got == [row + [""] * (4 - len(row)) for row in rows], name
    assert uy.indicator_count == sum(len(rows) for _, _, rows in expected) == 95
    assert str(uy.total) == "78.00" and uy.stated_total == Decimal("78.00")


@pytest.mark.parametrize("text, number", [("46.1", "46.1"), ("1.2", "1.2"), ("100", "100")])
def test_targets_keep_their_written_precision(example, text, number):
    targets = [i.target for i in example.content.indicators() if i.target and i.target.text == text]
    assert targets and all(str(t.number) == number for t in targets)


def test_budgets_keep_two_decimals(example):
    seeds = [p for p in example.content.projects() if p.agency.id in ("418001", "057001")]
    assert sorted(str(p.budget) for p in seeds)[:3] == ["1.00", "10.00", "10.00"]
    assert all(str(p.budget).endswith(".00") for p in seeds)
