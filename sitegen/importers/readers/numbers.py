"""A spreadsheet number as the cell shows it: the decimals of its number format.

Excel stores 65.00 as the double 65 and shows it with the format `0.00`;
the contract keeps budgets "with two decimals as written", so the text the
reader gives is the shown one. General cells show the shortest form
(46.1, 70), percentages the percent (0.95 as `0%` shows 95%).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

DECIMALS = re.compile(r"0\.(0+)")
QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def number_text(value: float | int, number_format: str | None) -> str:
    section = QUOTED.sub("", (number_format or "General").split(";")[0])
    places = DECIMALS.search(section)
    digits = len(places.group(1)) if places else 0
    if "%" in section:
        return f"{value * 100:.{digits}f}%"
    if places:
        return f"{value:.{digits}f}"
    if "0" in section and "." not in section:  # `0`, `#,##0`: a whole number
        return f"{value:.0f}"
    return general(value)


def general(value: float | int) -> str:
    """Excel's General format: no trailing zeros, at most 15 significant digits."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{value:.15g}"


def date_text(value: date | datetime | time) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    return value.isoformat()
