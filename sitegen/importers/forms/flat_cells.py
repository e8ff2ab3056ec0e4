"""The cells of contract version 2 in a flat table's columns of their own, as sitegen's XLSX prints
them after the indicators (render/data.py, PROJECT_CELLS and INDICATOR_CELLS), and its 金额单位
(the unit-year's money_unit, printed when it is not 万元): 项目总投资, 立项依据,
项目预算成本构成 (`成本项目: 金额; 测算依据: …` a line each), 其他栏目 (the facts, `label: text` a
line each), 中期期限 · 中期资金总额 · 中期目标 (on every row of the project), and 指标期限 (中期
marks a row of midterm.indicators).

A cell that does not read as its lines say is kept whole as a fact under its
label, with a warning: nothing of the table is dropped.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from sitegen.importers import cells
from sitegen.importers.forms import Found, Header
from sitegen.importers.labels import BRACKETED_UNIT, flat_cell_key
from sitegen.model import MONEY_UNITS, Cost, Indicator, Midterm
from sitegen.render.data import FLAT_HEADERS

MIDTERM = "中期"
BASIS = "; 测算依据: "  # data.costs_text


def keyed(header: Header) -> Header:
    """The header with these columns keyed (read as cells), no longer extra (facts, remarks)."""
    keys = {c: flat_cell_key(label) for c, label in header.extra.items()}
    columns = {key: list(cols) for key, cols in header.columns.items()}
    for c, key in keys.items():
        if key:
            columns.setdefault(key, []).append(c)
    return replace(header, columns=columns, extra={c: label for c, label in header.extra.items() if not keys[c]})


def read(found: Found, row: int, values: dict[str, str], header: Header) -> tuple[list[tuple[str, str]], list[Cost], dict]:
    """The facts, costs and figures (项目总投资, 中期资金总额) of a project's first row, in column order;
    a cell that does not read as its lines say is a fact."""
    facts: list[tuple[str, str]] = []
    costs: list[Cost] = []
    figures: dict[str, Decimal | None] = {}
    keys = [key for key in ("facts", "costs", "total_investment", "midterm_budget") if values.get(key)]
    for key in sorted(keys, key=lambda key: header.columns[key][0]):
        at = (row, header.columns[key][0])
        label = cells.squeeze(header.labels[at[1]])
        if key == "facts":
            facts += facts_of(values[key], found, at, label)
        elif key == "costs":
            costs = costs_of(values[key], found, at, label, facts)
        else:
            figures[key] = figure(values[key], found, at, label, facts)
    return facts, costs, figures


def money_unit_of(found: Found, units: list[tuple[int, str]], header: Header) -> None:
    """The table's money unit from its 金额单位 column, (first row, cell) by project; a unit line
    above the table (`单位：万元`) comes first. A cell that is no unit, or another unit than the
    table's, is warned of: the unit-year has one money_unit."""
    for row, text in units:
        unit = cells.squeeze(text)
        if not unit:
            continue
        where = found.where(row, header.columns["money_unit"][0])
        if unit not in MONEY_UNITS:
            found.warnings.append(f"{where}: 金额单位「{text}」不是「元」或「万元」，请核对")
        elif found.money_unit and unit != found.money_unit:
            found.warnings.append(f"{where}: 金额单位「{unit}」与表中的「{found.money_unit}」不同，"
                                  f"全表按「{found.money_unit}」记（money_unit），请核对")
        else:
            found.money_unit = unit


def is_own_export(header: Header) -> bool:
    """sitegen's own XLSX: its header row starts with the flat columns as data.py writes them (预算数
    with the sheet's unit in brackets, 预算数（万元）)."""
    labels = (BRACKETED_UNIT.sub("", header.labels.get(c, "")) for c in range(len(FLAT_HEADERS)))
    return tuple(labels) == FLAT_HEADERS


def goals_of(text: str, own_export: bool) -> list[str]:
    """sitegen's XLSX writes the goals one a line; another table's line break may be a wrapped cell."""
    if own_export:
        return [line.strip() for line in text.split("\n") if line.strip()]
    goals = cells.split_goals(text)
    return goals if isinstance(goals, list) else [goals] if goals else []


def label_lines(text: str) -> list[tuple[str, str]] | None:
    """`label: text` lines (data.lines) → pairs; a line without `: ` or a closing `:` goes on with the
    text above it (a text with a line break). None when the first line is no `label: text`."""
    pairs: list[tuple[str, str]] = []
    for line in text.split("\n"):
        label, sep, value = line.partition(": ")
        if not sep and line.endswith(":"):
            label, sep, value = line[:-1], ":", ""
        if sep:
            pairs.append((label.strip(), value))
        elif pairs:
            pairs[-1] = (pairs[-1][0], f"{pairs[-1][1]}\n{line}")
        else:
            return None
    return pairs


def costs_of(text: str, found: Found, at: tuple[int, int], label: str, facts: list[tuple[str, str]]) -> list[Cost]:
    """The cost items of a 项目预算成本构成 cell; a cell that is not such lines is a fact."""
    costs = []
    for item, rest in label_lines(text) or [("", "")]:
        amount_text, _, basis = rest.partition(BASIS)  # `资料费: 8.00`, `培训费: ; 测算依据: …` (no amount)
        amount = cells.decimal(amount_text)
        if not item or (amount_text.strip() and amount is None):
            found.warnings.append(f"{found.where(*at)}: {label}「{text}」不是「成本项目: 金额; 测算依据: …」的行，整格记入 facts，请核对")
            facts.append((label, text))
            return []
        costs.append(Cost(item=item, amount=amount, basis=basis, loc=found.loc(*at)))
    return costs


def figure(text: str, found: Found, at: tuple[int, int], label: str, facts: list[tuple[str, str]]) -> Decimal | None:
    """A money cell (项目总投资, 中期资金总额); one that is no figure is a fact."""
    amount = cells.decimal(text) if text else None
    if text and amount is None:
        found.warnings.append(f"{found.where(*at)}: {label}「{text}」不是数字，记入 facts，请核对")
        facts.append((label, text))
    return amount


def facts_of(text: str, found: Found, at: tuple[int, int], label: str) -> list[tuple[str, str]]:
    pairs = label_lines(text) if text else []
    if pairs is None:
        found.guesses.append(f"{found.where(*at)}: {label}不是「栏目: 内容」的行，整格记为一个栏目")
        return [(label, text)]
    return pairs


def midterm_of(values: dict[str, str], indicators: list[Indicator], own_export: bool, budget: Decimal | None,
               loc) -> Midterm | None:
    period, goals = values.get("midterm_period", ""), values.get("midterm_goals", "")
    if not (period or goals or indicators or budget is not None):
        return None
    return Midterm(period=period, budget=budget, goals=goals_of(goals, own_export), indicators=indicators, loc=loc, locs={})


def is_midterm(term: str) -> bool:
    return cells.squeeze(term) == MIDTERM


def keep_term(term: str, indicators: list[Indicator]) -> None:
    """A 指标期限 that says neither 年度 nor 中期 stays in the indicators' 备注: nothing of it is lost."""
    if cells.squeeze(term) not in ("", MIDTERM, "年度"):
        for indicator in indicators:
            indicator.remark = "；".join(part for part in (indicator.remark, f"指标期限：{term}") if part)
