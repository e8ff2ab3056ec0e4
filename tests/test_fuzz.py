"""No input may produce a traceback: garbled YAML, wrong types, deep nesting,
huge numbers, binary bytes and non-UTF-8 files all end in located findings."""

from __future__ import annotations

import os
import posixpath
import string
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.checks.pipeline import load_content
from sitegen.render.templates import relative_link
from tests.conftest import MINIMAL, write_tree

KEYS = ["name", "budget", "goals", "indicators", "level1", "level2", "op", "target", "unit", "score", "code", "budgt"]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=10**20, max_value=10**60),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["六十五", "65.00", "≥", "大于等于", "-1", "1e309", "0x1F", ".inf", "~", "&a", "*a", "!!binary AAA"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)),
    max_leaves=25,
)
documents = st.dictionaries(st.sampled_from(KEYS), values, max_size=8)
garbage_text = st.text(alphabet=string.printable + "：，【】{}[]&*!|>'\"#%@`\t\n中文", max_size=300)


def assert_located(root: Path, text_or_bytes) -> None:
    write_tree(root, {**MINIMAL, "u1/2024/p1.yaml": text_or_bytes})
    loaded = load_content(root)  # must not raise
    for finding in loaded.findings:
        assert finding.loc.file and finding.loc.line >= 1 and finding.loc.col >= 1
        assert finding.message and finding.code


# scripts/fuzz raises the number of examples (SITEGEN_FUZZ_EXAMPLES) for a long run.
FUZZ = settings(max_examples=int(os.environ.get("SITEGEN_FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(documents)
def test_wrong_types_and_shapes(tmp_path, document):
    assert_located(tmp_path / "c", yaml.safe_dump(document, allow_unicode=True))


@FUZZ
@given(garbage_text)
def test_garbled_yaml(tmp_path, text):
    assert_located(tmp_path / "c", text)


@FUZZ
@given(st.binary(max_size=300))
def test_binary_and_non_utf8_bytes(tmp_path, data):
    assert_located(tmp_path / "c", data)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=1, max_value=3000), st.sampled_from(["[", "{a: ", "- "]))
def test_deep_nesting(tmp_path, depth, opener):
    text = "name: " + opener * depth if opener != "- " else "".join("  " * i + "- \n" for i in range(min(depth, 300)))
    assert_located(tmp_path / "c", text)


def test_huge_number_is_an_error_not_a_rounding(tmp_path):
    root = tmp_path / "c"
    write_tree(root, {**MINIMAL, "u1/2024/p1.yaml": "name: a\nbudget: " + "9" * 400 + "\ngoals: g\nindicators: []\n"})
    loaded = load_content(root)
    assert [f.code for f in loaded.findings.errors] == ["type"]


def test_pathological_nesting_never_reaches_the_c_composer(tmp_path):
    """libyaml's composer crashes the process on very deep nesting; such files must go to PyYAML."""
    for text in ("name: " + "[" * 200_000, "".join("- " for _ in range(100_000)) + "x\n"):
        assert_located(tmp_path / "c", text)


segments = st.lists(st.sampled_from(["a", "b", "418001", "2022", "p1", "x.pdf", "index.html"]), max_size=4)


@given(segments, segments, st.booleans())
def test_relative_links_agree_with_posixpath(base_parts, target_parts, folder):
    """The hand-made relative link (for speed) is what posixpath.relpath gives, slash kept."""
    base = "/" + "".join(p + "/" for p in base_parts)
    target = "/" + "/".join(target_parts) + ("/" if folder and target_parts else "")
    expected = posixpath.relpath(target, base) if target != base else "."
    if target.endswith("/") and not expected.endswith("/"):
        expected += "/"
    assert relative_link(target, base) == ("./" if expected in (".", "./") else expected)
