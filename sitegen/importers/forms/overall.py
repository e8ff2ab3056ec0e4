"""The department-wide form (部门（单位）整体支出绩效目标表) → overall.yaml; with 实际完成值 / 得分
columns, its self-evaluation (部门整体支出绩效自评表) → overall.yaml's `evaluation`.

Above the indicators: 部门（单位）名称 and 部门预算编码 as label → value
pairs; 年度预算安排（万元） merged down over 资金总额 · 项目支出 · 基本支出 (any
other row there is a `sources` entry); 部门（单位）职责; 年度总体目标 (目标1 …);
年度履职目标 with its own headings (部门职能 · 年度目标任务 · 支出项目名称 ·
预算金额) over one row per task. A labelled cell with no key of the contract
goes to `notes` as `label：text`, so nothing of the form is dropped.
"""

from __future__ import annotations

import re
from decimal import Decimal

from sitegen.importers import cells
from sitegen.importers.forms import evaluation
from sitegen.importers.forms import Found, Header, code_and_name, make_header, note_text
from sitegen.importers.forms.declaration import DEPARTMENT, NAME, Block, money, pairs, printed_label, read_lines, row_cells, source_label
from sitegen.importers.forms.flat import single_text
from sitegen.importers.forms.table import Levels, check_weights, indicator_rows, row_kind
from sitegen.importers.grid import Grid
from sitegen.importers.labels import form_allowed, is_label, key_in, label_text, table, words
from sitegen.model import Funding, Midterm, Overall, Task

UNIT_NAME = words("overall", "unit_name")
UNIT_CODE = words("overall", "unit_code")
DUTIES = words("overall", "duties")
GOALS = words("overall", "goals")
CONTACTS = words("overall", "contacts")
MONEY = re.compile(r"^(年度预算安排|年度预算|预算安排|资金安排|年度资金|部门预算|收入构成|年度收支预算|总体资金情况|预算支出)")
TASKS = re.compile(r"(履职目标|主要任务|重点任务|年度任务)")
FUNDS = table("overall", "funds")
TASK_COLUMNS = table("overall", "tasks")


def task_key(text: str) -> str | None:
    return key_in(text, TASK_COLUMNS)


def recognise(grid: Grid, header: Header) -> Found | None:
    """The block above the indicators names the unit (部门（单位）名称), not a project."""
    if not form_allowed("overall"):
        return None
    cells_ = [(label, value) for r in range(header.row) for _, label, value in pairs(row_cells(grid, r))]
    labels = [label for label, _ in cells_]
    # 项目名称 left empty (甘孜's 绩效目标表 prints it for the unit as a whole): still the unit's table
    if any(is_label(label, NAME) and value.strip() for label, value in cells_) or not any(is_label(label, UNIT_NAME) for label in labels):
        return None
    header = make_header(grid, header.row, header.row)
    if "actual" in header.columns or "earned" in header.columns:
        return read_selfeval(grid, header)
    return read(grid, header)


def recognise_without_indicators(grid: Grid) -> Found | None:
    """A department-wide table printed without an indicator table (a unit that wrote none, a page cut
    short): the block alone, when it names the unit and has the money columns of a self-evaluation
    (部门整体支出绩效自评表) or the money or duties section of the goals table."""
    labels = [label for r in range(grid.height) for _, label, _ in pairs(row_cells(grid, r))]
    money = any(evaluation.column_key(text, evaluation.MONEY_COLUMNS) == "spent"
                for r in range(grid.height) for _, text, _ in row_cells(grid, r))
    if any(is_label(label, NAME) for label in labels) or not any(is_label(label, UNIT_NAME) for label in labels):
        return None
    if money:
        return read_selfeval(grid, Header(grid.height, grid.height, {}, {}, {}))
    # A 部门整体支出绩效目标表 cut short before its indicators (总体资金情况, 部门职能概述 …): the block alone.
    sections = [text for r in range(grid.height) for _, text, _ in row_cells(grid, r)[:1]]
    if not any(MONEY.match(label_text(text)) or is_label(text, DUTIES) for text in sections):
        return None
    return read(grid, Header(grid.height, grid.height, {}, {}, {}))


class Draft:
    """What the block gave, before it becomes an Overall."""

    def __init__(self) -> None:
        self.funds: dict[str, Decimal | None] = {}
        self.sources: list[Funding] = []
        self.tasks: list[Task] = []
        self.task_columns: dict[int, str] = {}
        self.duties = self.goals = self.mid_goals = self.mid_period = ""
        self.notes: list[str] = []
        self.headings: dict[int, str] = {}
        self.money_headings: dict[int, str] = {}  # a grouped money block's column headings (占比 …)


def read(grid: Grid, header: Header) -> Found:
    found = Found("overall", grid, (0, grid.height - 1))
    draft, block, lines = Draft(), Block(), []
    for r in range(header.row):
        if grid.is_empty_row(r):
            continue
        line = single_text(grid, r)
        if line is not None:
            lines.append(line)
            continue
        read_row(grid, r, draft, found)
    read_lines(found, block, lines, grid)
    # label lines above the form (填报日期:…): no field of overall.yaml, kept first among its notes
    draft.notes[:0] = [f"{label}：{value}" for label, value in block.facts]
    if block.budget_unit and not found.agency_name:
        found.agency_code, found.agency_name = code_and_name(block.budget_unit)
    indicators, last = read_indicators(grid, header, found)
    found.overall = overall(found, draft, indicators)
    found.rows = (0, last)
    return found


def read_selfeval(grid: Grid, header: Header) -> Found:
    """部门整体支出绩效自评表: the block read as a project's 自评表 is (evaluation.py), the unit's pairs
    as here; gives an Overall with its `evaluation` (goals from 预期目标, as the form prints them)."""
    found = Found("overall", grid, (0, grid.height - 1))
    draft, block = Draft(), Block()
    money, goals, outcome = evaluation.read_block(grid, header, found, block, lambda label, value: read_pair(label, value, draft, found))
    indicators, texts, stated, last = evaluation.read_rows(grid, header, found)
    draft.goals = draft.goals or goals
    draft.notes += money.extra
    found.overall = overall(found, draft, indicators)
    found.overall.evaluation = evaluation.evaluation_of(found, money, outcome, texts, stated)
    found.rows = (0, last)
    return found


def read_row(grid: Grid, r: int, draft: Draft, found: Found) -> None:
    row = row_cells(grid, r)
    first, from_above = row[0][1], row[0][2]
    m = grid.merge_at(r, row[0][0])
    section = first if (from_above or (m is not None and m.height > 1)) else ""
    body = row[1:] if section else row
    found.money_unit = found.money_unit or cells.money_unit(first)
    squeezed = label_text(section)
    headings = sum(1 for _, text, above in body if not above and task_key(text))
    if (section and TASKS.search(squeezed)) or headings >= 2 or (draft.task_columns and not section and task_row(body, draft)):
        read_task(grid, r, body, draft)
    elif section and MONEY.match(squeezed):
        if not read_grouped_money(grid, r, body, draft):
            for _, label, value in pairs(body):
                read_money(label, value, draft)
    elif section and "目标" in squeezed:
        read_goals(body, draft, from_above)
    else:
        for _, label, value in pairs(body):
            read_pair(label, value, draft, found)


def task_row(body: list, draft: Draft) -> bool:
    """A row under the 年度履职目标 headings: its texts stand in the headings' columns only."""
    own = [(c, text) for c, text, above in body if not above and text]
    return bool(own) and all(c in draft.task_columns for c, _ in own)


def read_pair(label: str, value: str, draft: Draft, found: Found) -> None:
    squeezed = label_text(label)
    if squeezed.startswith("中期目标") or squeezed.startswith("中期滚动目标"):
        draft.mid_goals = value
        period = re.search(r"\(([^()]*\d{4}[^()]*)\)", squeezed)
        draft.mid_period = period.group(1) if period else ""
        return
    if is_label(label, UNIT_NAME):
        code, name = code_and_name(value)  # 324001-甘孜藏族自治州市场监督管理局机关
        found.agency_name = name
        found.agency_code = found.agency_code or code
    elif is_label(label, DEPARTMENT) and code_and_name(value)[0]:
        found.department = code_and_name(value)
    elif is_label(label, CONTACTS):
        return  # 联系人: 王媛, 联系电话: … — whoever filled the form in
    elif not value.strip() and not is_label(label, GOALS + DUTIES):
        return  # a label the unit left empty (项目名称:, 项目经办人:): nothing to keep
    elif is_label(label, UNIT_CODE):
        found.agency_code = value
    elif is_label(label, DUTIES):
        draft.duties = value
    elif is_label(label, GOALS):
        draft.goals = value
    elif MONEY.match(label_text(label)):
        draft.funds["total"] = money(value)[0]
    elif label:
        draft.notes.append(f"{printed_label(label)}：{value}")


def read_money(label: str, value: str, draft: Draft) -> None:
    key = key_in(label, FUNDS)
    amount, pure = money(value)
    if key:
        draft.funds[key] = amount
    elif amount is not None:
        draft.sources.append(Funding(source=source_label(label), amount=amount))
    if not pure and value.strip():
        draft.notes.append(f"{printed_label(label)}：{value}")


def read_grouped_money(grid: Grid, r: int, body: list, draft: Draft) -> bool:
    """The money block that groups its rows (湖北: 总体资金情况 | 收入构成 | 财政拨款 | 968.19 | … | 占比, then
    支出构成 | 基本支出 …): the row's own label is the last text before its first figure, the group the
    cell merged down on its left; 收入 合计 is the total, 基本支出 and 项目支出 the funds, any other income
    row a source. Figures in the columns after the amount are kept in notes under their headings.
    False for a row that is not laid out so (pairs, read by read_money)."""
    first = body[0] if body else None
    spans = first is not None and (first[2] or (grid.merge_at(r, first[0]) is not None and grid.merge_at(r, first[0]).height > 1))
    group = first[1] if spans and ("构成" in first[1] or "收入" in first[1] or "支出" in first[1]) else ""
    labelled = [(c, text) for c, text, above in body[1:] if not above] if group else []
    if not group:
        if any(cells.decimal(text) is not None for _, text, _ in body):
            return False
        headings = {c: "".join(text.split()) for c, text, above in body if not above and text}
        if len(headings) >= 2 and not any(key_in(text, FUNDS) for text in headings.values()):
            # the headings (当年金额 · 近两年收支金额 · 占比), over one or two rows
            draft.money_headings = {**headings, **draft.money_headings}  # the upper row's heading wins
            return True
        return False
    if not labelled:
        return True
    label = labelled[0][1]
    figures = [(c, text) for c, text in labelled[1:] if text]
    amount = money(figures[0][1])[0] if figures else None
    kind = "收入" if "收入" in group else "支出" if "支出" in group else ""
    shown = f"{kind}{label}" if label_text(label) in ("合计", "小计") else label
    key = key_in(label, FUNDS)
    if key == "total" and kind == "支出" and "total" in draft.funds:
        key = None  # the expenditure side's 合计 repeats the total
    elif key and key != "total" or key == "total" and kind != "支出":
        draft.funds.setdefault(key, amount)
    elif amount is not None and not key:
        draft.sources.append(Funding(source=source_label(label), amount=amount))
    elif not figures and len(labelled) > 1:
        # a source row printed with no amount (其他资金 | | ): the empty cell kept as printed
        heading = draft.money_headings.get(labelled[1][0], "")
        draft.notes.append(f"{printed_label(shown)} {heading}：" if heading else f"{printed_label(shown)}：")
    for c, text in figures[1:]:
        heading = draft.money_headings.get(c, "")
        draft.notes.append(f"{printed_label(shown)} {heading}：{text}" if heading else f"{printed_label(shown)}：{text}")
    return True


def read_task(grid: Grid, r: int, body: list, draft: Draft) -> None:
    keys = {c: task_key(text) for c, text, above in body if not above}
    if sum(1 for key in keys.values() if key) >= 2:
        draft.task_columns = {c: key for c, key in keys.items() if key}
        return
    own = {c: text for c, text, above in body if not above}
    if not any(own.values()):
        return
    values = {key: own.get(c, "") for c, key in draft.task_columns.items()}
    others = [text for c, text in own.items() if c not in draft.task_columns and text]
    if others:
        draft.notes.append("年度履职目标「" + (values.get("task") or values.get("duty", "")) + "」：" + "；".join(others))
    draft.tasks.append(Task(duty=values.get("duty", ""), task=values.get("task", ""), project=values.get("project", ""),
                            amount=money(values.get("amount", ""))[0], loc=None))


def read_goals(body: list, draft: Draft, from_above: bool) -> None:
    if not from_above:
        draft.headings = {c: label_text(text) for c, text, _ in body}
        return
    for c, text, _ in body:
        heading = draft.headings.get(c, "")
        if "中期" in heading or "长期" in heading or "滚动" in heading:
            draft.mid_goals = text
            period = re.search(r"\(([^()]*\d{4}[^()]*)\)", heading)
            draft.mid_period = period.group(1) if period else ""
        elif text:
            draft.goals = text


def read_indicators(grid: Grid, header: Header, found: Found):
    levels = Levels()
    indicators = []
    last = header.row
    for r in range(header.row + 1, grid.height):
        if grid.is_empty_row(r):
            continue
        last = r
        if row_kind(grid, r, found):
            continue
        line = single_text(grid, r)
        if line is not None:
            note = note_text(line)
            found.notes = "\n".join(n for n in (found.notes, note if note is not None else line.strip()) if n)
            continue
        rows = indicator_rows(grid, r, header, levels, found)
        if rows:
            indicators += rows
        elif any(header.value(grid, r, c) for c in range(header.first_indicator_column + 1, grid.width)):
            found.warnings.append(f"{grid.where(r, 0)}: 这一行有内容但没有三级指标，未作为指标导入，请核对")
    check_weights(found, indicators)
    return indicators, last


def goal_list(text: str) -> list[str]:
    if not text:
        return []
    goals = cells.split_goals(text)
    return goals if isinstance(goals, list) else [goals]


def overall(found: Found, draft: Draft, indicators) -> Overall:
    loc = found.loc(0)
    for task in draft.tasks:
        task.loc = loc
    midterm = None
    if draft.mid_goals or draft.mid_period:
        midterm = Midterm(period=draft.mid_period, goals=goal_list(draft.mid_goals), indicators=[], loc=loc, locs={})
    f = draft.funds
    notes = draft.notes + ([found.notes] if found.notes else []) + found.row_notes
    return Overall(
        title=found.title, published=None, total=f.get("total"), basic=f.get("basic"), project=f.get("project"),
        has_funds=any(value is not None for value in f.values()), sources=draft.sources, duties=draft.duties, goals=goal_list(draft.goals), midterm=midterm,
        tasks=draft.tasks, indicators=indicators, evaluation=None, notes="\n".join(notes), loc=loc, locs={},
    )  # fmt: skip
