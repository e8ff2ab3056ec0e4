"""A target (or actual) printed as one cell, and whether a result met its target.

Real tables print `≥95%`, `≤10元/卷`, `=300天`, `100%` in one cell; the
contract stores them as op / target / unit. Both the model (for files that
still carry the whole cell in `target`) and the importers split cells here,
so there is one rule for what counts as "one comparison".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from sitegen.model.specs import OP_ALIASES, OPS

# Longest spellings first, so 大于等于 wins over 大于 and >= over >.
_OP_SPELLINGS = sorted({*OPS, *OP_ALIASES}, key=len, reverse=True)
_OP = "|".join(re.escape(s) for s in _OP_SPELLINGS)
# A unit is what follows the number: no digits, no spaces, no sentence punctuation.
ONE_COMPARISON = re.compile(rf"^(?P<op>{_OP})?\s*(?P<number>[+-]?\d+(?:\.\d+)?)\s*(?P<unit>[^\d\s，。；;,、]{{0,12}})$")


@dataclass(frozen=True)
class Cell:
    op: str | None  # canonical: >=, <=, =, >, <
    number: str  # as written: "95", "10.50"
    unit: str


def normalise(text: str) -> str:
    """Full-width digits, letters and signs as the half-width ones (＞＝９５％ → >=95%).

    NFKC leaves ≥ and ≤ alone, which are canonical signs already.
    """
    return unicodedata.normalize("NFKC", text).strip()


# A date or a deadline is text, not a figure with a unit (`2025年年底前` is not 2025 年年底前): a unit that
# says 前/底/末/初/旬/以内, or a year (19xx, 20xx) followed by 年 or a date separator.
DEADLINE = re.compile(r"前|底|末|初|旬|以内|之内")
YEAR = re.compile(r"(?:19|20)\d{2}")


def is_date(number: str, unit: str) -> bool:
    return bool(DEADLINE.search(unit)) or (YEAR.fullmatch(number) is not None and unit.startswith(("年", "-", ".", "/")))


def split_cell(text: str) -> Cell | None:
    """`≥95%` → Cell('>=', '95', '%'); None for anything that is not one comparison (a date included)."""
    match = ONE_COMPARISON.match(normalise(text))
    if not match or is_date(match["number"], match["unit"]):
        return None
    op = match["op"]
    return Cell(OP_ALIASES.get(op, op) if op else None, match["number"], match["unit"])


def judge(actual: Decimal, target: Decimal, op: str | None, direction: str | None, cost: bool) -> tuple[bool, str]:
    """(met, basis) of a number actual against a number target, contract 2.1: by a written `op`;
    else by `direction`; else equal numbers are met (basis "equal"); else the judgement is
    inferred (推定) from the kind: at most for a 成本 indicator (`cost`), at least otherwise."""
    if op is None and not direction:
        if actual == target:
            return True, "equal"
        return (actual <= target if cost else actual >= target), "inferred"
    return bool(is_met(actual, target, op, direction)), "op" if op else "direction"


def is_met(actual: Decimal, target: Decimal, op: str | None, direction: str | None) -> bool | None:
    """The contract's rule: by `op`; else by `direction` (正向 at least, 反向 at most);
    else equal numbers are met and any other pair is not judged (None)."""
    if op is None and direction:
        op = ">=" if direction == "正向" else "<="
    if op == ">=":
        return actual >= target
    if op == "<=":
        return actual <= target
    if op == ">":
        return actual > target
    if op == "<":
        return actual < target
    if op == "=":
        return actual == target
    return True if actual == target else None
