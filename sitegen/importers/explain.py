"""`sitegen import FILE --explain`: the grid as read, for a table the import does not recognise.

Prints, for every table of the file (a sheet, a Word table, a PDF page; pages that continue one
another joined as the import joins them): its size and merged ranges, each row with its kind
(标题, 表块, 表头, 指标, 模板空行, 注, 签字行, 合计 …) and its texts, which column became which field
and why (the vocabulary label it matched, and how), and the form it was recognised as. Writes nothing.
"""

from __future__ import annotations

from pathlib import Path

from sitegen.importers.forms import Header, find_header, join_pages, join_parts
from sitegen.importers.forms import declaration, evaluation, flat, overall, per_project, rows
from sitegen.importers.forms.flat import single_text
from sitegen.importers.grid import Grid, column_letters
from sitegen.importers.labels import INDICATOR, is_total, label_text
from sitegen.importers.readers import read_file

FIELD_NAMES = {"level1": "一级指标", "level2": "二级指标", "name": "三级指标", "target": "指标值", "unit": "计量单位",
               "sign": "指标性质/符号", "score": "分值", "actual": "实际完成值", "earned": "得分", "project": "项目名称",
               "agency": "项目单位", "budget": "预算数", "goals": "绩效目标"}
WIDE = 24  # characters of a cell shown


def explain(paths: list[Path]) -> str:
    lines: list[str] = []
    for path in paths:
        kind, grids = read_file(path, str(path))
        lines.append(f"文件 {path}（{kind}，{len(grids)} 个{'页面表格' if kind == 'pdf' else '表'}）")
        for grid in join_pages(join_parts(grids)):
            lines += explain_grid(grid)
    return "\n".join(lines)


def explain_grid(grid: Grid) -> list[str]:
    header = find_header(grid)
    out = ["", f"表 {grid.name or '（无名）'}：{grid.height} 行 × {grid.width} 列，合并区域 {len(grid.merges)} 处"]
    if grid.merges:
        shown = [f"{grid.address(m.top, m.left).split('!')[-1]}:{column_letters(m.right)}{m.bottom + 1}" for m in grid.merges[:40]]
        out.append("  合并：" + " ".join(shown) + (" …" if len(grid.merges) > 40 else ""))
    if header is None:
        out.append("  表头：没有找到（需要 一级指标、二级指标、三级指标 三列；见下面各行，再用 --map 指定）")
        out += missing(grid)
    else:
        out.append(f"  表头：第 {header.top + 1}" + (f"–{header.row + 1}" if header.top < header.row else "") + " 行")
        out += columns(header)
        out.append("  识别为：" + form_of(grid, header))
    out.append("  各行：")
    for r in range(grid.height):
        if grid.is_empty_row(r):
            continue
        texts = []
        for c in range(grid.width):
            if grid.is_continuation(r, c):
                continue
            text = " ".join(grid.own(r, c).split())
            if text:
                texts.append(f"{column_letters(c)}「{text[:WIDE]}{'…' if len(text) > WIDE else ''}」")
        merged = sum(1 for c in range(grid.width) if grid.is_continuation(r, c))
        tail = f"（{merged} 格为合并区域的延续）" if merged else ""
        out.append(f"    {r + 1:>4} [{row_kind(grid, r, header)}] " + " ".join(texts) + tail)
    return out


def columns(header: Header) -> list[str]:
    out = []
    for c in sorted(header.labels):
        label = " ".join(header.labels[c].split())
        found = header.matches.get(c)
        keys = [key for key, cols in header.columns.items() if c in cols]
        if keys and found:
            why = f"{found.how}：「{found.label}」" if found.how != "完全一致" else "与词表一致"
            out.append(f"  列 {column_letters(c)}「{label}」→ {keys[0]}（{FIELD_NAMES.get(keys[0], keys[0])}；{why}）")
        elif c in header.recipients:
            out.append(f"  列 {column_letters(c)}「{label}」→ target（表头没有指标值列，已识别各列之后的列按受款地区或单位分列目标值；"
                       "各列相同即为指标值）")
        elif found:
            out.append(f"  列 {column_letters(c)}「{label}」→ 未用（{found.key} 已由匹配更好的一列取得）")
        else:
            out.append(f"  列 {column_letters(c)}「{label}」→ 无对应字段（作为备注或 facts 保留）")
    return out


def missing(grid: Grid) -> list[str]:
    """Which of the needed labels the table prints nowhere."""
    from sitegen.importers.labels import indicator_key

    seen = {indicator_key(grid.text(r, c)) for r in range(grid.height) for c in range(grid.width) if grid.text(r, c)}
    lacking = [key for key in ("level1", "level2", "name") if key not in seen]
    return ["  表中没有这些表头：" + "；".join(f"{FIELD_NAMES[k]}（词表中的写法：{'、'.join(INDICATOR[k][:6])}…）" for k in lacking)] if lacking else []


def form_of(grid: Grid, header: Header) -> str:
    for name, module in (("overall 部门整体表", overall), ("evaluation 自评表", evaluation), ("declaration 申报表", declaration),
                         ("per-project 表式", per_project), ("flat 表式", flat)):
        try:
            if module.recognise(grid, header) is not None:
                return name
        except Exception as exc:  # noqa: BLE001 - explain shows what the import would stumble on
            return f"{name}（读取时出错：{exc}）"
    return "无（表头找到了，但不像任何已知表式）"


def row_kind(grid: Grid, r: int, header: Header | None) -> str:
    first = next((grid.text(r, c) for c in range(grid.width) if grid.text(r, c)), "")
    if header is not None and header.top <= r <= header.row:
        return "表头"
    if rows.note_text(first) is not None:
        return "注"
    if rows.is_signature(first):
        return "签字行"
    if is_total(first) or label_text(first) in ("总分", "得分合计"):
        return "合计"
    if single_text(grid, r) is not None:
        return "标题" if header is None or r < header.top else "文字行"
    if header is None or r < header.top:
        return "表块"
    names = header.columns.get("name", [])
    name = header.value(grid, r, names[0]) if names else ""
    if not name:
        return "其他"
    return "模板空行" if rows.is_filler(name) else "指标"


def unrecognised(shown: str, grids: list[Grid]) -> str:
    """The error for a file with no table the import recognises: the header labels looked for and
    not found (in the table that has most of them), and what to do."""
    from sitegen.importers.labels import indicator_key

    best, lacking = None, ["level1", "level2", "name"]
    for grid in join_pages(join_parts(grids)):
        seen = {indicator_key(grid.text(r, c)) for r in range(grid.height) for c in range(grid.width) if grid.text(r, c)}
        missing_keys = [key for key in ("level1", "level2", "name") if key not in seen]
        if best is None or len(missing_keys) < len(lacking):
            best, lacking = grid, missing_keys
    where = f"{shown} {best.name}".strip() if best is not None else shown
    what = ("表头中没有 " + "、".join(f"{FIELD_NAMES[k]}（或 {'、'.join(INDICATOR[k][1:4])}）" for k in lacking)
            if lacking else "表头找到了，但表的其余部分不像任何已知表式（申报表、自评表、部门整体表、每行一个指标的表）")
    return f"{where}: 没有找到绩效目标表：{what}；用 sitegen import {shown} --explain 查看表格如何读取，再用 --map 指定表头"
