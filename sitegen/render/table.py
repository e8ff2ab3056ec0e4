"""The official table's shape: which cells merge over which rows.

Layouts hold markup, not logic: the PDF and HTML layouts both loop over
these rows and print a cell only where it starts, with its rowspan.
"""

from __future__ import annotations

from dataclasses import dataclass

from sitegen.model import Indicator


@dataclass(frozen=True)
class Span:
    text: str
    rows: int


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator | None  # None: the one empty row of a project without indicators
    level1: Span | None  # None where a cell above spans this row
    level2: Span | None
    number: int  # position within its 二级指标, from 1 (the per-project form numbers them)


def run_lengths(keys: list[tuple]) -> list[int]:
    """For each position, the length of the run of equal keys starting there (0 inside a run)."""
    lengths = [0] * len(keys)
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            lengths[start] = i - start
            start = i
    return lengths


def indicator_rows(indicators: list[Indicator]) -> list[IndicatorRow]:
    if not indicators:
        return [IndicatorRow(None, Span("", 1), Span("", 1), 0)]
    level1_runs = run_lengths([(i.level1,) for i in indicators])
    level2_runs = run_lengths([(i.level1, i.level2) for i in indicators])
    rows = []
    number = 0
    for position, indicator in enumerate(indicators):
        number = 1 if level2_runs[position] else number + 1
        rows.append(IndicatorRow(
            indicator,
            Span(indicator.level1, level1_runs[position]) if level1_runs[position] else None,
            Span(indicator.level2, level2_runs[position]) if level2_runs[position] else None,
            number,
        ))  # fmt: skip
    return rows
