"""The Jinja environment: built-in layouts, overridable file by file by a site's own.

Every string is autoescaped; undefined names fail loudly instead of
printing nothing. Links are made relative to the page being rendered, so
the site works from any sub-path and straight from disk.
"""

from __future__ import annotations

import functools
import posixpath
from decimal import Decimal
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt

BUILTIN_ROOT = Path(__file__).resolve().parent.parent.parent
BUILTIN_LAYOUTS = BUILTIN_ROOT / "layouts"
BUILTIN_STATIC = BUILTIN_ROOT / "static"

# CommonMark with raw HTML off: an author's <script> is shown as text, and
# markdown-it refuses javascript: and data: links on its own.
MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")
# Tables from Markdown scroll inside their own box on a phone, like the site's own tables.
MARKDOWN.renderer.rules["table_open"] = lambda *args: '<div class="table-wrap">\n<table>\n'
MARKDOWN.renderer.rules["table_close"] = lambda *args: "</table>\n</div>\n"


def money(value: Decimal | None) -> str:
    """A figure as written in the source: 65.00 stays 65.00, never 6.5E+1."""
    return "" if value is None else format(value, "f")


def markdown(text: str) -> str:
    return MARKDOWN.render(text or "")


@jinja2.pass_context
def url(context, target: str) -> str:
    """`target` (a site path like /418001/2022/) relative to the page being rendered."""
    if context.get("absolute_links"):  # the 404 page answers at any depth
        return context["base_path"] + target.lstrip("/")
    here = context.get("page_url", "/")
    return relative_link(target, here if here.endswith("/") else posixpath.dirname(here) + "/")


@functools.lru_cache(maxsize=4096)
def folder_parts(folder: str) -> tuple[str, ...]:
    return tuple(part for part in folder.split("/") if part)


def relative_link(target: str, base: str) -> str:
    """Site path `target` seen from the folder `base` (ending in /), as posixpath.relpath would
    give it, with a folder's trailing slash kept and "./" for the folder itself. By hand,
    because relpath normalises both paths every time (a third of the HTML step)."""
    base_parts, target_parts = folder_parts(base), target.split("/")[1:]
    common = 0
    for here, there in zip(base_parts, target_parts):
        if here != there:
            break
        common += 1
    parts = [".."] * (len(base_parts) - common) + [p for p in target_parts[common:] if p]
    relative = "/".join(parts)
    if not relative:
        return "./"
    return relative + "/" if target.endswith("/") else relative


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
    env.filters["markdown"] = lambda text: jinja2.utils.markupsafe.Markup(markdown(text))
    env.globals["url"] = url
    return env


def static_files(site_root: Path | None) -> dict[str, Path]:
    """Output path → source file: the built-in static/ with the site's own files on top."""
    files: dict[str, Path] = {}
    for root in (BUILTIN_STATIC, site_root / "static" if site_root else None):
        if root and root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    files[f"static/{path.relative_to(root).as_posix()}"] = path
    return files
