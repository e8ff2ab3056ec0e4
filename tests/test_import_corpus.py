"""The real corpus (tests/import_corpus, ../import_corpus/make.py): each table, in the format its
agency published it in, imports to its hand-checked expected/ tree, field by field, as the fixtures
do (test_import_fixtures.py). The figures over the whole corpus: bench/import_quality.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.checks.pipeline import load_content
from tests.conftest import run
from tests.test_import_fixtures import SITE, expected_tree, import_args, unit_year_view

CORPUS = Path(__file__).parent / "import_corpus"
FOLDERS = sorted(p.name for p in CORPUS.iterdir() if (p / "FORMAT").exists())


@pytest.mark.parametrize("name", FOLDERS)
def test_corpus_table_imports_to_its_hand_checked_model(name, tmp_path):
    folder = CORPUS / name
    fmt = (folder / "FORMAT").read_text(encoding="utf-8").strip().lower()
    expected = load_content(expected_tree(folder, tmp_path))
    assert expected.ok, [f.format() for f in expected.findings.errors]
    into = tmp_path / "content"
    into.mkdir()
    (into / "site.yaml").write_text(SITE, encoding="utf-8")
    code, out, err = run("import", str(folder / f"table.{fmt}"), "--into", str(into), *import_args(folder, expected))
    assert code == 0, out + err
    imported = load_content(into)
    assert imported.ok, [f.format() for f in imported.findings.errors]
    got = [unit_year_view(uy) for uy in imported.content.unit_years()]
    want = [unit_year_view(uy) for uy in expected.content.unit_years()]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert [p["name"] for p in g["projects"]] == [p["name"] for p in w["projects"]]
        for gp, wp in zip(g["projects"], w["projects"]):
            assert gp["indicators"] == wp["indicators"], gp["name"]
        for gp, wp in zip(g["projects"], w["projects"]):
            assert gp == wp, gp["name"]
        assert {k: v for k, v in g.items() if k != "projects"} == {k: v for k, v in w.items() if k != "projects"}
