"""`sitegen import`: read the files, recognise their tables, plan the YAML files, check, write.

Nothing is written until everything has been read and the tree as it would be after the import
passes `sitegen check` without errors. Under the tree's lock (transaction.py) the tree is loaded
only from a copy of what the loader reads (copy_for_check), the plan is merged into files
that exist (yamlmerge.py: an existing file whose values differ is a conflict unless --force),
and the files are written all or none, with a backup of each replaced one. A folder is a batch
of files imported one by one (batch.py).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from sitegen.importers import batch, merge, transaction, writer, yamlmerge
from sitegen.importers.forms import Found, find_header, join_pages, join_parts
from sitegen.importers.forms import declaration, evaluation, flat, overall, per_project
from sitegen.importers.grid import BadInput, Grid
from sitegen.importers.explain import unrecognised
from sitegen.importers.readers import read_file_warned
from sitegen.importers.report import Report
from sitegen.importers.transaction import WriteFailed, reason
from sitegen.content.load import ID_PATTERN, MAX_ID_LENGTH
from sitegen.model import Project

REGION = re.compile(r"^((?:[^省市县区旗州盟]{2,7}(?:省|自治区))?(?:[^省市县区旗州盟]{1,7}(?:市|自治州|地区|盟))?(?:[^省市县区旗州盟]{1,7}(?:县|区|旗))?)")


@dataclass
class Options:
    into: Path
    agency: str | None = None
    year: int | None = None
    region: str | None = None
    dry_run: bool = False
    force: bool = False
    # The copy of --into this import reads (copy_for_check), set under the lock: the loader never
    # opens the tree itself, so no link, fifo or device in it is ever followed or read.
    copy: Path | None = None
    progress: bool = False  # a large file: each step after reading shows on a terminal too


@dataclass
class Unit:
    """One unit-year to write: the tables found for it, in order."""

    agency_id: str
    year: int
    found: list[Found] = field(default_factory=list)

    @property
    def first(self) -> Found:
        return self.found[0]


# ---------------------------------------------------------------- reading


def recognise(grids: list[Grid], report: Report) -> list[Found]:
    founds = []
    for grid in join_pages(join_parts(grids)):
        header = find_header(grid)
        found = None if header else overall.recognise_without_indicators(grid)
        if header:
            found = (overall.recognise(grid, header) or evaluation.recognise(grid, header) or declaration.recognise(grid, header)
                     or per_project.recognise(grid, header)
                     or flat.recognise(grid, header))
        if found is None:
            report.skipped.append(f"{grid.source} {grid.name}".strip() + "：不是绩效目标表（没有找到 一级指标、二级指标、三级指标 的表头）")
            continue
        founds.append(found)
    return founds


LARGE_FILE = 2 * 1024 * 1024  # bytes: a file this size takes seconds to read; a terminal shows it


def is_large(path: Path) -> bool:
    try:
        return path.stat().st_size >= LARGE_FILE
    except OSError:
        return False


def step(shown: bool, name: str):
    """A progress line on a terminal while `name` runs, when `shown` (nothing when piped)."""
    from contextlib import nullcontext

    from sitegen.base.progress import Progress

    return Progress().step(name) if shown else nullcontext()


def read_all(paths: list[Path], report: Report) -> list[Found]:
    founds = []
    for path in paths:
        shown = str(path)
        large = is_large(path)
        with step(large, f"读取 {shown}"):
            kind, grids, warnings = read_file_warned(path, shown)
        report.warnings += warnings
        notes = "".join(f"，{note}" for grid in grids[:1] for note in grid.notes)
        report.read.append(f"{shown}（{kind}，{len(grids)} 个{'页面表格' if kind == 'pdf' else '表'}{notes}）")
        with step(large, f"识别 {shown} 中的表格"):
            found = recognise(grids, report)
        if not found:
            raise BadInput(unrecognised(shown, grids))
        founds += found
    return founds


# ---------------------------------------------------------------- units


def units_of(founds: list[Found], options: Options, report: Report) -> list[Unit]:
    units: dict[tuple[str, int], Unit] = {}
    for found in founds:
        if not found.projects and found.overall is None:
            report.skipped.append(f"{found.grid.source} {found.grid.name}".strip() + "：有表头但没有项目行")
            continue
        agency_id = options.agency or found.agency_code or sheet_agency(found.grid)
        if not agency_id:
            raise BadInput(f"{found.grid.source}: 表中没有单位编码，请用 --agency 指定单位目录名（如 --agency 418001）")
        if not ID_PATTERN.match(agency_id):
            raise BadInput(f"{found.grid.source}: 单位目录名「{agency_id}」只能用 ASCII 字母、数字、- 和 _，请用 --agency 指定")
        if len(agency_id) > MAX_ID_LENGTH:  # check refuses it (long-id), and past 255 bytes no file system takes it
            raise BadInput(f"{found.grid.source}: 单位目录名「{agency_id[:40]}…」有 {len(agency_id)} 个字符，最多 {MAX_ID_LENGTH} 个"
                           "（它会成为网址和 PDF 文件名的一部分），请用 --agency 指定一个短的")
        year = options.year or found.year or sheet_year(found.grid)
        if year is None:
            raise BadInput(f"{found.grid.source}: 表中没有预算年度，请用 --year 指定（如 --year 2024）")
        where = f"{found.grid.source} {found.grid.name}".strip()
        if options.year:
            report.guesses.append(f"{where}: 预算年度 {year}（--year）")
        elif found.year:
            report.guesses.append(f"{where}: 预算年度 {year}，取自{found.year_from}")
        else:
            report.guesses.append(f"{where}: 预算年度 {year}，取自工作表名「{found.grid.name}」")
        if not options.agency and found.agency_code:
            report.guesses.append(f"{where}: 单位目录 {agency_id}，取自表中的单位编码")
        elif not options.agency:
            report.guesses.append(f"{where}: 表中没有单位编码，单位目录 {agency_id} 取自工作表名「{found.grid.name}」")
        units.setdefault((agency_id, year), Unit(agency_id, year)).found.append(found)
        report.guesses += found.guesses
        report.warnings += found.warnings
    return list(units.values())


SHEET_UNIT = re.compile(r"^([A-Za-z0-9_-]+?)-(20\d{2})$")  # sitegen's own all.xlsx: <agency-id>-<year>


def sheet_agency(grid: Grid) -> str:
    match = SHEET_UNIT.match(grid.name)
    return match.group(1) if match else ""


def sheet_year(grid: Grid) -> int | None:
    match = re.search(r"(?:^|\D)(20\d{2})(?:\D|$)", grid.name)
    return int(match.group(1)) if match else None


def region_of(unit: Unit, options: Options, report: Report) -> str:
    if options.region:
        return options.region
    name = next((f.agency_name for f in unit.found if f.agency_name), "")
    guess = REGION.match(name).group(1) if name else ""
    report.warnings.append(
        f"{unit.agency_id}/agency.yaml: 表中没有行政区划，按单位名称写为「{guess or '（未知）'}」，请核对（或用 --region 指定）"
    )
    return guess or "（请填写行政区划）"


# ---------------------------------------------------------------- files


def source_lines(found: Found, rows: tuple[int, int]) -> list[str]:
    where = f"{Path(found.grid.source).name} {found.grid.name}".strip()
    return [f"由 sitegen import 导入：{where} 第 {rows[0] + 1}–{rows[1] + 1} 行（{layout_name(found.form)}）"]


def layout_name(form: str) -> str:
    return {"flat": "flat 表式", "per-project": "per-project 表式", "declaration": "申报表", "evaluation": "自评表",
            "overall": "部门整体支出绩效目标表"}.get(form, form)


def plan_unit(unit: Unit, options: Options, report: Report, existing=None, merged: set[Path] | None = None) -> dict[Path, str]:
    """The files of one unit-year. A self-evaluation of a project that exists is merged into its
    file (the path goes into `merged`); of one that does not, it makes the project's file."""
    files: dict[Path, str] = {}
    merged = merged if merged is not None else set()
    first = unit.first
    agency_dir = options.into / unit.agency_id
    year_dir = agency_dir / str(unit.year)
    read_dir = options.copy / unit.agency_id / str(unit.year) if options.copy else year_dir  # what is there now
    agency_file = agency_dir / "agency.yaml"
    if not agency_file.exists():
        name = next((f.agency_name for f in unit.found if f.agency_name), "")
        if not name:
            report.warnings.append(f"{agency_file}: 表中没有单位名称，请填写 name")
        code = next((f.agency_code for f in unit.found if f.agency_code), None)
        if code is None:  # a folder name of digits is the code the user gave; letters are no code
            code = unit.agency_id if unit.agency_id.isdigit() else ""
            report.warnings.append(f"{agency_file}: 表中没有单位编码，code " + (f"取目录名 {code}" if code else "留空") + "，请核对")
        department = next((f.department for f in unit.found if f.department), None)
        files[agency_file] = writer.agency_yaml(source_lines(first, first.rows), code, name or "（请填写单位名称）",
                                                region_of(unit, options, report), department, first.layout)
    else:
        report.unchanged.append(f"{agency_file}（已存在，保留作者的单位信息）")
    shared_notes(unit)
    stated = next((f.stated_total for f in unit.found if f.stated_total is not None), None)
    money = next((f.money_unit for f in unit.found if f.money_unit), None)
    notes = next((f.notes for f in unit.found if f.notes and f.projects), "")
    lead = next((f for f in unit.found if f.projects), first)  # the goals table, not an overall.yaml
    # The PDF's form is the author's once the unit-year exists: a re-import of the site's own (flat)
    # all.xlsx with --force turned every declaration and per-project PDF into a flat one.
    layout = written_layout(read_dir) or lead.layout
    disclosure = {"title": lead.title, "stated_total": stated, "notes": notes, "pdf_layout": layout,
                  "money_unit": money if money == "元" else None}
    for found in unit.found:
        if found.overall is not None and not merge_overall(unit, found, options, report, existing, files, merged):
            files[year_dir / "overall.yaml"] = writer.overall_yaml(source_lines(found, found.rows), found.overall)
    only_results = all(f.form == "evaluation" for f in unit.found)
    has_projects = any(f.projects for f in unit.found)
    if has_projects and not (only_results and (year_dir / "disclosure.yaml").exists()):
        files[year_dir / "disclosure.yaml"] = writer.disclosure_yaml(source_lines(lead, lead.rows), disclosure)
    projects = []
    # Goals tables first: a self-evaluation imported in the same run goes into the project they give.
    for f in sorted(unit.found, key=lambda found: found.form == "evaluation"):
        for p, rows in f.projects:
            if f.form == "evaluation" and (merge_into(unit, p, rows, f, options, report, existing, files, merged)
                                           or merge_planned(projects, p, f, options, report)):
                continue
            projects.append((p, rows, f))
    projects.sort(key=lambda planned: unit.found.index(planned[2]))
    existing = existing_ids(read_dir)
    taken = set(existing.values())
    width = max(2, len(str(len(projects))))
    number = 0
    for order, (project, rows, found) in enumerate(projects, start=1):
        project.order = Decimal(order)
        pid = existing.get(project.name)
        while pid is None:
            number += 1
            candidate = f"p{number:0{width}d}"
            pid = candidate if candidate not in taken else None
        taken.add(pid)
        project.id = pid
        files[year_dir / f"{pid}.yaml"] = writer.project_yaml(source_lines(found, rows), project)
    return files


def written_layout(year_dir: Path) -> str | None:
    """The pdf_layout an existing disclosure.yaml gives, if any (None for a file that does not load)."""
    try:
        data = yaml.load((year_dir / "disclosure.yaml").read_text(encoding="utf-8"), Loader=writer.FAST_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    layout = data.get("pdf_layout") if isinstance(data, dict) else None
    return layout if isinstance(layout, str) else None


def shared_notes(unit: Unit) -> None:
    """备注 lines printed under every declaration form of a unit-year (two forms or more) are the
    disclosure's notes, not each project's."""
    forms = [(f, p) for f in unit.found if f.form == "declaration" for p, _ in f.projects]
    if len(forms) < 2:
        return
    common = [line for line in forms[0][1].notes.split("\n") if line and all(line in p.notes.split("\n") for _, p in forms)]
    if not common:
        return
    for _, project in forms:
        project.notes = "\n".join(line for line in project.notes.split("\n") if line not in common)
    forms[0][0].notes = "\n".join(common)


def merge_planned(projects: list, project: Project, found: Found, options: Options, report: Report) -> bool:
    """A self-evaluation of a project that a goals table of the same run gives: merged into it."""
    at = next((n for n, (p, _, _) in enumerate(projects)
               if project.code and p.code == project.code or p.name == project.name), None)
    if at is None:
        return False
    planned, rows, goals = projects[at]
    how = f"项目编码 {project.code}" if project.code and planned.code == project.code else "项目名称"
    done = merge.merge(planned, project, how, where_of(found), options.force)
    report.guesses.append(f"{where_of(found)}: 自评表的项目「{project.name}」并入同时导入的 {where_of(goals)} 中的项目（按{how}匹配）")
    report.warnings += done.notes
    report.conflicts += done.conflicts
    projects[at] = (done.project, rows, goals)
    return True


def merge_overall(unit: Unit, found: Found, options: Options, report: Report, existing, files: dict[Path, str],
                  merged: set[Path]) -> bool:
    """A department-wide self-evaluation into the overall.yaml that exists; False when there is none."""
    record = merge.find_overall(existing, unit.agency_id, unit.year) if found.overall.evaluation else None
    if record is None:
        return False
    return write_merge(merge.merge(record, found.overall, "单位和年度", where_of(found), options.force), found, options,
                       report, files, merged)


def where_of(found: Found) -> str:
    return f"{found.grid.source} {found.grid.name}".strip()


def write_merge(done, found: Found, options: Options, report: Report, files: dict[Path, str], merged: set[Path]) -> bool:
    path = done.path if done.path.is_absolute() else Path.cwd() / done.path
    path = options.into / path.resolve().relative_to(options.copy.resolve())  # the copy's file → the tree's
    report.guesses.append(f"{where_of(found)}: 自评表并入 {path}（按{done.matched_by}匹配）")
    report.warnings += done.notes
    report.conflicts += done.conflicts
    files[path] = merge.merged_text(done, source_lines(found, found.rows)[0].replace("由 sitegen import 导入", "由 sitegen import 并入自评"))
    merged.add(path)
    return True


def merge_into(unit: Unit, project: Project, rows: tuple[int, int], found: Found, options: Options, report: Report,
               existing, files: dict[Path, str], merged: set[Path]) -> bool:
    """A self-evaluation into the project file that exists; False when there is none to merge into."""
    where = f"{found.grid.source} {found.grid.name}".strip()
    match = merge.find(existing, unit.agency_id, unit.year, project)
    if match is None:
        report.guesses.append(f"{where}: 自评表的项目「{project.name}」在 {unit.agency_id}/{unit.year}/ 中没有（按编码和名称都未找到）：由自评表新建项目文件，目标取自自评表的预期目标和年度指标值")
        return False
    report.guesses.append(f"{where}: 自评表的项目「{project.name}」按{match[1]}匹配")
    return write_merge(merge.merge(match[0], project, match[1], where, options.force), found, options, report, files, merged)


def existing_ids(year_dir: Path) -> dict[str, str]:
    """Project name → file id of the projects already in the year's folder (re-importing keeps their ids)."""
    ids = {}
    if not year_dir.is_dir():
        return ids
    for path in sorted(year_dir.glob("*.yaml")):
        if path.stem in ("disclosure", "overall") or not path.is_file() or path.is_symlink():
            continue  # a link may lead anywhere (/dev/zero): the ids are taken from real files only
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except (yaml.YAMLError, OSError, UnicodeDecodeError):
            continue
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            ids.setdefault(data["name"], path.stem)
    return ids


# ---------------------------------------------------------------- checking and writing


def refuse_unsafe_into(into: Path) -> None:
    from sitegen.base.resources import BUILTIN_LAYOUTS, BUILTIN_STATIC
    from sitegen.base.safety import MARKER, UnsafeOutput, refuse_dangerous_path

    protected = [(into.resolve().parent / "layouts", "站点的 layouts/ 目录"), (into.resolve().parent / "static", "站点的 static/ 目录"),
                 (BUILTIN_LAYOUTS, "sitegen 自带的 layouts/ 目录"), (BUILTIN_STATIC, "sitegen 自带的 static/ 目录")]
    try:
        refuse_dangerous_path(into, protected, "--into")
    except UnsafeOutput as exc:
        raise BadInput(str(exc).replace("输出目录", "导入目录").replace("输出路径", "导入路径")) from None
    if (into / MARKER).exists():
        raise BadInput(f"导入目录 {into} 是 sitegen 生成的网站（有 {MARKER}），每次生成都会被替换：请用 --into 指定内容目录（如 content）")


def refuse_foreign_folder(into: Path) -> None:
    """A folder with files but no site.yaml is someone else's. Asked under the tree's lock: an
    import into a new tree that holds the lock has made folders before its site.yaml is in place."""
    if into.is_dir() and any(not transaction.is_own(p.name) for p in into.iterdir()) and not (into / "site.yaml").exists():
        raise BadInput(f"导入目录 {into} 已有文件但不是内容目录（没有 site.yaml）：请用 --into 指定内容目录或一个新目录")


def conflicts(files: dict[Path, str], force: bool, report: Report, merged: set[Path] = frozenset()) -> dict[Path, str]:
    """The files that change; an existing file that would change is a conflict unless --force (a
    merged project file changes by design: its values were compared one by one in merge.py)."""
    changed = {}
    for path, text in files.items():
        if path.exists():
            old = path.read_text(encoding="utf-8", errors="replace")
            if old == text:
                report.unchanged.append(str(path))
                continue
            imported, text = text, yamlmerge.merge_text(old, text)  # the author's comments and other keys stay
            if text == old:
                report.unchanged.append(f"{path}（表中的值与文件相同：保留文件的写法、注释和表中没有的键）")
                continue
            if not force and path not in merged:
                keys = "、".join(yamlmerge.changed_keys(old, imported))
                report.conflicts.append(f"{path} 已存在且{'这些键' if keys else '内容'}不同{f'（{keys}）' if keys else ''}："
                                        "未覆盖（确认要用表中的值替换时加 --force：只替换不同的值，保留注释和表中没有的键）")
                continue
        changed[path] = text
    return changed


def copy_of(into: Path, temp: str) -> Path:
    """The tree as the loader reads it, in `temp` (see copy_for_check); WriteFailed when the copy
    cannot be written (a full temporary folder)."""
    root = Path(temp) / "content"
    try:
        copy_for_check(into, root, Path(temp) / "outside")
    except OSError as exc:
        raise WriteFailed(f"写入检查用的临时副本（{temp}）失败：{reason(exc)}；内容目录未改动") from None
    return root


def check_copy(root: Path, into: Path, files: dict[Path, str], report: Report) -> bool:
    """Run `sitegen check` on the tree as it would be: the copy `root` with the files in it."""
    from sitegen.checks.pipeline import load_content

    try:
        for path, text in files.items():
            target = root / path.relative_to(into)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise WriteFailed(f"写入检查用的临时副本（{root.parent}）失败：{reason(exc)}；内容目录未改动") from None
    loaded = load_content(root)
    prefix = str(root.resolve()) + "/"
    for finding in loaded.findings.sorted():
        report.check.append(finding.format().replace(prefix, f"{into}/"))
    return loaded.ok


LOADED_SUFFIXES = (".yaml", ".yml", ".md")


def copy_for_check(into: Path, root: Path, outside: Path) -> None:
    """The tree as the loader sees it, and nothing more: folders and the files it reads, copied
    without following any link; a link becomes a link to the same place in the copy (or, when
    it leads out of the tree, to `outside`, which does not exist: the loader refuses both the
    same way). Other files and anything that is no regular file (a fifo, a device) become empty
    files of the same name: the loader only names them. Names starting with a dot are skipped,
    as the loader skips them (.git, the import's lock and backups)."""
    root.mkdir()
    if not into.is_dir():
        return
    inside = into.resolve()
    folders = [(into, root)]
    while folders:
        source, copy = folders.pop()
        with os.scandir(source) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                target = copy / entry.name
                if entry.is_symlink():
                    real = Path(os.path.realpath(entry.path))
                    target.symlink_to(root / real.relative_to(inside) if real.is_relative_to(inside) else outside)
                elif entry.is_dir(follow_symlinks=False):
                    target.mkdir()
                    folders.append((Path(entry.path), target))
                elif entry.is_file(follow_symlinks=False) and entry.name.endswith(LOADED_SUFFIXES):
                    shutil.copyfile(entry.path, target, follow_symlinks=False)
                else:
                    target.touch()


def run_import(paths: list[Path], options: Options) -> tuple[int, Report]:
    """0: written (or would be, with --dry-run); 1: conflicts, check errors or nothing to import,
    nothing written; BadInput (exit 2) for a file that cannot be imported or written.
    A folder among `paths` is a batch: each of its files imported on its own (batch.py)."""
    refuse_unsafe_into(options.into)
    if any(path.is_dir() for path in paths):
        return batch.run(paths, options, read_all, import_founds)
    report = Report()
    founds = read_all(paths, report)  # before the lock: reading the tables does not touch the tree
    options.progress = any(is_large(path) for path in paths)
    with transaction.locked(options.into):
        return import_founds(founds, options, report), report


def import_founds(founds: list[Found], options: Options, report: Report) -> int:
    """Plan, check and write the tables read, under the tree's lock."""
    refuse_foreign_folder(options.into)
    with tempfile.TemporaryDirectory(prefix="sitegen-import-") as temp:
        options.copy = copy_of(options.into, temp)
        try:
            return plan_check_write(founds, options, report)
        finally:
            options.copy = None


def plan_check_write(founds: list[Found], options: Options, report: Report) -> int:
    files: dict[Path, str] = {}
    results = any(f.form == "evaluation" or (f.overall is not None and f.overall.evaluation) for f in founds)
    existing = merge.load_existing(options.copy, options.into) if results else None
    merged: set[Path] = set()
    units = units_of(founds, options, report)
    if not units:
        report.failed.append("没有导入任何项目：读到的表都没有项目行（见上面的「跳过」），未写入任何文件（用 --explain 查看表格如何读取）")
        return 1
    if not (options.into / "site.yaml").exists():
        files[options.into / "site.yaml"] = writer.site_yaml()
        report.guesses.append(f"{options.into}/site.yaml: 新建（站点标题和网址请改成本站的）")
    with step(options.progress, "生成 YAML 文件"):
        for unit in units:
            files.update(plan_unit(unit, options, report, existing, merged))
        transaction.refuse_links(options.into, list(files))
        changed = conflicts(files, options.force, report, merged)
    if report.conflicts:
        return 1
    with step(options.progress, f"检查导入后的内容（{len(changed)} 个文件）"):
        passed = check_copy(options.copy, options.into, changed, report)
    if not passed:
        return 1
    report.written = [str(path) + ("（并入已有文件：只改了不同的值，注释和表中没有的键都保留）" if path.exists() else "")
                      for path in changed]
    if not options.dry_run and changed:
        with step(options.progress, f"写入 {len(changed)} 个文件"):
            done = transaction.write_all(options.into, changed)
        report.backup = done.backup
        report.replaced = [str(path) for path in done.replaced]
    return 0
