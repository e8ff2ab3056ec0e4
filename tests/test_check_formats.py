"""`sitegen check --format github|gitlab|sarif`: each output validated against what its CI system
publishes (tests/data/SCHEMAS.md says where each schema comes from)."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from sitegen.commands.report import github_escape
from tests.conftest import CONTENT, ROOT, run, write_tree

DATA = ROOT / "tests" / "data"
SARIF = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
GITLAB = json.loads((DATA / "gitlab-codeclimate.schema.json").read_text(encoding="utf-8"))
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}
# ::warning file=…,line=…,col=…,title=…::message (GitHub's workflow-command syntax)
COMMAND = re.compile(r"^::(?P<level>error|warning|notice) (?P<properties>[^:]*)::(?P<message>.*)$")


def unescape(text: str) -> str:
    for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, plain)
    return text


@pytest.fixture(scope="module")
def findings() -> list[dict]:
    code, out, _ = run("check", str(CONTENT), "--format", "json")
    return json.loads(out)["findings"]


@pytest.fixture
def broken(tmp_path):
    """A tree with an error (an unknown key) and a review warning, with commas and a colon in its path."""
    return write_tree(tmp_path / "con,tent:x", {
        "site.yaml": "title: t\nbase_url: https://example.org/\n",
        "u1/agency.yaml": 'code: "1"\nname: 单位\nregion: 某市\nnmae: x\n',
        "u2/agency.yaml": 'code: "2"\nname: 单位\nregion: 某市\n',
        "u2/2024/p.yaml": "name: p\nbudget: 1\ngoals: g\nindicators:\n"
                          "  - {level1: 产出指标, level2: 时效指标, name: 及时性, target: 及时}\n",
    })


def test_sarif_is_valid_sarif_2_1_0(findings):
    code, out, _ = run("check", str(CONTENT), "--format", "sarif")
    document = json.loads(out)
    jsonschema.Draft4Validator(SARIF).validate(document)
    [sarif_run] = document["runs"]
    results = sarif_run["results"]
    assert len(results) == len(findings) and code == 0
    first, rules = results[0], sarif_run["tool"]["driver"]["rules"]
    location = first["locations"][0]["physicalLocation"]
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"] == findings[0]["code"]
    assert location["region"] == {"startLine": findings[0]["line"], "startColumn": findings[0]["column"]}
    assert {r["ruleId"] for r in results} >= {"vague-target", "no-cost", "missing-dimension"}


def test_gitlab_is_a_code_quality_report(findings):
    code, out, _ = run("check", str(CONTENT), "--format", "gitlab")
    issues = json.loads(out)
    assert isinstance(issues, list) and len(issues) == len(findings)
    for issue, finding in zip(issues, findings):
        jsonschema.Draft7Validator(GITLAB).validate(issue)
        assert issue["severity"] in GITLAB_SEVERITIES and issue["check_name"] == finding["code"]
        assert issue["location"] == {"path": finding["file"], "lines": {"begin": finding["line"]}}
    assert len({i["fingerprint"] for i in issues}) == len(issues)  # one per finding


def test_github_annotations_parse_back(findings):
    code, out, _ = run("check", str(CONTENT), "--format", "github")
    *commands, summary = out.strip().splitlines()
    assert summary.startswith("检查完成") and len(commands) == len(findings)
    for line, finding in zip(commands, findings):
        match = COMMAND.match(line)
        assert match, line
        properties = dict(p.split("=", 1) for p in match["properties"].split(","))
        assert unescape(properties["file"]) == finding["file"] and int(properties["line"]) == finding["line"]
        assert properties["title"] == finding["code"] and match["level"] == finding["level"]
        assert unescape(match["message"]).endswith(finding["message"])


def test_errors_and_odd_paths_in_every_format(broken):
    for name in ("github", "gitlab", "sarif"):
        code, out, err = run("check", str(broken), "--format", name)
        assert code == 1 and "Traceback" not in err, name
        assert "unknown-key" in out and "vague-target" in out
    github = run("check", str(broken), "--format", "github")[1]
    [error] = [line for line in github.splitlines() if line.startswith("::error")]
    file = dict(p.split("=", 1) for p in COMMAND.match(error)["properties"].split(","))["file"]
    assert "%2C" in file and "%3A" in file and unescape(file).endswith("con,tent:x/u1/agency.yaml")
    sarif = json.loads(run("check", str(broken), "--format", "sarif")[1])
    jsonschema.Draft4Validator(SARIF).validate(sarif)
    assert {r["level"] for r in sarif["runs"][0]["results"]} == {"error", "warning"}
    gitlab = json.loads(run("check", str(broken), "--format", "gitlab")[1])
    assert {i["severity"] for i in gitlab} == {"critical", "minor"}


def test_escaping():
    assert github_escape("a%b\nc\r", False) == "a%25b%0Ac%0D"
    assert github_escape("x:y,z", True) == "x%3Ay%2Cz" and github_escape("x:y,z", False) == "x:y,z"


def test_json_flag_is_still_the_json_format():
    assert run("check", str(CONTENT), "--json")[1] == run("check", str(CONTENT), "--format", "json")[1]


def test_the_ci_files_of_the_docs_are_valid_and_use_real_commands():
    """docs/publishing.md: its YAML parses, and every `sitegen …` line it runs is a valid command line."""
    import shlex

    import yaml

    from sitegen.commands.cli import make_parser

    text = (ROOT / "docs" / "publishing.md").read_text(encoding="utf-8")
    github, gitlab = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.S)]
    assert set(github["jobs"]) == {"check", "build", "deploy"} and set(github[True]) == {"pull_request", "push"}
    assert gitlab["check"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert gitlab["pages"]["artifacts"]["paths"] == ["public"] and ".sitegen-cache/" in gitlab["pages"]["cache"]["paths"]
    steps = [s.get("run", "") for job in github["jobs"].values() for s in job.get("steps", [])]
    scripts = [line for job in gitlab.values() if isinstance(job, dict) for line in job.get("script", [])]
    commands = [line[line.index("sitegen "):].split(">")[0].split("||")[0] for line in steps + scripts if "sitegen check" in line
                or "sitegen build" in line]
    assert len(commands) == 5  # check and build on GitHub; check (twice) and build on GitLab
    for command in commands:
        make_parser().parse_args(shlex.split(command)[1:])  # exits (SystemExit) on a wrong option
