"""`per-project`: one table per project (单位编码 · 单位及项目名称 · 金额 · 绩效目标 · 绩效指标),
a unit row and a 合计 row above the project, 指标值 printed as op + target + unit (`≥8次`), a 备注
line under it. Several tables may stand one under the other on a sheet, or one per page.

It reads as the flat table does (flat.py); what differs is found here: the
project labels stand above the indicator labels (the header is two rows),
the unit row names the unit and its department, and a 合计 that is only the
project's own amount is not the unit's total.
"""

from __future__ import annotations

from sitegen.importers.forms import Found, Header
from sitegen.importers.forms.flat import read
from sitegen.importers.grid import Grid
from sitegen.importers.labels import form_allowed


def recognise(grid: Grid, header: Header) -> Found | None:
    if not form_allowed("per-project"):
        return None
    if header.top == header.row and "unit_code" not in header.columns:
        return None
    if "project" not in header.columns:
        return None
    return read(grid, header, "per-project", "per-project")
