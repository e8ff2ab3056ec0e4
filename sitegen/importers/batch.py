"""Importing a folder: each file on its own, each all or nothing, and a line per file.

One bad file no longer stops the others: every file is read, planned, checked and written
by itself, under the tree's lock, and the report says of each whether it was written,
skipped (nothing to import) or refused (with the reason). Goals tables go before the
self-evaluations, so that a self-evaluation in the same folder merges into the project
its goals table made. The exit code is 0 only when every file was imported (or had
nothing to change); 2 when any file was refused, else 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sitegen.importers import transaction
from sitegen.importers.grid import BadInput
from sitegen.importers.report import Report

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".docx", ".pdf", ".csv", ".tsv", ".txt")


@dataclass
class Outcome:
    path: Path
    code: int  # 0 imported, 1 skipped or in conflict, 2 refused
    report: Report
    refused: str = ""


def files_of(paths: list[Path]) -> list[Path]:
    """The files named and those in the folders named (not their subfolders), in name order;
    dot files and Office's `~$` lock files left out."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES
                            and not p.name.startswith((".", "~$")))
        else:
            found.append(path)
    return found


def run(paths: list[Path], options, read_all, import_founds) -> tuple[int, Report]:
    """`read_all` and `import_founds` are plan.py's: what one file's import is, given here so that
    this module, which plan.py calls for a folder, does not import it back."""
    outcomes: list[Outcome] = []
    ready = []
    for path in files_of(paths):
        report = Report()
        try:
            ready.append((path, read_all([path], report), report))
        except BadInput as exc:
            outcomes.append(Outcome(path, 2, report, exc.message))
    # Goals tables first: a self-evaluation of the same folder merges into what they wrote.
    ready.sort(key=lambda item: all(f.form == "evaluation" for f in item[1]))
    for path, founds, report in ready:
        try:
            with transaction.locked(options.into):
                code = import_founds(founds, options, report)
            outcomes.append(Outcome(path, code, report))
        except BadInput as exc:
            outcomes.append(Outcome(path, 2, report, exc.message))
    outcomes.sort(key=lambda o: str(o.path))
    return worst(outcomes), summary(outcomes, options.dry_run)


def worst(outcomes: list[Outcome]) -> int:
    codes = {o.code for o in outcomes}
    return 2 if 2 in codes else 1 if 1 in codes or not outcomes else 0


def summary(outcomes: list[Outcome], dry_run: bool) -> Report:
    """One report: each file's own lines under a line saying what became of it."""
    total = Report()
    for o in outcomes:
        if o.refused:
            state = f"拒绝：{o.refused}（此文件未写入任何内容）"
        elif o.code:
            state = "未导入：" + "；".join(o.report.failed or ["有冲突或检查错误，此文件未写入任何内容"])
        else:
            state = f"{'将写入' if dry_run else '已写入'} {len(o.report.written)} 个文件" + (
                f"，{len(o.report.unchanged)} 个未变" if o.report.unchanged else "")
        total.files.append(f"{o.path}：{state}")
        total.files += ["  " + line for line in o.report.text(dry_run).splitlines()]
    if not outcomes:
        total.failed.append("文件夹中没有可导入的文件（.xlsx、.xls、.docx、.pdf、.csv）")
    counts = [sum(1 for o in outcomes if not o.code), sum(1 for o in outcomes if o.code == 1),
              sum(1 for o in outcomes if o.code == 2)]
    total.files.append(f"共 {len(outcomes)} 个文件：{counts[0]} 个已导入，{counts[1]} 个未导入，{counts[2]} 个拒绝")
    return total
