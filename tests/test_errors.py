"""One broken content tree per error rule: code, file, line and column.

Like Zola's test_sites_invalid: each case changes one file of a minimal
valid tree and names exactly what `sitegen check` must say.
"""

from __future__ import annotations

import pytest

from sitegen.checks.pipeline import load_content
from tests.conftest import MINIMAL, codes

P1 = "u1/2024/p1.yaml"


def only_error(content):
    loaded = load_content(content)
    errors = loaded.findings.errors
    assert len(errors) == 1, [e.format() for e in errors]
    return errors[0]


def test_minimal_tree_is_valid(site):
    loaded = load_content(site())
    assert codes(loaded) == [], [f.format() for f in loaded.findings]
    assert loaded.summary()["projects"] == 1


CASES = [
    # (name, files changed, code, file suffix, line, col, words in the message)
    ("yaml syntax", {P1: "name: [unclosed\nbudget: 1\n"}, "yaml-syntax", P1, 2, 7, ["YAML"]),
    ("tab indentation", {P1: "name: a\n\tbudget: 1\n"}, "yaml-syntax", P1, 2, 1, ["YAML"]),
    ("missing key", {P1: "name: a\ngoals: b\nindicators: []\n"}, "missing-key", P1, 1, 1, ["budget", "预算数"]),
    ("wrong type", {P1: "name: a\nbudget: 六十五\ngoals: b\nindicators: []\n"}, "type", P1, 2, 9, ["budget", "六十五"]),
    ("list for text", {P1: "name: [a, b]\nbudget: 1\ngoals: b\nindicators: []\n"}, "type", P1, 1, 7, ["name", "列表"]),
    ("negative budget", {P1: "name: a\nbudget: -5\ngoals: b\nindicators: []\n"}, "type", P1, 2, 9, ["budget"]),
    ("huge number", {P1: "name: a\nbudget: 1" + "0" * 30 + "\ngoals: b\nindicators: []\n"}, "type", P1, 2, 9, ["过大"]),
    ("unknown key", {P1: "name: a\nbudgt: 1\ngoals: b\nindicators: []\n"}, "unknown-key", P1, 2, 1, ["budgt", "budget"]),
    ("chinese key", {P1: "name: a\n预算数: 1\ngoals: b\nindicators: []\n"}, "unknown-key", P1, 2, 1, ["budget"]),
    ("duplicate key", {P1: "name: a\nname: b\nbudget: 1\ngoals: b\nindicators: []\n"}, "duplicate-key", P1, 2, 1, ["name"]),
    ("unknown op", {P1: "name: a\nbudget: 1\ngoals: b\nindicators:\n  - {level1: 产出指标, level2: 数量指标, name: x, op: 约等于, target: 1}\n"},
     "unknown-op", P1, 5, 47, ["op", "约等于"]),
    ("indicator key typo", {P1: "name: a\nbudget: 1\ngoals: b\nindicators:\n  - {level1: 产出指标, level2: 数量指标, name: x, targt: 1}\n"},
     "unknown-key", P1, 5, 43, ["targt", "target"]),
    ("bad date", {"u1/2024/disclosure.yaml": "published: 2024-13-01\n"}, "type", "u1/2024/disclosure.yaml", 1, 12, ["published"]),
    ("bad url", {"site.yaml": "title: t\nbase_url: example.org\n"}, "type", "site.yaml", 2, 11, ["base_url"]),
    ("bad layout", {"u1/agency.yaml": 'code: "1"\nname: n\nregion: r\npdf_layout: wide\n'}, "type", "u1/agency.yaml", 4, 13, ["pdf_layout", "flat"]),
    ("not a mapping", {P1: "- a\n- b\n"}, "type", P1, 1, 1, ["映射"]),
    ("folder not a year", {"u1/24/p1.yaml": "name: a\n"}, "bad-year", "u1/24/", 1, 1, ["24"]),
    ("agency without agency.yaml", {"u2/2024/p.yaml": "name: a\n"}, "missing-agency", "u2/", 1, 1, ["agency.yaml"]),
    ("id with other characters", {"u1/2024/项目一.yaml": "name: a\n"}, "bad-id", "u1/2024/项目一.yaml", 1, 1, ["ASCII"]),
    ("id with a dot", {"u1/2024/a.b.yaml": "name: a\n"}, "bad-id", "u1/2024/a.b.yaml", 1, 1, ["ASCII"]),
    ("same permalink", {"u1/2024/P1.yml": MINIMAL["u1/2024/p1.yaml"]}, "duplicate-permalink", "u1/2024/p1.yaml", 1, 1, ["P1.yml"]),
    ("reserved id", {"search/agency.yaml": 'code: "1"\nname: n\nregion: r\n'}, "reserved-id", "search/", 1, 1, ["search"]),
    ("not utf-8", {P1: "name: 测试\n".encode("gbk")}, "encoding", P1, 1, 7, ["UTF-8"]),
    ("binary", {P1: b"name: a\x00\x01\nbudget: 1\n"}, "yaml-syntax", P1, 1, 8, ["U+0000"]),
    ("two documents", {P1: "name: a\n---\nname: b\n"}, "yaml-syntax", P1, 1, 1, ["---"]),
    ("alias bomb", {P1: "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                        + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))},
     "too-large", P1, None, None, ["别名"]),
    ("deep nesting", {P1: "name: " + "[" * 200 + "]" * 200 + "\n"}, "too-deep", P1, None, None, ["嵌套"]),
    ("python tag", {P1: "name: !!python/object/apply:os.system ['true']\nbudget: 1\ngoals: b\nindicators: []\n"},
     "yaml-syntax", P1, 1, 7, ["python"]),
    ("missing site.yaml", {"site.yaml": None}, "missing-site", "site.yaml", 1, 1, ["site.yaml"]),
]


@pytest.mark.parametrize("name, files, code, file, line, col, words", CASES, ids=[c[0] for c in CASES])
def test_error_is_located(site, name, files, code, file, line, col, words):
    content = site(files)
    error = only_error(content)
    assert error.code == code
    assert error.loc.file.endswith(file)
    if line is not None:
        assert (error.loc.line, error.loc.col) == (line, col), error.format()
    for word in words:
        assert word in error.format()


def test_all_errors_are_reported_not_just_the_first(site):
    content = site({P1: "name: a\nbudgt: 1\nindicators:\n  - {level1: x, level2: y, name: z, op: 约}\n"})
    loaded = load_content(content)
    # goals is missing; budgt is budget misspelt (one error, not also "budget missing")
    assert sorted(codes(loaded, "error")) == ["missing-key", "unknown-key", "unknown-op"]
    assert "goals" in next(f for f in loaded.findings if f.code == "missing-key").message


def test_unquoted_codes_keep_their_leading_zeros(site):
    loaded = load_content(site({"u1/agency.yaml": "code: 057001\nname: n\nregion: r\n"}))
    assert loaded.content.agencies[0].code == "057001"


def test_yaml_booleans_stay_as_written(site):
    loaded = load_content(site({"u1/agency.yaml": "code: 1\nname: yes\nregion: off\n"}))
    agency = loaded.content.agencies[0]
    assert (agency.name, agency.region) == ("yes", "off")
