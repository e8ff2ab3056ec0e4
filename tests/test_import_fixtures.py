"""Real tables imported from each format agencies publish, compared with the hand-checked
content tree of their folder: the loaded models, value by value (not the YAML text)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitegen.checks.pipeline import Loaded, load_content
from tests.conftest import run

FIXTURES = Path(__file__).parent / "import_fixtures"
FOLDERS = sorted(p.name for p in FIXTURES.iterdir() if (p / "grid.tsv").exists())
FORMATS = ("xlsx", "xls", "docx", "pdf")
SITE = "title: 测试\nbase_url: https://example.org/\n"

INDICATOR_FIELDS = ("level1", "level2", "name", "op", "target_text", "unit", "direction", "kind", "score",
                    "explanation", "scoring", "basis", "remark", "earned", "deviation")
EVALUATION_FIELDS = ("published", "initial", "adjusted", "spent", "execution_weight", "execution_earned", "outcome",
                     "process", "conclusion", "problems", "improvements", "stated_total")
PROJECT_FIELDS = ("name", "code", "category", "budget", "goals", "description", "notes", "attribute", "period",
                  "implementer", "parent", "total_investment", "basis", "facts")


def target(value) -> tuple | None:
    return (value.text, value.number) if value is not None else None


def indicator_view(indicator) -> dict:
    view = {name: getattr(indicator, name) for name in INDICATOR_FIELDS}
    view["target_number"] = indicator.target.number if indicator.target else None
    view["last_actual"] = target(indicator.last_actual)
    view["actual"] = target(indicator.actual)
    return view


def project_view(project) -> dict:
    view = {name: getattr(project, name) for name in PROJECT_FIELDS}
    view["budget_text"] = str(project.budget)  # 65.00 stays 65.00
    view["funding"] = [(f.source, f.amount) for f in project.funding]
    view["costs"] = [(c.item, c.amount, c.basis) for c in project.costs]
    view["indicators"] = [indicator_view(i) for i in project.indicators]
    if project.midterm:
        m = project.midterm
        view["midterm"] = (m.period, m.budget, m.goals, [indicator_view(i) for i in m.indicators])
    view["evaluation"] = evaluation_view(project.evaluation)
    return view


def evaluation_view(e) -> dict | None:
    if e is None:
        return None
    view = {name: getattr(e, name) for name in EVALUATION_FIELDS}
    view["figures"] = [str(value) for value in (e.initial, e.adjusted, e.spent, e.stated_total)]  # decimals as printed
    view["funding"] = [(f.source, f.initial, f.adjusted, f.spent) for f in e.funding]
    return view


def unit_year_view(unit_year) -> dict:
    agency = unit_year.agency
    return {
        "agency": (agency.id, agency.code, agency.name, agency.region, agency.department_code, agency.department_name),
        "year": unit_year.year, "title": unit_year.title, "stated_total": unit_year.stated_total,
        "notes": unit_year.notes, "layout": unit_year.pdf_layout, "money_unit": unit_year.money_unit,
        "projects": [project_view(p) for p in unit_year.projects],
        "overall": overall_view(unit_year.overall),
    }  # fmt: skip


def overall_view(o) -> dict | None:
    if o is None:
        return None
    view = {name: getattr(o, name) for name in ("title", "published", "total", "basic", "project", "has_funds", "duties",
                                                "goals", "notes")}
    view["sources"] = [(f.source, f.amount) for f in o.sources]
    view["tasks"] = [(t.duty, t.task, t.project, t.amount) for t in o.tasks]
    view["indicators"] = [indicator_view(i) for i in o.indicators]
    view["midterm"] = (o.midterm.period, o.midterm.budget, o.midterm.goals) if o.midterm else None
    view["evaluation"] = evaluation_view(o.evaluation)
    return view


def expected_tree(folder: Path, tmp_path: Path) -> Path:
    root = tmp_path / "expected"
    shutil.copytree(folder / "expected", root)
    (root / "site.yaml").write_text(SITE, encoding="utf-8")
    return root


def import_args(folder: Path, expected) -> list[str]:
    """What a user would have to say: --region always (tables print no full region), --year and
    --agency only when the table does not print them."""
    printed = (folder / "grid.tsv").read_text(encoding="utf-8")
    unit_year = expected.content.unit_years()[0]
    args = ["--region", unit_year.agency.region]
    title = "".join(printed.splitlines()[:3])
    if f"{unit_year.year}年" not in title:
        args += ["--year", str(unit_year.year)]
    if unit_year.agency.id not in printed:
        args += ["--agency", unit_year.agency.id]
    return args


def imported_and_expected(folder: Path, table: Path, tmp_path: Path) -> tuple[list[dict], list[dict], Loaded, str]:
    """The unit-years that importing `table` into a fresh tree gives and those of the folder's
    hand-checked expected/ tree, as views to compare field by field; the imported tree as loaded,
    and what the import printed."""
    expected = load_content(expected_tree(folder, tmp_path))
    assert expected.ok, [f.format() for f in expected.findings.errors]
    into = tmp_path / "content"
    into.mkdir()
    (into / "site.yaml").write_text(SITE, encoding="utf-8")
    code, out, err = run("import", str(table), "--into", str(into), *import_args(folder, expected))
    assert code == 0, out + err
    imported = load_content(into)
    assert imported.ok, [f.format() for f in imported.findings.errors]
    return ([unit_year_view(uy) for uy in imported.content.unit_years()],
            [unit_year_view(uy) for uy in expected.content.unit_years()], imported, out)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", FOLDERS)
def test_fixture_imports_to_its_hand_checked_model(name, fmt, tmp_path):
    folder = FIXTURES / name
    got, want, imported, out = imported_and_expected(folder, folder / f"table.{fmt}", tmp_path)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert {k: v for k, v in g.items() if k != "projects"} == {k: v for k, v in w.items() if k != "projects"}
        assert [p["name"] for p in g["projects"]] == [p["name"] for p in w["projects"]]
        for gp, wp in zip(g["projects"], w["projects"]):
            assert gp == wp, gp["name"]
    # Every warning of the imported tree is in the report.
    for finding in imported.findings.warnings:
        assert finding.message in out
