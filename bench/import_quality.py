"""How well `sitegen import` reads real tables: per form and per province, over tests/import_fixtures
(every format) and tests/import_corpus (each table in the format it was published in).

    python bench/import_quality.py [--show SLUG ...] [--only seen|held-out] [--gaps]

For each file: recognised (the import exits 0 and gives the unit-year's projects), indicators exact
(every field equal to the hand-checked expected/ tree, as tests/test_import_fixtures.py compares
them) and indicators imported that the table does not have (a name the expected tree has not, one
more than it has). The corpus is split by a hash of its folder names into a half the recognition
was developed on (seen) and a half held back (held-out); both figures are printed. --show prints
the fields that differ for the named folders. --gaps writes tests/import_corpus/GAPS.yaml: the
corpus tables not read exactly yet and what differs (their tests are strict xfails). Never run by
the tests.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitegen.checks.pipeline import load_content  # noqa: E402
from sitegen.commands.cli import main as cli  # noqa: E402
from tests.test_import_fixtures import SITE, expected_tree, import_args, indicator_view, unit_year_view  # noqa: E402

FIXTURES = ROOT / "tests" / "import_fixtures"
CORPUS = ROOT / "tests" / "import_corpus"
FORMS = ("declaration", "selfeval", "overall-selfeval", "overall", "flat", "per-project", "approval")
PROVINCE = re.compile(r"^(北京市|天津市|上海市|重庆市|.{2,6}?自治区|.{2,4}?省)")


def held_out(slug: str) -> bool:
    """Half the corpus, fixed by the folder's name: recognition was not tuned on these."""
    return hashlib.sha1(slug.encode()).digest()[0] % 2 == 1


def form_of(slug: str) -> str:
    return next((form for form in FORMS if slug.endswith("-" + form)), slug.rsplit("-", 1)[-1])


# Regions written by their short name (新疆生产建设兵团 is under 新疆's government for this count).
SHORT_NAMES = {"新疆": "新疆维吾尔自治区", "广西": "广西壮族自治区", "西藏": "西藏自治区", "宁夏": "宁夏回族自治区", "内蒙古": "内蒙古自治区"}


def province_of(region: str) -> str:
    match = PROVINCE.match(region)
    if match:
        return match.group(1)
    return next((full for short, full in SHORT_NAMES.items() if region.startswith(short)), region[:3])


def cases() -> list[tuple[str, Path, str, str]]:
    """(group, folder, format, form) of every file to import."""
    found = []
    for folder in sorted(p for p in FIXTURES.iterdir() if (p / "grid.tsv").exists()):
        for fmt in ("xlsx", "xls", "docx", "pdf"):
            found.append(("fixtures", folder, fmt, form_of(folder.name)))
    for folder in sorted(p for p in CORPUS.iterdir() if (p / "FORMAT").exists()):
        fmt = (folder / "FORMAT").read_text(encoding="utf-8").strip().lower()
        found.append(("held-out" if held_out(folder.name) else "seen", folder, fmt, form_of(folder.name)))
    return found


def all_indicators(unit_years) -> list[tuple[str, list]]:
    """(where, indicators) of every list of indicators of a file's unit-years: a project by its name and
    its place among the projects of that name (the unit's folder name is no part of it)."""
    lists = []
    seen: Counter = Counter()
    for unit_year in unit_years:
        for project in unit_year.projects:
            seen[project.name] += 1
            name = project.name + (f" ({seen[project.name]})" if seen[project.name] > 1 else "")  # two forms, one name
            lists.append((name, project.indicators))
            if project.midterm:
                lists.append((name + " 中期", project.midterm.indicators))
        if unit_year.overall is not None:
            seen["部门整体"] += 1
            lists.append((f"部门整体 ({seen['部门整体']})", unit_year.overall.indicators))
    return lists


def base(where: str) -> str:
    return re.sub(r" \(\d+\)$", "", where.replace(" 中期", "")) + (" 中期" if " 中期" in where else "")


def pair_lists(want_lists, got_lists) -> dict[int, int]:
    """Each expected list of indicators with the imported list of the same project name that shares
    most indicators with it (two units of a file may both have a project of that name)."""
    pairs: dict[int, int] = {}
    for k, (where, want) in enumerate(want_lists):
        views = [indicator_view(i) for i in want]
        options = [n for n, (w, _) in enumerate(got_lists) if base(w) == base(where) and n not in pairs.values()]
        if options:
            pairs[k] = max(options, key=lambda n: sum(indicator_view(i) in views for i in got_lists[n][1]))
    return pairs


def compare(want_lists, got_lists, show: bool) -> tuple[int, int, int]:
    """Expected indicators, those imported exactly, those imported that the table does not have."""
    expected = sum(len(items) for _, items in want_lists)
    exact = extra = 0
    pairs = pair_lists(want_lists, got_lists)
    unmatched_got = [items for n, (_, items) in enumerate(got_lists) if n not in pairs.values()]
    for k, (where, want) in enumerate(want_lists):
        got = got_lists[pairs[k]][1] if k in pairs else []
        views = [indicator_view(i) for i in got]
        used = [False] * len(views)
        for n, indicator in enumerate(want):
            view = indicator_view(indicator)
            match = next((k for k, v in enumerate(views) if not used[k] and v == view), None)
            if match is not None:
                used[match] = True
                exact += 1
            elif show:
                near = views[n] if n < len(views) else {}
                diff = {k: (v, near.get(k)) for k, v in view.items() if near.get(k) != v}
                print(f"    {where} #{n + 1} {indicator.name}: {diff}")
        names = Counter(i.name for i in want)
        for indicator in got:
            if names[indicator.name] > 0:
                names[indicator.name] -= 1
            else:
                extra += 1
                if show:
                    print(f"    {where}: imported, not in the table: {indicator.level1}/{indicator.level2}/{indicator.name}")
    extra += sum(len(items) for items in unmatched_got)
    if show:
        for items in unmatched_got:
            for indicator in items:
                print(f"    imported, no such project: {indicator.name}")
    return expected, exact, extra


def measure(folder: Path, fmt: str, show: bool) -> dict:
    with tempfile.TemporaryDirectory() as temp:
        tmp = Path(temp)
        expected = load_content(expected_tree(folder, tmp))
        into = tmp / "content"
        into.mkdir()
        (into / "site.yaml").write_text(SITE, encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli(["import", str(folder / f"table.{fmt}"), "--into", str(into), *import_args(folder, expected)])
        seconds = time.perf_counter() - started
        want_years = expected.content.unit_years()
        region = want_years[0].agency.region if want_years else ""
        want = all_indicators(want_years)
        got = []
        checked = written = False
        if code == 0:
            imported = load_content(into)
            checked = imported.ok
            written = bool(imported.content.unit_years())
            got = all_indicators(imported.content.unit_years())
        if show and code != 0:
            said = [line for line in (err.getvalue() + out.getvalue()).splitlines() if line.startswith(("sitegen import", "检查", "冲突"))]
            print("    " + "\n    ".join(said))
        total, exact, extra = compare(want, got, show)
        if code != 0:
            extra = 0
        gap = {}
        if code != 0:
            said = [line for line in (err.getvalue() + out.getvalue()).splitlines() if line.startswith(("sitegen import", "检查"))]
            why = said[0].replace(str(folder) + "/", "").replace(str(into) + "/", "") if said else f"退出码 {code}"
            gap["indicators"] = gap["model"] = "导入失败：" + why.removeprefix("sitegen import: ")[:200]
        else:
            if exact < total or extra or not checked:
                gap["indicators"] = f"{total - exact} 个指标与 expected/ 不同，{extra} 个多出" + ("" if checked else "，导入结果未通过检查")
            got_views = [unit_year_view(uy) for uy in imported.content.unit_years()]
            want_views = [unit_year_view(uy) for uy in want_years]
            if got_views != want_views or gap:
                gap["model"] = "不同的字段：" + "、".join(differing(got_views, want_views)) if got_views != want_views else gap["indicators"]
        has_indicators = any(items for _, items in got)
        return {"seconds": seconds, "gap": gap, "recognised": code == 0 and (has_indicators or written and total == 0), "checked": checked, "expected": total, "exact": exact,
                "extra": extra, "province": province_of(region)}


def differing(got: list[dict], want: list[dict]) -> list[str]:
    """The keys of the unit-year and project views that differ (for GAPS.yaml)."""
    keys: set[str] = set()
    for g, w in zip(got, want):
        keys |= {k for k in w if k != "projects" and g.get(k) != w.get(k)}
        if len(g["projects"]) != len(w["projects"]):
            keys.add("projects")
        for gp, wp in zip(g["projects"], w["projects"]):
            keys |= {f"project.{k}" for k in wp if gp.get(k) != wp.get(k)}
    if len(got) != len(want):
        keys.add("unit_years")
    return sorted(keys)


def write_gaps(rows: list[dict]) -> None:
    gaps = {"indicators": {}, "model": {}}
    for row in sorted(rows, key=lambda r: r["slug"]):
        for part in gaps:
            if row["gap"].get(part):
                gaps[part][row["slug"]] = row["gap"][part]
    head = ("# Corpus tables sitegen import does not read exactly yet (written by bench/import_quality.py --gaps):\n"
            "# slug → what differs. Their tests in tests/test_import_corpus.py are strict xfails.\n")
    body = yaml.safe_dump(gaps, allow_unicode=True, sort_keys=True, width=200)
    (CORPUS / "GAPS.yaml").write_text(head + body, encoding="utf-8")


def cells_of(rows: list[dict]) -> list[str]:
    expected = sum(r["expected"] for r in rows)
    exact = sum(r["exact"] for r in rows)
    share = f"{100 * exact / expected:.1f} %" if expected else "–"
    return [f"{sum(r['recognised'] for r in rows)}/{len(rows)}", f"{exact}/{expected}", share, str(sum(r["extra"] for r in rows))]


def markdown(results: dict[str, list[dict]]) -> str:
    """Per form and per province: the tables docs/import.md prints."""
    head = "| {} | 文件认出 | 指标完全一致 | 比例 | 多出的指标 |\n|---|---|---|---|---|"
    out = []
    groups = [("真实语料（corpus）·开发所用的一半（seen）", results.get("seen", [])),
              ("真实语料（corpus）·留出的一半（held-out）", results.get("held-out", [])),
              ("项目自带的样表（fixtures，每张四种格式）", results.get("fixtures", []))]
    for title, rows in groups:
        if not rows:
            continue
        out += [f"**{title}**", "", head.format("表式"), "| 合计 | " + " | ".join(cells_of(rows)) + " |"]
        for form in sorted({r["form"] for r in rows}):
            out.append(f"| {form} | " + " | ".join(cells_of([r for r in rows if r["form"] == form])) + " |")
        out += ["", head.format("省份")]
        for province in sorted({r["province"] for r in rows}):
            out.append(f"| {province} | " + " | ".join(cells_of([r for r in rows if r["province"] == province])) + " |")
        out.append("")
    return "\n".join(out)


def line(title: str, rows: list[dict]) -> str:
    files = len(rows)
    recognised = sum(r["recognised"] for r in rows)
    expected = sum(r["expected"] for r in rows)
    exact = sum(r["exact"] for r in rows)
    extra = sum(r["extra"] for r in rows)
    share = f"{100 * exact / expected:5.1f} %" if expected else "   – "
    return f"{title:<28} files {recognised:>3}/{files:<3} indicators exact {exact:>4}/{expected:<4} {share}  imported not in table {extra}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", nargs="*", default=[], help="print what differs for these folders")
    parser.add_argument("--only", choices=("fixtures", "seen", "held-out"))
    parser.add_argument("--gaps", action="store_true", help="write tests/import_corpus/GAPS.yaml")
    parser.add_argument("--markdown", action="store_true", help="print the figures as tables for docs/import.md")
    args = parser.parse_args()
    results = defaultdict(list)
    started = time.perf_counter()
    for group, folder, fmt, form in cases():
        if args.only and group != args.only:
            continue
        show = folder.name in args.show
        if show:
            print(f"{folder.name} ({fmt}):")
        result = measure(folder, fmt, show)
        result.update(group=group, form=form, fmt=fmt, slug=folder.name)
        results[group].append(result)
        if not result["recognised"] or result["exact"] < result["expected"] or result["extra"]:
            print(f"  {group:<9} {folder.name} ({fmt}): {result['exact']}/{result['expected']} exact, "
                  f"{result['extra']} not in table{'' if result['recognised'] else ', NOT RECOGNISED'}")
    print()
    for group, rows in results.items():
        print(line(f"[{group}]", rows))
        for form in sorted({r["form"] for r in rows}):
            print(line(f"  form {form}", [r for r in rows if r["form"] == form]))
        for fmt in sorted({r["fmt"] for r in rows}):
            print(line(f"  format {fmt}", [r for r in rows if r["fmt"] == fmt]))
        for province in sorted({r["province"] for r in rows}):
            print(line(f"  {province}", [r for r in rows if r["province"] == province]))
        failed = [r["slug"] for r in rows if r["recognised"] and not r["checked"]]
        if failed:
            print(f"  imported tree fails sitegen check: {', '.join(sorted(set(failed)))}")
    corpus = results.get("seen", []) + results.get("held-out", [])
    if args.gaps and not args.only:
        write_gaps(corpus)
    if args.markdown:
        print(markdown(results))
    if corpus:
        print(line("[corpus, both halves]", corpus))
    every = [r for rows in results.values() for r in rows]
    slowest = max(every, key=lambda r: r["seconds"]) if every else None
    print(f"\n{len(every)} files in {time.perf_counter() - started:.1f} s; the imports themselves (read, recognise, "
          f"check, write) {sum(r['seconds'] for r in every):.1f} s, {sum(r['seconds'] for r in every) / max(len(every), 1):.2f} s a file"
          + (f", slowest {slowest['slug']} ({slowest['fmt']}) {slowest['seconds']:.2f} s" if slowest else ""))


if __name__ == "__main__":
    main()
