"""What an import did and guessed, as lines for the person who ran it."""

from __future__ import annotations

from dataclasses import dataclass, field


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

    def text(self, dry_run: bool) -> str:
        lines: list[str] = []
        sections = (
            ("读取", self.read), ("推断", self.guesses), ("跳过", self.skipped), ("警告", self.warnings),
            ("冲突", self.conflicts), ("检查", self.check),
            ("将写入" if dry_run else "已写入", self.written), ("未变", self.unchanged),
        )  # fmt: skip
        for title, items in sections:
            lines += [f"{title}：{item}" for item in items]
        return "\n".join(lines)
