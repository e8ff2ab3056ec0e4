"""The documentation names every key, label, check code and CLI command."""

from __future__ import annotations

from sitegen.checks import WARNING_CODES
from sitegen.commands.cli import make_parser
from sitegen.model import ALL_SPECS
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "content-format.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_key_and_label_is_documented():
    for spec in ALL_SPECS:
        for f in spec.fields:
            assert f.key in DOC, f"{spec.name}.{f.key}"
            assert f.label.split("（")[0] in DOC, f"{spec.name}.{f.key}: {f.label}"


def test_every_warning_code_is_documented():
    for code in WARNING_CODES:
        assert f"`{code}`" in DOC


def test_every_command_is_in_the_readme():
    commands = make_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in commands:
        assert f"sitegen {name}" in README, name
    assert "bash scripts/dev build" in README and "bash scripts/dev test" in README


def test_the_docs_key_tables_are_written_from_the_declarations():
    """Each file's key table in docs/content-format.md is what model/keytables.py writes from
    model/vocab/fields.yaml (key, label, required, doc): a changed or added declaration fails
    here until `python -m sitegen.model.keytables docs/content-format.md` is run."""
    from sitegen.model.keytables import MARKED, written

    assert DOC == written(DOC), "docs/content-format.md 的键表已过时：请运行 python -m sitegen.model.keytables docs/content-format.md"
    tables = {m.group("spec") for m in MARKED.finditer(DOC)}
    assert tables == {"site", "agency", "disclosure", "project", "indicator", "evaluation", "overall"}
