from __future__ import annotations

import contextlib
import io
import json
import textwrap
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.pipeline import Loaded, load_content

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"

MINIMAL = {
    "site.yaml": "title: 测试站点\nbase_url: https://example.org/\n",
    "u1/agency.yaml": 'code: "100001"\nname: 测试单位\nregion: 测试省测试市\n',
    "u1/2024/p1.yaml": """\
        name: 测试项目
        budget: 10.00
        goals: 完成测试
        indicators:
          - {level1: 产出指标, level2: 数量指标, name: 测试次数, op: ≥, target: 2, unit: 次, score: 90}
        """,
}


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """An inline content tree: path → text (dedented) or bytes."""
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(textwrap.dedent(body), encoding="utf-8")
    return root


@pytest.fixture
def site(tmp_path: Path):
    """Make a content tree from MINIMAL with some files replaced: site({'u1/2024/p1.yaml': ...})."""

    def make(changes: dict[str, str | bytes | None] | None = None) -> Path:
        files = dict(MINIMAL)
        for name, body in (changes or {}).items():
            if body is None:
                files.pop(name, None)
            else:
                files[name] = body
        return write_tree(tmp_path / "content", files)

    return make


@pytest.fixture(scope="session")
def example() -> Loaded:
    return load_content(CONTENT)


def run(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def codes(loaded: Loaded, level: str | None = None) -> list[str]:
    return [f.code for f in loaded.findings if level is None or f.level == level]


def check_json(content: Path) -> dict:
    code, out, _ = run("check", str(content), "--json")
    return json.loads(out)
