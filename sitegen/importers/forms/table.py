"""Reading indicator rows, shared by every form: one row → one indicator (or several, packed).

Whatever the form, an indicator row has the same cells: 一级 / 二级 / 三级,
a target (with or without its op and unit in the cell), and optional
columns (分值, 指标解释 …). The 一级 and 二级 cells are merged down over their
rows, repeated on every row, or left empty below the first: all three read
the same.
"""

from __future__ import annotations

import re
from decimal import Decimal

from sitegen.content.fields import Target
from sitegen.importers import cells
from sitegen.importers.forms import PAGE, Found, Header, rows
from sitegen.importers.grid import Grid
from sitegen.importers.labels import is_computed
from sitegen.model import Indicator

DIRECTIONS = {"正向": "正向", "正向指标": "正向", "反向": "反向", "反向指标": "反向"}
KINDS = {"定量": "定量", "定性": "定性", "定量指标": "定量", "定性指标": "定性"}
TEXT_KEYS = ("explanation", "scoring", "basis", "remark", "deviation")


def target_of(text: str) -> Target | None:
    text = text.strip()
    if not text:
        return None
    squeezed = cells.squeeze(text)
    # 44,561: a figure with thousands separators (a #,##0 cell) is the figure
    figure = cells.number(text) if cells.NUMBER.match(squeezed) or cells.THOUSANDS.match(squeezed) else None
    return Target(figure, Decimal(figure)) if figure is not None else Target(text, None)


CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def cjk_joined(text: str) -> str:
    """`产 出 指 标` (a label spaced out to fill a tall cell) is 产出指标: spaces between Han characters are layout."""
    return CJK_GAP.sub("", text)


WRAP = re.compile(r"\s*\n\s*")
HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’]")


def unwrapped(name: str) -> str:
    """A 三级指标 is one line: a line break in it is where the cell wrapped (PDF), joined without a
    space next to Han characters and with one between Latin words."""
    def join(match: re.Match) -> str:
        before, after = name[match.start() - 1: match.start()], name[match.end(): match.end() + 1]
        return "" if HAN.match(before) or HAN.match(after) else " "
    return WRAP.sub(join, name.strip())


SENTENCE_END = ("。", "！", "？", "!", "?")
PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[%％]\s*$")


def points(text: str) -> Decimal | None:
    """A weight as points: `30`, or `30%` (海南's 权重 column: a share of the 100 points, so 30)."""
    match = PERCENT.match(cells.norm(text))
    return Decimal(match.group(1)) if match else cells.decimal(text)


def paragraphs(text: str) -> str:
    """A paragraph text of a PDF cell (goals): its line breaks are where the cell wrapped, except after
    a line that ends a sentence and stops short of the cell's width by more than two characters: there
    the author started a new line, kept as a line break."""
    lines = [line.strip() for line in text.strip().splitlines()]
    widest = max((width(line) for line in lines), default=0)
    kept: list[list[str]] = [[]]
    for n, line in enumerate(lines):
        kept[-1].append(line)
        if n + 1 < len(lines) and line.endswith(SENTENCE_END) and width(line) < widest - 4:
            kept.append([])
    return "\n".join(unwrapped("\n".join(part)) for part in kept)


def width(line: str) -> int:
    """Printed width: a Han or full-width character is two, any other one."""
    return sum(2 if HAN.match(ch) else 1 for ch in line)


class Levels:
    """The 一级 and 二级 names of the rows read so far: an empty cell is the one above. A weight
    printed after a name (`产出指标(50分)`) is not the name: it goes to `found.weights`."""

    def __init__(self) -> None:
        self.level1 = ""
        self.level2 = ""

    def read(self, grid: Grid, row: int, header: Header, found: Found | None = None) -> tuple[str, str]:
        level1, weight = rows.level_name(unwrapped(cjk_joined(first_text(grid, row, header, "level1"))))
        level2, _ = rows.level_name(unwrapped(cjk_joined(first_text(grid, row, header, "level2"))))
        if weight is not None and found is not None and level1 not in found.weights:
            found.weights[level1] = (weight, row)
        if level1 and level1 != self.level1:
            self.level1, self.level2 = level1, ""
        if level2:
            self.level2 = level2
        return self.level1, self.level2


def row_kind(grid: Grid, row: int, found: Found) -> str | None:
    """`note` (its text goes to found.row_notes) or `signature` for a row that is one of these,
    whatever its columns; None for any other row (the form reads it)."""
    texts: list[str] = []
    for c in range(grid.width):
        text = grid.text(row, c)
        if text and text not in texts:
            texts.append(text)
    if not texts:
        return None
    note = rows.note_text(texts[0])
    if note is not None:
        parts = [part for part in [note, *texts[1:]] if part and not rows.is_filler(part)]
        text = " ".join(parts)
        if text and text not in found.row_notes:
            found.row_notes.append(text)
        return "note"
    if rows.is_signature(texts[0]):
        return "signature"
    return None


def check_weights(found: Found, indicators: list[Indicator]) -> None:
    """A weight printed after a 一级 name that differs from the sum of that level's scores is reported."""
    for level1, (weight, row) in found.weights.items():
        scores = [i.score for i in indicators if i.level1 == level1 and i.score is not None]
        if scores and sum(scores) != weight:
            found.warnings.append(f"{found.where(row)}: 一级指标「{level1}」印有分值 {weight} 分，其下三级指标分值合计 {sum(scores)} 分，"
                                  "不一致，请核对（分值已从名称中去掉）")


def runs_across(grid: Grid, row: int, header: Header) -> bool:
    """The 三级 cell is one text merged across the 一级 and 二级 columns too (评价结论 | 结合自评情况…):
    a labelled row under the indicators, not an indicator."""
    names, firsts = header.columns.get("name", []), header.columns.get("level1", [])
    m = grid.merge_at(row, names[0]) if names else None
    return m is not None and bool(firsts) and m.left <= firsts[0] < names[0] and m.top == row


def spans_from_name(grid: Grid, row: int, header: Header, key: str) -> bool:
    columns, names = header.columns.get(key, []), header.columns.get("name", [])
    if not columns or not names:
        return False
    m = grid.merge_at(row, columns[0])
    return m is not None and m.left < columns[0] and m.covers(row, names[0])


def first_text(grid: Grid, row: int, header: Header, key: str) -> str:
    columns = header.columns.get(key, [])
    return header.value(grid, row, columns[0]) if columns else ""


def indicator_rows(grid: Grid, row: int, header: Header, levels: Levels, found: Found,
                   extra_remarks: bool = True) -> list[Indicator]:
    """The indicators of one row: none when it has no 三级 name, several when packed."""
    name = first_text(grid, row, header, "name")
    if not name or row_kind(grid, row, found) or runs_across(grid, row, header):
        return []
    level1, level2 = levels.read(grid, row, header, found)
    if rows.is_filler(name):
        return []  # a template row left empty (指标2:, ……, 本项目不适用此指标)
    values = {key: first_text(grid, row, header, key) for key in header.columns}
    for key in values:
        if key != "name" and spans_from_name(grid, row, header, key):
            values[key] = ""  # the 三级 cell runs over this column: it holds no value of its own
    recipient_target(grid, row, header, found, values)
    names = cells.split_packed_names(name)
    targets = [values.get("target", "")]
    if len(names) > 1:
        targets = cells.split_packed_values(values.get("target", ""), len(names))
        if len(targets) != len(names):
            found.warnings.append(
                f"{found.where(row, header.columns['name'][0])}: 一格中有 {len(names)} 个指标、{len(targets)} 个指标值，"
                "数目不一致，未拆分，整格保留为一个指标，请核对"
            )
            names, targets = [name], [values.get("target", "")]
        else:
            found.guesses.append(f"{found.where(row, header.columns['name'][0])}: 一格中的 {len(names)} 个指标与其指标值逐一拆开")
    result = []
    for one_name, target in zip(names, targets):
        one_name = rows.without_numbering(cells.strip_numbering(one_name))
        # A PDF wraps a long name at the cell's edge; in a workbook or a Word table the line break is the author's.
        one_name = unwrapped(one_name) if PAGE.match(grid.name) else one_name.strip()
        if len(names) > 1:
            bare, glued = cells.unglue(one_name)
            if glued:
                found.guesses.append(f"{found.where(row, header.columns['name'][0])}: 「{one_name}」末尾的「{glued}」是指标值，已从指标名称中去掉")
                one_name = bare
        result.append(build(grid, row, header, found, level1, level2, one_name, target, values, extra_remarks))
    return result


def recipient_target(grid: Grid, row: int, header: Header, found: Found, values: dict[str, str]) -> None:
    """Targets printed once per recipient (forms.recipient_columns): the same value in every column is
    the indicator's target; values that differ are no one target, each is kept in the remark
    (`笏石街道办：100%`) and the row is reported."""
    if len(header.recipients) < 2:
        return
    texts = {c: header.value(grid, row, c).strip() for c in header.recipients}
    if len({cells.squeeze(text) for text in texts.values()}) == 1:
        return  # values["target"] is the first column's, the same as the others
    values["target"] = ""
    each = [f"{cells.squeeze(header.labels[c])}：{text}" for c, text in texts.items() if text]
    values["remark"] = "；".join(part for part in (values.get("remark", "").strip(), *each) if part)
    found.warnings.append(f"{found.where(row, header.recipients[0])}: 各列（{'、'.join(cells.squeeze(header.labels[c]) for c in texts)}）"
                          "的目标值不同，没有一个共同的指标值：各列的值写入 remark，target 留空，请核对")


def build(grid: Grid, row: int, header: Header, found: Found, level1: str, level2: str, name: str,
          target_text: str, values: dict[str, str], extra_remarks: bool) -> Indicator:
    value = cells.unit_only(target_text) or cells.split_value(target_text)
    unit = values.get("unit", "").strip()
    op = value.op
    direction = kind = None
    for column in header.columns.get("sign", []):
        sign = header.value(grid, row, column)
        direction = direction or DIRECTIONS.get(cells.squeeze(sign))
        kind = kind or KINDS.get(cells.squeeze(sign))
        op = op or cells.op_of(sign)
    if value.unit and unit and value.unit != unit:
        value = cells.Value(value.op, target_text.strip(), "")  # two units: keep the cell as printed
        op = cells.op_of(next((grid.text(row, c) for c in header.columns.get("sign", [])), "")) or None
    unit = unit or value.unit
    target = target_of(value.target) if value.target else None
    score = points(values.get("score", "")) if values.get("score") else None
    earned = cells.decimal(values.get("earned", "")) if values.get("earned") else None
    actual_cell = cells.split_value(values.get("actual", "")) if values.get("actual") else None
    actual = None
    if actual_cell is not None:
        same_unit = actual_cell.unit in ("", unit) and not actual_cell.op
        actual = target_of(actual_cell.target if same_unit else values["actual"])
    remark = values.get("remark", "").strip()
    if extra_remarks:
        for column, label in header.extra.items():
            text = header.value(grid, row, column)
            if text and column > header.first_indicator_column and not is_computed(label):
                remark = "；".join(part for part in (remark, f"{cells.squeeze(label)}：{text}") if part)
    loc = found.loc(row, header.columns["name"][0])
    if kind is None:
        kind = "定量" if target is not None and target.is_numeric else "定性"
    return Indicator(
        level1=level1, level2=level2, name=name, op=op, target=target, unit=unit, direction=direction, kind=kind,
        score=score, explanation=values.get("explanation", "").strip(), scoring=values.get("scoring", "").strip(),
        loc=loc, locs={}, basis=values.get("basis", "").strip(), last_actual=target_of(values.get("last_actual", "")),
        remark=remark, actual=actual, earned=earned, deviation=values.get("deviation", "").strip(),
    )  # fmt: skip
