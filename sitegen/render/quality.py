"""The /quality/ page for readers: the checks' warnings grouped by rule, money and judgement
problems first (vocab/quality.yaml), each in words without the content format's key names, and
near-identical warnings of one table (the same problem for each of its indicators) as one row
with a count. The checks' codes and own wording stay available in a details element."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

# A content key in a message: target, score_total, evaluation.stated_total, indicators[3].
KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])?(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
# What names one indicator in a message: 三级指标「…」 with what follows it.
INDICATOR = re.compile(r"三级指标「([^」]*)」[：:]?")


@lru_cache(maxsize=1)
def vocabulary() -> list[dict]:
    text = resources.files("sitegen.render").joinpath("vocab/quality.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["groups"]


def plain_words(message: str) -> str:
    """The message without the format's key names: 缺少目标值（target） → 缺少目标值,
    （funds：资金总额、…） → （资金总额、…）."""
    key = KEY.pattern
    text = re.sub(rf"[（(]\s*{key}\s*[)）]", lambda m: "\0" if re.search(r"[a-z]", m.group()) else m.group(), message)
    text = re.sub(rf"(?<![A-Za-z0-9_]){key}\s*[：:]?\s*", lambda m: "" if re.search(r"[a-z]", m.group()) else m.group(), text)
    text = re.sub(r"\0(?=\d)", " ", text).replace("\0", "")
    text = re.sub(r"[（(]\s*[)）]", "", text)
    return re.sub(r"\s{2,}", " ", text).strip()


@dataclass
class Row:
    """Warnings of one rule on one table that say the same but for the indicator they name."""

    problem: object  # the first (render/html.py Problem)
    text: str
    indicators: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.messages)


@dataclass
class Rule:
    code: str
    title: str
    rows: list[Row]

    @property
    def count(self) -> int:
        return sum(row.count for row in self.rows)


@dataclass
class Group:
    title: str
    about: str
    rules: list[Rule]

    @property
    def count(self) -> int:
        return sum(rule.count for rule in self.rules)


QUOTED = re.compile(r"「[^」]*」")


def rows_of(problems: list) -> list[Row]:
    """One row per table and way of saying it: the warnings that differ only in what they quote
    (the indicator, the level name written) are one row, each quoted place listing its values."""
    rows: dict[tuple, Row] = {}
    quoted: dict[tuple, list[list[str]]] = {}
    for problem in problems:
        message = problem.finding.message
        names = INDICATOR.findall(message)
        text = plain_words(INDICATOR.sub("", message, count=1) if names else message)
        key = (id(problem.unit_year), id(problem.project), problem.overall, QUOTED.sub("「」", text))
        row = rows.setdefault(key, Row(problem, text))
        row.indicators += [name for name in names[:1] if name not in row.indicators]
        row.messages.append(message)
        found = QUOTED.findall(text)
        slots = quoted.setdefault(key, [[] for _ in found])
        for slot, value in zip(slots, found):
            if value not in slot:
                slot.append(value)
    for key, row in rows.items():
        values = iter(quoted[key])
        row.text = QUOTED.sub(lambda _: "、".join(next(values)), key[3])
    return list(rows.values())


def quality_groups(problems: list, fallback_titles: dict[str, str]) -> list[Group]:
    """The groups in the vocabulary's order, then a group of the rules it does not list; only
    rules that have warnings, each rule's rows in the order the checks reported them."""
    by_code: dict[str, list] = {}
    for problem in problems:
        by_code.setdefault(problem.finding.code, []).append(problem)
    groups, listed = [], set()
    for entry in vocabulary():
        rules = [Rule(code, title, rows_of(by_code[code])) for code, title in entry["rules"].items() if code in by_code]
        listed.update(entry["rules"])
        if rules:
            groups.append(Group(entry["title"], entry["about"], rules))
    others = [Rule(code, plain_words(fallback_titles.get(code, code)), rows_of(found))
              for code, found in by_code.items() if code not in listed]
    if others:
        groups.append(Group("其他提示", "", others))
    return groups
