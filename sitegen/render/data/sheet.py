"""A unit-year's XLSX sheet: the official flat table's columns, then what else some row fills."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from sitegen.model.records import INFERRED
from sitegen.model.specs import CELL_LABELS
from sitegen.render.data.columns import ANNUAL, COLUMNS, INDICATOR_CELLS, POSITION, PROJECT_CELLS, Column


def label(spec: str, key: str) -> str:
    return CELL_LABELS[spec][key]


# The flat table's headers: the declared fields' labels, and the form's own words (项目单位).
FLAT_HEADERS = (label("project", "name"), "项目单位", label("project", "category"), label("project", "budget"),
                label("project", "goals"), label("indicator", "level1"), label("indicator", "level2"),
                label("indicator", "name"), label("indicator", "kind"), label("indicator", "direction"),
                label("indicator", "target"), label("indicator", "unit"), label("indicator", "score"))
# After the flat table's columns, on the sheet of a unit-year that has a self-evaluation.
RESULT_HEADERS = (label("indicator", "actual"), label("indicator", "earned"), "目标达成", label("indicator", "deviation"),
                  label("evaluation_budget", "adjusted"), label("evaluation_budget", "spent"), "执行率（%）")

# A column whose every row says this value is left out: it is what a reader (and the import) takes
# without it. 万元 is the import's unit when a table states none (importers/plan.py).
UNSAID = {"money_unit": "万元", "term": ANNUAL}
EXTRA_CANDIDATES = tuple(c for c in (*(c for c in COLUMNS if c.name == "money_unit"), *PROJECT_CELLS,
                                     *(c for c in COLUMNS if c.name in ("explanation", "scoring")), *INDICATOR_CELLS)
                         if c.name != "last_actual_number")


def xlsx_extra_columns(values: list[list[Any]]) -> list[Column]:
    """The columns some row of the sheet fills beyond the flat table's own: 金额单位 when the
    unit-year is not in 万元, the cells of version 2, 指标解释 and 评分标准; 指标期限 only when there
    are 中期 rows (else all are 年度). `values`: the unit-year's rows (columns.tables)."""
    def filled(column: Column) -> bool:
        said = set(map(itemgetter(POSITION[column.name]), values))  # in C: this runs for every row
        return bool(said - {None, "", UNSAID.get(column.name)})

    return [c for c in EXTRA_CANDIDATES if filled(c)]


# The money columns: their headers name the sheet's unit (预算数（万元）), as the printed forms'
# 金额（万元） does and as the import reads it back (importers/labels.py takes the bracketed unit).
MONEY_HEADERS = frozenset((label("project", "budget"), COLUMNS[POSITION["total_investment"]].title,
                           COLUMNS[POSITION["midterm_budget"]].title, *RESULT_HEADERS[4:6]))


def sheet_headers(extra: list[Column], with_results: bool, money_unit: str) -> list[str]:
    """The header row: the flat table's, the extra columns', the results' when `with_results`; each
    money column with the unit its figures are in."""
    headers = [*FLAT_HEADERS, *(c.title for c in extra), *(RESULT_HEADERS if with_results else ())]
    return [f"{h}（{money_unit}）" if h in MONEY_HEADERS else h for h in headers]


def met_cell(met: str | None, basis: str | None) -> str | None:
    """目标达成 as the pages and PDFs print it: 未达成（推定） when the mark is inferred (contract 2.1)."""
    return f"{met}（推定）" if met and basis == INFERRED else met


def number_or_text(number: Any, text: Any) -> Any:
    """A target or an actual: its number when it is one (a number cell), else its text."""
    return number if number is not None else text


P = POSITION
FLAT = [P[name] for name in ("project_name", "category", "budget", "goals", "level1", "level2", "indicator", "nature",
                             "op_word", "unit", "score")]
RESULTS = [P[name] for name in ("deviation", "evaluation_adjusted", "evaluation_spent", "execution_rate")]


def sheet_rows(values: list[list[Any]], with_results: bool) -> list[list[Any]]:
    """The sheet's rows, headers first, from the unit-year's rows in COLUMNS order; the results'
    columns `with_results` (some project of the unit-year has a self-evaluation)."""
    extra = [P[c.name] for c in xlsx_extra_columns(values)]
    money_unit = values[0][P["money_unit"]] if values else UNSAID["money_unit"]
    headers = sheet_headers([COLUMNS[k] for k in extra], with_results, money_unit)
    name, category, budget, goals, level1, level2, indicator, nature, op_word, unit, score = FLAT
    code, agency, target, target_number = P["agency_code"], P["agency_name"], P["target"], P["target_number"]
    actual, actual_number, earned, met, basis = P["actual"], P["actual_number"], P["earned"], P["met"], P["met_basis"]
    result = [headers]
    for row in values:
        cells = [row[name], f"{row[code]}-{row[agency]}", row[category], row[budget], row[goals], row[level1],
                 row[level2], row[indicator], row[nature], row[op_word], number_or_text(row[target_number], row[target]),
                 row[unit], row[score], *[row[k] for k in extra]]
        if with_results:
            cells += [number_or_text(row[actual_number], row[actual]), row[earned], met_cell(row[met], row[basis]),
                      *[row[k] for k in RESULTS]]
        result.append(cells)
    return result
