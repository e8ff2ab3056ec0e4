"""Benchmark: generate a large content tree, build it, print the figures.

    .venv/bin/python bench/bench.py --projects 1000 [--per-unit 20] [--skip-pdf]

Prints load+check time, HTML time, PDF time (cold cache, then after editing
one project), sizes and peak memory (this process and its workers).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitegen.build import PDF, build, without  # noqa: E402
from sitegen.pipeline import collector_frozen, load_content  # noqa: E402
from sitegen.render import Context  # noqa: E402
from sitegen.render.data import render_data  # noqa: E402
from sitegen.render.html import render_html  # noqa: E402
from sitegen.render.pdf import render_pdfs  # noqa: E402
from sitegen.render.search import render_search  # noqa: E402
from sitegen.render.writer import Writer  # noqa: E402
from sitegen.safety import UnsafeOutput, refuse_dangerous_path  # noqa: E402

WORK_MARKER = ".sitegen-bench"  # the bench deletes content/, output/ and cache/ only in a folder it marked

LEVELS = [
    ("产出指标", "数量指标", "培训人次", "≥", "130", "人"),
    ("产出指标", "质量指标", "培训合格率", "≥", "95", '"%"'),
    ("产出指标", "时效指标", "完成时间", "", "2025年12月31日前", ""),
    ("产出指标", "成本指标", "人均成本", "≤", "300", "元/人"),
    ("效益指标", "社会效益指标", "群众知晓率", "≥", "90", '"%"'),
    ("效益指标", "可持续影响指标", "管理机制健全性", "", "健全", ""),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥", "95", '"%"'),
]


def project_yaml(number: int, indicators: int = 14) -> str:
    rows = []
    for i in range(indicators):
        level1, level2, name, op, target, unit = LEVELS[i % len(LEVELS)]
        op_part = f", op: {op}" if op else ""
        unit_part = f", unit: {unit}" if unit else ""
        rows.append(f"  - {{level1: {level1}, level2: {level2}, name: {name}{i:02d}{op_part}, target: {target}{unit_part}}}")
    return (
        f"name: 第{number:05d}号项目运行经费\nbudget: {number % 97 + 1}.00\ncategory: 部门预算项目\n"
        f"goals: 保障第{number}号项目按时完成，提高服务质量与群众满意度。\nindicators:\n" + "\n".join(rows) + "\n"
    )


def generate(root: Path, projects: int, per_unit: int) -> None:
    if root.exists():
        shutil.rmtree(root)
    (root).mkdir(parents=True)
    (root / "site.yaml").write_text("title: 基准测试\nbase_url: https://example.org/\n", encoding="utf-8")
    for number in range(projects):
        unit = number // per_unit
        folder = root / f"u{unit:04d}"
        if not (folder / "agency.yaml").exists():
            layout = "flat" if unit % 2 == 0 else "per-project"
            folder.mkdir()
            (folder / "agency.yaml").write_text(
                f'code: "{100000 + unit}"\nname: 第{unit}号预算单位\nregion: 某省某市\npdf_layout: {layout}\n', encoding="utf-8")
            (folder / "2025").mkdir()
        (folder / "2025" / f"p{number:05d}.yaml").write_text(project_yaml(number), encoding="utf-8")


def claim_work(work: Path) -> None:
    """The bench replaces content/, output/ and cache/ in its work folder: only in a new or empty
    folder, or one an earlier run marked, never in the repository's or a home folder."""
    try:
        refuse_dangerous_path(work, [(ROOT / name, f"仓库的 {name}/") for name in ("content", "layouts", "static", "sitegen")],
                              option="--work")
    except UnsafeOutput as exc:
        sys.exit(f"bench: {exc}")
    if work.is_dir() and any(work.iterdir()) and not (work / WORK_MARKER).is_file():
        sys.exit(f"bench: {work} 已存在且不是 bench 的工作目录（没有 {WORK_MARKER}）：请用 --work 指定一个新目录")
    work.mkdir(parents=True, exist_ok=True)
    (work / WORK_MARKER).write_text("sitegen bench work folder: content/, output/ and cache/ are replaced by every run\n")


def peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def timed(label: str, function):
    start = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - start
    return result, seconds


def measure_site(content: Path, out: Path, context: Context, n: int) -> None:
    """Load, HTML, open data and search one after another, each timed."""
    loaded, load_seconds = timed("load", lambda: load_content(content))
    assert loaded.ok, [f.format() for f in loaded.findings.errors[:5]]
    print(f"load + check: {load_seconds:.2f} s ({load_seconds / n * 1000:.2f} ms/project)")
    writer = Writer(out / "html")
    with collector_frozen():  # as `sitegen build` renders
        pages, html_seconds = timed("html", lambda: render_html(loaded.content, writer, context))
        print(f"HTML: {pages} pages in {html_seconds:.2f} s ({html_seconds / pages * 1000:.2f} ms/page)")
        project_page = next((out / "html").glob("u0000/2025/p00000/index.html"))
        print(f"project page: {project_page.stat().st_size / 1000:.1f} KB HTML + "
              f"{(out / 'html/static/site.css').stat().st_size / 1000:.1f} KB CSS")
        _, seconds = timed("data", lambda: render_data(loaded.content, writer, context))
        print(f"open data (CSV, XLSX, JSON per unit-year and site-wide): {seconds:.2f} s ({seconds / n * 1000:.1f} ms/project)")
        files, search_seconds = timed("search", lambda: render_search(loaded.content, writer, context))
    size = sum(p.stat().st_size for p in (out / "html/pagefind").rglob("*") if p.is_file())
    print(f"search index: {search_seconds:.2f} s, {files} files, {size / 1e6:.1f} MB")
    print(f"site with search index (load + HTML + search): {load_seconds + html_seconds + search_seconds:.2f} s")


def files_equal(left: Path, right: Path) -> bool:
    names = sorted(p.relative_to(left) for p in left.rglob("*") if p.is_file())
    if names != sorted(p.relative_to(right) for p in right.rglob("*") if p.is_file()):
        return False
    return all((left / name).read_bytes() == (right / name).read_bytes() for name in names)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--per-unit", type=int, default=20)
    parser.add_argument("--skip-pdf", action="store_true")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--cluster", default=None, help="also build on this cluster (local:N or tcp://HOST:8786)")
    args = parser.parse_args()
    claim_work(args.work)
    content, out, cache = args.work / "content", args.work / "output", args.work / "cache"
    generate(content, args.projects, args.per_unit)
    for folder in (out, cache):
        shutil.rmtree(folder, ignore_errors=True)
    os.sync()  # the generated tree's write-back must not run inside the measured steps
    n = args.projects
    print(f"{n} projects, {args.per_unit} per unit-year, 14 indicators each")

    measure_site(content, out, Context(content, cache), n)
    _, seconds = timed("build", lambda: build(content, out / "build", renderers=without(PDF), cache_dir=cache))
    print(f"end to end, `sitegen build --no-pdf` (search beside the other renderers): {seconds:.2f} s")
    if args.cluster:
        _, seconds = timed("cluster", lambda: build(content, out / "cluster", renderers=without(PDF),
                                                   cache_dir=cache / "cluster", cluster=args.cluster))
        same = files_equal(out / "build", out / "cluster")
        print(f"end to end on the cluster {args.cluster}, `--no-pdf`: {seconds:.2f} s, byte-identical: {same}")
    if args.skip_pdf:
        return
    context = Context(content, cache)
    loaded = load_content(content)
    with collector_frozen():  # as `sitegen build` renders
        rendered, seconds = timed("pdf", lambda: render_pdfs(loaded.content, Writer(out / "pdf"), context))
    pdfs = sorted((out / "pdf").rglob("*.pdf"))
    size = sum(p.stat().st_size for p in pdfs)
    print(f"PDF, cold cache: {len(rendered)} PDFs in {seconds:.2f} s ({seconds / n * 1000:.0f} ms/project amortised), "
          f"{size / 1e6:.1f} MB")
    one_page = [p.stat().st_size for p in pdfs if "/p" in str(p.parent.name)[:2] or p.parent.name.startswith("p")]
    print(f"project PDF size: median {sorted(one_page)[len(one_page) // 2] / 1000:.0f} KB, max {max(one_page) / 1000:.0f} KB")

    edited = content / "u0000" / "2025" / "p00000.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("budget: 1.00", "budget: 2.00"), encoding="utf-8")
    loaded = load_content(content)
    with collector_frozen():
        rendered, seconds = timed("pdf", lambda: render_pdfs(loaded.content, Writer(out / "pdf2"), context))
    print(f"PDF after editing one project: {len(rendered)} re-rendered in {seconds:.2f} s")
    if args.cluster:
        _, seconds = timed("cluster pdf", lambda: build(content, out / "cluster-pdf", cache_dir=cache / "cluster-pdf",
                                                       cluster=args.cluster))
        print(f"end to end on the cluster {args.cluster} with PDFs, cold cache: {seconds:.2f} s "
              f"({seconds / n * 1000:.0f} ms/project)")
    own, children = peak_mb()
    print(f"peak memory: {own:.0f} MB (main process), {children:.0f} MB (largest worker)")


if __name__ == "__main__":
    main()
