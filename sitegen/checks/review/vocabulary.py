"""The review's word lists and patterns (vocabulary.yaml), and what they say of an indicator:
its kinds, whether its target is measurable, and its identity among peers (contract 2.1)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from sitegen.model import Indicator

VOCABULARY = Path(__file__).with_name("vocabulary.yaml")
PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)  # spaces and punctuation: not part of a name


@dataclass(frozen=True)
class Vocabulary:
    level1_kinds: tuple[tuple[re.Pattern, str], ...]
    level2_kinds: tuple[tuple[re.Pattern, str, str], ...]
    measured_classes: frozenset[str]
    number: re.Pattern
    not_a_target: re.Pattern
    graded: re.Pattern
    vague_hints: dict[str, str]
    input_names: re.Pattern
    not_input_names: re.Pattern
    money_units: frozenset[str]
    satisfaction_names: re.Pattern
    quality_names: re.Pattern
    process_names: re.Pattern
    cost_dimension_from: int
    low_execution: int
    always_met_floor: int
    always_met_years: int
    survey_words: re.Pattern
    percent_units: frozenset[str]
    numbering: re.Pattern


@cache
def vocabulary() -> Vocabulary:
    raw = yaml.safe_load(VOCABULARY.read_text(encoding="utf-8"))
    pattern = re.compile
    return Vocabulary(
        level1_kinds=tuple((pattern(p), kind) for p, kind in raw["level1_kinds"]),
        level2_kinds=tuple((pattern(p), kind, cls) for p, kind, cls in raw["level2_kinds"]),
        measured_classes=frozenset(raw["measured_classes"]),
        number=pattern(raw["number"]),
        not_a_target=pattern(raw["not_a_target"]),
        graded=pattern(raw["graded"]),
        vague_hints=dict(raw["vague_hints"]),
        input_names=pattern(raw["input_names"]),
        not_input_names=pattern(raw["not_input_names"]),
        money_units=frozenset(raw["money_units"]),
        satisfaction_names=pattern(raw["satisfaction_names"]),
        quality_names=pattern(raw["quality_names"]),
        process_names=pattern(raw["process_names"]),
        cost_dimension_from=int(raw["cost_dimension_from"]),
        low_execution=int(raw["low_execution"]),
        always_met_floor=int(raw["always_met_floor"]),
        always_met_years=int(raw["always_met_years"]),
        survey_words=pattern(raw["survey_words"]),
        percent_units=frozenset(raw["percent_units"]),
        numbering=pattern(raw["numbering"]),
    )


def flat(text: str) -> str:
    """NFKC, spaces removed: the form every pattern is matched against."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def level1_class(indicator: Indicator) -> str | None:
    """产出, 效益, 满意度 or 成本: the standard 一级 kind the written name contains."""
    return level1_kind(indicator.level1)


# By the written name, once: the rules ask each indicator's kinds several times, and a site writes
# few different 一级/二级 names.
@cache
def level1_kind(text: str) -> str | None:
    name = flat(text)
    return next((kind for p, kind in vocabulary().level1_kinds if p.search(name)), None)


@cache
def level2_kind(text: str) -> tuple[str, str] | None:
    """(二级 kind, class): (社会成本, 成本), (数量, 数量), (社会效益, 效益) …; None when unknown."""
    name = flat(text)
    return next(((kind, cls) for p, kind, cls in vocabulary().level2_kinds if p.search(name)), None)


def level2_class(indicator: Indicator) -> str | None:
    found = level2_kind(indicator.level2)
    return found[1] if found else None


def is_cost(indicator: Indicator) -> bool:
    return level1_class(indicator) == "成本" or level2_class(indicator) == "成本"


def is_satisfaction(indicator: Indicator) -> bool:
    return (level1_class(indicator) == "满意度" or level2_class(indicator) == "满意度"
            or bool(vocabulary().satisfaction_names.search(flat(indicator.name))))


def is_percent(unit: str) -> bool:
    return flat(unit) in vocabulary().percent_units


def name_key(name: str) -> str:
    """A 三级 name as peers compare it: NFKC, template numbering and punctuation removed
    (a trailing 率/数/量 is part of the name and stays)."""
    text = flat(name)
    text = vocabulary().numbering.sub("", text)
    return PUNCTUATION.sub("", text)


def identity(indicator: Indicator) -> str:
    """The same indicator across units and years: the 三级 name's key and the 二级 kind."""
    kind = level2_kind(indicator.level2)
    return f"{kind[0] if kind else flat(indicator.level2)}|{name_key(indicator.name)}"


def more_is_better(indicator: Indicator) -> bool | None:
    """The indicator's direction, in the order the judgement reads them (model.targets.is_met): its
    op as written, else its direction, else the contract's 推定 (at most for 成本, at least for
    every other kind); None for `=`."""
    if indicator.op in (">=", ">"):
        return True
    if indicator.op in ("<=", "<"):
        return False
    if indicator.op == "=":
        return None
    if indicator.direction:
        return indicator.direction == "正向"
    return not is_cost(indicator)
