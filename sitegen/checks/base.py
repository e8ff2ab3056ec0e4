"""What every rule module shares: the flag a rule yields and how figures are shown."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Iterable

from sitegen.base.findings import Loc, quoted
from sitegen.model import Content, Indicator, Project, UnitYear


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    loc: Loc
    path: str = ""


ProjectRule = Callable[[Project, Content], Iterable[Flag]]
UnitYearRule = Callable[[UnitYear, Content], Iterable[Flag]]


def flag(code: str, message: str, record, key: str, path: str | None = None) -> Flag:
    """A finding about `key` of a record (a project, an indicator, an evaluation …): at the line the
    key is written on, else the record's own; `path` names the key in the content (the key by default)."""
    return Flag(code, message, record.locs.get(key, record.loc), key if path is None else path)


def fmt(number: Decimal) -> str:
    """A figure as people write it: 80, 46.1, 438.00 (never 8E+1)."""
    return format(number, "f")


def indicator_path(position: int, owner: str = "") -> str:
    return f"{owner}indicators[{position}]"


def named(indicator: Indicator) -> str:
    """How an indicator-level finding starts: which 三级指标 it is about."""
    return f"三级指标{quoted(indicator.name)}："
