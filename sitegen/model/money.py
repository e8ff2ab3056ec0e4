"""Money: amounts in a table's unit, converted where tables meet, and shown one way everywhere.

The contract (Money): a page, PDF or file that shows one table shows its amounts as written,
in its unit; wherever amounts of several tables meet they are converted to the site's
`money_unit` (1 万元 = 10,000 元). Amounts are shown with thousands separators and two
decimals (`3,969,840.00 元`, `396.98 万元`); the open data keeps plain numbers. Decimal
arithmetic only: a float would turn 0.1 万元 into 999.9999999 元.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

YUAN_PER = {"元": Decimal(1), "万元": Decimal(10000)}
CENTS = Decimal("0.01")


def convert(amount: Decimal, unit: str, to_unit: str) -> Decimal:
    """`amount` written in `unit`, in `to_unit` (exact: 250000 元 → 25 万元)."""
    if unit == to_unit or unit not in YUAN_PER or to_unit not in YUAN_PER:
        return amount
    converted = amount * YUAN_PER[unit] / YUAN_PER[to_unit]
    # Keep the written cents (65.00 万元 → 650000.00 元), never an exponent (2.5E+5).
    return converted.quantize(CENTS) if converted == converted.quantize(CENTS) else converted


def total(amounts: list[tuple[Decimal, str]], to_unit: str) -> Decimal:
    """The sum of (amount, unit) pairs in `to_unit`."""
    return sum((convert(amount, unit, to_unit) for amount, unit in amounts), Decimal("0.00"))


def amount_text(value: Decimal | int | None) -> str:
    """An amount of one table as pages and PDFs print it: thousands separators and two decimals
    (3,969,840.00), never dropping a digit the agency wrote (89.974 stays 89.974); empty for None."""
    if value is None:
        return ""
    value = Decimal(value)
    exponent = value.as_tuple().exponent
    return format(value if isinstance(exponent, int) and exponent < -2 else value.quantize(CENTS), ",f")


def cents(value: Decimal) -> Decimal:
    """An amount where several tables meet (converted, summed), rounded to the cent: 396.984 → 396.98."""
    return value.quantize(CENTS, ROUND_HALF_UP)


def cents_text(value: Decimal | None) -> str:
    """A converted or summed amount as printed: 396.98."""
    return "" if value is None else format(cents(Decimal(value)), ",f")


def money_text(value: Decimal | int | None, unit: str = "") -> str:
    """An amount of one table with its unit: `396.98 万元`; empty for None."""
    text = amount_text(value)
    return f"{text} {unit}" if text and unit else text


def percent_text(value: Decimal | None) -> str:
    """A percentage as every page prints it: two decimals and the sign (99.10%); empty for None."""
    if value is None:
        return ""
    return f"{Decimal(value).quantize(CENTS, ROUND_HALF_UP):f}%"


def figure_text(value: Decimal | None) -> str:
    """A figure as written in the source (scores: 10, 9.5; 65.00 stays 65.00), never 6.5E+1."""
    return "" if value is None else format(value, "f")
