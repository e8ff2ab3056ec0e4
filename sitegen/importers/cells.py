"""One cell's text → the contract's values: targets, numbers, packed cells, money units.

The one-comparison rule itself is the model's (sitegen.model.targets.split_cell),
so the importer and the loader agree on what `≥95%` is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sitegen.model import OP_ALIASES, OPS, split_cell
from sitegen.importers.vocabulary import VOCABULARY

NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
NUMBERING = re.compile(r"(?:^|(?<=\s)|(?<=[^\d.]))(\d{1,2})\s*[.、．]\s*(?!\d)")
LEADING_NUMBER = re.compile(r"^\s*\d{1,2}\s*[.、．]\s*(?!\d)")
GLUED_VALUE = re.compile(r"(?P<name>.*?[^\d\s])(?P<value>(?:≥|≤|>=|<=|＞|＜|=|＝|>|<)\s*\d+(?:\.\d+)?\s*%?)$")
MONEY = re.compile(r"[（(]\s*(万元|元)\s*[)）]|单位\s*[:：]?\s*(万元|元)|金额单位\s*[:：]?\s*(万元|元)")
GOAL_LINE = re.compile(r"^目标\s*(?:\d+|[一二三四五六七八九十]+)")  # 目标1完成情况: … one a line
GOAL_START = re.compile(r"(?=目标\s*(?:\d+|[一二三四五六七八九十]+)\s*[:：、.．])")


def norm(text: str) -> str:
    """Full-width letters, digits and signs as half-width, for parsing only (never for what is kept)."""
    return unicodedata.normalize("NFKC", text).strip()


def squeeze(text: str) -> str:
    """Without any whitespace: how labels are compared (`指标性\\n质` is 指标性质)."""
    return "".join(norm(text).split())


def number(text: str) -> str | None:
    """The figure in a cell as the contract writes it (`65.00`, `3309840.00`); None when it is not one.

    Thousands separators go; the decimals stay as printed. A money figure printed with its
    unit (`10000万元`) is the figure.
    """
    if re.search(r"\d\s+[\d.]", norm(text)):
        return None  # `102 \n120`: two figures, not one
    cleaned = squeeze(text).removesuffix("万元").removesuffix("元")
    if THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(",", "")
    return cleaned if NUMBER.match(cleaned) else None


def decimal(text: str) -> Decimal | None:
    figure = number(text)
    try:
        return Decimal(figure) if figure is not None else None
    except InvalidOperation:
        return None


def money_unit(text: str) -> str | None:
    """万元 or 元 when the text says so: `单位：万元`, `金额（万元）`, `金额单位:元`."""
    match = MONEY.search(norm(text))
    if not match:
        return None
    return next(group for group in match.groups() if group)


@dataclass(frozen=True)
class Value:
    """A target (or actual) as the contract stores it: op, target text, unit."""

    op: str | None
    target: str
    unit: str


def op_of(text: str) -> str | None:
    """大于等于, ≥, >= … → the canonical op; None when the text is no comparison."""
    cleaned = squeeze(text)
    if cleaned in OPS:
        return cleaned
    sign = next((sign for printed, sign in SIGNS_BEFORE if printed == cleaned), None)
    return OP_ALIASES.get(cleaned) or OP_ALIASES.get(text.strip()) or (OP_ALIASES.get(sign, sign) if sign else None)


def sign_table() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(printed sign, canonical sign) before and after the number, longest first (vocabulary.yaml)."""

    canonical = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}
    before = [(unicodedata.normalize("NFKC", str(w)), canonical[op]) for op, ws in VOCABULARY["signs"].items() for w in ws]
    after = [(str(w), canonical[op]) for op, ws in VOCABULARY["after"].items() for w in ws]
    return sorted(before, key=lambda p: -len(p[0])), sorted(after, key=lambda p: -len(p[0]))


SIGNS_BEFORE, SIGNS_AFTER = sign_table()


def with_canonical_sign(text: str) -> str:
    """`═100%` → `=100%`, `⩾95%` → `≥95%`, `不低于95%` → `≥95%`, `95%以上` → `≥95%`: every printed form of a
    comparison as the one sign the model reads. Text that is no comparison is returned unchanged."""
    cleaned = unicodedata.normalize("NFKC", text).strip()
    for printed, sign in SIGNS_BEFORE:
        if cleaned.startswith(printed) and len(cleaned) > len(printed):
            rest = cleaned[len(printed):].strip()
            if rest[:1].isdigit() or rest[:1] in "+-.":
                return sign + rest
    for printed, sign in SIGNS_AFTER:
        if cleaned.endswith(printed) and cleaned[:1].isdigit():
            return sign + cleaned[: -len(printed)].strip()
    return text


UNIT_IN_BRACKETS = re.compile(r"^(?P<value>.*\d)\s*[(（](?P<unit>[^()（）\d]{1,8})[)）]$")
# Units whose NFKC form has a digit in it (㎡ is m2): split off before the figure is read.
DIGIT_UNITS = ("㎡", "㎥", "㎢", "㎠", "m²", "m³", "km²", "平方米", "立方米")
UNITS = frozenset(unicodedata.normalize("NFKC", str(u)) for u in VOCABULARY["units"])  # vocabulary.yaml's, NFKC


def unit_only(text: str) -> Value | None:
    """`公里`, `≧ %`: a target cell that prints only a unit (and a sign), its value left blank."""
    cleaned = squeeze(text)
    printed, sign = next(((p, s) for p, s in SIGNS_BEFORE if cleaned.startswith(p)), ("", ""))
    if cleaned[len(printed):] not in UNITS:
        return None
    return Value(split_cell(sign + "1").op if sign else None, "", cleaned[len(printed):])


def split_value(text: str) -> Value:
    """`≥95%` → (>=, 95, %); `100%` → (None, 100, %); `按月及时发放` stays whole, as the contract says;
    so does a date or a deadline (`2025年年底前`: model.targets.split_cell)."""
    text = text.strip()
    bracketed = UNIT_IN_BRACKETS.match(text)
    if bracketed:  # ≥13459.00(平方米): the unit printed in brackets after the figure
        cell = split_cell(with_canonical_sign(bracketed["value"]))
        if cell is not None and not cell.unit:
            return Value(cell.op, cell.number, bracketed["unit"].strip())
    unit = next((u for u in DIGIT_UNITS if text.endswith(u) and len(text) > len(u)), "")
    cell = split_cell(with_canonical_sign(text[: len(text) - len(unit)] if unit else text))
    if cell is None or unit and cell.unit:
        return Value(None, text, "")
    return Value(cell.op, cell.number, cell.unit or unit)


TICKED = tuple(str(mark) for mark in VOCABULARY["checkbox"]["ticked"])
EMPTY_BOX = tuple(str(mark) for mark in VOCABULARY["checkbox"]["empty"])
BOXED = re.compile(r"\s*(.*?[^\s\d、.．])\s*(" + "|".join(map(re.escape, TICKED + EMPTY_BOX)) + r")(?=\s|$|\d)")


def ticked(text: str) -> str | None:
    """The ticked option(s) of a tick-box cell (`1、持续性项目 ☑ 2、新增性项目 □` → 持续性项目, `新增项目□ 延续项目R`
    → 延续项目); None for a cell that is no list of boxes."""
    if not any(mark in text for mark in EMPTY_BOX):
        return None
    options = [(strip_numbering(m.group(1)), m.group(2) in TICKED) for m in BOXED.finditer(text)]
    if len(options) < 2 or "".join(m.group(0) for m in BOXED.finditer(text)).strip() != text.strip():
        return None  # not only options and their boxes
    chosen = [option for option, tick in options if tick]
    return "、".join(chosen) if chosen else None


def strip_numbering(name: str) -> str:
    """`1. 办理劳动仲裁案件数` → 办理劳动仲裁案件数: the form's numbering is layout."""
    return LEADING_NUMBER.sub("", name, count=1).strip()


def split_packed_names(text: str) -> list[str]:
    """`1.开展培训场次数 2.参加培训人数` → the names, when numbered 1, 2, 3 … in order; else [text]."""
    marks = list(NUMBERING.finditer(text))
    numbers = [int(m.group(1)) for m in marks]
    if len(marks) < 2 or numbers != list(range(1, len(marks) + 1)) or marks[0].start() > 0 and text[: marks[0].start()].strip():
        return [text.strip()]
    ends = [m.start() for m in marks[1:]] + [len(text)]
    return [text[m.end(): end].strip() for m, end in zip(marks, ends)]


VALUE_START = re.compile(r"\s+|(?<=\S)(?=[≥≤＞＜]|>=|<=)")
GLUED_NUMBER = re.compile(r"(?<=[^\d.\s+-])(?=\d)")


def split_packed_values(text: str, count: int | None = None) -> list[str]:
    """`1次 ≥130人 ≥130份` → the values: split at spaces and line breaks, and before a comparison
    sign glued to the value before it (`≥60人≥60人`, where a PDF lost the space at a line break).
    When that does not give `count` values, a figure glued after a unit (`100%100%`) starts one too."""
    parts = [part for part in VALUE_START.split(text.strip()) if part]
    if count is not None and len(parts) != count:
        finer = [piece for part in parts for piece in GLUED_NUMBER.split(part) if piece]
        if len(finer) == count:
            return finer
    return parts


def unglue(name: str) -> tuple[str, str | None]:
    """`办事群众满意度≥95%` → (办事群众满意度, ≥95%): a value printed onto the name."""
    match = GLUED_VALUE.match(name)
    return (match["name"].strip(), match["value"]) if match else (name, None)


def split_goals(text: str) -> list[str] | str:
    """Goals numbered 目标1 / 目标一 … are a list, one goal each; other text (1、… 2、… in one cell too) stays
    one goal."""
    parts = [part.strip() for part in GOAL_START.split(text.strip()) if part.strip()]
    if len(parts) > 1 and GOAL_START.match(text.strip()):  # an introduction before 目标1 keeps the text whole
        # Within one numbered goal a line break is where the cell wrapped (PDF), not the author's.
        return ["".join(line.strip() for line in part.splitlines()) for part in parts]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # 目标1完成情况: … one a line is a list; lines numbered 1、2、 in one cell stay the cell's one text
    return lines if len(lines) > 1 and all(GOAL_LINE.match(line) for line in lines) else text.strip()
