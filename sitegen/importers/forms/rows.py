"""What a row of a table is, said explicitly: header, indicator, template filler, note, total,
signature line … (vocabulary.yaml, `rows`), and the template material taken out of names.

Real forms print their template inside the cells that carry names: `指标1:` before a 三级 name,
`产出指标(50分)` for a 一级 name, rows left empty (`指标2:`, `……`, `本项目不适用此指标`), a `注：…`
footer merged across the table, `填报人：…` under it. None of that is an indicator
(content-format.md, "What an import keeps out of names").
"""

from __future__ import annotations

import re
from decimal import Decimal

from sitegen.importers.cells import norm, squeeze
from sitegen.importers.labels import words

FILLER = frozenset(squeeze(word) for word in words("rows", "filler"))
NOTE_WORDS = tuple(sorted((squeeze(word) for word in words("rows", "notes")), key=len, reverse=True))
SIGNATURE_WORDS = tuple(sorted((squeeze(word) for word in words("rows", "signature")), key=len, reverse=True))

# Template numbering before a name: 指标1: · 指标 1： · 1、 · 1. · （1） · (1) · ①
TEMPLATE_NUMBER = re.compile(r"^\s*(?:指标\s*\d{1,2}\s*[:：.、]?|[一二三四五六七八九十]{1,3}\s*[、．.]|[（(]\s*\d{1,2}\s*[)）]\s*[、.．:：]?|\d{1,2}\s*[、．:：]|\d{1,2}\s*\.(?!\d)|[①-⑳])\s*")
# A printed weight after a level name: 产出指标(50分), 产出指标\n（50分）, 产出指标（权重50%）
WEIGHT = re.compile(r"\s*[(（]\s*(?:权重|分值)?\s*[:：]?\s*([\d０-９]+(?:[.．][\d０-９]+)?)\s*(?:分|%|％)\s*[)）]\s*$")
DOTS = re.compile(r"^[.。…·、\-—－_/\\*]+$")


def without_numbering(name: str) -> str:
    """`指标1:安置小区物业费` → 安置小区物业费; `（1）…`, `1、…` the same."""
    return TEMPLATE_NUMBER.sub("", name, count=1).strip()


def level_name(text: str) -> tuple[str, Decimal | None]:
    """`产出指标\\n(50分)` → (产出指标, 50): the name without the weight the template printed after it."""
    match = WEIGHT.search(text)  # on the text as printed: the name keeps its own characters
    if not match:
        return text.strip(), None
    return text[: match.start()].strip(), Decimal(norm(match.group(1)))


HINT = re.compile(r"[(（]\s*\d+\s*字(?:以内|以下|左右)\s*[)）]\s*$")


def is_hint(text: str) -> bool:
    """The template's instruction left in a cell (`结合自评情况,说明项目自评总分…(200字以内)`): not the author's."""
    return bool(HINT.search(text.strip()))


PLACEHOLDERS = tuple(squeeze(word) for word in words("rows", "placeholders"))


def is_placeholder(text: str) -> bool:
    """A template's stand-in for a value (县(市、区)教育部门, ××单位): not a value of the author's."""
    squeezed = squeeze(text)
    return any(word in squeezed for word in PLACEHOLDERS)


def is_filler(name: str) -> bool:
    """A 三级 cell of a template row left empty: `指标2:`, `……`, `/`, `无`, 本项目不适用此指标."""
    bare = squeeze(without_numbering(name))
    return not bare or bare in FILLER or bool(DOTS.match(bare))


def starts_with(text: str, options: tuple[str, ...]) -> str | None:
    squeezed = squeeze(text)
    return next((word for word in options if squeezed.startswith(word)), None)


def note_text(text: str) -> str | None:
    """A note printed in the table (`注：1.…`, `填报说明：…`, `其他需要说明事项`): its text without the
    label; None for any other text. A bare label with nothing after it gives ''."""
    word = starts_with(text, NOTE_WORDS)
    if word is None:
        return None
    squeezed = squeeze(text)
    rest = squeezed[len(word):]
    if rest and rest[0] not in ":：" and not rest[0].isdigit() and word in ("注", "说明"):
        return None  # 注册…, 说明书…: a word, not the label
    pattern = r"^\s*" + r"\s*".join(map(re.escape, word)) + r"\s*[:：]?\s*"
    return re.sub(pattern, "", text.strip(), count=1).strip()  # the note as printed, only its label off


def is_signature(text: str) -> bool:
    """填报人：… · 联系电话：… · 审核人 …: a line under the form, never data."""
    word = starts_with(text, SIGNATURE_WORDS)
    if word is None:
        return False
    rest = squeeze(text)[len(word):]
    return not rest or rest[0] in ":：(（"  # 填报人：张三, 联系电话(办公)…; not 负责人培训

