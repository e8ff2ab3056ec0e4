"""Field kinds and record specs: the declarative half of the model.

A `Spec` lists the keys of one kind of record (site, agency, disclosure,
project, indicator ...). The same spec parses located nodes into values
(reporting located errors), writes the JSON Schema and the `sitegen new`
scaffolds, so the three cannot drift apart.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sitegen.base.findings import Findings, Loc, quoted, shorten
from sitegen.content.nodes import Mapping, Node, Scalar, Sequence, kind_name

NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
MAX_INTEGER_DIGITS = 15  # 10^15 万元 is far past any budget; beyond, sums would lose cents


class Invalid(Exception):
    """A value of the wrong form; the message is Chinese and names the key."""

    def __init__(self, message: str, code: str = "type"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Target:
    """目标值 as written, and its number when it is one (定量)."""

    text: str
    number: Decimal | None

    @property
    def is_numeric(self) -> bool:
        return self.number is not None


# ---------------------------------------------------------------- kinds


class Kind:
    example: Any = ""

    def parse(self, node: Node, label: str) -> Any:
        raise NotImplementedError

    def json_schema(self) -> dict:
        raise NotImplementedError


def scalar_text(node: Node, label: str, expected: str) -> str:
    if not isinstance(node, Scalar) or node.is_null:
        raise Invalid(f"{label}应为{expected}，实际为{kind_name(node)}")
    return node.text


def parse_decimal(text: str, label: str, example: str) -> Decimal:
    cleaned = text.strip()
    if not NUMBER.match(cleaned):
        raise Invalid(f"{label}应为数字（如 {example}），实际为{quoted(text)}")
    if len(cleaned.lstrip("+-").split(".")[0].lstrip("0")) > MAX_INTEGER_DIGITS:
        raise Invalid(f"{label}数值过大（整数部分超过 {MAX_INTEGER_DIGITS} 位）：{quoted(text)}")
    return Decimal(cleaned)


class Text(Kind):
    """Any scalar, kept exactly as written (an unquoted 418001 stays text)."""

    example = "……"

    def __init__(self, markdown: bool = False):
        self.markdown = markdown

    def parse(self, node: Node, label: str) -> str:
        return scalar_text(node, label, "文字")

    def json_schema(self) -> dict:
        schema: dict = {"type": ["string", "number"]}
        if self.markdown:
            schema["contentMediaType"] = "text/markdown"
        return schema


class Url(Text):
    """An absolute http(s) URL a site is served from: it goes into the sitemap, the feed,
    robots.txt and the canonical links, so it is checked here, not escaped there."""

    example = "https://example.org/"
    PATTERN = re.compile(
        r"^https?://"
        r"(?P<host>[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
        r"|\[[0-9A-Fa-f:.]+\])"
        r"(?::(?P<port>\d{1,5}))?"
        r"(?P<path>/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$"
    )

    def parse(self, node: Node, label: str) -> str:
        text = scalar_text(node, label, "网址").strip()
        problem = self.problem(text)
        if problem:
            raise Invalid(f"{label}应为以 http:// 或 https:// 开头的完整网址（如 {self.example}），{problem}：{quoted(text)}")
        return text if text.endswith("/") else text + "/"

    def problem(self, text: str) -> str | None:
        if not re.match(r"^https?://", text):
            return "开头不是 http:// 或 https://"
        if any(c in text for c in "?#"):
            return "不能带查询参数（?）或片段（#）"
        if "@" in text.split("/")[2]:
            return "不能含有用户名或密码（@）"
        match = self.PATTERN.match(text)
        if not match:
            return "域名或路径中有不允许的字符（空格、引号、尖括号、中文等，中文域名请写成 xn-- 形式，路径请用 % 编码）"
        if match["port"] and not 0 < int(match["port"]) < 65536:
            return "端口号不在 1–65535 之间"
        return None

    def json_schema(self) -> dict:
        return {"type": "string", "format": "uri", "pattern": "^https?://[^\\s/?#@]+(/[^\\s?#]*)?$"}


class Patterned(Text):
    """Text that must match PATTERN, the same pattern its JSON Schema gives editors."""

    PATTERN: re.Pattern
    what = ""  # what the value is, for the message when it is not a scalar
    wanted = ""  # what the value should be, for the message when it does not match
    schema_format: dict = {}  # a JSON Schema "format" the value also has

    def parse(self, node: Node, label: str) -> str:
        text = scalar_text(node, label, self.what).strip()
        if not self.PATTERN.match(text):
            raise Invalid(f"{label}应为{self.wanted}，实际为{quoted(text)}")
        return text

    def json_schema(self) -> dict:
        return {"type": "string", **self.schema_format, "pattern": self.PATTERN.pattern}


class Link(Patterned):
    """A web address a reader follows (a source's page): http(s), no spaces; query strings
    are fine (many government sites serve attachments as ?id=…). Kept exactly as written."""

    example = "https://www.example.gov.cn/info/2431/148733.htm"
    PATTERN = re.compile(r"^https?://[^\s/?#@]+(?:[/?#]\S*)?$")
    what = "网址"
    wanted = f"以 http:// 或 https:// 开头、不含空格的网址（如 {example}）"
    schema_format = {"format": "uri"}


class License(Kind):
    """The data licence: an SPDX id (`CC-BY-4.0`) or `{name, url}`; parsed to (name, url)."""

    example = "CC-BY-4.0"

    def parse(self, node: Node, label: str) -> tuple[str, str]:
        if not isinstance(node, Mapping):
            return scalar_text(node, label, "许可协议标识（如 CC-BY-4.0）或 {name, url}").strip(), ""
        values: dict[str, str] = {}
        for key, value in node.pairs:
            if key.text not in ("name", "url"):
                raise Invalid(f"{label}中未知的键 {shorten(key.text)}（可用：name、url）", "unknown-key")
            values[key.text] = Link().parse(value, f"{label}.url") if key.text == "url" else scalar_text(value, f"{label}.name", "文字").strip()
        if not values.get("name"):
            raise Invalid(f"{label}缺少 name（许可协议名称）", "missing-key")
        return values["name"], values.get("url", "")

    def json_schema(self) -> dict:
        return {"oneOf": [{"type": "string"}, {"type": "object", "properties": {
            "name": {"type": "string"}, "url": {"type": "string", "format": "uri"}},
            "required": ["name"], "additionalProperties": False}]}


class LanguageTag(Patterned):
    """A well-formed BCP 47 language tag (RFC 5646): zh-CN, zh-Hans-CN, en, x-private."""

    example = "zh-CN"
    # Letters as [A-Za-z], not a flag: the same pattern goes into the JSON Schema (ECMA-262).
    SUBTAGS = (r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"  # language (and extended language)
               r"(?:-[A-Za-z]{4})?"  # script
               r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"  # region
               r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"  # variants
               r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"  # extensions
               r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?")  # private use
    PATTERN = re.compile(rf"^(?:{SUBTAGS}|[Xx](?:-[A-Za-z0-9]{{1,8}})+)$")
    what = "语言代码"
    wanted = " BCP 47 语言代码（如 zh-CN、zh-Hans-CN、en，用连字符 - 分隔）"


class Number(Kind):
    """A decimal number that keeps its written precision (65.00 stays 65.00)."""

    example = "65.00"

    def __init__(self, minimum: Decimal | None = None):
        self.minimum = minimum

    def parse(self, node: Node, label: str) -> Decimal:
        value = parse_decimal(scalar_text(node, label, "数字"), label, self.example)
        if self.minimum is not None and value < self.minimum:
            raise Invalid(f"{label}不能小于 {self.minimum}，实际为{quoted(node.text)}")
        return value

    def json_schema(self) -> dict:
        schema: dict = {"type": ["number", "string"], "pattern": NUMBER.pattern}
        if self.minimum is not None:
            schema["minimum"] = float(self.minimum)
        return schema


class TargetValue(Kind):
    """目标值: a number (定量) or text (定性), both kept as written."""

    example = "100"

    def parse(self, node: Node, label: str) -> Target:
        text = scalar_text(node, label, "数字或文字").strip()
        if NUMBER.match(text):
            try:
                return Target(text, parse_decimal(text, label, self.example))
            except Invalid:
                return Target(text, None)
        return Target(text, None)

    def json_schema(self) -> dict:
        return {"type": ["number", "string"]}


class Choice(Kind):
    """One of a closed list; `aliases` maps other spellings to the canonical one."""

    def __init__(self, values: tuple[str, ...], aliases: dict[str, str] | None = None, code: str = "type"):
        self.values = values
        self.aliases = {v: v for v in values} | (aliases or {})
        self.code = code
        self.example = values[0]

    def parse(self, node: Node, label: str) -> str:
        text = scalar_text(node, label, "文字").strip()
        if text in self.aliases:
            return self.aliases[text]
        allowed = "、".join(self.values)
        hint = suggest(text, list(self.aliases))
        raise Invalid(f"{label}{quoted(text)}不是可用的值（可用：{allowed}）{hint}", self.code)

    def json_schema(self) -> dict:
        return {"type": "string", "enum": list(self.aliases)}


class Date(Kind):
    example = "2024-01-31"

    def parse(self, node: Node, label: str) -> date:
        text = scalar_text(node, label, "日期").strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise Invalid(f"{label}应为 YYYY-MM-DD 格式的日期，实际为{quoted(text)}") from None

    def json_schema(self) -> dict:
        return {"type": "string", "format": "date"}


class TextList(Kind):
    """One string or a list of strings; always a list once parsed."""

    example = "……"

    def parse(self, node: Node, label: str) -> list[str]:
        if isinstance(node, Sequence):
            return [scalar_text(item, f"{label}的第 {i + 1} 项", "文字") for i, item in enumerate(node.items)]
        return [scalar_text(node, label, "文字或文字列表")]

    def json_schema(self) -> dict:
        return {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}


class Labelled(Kind):
    """A mapping from labels as printed to their text, in printed order (`facts`)."""

    example = "{项目分类: 专项工作经费}"

    def parse(self, node: Node, label: str) -> tuple[tuple[str, str], ...]:
        if not isinstance(node, Mapping):
            raise Invalid(f"{label}应为映射（原表标签: 内容），实际为{kind_name(node)}")
        pairs: list[tuple[str, str]] = []
        seen: set[str] = set()
        for key, value in node.pairs:
            name = key.text.strip()
            if name in seen:
                raise Invalid(f"{label}中的标签{quoted(name)}重复出现", "duplicate-key")
            seen.add(name)
            text = "" if isinstance(value, Scalar) and value.is_null else scalar_text(value, f"{label}{quoted(name)}", "文字")
            pairs.append((name, text))
        return tuple(pairs)

    def json_schema(self) -> dict:
        return {"type": "object", "additionalProperties": {"type": ["string", "number", "null"]}}


class Record(Kind):
    def __init__(self, spec: "Spec"):
        self.spec = spec

    def json_schema(self) -> dict:
        return self.spec.json_schema()


class Records(Kind):
    def __init__(self, spec: "Spec"):
        self.spec = spec

    def json_schema(self) -> dict:
        return {"type": "array", "items": self.spec.json_schema()}


class OneOrMany(Records):
    """One record or a list of them (`source`); always a list once parsed."""

    def json_schema(self) -> dict:
        return {"oneOf": [self.spec.json_schema(), super().json_schema()]}


# ---------------------------------------------------------------- specs


@dataclass(frozen=True)
class ColumnInfo:
    """How a field is a column of the open data: its name, title (Chinese) and description."""

    name: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Field:
    key: str
    label: str  # the Chinese name agencies know, e.g. 预算数
    kind: Kind
    required: bool | str = False  # True, False, or "warn": missing is a warning
    help: str = ""  # one English sentence for editors and docs
    default: Any = None
    column: ColumnInfo | None = None  # its open-data column, when it has one
    cell: str = ""  # its label on pages and PDFs when it is not `label` (评(扣)分标准)
    doc: str = ""  # its meaning in the docs' key table (docs/content-format.md), Chinese / English
    shown: str = field(init=False, repr=False, compare=False)  # in messages: 预算数（budget）

    def __post_init__(self) -> None:
        object.__setattr__(self, "shown", f"{self.label}（{self.key}）")

    @property
    def cell_label(self) -> str:
        return self.cell or self.label


@dataclass(frozen=True)
class Spec:
    name: str
    title: str
    fields: tuple[Field, ...]

    def __post_init__(self) -> None:
        # Lookups parse_record makes for every key of every record.
        object.__setattr__(self, "by_key", {f.key: f for f in self.fields})
        object.__setattr__(self, "by_label", {f.label: f.key for f in self.fields})

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.fields]

    def field(self, key: str) -> Field:
        return self.by_key[key]  # type: ignore[attr-defined]

    def json_schema(self) -> dict:
        properties = {}
        for f in self.fields:
            prop = {"title": f.label, **f.kind.json_schema()}
            if f.help:
                prop["description"] = f.help
            properties[f.key] = prop
        required = [f.key for f in self.fields if f.required is True]
        return {
            "type": "object",
            "title": self.title,
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }


@dataclass
class Parsed:
    """A mapping parsed against a spec: values by key, and where each was written."""

    values: dict[str, Any]
    locs: dict[str, Loc]
    loc: Loc
    ok: bool = True
    children: dict[str, list["Parsed"] | "Parsed"] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


def closest(word: str, candidates: list[str]) -> str | None:
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


def suggest(word: str, candidates: list[str]) -> str:
    meant = closest(word, candidates)
    return f"；是不是「{meant}」？" if meant else ""


def parse_record(node: Node, spec: Spec, path: str, findings: Findings) -> Parsed:
    """Parse a mapping node against `spec`; every problem becomes a located finding."""
    if not isinstance(node, Mapping):
        findings.error("type", f"{spec.title}应为映射（键: 值），实际为{kind_name(node)}", node.loc, path)
        return Parsed({}, {}, node.loc, ok=False)
    parsed = Parsed({}, {}, node.loc)
    present: set[str] = set()  # keys with a value, valid or not
    for key_node, value in node.pairs:
        key = key_node.text
        where = join_path(path, key)
        if key in parsed.locs:
            findings.error("duplicate-key", f"键 {shorten(key)} 重复出现（第一次在第 {parsed.locs[key].line} 行），后写的会覆盖先写的", key_node.loc, where)
            parsed.ok = False
            continue
        f = spec.by_key.get(key)
        if f is None:
            meant = spec.by_label.get(key) or closest(key, spec.keys)
            hint = f"；是不是「{meant}」？" if meant else ""
            if meant:
                present.add(meant)  # the author wrote it, misspelt: one error, not two
            findings.error("unknown-key", f"未知的键 {shorten(key)}（{spec.title}）{hint}", key_node.loc, shorten(where, 80))
            parsed.ok = False
            continue
        parsed.locs[key] = value.loc
        if isinstance(value, Scalar) and value.is_null:
            continue  # `key:` with nothing after it counts as absent
        present.add(key)
        parse_value(f, value, where, parsed, findings)
    for f in spec.fields:
        if f.key in present:
            continue
        if f.required is True:
            findings.error("missing-key", f"缺少必填的键 {f.key}（{f.label}）", parsed.locs.get(f.key, node.loc), path)
            parsed.ok = False
        if f.default is not None:
            parsed.values[f.key] = f.default
    return parsed


def parse_value(f: Field, value: Node, where: str, parsed: Parsed, findings: Findings) -> None:
    if isinstance(f.kind, Record):
        parsed.children[f.key] = parse_record(value, f.kind.spec, where, findings)
        parsed.ok &= parsed.children[f.key].ok
        return
    if isinstance(f.kind, OneOrMany) and not isinstance(value, Sequence):
        parsed.children[f.key] = [parse_record(value, f.kind.spec, where, findings)]
        parsed.ok &= parsed.children[f.key][0].ok
        return
    if isinstance(f.kind, Records):
        parsed.children[f.key] = parse_records(value, f, where, findings)
        parsed.ok &= all(c.ok for c in parsed.children[f.key])
        return
    try:
        parsed.values[f.key] = f.kind.parse(value, f.shown)
    except Invalid as exc:
        findings.error(exc.code, exc.message, value.loc, where)
        parsed.ok = False


def parse_records(node: Node, f: Field, path: str, findings: Findings) -> list[Parsed]:
    if not isinstance(node, Sequence):
        findings.error("type", f"{f.shown}应为列表（每项以 - 开头），实际为{kind_name(node)}", node.loc, path)
        return [Parsed({}, {}, node.loc, ok=False)]
    spec = f.kind.spec  # type: ignore[attr-defined]
    return [parse_record(item, spec, f"{path}[{i}]", findings) for i, item in enumerate(node.items)]


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
