"""What an import did and guessed, as lines for the person who ran it."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

# `a.xlsx 表1!C7: 项目「x」的预算数「y」不是数字…`: the place, then the message.
PLACED = re.compile(r"^(?P<file>.+?) (?P<cell>[^ :]*![A-Z]+\d+|第\s*\d+(?:–\d+)?\s*行): (?P<message>.+)$")
QUOTED = re.compile(r"「[^「」]*」")


@dataclass
class Report:
    read: list[str] = field(default_factory=list)  # each file: its type and tables
    guesses: list[str] = field(default_factory=list)  # what was inferred, and from where
    warnings: list[str] = field(default_factory=list)  # what the author should look at
    skipped: list[str] = field(default_factory=list)  # tables that are no goals table
    conflicts: list[str] = field(default_factory=list)  # files that differ from what exists
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    check: list[str] = field(default_factory=list)  # sitegen check on the imported tree
    failed: list[str] = field(default_factory=list)  # why nothing was imported
    replaced: list[str] = field(default_factory=list)  # existing files the import replaced
    backup: Path | None = None  # where the replaced files are kept
    files: list[str] = field(default_factory=list)  # a folder's import: each file's outcome and lines


    def text(self, dry_run: bool) -> str:
        lines: list[str] = list(self.files)
        sections = (
            ("读取", self.read), ("推断", self.guesses), ("跳过", self.skipped), ("警告", grouped(self.warnings)),
            ("冲突", self.conflicts), ("检查", self.check), ("未导入", self.failed),
            ("将写入" if dry_run else "已写入", self.written), ("未变", self.unchanged), ("备份", self.backup_lines()),
        )  # fmt: skip
        for title, items in sections:
            lines += [f"{title}：{item}" for item in items]
        return "\n".join(lines)

    def backup_lines(self) -> list[str]:
        if not self.backup or not self.replaced:
            return []
        into = self.backup.parent.parent
        return [f"被替换的 {len(self.replaced)} 个文件原样保存在 {self.backup}/；恢复：cp -a {shlex.quote(str(self.backup))}/. "
                f"{shlex.quote(str(into))}/（本次新建的文件需另行删除）"]


def grouped(warnings: list[str]) -> list[str]:
    """One line per kind of warning and file, with the places listed, not one line per row: the
    kind is the message with its quoted values (「…」) left out."""
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    order: list[tuple[str, str] | str] = []
    for line in warnings:
        match = PLACED.match(line)
        if not match:
            order.append(line)
            continue
        key = (match["file"], QUOTED.sub("「…」", match["message"]))
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append((match["cell"], match["message"]))
    lines = []
    for key in dict.fromkeys(order):
        if isinstance(key, str):
            lines.append(key)
            continue
        places = groups[key]
        if len(places) == 1:
            lines.append(f"{key[0]} {places[0][0]}: {places[0][1]}")
            continue
        shown = "、".join(cell + "".join(QUOTED.findall(message)) for cell, message in places)
        lines.append(f"{key[0]}: {key[1]}（{len(places)} 处：{shown}）")
    return lines
