"""The Jinja environment: built-in layouts, overridable file by file by a site's own.

Every string is autoescaped; undefined names fail loudly instead of
printing nothing. Links are made relative to the page being rendered, so
the site works from any sub-path and straight from disk.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
import traceback
from decimal import Decimal
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt

from sitegen.model.money import figure_text, money_text, percent_text
from sitegen.model.specs import CELL_LABELS
from sitegen.render.quality import plain_words
from sitegen.base.resources import BUILTIN_LAYOUTS, BUILTIN_ROOT, BUILTIN_STATIC  # noqa: F401 (re-exported)
from sitegen.render import RenderError
from sitegen.base.safety import shown_path


# CommonMark with raw HTML off: an author's <script> is shown as text, and
# markdown-it refuses javascript: and data: links on its own.
MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


def markdown_table_open(tokens, idx, options, env) -> str:
    """Tables from Markdown scroll inside their own box on a phone, like the site's own tables:
    a region that the keyboard can reach, named by the table's column headers."""
    headers = []
    for token in tokens[idx + 1:]:
        if token.type == "thead_close":
            break
        if token.type == "inline":
            headers.append(token.content)
    label = jinja2.utils.markupsafe.escape("表格：" + "、".join(headers)[:80])
    return f'<div class="table-wrap" role="region" tabindex="0" aria-label="{label}">\n<table>\n'


def markdown_header_cell(tokens, idx, options, env) -> str:
    tokens[idx].attrSet("scope", "col")  # every header cell says what it heads
    return MARKDOWN.renderer.renderToken(tokens, idx, options, env)


MARKDOWN.renderer.rules["table_open"] = markdown_table_open
MARKDOWN.renderer.rules["table_close"] = lambda *args: "</table>\n</div>\n"
MARKDOWN.renderer.rules["th_open"] = markdown_header_cell
# An author's text, escaped as markdown-it does, with each figure and its unit kept on one line (unbroken).
MARKDOWN.renderer.rules["text"] = lambda tokens, idx, options, env: str(unbroken(tokens[idx].content))


@functools.lru_cache(maxsize=1)
def unbroken_pattern() -> re.Pattern:
    """A figure and its unit (vocab/unbroken.yaml), an ISO date, or a run of them: what a line never splits."""
    import yaml
    from importlib import resources

    text = resources.files("sitegen.render").joinpath("vocab/unbroken.yaml").read_text(encoding="utf-8")
    units = "|".join(re.escape(u) for u in sorted(yaml.safe_load(text)["units"], key=len, reverse=True))
    figure = rf"\d[\d,.]*\s?(?:{units})"
    return re.compile(rf"\d{{4}}-\d{{2}}-\d{{2}}|[≤≥]?(?:{figure})+")


def unbroken(text) -> jinja2.utils.markupsafe.Markup:
    """The text, escaped, with each figure and its unit in a nowrap span (2023 年, ≤10 万元, 2019-04-29):
    a phone's narrow column never leaves 2023 at a line's end and 年 on the next."""
    escaped = str(jinja2.utils.markupsafe.escape("" if text is None else text))
    return jinja2.utils.markupsafe.Markup(unbroken_pattern().sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>', escaped))


def money(value: Decimal | None, unit: str = "") -> str:
    """An amount as every page and PDF prints it (model/money.py): 3,969,840.00, with its unit
    when given (396.98 万元)."""
    return money_text(value, unit)


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


class LayoutError(RenderError):
    """A layout that cannot be used: one line naming the file and line (never a traceback)."""


def outside_link(path: Path, folder: str) -> LayoutError:
    return LayoutError(f"{shown_path(path)}: 是指向 {folder}/ 目录之外的符号链接（或无法解析），不会读取：布局和静态文件必须在各自的目录之内")


def leads_outside(path: Path, root: Path) -> bool:
    try:
        return not path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a loop of links
        return True


class ConfinedLoader(jinja2.FileSystemLoader):
    """Layouts read only from inside their folders: a symbolic link leading out is an error
    naming the link, never its target's text. Links inside a layouts folder work."""

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        root = next(Path(folder) for folder in self.searchpath if filename.startswith(os.path.join(folder, "")))
        if leads_outside(Path(filename), root):
            raise outside_link(Path(filename), "layouts")
        return source, filename, uptodate


def render_layout(env: jinja2.Environment, name: str, values: dict) -> str:
    """`name` rendered with `values`; any error in a layout becomes one located LayoutError:
    `layouts/project.html:4: 模板语法错误: unexpected '}'`, or the template, line and name
    of an undefined value."""
    try:
        return env.get_template(name).render(**values)
    except LayoutError:
        raise
    except jinja2.TemplateSyntaxError as exc:
        where = f"{shown_path(exc.filename or name)}:{exc.lineno}"
        raise LayoutError(f"{where}: 模板语法错误: {exc.message}") from exc
    except Exception as exc:
        frame = template_frame(exc)
        if frame is None:
            raise
        raise LayoutError(f"{shown_path(frame.filename)}:{frame.lineno}: 模板错误: {explain(exc)}") from exc


def template_frame(exc: BaseException) -> traceback.FrameSummary | None:
    """The innermost frame of a layout: Jinja rewrites tracebacks so that template code shows
    as frames of the template file at its own line numbers."""
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename.endswith(".html")]
    return frames[-1] if frames else None


def explain(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, jinja2.UndefinedError):
        name = re.fullmatch(r"'(.+)' is undefined", text)
        if name:
            return f"未定义的名称 {name.group(1)}"
        attribute = re.fullmatch(r"'(.+)' has no attribute '(.+)'", text)
        if attribute:  # 'sitegen.model.records.Agency object' → Agency
            owner = attribute.group(1).removesuffix(" object").rsplit(".", 1)[-1]
            return f"{owner} 没有属性 {attribute.group(2)}"
        return f"未定义的值：{text}"
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"找不到模板 {exc.name}"
    return f"{type(exc).__name__}: {text}"


def environment(site_root: Path | None = None) -> jinja2.Environment:
    searchpath = [str(site_root / "layouts")] if site_root and (site_root / "layouts").is_dir() else []
    env = jinja2.Environment(
        loader=ConfinedLoader([*searchpath, str(BUILTIN_LAYOUTS)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["money"] = money  # amounts: 3,969,840.00 (元)
    env.filters["figure"] = figure_text  # scores and other figures, as written: 10, 9.5
    env.filters["percent"] = percent_text  # 99.10%
    env.filters["unbroken"] = unbroken  # 2023 年, ≤10 万元: figures and units kept on one line
    env.filters["plain_words"] = plain_words  # a check's message without the format's key names
    env.filters["markdown"] = lambda text: jinja2.utils.markupsafe.Markup(markdown(text))
    env.globals["url"] = url
    # A field's cell label as its declaration gives it (model/vocab/fields.yaml), so a label changes
    # in one place: {{ labels.indicator.actual }} prints 实际完成值 (a misspelt key fails the build).
    env.globals["labels"] = CELL_LABELS
    from sitegen.render import review_view  # the review's and the peers' helpers (it imports the model's checks)

    env.filters.update(review_view.FILTERS)
    env.globals.update(review_view.GLOBALS)
    return env


def static_files(site_root: Path | None) -> dict[str, Path]:
    """Output path → source file: the built-in static/ with the site's own files on top."""
    files: dict[str, Path] = {}
    for root in (BUILTIN_STATIC, site_root / "static" if site_root else None):
        if root and root.is_dir():
            for path in confined_files(root):
                files[f"static/{path.relative_to(root).as_posix()}"] = path
    return files


def confined_files(root: Path) -> list[Path]:
    """Every file under `root`, sorted; links that stay inside it are followed (a link back up
    to a folder it is in is not), a link leading out is a LayoutError naming it."""
    found = []
    for folder, dirs, names in os.walk(root, followlinks=True):
        here = Path(folder)
        if leads_outside(here, root):
            raise outside_link(here, "static")
        dirs.sort()
        if here != root and here.resolve() in {p.resolve() for p in here.parents if p.is_relative_to(root)}:
            dirs.clear()  # a loop
            continue
        for name in names:
            path = here / name
            if path.is_symlink() and leads_outside(path, root):
                raise outside_link(path, "static")
            if path.is_file():
                found.append(path)
    return sorted(found)
