"""The command line: a thin layer over the pipeline stages."""

from __future__ import annotations

import argparse
import errno
import sys
import traceback
from pathlib import Path

from sitegen import __version__
from sitegen.base.errors import SitegenError
from sitegen.base.findings import shorten, visible

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_INTERNAL = 70  # a defect of sitegen itself (BSD's EX_SOFTWARE), never a content error


class VersionAction(argparse.Action):
    """The version string is the same for every commit; the digest of the code, layouts and static
    files (the one the caches and the cluster check use) tells two installs apart."""

    def __call__(self, parser, namespace, values, option_string=None):
        from sitegen.base.resources import BUILTIN_ROOT, code_digest

        print(f"sitegen {__version__} (code {code_digest()[:12]}; layouts in {BUILTIN_ROOT})")
        parser.exit()


def main(argv: list[str] | None = None) -> int:
    from sitegen.base import signals

    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    with signals.installed():
        try:
            return run_command(args)
        except KeyboardInterrupt as stopped:  # Ctrl+C, or SIGTERM (signals.Terminated)
            signals.end_children()
            print(stopped_line(args, stopped), file=sys.stderr)
            return signals.exit_code(stopped)


def run_command(args: argparse.Namespace) -> int:
    from sitegen.base import signals

    try:
        return args.handler(args)
    except SitegenError as exc:  # a refusal with its one line, whichever command met it
        signals.raise_if_stopping()
        show_traceback(args)
        print(f"sitegen: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        signals.raise_if_stopping()  # a worker ended by the signal may have failed the build first
        show_traceback(args)
        print(f"sitegen: 内部错误 {type(exc).__name__}: {shorten(str(exc), 200)}"
              "（这是 sitegen 的缺陷，请报告；加 --debug 显示详情）", file=sys.stderr)
        return EXIT_INTERNAL


def stopped_line(args: argparse.Namespace, stopped: KeyboardInterrupt) -> str:
    from sitegen.base.signals import Terminated

    what = "已终止（SIGTERM）" if isinstance(stopped, Terminated) else "已中断"
    if args.handler is cmd_build:
        return f"sitegen build: {what}，未生成网站；{args.out}/ 保持不变"
    return f"sitegen: {what}"


def show_traceback(args: argparse.Namespace) -> None:
    """--debug: the Python traceback too, for reporting a defect."""
    if getattr(args, "debug", False):
        traceback.print_exc()


def os_error_line(exc: OSError) -> str:
    """One line for a failed file operation, naming the file (ENOSPC: the disk is full)."""
    reason = "磁盘空间不足" if exc.errno == errno.ENOSPC else "文件操作失败"
    where = f" {exc.filename}" if exc.filename else ""
    return f"{reason}{where}：{exc.strerror or exc}"


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sitegen", description="预算绩效目标公开：从 YAML 生成网站、PDF 和开放数据")
    parser.add_argument("--version", action=VersionAction, nargs=0, help="显示版本和代码摘要后退出")
    parser.add_argument("--debug", action="store_true", help="出错时也显示 Python 的调用栈（报告缺陷用）")
    sub = parser.add_subparsers(metavar="COMMAND")

    p = sub.add_parser("build", help="检查内容并生成网站到 output/")
    p.add_argument("content", nargs="?", default="content", type=Path, help="内容目录（默认 content）")
    p.add_argument("--out", default="output", type=Path, help="输出目录（默认 output）")
    p.add_argument("--strict", action="store_true", help="有警告也算失败")
    p.add_argument("--no-pdf", action="store_true", help="不生成 PDF（预览用；网页上的 PDF 链接会失效）")
    p.add_argument("--cluster", default=None, metavar="ADDRESS",
                   help="在 Dask 集群上渲染页面和 PDF：local:N（本机 N 个工作进程）或调度器地址 tcp://HOST:8786")
    p.add_argument("--no-cache", action="store_true",
                   help="不读也不写缓存（.sitegen-cache/），一切重新生成")
    add_force(p)
    add_debug(p)
    p.set_defaults(handler=cmd_build)

    p = sub.add_parser("check", help="只检查内容，打印错误和警告")
    p.add_argument("content", nargs="?", default="content", type=Path, help="内容目录（默认 content）")
    p.add_argument("--strict", action="store_true", help="有警告也以 1 退出")
    p.add_argument("--format", default="text", choices=("text", "json", "github", "gitlab", "sarif"),
                   help="输出格式：text（默认）、json、github（GitHub Actions 注释）、gitlab（Code Quality 报告）、sarif（SARIF 2.1.0）")
    p.add_argument("--json", action="store_true", help="同 --format json")
    add_debug(p)
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("serve", help="生成并在本机预览，内容改动后自动重新生成并刷新页面")
    p.add_argument("content", nargs="?", default="content", type=Path, help="内容目录（默认 content）")
    p.add_argument("--out", default="output", type=Path, help="输出目录（默认 output）")
    p.add_argument("--port", default=8000, type=int, help="端口（默认 8000）")
    p.add_argument("--host", default="127.0.0.1", help="地址（默认 127.0.0.1，只有本机可以访问）")
    p.add_argument("--no-pdf", action="store_true", help="不生成 PDF，改动后更快")
    add_force(p)
    add_debug(p)
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("new", help="新建站点、单位、年度或项目文件（带中文注释）")
    what = p.add_subparsers(metavar="KIND")
    a = what.add_parser("agency", help="新建预算单位：sitegen new agency 418001 --code 418001 --name … --region …")
    a.add_argument("id")
    a.add_argument("--code", required=True, help="单位编码")
    a.add_argument("--name", required=True, help="单位名称")
    a.add_argument("--region", required=True, help="行政区划")
    a.set_defaults(handler=cmd_new, kind="agency")
    y = what.add_parser("year", help="新建年度公开表：sitegen new year 418001 2024")
    y.add_argument("agency")
    y.add_argument("year", type=int)
    y.set_defaults(handler=cmd_new, kind="year")
    j = what.add_parser("project", help="新建项目：sitegen new project 418001 2024 my-project --name …")
    j.add_argument("agency")
    j.add_argument("year", type=int)
    j.add_argument("id")
    j.add_argument("--name", default="", help="项目名称")
    j.set_defaults(handler=cmd_new, kind="project")
    o = what.add_parser("overall", help="新建部门整体支出绩效目标表：sitegen new overall 418001 2024")
    o.add_argument("agency")
    o.add_argument("year", type=int)
    o.set_defaults(handler=cmd_new, kind="overall")
    for parser_ in (a, y, j, o):
        parser_.add_argument("--content", default="content", type=Path, help="内容目录（默认 content）")
    s = what.add_parser("site", help="新建站点：sitegen new site 我的站点 --title … --base-url …")
    s.add_argument("folder", type=Path)
    s.add_argument("--title", default="预算绩效目标公开", help="站点标题")
    s.add_argument("--base-url", default="https://example.org/", help="站点发布的网址（RSS、站点地图、规范链接用）")
    s.set_defaults(handler=cmd_new, kind="site")

    p = sub.add_parser("import", help="把已有的 Excel、Word、PDF、CSV 绩效目标表导入为内容 YAML")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE",
                   help=".xlsx、.xls、.docx、.pdf 或 .csv 文件；或一个文件夹（其中每个文件单独导入，逐个报告）")
    p.add_argument("--into", default="content", type=Path, help="内容目录（默认 content）")
    p.add_argument("--agency", help="单位目录名（表中没有单位编码时必填）")
    p.add_argument("--year", type=int, help="预算年度（表中没有年度时必填）")
    p.add_argument("--region", help="行政区划（表中通常没有；不填时按单位名称推断并提示）")
    p.add_argument("--dry-run", action="store_true", help="只报告，不写文件")
    p.add_argument("--force", action="store_true",
                   help="用表中的值替换已有文件中不同的值（注释和表中没有的键保留；替换前的文件备份在 <内容目录>/.sitegen-import-backup/）")
    p.add_argument("--explain", action="store_true", help="只显示表格如何读取（合并区域、各行类别、各列对应的字段），不导入")
    p.add_argument("--map", type=Path, metavar="MAP", help="YAML 文件：表头文字 → 字段、表头行号、表式，用于没有见过的表格")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("schema", help="生成编辑器用的 JSON Schema")
    p.add_argument("--out", default=Path("schema"), type=Path, help="输出目录（默认当前目录下的 schema/，与 content/ 并列）")
    p.add_argument("--check", action="store_true", help="只检查已提交的 schema 是否过期")
    p.set_defaults(handler=cmd_schema)
    return parser


def add_force(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true",
                        help="输出目录已存在且不是 sitegen 生成的（没有 .sitegen-output 标记）时，仍然替换它")


def add_debug(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: otherwise the subcommand's default would undo `sitegen --debug build`.
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="出错时也显示 Python 的调用栈（报告缺陷用）")


def cmd_check(args: argparse.Namespace) -> int:
    from sitegen.checks.pipeline import load_content
    from sitegen.commands.report import FORMATS

    loaded = load_content(args.content)
    print(FORMATS["json" if args.json else args.format](loaded))
    return exit_code(loaded, args.strict)


def exit_code(loaded, strict: bool) -> int:
    if loaded.findings.errors or (strict and loaded.findings.warnings):
        return EXIT_FINDINGS
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    import sqlite3
    import tempfile

    from sitegen.base import signals
    from sitegen.base.progress import Progress
    from sitegen.build.site import PDF, RENDERERS, BuildFailed, WorkerLost, build, without
    from sitegen.commands.report import text_report
    from sitegen.render import RenderError
    from sitegen.checks.review.synonyms import SynonymsError
    from sitegen.render.templates import LayoutError

    unchanged = f"未生成网站；{args.out}/ 保持不变"
    try:
        loaded = build(args.content, args.out, Progress(), without(PDF) if args.no_pdf else RENDERERS, force=args.force,
                       cluster=args.cluster, use_cache=not args.no_cache)
    except BuildFailed as failed:
        print(text_report(failed.loaded), file=sys.stderr)
        print(f"有错误，{unchanged}", file=sys.stderr)
        return EXIT_FINDINGS
    except SitegenError as exc:  # the output folder, the cache, the cluster, a renderer: one line and its code
        signals.raise_if_stopping()
        show_traceback(args)
        if isinstance(exc, (LayoutError, SynonymsError)):  # starts with file:line, as findings do
            line = f"{exc}（{unchanged}）"
        elif isinstance(exc, (RenderError, WorkerLost)):  # met while rendering: the site stays as it was
            line = f"sitegen build: {exc}；{unchanged}"
        else:  # refused before any work: the message says it all
            line = f"sitegen build: {exc}"
        print(line, file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        signals.raise_if_stopping()
        show_traceback(args)
        print(f"sitegen build: {os_error_line(exc)}；{unchanged}", file=sys.stderr)
        return EXIT_FINDINGS
    except sqlite3.OperationalError as exc:
        # The indicators' index is a SQLite file in the temporary folder; SQLite says a full disk
        # in its own words, not as an OSError.
        if getattr(exc, "sqlite_errorcode", None) != sqlite3.SQLITE_FULL:
            raise
        signals.raise_if_stopping()
        show_traceback(args)
        print(f"sitegen build: 磁盘空间不足 {tempfile.gettempdir()}：指标索引写不下（{exc}）；{unchanged}", file=sys.stderr)
        return EXIT_FINDINGS
    print(text_report(loaded), file=sys.stderr)
    print(f"网站已生成：{args.out}/")
    return exit_code(loaded, args.strict)


def cmd_serve(args: argparse.Namespace) -> int:
    from sitegen.base.safety import UnsafeOutput
    from sitegen.build.cache import UntrustedCache
    from sitegen.commands.serve import serve, shown_url

    try:
        server = serve(args.content, args.out, args.host, args.port, with_pdf=not args.no_pdf, force=args.force)
    except (UnsafeOutput, UntrustedCache) as exc:  # refused before anything is built or served
        print(f"sitegen serve: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # the address (taken, not this machine's, no such name), or the output folder
        where = exc.filename or shown_url(args.host, args.port)
        print(f"sitegen serve: 无法在 {where} 上启动：{exc.strerror or exc}", file=sys.stderr)
        return EXIT_FINDINGS
    print(f"预览地址：{shown_url(args.host, server.server_address[1])} （Ctrl+C 停止）", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from sitegen.commands import scaffold

    try:
        if args.kind == "site":
            for path in scaffold.new_site(args.folder, args.title, args.base_url):
                print(f"已创建 {path}")
            print(f"下一步：cd {args.folder} && sitegen new agency <单位目录名> --code … --name … --region …")
            return EXIT_OK
        if args.kind == "agency":
            path = scaffold.new_agency(args.content, args.id, args.code, args.name, args.region)
        elif args.kind == "year":
            path = scaffold.new_year(args.content, args.agency, args.year)
        elif args.kind == "overall":
            path = scaffold.new_overall(args.content, args.agency, args.year)
        else:
            path = scaffold.new_project(args.content, args.agency, args.year, args.id, args.name)
    except scaffold.ScaffoldError as exc:
        print(f"sitegen new: {exc}", file=sys.stderr)
        return EXIT_FINDINGS
    print(f"已创建 {path}")
    return EXIT_OK


def refused(message: str) -> str:
    """A refused import's one line: the reason (names and cells in it made visible), and that
    nothing was written unless it says so."""
    message = visible(message)
    return message if any(word in message for word in ("撤回", "未改动", "未写入")) else f"{message}（未写入任何文件）"


def cmd_import(args: argparse.Namespace) -> int:
    from sitegen.importers.grid import BadInput
    from sitegen.importers.plan import Options, run_import

    from sitegen.importers.explain import explain
    from sitegen.importers.labels import using_mapping

    options = Options(args.into, args.agency, args.year, args.region, args.dry_run, args.force)
    try:
        with using_mapping(args.map):
            if args.explain:
                print(explain(args.files))
                return 0
            code, report = run_import(args.files, options)
    except BadInput as exc:
        print(f"sitegen import: {refused(exc.message)}", file=sys.stderr)
        return EXIT_USAGE
    print(report.text(args.dry_run))
    if code and report.files:  # a folder: each file was imported or not on its own (listed above)
        print("有文件未导入（见上面各文件的结果）", file=sys.stderr)
    elif code:
        print("有冲突或错误，未写入任何文件", file=sys.stderr)
    elif args.dry_run:
        print("试运行（--dry-run）：未写入任何文件")
    return code


def cmd_schema(args: argparse.Namespace) -> int:
    from sitegen.model.schema import SchemaError, stale_schemas, write_schemas

    out = args.out  # schema/ of the folder it runs in: beside a site's content/, or in sitegen's checkout
    if args.check:
        stale = stale_schemas(out)
        for name in stale:
            print(f"{out}/{name}: 已过期，请运行 sitegen schema", file=sys.stderr)
        return EXIT_FINDINGS if stale else EXIT_OK
    try:
        written = write_schemas(out)
    except (SchemaError, OSError) as exc:
        print(f"sitegen schema: {exc if isinstance(exc, SchemaError) else os_error_line(exc)}", file=sys.stderr)
        return EXIT_FINDINGS
    for path in written:
        print(f"已写入 {path}")
    return EXIT_OK
