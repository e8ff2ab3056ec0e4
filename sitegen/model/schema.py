"""JSON Schemas for editors, generated from the model's specs (`sitegen schema`)."""

from __future__ import annotations

import json
from pathlib import Path

from sitegen.base.errors import SitegenError
from sitegen.model import SPECS

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_document(name: str) -> dict:
    spec = SPECS[name]
    return {"$schema": DIALECT, "$id": f"{name}.schema.json", **spec.json_schema()}


def schema_texts() -> dict[str, str]:
    """File name → JSON text, for every file type an agency writes."""
    return {
        f"{name}.schema.json": json.dumps(schema_document(name), ensure_ascii=False, indent=2) + "\n"
        for name in SPECS
    }


class SchemaError(SitegenError):
    """A schema file cannot be written without destroying someone else's file."""


def write_schemas(out_dir: Path) -> list[Path]:
    """Write every schema; an existing file is replaced only when it is one of sitegen's
    schemas (checked for all of them before anything is written)."""
    texts = schema_texts()
    for file_name in texts:
        path = out_dir / file_name
        if path.is_symlink() or (path.exists() and not is_own_schema(path)):
            raise SchemaError(f"{path} 已存在且不是 sitegen 生成的 schema（或是符号链接），不会覆盖：请用 --out 指定另一个目录")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, text in texts.items():
        path = out_dir / file_name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def is_own_schema(path: Path) -> bool:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and document.get("$schema") == DIALECT and document.get("$id") == path.name


def stale_schemas(out_dir: Path) -> list[str]:
    """Schema files under out_dir that differ from what the model generates."""
    stale = []
    for file_name, text in schema_texts().items():
        path = out_dir / file_name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(file_name)
    return stale
