"""JSON Schemas for editors, generated from the model's specs (`sitegen schema`)."""

from __future__ import annotations

import json
from pathlib import Path

from sitegen.model import SPECS
from sitegen.render.templates import BUILTIN_ROOT

SCHEMA_DIR = BUILTIN_ROOT / "schema"
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


def write_schemas(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, text in schema_texts().items():
        path = out_dir / file_name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale_schemas(out_dir: Path) -> list[str]:
    """Schema files under out_dir that differ from what the model generates."""
    stale = []
    for file_name, text in schema_texts().items():
        path = out_dir / file_name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(file_name)
    return stale
