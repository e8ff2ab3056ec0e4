"""The Jinja environment: built-in layouts, overridable by a site's own.

Every string is autoescaped; undefined names fail loudly instead of
printing nothing.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import jinja2

BUILTIN_ROOT = Path(__file__).resolve().parent.parent.parent
BUILTIN_LAYOUTS = BUILTIN_ROOT / "layouts"
BUILTIN_STATIC = BUILTIN_ROOT / "static"


def money(value: Decimal | None) -> str:
    """A budget as written in the source: 65.00 stays 65.00."""
    return "" if value is None else format(value, "f")


def environment(site_root: Path | None = None) -> jinja2.Environment:
    searchpath = [str(site_root / "layouts")] if site_root and (site_root / "layouts").is_dir() else []
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*searchpath, str(BUILTIN_LAYOUTS)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["money"] = money
    return env
