"""Messages an author reads: quoted values cut to a readable length, every indicator-level
warning naming its 三级指标 and the cost warning its rows, site.yaml's base_url and language
checked where they are written, and `sitegen new` refusing reserved names."""

from __future__ import annotations

import pytest

from sitegen.checks.pipeline import load_content
from tests.conftest import run
from tests.test_checks import RULES, ind, project

P1 = "u1/2024/p1.yaml"
LONG = "很长的文字" * 100


@pytest.mark.parametrize("files", [
    {P1: f"name: a\nbudget: '{LONG}'\ngoals: g\nindicators: []\n"},  # a number
    {P1: f"name: a\nbudget: 1\ngoals: g\nindicators:\n  - {{level1: 产出指标, level2: 数量指标, name: x, op: '{LONG}'}}\n"},  # a choice
    {P1: f"'{LONG}'\n"},  # not a mapping: the whole text
    {"u1/2024/disclosure.yaml": f"published: '{LONG}'\n"},  # a date
    {P1: f"name: a\n{'k' * 500}: 1\nbudget: 1\ngoals: g\nindicators: []\n"},  # an unknown key
    {P1: "name: a\nbudget: 1\ngoals: g\nindicators:\n" + ind(level1="效益指标", level2="社会效益指标", target=f"'{LONG}'", op="≥")},  # a warning
])
def test_quoted_values_are_cut_to_a_readable_length(site, files):
    loaded = load_content(site(files))
    [finding] = [f for f in loaded.findings if f.code not in ("missing-key",)]
    line = finding.format()
    assert "…" in line and "很长的文字" * 10 not in line and "k" * 100 not in line
    assert len(line) < len(str(finding.loc)) + 260 and "\n" not in line


def test_a_value_on_several_lines_is_quoted_on_one(site):
    loaded = load_content(site({P1: 'name: a\nbudget: "6\\n5"\ngoals: g\nindicators: []\n'}))
    [error] = loaded.findings.errors
    assert "「6 5」" in error.message


INDICATOR_RULES = {"direction-op", "text-target-op", "percent-over-100", "missing-target", "unknown-level1",
                   "unknown-level2", "duplicate-indicator"}


@pytest.mark.parametrize("code, files", [rule for rule in RULES if rule[0] in INDICATOR_RULES], ids=sorted(INDICATOR_RULES))
def test_every_indicator_level_warning_names_its_indicator(site, code, files):
    files = {P1: files[P1].replace("name: x", "name: 测试指标甲").replace("name: y", "name: 测试指标乙")}
    [warning] = load_content(site(files)).findings.warnings
    assert warning.code == code
    assert "三级指标" in warning.message and "「测试指标" in warning.message, warning.message


def test_the_cost_warning_names_its_rows(site):
    files = project(ind(name="场地租赁", level2="成本指标", op="≤", target=8, unit="万元")
                    + ind(name="设备采购", level2="成本指标", op="≤", target=3, unit="万元"))
    [warning] = load_content(site(files)).findings.warnings
    assert warning.code == "cost-over-budget"
    assert "「场地租赁」 8" in warning.message and "「设备采购」 3" in warning.message


def site_yaml(extra: str) -> dict:
    return {"site.yaml": f"title: 测试站点\n{extra}\n"}


@pytest.mark.parametrize("value, words", [
    ("example.org", "开头不是"),
    ("ftp://example.org/", "开头不是"),
    ("https://exa mple.org/", "不允许的字符"),
    ("'https://example.org/\"><script>'", "不允许的字符"),
    ("https://example.org/?utm=1", "查询参数"),
    ("https://example.org/#top", "片段"),
    ("https://user:secret@example.org/", "用户名或密码"),
    ("https://example.org:70000/", "端口号"),
    ("https://例子.中国/", "xn--"),
])
def test_base_url_must_be_an_absolute_http_url(site, value, words):
    loaded = load_content(site(site_yaml(f"base_url: {value}")))
    [error] = loaded.findings.errors
    assert error.loc.file.endswith("site.yaml") and (error.loc.line, error.loc.col) == (2, 11)
    assert "base_url" in error.message and words in error.message, error.message


@pytest.mark.parametrize("value", ["https://example.org/", "http://localhost:8000/preview", "https://[::1]:8443/a/b/",
                                   "https://xn--fsqu00a.xn--fiqs8s/%E5%85%AC%E5%BC%80/"])
def test_good_base_urls(site, value):
    loaded = load_content(site(site_yaml(f"base_url: {value}")))
    assert loaded.findings.errors == []
    assert loaded.content.site.base_url == value.rstrip("/") + "/"


@pytest.mark.parametrize("value, ok", [
    ("zh-CN", True), ("zh-Hans-CN", True), ("en", True), ("de-CH-1901", True), ("x-internal", True),
    ("zh-cmn-Hans-CN", True), ("EN-us", True),
    ("zh_CN", False), ("中文", False), ("zh-", False), ("'zh CN'", False), ("chinese-simplified", False), ("'1'", False),
])
def test_language_must_be_a_bcp47_tag(site, value, ok):
    loaded = load_content(site(site_yaml(f"base_url: https://example.org/\nlanguage: {value}")))
    if ok:
        assert loaded.findings.errors == [] and loaded.content.site.language == value
        return
    [error] = loaded.findings.errors
    assert (error.loc.line, error.loc.col) == (3, 11) and "language" in error.message and "BCP 47" in error.message


@pytest.mark.parametrize("name", ["disclosure", "overall", "Disclosure"])
def test_new_project_refuses_a_reserved_name(tmp_path, name):
    content = tmp_path / "content"
    assert run("new", "agency", "a1", "--code", "1", "--name", "n", "--region", "r", "--content", str(content))[0] == 0
    code, _, err = run("new", "project", "a1", "2025", name, "--content", str(content))
    assert code == 1 and "保留名" in err and name in err
    assert not (content / "a1/2025").exists()
