"""The JSON Schemas follow the model, validate the example content, and
`sitegen new` scaffolds files that load cleanly and point at them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from sitegen.model import INDICATOR, PROJECT, SPECS
from sitegen.checks.pipeline import load_content
from sitegen.base.resources import SCHEMA_DIR
from sitegen.model.schema import schema_document
from tests.conftest import CONTENT, run


def test_committed_schemas_are_up_to_date():
    code, _, err = run("schema", "--check")
    assert code == 0, err


@pytest.mark.parametrize("name", sorted(SPECS))
def test_schema_is_valid_json_schema(name):
    jsonschema.Draft202012Validator.check_schema(schema_document(name))


def schema_for(path: Path) -> str:
    if path.name in ("site.yaml", "agency.yaml", "disclosure.yaml", "overall.yaml"):
        return path.stem
    return "project"


class EditorLoader(yaml.SafeLoader):
    """YAML as an editor's schema check sees it: `published: 2020-01-20` is a string, as in sitegen's loader."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def test_example_content_validates_against_the_schemas():
    files = sorted(CONTENT.rglob("*.yaml"))
    assert len(files) > 20  # the seeds' 20 and every other example table
    for path in files:
        schema = json.loads((SCHEMA_DIR / f"{schema_for(path)}.schema.json").read_text(encoding="utf-8"))
        jsonschema.validate(yaml.load(path.read_text(encoding="utf-8"), Loader=EditorLoader), schema)


def test_schema_rejects_an_unknown_key():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "a", "budgt": 1}, schema_document("project"))


def test_new_agency_year_project_load_without_errors(tmp_path):
    content = tmp_path / "content"
    (content).mkdir()
    (content / "site.yaml").write_text("title: t\nbase_url: https://example.org/\n", encoding="utf-8")
    assert run("new", "agency", "200001", "--code", "200001", "--name", "测试局", "--region", "某省",
               "--content", str(content))[0] == 0
    assert run("new", "year", "200001", "2025", "--content", str(content))[0] == 0
    assert run("new", "project", "200001", "2025", "roads", "--name", "道路养护", "--content", str(content))[0] == 0
    loaded = load_content(content)
    assert loaded.findings.errors == []
    project = loaded.content.projects()[0]
    assert project.name == "道路养护" and project.indicators[0].op == ">="


def test_scaffold_names_every_key_with_its_label_and_schema(tmp_path):
    content = tmp_path / "content"
    run("new", "agency", "a1", "--code", "1", "--name", "n", "--region", "r", "--content", str(content))
    run("new", "project", "a1", "2025", "p1", "--content", str(content))
    text = (content / "a1/2025/p1.yaml").read_text(encoding="utf-8")
    for f in (*PROJECT.fields, *INDICATOR.fields):
        assert re.search(rf"^\s*(- )?#? ?{f.key}:", text, re.M), f.key
        assert f.label in text
    schema = re.match(r"# yaml-language-server: \$schema=(\S+)", text).group(1)
    # The schemas travel with the content (schema/ beside content/), never into sitegen's own tree.
    assert (content / "a1/2025" / schema).resolve() == (content.parent / "schema/project.schema.json").resolve()
    assert (content.parent / "schema/project.schema.json").read_text(encoding="utf-8") == \
        (SCHEMA_DIR / "project.schema.json").read_text(encoding="utf-8")


def test_new_site_starts_a_site_that_checks_and_builds_from_nothing(tmp_path):
    folder = tmp_path / "站点"
    code, out, err = run("new", "site", str(folder), "--title", "某县预算绩效目标公开", "--base-url", "https://x.example/")
    assert code == 0, err
    content = folder / "content"
    assert "title: \"某县预算绩效目标公开\"" in (content / "site.yaml").read_text(encoding="utf-8")
    assert (content / "pages/about.md").is_file() and (folder / ".gitignore").is_file()
    assert sorted(p.name for p in (folder / "schema").iterdir()) == sorted(p.name for p in SCHEMA_DIR.glob("*.json"))
    for args in (("agency", "u1", "--code", "001", "--name", "某单位", "--region", "某省某县"),
                 ("year", "u1", "2025"), ("project", "u1", "2025", "p1", "--name", "某项目")):
        assert run("new", *args, "--content", str(content))[0] == 0
    assert run("check", str(content))[0] == 0
    code, _, err = run("build", str(content), "--out", str(folder / "output"), "--no-pdf")
    assert code == 0, err
    assert "某项目" in (folder / "output/u1/2025/p1/index.html").read_text(encoding="utf-8")
    # A second `new site` in the same place refuses, one line, and changes nothing.
    before = (content / "site.yaml").read_bytes()
    code, _, err = run("new", "site", str(folder))
    assert code == 1 and "已存在" in err and len(err.strip().splitlines()) == 1
    assert (content / "site.yaml").read_bytes() == before


def test_new_refuses_to_overwrite_and_bad_ids(tmp_path):
    content = tmp_path / "content"
    args = ("new", "agency", "a1", "--code", "1", "--name", "n", "--region", "r", "--content", str(content))
    assert run(*args)[0] == 0
    code, _, err = run(*args)
    assert code == 1 and "不会覆盖" in err
    code, _, err = run("new", "project", "a1", "2025", "../../evil", "--content", str(content))
    assert code == 1 and not (tmp_path / "evil.yaml").exists()
    code, _, err = run("new", "project", "missing", "2025", "p", "--content", str(content))
    assert code == 1 and "sitegen new agency missing" in err
    code, _, err = run("new", "project", "a1", "2025", "p" * 65, "--content", str(content))
    assert code == 1 and "最多 64 个" in err and not list(content.glob("a1/2025/p*.yaml"))  # the loader's long-id
