"""Every character a cell may hold goes through the YAML writer and loads back as it was:
control characters, DEL and C1, the characters YAML reads as line breaks (U+0085, U+2028,
U+2029), the byte-order mark, the non-characters; in names, goals, multi-line notes,
indicator cells, flow keys and the source comment."""

from __future__ import annotations

import copy

import pytest
import yaml

from sitegen.checks.pipeline import load_content
from sitegen.content.fields import Target
from sitegen.importers import writer
from sitegen.model import Project
from tests.conftest import MINIMAL, write_tree

HOSTILE = [chr(c) for c in range(0x20) if c != 0x0A] + ["\x7f"] + [chr(c) for c in range(0x80, 0xA0)] + [
    "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff", "\\", '"', "'", "#", ": ", " #", "\r\n"]


def project(tmp_path, text: str) -> Project:
    """The minimal tree's project, loaded by sitegen, with `text` in its cells."""
    loaded = load_content(write_tree(tmp_path / "base", MINIMAL))
    [p] = [copy.copy(p) for uy in loaded.content.unit_years() for p in uy.projects]
    p.name, p.goals, p.notes = f"项目{text}名称", [f"目标{text}", f"{text}开头"], f"第一行{text}\n第二行{text}\n"
    i = copy.copy(p.indicators[0])
    i.name, i.target, i.unit = f"指标{text}", Target(f"完成{text}", None), f"次{text}"
    p.indicators = [i]
    return p


@pytest.mark.parametrize("ch", HOSTILE, ids=[f"U+{ord(c[0]):04X}" if len(c) == 1 else repr(c) for c in HOSTILE])
def test_every_character_loads_back_as_it_was(tmp_path, ch):
    text = writer.project_yaml([f"由 sitegen import 导入：表{ch}.xlsx 表{ch}1 第 1–2 行"], project(tmp_path, ch))
    assert writer.RAW_UNSAFE.search(text.replace("\n", "")) is None  # printable text and line breaks only
    data = yaml.safe_load(text)
    assert data["name"] == f"项目{ch}名称" and data["goals"] == [f"目标{ch}", f"{ch}开头"]
    assert data["notes"] == f"第一行{ch}\n第二行{ch}\n"
    assert data["indicators"][0]["name"] == f"指标{ch}" and data["indicators"][0]["unit"] == f"次{ch}"
    assert data["indicators"][0]["target"] == f"完成{ch}"
    # And through sitegen's own loader: the same strings in the model.
    root = write_tree(tmp_path / "c", {**MINIMAL, "u1/2024/p1.yaml": text})
    loaded = load_content(root)
    [p] = [p for uy in loaded.content.unit_years() for p in uy.projects]
    assert p.name == f"项目{ch}名称" and p.indicators[0].name == f"指标{ch}"
    assert p.notes.rstrip("\n") == f"第一行{ch}\n第二行{ch}\n".rstrip("\n")


def test_a_line_break_in_a_file_name_stays_in_the_comment(tmp_path):
    text = writer.project_yaml(["由 sitegen import 导入：a\nname: 注入\u2028budget: 1.xlsx"], project(tmp_path, "x"))
    assert yaml.safe_load(text)["name"] == "项目x名称"
    assert text.splitlines()[0] == "# 由 sitegen import 导入：a\\nname: 注入\\u2028budget: 1.xlsx"
