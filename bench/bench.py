"""Benchmark: generate a large content tree, build it, print the figures.

    .venv/bin/python bench/bench.py --projects 1000 [--per-unit 20] [--skip-pdf] [--cluster local:2]
                                    [--renderers] [--work /dev/shm/bench]

Prints, for `sitegen build --no-pdf` (cold, then after editing one project, with the size of the
peer pages and the all-indicators table;
with --cluster, the same on the cluster, compared byte for byte), then with
PDFs (cold cache, then after editing one project), the time and peak memory
(all processes) of every step of the build; also the time of the
`sitegen build` command itself after one more edit, with the memory sampler
paused. --renderers also times each renderer alone.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitegen.build.site import PDF, build, without  # noqa: E402
from sitegen.checks.pipeline import collector_frozen, load_content  # noqa: E402
from sitegen.base.progress import Progress  # noqa: E402
from sitegen.render import Context  # noqa: E402
from sitegen.render.data import render_data  # noqa: E402
from sitegen.render.html import render_html  # noqa: E402
from sitegen.render.search import render_search  # noqa: E402
from sitegen.render.writer import Writer  # noqa: E402
from sitegen.base.safety import UnsafeOutput, refuse_dangerous_path  # noqa: E402

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


def project_yaml(number: int, indicators: int = 14, unique: int = 0) -> str:
    """`unique` of the 14 rows get a name of this project's own (an indicator no other unit shares);
    the % targets vary from project to project, so peers have a spread and a few soft targets."""
    rows = []
    for i in range(indicators):
        level1, level2, name, op, target, unit = LEVELS[i % len(LEVELS)]
        if unit == '"%"':
            target = str(int(target) - number % 7 if int(target) >= 90 else target)
        if i < unique:
            name = f"{name}第{number}号"
        op_part = f", op: {op}" if op else ""
        unit_part = f", unit: {unit}" if unit else ""
        rows.append(f"  - {{level1: {level1}, level2: {level2}, name: {name}{i:02d}{op_part}, target: {target}{unit_part}}}")
    return (
        f"name: 第{number:05d}号项目运行经费\nbudget: {number % 97 + 1}.00\ncategory: 部门预算项目\n"
        f"goals: 保障第{number}号项目按时完成，提高服务质量与群众满意度。\nindicators:\n" + "\n".join(rows) + "\n"
    )


def generate(root: Path, projects: int, per_unit: int, unique: int = 0) -> None:
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
        (folder / "2025" / f"p{number:05d}.yaml").write_text(project_yaml(number, unique=unique), encoding="utf-8")


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


class Memory:
    """Samples the memory of this process and all its descendants (forked page and PDF workers,
    Pagefind, a LocalCluster's workers) every 50 ms: the peak of their sum, and of the largest
    single process. The sum adds proportional set sizes (PSS): a page that forked workers share
    with their parent counts once in all, where adding their RSS would count it in each."""

    def __init__(self):
        import psutil  # comes with the test and cluster extras

        self.me = psutil.Process()
        self.total = self.single = 0
        self.stop = threading.Event()
        self.idle = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def sample(self) -> None:
        import psutil

        shares, sizes = [], []
        for process in [self.me, *self.me.children(recursive=True)]:
            try:
                info = process.memory_full_info()
            except psutil.Error:  # ended between the listing and the reading
                continue
            shares.append(info.pss)
            sizes.append(info.rss)
        self.total, self.single = max(self.total, sum(shares)), max(self.single, max(sizes, default=0))

    def run(self) -> None:
        while not self.stop.wait(0.05):
            if not self.idle.is_set():
                self.sample()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No sampling meanwhile: reading a process's memory (its smaps) takes about 4 ms, so at
        20 samples a second of four processes the sampler costs a third of a core."""
        self.idle.set()
        try:
            yield
        finally:
            self.idle.clear()

    def reset(self) -> tuple[float, float]:
        """(total, single) peak in MB since the last reset."""
        self.sample()
        peak = (self.total / 1e6, self.single / 1e6)
        self.total = self.single = 0
        return peak


class Steps(Progress):
    """The build's own steps (the progress display's), each timed, with the peak memory during it.
    A background step (search) shows only the time the build waited for it at the end."""

    def __init__(self, memory: Memory):
        super().__init__(enabled=False)
        self.memory = memory
        self.rows: list[tuple[str, float, float, float]] = []

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.memory.reset()
        start = time.perf_counter()
        yield
        seconds, (all_mb, single_mb) = time.perf_counter() - start, self.memory.reset()
        name = name.split(" ")[0]  # the shards' steps ("各单位 3/20") add up to one row
        if self.rows and self.rows[-1][0] == name:
            _, before, all_before, single_before = self.rows.pop()
            seconds, all_mb, single_mb = seconds + before, max(all_mb, all_before), max(single_mb, single_before)
        self.rows.append((name, seconds, all_mb, single_mb))

    def print(self, title: str, total: float) -> None:
        print(f"\n{title}: {total:.2f} s end to end")
        print(f"  {'seconds':>9}{'peak MB, all (PSS)':>25}{'largest (RSS)':>17}  step")
        for name, seconds, all_mb, single_mb in self.rows:  # the name last: Chinese is two columns wide
            print(f"  {seconds:>9.2f}{all_mb:>25.0f}{single_mb:>17.0f}  {name}")
        print(f"  peak: {max(r[2] for r in self.rows):.0f} MB all processes, {max(r[3] for r in self.rows):.0f} MB largest")


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def measured_build(title: str, memory: Memory, content: Path, out: Path, **options) -> float:
    steps = Steps(memory)
    _, seconds = timed(lambda: build(content, out, progress=steps, **options))
    steps.print(title, seconds)
    return seconds


def measure_renderers(content: Path, out: Path, context: Context, n: int) -> None:
    """Load, HTML, open data and search one after another (no overlap), each timed."""
    loaded, load_seconds = timed(lambda: load_content(content))
    assert loaded.ok, [f.format() for f in loaded.findings.errors[:5]]
    print(f"load + check: {load_seconds:.2f} s ({load_seconds / n * 1000:.2f} ms/project)")
    writer = Writer(out / "html")
    with collector_frozen():  # as `sitegen build` renders
        pages, html_seconds = timed(lambda: render_html(loaded.content, writer, context))
        print(f"HTML: {pages} pages in {html_seconds:.2f} s ({html_seconds / pages * 1000:.2f} ms/page)")
        project_page = next((out / "html").glob("u0000/2025/p00000/index.html"))
        print(f"project page: {project_page.stat().st_size / 1000:.1f} KB HTML + "
              f"{(out / 'html/static/site.css').stat().st_size / 1000:.1f} KB CSS")
        _, seconds = timed(lambda: render_data(loaded.content, writer, context))
        print(f"open data (CSV, XLSX, JSON per unit-year and site-wide): {seconds:.2f} s ({seconds / n * 1000:.1f} ms/project)")
        files, search_seconds = timed(lambda: render_search(loaded.content, writer, context))
    size = sum(p.stat().st_size for p in (out / "html/pagefind").rglob("*") if p.is_file())
    print(f"search index: {search_seconds:.2f} s, {files} files, {size / 1e6:.1f} MB")


def files_equal(left: Path, right: Path) -> bool:
    names = sorted(p.relative_to(left) for p in left.rglob("*") if p.is_file())
    if names != sorted(p.relative_to(right) for p in right.rglob("*") if p.is_file()):
        return False
    return all((left / name).read_bytes() == (right / name).read_bytes() for name in names)


def pdf_sizes(site: Path) -> str:
    one_project = sorted(p.stat().st_size for p in site.rglob("*.pdf") if p.parent.name.startswith("p"))
    if not one_project:
        return "no project PDFs"
    return f"project PDF median {one_project[len(one_project) // 2] / 1000:.0f} KB, max {one_project[-1] / 1000:.0f} KB"


def page_family(site: Path, pattern: str) -> str:
    pages = [p.stat().st_size for p in site.glob(pattern)]
    if not pages:
        return "none"
    return f"{len(pages)} pages, {sum(pages) / 1e6:.1f} MB, largest {max(pages) / 1000:.0f} KB"


def peer_figures(site: Path) -> None:
    """The size of what issue 23 adds: the peer pages and the all-indicators table (their build
    time is the steps 同行比较 and 指标总表 above)."""
    print(f"  peer pages (/peers/<slug>/…): {page_family(site, 'peers/[0-9a-f]*/**/index.html')}")
    print(f"  peer index pages (/peers/k/, /peers/kind/): {page_family(site, 'peers/k*/**/index.html')}")
    print(f"  all-indicators table: {page_family(site, 'indicators/**/index.html')}; "
          f"its CSV twins {page_family(site, 'indicators/**/rows.csv')}")
    print(f"  findings file: {page_family(site, 'data/findings.csv')}")


def edit_one_project(content: Path) -> None:
    """One more 万元 on the budget of the first project."""
    edited = content / "u0000" / "2025" / "p00000.yaml"
    text = edited.read_text(encoding="utf-8")
    budget = re.search(r"^budget: (\d+)\.00$", text, re.M)
    edited.write_text(text.replace(budget.group(0), f"budget: {int(budget.group(1)) + 1}.00"), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--per-unit", type=int, default=20)
    parser.add_argument("--skip-pdf", action="store_true", help="only the builds without PDFs")
    parser.add_argument("--renderers", action="store_true", help="also time each renderer alone, one after another")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--cluster", default=None, help="also build on this cluster (local:N or tcp://HOST:8786)")
    parser.add_argument("--unique", type=int, default=0, metavar="N",
                        help="N of each project's 14 indicators get a name of their own (peers: many small groups)")
    args = parser.parse_args()
    claim_work(args.work)
    content, out, cache = args.work / "content", args.work / "output", args.work / "cache"
    generate(content, args.projects, args.per_unit, args.unique)
    for folder in (out, cache):
        shutil.rmtree(folder, ignore_errors=True)
    os.sync()  # the generated tree's write-back must not run inside the measured steps
    n = args.projects
    print(f"{n} projects, {args.per_unit} per unit-year, 14 indicators each ({args.unique} named per project); "
          f"{os.cpu_count()} cores")
    memory = Memory()

    if args.renderers:
        measure_renderers(content, out / "renderers", Context(content, cache / "renderers"), n)
    local_cache = out / ".sitegen-cache"  # where `sitegen build --out OUT/build` keeps its cache
    measured_build("`sitegen build --no-pdf`", memory, content, out / "build", renderers=without(PDF), cache_dir=local_cache)
    peer_figures(out / "build")
    edit_one_project(content)
    measured_build("the same after editing one project (incremental: shard cache warm)", memory, content, out / "build",
                   renderers=without(PDF), cache_dir=local_cache)
    edit_one_project(content)
    with memory.paused():
        _, seconds = timed(lambda: subprocess.run([sys.executable, "-m", "sitegen", "build", str(content), "--out",
                                                  str(out / "build"), "--no-pdf"], check=True, capture_output=True))
    print(f"  the command itself after editing one more project (Python's start included, memory not sampled): "
          f"{seconds:.2f} s")
    if args.cluster:
        measured_build(f"`sitegen build --no-pdf --cluster {args.cluster}`", memory, content, out / "cluster",
                       renderers=without(PDF), cache_dir=cache / "cluster", cluster=args.cluster)
        print(f"  byte-identical to the local build: {files_equal(out / 'build', out / 'cluster')}")
    if args.skip_pdf:
        return
    shutil.rmtree(local_cache)
    seconds = measured_build("`sitegen build`, with PDFs, cold PDF cache", memory, content, out / "pdf", cache_dir=local_cache)
    print(f"  {seconds / n * 1000:.0f} ms/project end to end; {pdf_sizes(out / 'pdf')}")
    edit_one_project(content)
    measured_build("the same after editing one project (PDF cache warm)", memory, content, out / "pdf", cache_dir=local_cache)
    if args.cluster:
        seconds = measured_build(f"`sitegen build --cluster {args.cluster}`, with PDFs, cold PDF cache", memory, content,
                                 out / "cluster-pdf", cache_dir=cache / "cluster-pdf", cluster=args.cluster)
        print(f"  {seconds / n * 1000:.0f} ms/project end to end; byte-identical to the local build: "
              f"{files_equal(out / 'pdf', out / 'cluster-pdf')}")


if __name__ == "__main__":
    main()
