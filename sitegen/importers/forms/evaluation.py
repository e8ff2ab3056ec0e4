"""The 项目支出绩效自评表 (财预〔2020〕10号), one form per project: what was spent and reached.

项目名称 / 主管部门 / 实施单位 as label → value pairs (as the declaration
reads them); 项目资金 with its column headings (年初预算数 · 全年预算数 ·
全年执行数 · 分值 · 执行率 · 得分) over the rows 年度资金总额 and the 其中
rows; 年度总体目标 with 预期目标 and 实际完成情况; the indicators with
年度指标值 · 实际完成值 · 分值 · 得分 · 偏差原因分析及改进措施; a 总分 row; and
评价结论 / 存在问题 / 改进措施 rows when printed.

Regional variants, by rule: a form that prints 年初预算数 and no 全年预算数
column (执行率 = B/A) takes 年初预算数 as the year's budget (`adjusted`); a
weight printed in a heading (`分值(10分)`, `预算执行情况(20分)`) is the
execution weight when the row prints none; a 年度总体目标 row with two texts
and no headings holds the goal, then what was done (the standard columns).

The form gives a project record (name, goals, targets, the year's budget:
what a unit without its goals table gets) with its `evaluation` and the
indicators' results; plan.py merges it into the project file that exists.
"""

from __future__ import annotations

import re
from decimal import Decimal

from sitegen.importers import cells
from sitegen.importers.forms import Found, Header, is_header_row, make_header, note_text, year_of
from sitegen.importers.forms.declaration import NAME, Block, agency_of, pairs, printed_label, read_lines, read_pair, row_cells
from sitegen.importers.forms.flat import single_text
from sitegen.importers.forms.rows import is_hint, level_name
from sitegen.importers.cells import strip_numbering
from sitegen.importers.forms.table import Levels, check_weights, indicator_rows, row_kind
from sitegen.importers.grid import Grid
from sitegen.importers.labels import BRACKETED_TAIL, form_allowed, is_label, label_set, label_text, table, words
from sitegen.model import Evaluation, EvaluationFunding, Project

MONEY_COLUMNS = table("evaluation", "money")
TEXTS = table("evaluation", "texts")
TOTAL = words("evaluation", "total")
TOTAL_ROWS = words("evaluation", "total_rows")
CIRCLED = re.compile(r"[①-⑳].*$")
MONEY_SECTION = re.compile(r"^(项目资金|资金情况|项目资金情况|预算执行情况|财政资金安排|部门资金|单位资金|年度资金)")
GOALS_SECTION = re.compile(r"(总体目标|绩效目标|目标完成情况)")
EMPTY = ("", "—", "-", "－", "/", "无")


def column_key(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    """The key of a heading; a heading with its formula (`小计④=①+②+③`, `预算数(A)`, `得分(20分*执行率)`) is its words."""
    plain = label_text(text)
    for squeezed in (plain, label_text(CIRCLED.sub("", "".join(text.split()))), BRACKETED_TAIL.sub("", plain)):
        key = next((key for key, labels in table.items() if squeezed in label_set(labels)), None)
        if key:
            return key
    return None


def figure(text: str) -> Decimal | None:
    return None if text.strip() in EMPTY else cells.decimal(text)


def recognise(grid: Grid, header: Header) -> Found | None:
    """A form with project pairs above an indicator header that has 实际完成值 or 得分."""
    if not form_allowed("evaluation"):
        return None
    if "actual" not in header.columns and "earned" not in header.columns:
        return None
    if not any(is_label(label, NAME) for r in range(header.row) for _, label, _ in pairs(row_cells(grid, r))):
        return None
    return read(grid, make_header(grid, header.row, header.row))


class Money:
    """The 项目资金 section as read: its column headings, the total row, the 其中 rows."""

    def __init__(self) -> None:
        self.columns: dict[int, str] = {}  # column → initial / adjusted / spent / weight / rate / earned
        self.labels: dict[int, str] = {}  # every heading of the columns row, as printed
        self.total: dict[str, Decimal | None] | None = None
        self.funding: list[EvaluationFunding] = []
        self.extra: list[str] = []
        self.paired = False  # 预算数: | 2.38 | 执行数: | 2.38 — each heading with its value beside it
        self.texts: dict[str, str] = {}  # 项目实施内容及过程概述 … printed above the indicators
        self.weight: Decimal | None = None  # printed after the section's label when no 分值 column says it


def read(grid: Grid, header: Header) -> Found:
    found = Found("evaluation", grid, (0, grid.height - 1), layout="declaration")
    block = Block()
    money, goals, outcome = read_block(grid, header, found, block, lambda label, value: read_pair(label, value, block))
    agency_of(found, block)
    indicators, texts, stated, last = read_rows(grid, header, found)
    texts = {**money.texts, **texts}
    check_weights(found, indicators)
    evaluation = evaluation_of(found, money, outcome, texts, stated)
    values = block.values
    project = Project(
        id="", name=values.get("name", ""), code=values.get("code", ""), category=values.get("category", ""),
        budget=evaluation.adjusted, funding=[], goals=goal_list(goals), description="", indicators=indicators,
        notes="\n".join([*money.extra, *found.row_notes]), order=None, loc=found.loc(0), locs={}, attribute=values.get("attribute", ""),
        period=values.get("period", ""), implementer=values.get("implementer", ""), parent=values.get("parent", ""),
        facts=tuple(block.facts), evaluation=evaluation,
    )  # fmt: skip
    found.projects = [(project, (0, last))]
    found.rows = (0, last)
    return found


def read_block(grid: Grid, header: Header, found: Found, block: Block, pair) -> tuple["Money", str, str]:
    """The rows above the indicators: label pairs (given to `pair`), 项目资金, 预期目标 / 实际完成情况."""
    money, lines = Money(), []
    headings: dict[int, str] = {}
    goals = outcome = ""
    for r in range(band_start(grid, header.row)):
        if grid.is_empty_row(r):
            continue
        line = single_text(grid, r)
        if line is not None and note_text(line) is not None:
            money.extra.append(note_text(line))  # a 备注 line (a form without indicators ends with it)
            continue
        if line is not None:
            lines.append(line)
            continue
        row = row_cells(grid, r)
        section, from_above = row[0][1], row[0][2]
        m = grid.merge_at(r, row[0][0])
        in_section = from_above or (m is not None and m.height > 1)
        if in_section and len(row) > 2 and nested_goals(grid, r, row[1]):
            row = row[1:]  # 项目基本情况 | 1.项目年度目标完成情况 | 项目年度目标 | 年度目标完成情况: the inner section
            section, from_above = row[0][1], row[0][2]
        if not in_section and goal_row(row):
            goals, outcome = goal_and_outcome(row[1:], goals, outcome)
        elif in_section and MONEY_SECTION.match(label_text(section)):
            found.money_unit = found.money_unit or cells.money_unit(section)
            money.weight = money.weight or level_name(section)[1]  # 预算执行情况(万元)(20分): the execution's weight
            read_money(grid, r, row[1:], money, found)
        elif in_section and GOALS_SECTION.search(label_text(section)):
            if not from_above:
                headings = {c: label_text(text) for c, text, _ in row[1:]}
                continue
            for c, text, _ in row[1:]:  # one goal a row, or all in one row
                if not text.strip() or c not in headings and headings or is_hint(text):
                    continue  # 对照年度目标,说明…(100字以内): the template's hint, left as it was
                if "实际" in headings.get(c, "") or "完成" in headings.get(c, ""):
                    outcome = "\n".join(part for part in (outcome, text) if part)
                else:
                    goals = "\n".join(part for part in (goals, text) if part)
        else:
            for _, label, value in pairs(row[1:] if in_section else row):
                key = column_key(strip_numbering(label), TEXTS)
                if key:  # 2.项目实施内容及过程概述 above the indicators
                    money.texts[key] = "" if is_hint(value) else value
                else:
                    pair(label, value)
    read_lines(found, block, lines, grid)
    found.year = found.year or year_of(lines)
    return money, goals, outcome


def nested_goals(grid: Grid, r: int, cell: tuple[int, str, bool]) -> bool:
    """A goals section inside another one (its label merged down beside the outer label)."""
    c, text, above = cell
    m = grid.merge_at(r, c)
    return (above or m is not None and m.height > 1) and bool(GOALS_SECTION.search(label_text(strip_numbering(text))))


def band_start(grid: Grid, row: int) -> int:
    """The first row of the indicator header: the rows above its last one that print indicator labels
    and merge down into it (绩效指标 | 年度指标值 | 实际完成值 | 分值 | 得分 over 一级指标 | … | 指标值) are
    the header's, not labelled cells of the block."""
    top = row
    while top > 0 and is_header_row(grid, top - 1) and any(
            (m := grid.merge_at(top - 1, c)) is not None and m.top == top - 1 and m.bottom >= row for c in range(grid.width)):
        top -= 1
    return top


def evaluation_of(found: Found, money: "Money", outcome: str, texts: dict[str, str], stated) -> Evaluation:
    if money.total is None:
        found.warnings.append(f"{found.where(0)}: 自评表中没有读到资金总额一行（年度资金总额 / 合计），全年预算数、全年执行数记为 0.00，请核对")
        money.total = {}
    t = money.total
    zero = Decimal("0.00")
    if t.get("adjusted") is None and t.get("initial") is not None and "adjusted" not in money.columns.values():
        # Only 年初预算数 printed (执行率 = B/A): it is the base of the rate, the year's budget as the form knows it.
        t["adjusted"] = t["initial"]
        found.guesses.append(f"{found.where(0)}: 自评表没有全年预算数一栏：全年预算数（evaluation.budget.adjusted）取年初预算数 {t['initial']}")
    if found.money_unit != "元" and (t.get("adjusted") or zero) >= 1000000:
        found.warnings.append(f"{found.where(0)}: 全年预算数 {t.get('adjusted')} 万元超过一百亿元：表中的金额是否以元计？"
                              "如是，请在 disclosure.yaml 中写 money_unit: 元")
    return Evaluation(
        published=None, initial=t.get("initial"), adjusted=t.get("adjusted") if t.get("adjusted") is not None else zero,
        spent=t.get("spent") if t.get("spent") is not None else zero, funding=money.funding,
        execution_weight=t.get("weight") if t.get("weight") is not None else money.weight, execution_earned=t.get("earned"), outcome=goal_list(outcome),
        process=texts.get("process", ""), conclusion=texts.get("conclusion", ""), problems=texts.get("problems", ""),
        improvements=texts.get("improvements", ""), stated_total=stated, loc=found.loc(0), locs={},
    )  # fmt: skip


def goal_list(text: str) -> list[str]:
    if not text:
        return []
    goals = cells.split_goals(text)
    return goals if isinstance(goals, list) else [goals]


def goal_row(row: list[tuple[int, str, bool]]) -> bool:
    """`年度总体目标 | <goal> | <what was done>` on one row (its label over no other row), without
    预期目标 / 实际完成情况 headings."""
    texts = [text for _, text, above in row[1:] if not above and text.strip()]
    return (bool(GOALS_SECTION.search(label_text(row[0][1]))) and 1 <= len(texts) <= 2
            and not any(is_heading(text) for text in texts))


def is_heading(text: str) -> bool:
    """预期目标 · 实际完成情况 · 年初设定目标: a short heading over the goals, not a goal."""
    squeezed = label_text(text)
    return len(squeezed) <= 14 and bool(re.search(r"目标|完成情况", squeezed))


def goal_and_outcome(body: list[tuple[int, str, bool]], goals: str, outcome: str) -> tuple[str, str]:
    """Without headings, in the standard form's order (预期目标 · 实际完成情况): the first text is the
    goal, the second what was done."""
    texts = [text for _, text, above in body if not above and text.strip()]
    goals = "\n".join(part for part in (goals, texts[0]) if part)
    if len(texts) > 1:
        outcome = "\n".join(part for part in (outcome, texts[1]) if part)
    return goals, outcome


def read_money(grid: Grid, r: int, body: list[tuple[int, str, bool]], money: "Money", found: Found) -> None:
    """The column headings row (two or more of 年初预算数 · 全年预算数 · 全年执行数 · 分值 · 得分), then
    one row per source: 年度资金总额 / 合计 is the total, every other row a `funding` row. A heading
    with no key (历年结余结转, 结余率 …) is kept as `label：value` lines; 执行率 is computed, not kept."""
    own = [(c, text) for c, text, above in body if not above]
    keys = {c: column_key(text, MONEY_COLUMNS) for c, text in own}
    if read_paired(own, keys, money):
        return
    if sum(1 for key in keys.values() if key) >= 2:
        money.columns = {c: key for c, key in keys.items() if key}
        money.labels = {c: text for c, text in own if text.strip()}
        weights = [level_name(text)[1] for c, text in own if keys[c] == "weight"]  # 分值(10分): also the weight
        money.weight = money.weight or next((w for w in weights if w is not None), None)
        return
    if not money.columns:
        return  # group headings over the column headings (预算安排 · 拨付情况)
    label = next((text for c, text in own if c not in money.labels), "") or next(
        (text for c, text in own if c not in money.columns and figure(text) is None), "")  # 总额 under 年度预算数(万元)
    values: dict[str, Decimal | None] = {key: figure(grid.text(r, c)) for c, key in money.columns.items() if key != "rate"}
    for c, heading in money.labels.items():
        text = grid.text(r, c)
        if c in money.columns or not text or text == label:
            continue
        m = grid.merge_at(r, c)
        if m is not None and m.bottom > m.top:
            if m.top == r:  # one cell merged down the rows (a 填报说明 beside them): said of the block, once
                money.extra.append(text)
            continue
        money.extra.append(f"{printed_label(label)} {''.join(heading.split())}：{text}")
    squeezed = label_text(label)
    if squeezed in TOTAL_ROWS or (money.total is None and "总额" in squeezed):
        money.total = values
        return
    source = re.sub(r"^其中\s*[:：]?", "", "".join(label.split()))
    money.funding.append(EvaluationFunding(source=source, initial=values.get("initial"), adjusted=values.get("adjusted"),
                                           spent=values.get("spent")))


def read_paired(own: list[tuple[int, str]], keys: dict[int, str | None], money: "Money") -> bool:
    """The regional layout that prints each amount beside its label (`预算数: | 2.38 | 执行数: | 2.38`, then
    `其中:中央补助 | 2.38 万元 | 其中:中央补助 | 2.38万元`): the first such row is the total, the rows
    under it are `funding`, their labels in the columns of the total's labels."""
    after = {c: own[n + 1][1] if n + 1 < len(own) else "" for n, (c, _) in enumerate(own)}
    if not money.paired:
        keyed = [c for c, key in keys.items() if key in ("initial", "adjusted", "spent")]
        if len(keyed) < 2 or not all(cells.decimal(after[c]) is not None for c in keyed):
            return False
        money.paired, money.columns = True, {c: keys[c] for c in keyed}
        money.total = {keys[c]: figure(after[c]) for c in keyed}
        return True
    labels = [text for c, text in own if c in money.columns]
    if not labels:
        return True
    source = re.sub(r"^其中\s*[:：]?", "", "".join(labels[0].split()))
    values = {key: figure(after[c]) for c, key in money.columns.items() if c in after}
    money.funding.append(EvaluationFunding(source=source, initial=values.get("initial"), adjusted=values.get("adjusted"),
                                           spent=values.get("spent")))
    return True


GRADES = words("evaluation", "grades")


def total_grade(grid: Grid, r: int, earned_column: int | None) -> str:
    """The grade printed after the 总分 (总分 | 100 | 96 | 优): the form's conclusion, when it has no 评价结论 row."""
    after = [grid.own(r, c).strip() for c in range((earned_column or 0) + 1, grid.width) if grid.own(r, c).strip()]
    return after[0] if len(after) == 1 and label_text(after[0]) in label_set(GRADES) else ""


def read_rows(grid: Grid, header: Header, found: Found):
    """The indicator rows, the 总分 row and the text rows under them (评价结论 …)."""
    levels = Levels()
    indicators, texts = [], {}
    stated = None
    last = header.row
    earned_column = header.columns.get("earned", [None])[0]
    for r in range(header.row + 1, grid.height):
        if grid.is_empty_row(r):
            continue
        last = r
        if row_kind(grid, r, found):
            continue
        first = label_text(grid.text(r, 0))
        if first in label_set(TOTAL) or label_text(grid.text(r, header.first_indicator_column)) in TOTAL:
            stated = figure(grid.text(r, earned_column)) if earned_column is not None else None
            grade = total_grade(grid, r, earned_column)
            if grade:
                texts.setdefault("conclusion", grade)
            continue
        rows = indicator_rows(grid, r, header, levels, found)
        if rows:
            indicators += rows
            continue
        for _, label, value in pairs(row_cells(grid, r)):
            key = column_key(strip_numbering(label), TEXTS)
            if key:
                texts[key] = "" if is_hint(value) else value
            elif label and label_text(label) not in label_set(TOTAL):
                found.warnings.append(f"{grid.where(r, 0)}: 自评表中的「{label}」一格没有对应的键，未导入，请核对")
    return indicators, texts, stated, last
