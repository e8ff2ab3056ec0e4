"""`sitegen new`: files with every key and its Chinese label as a comment.

Generated from the same specs as the loader, so a scaffold always loads:
required keys get a placeholder to replace, optional keys are commented out.
"""

from __future__ import annotations

import os
from pathlib import Path

from sitegen.base.errors import SitegenError
from sitegen.content.fields import Field, Record, Records, Spec
from sitegen.model import AGENCY, DISCLOSURE, INDICATOR, OVERALL, PROJECT
from sitegen.model.schema import schema_texts

PLACEHOLDERS = {
    "budget": "0.00",
    "goals": "\n  - 目标1：（请填写）",
    "indicators": "",
    "level1": "产出指标",
    "level2": "数量指标",
    "name": "（请填写）",
    "op": "≥",
    "target": "1",
    "unit": "次",
    "direction": "正向",
    "score": "10",
    "order": "1",
    "stated_total": "0.00",
    "published": "2025-01-31",
}
# Commented examples of the version-2 records, shaped as an author would fill them in.
EXAMPLES = {
    "costs": "[{item: 培训费, amount: 6.00, basis: 按培训人数测算}]",
    "midterm": "{period: 2025年-2027年, budget: 30.00, goals: 中期目标（请填写）, indicators: []}",
}
# Keys written out (not commented) in the example indicator: what nearly every row has.
INDICATOR_FILLED = {"op": "≥", "target": "1", "unit": "次", "direction": "正向", "score": "10"}


class ScaffoldError(SitegenError):
    pass


def site_schemas(content: Path) -> Path:
    """The schemas travel with the content: schema/ beside content/, like layouts/ and static/, so
    the modelines stay right when the site is moved, committed on its own or built by an installed
    sitegen. Missing files are written; existing ones are left (`sitegen schema --out` renews them)."""
    folder = content.resolve().parent / "schema"
    for name, text in schema_texts().items():
        target = folder / name
        if not target.exists():
            folder.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return folder


def modeline(file: Path, schema_name: str, content: Path) -> str:
    """Points at schema/ beside the content folder; write_new puts the schemas there once the file is written."""
    schema = os.path.relpath(content.resolve().parent / "schema" / f"{schema_name}.schema.json", file.parent.resolve())
    return f"# yaml-language-server: $schema={Path(schema).as_posix()}\n"


def field_lines(spec: Spec, values: dict[str, str], indent: str = "") -> list[str]:
    lines = []
    for f in spec.fields:
        lines.append(f"{indent}# {f.label}{'（必填）' if f.required is True else ''}：{f.help}")
        value = values.get(f.key, PLACEHOLDERS.get(f.key))
        if f.required is True or f.key in values:
            separator = "" if str(value).startswith("\n") else " "
            lines.append(f"{indent}{f.key}:{separator}{value}".rstrip())
        else:
            lines.append(f"{indent}# {f.key}: {example(f)}".rstrip())
    return lines


def example(f: Field) -> str:
    if f.key in EXAMPLES:
        return EXAMPLES[f.key]
    if isinstance(f.kind, Records):
        return "[]"
    if isinstance(f.kind, Record):
        return "{" + ", ".join(f"{k.key}: " for k in f.kind.spec.fields) + "}"
    return PLACEHOLDERS.get(f.key, str(f.kind.example))


def indicator_block() -> list[str]:
    lines = field_lines(INDICATOR, INDICATOR_FILLED, indent="    ")
    first = next(i for i, line in enumerate(lines) if not line.lstrip().startswith("#"))
    lines[first] = "  - " + lines[first].lstrip()
    return lines


def write_new(path: Path, text: str, content: Path) -> Path:
    """Create `path` and never replace anything: mode "x" refuses an existing name, a
    dangling link included; a path leading out of the content folder through a link is refused."""
    if path.exists() or path.is_symlink():
        raise ScaffoldError(f"文件已存在，不会覆盖：{path}")
    existing = next((parent for parent in path.parents if parent.is_relative_to(content) and parent.exists()), None)
    if existing is not None and not existing.resolve().is_relative_to(content.resolve()):
        raise ScaffoldError(f"{path} 经符号链接指向内容目录 {content} 之外，不会写入")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as file:
            file.write(text)
    except FileExistsError:
        raise ScaffoldError(f"文件已存在，不会覆盖：{path}") from None
    site_schemas(content)  # only now: a refused `new` writes nothing at all
    return path


def new_agency(content: Path, agency_id: str, code: str, name: str, region: str) -> Path:
    check_id(agency_id, "单位目录名")
    path = content / agency_id / "agency.yaml"
    values = {"code": quote(code), "name": quote(name), "region": quote(region)}
    return write_new(path, modeline(path, "agency", content) + "\n".join(field_lines(AGENCY, values)) + "\n", content)


def new_year(content: Path, agency_id: str, year: int) -> Path:
    require_agency(content, agency_id)
    path = content / agency_id / str(year) / "disclosure.yaml"
    return write_new(path, modeline(path, "disclosure", content) + "\n".join(field_lines(DISCLOSURE, {})) + "\n", content)


def new_project(content: Path, agency_id: str, year: int, project_id: str, name: str) -> Path:
    require_agency(content, agency_id)
    check_id(project_id, "项目文件名")
    check_not_reserved(project_id)
    path = content / agency_id / str(year) / f"{project_id}.yaml"
    lines = field_lines(PROJECT, {"name": quote(name or "（项目名称）")})
    at = lines.index("indicators:") + 1
    lines[at:at] = indicator_block()
    return write_new(path, modeline(path, "project", content) + "\n".join(lines) + "\n", content)


def new_overall(content: Path, agency_id: str, year: int) -> Path:
    """overall.yaml, the department-wide table: funds and goals written out (missing, they are warnings)."""
    require_agency(content, agency_id)
    path = content / agency_id / str(year) / "overall.yaml"
    lines = field_lines(OVERALL, {"funds": "{total: 0.00, basic: 0.00, project: 0.00}", "goals": PLACEHOLDERS["goals"]})
    at = lines.index("indicators:") + 1
    lines[at:at] = indicator_block()
    return write_new(path, modeline(path, "overall", content) + "\n".join(lines) + "\n", content)


def require_agency(content: Path, agency_id: str) -> None:
    check_id(agency_id, "单位目录名")
    if not (content / agency_id / "agency.yaml").is_file():
        raise ScaffoldError(f"单位 {agency_id} 还没有 agency.yaml：先运行 sitegen new agency {agency_id}")


def check_not_reserved(project_id: str) -> None:
    from sitegen.content.load import RESERVED_YEAR_NAMES

    if project_id.lower() in RESERVED_YEAR_NAMES:
        raise ScaffoldError(f"项目文件名「{project_id}」是保留名（{project_id.lower()}.yaml 是年度目录里表示整张表的文件），请换一个名字")


def quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def check_id(name: str, what: str) -> None:
    """Ids become folder and file names: nothing that could leave content/."""
    from sitegen.content.load import ID_PATTERN, MAX_ID_LENGTH

    if not ID_PATTERN.match(name):
        raise ScaffoldError(f"{what}「{name}」只能用 ASCII 字母、数字、- 和 _")
    if len(name) > MAX_ID_LENGTH:  # the loader refuses a longer one (long-id)
        raise ScaffoldError(f"{what}「{name}」有 {len(name)} 个字符，最多 {MAX_ID_LENGTH} 个")


SITE_YAML = """title: {title}
base_url: {base_url}
language: zh-CN
# 金额单位：万元（默认）或 元，所有 budget 都按这个单位填写
money_unit: 万元
# 每个项目指标分值之和（另 10 分留给预算执行率）
score_total: 90
# 表格版式：flat（一张表列出全部项目）、per-project（一个项目一张表）或 declaration（申报表）
pdf_layout: flat
# 开放数据的许可协议（SPDX 标识，或 {{name: …, url: …}}）
# license: CC-BY-4.0
"""
ABOUT = """# 关于本站

本站公开{title}收录的各预算单位项目支出绩效目标表。表格以 YAML 保存，由 sitegen 检查并生成网页、PDF 和开放数据。
"""
GITIGNORE = "/output/\n/output.*\n/.sitegen-cache/\n"


def new_site(folder: Path, title: str, base_url: str) -> list[Path]:
    """A site from nothing: content/site.yaml, a first page, the schemas for editors and a .gitignore.
    Refuses a folder that already has a site."""
    content = folder / "content"
    if (content / "site.yaml").exists():
        raise ScaffoldError(f"{content / 'site.yaml'} 已存在：这里已经有一个站点")
    site = write_new(content / "site.yaml", modeline(content / "site.yaml", "site", content)
                     + SITE_YAML.format(title=quote(title), base_url=quote(base_url)), content)
    about = write_new(content / "pages" / "about.md", ABOUT.format(title=title), content)
    written = [site, about, folder / "schema"]
    if not (folder / ".gitignore").exists():
        (folder / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
        written.append(folder / ".gitignore")
    return written
