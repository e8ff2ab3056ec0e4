"""The key tables of docs/content-format.md, written from the declarations (vocab/fields.yaml).

Each table sits between `<!-- keys: <spec> … -->` and `<!-- /keys -->`: one row a field, its key,
label, whether it is required (a column only when the spec has a required field) and its `doc`.
`python -m sitegen.model.keytables docs/content-format.md` rewrites them; tests/test_docs.py fails
when the file is not what this writes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from sitegen.content.fields import Field, Spec
from sitegen.model.specs import ALL

MARKED = re.compile(r"(<!-- keys: (?P<spec>[a-z_]+)[^>]*-->\n)(?P<table>.*?)(<!-- /keys -->)", re.S)
REQUIRED = {True: "是 yes", "warn": "缺少时警告 warning", False: "否 no"}


def row(f: Field, with_required: bool) -> str:
    cells = [f"`{f.key}`", f.label, *([REQUIRED[f.required]] if with_required else []), f.doc]
    return ("| " + " | ".join(cells) + " |").replace("|  |", "| |")


def key_table(spec: Spec) -> str:
    with_required = any(f.required for f in spec.fields)
    header = ["键 key", "中文", *(["必填 required"] if with_required else []), "说明 / meaning"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join([*lines, *(row(f, with_required) for f in spec.fields)]) + "\n"


def written(text: str) -> str:
    """The document with every marked table as the declarations write it."""
    return MARKED.sub(lambda m: m.group(1) + key_table(ALL[m.group("spec")]) + m.group(4), text)


def main(argv: list[str]) -> int:
    path = Path(argv[0] if argv else "docs/content-format.md")
    text = path.read_text(encoding="utf-8")
    path.write_text(written(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
