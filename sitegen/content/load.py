"""Stage 1, load: content files → located nodes, and the content tree's shape.

Only `yaml.SafeLoader`'s composer is used: it builds nodes and never
constructs Python objects, so no tag can run code. Everything that can go
wrong with a file (size, encoding, syntax, aliases, nesting) becomes a
located error; nothing here raises.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from sitegen.base.findings import Findings, Loc, quoted, shorten
from sitegen.base.safety import shown_path
from sitegen.content.nodes import Mapping, Node, Scalar, Sequence

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000  # guards against alias bombs ("billion laughs")
MAX_DEPTH = 60
C_COMPOSER_MAX_DEPTH = 2000  # far below where libyaml's recursion overflows the C stack
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
# An id is part of the output's file names: <agency>-<year>-<project>-selfeval.pdf with two ids of
# 64 is 147 bytes, within every file system's 255 a name (a 240-character id broke the PDF build).
MAX_ID_LENGTH = 64
YEAR_PATTERN = re.compile(r"^\d{4}$")
# Top-level names the site itself uses for its own sections; a unit folder
# with one of these names would overwrite them in output/.
RESERVED_IDS = frozenset(
    {"pages", "static", "search", "data", "regions", "units", "years", "pagefind", "assets", "pdf", "feeds"}
)
STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "value", "merge")
)
YAML_SUFFIXES = (".yaml", ".yml")
# The year folder's own files; no project can have their names as its id.
YEAR_FILES = ("disclosure.yaml", "overall.yaml")
RESERVED_YEAR_NAMES = frozenset(name.split(".")[0] for name in YEAR_FILES)
IGNORED_NAMES = frozenset({"README.md", "CHANGELOG.md", "changelog.md", "readme.md"})


# ---------------------------------------------------------------- one file


def read_text(path: Path, shown: str, findings: Findings) -> str | None:
    """The file's text, or None after a located error."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        findings.error("unreadable", f"无法读取文件：{exc.strerror}", Loc(shown))
        return None
    if len(data) > MAX_FILE_BYTES:
        findings.error("too-large", f"文件过大（{len(data)} 字节，上限 {MAX_FILE_BYTES}）", Loc(shown))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        findings.error(
            "encoding",
            f"文件不是 UTF-8 编码（第 {exc.start} 字节 0x{data[exc.start]:02x}），请另存为 UTF-8",
            Loc(shown, line, col),
        )
        return None


def read_yaml(path: Path, shown: str, findings: Findings) -> Node | None:
    """Parse one YAML file into located nodes; None after an error."""
    text = read_text(path, shown, findings)
    if text is None:
        return None
    return parse_yaml(text, shown, findings)


SHARED_LENGTH = 16


def shared(text: str) -> str:
    """One string object for each short text: keys, 一级/二级 names, units, operators and
    numbers repeat in every file, and the model keeps them all (a fifth less memory)."""
    return sys.intern(text) if len(text) <= SHARED_LENGTH else text


class CachedResolver:
    """Tag resolution with a memo for plain scalars.

    A plain scalar's tag depends only on its text, and content repeats the
    same texts (一级 names, units, %) over and over; PyYAML tries its regular
    expressions on every one, a third of the parsing time.
    """

    plain_tags: dict[str, str] = {}

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0]:
            tag = self.plain_tags.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(self.plain_tags) < 100_000:
                    self.plain_tags[value] = tag
            return tag
        return super().resolve(kind, value, implicit)


class PyComposer(CachedResolver, yaml.SafeLoader):
    pass


if getattr(yaml, "__with_libyaml__", False):
    class CComposer(CachedResolver, yaml.CSafeLoader):
        pass
else:
    CComposer = None


def composer_for(text: str) -> type:
    """libyaml's composer (many times faster) when the file cannot nest deeply, else PyYAML's.

    libyaml's composer recurses in C and crashes the process on pathological
    nesting (seen at 200,000 levels) where PyYAML raises RecursionError. A
    block collection one level deeper starts at least one column further
    right, and every flow collection opens with [ or {, so the longest line
    plus the number of brackets bounds the depth from above.
    """
    if CComposer is None:
        return PyComposer
    longest = max((len(line) for line in text.splitlines()), default=0)
    bound = longest + text.count("[") + text.count("{")
    return CComposer if bound < C_COMPOSER_MAX_DEPTH else PyComposer


def parse_yaml(text: str, shown: str, findings: Findings) -> Node | None:
    try:
        documents = list(yaml.compose_all(text, Loader=composer_for(text)))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Loc(shown, mark.line + 1, mark.column + 1) if mark else Loc(shown)
        findings.error("yaml-syntax", f"YAML 语法错误：{yaml_problem(exc)}", loc)
        return None
    except yaml.YAMLError as exc:  # ReaderError: control characters, binary data
        findings.error("yaml-syntax", f"YAML 无法读取：{reader_problem(exc)}", reader_loc(exc, text, shown))
        return None
    except RecursionError:
        findings.error("too-deep", "嵌套层次过深，无法读取", Loc(shown))
        return None
    if len(documents) > 1:
        findings.error("yaml-syntax", "一个文件只能有一个 YAML 文档（发现多个 ---）", Loc(shown))
        return None
    if not documents or documents[0] is None:
        return Mapping((), Loc(shown))  # an empty file is an empty mapping
    return NodeCopier(shown, findings).copy(documents[0])


def yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    return shorten("；".join(parts), 120) or "无法解析"


def reader_problem(exc: yaml.YAMLError) -> str:
    character = getattr(exc, "character", None)
    if isinstance(character, str):
        character = ord(character)
    if isinstance(character, int):
        return f"含有不可打印字符 U+{character:04X}（是二进制文件吗？）"
    return shorten(str(exc).splitlines()[0], 120)


def reader_loc(exc: yaml.YAMLError, text: str, shown: str) -> Loc:
    position = getattr(exc, "position", None)
    if not isinstance(position, int):
        return Loc(shown)
    line = text.count("\n", 0, position) + 1
    col = position - (text.rfind("\n", 0, position) + 1) + 1
    return Loc(shown, line, col)


class NodeCopier:
    """Copies PyYAML nodes into ours, refusing alias bombs, cycles and depth.

    Scalars are copied inline in their collection's loop: they are nine nodes
    in ten, and a call per node would be most of the loading time.
    """

    def __init__(self, shown: str, findings: Findings):
        self.shown = shown
        self.findings = findings
        self.count = 0
        self.failed = False
        self.open_ids: set[int] = set()  # collections being copied: an alias back to one is a cycle

    def copy(self, node: yaml.Node) -> Node | None:
        result = self._copy(node, 0)
        if self.count > MAX_NODES:  # scalars are counted after their collection
            self._fail("too-large", f"节点过多（超过 {MAX_NODES} 个，是否滥用了 YAML 别名？）", node)
        return None if self.failed else result

    def _loc(self, node: yaml.Node) -> Loc:
        return Loc(self.shown, node.start_mark.line + 1, node.start_mark.column + 1)

    def _fail(self, code: str, message: str, node: yaml.Node) -> Scalar:
        if not self.failed:
            self.findings.error(code, message, self._loc(node))
        self.failed = True
        return Scalar("", "", self._loc(node))

    def _copy(self, node: yaml.Node, depth: int) -> Node:
        self.count += 1
        if self.failed:
            return Scalar("", "", self._loc(node))
        if self.count > MAX_NODES:
            return self._fail("too-large", f"节点过多（超过 {MAX_NODES} 个，是否滥用了 YAML 别名？）", node)
        if depth > MAX_DEPTH:
            return self._fail("too-deep", f"嵌套层次过深（超过 {MAX_DEPTH} 层）", node)
        if id(node) in self.open_ids:
            return self._fail("yaml-syntax", "YAML 别名引用了自身（循环引用）", node)
        if node.tag not in STANDARD_TAGS:
            return self._fail("yaml-syntax", f"不支持的 YAML 标签 {shorten(node.tag)}：内容文件只用普通的文字、数字、列表和映射", node)
        if isinstance(node, yaml.ScalarNode):
            return Scalar(shared(node.value), node.tag, self._loc(node))
        self.open_ids.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            copied: Node = Sequence(tuple(self._items(node.value, depth + 1)), self._loc(node))
        else:
            copied = self._mapping(node, depth)
        self.open_ids.discard(id(node))
        return copied

    def _items(self, nodes: list[yaml.Node], depth: int) -> list[Node]:
        shown, scalar_node, tags = self.shown, yaml.ScalarNode, STANDARD_TAGS
        items: list[Node] = []
        scalars = 0
        for node in nodes:
            if node.__class__ is scalar_node and node.tag in tags:
                mark = node.start_mark
                items.append(Scalar(shared(node.value), node.tag, Loc(shown, mark.line + 1, mark.column + 1)))
                scalars += 1
            else:
                items.append(self._copy(node, depth))  # counts and checks itself
        self.count += scalars
        return items

    def _mapping(self, node: yaml.MappingNode, depth: int) -> Node:
        keys = []
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode):
                return self._fail("yaml-syntax", "键必须是简单文字，不能是列表或映射", key)
            if key.tag == "tag:yaml.org,2002:merge":
                return self._fail("yaml-syntax", "不支持 YAML 合并键（<<），请直接写出各个键", key)
            keys.append(key)
        copied_keys = self._items(keys, depth + 1)
        values = self._items([value for _, value in node.value], depth + 1)
        return Mapping(tuple(zip(copied_keys, values)), self._loc(node))


# ---------------------------------------------------------------- the tree


@dataclass
class ProjectFile:
    id: str
    path: Path
    shown: str
    node: Node | None


@dataclass
class YearDir:
    year: int
    path: Path
    shown: str
    disclosure: Node | None
    disclosure_shown: str | None
    projects: list[ProjectFile] = field(default_factory=list)
    overall: Node | None = None  # overall.yaml: 部门（单位）整体支出绩效目标


@dataclass
class AgencyDir:
    id: str
    path: Path
    shown: str
    node: Node | None
    years: list[YearDir] = field(default_factory=list)


@dataclass
class PageFile:
    id: str
    shown: str
    text: str


@dataclass
class Tree:
    root: Path
    site: Node | None
    site_shown: str
    pages: list[PageFile] = field(default_factory=list)
    agencies: list[AgencyDir] = field(default_factory=list)


def load_tree(root: Path, findings: Findings, each_agency: Callable[[Tree, AgencyDir], None] | None = None,
              only: frozenset[str] | None = None, shown: str | None = None) -> Tree:
    """Walk content/ in sorted order and parse every file it should hold.

    With `each_agency`, every unit's folder is handed to it as soon as it is read (site.yaml is
    read by then) and not kept in the tree, so that its nodes can be freed before the next.
    With `only`, the units' folders of other names are passed over (a shard of the build,
    sitegen/build/shards.py); site.yaml, pages/ and the files beside them are read all the same.
    `shown` is how the file names begin in findings (display_root; a cluster's worker is told)."""
    shown = display_root(root) if shown is None else shown
    site_path = root / "site.yaml"
    tree = Tree(root, None, f"{shown}site.yaml")
    if not root.is_dir():
        findings.error("missing-content", f"内容目录不存在：{root}", Loc(str(root)))
        return tree
    inside = root.resolve()
    if site_path.is_file() or site_path.is_symlink():
        if not linked_outside(site_path, inside, tree.site_shown, findings):
            tree.site = read_yaml(site_path, tree.site_shown, findings)
    else:
        findings.error("missing-site", "缺少 site.yaml（站点设置：title、base_url）", Loc(tree.site_shown))
    for entry in top_entries(root, shown, findings, only):
        place = f"{shown}{entry.name}"
        if entry.name.startswith(".") or entry.name == "site.yaml" or linked_outside(entry, inside, place, findings):
            continue
        if entry.is_dir() and entry.name == "pages":
            tree.pages = load_pages(entry, f"{place}/", findings, inside)
        elif entry.is_dir() and only is not None and entry.name not in only:
            continue
        elif entry.is_dir():
            agency = load_agency(entry, f"{place}/", findings, inside)
            if agency and each_agency:
                each_agency(tree, agency)
            elif agency:
                tree.agencies.append(agency)
        elif entry.name not in ("site.yaml", *IGNORED_NAMES):
            findings.warning("unexpected-file", "内容目录中的文件未被使用（忽略）", Loc(place))
    return tree


def top_entries(root: Path, shown: str, findings: Findings, only: frozenset[str] | None) -> list[Path]:
    """The content folder's entries in sorted order; for a shard (`only` names its units) just
    those units' folders and pages/, whatever else is there: the build's own load of the site
    (only empty) reports the rest. Every shard of a large site would otherwise list and test
    every unit folder of the site again."""
    if not only:
        return listing(root, shown, findings)
    return [root / name for name in sorted(only | {"pages"}) if os.path.lexists(root / name)]


def display_root(root: Path) -> str:
    """How file names are shown: relative to the working directory when possible."""
    text = shown_path(root)
    return "" if text == "." else text.rstrip("/") + "/"


def listing(folder: Path, shown: str, findings: Findings) -> list[Path]:
    """The folder's entries in sorted order; an unreadable folder is a located error."""
    try:
        return sorted(folder.iterdir())
    except OSError as exc:
        findings.error("unreadable", f"无法读取目录：{exc.strerror}", Loc(shown or str(folder)))
        return []


def linked_outside(path: Path, inside: Path, shown: str, findings: Findings) -> bool:
    """A symbolic link leading out of the content folder (`inside`, resolved): an error naming
    the link, never its target, which may be any file of the machine (/etc/passwd, a key).

    Git stores links, so one merged contribution could otherwise publish them. Links that
    stay inside the content folder work. Every entry is checked before it is read or entered,
    so a path through an accepted folder cannot lead out either.
    """
    if not path.is_symlink():
        return False
    try:
        if path.resolve().is_relative_to(inside):
            return False
    except (OSError, RuntimeError):  # a loop of links
        pass
    findings.error("link-outside", "符号链接指向内容目录之外（或无法解析），不会读取：内容文件必须在内容目录之内", Loc(shown))
    return True


def valid_id(name: str, shown: str, what: str, findings: Findings) -> bool:
    if not ID_PATTERN.match(name):
        findings.error(
            "bad-id",
            f"{what}{quoted(name)}含有不允许的字符：只能用 ASCII 字母、数字、- 和 _（它会成为网址的一部分）",
            Loc(shown),
        )
        return False
    if len(name) > MAX_ID_LENGTH:
        findings.error(
            "long-id",
            f"{what}{quoted(name)}有 {len(name)} 个字符，最多 {MAX_ID_LENGTH} 个（它会成为网址和 PDF 文件名的一部分）",
            Loc(shown),
        )
        return False
    return True


def load_pages(folder: Path, shown: str, findings: Findings, inside: Path) -> list[PageFile]:
    pages = []
    for entry in listing(folder, shown, findings):
        place = f"{shown}{entry.name}"
        if entry.name.startswith(".") or linked_outside(entry, inside, place, findings) or entry.is_dir():
            continue
        if entry.suffix != ".md":
            findings.warning("unexpected-file", "pages/ 中只使用 .md 文件（忽略）", Loc(place))
            continue
        if not valid_id(entry.stem, place, "页面名", findings):
            continue
        text = read_text(entry, place, findings)
        if text is not None:
            pages.append(PageFile(entry.stem, place, text))
    return pages


def load_agency(folder: Path, shown: str, findings: Findings, inside: Path) -> AgencyDir | None:
    if not valid_id(folder.name, shown, "单位目录名", findings):
        return None
    if folder.name.lower() in RESERVED_IDS:
        findings.error("reserved-id", f"单位目录名{quoted(folder.name)}是站点保留名，请改名", Loc(shown))
        return None
    agency_file = folder / "agency.yaml"
    node = None
    if agency_file.is_file() or agency_file.is_symlink():
        if not linked_outside(agency_file, inside, f"{shown}agency.yaml", findings):
            node = read_yaml(agency_file, f"{shown}agency.yaml", findings)
    else:
        findings.error("missing-agency", "单位目录缺少 agency.yaml（单位编码 code、名称 name、行政区划 region）", Loc(shown))
    agency = AgencyDir(folder.name, folder, shown, node)
    for entry in listing(folder, shown, findings):
        place = f"{shown}{entry.name}"
        if entry.name.startswith(".") or entry.name in ("agency.yaml", *IGNORED_NAMES):
            continue
        if linked_outside(entry, inside, place, findings):
            continue
        if entry.is_dir() and YEAR_PATTERN.match(entry.name):
            agency.years.append(load_year(entry, f"{place}/", findings, inside))
        elif entry.is_dir():
            findings.error("bad-year", f"目录{quoted(entry.name)}不是四位数的预算年度（如 2022）", Loc(f"{place}/"))
        else:
            findings.warning("unexpected-file", "单位目录中只使用 agency.yaml 和年度目录（忽略）", Loc(place))
    return agency


def load_year(folder: Path, shown: str, findings: Findings, inside: Path) -> YearDir:
    disclosure_path = folder / "disclosure.yaml"
    disclosure_shown = f"{shown}disclosure.yaml"
    year = YearDir(int(folder.name), folder, shown, None, None)
    if (disclosure_path.is_file() or disclosure_path.is_symlink()) and not linked_outside(
            disclosure_path, inside, disclosure_shown, findings):
        year.disclosure = read_yaml(disclosure_path, disclosure_shown, findings)
        year.disclosure_shown = disclosure_shown
    overall_path = folder / "overall.yaml"
    if (overall_path.is_file() or overall_path.is_symlink()) and not linked_outside(
            overall_path, inside, f"{shown}overall.yaml", findings):
        year.overall = read_yaml(overall_path, f"{shown}overall.yaml", findings)
    for entry in listing(folder, shown, findings):
        place = f"{shown}{entry.name}"
        if entry.name.startswith(".") or entry.name in (*YEAR_FILES, *IGNORED_NAMES):
            continue
        if linked_outside(entry, inside, place, findings):
            continue
        if entry.is_dir() or entry.suffix not in YAML_SUFFIXES:
            findings.warning("unexpected-file", "年度目录中只使用 .yaml 项目文件（忽略）", Loc(place))
            continue
        if entry.stem.lower() in RESERVED_YEAR_NAMES:
            findings.error("reserved-id", f"{quoted(entry.name)}是保留名：年度表请命名为 {entry.stem.lower()}.yaml，项目文件请改名", Loc(place))
            continue
        if valid_id(entry.stem, place, "项目文件名", findings):
            year.projects.append(ProjectFile(entry.stem, entry, place, read_yaml(entry, place, findings)))
    report_collisions(year, findings)
    return year


def report_collisions(year: YearDir, findings: Findings) -> None:
    """Two files that would be published at one permalink (x.yaml and x.yml, A and a)."""
    seen: dict[str, ProjectFile] = {}
    kept = []
    for project in year.projects:
        key = project.id.lower()
        first = seen.get(key)
        if first is None:
            seen[key] = project
            kept.append(project)
            continue
        findings.error(
            "duplicate-permalink",
            f"与 {first.shown} 的网址相同（/{year.path.parent.name}/{year.year}/{key}/），请改名其中一个",
            Loc(project.shown),
        )
    year.projects = kept
