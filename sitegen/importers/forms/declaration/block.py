"""The labelled block of a 申报表, read as label → value pairs: the project's cells, 项目资金 (中期 left,
年度 right), 总体目标, the 成本构成 table; every label without a key of the contract → `facts`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from sitegen.importers import cells
from sitegen.importers.forms import Found
from sitegen.importers.forms.rows import is_placeholder, is_signature
from sitegen.importers.grid import Grid
from sitegen.importers.labels import SHORT, is_label, key_in, label_text, table, words
from sitegen.model import Cost, Funding

NAME = words("declaration", "name")
DEPARTMENT = words("declaration", "department")
IMPLEMENTER = words("declaration", "implementer")
LOCAL_DEPARTMENT = words("declaration", "local_department")
KEYS = table("declaration", "keys")
INVESTMENT = words("declaration", "investment")
# 项目预算成本构成: a small table inside the block, one row per cost item.
COST_LABELS = table("declaration", "costs")
UNIT_LINES = words("declaration", "unit_lines")
# Outside a 项目资金 section: a total that names no period (资金总额: 2430.30) and the sources beside it.
PLAIN_TOTALS = words("declaration", "money", "totals")
FUNDING_SOURCES = words("declaration", "money", "sources")
UNIT_CELLS = words("declaration", "unit_cells")
MONEY_SECTION = re.compile(r"^(项目资金|专项资金|资金情况|项目资金情况|资金来源|资金|投入目标)")
MONEYISH = re.compile(r"资金|预算|拨款|总额|投资|经费|金额")
NOT_MONEY = re.compile(r"代码|编码|分类|科目|分值|执行率|性质|用途")
TOTALISH = re.compile(r"总额|总预算|预算数|预算金额|项目金额|总金额|申报数|申请|预算资金|财政预算|总投资|预计投入|^(?:年度|当年|本年度?)预算$")
MIDTERM_MONEY = re.compile(r"中期.*(资金|预算)|总金额.*中期")  # 项目总金额（中期规划，万元）
YEAR_MONEY = re.compile(r"(年度|当年|本年).*(资金|预算|金额|投入)|预算申报数|申请.*资金")
PERIOD = re.compile(r"[(（]\s*([^()（）]*\d{4}[^()（）]*)\s*[)）]")
CODED_NAME = re.compile(r"^([0-9A-Za-z]*\d[0-9A-Za-z]{6,30})\s*[-－—_:：]\s*(\S.*)$", re.S)
ONE_CELL = re.compile(r"^\s*([^:：\s]{2,8})\s*[:：]\s*(\S.*)$", re.S)
UNIT_LINE = re.compile(r"^\s*(?:" + "|".join(re.escape(w).replace(r"\(", "[(（]").replace(r"\)", "[)）]")
                                             for w in sorted(UNIT_LINES, key=len, reverse=True)) + r")\s*[:：]\s*(\S.*)$")
SEAL = re.compile(r"[(（]\s*(?:盖章|公章|签章|印章)\s*[)）]")
MONEY_NOTE = re.compile(r"(?:金额)?单位\s*[:：]\s*(?:万元|元)|[(（]\s*(?:万元|元)\s*[)）]")


def unit_line(text: str) -> str | None:
    """The unit a line above the form names (`部门：湘潭市环卫处`, `单位名称:…`, `填报单位：…（盖章）`),
    without a seal mark or a money unit printed on the same line; None for any other line
    (`单位：万元` names no unit)."""
    match = UNIT_LINE.match(SEAL.sub("", text))  # 编报单位(印章):…
    if not match:
        return None
    name = MONEY_NOTE.sub("", SEAL.sub("", match.group(1))).strip(" ：:")
    if is_signature(name):
        return None  # 填报单位(盖章): 单位负责人:谭呈祥 — the unit left blank, a signature after it
    return name if name and name not in ("万元", "元") else None

# Lines that are no title: a code line (报表编号:510000_0013zp), 附件2, 附件2-1, the form's number (表十二, 附表3,
# 公开14表), the year alone: （2023年度）, (2020)年度, 2024年度.
SKIPPED_LINE = re.compile(r"^\s*[^:：\s]{1,8}\s*[:：]\s*[0-9A-Za-z_\-]+\s*$|^\s*(?:公开|部门)?\s*\d+\s*表\s*$"
                          r"|^\s*(?:附件|附表|表)\s*[\d一二三四五六七八九十]*(?:\s*[-－—]\s*\d+)*\s*[:：]?\s*$"
                          r"|^\s*[(（]?\s*20\d{2}\s*[)）]?\s*(?:年度?)?\s*[)）]?\s*$")
MONEY_UNIT_NOTE = re.compile(r"^(?:金额)?单位[:：](?:万元|元)$")  # 单位:万元 printed in a cell of the block


def key_of(label: str) -> str | None:
    return key_in(label, KEYS)


def printed_label(label: str) -> str:
    """A label as it goes into `facts`: as printed, without the spaces and the colon of the form."""
    return re.sub(r"[:：]+$", "", "".join(label.split()))


def source_label(label: str) -> str:
    """A funding source's name: its label as printed (printed_label), without a leading 其中:."""
    return re.sub(r"^其中\s*[:：]?", "", printed_label(label))


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
    department_label: str = ""  # the label the 主管部门 was printed under
    headings: dict[int, str] = field(default_factory=dict)  # 总体目标's heading over each column
    notes: list[str] = field(default_factory=list)  # 备注 lines under the form
    costs: list[Cost] = field(default_factory=list)
    cost_columns: dict[int, str] = field(default_factory=dict)  # column → item / amount / basis
    cost_section: str = ""
    money_headings: dict[int, str] = field(default_factory=dict)  # 项目资金 printed as a table: its headings
    goal_rows: dict[str, list[str]] = field(default_factory=dict)  # goals / midterm_goals printed one a row
    heading_section: str = ""  # the 总体目标 section whose first row gave `headings`
    listed_sources: bool = False  # 项目资金 as a list of sources under a 金额 heading, every line one

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



# ---------------------------------------------------------------- rows


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
            elif unit_line(f"{label}:{value}"):
                block.budget_unit = value
            else:
                block.fact(label, value)
        return
    row = row_cells(grid, r)
    first_col, first_text, from_above = row[0]
    m = grid.merge_at(r, first_col)
    one_line = not from_above and (m is None or m.height == 1) and money_line(row)
    section = first_text if (from_above or (m is not None and m.height > 1) or one_line) else ""
    section = SHORT.get(label_text(section), section)  # 总 (总体目标 cut short on the printed page)
    body = row[1:] if section else row
    for _, text, above in row:
        found.money_unit = found.money_unit or (cells.money_unit(text) if not above else None)
    if read_costs(grid, r, section, body, block, found):
        return
    if section and "目标" in section and not MONEY_SECTION.match(label_text(section)):
        read_goals(grid, r, section, body, block, from_above)
    elif section and MONEY_SECTION.match(label_text(section)):
        headed = headed_pairs(body, block)
        read_money(grid, r, m, pairs(body) if headed is None else headed, block, one_line)
    else:
        for _, label, value in pairs(body):
            read_pair(label, value, block)


def cost_key(text: str) -> str | None:
    return key_in(text, COST_LABELS)


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
    block.costs.append(Cost(item=values.get("item", ""), amount=amount if pure else None, basis=values.get("basis", ""),
                            loc=found.loc(r)))
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
    if not value.strip() and MONEY_UNIT_NOTE.match(cells.squeeze(cells.norm(label))):
        return  # the money unit (read with the row), not a fact
    if is_label(label, NAME):
        coded = CODED_NAME.match(value.strip())
        if coded and not block.values.get("code"):  # 51000021R000000019951-工资性支出: the code, then the name
            block.values["code"], value = coded.group(1), coded.group(2)
        block.values["name"] = value
    elif is_label(label, LOCAL_DEPARTMENT) and not is_placeholder(value):
        block.values["department"] = value  # 区级主管部门 under 市级主管部门: the unit that files the form
    elif is_label(label, DEPARTMENT):
        block.values["department"], block.department_label = value, label
        block.fact(label, value)  # as printed: the code and name of the 主管部门 are also the agency's
    elif is_label(label, IMPLEMENTER):
        block.values["implementer"] = value
    elif is_label(label, UNIT_CELLS) and value and not block.budget_unit:
        block.budget_unit = value  # 申报单位 | 区林业局: the unit, before any 主管部门
    elif key == "goals":
        block.goals = value
    elif key == "midterm_goals":
        block.midterm_goals = value
    elif key == "period" and "实施期" in label_text(label) and "期限" not in label_text(label):
        block.values["period"] = block.midterm_period = value  # 实施期 is the 中期 of these forms
    elif key:
        block.values[key] = cells.ticked(value) or value  # 项目属性: 1、持续性项目 ☑ 2、新增性项目 □
    elif is_label(label, FUNDING_SOURCES) and money(value)[1] and block.budget is not None:
        block.funding.append(Funding(source=printed_label(label), amount=money(value)[0]))  # 财政拨款: 2430.30, beside 资金总额
    elif is_label(label, INVESTMENT) or is_label(label, PLAIN_TOTALS) \
            or (MIDTERM_MONEY.search(text) or YEAR_MONEY.search(text)) and TOTALISH.search(text):
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
    """总体目标: the headings row (中期目标（2019年--2021年） · 年度目标) and, below, the texts. A section whose
    label is itself the goals' (本年度绩效目标, 中长期绩效目标) holds only texts, one a row."""
    own = key_of(section)
    texts = [text for _, text, above in body if text.strip() and not above]
    headings = not from_above and all(key_of(text) or "目标" in text and len(PERIOD.sub("", label_text(text))) <= 16
                                      for text in texts)  # 中期滚动目标(2019年--2021年) · 年度目标
    if own in ("goals", "midterm_goals") and not headings and block.heading_section != section:
        rows = block.goal_rows.setdefault(own, [])
        rows += texts
        setattr(block, own, "\n".join(rows))
        return
    if not from_above:  # the headings
        block.headings = {c: text for c, text, _ in body}
        block.heading_section = section
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


def headed_pairs(body: list, block: Block) -> list[tuple[int, str, str]] | None:
    """项目资金 printed as a small table (湖南: 本年度预计投入 · 财政资金 中央/省级/市级/本级 · 其他 over a row
    of figures): a row of headings only is kept (the lower heading of a column wins), a row of figures
    only is paired with them. None for a row of label · value pairs."""
    own = [(c, text) for c, text, above in body if not above and text.strip()]
    if len(own) < 2:
        return None
    if len(own) == 2 and is_money(own[0][1]) and is_label(own[1][1], COST_LABELS["amount"]):
        block.listed_sources = True  # 年度资金总额 | 金额(万元): a heading over the sources and their amounts
        return []
    if all(money(text)[1] for _, text in own):
        if not block.money_headings:
            return None
        return [(c, block.money_headings.get(c, ""), text) for c, text in own]
    if not any(money(text)[0] is not None for _, text in own):
        headings = {c: text for c, text in own}
        # a pair row has two or four cells (label, value …); 资金来源 | 年初安排金额（万元） heads the rows under it
        if len(headings) >= 3 or label_text(own[0][1]) in ("资金来源", "资金性质", "资金类别", "来源"):
            block.money_headings.update(headings)
            return []  # the headings themselves are no amounts
    return None


def read_money_table(row_pairs: list[tuple[int, str, str]], block: Block) -> None:
    """A row of figures under the money block's headings (本年度预计投入 | 财政资金: 中央 · 省级 · 市级 · 本级 |
    其他): the heading that names the year's total is the budget, every other figure a source."""
    for _, label, value in row_pairs:
        figure, pure = money(value)
        text = label_text(label)
        if block.budget is None and (is_label(label, PLAIN_TOTALS) or YEAR_MONEY.search(text) and TOTALISH.search(text)):
            set_budget(block, label, value, figure, pure)
        elif label.strip():
            block.funding.append(Funding(source=source_label(label), amount=figure))
        else:
            block.fact(label, value)


def is_money(label: str) -> bool:
    text = label_text(label)
    return bool(MONEYISH.search(text) or text.startswith("其中")) and not NOT_MONEY.search(text)


def money_line(row: list[tuple[int, str, bool]]) -> bool:
    """A money section printed on one row (福建: 资金情况(万元) | 资金总额 | 35 | 其中:财政拨款 | 35 | 其他资金 | 0):
    the section's label, then label · amount pairs (an amount may be left empty). Not a pair itself:
    the cell after the label is a label, not a figure."""
    own = [text for _, text, above in row if not above]
    if len(own) < 3 or not MONEY_SECTION.match(label_text(own[0])) or money(own[1])[0] is not None:
        return False
    line = pairs(row[1:])
    return all(is_money(label) and (not value.strip() or money(value)[1]) for _, label, value in line) \
        and any(money(value)[1] for _, _, value in line)


def read_money(grid: Grid, r: int, m, row_pairs: list[tuple[int, str, str]], block: Block, one_line: bool = False) -> None:
    """项目资金: the totals and the 其中 rows, 中期 left and 年度 right when two are printed. A pair that
    is no amount (财政资金科目代码, 年度预算执行率, 分值) is a fact. A section on one row (money_line) is
    the year's: its total, then its sources."""
    if block.money_headings and row_pairs and all(money(value)[1] for _, _, value in row_pairs):
        read_money_table(row_pairs, block)
        return
    if block.listed_sources:
        for _, label, value in row_pairs:
            figure, pure = money(value)
            if figure is None or not pure:
                block.fact(label, value)
                continue
            if block.budget is None:  # no total printed: the first line (（一）财政拨款小计) is the year's
                set_budget(block, label, value, figure, pure)
            block.funding.append(Funding(source=printed_label(label), amount=figure))
        return
    money_pairs = [p for p in row_pairs if is_money(p[1])]
    if one_line:
        sides = [("year", p) for p in money_pairs]
    elif len(money_pairs) >= 2:
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
            source = source_label(label)
            block.funding.append(Funding(source=source, amount=figure))
            if not pure:
                block.fact(label, value)
        else:
            block.fact(label, value)
