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
from dataclasses import dataclass, field, replace
from decimal import Decimal

from sitegen.importers import cells
from sitegen.importers.forms import Found, Header, code_and_name, make_header, note_text, year_of
from sitegen.importers.forms.flat import single_text
from sitegen.importers.forms.table import Levels, indicator_rows
from sitegen.importers.grid import Grid
from sitegen.importers.labels import indicator_key, label_text
from sitegen.model import Cost, Funding, Indicator, Midterm, Project

NAME = ("项目名称", "二级项目名称")
DEPARTMENT = ("主管部门", "主管部门及代码", "主管部门及编码", "主管部门名称及代码", "主管部门及单位编码", "业务主管部门")
IMPLEMENTER = ("实施单位", "项目实施单位", "项目执行单位")
KEYS = {
    "attribute": ("项目属性", "项目类型"),
    "period": ("项目期", "项目起止时间", "起止时间", "项目周期", "建设周期", "实施周期"),
    "parent": ("一级项目名称", "一级项目"),
    "code": ("项目编码", "项目代码"),
    "category": ("项目类别",),
    "basis": ("立项依据", "政策依据", "项目立项依据"),
    "goals": ("绩效目标", "年度目标", "年度绩效目标", "年度总体目标", "总体目标", "年度主要目标和成果", "年度主要目标"),
    "description": ("项目概况", "项目总体概况", "项目基本情况", "项目简介"),
}
INVESTMENT = ("项目总投资", "总投资")
# 项目预算成本构成: a small table inside the block, one row per cost item.
COST_LABELS = {"item": ("成本项目", "成本构成", "支出项目", "成本内容", "明细项目", "项目内容"),
               "amount": ("金额", "预算金额", "测算金额", "成本金额", "预算数"),
               "basis": ("测算依据", "测算依据及说明", "计算依据", "测算过程及依据")}
MONEY_SECTION = re.compile(r"^(项目资金|资金情况|项目资金情况|资金来源|资金)")
MONEYISH = re.compile(r"资金|预算|拨款|总额|投资|经费|金额")
NOT_MONEY = re.compile(r"代码|编码|分类|科目|分值|执行率|性质|用途")
TOTALISH = re.compile(r"总额|总预算|预算数|申报数|申请|预算资金|财政预算|总投资")
MIDTERM_MONEY = re.compile(r"中期.*(资金|预算)")
YEAR_MONEY = re.compile(r"(年度|当年|本年).*(资金|预算)|预算申报数|申请.*资金")
PERIOD = re.compile(r"[(（]\s*([^()（）]*\d{4}[^()（）]*)\s*[)）]")
ONE_CELL = re.compile(r"^\s*([^:：\s]{2,8})\s*[:：]\s*(\S.*)$", re.S)
BUDGET_UNIT = re.compile(r"^\s*(?:预算单位|单位名称|申报单位)\s*[:：]\s*(\S.*)$")
TITLE_YEAR = re.compile(r"\s*[(（]\s*20\d{2}\s*年度?\s*[)）]\s*$")
SKIPPED_LINE = re.compile(r"^\s*附件\s*\d*\s*[:：]?\s*$|^\s*[(（]\s*20\d{2}\s*年度?\s*[)）]\s*$")


def key_of(label: str) -> str | None:
    text = label_text(label)
    for key, labels in KEYS.items():
        if text in (label_text(one) for one in labels):
            return key
    return None


def is_label(label: str, labels: tuple[str, ...]) -> bool:
    return label_text(label) in (label_text(one) for one in labels)


def printed_label(label: str) -> str:
    """A label as it goes into `facts`: as printed, without the spaces and the colon of the form."""
    return re.sub(r"[:：]+$", "", "".join(label.split()))


@dataclass
class Block:
    """The labelled cells above the indicators, as read."""

    values: dict[str, str] = field(default_factory=dict)
    facts: list[tuple[str, str]] = field(default_factory=list)
    budget: Decimal | None = None
    budget_yearly: bool = False  # the budget's label says the year (年度资金总额), not 项目总预算
    budget_cell: tuple[str, str, int] = ("", "", 0)  # label, text, place among the facts
    funding: list[Funding] = field(default_factory=list)
    total_investment: Decimal | None = None
    midterm_budget: Decimal | None = None
    midterm_period: str = ""
    midterm_goals: str = ""
    goals: str = ""
    budget_unit: str = ""
    headings: dict[int, str] = field(default_factory=dict)  # 总体目标's heading over each column
    notes: list[str] = field(default_factory=list)  # 备注 lines under the form
    costs: list[Cost] = field(default_factory=list)
    cost_columns: dict[int, str] = field(default_factory=dict)  # column → item / amount / basis
    cost_section: str = ""

    def fact(self, label: str, text: str, prefix: str = "") -> None:
        if not label.strip() and not text.strip():
            return  # an empty cell pair of a form's grid, no label to keep
        self.facts.append(((prefix + " " if prefix else "") + printed_label(label), text))


def money(text: str) -> tuple[Decimal | None, bool]:
    """The figure of a money cell and whether the cell is only that figure (`10000万元`, `449.8万`)."""
    squeezed = cells.squeeze(text).removesuffix("万")
    figure = cells.number(squeezed)
    if figure is not None:
        return Decimal(figure), True
    match = re.match(r"^([+-]?\d+(?:\.\d+)?)", squeezed.replace(",", ""))
    return (Decimal(match.group(1)), False) if match else (None, False)


# ---------------------------------------------------------------- recognising


def row_cells(grid: Grid, row: int) -> list[tuple[int, str, bool]]:
    """The cells of a row left to right, one per merged range: (column, text, merged from above)."""
    result = []
    for c in range(grid.width):
        m = grid.merge_at(row, c)
        if m is not None and m.left < c:
            continue
        result.append((c, grid.text(row, c), m is not None and m.top < row))
    return result


def pairs(cells_: list[tuple[int, str, bool]]) -> list[tuple[int, str, str]]:
    """Label, value, label, value …: (column of the label, label, value); a cell merged from the row
    above (a label over two rows) is left out."""
    own = [(c, text) for c, text, above in cells_ if not above]
    return [(own[i][0], own[i][1], own[i + 1][1] if i + 1 < len(own) else "") for i in range(0, len(own), 2)]


def recognise(grid: Grid, header: Header) -> Found | None:
    """A form whose block above the indicator header has a 项目名称 label beside its value. The header
    is the one row of indicator labels: the rows above it (总体目标 · 年度目标) belong to the block."""
    for r in range(header.row):
        for _, label, value in pairs(row_cells(grid, r)):
            if is_label(label, NAME) and value and not is_label(value, NAME):
                return read(grid, make_header(grid, header.row, band_top(grid, header.row)))
    return None


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
    for r in range(header.top):
        if grid.is_empty_row(r):
            continue
        line = single_text(grid, r) or title_line(grid, r, block)
        if line is not None:
            lines.append(line)
            continue
        read_row(grid, r, block, found)
    read_lines(found, block, lines, grid)
    for label in header.labels.values():
        found.money_unit = found.money_unit or cells.money_unit(label)
    midterm, indicators, last = read_indicators(grid, header, block, found)
    agency_of(found, block)
    found.projects = [(project(found, block, midterm, indicators), (0, last))]
    found.rows = (0, last)
    return found


def read_lines(found: Found, block: Block, lines: list[str], grid: Grid) -> None:
    """Title, year, 预算单位 and 单位：万元 lines above the form."""
    for text in lines:
        unit = cells.money_unit(text)
        found.money_unit = found.money_unit or unit
        budget_unit = BUDGET_UNIT.match(text)
        if budget_unit:
            block.budget_unit = budget_unit.group(1).strip()
        elif not unit and not SKIPPED_LINE.match(text) and not found.title:
            found.title = TITLE_YEAR.sub("", text.strip()) or text.strip()  # the （2023年度） run on
    found.year = year_of(lines)
    if found.year:
        shown = next(t for t in lines if str(found.year) in t)
        found.year_from = f"{grid.source} 表头「{shown}」"


def one_cell_labels(grid: Grid, r: int) -> list[tuple[str, str]] | None:
    """A row of `label：value` cells (预算单位: 奉节县… | 金额单位:万元): the pairs; None for other rows."""
    row = row_cells(grid, r)
    if row[0][2]:
        return None  # inside a section (the texts under 总体目标)
    texts = [text for _, text, above in row if text and not above]
    found = [ONE_CELL.match(text) for text in texts]
    if len(texts) < 2 or not all(found):
        return None
    return [(m.group(1), m.group(2).strip()) for m in found]


def read_row(grid: Grid, r: int, block: Block, found: Found) -> None:
    labelled = one_cell_labels(grid, r)
    if labelled is not None:
        for label, value in labelled:
            if cells.money_unit(f"{label}:{value}"):
                found.money_unit = found.money_unit or cells.money_unit(f"{label}:{value}")
            elif BUDGET_UNIT.match(f"{label}:{value}"):
                block.budget_unit = value
            else:
                block.fact(label, value)
        return
    row = row_cells(grid, r)
    first_col, first_text, from_above = row[0]
    m = grid.merge_at(r, first_col)
    section = first_text if (from_above or (m is not None and m.height > 1)) else ""
    body = row[1:] if section else row
    for _, text, above in row:
        found.money_unit = found.money_unit or (cells.money_unit(text) if not above else None)
    if read_costs(grid, r, section, body, block, found):
        return
    if section and "目标" in section and not MONEY_SECTION.match(label_text(section)):
        read_goals(grid, r, section, body, block, from_above)
    elif section and MONEY_SECTION.match(label_text(section)):
        read_money(grid, r, m, pairs(body), block)
    else:
        for _, label, value in pairs(body):
            read_pair(label, value, block)


def cost_key(text: str) -> str | None:
    return next((key for key, labels in COST_LABELS.items() if is_label(text, labels)), None)


def known_label(text: str) -> bool:
    return bool(key_of(text) or any(is_label(text, labels) for labels in (NAME, DEPARTMENT, IMPLEMENTER, INVESTMENT))
                or MONEY_SECTION.match(label_text(text)) or "目标" in text)


def read_costs(grid: Grid, r: int, section: str, body: list, block: Block, found: Found) -> bool:
    """The 成本构成 table: its header row (成本项目 · 金额 · 测算依据), then one row per item, until a
    row of another section or label. True when the row was read here."""
    keys = {c: cost_key(text) for c, text, above in body if not above}
    if "item" in keys.values() and ("amount" in keys.values() or "basis" in keys.values()):
        block.cost_columns = {c: key for c, key in keys.items() if key}
        block.cost_section = section
        return True
    if not block.cost_columns:
        return False
    own = [(c, text) for c, text, above in body if not above]
    inside = section == block.cost_section if block.cost_section else bool(own) and not known_label(own[0][1])
    if not inside or not own:
        block.cost_columns = {}
        return False
    values = {block.cost_columns.get(c): text for c, text in own if block.cost_columns.get(c)}
    if label_text(values.get("item", "")) in ("合计", "小计", "总计"):
        block.fact(values.get("item", ""), values.get("amount", ""))
        return True
    amount, pure = money(values.get("amount", ""))
    if values.get("amount") and not pure:
        found.warnings.append(f"{grid.where(r, 0)}: 成本「{values.get('item', '')}」的金额「{values['amount']}」不是数字，整格写入 basis，请核对")
        values["basis"] = "；".join(v for v in (values.get("basis", ""), values["amount"]) if v)
    block.costs.append(Cost(values.get("item", ""), amount if pure else None, values.get("basis", ""), found.loc(r)))
    return True


def set_budget(block: Block, label: str, value: str, figure, pure: bool) -> None:
    """The year's budget: a total whose label says the year (年度 / 当年 / 本年) wins over one that does
    not (项目总预算), which then stays as a fact; a second total never replaces the first silently."""
    yearly = bool(re.search(r"年度|当年|本年", label_text(label)))
    if block.budget is None or (yearly and not block.budget_yearly):
        if block.budget is not None:  # the displaced total keeps its printed place among the facts
            label_before, value_before, at = block.budget_cell
            block.facts.insert(at, (printed_label(label_before), value_before))
        block.budget, block.budget_yearly, block.budget_cell = figure, yearly, (label, value, len(block.facts))
        if not pure:
            block.fact(label, value)
    else:
        block.fact(label, value)


def read_pair(label: str, value: str, block: Block) -> None:
    key = key_of(label)
    text = label_text(label)
    if is_label(label, NAME):
        block.values["name"] = value
    elif is_label(label, DEPARTMENT):
        block.values["department"] = value
        block.fact(label, value)  # as printed: the code and name of the 主管部门 are also the agency's
    elif is_label(label, IMPLEMENTER):
        block.values["implementer"] = value
    elif key == "goals":
        block.goals = value
    elif key:
        block.values[key] = value
    elif is_label(label, INVESTMENT) or (MIDTERM_MONEY.search(text) or YEAR_MONEY.search(text)) and TOTALISH.search(text):
        # A total printed outside the 项目资金 section (东莞: 中期市财政预算 · 本年度申请市财政预算资金);
        # the first one of each kind counts, a later one (or one that is not only a figure) is a fact too.
        figure, pure = money(value)
        key = "total_investment" if is_label(label, INVESTMENT) else "midterm_budget" if MIDTERM_MONEY.search(text) else "budget"
        if key == "budget" and figure is not None:
            set_budget(block, label, value, figure, pure)
        elif getattr(block, key) is None and figure is not None:
            setattr(block, key, figure)
        else:
            pure = False
        if not pure:
            block.fact(label, value)
    else:
        block.fact(label, value)


def read_goals(grid: Grid, r: int, section: str, body: list, block: Block, from_above: bool) -> None:
    """总体目标: the headings row (中期目标（2019年--2021年） · 年度目标) and, below, the texts."""
    if not from_above:  # the headings
        block.headings = {c: text for c, text, _ in body}
        return
    for c, text, _ in body:
        heading = block.headings.get(c, "")
        squeezed = label_text(heading)
        if "中期" in squeezed or "总目标" in squeezed or "长期" in squeezed:
            block.midterm_goals = text
            period = PERIOD.search(cells.norm(heading))
            block.midterm_period = period.group(1).strip() if period else ""
        elif "年度" in squeezed and not block.goals and "完成" not in squeezed:
            block.goals = text
        elif heading or text:
            block.fact(heading or section, text)


def is_money(label: str) -> bool:
    text = label_text(label)
    return bool(MONEYISH.search(text) or text.startswith("其中")) and not NOT_MONEY.search(text)


def read_money(grid: Grid, r: int, m, row_pairs: list[tuple[int, str, str]], block: Block) -> None:
    """项目资金: the totals and the 其中 rows, 中期 left and 年度 right when two are printed. A pair that
    is no amount (财政资金科目代码, 年度预算执行率, 分值) is a fact."""
    money_pairs = [p for p in row_pairs if is_money(p[1])]
    if len(money_pairs) >= 2:
        sides = [("mid", money_pairs[0]), ("year", money_pairs[1])] + [("fact", p) for p in money_pairs[2:]]
    else:
        sides = [("mid" if "中期" in label_text(p[1]) else "year", p) for p in money_pairs]
    sides = sorted(sides + [("fact", p) for p in row_pairs if p not in money_pairs], key=lambda side: side[1][0])
    for side, (_, label, value) in sides:
        text = label_text(label)
        total = "总额" in text or text.endswith("总预算") or (not text.startswith("其中") and text.endswith("预算"))
        figure, pure = money(value)
        if side == "fact":
            block.fact(label, value)
        elif side == "mid" and total:
            block.midterm_budget = figure
            block.values["_mid_label"] = printed_label(label)
            if not pure:
                block.fact(label, value)
        elif side == "mid":
            block.fact(label, value, prefix=block.values.get("_mid_label", "中期"))
        elif total:
            set_budget(block, label, value, figure, pure)
        elif figure is not None:
            source = re.sub(r"^其中\s*[:：]?", "", printed_label(label))
            block.funding.append(Funding(source, figure))
            if not pure:
                block.fact(label, value)
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
    return m is not None and any(m.covers(r, c) for c in header.columns.get("target", []))


# ---------------------------------------------------------------- records


def agency_of(found: Found, block: Block) -> None:
    """The unit: the 预算单位 line; else a 实施单位 whose code lies under the 主管部门's code (the
    unit, with its department); else the 主管部门. An 实施单位 that is the unit itself is not kept."""
    dept_code, dept_name = code_and_name(block.values.get("department", ""))
    impl_code, impl_name = code_and_name(block.values.get("implementer", ""))
    if block.budget_unit:
        found.agency_code, found.agency_name = code_and_name(block.budget_unit)
        found.guesses.append(f"{found.grid.source}: 单位取自「预算单位」一行：{block.budget_unit}")
    elif impl_code and dept_code and impl_code != dept_code and impl_code.startswith(dept_code):
        found.agency_code, found.agency_name = impl_code, impl_name
        found.department = (dept_code, dept_name)
        found.guesses.append(f"{found.grid.source}: 实施单位编码 {impl_code} 在主管部门编码 {dept_code} 之下：单位取实施单位，主管部门记为 department")
    elif dept_name:
        found.agency_code, found.agency_name = dept_code, dept_name
        found.guesses.append(f"{found.grid.source}: 单位取自「主管部门」：{block.values['department']}（若本表的单位是实施单位，请改 agency.yaml）")
    if impl_name and impl_name == found.agency_name:
        block.values.pop("implementer", None)
    # The form's own 主管部门及代码 cell showing the department (or the unit itself) is agency.yaml's:
    # not a fact. A cell under another label (主管部门, 主管部门及编码 …) is kept as printed.
    shown = {found.department, (found.agency_code, found.agency_name), ("", found.agency_name)}
    block.facts = [(label, text) for label, text in block.facts
                   if not (label_text(label) == "主管部门及代码" and code_and_name(text) in shown)]


def project(found: Found, block: Block, midterm_indicators: list[Indicator], indicators: list[Indicator]) -> Project:
    values = block.values
    loc = found.loc(0)
    if block.budget is None:
        found.warnings.append(f"{found.where(0)}: 申报表中没有读到年度资金总额，预算数记为 0.00，请核对")
    goals = cells.split_goals(block.goals) if block.goals else []
    midterm = None
    if block.midterm_budget is not None or block.midterm_goals or midterm_indicators or block.midterm_period:
        mid_goals = cells.split_goals(block.midterm_goals) if block.midterm_goals else []
        midterm = Midterm(block.midterm_period, block.midterm_budget,
                          mid_goals if isinstance(mid_goals, list) else [mid_goals], midterm_indicators, loc, {})
    return Project(
        id="", name=values.get("name", ""), code=values.get("code", ""), category=values.get("category", ""),
        budget=block.budget if block.budget is not None else Decimal("0.00"), funding=block.funding,
        goals=goals if isinstance(goals, list) else [goals], description=values.get("description", ""),
        indicators=indicators, notes="\n".join(block.notes),
        order=None, loc=loc, locs={}, attribute=values.get("attribute", ""), period=values.get("period", ""),
        implementer=values.get("implementer", ""), parent=values.get("parent", ""),
        total_investment=block.total_investment, basis=values.get("basis", ""), costs=block.costs,
        facts=tuple(block.facts),
        midterm=midterm,
    )  # fmt: skip
