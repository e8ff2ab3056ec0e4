from __future__ import annotations

import contextlib
import io
import json
import textwrap
from pathlib import Path

import pytest

from sitegen.commands.cli import main
from sitegen.checks.pipeline import Loaded, load_content

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"

MINIMAL = {
    # The tiny tables of the tests are not real goals tables: the review's whole-table rules
    # (one indicator, no 效益, no 成本) would fire on each; tests/test_review*.py turn them on.
    "site.yaml": "title: 测试站点\nbase_url: https://example.org/\nreview: {missing-dimension: off, no-cost: off}\n",
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


def import_grid(tmp_path: Path, grid_text: str, fmt: str = "xlsx", agency: str = "x1",
                region: str = "某省某县") -> tuple[Loaded, str]:
    """A form written in the fixtures' grid notation (tests/import_fixtures/README.md) as a real .xlsx
    or .docx (make.py), imported by the CLI into a new site that must load without errors:
    (the loaded site, what the import printed)."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "import_fixtures"))
    from make import read_tables, write_docx, write_xlsx

    grid = tmp_path / "grid.tsv"
    grid.write_text(grid_text, encoding="utf-8")
    source = tmp_path / f"form.{fmt}"
    (write_xlsx if fmt == "xlsx" else write_docx)(read_tables(grid), source)
    into = tmp_path / "content"
    into.mkdir()
    (into / "site.yaml").write_text("title: 测试\nbase_url: https://example.org/\n", encoding="utf-8")
    code, out, err = run("import", str(source), "--into", str(into), "--region", region, "--agency", agency)
    assert code == 0, out + err
    loaded = load_content(into)
    assert loaded.ok, [f.format() for f in loaded.findings.errors]
    return loaded, out + err


def codes(loaded: Loaded, level: str | None = None) -> list[str]:
    return [f.code for f in loaded.findings if level is None or f.level == level]


def check_json(content: Path) -> dict:
    code, out, _ = run("check", str(content), "--json")
    return json.loads(out)


# ---------------------------------------------------------------- a built site, served, and a browser

CHROMIUM = "/usr/bin/chromium"
# As root and without network: no sandbox, and none of Chromium's background connections.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """The example content built once, with every renderer (HTML, PDF, search)."""
    from sitegen.build.site import build

    out = tmp_path_factory.mktemp("site") / "output"
    build(CONTENT, out, cache_dir=out.parent / "cache")
    return out


def start_server(folder: Path):
    import threading
    from functools import partial
    from http.server import ThreadingHTTPServer

    from sitegen.commands.serve import SiteHandler

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SiteHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@contextlib.contextmanager
def served(folder: Path):
    """The folder served on 127.0.0.1 for as long as the block runs: its URL."""
    server, url = start_server(folder)
    try:
        yield url
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def site_url(built):
    with served(built) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and uncaught exceptions in page.errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.errors = []
    tab.on("console", lambda message: tab.errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    context.close()


# Figures that tests measure, printed at the end of the run (search recall and the like).
FIGURES: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("sitegen figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


# ---------------------------------------------------------------- markers: the quick subset

# What a test needs decides its markers, so a new test is marked without anyone remembering to:
# the browser fixtures mean `browser`, a built example or a PDF module `pdf`, Dask `cluster`, and
# the modules that build whole sites over and over (shards, faults, serve) `slow`. The quick subset,
# `-m "not (browser or pdf or cluster or slow)"`, is the README's `bash scripts/dev quick`.
PDF_MODULES = {"test_pdf", "test_declaration"}
SLOW_MODULES = {"test_shards", "test_faults", "test_serve", "test_search_shards", "test_layout_errors", "test_build",
                "test_fuzz_tree", "test_data_parts"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rpartition(".")[2]
        names = set(getattr(item, "fixturenames", ()))
        if names & {"browser", "page"}:
            item.add_marker(pytest.mark.browser)
        if module in PDF_MODULES or "built" in names or "pdf" in item.name.lower():
            item.add_marker(pytest.mark.pdf)
        if module == "test_cluster":
            item.add_marker(pytest.mark.cluster)
        if module in SLOW_MODULES or "libreoffice" in item.name:
            item.add_marker(pytest.mark.slow)
