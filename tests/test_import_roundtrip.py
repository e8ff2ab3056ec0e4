"""Round trips: what sitegen itself publishes imports back into the same model.

- the site's XLSX download (output/data/all.xlsx: one sheet per unit-year, the flat columns) for
  the whole example content;
- each layout's unit-year PDF (flat: 418001 2022; per-project: 057001 2023).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.pipeline import load_content
from tests.conftest import CONTENT, run
from tests.test_import_fixtures import SITE, indicator_view

REGIONS = {"418001": "内蒙古自治区乌海市", "057001": "青海省海北藏族自治州祁连县"}


def projects_view(loaded, fields: tuple[str, ...]) -> dict:
    return {
        (uy.agency.id, uy.year): [
            {**{f: getattr(p, f) for f in fields}, "budget_text": str(p.budget),
             "indicators": [indicator_view(i) for i in p.indicators]}
            for p in uy.projects
        ]
        for uy in loaded.content.unit_years()
    }


def imported(tmp_path: Path, *args: str):
    into = tmp_path / "content"
    into.mkdir()
    (into / "site.yaml").write_text(SITE, encoding="utf-8")
    code, out, err = run("import", *args, "--into", str(into))
    assert code == 0, out + err
    loaded = load_content(into)
    assert loaded.ok, [f.format() for f in loaded.findings.errors]
    return loaded, out


def test_the_site_xlsx_imports_back_to_the_same_model(built, tmp_path):
    example = load_content(CONTENT)
    # What the flat XLSX columns carry is the whole example content: nothing else is lost.
    assert not any(p.code or p.funding or p.description or p.notes for p in example.content.projects())
    assert not any(i.explanation or i.scoring for i in example.content.indicators())
    loaded, out = imported(tmp_path, str(built / "data" / "all.xlsx"))
    fields = ("name", "category", "budget", "goals")
    assert projects_view(loaded, fields) == projects_view(example, fields)
    for uy in loaded.content.unit_years():  # the import writes the printed order; the example may leave it out
        assert [p.order for p in uy.projects] == list(range(1, len(uy.projects) + 1))
    # The results columns (全年预算数 · 全年执行数) give each evaluated project its evaluation budget.
    evaluated = {p.name: p.evaluation for p in example.content.projects() if p.evaluation}
    assert evaluated
    for p in loaded.content.projects():
        want = evaluated.get(p.name)
        assert (p.evaluation.adjusted, p.evaluation.spent) == (want.adjusted, want.spent) if want else p.evaluation is None
    for agency in loaded.content.agencies:
        original = next(a for a in example.content.agencies if a.id == agency.id)
        assert (agency.code, agency.name) == (original.code, original.name)
    assert "预算年度 2022，取自工作表名「418001-2022」" in out


@pytest.mark.parametrize("agency,year", [("418001", 2022), ("057001", 2023)])
def test_the_unit_year_pdf_imports_back_to_the_same_model(built, tmp_path, agency, year):
    example = load_content(CONTENT)
    pdf = built / agency / str(year) / f"{agency}-{year}.pdf"
    loaded, out = imported(tmp_path, str(pdf), "--region", REGIONS[agency], "--year", str(year))
    fields = ("name", "category", "budget", "goals", "order")
    got, want = projects_view(loaded, fields), projects_view(example, fields)
    assert got[(agency, year)] == want[(agency, year)]
    unit_year = loaded.content.unit_years()[0]
    original = next(uy for uy in example.content.unit_years() if uy.agency.id == agency)
    assert unit_year.title == original.title
    assert unit_year.pdf_layout == original.pdf_layout
    assert (unit_year.agency.code, unit_year.agency.name) == (original.agency.code, original.agency.name)
    assert unit_year.notes == original.notes
