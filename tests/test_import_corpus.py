"""The real corpus (tests/import_corpus, ../import_corpus/make.py): each table, in the format its
agency published it in, imports to its hand-checked expected/ tree, field by field, as the fixtures
do (test_import_fixtures.py): first its indicators, then the whole model (projects, facts, notes …).

The tables the import does not read exactly yet are listed in import_corpus/GAPS.yaml (slug → what
differs); their tests are expected to fail, strictly: one that starts to pass must leave the list.
The figures over the whole corpus: bench/import_quality.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.test_import_fixtures import imported_and_expected

CORPUS = Path(__file__).parent / "import_corpus"
FOLDERS = sorted(p.name for p in CORPUS.iterdir() if (p / "FORMAT").exists())
GAPS = yaml.safe_load((CORPUS / "GAPS.yaml").read_text(encoding="utf-8")) or {}


def case(name: str, part: str):
    gap = (GAPS.get(part) or {}).get(name)
    return pytest.param(name, marks=pytest.mark.xfail(reason=gap, strict=True)) if gap else name


IMPORTED: dict[str, tuple] = {}  # each table is imported once for both tests


def imported(name: str, tmp_path_factory) -> tuple[list, list]:
    if name not in IMPORTED:
        IMPORTED[name] = import_once(name, tmp_path_factory.mktemp(name))
    outcome = IMPORTED[name]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def import_once(name: str, tmp_path: Path):
    try:
        return import_table(name, tmp_path)
    except AssertionError as failed:  # the same failure for the second test
        return failed


def import_table(name: str, tmp_path: Path):
    folder = CORPUS / name
    fmt = (folder / "FORMAT").read_text(encoding="utf-8").strip().lower()
    got, want, _, _ = imported_and_expected(folder, folder / f"table.{fmt}", tmp_path)
    return got, want


def indicator_lists(views: list[dict]) -> list[tuple]:
    """Every project's (name, indicators, 中期 indicators) and every overall's indicators, in name order: a
    file with the tables of several units (the test's --agency puts them in one) is compared unit-blind."""
    lists = [(p["name"], p["indicators"], midterm_indicators(p)) for v in views for p in v["projects"]]
    lists += [("部门整体", v["overall"]["indicators"], []) for v in views if v["overall"]]
    return sorted(lists, key=lambda item: (item[0], repr(item[1])))  # two units may have a project of one name


def midterm_indicators(view: dict) -> list:
    return view["midterm"][3] if view.get("midterm") else []


@pytest.mark.parametrize("name", [case(name, "indicators") for name in FOLDERS])
def test_corpus_indicators_are_exact(name, tmp_path_factory):
    got, want = imported(name, tmp_path_factory)
    got_lists, want_lists = indicator_lists(got), indicator_lists(want)
    assert [item[0] for item in got_lists] == [item[0] for item in want_lists]
    for g, w in zip(got_lists, want_lists):
        assert g == w, g[0]


@pytest.mark.parametrize("name", [case(name, "model") for name in FOLDERS])
def test_corpus_table_imports_to_its_hand_checked_model(name, tmp_path_factory):
    got, want = imported(name, tmp_path_factory)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        for gp, wp in zip(g["projects"], w["projects"]):
            assert gp == wp, gp["name"]
        assert g == w
