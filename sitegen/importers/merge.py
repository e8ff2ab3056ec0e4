"""A self-evaluation into the project file that exists: its `evaluation` and the indicators' results.

The project is found in the content tree by its code, else by its name
(the report says which). Each result row goes to the indicator with the
same 三级指标 name. An author's value is never overwritten: a result that
differs from one already written is a conflict (nothing is written unless
--force). The record with the results is written by the YAML writer and
merged into the file's own text (yamlmerge.py): every value and comment
the author wrote stays where it was.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.importers import writer, yamlmerge
from sitegen.importers.cells import squeeze, strip_numbering
from sitegen.importers.grid import BadInput
from sitegen.model import Indicator, Project

INDICATOR_NUMBER = re.compile(r"^指标\s*\d+\s*[:：.、]\s*")
RESULTS = ("actual", "earned", "deviation")
RESULT_NAMES = {"actual": "实际完成值", "earned": "得分", "deviation": "偏差原因分析及改进措施"}


@dataclass
class Merged:
    project: Project
    path: Path
    matched_by: str
    conflicts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # for the report: appended rows, differing targets


def load_existing(copy: Path, into: Path):
    """The content tree as it is (read from the import's copy of it, `copy`; messages name the
    files under `into`), or None when there is none; a tree with errors cannot take a merge."""
    from sitegen.checks.pipeline import load_content

    if not (copy / "site.yaml").exists():
        return None
    loaded = load_content(copy)
    if not loaded.ok:
        first = loaded.findings.errors[0].format().replace(str(copy.resolve()) + "/", f"{into}/")
        raise BadInput(f"{first}（内容目录有错误，不能并入自评表，请先修正）")
    return loaded


def find(loaded, agency_id: str, year: int, imported: Project) -> tuple[Project, str] | None:
    """The project of that unit and year with the same code, else the same name."""
    if loaded is None:
        return None
    projects = [p for uy in loaded.content.unit_years() if uy.agency.id == agency_id and uy.year == year for p in uy.projects]
    if imported.code:
        for p in projects:
            if p.code and p.code == imported.code:
                return p, f"项目编码 {p.code}"
    for p in projects:
        if p.name == imported.name:
            return p, "项目名称"
    for p in projects:
        if squeeze(p.name) == squeeze(imported.name):
            return p, "项目名称（不计空格与全角半角）"
    return None


def indicator_key(name: str) -> str:
    """`指标1:全县参合人数` and `1. 全县参合人数` are 全县参合人数."""
    return squeeze(strip_numbering(INDICATOR_NUMBER.sub("", name.strip())))


def shown(value) -> str:
    if value is None:
        return ""
    return value.text if hasattr(value, "text") else str(value)


def find_overall(loaded, agency_id: str, year: int):
    """The overall.yaml record of that unit and year, or None."""
    if loaded is None:
        return None
    return next((uy.overall for uy in loaded.content.unit_years() if uy.agency.id == agency_id and uy.year == year), None)


def merge(existing, imported, matched_by: str, where: str, force: bool) -> Merged:
    """`existing` and `imported` are both projects, or both Overall records (overall.yaml)."""
    result = Merged(copy.copy(existing), Path(existing.loc.file), matched_by)
    name = getattr(existing, "name", "") or "部门整体支出"
    project = result.project
    project.indicators = [copy.copy(i) for i in existing.indicators]
    new_text = "\n".join(writer.evaluation_lines(imported.evaluation))
    if existing.evaluation is None or "\n".join(writer.evaluation_lines(existing.evaluation)) == new_text:
        project.evaluation = imported.evaluation
    elif force:
        project.evaluation = imported.evaluation
        result.notes.append(f"{where}: 「{name}」已有的 evaluation 被自评表的替换（--force）")
    else:
        result.conflicts.append(f"{result.path}: 「{name}」已有 evaluation，与 {where} 的不同：未覆盖（加 --force 替换）")
    if imported.notes and imported.notes not in (existing.notes or ""):
        # Cells of the form with no key (历年结余结转 …): appended to the notes, never replacing them.
        project.notes = "\n\n".join(part for part in (existing.notes, imported.notes) if part)
        result.notes.append(f"{where}: 自评表中没有对应键的格已追加到 {result.path} 的 notes")
    used: set[int] = set()
    for row in imported.indicators:
        target = next((i for n, i in enumerate(project.indicators) if n not in used and indicator_key(i.name) == indicator_key(row.name)), None)
        if target is None:
            appended = copy.copy(row)
            project.indicators.append(appended)
            used.add(len(project.indicators) - 1)
            result.notes.append(f"{where}: 自评表的指标「{row.name}」在 {result.path} 中没有同名三级指标，已追加到指标末尾，请核对")
            continue
        used.add(project.indicators.index(target))
        merge_results(target, row, result, where, force)
    return result


def merge_results(target: Indicator, row: Indicator, result: Merged, where: str, force: bool) -> None:
    for key in RESULTS:
        new, old = getattr(row, key), getattr(target, key)
        if new in (None, ""):
            continue
        if old in (None, ""):
            setattr(target, key, new)
        elif shown(old) == shown(new):
            continue
        elif force:
            setattr(target, key, new)
            result.notes.append(f"{where}: 指标「{target.name}」的{RESULT_NAMES[key]}由「{shown(old)}」改为「{shown(new)}」（--force）")
        else:
            result.conflicts.append(f"{result.path}: 指标「{target.name}」的{RESULT_NAMES[key]}（{key}）已写为「{shown(old)}」，"
                                    f"自评表为「{shown(new)}」：未覆盖（加 --force 替换）")
    if shown(row.target) and shown(target.target) and shown(row.target) != shown(target.target):
        result.notes.append(f"{where}: 指标「{target.name}」自评表的年度指标值「{shown(row.target)}」与项目文件的目标值"
                            f"「{shown(target.target)}」不同：保留项目文件的，请核对")


def merged_text(merged: Merged, source: str) -> str:
    """The file with the results in it, merged in its own text (yamlmerge.py): the author's
    comments and values stay where and as they were, one line names the self-evaluation."""
    original = merged.path.read_text(encoding="utf-8")
    write = writer.project_yaml if isinstance(merged.project, Project) else writer.overall_yaml
    return yamlmerge.merge_text(original, write([source], merged.project))
