"""Static bar charts: the geometry is computed here, layouts/partials/chart.html draws it.

No JavaScript: inline SVG with a title for screen readers and the same
figures as a table beside it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from typing import Callable

from sitegen.model import Content
from sitegen.model.money import cents_text, convert, percent_text

ROW = 26  # px per bar
LABEL_WIDTH = 300
PLOT_WIDTH = 360
TOP = 15  # bars shown; the rest are added up as 其他


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    text: str
    y: int
    width: float


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    unit: str
    bars: list[Bar]
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH

    @property
    def height(self) -> int:
        return ROW * len(self.bars) + 4

    @property
    def width(self) -> int:
        return self.label_width + self.plot_width + 90


def count_text(value: Decimal) -> str:
    return format(value, "f")


# How each kind of chart prints its figures: amounts as the pages do, shares with %, counts bare.
TEXTS: dict[str, Callable[[Decimal], str]] = {"万元": cents_text, "元": cents_text, "%": percent_text}


def bar_chart(chart_id: str, title: str, unit: str, totals: dict[str, Decimal]) -> Chart:
    items = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    if len(items) > TOP:
        items = items[:TOP - 1] + [(f"其他 {len(items) - TOP + 1} 项", sum((v for _, v in items[TOP - 1:]), Decimal(0)))]
    largest = max((value for _, value in items), default=Decimal(1)) or Decimal(1)
    text = TEXTS.get(unit, count_text)
    # The bar's length in px: a drawing coordinate, the one place a float is fine.
    bars = [Bar(label, value, text(value), i * ROW, float(value / largest) * PLOT_WIDTH)
            for i, (label, value) in enumerate(items)]
    return Chart(chart_id, title, unit, bars)


def overview_charts(content: Content, level1: Counter, level2: Counter) -> list[Chart]:
    """The home page's charts: budgets by unit and by category, and the indicators counted by
    一级 and 二级 name (gathered shard by shard, SiteSummary)."""
    by_unit: dict[str, Decimal] = defaultdict(Decimal)
    by_category: dict[str, Decimal] = defaultdict(Decimal)
    site_unit = content.site.money_unit
    for project in content.projects():
        budget = convert(project.budget, project.unit_year.money_unit, site_unit)
        by_unit[project.agency.name] += budget
        by_category[project.category or "未分类"] += budget
    unit = content.site.money_unit
    return [
        bar_chart("chart-unit", f"各单位预算合计（全部年度，{unit}）", unit, by_unit),
        bar_chart("chart-category", f"各项目类别预算合计（{unit}）", unit, by_category),
        bar_chart("chart-level1", "绩效指标按一级指标分布（项）", "项", {k: Decimal(v) for k, v in level1.items()}),
        bar_chart("chart-level2", "绩效指标按二级指标分布（项）", "项", {k: Decimal(v) for k, v in level2.items()}),
    ]
