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


def test_the_docs_key_tables_match_the_declarations():
    """Each file's key table in docs/content-format.md has a row `| key | label |` for every field
    declared in sitegen/model/vocab/fields.yaml, and no row for a key that is not declared."""
    import re

    from sitegen.model.specs import AGENCY, DISCLOSURE, EVALUATION, INDICATOR, OVERALL, PROJECT, SITE

    for spec in (SITE, AGENCY, DISCLOSURE, PROJECT, INDICATOR, EVALUATION, OVERALL):
        for f in spec.fields:
            assert f"| `{f.key}` | {f.label} |" in DOC, f"{spec.name}.{f.key}"
    documented = set(re.findall(r"^\| `([a-z_0-9]+)` \| ", DOC, flags=re.M))
    declared = {f.key for spec in ALL_SPECS for f in spec.fields}
    assert documented <= declared, documented - declared

