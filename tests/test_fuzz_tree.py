"""Whole content trees through the command line: random files, names, links and arguments.

Whatever the tree, `sitegen check` and `sitegen build` print no traceback, exit 0, 1 or 2
only, and a failed build writes nothing (no output, no staging folder, no cache, the content
untouched). Bounded here (SITEGEN_FUZZ_EXAMPLES, 15 by default); `scripts/fuzz` runs it long.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.commands.cli import main
from tests.conftest import MINIMAL, write_tree
from tests.test_fuzz import documents, garbage_text
from tests.test_safety import snapshot

EXAMPLES = int(os.environ.get("SITEGEN_FUZZ_EXAMPLES", "15"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

NAMES = ["site.yaml", "u1/agency.yaml", "u1/2024/p1.yaml", "u1/2024/p2.yml", "u1/2024/disclosure.yaml",
         "u1/2024/overall.yaml", "u1/2024/P1.yaml", "u1/2024/项目.yaml", "u1/2024/a.b.yaml", "u1/2024/sub/x.yaml",
         "u1/24/x.yaml", "u2/agency.yaml", "u2/2023/q.yaml", "search/agency.yaml", "pages/about.md", "pages/a b.md",
         "pages/x.txt", "README.md", "notes.txt", ".hidden/agency.yaml", "u1/2024/README.md"]
SITE_VALUES = st.sampled_from(["https://example.org/", "example.org", "https://例子.中国/", "http://[::1]:0/", "zh-CN", "zh_CN",
                               "x-a", "", "'", "\"><script>", "https://a.b/?q#f"])


def site_yaml(base_url: str, language: str) -> str:
    return yaml.safe_dump({"title": "测试", "base_url": base_url, "language": language}, allow_unicode=True)


def mutated(text: str, draw) -> str:
    """A valid file with a few characters inserted or deleted: near-misses are the usual mistake."""
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(st.sampled_from(list(": -[]{}\"'#&*!|>\t\n中0"))) + text[at:]
        else:
            text = text[:at] + text[at + 1:]
    return text


def body(kind: str, name: str, draw) -> str | bytes:
    base = MINIMAL.get(name, MINIMAL["u1/2024/p1.yaml"])
    if kind == "mutated":
        return mutated(base, draw)
    if kind == "shaped":
        return yaml.safe_dump(draw(documents), allow_unicode=True)
    if kind == "garbage":
        return draw(garbage_text)
    if kind == "binary":
        return draw(st.binary(max_size=200))
    if kind == "site":
        return site_yaml(draw(SITE_VALUES), draw(SITE_VALUES))
    return ""


@st.composite
def trees(draw):
    files: dict[str, str | bytes] = dict(MINIMAL) if draw(st.booleans()) else {}
    for name in draw(st.lists(st.sampled_from(NAMES), max_size=6, unique=True)):
        files[name] = body(draw(st.sampled_from(["mutated", "shaped", "garbage", "binary", "empty", "site"])), name, draw)
    links = draw(st.lists(st.tuples(st.sampled_from(["u1/2024/l.yaml", "pages/l.md", "u3", "u1/2025", "site.yaml"]),
                                    st.sampled_from(["inside", "outside", "dangling", "loop", "folder"])),
                          max_size=2, unique_by=lambda pair: pair[0]))
    return files, links


def make_tree(root: Path, files: dict, links: list) -> Path:
    content = root / "content"
    content.mkdir()
    for name, body in files.items():
        path = content / name
        if any(parent.is_file() or parent.is_symlink() for parent in path.parents if parent != root):
            continue
        write_tree(content, {name: body})
    write_tree(root, {"outside/secret.txt": "SECRET", "outside/agency/agency.yaml": MINIMAL["u1/agency.yaml"]})
    targets = {"inside": content / "u1", "outside": root / "outside/secret.txt", "dangling": content / "nowhere",
               "folder": root / "outside/agency"}
    for name, kind in links:
        path = content / name
        if path.exists() or path.is_symlink() or not path.parent.is_dir():
            continue
        path.symlink_to(path if kind == "loop" else targets[kind])
    return content


def cli(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse's usage errors, as the real process ends
            code = exit_.code
    return code, out.getvalue() + err.getvalue()


def assert_clean(code: int, output: str, allowed=(0, 1)) -> None:
    assert code in allowed, output
    assert "Traceback" not in output and "内部错误" not in output and "SECRET" not in output, output


@FUZZ
@given(trees())
def test_any_tree_checks_and_builds_without_a_traceback(tree):
    files, links = tree
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        content = make_tree(root, files, links)
        before = snapshot(root)
        code, output = cli("check", str(content))
        assert_clean(code, output)
        assert snapshot(root) == before  # check writes nothing
        code, output = cli("build", str(content), "--out", str(root / "output"), "--no-pdf")
        assert_clean(code, output)
        if code != 0:
            assert snapshot(root) == before  # a failed build writes nothing
        else:
            assert (root / "output/index.html").is_file() and "SECRET" not in "".join(
                p.read_text(errors="replace") for p in (root / "output").rglob("*.html"))


ARGUMENTS = ["build", "check", "serve", "new", "schema", "--strict", "--json", "--no-pdf", "--force", "--debug",
             "--out", "--port", "abc", "-1", "--bogus", "project", "agency", "year", "2024", "x/../..", ""]


@FUZZ
@given(st.lists(st.sampled_from(ARGUMENTS), max_size=5))
def test_any_arguments_exit_0_1_or_2(arguments):
    command = next((a for a in arguments if not a.startswith("-")), None)  # after options: --debug serve
    if command in ("serve", "schema"):
        return  # serve would start serving; schema writes the repository's schema files
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_tree(root / "content", MINIMAL)
        before = snapshot(root)
        with contextlib.chdir(root):
            code, output = cli(*arguments)
        if "--debug" in arguments:  # asks for a refusal's traceback too, by design (cli.show_traceback)
            assert code in (0, 1, 2) and "内部错误" not in output and "SECRET" not in output, output
        else:
            assert_clean(code, output, allowed=(0, 1, 2))
        if code != 0:
            assert snapshot(root) == before


def test_the_strategies_can_make_a_valid_tree():
    """The fuzzed trees are not all broken: the plain minimal tree passes through the same path."""
    with tempfile.TemporaryDirectory() as folder:
        content = make_tree(Path(folder), dict(MINIMAL), [("u1/2024/l.yaml", "outside")])
        code, output = cli("check", str(content))
        assert code == 1 and "link-outside" in output
