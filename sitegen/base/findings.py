"""Where a value came from, and what the checks found there.

Every stage reports through `Findings`, so the CLI prints one list, sorted, in
one format: `path:line:col: error|warning: message [code]`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Iterator, NamedTuple

ERROR = "error"
WARNING = "warning"
QUOTE_LIMIT = 40  # characters of a quoted value in a message; a whole file's text is no help


def shorten(text: object, limit: int = QUOTE_LIMIT) -> str:
    """`text` on one line (a finding is one line) and at most `limit` characters, cut with …."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


UNSEEN = ("Cc", "Cf", "Cs", "Zl", "Zp")  # control and format characters, line and paragraph separators


def visible(text: str) -> str:
    """`text` with every character a terminal would act on or break the line at written as an
    escape (\\x1b, \\u2028): a name or cell quoted in a one-line message stays one line, and
    an escape sequence in it is shown, not run."""
    if text.isprintable():
        return text
    return "".join(escaped(ch) if unicodedata.category(ch) in UNSEEN else ch for ch in text)


def escaped(ch: str) -> str:
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def quoted(text: object, limit: int = QUOTE_LIMIT) -> str:
    """A value as messages quote it: 「…」, shortened."""
    return f"「{shorten(text, limit)}」"


class Loc(NamedTuple):
    """A position in a content file; line and column count from 1.

    A tuple, not a dataclass: the loader makes one for every YAML node, and
    a frozen dataclass's __init__ costs five times as much.
    """

    file: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Finding:
    level: str  # ERROR or WARNING
    code: str  # stable English rule name, e.g. "unknown-key"
    message: str  # Chinese, naming the English key
    loc: Loc
    path: str = ""  # the YAML path, e.g. "indicators[3].target"

    def format(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.loc}: {self.level}: {where}{self.message} [{self.code}]"

    def as_dict(self) -> dict:
        return {
            "file": self.loc.file,
            "line": self.loc.line,
            "column": self.loc.col,
            "level": self.level,
            "code": self.code,
            "path": self.path,
            "message": self.message,
        }


@dataclass
class Findings:
    """An ordered collection of findings; stages append, nobody removes."""

    items: list[Finding] = field(default_factory=list)

    def error(self, code: str, message: str, loc: Loc, path: str = "") -> None:
        self.items.append(Finding(ERROR, code, message, loc, path))

    def warning(self, code: str, message: str, loc: Loc, path: str = "") -> None:
        self.items.append(Finding(WARNING, code, message, loc, path))

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.items if f.level == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.items if f.level == WARNING]

    def sorted(self) -> list[Finding]:
        return sorted(self.items, key=lambda f: (f.loc, f.level, f.code, f.path, f.message))

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)
