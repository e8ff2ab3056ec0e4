"""`declaration`: the 财预〔2015〕88号 项目支出绩效目标申报表 / 批复表 / 审批表, one form per project.

Above the indicator header stands a block of labelled cells, read as
label → value pairs left to right (项目名称 | 教育系统… | 实施单位 | …). A
label merged down over several rows opens a section: 项目资金 (its rows are
money pairs, 中期 on the left and 年度 on the right when both are printed)
or 总体目标 (a row of headings, 中期目标（2019年--2021年） · 年度目标, over a
row of texts). Every labelled cell that has no key of the contract goes to
`facts`, label as printed, so nothing of the form is dropped. The indicator
header may print two groups side by side (二级 · 三级 · 指标值 for 中期, then
for 年度): the first is `midterm.indicators`, the second `indicators`.
"""


from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from sitegen.importers import cells
from sitegen.importers.forms import PAGE, Found, Header, code_and_name, make_header, note_text, year_of
from sitegen.importers.forms.declaration.block import (  # noqa: F401 (evaluation.py and overall.py read blocks too)
    DEPARTMENT, IMPLEMENTER, NAME, SEAL, SKIPPED_LINE, UNIT_LINES, Block, is_label, known_label, money, pairs, printed_label,
    read_pair, read_row, row_cells, source_label, unit_line,
)
from sitegen.importers.forms.flat import single_text
from sitegen.importers.forms.table import Levels, check_weights, indicator_rows, paragraphs, row_kind
from sitegen.importers.grid import Grid
from sitegen.importers.labels import form_allowed, indicator_key, words
from sitegen.model import Indicator, Midterm, Project

def recognise(grid: Grid, header: Header) -> Found | None:
    """A form whose block above the indicator header has a 项目名称 label beside its value. The header
    is the one row of indicator labels: the rows above it (总体目标 · 年度目标) belong to the block."""
    if not form_allowed("declaration"):
        return None
    for r in range(header.row):
        row = row_cells(grid, r)
        for part in (row, row[1:]):  # the row, or the row after a section label (专项基本情况 | 专项名称 | …)
            for _, label, value in pairs(part):
                if is_label(label, NAME) and value and not is_label(value, NAME):
                    return read(grid, make_header(grid, header.row, band_top(grid, header.row)))
    if unnamed_block(grid, header):
        return read(grid, make_header(grid, header.row, band_top(grid, header.row)))
    return None


def unnamed_block(grid: Grid, header: Header) -> bool:
    """A form that prints no 项目名称 (海南: 主管部门: | 省商务厅 | 资金总额: | 2430.30 …): above the indicator
    header a 主管部门 or 实施单位 beside its value, and a money or goals label too."""
    unit = other = False
    for r in range(header.top):
        for _, label, value in pairs(row_cells(grid, r)):
            if is_label(label, DEPARTMENT) or is_label(label, IMPLEMENTER):
                unit = unit or bool(value.strip())
            elif label.strip() and known_label(label):
                other = True
    return unit and other


def band_top(grid: Grid, row: int) -> int:
    """The indicator header's first row: 一级指标 merged down over 中期指标 · 年度指标 and the row under them."""
    top = row
    for c in range(grid.width):
        m = grid.merge_at(row, c)
        if m is not None and m.top < row and indicator_key(grid.text(row, c)) in ("level1", "level2", "name"):
            top = min(top, m.top)
    return top


# ---------------------------------------------------------------- the labelled block


def title_line(grid: Grid, r: int, block: Block) -> str | None:
    """Above the first labelled cell, a row with one text in its first column and nothing else (the
    title of a PDF form printed inside its table's grid) is a line, not a label."""
    first = grid.merge_at(r, 0)
    if block.values or block.facts or first is not None and first.height > 1:
        return None
    for c in range(1, grid.width):
        m = grid.merge_at(r, c)
        if (grid.own(r, c) or m is not None) and not (m is not None and m is first):
            return None
    return grid.own(r, 0) or None


def read(grid: Grid, header: Header) -> Found:
    found = Found("declaration", grid, (0, grid.height - 1), layout="declaration")
    block = Block()
    lines: list[str] = []
    block_at = None  # how many lines stand above the labelled block
    attached = 0  # the first of them printed with the form, no empty row between (not a cover's)
    for r in range(header.top):
        if grid.is_empty_row(r):
            attached = len(lines) if block_at is None else attached
            continue
        line = single_text(grid, r) or title_line(grid, r, block)
        if line is not None:
            lines.append(line)
            continue
        block_at = len(lines) if block_at is None else block_at
        read_row(grid, r, block, found)
    read_lines(found, block, lines, grid, lines[:block_at], lines[attached:block_at])
    for label in header.labels.values():
        found.money_unit = found.money_unit or cells.money_unit(label)
    midterm, indicators, last = read_indicators(grid, header, block, found)
    check_weights(found, indicators)
    agency_of(found, block)
    year_from_name(found, block.values.get("name", ""))
    if not block.values.get("name"):
        block.values["name"] = found.title or grid.name
        found.warnings.append(f"{found.where(0)}: 表中没有印项目名称，项目名称暂取表题「{block.values['name']}」，请改为项目的名称")
    found.projects = [(project(found, block, midterm, indicators), (0, last))]
    found.rows = (0, last)
    return found


def read_lines(found: Found, block: Block, lines: list[str], grid: Grid, heading: tuple | list = (),
               above: tuple | list = ()) -> None:
    """Title, year, 预算单位 and 单位：万元 lines above the form; a further line of the heading (the lines
    above the labelled block) that no label names is a subtitle. The label lines printed with the form
    right above its block (`above`: not a cover's, set off by an empty row) come first among the facts,
    in printed order."""
    first = 0  # where the next fact of a heading line goes
    for line, text in ((line, part) for line in lines for part in line_parts(line)):
        facts = len(block.facts)
        read_line(found, block, text, grid, heading)
        if line in above and len(block.facts) > facts:
            block.facts[first:first] = [block.facts.pop()]
            first += 1
    found.year = year_of(lines)
    if found.year:
        shown = next(t for t in lines if str(found.year) in t)
        found.year_from = f"{grid.source} 表头「{shown}」"


def read_line(found: Found, block: Block, text: str, grid: Grid, heading: tuple | list) -> None:
    """One part of a line above or inside the form: the money unit, the unit, the title, or a fact."""
    unit = cells.money_unit(text)
    found.money_unit = found.money_unit or unit
    budget_unit = unit_line(text)
    if budget_unit and not block.budget_unit:
        block.budget_unit = budget_unit
    elif not unit and not SKIPPED_LINE.match(text) and not found.title:
        found.title = title_of(text, grid)
    elif not unit and not budget_unit and not SKIPPED_LINE.match(text):
        cover_line(text, block)
        if text in heading and subtitle(text):
            block.notes.append(text.strip())  # printed under the title, said of this project: kept, not dropped


BRACKETED_LINE = re.compile(r"^\s*[(（][^()（）]+[)）]\s*$")


def subtitle(text: str) -> bool:
    """A line in brackets under the title (天津: `(天津市宝坻区畜禽粪污资源化利用整区推进项目)` under the 专项's
    title): the project's note. Not the year alone (（2023年度）), not a `label: value` line (cover_line's);
    a section heading above the block (项目基本信息) is no subtitle."""
    if labelled_line(text) is not None:
        return False
    return bool(BRACKETED_LINE.match(text)) and not SKIPPED_LINE.match(text)


NEXT_LABEL = re.compile(r"\s+(?=[^\s:：()（）]{2,8}(?:[(（][^)）]{1,4}[)）])?\s*[:：])")


def line_parts(line: str) -> list[str]:
    """`单位名称:昌宁县供销合作社联合社 填报日期:2023年4月15日`: one `label: value` a part."""
    parts = NEXT_LABEL.split(line.strip())
    return parts if len(parts) > 1 and all(LABELLED_LINE.match(p) or p.rstrip().endswith((":", "：")) for p in parts) else [line]


YEAR_LINE = re.compile(r"\s*[(（]\s*20\d{2}\s*年度?\s*[)）]\s*$")


def title_of(text: str, grid: Grid) -> str:
    """The title as printed: a （2023年度） run on in its cell stays; on a line of its own (after a line
    break, or in a PDF, whose text joins the lines of a title block) it is the year's line, not the title's."""
    year = YEAR_LINE.search(text)
    if year and ("\n" in year.group(0) or PAGE.match(grid.name)):
        return text[: year.start()].strip() or text.strip()
    return text.strip()


LABELLED_LINE = re.compile(r"^\s*([^:：]{2,40}?)\s*[:：]\s*(\S.*)$", re.S)


def labelled_line(text: str) -> re.Match | None:
    """A `label: value` line whose label is short (12 characters at most); None for a sentence with a colon."""
    match = LABELLED_LINE.match(text)
    return match if match is not None and len(cells.squeeze(match.group(1))) <= 12 else None


def cover_line(text: str, block: Block) -> None:
    """A `label: value` line under the title (a Word cover: 编报时间: 2021年1月28日, 单位负责人:谭呈祥) is a
    fact; the project's name printed again there is not."""
    match = labelled_line(text)
    if match is None:
        return  # no label: a sentence with a colon in it
    label, value = match.group(1), match.group(2).strip()
    if is_label(SEAL.sub("", label), UNIT_LINES):
        return  # 填报单位:(盖章) — the unit's line left blank
    if is_label(label, NAME):
        block.values.setdefault("name", value)
    else:
        block.fact(label, value)


# ---------------------------------------------------------------- indicators


def groups(header: Header) -> list[tuple[str, Header]]:
    """One indicator group (年度), or two side by side: 中期 left, 年度 right (一级 shared)."""
    names = header.columns.get("name", [])
    if len(names) < 2:
        return [("year", header)]
    level2 = header.columns.get("level2", [])
    boundary = level2[1] if len(level2) > 1 else names[1]
    mid = {key: [c for c in cols if c < boundary] for key, cols in header.columns.items()}
    year = {key: [c for c in cols if c >= boundary] for key, cols in header.columns.items()}
    year["level1"] = header.columns.get("level1", [])
    return [("mid", replace(header, columns={k: v for k, v in mid.items() if v})),
            ("year", replace(header, columns={k: v for k, v in year.items() if v}))]


def read_indicators(grid: Grid, header: Header, block: Block, found: Found) -> tuple[list[Indicator], list[Indicator], int]:
    parts = groups(header)
    levels = {side: Levels() for side, _ in parts}
    read: dict[str, list[Indicator]] = {"mid": [], "year": []}
    last = header.row
    for r in range(header.row + 1, grid.height):
        if grid.is_empty_row(r):
            continue
        if row_kind(grid, r, found):
            last = r
            continue
        line = single_text(grid, r)
        if line is not None:
            note = note_text(line)
            if note is not None:  # the form is the project's: its 备注 is the project's (plan.py moves a note
                block.notes.append(note)  # printed under every form of a file to the disclosure)
            last = r
            continue
        if label_row(grid, r, header):
            for _, label, value in pairs(row_cells(grid, r)):
                block.fact(label, value)
            last = r
            continue
        rows = {side: indicator_rows(grid, r, part, levels[side], found) for side, part in parts}
        if any(rows.values()) or any(header.value(grid, r, c) for key in ("level1", "level2") for c in header.columns.get(key, [])):
            for side, indicators in rows.items():
                read[side] += indicators
        else:  # a labelled row under the indicators (审核意见 …)
            for _, label, value in pairs(row_cells(grid, r)):
                if label:
                    block.fact(label, value)
        last = r
    return read["mid"], read["year"], last


def label_row(grid: Grid, r: int, header: Header) -> bool:
    """A labelled row under the indicators (财政部门审核意见 | （盖章）): its label starts in the first
    column and runs across into the indicator columns, or one cell covers the 三级 and 指标值 columns."""
    m = grid.merge_at(r, 0)
    if grid.own(r, 0) and m is not None and m.width > 1 and m.right >= header.first_indicator_column:
        return True
    name = header.columns.get("name", [None])[0]
    m = grid.merge_at(r, name) if name is not None else None
    levels = [c for key in ("level1", "level2") for c in header.columns.get(key, [])]
    if name is not None and any(grid.own(r, c) and not (grid.merge_at(r, c) and grid.merge_at(r, c).covers(r, name)) for c in levels):
        return False  # an indicator whose 三级 cell runs over an empty 指标值 (宁夏: 经济效益指标 | 增加就业机会…)
    return m is not None and any(m.covers(r, c) for c in header.columns.get("target", []))


# ---------------------------------------------------------------- records


AGENCY_CELLS = words("declaration", "agency_cells")
SECTOR_DEPARTMENT = words("declaration", "sector_department")
COMPANY_WORDS = words("declaration", "company_words")
NAME_YEAR = re.compile(r"^\s*(20\d{2})\s*年")


def year_from_name(found: Found, name: str) -> None:
    """A form whose title prints no year: the year a project name starts with (`2018年南岳镇…项目`)."""
    match = NAME_YEAR.match(name)
    if found.year is None and match:
        found.year = int(match.group(1))
        found.year_from = f"{found.grid.source} 项目名称「{name}」（表头未印年度）"


def agency_of(found: Found, block: Block) -> None:
    """The unit: the 预算单位 line (with the 主管部门, when another unit, as its department); else a
    实施单位 whose code lies under the 主管部门's code (the unit, with its department); else the
    主管部门. An 实施单位 that is the unit itself is not kept."""
    dept_code, dept_name = code_and_name(block.values.get("department", ""))
    impl_code, impl_name = code_and_name(block.values.get("implementer", ""))
    if block.budget_unit:
        found.agency_code, found.agency_name = code_and_name(block.budget_unit)
        found.guesses.append(f"{found.grid.source}: 单位取自「预算单位」一行：{block.budget_unit}")
        if dept_name and dept_name not in (found.agency_name, impl_name) \
                and not is_label(block.department_label, SECTOR_DEPARTMENT):
            # 单位名称:某站 above the form, 主管部门 | 某局 in it: the unit sits under that department
            # (a 主管部门 printed as the 实施单位 too is the unit itself, perhaps by a short name)
            found.department = (dept_code, dept_name)
            found.guesses.append(f"{found.grid.source}: 主管部门「{block.values['department']}」记为单位的 department")
    elif impl_code and dept_code and impl_code != dept_code and impl_code.startswith(dept_code):
        found.agency_code, found.agency_name = impl_code, impl_name
        found.department = (dept_code, dept_name)
        found.guesses.append(f"{found.grid.source}: 实施单位编码 {impl_code} 在主管部门编码 {dept_code} 之下：单位取实施单位，主管部门记为 department")
    elif impl_code and not dept_code and not any(word in impl_name for word in COMPANY_WORDS):
        found.agency_code, found.agency_name = impl_code, impl_name
        found.guesses.append(f"{found.grid.source}: 只有实施单位印有编码（{block.values['implementer']}）：单位取实施单位")
    elif dept_name:
        found.agency_code, found.agency_name = dept_code, dept_name
        found.guesses.append(f"{found.grid.source}: 单位取自「主管部门」：{block.values['department']}（若本表的单位是实施单位，请改 agency.yaml）")
    if impl_name and (impl_name == found.agency_name or found.department is None and impl_name == dept_name):
        block.values.pop("implementer", None)  # the unit itself, or its 主管部门 printed again
    # The form's own 主管部门及代码 cell showing the department (or the unit itself) is agency.yaml's:
    # not a fact. A cell under another label (主管部门, 主管部门及编码 …) is kept as printed.
    shown = {found.department, (found.agency_code, found.agency_name), ("", found.agency_name)}
    block.facts = [(label, text) for label, text in block.facts
                   if not (is_label(label, AGENCY_CELLS) and code_and_name(text) in shown)]


def goals_of(found: Found, text: str, rows: list[str]) -> list[str] | str:
    """The goals as split_goals gives them; goals printed one a row (1.… | 2.…) a list, their numbering
    off; one goal of a PDF is one paragraph (its line breaks are where the cell wrapped, as in a 三级 name),
    save where a short line ends a sentence (table.paragraphs)."""
    if len(rows) > 1:
        return [cells.strip_numbering(row) for row in rows]
    if not text:
        return []
    goals = cells.split_goals(text)
    return paragraphs(goals) if isinstance(goals, str) and PAGE.match(found.grid.name) else goals


def project(found: Found, block: Block, midterm_indicators: list[Indicator], indicators: list[Indicator]) -> Project:
    values = block.values
    loc = found.loc(0)
    if block.budget is None and block.funding:
        # 资金来源 | 资金总额 over 其中:财政拨款 | 500: the total's column holds only its parts
        block.budget = sum((f.amount for f in block.funding), Decimal(0))
        found.guesses.append(f"{found.where(0)}: 申报表没有印资金总额，预算数 {block.budget} 为各资金来源之和")
    if block.budget is None:
        found.warnings.append(f"{found.where(0)}: 申报表中没有读到年度资金总额，预算数记为 0.00，请核对")
    goals = goals_of(found, block.goals, block.goal_rows.get("goals", []))
    midterm = None
    if block.midterm_budget is not None or block.midterm_goals or midterm_indicators or block.midterm_period:
        mid_goals = goals_of(found, block.midterm_goals, block.goal_rows.get("midterm_goals", []))
        midterm = Midterm(period=block.midterm_period, budget=block.midterm_budget,
                          goals=mid_goals if isinstance(mid_goals, list) else [mid_goals], indicators=midterm_indicators,
                          loc=loc, locs={})
    return Project(
        id="", name=values.get("name", ""), code=values.get("code", ""), category=values.get("category", ""),
        budget=block.budget if block.budget is not None else Decimal("0.00"), funding=block.funding,
        goals=goals if isinstance(goals, list) else [goals], description=values.get("description", ""),
        indicators=indicators, notes="\n".join([*block.notes, *(n for n in found.row_notes if n not in block.notes)]),
        order=None, loc=loc, locs={}, attribute=values.get("attribute", ""), period=values.get("period", ""),
        implementer=values.get("implementer", ""), parent=values.get("parent", ""),
        total_investment=block.total_investment, basis=values.get("basis", ""), costs=block.costs,
        facts=tuple(block.facts),
        midterm=midterm,
    )  # fmt: skip
