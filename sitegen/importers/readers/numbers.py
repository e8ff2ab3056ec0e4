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
GROUPED = re.compile(r"[#0],[#0]")
QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def number_text(value: float | int, number_format: str | None) -> str:
    section = QUOTED.sub("", (number_format or "General").split(";")[0])
    places = DECIMALS.search(section)
    digits = len(places.group(1)) if places else 0
    group = "," if GROUPED.search(section) else ""  # `#,##0`: the cell shows 44,561
    if "%" in section:
        return f"{value * 100:{group}.{digits}f}%"
    if places:
        return f"{value:{group}.{digits}f}"
    if "0" in section and "." not in section:  # `0`, `#,##0`: a whole number
        return f"{value:{group}.0f}"
    return general(value)


def general(value: float | int) -> str:
    """Excel's General format: no trailing zeros, at most 15 significant digits."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{value:.15g}"


# Date codes of a number format, longest first; `m` after an hour or before seconds is minutes.
DATE_CODE = re.compile(r'"([^"]*)"|\\(.)|\[[^\]]*\]|(yyyy|yy|e|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|AM/PM|上午/下午)|(.)',
                       re.IGNORECASE)
# Excel's built-in short date (format 14, stored as `mm-dd-yy`) shows the reader's locale: in China 2021/12/31.
LOCALE_DATES = {"mm-dd-yy": "yyyy/m/d", "m/d/yy": "yyyy/m/d", "m/d/yyyy": "yyyy/m/d"}


def date_text(value: date | datetime | time, number_format: str | None = None) -> str:
    """A date cell as it shows: its number format's 年月日 (`yyyy"年"m"月"d"日"` → 2021年12月31日); ISO
    (2021-12-31) when the format prints no date."""
    shown = shown_date(value, number_format) if number_format else None
    if shown:
        return shown
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    return value.isoformat()


def shown_date(value: date | datetime | time, number_format: str) -> str | None:
    section = LOCALE_DATES.get(number_format.split(";")[0].lower(), number_format.split(";")[0])
    tokens = [(m.group(1), m.group(2), m.group(3), m.group(4)) for m in DATE_CODE.finditer(section)]
    codes = [code.lower() for _, _, code, _ in tokens if code]
    if not any(code[0] in "yd" for code in codes) and not any(code[0] == "m" for code in codes):
        return None  # General, 0.00, @: no date in it
    moment = value if isinstance(value, datetime) else datetime.combine(value, time()) if isinstance(value, date) \
        else datetime.combine(date(1900, 1, 1), value)
    out: list[str] = []
    for n, (quoted, escaped, code, other) in enumerate(tokens):
        if quoted is not None or escaped is not None:
            out.append(quoted if quoted is not None else escaped)
        elif code:
            out.append(date_part(code.lower(), moment, minutes_at(tokens, n)))
        elif other is not None:
            out.append(other)
    return "".join(out)


def minutes_at(tokens: list, n: int) -> bool:
    """`m` is minutes after an hour code or before a seconds code."""
    before = next((t[2].lower() for t in reversed(tokens[:n]) if t[2]), "")
    after = next((t[2].lower() for t in tokens[n + 1:] if t[2]), "")
    return before.startswith("h") or after.startswith("s")


def date_part(code: str, moment: datetime, minutes: bool) -> str:
    if code in ("yyyy", "e"):
        return f"{moment.year:04d}"
    if code == "yy":
        return f"{moment.year % 100:02d}"
    if code in ("mm", "m") and minutes:
        return f"{moment.minute:02d}" if code == "mm" else str(moment.minute)
    if code in ("mmmm", "mmm", "mm"):
        return f"{moment.month:02d}" if code == "mm" else str(moment.month)
    if code == "m":
        return str(moment.month)
    if code in ("dd", "dddd", "ddd"):
        return f"{moment.day:02d}"
    if code == "d":
        return str(moment.day)
    if code in ("hh", "h"):
        return f"{moment.hour:02d}" if code == "hh" else str(moment.hour)
    if code in ("ss", "s"):
        return f"{moment.second:02d}" if code == "ss" else str(moment.second)
    return ""  # AM/PM: the 24-hour clock is shown
