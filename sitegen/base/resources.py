"""Where sitegen's own files are: the built-in layouts, static files and schemas, and the digest
of everything that makes its output (the caches' keys and the cluster's check of its workers)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
BUILTIN_ROOT = PACKAGE.parent
BUILTIN_LAYOUTS = BUILTIN_ROOT / "layouts"
BUILTIN_STATIC = BUILTIN_ROOT / "static"
SCHEMA_DIR = BUILTIN_ROOT / "schema"


def tree_digest(root: Path, pattern: str = "*") -> str:
    """A digest of every file under root matching pattern (paths and bytes), in a stable order."""
    digest = hashlib.sha256()
    if root.is_dir():
        for path in sorted(p for p in root.rglob(pattern) if p.is_file()):
            digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """sitegen's own code, its data (the review's vocabulary.yaml), layouts and static files: a changed
    line of sitegen is a new key."""
    return (tree_digest(PACKAGE, "*.py") + tree_digest(PACKAGE, "*.yaml") + tree_digest(BUILTIN_LAYOUTS)
            + tree_digest(BUILTIN_STATIC))
