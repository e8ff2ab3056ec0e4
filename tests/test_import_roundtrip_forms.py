"""Round trips for the forms other branches print (issue 14, item 5): each of sitegen's own
declaration, self-evaluation and department-wide PDFs imports back into the example content's model.

Each test runs once its layout (layouts/pdf/declaration.html, evaluation.html, overall.html) is on
the branch, i.e. after `git merge main` brings it; before that it is skipped, saying why. Checked
against the decl, results and overall branches in scratch merges on 2026-12-01. What a form does
not print is not compared: publication dates; the unit when a 主管部门 fact and the unit differ (the
form cannot say which is the unit); a stated 总分 where sitegen printed its computed one; line
breaks inside notes (the PDF prints them as one paragraph).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from sitegen.checks.pipeline import load_content
from sitegen.model.money import amount_text
from sitegen.render.templates import BUILTIN_LAYOUTS
from tests.conftest import CONTENT, run
from tests.test_import_fixtures import SITE, evaluation_view, overall_view, project_view


def needs(layout: str):
    return pytest.mark.skipif(not (BUILTIN_LAYOUTS / "pdf" / layout).exists(),
                              reason=f"layouts/pdf/{layout} is not on this branch yet")


def example_years(layout: str | None = None, evaluation: bool = False, overall: bool = False):
    loaded = load_content(CONTENT)
    return [uy for uy in loaded.content.unit_years()
            if (layout is None or uy.pdf_layout == layout)
            and (not evaluation or any(p.evaluation for p in uy.projects))
            and (not overall or uy.overall is not None)]


def imported(tmp_path: Path, pdf: Path, unit_year):
    into = tmp_path / "content"
    into.mkdir(parents=True)
    (into / "site.yaml").write_text(SITE, encoding="utf-8")
    code, out, err = run("import", str(pdf), "--into", str(into), "--region", unit_year.agency.region,
                         "--agency", unit_year.agency.id, "--year", str(unit_year.year))
    assert code == 0, out + err
    loaded = load_content(into)
    assert loaded.ok, [f.format() for f in loaded.findings.errors]
    return loaded.content.unit_years()[0]


def round_trips(built: Path, tmp_path: Path, years: list, suffix: str):
    """(unit-year of the example, what its PDF `<agency>-<year><suffix>.pdf` imports back as) for
    each of `years`, which must not be empty."""
    assert years
    for n, uy in enumerate(years):
        pdf = built / uy.agency.id / str(uy.year) / f"{uy.agency.id}-{uy.year}{suffix}.pdf"
        yield uy, imported(tmp_path / str(n), pdf, uy)


def printed(view: dict) -> dict:
    """A view with its written figures as the PDFs print amounts (contract 2.1, Money: thousands
    separators and two decimals, 10000 → 10,000.00): the written precision below two decimals is
    what a form does not print."""
    if "budget_text" in view:
        view["budget_text"] = amount_text(Decimal(view["budget_text"]))
    if "figures" in view:
        view["figures"] = [value if value == "None" else amount_text(Decimal(value)) for value in view["figures"]]
    return view


def unit_facts_agree(project) -> bool:
    """Whether the form can show who the unit is: no 主管部门 fact naming someone else."""
    return not any(label.startswith("主管部门") and project.agency.name not in text for label, text in project.facts)


@needs("declaration.html")
def test_declaration_pdfs_import_back(built, tmp_path):
    years = [uy for uy in example_years("declaration") if all(unit_facts_agree(p) for p in uy.projects)]
    for uy, got in round_trips(built, tmp_path, years, ""):
        assert [printed(project_view(p)) for p in got.projects] == [printed(project_view(p)) for p in uy.projects]
        assert (got.title, got.agency.name, got.agency.code) == (uy.title, uy.agency.name, uy.agency.code)


@needs("evaluation.html")
def test_selfevaluation_pdfs_import_back(built, tmp_path):
    for uy, got in round_trips(built, tmp_path, example_years(evaluation=True), "-selfeval"):
        by_name = {p.name: p for p in got.projects}
        for want in (p for p in uy.projects if p.evaluation):
            have = by_name[want.name]
            g, w = printed(evaluation_view(have.evaluation)), printed(evaluation_view(want.evaluation))
            skip = {"published"} | ({"stated_total", "figures"} if want.evaluation.stated_total is None else set())
            assert {k: v for k, v in g.items() if k not in skip} == {k: v for k, v in w.items() if k not in skip}
            results = [(i.name, i.actual.text if i.actual else None, i.earned, i.deviation) for i in have.indicators]
            assert results == [(i.name, i.actual.text if i.actual else None, i.earned, i.deviation) for i in want.indicators]


@needs("overall.html")
def test_department_wide_pdfs_import_back(built, tmp_path):
    for uy, got in round_trips(built, tmp_path, example_years(overall=True), "-overall"):
        g, w = overall_view(got.overall), overall_view(uy.overall)
        for view in (g, w):
            view.pop("published")
            view.pop("evaluation")  # printed in its own PDF
            view["notes"] = " ".join(view["notes"].split())
        assert g == w
