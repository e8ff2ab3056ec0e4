"""Place names as a reader types them: a unit's region cut into its divisions (内蒙古自治区 |
乌海市), the town its name begins with (棠溪镇), and each name's short form without its ending
(乌海市 → 乌海, 海北藏族自治州 → 海北). The search index carries them as the `place` filter
(render/search.py); static/places.js reads the same vocabulary (vocab/places.yaml) to match a
query against the filter's values.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml


@lru_cache(maxsize=1)
def vocabulary() -> dict:
    text = resources.files("sitegen.render").joinpath("vocab/places.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {"suffixes": sorted(data["suffixes"], key=len, reverse=True),
            "town_suffixes": list(data["town_suffixes"]),
            "peoples": sorted(data["peoples"], key=len, reverse=True), "short_min": int(data["short_min"]),
            "loose_endings": list(data["loose_endings"])}


def first_division(text: str) -> str | None:
    """The shortest leading part of `text` (two characters at least) that ends as a division's name."""
    suffixes = vocabulary()["suffixes"]
    for end in range(2, len(text) + 1):
        head = text[:end]
        if any(head.endswith(s) and len(head) > len(s) for s in suffixes):
            return head
    return None


def divisions(region: str) -> list[str]:
    """内蒙古自治区乌海市 → [内蒙古自治区, 乌海市]; what follows the last division's name is left out."""
    parts: list[str] = []
    rest = "".join(region.split())
    while rest and (part := first_division(rest)):
        parts.append(part)
        rest = rest[len(part):]
    return parts


def places(name: str, region: str) -> list[str]:
    """The divisions of a unit's region, then the towns its name names after them
    (池州市贵池区棠溪镇人民政府 in 安徽省池州市贵池区: 安徽省, 池州市, 贵池区, 棠溪镇)."""
    found = divisions(region)
    towns = vocabulary()["town_suffixes"]
    rest, known = "".join(name.split()), False
    while rest and (part := first_division(rest)):
        if part in found:
            known = True
        elif not (known and any(part.endswith(t) for t in towns) and len(part) <= 8):
            break
        elif part not in found:
            found.append(part)
        rest = rest[len(part):]
    return found


def short_name(place: str) -> str:
    """乌海市 → 乌海, 内蒙古自治区 → 内蒙古, 海北藏族自治州 → 海北, 浦东新区 → 浦东 but 祁新区 →
    祁新 (the longest ending that leaves short_min characters); a name that would be left with
    fewer than short_min characters is kept whole (沙县)."""
    vocab = vocabulary()
    short = place
    for suffix in vocab["suffixes"]:
        if short.endswith(suffix) and len(short) - len(suffix) >= vocab["short_min"]:
            short = short[: -len(suffix)]
            break
    stripped = True
    while stripped:
        stripped = False
        for people in vocab["peoples"]:
            if short.endswith(people) and len(short) - len(people) >= vocab["short_min"]:
                short, stripped = short[: -len(people)], True
    return short  # each cut above leaves short_min characters: 沙县 is never cut at all


def search_words(name: str, region: str) -> list[str]:
    """Each place of a unit and its short name, once each, for the index's weighted text."""
    words: list[str] = []
    for place in places(name, region):
        for word in (place, short_name(place)):
            if word not in words:
                words.append(word)
    return words
