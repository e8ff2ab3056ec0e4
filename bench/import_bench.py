"""How long `sitegen import` takes for a 1,000-indicator workbook (the issue asks ≤ 2 s).

    python bench/import_bench.py [--indicators 1000] [--work DIR]

Writes a flat workbook (title, 单位：万元, the 13-column header, 100 projects with their cells
merged down over 10 indicator rows each, numbers with their formats), imports it into a fresh
content folder and prints the time of the whole import (read, recognise, write, check). Never run
by the tests.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEADER = ("项目名称", "项目单位", "项目类别", "预算数", "年度绩效目标", "一级指标", "二级指标", "三级指标",
          "指标性质", "指标方向", "目标值", "计量单位", "分值")


def workbook(path: Path, indicators: int, per_project: int = 10) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "表1"
    sheet.append(["2024年测试单位项目绩效目标表"])
    sheet.merge_cells("A1:M1")
    sheet.append(["单位：万元"])
    sheet.append(list(HEADER))
    row = 4
    for p in range(indicators // per_project):
        for i in range(per_project):
            sheet.append([f"测试项目{p + 1}", "100001-测试单位", "部门预算项目", 90.0, f"完成测试项目{p + 1}的年度目标",
                          "产出指标", "数量指标", f"测试指标{i + 1}", "正向", "大于等于", 9, "次", 9])
            sheet.cell(row, 4).number_format = "0.00"
            row += 1
        for column in range(1, 6):
            sheet.merge_cells(start_row=row - per_project, start_column=column, end_row=row - 1, end_column=column)
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    from sitegen.importers.plan import Options, run_import

    work = args.work or Path(tempfile.mkdtemp(prefix="import-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    path = work / "bench.xlsx"
    workbook(path, args.indicators)
    into = work / "content"
    start = time.perf_counter()
    code, report = run_import([path], Options(into, region="测试省测试市"))
    elapsed = time.perf_counter() - start
    assert code == 0, report.text(False)
    print(f"sitegen import: {args.indicators} indicators, {len(report.written) - 3} projects: {elapsed:.2f} s")


if __name__ == "__main__":
    main()
