"""`sitegen check`: its output format, JSON document and exit codes."""

from __future__ import annotations

import json
import re

from sitegen.checks.pipeline import load_content
from tests.conftest import CONTENT, run

LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<level>error|warning): .+ \[(?P<code>[a-z0-9-]+)\]$")


def test_check_example_prints_warnings_and_summary():
    code, out, _ = run("check", str(CONTENT))
    lines = out.strip().splitlines()
    assert code == 0
    assert all(LINE.match(line) for line in lines[:-1]), lines
    s = load_content(CONTENT).summary()
    assert lines[-1].startswith(f"检查完成：{s['units']} 个单位，{s['years']} 个年度公开表，{s['projects']} 个项目，"
                                f"{s['indicators']} 个指标，0 个错误")
    assert f"{s['units']} units, {s['years']} years, {s['projects']} projects, {s['indicators']} indicators, 0 errors" in lines[-1]


def test_strict_fails_on_warnings():
    assert run("check", str(CONTENT), "--strict")[0] == 1


def test_json_report():
    code, out, _ = run("check", str(CONTENT), "--json")
    document = json.loads(out)
    assert code == 0 and document["ok"] is True
    s = load_content(CONTENT).summary()
    assert document["counts"] == {"units": s["units"], "years": s["years"], "projects": s["projects"], "indicators": s["indicators"],
                                  "errors": 0, "warnings": len(document["findings"])}
    finding = document["findings"][0]
    assert set(finding) == {"file", "line", "column", "level", "code", "path", "message"}


def test_broken_tree_exits_1_with_located_messages(site):
    content = site({"u1/2024/p1.yaml": "name: a\nbudget: 六十五\ngoals: g\nindicators: []\n"})
    code, out, err = run("check", str(content))
    assert code == 1
    [error] = [line for line in out.splitlines() if ": error: " in line]
    assert LINE.match(error) and ":2:9: error: budget: " in error and "六十五" in error
    assert "Traceback" not in out + err


def test_missing_content_dir(tmp_path):
    code, out, _ = run("check", str(tmp_path / "nope"))
    assert code == 1 and "内容目录不存在" in out
