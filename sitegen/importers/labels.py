"""The header labels real tables print, region by region, and the key each stands for.

The words are data: vocabulary.yaml beside this file, which a maintainer extends without touching
Python. A column is found by its label, never by its position. Labels are compared without spaces,
line breaks, full-width forms, a money unit in brackets (`金额（万元）` is 金额, and says 万元), a
trailing colon or a leading `*`; a label cut short on the printed page (`一级指`, `绩`) or one with
words around it (`本年度绩效目标值`) is matched too, less surely than an exact one (`Match.score`),
so that a header can give each column the field it matches best.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from sitegen.importers.cells import squeeze
from sitegen.importers.vocabulary import VOCABULARY


def entry(*path: str):
    """The vocabulary's node at this path of keys (`entry("declaration", "keys")`)."""
    node = VOCABULARY
    for step in path:
        node = node[step]
    return node


def table(*path: str) -> dict[str, tuple[str, ...]]:
    """A field → labels table of the vocabulary (`table("indicator")`, `table("declaration", "keys")`)."""
    return {str(key): tuple(str(label) for label in labels) for key, labels in entry(*path).items()}


def words(*path: str) -> tuple[str, ...]:
    return tuple(str(word) for word in entry(*path))


INDICATOR = table("indicator")
PROJECT = table("project")
FLAT_CELLS = table("flat_cells")
COMPUTED = words("computed")
TOTALS = words("totals")
SHORT = {str(k): str(v) for k, v in VOCABULARY["short"].items()}

BRACKETED_UNIT = re.compile(r"[(（]\s*(万元|元)\s*[)）]")
# A declaration prints its two indicator groups as 二级指标(长期) … 二级指标(年度): the same column.
BRACKETED_PERIOD = re.compile(r"[(（]\s*(长期|中期|年度|当年)\s*[)）]$")
# A qualifier after a label: `年度指标值(A)`, `分值(%)`, `产出指标(50分)`.
BRACKETED_TAIL = re.compile(r"\([^()]*\)$")
BRACKETED = re.compile(r"\([^()]*\)")
TRAILING = re.compile(r"[:：*＊]+$")
LEADING = re.compile(r"^[*＊★☆]+")  # 湖南: `*指标值`, `*部门(单位)职责` mark the required cells


def label_text(text: str) -> str:
    """The label as compared: no spaces, half-width, no money unit in brackets, no trailing colon."""
    return BRACKETED_PERIOD.sub("", LEADING.sub("", TRAILING.sub("", BRACKETED_UNIT.sub("", squeeze(text)))))


@dataclass(frozen=True)
class Match:
    """A header cell read as a field: which label of the vocabulary it matched, and how."""

    key: str
    label: str
    how: str  # 完全一致, 去掉括号, 缩写, 截短, 包含
    score: int  # 5 exact … 1 contained: the better match keeps the field


class Labels:
    """One field → labels table, indexed for the tolerant match."""

    def __init__(self, fields: dict[str, tuple[str, ...]]):
        self.exact = {label_text(label): key for key, labels in fields.items() for label in labels}
        self.saved: dict[str, str] = {}  # the vocabulary's own labels while a --map's are added
        self.by_length = sorted(self.exact.items(), key=lambda item: -len(item[0]))

    @lru_cache(maxsize=4096)
    def match(self, text: str) -> Match | None:
        squeezed = label_text(text)
        if not squeezed:
            return None
        if squeezed in self.exact:
            return Match(self.exact[squeezed], squeezed, "完全一致", 5)
        bare = BRACKETED_TAIL.sub("", squeezed)
        if bare and bare in self.exact:
            return Match(self.exact[bare], bare, "去掉括号", 4)
        unbracketed = BRACKETED.sub("", squeezed)  # 年度(/项目)指标值: a bracket inside the label
        if unbracketed and unbracketed in self.exact:
            return Match(self.exact[unbracketed], unbracketed, "去掉括号", 4)
        if squeezed in SHORT and label_text(SHORT[squeezed]) in self.exact:
            full = label_text(SHORT[squeezed])
            return Match(self.exact[full], full, "缩写", 3)
        return self.prefix(bare or squeezed) or self.contained(bare or squeezed)

    def prefix(self, text: str) -> Match | None:
        """A label cut short on the printed page: the start of labels of one field only."""
        if len(text) < 3:
            return None
        keys = {key for label, key in self.exact.items() if label.startswith(text) and len(text) * 2 >= len(label)}
        if len(keys) != 1:
            return None
        key = keys.pop()
        label = min((label for label, k in self.exact.items() if k == key and label.startswith(text)), key=len)
        return Match(key, label, "截短", 2)

    def contained(self, text: str) -> Match | None:
        """A label with words around it (`本年度绩效目标值`): the longest label inside a short cell."""
        if len(text) > 14:
            return None  # a sentence, not a heading
        for label, key in self.by_length:
            if len(label) >= 3 and label in text and len(text) <= 2 * len(label) + 3:
                return Match(key, label, "包含", 1)
        return None


INDICATOR_LABELS = Labels(INDICATOR)
PROJECT_LABELS = Labels(PROJECT)
FLAT_CELL_LABELS = Labels(FLAT_CELLS)


def indicator_key(text: str) -> str | None:
    found = INDICATOR_LABELS.match(text)
    return found.key if found else None


def project_key(text: str) -> str | None:
    found = PROJECT_LABELS.match(text)
    return found.key if found else None


def flat_cell_key(text: str) -> str | None:
    found = FLAT_CELL_LABELS.exact.get(label_text(text))
    return found


@lru_cache(maxsize=None)
def label_set(labels: tuple[str, ...]) -> frozenset[str]:
    """These labels as compared (label_text), worked out once for each tuple of the vocabulary."""
    return frozenset(label_text(one) for one in labels)


def is_label(text: str, labels: tuple[str, ...]) -> bool:
    """The text is one of these labels (exactly, without a bracketed tail, or as a known abbreviation)."""
    squeezed = label_text(text)
    options = label_set(labels)
    return (squeezed in options or BRACKETED_TAIL.sub("", squeezed) in options
            or squeezed in SHORT and label_text(SHORT[squeezed]) in options)


def key_in(text: str, fields: dict[str, tuple[str, ...]]) -> str | None:
    """The field of `fields` whose labels include the text (is_label), or None."""
    return next((key for key, labels in fields.items() if is_label(text, labels)), None)


def is_computed(text: str) -> bool:
    return is_label(text, COMPUTED)


def is_total(text: str) -> bool:
    """合计 / 总计 / 合 计 rows."""
    return label_text(text) in label_set(TOTALS)


# ---------------------------------------------------------------- --map: a table nobody has seen

FORMS = ("flat", "per-project", "declaration", "evaluation", "overall")


@dataclass
class Mapping:
    """What `sitegen import --map FILE` says about a table: its labels' fields, its header row, its form."""

    labels: dict[str, str]
    header_row: int | None = None  # the indicator header's (last) row, from 1 as printed
    form: str | None = None
    source: str = ""


MAPPING: Mapping | None = None  # the --map of the import under way (one import a process at a time)


def read_mapping(path: Path) -> Mapping:
    """The --map file: `labels: {label as printed: field}`, optional `header_row` and `form`."""
    from sitegen.importers.grid import BadInput

    shown = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{shown}: 无法读取 --map 文件：{getattr(exc, 'strerror', None) or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BadInput(f"{shown}" + (f" 第 {mark.line + 1} 行" if mark else "") + ": --map 文件不是有效的 YAML") from None
    if not isinstance(data, dict) or not isinstance(data.get("labels"), dict):
        raise BadInput(f"{shown}: --map 文件应有 labels（表头文字: 字段名），如 labels: {{考核内容: name, 预期值: target}}")
    unknown = sorted(set(data) - {"labels", "header_row", "form"})
    if unknown:
        raise BadInput(f"{shown}: --map 文件中的键「{unknown[0]}」不认识（可用 labels、header_row、form）")
    fields = set(INDICATOR) | set(PROJECT)
    labels = {}
    for label, key in data["labels"].items():
        if str(key) not in fields:
            raise BadInput(f"{shown}: labels 中「{label}」的字段「{key}」不认识（可用：{'、'.join(sorted(fields))}）")
        labels[str(label)] = str(key)
    row = data.get("header_row")
    if row is not None and (not isinstance(row, int) or isinstance(row, bool) or row < 1):
        raise BadInput(f"{shown}: header_row 应是表头所在的行号（从 1 起），不是「{row}」")
    form = data.get("form")
    if form is not None and form not in FORMS:
        raise BadInput(f"{shown}: form「{form}」不认识（可用：{'、'.join(FORMS)}）")
    return Mapping(labels, row, form, shown)


class using_mapping:
    """`with using_mapping(path):` the import reads the --map's labels as the vocabulary's own (they win)."""

    def __init__(self, path: Path | None):
        self.mapping = read_mapping(path) if path is not None else None

    def __enter__(self) -> Mapping | None:
        global MAPPING
        if self.mapping is not None:
            MAPPING = self.mapping
            for labels in (INDICATOR_LABELS, PROJECT_LABELS):
                labels.saved = dict(labels.exact)
                fields = INDICATOR if labels is INDICATOR_LABELS else PROJECT
                labels.exact.update({label_text(label): key for label, key in self.mapping.labels.items() if key in fields})
                labels.match.cache_clear()
        return self.mapping

    def __exit__(self, *exc) -> None:
        global MAPPING
        if self.mapping is not None:
            MAPPING = None
            for labels in (INDICATOR_LABELS, PROJECT_LABELS):
                labels.exact = labels.saved
                labels.match.cache_clear()


def form_allowed(form: str) -> bool:
    """The --map's form, when it names one, is the only form tried."""
    return MAPPING is None or MAPPING.form in (None, form)
